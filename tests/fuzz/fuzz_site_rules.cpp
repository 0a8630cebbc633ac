// The rules-file reader (a user's --rules-file) and the rules engine (identities from the
// network). Input: a rules file's text, parsed as the reader would; whether or not it parses,
// every line is also matched as an identity, against the fuzzed rules when they parse and
// against the shipped rules always.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_invariants.hpp"
#include "plugin/error.hpp"
#include "sites/airports.hpp"
#include "sites/site_rules.hpp"

using anycast::fuzz::require;

namespace {

void check_match(const std::optional<anycast::sites::SiteMatch>& match) {
    if (!match) {
        return;
    }
    require(anycast::sites::is_site_code(match->site));
    if (match->location) {
        require(anycast::sites::is_airport_code(*match->location));  // a place is always one we know
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    static const anycast::sites::SiteRules shipped = [] {
        anycast::sites::SiteRules rules;
        rules.add_rule_set(anycast::sites::load_rules_file(ANYCAST_SOURCE_DIR "/data/site-rules.conf"));
        return rules;
    }();

    std::optional<anycast::sites::SiteRules> fuzzed;
    try {
        anycast::sites::SiteRules rules;
        rules.add_rule_set(anycast::sites::parse_rules_text(text, "fuzz"));
        fuzzed = std::move(rules);
    } catch (const anycast::InputError&) {
    }

    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        const std::string_view line = text.substr(start, end - start);
        check_match(shipped.match(line));
        if (fuzzed) {
            check_match(fuzzed->match(line));
        }
        start = end + 1;
    }
    return 0;
}
