#pragma once
#include <string_view>

namespace anycast::sites {

// A point on the Earth in decimal degrees (WGS84 is close enough: errors of a few km do not
// matter next to the slack in any RTT floor).
struct GeoPoint {
    double latitude_deg = 0.0;
    double longitude_deg = 0.0;

    friend bool operator==(const GeoPoint&, const GeoPoint&) = default;
};

// Mean Earth radius used by the haversine formula.
inline constexpr double earth_radius_km = 6371.0;

// Light in fibre covers about 200 km per millisecond (refractive index ~1.5).
inline constexpr double fiber_km_per_ms_default = 200.0;

// Great-circle distance in km (haversine, sphere of radius earth_radius_km).
// Example: JFK to LHR is about 5,540 km.
double distance_km(const GeoPoint& from, const GeoPoint& to);

// The smallest round-trip time physics allows over that distance: 2 * distance / speed.
// A measured RTT below it means the answer came from closer than the place we assumed.
// Example: rtt_floor_ms(1000.0) == 10.0.
double rtt_floor_ms(double distance_km, double fiber_km_per_ms = fiber_km_per_ms_default);

// Parses a location written by a user: an IATA airport code ("AMS", any case, looked up in the
// built-in airport table) or "LAT,LON" in decimal degrees ("52.3086,4.7639"; latitude within
// [-90, 90], longitude within [-180, 180], spaces around the comma allowed).
// Throws anycast::InputError naming the text when it is neither.
GeoPoint parse_location(std::string_view text);

}  // namespace anycast::sites
