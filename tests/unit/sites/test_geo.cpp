#include <boost/test/unit_test.hpp>

#include <cmath>
#include <string>

#include "plugin/error.hpp"
#include "sites/airports.hpp"
#include "sites/geo.hpp"

using anycast::InputError;
using anycast::sites::distance_km;
using anycast::sites::GeoPoint;
using anycast::sites::parse_location;
using anycast::sites::rtt_floor_ms;

namespace {

GeoPoint airport(const char* code) {
    const auto found = anycast::sites::find_airport(code);
    BOOST_REQUIRE_MESSAGE(found, code);
    return found->location;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(geo)

BOOST_AUTO_TEST_CASE(known_distances) {
    struct Case {
        const char* from;
        const char* to;
        double expected_km;
        double tolerance_km;
    };
    // Published great-circle distances between the airports, rounded.
    const Case cases[] = {
        {"JFK", "LHR", 5540, 15},  {"LHR", "JFK", 5540, 15},  {"AMS", "LHR", 371, 5},
        {"SYD", "LAX", 12050, 30}, {"FRA", "SIN", 10260, 30}, {"NRT", "SFO", 8220, 30},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.from << "-" << c.to) {
            BOOST_TEST(std::fabs(distance_km(airport(c.from), airport(c.to)) - c.expected_km) <=
                       c.tolerance_km);
        }
    }
}

BOOST_AUTO_TEST_CASE(zero_and_antipodes) {
    const GeoPoint ams = airport("AMS");
    BOOST_TEST(distance_km(ams, ams) == 0.0);
    const double half_circumference = M_PI * anycast::sites::earth_radius_km;
    BOOST_TEST(std::fabs(distance_km({0, 0}, {0, 180}) - half_circumference) < 1e-6);
    BOOST_TEST(std::fabs(distance_km({90, 0}, {-90, 0}) - half_circumference) < 1e-6);
    BOOST_TEST(std::fabs(distance_km({52.3, 4.76}, {-52.3, -175.24}) - half_circumference) < 1e-6);
    // Crossing the antimeridian is short, not the long way round.
    BOOST_TEST(distance_km({0, 179.5}, {0, -179.5}) < 112);
}

BOOST_AUTO_TEST_CASE(rtt_floor_arithmetic) {
    BOOST_TEST(rtt_floor_ms(0.0) == 0.0);
    BOOST_TEST(rtt_floor_ms(1000.0) == 10.0);
    BOOST_TEST(rtt_floor_ms(5540.0) == 55.4, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(rtt_floor_ms(1000.0, 100.0) == 20.0);
}

BOOST_AUTO_TEST_CASE(parse_location_accepts_codes_and_coordinates) {
    struct Case {
        const char* text;
        GeoPoint expected;
    };
    const Case cases[] = {
        {"AMS", airport("AMS")},
        {"ams", airport("AMS")},
        {" lhr ", airport("LHR")},
        {"38.9445,-77.4558", {38.9445, -77.4558}},
        {"38.9445, -77.4558", {38.9445, -77.4558}},
        {"+52,4", {52, 4}},
        {"-90,180", {-90, 180}},
        {"90,-180", {90, -180}},
        {"0,0", {0, 0}},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.text) {
            const GeoPoint got = parse_location(c.text);
            BOOST_TEST(got.latitude_deg == c.expected.latitude_deg);
            BOOST_TEST(got.longitude_deg == c.expected.longitude_deg);
        }
    }
}

BOOST_AUTO_TEST_CASE(parse_location_rejects_with_the_text) {
    const char* bad[] = {"",     "XXX", "AM", "AMSX",   "90.1,0", "0,180.5", "nan,0", "inf,0", "1e2,0",
                         "52;4", "52,", ",4", "52,4,3", "52,4x",  "0x10,0",  "a,b",   "--1,0"};
    for (const char* text : bad) {
        BOOST_TEST_CONTEXT("'" << text << "'") {
            try {
                parse_location(text);
                BOOST_ERROR("accepted");
            } catch (const InputError& e) {
                BOOST_TEST(std::string(e.what()).find("'" + std::string(text) + "'") != std::string::npos,
                           e.what());
            }
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
