#include "dns/message.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <stdexcept>

#include "dns/ldns_handles.hpp"
#include "plugin/error.hpp"
#include "plugin/text.hpp"

namespace anycast::dns {
namespace {

constexpr std::size_t header_size = 12;

// message.hpp names these without including ldns: they must be ldns's numbers.
static_assert(type_a == LDNS_RR_TYPE_A && type_ns == LDNS_RR_TYPE_NS && class_in == LDNS_RR_CLASS_IN);

struct RcodeName {
    std::uint16_t code;
    std::string_view name;
};
constexpr std::array<RcodeName, 12> rcode_names{{{0, "NOERROR"},
                                                 {1, "FORMERR"},
                                                 {2, "SERVFAIL"},
                                                 {3, "NXDOMAIN"},
                                                 {4, "NOTIMP"},
                                                 {5, "REFUSED"},
                                                 {6, "YXDOMAIN"},
                                                 {7, "YXRRSET"},
                                                 {8, "NXRRSET"},
                                                 {9, "NOTAUTH"},
                                                 {10, "NOTZONE"},
                                                 {16, "BADVERS"}}};

std::string upper(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return out;
}

std::uint16_t read_u16(std::span<const std::uint8_t> bytes, std::size_t at) {
    return static_cast<std::uint16_t>((bytes[at] << 8) | bytes[at + 1]);
}

// The number of an RFC 3597 "TYPEnnn"/"CLASSnnn". ldns reads it with atoi, which accepts trailing
// junk and wraps past 65535 ("TYPE65537" would have asked for A records).
std::optional<std::uint16_t> generic_number(std::string_view digits) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() || value == 0 ||
        value > 65535) {
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(value);
}

std::string rdf_text(const ldns_rdf* rdf) {
    if (rdf == nullptr) {
        return {};
    }
    LdnsText text(ldns_rdf2str(rdf));
    return text ? std::string(text.get()) : std::string();
}

LdnsRdf absolute_dname(std::string_view name) {
    std::string absolute(name);
    // A trailing "\." is an escaped dot inside the last label, not the root.
    const bool ends_with_root = !absolute.empty() && absolute.back() == '.' &&
                                !(absolute.size() >= 2 && absolute[absolute.size() - 2] == '\\');
    if (!ends_with_root) {
        absolute.push_back('.');
    }
    if (absolute.size() > 1 && absolute.front() == '.') {
        return LdnsRdf(nullptr);
    }
    return LdnsRdf(ldns_dname_new_frm_str(absolute.c_str()));
}

Record to_record(const ldns_rr* rr) {
    Record record;
    record.owner = rdf_text(ldns_rr_owner(rr));
    record.type = static_cast<std::uint16_t>(ldns_rr_get_type(rr));
    record.klass = static_cast<std::uint16_t>(ldns_rr_get_class(rr));
    record.ttl = ldns_rr_ttl(rr);
    const std::size_t count = ldns_rr_rd_count(rr);
    for (std::size_t i = 0; i < count; ++i) {
        const ldns_rdf* rdf = ldns_rr_rdf(rr, i);
        if (i > 0) {
            record.rdata.push_back(' ');
        }
        record.rdata += rdf_text(rdf);
        if (record.type == LDNS_RR_TYPE_TXT && ldns_rdf_get_type(rdf) == LDNS_RDF_TYPE_STR) {
            const std::uint8_t* data = ldns_rdf_data(rdf);
            const std::size_t size = ldns_rdf_size(rdf);
            if (size >= 1) {
                const std::size_t length = std::min<std::size_t>(data[0], size - 1);
                record.txt_strings.emplace_back(reinterpret_cast<const char*>(data + 1), length);
            }
        }
    }
    if (record.type == LDNS_RR_TYPE_SOA && count >= 3) {
        const ldns_rdf* serial = ldns_rr_rdf(rr, 2);
        if (serial != nullptr && ldns_rdf_size(serial) == 4) {
            record.soa_serial = ldns_rdf2native_int32(serial);
        }
    }
    if (record.type == LDNS_RR_TYPE_RRSIG && count >= 1) {
        const ldns_rdf* covered = ldns_rr_rdf(rr, 0);
        if (covered != nullptr && ldns_rdf_size(covered) == 2) {
            record.rrsig_type_covered = ldns_rdf2native_int16(covered);
        }
    }
    // LDNS_SECTION_ANSWER: with its TTL and RDATA (a question entry has neither).
    if (LdnsBuffer buffer(ldns_buffer_new(512));
        buffer && ldns_rr2buffer_wire(buffer.get(), rr, LDNS_SECTION_ANSWER) == LDNS_STATUS_OK) {
        const std::uint8_t* begin = ldns_buffer_begin(buffer.get());
        record.wire.assign(begin, begin + ldns_buffer_position(buffer.get()));
    }
    return record;
}

std::vector<Record> to_records(const ldns_rr_list* list) {
    std::vector<Record> records;
    if (list == nullptr) {
        return records;
    }
    const std::size_t count = ldns_rr_list_rr_count(list);
    records.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        records.push_back(to_record(ldns_rr_list_rr(list, i)));
    }
    return records;
}

// EDNS options are walked by hand: the OPT RDATA is a plain TLV list, and walking it ourselves
// keeps a lying length field from ever reading past the buffer.
void read_edns_options(const ldns_rdf* data, Response& response) {
    if (data == nullptr) {
        return;
    }
    const std::span<const std::uint8_t> bytes(ldns_rdf_data(data), ldns_rdf_size(data));
    std::size_t at = 0;
    while (at + 4 <= bytes.size()) {
        const std::uint16_t code = read_u16(bytes, at);
        const std::size_t length = read_u16(bytes, at + 2);
        at += 4;
        if (length > bytes.size() - at) {
            break;  // truncated option: keep what was well formed before it
        }
        const auto value = bytes.subspan(at, length);
        if (code == LDNS_EDNS_NSID && !response.nsid) {
            response.nsid.emplace(value.begin(), value.end());
        } else if (code == LDNS_EDNS_EDE && length >= 2) {
            ExtendedError error;
            error.info_code = read_u16(value, 0);
            error.extra_text.assign(reinterpret_cast<const char*>(value.data() + 2), length - 2);
            response.extended_errors.push_back(std::move(error));
        }
        at += length;
    }
}

}  // namespace

std::string_view transport_name(Transport transport) {
    return transport == Transport::tcp ? "tcp" : "udp";
}

std::uint16_t parse_rr_type(std::string_view text) {
    const std::string name = upper(text);
    if (name.starts_with("TYPE")) {
        if (const auto number = generic_number(std::string_view(name).substr(4))) {
            return *number;
        }
        throw InputError("unknown record type '" + std::string(text) + "'");
    }
    const ldns_rr_type type = ldns_get_rr_type_by_name(name.c_str());
    if (name.empty() || type == 0) {
        throw InputError("unknown record type '" + std::string(text) + "'");
    }
    return static_cast<std::uint16_t>(type);
}

std::uint16_t parse_rr_class(std::string_view text) {
    const std::string name = upper(text);
    if (name.starts_with("CLASS")) {
        if (const auto number = generic_number(std::string_view(name).substr(5))) {
            return *number;
        }
        throw InputError("unknown class '" + std::string(text) + "'");
    }
    const ldns_rr_class klass = ldns_get_rr_class_by_name(name.c_str());
    if (name.empty() || klass == 0) {
        throw InputError("unknown class '" + std::string(text) + "'");
    }
    return static_cast<std::uint16_t>(klass);
}

std::string rr_type_name(std::uint16_t type) {
    LdnsText text(ldns_rr_type2str(static_cast<ldns_rr_type>(type)));
    return text ? std::string(text.get()) : "TYPE" + std::to_string(type);
}

std::string rr_class_name(std::uint16_t klass) {
    LdnsText text(ldns_rr_class2str(static_cast<ldns_rr_class>(klass)));
    return text ? std::string(text.get()) : "CLASS" + std::to_string(klass);
}

std::uint16_t parse_rcode(std::string_view text) {
    const std::string name = upper(text);
    for (const auto& entry : rcode_names) {
        if (entry.name == name) {
            return entry.code;
        }
    }
    unsigned value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || text.empty() || value > 4095) {
        throw InputError("unknown rcode '" + std::string(text) + "'");
    }
    return static_cast<std::uint16_t>(value);
}

std::string rcode_name(std::uint16_t rcode) {
    for (const auto& entry : rcode_names) {
        if (entry.code == rcode) {
            return std::string(entry.name);
        }
    }
    return "RCODE" + std::to_string(rcode);
}

Question make_question(std::string_view name, std::string_view type, std::string_view klass) {
    Question question;
    LdnsRdf dname = absolute_dname(name);
    if (name.empty() || !dname) {
        throw InputError("'" + std::string(name) + "' is not a valid domain name");
    }
    question.name = rdf_text(dname.get());
    question.type = parse_rr_type(type);
    question.klass = parse_rr_class(klass);
    return question;
}

std::vector<std::uint8_t> build_query(const QuerySpec& spec, std::uint16_t id) {
    LdnsRdf name = absolute_dname(spec.question.name);
    if (!name) {
        throw std::runtime_error("cannot encode query name");
    }
    const std::uint16_t flags = spec.recursion_desired ? LDNS_RD : 0;
    LdnsPacket packet(ldns_pkt_query_new(name.release(), static_cast<ldns_rr_type>(spec.question.type),
                                         static_cast<ldns_rr_class>(spec.question.klass), flags));
    if (!packet) {
        throw std::runtime_error("ldns could not build the query");
    }
    ldns_pkt_set_id(packet.get(), id);
    if (spec.edns_buffer_size > 0) {
        ldns_pkt_set_edns_udp_size(packet.get(), spec.edns_buffer_size);
        ldns_pkt_set_edns_do(packet.get(), spec.dnssec_ok);
        if (spec.request_nsid) {
            // The packet takes ownership of the list, and the list of the option.
            ldns_edns_option_list* options = ldns_edns_option_list_new();
            ldns_edns_option* nsid = ldns_edns_new_from_data(LDNS_EDNS_NSID, 0, nullptr);
            if (options == nullptr || nsid == nullptr || !ldns_edns_option_list_push(options, nsid)) {
                ldns_edns_deep_free(nsid);
                ldns_edns_option_list_deep_free(options);
                throw std::runtime_error("ldns could not build the NSID option");
            }
            ldns_pkt_set_edns_option_list(packet.get(), options);
        }
    }
    std::uint8_t* wire = nullptr;
    std::size_t size = 0;
    if (ldns_pkt2wire(&wire, packet.get(), &size) != LDNS_STATUS_OK || wire == nullptr) {
        free(wire);
        throw std::runtime_error("ldns could not encode the query");
    }
    std::vector<std::uint8_t> bytes(wire, wire + size);
    free(wire);
    return bytes;
}

std::string_view match_name(Match match) {
    switch (match) {
        case Match::matched:
            return "matched";
        case Match::not_a_response:
            return "not a response";
        case Match::id_mismatch:
            return "wrong ID";
        case Match::question_mismatch:
            return "wrong question";
        case Match::malformed:
            return "malformed";
    }
    return "malformed";
}

ParseOutcome parse_response(std::span<const std::uint8_t> wire, std::uint16_t expected_id,
                            const Question& expected) {
    ParseOutcome outcome;
    // The header is checked by hand first so that a reply that is not ours is classified as such
    // even when its body is garbage.
    if (wire.size() < header_size) {
        outcome.problem = "shorter than a DNS header";
        return outcome;
    }
    const std::uint16_t flags = read_u16(wire, 2);
    const bool is_response = (flags & 0x8000) != 0;
    const unsigned opcode = (flags >> 11) & 0xf;
    if (!is_response || opcode != LDNS_PACKET_QUERY) {
        outcome.match = Match::not_a_response;
        outcome.problem = is_response ? "opcode is not QUERY" : "QR bit clear";
        return outcome;
    }
    if (read_u16(wire, 0) != expected_id) {
        outcome.match = Match::id_mismatch;
        outcome.problem =
            "ID " + std::to_string(read_u16(wire, 0)) + " instead of " + std::to_string(expected_id);
        return outcome;
    }
    ldns_pkt* raw = nullptr;
    if (ldns_wire2pkt(&raw, wire.data(), wire.size()) != LDNS_STATUS_OK || raw == nullptr) {
        ldns_pkt_free(raw);
        outcome.problem = "could not be parsed";
        return outcome;
    }
    const LdnsPacket packet(raw);
    const ldns_rr_list* questions = ldns_pkt_question(packet.get());
    const LdnsRdf expected_name = absolute_dname(expected.name);
    const bool question_matches =
        questions != nullptr && ldns_rr_list_rr_count(questions) == 1 && expected_name &&
        ldns_dname_compare(ldns_rr_owner(ldns_rr_list_rr(questions, 0)), expected_name.get()) == 0 &&
        ldns_rr_get_type(ldns_rr_list_rr(questions, 0)) == expected.type &&
        ldns_rr_get_class(ldns_rr_list_rr(questions, 0)) == expected.klass;
    if (!question_matches) {
        outcome.match = Match::question_mismatch;
        outcome.problem = "question section differs from the query";
        return outcome;
    }

    Response response;
    response.id = ldns_pkt_id(packet.get());
    response.aa = ldns_pkt_aa(packet.get());
    response.tc = ldns_pkt_tc(packet.get());
    response.rd = ldns_pkt_rd(packet.get());
    response.ra = ldns_pkt_ra(packet.get());
    response.ad = ldns_pkt_ad(packet.get());
    response.cd = ldns_pkt_cd(packet.get());
    response.has_edns = ldns_pkt_edns(packet.get());
    response.rcode = static_cast<std::uint16_t>(ldns_pkt_get_rcode(packet.get()) & 0xf);
    if (response.has_edns) {
        response.edns_udp_size = ldns_pkt_edns_udp_size(packet.get());
        response.edns_do = ldns_pkt_edns_do(packet.get());
        response.rcode =
            static_cast<std::uint16_t>(response.rcode | (ldns_pkt_edns_extended_rcode(packet.get()) << 4));
        read_edns_options(ldns_pkt_edns_data(packet.get()), response);
    }
    response.answer = to_records(ldns_pkt_answer(packet.get()));
    response.authority = to_records(ldns_pkt_authority(packet.get()));
    response.wire_size = wire.size();
    outcome.match = Match::matched;
    outcome.response = std::move(response);
    return outcome;
}

ExpectedRdata::ExpectedRdata(std::string_view text, std::uint16_t type, std::uint16_t klass) : text_(text) {
    const std::string what = "'" + text_ + "' is not " + rr_type_name(type) + " RDATA";
    if (plugin::trim_blanks(text).empty()) {
        throw InputError(what + ": it is empty");
    }
    const std::string record = ". 0 " + rr_class_name(klass) + " " + rr_type_name(type) + " " + text_;
    ldns_rr* raw = nullptr;
    const ldns_status status = ldns_rr_new_frm_str(&raw, record.c_str(), 0, nullptr, nullptr);
    LdnsRr parsed(raw);
    if (status != LDNS_STATUS_OK || !parsed) {
        throw InputError(what + " (" + ldns_get_errorstr_by_id(status) + ")");
    }
    if (ldns_rr_rd_count(parsed.get()) == 0 || ldns_rr_get_type(parsed.get()) != type) {
        throw InputError(what);
    }
    rr_ = std::shared_ptr<const ldns_rr>(parsed.release(), LdnsRrFree());
}

bool ExpectedRdata::matches(const Record& record) const {
    if (record.type != ldns_rr_get_type(rr_.get()) || record.klass != ldns_rr_get_class(rr_.get()) ||
        record.wire.empty()) {
        return false;
    }
    ldns_rr* raw = nullptr;
    std::size_t position = 0;
    const ldns_status status =
        ldns_wire2rr(&raw, record.wire.data(), record.wire.size(), &position, LDNS_SECTION_ANSWER);
    const LdnsRr answer(raw);
    if (status != LDNS_STATUS_OK || !answer) {
        return false;
    }
    const std::size_t count = ldns_rr_rd_count(rr_.get());
    if (ldns_rr_rd_count(answer.get()) != count) {
        return false;
    }
    for (std::size_t i = 0; i < count; ++i) {
        const ldns_rdf* want = ldns_rr_rdf(rr_.get(), i);
        const ldns_rdf* got = ldns_rr_rdf(answer.get(), i);
        const bool same =
            ldns_rdf_get_type(want) == LDNS_RDF_TYPE_DNAME && ldns_rdf_get_type(got) == LDNS_RDF_TYPE_DNAME
                ? ldns_dname_compare(want, got) == 0
                : ldns_rdf_compare(want, got) == 0;
        if (!same) {
            return false;
        }
    }
    return true;
}

}  // namespace anycast::dns
