#pragma once
// Regular expressions that are safe to run over untrusted text (NSID, TXT records, identities):
// RE2 matches in time linear in the subject and without recursion, so no answer can make a check
// hang or overflow its stack, whatever the pattern. Patterns are bounded in length and in the
// memory RE2 may use to compile them. Syntax is RE2's (close to Perl/ECMAScript without
// backreferences or lookaround); named groups may be written (?<name>...) or (?P<name>...).
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "plugin/regex_prefilter.hpp"

namespace re2 {
class RE2;
}

namespace anycast::plugin {

inline constexpr std::size_t max_regex_pattern_length = 4096;
// Nothing from the network is longer than a DNS message: matching looks at no more than this.
inline constexpr std::size_t max_regex_subject_length = 65535;

enum class RegexCase { sensitive, insensitive };

class Regex {
public:
    // Throws anycast::InputError "WHAT: 'PATTERN' is not a valid regex (REASON)" when the pattern
    // does not compile, is longer than max_regex_pattern_length, or needs too much memory.
    static Regex compile(std::string_view pattern, RegexCase letter_case, std::string_view what);

    bool search(std::string_view subject) const;      // matches anywhere in the subject
    bool full_match(std::string_view subject) const;  // matches the whole subject
    // Group `group` (0 = the whole match) of the first match anywhere; nullopt when there is no
    // match or the group took no part in it.
    std::optional<std::string> search_group(std::string_view subject, std::size_t group) const;
    // The number of the named group, nullopt when the pattern has no group of that name.
    std::optional<std::size_t> named_group(std::string_view name) const;
    std::size_t group_count() const;
    const std::string& pattern() const { return pattern_; }

private:
    std::string pattern_;
    std::shared_ptr<const re2::RE2> re_;
    std::vector<std::pair<std::string, std::size_t>> names_;  // named group -> number
};

// A pattern compiled on first use, with a prefilter read from its text at once: of the thirty
// naming rules a check carries, an identity is usually tried against a few, and a rule whose
// prefilter rules the identity out is never compiled (docs/benchmarks.md, start-up).
// Not for use from several threads at once.
class LazyRegex {
public:
    LazyRegex(std::string pattern, RegexCase letter_case, std::string what);

    // False only when the pattern cannot match the whole subject (RegexPrefilter, read from the
    // pattern on the first call: a rule that an earlier one always wins before is never read).
    bool may_full_match(std::string_view subject) const;
    // The compiled pattern, compiled on the first call. Throws anycast::InputError as
    // Regex::compile does, on every call, when the pattern is not valid.
    const Regex& get() const;
    // Whether the pattern has a group of that name, read from its text when it can be, without
    // compiling it.
    bool has_named_group(std::string_view name) const;
    const std::string& pattern() const { return pattern_; }
    bool compiled() const { return compiled_.has_value(); }  // for tests of what is spared

private:
    std::string pattern_;
    RegexCase case_;
    std::string what_;
    std::optional<std::vector<std::string>> names_;  // nullopt: only RE2 can tell
    mutable std::optional<RegexPrefilter> prefilter_;
    mutable std::optional<Regex> compiled_;
};

}  // namespace anycast::plugin
