#include <boost/test/unit_test.hpp>

#include <limits>
#include <string>

#include "plugin/number.hpp"

namespace {
constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();
}  // namespace

BOOST_AUTO_TEST_SUITE(number)

BOOST_AUTO_TEST_CASE(number_formatting) {
    using anycast::plugin::format_decimal;
    using anycast::plugin::format_exact;
    struct Case {
        double value;
        std::string_view decimal;
        std::string_view exact;
    };
    const Case cases[] = {
        {0, "0", "0"},
        {-0.0, "0", "0"},
        {1, "1", "1"},
        {0.000231, "0.000231", "0.000231"},
        {0.0000004, "0", "0.0000004"},
        {0.0000006, "0.000001", "0.0000006"},
        {12.3456789, "12.345679", "12.3456789"},
        {1e20, "100000000000000000000", "100000000000000000000"},
        {-2.5, "-2.5", "-2.5"},
        {-0.0000001, "0", "-0.0000001"},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT("value " << c.value) {
            BOOST_TEST(format_decimal(c.value) == c.decimal);
            BOOST_TEST(format_exact(c.value) == c.exact);
        }
    }
    BOOST_TEST(format_decimal(not_a_number) == "nan");
    BOOST_TEST(format_exact(-inf) == "-inf");
    BOOST_TEST(format_decimal(1.23456, 2) == "1.23");
    BOOST_TEST(format_decimal(2.5, 0) == "2");  // round half to even, like printf
    BOOST_TEST(format_decimal(1.5, -3) == "2");
    BOOST_TEST(format_decimal(1e308, 5000).size() == 309U);
    // Never an exponent, even at the extremes.
    BOOST_TEST(format_decimal(1e300).find('e') == std::string::npos);
    BOOST_TEST(format_exact(5e-324).find('e') == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
