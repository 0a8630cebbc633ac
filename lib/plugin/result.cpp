#include "plugin/result.hpp"

#include <algorithm>

namespace anycast::plugin {

State Subcheck::effective_state() const {
    if (state_override) {
        return *state_override;
    }
    State aggregate = state;
    for (const auto& child : children) {
        aggregate = worse(aggregate, child.effective_state());
    }
    return aggregate;
}

void Subcheck::set_fact(std::string key, FactValue value) {
    const auto existing =
        std::find_if(facts.begin(), facts.end(), [&](const auto& fact) { return fact.first == key; });
    if (existing != facts.end()) {
        existing->second = std::move(value);
    } else {
        facts.emplace_back(std::move(key), std::move(value));
    }
}

const FactValue* Subcheck::find_fact(std::string_view key) const {
    const auto existing =
        std::find_if(facts.begin(), facts.end(), [&](const auto& fact) { return fact.first == key; });
    return existing == facts.end() ? nullptr : &existing->second;
}

State CheckResult::state() const {
    if (state_override) {
        return *state_override;
    }
    if (subchecks.empty()) {
        return State::unknown;
    }
    State aggregate = State::ok;
    for (const auto& subcheck : subchecks) {
        aggregate = worse(aggregate, subcheck.effective_state());
    }
    return aggregate;
}

}  // namespace anycast::plugin
