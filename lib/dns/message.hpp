#pragma once
// DNS messages: building the queries we send and turning untrusted wire bytes into a plain, owned
// Response. ldns does the wire format; everything a check needs is copied out so no ldns object
// outlives this module.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace anycast::dns {

enum class Transport { udp, tcp };
std::string_view transport_name(Transport transport);

// The few DNS numbers a header needs before ldns is included: the same values as LDNS_RR_TYPE_A,
// LDNS_RR_TYPE_NS and LDNS_RR_CLASS_IN (message.cpp asserts it). Code that includes ldns uses ldns's.
inline constexpr std::uint16_t type_a = 1;
inline constexpr std::uint16_t type_ns = 2;
inline constexpr std::uint16_t class_in = 1;

struct Question {
    std::string name;  // absolute, presentation form ("anycast.test.")
    std::uint16_t type = type_a;
    std::uint16_t klass = class_in;
};

// Parses name/type/class as a user wrote them ("anycast.test", "SOA", "CH"); throws InputError.
Question make_question(std::string_view name, std::string_view type, std::string_view klass);
std::uint16_t parse_rr_type(std::string_view text);   // any type ldns knows, or TYPE123
std::uint16_t parse_rr_class(std::string_view text);  // IN, CH, HS, or CLASS3
std::string rr_type_name(std::uint16_t type);
std::string rr_class_name(std::uint16_t klass);
std::uint16_t parse_rcode(std::string_view text);  // NOERROR, NXDOMAIN, ... or a number
std::string rcode_name(std::uint16_t rcode);

struct QuerySpec {
    Question question;
    bool recursion_desired = false;
    bool dnssec_ok = false;
    bool request_nsid = true;               // only sent when EDNS is on
    std::uint16_t edns_buffer_size = 1232;  // 0 = no OPT record at all
    Transport transport = Transport::udp;
    bool tcp_fallback_on_truncation = true;
};

// The query in wire format (without the TCP length prefix). Throws std::runtime_error if ldns fails.
std::vector<std::uint8_t> build_query(const QuerySpec& spec, std::uint16_t id);

// RFC 8914 Extended DNS Error.
struct ExtendedError {
    std::uint16_t info_code = 0;
    std::string extra_text;  // raw bytes from the network: escape before output
};
inline constexpr std::uint16_t ede_prohibited = 18;

struct Record {
    std::string owner;  // presentation form
    std::uint16_t type = 0;
    std::uint16_t klass = 0;
    std::uint32_t ttl = 0;
    std::string rdata;                     // presentation form, as ldns prints it (untrusted)
    std::vector<std::string> txt_strings;  // TXT character-strings, raw bytes (untrusted)
    std::optional<std::uint32_t> soa_serial;
    std::uint16_t rrsig_type_covered = 0;  // for RRSIG
    // The record in uncompressed wire form, so that signatures can be verified later (dns/dnssec)
    // without keeping any ldns object alive.
    std::vector<std::uint8_t> wire;
};

struct Response {
    std::uint16_t id = 0;
    std::uint16_t rcode = 0;  // including the EDNS extended bits
    bool aa = false, tc = false, rd = false, ra = false, ad = false, cd = false;
    bool has_edns = false;
    std::uint16_t edns_udp_size = 0;
    bool edns_do = false;
    std::optional<std::vector<std::uint8_t>> nsid;  // raw bytes (untrusted)
    std::vector<ExtendedError> extended_errors;
    std::vector<Record> answer;
    std::vector<Record> authority;
    std::size_t wire_size = 0;
};

enum class Match {
    matched,         // a well-formed response to our query
    not_a_response,  // QR clear, or opcode not QUERY
    id_mismatch,
    question_mismatch,
    malformed,  // could not be parsed at all
};
std::string_view match_name(Match match);

struct ParseOutcome {
    Match match = Match::malformed;
    std::optional<Response> response;  // set only when match == Match::matched
    std::string problem;               // for anything else: a short reason
};

// Strict matching: an answer whose ID or question differs from what we asked is reported as such
// and must be ignored by the caller, never trusted (RFC 5452).
ParseOutcome parse_response(std::span<const std::uint8_t> wire, std::uint16_t expected_id,
                            const Question& expected);

}  // namespace anycast::dns

struct ldns_struct_rr;  // ldns_rr, without including ldns here

namespace anycast::dns {

// An RDATA that an answer must hold (check_anycast_dns -e), parsed once by ldns for the asked type
// and class, so that a typo is refused before anything is sent and each answer record is compared
// with the parsed form, not the text again. Spelling does not matter ("2001:DB8:0::1"): names
// are compared without regard to case, every other field byte for byte (TXT keeps its case).
class ExpectedRdata {
public:
    // Throws anycast::InputError naming the text and the type when ldns cannot read it. An A
    // written with leading zeros ("192.0.2.01") is refused: inet_aton would read "01" as octal.
    ExpectedRdata(std::string_view text, std::uint16_t type, std::uint16_t klass);

    // The record is of the same type and class and carries the same RDATA.
    bool matches(const Record& record) const;
    const std::string& text() const { return text_; }

private:
    std::string text_;
    std::shared_ptr<const ldns_struct_rr> rr_;  // immutable once parsed: shared by copies
};

}  // namespace anycast::dns
