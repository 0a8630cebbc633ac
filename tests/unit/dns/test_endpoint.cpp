#include <boost/test/unit_test.hpp>

#include <netinet/in.h>

#include <string>
#include <vector>

#include "dns/endpoint.hpp"
#include "plugin/error.hpp"

using anycast::InputError;
using namespace anycast::dns;

namespace {

std::string message_of(auto&& action) {
    try {
        action();
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no InputError)";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(endpoint)

BOOST_AUTO_TEST_CASE(ip_literals) {
    struct Case {
        std::string text;
        int family;
        std::string address_text;
    };
    const std::vector<Case> cases{
        {"192.0.2.1", AF_INET, "192.0.2.1"},
        {"127.0.0.1", AF_INET, "127.0.0.1"},
        {"2001:db8::53", AF_INET6, "2001:db8::53"},
        {"2001:DB8:0:0::53", AF_INET6, "2001:db8::53"},
        {"::1", AF_INET6, "::1"},
        {"::ffff:192.0.2.1", AF_INET6, "::ffff:192.0.2.1"},
        {"fe80::1%lo", AF_INET6, "fe80::1%lo"},
        {"fe80::1%1", AF_INET6, "fe80::1%lo"},  // loopback is interface 1 on Linux
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.text) {
            const auto endpoint = parse_ip_literal(c.text, 53);
            BOOST_REQUIRE(endpoint.has_value());
            BOOST_TEST(endpoint->family() == c.family);
            BOOST_TEST(endpoint->port() == 53);
            BOOST_TEST(endpoint->address_text() == c.address_text);
        }
    }
}

BOOST_AUTO_TEST_CASE(not_ip_literals) {
    for (const std::string& text : std::vector<std::string>{
             "", "localhost", "dns.example.net", "192.0.2", "192.0.2.256", "192.0.2.1.", "192.0.2.1:53",
             "[2001:db8::1]", "2001:db8::1::2", "fe80::1%no-such-interface0", " 192.0.2.1", "192.0.2.1 ",
             "192.0.2.1#53", std::string(300, '1'),
             // inet_aton's shorthands, which getaddrinfo would take
             "192.0.2", "10.1", "0300.0.2.1", "192.0.2.01", "3221225985", "0xc0.0.2.1",
             std::string("192.0.2.1\0", 10), std::string("192.0.2.1\0.5", 12)}) {
        BOOST_TEST_CONTEXT("'" << text << "'") {
            BOOST_TEST(!parse_ip_literal(text, 53).has_value());
        }
    }
}

BOOST_AUTO_TEST_CASE(display_adds_unusual_port) {
    BOOST_TEST(parse_ip_literal("192.0.2.1", 53)->display() == "192.0.2.1");
    BOOST_TEST(parse_ip_literal("192.0.2.1", 5353)->display() == "192.0.2.1#5353");
    BOOST_TEST(parse_ip_literal("2001:db8::1", 5353)->display() == "2001:db8::1#5353");
    BOOST_TEST(parse_ip_literal("2001:db8::1", 853)->display(853) == "2001:db8::1");
    BOOST_TEST(parse_ip_literal("2001:db8::1", 53)->display(853) == "2001:db8::1#53");
    BOOST_TEST(parse_ip_literal("fe80::1%lo", 54)->display() == "fe80::1%lo#54");
}

BOOST_AUTO_TEST_CASE(equality) {
    BOOST_TEST((*parse_ip_literal("192.0.2.1", 53) == *parse_ip_literal("192.0.2.1", 53)));
    BOOST_TEST(!(*parse_ip_literal("192.0.2.1", 53) == *parse_ip_literal("192.0.2.1", 54)));
    BOOST_TEST(!(*parse_ip_literal("192.0.2.1", 53) == *parse_ip_literal("::ffff:192.0.2.1", 53)));
    BOOST_TEST((*parse_ip_literal("2001:db8::1", 53) == *parse_ip_literal("2001:DB8::0:1", 53)));
}

BOOST_AUTO_TEST_CASE(ports) {
    BOOST_TEST(parse_port("1") == 1);
    BOOST_TEST(parse_port("53") == 53);
    BOOST_TEST(parse_port("65535") == 65535);
    for (const std::string text :
         {"", "0", "65536", "99999999999", "-1", "+53", "53x", " 53", "0x35", "5.3"}) {
        BOOST_TEST_CONTEXT("'" << text << "'") {
            BOOST_TEST(message_of([&] { parse_port(text); }) ==
                       "'" + text + "' is not a port number (1-65535)");
        }
    }
}

BOOST_AUTO_TEST_CASE(resolve_literals_without_dns) {
    const auto deadline = Clock::now() + std::chrono::seconds(2);
    const auto v4 = resolve_host("127.0.0.1", 5300, AddressFamily::any, deadline);
    BOOST_REQUIRE(v4.size() == 1U);
    BOOST_TEST(v4[0].display() == "127.0.0.1#5300");
    BOOST_TEST(message_of([&] { resolve_host("127.0.0.1", 53, AddressFamily::ipv6, deadline); }) ==
               "'127.0.0.1' is not of the requested address family");
    BOOST_TEST(message_of([&] { resolve_host("", 53, AddressFamily::any, deadline); }) ==
               "'' is not a host name or address");
    for (const std::string shorthand : {"192.0.2", "0300.0.2.1", "3221225985"}) {
        BOOST_TEST(message_of([&] { resolve_host(shorthand, 53, AddressFamily::any, deadline); }) ==
                   "'" + shorthand + "' is not an IPv4 address (write all four parts in decimal)");
    }
    // "localhost" comes from /etc/hosts, not from DNS.
    for (const auto& endpoint : resolve_host("localhost", 53, AddressFamily::ipv4, deadline)) {
        BOOST_TEST(endpoint.address_text() == "127.0.0.1");
    }
}

BOOST_AUTO_TEST_SUITE_END()
