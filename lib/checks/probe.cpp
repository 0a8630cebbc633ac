#include "checks/probe.hpp"

#include <algorithm>
#include <iterator>

#include "plugin/number.hpp"

namespace anycast::checks {
namespace {

double to_ms(std::chrono::nanoseconds duration) {
    return static_cast<double>(duration.count()) / 1e6;
}

// Measured with --count 100 over 500-5000 addresses at -t 3 on a 2-core machine at load 4-5
// (docs/benchmarks.md): after the wait, each scheduled query costs about 1.3 us (folded, freed,
// and settled if unsent), and each query still in flight at the deadline (at most
// dns::max_sockets) about 30 us more, for its socket to be closed and its flight freed. Both are
// rounded up, so that the run ends before --timeout even on a loaded machine.
constexpr dns::Clock::duration report_cost_per_query = std::chrono::nanoseconds{1500};
constexpr dns::Clock::duration report_cost_per_open_query = std::chrono::microseconds{40};

}  // namespace

std::size_t AddressProbe::sent() const {
    return results.size() - not_sent();
}

std::size_t AddressProbe::not_sent() const {
    return static_cast<std::size_t>(
        std::count_if(results.begin(), results.end(),
                      [](const dns::QueryResult& r) { return r.status == dns::QueryStatus::not_sent; }));
}

int AddressProbe::attempts() const {
    int sum = 0;
    for (const dns::QueryResult& result : results) {
        sum += result.attempts;
    }
    return sum;
}

int AddressProbe::lost_attempts() const {
    int sum = 0;
    for (const dns::QueryResult& result : results) {
        sum += result.lost_attempts;
    }
    return sum;
}

std::size_t AddressProbe::received() const {
    return static_cast<std::size_t>(
        std::count_if(results.begin(), results.end(),
                      [](const dns::QueryResult& r) { return r.status == dns::QueryStatus::answered; }));
}

double AddressProbe::loss_percent() const {
    const std::size_t queries = sent();
    if (queries == 0) {
        return 100.0;
    }
    return 100.0 * static_cast<double>(queries - received()) / static_cast<double>(queries);
}

std::optional<RttStats> AddressProbe::rtt() const {
    std::optional<RttStats> stats;
    double sum = 0;
    std::size_t answered = 0;
    for (const dns::QueryResult& result : results) {
        if (result.status != dns::QueryStatus::answered) {
            continue;
        }
        const double ms = to_ms(result.rtt);
        if (!stats) {
            stats = RttStats{ms, ms, ms};
        }
        stats->min_ms = std::min(stats->min_ms, ms);
        stats->max_ms = std::max(stats->max_ms, ms);
        sum += ms;
        ++answered;
    }
    if (stats) {
        stats->avg_ms = sum / static_cast<double>(answered);
    }
    return stats;
}

const dns::QueryResult* AddressProbe::first_answer() const {
    for (const dns::QueryResult& result : results) {
        if (result.status == dns::QueryStatus::answered && result.response) {
            return &result;
        }
    }
    return nullptr;
}

std::string AddressProbe::failure_reason(double timeout_seconds) const {
    // The most telling failure wins: a refusal or a network error says more than silence.
    const dns::QueryResult* telling = nullptr;
    for (const dns::QueryResult& result : results) {
        if (result.status == dns::QueryStatus::refused || result.status == dns::QueryStatus::network_error) {
            telling = &result;
            break;
        }
    }
    if (telling != nullptr) {
        return telling->error;
    }
    if (!measured()) {
        // The check's own limit (descriptors, a deadline too short to start): not the server's fault.
        return results.empty() ? std::string("not measured") : "not measured: " + results.front().error;
    }
    std::string reason = "no answer within " + plugin::format_decimal(timeout_seconds, 3) + " s";
    if (const int tries = attempts(); tries > 1 && results.size() == 1) {
        reason += " (" + std::to_string(tries) + " tries)";
    }
    for (const dns::QueryResult& result : results) {
        if (result.udp_truncated) {
            reason = "truncated over UDP, and the TCP retry did not finish in time";
        }
        if (result.ignored_replies > 0) {
            reason += " (ignored " + std::to_string(result.ignored_replies) +
                      " non-matching replies: " + result.last_ignored_reason + ")";
            break;
        }
    }
    return reason;
}

std::vector<dns::Endpoint> resolve_targets(std::span<const std::string> hosts, std::uint16_t port,
                                           dns::AddressFamily family, dns::Clock::time_point deadline) {
    std::vector<dns::Endpoint> endpoints;
    for (const std::string& host : hosts) {
        for (const dns::Endpoint& endpoint : dns::resolve_host(host, port, family, deadline)) {
            if (std::find(endpoints.begin(), endpoints.end(), endpoint) == endpoints.end()) {
                endpoints.push_back(endpoint);
            }
        }
    }
    return endpoints;
}

dns::Clock::duration report_reserve(std::size_t scheduled_queries) {
    const std::size_t in_flight = std::min(scheduled_queries, dns::max_sockets);
    return report_cost_per_query * static_cast<dns::Clock::rep>(scheduled_queries) +
           report_cost_per_open_query * static_cast<dns::Clock::rep>(in_flight);
}

dns::Clock::time_point network_deadline(dns::Clock::time_point deadline, std::size_t scheduled_queries,
                                        dns::Clock::time_point now) {
    const dns::Clock::duration left = std::max(dns::Clock::duration::zero(), deadline - now);
    return deadline - std::min(report_reserve(scheduled_queries), left / 2);
}

std::vector<AddressProbe> probe_addresses(std::span<const dns::Endpoint> endpoints, const ProbePlan& plan,
                                          dns::Clock::time_point deadline,
                                          std::span<const dns::QueryJob> side_jobs,
                                          std::vector<dns::QueryResult>* side_results) {
    const int count = std::max(1, plan.count);
    std::vector<dns::QueryJob> jobs;
    jobs.reserve(endpoints.size() * static_cast<std::size_t>(count) + side_jobs.size());
    // Round i of every address goes out together, so --count spacing is the same for all.
    for (int round = 0; round < count; ++round) {
        for (const dns::Endpoint& endpoint : endpoints) {
            dns::QueryJob job;
            job.server = endpoint;
            job.spec = plan.spec;
            job.spec.request_nsid =
                plan.spec.request_nsid && std::find(plan.identity_order.begin(), plan.identity_order.end(),
                                                    identity::Method::nsid) != plan.identity_order.end();
            job.start_offset = plan.interval * round;
            job.retry = plan.retry;
            job.response_group = static_cast<std::size_t>(&endpoint - endpoints.data());
            jobs.push_back(std::move(job));
        }
    }
    const std::size_t probe_jobs = jobs.size();
    // Who-am-I names leave with the measured queries: no extra round trip.
    const bool use_whoami = std::find(plan.identity_order.begin(), plan.identity_order.end(),
                                      identity::Method::whoami) != plan.identity_order.end();
    const std::size_t whoami_count = use_whoami ? plan.whoami.size() : 0;
    for (const dns::Endpoint& endpoint : endpoints) {
        for (std::size_t w = 0; w < whoami_count; ++w) {
            jobs.push_back(identity::whoami_job(endpoint, plan.whoami[w]));
        }
    }
    const std::size_t own_jobs = jobs.size();
    jobs.insert(jobs.end(), side_jobs.begin(), side_jobs.end());
    for (std::size_t i = probe_jobs; i < jobs.size(); ++i) {
        jobs[i].retry = plan.retry;  // side queries cross the same network
    }
    // The wait ends early enough for the work on every scheduled query after it (report_reserve).
    const dns::Clock::time_point wait_until = network_deadline(deadline, jobs.size(), dns::Clock::now());
    std::vector<dns::QueryResult> results = dns::run_queries(jobs, wait_until);
    std::vector<dns::QueryJob>().swap(jobs);  // --count 100 over thousands of addresses: free it now
    if (side_results != nullptr) {
        side_results->assign(std::make_move_iterator(results.begin() + static_cast<long>(own_jobs)),
                             std::make_move_iterator(results.end()));
    }

    std::vector<AddressProbe> probes(endpoints.size());
    for (std::size_t i = 0; i < endpoints.size(); ++i) {
        probes[i].endpoint = endpoints[i];
        probes[i].results.reserve(static_cast<std::size_t>(count));
        for (int round = 0; round < count; ++round) {
            probes[i].results.push_back(
                std::move(results[static_cast<std::size_t>(round) * endpoints.size() + i]));
        }
    }
    if (!plan.identity_order.empty()) {
        std::vector<const dns::QueryResult*> measured;
        measured.reserve(probes.size());
        for (const AddressProbe& probe : probes) {
            measured.push_back(probe.first_answer());
        }
        std::vector<identity::Identity> identities =
            identity::identify(endpoints, measured, plan.identity_order, wait_until, plan.retry);
        for (std::size_t i = 0; i < probes.size(); ++i) {
            probes[i].identity = std::move(identities[i]);
            const std::span<const dns::QueryResult> said(results.data() + probe_jobs + i * whoami_count,
                                                         whoami_count);
            identity::add_whoami(probes[i].identity, plan.identity_order,
                                 std::span(plan.whoami.data(), whoami_count), said);
        }
    }
    return probes;
}

std::string format_ms(double milliseconds) {
    return plugin::format_decimal(milliseconds, 3);
}

}  // namespace anycast::checks
