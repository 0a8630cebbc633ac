// The engine: applies parsed naming rules (site_rules_file.cpp reads them) to identities.
#include "sites/site_rules.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <climits>

#include "plugin/error.hpp"
#include "plugin/file.hpp"
#include "sites/airports.hpp"

#ifndef ANYCAST_SITE_RULES_INSTALLED
#define ANYCAST_SITE_RULES_INSTALLED "/usr/share/anycast-checks/site-rules.conf"
#endif

namespace anycast::sites {

namespace {

// No hostname is longer; anything longer from the network is not an identity we can read.
constexpr std::size_t max_identity_length = 255;
constexpr std::size_t max_site_code_length = 63;
constexpr std::string_view rules_file_name = "site-rules.conf";

bool is_lower_letter(char c) {
    return c >= 'a' && c <= 'z';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

std::string to_lower(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
    return lower;
}

std::string to_upper(std::string_view text) {
    std::string upper(text);
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; });
    return upper;
}

void split_into(std::string_view text, char separator, std::vector<std::string_view>& out) {
    std::size_t start = 0;
    while (true) {
        const std::size_t end = text.find(separator, start);
        out.push_back(
            text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) {
            return;
        }
        start = end + 1;
    }
}

// What a rule of `scope` is tried on, in order.
std::vector<std::string_view> candidates(std::string_view identity, RuleScope scope) {
    if (scope == RuleScope::identity) {
        return {identity};
    }
    std::vector<std::string_view> labels;
    split_into(identity, '.', labels);
    if (labels.size() > 1) {
        labels.pop_back();  // a top-level domain, and some of those are airport codes
    }
    if (scope == RuleScope::label) {
        return labels;
    }
    std::vector<std::string_view> parts;
    for (const auto label : labels) {
        split_into(label, '-', parts);
    }
    return parts;
}

std::optional<std::string> group(const plugin::LazyRegex& lazy, std::string_view subject,
                                 std::string_view name) {
    const plugin::Regex& pattern = lazy.get();
    const auto number = pattern.named_group(name);
    if (!number) {
        return std::nullopt;
    }
    auto text = pattern.search_group(subject, *number);
    if (text && text->empty()) {
        return std::nullopt;
    }
    return text;
}

// The place a matched candidate names, when the rule can be sure of it: the operator's own
// table first; else the location group, if it is an airport code, not a hostname word, and in
// the country the cc group names.
std::optional<std::string> place_of(const RuleSet& set, const NamingRule& rule, std::string_view candidate,
                                    const std::string& site) {
    if (!rule.places.empty()) {
        const auto table = set.places.find(rule.places);
        if (table != set.places.end()) {
            const std::string key = group(rule.pattern, candidate, "code").value_or(site);
            if (const auto entry = table->second.find(key); entry != table->second.end()) {
                return entry->second;
            }
        }
    }
    const auto location = group(rule.pattern, candidate, "location");
    if (!location || set.not_places.contains(*location)) {
        return std::nullopt;
    }
    const auto airport = find_airport(*location);
    if (!airport || (rule.large_airports_only && !airport->large)) {
        return std::nullopt;  // a guessing rule takes only hubs: cbv4 in a host name is not Coban
    }
    if (const auto cc = group(rule.pattern, candidate, "cc")) {
        std::string country = to_upper(*cc);
        if (const auto alias = set.country_aliases.find(country); alias != set.country_aliases.end()) {
            country = alias->second;
        }
        if (airport->country != country) {
            return std::nullopt;  // fr-lio: LIO is in Costa Rica, so lio is not that airport here
        }
    }
    return airport->iata;
}

std::string executable_directory() {
    std::array<char, PATH_MAX> buffer{};
    const ssize_t length = ::readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
    if (length <= 0) {
        return {};
    }
    const std::string path(buffer.data(), static_cast<std::size_t>(length));
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

}  // namespace

bool is_site_code(std::string_view code) {
    if (code.empty() || code.size() > max_site_code_length ||
        !(is_lower_letter(code[0]) || is_digit(code[0]))) {
        return false;
    }
    return std::all_of(code.begin(), code.end(),
                       [](char c) { return is_lower_letter(c) || is_digit(c) || c == '-' || c == '_'; });
}

std::optional<std::string> normalise_identity(std::string_view identity) {
    constexpr std::string_view trimmed = " \t\r\n\"";
    const auto first = identity.find_first_not_of(trimmed);
    if (first == std::string_view::npos) {
        return std::nullopt;
    }
    identity = identity.substr(first, identity.find_last_not_of(trimmed) - first + 1);
    if (identity.ends_with('.')) {
        identity.remove_suffix(1);
    }
    if (identity.empty() || identity.size() > max_identity_length) {
        return std::nullopt;
    }
    return to_lower(identity);
}

std::optional<SiteMatch> match_rule(const RuleSet& set, const NamingRule& rule, std::string_view identity) {
    for (const std::string_view candidate : candidates(identity, rule.scope)) {
        if (candidate.empty() || !rule.pattern.may_full_match(candidate) ||
            !rule.pattern.get().full_match(candidate)) {
            continue;
        }
        const auto site = group(rule.pattern, candidate, "site");
        if (!site || !is_site_code(*site)) {
            continue;
        }
        auto location = place_of(set, rule, candidate, *site);
        if (rule.require_location && !location) {
            continue;
        }
        return SiteMatch{*site, rule.name, std::move(location), rule.operator_name};
    }
    return std::nullopt;
}

std::optional<SiteMatch> match_rules(const RuleSet& set, std::string_view identity) {
    for (const NamingRule& rule : set.rules) {
        if (auto found = match_rule(set, rule, identity)) {
            return found;
        }
    }
    return std::nullopt;
}

std::string installed_rules_path() {
    return ANYCAST_SITE_RULES_INSTALLED;
}

std::string shipped_rules_path() {
    const std::string directory = executable_directory();
    if (!directory.empty()) {
        std::string beside = directory + "/" + std::string(rules_file_name);
        if (::access(beside.c_str(), F_OK) == 0) {
            return beside;
        }
    }
    return installed_rules_path();
}

std::optional<std::string> iata_of_site(std::string_view code) {
    if (code.size() < 3) {
        return std::nullopt;
    }
    if (code.size() > 3 && !(is_digit(code[3]) || code[3] == '-' || code[3] == '_')) {
        return std::nullopt;
    }
    const auto airport = find_airport(code.substr(0, 3));
    if (!airport) {
        return std::nullopt;
    }
    return airport->iata;
}

void SiteRules::add_identity(std::string_view identity, std::string_view site) {
    const std::string site_code = to_lower(site);
    if (!is_site_code(site_code)) {
        throw InputError("'" + std::string(site) + "' is not a site code ([a-z0-9][a-z0-9_-]*)");
    }
    const auto [it, inserted] = explicit_sites_.emplace(to_lower(identity), site_code);
    if (!inserted && it->second != site_code) {
        throw InputError("identity '" + std::string(identity) + "' is given for both sites " + it->second +
                         " and " + site_code);
    }
}

void SiteRules::add_regex(std::string_view pattern) {
    regexes_.push_back(plugin::Regex::compile(pattern, plugin::RegexCase::insensitive, "--site-regex"));
}

void SiteRules::add_rules_file(const std::string& path) {
    add_rule_set(load_rules_file(path, "--rules-file"));
}

void SiteRules::add_shipped_rules() {
    const std::string path = shipped_rules_path();
    const plugin::FileContents contents = plugin::read_regular_file(path);
    if (!contents.text) {
        throw InputError("shipped site rules " + path + ": " + contents.error->message +
                         " (reinstall the package, or see docs/site-rules.md)");
    }
    add_rule_set(parse_rules_text(*contents.text, path, ExampleCheck::skip));
}

void SiteRules::add_rule_set(RuleSet set) {
    rule_sets_.push_back(std::make_shared<const RuleSet>(std::move(set)));
}

std::optional<SiteMatch> SiteRules::match(std::string_view identity) const {
    if (const auto it = explicit_sites_.find(to_lower(identity)); it != explicit_sites_.end()) {
        return SiteMatch{it->second, "sites file"};
    }
    if (identity.size() <= max_identity_length) {
        for (std::size_t i = 0; i < regexes_.size(); ++i) {
            const plugin::Regex& regex = regexes_[i];
            const std::size_t site_group =
                regex.named_group("site").value_or(regex.group_count() > 0 ? 1 : 0);
            const auto site = regex.search_group(identity, site_group);
            if (!site) {
                continue;
            }
            const std::string code = to_lower(*site);
            if (is_site_code(code)) {
                return SiteMatch{code, "site-regex #" + std::to_string(i + 1), iata_of_site(code), {}};
            }
        }
    }
    const auto normalised = normalise_identity(identity);
    if (!normalised) {
        return std::nullopt;
    }
    for (const auto& set : rule_sets_) {
        if (auto found = match_rules(*set, *normalised)) {
            return found;
        }
    }
    return std::nullopt;
}

}  // namespace anycast::sites
