#include "plugin/escape.hpp"

#include "plugin/utf8.hpp"

namespace anycast::plugin {

namespace {

constexpr std::string_view hex_digits = "0123456789abcdef";
constexpr std::string_view ellipsis = "...";

std::string hex_byte_escape(unsigned char byte) {
    return {'\\', 'x', hex_digits[byte >> 4U], hex_digits[byte & 0x0FU]};
}

std::string code_point_escape(char32_t code_point) {
    std::string text = "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) {
        text += hex_digits[(code_point >> static_cast<unsigned>(shift)) & 0x0FU];
    }
    return text;
}

// The escaped form of the character (or lone invalid byte) at pos; consumed receives its length.
std::string escape_one(std::string_view raw, std::size_t pos, std::size_t& consumed) {
    const Utf8Char decoded = decode_utf8(raw, pos);
    consumed = decoded.length;
    const auto byte = static_cast<unsigned char>(raw[pos]);
    if (!decoded.valid) {
        return hex_byte_escape(byte);
    }
    const char32_t code_point = decoded.code_point;
    switch (code_point) {
        case U'\\':
            return "\\\\";
        case U'\n':
            return "\\n";
        case U'\r':
            return "\\r";
        case U'\t':
            return "\\t";
        case U'|':
            return hex_byte_escape(byte);
        default:
            break;
    }
    if (code_point < 0x20 || code_point == 0x7F) {
        return hex_byte_escape(byte);
    }
    if (is_invisible_control(code_point)) {
        return code_point_escape(code_point);
    }
    return std::string(raw.substr(pos, decoded.length));
}

}  // namespace

std::string escape_untrusted(std::string_view raw, std::size_t max_bytes) {
    std::string escaped;
    escaped.reserve(raw.size() < max_bytes ? raw.size() : max_bytes);
    std::size_t pos = 0;
    while (pos < raw.size()) {
        std::size_t consumed = 1;
        const std::string piece = escape_one(raw, pos, consumed);
        if (escaped.size() + piece.size() > max_bytes) {
            escaped += ellipsis;
            return escaped;
        }
        escaped += piece;
        pos += consumed;
    }
    return escaped;
}

std::string perfdata_label(std::string_view raw) {
    std::string label;
    label.reserve(raw.size() < max_perfdata_label_bytes ? raw.size() : max_perfdata_label_bytes);
    for (const char c : raw) {
        if (label.size() == max_perfdata_label_bytes) {
            break;
        }
        const bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                          c == '_' || c == '.' || c == '-';
        label += keep ? c : '_';
    }
    if (label.empty()) {
        label.push_back('_');  // not label = "_": GCC 12 warns falsely (-Wrestrict)
    }
    return label;
}

std::string guard_output_text(std::string_view text) {
    std::string guarded;
    guarded.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        const Utf8Char decoded = decode_utf8(text, pos);
        const char32_t code_point = decoded.code_point;
        const bool unsafe = !decoded.valid || code_point < 0x20 || code_point == 0x7F || code_point == U'|' ||
                            is_invisible_control(code_point);
        if (unsafe) {
            guarded += '?';
        } else {
            guarded.append(text.substr(pos, decoded.length));
        }
        pos += decoded.length;
    }
    return guarded;
}

}  // namespace anycast::plugin
