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
    // What the first line says when this part is wrong ("site iad1 stale: serial 5 is 3 behind 8"):
    // the failing part's name and why. Empty: the path of names and the summary ("127.0.0.1: ...").
    std::string headline{};

    // state_override if set, else the worst of state and the children's effective states.
    State effective_state() const;
    // Replaces the value of an existing key (keeping its position), else appends.
    void set_fact(std::string key, FactValue value);
    // nullptr when absent.
    const FactValue* find_fact(std::string_view key) const;
};

struct CheckResult {
    std::string label{};  // "ANYCAST DNS"
    // The first line after "STATE - " when all is well (or when no part says what is wrong, as for
    // bad input): a short summary the check provides. When something is wrong the library writes
    // the first line from the failing parts instead (see headline()).
    std::string summary{};
    std::vector<Subcheck> subchecks{};
    std::vector<Perfdata> perfdata{};  // top-level perfdata (e.g. sites_up)
    std::optional<State> state_override{};

    // state_override if set; else the worst effective state of the subchecks; UNKNOWN when there are no
    // subchecks, so a check that forgot to record anything can never report OK.
    State state() const;
};

// The longest list of problems the first line carries before it says "and N more" (bytes).
inline constexpr std::size_t max_headline_bytes = 240;

// The one headline algorithm of every check. When the state is not OK: the failing parts, worst
// first and in tree order within a state, each as its `headline`, identical texts once, joined by
// "; " and bounded by max_headline_bytes with "; and N more". A failing part is a subcheck whose
// own state is not OK (it speaks for its subtree), or one that is not OK through a state override
// alone; a part that is not OK through its children leaves the word to them. When the state is
// OK, or no part says what is wrong (bad input), result.summary.
std::string headline(const CheckResult& result);

}  // namespace anycast::plugin
