#include "plugin/utf8.hpp"

namespace anycast::plugin {

namespace {

bool is_continuation(unsigned char byte) {
    return (byte & 0xC0U) == 0x80U;
}

}  // namespace

Utf8Char decode_utf8(std::string_view text, std::size_t pos) {
    const auto byte_at = [&](std::size_t i) { return static_cast<unsigned char>(text[pos + i]); };
    const unsigned char lead = byte_at(0);
    if (lead < 0x80U) {
        return {lead, 1, true};
    }
    std::size_t length = 0;
    char32_t code_point = 0;
    // The second byte's allowed range is narrowed for E0/ED/F0/F4 to reject overlong forms, surrogates
    // and values above U+10FFFF.
    unsigned char second_min = 0x80;
    unsigned char second_max = 0xBF;
    if (lead >= 0xC2U && lead <= 0xDFU) {
        length = 2;
        code_point = lead & 0x1FU;
    } else if (lead >= 0xE0U && lead <= 0xEFU) {
        length = 3;
        code_point = lead & 0x0FU;
        if (lead == 0xE0U) {
            second_min = 0xA0;
        } else if (lead == 0xEDU) {
            second_max = 0x9F;
        }
    } else if (lead >= 0xF0U && lead <= 0xF4U) {
        length = 4;
        code_point = lead & 0x07U;
        if (lead == 0xF0U) {
            second_min = 0x90;
        } else if (lead == 0xF4U) {
            second_max = 0x8F;
        }
    } else {
        return {};
    }
    if (text.size() - pos < length) {
        return {};
    }
    const unsigned char second = byte_at(1);
    if (second < second_min || second > second_max) {
        return {};
    }
    for (std::size_t i = 1; i < length; ++i) {
        const unsigned char byte = byte_at(i);
        if (!is_continuation(byte)) {
            return {};
        }
        code_point = (code_point << 6U) | (byte & 0x3FU);
    }
    return {code_point, length, true};
}

bool is_invisible_control(char32_t code_point) {
    return (code_point >= 0x80 && code_point <= 0x9F) || code_point == 0x2028 || code_point == 0x2029 ||
           (code_point >= 0x202A && code_point <= 0x202E) || (code_point >= 0x2066 && code_point <= 0x2069) ||
           code_point == 0xFEFF;
}

}  // namespace anycast::plugin
