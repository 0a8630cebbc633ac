// The shipped rules (data/site-rules.conf) against real identities (tests/corpus/identities.tsv)
// and against their own examples, through the whole engine as a check would use it.
#include <boost/test/unit_test.hpp>

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "plugin/file.hpp"
#include "sites/site_rules.hpp"

using anycast::sites::load_rules_file;
using anycast::sites::match_rule;
using anycast::sites::normalise_identity;
using anycast::sites::RuleSet;
using anycast::sites::SiteRules;

namespace {

const std::string source_dir = ANYCAST_SOURCE_DIR;

struct CorpusLine {
    std::string identity, operator_name, site, location, source;
    std::size_t line;
};

std::vector<CorpusLine> read_corpus() {
    const std::string text =
        anycast::plugin::read_input_file(source_dir + "/tests/corpus/identities.tsv", "corpus");
    std::vector<CorpusLine> lines;
    std::istringstream in(text);
    std::string line;
    for (std::size_t number = 1; std::getline(in, line); ++number) {
        if (line.empty() || line.front() == '#') {
            continue;
        }
        std::vector<std::string> fields;
        std::istringstream split(line);
        for (std::string field; std::getline(split, field, '\t');) {
            fields.push_back(field);
        }
        BOOST_REQUIRE_MESSAGE(fields.size() == 5, "corpus line " << number << " has not 5 fields");
        lines.push_back({fields[0], fields[1], fields[2], fields[3], fields[4], number});
    }
    return lines;
}

SiteRules shipped_from_source() {
    SiteRules rules;
    rules.add_rule_set(load_rules_file(source_dir + "/data/site-rules.conf"));
    return rules;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(site_corpus)

BOOST_AUTO_TEST_CASE(every_real_identity_gets_its_site_and_true_place_or_none) {
    const auto corpus = read_corpus();
    const SiteRules rules = shipped_from_source();
    std::size_t placed = 0;
    std::set<std::string> operators;
    for (const CorpusLine& c : corpus) {
        BOOST_TEST_CONTEXT("corpus line " << c.line << ": '" << c.identity << "'") {
            BOOST_TEST(!c.source.empty());
            operators.insert(c.operator_name);
            const auto found = rules.match(c.identity);
            BOOST_TEST((found ? found->site : std::string("-")) == c.site);
            const std::string location = found && found->location ? *found->location : "none";
            BOOST_TEST(location == c.location);
            placed += location != "none" && location == c.location ? 1 : 0;
        }
    }
    BOOST_TEST_MESSAGE("corpus: " << corpus.size() << " identities from " << operators.size()
                                  << " operators, " << placed
                                  << " placed correctly, the rest correctly not placed");
    BOOST_TEST(corpus.size() >= 150u);
    BOOST_TEST(operators.size() >= 25u);
}

BOOST_AUTO_TEST_CASE(every_rule_has_examples_and_the_whole_engine_agrees_with_them) {
    const RuleSet set = load_rules_file(source_dir + "/data/site-rules.conf");
    SiteRules rules;
    rules.add_rule_set(set);
    BOOST_TEST(set.rules.size() >= 25u);
    for (const auto& rule : set.rules) {
        BOOST_TEST_CONTEXT("rule " << rule.name << " (" << rule.origin << ")") {
            BOOST_TEST(!rule.examples.empty());
            for (const auto& example : rule.examples) {
                const auto alone = match_rule(set, rule, normalise_identity(example.identity).value_or(""));
                BOOST_TEST((alone ? alone->site : std::string("-")) == example.site.value_or("-"));
                if (!example.site) {
                    continue;
                }
                // An earlier rule must not take the example: that rule would shadow this one.
                const auto found = rules.match(example.identity);
                BOOST_REQUIRE(found);
                BOOST_TEST(found->rule == rule.name);
                BOOST_TEST(found->location.value_or("none") == example.location.value_or("none"));
            }
        }
    }
}

// What a rule of any scope may be tried on: the identity, its labels, their '-' parts.
std::vector<std::string> all_candidates(const std::string& identity) {
    std::vector<std::string> out{identity};
    std::istringstream labels(identity);
    for (std::string label; std::getline(labels, label, '.');) {
        out.push_back(label);
        std::istringstream parts(label);
        for (std::string part; std::getline(parts, part, '-');) {
            out.push_back(part);
        }
    }
    return out;
}

BOOST_AUTO_TEST_CASE(no_prefilter_rules_out_an_identity_its_rule_matches) {
    // The checks compile a rule only when its prefilter lets a candidate through (start-up,
    // docs/benchmarks.md): a prefilter that said no to a match would lose a site. Every corpus
    // identity and every example, as the whole and in each part, against every rule.
    const RuleSet set = load_rules_file(source_dir + "/data/site-rules.conf");
    std::vector<std::string> identities;
    for (const CorpusLine& c : read_corpus()) {
        identities.push_back(c.identity);
    }
    for (const auto& rule : set.rules) {
        for (const auto& example : rule.examples) {
            identities.push_back(example.identity);
        }
    }
    std::size_t matched = 0;
    std::size_t spared = 0;
    for (const std::string& identity : identities) {
        for (const std::string& candidate : all_candidates(normalise_identity(identity).value_or(""))) {
            for (const auto& rule : set.rules) {
                const bool may = rule.pattern.may_full_match(candidate);
                if (rule.pattern.get().full_match(candidate)) {
                    ++matched;
                    BOOST_TEST(may, "rule " << rule.name << " matches '" << candidate << "' of '" << identity
                                            << "' but its prefilter said no");
                }
                spared += may ? 0 : 1;
            }
        }
    }
    BOOST_TEST(matched > 300u);
    BOOST_TEST(spared > matched * 10);
}

BOOST_AUTO_TEST_CASE(a_check_compiles_only_the_rules_an_identity_needs) {
    // As the checks load the shipped file: nothing compiled until an identity is placed, and then
    // only the rules whose prefilter it passes.
    const std::string text = anycast::plugin::read_input_file(source_dir + "/data/site-rules.conf", "rules");
    const RuleSet set = anycast::sites::parse_rules_text(text, "shipped", anycast::sites::ExampleCheck::skip);
    const auto compiled = [&] {
        std::vector<std::string> names;
        for (const auto& rule : set.rules) {
            if (rule.pattern.compiled()) {
                names.push_back(rule.name);
            }
        }
        return names;
    };
    BOOST_TEST(compiled().empty());
    BOOST_TEST(!anycast::sites::match_rules(set, "bench"));  // the bench's NSD: no site
    BOOST_TEST(compiled() == std::vector<std::string>{"airport-code"});
    const auto f_root = anycast::sites::match_rules(set, "mad1f.f.root-servers.org");
    BOOST_REQUIRE(f_root);
    BOOST_TEST(f_root->site == "mad1f");
    BOOST_TEST((compiled() == std::vector<std::string>{"f-root", "airport-code"}));
}

BOOST_AUTO_TEST_CASE(the_copy_beside_the_tests_is_the_shipped_file) {
    // The build copies data/site-rules.conf beside the checks and the tests; a stale copy would
    // test rules nobody ships.
    const std::string beside = anycast::sites::shipped_rules_path();
    BOOST_TEST(beside != anycast::sites::installed_rules_path());
    BOOST_TEST(anycast::plugin::read_input_file(beside, "copy") ==
               anycast::plugin::read_input_file(source_dir + "/data/site-rules.conf", "source"));
}

BOOST_AUTO_TEST_SUITE_END()
