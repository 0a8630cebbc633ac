#pragma once
// Which instance answered: NSID (RFC 5001) on the measured query itself, so identity and timing
// come from one packet; when a server gives none, the CHAOS TXT names hostname.bind / id.server,
// asked concurrently for all servers in one extra round under the same deadline.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dns/engine.hpp"

namespace anycast::identity {

enum class Method { nsid, hostname_bind, id_server };
std::string_view method_name(Method method);  // "nsid", "hostname.bind", "id.server"

// "nsid,hostname.bind,id.server" (any order, no repeats) or "none" (an empty list).
std::vector<Method> parse_methods(std::string_view list);
inline constexpr std::string_view default_methods = "nsid,hostname.bind,id.server";

// NSID bytes for display: escaped text when it is printable ASCII, else "0x" and hex (RFC 5001
// leaves the content to the operator; many send hex-encoded binary ids).
std::string nsid_display(std::span<const std::uint8_t> nsid);

dns::Question chaos_question(Method method);  // hostname.bind / id.server CH TXT

struct Attempt {
    Method method;
    std::string outcome;  // "ams1", "no NSID in the answer", "REFUSED (hidden)", ...; escaped
};

struct Identity {
    std::optional<std::string> value;  // escaped and bounded: safe to print
    std::optional<Method> method;      // which method gave `value`
    bool hidden = false;               // the server refuses to say (REFUSED, EDE 18 "Prohibited")
    std::vector<Attempt> attempts;     // what every method said, in order

    // "ams1 (nsid)", "hidden", or "unknown"
    std::string describe() const;
};

// The identity of one answered server from its measured response (NSID only).
std::optional<std::string> nsid_identity(const dns::Response& response);

// The identity in a CHAOS TXT answer, or why there is none.
struct ChaosAnswer {
    std::optional<std::string> value;  // escaped
    bool hidden = false;
    std::string outcome;
};
ChaosAnswer read_chaos_answer(const dns::QueryResult& result);

// Identity of each server: measured[i] is the result of the measured query to servers[i] (a server
// that did not answer it is not asked again). CHAOS queries go out concurrently for every server
// whose NSID is missing and for which a CHAOS method precedes or follows in `order`.
std::vector<Identity> identify(std::span<const dns::Endpoint> servers,
                               std::span<const dns::QueryResult* const> measured,
                               const std::vector<Method>& order, dns::Clock::time_point deadline,
                               const dns::RetryPolicy& retry = {});

}  // namespace anycast::identity
