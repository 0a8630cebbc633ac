#pragma once
// DNSSEC and freshness findings, per site: typed measurements (what dns/dnssec found in one
// server's answers) in, one plugin::Subcheck out. Nothing here touches the network or the clock:
// `now` is always passed in, so every state can be reached in a unit test.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dns/dnssec.hpp"
#include "dns/message.hpp"
#include "plugin/result.hpp"

namespace anycast::checks {

// --dnssec: off (no DO bit, no DNSKEY query), auto (judge signatures wherever the zone is signed;
// an unsigned zone is fine, but a site serving it unsigned while others sign it is not), required
// (an unsigned answer is CRITICAL).
enum class DnssecMode { off, auto_detect, required };
DnssecMode parse_dnssec_mode(std::string_view text);  // throws InputError
std::string_view dnssec_mode_name(DnssecMode mode);

// A duration as operators write signature lifetimes: "5d", "36h", "2d12h", "90m", "1w", "3600s"
// or bare seconds. Throws InputError naming the text.
std::int64_t parse_duration(std::string_view text);
// "12d 3h", "1d 3h", "5h 2m", "42s": two units at most, as a pager line wants it.
std::string format_duration(std::int64_t seconds);

// Alert when less than this is left (--rrsig-warning/--rrsig-critical), or when a state has lasted
// at least this long (--behind-warning/--behind-critical). Unset: never.
struct DurationThresholds {
    std::optional<std::int64_t> warning;
    std::optional<std::int64_t> critical;
};
// Defaults for --rrsig-warning/--rrsig-critical (docs/checks/check_anycast_site.md says why): below
// what a signer that refreshes early leaves at worst, so a healthy site stays quiet, and 2 days of
// warning before a stale site's signatures run out.
inline constexpr std::int64_t default_rrsig_warning = 4 * 24 * 3600;
inline constexpr std::int64_t default_rrsig_critical = 2 * 24 * 3600;

// What one server (a site's unicast address, or an anycast address) showed of the zone's signatures.
struct DnssecMeasurement {
    std::string who;                      // "site sin1", "192.0.2.53"
    bool dnskey_answered = false;         // the DNSKEY query got a NOERROR answer
    dns::RrsetVerification soa;           // the SOA RRset against the server's own DNSKEYs
    dns::RrsetVerification dnskey;        // the DNSKEY RRset against itself
    std::vector<std::uint16_t> key_tags;  // of the DNSKEY RRset, sorted
    bool any_signature_data() const;      // an RRSIG or a DNSKEY came back: the zone is signed
};

// Offline: what the SOA answer and the DNSKEY answer (either may be absent) of one server show.
DnssecMeasurement measure_dnssec(std::string who, std::string_view zone, const dns::Response* soa_answer,
                                 const dns::Response* dnskey_answer, std::int64_t now);

// One RRset's signature ("SOA", "DNSKEY"): verification failures are CRITICAL, the time left is
// held against the thresholds. Perfdata `<label>` in seconds (negative once expired).
plugin::Subcheck judge_signature(std::string_view rrset_name, const dns::RrsetVerification& verification,
                                 std::int64_t now, const DurationThresholds& thresholds,
                                 const std::string& perfdata_label);

// A server that sent no signature data at all. `signed_elsewhere`: another server of the same zone did.
plugin::Subcheck judge_unsigned(DnssecMode mode, bool signed_elsewhere);

// Everything DNSSEC about one server: the unsigned case, or the SOA and DNSKEY signatures as children.
plugin::Subcheck judge_server_dnssec(const DnssecMeasurement& measurement, DnssecMode mode,
                                     bool signed_elsewhere, std::int64_t now,
                                     const DurationThresholds& thresholds,
                                     const std::string& perfdata_prefix);

// The DNSKEY key set of every server that sent one. The most common set is the reference (ties: the
// first in order); a server with another set is named. Sharing no key with the reference is CRITICAL
// (a resolver that cached one set cannot validate the other's answers); overlapping sets are a
// rollover still on its way, WARNING.
struct KeySetReading {
    std::string who;
    std::vector<std::uint16_t> tags;  // sorted
};
plugin::Subcheck judge_key_sets(std::span<const KeySetReading> readings);

// How long a server has been behind (serial lag > 0), from the state file's memory of when it was
// first seen lagging. `lagging_since` unset: not lagging (or no memory yet).
plugin::Subcheck judge_behind_age(std::string_view who, std::optional<std::int64_t> lagging_since,
                                  std::int64_t now, const DurationThresholds& thresholds);

}  // namespace anycast::checks

namespace anycast::checks {

// One server's answers to the two DNSSEC questions (the measured SOA with DO, and DNSKEY), either
// absent when the query failed. `who` names it on a pager line ("site sin1", "192.0.2.53 (site
// sin1)"); `perfdata_prefix` starts its perfdata labels ("sin1").
struct DnssecServer {
    std::string who;
    std::string perfdata_prefix;
    const dns::Response* soa = nullptr;
    const dns::Response* dnskey = nullptr;
};

// A problem for the first line: its state and "who: what".
struct DnssecProblem {
    plugin::State state;
    std::string text;
};

// Every server judged (one subcheck each, named "dnssec <who>"), then their key sets compared (one
// more subcheck, when at least two servers sent a DNSKEY set). `problems` gets the non-OK findings,
// worst first. Off: nothing.
std::vector<plugin::Subcheck> judge_dnssec_servers(std::span<const DnssecServer> servers,
                                                   std::string_view zone, DnssecMode mode, std::int64_t now,
                                                   const DurationThresholds& thresholds,
                                                   std::vector<DnssecProblem>* problems);

}  // namespace anycast::checks
