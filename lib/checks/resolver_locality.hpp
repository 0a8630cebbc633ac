#pragma once
// check_resolver_locality: is the resolver this vantage point uses actually near it? Every DNS
// measurement taken through a resolver is only as local as that resolver: which instance answers,
// where it is, how far that is, and whether the RTT is plausible for the distance.
#include <optional>
#include <string>
#include <vector>

#include "checks/anycast_site.hpp"
#include "plugin/options.hpp"
#include "plugin/result.hpp"
#include "sites/geo.hpp"
#include "sites/sites_file.hpp"

namespace anycast::checks {

// --whoami NAME[/TYPE]: a name whose answer names the resolver's egress address or site.
struct WhoamiName {
    std::string name;
    std::string type = "TXT";
};
WhoamiName parse_whoami(std::string_view text);

struct ResolverLocalityConfig {
    std::vector<std::string> hosts;  // empty: the nameservers of resolv_conf
    std::string resolv_conf = "/etc/resolv.conf";
    std::uint16_t port = 53;
    dns::RetryPolicy retry;  // --retries, --retry-interval
    std::optional<sites::GeoPoint> location;
    std::string location_text;
    double location_error_km = 0;
    std::string identity = "nsid,id.server,hostname.bind,whoami";
    std::vector<WhoamiName> whoami;
    std::string query_name = ".";
    std::string type = "NS";
    int count = 3;
    std::vector<sites::SiteEntry> sites;
    std::vector<std::string> site_regexes;
    double fiber_km_per_ms = sites::fiber_km_per_ms_default;
    plugin::Thresholds rtt;
    plugin::Thresholds distance;
    plugin::Thresholds inflation;
    std::optional<SitePattern> expect_site;
    std::optional<std::string> compare_direct;
};

plugin::OptionParser define_resolver_locality_options(ResolverLocalityConfig& config,
                                                      plugin::CommonOptions& common);
plugin::CheckResult run_resolver_locality(const ResolverLocalityConfig& config,
                                          const plugin::CommonOptions& common);

}  // namespace anycast::checks
