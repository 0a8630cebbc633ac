#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <optional>

#include "sites/serial.hpp"

using anycast::sites::compare_serials;
using anycast::sites::serial_lag;
using anycast::sites::SerialOrder;

BOOST_AUTO_TEST_SUITE(serial)

BOOST_AUTO_TEST_CASE(compare_follows_rfc1982) {
    struct Case {
        std::uint32_t a, b;
        SerialOrder expected;
    };
    const Case cases[] = {
        {1, 1, SerialOrder::equal},
        {1, 2, SerialOrder::less},
        {2, 1, SerialOrder::greater},
        {2026112301, 2026112302, SerialOrder::less},
        {4294967295U, 0, SerialOrder::less},  // 0 follows the largest serial
        {0, 4294967295U, SerialOrder::greater},
        {4294967290U, 5, SerialOrder::less},
        {0, 2147483647U, SerialOrder::less},       // 2^31 - 1 ahead: still newer
        {0, 2147483648U, SerialOrder::undefined},  // exactly 2^31 apart
        {2147483648U, 0, SerialOrder::undefined},
        {0, 2147483649U, SerialOrder::greater},  // 2^31 + 1 ahead means behind
        {100, 2147483748U, SerialOrder::undefined},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT("a=" << c.a << " b=" << c.b) {
            BOOST_TEST((compare_serials(c.a, c.b) == c.expected));
        }
    }
}

BOOST_AUTO_TEST_CASE(lag_is_signed_and_wraps) {
    struct Case {
        std::uint32_t reference, serial;
        std::optional<std::int64_t> expected;
    };
    const Case cases[] = {
        {10, 10, 0},
        {10, 7, 3},
        {7, 10, -3},
        {5, 4294967290U, 11},   // behind across the wrap
        {4294967290U, 5, -11},  // ahead across the wrap
        {2026112305, 2026112301, 4},
        {0, 2147483648U, std::nullopt},
        {2147483648U, 0, std::nullopt},
        {2147483647U, 0, 2147483647},
        {0, 2147483647U, -2147483647},
        {0, 1, -1},
        {0, 4294967295U, 1},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT("reference=" << c.reference << " serial=" << c.serial) {
            BOOST_TEST((serial_lag(c.reference, c.serial) == c.expected));
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
