#include "sites/site_rules.hpp"

#include <algorithm>
#include <array>

// GCC 12 reports a false maybe-uninitialized inside <regex> when built with sanitizers.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop

#include "plugin/error.hpp"
#include "sites/airports.hpp"

namespace anycast::sites {

namespace {

// Identities are at most a hostname long in practice; std::regex recurses per character, so an
// unbounded string from the network must never reach it.
constexpr std::size_t max_identity_length = 255;
constexpr std::size_t max_site_code_length = 63;

// IATA metropolitan-area codes: not airports, but operators name sites after them.
constexpr std::array<std::string_view, 19> metro_codes = {"bjs", "bue", "chi", "jkt", "lon", "mil", "mow",
                                                          "nyc", "osa", "par", "rio", "rom", "sao", "sel",
                                                          "sto", "tyo", "was", "ymq", "yto"};

// Airport codes that are also everyday hostname words; as tokens they name roles, not places.
constexpr std::array<std::string_view, 12> hostname_words = {"all", "api", "ext", "int", "max", "new",
                                                             "pri", "pub", "rec", "res", "top", "var"};

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

bool contains(const auto& list, std::string_view word) {
    return std::find(list.begin(), list.end(), word) != list.end();
}

bool is_place_code(std::string_view letters) {
    return !contains(hostname_words, letters) && (contains(metro_codes, letters) || is_airport_code(letters));
}

// ams, ams1, ams01, lax1a: a place code, then optionally 1-3 digits and one more letter.
bool is_site_token(std::string_view token) {
    if (token.size() < 3 || !std::all_of(token.begin(), token.begin() + 3, is_lower_letter)) {
        return false;
    }
    std::size_t i = 3;
    std::size_t digits = 0;
    while (i < token.size() && is_digit(token[i]) && digits < 3) {
        ++i;
        ++digits;
    }
    if (digits > 0 && i < token.size() && is_lower_letter(token[i])) {
        ++i;
    }
    return i == token.size() && is_place_code(token.substr(0, 3));
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        const std::size_t end = text.find(separator, start);
        parts.push_back(
            text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) {
            return parts;
        }
        start = end + 1;
    }
}

std::string_view trim_identity(std::string_view identity) {
    constexpr std::string_view spaces = " \t\r\n";
    const auto first = identity.find_first_not_of(spaces);
    if (first == std::string_view::npos) {
        return {};
    }
    identity = identity.substr(first, identity.find_last_not_of(spaces) - first + 1);
    if (identity.ends_with('.')) {
        identity.remove_suffix(1);
    }
    return identity;
}

std::optional<SiteMatch> make_match(std::string_view site, std::string_view rule) {
    if (!is_site_code(site)) {
        return std::nullopt;
    }
    // Until the shipped rules file says where each scheme's sites are, the place is what the
    // site code's first three letters name in the airport table, as before.
    return SiteMatch{std::string(site), std::string(rule), iata_of_site(site), {}};
}

std::optional<SiteMatch> root_servers_org(const std::vector<std::string_view>& labels) {
    const std::size_t n = labels.size();
    if (n == 4 && labels[2] == "root-servers" && labels[3] == "org" && labels[1].size() == 1) {
        return make_match(labels[0], "root-servers.org");
    }
    return std::nullopt;
}

std::optional<SiteMatch> rrdns_pch_net(const std::vector<std::string_view>& labels) {
    const std::size_t n = labels.size();
    if (n >= 5 && labels[n - 3] == "rrdns" && labels[n - 2] == "pch" && labels[n - 1] == "net") {
        return make_match(labels[n - 4], "rrdns.pch.net");
    }
    return std::nullopt;
}

std::optional<SiteMatch> country_city(const std::vector<std::string_view>& labels) {
    for (const auto label : labels) {
        const auto tokens = split(label, '-');
        for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
            const auto country = tokens[i];
            if (country.size() == 2 && is_lower_letter(country[0]) && is_lower_letter(country[1]) &&
                is_site_token(tokens[i + 1])) {
                return make_match(tokens[i + 1], "country-city");
            }
        }
    }
    return std::nullopt;
}

std::optional<SiteMatch> airport_code(const std::vector<std::string_view>& labels) {
    // In a dotted name the last label is a top-level domain, and some of those are airport codes.
    const std::size_t searched = labels.size() > 1 ? labels.size() - 1 : labels.size();
    for (std::size_t i = 0; i < searched; ++i) {
        for (const auto token : split(labels[i], '-')) {
            if (is_site_token(token)) {
                return make_match(token, "airport code");
            }
        }
    }
    return std::nullopt;
}

}  // namespace

struct SiteRules::OperatorRegex {
    std::regex regex;
    std::size_t site_group;
};

bool is_site_code(std::string_view code) {
    if (code.empty() || code.size() > max_site_code_length ||
        !(is_lower_letter(code[0]) || is_digit(code[0]))) {
        return false;
    }
    return std::all_of(code.begin(), code.end(),
                       [](char c) { return is_lower_letter(c) || is_digit(c) || c == '-' || c == '_'; });
}

std::optional<SiteMatch> match_builtin_rules(std::string_view identity) {
    identity = trim_identity(identity);
    if (identity.empty() || identity.size() > max_identity_length) {
        return std::nullopt;
    }
    const std::string lower = to_lower(identity);
    const auto labels = split(lower, '.');
    for (const auto rule : {root_servers_org, rrdns_pch_net, country_city, airport_code}) {
        if (auto found = rule(labels)) {
            return found;
        }
    }
    return std::nullopt;
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

TranslatedRegex translate_site_regex(std::string_view pattern) {
    TranslatedRegex result{{}, 0};
    std::optional<std::size_t> site_group;
    std::size_t groups = 0;
    std::string& out = result.ecmascript;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\') {
            out += c;
            if (i + 1 < pattern.size()) {
                out += pattern[++i];
            }
        } else if (c == '[') {
            // A class runs to the first unescaped ']' (ECMAScript: even right after '[' or '[^').
            out += c;
            while (++i < pattern.size()) {
                out += pattern[i];
                if (pattern[i] == '\\' && i + 1 < pattern.size()) {
                    out += pattern[++i];
                } else if (pattern[i] == ']') {
                    break;
                }
            }
        } else if (c == '(' && pattern.substr(i + 1, 1) != "?") {
            ++groups;
            out += c;
        } else if (c == '(') {
            const std::string_view rest = pattern.substr(i + 2);
            std::size_t name_start = 0;
            if (rest.starts_with('<') && !rest.starts_with("<=") && !rest.starts_with("<!")) {
                name_start = 1;
            } else if (rest.starts_with("P<")) {
                name_start = 2;
            }
            const std::size_t name_end =
                name_start == 0 ? std::string_view::npos : rest.find('>', name_start);
            if (name_end == std::string_view::npos) {
                out += c;  // (?: (?= (?! and anything std::regex will judge itself
                continue;
            }
            ++groups;
            if (rest.substr(name_start, name_end - name_start) == "site") {
                if (site_group) {
                    throw InputError("--site-regex '" + std::string(pattern) +
                                     "' names the site group twice");
                }
                site_group = groups;
            }
            out += c;
            i += 2 + name_end;  // now on the '>'
        } else {
            out += c;
        }
    }
    result.site_group = site_group ? *site_group : (groups > 0 ? 1 : 0);
    return result;
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
    auto translated = translate_site_regex(pattern);
    try {
        std::regex regex(translated.ecmascript, std::regex::ECMAScript | std::regex::icase);
        if (translated.site_group > regex.mark_count()) {
            throw InputError("--site-regex '" + std::string(pattern) + "': site group not found");
        }
        regexes_.push_back(
            std::make_shared<const OperatorRegex>(OperatorRegex{std::move(regex), translated.site_group}));
    } catch (const std::regex_error& e) {
        throw InputError("--site-regex '" + std::string(pattern) +
                         "' is not a valid regular expression: " + e.what());
    }
}

std::optional<SiteMatch> SiteRules::match(std::string_view identity) const {
    if (const auto it = explicit_sites_.find(to_lower(identity)); it != explicit_sites_.end()) {
        return SiteMatch{it->second, "sites file"};
    }
    if (identity.size() <= max_identity_length) {
        for (std::size_t i = 0; i < regexes_.size(); ++i) {
            std::match_results<std::string_view::const_iterator> found;
            if (!std::regex_search(identity.begin(), identity.end(), found, regexes_[i]->regex)) {
                continue;
            }
            const auto& group = found[regexes_[i]->site_group];
            if (!group.matched) {
                continue;
            }
            if (auto result = make_match(to_lower(group.str()), "site-regex #" + std::to_string(i + 1))) {
                return result;
            }
        }
    }
    return match_builtin_rules(identity);
}

}  // namespace anycast::sites
