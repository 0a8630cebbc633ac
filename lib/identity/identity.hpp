#pragma once
// Which instance answered: NSID (RFC 5001) on the measured query itself, so identity and timing
// come from one packet; when a server gives none, the CHAOS TXT names hostname.bind / id.server,
// asked concurrently for all servers in one extra round under the same deadline.
#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dns/engine.hpp"

namespace anycast::identity {

enum class Method { nsid, hostname_bind, id_server, whoami };

// The one table of identity methods: every check parses, names and documents them from here.
struct MethodInfo {
    Method method;
    std::string_view name;  // as users write it in --identity
    std::string_view how;   // for --help
};
inline constexpr std::array<MethodInfo, 4> method_table{{
    {Method::nsid, "nsid", "EDNS NSID on the measured query itself (RFC 5001)"},
    {Method::hostname_bind, "hostname.bind", "CHAOS TXT hostname.bind"},
    {Method::id_server, "id.server", "CHAOS TXT id.server (RFC 4892)"},
    {Method::whoami, "whoami", "the answers of the --whoami names (resolvers' egress address or site)"},
}};
std::string_view method_name(Method method);  // "nsid", "hostname.bind", "id.server", "whoami"

// "nsid, hostname.bind,id.server" (any order, no repeats, blanks around items ignored) or "none"
// (an empty list). Throws anycast::InputError naming a bad or repeated item.
std::vector<Method> parse_methods(std::string_view list);
inline constexpr std::string_view default_methods = "nsid,hostname.bind,id.server";
// "nsid, hostname.bind, id.server, whoami": the names of the table, for --help.
std::string method_names();

// NSID bytes for display: escaped text when it is printable ASCII, else "0x" and hex (RFC 5001
// leaves the content to the operator; many send hex-encoded binary ids).
std::string nsid_display(std::span<const std::uint8_t> nsid);

dns::Question chaos_question(Method method);  // hostname.bind / id.server CH TXT

struct Attempt {
    Method method;
    std::string outcome;   // "ams1", "no NSID in the answer", "REFUSED (hidden)", ...; escaped
    std::string source{};  // which who-am-I name (whoami only)

    // The fact key of this attempt: "identity_nsid", "identity_whoami_o-o.myaddr.l.google.com".
    std::string fact_key() const;
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
// Method::whoami is not asked here: its names go out with the measured queries (see below).
std::vector<Identity> identify(std::span<const dns::Endpoint> servers,
                               std::span<const dns::QueryResult* const> measured,
                               const std::vector<Method>& order, dns::Clock::time_point deadline);

// --whoami NAME[/TYPE]: a name whose answer (TXT, A or AAAA) names the resolver's egress address or
// site (o-o.myaddr.l.google.com/TXT, whoami.akamai.net/A). Throws anycast::InputError.
struct WhoamiName {
    std::string name;
    std::uint16_t type = 0;  // TXT, A or AAAA
};
WhoamiName parse_whoami(std::string_view text);

// The query for one who-am-I name (with RD, no NSID), to leave with the measured queries so it
// costs no extra round trip.
dns::QueryJob whoami_job(const dns::Endpoint& resolver, const WhoamiName& whoami);

// What a who-am-I answer said: the first TXT string, or the first address; escaped.
std::optional<std::string> read_whoami(const dns::QueryResult& result);

// Adds what each who-am-I name said (results[i] answers names[i]) to identity's attempts, and
// takes the first answer as the identity when whoami ranks above the method that gave it in
// `order` (or when there is none).
void add_whoami(Identity& identity, const std::vector<Method>& order, std::span<const WhoamiName> names,
                std::span<const dns::QueryResult> results);

}  // namespace anycast::identity
