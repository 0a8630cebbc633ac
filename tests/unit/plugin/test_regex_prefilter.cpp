#include <boost/test/unit_test.hpp>

#include <random>
#include <string>
#include <vector>

#include "plugin/error.hpp"
#include "plugin/regex.hpp"
#include "plugin/regex_prefilter.hpp"

using anycast::InputError;
using anycast::plugin::LazyRegex;
using anycast::plugin::Regex;
using anycast::plugin::RegexCase;
using anycast::plugin::RegexPrefilter;

namespace {

// Patterns in the shapes the site rules and operators' --site-regex use, and the corners of the
// syntax the reader must not misread (optional and repeated parts, alternations, escapes, classes
// with ']' and POSIX names, flags, UTF-8, '{' that is no repetition).
const std::vector<std::string> patterns = {
    R"(^(?:(?<site>(?<location>[a-z]{3})[0-9]+[a-z]?)\.c\.root-servers\.org)$)",
    R"(^(?:(?:rootns[0-9]*|nnn1)-(?<site>(?:el)?(?<location>[a-z]{3})[0-9]+))$)",
    R"(^(?:(?<site>(?:bjs|bue|chi|lon|nyc|par)(?:[0-9]{1,3}[a-z]?)?))$)",
    R"(^(?:(?<site>(?<location>[a-z]{3})(?:[0-9]{1,3}[a-z]?)?))$)",
    R"(^(?:k[0-9]+\.(?<site>[a-z0-9]+(?:-[a-z0-9]+)*)\.k\.ripe\.net)$)",
    "ab?c",
    "a(bc)*d",
    "(ab|cd)+e",
    "x(?:ab|)y",
    "(?i)AbC|d",
    "(?-i:Ab)c",
    "[]a]b",
    "[^]a]+b",
    "[[:alpha:]]+1",
    R"(\d{2,3}-\w+)",
    "a{2}b{1,}c{0,2}",
    "a{,2}",
    "a{x}",
    "é?x",
    "ab*?c",
    R"(\.\-\_?)",
    R"(\bab\B|\Acd\z)",
    "a.c",
    "(a|b|c|d)(e|f|g|h)(i|j|k|l)(m|n)",
    "",
    "|a",
    "((a))",
    R"(\x41b)",
    R"(\p{L}x|\pNy)",
    R"(\Qa.b\E)",
    "s",  // folds with U+017F (long s) and 'k' with the Kelvin sign: ASCII subjects only
};

std::string random_subject(std::mt19937& random, const std::string& alphabet) {
    std::uniform_int_distribution<std::size_t> length(0, 8);
    std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
    std::string subject;
    for (std::size_t n = length(random); n > 0; --n) {
        subject += alphabet[pick(random)];
    }
    return subject;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(regex_prefilter)

BOOST_AUTO_TEST_CASE(never_rules_out_a_subject_that_matches) {
    // Random subjects over the characters of the patterns: every one RE2 matches in full must
    // pass the prefilter. (A prefilter that says no to a match would change a check's result.)
    std::mt19937 random(15);
    const std::string alphabet = "abcdeijklmnoprstxyzABCK0123456789.-_é";
    std::size_t rejected = 0;
    for (const std::string& pattern : patterns) {
        for (const RegexCase letter_case : {RegexCase::insensitive, RegexCase::sensitive}) {
            std::optional<Regex> regex;
            try {
                regex = Regex::compile(pattern, letter_case, "test");
            } catch (const InputError&) {
                continue;  // "a{,2}" and the like are RE2's to refuse, not ours to read
            }
            const RegexPrefilter filter = RegexPrefilter::of(pattern);
            for (int i = 0; i < 1000; ++i) {
                const std::string subject = random_subject(random, alphabet);
                const bool may = filter.may_full_match(subject);
                if (regex->full_match(subject)) {
                    BOOST_TEST(may, pattern << " full-matches '" << subject << "' but the prefilter said no");
                }
                rejected += may ? 0 : 1;
            }
        }
    }
    BOOST_TEST(rejected > 30000U);  // and it does spare most compilations
}

BOOST_AUTO_TEST_CASE(rules_out_what_a_rule_cannot_match) {
    const RegexPrefilter c_root = RegexPrefilter::of(patterns[0]);
    BOOST_TEST(c_root.min_length() == 23U);
    BOOST_TEST(!c_root.may_full_match("bench"));
    BOOST_TEST(!c_root.may_full_match("lax1a.f.root-servers.org"));
    BOOST_TEST(c_root.may_full_match("LAX1A.C.ROOT-SERVERS.ORG"));
    const RegexPrefilter metro = RegexPrefilter::of(patterns[2]);
    BOOST_TEST(!metro.may_full_match("bench"));
    BOOST_TEST(metro.may_full_match("lon2"));
    BOOST_TEST(metro.max_length().value_or(0) == 7U);
    const RegexPrefilter optional = RegexPrefilter::of("x(?:ab|)y");
    BOOST_REQUIRE(optional.exact());
    BOOST_TEST((*optional.exact() == std::vector<std::string>{"xaby", "xy"}));
}

BOOST_AUTO_TEST_CASE(what_it_does_not_follow_needs_nothing) {
    for (const char* pattern : {R"(\Qa.b\E)", "(unclosed", "a)", "(?=x)", R"(\1)", "a**", "*a"}) {
        const RegexPrefilter filter = RegexPrefilter::of(pattern);
        BOOST_TEST(filter.may_full_match(""), pattern);
        BOOST_TEST(filter.may_full_match("anything at all"), pattern);
    }
    // Non-ASCII subjects are never ruled out: "k" matches the Kelvin sign case-insensitively.
    BOOST_TEST(RegexPrefilter::of("k").may_full_match("\xe2\x84\xaa"));
    BOOST_TEST(Regex::compile("k", RegexCase::insensitive, "test").full_match("\xe2\x84\xaa"));
}

BOOST_AUTO_TEST_CASE(named_groups_are_numbered_as_re2_numbers_them) {
    const Regex regex = Regex::compile(R"((a)(?<x>b)(?:c)(?P<y>d)[(](e))", RegexCase::sensitive, "test");
    BOOST_TEST(regex.group_count() == 4U);
    BOOST_TEST(regex.named_group("x").value_or(0) == 2U);
    BOOST_TEST(regex.named_group("y").value_or(0) == 3U);
    BOOST_TEST(!regex.named_group("z"));
    BOOST_TEST(regex.search_group("abcd(e", 3).value() == "d");
    // A POSIX class inside a class does not end it; \Q...\E is left to RE2's own reading.
    const Regex posix = Regex::compile(R"([[:alpha:](]+(?<n>[0-9]))", RegexCase::sensitive, "test");
    BOOST_TEST(posix.named_group("n").value_or(0) == 1U);
    BOOST_TEST(posix.search_group("a(7", 1).value() == "7");
    const Regex quoted = Regex::compile(R"(\Q(\E(?<n>x))", RegexCase::sensitive, "test");
    BOOST_TEST(quoted.named_group("n").value_or(0) == 1U);
    BOOST_TEST(quoted.search("(x"));
}

BOOST_AUTO_TEST_CASE(bad_group_names_are_refused_as_re2_refuses_them) {
    for (const char* pattern : {"(?<>x)", "(?P<a-b>x)", "(?<a"}) {
        try {
            Regex::compile(pattern, RegexCase::sensitive, "--site-regex");
            BOOST_FAIL(std::string("compiled: ") + pattern);
        } catch (const InputError& error) {
            BOOST_TEST(std::string(error.what()).find("is not a valid regex (") != std::string::npos,
                       pattern);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_lazy_regex_compiles_on_first_use) {
    const LazyRegex lazy("(?<site>[a-z]+)[0-9]", RegexCase::insensitive, "test");
    BOOST_TEST(lazy.has_named_group("site"));
    BOOST_TEST(!lazy.has_named_group("location"));
    BOOST_TEST(!lazy.may_full_match("a"));
    BOOST_TEST(lazy.get().full_match("ams1"));
    // An invalid pattern is refused when it is first needed, and every time after.
    const LazyRegex broken("(?<site>x", RegexCase::insensitive, "rules line 3: match");
    BOOST_TEST(broken.has_named_group("site"));
    for (int i = 0; i < 2; ++i) {
        BOOST_CHECK_EXCEPTION(broken.get(), InputError, [](const InputError& error) {
            return std::string(error.what())
                       .rfind("rules line 3: match: '(?<site>x' is not a valid regex", 0) == 0;
        });
    }
}

BOOST_AUTO_TEST_SUITE_END()
