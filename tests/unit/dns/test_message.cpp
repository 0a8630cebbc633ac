#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "dns/message.hpp"
#include "packets.hpp"
#include "plugin/error.hpp"

// After the C++ headers: unless stdbool.h came first, ldns defines `false` and `bool` as macros,
// which breaks <optional> when it is read later.
#include "dns/ldns_handles.hpp"

using anycast::InputError;
using namespace anycast::dns;
using namespace anycast::dns::testing;

namespace {

constexpr std::uint16_t test_id = 0x1234;

const Question soa_question{"anycast.test.", 6, 1};

LdnsPacket from_wire(const Bytes& wire) {
    ldns_pkt* raw = nullptr;
    BOOST_REQUIRE(ldns_wire2pkt(&raw, wire.data(), wire.size()) == LDNS_STATUS_OK);
    return LdnsPacket(raw);
}

Bytes edns_data_of(const ldns_pkt* packet) {
    const ldns_rdf* data = ldns_pkt_edns_data(packet);
    if (data == nullptr) {
        return {};
    }
    return Bytes(ldns_rdf_data(data), ldns_rdf_data(data) + ldns_rdf_size(data));
}

Response parse_matched(const Bytes& wire, const Question& question = soa_question) {
    ParseOutcome outcome = parse_response(wire, test_id, question);
    BOOST_REQUIRE_MESSAGE(outcome.match == Match::matched, "not matched: " + outcome.problem);
    BOOST_REQUIRE(outcome.response.has_value());
    return *outcome.response;
}

Response with_opt(const Bytes& opt_rdata) {
    ResponseSpec spec;
    spec.edns = true;
    spec.opt_rdata = opt_rdata;
    return parse_matched(build_response(spec));
}

// The record as the checks see it: sent as the one answer to its own question and parsed back.
Record answer_record(const std::string& text) {
    const Question question = make_question(text.substr(0, text.find(' ')), "TYPE1", "IN");
    ldns_rr* raw = nullptr;
    BOOST_REQUIRE(ldns_rr_new_frm_str(&raw, text.c_str(), 0, nullptr, nullptr) == LDNS_STATUS_OK);
    const auto type = static_cast<std::uint16_t>(ldns_rr_get_type(raw));
    const auto klass = static_cast<std::uint16_t>(ldns_rr_get_class(raw));
    ldns_rr_free(raw);
    ResponseSpec spec;
    spec.question = question.name + " " + rr_class_name(klass) + " " + rr_type_name(type);
    spec.answer = {text};
    const Response response = parse_matched(build_response(spec), Question{question.name, type, klass});
    BOOST_REQUIRE(response.answer.size() == 1U);
    return response.answer[0];
}

std::string message_of(auto&& action) {
    try {
        action();
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no InputError)";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(build_query_)

BOOST_AUTO_TEST_CASE(default_query_asks_for_nsid_with_edns) {
    QuerySpec spec;
    spec.question = soa_question;
    const Bytes wire = build_query(spec, 0xbeef);
    const LdnsPacket packet = from_wire(wire);
    BOOST_TEST(ldns_pkt_id(packet.get()) == 0xbeef);
    BOOST_TEST(!ldns_pkt_qr(packet.get()));
    BOOST_TEST(!ldns_pkt_rd(packet.get()));
    BOOST_TEST(ldns_pkt_get_opcode(packet.get()) == LDNS_PACKET_QUERY);
    BOOST_REQUIRE(ldns_pkt_qdcount(packet.get()) == 1);
    const ldns_rr* question = ldns_rr_list_rr(ldns_pkt_question(packet.get()), 0);
    const LdnsText owner(ldns_rdf2str(ldns_rr_owner(question)));
    BOOST_TEST(std::string(owner.get()) == "anycast.test.");
    BOOST_TEST(ldns_rr_get_type(question) == LDNS_RR_TYPE_SOA);
    BOOST_TEST(ldns_rr_get_class(question) == LDNS_RR_CLASS_IN);
    BOOST_TEST(ldns_pkt_ancount(packet.get()) == 0);
    BOOST_TEST(ldns_pkt_edns(packet.get()));
    BOOST_TEST(ldns_pkt_edns_udp_size(packet.get()) == 1232);
    BOOST_TEST(!ldns_pkt_edns_do(packet.get()));
    BOOST_TEST(ldns_pkt_edns_version(packet.get()) == 0);
    const Bytes nsid_request{0x00, 0x03, 0x00, 0x00};
    BOOST_TEST(edns_data_of(packet.get()) == nsid_request, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(flags_and_question_as_given) {
    QuerySpec spec;
    spec.question = Question{"Hostname.BIND.", 16, 3};
    spec.recursion_desired = true;
    spec.dnssec_ok = true;
    spec.edns_buffer_size = 4096;
    spec.request_nsid = false;
    const LdnsPacket packet = from_wire(build_query(spec, 7));
    BOOST_TEST(ldns_pkt_id(packet.get()) == 7);
    BOOST_TEST(ldns_pkt_rd(packet.get()));
    BOOST_TEST(ldns_pkt_edns_do(packet.get()));
    BOOST_TEST(ldns_pkt_edns_udp_size(packet.get()) == 4096);
    BOOST_TEST(edns_data_of(packet.get()).empty());
    const ldns_rr* question = ldns_rr_list_rr(ldns_pkt_question(packet.get()), 0);
    const LdnsText owner(ldns_rdf2str(ldns_rr_owner(question)));
    BOOST_TEST(std::string(owner.get()) == "Hostname.BIND.");  // case kept as given (0x20)
    BOOST_TEST(ldns_rr_get_type(question) == LDNS_RR_TYPE_TXT);
    BOOST_TEST(ldns_rr_get_class(question) == LDNS_RR_CLASS_CH);
}

BOOST_AUTO_TEST_CASE(edns_zero_sends_no_opt_and_no_nsid) {
    QuerySpec spec;
    spec.question = soa_question;
    spec.edns_buffer_size = 0;
    spec.request_nsid = true;
    spec.dnssec_ok = true;  // cannot be sent without OPT
    const Bytes wire = build_query(spec, 1);
    const LdnsPacket packet = from_wire(wire);
    BOOST_TEST(!ldns_pkt_edns(packet.get()));
    BOOST_TEST(ldns_pkt_arcount(packet.get()) == 0);
    BOOST_TEST(wire.size() == 12U + 14U + 4U);  // header, "anycast.test." as labels, type and class
}

BOOST_AUTO_TEST_CASE(relative_name_is_made_absolute) {
    QuerySpec spec;
    spec.question = Question{"anycast.test", 1, 1};
    const LdnsPacket packet = from_wire(build_query(spec, 1));
    const LdnsText owner(ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(packet.get()), 0))));
    BOOST_TEST(std::string(owner.get()) == "anycast.test.");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(parse_response_)

BOOST_AUTO_TEST_CASE(soa_answer) {
    ResponseSpec spec;
    spec.answer = {
        "anycast.test. 300 IN SOA ns1.anycast.test. hostmaster.anycast.test. 2024010101 3600 600 "
        "86400 300"};
    spec.authority = {"anycast.test. 300 IN NS ns1.anycast.test."};
    const Bytes wire = build_response(spec);
    const Response response = parse_matched(wire);
    BOOST_TEST(response.id == test_id);
    BOOST_TEST(response.rcode == 0);
    BOOST_TEST(response.aa);
    BOOST_TEST(!response.tc);
    BOOST_TEST(!response.has_edns);
    BOOST_TEST(!response.nsid.has_value());
    BOOST_TEST(response.wire_size == wire.size());
    BOOST_REQUIRE(response.answer.size() == 1U);
    const Record& soa = response.answer[0];
    BOOST_TEST(soa.owner == "anycast.test.");
    BOOST_TEST(soa.type == 6);
    BOOST_TEST(soa.klass == 1);
    BOOST_TEST(soa.ttl == 300U);
    BOOST_REQUIRE(soa.soa_serial.has_value());
    BOOST_TEST(*soa.soa_serial == 2024010101U);
    BOOST_REQUIRE(response.authority.size() == 1U);
    BOOST_TEST(response.authority[0].rdata == "ns1.anycast.test.");
    BOOST_TEST(!response.authority[0].soa_serial.has_value());
}

BOOST_AUTO_TEST_CASE(soa_serial_above_2_to_the_31) {
    ResponseSpec spec;
    spec.answer = {"anycast.test. 300 IN SOA a. b. 4294967295 1 1 1 1"};
    const Response response = parse_matched(build_response(spec));
    BOOST_REQUIRE(response.answer.at(0).soa_serial.has_value());
    BOOST_TEST(*response.answer.at(0).soa_serial == 4294967295U);
}

BOOST_AUTO_TEST_CASE(txt_strings_are_raw_bytes) {
    ResponseSpec spec;
    spec.question = "example.test. IN TXT";
    spec.answer = {R"(example.test. 60 IN TXT "hello world" "" "a\124b\010")"};
    const Response response = parse_matched(build_response(spec), Question{"example.test.", 16, 1});
    BOOST_REQUIRE(response.answer.size() == 1U);
    const std::vector<std::string> expected{"hello world", "", std::string("a|b\n")};
    BOOST_TEST(response.answer[0].txt_strings == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_rdata_in_presentation_form) {
    ResponseSpec spec;
    spec.question = "www.anycast.test. IN A";
    spec.answer = {"www.anycast.test. 60 IN A 192.0.2.1", "www.anycast.test. 60 IN A 198.51.100.2"};
    const Response response = parse_matched(build_response(spec), Question{"www.anycast.test.", 1, 1});
    BOOST_REQUIRE(response.answer.size() == 2U);
    BOOST_TEST(response.answer[0].rdata == "192.0.2.1");
    BOOST_TEST(response.answer[1].rdata == "198.51.100.2");
    BOOST_TEST(response.answer[0].txt_strings.empty());
}

BOOST_AUTO_TEST_CASE(question_name_case_does_not_matter) {
    ResponseSpec spec;
    spec.question = "AnyCast.TEST. IN SOA";
    BOOST_TEST(parse_response(build_response(spec), test_id, soa_question).match == Match::matched);
}

BOOST_AUTO_TEST_CASE(mismatches_are_classified) {
    struct Case {
        std::string label;
        ResponseSpec spec;
        Match expected;
    };
    auto spec_with = [](auto change) {
        ResponseSpec spec;
        change(spec);
        return spec;
    };
    const std::vector<Case> cases{
        {"wrong ID", spec_with([](ResponseSpec& s) { s.id = test_id + 1; }), Match::id_mismatch},
        {"wrong name", spec_with([](ResponseSpec& s) { s.question = "other.test. IN SOA"; }),
         Match::question_mismatch},
        {"subdomain", spec_with([](ResponseSpec& s) { s.question = "x.anycast.test. IN SOA"; }),
         Match::question_mismatch},
        {"wrong type", spec_with([](ResponseSpec& s) { s.question = "anycast.test. IN NS"; }),
         Match::question_mismatch},
        {"wrong class", spec_with([](ResponseSpec& s) { s.question = "anycast.test. CH SOA"; }),
         Match::question_mismatch},
        {"no question", spec_with([](ResponseSpec& s) { s.question.clear(); }), Match::question_mismatch},
        {"QR clear", spec_with([](ResponseSpec& s) { s.qr = false; }), Match::not_a_response},
        {"QR clear and wrong ID", spec_with([](ResponseSpec& s) {
             s.qr = false;
             s.id = 1;
         }),
         Match::not_a_response},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.label) {
            const ParseOutcome outcome = parse_response(build_response(c.spec), test_id, soa_question);
            BOOST_TEST(outcome.match == c.expected);
            BOOST_TEST(!outcome.response.has_value());
            BOOST_TEST(!outcome.problem.empty());
        }
    }
}

BOOST_AUTO_TEST_CASE(opcode_other_than_query_is_not_a_response) {
    Bytes wire = build_response(ResponseSpec{});
    wire[2] = static_cast<std::uint8_t>(wire[2] | (5 << 3));  // UPDATE
    const ParseOutcome outcome = parse_response(wire, test_id, soa_question);
    BOOST_TEST(outcome.match == Match::not_a_response);
    BOOST_TEST(outcome.problem == "opcode is not QUERY");
}

BOOST_AUTO_TEST_CASE(two_questions_do_not_match) {
    ResponseSpec spec;
    Bytes wire = build_response(spec);
    // Claim a second question that is a copy of the first.
    const Bytes question(wire.begin() + 12, wire.end());
    wire[5] = 2;
    wire.insert(wire.end(), question.begin(), question.end());
    BOOST_TEST(match_name(parse_response(wire, test_id, soa_question).match) ==
               match_name(Match::question_mismatch));
}

BOOST_AUTO_TEST_CASE(shorter_than_a_header_is_malformed) {
    const Bytes wire = build_response(ResponseSpec{});
    for (std::size_t size = 0; size < 12; ++size) {
        BOOST_TEST_CONTEXT("size " << size) {
            const ParseOutcome outcome = parse_response(std::span(wire.data(), size), test_id, soa_question);
            BOOST_TEST(outcome.match == Match::malformed);
            BOOST_TEST(outcome.problem == "shorter than a DNS header");
        }
    }
}

BOOST_AUTO_TEST_CASE(truncated_anywhere_after_the_header_is_malformed) {
    ResponseSpec spec;
    spec.answer = {"anycast.test. 300 IN SOA ns1.anycast.test. hostmaster.anycast.test. 1 2 3 4 5"};
    spec.edns = true;
    spec.opt_rdata = edns_option(3, "ams1");
    const Bytes wire = build_response(spec);
    BOOST_REQUIRE(parse_response(wire, test_id, soa_question).match == Match::matched);
    for (std::size_t size = 12; size < wire.size(); ++size) {
        BOOST_TEST_CONTEXT("size " << size) {
            // A private copy, so a read past its end is caught by the sanitizers.
            const Bytes cut(wire.begin(), wire.begin() + static_cast<long>(size));
            const ParseOutcome outcome = parse_response(cut, test_id, soa_question);
            BOOST_TEST(outcome.match == Match::malformed);
        }
    }
}

BOOST_AUTO_TEST_CASE(trailing_garbage_is_tolerated) {
    Bytes wire = build_response(ResponseSpec{});
    wire.push_back(0xff);
    BOOST_TEST(parse_response(wire, test_id, soa_question).match == Match::matched);
}

BOOST_AUTO_TEST_CASE(tc_and_other_flags_surfaced) {
    ResponseSpec spec;
    spec.tc = true;
    spec.aa = false;
    spec.rd = true;
    const Response response = parse_matched(build_response(spec));
    BOOST_TEST(response.tc);
    BOOST_TEST(!response.aa);
    BOOST_TEST(response.rd);
}

BOOST_AUTO_TEST_CASE(rcode_with_extended_bits) {
    struct Case {
        std::uint8_t header;
        std::uint8_t extended;
        bool edns;
        std::uint16_t expected;
    };
    const std::vector<Case> cases{
        {3, 0, false, 3}, {5, 0, true, 5}, {0, 1, true, 16}, {5, 1, true, 21}, {15, 255, true, 4095},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT("header " << int(c.header) << " extended " << int(c.extended)) {
            ResponseSpec spec;
            spec.rcode = c.header;
            spec.edns = c.edns;
            spec.edns_extended_rcode = c.extended;
            const Response response = parse_matched(build_response(spec));
            BOOST_TEST(response.rcode == c.expected);
            BOOST_TEST(response.has_edns == c.edns);
        }
    }
    BOOST_TEST(rcode_name(16) == "BADVERS");
}

BOOST_AUTO_TEST_CASE(edns_fields) {
    ResponseSpec spec;
    spec.edns = true;
    spec.edns_udp_size = 512;
    spec.edns_do = true;
    const Response response = parse_matched(build_response(spec));
    BOOST_TEST(response.has_edns);
    BOOST_TEST(response.edns_udp_size == 512);
    BOOST_TEST(response.edns_do);
    BOOST_TEST(!response.nsid.has_value());
    BOOST_TEST(response.extended_errors.empty());
}

BOOST_AUTO_TEST_CASE(nsid_present_empty_binary) {
    const Response printable = with_opt(edns_option(3, "ams1.example"));
    BOOST_REQUIRE(printable.nsid.has_value());
    BOOST_TEST(std::string(printable.nsid->begin(), printable.nsid->end()) == "ams1.example");

    const Response empty = with_opt(edns_option(3, ""));
    BOOST_REQUIRE(empty.nsid.has_value());
    BOOST_TEST(empty.nsid->empty());

    const Bytes binary{0x00, 0xff, 0x10};
    const Response raw = with_opt(edns_option(3, binary));
    BOOST_REQUIRE(raw.nsid.has_value());
    BOOST_TEST(*raw.nsid == binary, boost::test_tools::per_element());

    // Only the first NSID counts; other options around it are skipped.
    const Response several =
        with_opt(concat({edns_option(10, "cookie12"), edns_option(3, "first"), edns_option(3, "second")}));
    BOOST_REQUIRE(several.nsid.has_value());
    BOOST_TEST(std::string(several.nsid->begin(), several.nsid->end()) == "first");
}

BOOST_AUTO_TEST_CASE(extended_errors) {
    const Response response =
        with_opt(concat({ede_option(18, "not for you"), ede_option(3), edns_option(15, Bytes{0x00})}));
    BOOST_REQUIRE(response.extended_errors.size() == 2U);  // a 1-byte EDE is not an EDE
    BOOST_TEST(response.extended_errors[0].info_code == ede_prohibited);
    BOOST_TEST(response.extended_errors[0].extra_text == "not for you");
    BOOST_TEST(response.extended_errors[1].info_code == 3);
    BOOST_TEST(response.extended_errors[1].extra_text.empty());
}

BOOST_AUTO_TEST_CASE(option_length_past_the_end_is_not_followed) {
    struct Case {
        std::string label;
        Bytes opt_rdata;
        std::size_t expected_errors;
    };
    const std::vector<Case> cases{
        {"NSID claims 100 bytes, has 2", {0x00, 0x03, 0x00, 0x64, 'a', 'b'}, 0},
        {"NSID claims 65535 bytes, has 0", {0x00, 0x03, 0xff, 0xff}, 0},
        {"half an option header", {0x00, 0x03, 0x00}, 0},
        {"good EDE then a lying NSID", concat({ede_option(18), Bytes{0x00, 0x03, 0x00, 0x09, 'x'}}), 1},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.label) {
            const Response response = with_opt(c.opt_rdata);
            BOOST_TEST(response.has_edns);
            BOOST_TEST(!response.nsid.has_value());
            BOOST_TEST(response.extended_errors.size() == c.expected_errors);
        }
    }
}

BOOST_AUTO_TEST_CASE(opt_rdlength_past_the_end_is_malformed) {
    ResponseSpec spec;
    spec.edns = true;
    spec.opt_rdata = edns_option(3, "ams1");
    Bytes wire = build_response(spec);
    // The OPT record ends the message; its RDLENGTH sits just before the 8 bytes of RDATA.
    const std::size_t rdlength_at = wire.size() - spec.opt_rdata.size() - 2;
    BOOST_REQUIRE(wire[rdlength_at] == 0 && wire[rdlength_at + 1] == spec.opt_rdata.size());
    wire[rdlength_at + 1] = 0xf0;
    BOOST_TEST(parse_response(wire, test_id, soa_question).match == Match::malformed);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(expected_rdata)

BOOST_AUTO_TEST_CASE(spelling_differences) {
    struct Case {
        std::string record;
        std::string expected_rdata;
        bool equal;
    };
    const std::vector<Case> cases{
        {"a.test. 60 IN A 192.0.2.1", "192.0.2.1", true},
        {"a.test. 60 IN A 192.0.2.1", "192.0.2.2", false},
        {"a.test. 60 IN AAAA 2001:db8::1", "2001:DB8:0:0::1", true},
        {"a.test. 60 IN AAAA 2001:db8::1", "2001:db8::2", false},
        {"a.test. 60 IN NS ns1.example.test.", "NS1.Example.TEST.", true},
        {"a.test. 60 IN NS ns1.example.test.", "ns2.example.test.", false},
        {"a.test. 60 IN MX 10 mx.example.test.", "10 MX.example.test.", true},
        {"a.test. 60 IN MX 10 mx.example.test.", "20 mx.example.test.", false},
        {R"(a.test. 60 IN TXT "hello")", R"("hello")", true},
        {R"(a.test. 60 IN TXT "hello")", "hello", true},
        {R"(a.test. 60 IN TXT "hello")", R"("Hello")", false},
        {R"(a.test. 60 IN TXT "a" "b")", R"("a" "b")", true},
        {R"(a.test. 60 IN TXT "a" "b")", R"("ab")", false},
        {"hostname.bind. 0 CH TXT \"ams1\"", "\"ams1\"", true},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.record << " vs '" << c.expected_rdata << "'") {
            const Record record = answer_record(c.record);
            const ExpectedRdata expected(c.expected_rdata, record.type, record.klass);
            BOOST_TEST(expected.matches(record) == c.equal);
            BOOST_TEST(expected.text() == c.expected_rdata);
        }
    }
}

BOOST_AUTO_TEST_CASE(another_type_or_class_never_matches) {
    const ExpectedRdata a("192.0.2.1", answer_record("a.test. 60 IN A 192.0.2.1").type, 1);
    BOOST_TEST(!a.matches(answer_record("a.test. 60 CH A 192.0.2.1")));
    BOOST_TEST(!a.matches(answer_record("a.test. 60 IN TXT \"192.0.2.1\"")));
}

BOOST_AUTO_TEST_CASE(what_ldns_cannot_read_is_refused_naming_text_and_type) {
    const Record record = answer_record("a.test. 60 IN A 192.0.2.1");
    struct Case {
        std::string text;
        std::string message_start;
    };
    // "192.0.2.01" is ambiguous (inet_aton reads "01" as octal): refused, never compared.
    const std::vector<Case> cases{
        {"not an address", "'not an address' is not A RDATA"},
        {"", "'' is not A RDATA: it is empty"},
        {"192.0.2.01", "'192.0.2.01' is not A RDATA"},
        {"0300.0.2.1", "'0300.0.2.1' is not A RDATA"},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.text) {
            std::string message;
            try {
                (void)ExpectedRdata(c.text, record.type, record.klass);
            } catch (const anycast::InputError& error) {
                message = error.what();
            }
            BOOST_TEST(message.rfind(c.message_start, 0) == 0U, message);
        }
    }
    BOOST_TEST(ExpectedRdata("192.0.2.1", record.type, record.klass).matches(record));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(names_and_numbers)

BOOST_AUTO_TEST_CASE(make_question_accepts) {
    struct Case {
        std::string name, type, klass;
        std::string expected_name;
        std::uint16_t expected_type, expected_class;
    };
    const std::vector<Case> cases{
        {"anycast.test", "SOA", "IN", "anycast.test.", 6, 1},
        {"anycast.test.", "soa", "in", "anycast.test.", 6, 1},
        {"hostname.bind", "TXT", "CH", "hostname.bind.", 16, 3},
        {"ID.Server.", "txt", "ch", "ID.Server.", 16, 3},
        {".", "NS", "IN", ".", 2, 1},
        {"x.test", "TYPE65534", "CLASS42", "x.test.", 65534, 42},
        {"x.test", "ANY", "HS", "x.test.", 255, 4},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.name << " " << c.type << " " << c.klass) {
            const Question question = make_question(c.name, c.type, c.klass);
            BOOST_TEST(question.name == c.expected_name);
            BOOST_TEST(question.type == c.expected_type);
            BOOST_TEST(question.klass == c.expected_class);
        }
    }
}

BOOST_AUTO_TEST_CASE(make_question_refuses) {
    struct Case {
        std::string name, type, klass;
        std::string message;
    };
    const std::string long_label(64, 'a');
    const std::vector<Case> cases{
        {"", "A", "IN", "'' is not a valid domain name"},
        {"..", "A", "IN", "'..' is not a valid domain name"},
        {".test", "A", "IN", "'.test' is not a valid domain name"},
        {"a..test", "A", "IN", "'a..test' is not a valid domain name"},
        {long_label + ".test", "A", "IN", "'" + long_label + ".test' is not a valid domain name"},
        {"x.test", "BOGUS", "IN", "unknown record type 'BOGUS'"},
        {"x.test", "", "IN", "unknown record type ''"},
        {"x.test", "A", "XX", "unknown class 'XX'"},
        {"x.test", "A", "", "unknown class ''"},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.message) {
            BOOST_TEST(message_of([&] { make_question(c.name, c.type, c.klass); }) == c.message);
        }
    }
}

BOOST_AUTO_TEST_CASE(rr_types) {
    const std::vector<std::pair<std::string, std::uint16_t>> good{
        {"A", 1},     {"aaaa", 28}, {"Soa", 6},           {"TXT", 16},    {"AXFR", 252},
        {"ANY", 255}, {"TYPE1", 1}, {"TYPE65535", 65535}, {"type99", 99},
    };
    for (const auto& [text, expected] : good) {
        BOOST_TEST_CONTEXT(text) {
            BOOST_TEST(parse_rr_type(text) == expected);
        }
    }
    for (const std::string bad :
         {"", "NSID", "TYPE", "TYPE0", "TYPE65536", "TYPE65537", "TYPE1x", "TYPE-1", "TYPE 1", "A ", "1"}) {
        BOOST_TEST_CONTEXT("'" << bad << "'") {
            BOOST_TEST(message_of([&] { parse_rr_type(bad); }) == "unknown record type '" + bad + "'");
        }
    }
    BOOST_TEST(rr_type_name(1) == "A");
    BOOST_TEST(rr_type_name(6) == "SOA");
    BOOST_TEST(rr_type_name(65534) == "TYPE65534");
}

BOOST_AUTO_TEST_CASE(rr_classes) {
    const std::vector<std::pair<std::string, std::uint16_t>> good{
        {"IN", 1}, {"in", 1}, {"CH", 3}, {"HS", 4}, {"CLASS42", 42}, {"class65535", 65535},
    };
    for (const auto& [text, expected] : good) {
        BOOST_TEST_CONTEXT(text) {
            BOOST_TEST(parse_rr_class(text) == expected);
        }
    }
    for (const std::string bad : {"", "XX", "CLASS", "CLASS0", "CLASS65536", "CLASS70000", "CLASS3x", "3"}) {
        BOOST_TEST_CONTEXT("'" << bad << "'") {
            BOOST_TEST(message_of([&] { parse_rr_class(bad); }) == "unknown class '" + bad + "'");
        }
    }
    BOOST_TEST(rr_class_name(1) == "IN");
    BOOST_TEST(rr_class_name(3) == "CH");
    BOOST_TEST(rr_class_name(42) == "CLASS42");
}

BOOST_AUTO_TEST_CASE(rcodes) {
    const std::vector<std::pair<std::string, std::uint16_t>> good{
        {"NOERROR", 0},  {"noerror", 0}, {"NXDOMAIN", 3}, {"ServFail", 2}, {"REFUSED", 5},
        {"BADVERS", 16}, {"0", 0},       {"5", 5},        {"4095", 4095},
    };
    for (const auto& [text, expected] : good) {
        BOOST_TEST_CONTEXT(text) {
            BOOST_TEST(parse_rcode(text) == expected);
        }
    }
    for (const std::string bad : {"", "4096", "-1", "NOPE", "3x", " 3", "0x5", "99999999999"}) {
        BOOST_TEST_CONTEXT("'" << bad << "'") {
            BOOST_TEST(message_of([&] { parse_rcode(bad); }) == "unknown rcode '" + bad + "'");
        }
    }
    const std::vector<std::pair<std::uint16_t, std::string>> names{
        {0, "NOERROR"}, {1, "FORMERR"},  {2, "SERVFAIL"}, {3, "NXDOMAIN"}, {4, "NOTIMP"},
        {5, "REFUSED"}, {10, "NOTZONE"}, {11, "RCODE11"}, {16, "BADVERS"}, {4095, "RCODE4095"},
    };
    for (const auto& [code, name] : names) {
        BOOST_TEST(rcode_name(code) == name);
        if (!name.starts_with("RCODE")) {
            BOOST_TEST(parse_rcode(rcode_name(code)) == code);
        }
    }
}

BOOST_AUTO_TEST_CASE(small_names) {
    BOOST_TEST(transport_name(Transport::udp) == "udp");
    BOOST_TEST(transport_name(Transport::tcp) == "tcp");
    BOOST_TEST(match_name(Match::matched) == "matched");
    BOOST_TEST(match_name(Match::id_mismatch) == "wrong ID");
}

BOOST_AUTO_TEST_SUITE_END()
