#pragma once
// The query engine: many DNS queries in flight at once, all under one deadline, timed precisely.
//
// Sockets are our own (non-blocking, one ppoll loop) rather than ldns's resolver, for three
// reasons: ldns sends one query at a time; its UDP path does not notice an ICMP port-unreachable
// and waits the whole timeout; and its retries and silent TCP fallback would decide a check's
// behaviour by accident. Each query gets its own connected socket, so the kernel only hands us
// datagrams from the address and port we asked (and reports ICMP errors), a fresh source port and
// a random ID.
#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dns/endpoint.hpp"
#include "dns/message.hpp"
#include "dns/timestamp.hpp"

namespace anycast::dns {

// Retransmission of a UDP query that has no answer yet. TCP is not retransmitted by us: the
// kernel does that.
struct RetryPolicy {
    int retries = 2;  // sends after the first: dig's default of 3 tries
    // Time from one try to the next. Zero: min(1 s, the time left when the query starts divided by
    // the number of tries), so that every try fits into the run's one deadline.
    Clock::duration interval{};
};
inline constexpr Clock::duration max_auto_retry_interval = std::chrono::seconds(1);
inline constexpr int max_retries = 10;

// The retry interval a query starting with `time_left` before the deadline uses.
Clock::duration effective_retry_interval(const RetryPolicy& policy, Clock::duration time_left);

inline constexpr std::size_t no_response_group = static_cast<std::size_t>(-1);

struct QueryJob {
    Endpoint server;
    QuerySpec spec;
    Clock::duration start_offset{};  // not sent before (engine start + offset): spacing for --count
    RetryPolicy retry;
    // Jobs of one group (the --count queries to one address) keep only the first answer's parsed
    // Response; the others keep status and timing. 100 queries to 5000 addresses stay small.
    std::size_t response_group = no_response_group;
};

enum class QueryStatus {
    answered,       // a matching response arrived (its rcode may still be an error)
    timeout,        // nothing usable before the deadline
    refused,        // ICMP port unreachable on UDP, RST on TCP: nothing listens there
    network_error,  // unreachable network or host, connection closed early, and the like
    not_sent,       // the check itself could not send it in time (its own limits): not a loss
};
std::string_view query_status_name(QueryStatus status);

struct QueryResult {
    QueryStatus status = QueryStatus::timeout;
    std::optional<Response> response;
    Transport transport = Transport::udp;  // what carried the final exchange
    bool udp_truncated = false;            // a UDP answer came back with TC set
    // From the moment the query left to the moment its answer was seen, on the exchange that gave
    // the final answer. For TCP this excludes the handshake, so UDP and TCP RTTs compare; the
    // handshake is in tcp_connect_time.
    std::chrono::nanoseconds rtt{};
    std::optional<std::chrono::nanoseconds> tcp_connect_time;
    RttMethod rtt_method = RttMethod::userspace;  // which clock readings `rtt` comes from
    std::chrono::nanoseconds userspace_rtt{};     // the same exchange by our own readings, to compare
    bool clock_step = false;                      // kernel stamps discarded: the clock was stepped
    int attempts = 0;                             // UDP tries sent (a TCP exchange counts one more)
    int answered_attempt = 0;                     // the try the answer matched, 1-based; 0 when none
    // Tries given up on: those sent before the try that answered (they had at least one retry
    // interval), or every try of a query that got no answer. Tries still in flight when an
    // earlier one was answered are not lost.
    int lost_attempts = 0;
    std::size_t ignored_replies = 0;  // replies that did not match our query (ID, question, ...)
    std::string last_ignored_reason;
    // Why, for refused / network_error / timeout / not_sent. Of the not_sent queries of one response
    // group only the first carries it (the others are empty): every unsent query has the same reason,
    // and a text each for 500,000 of them cost more than the deadline left.
    std::string error;
};

// What an answered query's TC bit means, if it is set: over UDP, that the TCP fallback was off (or
// it would have been used); over TCP, that the server truncated even there.
std::optional<std::string> truncation_problem(const QueryResult& result);

// The most sockets a run keeps open at once, whatever the descriptor limit allows.
inline constexpr std::size_t max_sockets = 4096;

struct EngineOptions {
    // How many sockets may be open at once; further jobs wait for a free slot. 0 = derive from the
    // descriptors actually free (RLIMIT_NOFILE less those open, inherited ones included).
    std::size_t max_in_flight = 0;
};

// Sockets the engine may open when `open_now` of `soft_limit` descriptors are in use: what is free,
// less a reserve for the resolver thread, stdio and libraries, at most 4096.
std::size_t descriptor_budget(std::size_t soft_limit, std::size_t open_now);
std::size_t open_descriptor_count();  // entries of /proc/self/fd (0 when it cannot be read)
// Whether a run of `jobs` needs open_descriptor_count() at all: not when every try of every job
// could be open at once within a quarter of the limit. Reading /proc/self/fd costs a one-query
// check a tenth of a millisecond, more than all else it does; should inherited descriptors fill
// the limit after all, the first socket that cannot be had shrinks the budget then (EMFILE).
bool descriptor_count_needed(std::size_t jobs, std::size_t soft_limit);

// Runs every job and returns one result per job, in the same order. Returns by `deadline` (plus
// the time to close sockets), whatever the network does.
std::vector<QueryResult> run_queries(std::span<const QueryJob> jobs, Clock::time_point deadline,
                                     const EngineOptions& options = {});

}  // namespace anycast::dns
