#pragma once
// check_anycast_dns: ask every address of an anycast DNS service the same question at once, and
// tell per address whether the answer is right, how fast it came, and which instance gave it.
#include <optional>
#include <string>
#include <vector>

#include "dns/endpoint.hpp"
#include "dns/engine.hpp"
#include "plugin/options.hpp"
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
    std::string query_name;
    std::string type = "A";
    std::string klass = "IN";
    bool tcp = false;
    bool no_tcp_fallback = false;
    int edns_size = 1232;
    bool dnssec = false;
    bool recursion_desired = false;
    int count = 1;
    double interval_seconds = 0.01;
    std::string expect_rcode = "NOERROR";
    bool authoritative = false;
    std::vector<std::string> expect;
    std::optional<std::string> expect_regex;
    std::optional<std::string> expect_identity;
    std::string identity = "nsid,hostname.bind,id.server";
    plugin::Thresholds rtt;
    RttStatistic rtt_statistic = RttStatistic::max;
    plugin::Thresholds loss;
    std::optional<FailLimit> fail_warning;
    std::optional<FailLimit> fail_critical;
};

plugin::OptionParser define_anycast_dns_options(AnycastDnsConfig& config, plugin::CommonOptions& common);
plugin::CheckResult run_anycast_dns(const AnycastDnsConfig& config, const plugin::CommonOptions& common);

}  // namespace anycast::checks
