#pragma once
// What the vantage unit tests share: printing a State in Boost.Test's messages, reading a recorded
// API response from this directory, and one perfdata value of a result.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <ostream>
#include <sstream>
#include <string>

#include "plugin/result.hpp"

namespace anycast::plugin {
// So that Boost.Test can print a state that differs from the expected one.
inline std::ostream& operator<<(std::ostream& out, State state) {
    return out << state_name(state);
}
}  // namespace anycast::plugin

namespace anycast::vantages::testing {

// A file of tests/unit/vantages (ANYCAST_UNIT_DATA), whole.
inline std::string recorded(const std::string& name) {
    std::ifstream file(std::string(ANYCAST_UNIT_DATA) + "/" + name);
    BOOST_REQUIRE_MESSAGE(file, "cannot read " << name);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

inline double perf(const plugin::CheckResult& result, const std::string& label) {
    for (const auto& item : result.perfdata) {
        if (item.label == label) {
            return item.value;
        }
    }
    BOOST_FAIL("no perfdata " + label);
    return -1;
}

}  // namespace anycast::vantages::testing
