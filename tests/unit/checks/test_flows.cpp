// Per-flow splits (lib/checks/flows): shares, signature and the judgement, from hand-made samples.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "checks/flows.hpp"
#include "plugin/range.hpp"

using anycast::plugin::State;
namespace checks = anycast::checks;

namespace {

std::vector<checks::FlowSample> flows(std::initializer_list<const char*> sites) {
    std::vector<checks::FlowSample> samples;
    for (const char* site : sites) {
        if (site == nullptr) {
            samples.push_back({false, std::nullopt});  // unanswered
        } else if (std::string(site).empty()) {
            samples.push_back({true, std::nullopt});  // answered, no NSID
        } else {
            samples.push_back({true, std::string(site)});
        }
    }
    return samples;
}

anycast::plugin::Thresholds split_thresholds(const char* warning, const char* critical) {
    anycast::plugin::Thresholds thresholds;
    if (warning != nullptr) {
        thresholds.warning = anycast::plugin::parse_range(warning, anycast::plugin::UnitFamily::plain);
    }
    if (critical != nullptr) {
        thresholds.critical = anycast::plugin::parse_range(critical, anycast::plugin::UnitFamily::plain);
    }
    return thresholds;
}

}  // namespace

BOOST_AUTO_TEST_CASE(shares_are_counted_over_the_flows_whose_site_is_known) {
    const auto samples = flows({"fra1", "ams1", "ams1", "fra1", "ams1", nullptr, ""});
    const checks::FlowSplit split = checks::summarize_flows(samples);
    BOOST_TEST(split.sent == 7U);
    BOOST_TEST(split.answered == 6U);
    BOOST_TEST(split.identified == 5U);
    BOOST_TEST_REQUIRE(split.shares.size() == 2U);
    BOOST_TEST(split.shares[0].site == "ams1");  // most flows first
    BOOST_TEST(split.shares[0].percent == 60.0);
    BOOST_TEST(split.shares[1].site == "fra1");
    BOOST_TEST(split.shares[1].percent == 40.0);
    BOOST_TEST(split.is_split());
    BOOST_TEST(split.off_main_percent() == 40.0);
}

BOOST_AUTO_TEST_CASE(the_signature_is_the_set_of_sites_whatever_the_shares) {
    // Two runs of one stable ECMP split: different shares, different order, the same signature, so the
    // state file sees no site change.
    const auto first = checks::summarize_flows(flows({"iad1", "ams1", "ams1", "ams1"}));
    const auto second = checks::summarize_flows(flows({"iad1", "iad1", "iad1", "ams1"}));
    BOOST_TEST(first.signature() == "ams1+iad1");
    BOOST_TEST(second.signature() == "ams1+iad1");
    BOOST_TEST(checks::summarize_flows(flows({"ams1", "ams1"})).signature() == "ams1");
    BOOST_TEST(checks::summarize_flows(flows({nullptr, ""})).signature().empty());
}

BOOST_AUTO_TEST_CASE(ties_are_ordered_by_site_code) {
    const auto split = checks::summarize_flows(flows({"sin1", "ams1", "sin1", "ams1"}));
    BOOST_TEST_REQUIRE(split.shares.size() == 2U);
    BOOST_TEST(split.shares[0].site == "ams1");
    BOOST_TEST(split.off_main_percent() == 50.0);
}

BOOST_AUTO_TEST_CASE(a_split_is_named_as_load_balancing_and_judged_by_its_own_thresholds) {
    struct Case {
        const char* warning;
        const char* critical;
        State expected;
    };
    const Case cases[] = {{nullptr, nullptr, State::ok},  // a split alone is reported, not alarmed
                          {"50", nullptr, State::ok},     // 40% off the main site is inside 0..50
                          {"30", nullptr, State::warning},
                          {"30", "35", State::critical},
                          {"@0:10", nullptr, State::ok}};
    const auto split = checks::summarize_flows(flows({"ams1", "fra1", "ams1", "fra1", "ams1"}));
    for (const Case& c : cases) {
        BOOST_TEST_CONTEXT((c.warning ? c.warning : "-") << " / " << (c.critical ? c.critical : "-")) {
            const auto check = checks::judge_flow_split("flows 192.0.2.53", "192.0.2.53", split,
                                                        split_thresholds(c.warning, c.critical));
            BOOST_TEST((check.state == c.expected));
            BOOST_TEST(check.summary.find("split across ams1 60% / fra1 40%: per-flow load balancing, not a "
                                          "route change") != std::string::npos);
            BOOST_TEST((check.summary.rfind("40% of flows off ams1", 0) == 0) == (c.expected != State::ok));
        }
    }
}

BOOST_AUTO_TEST_CASE(one_site_is_ok_whatever_the_thresholds) {
    const auto split = checks::summarize_flows(flows({"ams1", "ams1", nullptr}));
    const auto check = checks::judge_flow_split("flows a", "a", split, split_thresholds("0", "0"));
    BOOST_TEST((check.state == State::ok));
    BOOST_TEST(check.summary == "all 2 flows to ams1 (1 of 3 flows unanswered)");
    const auto* split_fact = check.find_fact("split");
    BOOST_TEST_REQUIRE(split_fact != nullptr);
    BOOST_TEST(std::get<bool>(*split_fact) == false);
}

BOOST_AUTO_TEST_CASE(flows_that_cannot_be_told_never_say_ok) {
    const auto silent =
        checks::judge_flow_split("flows a", "a", checks::summarize_flows(flows({nullptr, nullptr})),
                                 split_thresholds(nullptr, nullptr));
    BOOST_TEST((silent.state == State::critical));
    BOOST_TEST(silent.summary == "none of 2 flows answered");
    const auto anonymous = checks::judge_flow_split("flows a", "a", checks::summarize_flows(flows({"", ""})),
                                                    split_thresholds(nullptr, nullptr));
    BOOST_TEST((anonymous.state == State::unknown));
    BOOST_TEST(anonymous.summary.find("NSID") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(perfdata_gives_each_site_its_share) {
    const auto split = checks::summarize_flows(flows({"ams1", "fra1", "ams1", "ams1"}));
    const auto check =
        checks::judge_flow_split("flows 192.0.2.53", "192.0.2.53", split, split_thresholds("20", nullptr));
    BOOST_TEST_REQUIRE(check.perfdata.size() == 3U);
    BOOST_TEST(check.perfdata[0].label == "192.0.2.53_flows_ams1");
    BOOST_TEST(check.perfdata[0].value == 75.0);
    BOOST_TEST(check.perfdata[1].label == "192.0.2.53_flows_fra1");
    BOOST_TEST(check.perfdata[2].label == "192.0.2.53_flows_off_main");
    BOOST_TEST(check.perfdata[2].value == 25.0);
    BOOST_TEST((check.state == State::warning));
}
