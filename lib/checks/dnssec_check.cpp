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

LagMemory remember_lag(const std::string& state_file, std::string_view who, bool lagging, std::int64_t now,
                       std::int64_t window_seconds, std::chrono::steady_clock::time_point deadline) {
    LagMemory memory;
    const std::string key = "serial-lag " + std::string(who);
    sites::SiteHistoryPolicy policy;
    policy.window_seconds = window_seconds;
    const sites::SiteObservation seen =
        sites::record_site(state_file, key, lagging ? "behind" : "current", now, policy, deadline);
    if (seen.error) {
        memory.error = seen.error;
        return memory;
    }
    if (!lagging) {
        return memory;
    }
    memory.lagging_since = now;
    if (seen.changed || !seen.previous_site) {
        return memory;  // it fell behind since the last run, or this is the first run
    }
    // Still behind: the current stint began when it first was. record_site does not return that
    // (yet), so it is read back from the file it has just written.
    const plugin::FileContents contents = plugin::read_regular_file(state_file);
    if (!contents.text) {
        return memory;
    }
    if (const auto history = sites::parse_site_history(*contents.text)) {
        if (const auto found = history->find(key); found != history->end() && !found->second.empty()) {
            memory.lagging_since = found->second.back().first_seen;
        }
    }
    return memory;
}

}  // namespace anycast::checks
