#include "packets.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdlib>

#include "dns/ldns_handles.hpp"

namespace anycast::dns::testing {
namespace {

ldns_rr* rr_from_text(const std::string& text, bool question) {
    ldns_rr* rr = nullptr;
    const ldns_status status = question ? ldns_rr_new_question_frm_str(&rr, text.c_str(), nullptr, nullptr)
                                        : ldns_rr_new_frm_str(&rr, text.c_str(), 3600, nullptr, nullptr);
    BOOST_REQUIRE_MESSAGE(status == LDNS_STATUS_OK && rr != nullptr, "ldns cannot read '" + text + "'");
    return rr;
}

}  // namespace

Bytes build_response(const ResponseSpec& spec) {
    LdnsPacket packet(ldns_pkt_new());
    BOOST_REQUIRE(packet);
    ldns_pkt_set_id(packet.get(), spec.id);
    ldns_pkt_set_qr(packet.get(), spec.qr);
    ldns_pkt_set_aa(packet.get(), spec.aa);
    ldns_pkt_set_tc(packet.get(), spec.tc);
    ldns_pkt_set_rd(packet.get(), spec.rd);
    ldns_pkt_set_rcode(packet.get(), spec.rcode);
    if (!spec.question.empty()) {
        ldns_pkt_push_rr(packet.get(), LDNS_SECTION_QUESTION, rr_from_text(spec.question, true));
    }
    for (const auto& text : spec.answer) {
        ldns_pkt_push_rr(packet.get(), LDNS_SECTION_ANSWER, rr_from_text(text, false));
    }
    for (const auto& text : spec.authority) {
        ldns_pkt_push_rr(packet.get(), LDNS_SECTION_AUTHORITY, rr_from_text(text, false));
    }
    if (spec.edns) {
        ldns_pkt_set_edns_udp_size(packet.get(), spec.edns_udp_size);
        ldns_pkt_set_edns_extended_rcode(packet.get(), spec.edns_extended_rcode);
        ldns_pkt_set_edns_do(packet.get(), spec.edns_do);
        if (!spec.opt_rdata.empty()) {
            // The packet owns (and frees) the RDATA it is given.
            ldns_pkt_set_edns_data(
                packet.get(),
                ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, spec.opt_rdata.size(), spec.opt_rdata.data()));
        }
    }
    std::uint8_t* wire = nullptr;
    std::size_t size = 0;
    BOOST_REQUIRE(ldns_pkt2wire(&wire, packet.get(), &size) == LDNS_STATUS_OK && wire != nullptr);
    Bytes bytes(wire, wire + size);
    std::free(wire);
    return bytes;
}

Bytes edns_option(std::uint16_t code, std::span<const std::uint8_t> value) {
    Bytes tlv;
    tlv.reserve(4 + value.size());
    tlv.push_back(static_cast<std::uint8_t>(code >> 8));
    tlv.push_back(static_cast<std::uint8_t>(code & 0xff));
    tlv.push_back(static_cast<std::uint8_t>(value.size() >> 8));
    tlv.push_back(static_cast<std::uint8_t>(value.size() & 0xff));
    tlv.insert(tlv.end(), value.begin(), value.end());
    return tlv;
}

Bytes edns_option(std::uint16_t code, std::string_view value) {
    return edns_option(code, std::span(reinterpret_cast<const std::uint8_t*>(value.data()), value.size()));
}

Bytes ede_option(std::uint16_t info_code, std::string_view extra_text) {
    Bytes value{static_cast<std::uint8_t>(info_code >> 8), static_cast<std::uint8_t>(info_code & 0xff)};
    value.insert(value.end(), extra_text.begin(), extra_text.end());
    return edns_option(15, value);
}

Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes all;
    for (const auto& part : parts) {
        all.insert(all.end(), part.begin(), part.end());
    }
    return all;
}

}  // namespace anycast::dns::testing
