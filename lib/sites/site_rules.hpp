#pragma once
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace anycast::sites {

// Which site a server identity names, and which rule said so (shown to the operator, e.g.
// "site lax1a (rule: root-servers.org)").
struct SiteMatch {
    std::string site;  // a site code (see is_site_code), lower case: "mad1f", "ams1", "fra3"
    std::string rule;  // "sites file", "site-regex #2", or a built-in rule's name below
    // The place of the site: an IATA metropolitan or airport code, upper case ("MAD"), set only
    // when the rule is sure of it (a wrong place is worse than none). Coordinates come from the
    // airport table or the sites file's loc=.
    std::optional<std::string> location{};
    std::string operator_name{};  // whose naming scheme matched: "F-root (ISC)"; empty when generic
};

// A site code: [a-z0-9][a-z0-9_-]*, at most 63 characters. Everything a rule returns is one, so
// text taken from the network can go into output as it is.
bool is_site_code(std::string_view code);

// Turns an untrusted server identity (NSID, hostname.bind, id.server) into a site code.
// Rules are tried in this order, the first that yields a site code wins:
//   1. the explicit map (identity= in the sites file): exact, case-insensitive match;
//   2. the operator's --site-regex patterns, in the order given;
//   3. the built-in rules (match_builtin_rules).
class SiteRules {
public:
    // Maps one identity to a site (case-insensitive, exact). Throws anycast::InputError if the site
    // is not a site code or the identity is already mapped to another site.
    void add_identity(std::string_view identity, std::string_view site);

    // Adds an operator pattern (ECMAScript syntax, matched case-insensitively anywhere in the
    // identity). The site is the named group (?<site>...) (also accepted: (?P<site>...)); without
    // one, group 1; without any group, the whole match. Throws anycast::InputError naming the
    // pattern if it does not compile or names the site group twice.
    void add_regex(std::string_view pattern);

    std::optional<SiteMatch> match(std::string_view identity) const;

private:
    struct OperatorRegex;                                          // keeps <regex> out of every includer
    std::unordered_map<std::string, std::string> explicit_sites_;  // lower-case identity -> site
    std::vector<std::shared_ptr<const OperatorRegex>> regexes_;
};

// The built-in rules, for identity forms seen in the wild. The identity is lower-cased, stripped
// of surrounding spaces and a trailing dot; identities longer than 255 characters match nothing.
// A "site token" is three letters that are an IATA airport code (or an IATA metropolitan code
// such as lon, nyc, par, tyo) optionally followed by 1-3 digits and one letter: ams, ams1, lax1a.
// Airport codes that are also common hostname words (res, rec, int, ext, pri, api, pub, all, new,
// top, max, var) are not site tokens. The rules, in order:
//   "root-servers.org": first label of <label>.<letter>.root-servers.org
//                       (lax1a.c.root-servers.org -> lax1a, ams1b.f.root-servers.org -> ams1b)
//   "rrdns.pch.net":    label before rrdns.pch.net (res200.vie.rrdns.pch.net -> vie; the first
//                       label is the server, not the site)
//   "country-city":     a label <cc>-<site token>, cc two letters (ns1.nl-ams.k.ripe.net -> ams,
//                       aa.gb-lon.l.root -> lon)
//   "airport code":     the first site token among the labels (split on '.') and their parts
//                       (split on '-'), leaving out the top-level label of a dotted name:
//                       ams1 -> ams1, LHR1 -> lhr1, KUL -> kul, p03.lhr.eroot -> lhr,
//                       gpdns-ams -> ams, s1.ams.example.net -> ams, fra-res1 -> fra,
//                       nsd-ams-01.example.net -> ams.
std::optional<SiteMatch> match_builtin_rules(std::string_view identity);

// The IATA airport code a site code refers to, upper case: its first three letters, when they
// are followed by nothing, a digit, '-' or '_' and are in the airport table.
// ams1 -> AMS, lax1a -> LAX, fra -> FRA; lon1 (metropolitan code) and site7 -> nullopt.
std::optional<std::string> iata_of_site(std::string_view code);

// --site-regex patterns translated for std::regex, which has no named groups.
struct TranslatedRegex {
    std::string ecmascript;  // the pattern with (?<name> and (?P<name> turned into plain groups
    std::size_t site_group;  // group holding the site (0 = whole match)
};

// Translates named groups into plain capturing groups and finds the site group's number,
// skipping escaped characters, character classes and non-capturing groups ((?:, (?=, (?!).
// Example: "^(?:ns\d+)-(\w)-(?<site>[a-z]+)" -> "^(?:ns\d+)-(\w)-([a-z]+)", group 2.
// Throws anycast::InputError if the site group is named twice.
TranslatedRegex translate_site_regex(std::string_view pattern);

}  // namespace anycast::sites
