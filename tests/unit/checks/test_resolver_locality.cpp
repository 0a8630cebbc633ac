// check_resolver_locality's judgement from hand-made readings: placed, far, unplaced, below the
// floor, unexpected, silent.
#include <boost/test/unit_test.hpp>

#include "checks/resolver_locality.hpp"
#include "readings.hpp"

using anycast::plugin::State;
namespace checks = anycast::checks;
namespace t = anycast::checks::testing;

namespace {

checks::ResolverLocalityConfig config(const char* location = "AMS") {
    checks::ResolverLocalityConfig c;
    c.distance.warning = anycast::plugin::parse_range("1000", anycast::plugin::UnitFamily::distance_km);
    c.distance.critical = anycast::plugin::parse_range("3000", anycast::plugin::UnitFamily::distance_km);
    if (location != nullptr) {
        c.vantage.location = anycast::sites::parse_location(location);
        c.vantage.location_text = location;
    }
    return c;
}

checks::ResolverMeasurements one(checks::Instance instance, double rtt_ms = 20) {
    checks::ResolverMeasurements m;
    m.resolvers.push_back(
        {t::probe("192.0.2.53", 53, {rtt_ms + 5, rtt_ms}, t::soa_response(1, instance.identity.value_or(""))),
         std::move(instance)});
    return m;
}

std::string line_of(const checks::ResolverLocalityConfig& c, const checks::ResolverMeasurements& m,
                    State expected) {
    const auto result = checks::report_resolver_locality(c, m, 2);
    BOOST_TEST((result.state() == expected));
    return t::first_line(result);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(resolver_locality_judgements)

BOOST_AUTO_TEST_CASE(a_near_resolver_is_ok_with_its_place) {
    BOOST_TEST(
        line_of(config(), one(t::instance("fra-res1", "fra", "FRA")), State::ok) ==
        "192.0.2.53 answered from fra (FRA, 366 km from AMS): rtt 20 ms, floor 3.7 ms, inflation 5.47");
}

BOOST_AUTO_TEST_CASE(a_far_resolver_is_critical_naming_where_and_how_far) {
    BOOST_TEST(line_of(config(), one(t::instance("iad-res1", "iad", "IAD"), 90), State::critical) ==
               "192.0.2.53: resolver iad (IAD) is 6,207 km from AMS");
}

BOOST_AUTO_TEST_CASE(an_unplaced_resolver_is_not_ok_and_says_what_to_add) {
    std::string line =
        line_of(config(), one(t::instance("res860.qfra3.rrdns.pch.net", "qfra3")), State::unknown);
    BOOST_TEST(line ==
               "192.0.2.53: resolver not placed: site qfra3 has no location: add loc= for it in a "
               "sites file");
    line = line_of(config(), one(t::instance("m17.ams")), State::unknown);
    BOOST_TEST(line.find("add a rule (--site-regex) or identity= and loc= in a sites file") !=
               std::string::npos);
    auto c = config();
    c.unplaced_state = State::warning;
    line_of(c, one(t::instance(std::nullopt)), State::warning);
    // Without --location nothing was asked about places: the RTT alone is judged.
    line_of(config(nullptr), one(t::instance("m17.ams")), State::ok);
}

BOOST_AUTO_TEST_CASE(an_rtt_below_the_floor_is_a_warning) {
    auto c = config("SYD");
    c.distance.warning.reset();
    c.distance.critical.reset();
    const std::string line = line_of(c, one(t::instance("fra-res1", "fra", "FRA"), 20), State::warning);
    BOOST_TEST(line.find("192.0.2.53: rtt 20 ms is below the physical floor") == 0U);
}

BOOST_AUTO_TEST_CASE(expect_site_by_site_or_location) {
    auto c = config();
    c.expect_site = checks::parse_site_pattern("fra");
    line_of(c, one(t::instance("fra-res1", "fra1", "FRA")), State::ok);
    c.expect_site = checks::parse_site_pattern("ams1, fra2");
    BOOST_TEST(line_of(c, one(t::instance("fra-res1", "fra1", "FRA")), State::critical) ==
               "192.0.2.53: site fra1 is not expected (ams1, fra2)");
}

BOOST_AUTO_TEST_CASE(a_silent_resolver_is_critical) {
    checks::ResolverMeasurements m;
    m.resolvers.push_back({t::silent("192.0.2.53", 53), {}});
    BOOST_TEST(line_of(config(), m, State::critical) == "192.0.2.53: no answer within 2 s");
}

BOOST_AUTO_TEST_CASE(loss_of_some_queries_still_judges_the_fastest) {
    checks::ResolverMeasurements m;
    m.resolvers.push_back({t::probe("192.0.2.53", 53, {std::nullopt, 4.0}, t::soa_response(1, "fra-res1")),
                           t::instance("fra-res1", "fra", "FRA")});
    line_of(config(), m, State::ok);
}

BOOST_AUTO_TEST_CASE(distance_between_the_thresholds_is_a_warning_naming_where) {
    // AMS to MAD is some 1,460 km: past -w 1000 km, within -c 3000 km.
    BOOST_TEST(line_of(config(), one(t::instance("mad-res1", "mad", "MAD"), 40), State::warning) ==
               "192.0.2.53: resolver mad (MAD) is 1,461 km from AMS");
}

namespace {

// A threshold table: each RTT to the FRA resolver, the state it gives and the first line.
struct ThresholdCase {
    double rtt_ms;
    State state;
    std::string line;
};

void judge_fra_cases(const checks::ResolverLocalityConfig& c, const std::vector<ThresholdCase>& cases) {
    for (const ThresholdCase& k : cases) {
        BOOST_TEST_CONTEXT(k.rtt_ms << " ms") {
            const std::string line =
                line_of(c, one(t::instance("fra-res1", "fra", "FRA"), k.rtt_ms), k.state);
            if (k.state != State::ok) {
                BOOST_TEST(line == k.line);
            }
        }
    }
}

}  // namespace

BOOST_AUTO_TEST_CASE(inflation_thresholds) {
    auto c = config();
    c.inflation.warning = anycast::plugin::parse_range("4", anycast::plugin::UnitFamily::plain);
    c.inflation.critical = anycast::plugin::parse_range("10", anycast::plugin::UnitFamily::plain);
    // FRA from AMS: a floor of 3.7 ms.
    judge_fra_cases(c, {
                           {10, State::ok, ""},
                           {20, State::warning, "192.0.2.53: inflation 5.47"},
                           {40, State::critical, "192.0.2.53: inflation 10.93"},
                       });
}

BOOST_AUTO_TEST_CASE(rtt_thresholds) {
    auto c = config();
    c.rtt.warning = anycast::plugin::parse_range("10ms", anycast::plugin::UnitFamily::duration);
    c.rtt.critical = anycast::plugin::parse_range("50ms", anycast::plugin::UnitFamily::duration);
    judge_fra_cases(c, {
                           {5, State::ok, ""},
                           {20, State::warning, "192.0.2.53: rtt 20 ms"},
                           {60, State::critical, "192.0.2.53: rtt 60 ms"},
                       });
}

BOOST_AUTO_TEST_CASE(a_failed_direct_comparison_is_said_in_the_first_line) {
    auto m = one(t::instance("fra-res1", "fra", "FRA"));
    // The comparison is information, not a judgement: no state of its own, but the first line says
    // that it failed and why.
    m.direct = t::silent("198.51.100.53", 53);
    BOOST_TEST(
        line_of(config(), m, State::ok) ==
        "192.0.2.53 answered from fra (FRA, 366 km from AMS): rtt 20 ms, floor 3.7 ms, inflation 5.47, "
        "direct comparison failed: no answer within 2 s");
    m.direct = t::probe("198.51.100.53", 53, {12.0}, t::soa_response(1));
    BOOST_TEST(
        line_of(config(), m, State::ok) ==
        "192.0.2.53 answered from fra (FRA, 366 km from AMS): rtt 20 ms, floor 3.7 ms, inflation 5.47, "
        "resolver hop costs 8 ms over asking 198.51.100.53 directly");
}

BOOST_AUTO_TEST_SUITE_END()
