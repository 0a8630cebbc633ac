// check_anycast_site's judgements from hand-made readings: catchment, sites, shared identities,
// consistency; every state they reach, and a first line that names what failed.
#include <algorithm>

#include <boost/test/unit_test.hpp>

#include "checks/anycast_site.hpp"
#include "readings.hpp"

using anycast::plugin::State;
namespace checks = anycast::checks;
namespace t = anycast::checks::testing;

namespace {

constexpr std::uint16_t port = 53;

checks::AnycastSiteConfig config() {
    checks::AnycastSiteConfig c;
    c.zone = "anycast.test";
    c.serial_lag.warning = anycast::plugin::parse_range("0", anycast::plugin::UnitFamily::plain);
    return c;
}

anycast::sites::SiteEntry entry(std::string code, std::vector<std::string> addresses) {
    anycast::sites::SiteEntry site;
    site.code = std::move(code);
    site.addresses = std::move(addresses);
    return site;
}

checks::CatchmentReading catchment(const std::string& address, checks::Instance instance,
                                   std::uint32_t serial = 5, double rtt_ms = 1.0) {
    return {{t::probe(address, port, {rtt_ms}, t::soa_response(serial, instance.identity.value_or(""))),
             std::move(instance)},
            std::nullopt,
            std::nullopt};
}

checks::SiteReading site(const std::string& code, const std::string& address, std::uint32_t serial,
                         std::optional<std::string> identity, double rtt_ms = 1.0) {
    checks::SiteReading reading{entry(code, {address}), {}};
    reading.addresses.push_back(
        {t::probe(address, port, {rtt_ms}, t::soa_response(serial, identity.value_or(""))),
         t::instance(identity, identity, std::nullopt)});
    return reading;
}

checks::SiteReading down_site(const std::string& code, const std::string& address) {
    checks::SiteReading reading{entry(code, {address}), {}};
    reading.addresses.push_back({t::silent(address, port), {}});
    return reading;
}

checks::SiteMeasurements three_sites() {
    checks::SiteMeasurements m;
    m.catchment.push_back(catchment("192.0.2.1", t::instance("ams1", "ams1", "AMS")));
    m.sites = {site("ams1", "198.51.100.1", 5, "ams1"), site("iad1", "198.51.100.2", 5, "iad1"),
               site("sto1", "198.51.100.3", 5, "sto1")};
    for (const auto& s : m.sites) {
        m.listed.push_back(s.site);
    }
    return m;
}

std::string line_of(const checks::AnycastSiteConfig& c, const checks::SiteMeasurements& m, State expected) {
    const auto result = checks::report_anycast_site(c, m, 2);
    BOOST_TEST((result.state() == expected));
    return t::first_line(result);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(anycast_site_judgements)

BOOST_AUTO_TEST_CASE(all_well_is_ok_with_catchment_sites_and_serial) {
    auto c = config();
    c.expect_site = checks::parse_site_pattern("ams1, lhr1");
    BOOST_TEST(line_of(c, three_sites(), State::ok) ==
               "catchment ams1 (expected); 3/3 sites up, serial 5 everywhere");
}

BOOST_AUTO_TEST_CASE(an_unexpected_site_is_a_warning_or_critical_naming_it) {
    auto c = config();
    c.expect_site = checks::parse_site_pattern("lhr1");
    BOOST_TEST(line_of(c, three_sites(), State::warning) ==
               "catchment 192.0.2.1: site ams1 is not expected (lhr1)");
    c.unexpected_site_state = State::critical;
    line_of(c, three_sites(), State::critical);
    c = config();
    c.forbid_site = checks::parse_site_pattern("ams");  // by location
    BOOST_TEST(line_of(c, three_sites(), State::warning) ==
               "catchment 192.0.2.1: site ams1 is forbidden (ams)");
}

BOOST_AUTO_TEST_CASE(expect_site_matches_a_site_or_its_location) {
    const auto mad1f = t::instance("mad1f.f.root-servers.org", "mad1f", "MAD");
    const auto pattern = checks::parse_site_pattern("mad");
    BOOST_TEST((pattern.judge(mad1f) == checks::SitePattern::Verdict::matches));
    BOOST_TEST((checks::parse_site_pattern("ams1").judge(t::instance("ams", "ams", "AMS")) ==
                checks::SitePattern::Verdict::differs));  // ams1 means exactly ams1
    BOOST_TEST((checks::parse_site_pattern("MAD1F").judge(mad1f) == checks::SitePattern::Verdict::matches));
    BOOST_TEST(
        (checks::parse_site_pattern("(mad|lis)").judge(mad1f) == checks::SitePattern::Verdict::matches));
    BOOST_TEST((pattern.judge(t::instance("x", "qfra3")) == checks::SitePattern::Verdict::unplaced));
    BOOST_TEST((pattern.judge(t::instance("res1")) == checks::SitePattern::Verdict::unplaced));
    BOOST_TEST((checks::parse_site_pattern("qfra3").judge(t::instance("x", "qfra3")) ==
                checks::SitePattern::Verdict::matches));
}

BOOST_AUTO_TEST_CASE(an_unplaced_answer_is_unknown_and_says_what_to_add) {
    auto c = config();
    c.expect_site = checks::parse_site_pattern("fra");
    checks::SiteMeasurements m;
    m.catchment.push_back(catchment("192.0.2.1", t::instance("res860.qfra3.rrdns.pch.net", "qfra3")));
    std::string line = line_of(c, m, State::unknown);
    BOOST_TEST(line.find("catchment 192.0.2.1: cannot tell whether qfra3 is expected (fra)") == 0U);
    BOOST_TEST(line.find("add loc= for it in a sites file") != std::string::npos);
    m.catchment[0] = catchment("192.0.2.1", t::instance("m17.ams"));
    line = line_of(c, m, State::unknown);
    BOOST_TEST(line.find("add a rule (--site-regex)") != std::string::npos);
    c.unplaced_state = State::critical;
    line_of(c, m, State::critical);
}

BOOST_AUTO_TEST_CASE(an_instance_that_is_no_listed_site_gets_its_own_state) {
    auto m = three_sites();
    m.catchment.push_back(catchment("192.0.2.2", t::instance("fra9", "fra9", "FRA")));
    m.catchment.push_back(catchment("192.0.2.3", t::instance("someone-else")));
    auto c = config();
    BOOST_TEST(line_of(c, m, State::warning) ==
               "catchment 192.0.2.2: site fra9 is not in the sites list; catchment 192.0.2.3: identity "
               "someone-else (nsid) maps to no listed site");
    c.unknown_site_state = State::critical;
    line_of(c, m, State::critical);
}

BOOST_AUTO_TEST_CASE(two_sites_with_one_identity_are_a_warning) {
    auto m = three_sites();
    m.sites.push_back(site("fra1", "198.51.100.4", 5, std::nullopt));
    m.sites.back().addresses[0].instance = t::instance("0copied0");
    m.sites.push_back(site("lhr1", "198.51.100.5", 5, std::nullopt));
    m.sites.back().addresses[0].instance = t::instance("0copied0");
    BOOST_TEST(line_of(config(), m, State::warning) ==
               "sites fra1 and lhr1 answer with one identity 0copied0");
}

BOOST_AUTO_TEST_CASE(an_allowed_lag_is_ok_and_still_said) {
    auto m = three_sites();
    m.sites[1] = site("iad1", "198.51.100.2", 4, "iad1");
    auto c = config();
    c.serial_lag.warning = anycast::plugin::parse_range("5", anycast::plugin::UnitFamily::plain);
    BOOST_TEST(line_of(c, m, State::ok) ==
               "catchment ams1; 3/3 sites up, 1 of 3 not at the newest serial (5), within the allowed lag");
}

BOOST_AUTO_TEST_CASE(a_stale_site_is_a_warning_naming_it) {
    auto m = three_sites();
    m.sites[1] = site("iad1", "198.51.100.2", 2, "iad1");
    BOOST_TEST(line_of(config(), m, State::warning) == "site iad1 stale: serial 2 is 3 behind 5");
    auto c = config();
    c.serial_lag.critical = anycast::plugin::parse_range("2", anycast::plugin::UnitFamily::plain);
    line_of(c, m, State::critical);
}

BOOST_AUTO_TEST_CASE(the_wrong_box_is_critical) {
    auto m = three_sites();
    m.sites[1] = site("iad1", "198.51.100.2", 5, "sto1");
    const std::string line = line_of(config(), m, State::critical);
    BOOST_TEST(
        line.find("site iad1 198.51.100.2: identity sto1 (nsid) is site sto1, not iad1: this address leads "
                  "to the wrong box") == 0U);
    // The sites line in the long output names the site its CRITICAL comes from.
    const auto result = checks::report_anycast_site(config(), m, 2);
    const auto sites = std::find_if(result.subchecks.begin(), result.subchecks.end(),
                                    [](const auto& sub) { return sub.name == "sites"; });
    BOOST_TEST_REQUIRE((sites != result.subchecks.end()));
    BOOST_TEST(sites->summary == "3/3 sites up; not OK: iad1");
}

BOOST_AUTO_TEST_CASE(a_down_site_is_named_in_the_first_line) {
    auto m = three_sites();
    m.sites[2] = down_site("sto1", "198.51.100.3");
    BOOST_TEST(line_of(config(), m, State::warning) == "site sto1 down (198.51.100.3: no answer within 2 s)");
    auto c = config();
    c.down_critical = checks::parse_fail_limit("1");
    line_of(c, m, State::critical);
    c = config();
    c.down_warning = checks::parse_fail_limit("2");
    line_of(c, m, State::ok);
}

BOOST_AUTO_TEST_CASE(a_flapping_catchment_is_a_warning_naming_the_address) {
    auto c = config();
    c.flap_warning = 3;
    c.flap_window_seconds = 600;
    struct Case {
        std::size_t changes;
        State state;
    };
    for (const Case& k : {Case{2, State::ok}, Case{3, State::warning}, Case{5, State::warning}}) {
        BOOST_TEST_CONTEXT(k.changes << " changes") {
            auto m = three_sites();
            anycast::sites::SiteObservation seen;
            seen.previous_site = "iad1";
            seen.changed = true;
            seen.changes_in_window = k.changes;
            m.catchment[0].seen = seen;
            const std::string line = line_of(c, m, k.state);
            if (k.state != State::ok) {
                BOOST_TEST(line == "catchment 192.0.2.1: site changed " + std::to_string(k.changes) +
                                       " times within 600 s");
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(a_serial_that_rfc_1982_cannot_compare_is_critical_naming_the_site) {
    auto m = three_sites();
    m.sites[1] = site("iad1", "198.51.100.2", 5U + 0x80000000U, "iad1");  // exactly 2^31 apart
    BOOST_TEST(line_of(config(), m, State::critical) == "iad1 serial 2147483653 not comparable with 5");
}

BOOST_AUTO_TEST_CASE(a_site_address_without_the_zone_is_named) {
    anycast::dns::testing::ResponseSpec spec;
    spec.rcode = 5;  // REFUSED: the site's server does not serve the zone
    const auto refused = t::response(spec, "anycast.test", "SOA");
    auto m = three_sites();
    m.sites[1].addresses[0].probe = t::probe("198.51.100.2", port, {1.0}, refused);
    // Its only address: the site is down, and the first line says why.
    BOOST_TEST(
        line_of(config(), m, State::warning) ==
        "site iad1 down (198.51.100.2: rcode REFUSED, no SOA serial - identity iad1 (nsid), rtt 1 ms)");
    // Beside an address that serves it, the site is up and the address is still named.
    m.sites[1].site.addresses.push_back("198.51.100.22");
    m.sites[1].addresses.push_back(
        {t::probe("198.51.100.22", port, {1.0}, t::soa_response(5, "iad1")), t::instance("iad1", "iad1")});
    BOOST_TEST(line_of(config(), m, State::warning) ==
               "site iad1 198.51.100.2: rcode REFUSED, no SOA serial");
}

BOOST_AUTO_TEST_CASE(a_dead_address_of_a_live_site_is_a_warning_naming_it) {
    auto m = three_sites();
    m.sites[1].site.addresses.push_back("198.51.100.22");
    m.sites[1].addresses.push_back({t::silent("198.51.100.22", port), {}});
    BOOST_TEST(line_of(config(), m, State::warning) == "site iad1 198.51.100.22: no answer within 2 s");
}

BOOST_AUTO_TEST_CASE(an_anycast_address_without_the_zone_is_critical) {
    anycast::dns::testing::ResponseSpec spec;
    spec.rcode = 5;  // REFUSED: someone else answers for the prefix
    auto m = three_sites();
    m.catchment[0].reading.probe =
        t::probe("192.0.2.1", port, {1.0}, t::response(spec, "anycast.test", "SOA"));
    BOOST_TEST(line_of(config(), m, State::critical) ==
               "catchment 192.0.2.1: serves no SOA for anycast.test (rcode REFUSED)");
}

BOOST_AUTO_TEST_CASE(an_rtt_below_the_floor_for_the_claimed_site_is_a_warning) {
    auto c = config();
    c.vantage.location = anycast::sites::parse_location("SYD");
    c.vantage.location_text = "SYD";
    checks::SiteMeasurements m;
    m.catchment.push_back(catchment("192.0.2.1", t::instance("ams1", "ams1", "AMS"), 5, 0.3));
    const std::string line = line_of(c, m, State::warning);
    BOOST_TEST(line.find("catchment 192.0.2.1: rtt 0.3 ms is below the physical floor") == 0U);
}

BOOST_AUTO_TEST_CASE(location_only_sites_leave_the_anycast_serials_compared) {
    // A sites file that only places identities ("qfra3 loc=FRA") lists sites without addresses:
    // the serials of the anycast addresses are still compared.
    checks::SiteMeasurements m;
    m.catchment.push_back(catchment("192.0.2.1", t::instance("ams1", "ams1", "AMS"), 5));
    m.catchment.push_back(catchment("192.0.2.2", t::instance("iad1", "iad1", "IAD"), 3));
    m.listed = {entry("ams1", {}), entry("iad1", {})};
    BOOST_TEST(line_of(config(), m, State::warning) == "site 192.0.2.2 stale: serial 3 is 2 behind 5");
}

BOOST_AUTO_TEST_CASE(a_silent_anycast_address_is_critical) {
    checks::SiteMeasurements m;
    m.catchment.push_back({{t::silent("192.0.2.1", port), {}}, std::nullopt, std::nullopt});
    BOOST_TEST(line_of(config(), m, State::critical) == "catchment 192.0.2.1: no answer within 2 s");
}

BOOST_AUTO_TEST_CASE(site_perfdata_counts_the_anycast_addresses_each_site_answered) {
    std::vector<checks::CatchmentReading> readings = {catchment("192.0.2.1", t::instance("ams1", "ams1")),
                                                      catchment("2001:db8::1", t::instance("ams1", "ams1")),
                                                      catchment("192.0.2.2", t::instance("iad1", "iad1"))};
    const auto perfdata = checks::catchment_perfdata(readings);
    BOOST_TEST_REQUIRE(perfdata.size() == 2U);
    BOOST_TEST(anycast::plugin::render_perfdata(perfdata[0]) == "site_ams1=2;;;0");
    BOOST_TEST(anycast::plugin::render_perfdata(perfdata[1]) == "site_iad1=1;;;0");
}

BOOST_AUTO_TEST_CASE(the_primary_sets_the_reference_and_its_failure_is_critical) {
    auto c = config();
    c.primary = "198.51.100.9";
    auto m = three_sites();
    m.primary = t::probe("198.51.100.9", port, {1.0}, t::soa_response(7));
    BOOST_TEST(line_of(c, m, State::warning).find("site ams1 stale: serial 5 is 2 behind 7") == 0U);
    m.primary = t::silent("198.51.100.9", port);
    BOOST_TEST(line_of(c, m, State::critical) == "primary 198.51.100.9 no answer within 2 s");
}

BOOST_AUTO_TEST_CASE(an_unusable_state_file_is_said_beside_a_critical_never_instead) {
    auto c = config();
    c.state_file = "/var/tmp/site.state";
    checks::SiteMeasurements m;
    m.catchment.push_back({{t::silent("192.0.2.1", port), {}}, std::nullopt});
    m.state_error = "timed out waiting for the lock on /var/tmp/site.state.lock";
    BOOST_TEST(line_of(c, m, State::critical) ==
               "catchment 192.0.2.1: no answer within 2 s; state file /var/tmp/site.state: timed out "
               "waiting for the lock on /var/tmp/site.state.lock (use --state-optional to go on without it)");
}

BOOST_AUTO_TEST_CASE(an_unusable_state_file_is_unknown_or_a_note_with_state_optional) {
    auto c = config();
    c.state_file = "/var/tmp/site.state";
    auto m = three_sites();
    m.state_error = "not a regular file";
    BOOST_TEST(
        line_of(c, m, State::unknown) ==
        "state file /var/tmp/site.state: not a regular file (use --state-optional to go on without it)");
    c.state_optional = true;
    BOOST_TEST(line_of(c, m, State::ok) ==
               "catchment ams1; 3/3 sites up, serial 5 everywhere; state file /var/tmp/site.state: not a "
               "regular file (going on without it: --state-optional)");
}

BOOST_AUTO_TEST_CASE(a_corrupt_state_file_set_aside_is_unknown_that_run_or_a_note) {
    auto c = config();
    c.state_file = "/var/tmp/site.state";
    auto m = three_sites();
    m.state_notice =
        "state file /var/tmp/site.state was not valid history (line 3); set aside as "
        "/var/tmp/site.state.corrupt-20261201T190000Z, history starts afresh";
    BOOST_TEST(line_of(c, m, State::unknown) == *m.state_notice);
    c.state_optional = true;
    BOOST_TEST(line_of(c, m, State::ok) ==
               "catchment ams1; 3/3 sites up, serial 5 everywhere; " + *m.state_notice);
    BOOST_TEST(!checks::judge_state_file(config(), m).has_value());  // no --state-file, nothing to say
}

BOOST_AUTO_TEST_SUITE_END()
