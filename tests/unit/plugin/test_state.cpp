#include <boost/test/unit_test.hpp>

#include "plugin/state.hpp"

using anycast::plugin::State;

BOOST_AUTO_TEST_SUITE(state)

BOOST_AUTO_TEST_CASE(worse_orders_critical_warning_unknown_ok) {
    struct Case {
        State a;
        State b;
        State expected;
    };
    const Case cases[] = {
        {State::ok, State::ok, State::ok},
        {State::ok, State::unknown, State::unknown},
        {State::unknown, State::warning, State::warning},
        {State::warning, State::critical, State::critical},
        {State::critical, State::unknown, State::critical},
        {State::unknown, State::ok, State::unknown},
        {State::warning, State::unknown, State::warning},
        {State::critical, State::ok, State::critical},
    };
    for (const auto& c : cases) {
        BOOST_TEST((anycast::plugin::worse(c.a, c.b) == c.expected));
        BOOST_TEST((anycast::plugin::worse(c.b, c.a) == c.expected));
    }
}

BOOST_AUTO_TEST_CASE(names_and_exit_codes) {
    struct Case {
        State state;
        std::string_view name;
        int code;
    };
    const Case cases[] = {
        {State::ok, "OK", 0},
        {State::warning, "WARNING", 1},
        {State::critical, "CRITICAL", 2},
        {State::unknown, "UNKNOWN", 3},
    };
    for (const auto& c : cases) {
        BOOST_TEST(anycast::plugin::state_name(c.state) == c.name);
        BOOST_TEST(anycast::plugin::exit_code(c.state) == c.code);
    }
}

BOOST_AUTO_TEST_CASE(out_of_range_value_is_unknown) {
    const auto bogus = static_cast<State>(42);
    BOOST_TEST(anycast::plugin::exit_code(bogus) == 3);
    BOOST_TEST(anycast::plugin::state_name(bogus) == "UNKNOWN");
}

BOOST_AUTO_TEST_SUITE_END()
