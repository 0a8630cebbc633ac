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
};

}  // namespace anycast::plugin
