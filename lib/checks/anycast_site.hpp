#pragma once
// check_anycast_site answers the three questions of an anycast operator:
//   catchment   - from here, which site answers each anycast address, and should it?
//   sites       - is every site up and itself, asked on its own unicast addresses (so a routing
//                 fault and a server fault can be told apart)?
//   consistency - do all sites serve the same zone serial, or is one stale?
#include <optional>
#include <string>
#include <vector>

#include "checks/anycast_dns.hpp"
#include "dns/endpoint.hpp"
#include "plugin/options.hpp"
#include "plugin/regex.hpp"
#include "plugin/result.hpp"
#include "sites/sites_file.hpp"

namespace anycast::checks {

// --expect-site / --forbid-site: a comma-separated list of site codes ("ams1,lhr1"), or else an
// regex (RE2 syntax) that must match the whole site code ("(ams|lhr)[0-9]+").
struct SitePattern {
    std::vector<std::string> codes;
    std::optional<plugin::Regex> regex;
    std::string text;
    bool matches(std::string_view site) const;
};
SitePattern parse_site_pattern(std::string_view text);

struct AnycastSiteConfig {
    std::vector<std::string> hosts;
    dns::AddressFamily family = dns::AddressFamily::any;
    std::uint16_t port = 53;
    dns::RetryPolicy retry;  // --retries, --retry-interval
    std::string zone;
    std::optional<SitePattern> expect_site;
    std::optional<SitePattern> forbid_site;
    plugin::State unexpected_site_state = plugin::State::warning;
    std::vector<sites::SiteEntry> sites;  // from --site and --sites-file, in order
    std::vector<std::string> site_regexes;
    std::optional<FailLimit> down_warning = FailLimit{1, false};
    std::optional<FailLimit> down_critical = FailLimit{50, true};
    std::optional<std::string> primary;
    plugin::Thresholds serial_lag;
    std::optional<std::string> state_file;
    bool state_optional = false;
    std::optional<int> flap_warning;
    int flap_window_seconds = 3600;
    std::string identity = "nsid,hostname.bind,id.server";
    plugin::Thresholds rtt;
    bool tcp = false;
};

plugin::OptionParser define_anycast_site_options(AnycastSiteConfig& config, plugin::CommonOptions& common);
plugin::CheckResult run_anycast_site(const AnycastSiteConfig& config, const plugin::CommonOptions& common);

}  // namespace anycast::checks
