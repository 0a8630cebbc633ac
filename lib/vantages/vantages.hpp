#pragma once
// The judgement of check_anycast_vantages: one service as every vantage point sees it, read from
// the Icinga 2 REST API, turned into "N/M vantage points failing" with the vantages that have a
// problem of their own left out and named, and a catchment view (which site each vantage reaches).
// Everything here is pure: a parsed API response and the rules in, a CheckResult out.
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "checks/anycast_dns.hpp"
#include "plugin/result.hpp"
#include "plugin/state.hpp"

namespace anycast::vantages {

// The last check result of a service or host, as far as the judgement needs it. Text fields are
// raw (from the network): escaped only where they are shown.
struct LastResult {
    plugin::State state = plugin::State::unknown;  // hosts: 0 UP, 1 DOWN (as Icinga stores them)
    std::string output;                            // plugin output, perfdata already split off
    double execution_end = 0;                      // UNIX time
    std::string check_source;
    std::vector<std::string> perfdata;  // "label=value[uom];warn;crit;min;max", one per item
};

// One row of /v1/objects/services: a service on one host, joined with that host.
struct ServiceRow {
    std::string host;
    std::string service;
    std::optional<LastResult> result;  // absent: pending (never checked)
    double check_interval = 0;         // seconds
    bool in_downtime = false;
    bool host_down = false;  // DOWN by a host check result (a pending host is not)
    bool host_in_downtime = false;
    std::string host_output;
};

// Thrown for a response that is not what the Icinga 2 API sends (truncated, hostile, wrong types):
// the message names the first thing that is wrong ("results[2].attrs.state is not a number").
struct ResponseError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Upper bound on an API response this check reads; larger is a ResponseError, not a cut.
inline constexpr std::size_t max_response_bytes = std::size_t{16} << 20;

// Parses the body of /v1/objects/services (with joins host.*); throws ResponseError.
std::vector<ServiceRow> parse_services_response(std::string_view body);

// "site_ams1=1;;;0" -> site codes with N > 0 from one result's perfdata; labels that are not
// "site_" + a site code are ignored. In the order given, each code once.
std::vector<std::string> sites_reached(const std::vector<std::string>& perfdata);

// The first line of a plugin output without its "LABEL STATE - " prefix, escaped and cut.
std::string output_reason(std::string_view output, std::size_t max_bytes = 100);

struct Rules {
    std::string service;            // the service judged
    std::string catchment_service;  // where the site_<code> perfdata comes from
    std::vector<std::string> health_services;
    checks::FailLimit fail_warning{1, false};
    checks::FailLimit fail_critical{25, true};
    plugin::State fail_state = plugin::State::warning;  // lowest state that counts as failing
    bool unknown_fails = false;                         // UNKNOWN results fail instead of being left out
    std::optional<double> max_age;   // seconds; unset: 3 check intervals of each service (at least 60 s)
    std::vector<std::string> sites;  // known sites, so that those no vantage point reaches are named
    plugin::State unserved_site_state = plugin::State::ok;
};

// The whole judgement. `rows` holds every row the API returned for the service, the catchment
// service and the health services; `now` is UNIX time.
plugin::CheckResult judge_vantages(const std::vector<ServiceRow>& rows, const Rules& rules, double now);

}  // namespace anycast::vantages
