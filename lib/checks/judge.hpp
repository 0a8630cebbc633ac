#pragma once
// Judgements every check makes the same way: an RTT against -w/-c and its `_rtt` perfdata, the
// address that did not answer, the state options, and the physics of an RTT over a distance.
// Each is a small pure function of typed measurements, so a check's judgements are built from
// the same pieces and unit-tested without a network.
#include <optional>
#include <string>
#include <string_view>

#include "checks/instance.hpp"
#include "checks/probe.hpp"
#include "checks/shared.hpp"
#include "plugin/options.hpp"
#include "plugin/range.hpp"
#include "plugin/result.hpp"
#include "sites/geo.hpp"

namespace anycast::checks {

// Where the vantage point stands (--location, --location-error, --fiber-speed).
struct Vantage {
    std::optional<sites::GeoPoint> location;
    std::string location_text;  // as given: "AMS", "52.31,4.76"
    double location_error_km = 0;
    double fiber_km_per_ms = sites::fiber_km_per_ms_default;
};
void add_location_options(plugin::OptionParser& parser, Vantage& vantage, std::string location_help);

// "ok" | "warning" | "critical" | "unknown" (any case); throws anycast::InputError.
plugin::State parse_state_value(std::string_view text);

// Adds "rtt X ms" (`what` replaces "rtt") when rtt_ms is outside thresholds.
void judge_rtt(Findings& findings, const plugin::Thresholds& thresholds, double rtt_ms,
               std::string_view what = "rtt");

// `<label>_rtt` in seconds with the -w/-c ranges, min 0.
plugin::Perfdata rtt_perfdata(const std::string& label, double rtt_ms, const plugin::Thresholds& thresholds);

// The address that gave no usable answer: CRITICAL, named, and why (probe.failure_reason).
plugin::Subcheck no_answer(std::string name, const AddressProbe& probe, double timeout_seconds);

// Sets state, summary ("findings - details") and headline ("who: findings") of a judged part.
void conclude(plugin::Subcheck& check, const Findings& findings, std::string_view who,
              const std::string& details);

// How far an instance is from the vantage point and the least RTT physics allows over it.
struct Reach {
    double distance_km = 0;
    double floor_ms = 0;         // at the stated location
    double lowest_floor_ms = 0;  // with --location-error taken off the distance
};
// nullopt unless both the vantage point and the instance are placed.
std::optional<Reach> reach(const Vantage& vantage, const Instance& instance);

// An RTT faster than light in fibre allows over that distance: the identity, the site's location
// or --location is wrong. WARNING, and facts distance_km, rtt_floor_ms and below_floor.
void judge_floor(Findings& findings, plugin::Subcheck& check, const Reach& reach, double rtt_ms);

// "6,180 km": thousands separated, as operators read distances.
std::string format_km(double km);

}  // namespace anycast::checks
