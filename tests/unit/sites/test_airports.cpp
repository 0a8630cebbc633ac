#include <boost/test/unit_test.hpp>

#include <cmath>
#include <string>

#include "sites/airports.hpp"

using anycast::sites::find_airport;
using anycast::sites::is_airport_code;

BOOST_AUTO_TEST_SUITE(airports)

BOOST_AUTO_TEST_CASE(finds_codes_in_any_case) {
    struct Case {
        const char* code;
        const char* iata;
        const char* country;
        const char* municipality;
        double latitude, longitude;
    };
    const Case cases[] = {
        {"AMS", "AMS", "NL", "Amsterdam", 52.3086, 4.7639},
        {"ams", "AMS", "NL", "Amsterdam", 52.3086, 4.7639},
        {"Lhr", "LHR", "GB", "London", 51.4706, -0.4619},
        {"AAA", "AAA", "PF", "Anaa", -17.3526, -145.5100},  // first line of the table
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.code) {
            const auto airport = find_airport(c.code);
            BOOST_REQUIRE(airport);
            BOOST_TEST(airport->iata == c.iata);
            BOOST_TEST(airport->country == c.country);
            BOOST_TEST(airport->municipality == c.municipality);
            BOOST_TEST(std::fabs(airport->location.latitude_deg - c.latitude) < 0.01);
            BOOST_TEST(std::fabs(airport->location.longitude_deg - c.longitude) < 0.01);
            BOOST_TEST(!airport->name.empty());
        }
    }
}

BOOST_AUTO_TEST_CASE(quoted_fields_are_unquoted) {
    const auto adx = find_airport("ADX");
    BOOST_REQUIRE(adx);
    BOOST_TEST(adx->municipality == "Leuchars, Fife");
    BOOST_TEST(adx->name == "Leuchars Station Airfield");
    const auto zth = find_airport("ZTH");
    BOOST_REQUIRE(zth);
    BOOST_TEST(zth->name == "Zakynthos International Airport \"Dionysios Solomos\"");
    BOOST_TEST(zth->country == "GR");
}

BOOST_AUTO_TEST_CASE(last_line_has_no_carriage_return) {
    const auto last = find_airport("ZZV");
    BOOST_REQUIRE(last);
    BOOST_TEST(last->name.find('\r') == std::string::npos);
    BOOST_TEST(last->name.back() == 't');
}

BOOST_AUTO_TEST_CASE(every_listed_code_is_found) {
    // Walks the alphabet so every step of the binary search is exercised, and checks the count
    // against the table (4,517 rows).
    int found = 0;
    std::string code = "AAA";
    for (char a = 'A'; a <= 'Z'; ++a) {
        for (char b = 'A'; b <= 'Z'; ++b) {
            for (char c = 'A'; c <= 'Z'; ++c) {
                code = {a, b, c};
                if (is_airport_code(code)) {
                    const auto airport = find_airport(code);
                    BOOST_REQUIRE(airport);
                    BOOST_REQUIRE(airport->iata == code);
                    ++found;
                }
            }
        }
    }
    BOOST_TEST(found == 4517);
}

BOOST_AUTO_TEST_CASE(rejects_non_codes) {
    const char* bad[] = {"", "A", "AM", "AMSX", "A1S", "iat", "XXX", "ZZZ", "AA\n", "\xc3\x85L"};
    for (const char* code : bad) {
        BOOST_TEST_CONTEXT("'" << code << "'") {
            BOOST_TEST(!find_airport(code));
            BOOST_TEST(!is_airport_code(code));
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
