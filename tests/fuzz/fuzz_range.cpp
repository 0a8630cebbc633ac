// Threshold ranges and values come from operators' configuration, which is often generated: the
// parser must reject garbage with an InputError and nothing else. Input: one byte choosing the
// unit family, then the text.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_invariants.hpp"
#include "plugin/error.hpp"
#include "plugin/range.hpp"

using anycast::fuzz::require;
using anycast::plugin::UnitFamily;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) {
        return 0;
    }
    constexpr UnitFamily families[] = {UnitFamily::plain, UnitFamily::duration, UnitFamily::percent,
                                       UnitFamily::distance_km};
    const UnitFamily family = families[data[0] % 4];
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

    try {
        const anycast::plugin::Range range = anycast::plugin::parse_range(text, family);
        require(!std::isnan(range.start) && !std::isnan(range.end));
        require(range.start_infinite || range.end_infinite || range.start <= range.end);
        // The canonical text must parse back to the same range (perfdata and --help rely on it).
        const std::string canonical = range.perfdata_text();
        const anycast::plugin::Range again = anycast::plugin::parse_range(canonical, UnitFamily::plain);
        require(again.alert_inside == range.alert_inside && again.start_infinite == range.start_infinite &&
                again.end_infinite == range.end_infinite);
        (void)range.alerts(0.0);
        (void)range.alerts(std::nan(""));
    } catch (const anycast::InputError&) {
    }
    try {
        require(!std::isnan(anycast::plugin::parse_value(text, family)));
    } catch (const anycast::InputError&) {
    }
    try {
        require(anycast::plugin::parse_duration_seconds(text) >= 0.0);
    } catch (const anycast::InputError&) {
    }
    return 0;
}
