#pragma once
// The measurement every check shares: send the same query to many addresses at once (optionally
// several times each), time it, and learn which instance answered. The checks differ only in what
// they ask and how they judge the answers.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dns/engine.hpp"
#include "identity/identity.hpp"

namespace anycast::checks {

struct ProbePlan {
    dns::QuerySpec spec;
    int count = 1;                                                  // queries per address
    dns::Clock::duration interval = std::chrono::milliseconds(10);  // spacing between them
    std::vector<identity::Method> identity_order;                   // empty: do not identify
    dns::RetryPolicy retry;                                         // --retries, --retry-interval
    std::vector<identity::WhoamiName> whoami;  // asked of every address when identity_order has whoami
};

struct RttStats {
    double min_ms = 0;
    double avg_ms = 0;
    double max_ms = 0;
};

struct AddressProbe {
    dns::Endpoint endpoint;
    std::vector<dns::QueryResult> results;  // one per query sent (or due) to this address
    identity::Identity identity;

    std::size_t sent() const;  // queries that left (those the check could not send are not losses)
    std::size_t received() const;
    std::size_t not_sent() const;  // queries the check itself could not send in time
    int attempts() const;          // UDP tries and TCP exchanges, over all queries
    int lost_attempts() const;     // tries given up on (see dns::QueryResult::lost_attempts)
    // Queries sent without any answer after all their tries, as a percentage of those sent: with
    // retries, a query is lost only when every try was.
    double loss_percent() const;
    bool measured() const { return sent() > 0; }   // false: no query left, nothing can be judged
    std::optional<RttStats> rtt() const;           // over the answered queries
    const dns::QueryResult* first_answer() const;  // nullptr when none answered (with its response)
    // Why nothing usable came back, e.g. "port unreachable (nothing listens)", "no answer within 2 s".
    std::string failure_reason(double timeout_seconds) const;
};

// Resolves every -H value (literals at no cost, names through getaddrinfo), all under `deadline`.
std::vector<dns::Endpoint> resolve_targets(std::span<const std::string> hosts, std::uint16_t port,
                                           dns::AddressFamily family, dns::Clock::time_point deadline);

// Time to keep after the network wait for the work that grows with the number of queries
// scheduled, sent or not: settling them, folding them per address, judging, writing the report and
// freeing it all. --count 100 over 5000 addresses schedules 500,000 queries, and that work overran
// --timeout by up to 0.8 s when the wait ran to the deadline. Measured costs per query and per
// query in flight, rounded up for a loaded machine (docs/benchmarks.md); a few queries keep next
// to nothing.
dns::Clock::duration report_reserve(std::size_t scheduled_queries);
// When the network wait for `scheduled_queries` ends so that the run still reports by `deadline`:
// report_reserve earlier, but never more than half of the time left at `now`, so that a short
// --timeout still measures something.
dns::Clock::time_point network_deadline(dns::Clock::time_point deadline, std::size_t scheduled_queries,
                                        dns::Clock::time_point now);

// `side_jobs` (who-am-I names, a direct comparison, ...) leave in the same engine run as the probes,
// so they cost no extra round trip; their results come back in *side_results, in the same order.
// Every query's network wait ends at network_deadline(deadline, queries scheduled, now).
std::vector<AddressProbe> probe_addresses(std::span<const dns::Endpoint> endpoints, const ProbePlan& plan,
                                          dns::Clock::time_point deadline,
                                          std::span<const dns::QueryJob> side_jobs = {},
                                          std::vector<dns::QueryResult>* side_results = nullptr);

// "0.231" style milliseconds for text output: microsecond resolution, no trailing zeros.
std::string format_ms(double milliseconds);

}  // namespace anycast::checks
