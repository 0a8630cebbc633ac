#pragma once
// DNSSEC signatures as one server sent them: does the RRSIG of an RRset verify against a DNSKEY
// RRset (with ldns), and how long is it valid? Works on the records of a parsed Response (their
// wire form), so nothing here sends a query and every answer can be judged offline.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dns/message.hpp"

namespace anycast::dns {

enum class SignatureStatus {
    valid,          // verifies with a key of the set, and now lies within inception..expiration
    expired,        // verifies, but its expiration has passed
    not_yet_valid,  // verifies, but its inception is still in the future (clock or signer trouble)
    bad_signature,  // made by a key of the set (key tag and algorithm), but does not verify
    unknown_key,    // no signature was made by a key of the set: another key set signed it
    no_signature,   // the RRset came without an RRSIG
    no_rrset,       // the RRset itself is absent: nothing to verify
    no_keys,        // no DNSKEY to verify with
};
std::string_view signature_status_name(SignatureStatus status);

struct SignatureInfo {
    std::uint16_t key_tag = 0;
    std::uint8_t algorithm = 0;
    std::int64_t inception = 0;   // Unix seconds (RFC 4034 serial arithmetic, around `now`)
    std::int64_t expiration = 0;  // Unix seconds
    std::string signer;           // presentation form (untrusted)
};

struct RrsetVerification {
    SignatureStatus status = SignatureStatus::no_rrset;
    std::optional<SignatureInfo> signature;  // the best of the RRset's signatures, when it has one
    std::size_t signature_count = 0;         // RRSIGs covering the RRset
    std::string detail;                      // ldns's reason when the best one does not verify
};

// Verifies the RRset (owner, type) in `section` against the DNSKEY records in `dnskeys` (other
// records there are ignored) at time `now` (Unix seconds). With several RRSIGs (a rollover) the
// best one is judged: one that is valid now, with the latest expiration; else one that verifies
// but is out of its period; else one made by a key of the set; else any.
RrsetVerification verify_rrset(std::span<const Record> section, std::string_view owner, std::uint16_t type,
                               std::span<const Record> dnskeys, std::int64_t now);

// The signer name (presentation form) of the first RRSIG in `section` covering `type`: the zone
// whose DNSKEYs verify it.
std::optional<std::string> rrsig_signer(std::span<const Record> section, std::uint16_t type);

// The key tags (RFC 4034 appendix B) of the DNSKEY records among `records`, sorted, without repeats.
std::vector<std::uint16_t> dnskey_tags(std::span<const Record> records);

// "12345 23456" for output.
std::string key_tags_text(std::span<const std::uint16_t> tags);

}  // namespace anycast::dns
