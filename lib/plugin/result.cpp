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

namespace anycast::plugin {
namespace {

struct Problem {
    State state;
    std::string text;
};

// Worst first: a known failure before a doubt.
int severity(State state) {
    switch (state) {
        case State::critical:
            return 3;
        case State::warning:
            return 2;
        case State::unknown:
            return 1;
        case State::ok:
            return 0;
    }
    return 1;
}

std::string joined(std::string_view left, std::string_view separator, std::string_view right) {
    if (left.empty()) {
        return std::string(right);
    }
    return right.empty() ? std::string(left)
                         : std::string(left) + std::string(separator) + std::string(right);
}

// A part whose own finding is not OK is a problem, and speaks for everything beneath it (its
// headline says why). A part that is not OK only through its children leaves the word to them;
// one whose state comes from nothing but a limit ("2 of 3 sites down") is a problem itself.
// Parts overridden to OK are not problems, nor is anything beneath them.
void collect_problems(const Subcheck& node, const std::string& path, std::vector<Problem>& out) {
    const State effective = node.effective_state();
    if (effective == State::ok) {
        return;
    }
    const std::string here = joined(path, " ", node.name);
    const bool child_explains =
        std::any_of(node.children.begin(), node.children.end(),
                    [](const Subcheck& child) { return child.effective_state() != State::ok; });
    if (node.state != State::ok || !child_explains) {
        const std::string text = node.headline.empty() ? joined(here, ": ", node.summary) : node.headline;
        out.push_back({node.state != State::ok ? node.state : effective, text.empty() ? "?" : text});
        return;
    }
    for (const Subcheck& child : node.children) {
        collect_problems(child, here, out);
    }
}

// At most `limit` bytes, cut at a UTF-8 character boundary, "..." appended when cut.
std::string bounded(const std::string& text, std::size_t limit) {
    if (text.size() <= limit) {
        return text;
    }
    std::size_t end = limit;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) {
        --end;
    }
    return text.substr(0, end) + "...";
}

}  // namespace

std::string headline(const CheckResult& result) {
    if (result.state() == State::ok) {
        return result.summary;
    }
    std::vector<Problem> problems;
    for (const Subcheck& subcheck : result.subchecks) {
        collect_problems(subcheck, "", problems);
    }
    std::stable_sort(problems.begin(), problems.end(), [](const Problem& a, const Problem& b) {
        return severity(a.state) > severity(b.state);
    });
    std::vector<std::string> texts;
    for (Problem& problem : problems) {
        if (std::find(texts.begin(), texts.end(), problem.text) == texts.end()) {
            texts.push_back(std::move(problem.text));
        }
    }
    if (texts.empty()) {
        return result.summary;
    }
    std::string line = bounded(texts.front(), max_headline_bytes);
    std::size_t shown = 1;
    while (shown < texts.size() && line.size() + 2 + texts[shown].size() <= max_headline_bytes) {
        line += "; " + texts[shown];
        ++shown;
    }
    if (shown < texts.size()) {
        line += "; and " + std::to_string(texts.size() - shown) + " more";
    }
    return line;
}

}  // namespace anycast::plugin
