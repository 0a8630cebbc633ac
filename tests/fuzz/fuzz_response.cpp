// Untrusted DNS responses: parse_response, then everything the checks derive from a matched answer
// (NSID and CHAOS identity, escaped text, RDATA comparison). Input: one selector byte choosing the
// question we pretend to have asked, then the wire message. The expected ID is taken from the
// message itself so that mutations reach the parser beyond the ID check.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "dns/message.hpp"
#include "fuzz_invariants.hpp"
#include "identity/identity.hpp"
#include "plugin/escape.hpp"

namespace {

using anycast::fuzz::is_safe_for_output;
using anycast::fuzz::require;

anycast::dns::Question question_for(std::uint8_t selector) {
    switch (selector % 6) {
        case 0:
            return {"anycast.test.", 6, 1};  // SOA
        case 1:
            return {"anycast.test.", 1, 1};  // A
        case 2:
            return {"anycast.test.", 16, 1};
        case 3:
            return {"hostname.bind.", 16, 3};  // CH TXT
        case 4:
            return {"id.server.", 16, 3};  // CH TXT
        default:
            return {"big.anycast.test.", 16, 1};
    }
}

void check_escaped(const std::string& text, std::size_t bound) {
    require(is_safe_for_output(text));
    require(text.size() <= bound + 3);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) {
        return 0;
    }
    const anycast::dns::Question question = question_for(data[0]);
    const std::span<const std::uint8_t> wire(data + 1, size - 1);
    const std::uint16_t id =
        wire.size() >= 2 ? static_cast<std::uint16_t>((wire[0] << 8) | wire[1]) : std::uint16_t{0};

    const anycast::dns::ParseOutcome outcome = anycast::dns::parse_response(wire, id, question);
    require(outcome.response.has_value() == (outcome.match == anycast::dns::Match::matched));
    if (!outcome.response) {
        return 0;
    }
    const anycast::dns::Response& response = *outcome.response;

    if (response.nsid) {
        const std::string shown = anycast::identity::nsid_display(*response.nsid);
        require(is_safe_for_output(shown));
    }
    if (auto identity = anycast::identity::nsid_identity(response)) {
        require(is_safe_for_output(*identity));
    }
    anycast::dns::QueryResult result;
    result.status = anycast::dns::QueryStatus::answered;
    result.response = response;
    const anycast::identity::ChaosAnswer chaos = anycast::identity::read_chaos_answer(result);
    if (chaos.value) {
        require(is_safe_for_output(*chaos.value));
    }
    require(is_safe_for_output(chaos.outcome));

    for (const anycast::dns::Record& record : response.answer) {
        check_escaped(anycast::plugin::escape_untrusted(record.rdata), 256);
        check_escaped(anycast::plugin::escape_untrusted(record.owner, 64), 64);
        for (const std::string& part : record.txt_strings) {
            check_escaped(anycast::plugin::escape_untrusted(part), 256);
        }
        // The same comparison -e makes; must never throw on what the network sent.
        static const anycast::dns::ExpectedRdata address("192.0.2.1", anycast::dns::type_a,
                                                         anycast::dns::class_in);
        static const anycast::dns::ExpectedRdata text("\"hello world\"", anycast::dns::parse_rr_type("TXT"),
                                                      anycast::dns::class_in);
        (void)address.matches(record);
        (void)text.matches(record);
    }
    for (const anycast::dns::ExtendedError& error : response.extended_errors) {
        check_escaped(anycast::plugin::escape_untrusted(error.extra_text), 256);
    }
    (void)anycast::dns::rcode_name(response.rcode);
    return 0;
}
