#include "plugin/regex.hpp"

#include <re2/re2.h>

#include <vector>

#include "plugin/error.hpp"

namespace anycast::plugin {
namespace {

// RE2 spells named groups (?P<name>...); users of .NET, Python 3.6+ and ECMAScript write
// (?<name>...). Translate the latter, leaving escapes, classes and lookbehind ((?<= (?<!, which
// RE2 rejects with its own message) alone.
std::string translate_named_groups(std::string_view pattern) {
    std::string out;
    out.reserve(pattern.size() + 8);
    bool in_class = false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\' && i + 1 < pattern.size()) {
            out += c;
            out += pattern[++i];
            continue;
        }
        if (in_class) {
            in_class = c != ']';
            out += c;
            continue;
        }
        if (c == '[') {
            in_class = true;
            out += c;
            // A ']' right after '[' or '[^' is a literal, not the end of the class.
            if (i + 1 < pattern.size() && pattern[i + 1] == '^') {
                out += pattern[++i];
            }
            if (i + 1 < pattern.size() && pattern[i + 1] == ']') {
                out += pattern[++i];
            }
            continue;
        }
        if (c == '(' && pattern.substr(i, 3) == "(?<" && i + 3 < pattern.size() && pattern[i + 3] != '=' &&
            pattern[i + 3] != '!') {
            out += "(?P<";
            i += 2;
            continue;
        }
        out += c;
    }
    return out;
}

std::string_view bounded(std::string_view subject) {
    return subject.substr(0, std::min(subject.size(), max_regex_subject_length));
}

}  // namespace

Regex Regex::compile(std::string_view pattern, RegexCase letter_case, std::string_view what) {
    const std::string shown = std::string(what) + ": '" +
                              std::string(pattern.substr(0, std::min<std::size_t>(pattern.size(), 80))) +
                              (pattern.size() > 80 ? "...'" : "'");
    if (pattern.size() > max_regex_pattern_length) {
        throw InputError(shown + " is longer than " + std::to_string(max_regex_pattern_length) +
                         " characters");
    }
    RE2::Options options;
    options.set_log_errors(false);
    options.set_case_sensitive(letter_case == RegexCase::sensitive);
    options.set_max_mem(std::int64_t{8} << 20);  // bounds the compiled program, not only the DFA cache
    auto re = std::make_shared<const RE2>(translate_named_groups(pattern), options);
    if (!re->ok()) {
        throw InputError(shown + " is not a valid regex (" + re->error() + ")");
    }
    Regex regex;
    regex.pattern_ = pattern;
    regex.re_ = std::move(re);
    return regex;
}

bool Regex::search(std::string_view subject) const {
    const std::string_view text = bounded(subject);
    return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

bool Regex::full_match(std::string_view subject) const {
    if (subject.size() > max_regex_subject_length) {
        return false;  // the whole of something longer than we look at cannot be said to match
    }
    return RE2::FullMatch(re2::StringPiece(subject.data(), subject.size()), *re_);
}

std::optional<std::string> Regex::search_group(std::string_view subject, std::size_t group) const {
    if (group > group_count()) {
        return std::nullopt;
    }
    const std::string_view text = bounded(subject);
    std::vector<re2::StringPiece> groups(group + 1);
    if (!re_->Match(re2::StringPiece(text.data(), text.size()), 0, text.size(), RE2::UNANCHORED,
                    groups.data(), static_cast<int>(groups.size()))) {
        return std::nullopt;
    }
    if (groups[group].data() == nullptr) {
        return std::nullopt;
    }
    return std::string(groups[group].data(), groups[group].size());
}

std::optional<std::size_t> Regex::named_group(std::string_view name) const {
    const auto& names = re_->NamedCapturingGroups();
    const auto found = names.find(std::string(name));
    if (found == names.end()) {
        return std::nullopt;
    }
    return static_cast<std::size_t>(found->second);
}

std::size_t Regex::group_count() const {
    return static_cast<std::size_t>(re_->NumberOfCapturingGroups());
}

}  // namespace anycast::plugin
