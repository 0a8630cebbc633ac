#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "plugin/error.hpp"
#include "sites/airports.hpp"
#include "sites/sites_file.hpp"

using anycast::InputError;
using anycast::sites::add_site_identities;
using anycast::sites::is_ip_address;
using anycast::sites::load_sites_file;
using anycast::sites::parse_site_option;
using anycast::sites::parse_sites_text;
using anycast::sites::SiteRules;

namespace {

std::string message_of(auto&& action) {
    try {
        action();
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no InputError)";
}

// A directory of its own under /tmp, removed with everything in it at the end of the test.
struct TempDir {
    std::string path;
    TempDir() {
        std::string pattern = "/tmp/unit_sites_XXXXXX";
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

constexpr const char* example = R"(# anycast sites of example.net
# code  address...                    [loc=IATA|LAT,LON] [identity=STRING]...
ams1    192.0.2.10 2001:db8:10::53     loc=AMS   identity=nsd-ams-01.example.net
IAD1    198.51.100.20                 loc=38.9445,-77.4558   # Ashburn

	sin1	loc=sin identity="dns server sin #1" identity=sin-b
ll1     fe80::53%eth0
)";

}  // namespace

BOOST_AUTO_TEST_SUITE(sites_file)

BOOST_AUTO_TEST_CASE(parses_the_documented_example) {
    const auto sites = parse_sites_text(example, "sites.conf");
    BOOST_REQUIRE(sites.size() == 4U);
    BOOST_TEST(sites[0].code == "ams1");
    BOOST_TEST(sites[0].addresses == (std::vector<std::string>{"192.0.2.10", "2001:db8:10::53"}),
               boost::test_tools::per_element());
    BOOST_REQUIRE(sites[0].location);
    BOOST_TEST(sites[0].location->latitude_deg == anycast::sites::find_airport("AMS")->location.latitude_deg);
    BOOST_TEST(sites[0].location_text == "AMS");
    BOOST_TEST(sites[0].identities == std::vector<std::string>{"nsd-ams-01.example.net"},
               boost::test_tools::per_element());
    BOOST_TEST(sites[1].code == "iad1");
    BOOST_TEST(sites[1].location->latitude_deg == 38.9445);
    BOOST_TEST(sites[1].location->longitude_deg == -77.4558);
    BOOST_TEST(sites[1].identities.empty());
    BOOST_TEST(sites[2].code == "sin1");
    BOOST_TEST(sites[2].addresses.empty());
    BOOST_TEST(sites[2].identities == (std::vector<std::string>{"dns server sin #1", "sin-b"}),
               boost::test_tools::per_element());
    BOOST_TEST(sites[3].addresses == std::vector<std::string>{"fe80::53%eth0"},
               boost::test_tools::per_element());
    BOOST_TEST(!sites[3].location);
}

BOOST_AUTO_TEST_CASE(identities_feed_site_rules) {
    SiteRules rules;
    add_site_identities(rules, parse_sites_text(example, "sites.conf"));
    BOOST_TEST(rules.match("NSD-AMS-01.example.net")->site == "ams1");
    BOOST_TEST(rules.match("dns server sin #1")->site == "sin1");
    BOOST_TEST(rules.match("dns server sin #1")->rule == "sites file");
}

BOOST_AUTO_TEST_CASE(empty_and_comment_only_files) {
    BOOST_TEST(parse_sites_text("", "x").empty());
    BOOST_TEST(parse_sites_text("\n\n# nothing\r\n   \t\n", "x").empty());
    BOOST_TEST(parse_sites_text("a1 192.0.2.1\r\n", "x").size() == 1U);  // CRLF file
}

BOOST_AUTO_TEST_CASE(bad_lines_name_file_and_line) {
    struct Case {
        const char* text;
        const char* message;
    };
    const Case cases[] = {
        {"ams1 192.0.2.300", "sites file f line 1: '192.0.2.300' is not an IP address"},
        {"# c\n\nams1 localhost", "sites file f line 3: 'localhost' is not an IP address"},
        {"-x 192.0.2.1", "sites file f line 1: '-x' is not a site code ([a-z0-9][a-z0-9_-]*, at most 63)"},
        {"a.b 192.0.2.1", "sites file f line 1: 'a.b' is not a site code ([a-z0-9][a-z0-9_-]*, at most 63)"},
        {"a1 192.0.2.1\nA1 192.0.2.2", "sites file f line 2: site 'a1' is already defined on line 1"},
        {"a1 192.0.2.1\nb1 192.0.2.1", "sites file f line 2: address 192.0.2.1 already belongs to site a1"},
        {"a1 2001:db8::1 2001:DB8:0::1", "sites file f line 1: address 2001:DB8:0::1 is listed twice"},
        {"a1 loc=XXX", "sites file f line 1: location 'XXX' is not a known IATA airport code"},
        {"a1 loc=91,0",
         "sites file f line 1: location '91,0' is not LAT,LON in decimal degrees (latitude -90..90, "
         "longitude "
         "-180..180)"},
        {"a1 loc=AMS loc=LHR", "sites file f line 1: loc= is given twice"},
        {"a1 identity=", "sites file f line 1: identity= is empty"},
        {"a1 identity=x\nb1 identity=X", "sites file f line 2: identity 'X' already belongs to site a1"},
        {"a1 site=ams",
         "sites file f line 1: unknown field 'site=ams' (expected an address, loc= or identity=)"},
        {"a1 identity=\"open", "sites file f line 1: unterminated double quote"},
        {"a1 192.0.2.1%eth0", "sites file f line 1: '192.0.2.1%eth0' is not an IP address"},
        {"a1 fe80::1%", "sites file f line 1: 'fe80::1%' is not an IP address"},
        {"a1 fe80::1%a/b", "sites file f line 1: 'fe80::1%a/b' is not an IP address"},
        {"a1 fe80::1%abcdefghijklmnop",
         "sites file f line 1: 'fe80::1%abcdefghijklmnop' is not an IP address"},
        {"\n\na1 192.0.2.1\x01", "sites file f line 3: line contains a control character"},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.text) {
            BOOST_TEST(message_of([&] { parse_sites_text(c.text, "f"); }) == c.message);
        }
    }
}

BOOST_AUTO_TEST_CASE(limits) {
    const std::string long_line = "a1 identity=" + std::string(5000, 'x');
    BOOST_TEST(message_of([&] { parse_sites_text(long_line, "f"); }) ==
               "sites file f line 1: line is longer than 4096 bytes");
    const std::string with_nul("a1 192.0.2.1\0", 13);
    BOOST_TEST(message_of([&] { parse_sites_text(with_nul, "f"); }) ==
               "sites file f line 1: line contains a control character");
}

BOOST_AUTO_TEST_CASE(load_from_disk) {
    TempDir dir;
    const auto good = dir.write("sites.conf", example);
    BOOST_TEST(load_sites_file(good).size() == 4U);
    const auto bad = dir.write("bad.conf", "a1 192.0.2.1\nb1 nonsense\n");
    BOOST_TEST(message_of([&] { load_sites_file(bad); }) ==
               "sites file " + bad + " line 2: 'nonsense' is not an IP address");
    const std::string missing = dir.path + "/missing.conf";
    BOOST_TEST(message_of([&] { load_sites_file(missing); }) ==
               "sites file " + missing + ": No such file or directory");
    BOOST_TEST(message_of([&] { load_sites_file(dir.path); }) ==
               "sites file " + dir.path + ": is a directory, not a regular file");
    const auto huge = dir.write("huge.conf", std::string(1024 * 1024 + 1, '\n'));
    BOOST_TEST(message_of([&] { load_sites_file(huge); }) == "sites file " + huge + ": larger than 1 MiB");
    const auto exactly = dir.write("max.conf", std::string(1024 * 1024, '\n'));
    BOOST_TEST(load_sites_file(exactly).empty());
}

BOOST_AUTO_TEST_CASE(site_option) {
    const auto one = parse_site_option("AMS1=192.0.2.10");
    BOOST_TEST(one.code == "ams1");
    BOOST_TEST(one.addresses == std::vector<std::string>{"192.0.2.10"}, boost::test_tools::per_element());
    const auto two = parse_site_option("iad1=198.51.100.20,2001:db8::53");
    BOOST_TEST(two.addresses == (std::vector<std::string>{"198.51.100.20", "2001:db8::53"}),
               boost::test_tools::per_element());
    BOOST_TEST(!two.location);
    // Written as users write comma lists: blanks around the items and the code do not count.
    const auto spaced = parse_site_option(" ams1 = 192.0.2.1, 192.0.2.2 ,\t2001:db8::53 ");
    BOOST_TEST(spaced.code == "ams1");
    BOOST_TEST(spaced.addresses == (std::vector<std::string>{"192.0.2.1", "192.0.2.2", "2001:db8::53"}),
               boost::test_tools::per_element());
    BOOST_TEST(parse_site_option("ams1=192.0.2.1 ").addresses == std::vector<std::string>{"192.0.2.1"},
               boost::test_tools::per_element());

    struct Case {
        const char* value;
        const char* message;
    };
    const Case cases[] = {
        {"ams1", "--site 'ams1': expected CODE=ADDRESS[,ADDRESS...]"},
        {"ams1=", "--site 'ams1=': '' is not an IP address"},
        {"=192.0.2.1", "--site '=192.0.2.1': '' is not a site code ([a-z0-9][a-z0-9_-]*, at most 63)"},
        {"ams1=192.0.2.1,,192.0.2.2", "--site 'ams1=192.0.2.1,,192.0.2.2': '' is not an IP address"},
        {"ams1=192.0.2.1,192.0.2.1", "--site 'ams1=192.0.2.1,192.0.2.1': address 192.0.2.1 is listed twice"},
        {"ams1=192.0.2.1, ", "--site 'ams1=192.0.2.1, ': '' is not an IP address"},
        {"ams1=192.0.2.1 192.0.2.2",
         "--site 'ams1=192.0.2.1 192.0.2.2': '192.0.2.1 192.0.2.2' is not an IP address"},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.value) {
            BOOST_TEST(message_of([&] { parse_site_option(c.value); }) == c.message);
        }
    }
}

BOOST_AUTO_TEST_CASE(ip_literals) {
    for (const char* good :
         {"192.0.2.1", "::1", "2001:db8::53", "::ffff:192.0.2.1", "fe80::1%eth0", "fe80::1%2"}) {
        BOOST_TEST(is_ip_address(good), good);
    }
    for (const char* bad :
         {"", "192.0.2", "192.0.2.1.", "1.2.3.04x", "::g", "fe80::1%", "host", "192.0.2.1/24"}) {
        BOOST_TEST(!is_ip_address(bad), bad);
    }
}

BOOST_AUTO_TEST_CASE(an_interface_this_host_lacks_is_named_with_file_and_line) {
    BOOST_TEST(
        message_of([] { parse_sites_text("ams1 192.0.2.1\nlhr1 fe80::53%nosuchif0\n", "/etc/s"); }) ==
        "sites file /etc/s line 2: 'fe80::53%nosuchif0': this host has no network interface 'nosuchif0'");
    BOOST_TEST(message_of([] { parse_sites_text("lo1 fe80::53%lo\nnum1 fe80::54%1\n", "/etc/s"); }) ==
               "(no InputError)");
    BOOST_TEST(message_of([] { parse_site_option("ams1=fe80::1%nosuchif0"); }).find("--site ") == 0U);
}

BOOST_AUTO_TEST_SUITE_END()
