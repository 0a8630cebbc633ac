#pragma once
// The instance that answered: who it says it is, which site that names, and where that site is.
// Built by one function (SiteMap::place) and described by one (add_instance_facts for JSON and -v,
// describe_instance for text), so every check prints and emits the same facts; a new field is one
// edit here.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "identity/identity.hpp"
#include "plugin/result.hpp"
#include "sites/geo.hpp"
#include "sites/site_rules.hpp"
#include "sites/sites_file.hpp"

namespace anycast::checks {

struct Instance {
    std::optional<std::string> identity;  // escaped and bounded: safe to print
    std::optional<identity::Method> method;
    bool hidden = false;                      // the server refuses to say
    std::vector<identity::Attempt> attempts;  // what every method said
    // Two levels of place: the site ("mad1f", "ams1") and its location, an IATA code ("MAD") or a
    // sites file's loc= as written, with coordinates when known.
    std::optional<std::string> site;
    std::optional<std::string> location;
    std::optional<sites::GeoPoint> coordinates;
    std::string rule;           // what named the site: "sites file", "site-regex #1", a built-in rule
    std::string operator_name;  // whose naming scheme matched; empty when generic

    // "ams1 (nsid)", "hidden" or "unknown".
    std::string identity_text() const;
    // "nsid", "hostname.bind", ..., "hidden" or "none".
    std::string method_text() const;
};

// Identity -> site -> location. Sites (from --site and --sites-file) win: an egress address listed
// for a site (who-am-I answers), then identity= (exact), then --site-regex, then the built-in
// rules; a site's loc= wins over the rules' location. Nothing here guesses a place: the location
// is the rules' or the sites file's, or none.
class SiteMap {
public:
    SiteMap() = default;
    // The sites file's identity map, then --site-regex, then each --rules-file, then the shipped
    // rules (sites::shipped_rules_path). Throws anycast::InputError naming a rules file that cannot
    // be read or is not valid, the shipped one included.
    SiteMap(std::vector<sites::SiteEntry> site_list, const std::vector<std::string>& site_regexes,
            const std::vector<std::string>& rules_files = {});

    Instance place(const identity::Identity& identity) const;
    const std::vector<sites::SiteEntry>& sites() const { return sites_; }
    const sites::SiteEntry* find_site(std::string_view code) const;  // nullptr when not listed

private:
    sites::SiteRules rules_;
    std::vector<sites::SiteEntry> sites_;
};

// The facts of an instance: identity, identity_method, identity_<method> (each attempt), site,
// site_rule, site_operator, location, latitude, longitude (each only when known).
void add_instance_facts(const Instance& instance, plugin::Subcheck& check);

// "site mad1f (MAD; identity mad1f.f.root-servers.org (nsid), rule: root-servers.org)", or
// "identity resolver-x (nsid), no site recognised".
std::string describe_instance(const Instance& instance);

// "mad1f" or "unknown site".
std::string site_text(const Instance& instance);

// Who answered, in a word for the status line: the site, else the identity, else "identity hidden"
// or "identity unknown".
std::string answerer_text(const Instance& instance);

// What to add so that an instance can be placed, for the status line of a check that was asked
// where it is and cannot tell: "identity resolver-x names no known site: add a rule ...".
enum class Answerer { server, resolver };
std::string placement_hint(const Instance& instance, Answerer answerer);

}  // namespace anycast::checks
