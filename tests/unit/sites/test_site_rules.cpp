#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>

#include "plugin/error.hpp"
#include "sites/site_rules.hpp"

using anycast::InputError;
using anycast::sites::iata_of_site;
using anycast::sites::is_site_code;
using anycast::sites::normalise_identity;
using anycast::sites::parse_rules_text;
using anycast::sites::SiteRules;

namespace {

struct Expected {
    const char* identity;
    const char* site;  // nullptr: no match
    const char* rule;
    const char* location = nullptr;  // nullptr: not placed
};

void check_table(const SiteRules& rules, const Expected* begin, const Expected* end) {
    for (const auto* c = begin; c != end; ++c) {
        BOOST_TEST_CONTEXT("identity '" << c->identity << "'") {
            const auto found = rules.match(c->identity);
            if (c->site == nullptr) {
                BOOST_TEST(!found, (found ? found->site + " via " + found->rule : ""));
            } else {
                BOOST_REQUIRE(found);
                BOOST_TEST(found->site == c->site);
                BOOST_TEST(found->rule == c->rule);
                BOOST_TEST(found->location.value_or("none") == (c->location ? c->location : "none"));
            }
        }
    }
}

std::string message_of(auto&& action) {
    try {
        action();
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no InputError)";
}

SiteRules shipped() {
    SiteRules rules;
    rules.add_shipped_rules();
    return rules;
}

// A small rules file in the shipped format, for the engine's own behaviour.
constexpr const char* test_rules = R"(# a comment
rule root-like
  operator Example Root
  match (?<site>(?<location>[a-z]{3})[0-9]+)\.root\.example
  example ams1.root.example -> ams1 AMS

rule country-city
  operator Example CC
  match (?<site>(?<cc>[a-z]{2})-(?<location>[a-z]{3}))\.cc\.example
  places cc
  example nl-ams.cc.example -> nl-ams AMS
  example fr-lio.cc.example -> fr-lio LYS
  example xx-lio.cc.example -> xx-lio none
  example uk-lhr.cc.example -> uk-lhr LHR

rule token
  match (?<site>(?<location>[a-z]{3})[0-9]?)
  scope part
  require location
  example a-res-fra1.example -> fra1 FRA
  example res -> no match

not-place res
country-alias UK GB
place cc fr-lio LYS
)";

}  // namespace

BOOST_AUTO_TEST_SUITE(site_rules)

BOOST_AUTO_TEST_CASE(the_issues_failures_are_fixed) {
    const Expected cases[] = {
        {"mad1f.f.root-servers.org", "mad1f", "f-root", "MAD"},
        {"mia01.l.root-servers.org", "mia01", "l-root", "MIA"},
        {"res860.qfra3.rrdns.pch.net", "qfra3", "quad9", "FRA"},
        {"m17.ams", "ams", "opendns", "AMS"},
        {"ns1.fr-lio.k.ripe.net", "fr-lio", "k-root", "LYS"},  // Lyon, not Puerto Limon
        {"us-lgw-aa", "us-lgw", "l-root-hostname", nullptr},   // Longwood, not Gatwick
    };
    check_table(shipped(), std::begin(cases), std::end(cases));
}

BOOST_AUTO_TEST_CASE(generic_forms_are_kept) {
    const Expected cases[] = {
        {"ams1", "ams1", "airport-code", "AMS"},
        {"LHR1", "lhr1", "airport-code", "LHR"},
        {"KUL", "kul", "airport-code", "KUL"},
        {"gpdns-ams", "ams", "google-public-dns", "AMS"},
        {"s1.ams.example.net", "ams", "airport-code", "AMS"},
        {"fra-res1", "fra", "airport-code", "FRA"},
        {"nsd-ams-01.example.net", "ams", "airport-code", "AMS"},
        {"  AMS\n", "ams", "airport-code", "AMS"},
        {"\"ams1.example.net.\"", "ams1", "airport-code", "AMS"},
        {"lon2", "lon2", "metro-token", nullptr},
        {"ns1.example.net", nullptr, nullptr},
        {"unbound", nullptr, nullptr},
        {"", nullptr, nullptr},
        {"   ", nullptr, nullptr},
        {"res200", nullptr, nullptr},
        {"int-rec-01", nullptr, nullptr},
        {"dns.google", nullptr, nullptr},
        {"ams1234", nullptr, nullptr},
        {"amsterdam", nullptr, nullptr},
        {"xyz1", nullptr, nullptr},
        {"ns1.example.ams", nullptr, nullptr},
        {"ams\x01", nullptr, nullptr},
    };
    check_table(shipped(), std::begin(cases), std::end(cases));
}

BOOST_AUTO_TEST_CASE(long_identities_match_nothing) {
    BOOST_TEST(!shipped().match("ams1." + std::string(300, 'a')));
    BOOST_TEST(!normalise_identity(std::string(256, 'a')));
    BOOST_TEST(normalise_identity(std::string(255, 'a')).has_value());
}

BOOST_AUTO_TEST_CASE(explicit_map_then_regexes_then_files_then_shipped) {
    SiteRules rules;
    rules.add_identity("nsd-ams-01.example.net", "ams1");
    rules.add_identity("Weird Server 7", "IAD1");
    rules.add_regex("^(?<site>[a-z]+)-special$");
    rules.add_rule_set(parse_rules_text(test_rules, "test rules"));
    rules.add_shipped_rules();
    const Expected cases[] = {
        {"nsd-ams-01.example.net", "ams1", "sites file"},
        {"NSD-AMS-01.EXAMPLE.NET", "ams1", "sites file"},
        {"weird server 7", "iad1", "sites file"},
        {"lhr-special", "lhr", "site-regex #1", "LHR"},
        {"ams1.root.example", "ams1", "root-like", "AMS"},
        {"mad1f.f.root-servers.org", "mad1f", "f-root", "MAD"},
    };
    check_table(rules, std::begin(cases), std::end(cases));
    BOOST_TEST(rules.match("ams1.root.example")->operator_name == "Example Root");
}

BOOST_AUTO_TEST_CASE(add_identity_rejects_conflicts_and_bad_codes) {
    SiteRules rules;
    rules.add_identity("a.example", "ams1");
    rules.add_identity("A.EXAMPLE", "ams1");  // same mapping again is fine
    BOOST_TEST(message_of([&] { rules.add_identity("a.Example", "iad1"); }) ==
               "identity 'a.Example' is given for both sites ams1 and iad1");
    BOOST_TEST(message_of([&] { rules.add_identity("b", "no good"); }) ==
               "'no good' is not a site code ([a-z0-9][a-z0-9_-]*)");
}

BOOST_AUTO_TEST_CASE(operator_regexes_in_order) {
    SiteRules rules;
    rules.add_regex(R"(^anycast-(?<site>[a-z]{3}\d)\.)");
    rules.add_regex(R"(^node(\d+)\.(?:lab|prod)\.(?P<site>\w+)$)");
    rules.add_regex(R"(^pop-(\w+)$)");          // no name: group 1
    rules.add_regex(R"(^[a-z]{3}9$)");          // no group: whole match
    rules.add_regex(R"(^weird-(?<site>.*)$)");  // yields no site code: falls through
    const Expected cases[] = {
        {"anycast-ams3.example.net", "ams3", "site-regex #1", "AMS"},
        {"ANYCAST-LHR1.example.net", "lhr1", "site-regex #1", "LHR"},
        {"node12.prod.Singapore", "singapore", "site-regex #2"},
        {"pop-zrh7", "zrh7", "site-regex #3", "ZRH"},
        {"fra9", "fra9", "site-regex #4", "FRA"},
        {"weird-with space", nullptr, nullptr},
        {"weird-ams1", "ams1", "site-regex #5", "AMS"},
    };
    check_table(rules, std::begin(cases), std::end(cases));
}

BOOST_AUTO_TEST_CASE(bad_regexes_name_the_pattern) {
    const char* bad[] = {"(?<site>x", "[a-", "x\\", "(?<=a)b"};
    for (const char* pattern : bad) {
        BOOST_TEST_CONTEXT(pattern) {
            SiteRules rules;
            const std::string message = message_of([&] { rules.add_regex(pattern); });
            BOOST_TEST(message.starts_with("--site-regex: '" + std::string(pattern) + "'"), message);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_rules_file_places_only_when_sure) {
    const auto set = parse_rules_text(test_rules, "test rules");
    BOOST_TEST(set.rules.size() == 3u);
    BOOST_TEST(set.rules[1].origin == "test rules:7");
    SiteRules rules;
    rules.add_rule_set(set);
    const Expected cases[] = {
        {"de-fra.cc.example", "de-fra", "country-city", "FRA"},
        {"us-fra.cc.example", "us-fra", "country-city"},  // FRA is in DE
        {"fr-lio.cc.example", "fr-lio", "country-city", "LYS"},
        {"x-res-lhr", "lhr", "token", "LHR"},
        {"res-res", nullptr, nullptr},
    };
    check_table(rules, std::begin(cases), std::end(cases));
}

BOOST_AUTO_TEST_CASE(bad_rules_files_say_which_line_and_why) {
    struct Case {
        const char* text;
        const char* message;
    };
    const Case cases[] = {
        {"bogus x", "t line 1: unknown keyword 'bogus'"},
        {"match x", "t line 1: 'match' outside a rule"},
        {"rule a\n  match (?<site>x)\n", "t line 1: rule 'a' has no example"},
        {"rule a\n  example x -> x none\n", "t line 1: rule 'a' has no match line"},
        {"rule a\n  match x\n", "t line 2: the pattern of rule 'a' has no (?<site>...) group"},
        {"rule a\n  match (?<site>[\n", "t line 2: match: '^(?:(?<site>[)$' is not a valid regex"},
        {"rule A\n", "t line 1: rule name 'A' is not"},
        {"rule a\n  match (?<site>x)\n  example x -> y none\n",
         "t line 3: rule 'a' gives site x location none"},
        {"rule a\n  match (?<site>x)\n  example x -> x\n", "t line 3: an example's result is"},
        {"rule a\n  match (?<site>x)\n  example x\n", "t line 3: an example is"},
        {"rule a\n  match (?<site>x)\n  scope word\n", "t line 3: scope 'word'"},
        {"rule a\n  match (?<site>x)\n  require site\n",
         "t line 3: 'require' takes 'location' or 'large-airport'"},
        {"rule a\n  match (?<site>x)\n  places p\n  example x -> x none\n", "t line 3: places table 'p'"},
        {"place p x ZZZ\n", "t line 1: 'ZZZ' is not an upper-case code in the airport table"},
        {"place p x AMS\nplace p x AMS\n", "t line 2: place 'x' is listed twice"},
        {"rule a\n  match (?<site>x)\n  example x -> x none\nrule a\n",
         "t line 4: rule 'a' is defined twice"},
        {"country-alias uk GB\n", "t line 1: a country alias is"},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.text) {
            const std::string message = message_of([&] { parse_rules_text(c.text, "t"); });
            BOOST_TEST(message.starts_with(c.message), message);
        }
    }
}

BOOST_AUTO_TEST_CASE(missing_rules_files_are_named) {
    SiteRules rules;
    const std::string message = message_of([&] { rules.add_rules_file("/nonexistent/rules.conf"); });
    BOOST_TEST(message == "--rules-file /nonexistent/rules.conf: No such file or directory");
    BOOST_TEST(message_of([&] { rules.add_rules_file("/dev/null"); }).find("not a regular file") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(iata_of_site_codes) {
    struct Case {
        const char* code;
        std::optional<std::string> iata;
    };
    const Case cases[] = {
        {"ams1", "AMS"},        {"lax1a", "LAX"},     {"fra", "FRA"},         {"FRA", "FRA"},
        {"iad-2", "IAD"},       {"sin_b", "SIN"},     {"lon1", std::nullopt}, {"site7", std::nullopt},
        {"amsx", std::nullopt}, {"am", std::nullopt}, {"", std::nullopt},     {"1ams", std::nullopt},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.code) {
            BOOST_TEST((iata_of_site(c.code) == c.iata));
        }
    }
}

BOOST_AUTO_TEST_CASE(site_code_syntax) {
    BOOST_TEST(is_site_code("ams1"));
    BOOST_TEST(is_site_code("0a_b-c"));
    BOOST_TEST(!is_site_code(""));
    BOOST_TEST(!is_site_code("-ams"));
    BOOST_TEST(!is_site_code("AMS"));
    BOOST_TEST(!is_site_code(std::string(64, 'a')));
}

BOOST_AUTO_TEST_SUITE_END()
