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

BOOST_AUTO_TEST_CASE(the_copy_beside_the_tests_is_the_shipped_file) {
    // The build copies data/site-rules.conf beside the checks and the tests; a stale copy would
    // test rules nobody ships.
    const std::string beside = anycast::sites::shipped_rules_path();
    BOOST_TEST(beside != anycast::sites::installed_rules_path());
    BOOST_TEST(anycast::plugin::read_input_file(beside, "copy") ==
               anycast::plugin::read_input_file(source_dir + "/data/site-rules.conf", "source"));
}

BOOST_AUTO_TEST_SUITE_END()
