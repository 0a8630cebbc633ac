#pragma once
// check_anycast_dns: ask every address of an anycast DNS service the same question at once, and
// tell per address whether the answer is right, how fast it came, and which instance gave it.
// collect_anycast_dns measures; judge_address and report_anycast_dns judge typed readings without
// a network (the unit tests feed them hand-made ones).
#include <optional>
#include <string>
#include <vector>

#include "checks/dnssec_findings.hpp"
#include "checks/instance.hpp"
#include "checks/judge.hpp"
#include "checks/probe.hpp"
#include "dns/endpoint.hpp"
#include "dns/engine.hpp"
#include "plugin/options.hpp"
#include "plugin/regex.hpp"
#include "plugin/result.hpp"

namespace anycast::checks {

// "3" (addresses) or "50%" (of all addresses).
struct FailLimit {
    double value = 0;
    bool percent = false;
    bool reached(std::size_t failed, std::size_t total) const;
    std::string text() const;
};
FailLimit parse_fail_limit(std::string_view text);

enum class RttStatistic { min, avg, max };

struct AnycastDnsConfig {
    std::vector<std::string> hosts;
    dns::AddressFamily family = dns::AddressFamily::any;
    std::uint16_t port = 53;
    dns::RetryPolicy retry;  // --retries, --retry-interval
    // Name from -q, type from -T, class from --class: parsed once.
    dns::Question question{"", dns::type_a, dns::class_in};
    bool tcp = false;
    bool no_tcp_fallback = false;
    int edns_size = 1232;
    bool dnssec = false;
    DurationThresholds rrsig{default_rrsig_warning, default_rrsig_critical};  // for --dnssec
    bool recursion_desired = false;
    int count = 1;
    double interval_seconds = 0.01;
    std::uint16_t expect_rcode = 0;  // NOERROR
    bool authoritative = false;
    std::vector<dns::ExpectedRdata> expect;        // -e: parsed once every option is read (for -T, --class)
    std::optional<plugin::Regex> expect_regex;     // RE2: rdata comes from the network
    std::optional<plugin::Regex> expect_identity;  // RE2: identities come from the network
    std::vector<identity::Method> identity = identity::parse_methods(identity::default_methods);
    std::vector<identity::WhoamiName> whoami;
    SiteOptions site_options;
    Vantage vantage;
    plugin::Thresholds rtt;
    RttStatistic rtt_statistic = RttStatistic::max;
    plugin::Thresholds loss;
    std::optional<FailLimit> fail_warning;
    std::optional<FailLimit> fail_critical;
};

// What one address gave: the probe and the instance it names.
struct AddressReading {
    AddressProbe probe;
    Instance instance;
    std::optional<dns::Response> dnskey{};  // --dnssec: the answer's signer's DNSKEY set, from this address
    std::int64_t measured_at = 0;           // Unix seconds: signatures are judged at this time
};

plugin::OptionParser define_anycast_dns_options(AnycastDnsConfig& config, plugin::CommonOptions& common);
plugin::CheckResult run_anycast_dns(const AnycastDnsConfig& config, const plugin::CommonOptions& common);

// Collect: resolve, probe and identify every address under the deadline.
std::vector<AddressReading> collect_anycast_dns(const AnycastDnsConfig& config,
                                                dns::Clock::time_point deadline);
// Judge one address: its answer, RTT, loss, identity and physics.
plugin::Subcheck judge_address(const AnycastDnsConfig& config, const AddressReading& reading,
                               double timeout_seconds);
// Judge them all and apply --fail-warning/--fail-critical.
plugin::CheckResult report_anycast_dns(const AnycastDnsConfig& config,
                                       const std::vector<AddressReading>& readings, double timeout_seconds);

}  // namespace anycast::checks
