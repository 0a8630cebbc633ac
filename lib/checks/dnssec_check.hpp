#pragma once
// What check_anycast_site and check_anycast_dns share for DNSSEC: the options, spelled and
// documented once; the DNSKEY queries that ride along with the measured ones; and the memory of
// when a site fell behind (the state file).
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "checks/dnssec_findings.hpp"
#include "dns/engine.hpp"
#include "plugin/options.hpp"
#include "sites/site_history.hpp"

namespace anycast::checks {

struct DnssecOptions {
    DnssecMode mode = DnssecMode::auto_detect;
    DurationThresholds rrsig{default_rrsig_warning, default_rrsig_critical};
    DurationThresholds behind;  // --behind-warning/--behind-critical (check_anycast_site)
};

// --rrsig-warning and --rrsig-critical.
void add_rrsig_options(plugin::OptionParser& parser, DurationThresholds& rrsig);
// --dnssec MODE, --rrsig-*, --behind-warning and --behind-critical (check_anycast_site).
void add_site_dnssec_options(plugin::OptionParser& parser, DnssecOptions& options);

// One DNSKEY query (DO bit set, TCP after truncation) to each endpoint, for the zone `zone`, in the
// shape of `measured` (transport, EDNS size) so it travels the same way as the measured query.
std::vector<dns::QueryJob> dnskey_jobs(std::span<const dns::Endpoint> endpoints, std::string_view zone,
                                       const dns::QuerySpec& measured);

// When `who` was first seen lagging, remembered in the state file across runs: nullopt when it is
// not lagging now. What this needs from the state file (lib/sites/site_history, being redesigned):
// per key, the current stint's value and its first_seen. It is kept today as a site-history stint
// under the key "serial-lag <who>" with the value "behind" or "current".
struct LagMemory {
    std::optional<std::int64_t> lagging_since;
    std::optional<std::string> error;  // the state file could not be used
};
LagMemory remember_lag(const std::string& state_file, std::string_view who, bool lagging, std::int64_t now,
                       std::int64_t window_seconds, std::chrono::steady_clock::time_point deadline);
// The same in parts, so that a check records it in its one record_sites call of the run: the
// sighting to record, and the memory from what was seen at its key (nullptr: nothing recorded).
sites::SiteSighting lag_sighting(std::string_view who, bool lagging);
LagMemory lag_memory(const sites::SiteObservation* seen, bool lagging, std::int64_t now);

}  // namespace anycast::checks
