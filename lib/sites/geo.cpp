#include "sites/geo.hpp"

#include <charconv>
#include <cmath>
#include <numbers>
#include <string>

#include "plugin/error.hpp"
#include "plugin/text.hpp"
#include "sites/airports.hpp"

namespace anycast::sites {

namespace {

double radians(double degrees) {
    return degrees * std::numbers::pi / 180.0;
}

std::optional<double> parse_degrees(std::string_view text, double limit) {
    text = plugin::trim_blanks(text);
    // from_chars rejects a leading '+', which people do write.
    if (!text.empty() && text.front() == '+') {
        text.remove_prefix(1);
    }
    double value = 0.0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value, std::chars_format::fixed);
    if (text.empty() || ec != std::errc{} || ptr != end || !std::isfinite(value) ||
        std::fabs(value) > limit) {
        return std::nullopt;
    }
    return value;
}

}  // namespace

double distance_km(const GeoPoint& from, const GeoPoint& to) {
    const double lat1 = radians(from.latitude_deg);
    const double lat2 = radians(to.latitude_deg);
    const double half_dlat = (lat2 - lat1) / 2.0;
    const double half_dlon = radians(to.longitude_deg - from.longitude_deg) / 2.0;
    const double h = std::sin(half_dlat) * std::sin(half_dlat) +
                     std::cos(lat1) * std::cos(lat2) * std::sin(half_dlon) * std::sin(half_dlon);
    // Rounding can push h a hair above 1 for antipodes; asin would then return NaN.
    return 2.0 * earth_radius_km * std::asin(std::sqrt(std::fmin(1.0, h)));
}

double rtt_floor_ms(double distance_km, double fiber_km_per_ms) {
    return 2.0 * distance_km / fiber_km_per_ms;
}

GeoPoint parse_location(std::string_view text) {
    const std::string_view trimmed = plugin::trim_blanks(text);
    const auto comma = trimmed.find(',');
    if (comma == std::string_view::npos) {
        if (trimmed.size() == 3) {
            if (const auto airport = find_airport(trimmed)) {
                return airport->location;
            }
            throw InputError("location '" + std::string(text) + "' is not a known IATA airport code");
        }
        throw InputError("location '" + std::string(text) +
                         "' is neither an IATA airport code nor LAT,LON in decimal degrees");
    }
    const auto latitude = parse_degrees(trimmed.substr(0, comma), 90.0);
    const auto longitude = parse_degrees(trimmed.substr(comma + 1), 180.0);
    if (!latitude || !longitude) {
        throw InputError("location '" + std::string(text) +
                         "' is not LAT,LON in decimal degrees (latitude -90..90, longitude -180..180)");
    }
    return GeoPoint{*latitude, *longitude};
}

}  // namespace anycast::sites
