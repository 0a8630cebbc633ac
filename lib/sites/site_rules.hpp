#pragma once
// Which site a server identity (NSID, hostname.bind, id.server) names, and where that site is.
// Operators' naming schemes are data, not code: a rules file (data/site-rules.conf, installed as
// /usr/share/anycast-checks/site-rules.conf) holds one rule per scheme with its examples, and the
// engine here only reads it. docs/site-rules.md describes the format.
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "plugin/regex.hpp"

namespace anycast::sites {

// Which site a server identity names, and which rule said so (shown to the operator, e.g.
// "site lax1a (rule: c-root)").
struct SiteMatch {
    std::string site;  // a site code (see is_site_code), lower case: "mad1f", "ams1", "fra3"
    std::string rule;  // "sites file", "site-regex #2", or the name of a rule in a rules file
    // The place of the site: an IATA metropolitan or airport code, upper case ("MAD"), set only
    // when the rule is sure of it (a wrong place is worse than none). Coordinates come from the
    // airport table or the sites file's loc=.
    std::optional<std::string> location{};
    std::string operator_name{};  // whose naming scheme matched: "F-root (ISC)"; empty when generic
};

// A site code: [a-z0-9][a-z0-9_-]*, at most 63 characters. Everything a rule returns is one, so
// text taken from the network can go into output as it is.
bool is_site_code(std::string_view code);

// Where a rule looks: the whole identity, each of its dot-separated labels (the last one of a
// dotted name left out: it is a top-level domain), or each '-'-separated part of those labels.
// Labels and parts are tried left to right; the first that yields a site wins.
enum class RuleScope { identity, label, part };

// "example IDENTITY -> SITE LOCATION|none" or "example IDENTITY -> no match" in a rules file.
struct RuleExample {
    std::string identity;
    std::optional<std::string> site;      // nullopt: the rule must not match
    std::optional<std::string> location;  // upper case; nullopt: "none"
    std::size_t line = 0;
};

// One naming scheme. The pattern must match the whole of what the scope gives it (the identity
// lower-cased, trimmed, without a trailing dot). Named groups: site (required), location (a
// candidate IATA code), cc (an ISO 3166 country code the location's airport must be in), code
// (the key looked up in the places table; default: the site).
struct NamingRule {
    std::string name;           // unique within a file: "f-root", "quad9"
    std::string operator_name;  // "F-root (ISC)"; empty for generic forms
    // Compiled when an identity first gets past its prefilter: most rules of a run never are.
    plugin::LazyRegex pattern;
    RuleScope scope = RuleScope::identity;
    std::string places;                // name of a places table in the same file, or empty
    bool require_location = false;     // no place, no match: for generic forms that guess
    bool large_airports_only = false;  // the location group places only at a large airport
    std::vector<RuleExample> examples;
    std::string origin;  // "PATH:LINE" of the rule's first line
};

// A parsed rules file: its rules in order, its places tables and the words that are never places.
struct RuleSet {
    std::string origin;  // the path, or a label such as "shipped rules"
    std::vector<NamingRule> rules;
    // table -> instance code -> IATA code (nullopt: the operator's site is known, but is in no
    // town the airport table can stand for, so it is not placed)
    std::map<std::string, std::map<std::string, std::optional<std::string>, std::less<>>, std::less<>> places;
    std::set<std::string, std::less<>> not_places;  // "res", "int": airport codes that are hostname words
    std::map<std::string, std::string, std::less<>> country_aliases;  // "UK" -> "GB", upper case
};

// Parses a rules file's text (format: docs/site-rules.md). Throws anycast::InputError
// "ORIGIN line N: WHAT" on the first line that is not valid, and for any example of a rule that
// the rule does not reproduce (so a file's own examples prove it before it is used).
// The shipped file skips that proof at run time (ExampleCheck::skip): its examples, and that its
// places are in the airport table, are proved by tests/unit/sites/test_site_corpus.cpp, and every
// check would otherwise pay for it at start-up.
// With the proof, every pattern is compiled at once (an invalid one fails the load); without it,
// a pattern is compiled when an identity first needs it, and an invalid one throws the same
// InputError then.
enum class ExampleCheck { run, skip };
RuleSet parse_rules_text(std::string_view text, const std::string& origin,
                         ExampleCheck examples = ExampleCheck::run);

// Reads (plugin::read_input_file) and parses a rules file; `what` names it in errors.
RuleSet load_rules_file(const std::string& path, const std::string& what = "rules file");

// The identity as rules see it: trimmed of spaces and quotes, without a trailing dot, lower case;
// nullopt when empty or longer than 255 characters (no hostname is).
std::optional<std::string> normalise_identity(std::string_view identity);

// Applies one rule of `set` to a normalised identity.
std::optional<SiteMatch> match_rule(const RuleSet& set, const NamingRule& rule, std::string_view identity);

// Applies the rules of `set` in order; the first that yields a site wins.
std::optional<SiteMatch> match_rules(const RuleSet& set, std::string_view identity);

// Where the shipped rules are: `site-rules.conf` next to the running executable when there is
// one (the build tree puts a copy beside the checks and the tests), else the installed path
// compiled in (ANYCAST_SITE_RULES_INSTALLED, e.g. /usr/share/anycast-checks/site-rules.conf).
std::string shipped_rules_path();
// The installed path compiled in.
std::string installed_rules_path();

// Turns an untrusted server identity into a site code. Rules are tried in this order, the first
// that yields a site code wins:
//   1. the explicit map (identity= in the sites file): exact, case-insensitive match;
//   2. the operator's --site-regex patterns, in the order given;
//   3. the rules files added (--rules-file), in the order given, then the shipped rules.
class SiteRules {
public:
    // Maps one identity to a site (case-insensitive, exact). Throws anycast::InputError if the site
    // is not a site code or the identity is already mapped to another site.
    void add_identity(std::string_view identity, std::string_view site);

    // Adds an operator pattern (RE2 syntax, matched case-insensitively anywhere in the identity).
    // The site is the named group (?<site>...) (also accepted: (?P<site>...)); without one, group
    // 1; without any group, the whole match. Its location is the site code's airport
    // (iata_of_site). Throws anycast::InputError naming the pattern if it does not compile.
    void add_regex(std::string_view pattern);

    // Reads a rules file (load_rules_file) and tries its rules after those added before it.
    void add_rules_file(const std::string& path);
    // Adds the shipped rules (shipped_rules_path). Throws anycast::InputError naming the path
    // when the file is missing or broken: a check without its rules cannot place anything.
    void add_shipped_rules();
    // Adds rules already parsed (tests, fuzzing).
    void add_rule_set(RuleSet set);

    std::optional<SiteMatch> match(std::string_view identity) const;

private:
    std::unordered_map<std::string, std::string> explicit_sites_;  // lower-case identity -> site
    std::vector<plugin::Regex> regexes_;
    std::vector<std::shared_ptr<const RuleSet>> rule_sets_;
};

// The IATA airport code a site code refers to, upper case: its first three letters, when they
// are followed by nothing, a digit, '-' or '_' and are in the airport table.
// ams1 -> AMS, lax1a -> LAX, fra -> FRA; lon1 (metropolitan code) and site7 -> nullopt.
std::optional<std::string> iata_of_site(std::string_view code);

}  // namespace anycast::sites
