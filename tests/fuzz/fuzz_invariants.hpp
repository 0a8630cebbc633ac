#pragma once
// Properties every fuzz target checks on text that may reach Icinga: a violation aborts, so
// libFuzzer records the input as a crash just as it would an ASan report.
#include <cstddef>
#include <cstdlib>
#include <string_view>

namespace anycast::fuzz {

// True when `text` is valid UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
inline bool is_valid_utf8(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        std::size_t length = 0;
        unsigned min = 0;
        if (lead < 0x80) {
            ++i;
            continue;
        }
        if (lead >= 0xc2 && lead <= 0xdf) {
            length = 2, min = 0x80;
        } else if (lead >= 0xe0 && lead <= 0xef) {
            length = 3, min = 0x800;
        } else if (lead >= 0xf0 && lead <= 0xf4) {
            length = 4, min = 0x10000;
        } else {
            return false;
        }
        if (i + length > text.size()) {
            return false;
        }
        unsigned code = lead & (0xffu >> (length + 1));
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xc0) != 0x80) {
                return false;
            }
            code = (code << 6) | (next & 0x3fu);
        }
        if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
            return false;
        }
        i += length;
    }
    return true;
}

// What escape_untrusted promises (lib/plugin/escape.hpp): printable, valid UTF-8, no '|', no
// control bytes, no line breaks.
inline bool is_safe_for_output(std::string_view text) {
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f || c == '|') {
            return false;
        }
    }
    return is_valid_utf8(text);
}

inline void require(bool condition) {
    if (!condition) {
        std::abort();
    }
}

}  // namespace anycast::fuzz
