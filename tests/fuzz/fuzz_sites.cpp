// The sites file (operator input, possibly generated from an inventory) and the site rules, which
// turn untrusted server identities into site codes. Input: the file text; each of its lines is also
// fed to the rules as an identity, as a server could send it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_invariants.hpp"
#include "plugin/error.hpp"
#include "sites/site_rules.hpp"
#include "sites/sites_file.hpp"

using anycast::fuzz::require;

namespace {

void check_match(const std::optional<anycast::sites::SiteMatch>& match) {
    if (match) {
        require(anycast::sites::is_site_code(match->site));
        (void)anycast::sites::iata_of_site(match->site);  // the rules engine has its own target
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    // Fixed operator patterns, compiled once, so the regex path runs on untrusted identities
    // without compiling fuzzer-made patterns (hostile patterns are the operator's own problem).
    static const anycast::sites::SiteRules operator_rules = [] {
        anycast::sites::SiteRules base;
        base.add_regex("^ns[0-9]+-(?<site>[a-z]{3}[0-9]?)");
        base.add_regex("\\.([a-z]{3})\\.example\\.net$");
        return base;
    }();
    anycast::sites::SiteRules rules = operator_rules;
    try {
        const std::vector<anycast::sites::SiteEntry> sites = anycast::sites::parse_sites_text(text, "fuzz");
        for (const anycast::sites::SiteEntry& site : sites) {
            require(anycast::sites::is_site_code(site.code));
            for (const std::string& address : site.addresses) {
                require(anycast::sites::is_ip_address(address));
            }
        }
        anycast::sites::add_site_identities(rules, sites);
    } catch (const anycast::InputError&) {
    }

    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        const std::string_view line = text.substr(start, end - start);
        check_match(rules.match(line));
        try {
            (void)anycast::sites::parse_site_option(line);
        } catch (const anycast::InputError&) {
        }
        start = end + 1;
    }
    return 0;
}
