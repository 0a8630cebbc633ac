#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "plugin/state.hpp"

namespace anycast::plugin {

// Which unit suffixes a range or value may carry; values are stored in the family's base unit.
enum class UnitFamily {
    plain,        // bare numbers only
    duration,     // bare = seconds; suffixes s, ms, us; stored in seconds
    percent,      // bare or with %
    distance_km,  // bare or with km
};

// A Nagios threshold range: `10`, `10:`, `~:10`, `10:20`, `@10:20` (see the Monitoring Plugins guidelines).
// Without `@` the value alerts when outside [start, end]; with `@` when inside it (both inclusive).
struct Range {
    double start = 0.0;
    double end = 0.0;
    bool start_infinite = false;
    bool end_infinite = false;
    bool alert_inside = false;

    // True when value lies in the alert region. NaN always alerts: a measurement we cannot read is not fine.
    bool alerts(double value) const;
    // Canonical text in the base unit, as perfdata wants it: "0.05", "@0.01:0.02", "~:0.2", "10:".
    std::string perfdata_text() const;
};

// Throws anycast::InputError naming the text on empty input, start > end, garbage, NaN/inf, exponent
// notation or a unit the family does not know.
Range parse_range(std::string_view text, UnitFamily family);

// One number in the family's syntax (e.g. "50ms" -> 0.05), in the base unit; throws anycast::InputError.
double parse_value(std::string_view text, UnitFamily family);

// A duration for -t and intervals: "10", "2.5s", "500ms", "250us" -> seconds; must be >= 0.
double parse_duration_seconds(std::string_view text);

struct Thresholds {
    std::optional<Range> warning{};
    std::optional<Range> critical{};

    // Critical is checked first, so overlapping ranges report the worse state.
    State evaluate(double value) const;
};

}  // namespace anycast::plugin
