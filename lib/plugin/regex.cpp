#include "plugin/regex.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "plugin/error.hpp"
#include "plugin/regex_prefilter.hpp"

namespace anycast::plugin {
namespace {

bool is_group_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
}

// A pattern with its named groups made plain ones, and the names we took out. RE2 would check
// each group name against a table of Unicode letter classes that it builds on first use: 2 M
// instructions, a quarter of what compiling all the shipped site rules cost (docs/benchmarks.md,
// start-up), paid by every check that compiles one named group. Names of
// ASCII letters, digits and '_' are all our patterns use; anything else (another name, \Q...\E,
// a class that does not close) is left to RE2, spelt (?P<name>...) as it wants.
struct PlainGroups {
    std::string pattern;
    std::vector<std::pair<std::string, std::size_t>> names;  // name -> group number
    std::size_t groups = 0;                                  // capturing groups counted
    bool sure = true;  // false: left to RE2's own parse of (?P<name>...)
};

// The length of a named group's opening at pattern[i] ("(?<" or "(?P<"), 0 when there is none;
// lookbehind ((?<= (?<!) is not one (RE2 rejects it with its own message).
std::size_t named_opening(std::string_view pattern, std::size_t i) {
    if (pattern.substr(i, 4) == "(?P<") {
        return 4;
    }
    if (pattern.substr(i, 3) == "(?<" && i + 3 < pattern.size() && pattern[i + 3] != '=' &&
        pattern[i + 3] != '!') {
        return 3;
    }
    return 0;
}

PlainGroups plain_groups(std::string_view pattern, bool keep_names) {
    PlainGroups out;
    out.pattern.reserve(pattern.size() + 8);
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\' && i + 1 < pattern.size()) {
            out.sure = out.sure && pattern[i + 1] != 'Q';  // a quoted "(" would be miscounted
            out.pattern += pattern.substr(i, 2);
            ++i;
        } else if (c == '[') {
            const std::size_t end = regex_class_end(pattern, i);
            out.sure = out.sure && end != std::string_view::npos;
            out.pattern += pattern.substr(i, end == std::string_view::npos ? end : end - i + 1);
            i = end == std::string_view::npos ? pattern.size() : end;
        } else if (c == '(' && named_opening(pattern, i) > 0) {
            const std::size_t open = named_opening(pattern, i);
            const std::size_t close = pattern.find('>', i + open);
            const std::string_view name =
                pattern.substr(i + open, close == std::string_view::npos ? 0 : close - i - open);
            const bool taken = std::any_of(out.names.begin(), out.names.end(),
                                           [&](const auto& entry) { return entry.first == name; });
            if (keep_names || !is_group_name(name) || taken) {
                out.sure = false;
                out.pattern += "(?P<";
                i += open - 1;
                continue;
            }
            out.names.emplace_back(name, ++out.groups);
            out.pattern += '(';
            i = close;
        } else {
            out.groups += c == '(' && (i + 1 == pattern.size() || pattern[i + 1] != '?') ? 1 : 0;
            out.pattern += c;
        }
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
    Regex regex;
    regex.pattern_ = pattern;
    PlainGroups plain = plain_groups(pattern, false);
    if (plain.sure) {
        auto re = std::make_shared<const RE2>(plain.pattern, options);
        // Counted as RE2 counts, or we do not trust our names: then RE2 parses them itself, which
        // also gives its own message for a pattern that does not compile.
        if (re->ok() && static_cast<std::size_t>(re->NumberOfCapturingGroups()) == plain.groups) {
            regex.re_ = std::move(re);
            regex.names_ = std::move(plain.names);
            return regex;
        }
    }
    auto re = std::make_shared<const RE2>(plain_groups(pattern, true).pattern, options);
    if (!re->ok()) {
        throw InputError(shown + " is not a valid regex (" + re->error() + ")");
    }
    for (const auto& [name, number] : re->NamedCapturingGroups()) {
        regex.names_.emplace_back(name, static_cast<std::size_t>(number));
    }
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
    for (const auto& [group_name, number] : names_) {
        if (group_name == name) {
            return number;
        }
    }
    return std::nullopt;
}

std::size_t Regex::group_count() const {
    return static_cast<std::size_t>(re_->NumberOfCapturingGroups());
}

LazyRegex::LazyRegex(std::string pattern, RegexCase letter_case, std::string what)
    : pattern_(std::move(pattern)), case_(letter_case), what_(std::move(what)) {
    PlainGroups plain = plain_groups(pattern_, false);
    if (plain.sure) {
        names_.emplace();
        for (auto& entry : plain.names) {
            names_->push_back(std::move(entry.first));
        }
    }
}

bool LazyRegex::may_full_match(std::string_view subject) const {
    if (!prefilter_) {
        prefilter_ = RegexPrefilter::of(pattern_);
    }
    return prefilter_->may_full_match(subject);
}

const Regex& LazyRegex::get() const {
    if (!compiled_) {
        compiled_ = Regex::compile(pattern_, case_, what_);
    }
    return *compiled_;
}

bool LazyRegex::has_named_group(std::string_view name) const {
    if (names_) {
        return std::find(names_->begin(), names_->end(), name) != names_->end();
    }
    return get().named_group(name).has_value();
}

}  // namespace anycast::plugin
