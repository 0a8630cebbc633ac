#include <boost/test/unit_test.hpp>

#include <string>

#include "plugin/error.hpp"
#include "plugin/regex.hpp"

using anycast::InputError;
using anycast::plugin::Regex;
using anycast::plugin::RegexCase;

BOOST_AUTO_TEST_SUITE(regex)

BOOST_AUTO_TEST_CASE(named_groups_in_both_spellings) {
    for (const char* pattern : {R"(^(?<site>[a-z]{3})\d)", R"(^(?P<site>[a-z]{3})\d)"}) {
        const Regex regex = Regex::compile(pattern, RegexCase::insensitive, "--site-regex");
        const auto group = regex.named_group("site");
        BOOST_REQUIRE(group);
        BOOST_TEST(*group == 1U);
        BOOST_TEST(regex.search_group("AMS1.example", *group).value() == "AMS");
        BOOST_TEST(!regex.search_group("1ams", *group));
    }
}

BOOST_AUTO_TEST_CASE(escapes_and_classes_are_not_named_groups) {
    // "\(?<" and "[(?<]" contain the characters of a named group but are not one.
    const Regex escaped = Regex::compile(R"(\(?<x>)", RegexCase::sensitive, "test");
    BOOST_TEST(escaped.search("<x>"));
    BOOST_TEST(escaped.group_count() == 0U);
    const Regex in_class = Regex::compile(R"([(?<]x)", RegexCase::sensitive, "test");
    BOOST_TEST(in_class.search("<x"));
    BOOST_TEST(in_class.group_count() == 0U);
}

BOOST_AUTO_TEST_CASE(full_match_and_search) {
    const Regex regex = Regex::compile("(ams|lhr)[0-9]+", RegexCase::insensitive, "--expect-site");
    BOOST_TEST(regex.full_match("ams1"));
    BOOST_TEST(regex.full_match("LHR12"));
    BOOST_TEST(!regex.full_match("ams1x"));
    BOOST_TEST(regex.search("xams1x"));
}

BOOST_AUTO_TEST_CASE(bad_patterns_are_input_errors_naming_the_option) {
    for (const std::string& pattern : {std::string("(unclosed"), std::string("a{2,1}"), std::string("(?<=x)y"),
                                       std::string(5000, 'a'), std::string(30000, '(')}) {
        try {
            Regex::compile(pattern, RegexCase::sensitive, "--expect-regex");
            BOOST_FAIL("compiled: " + pattern.substr(0, 20));
        } catch (const InputError& error) {
            BOOST_TEST(std::string(error.what()).rfind("--expect-regex: '", 0) == 0);
        }
    }
}

BOOST_AUTO_TEST_CASE(hostile_subjects_run_in_linear_time) {
    // (a+)+$ against "aaaa...b" is the classic catastrophic case for backtracking engines, and
    // x.*z over a 60 KB TXT made std::regex recurse until the stack ran out.
    const Regex nested = Regex::compile("(a+)+$", RegexCase::sensitive, "test");
    const Regex dot_star = Regex::compile("x.*z", RegexCase::sensitive, "test");
    const std::string subject = std::string(60000, 'a') + "b";
    const std::string txt = "x" + std::string(70000, 'y');
    BOOST_TEST(!nested.search(subject));
    BOOST_TEST(!dot_star.search(txt));
    BOOST_TEST(dot_star.search(txt + "z") == false);  // the z lies past the 65535-byte bound
    BOOST_TEST(dot_star.search("x" + std::string(1000, 'y') + "z"));
    // No timing assertion: a backtracking engine would not return at all (CTest's timeout).
}

BOOST_AUTO_TEST_CASE(deep_nesting_within_the_length_cap_compiles_or_fails_cleanly) {
    const std::string deep = std::string(2000, '(') + "a" + std::string(2000, ')');
    try {
        const Regex regex = Regex::compile(deep, RegexCase::sensitive, "test");
        BOOST_TEST(regex.search("a"));
    } catch (const InputError&) {
        BOOST_TEST(true);  // refused with a message is as good as compiled
    }
}

BOOST_AUTO_TEST_SUITE_END()
