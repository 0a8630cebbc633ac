#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "dns/resolv_conf.hpp"
#include "plugin/error.hpp"

using anycast::InputError;
using anycast::dns::load_resolv_conf;
using anycast::dns::parse_resolv_conf_nameservers;
using Servers = std::vector<std::string>;

namespace {

std::string message_of(auto&& action) {
    try {
        action();
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no InputError)";
}

struct TempDir {
    std::string path;
    TempDir() {
        std::string pattern = "/tmp/unit_dns_XXXXXX";
        BOOST_REQUIRE(mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    std::string write(const std::string& name, const std::string& text) const {
        const std::string file = path + "/" + name;
        std::ofstream(file, std::ios::binary) << text;
        return file;
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(resolv_conf)

BOOST_AUTO_TEST_CASE(nameservers_in_file_order) {
    const Servers got = parse_resolv_conf_nameservers(
        "# written by hand\n"
        "; old-style comment nameserver 203.0.113.1\n"
        "search example.net corp.example.net\n"
        "domain example.net\n"
        "options edns0 trust-ad ndots:2\n"
        "nameserver 192.0.2.53\n"
        "\n"
        "nameserver\t2001:db8::53   # secondary\r\n"
        "   nameserver 198.51.100.7\n"
        "nameserver fe80::1%eth0\n"
        "sortlist 130.155.160.0/255.255.240.0\n"
        "nameserver 192.0.2.54",
        "resolv.conf");
    const Servers expected{"192.0.2.53", "2001:db8::53", "198.51.100.7", "fe80::1%eth0", "192.0.2.54"};
    BOOST_TEST(got == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(keywords_are_whole_words) {
    const Servers got = parse_resolv_conf_nameservers(
        "#nameserver 192.0.2.1\nnameservers 192.0.2.2\nNAMESERVER 192.0.2.3\nnameserver 192.0.2.4\n", "r");
    BOOST_TEST(got == Servers{"192.0.2.4"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(more_than_glibcs_three_are_kept) {
    std::string text;
    for (int i = 1; i <= 5; ++i) {
        text += "nameserver 192.0.2." + std::to_string(i) + "\n";
    }
    BOOST_TEST(parse_resolv_conf_nameservers(text, "r").size() == 5U);
}

BOOST_AUTO_TEST_CASE(no_nameserver_is_an_empty_list) {
    BOOST_TEST(parse_resolv_conf_nameservers("", "r").empty());
    BOOST_TEST(parse_resolv_conf_nameservers("# nothing\nsearch example.net\n\n", "r").empty());
}

BOOST_AUTO_TEST_CASE(bad_lines_name_file_and_line) {
    struct Case {
        std::string text;
        std::string message;
    };
    const std::vector<Case> cases{
        {"nameserver 192.0.2.1\nnameserver dns.example.net\n",
         "/etc/resolv.conf line 2: 'dns.example.net' is not an IP address"},
        {"nameserver 192.0.2.256\n", "/etc/resolv.conf line 1: '192.0.2.256' is not an IP address"},
        {"nameserver 192.0.2.1:53\n", "/etc/resolv.conf line 1: '192.0.2.1:53' is not an IP address"},
        {"nameserver 192.0.2.1%eth0\n", "/etc/resolv.conf line 1: '192.0.2.1%eth0' is not an IP address"},
        {"nameserver fe80::1%\n", "/etc/resolv.conf line 1: 'fe80::1%' is not an IP address"},
        {"nameserver fe80::1%a/b\n", "/etc/resolv.conf line 1: 'fe80::1%a/b' is not an IP address"},
        {"nameserver fe80::1%0123456789abcdef\n",
         "/etc/resolv.conf line 1: 'fe80::1%0123456789abcdef' is not an IP address"},
        {"\n\nnameserver   \n", "/etc/resolv.conf line 3: nameserver without an address"},
        {"nameserver 192.0.2.1\x1b[31m\n",
         "/etc/resolv.conf line 1: '192.0.2.1\\x1b[31m' is not an IP address"},
        {std::string("nameserver 192.0.2.1\0x\n", 23),
         "/etc/resolv.conf line 1: '192.0.2.1\\x00x' is not an IP address"},
        {"nameserver " + std::string(2000, '1') + "\n",
         "/etc/resolv.conf line 1: line is longer than 1024 bytes"},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.message) {
            BOOST_TEST(message_of([&] { parse_resolv_conf_nameservers(c.text, "/etc/resolv.conf"); }) ==
                       c.message);
        }
    }
}

BOOST_AUTO_TEST_CASE(bounded_line_and_nameserver_counts) {
    std::string many_lines;
    for (int i = 0; i < 5000; ++i) {
        many_lines += "#\n";
    }
    BOOST_TEST(message_of([&] { parse_resolv_conf_nameservers(many_lines, "r"); }) ==
               "r line 4097: more than 4096 lines");
    std::string many_servers;
    for (int i = 0; i < 65; ++i) {
        many_servers += "nameserver 192.0.2.1\n";
    }
    BOOST_TEST(message_of([&] { parse_resolv_conf_nameservers(many_servers, "r"); }) ==
               "r line 65: more than 64 nameserver lines");
}

BOOST_AUTO_TEST_CASE(load_reads_a_file) {
    const TempDir dir;
    const std::string path =
        dir.write("resolv.conf", "options edns0\nnameserver ::1\nnameserver 127.0.0.53\n");
    BOOST_TEST(load_resolv_conf(path) == (Servers{"::1", "127.0.0.53"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(load_errors) {
    const TempDir dir;
    const std::string missing = dir.path + "/missing";
    BOOST_TEST(message_of([&] { load_resolv_conf(missing); }) == missing + ": No such file or directory");
    BOOST_TEST(message_of([&] { load_resolv_conf(dir.path); }) ==
               dir.path + ": is a directory, not a regular file");

    const std::string none = dir.write("none", "search example.net\n# nameserver 192.0.2.1\n");
    BOOST_TEST(message_of([&] { load_resolv_conf(none); }) == "no nameserver in " + none);

    const std::string bad = dir.write("bad", "nameserver 192.0.2.1\nnameserver localhost\n");
    BOOST_TEST(message_of([&] { load_resolv_conf(bad); }) ==
               bad + " line 2: 'localhost' is not an IP address");

    const std::string big = dir.write("big", "nameserver 192.0.2.1\n" + std::string(70 * 1024, '#'));
    BOOST_TEST(message_of([&] { load_resolv_conf(big); }) == big + ": larger than 64 KiB");

    const std::string fifo = dir.path + "/fifo";
    BOOST_REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    BOOST_TEST(message_of([&] { load_resolv_conf(fifo); }) == fifo + ": is a FIFO, not a regular file");

    if (geteuid() != 0) {  // root reads whatever the mode says
        const std::string locked = dir.write("locked", "nameserver 192.0.2.1\n");
        BOOST_REQUIRE(chmod(locked.c_str(), 0) == 0);
        BOOST_TEST(message_of([&] { load_resolv_conf(locked); }) == locked + ": Permission denied");
    }
}

BOOST_AUTO_TEST_SUITE_END()
