#include "sites/sites_file.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <map>

#include "plugin/error.hpp"
#include "plugin/file.hpp"
#include "plugin/text.hpp"

namespace anycast::sites {

namespace {

constexpr std::size_t max_zone_length = 15;  // IFNAMSIZ - 1

std::string to_lower(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
    return lower;
}

bool is_zone_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

// The address in a form where two spellings of the same address compare equal.
std::optional<std::string> canonical_address(std::string_view text) {
    std::string address(text);
    std::string zone;
    if (const auto percent = address.find('%'); percent != std::string::npos) {
        zone = address.substr(percent);
        address.resize(percent);
        const std::string_view name = std::string_view(zone).substr(1);
        if (name.empty() || name.size() > max_zone_length ||
            !std::all_of(name.begin(), name.end(), is_zone_char)) {
            return std::nullopt;
        }
    }
    std::array<unsigned char, sizeof(in6_addr)> bytes{};
    std::array<char, INET6_ADDRSTRLEN> printed{};
    if (zone.empty() && inet_pton(AF_INET, address.c_str(), bytes.data()) == 1) {
        inet_ntop(AF_INET, bytes.data(), printed.data(), printed.size());
    } else if (inet_pton(AF_INET6, address.c_str(), bytes.data()) == 1) {
        inet_ntop(AF_INET6, bytes.data(), printed.data(), printed.size());
    } else {
        return std::nullopt;
    }
    return std::string(printed.data()) + zone;
}

// An address as a site's address: an IP literal whose zone, if any, names an interface of this host
// (or is a number), so that the error names the file and line instead of coming up at query time.
void check_site_address(const std::string& address) {
    if (!canonical_address(address)) {
        throw InputError("'" + address + "' is not an IP address");
    }
    const auto percent = address.find('%');
    if (percent == std::string::npos) {
        return;
    }
    const std::string zone = address.substr(percent + 1);
    if (std::all_of(zone.begin(), zone.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return;  // a numeric scope id
    }
    if (::if_nametoindex(zone.c_str()) == 0) {
        throw InputError("'" + address + "': this host has no network interface '" + zone + "'");
    }
}

std::string normalised_code(std::string_view text) {
    std::string code = to_lower(text);
    if (!is_site_code(code)) {
        throw InputError("'" + std::string(text) + "' is not a site code ([a-z0-9][a-z0-9_-]*, at most 63)");
    }
    return code;
}

// Splits a line into words on spaces and tabs; double quotes group (and are removed); a word
// starting with '#' ends the line.
std::vector<std::string> split_words(std::string_view line) {
    std::vector<std::string> words;
    std::size_t i = 0;
    while (i < line.size()) {
        if (line[i] == ' ' || line[i] == '\t') {
            ++i;
            continue;
        }
        if (line[i] == '#') {
            break;
        }
        std::string word;
        bool quoted = false;
        for (; i < line.size() && (quoted || (line[i] != ' ' && line[i] != '\t')); ++i) {
            if (line[i] == '"') {
                quoted = !quoted;
            } else {
                word += line[i];
            }
        }
        if (quoted) {
            throw InputError("unterminated double quote");
        }
        words.push_back(std::move(word));
    }
    return words;
}

// Checks across sites: a code, an identity, an address each belong to one site.
class Registry {
public:
    void add(const SiteEntry& site, std::size_t line) {
        if (const auto it = codes_.find(site.code); it != codes_.end()) {
            throw InputError("site '" + site.code + "' is already defined on line " +
                             std::to_string(it->second));
        }
        codes_.emplace(site.code, line);
        std::map<std::string, std::string> identities;
        for (const auto& identity : site.identities) {
            const auto key = to_lower(identity);
            if (const auto it = identities_.find(key); it != identities_.end() && it->second != site.code) {
                throw InputError("identity '" + identity + "' already belongs to site " + it->second);
            }
            identities.emplace(key, site.code);
        }
        std::map<std::string, std::string> addresses;
        for (const auto& address : site.addresses) {
            const auto key = *canonical_address(address);
            if (const auto it = addresses_.find(key); it != addresses_.end()) {
                throw InputError("address " + address + " already belongs to site " + it->second);
            }
            if (!addresses.emplace(key, site.code).second) {
                throw InputError("address " + address + " is listed twice");
            }
        }
        identities_.merge(identities);
        addresses_.merge(addresses);
    }

private:
    std::map<std::string, std::size_t> codes_;
    std::map<std::string, std::string> identities_;
    std::map<std::string, std::string> addresses_;
};

SiteEntry parse_line(const std::vector<std::string>& words) {
    SiteEntry site;
    site.code = normalised_code(words.front());
    for (std::size_t i = 1; i < words.size(); ++i) {
        const std::string& word = words[i];
        const auto equals = word.find('=');
        if (equals == std::string::npos) {
            check_site_address(word);
            site.addresses.push_back(word);
            continue;
        }
        const std::string_view key = std::string_view(word).substr(0, equals);
        const std::string value = word.substr(equals + 1);
        if (key == "loc") {
            if (site.location) {
                throw InputError("loc= is given twice");
            }
            site.location = parse_location(value);
            site.location_text = value;
        } else if (key == "identity") {
            if (value.empty()) {
                throw InputError("identity= is empty");
            }
            if (std::find(site.identities.begin(), site.identities.end(), value) == site.identities.end()) {
                site.identities.push_back(value);
            }
        } else {
            throw InputError("unknown field '" + word + "' (expected an address, loc= or identity=)");
        }
    }
    return site;
}

}  // namespace

bool is_ip_address(std::string_view text) {
    return canonical_address(text).has_value();
}

std::vector<SiteEntry> parse_sites_text(std::string_view text, std::string_view source_name) {
    std::vector<SiteEntry> sites;
    Registry registry;
    std::size_t line_number = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        ++line_number;
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        std::string_view line = text.substr(start, end - start);
        start = end + 1;
        try {
            if (line.ends_with('\r')) {
                line.remove_suffix(1);
            }
            if (line.size() > max_sites_line_bytes) {
                throw InputError("line is longer than " + std::to_string(max_sites_line_bytes) + " bytes");
            }
            if (std::any_of(line.begin(), line.end(), [](char c) {
                    return (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f;
                })) {
                throw InputError("line contains a control character");
            }
            const auto words = split_words(line);
            if (words.empty()) {
                continue;
            }
            SiteEntry site = parse_line(words);
            registry.add(site, line_number);
            sites.push_back(std::move(site));
        } catch (const InputError& e) {
            throw InputError("sites file " + std::string(source_name) + " line " +
                             std::to_string(line_number) + ": " + e.what());
        }
    }
    return sites;
}

std::vector<SiteEntry> load_sites_file(const std::string& path) {
    // The careful reader: a FIFO, device or directory in its place is refused at once, not read.
    const std::string text = plugin::read_input_file(path, "sites file", max_sites_file_bytes);
    return parse_sites_text(text, path);
}

SiteEntry parse_site_option(std::string_view value) {
    try {
        const auto equals = value.find('=');
        if (equals == std::string_view::npos) {
            throw InputError("expected CODE=ADDRESS[,ADDRESS...]");
        }
        SiteEntry site;
        site.code = normalised_code(plugin::trim_blanks(value.substr(0, equals)));
        // The one list splitter, so "ams1=192.0.2.1, 192.0.2.2" reads as every other comma list.
        for (std::string& address : plugin::split_list(value.substr(equals + 1))) {
            check_site_address(address);
            site.addresses.push_back(std::move(address));
        }
        Registry registry;
        registry.add(site, 1);
        return site;
    } catch (const InputError& e) {
        throw InputError("--site '" + std::string(value) + "': " + e.what());
    }
}

void add_site_identities(SiteRules& rules, const std::vector<SiteEntry>& sites) {
    for (const auto& site : sites) {
        for (const auto& identity : site.identities) {
            rules.add_identity(identity, site.code);
        }
    }
}

}  // namespace anycast::sites
