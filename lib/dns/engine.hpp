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

namespace anycast::dns {

struct QueryJob {
    Endpoint server;
    QuerySpec spec;
    Clock::duration start_offset{};  // not sent before (engine start + offset): spacing for --count
};

enum class QueryStatus {
    answered,       // a matching response arrived (its rcode may still be an error)
    timeout,        // nothing usable before the deadline
    refused,        // ICMP port unreachable on UDP, RST on TCP: nothing listens there
    network_error,  // unreachable network or host, connection closed early, and the like
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
    std::size_t ignored_replies = 0;  // replies that did not match our query (ID, question, ...)
    std::string last_ignored_reason;
    std::string error;  // why, for refused / network_error / timeout
};

struct EngineOptions {
    // How many sockets may be open at once; further jobs wait for a free slot. 0 = derive from
    // RLIMIT_NOFILE.
    std::size_t max_in_flight = 0;
};

// Runs every job and returns one result per job, in the same order. Returns by `deadline` (plus
// the time to close sockets), whatever the network does.
std::vector<QueryResult> run_queries(std::span<const QueryJob> jobs, Clock::time_point deadline,
                                     const EngineOptions& options = {});

}  // namespace anycast::dns
