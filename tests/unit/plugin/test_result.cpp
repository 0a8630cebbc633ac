#include <boost/test/unit_test.hpp>

#include "plugin/result.hpp"

using anycast::plugin::CheckResult;
using anycast::plugin::FactValue;
using anycast::plugin::State;
using anycast::plugin::Subcheck;

namespace {

Subcheck node(State state, std::vector<Subcheck> children = {}) {
    Subcheck s;
    s.name = "n";
    s.state = state;
    s.children = std::move(children);
    return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(result)

BOOST_AUTO_TEST_CASE(effective_state_is_worst_of_tree) {
    BOOST_TEST((node(State::ok).effective_state() == State::ok));
    BOOST_TEST((node(State::ok, {node(State::warning)}).effective_state() == State::warning));
    BOOST_TEST((node(State::unknown, {node(State::ok)}).effective_state() == State::unknown));
    BOOST_TEST((node(State::unknown, {node(State::warning)}).effective_state() == State::warning));
    BOOST_TEST(
        (node(State::ok, {node(State::ok, {node(State::critical)})}).effective_state() == State::critical));
}

BOOST_AUTO_TEST_CASE(override_replaces_aggregate) {
    // "2 of 5 failed" may be only WARNING.
    Subcheck group = node(State::ok, {node(State::critical), node(State::critical), node(State::ok)});
    BOOST_TEST((group.effective_state() == State::critical));
    group.state_override = State::warning;
    BOOST_TEST((group.effective_state() == State::warning));
    // An override can also raise.
    Subcheck raised = node(State::ok);
    raised.state_override = State::critical;
    BOOST_TEST((raised.effective_state() == State::critical));

    CheckResult result;
    result.subchecks.push_back(group);
    BOOST_TEST((result.state() == State::warning));
    result.subchecks.push_back(node(State::unknown));
    BOOST_TEST((result.state() == State::warning));
    result.state_override = State::ok;
    BOOST_TEST((result.state() == State::ok));
}

BOOST_AUTO_TEST_CASE(empty_result_is_unknown_not_ok) {
    CheckResult result;
    BOOST_TEST((result.state() == State::unknown));
    result.subchecks.push_back(node(State::ok));
    BOOST_TEST((result.state() == State::ok));
}

BOOST_AUTO_TEST_CASE(facts_keep_order_and_replace) {
    Subcheck s;
    s.set_fact("address", std::string("192.0.2.1"));
    s.set_fact("rtt_ms", 1.5);
    s.set_fact("answers", std::int64_t{3});
    s.set_fact("tcp", false);
    s.set_fact("rtt_ms", 2.5);
    BOOST_TEST_REQUIRE(s.facts.size() == 4U);
    BOOST_TEST(s.facts[0].first == "address");
    BOOST_TEST(s.facts[1].first == "rtt_ms");
    BOOST_TEST(std::get<double>(s.facts[1].second) == 2.5);
    BOOST_TEST(s.facts[3].first == "tcp");
    const FactValue* answers = s.find_fact("answers");
    BOOST_TEST_REQUIRE(answers != nullptr);
    BOOST_TEST(std::get<std::int64_t>(*answers) == 3);
    BOOST_TEST(s.find_fact("missing") == nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
