#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>

#include "plugin/escape.hpp"
#include "plugin/utf8.hpp"

using anycast::plugin::escape_untrusted;
using anycast::plugin::guard_output_text;
using anycast::plugin::perfdata_label;

namespace {

using namespace std::string_literals;

// The properties every escaped string must have, whatever came in (one assertion per string, not per byte).
bool is_safe(const std::string& text) {
    for (std::size_t pos = 0; pos < text.size();) {
        const auto decoded = anycast::plugin::decode_utf8(text, pos);
        const auto code_point = static_cast<std::uint32_t>(decoded.code_point);
        if (!decoded.valid || code_point < 0x20U || code_point == 0x7FU || code_point == '|' ||
            anycast::plugin::is_invisible_control(decoded.code_point)) {
            return false;
        }
        pos += decoded.length;
    }
    return true;
}

void check_safe(const std::string& text) {
    BOOST_TEST(is_safe(text), "unsafe output: " << anycast::plugin::escape_untrusted(text, 80));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(escape)

BOOST_AUTO_TEST_CASE(escapes_hostile_bytes) {
    struct Case {
        std::string raw;
        std::string expected;
    };
    const Case cases[] = {
        {"ams1.example.net", "ams1.example.net"},
        {"", ""},
        {"a|b", "a\\x7cb"},
        {"back\\slash", "back\\\\slash"},
        {"line\nbreak\r\tx", "line\\nbreak\\r\\tx"},
        {"nul\0byte"s, "nul\\x00byte"},
        {"\x1b[31mred", "\\x1b[31mred"},
        {"del\x7f", "del\\x7f"},
        {"caf\xc3\xa9 \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x98\x80",
         "caf\xc3\xa9 \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x98\x80"},
        {"bad\xff\xfe", "bad\\xff\\xfe"},
        {"\xc3", "\\xc3"},                             // truncated sequence
        {"\xe6\x9d", "\\xe6\\x9d"},                    // truncated three-byte sequence
        {"\x80x", "\\x80x"},                           // stray continuation byte
        {"\xc0\xaf", "\\xc0\\xaf"},                    // overlong '/'
        {"\xe0\x80\xaf", "\\xe0\\x80\\xaf"},           // overlong '/', three bytes
        {"\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf"},  // overlong '/', four bytes
        {"\xed\xa0\x80", "\\xed\\xa0\\x80"},           // UTF-16 surrogate
        {"\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"},  // above U+10FFFF
        {"\xc2\x85next", "\\u0085next"},               // C1 NEL
        {"\xc2\x9b"
         "31m",
         "\\u009b31m"},  // C1 CSI
        {"a\xe2\x80\xa8"
         "b\xe2\x80\xa9",
         "a\\u2028b\\u2029"},
        {"\xe2\x80\xae"
         "evil",
         "\\u202eevil"},  // bidi override
        {"\xef\xbb\xbf"
         "bom",
         "\\ufeffbom"},
        {"\xc2\xa0"
         "nbsp",
         "\xc2\xa0"
         "nbsp"},  // U+00A0 is printable
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT("raw '" << escape_untrusted(c.raw) << "'") {
            const std::string escaped = escape_untrusted(c.raw);
            BOOST_TEST(escaped == c.expected);
            check_safe(escaped);
        }
    }
}

BOOST_AUTO_TEST_CASE(truncates_at_boundaries) {
    // Plain ASCII: cut exactly at the limit.
    BOOST_TEST(escape_untrusted("abcdefgh", 5) == "abcde...");
    BOOST_TEST(escape_untrusted("abcde", 5) == "abcde");
    // Never in the middle of an escape: "ab\n" needs 4 bytes, only 3 fit.
    BOOST_TEST(escape_untrusted("ab\ncd", 3) == "ab...");
    // Never in the middle of a UTF-8 character: "é" is 2 bytes, only 1 fits.
    BOOST_TEST(escape_untrusted("a\xc3\xa9", 2) == "a...");
    BOOST_TEST(escape_untrusted("xyz", 0) == "...");
}

BOOST_AUTO_TEST_CASE(every_single_byte_is_safe) {
    for (int byte = 0; byte < 256; ++byte) {
        const std::string raw(1, static_cast<char>(byte));
        check_safe(escape_untrusted(raw));
        check_safe(escape_untrusted("x" + raw + "\xa9"));
        check_safe(guard_output_text(raw));
    }
}

BOOST_AUTO_TEST_CASE(huge_hostile_input_is_bounded) {
    std::string raw;
    for (int i = 0; i < 70 * 1024; ++i) {
        raw += static_cast<char>((i * 37) % 256);
    }
    for (const std::size_t limit :
         {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{256}, std::size_t{4096}}) {
        const std::string escaped = escape_untrusted(raw, limit);
        BOOST_TEST(escaped.size() <= limit + 3);
        BOOST_TEST(escaped.size() >= 3U);
        BOOST_TEST(escaped.substr(escaped.size() - 3) == "...");
        check_safe(escaped);
    }
    const std::string all = escape_untrusted(raw, raw.size() * 4);
    BOOST_TEST(all.find("...") == std::string::npos);
    check_safe(all);
}

BOOST_AUTO_TEST_CASE(perfdata_labels) {
    struct Case {
        std::string raw;
        std::string expected;
    };
    const Case cases[] = {
        {"127.0.0.1_rtt", "127.0.0.1_rtt"},
        {"2001:db8::53", "2001_db8__53"},
        {"", "_"},
        {"a b'c=d|e;f", "a_b_c_d_e_f"},
        {"sites-up", "sites-up"},
        {"caf\xc3\xa9", "caf__"},
        {"x\n\0y"s, "x__y"},
    };
    for (const auto& c : cases) {
        BOOST_TEST(perfdata_label(c.raw) == c.expected);
    }
    const std::string long_label = perfdata_label(std::string(5000, 'a'));
    BOOST_TEST(long_label.size() == anycast::plugin::max_perfdata_label_bytes);
}

BOOST_AUTO_TEST_CASE(guard_replaces_what_slipped_through) {
    BOOST_TEST(guard_output_text("ok text") == "ok text");
    BOOST_TEST(guard_output_text("a|b\nc\rd\0e"s) == "a?b?c?d?e");
    BOOST_TEST(guard_output_text("\xff\xc2\x85\xe2\x80\xa8") == "???");
    BOOST_TEST(guard_output_text("caf\xc3\xa9") == "caf\xc3\xa9");
}

BOOST_AUTO_TEST_SUITE_END()
