#pragma once
// check_anycast_site answers the three questions of an anycast operator:
//   catchment   - from here, which site answers each anycast address, and should it?
//   sites       - is every site up and itself, asked on its own unicast addresses (so a routing
//                 fault and a server fault can be told apart)?
//   consistency - do all sites serve the same zone serial, or is one stale (and for how long)?
//   dnssec      - does every site, and the instance behind every anycast address, serve valid
//                 signatures made by the same key set?
// collect_anycast_site measures (and records the catchment in the state file); each judge_*
// turns typed readings into one sub-check without a network; report_anycast_site assembles them.
#include <optional>
#include <string>
#include <vector>

#include "checks/anycast_dns.hpp"
#include "checks/dnssec_check.hpp"
#include "checks/flows.hpp"
#include "checks/instance.hpp"
#include "checks/judge.hpp"
#include "dns/endpoint.hpp"
#include "plugin/options.hpp"
#include "plugin/regex.hpp"
#include "plugin/result.hpp"
#include "sites/site_history.hpp"
#include "sites/sites_file.hpp"

namespace anycast::checks {

// --expect-site / --forbid-site: a comma-separated list of codes ("ams1, lhr1"), each matching a
// site code exactly or a location code ("mad" matches site mad1f located MAD; "ams1" only ams1),
// or else a regex (RE2 syntax) that must match the whole site code or the whole location code.
struct SitePattern {
    std::vector<std::string> codes;  // lower case
    std::optional<plugin::Regex> regex;
    std::string text;

    enum class Verdict { matches, differs, unplaced };
    // unplaced: the instance names no site, or the pattern asks for a location (a code that is an
    // airport code) that the site, which has none, cannot be compared with.
    Verdict judge(const Instance& instance) const;
    bool matches(std::string_view site) const;  // the site code alone
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
    plugin::State unplaced_state = plugin::State::unknown;
    plugin::State unknown_site_state = plugin::State::warning;
    SiteOptions site_options;  // --site, --sites-file, --site-regex
    Vantage vantage;
    std::optional<FailLimit> down_warning = FailLimit{1, false};
    std::optional<FailLimit> down_critical = FailLimit{50, true};
    std::optional<std::string> primary;  // an IP literal (checked by its option)
    plugin::Thresholds serial_lag;
    std::optional<std::string> state_file;
    bool state_optional = false;
    std::optional<int> flap_warning;
    int flap_window_seconds = 3600;
    std::vector<identity::Method> identity = identity::parse_methods(identity::default_methods);
    plugin::Thresholds rtt;
    bool tcp = false;
    int flows = 1;             // --flows: queries per anycast address, each from its own source port
    plugin::Thresholds split;  // --split-warning/--split-critical: % of flows off the main site
    DnssecOptions dnssec;      // --dnssec, --rrsig-*, --behind-* (issue 16)
};

// One anycast address: what answered, and what the state file knew of it.
struct CatchmentReading {
    AddressReading reading;
    std::optional<sites::SiteObservation> seen;  // with --state-file and a recognised site
    std::optional<dns::Response> dnskey{};       // the zone's DNSKEY set from this address
    std::optional<FlowSplit> flows{};            // with --flows N > 1: every flow's site, `reading` the first
};

// One listed site and what each of its unicast addresses gave.
struct SiteReading {
    sites::SiteEntry site;
    std::vector<AddressReading> addresses;
    std::vector<std::optional<dns::Response>> dnskeys{};  // one per address, in the same order
};

struct SiteMeasurements {
    std::vector<CatchmentReading> catchment;
    std::vector<SiteReading> sites;        // sites with addresses, in the order listed
    std::vector<sites::SiteEntry> listed;  // every listed site, location-only ones too
    std::optional<AddressProbe> primary;
    std::int64_t now = 0;  // Unix seconds when measured: signatures are judged at this time
    // With --state-file: since when each lagging site (by code) has been behind.
    std::vector<std::pair<std::string, LagMemory>> behind{};
    // With --state-file: why the history could not be used or saved this run, and what the operator
    // should hear although it was (a corrupt file set aside). Said beside the verdict, never instead.
    std::optional<std::string> state_error{};
    std::optional<std::string> state_notice{};
};

plugin::OptionParser define_anycast_site_options(AnycastSiteConfig& config, plugin::CommonOptions& common);
plugin::CheckResult run_anycast_site(const AnycastSiteConfig& config, const plugin::CommonOptions& common);

// Probes until probe_deadline, then records the run in the state file (one read and one append
// for every anycast address) until deadline; a state problem goes into state_error, never an exception.
SiteMeasurements collect_anycast_site(const AnycastSiteConfig& config, dns::Clock::time_point deadline,
                                      dns::Clock::time_point probe_deadline);

// The judgements, each a pure function of readings. `timeout_seconds` only words "no answer
// within N s".
plugin::Subcheck judge_catchment(const AnycastSiteConfig& config, const CatchmentReading& catchment,
                                 const std::vector<sites::SiteEntry>& listed, double timeout_seconds);
plugin::Subcheck judge_site(const AnycastSiteConfig& config, const SiteReading& site, double timeout_seconds);
std::optional<plugin::Subcheck> judge_sites(const AnycastSiteConfig& config,
                                            const std::vector<SiteReading>& sites, double timeout_seconds);
// WARNING when two different sites answer with the same identity (a copied configuration hides
// which box answers); nullopt when there is nothing to say.
std::optional<plugin::Subcheck> judge_shared_identities(const std::vector<SiteReading>& sites);
std::optional<plugin::Subcheck> judge_consistency(const AnycastSiteConfig& config,
                                                  const SiteMeasurements& measured, double timeout_seconds);
// DNSSEC: one sub-check per server that answered (anycast addresses, then each site's addresses),
// then the key sets compared; nothing with --dnssec off.
std::vector<plugin::Subcheck> judge_dnssec(const AnycastSiteConfig& config, const SiteMeasurements& measured);
// "state file": UNKNOWN (OK with --state-optional) when the state file could not be used, OK with
// the notice when a corrupt file was set aside; nullopt when there is nothing to say.
std::optional<plugin::Subcheck> judge_state_file(const AnycastSiteConfig& config,
                                                 const SiteMeasurements& measured);
// site_<code>=N: how many of the anycast addresses each site answered (min 0).
std::vector<plugin::Perfdata> catchment_perfdata(const std::vector<CatchmentReading>& catchment);

plugin::CheckResult report_anycast_site(const AnycastSiteConfig& config, const SiteMeasurements& measured,
                                        double timeout_seconds);

}  // namespace anycast::checks
