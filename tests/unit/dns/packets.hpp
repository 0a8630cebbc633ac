#pragma once
// DNS responses built in memory for the tests: ldns writes the wire form from a description, and
// the OPT RDATA is assembled by hand so a test can put anything in it, lies included.
#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "dns/engine.hpp"
#include "dns/message.hpp"

namespace anycast::dns {

// So that BOOST_TEST can print the values it compares.
inline std::ostream& operator<<(std::ostream& out, Match match) {
    return out << match_name(match);
}
inline std::ostream& operator<<(std::ostream& out, Transport transport) {
    return out << transport_name(transport);
}
inline std::ostream& operator<<(std::ostream& out, QueryStatus status) {
    return out << query_status_name(status);
}

}  // namespace anycast::dns

namespace anycast::dns::testing {

using Bytes = std::vector<std::uint8_t>;

struct ResponseSpec {
    std::uint16_t id = 0x1234;
    std::string question = "anycast.test. IN SOA";  // empty: no question section
    bool qr = true;
    bool aa = true;
    bool tc = false;
    bool rd = false;
    std::uint8_t rcode = 0;              // the header's four bits
    std::vector<std::string> answer;     // records in presentation form
    std::vector<std::string> authority;  // records in presentation form
    bool edns = false;
    std::uint16_t edns_udp_size = 1232;
    std::uint8_t edns_extended_rcode = 0;
    bool edns_do = false;
    Bytes opt_rdata;  // raw OPT RDATA (see edns_option)
};

// The wire form of `spec`, as ldns_pkt2wire writes it.
Bytes build_response(const ResponseSpec& spec);

// One EDNS option TLV: code, length, value.
Bytes edns_option(std::uint16_t code, std::span<const std::uint8_t> value);
Bytes edns_option(std::uint16_t code, std::string_view value);
// An RFC 8914 Extended DNS Error option.
Bytes ede_option(std::uint16_t info_code, std::string_view extra_text = {});

Bytes concat(std::initializer_list<Bytes> parts);

}  // namespace anycast::dns::testing
