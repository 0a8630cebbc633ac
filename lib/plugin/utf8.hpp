#pragma once
#include <cstddef>
#include <string_view>

namespace anycast::plugin {

// One decoded character. Invalid input (stray continuation bytes, overlong forms, surrogates, code points
// above U+10FFFF, truncated sequences) yields valid == false and length 1, so callers can treat the single
// byte on its own and resynchronise at the next one.
struct Utf8Char {
    char32_t code_point = 0;
    std::size_t length = 1;
    bool valid = false;
};

// Strict RFC 3629 decoding of the character starting at text[pos] (pos < text.size()).
Utf8Char decode_utf8(std::string_view text, std::size_t pos);

// Characters that are valid UTF-8 yet must never reach a terminal, a log line or a perfdata parser as they
// are: C1 controls, line/paragraph separators, bidi overrides and isolates, byte order mark.
bool is_invisible_control(char32_t code_point);

}  // namespace anycast::plugin
