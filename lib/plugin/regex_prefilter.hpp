#pragma once
// What a whole-subject match of a pattern needs, read from the pattern's text without compiling
// it: bounds on the subject's length, strings it must contain, or the few strings it can only be.
// Compiling a pattern with RE2 costs tens of microseconds; a check that tries thirty naming rules
// on one identity would otherwise compile all thirty at every start, to find that none applies.
// The reader follows RE2's syntax (docs: github.com/google/re2/wiki/Syntax) only as far as it
// needs to, and answers "may match" for anything it does not follow, so it can only ever spare a
// compilation, never change a result.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace anycast::plugin {

class RegexPrefilter {
public:
    // Never throws: a pattern the reader does not follow (or that is not valid) needs nothing.
    static RegexPrefilter of(std::string_view pattern);

    // False only when the pattern cannot match the whole of `subject` (in either letter case):
    // then RE2 would say no too. Subjects with bytes above 0x7f are always "may match", as one
    // rune there is more than one byte and case folding leaves ASCII.
    bool may_full_match(std::string_view subject) const;

    std::size_t min_length() const { return min_length_; }
    std::optional<std::size_t> max_length() const { return max_length_; }
    // Each inner list: a subject must contain one of its strings (lower case).
    const std::vector<std::vector<std::string>>& needs() const { return needs_; }
    // Every string a match can be (lower case), when there are only a few.
    const std::optional<std::vector<std::string>>& exact() const { return exact_; }

private:
    std::size_t min_length_ = 0;
    std::optional<std::size_t> max_length_;  // nullopt: unbounded
    std::vector<std::vector<std::string>> needs_;
    std::optional<std::vector<std::string>> exact_;
};

// Where a character class that opens at pattern[open] ('[') closes: the index of its ']', or npos.
// Shared by the prefilter and Regex's reading of group names.
std::size_t regex_class_end(std::string_view pattern, std::size_t open);

}  // namespace anycast::plugin
