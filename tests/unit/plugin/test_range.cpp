#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "plugin/error.hpp"
#include "plugin/range.hpp"

using anycast::InputError;
using anycast::plugin::parse_range;
using anycast::plugin::Range;
using anycast::plugin::State;
using anycast::plugin::UnitFamily;

namespace {
constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();
}  // namespace

BOOST_AUTO_TEST_SUITE(range)

BOOST_AUTO_TEST_CASE(parses_every_form) {
    struct Case {
        std::string_view text;
        UnitFamily family;
        double start;
        double end;
        bool start_infinite;
        bool end_infinite;
        bool inside;
        std::string_view canonical;
    };
    const Case cases[] = {
        {"10", UnitFamily::plain, 0, 10, false, false, false, "10"},
        {"10:", UnitFamily::plain, 10, 0, false, true, false, "10:"},
        {"~:10", UnitFamily::plain, 0, 10, true, false, false, "~:10"},
        {"10:20", UnitFamily::plain, 10, 20, false, false, false, "10:20"},
        {"@10:20", UnitFamily::plain, 10, 20, false, false, true, "@10:20"},
        {"@10", UnitFamily::plain, 0, 10, false, false, true, "@10"},
        {"@~:5", UnitFamily::plain, 0, 5, true, false, true, "@~:5"},
        {"@5:", UnitFamily::plain, 5, 0, false, true, true, "@5:"},
        {"~:", UnitFamily::plain, 0, 0, true, true, false, "~:"},
        {":10", UnitFamily::plain, 0, 10, false, false, false, "10"},
        {"0:0", UnitFamily::plain, 0, 0, false, false, false, "0"},
        {"-10:-5", UnitFamily::plain, -10, -5, false, false, false, "-10:-5"},
        {"+3", UnitFamily::plain, 0, 3, false, false, false, "3"},
        {"1.5:2.25", UnitFamily::plain, 1.5, 2.25, false, false, false, "1.5:2.25"},
        {".5", UnitFamily::plain, 0, 0.5, false, false, false, "0.5"},
        {"  7  ", UnitFamily::plain, 0, 7, false, false, false, "7"},
        // durations are stored in seconds
        {"0.05", UnitFamily::duration, 0, 0.05, false, false, false, "0.05"},
        {"50ms", UnitFamily::duration, 0, 0.05, false, false, false, "0.05"},
        {"~:200ms", UnitFamily::duration, 0, 0.2, true, false, false, "~:0.2"},
        {"@10ms:20ms", UnitFamily::duration, 0.01, 0.02, false, false, true, "@0.01:0.02"},
        {"2s", UnitFamily::duration, 0, 2, false, false, false, "2"},
        {"250us", UnitFamily::duration, 0, 0.00025, false, false, false, "0.00025"},
        {"1.1ms", UnitFamily::duration, 0, 0.0011, false, false, false, "0.0011"},
        {"1ms:", UnitFamily::duration, 0.001, 0, false, true, false, "0.001:"},
        {"5%", UnitFamily::percent, 0, 5, false, false, false, "5"},
        {"5:50%", UnitFamily::percent, 5, 50, false, false, false, "5:50"},
        {"800", UnitFamily::distance_km, 0, 800, false, false, false, "800"},
        {"~:800km", UnitFamily::distance_km, 0, 800, true, false, false, "~:800"},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT("range '" << c.text << "'") {
            const Range r = parse_range(c.text, c.family);
            BOOST_TEST(r.start_infinite == c.start_infinite);
            BOOST_TEST(r.end_infinite == c.end_infinite);
            BOOST_TEST(r.alert_inside == c.inside);
            if (!c.start_infinite) {
                BOOST_TEST(r.start == c.start);
            }
            if (!c.end_infinite) {
                BOOST_TEST(r.end == c.end);
            }
            BOOST_TEST(r.perfdata_text() == c.canonical);
            // The canonical text reads back as the same range.
            const Range again = parse_range(r.perfdata_text(), UnitFamily::plain);
            BOOST_TEST(again.perfdata_text() == c.canonical);
        }
    }
}

BOOST_AUTO_TEST_CASE(rejects_bad_input_naming_it) {
    struct Case {
        std::string_view text;
        UnitFamily family;
    };
    const Case cases[] = {
        {"", UnitFamily::plain},         {"   ", UnitFamily::plain},
        {"@", UnitFamily::plain},        {"20:10", UnitFamily::plain},
        {"@20:10", UnitFamily::plain},   {"-5", UnitFamily::plain},
        {"abc", UnitFamily::plain},      {"10x", UnitFamily::plain},
        {"1:2:3", UnitFamily::plain},    {"nan", UnitFamily::plain},
        {"inf", UnitFamily::plain},      {"~:inf", UnitFamily::plain},
        {"1e3", UnitFamily::plain},      {"0x10", UnitFamily::plain},
        {"~", UnitFamily::plain},        {"~10", UnitFamily::plain},
        {"10:~", UnitFamily::plain},     {"1 0", UnitFamily::plain},
        {".", UnitFamily::plain},        {"-", UnitFamily::plain},
        {"++1", UnitFamily::plain},      {"10ms", UnitFamily::plain},
        {"10%", UnitFamily::plain},      {"10m", UnitFamily::duration},
        {"10 ms", UnitFamily::duration}, {"10:5ms", UnitFamily::duration},
        {"10km", UnitFamily::duration},  {"5%%", UnitFamily::percent},
        {"5s", UnitFamily::percent},     {"5mi", UnitFamily::distance_km},
        {"@@1", UnitFamily::plain},      {std::string_view("1\0", 2), UnitFamily::plain},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT("range '" << c.text << "'") {
            BOOST_CHECK_THROW(parse_range(c.text, c.family), InputError);
        }
    }
}

BOOST_AUTO_TEST_CASE(error_messages) {
    struct Case {
        std::string_view text;
        UnitFamily family;
        std::string_view message;
    };
    const Case cases[] = {
        {"", UnitFamily::plain, "'' is not a valid range: it is empty"},
        {"20:10", UnitFamily::plain, "'20:10' is not a valid range: start is greater than end"},
        {"10x", UnitFamily::plain, "'10x' is not a valid range: expected a number"},
        {"@10x", UnitFamily::plain, "'@10x' is not a valid range: expected a number"},
        {"1:2:3", UnitFamily::plain, "'1:2:3' is not a valid range: more than one ':'"},
        {"5:1h", UnitFamily::duration,
         "'5:1h' is not a valid range: '1h' is not a duration such as 10, 2.5s, 500ms or 250us"},
        {"/root:20ms", UnitFamily::duration,
         "'/root:20ms' is not a valid range: '/root' is not a duration such as 10, 2.5s, 500ms or 250us "
         "(quote "
         "ranges that start with ~: the shell turns ~ into a home directory)"},
        {"5mi", UnitFamily::distance_km,
         "'5mi' is not a valid range: expected a distance such as 800 or 800km"},
        {"5s", UnitFamily::percent, "'5s' is not a valid range: expected a percentage such as 5 or 5%"},
    };
    for (const auto& c : cases) {
        try {
            parse_range(c.text, c.family);
            BOOST_ERROR("no exception for " << c.text);
        } catch (const InputError& error) {
            BOOST_TEST(error.what() == c.message);
        }
    }
}

BOOST_AUTO_TEST_CASE(error_message_names_the_text) {
    try {
        parse_range("20:10", UnitFamily::plain);
        BOOST_FAIL("no exception");
    } catch (const InputError& error) {
        BOOST_TEST(std::string(error.what()).find("'20:10'") != std::string::npos);
    }
    try {
        parse_range("1|2\n", UnitFamily::plain);
        BOOST_FAIL("no exception");
    } catch (const InputError& error) {
        const std::string message = error.what();
        BOOST_TEST(message.find('|') == std::string::npos);
        BOOST_TEST(message.find('\n') == std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(alerts_follows_nagios_semantics) {
    struct Case {
        std::string_view range;
        double value;
        bool alerts;
    };
    const Case cases[] = {
        // 10: alert if < 0 or > 10 (inclusive ok region)
        {"10", -0.001, true},
        {"10", 0, false},
        {"10", 5, false},
        {"10", 10, false},
        {"10", 10.001, true},
        {"10", inf, true},
        {"10", -inf, true},
        // 10: alert if < 10
        {"10:", 9.999, true},
        {"10:", 10, false},
        {"10:", 1e300, false},
        {"10:", inf, false},
        // ~:10 alert if > 10
        {"~:10", -inf, false},
        {"~:10", -1e300, false},
        {"~:10", 10, false},
        {"~:10", 10.5, true},
        // 10:20 alert outside
        {"10:20", 9, true},
        {"10:20", 10, false},
        {"10:20", 20, false},
        {"10:20", 21, true},
        // @10:20 alert inside, inclusive
        {"@10:20", 9.99, false},
        {"@10:20", 10, true},
        {"@10:20", 15, true},
        {"@10:20", 20, true},
        {"@10:20", 20.01, false},
        {"@~:5", -inf, true},
        {"@~:5", 6, false},
        {"@5:", inf, true},
        {"@5:", 4, false},
        // ~: never alerts, @~: always does
        {"~:", -inf, false},
        {"~:", inf, false},
        {"@~:", 0, true},
        // a value we could not measure always alerts
        {"10", not_a_number, true},
        {"@10:20", not_a_number, true},
        {"~:", not_a_number, true},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT("range '" << c.range << "' value " << c.value) {
            BOOST_TEST(parse_range(c.range, UnitFamily::plain).alerts(c.value) == c.alerts);
        }
    }
}

BOOST_AUTO_TEST_CASE(duration_units_compare_in_seconds) {
    const Range r = parse_range("~:200ms", UnitFamily::duration);
    BOOST_TEST(!r.alerts(0.2));
    BOOST_TEST(r.alerts(0.2001));
    const Range us = parse_range("500us", UnitFamily::duration);
    BOOST_TEST(!us.alerts(0.0005));
    BOOST_TEST(us.alerts(0.000501));
}

BOOST_AUTO_TEST_CASE(thresholds_check_critical_first) {
    anycast::plugin::Thresholds t;
    BOOST_TEST((t.evaluate(1e9) == State::ok));
    t.warning = parse_range("~:100", UnitFamily::plain);
    t.critical = parse_range("~:200", UnitFamily::plain);
    BOOST_TEST((t.evaluate(50) == State::ok));
    BOOST_TEST((t.evaluate(100) == State::ok));
    BOOST_TEST((t.evaluate(150) == State::warning));
    BOOST_TEST((t.evaluate(200) == State::warning));
    BOOST_TEST((t.evaluate(250) == State::critical));
    BOOST_TEST((t.evaluate(not_a_number) == State::critical));
    // Overlapping: critical wins even when warning alerts too.
    t.warning = parse_range("@0:1000", UnitFamily::plain);
    t.critical = parse_range("@0:10", UnitFamily::plain);
    BOOST_TEST((t.evaluate(5) == State::critical));
    BOOST_TEST((t.evaluate(500) == State::warning));
    t.critical.reset();
    BOOST_TEST((t.evaluate(5) == State::warning));
}

BOOST_AUTO_TEST_CASE(durations) {
    struct Case {
        std::string_view text;
        double seconds;
    };
    const Case cases[] = {{"10", 10},         {"2.5s", 2.5}, {"500ms", 0.5},
                          {"250us", 0.00025}, {"0", 0},      {" 3s ", 3}};
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT("duration '" << c.text << "'") {
            BOOST_TEST(anycast::plugin::parse_duration_seconds(c.text) == c.seconds);
        }
    }
    for (const std::string_view bad : {"", "-1", "ten", "10m", "1e3", "inf", "nan", "1:2", "5 s", "10ms5"}) {
        BOOST_TEST_CONTEXT("duration '" << bad << "'") {
            BOOST_CHECK_THROW(anycast::plugin::parse_duration_seconds(bad), InputError);
        }
    }
}

BOOST_AUTO_TEST_CASE(parse_value_by_family) {
    BOOST_TEST(anycast::plugin::parse_value("12.5%", UnitFamily::percent) == 12.5);
    BOOST_TEST(anycast::plugin::parse_value("40km", UnitFamily::distance_km) == 40);
    BOOST_TEST(anycast::plugin::parse_value("-3", UnitFamily::plain) == -3);
    BOOST_CHECK_THROW(anycast::plugin::parse_value("3km", UnitFamily::plain), InputError);
}

BOOST_AUTO_TEST_SUITE_END()
