#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "sites/geo.hpp"

namespace anycast::sites {

// One airport of the built-in table (data/airports-iata.csv, from OurAirports, public domain:
// large and medium airports that have an IATA code).
struct Airport {
    std::string iata;  // upper case, e.g. "AMS"
    GeoPoint location;
    std::string country;       // ISO 3166-1 alpha-2, e.g. "NL"
    std::string municipality;  // may be empty
    std::string name;          // e.g. "Amsterdam Airport Schiphol"
    bool large = false;        // OurAirports' "large_airport": the hubs operators name sites after
};

// Looks a three-letter IATA code up, in any case ("ams" finds AMS). The table is compiled into
// the library and searched in place, so nothing is read or parsed until this is called, and then
// only the matching line. Returns nullopt for unknown codes and anything that is not three letters.
std::optional<Airport> find_airport(std::string_view iata);

// True if find_airport(iata) would find something, without building the Airport.
bool is_airport_code(std::string_view iata);

}  // namespace anycast::sites
