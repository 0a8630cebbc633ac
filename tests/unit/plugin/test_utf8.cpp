#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string_view>

#include "plugin/utf8.hpp"

using anycast::plugin::decode_utf8;

BOOST_AUTO_TEST_SUITE(utf8)

BOOST_AUTO_TEST_CASE(decodes_strictly) {
    struct Case {
        std::string_view bytes;
        bool valid;
        std::uint32_t code_point;
        std::size_t length;
    };
    const Case cases[] = {
        {"A", true, 0x41, 1},
        {std::string_view("\0", 1), true, 0, 1},
        {"\x7f", true, 0x7F, 1},
        {"\xc2\x80", true, 0x80, 2},
        {"\xdf\xbf", true, 0x7FF, 2},
        {"\xe0\xa0\x80", true, 0x800, 3},
        {"\xed\x9f\xbf", true, 0xD7FF, 3},
        {"\xee\x80\x80", true, 0xE000, 3},
        {"\xef\xbf\xbf", true, 0xFFFF, 3},
        {"\xf0\x90\x80\x80", true, 0x10000, 4},
        {"\xf4\x8f\xbf\xbf", true, 0x10FFFF, 4},
        {"\x80", false, 0, 1},              // lone continuation
        {"\xc0\x80", false, 0, 1},          // overlong NUL
        {"\xc1\xbf", false, 0, 1},          // overlong
        {"\xe0\x9f\xbf", false, 0, 1},      // overlong three-byte
        {"\xed\xa0\x80", false, 0, 1},      // surrogate
        {"\xf0\x8f\xbf\xbf", false, 0, 1},  // overlong four-byte
        {"\xf4\x90\x80\x80", false, 0, 1},  // above U+10FFFF
        {"\xf5\x80\x80\x80", false, 0, 1},
        {"\xff", false, 0, 1},
        {"\xc3", false, 0, 1},      // truncated
        {"\xe2\x82", false, 0, 1},  // truncated
        {"\xc3(", false, 0, 1},     // bad continuation
    };
    for (const auto& c : cases) {
        const auto decoded = decode_utf8(c.bytes, 0);
        BOOST_TEST(decoded.valid == c.valid);
        BOOST_TEST(decoded.length == c.length);
        if (c.valid) {
            BOOST_TEST(static_cast<std::uint32_t>(decoded.code_point) == c.code_point);
        }
    }
    // Decoding from an offset.
    const auto second = decode_utf8("a\xc3\xa9", 1);
    BOOST_TEST(second.valid);
    BOOST_TEST(static_cast<std::uint32_t>(second.code_point) == 0xE9U);
}

BOOST_AUTO_TEST_CASE(invisible_controls) {
    for (const char32_t c : {U'\u0080', U'\u009f', U'\u2028', U'\u2029', U'\u202e', U'\u2066', U'\ufeff'}) {
        BOOST_TEST(anycast::plugin::is_invisible_control(c));
    }
    for (const char32_t c : {U'a', U'\u00a0', U'\u00e9', U'\u2027', U'\u202f', U'\U0001f600'}) {
        BOOST_TEST(!anycast::plugin::is_invisible_control(c));
    }
}

BOOST_AUTO_TEST_SUITE_END()
