#include "plugin/range.hpp"

#include <charconv>
#include <cmath>
#include <string>

#include "plugin/error.hpp"
#include "plugin/escape.hpp"
#include "plugin/number.hpp"
#include "plugin/text.hpp"

namespace anycast::plugin {

namespace {

constexpr std::size_t max_quoted_bytes = 64;

std::string quoted(std::string_view text) {
    return "'" + escape_untrusted(text, max_quoted_bytes) + "'";
}

struct UnitScale {
    std::string_view suffix;
    int decimal_exponent;  // value in base unit = number * 10^decimal_exponent
};

// Suffix tables per family; the empty suffix (bare number) is always allowed and means the base unit.
constexpr UnitScale duration_units[] = {{"", 0}, {"s", 0}, {"ms", -3}, {"us", -6}, {"\xc2\xb5s", -6}};
constexpr UnitScale percent_units[] = {{"", 0}, {"%", 0}};
constexpr UnitScale distance_units[] = {{"", 0}, {"km", 0}};
constexpr UnitScale plain_units[] = {{"", 0}};

template <std::size_t N>
std::optional<int> find_exponent(const UnitScale (&table)[N], std::string_view suffix) {
    for (const auto& unit : table) {
        if (unit.suffix == suffix) {
            return unit.decimal_exponent;
        }
    }
    return std::nullopt;
}

std::optional<int> unit_exponent(UnitFamily family, std::string_view suffix) {
    switch (family) {
        case UnitFamily::duration:
            return find_exponent(duration_units, suffix);
        case UnitFamily::percent:
            return find_exponent(percent_units, suffix);
        case UnitFamily::distance_km:
            return find_exponent(distance_units, suffix);
        case UnitFamily::plain:
            return find_exponent(plain_units, suffix);
    }
    return std::nullopt;
}

std::string_view family_hint(UnitFamily family) {
    switch (family) {
        case UnitFamily::duration:
            return "a duration such as 10, 2.5s, 500ms or 250us";
        case UnitFamily::percent:
            return "a percentage such as 5 or 5%";
        case UnitFamily::distance_km:
            return "a distance such as 800 or 800km";
        case UnitFamily::plain:
            return "a number";
    }
    return "a number";
}

// Length of the leading [+-]digits[.digits] part, or 0 when there is none. Exponents, hex, "inf" and
// "nan" are refused on purpose: nobody writes thresholds that way, and from_chars would accept them.
std::size_t number_length(std::string_view text) {
    std::size_t pos = 0;
    if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        ++pos;
    }
    std::size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        ++pos;
        ++digits;
    }
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            ++pos;
            ++digits;
        }
    }
    return digits == 0 ? 0 : pos;
}

std::optional<double> parse_number(std::string_view text, UnitFamily family) {
    const std::size_t length = number_length(text);
    if (length == 0) {
        return std::nullopt;
    }
    const auto exponent = unit_exponent(family, text.substr(length));
    if (!exponent) {
        return std::nullopt;
    }
    // Scaling the decimal text (not the double) keeps "1.1ms" exactly the double nearest to 0.0011.
    std::string digits(text.substr(0, length));
    if (digits.front() == '+') {
        digits.erase(0, 1);
    }
    digits += "e" + std::to_string(*exponent);
    double value = 0.0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc{} || end != digits.data() + digits.size() || !std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

[[noreturn]] void bad_range(std::string_view text, std::string_view why) {
    throw InputError(quoted(text) + " is not a valid range: " + std::string(why));
}

}  // namespace

bool Range::alerts(double value) const {
    if (std::isnan(value)) {
        return true;
    }
    const bool within = (start_infinite || value >= start) && (end_infinite || value <= end);
    return alert_inside ? within : !within;
}

std::string Range::perfdata_text() const {
    std::string text = alert_inside ? "@" : "";
    if (start_infinite) {
        text += "~:";
        if (!end_infinite) {
            text += format_exact(end);
        }
    } else if (end_infinite) {
        text += format_exact(start) + ":";
    } else if (start == 0.0) {
        text += format_exact(end);
    } else {
        text += format_exact(start) + ":" + format_exact(end);
    }
    return text;
}

double parse_value(std::string_view text, UnitFamily family) {
    const auto value = parse_number(trim_blanks(text), family);
    if (!value) {
        throw InputError(quoted(text) + " is not " + std::string(family_hint(family)));
    }
    return *value;
}

Range parse_range(std::string_view text, UnitFamily family) {
    std::string_view rest = trim_blanks(text);
    if (rest.empty()) {
        bad_range(text, "it is empty");
    }
    Range range;
    if (rest.front() == '@') {
        range.alert_inside = true;
        rest.remove_prefix(1);
    }
    const auto parse_bound = [&](std::string_view bound) {
        const auto value = parse_number(bound, family);
        if (!value) {
            std::string why = bound == rest ? "expected " + std::string(family_hint(family))
                                            : quoted(bound) + " is not " + std::string(family_hint(family));
            if (bound.find('/') != std::string_view::npos) {
                why += " (quote ranges that start with ~: the shell turns ~ into a home directory)";
            }
            bad_range(text, why);
        }
        return *value;
    };
    const auto colon = rest.find(':');
    if (colon == std::string_view::npos) {
        range.end = parse_bound(rest);
    } else {
        const std::string_view low = rest.substr(0, colon);
        const std::string_view high = rest.substr(colon + 1);
        if (high.find(':') != std::string_view::npos) {
            bad_range(text, "more than one ':'");
        }
        if (low == "~") {
            range.start_infinite = true;
        } else if (!low.empty()) {  // ":10" means 0..10, as in the monitoring-plugins library
            range.start = parse_bound(low);
        }
        if (high.empty()) {
            range.end_infinite = true;
        } else {
            range.end = parse_bound(high);
        }
    }
    if (!range.start_infinite && !range.end_infinite && range.start > range.end) {
        bad_range(text, "start is greater than end");
    }
    return range;
}

double parse_duration_seconds(std::string_view text) {
    const auto value = parse_number(trim_blanks(text), UnitFamily::duration);
    if (!value || *value < 0) {
        throw InputError(quoted(text) + " is not " + std::string(family_hint(UnitFamily::duration)));
    }
    return *value;
}

State Thresholds::evaluate(double value) const {
    if (critical && critical->alerts(value)) {
        return State::critical;
    }
    if (warning && warning->alerts(value)) {
        return State::warning;
    }
    return State::ok;
}

}  // namespace anycast::plugin
