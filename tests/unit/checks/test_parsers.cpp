// The option-value parsers and small helpers of lib/checks: no network.
#include <boost/test/unit_test.hpp>

#include "checks/anycast_dns.hpp"
#include "checks/anycast_site.hpp"
#include "checks/resolver_locality.hpp"
#include "checks/shared.hpp"
#include "plugin/error.hpp"

#include "dns/ldns_handles.hpp"  // ldns.h, with bool, true and false left alone

using anycast::InputError;
using anycast::plugin::State;
namespace checks = anycast::checks;

BOOST_AUTO_TEST_CASE(fail_limits_count_or_percent) {
    struct Case {
        const char* text;
        std::size_t failed;
        std::size_t total;
        bool reached;
    };
    const Case cases[] = {{"1", 1, 4, true},      {"1", 0, 4, false},   {"2", 1, 4, false},
                          {"50%", 2, 4, true},    {"50%", 1, 4, false}, {"100%", 4, 4, true},
                          {"33.4%", 1, 3, false}, {"25%", 1, 4, true}};
    for (const Case& c : cases) {
        BOOST_TEST_CONTEXT(c.text << " with " << c.failed << "/" << c.total) {
            BOOST_TEST(checks::parse_fail_limit(c.text).reached(c.failed, c.total) == c.reached);
        }
    }
    for (const char* bad : {"0", "-1", "0%", "101%", "x", "", "%", "1.5.2"}) {
        BOOST_TEST_CONTEXT(bad) {
            BOOST_CHECK_THROW(checks::parse_fail_limit(bad), InputError);
        }
    }
}

BOOST_AUTO_TEST_CASE(site_patterns_are_code_lists_or_whole_code_regexes) {
    const auto list = checks::parse_site_pattern("ams1,LHR1");
    BOOST_TEST(list.matches("ams1"));
    BOOST_TEST(list.matches("lhr1"));
    BOOST_TEST(!list.matches("ams"));
    BOOST_TEST(!list.matches("ams10"));

    const auto regex = checks::parse_site_pattern("(ams|lhr)[0-9]+");
    BOOST_TEST(regex.matches("ams1"));
    BOOST_TEST(regex.matches("lhr22"));
    BOOST_TEST(!regex.matches("xams1"));  // the whole code must match, not a part
    BOOST_TEST(!regex.matches("ams"));

    BOOST_CHECK_THROW(checks::parse_site_pattern(""), InputError);
    BOOST_CHECK_THROW(checks::parse_site_pattern("(ams"), InputError);
}

BOOST_AUTO_TEST_CASE(whoami_names_take_txt_a_or_aaaa) {
    using anycast::identity::parse_whoami;
    BOOST_TEST(parse_whoami("o-o.myaddr.l.google.com").type == LDNS_RR_TYPE_TXT);
    const auto akamai = parse_whoami(" whoami.akamai.net/A");
    BOOST_TEST(akamai.name == "whoami.akamai.net");
    BOOST_TEST(akamai.type == LDNS_RR_TYPE_A);
    BOOST_TEST(parse_whoami("whoami.example/aaaa").type == LDNS_RR_TYPE_AAAA);
    BOOST_CHECK_THROW(parse_whoami("whoami.example/MX"), InputError);
    BOOST_CHECK_THROW(parse_whoami("whoami.example/NOPE"), InputError);
    BOOST_CHECK_THROW(parse_whoami("bad..name/TXT"), InputError);
}

BOOST_AUTO_TEST_CASE(findings_keep_the_worst_state_and_every_text) {
    checks::Findings findings;
    BOOST_TEST(findings.empty());
    BOOST_TEST(findings.before("details") == "details");
    findings.add(State::warning, "rtt 3 ms");
    findings.add(State::critical, "rcode NXDOMAIN");
    findings.add(State::warning, "loss 20%");
    BOOST_TEST((findings.state() == State::critical));
    BOOST_TEST(findings.text() == "rtt 3 ms; rcode NXDOMAIN; loss 20%");
    BOOST_TEST(findings.before("udp") == "rtt 3 ms; rcode NXDOMAIN; loss 20% - udp");
}

BOOST_AUTO_TEST_CASE(ip_literal_options_refuse_names_and_shorthand) {
    BOOST_TEST(checks::ip_literal_value("192.0.2.1") == "192.0.2.1");
    BOOST_TEST(checks::ip_literal_value("2001:db8::53") == "2001:db8::53");
    for (const char* bad : {"ns1.example", "192.0.2", "", "192.0.2.256"}) {
        BOOST_TEST_CONTEXT(bad) {
            BOOST_CHECK_THROW(checks::ip_literal_value(bad), InputError);
        }
    }
}

BOOST_AUTO_TEST_CASE(site_map_puts_the_sites_file_first) {
    anycast::sites::SiteEntry entry;
    entry.code = "edge7";
    entry.identities = {"ams1"};
    const checks::SiteMap map({entry}, {"^(?<site>x..)-"});
    const auto place = [&](const char* id) {
        anycast::identity::Identity identity;
        identity.value = id;
        identity.method = anycast::identity::Method::nsid;
        return map.place(identity);
    };
    BOOST_TEST(*place("ams1").site == "edge7");  // the map wins over the airport rule
    BOOST_TEST(*place("xyz-1").site == "xyz");   // then the operator's regex
    BOOST_TEST(*place("lhr1").site == "lhr1");   // then the built-ins
}

BOOST_AUTO_TEST_CASE(the_deadline_counts_from_the_start_of_the_run_and_leaves_time_to_exit) {
    using std::chrono::milliseconds;
    anycast::plugin::CommonOptions common;
    common.started = anycast::dns::Clock::time_point{} + std::chrono::hours{1};
    common.timeout_seconds = 10;
    BOOST_TEST((checks::run_deadline(common) - common.started == milliseconds{9990}));
    common.timeout_seconds = 0.05;  // a tenth of a short timeout, not a fixed 10 ms
    BOOST_TEST((checks::run_deadline(common) - common.started == milliseconds{45}));
}
