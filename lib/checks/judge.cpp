#include "checks/judge.hpp"

#include <algorithm>
#include <cmath>

#include "plugin/error.hpp"
#include "plugin/escape.hpp"
#include "plugin/number.hpp"
#include "plugin/text.hpp"

namespace anycast::checks {

using plugin::ArgKind;
using plugin::State;

void add_location_options(plugin::OptionParser& parser, Vantage& vantage, std::string location_help) {
    parser.add({"location", 'l', ArgKind::required, "IATA|LAT,LON", std::move(location_help)},
               [&vantage](std::string_view value) {
                   vantage.location = sites::parse_location(value);
                   vantage.location_text = plugin::trim_blanks(value);
               });
    parser.add({"location-error", 0, ArgKind::required, "KM",
                "How far the vantage point may be from --location (default 0)."},
               [&vantage](std::string_view value) {
                   vantage.location_error_km = plugin::parse_value(value, plugin::UnitFamily::distance_km);
                   if (vantage.location_error_km < 0) {
                       throw InputError("'" + std::string(value) + "' is negative");
                   }
               });
    parser.add({"fiber-speed", 0, ArgKind::required, "KM_PER_MS",
                "Signal speed for the RTT floor (default 200 km/ms, about 2/3 of c in fibre)."},
               [&vantage](std::string_view value) {
                   vantage.fiber_km_per_ms = plugin::parse_value(value, plugin::UnitFamily::plain);
                   if (vantage.fiber_km_per_ms <= 0 || vantage.fiber_km_per_ms > 300) {
                       throw InputError("'" + std::string(value) + "' must be above 0 and at most 300 km/ms");
                   }
               });
}

State parse_state_value(std::string_view text) {
    std::string lower(plugin::trim_blanks(text));
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "ok") {
        return State::ok;
    }
    if (lower == "warning") {
        return State::warning;
    }
    if (lower == "critical") {
        return State::critical;
    }
    if (lower == "unknown") {
        return State::unknown;
    }
    throw InputError("'" + plugin::escape_untrusted(text, 64) + "' is not ok, warning, critical or unknown");
}

void judge_rtt(Findings& findings, const plugin::Thresholds& thresholds, double rtt_ms,
               std::string_view what) {
    if (const State state = thresholds.evaluate(rtt_ms / 1000.0); state != State::ok) {
        findings.add(state, std::string(what) + " " + format_ms(rtt_ms) + " ms");
    }
}

plugin::Perfdata rtt_perfdata(const std::string& label, double rtt_ms, const plugin::Thresholds& thresholds) {
    return {label + "_rtt", rtt_ms / 1000.0, "s", thresholds.warning, thresholds.critical, 0.0, {}};
}

plugin::Subcheck no_answer(std::string name, const AddressProbe& probe, double timeout_seconds) {
    plugin::Subcheck check;
    check.name = std::move(name);
    check.set_fact("address", probe.endpoint.address_text());
    check.state = State::critical;
    check.summary = probe.failure_reason(timeout_seconds);
    check.set_fact("error", check.summary);
    return check;
}

void conclude(plugin::Subcheck& check, const Findings& findings, std::string_view who,
              const std::string& details) {
    check.state = findings.state();
    check.summary = findings.before(details);
    if (!findings.empty()) {
        check.headline = std::string(who) + ": " + findings.text();
    }
}

std::optional<Reach> reach(const Vantage& vantage, const Instance& instance) {
    if (!vantage.location || !instance.coordinates) {
        return std::nullopt;
    }
    Reach r;
    r.distance_km = sites::distance_km(*vantage.location, *instance.coordinates);
    r.floor_ms = sites::rtt_floor_ms(r.distance_km, vantage.fiber_km_per_ms);
    r.lowest_floor_ms = sites::rtt_floor_ms(std::max(0.0, r.distance_km - vantage.location_error_km),
                                            vantage.fiber_km_per_ms);
    return r;
}

void judge_floor(Findings& findings, plugin::Subcheck& check, const Reach& reach, double rtt_ms) {
    check.set_fact("distance_km", reach.distance_km);
    check.set_fact("rtt_floor_ms", reach.floor_ms);
    if (rtt_ms < reach.lowest_floor_ms) {
        findings.add(State::warning, "rtt " + format_ms(rtt_ms) + " ms is below the physical floor " +
                                         plugin::format_decimal(reach.lowest_floor_ms, 1) +
                                         " ms: the identity, site or --location is wrong");
        check.set_fact("below_floor", true);
    }
}

std::string format_km(double km) {
    const auto whole = static_cast<long long>(std::llround(km));
    std::string digits = std::to_string(whole);
    for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3) {
        digits.insert(static_cast<std::size_t>(at), ",");
    }
    return digits + " km";
}

}  // namespace anycast::checks
