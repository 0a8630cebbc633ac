#include "checks/instance.hpp"

#include <algorithm>

#include "sites/airports.hpp"

namespace anycast::checks {

std::string Instance::identity_text() const {
    if (identity) {
        return *identity + " (" +
               std::string(identity::method_name(method.value_or(identity::Method::nsid))) + ")";
    }
    return hidden ? "hidden" : "unknown";
}

std::string Instance::method_text() const {
    if (identity && method) {
        return std::string(identity::method_name(*method));
    }
    return hidden ? "hidden" : "none";
}

SiteMap::SiteMap(std::vector<sites::SiteEntry> site_list, const std::vector<std::string>& site_regexes,
                 const std::vector<std::string>& rules_files)
    : sites_(std::move(site_list)) {
    sites::add_site_identities(rules_, sites_);
    for (const std::string& pattern : site_regexes) {
        rules_.add_regex(pattern);
    }
    for (const std::string& path : rules_files) {
        rules_.add_rules_file(path);
    }
    rules_.add_shipped_rules();
}

const sites::SiteEntry* SiteMap::find_site(std::string_view code) const {
    const auto entry = std::find_if(sites_.begin(), sites_.end(),
                                    [&](const sites::SiteEntry& site) { return site.code == code; });
    return entry == sites_.end() ? nullptr : &*entry;
}

Instance SiteMap::place(const identity::Identity& identity) const {
    Instance instance;
    instance.identity = identity.value;
    instance.method = identity.method;
    instance.hidden = identity.hidden;
    instance.attempts = identity.attempts;
    if (!identity.value) {
        return instance;
    }
    // An egress address from a who-am-I name maps through the sites' addresses.
    for (const sites::SiteEntry& entry : sites_) {
        if (std::find(entry.addresses.begin(), entry.addresses.end(), *identity.value) !=
            entry.addresses.end()) {
            instance.site = entry.code;
            instance.rule = "sites file address";
        }
    }
    if (!instance.site) {
        if (auto match = rules_.match(*identity.value)) {
            instance.site = match->site;
            instance.rule = match->rule;
            instance.operator_name = match->operator_name;
            instance.location = match->location;
        }
    }
    if (!instance.site) {
        return instance;
    }
    if (const sites::SiteEntry* entry = find_site(*instance.site); entry && entry->location) {
        instance.coordinates = entry->location;
        instance.location = entry->location_text;
        return instance;
    }
    if (instance.location) {
        if (auto airport = sites::find_airport(*instance.location)) {
            instance.coordinates = airport->location;
        }
    }
    return instance;
}

void add_instance_facts(const Instance& instance, plugin::Subcheck& check) {
    if (instance.identity) {
        check.set_fact("identity", *instance.identity);
    }
    check.set_fact("identity_method", instance.method_text());
    for (const identity::Attempt& attempt : instance.attempts) {
        check.set_fact(attempt.fact_key(), attempt.outcome);
    }
    if (instance.site) {
        check.set_fact("site", *instance.site);
        check.set_fact("site_rule", instance.rule);
        if (!instance.operator_name.empty()) {
            check.set_fact("site_operator", instance.operator_name);
        }
    }
    if (instance.location) {
        check.set_fact("location", *instance.location);
    }
    if (instance.coordinates) {
        check.set_fact("latitude", instance.coordinates->latitude_deg);
        check.set_fact("longitude", instance.coordinates->longitude_deg);
    }
}

std::string describe_instance(const Instance& instance) {
    if (!instance.site) {
        return "identity " + instance.identity_text() + (instance.identity ? ", no site recognised" : "");
    }
    std::string text = "site " + *instance.site + " (";
    if (instance.location) {
        text += *instance.location + "; ";
    }
    return text + "identity " + instance.identity_text() + ", rule: " + instance.rule + ")";
}

std::string site_text(const Instance& instance) {
    return instance.site.value_or("unknown site");
}

std::string answerer_text(const Instance& instance) {
    if (instance.site) {
        return *instance.site;
    }
    if (instance.identity) {
        return *instance.identity;
    }
    return instance.hidden ? "identity hidden" : "identity unknown";
}

std::string placement_hint(const Instance& instance, Answerer answerer) {
    if (!instance.identity) {
        // A resolver may hide its name and still say who-am-I (the egress address).
        return answerer == Answerer::resolver ? "the resolver gave no identity (try --whoami)"
                                              : "the server gave no identity";
    }
    if (!instance.site) {
        return "identity " + *instance.identity +
               " names no known site: add a rule (--site-regex) or identity= and loc= in a sites file";
    }
    return "site " + *instance.site + " has no location: add loc= for it in a sites file";
}

}  // namespace anycast::checks
