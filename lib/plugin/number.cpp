#include "plugin/number.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace anycast::plugin {

namespace {

// Enough for the longest fixed-notation double (DBL_MAX has 309 integer digits, the smallest subnormal
// ~330 fractional ones).
using NumberBuffer = std::array<char, 1100>;

std::string non_finite_text(double value) {
    if (std::isnan(value)) {
        return "nan";
    }
    return value < 0 ? "-inf" : "inf";
}

std::string tidy(std::string text) {
    if (text.find('.') != std::string::npos) {
        while (!text.empty() && text.back() == '0') {
            text.pop_back();
        }
        if (!text.empty() && text.back() == '.') {
            text.pop_back();
        }
    }
    if (text == "-0") {
        return "0";
    }
    return text;
}

}  // namespace

std::string format_decimal(double value, int max_decimals) {
    if (!std::isfinite(value)) {
        return non_finite_text(value);
    }
    // Beyond 20 decimals a double has no more information; the clamp also keeps the buffer big enough.
    max_decimals = std::clamp(max_decimals, 0, max_format_decimals);
    NumberBuffer buffer{};
    auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                      std::chars_format::fixed, max_decimals);
    if (error != std::errc{}) {
        return non_finite_text(value);
    }
    return tidy(std::string(buffer.data(), end));
}

std::string format_exact(double value) {
    if (!std::isfinite(value)) {
        return non_finite_text(value);
    }
    NumberBuffer buffer{};
    auto [end, error] =
        std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::fixed);
    if (error != std::errc{}) {
        return non_finite_text(value);
    }
    return tidy(std::string(buffer.data(), end));
}

}  // namespace anycast::plugin
