// plugin::Regex runs user patterns (--expect-regex, --expect-identity, --site-regex) over text a
// server chose (TXT, NSID, identities). Here both are hostile: any pattern either compiles or
// throws InputError, and matching any subject returns (RE2: linear time, no recursion) with
// results that agree with each other. A hang shows up as a libFuzzer timeout, a deep recursion as
// an ASan stack overflow.
//
// Input: a mode byte, then PATTERN NUL SUBJECT. Mode bit 0: case-insensitive; bit 1: the subject
// is repeated up to 16 KiB (long subjects, as a 30 KB TXT over TCP, without long inputs).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_invariants.hpp"
#include "plugin/error.hpp"
#include "plugin/regex.hpp"

using anycast::fuzz::require;
using anycast::plugin::Regex;
using anycast::plugin::RegexCase;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) {
        return 0;
    }
    const std::uint8_t mode = data[0];
    const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    const std::size_t nul = rest.find('\0');
    const std::string_view pattern = rest.substr(0, nul);
    std::string subject(nul == std::string_view::npos ? std::string_view{} : rest.substr(nul + 1));
    if ((mode & 2) != 0 && !subject.empty()) {
        while (subject.size() < 16 * 1024) {
            subject += subject;
        }
    }
    const RegexCase letter_case = (mode & 1) != 0 ? RegexCase::insensitive : RegexCase::sensitive;
    try {
        const Regex regex = Regex::compile(pattern, letter_case, "--expect-regex");
        const bool found = regex.search(subject);
        const bool whole = regex.full_match(subject);
        require(!whole || found);  // a whole match is a match
        const auto group0 = regex.search_group(subject, 0);
        require(group0.has_value() == found);
        require(!group0 || subject.find(*group0) != std::string::npos);
        if (const auto site = regex.named_group("site")) {
            require(*site >= 1 && *site <= regex.group_count());
            const auto value = regex.search_group(subject, *site);
            require(!value || subject.find(*value) != std::string::npos);
        }
        require(!regex.search_group(subject, regex.group_count() + 1));
    } catch (const anycast::InputError&) {
        // A pattern that does not compile (too long, too deep, too big) is bad input: fine.
    }
    return 0;
}
