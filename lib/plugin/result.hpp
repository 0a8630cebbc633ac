#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "plugin/range.hpp"
#include "plugin/state.hpp"

namespace anycast::plugin {

// Machine-readable facts keep their type in JSON (string, number, integer, bool).
using FactValue = std::variant<std::string, double, std::int64_t, bool>;

struct Perfdata {
    std::string label{};  // passed through perfdata_label() when rendered
    double value = 0.0;
    std::string uom{};  // "s", "%", "B", "c", "" ...
    std::optional<Range> warning{};
    std::optional<Range> critical{};
    std::optional<double> min{};
    std::optional<double> max{};
};

struct Subcheck {
    std::string name{};                     // e.g. an address
    State state = State::ok;                // this node's own finding
    std::optional<State> state_override{};  // replaces the aggregate ("2 of 5 failed" may be only WARNING)
    std::string summary{};
    std::vector<std::pair<std::string, FactValue>> facts{};  // order kept
    std::vector<Perfdata> perfdata{};
    std::vector<Subcheck> children{};

    // state_override if set, else the worst of state and the children's effective states.
    State effective_state() const;
    // Replaces the value of an existing key (keeping its position), else appends.
    void set_fact(std::string key, FactValue value);
    // nullptr when absent.
    const FactValue* find_fact(std::string_view key) const;
};

struct CheckResult {
    std::string label{};    // "ANYCAST DNS"
    std::string summary{};  // first-line text after "STATE - "
    std::vector<Subcheck> subchecks{};
    std::vector<Perfdata> perfdata{};  // top-level perfdata (e.g. sites_up)
    std::optional<State> state_override{};

    // state_override if set; else the worst effective state of the subchecks; UNKNOWN when there are no
    // subchecks, so a check that forgot to record anything can never report OK.
    State state() const;
};

}  // namespace anycast::plugin
