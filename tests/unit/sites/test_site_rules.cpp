#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>

#include "plugin/error.hpp"
#include "sites/site_rules.hpp"

using anycast::InputError;
using anycast::sites::iata_of_site;
using anycast::sites::is_site_code;
using anycast::sites::match_builtin_rules;
using anycast::sites::SiteRules;
using anycast::sites::translate_site_regex;

namespace {

struct Expected {
    const char* identity;
    const char* site;  // nullptr: no match
    const char* rule;
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

}  // namespace

BOOST_AUTO_TEST_SUITE(site_rules)

BOOST_AUTO_TEST_CASE(builtin_rules_on_identities_seen_in_the_wild) {
    const Expected cases[] = {
        {"ams1", "ams1", "airport code"},
        {"LHR1", "lhr1", "airport code"},
        {"KUL", "kul", "airport code"},
        {"lax1a", "lax1a", "airport code"},
        {"p03.lhr.eroot", "lhr", "airport code"},
        {"ns1.nl-ams.k.ripe.net", "ams", "country-city"},
        {"ns2.de-fra.k.ripe.net", "fra", "country-city"},
        {"aa.gb-lon.l.root", "lon", "country-city"},
        {"gpdns-ams", "ams", "airport code"},
        {"res200.vie.rrdns.pch.net", "vie", "rrdns.pch.net"},
        {"res100.ams.rrdns.pch.net", "ams", "rrdns.pch.net"},
        {"lax1a.c.root-servers.org", "lax1a", "root-servers.org"},
        {"ams1b.f.root-servers.org", "ams1b", "root-servers.org"},
        {"s1.ams.example.net", "ams", "airport code"},
        {"fra-res1", "fra", "airport code"},
        {"nsd-ams-01.example.net", "ams", "airport code"},
        {"rootns-lax1", "lax1", "airport code"},
        {"M-NRT-dixie-1", "nrt", "airport code"},
        {"b1-lax", "lax", "airport code"},
        {"  AMS\n", "ams", "airport code"},
        {"ams1.example.net.", "ams1", "airport code"},
        {"lon2", "lon2", "airport code"},  // metropolitan code
        {"ns1.example.net", nullptr, nullptr},
        {"unbound", nullptr, nullptr},
        {"", nullptr, nullptr},
        {"   ", nullptr, nullptr},
        {"res200", nullptr, nullptr},  // RES is an airport, but here a resolver number
        {"int-rec-01", nullptr, nullptr},
        {"dns.google", nullptr, nullptr},
        {"ams1234", nullptr, nullptr},  // too many digits for a site token
        {"amsterdam", nullptr, nullptr},
        {"xyz1", nullptr, nullptr},             // not an airport
        {"ns1.example.ams", nullptr, nullptr},  // a top-level label is not a site
        {"ams\x01", nullptr, nullptr},
    };
    check_table(SiteRules{}, std::begin(cases), std::end(cases));
}

BOOST_AUTO_TEST_CASE(long_identities_match_nothing_builtin) {
    BOOST_TEST(!match_builtin_rules("ams1." + std::string(300, 'a')));
}

BOOST_AUTO_TEST_CASE(explicit_map_wins_and_ignores_case) {
    SiteRules rules;
    rules.add_identity("nsd-ams-01.example.net", "ams1");
    rules.add_identity("Weird Server 7", "IAD1");
    rules.add_regex("^(?<site>[a-z]+)-special$");
    const Expected cases[] = {
        {"nsd-ams-01.example.net", "ams1", "sites file"}, {"NSD-AMS-01.EXAMPLE.NET", "ams1", "sites file"},
        {"weird server 7", "iad1", "sites file"},         {"nsd-ams-02.example.net", "ams", "airport code"},
        {"lhr-special", "lhr", "site-regex #1"},
    };
    check_table(rules, std::begin(cases), std::end(cases));
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

BOOST_AUTO_TEST_CASE(operator_regexes_in_order_before_builtins) {
    SiteRules rules;
    rules.add_regex(R"(^anycast-(?<site>[a-z]{3}\d)\.)");
    rules.add_regex(R"(^node(\d+)\.(?:lab|prod)\.(?P<site>\w+)$)");
    rules.add_regex(R"(^pop-(\w+)$)");          // no name: group 1
    rules.add_regex(R"(^[a-z]{3}9$)");          // no group: whole match
    rules.add_regex(R"(^weird-(?<site>.*)$)");  // yields no site code: falls through
    const Expected cases[] = {
        {"anycast-ams3.example.net", "ams3", "site-regex #1"},
        {"ANYCAST-LHR1.example.net", "lhr1", "site-regex #1"},
        {"node12.prod.Singapore", "singapore", "site-regex #2"},
        {"pop-zrh7", "zrh7", "site-regex #3"},
        {"fra9", "fra9", "site-regex #4"},
        {"weird-with space", nullptr, nullptr},
        {"weird-ams1", "ams1", "site-regex #5"},
        {"s1.ams.example.net", "ams", "airport code"},
    };
    check_table(rules, std::begin(cases), std::end(cases));
}

BOOST_AUTO_TEST_CASE(regex_translation_counts_groups) {
    struct Case {
        const char* pattern;
        const char* ecmascript;
        std::size_t group;
    };
    const Case cases[] = {
        {"(?<site>x)", "(x)", 1},
        {"(a)(?<site>x)", "(a)(x)", 2},
        {"(?:a)(?<site>x)", "(?:a)(x)", 1},
        {"(?=a)(?!b)(?<site>x)", "(?=a)(?!b)(x)", 1},
        {R"(\((?<site>x))", R"(\((x))", 1},
        {"[(](?<site>x)", "[(](x)", 1},
        {R"([\](](?<site>x))", R"([\](](x))", 1},
        {"[](a)", "[](a)", 1},  // ECMAScript: [] is an empty class, so (a) is group 1
        {"(?<host>h)-(?P<site>x)", "(h)-(x)", 2},
        {"(a)(b)", "(a)(b)", 1},
        {"abc", "abc", 0},
        {R"(x\)", R"(x\)", 0},  // trailing backslash copied for std::regex to reject
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.pattern) {
            const auto translated = translate_site_regex(c.pattern);
            BOOST_TEST(translated.ecmascript == c.ecmascript);
            BOOST_TEST(translated.site_group == c.group);
        }
    }
}

BOOST_AUTO_TEST_CASE(bad_regexes_name_the_pattern) {
    const char* bad[] = {"(?<site>x", "[a-", "(?<site>a)(?<site>b)", "x\\", "(?<=a)b", "(?<site"};
    for (const char* pattern : bad) {
        BOOST_TEST_CONTEXT(pattern) {
            SiteRules rules;
            const std::string message = message_of([&] { rules.add_regex(pattern); });
            BOOST_TEST(message.starts_with("--site-regex '" + std::string(pattern) + "'"), message);
        }
    }
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
    BOOST_TEST(!is_site_code("Ams"));
    BOOST_TEST(!is_site_code("am s"));
    BOOST_TEST(!is_site_code(std::string(64, 'a')));
    BOOST_TEST(is_site_code(std::string(63, 'a')));
}

BOOST_AUTO_TEST_SUITE_END()
