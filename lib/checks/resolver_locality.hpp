#pragma once
// check_resolver_locality: is the resolver this vantage point uses actually near it? Every DNS
// measurement taken through a resolver is only as local as that resolver: which instance answers,
// where it is, how far that is, and whether the RTT is plausible for the distance.
#include <optional>
#include <string>
#include <vector>

#include "checks/anycast_site.hpp"
#include "checks/judge.hpp"
#include "plugin/options.hpp"
#include "plugin/result.hpp"
#include "sites/geo.hpp"
#include "sites/sites_file.hpp"

namespace anycast::checks {

struct ResolverLocalityConfig {
    std::vector<std::string> hosts;  // empty: the nameservers of resolv_conf
    std::string resolv_conf = "/etc/resolv.conf";
    std::uint16_t port = 53;
    dns::RetryPolicy retry;  // --retries, --retry-interval
    Vantage vantage;
    std::vector<identity::Method> identity = identity::parse_methods("nsid,id.server,hostname.bind,whoami");
    std::vector<identity::WhoamiName> whoami;
    dns::Question question{".", dns::type_ns, dns::class_in};  // . NS IN
    int count = 3;
    SiteOptions site_options;
    plugin::Thresholds rtt;
    plugin::Thresholds distance;
    plugin::Thresholds inflation;
    std::optional<SitePattern> expect_site;
    plugin::State unplaced_state = plugin::State::unknown;
    std::optional<std::string> compare_direct;
};

struct ResolverMeasurements {
    std::vector<AddressReading> resolvers;
    std::optional<AddressProbe> direct;  // --compare-direct
};

plugin::OptionParser define_resolver_locality_options(ResolverLocalityConfig& config,
                                                      plugin::CommonOptions& common);
plugin::CheckResult run_resolver_locality(const ResolverLocalityConfig& config,
                                          const plugin::CommonOptions& common);

ResolverMeasurements collect_resolver_locality(const ResolverLocalityConfig& config,
                                               dns::Clock::time_point deadline);
// One resolver: its site, distance, physics, expectation, and the direct comparison.
plugin::Subcheck judge_resolver(const ResolverLocalityConfig& config, const AddressReading& reading,
                                const AddressProbe* direct, double timeout_seconds);
plugin::CheckResult report_resolver_locality(const ResolverLocalityConfig& config,
                                             const ResolverMeasurements& measured, double timeout_seconds);

}  // namespace anycast::checks
