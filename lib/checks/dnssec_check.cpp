#include "checks/dnssec_check.hpp"

#include "plugin/error.hpp"
#include "plugin/file.hpp"
#include "sites/site_history.hpp"

namespace anycast::checks {
namespace {

using plugin::ArgKind;

void add_duration(plugin::OptionParser& parser, const std::string& name, std::optional<std::int64_t>& target,
                  const std::string& help) {
    parser.add({name, 0, ArgKind::required, "DURATION", help},
               [&target](std::string_view value) { target = parse_duration(value); });
}

}  // namespace

void add_rrsig_options(plugin::OptionParser& parser, DurationThresholds& rrsig) {
    add_duration(parser, "rrsig-warning", rrsig.warning,
                 "WARNING when an RRSIG (SOA, DNSKEY, or the answer's) has less than this left before it "
                 "expires: 5d, 36h, 2d12h, 90m or seconds (default 4d).");
    add_duration(parser, "rrsig-critical", rrsig.critical,
                 "CRITICAL when less than this is left (default 2d).");
}

void add_site_dnssec_options(plugin::OptionParser& parser, DnssecOptions& options) {
    parser.add({"dnssec", 0, ArgKind::required, "MODE",
                "auto (default): verify the SOA's and the DNSKEY set's signatures with each server's own "
                "DNSKEYs wherever the zone is signed, and flag a server that serves it unsigned while "
                "others sign it; required: an unsigned zone is CRITICAL too; off: no DO bit, no DNSKEY "
                "query."},
               [&options](std::string_view value) { options.mode = parse_dnssec_mode(value); });
    add_rrsig_options(parser, options.rrsig);
    add_duration(parser, "behind-warning", options.behind.warning,
                 "WARNING when a site has served an old serial for at least this long (needs "
                 "--state-file, which remembers when each site was first seen behind).");
    add_duration(parser, "behind-critical", options.behind.critical,
                 "CRITICAL when a site has been behind for at least this long (needs --state-file).");
}

std::vector<dns::QueryJob> dnskey_jobs(std::span<const dns::Endpoint> endpoints, std::string_view zone,
                                       const dns::QuerySpec& measured) {
    std::vector<dns::QueryJob> jobs;
    for (const dns::Endpoint& endpoint : endpoints) {
        dns::QueryJob job;
        job.server = endpoint;
        job.spec = measured;
        job.spec.question = dns::make_question(zone, "DNSKEY", "IN");
        job.spec.dnssec_ok = true;
        job.spec.request_nsid = false;
        job.spec.tcp_fallback_on_truncation = true;
        jobs.push_back(std::move(job));
    }
    return jobs;
}

sites::SiteSighting lag_sighting(std::string_view who, bool lagging) {
    return {"serial-lag " + std::string(who), lagging ? "behind" : "current"};
}

LagMemory lag_memory(const sites::SiteObservation* seen, bool lagging, std::int64_t now) {
    LagMemory memory;
    if (lagging) {
        // The current stint began when it first fell behind (now, if this run is the first).
        memory.lagging_since = seen != nullptr && seen->current_since > 0 ? seen->current_since : now;
    }
    return memory;
}

LagMemory remember_lag(const std::string& state_file, std::string_view who, bool lagging, std::int64_t now,
                       std::int64_t window_seconds, std::chrono::steady_clock::time_point deadline) {
    const sites::SiteSighting sighting = lag_sighting(who, lagging);
    sites::SiteHistoryPolicy policy;
    policy.window_seconds = window_seconds;
    const sites::SiteObservation seen =
        sites::record_site(state_file, sighting.key, sighting.site, now, policy, deadline);
    if (seen.error) {
        LagMemory memory;
        memory.error = seen.error;
        return memory;
    }
    return lag_memory(&seen, lagging, now);
}

}  // namespace anycast::checks
