#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "identity/identity.hpp"
#include "packets.hpp"
#include "plugin/error.hpp"

using anycast::InputError;
using namespace anycast::identity;
using anycast::dns::QueryResult;
using anycast::dns::QueryStatus;
using anycast::dns::testing::Bytes;
using anycast::dns::testing::concat;
using anycast::dns::testing::ede_option;
using anycast::dns::testing::edns_option;
using anycast::dns::testing::ResponseSpec;

namespace {

std::string message_of(auto&& action) {
    try {
        action();
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no InputError)";
}

Bytes bytes_of(std::string_view text) {
    return Bytes(text.begin(), text.end());
}

bool safe_to_print(std::string_view text) {
    return std::none_of(text.begin(), text.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte < 0x20 || byte == 0x7f || byte >= 0x80 || c == '|';
    });
}

// A CHAOS answer as the engine would hand it over: parsed from the wire by parse_response.
QueryResult chaos_result(ResponseSpec spec) {
    spec.question = "hostname.bind. CH TXT";
    auto outcome =
        anycast::dns::parse_response(build_response(spec), spec.id, chaos_question(Method::hostname_bind));
    BOOST_REQUIRE_MESSAGE(outcome.match == anycast::dns::Match::matched, outcome.problem);
    QueryResult result;
    result.status = QueryStatus::answered;
    result.response = std::move(outcome.response);
    return result;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(identity_)

BOOST_AUTO_TEST_CASE(parse_methods_accepts) {
    struct Case {
        std::string list;
        std::vector<Method> expected;
    };
    const std::vector<Case> cases{
        {"nsid,hostname.bind,id.server", {Method::nsid, Method::hostname_bind, Method::id_server}},
        {std::string(default_methods), {Method::nsid, Method::hostname_bind, Method::id_server}},
        {"id.server,nsid", {Method::id_server, Method::nsid}},
        {" hostname.bind , id.server ", {Method::hostname_bind, Method::id_server}},
        {"nsid", {Method::nsid}},
        {"none", {}},
        {" none ", {}},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT("'" << c.list << "'") {
            const auto got = parse_methods(c.list);
            BOOST_TEST(got.size() == c.expected.size());
            BOOST_TEST(std::equal(got.begin(), got.end(), c.expected.begin(), c.expected.end()));
        }
    }
}

BOOST_AUTO_TEST_CASE(parse_methods_refuses) {
    const std::string hint = " (use nsid, hostname.bind, id.server, whoami, or none)";
    struct Case {
        std::string list;
        std::string message;
    };
    const std::vector<Case> cases{
        {"", "unknown identity method ''" + hint},
        {"nsid,", "unknown identity method ''" + hint},
        {",nsid", "unknown identity method ''" + hint},
        {"nsid,,id.server", "unknown identity method ''" + hint},
        {"nsid,nsid", "identity method 'nsid' given twice"},
        {"id.server,nsid,id.server", "identity method 'id.server' given twice"},
        {"nsid,version.bind", "unknown identity method 'version.bind'" + hint},
        {"NSID", "unknown identity method 'NSID'" + hint},
        {"none,nsid", "unknown identity method 'none'" + hint},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT("'" << c.list << "'") {
            BOOST_TEST(message_of([&] { parse_methods(c.list); }) == c.message);
        }
    }
}

BOOST_AUTO_TEST_CASE(method_names_round_trip) {
    for (const Method method : {Method::nsid, Method::hostname_bind, Method::id_server}) {
        const auto parsed = parse_methods(method_name(method));
        BOOST_TEST((parsed.size() == 1U && parsed[0] == method));
    }
    BOOST_TEST(method_name(Method::hostname_bind) == "hostname.bind");
}

BOOST_AUTO_TEST_CASE(nsid_display_escapes_or_hexes) {
    struct Case {
        std::string label;
        Bytes nsid;
        std::string expected;
    };
    const std::vector<Case> cases{
        {"printable", bytes_of("ams1.example.net"), "ams1.example.net"},
        {"space", bytes_of("site 1"), "site 1"},
        {"pipe", bytes_of("a|b"), "a\\x7cb"},
        {"backslash", bytes_of("a\\b"), "a\\\\b"},
        {"binary", {0x00, 0xff, 0x10}, "0x00ff10"},
        {"newline", bytes_of("a\nb"), "0x610a62"},
        {"escape sequence", bytes_of("\x1b[31mred"), "0x1b5b33316d726564"},
        {"DEL", {'a', 0x7f}, "0x617f"},
        {"invalid UTF-8", {0xc3, 0x28}, "0xc328"},
        {"valid UTF-8", {0xc3, 0xa9}, "0xc3a9"},
        {"empty", {}, ""},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.label) {
            const std::string shown = nsid_display(c.nsid);
            BOOST_TEST(shown == c.expected);
            BOOST_TEST(safe_to_print(shown));
        }
    }
}

BOOST_AUTO_TEST_CASE(nsid_display_is_bounded) {
    const std::string long_text = nsid_display(Bytes(1000, 'a'));
    BOOST_TEST(long_text.size() <= 131U);
    BOOST_TEST(long_text.ends_with("..."));
    const std::string long_hex = nsid_display(Bytes(1000, 0x01));
    BOOST_TEST(long_hex.size() <= 131U);
    BOOST_TEST(long_hex.starts_with("0x0101"));
    BOOST_TEST(long_hex.ends_with("..."));
    BOOST_TEST(nsid_display(Bytes(63, 0xab)).size() == 128U);  // fits: no "..."
}

BOOST_AUTO_TEST_CASE(nsid_identity_from_responses) {
    anycast::dns::Response response;
    BOOST_TEST(!nsid_identity(response).has_value());
    response.nsid.emplace();
    BOOST_TEST(!nsid_identity(response).has_value());  // empty NSID says nothing
    response.nsid = bytes_of("ams1");
    BOOST_TEST(nsid_identity(response).value_or("") == "ams1");
    response.nsid = Bytes{'a', '\r', '|'};
    BOOST_TEST(nsid_identity(response).value_or("") == "0x610d7c");
}

BOOST_AUTO_TEST_CASE(chaos_questions) {
    const auto hostname = chaos_question(Method::hostname_bind);
    BOOST_TEST(hostname.name == "hostname.bind.");
    BOOST_TEST(hostname.type == 16);
    BOOST_TEST(hostname.klass == 3);
    BOOST_TEST(chaos_question(Method::id_server).name == "id.server.");
}

BOOST_AUTO_TEST_CASE(read_chaos_answer_cases) {
    struct Case {
        std::string label;
        ResponseSpec spec;
        std::optional<std::string> value;
        bool hidden;
        std::string outcome;
    };
    auto spec_with = [](auto change) {
        ResponseSpec spec;
        change(spec);
        return spec;
    };
    const std::vector<Case> cases{
        {"one string", spec_with([](ResponseSpec& s) { s.answer = {R"(hostname.bind. 0 CH TXT "ams1")"}; }),
         "ams1", false, "ams1"},
        {"strings joined",
         spec_with([](ResponseSpec& s) { s.answer = {R"(hostname.bind. 0 CH TXT "ams" "1")"}; }), "ams1",
         false, "ams1"},
        {"hostile bytes escaped",
         spec_with([](ResponseSpec& s) { s.answer = {R"(hostname.bind. 0 CH TXT "a|b\010\027")"}; }),
         "a\\x7cb\\n\\x1b", false, "a\\x7cb\\n\\x1b"},
        {"blank TXT skipped", spec_with([](ResponseSpec& s) {
             s.answer = {R"(hostname.bind. 0 CH TXT "  ")", R"(hostname.bind. 0 CH TXT "second")"};
         }),
         "second", false, "second"},
        {"REFUSED", spec_with([](ResponseSpec& s) { s.rcode = 5; }), std::nullopt, true, "REFUSED (hidden)"},
        {"EDE 18", spec_with([](ResponseSpec& s) {
             s.edns = true;
             s.opt_rdata = ede_option(18, "no");
         }),
         std::nullopt, true, "NOERROR (hidden)"},
        {"other EDE", spec_with([](ResponseSpec& s) {
             s.edns = true;
             s.opt_rdata = concat({ede_option(20), edns_option(3, "x")});
         }),
         std::nullopt, false, "no TXT in the answer"},
        {"empty answer", ResponseSpec{}, std::nullopt, false, "no TXT in the answer"},
        {"NXDOMAIN", spec_with([](ResponseSpec& s) { s.rcode = 3; }), std::nullopt, false, "NXDOMAIN"},
        {"SERVFAIL", spec_with([](ResponseSpec& s) { s.rcode = 2; }), std::nullopt, false, "SERVFAIL"},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.label) {
            const ChaosAnswer answer = read_chaos_answer(chaos_result(c.spec));
            BOOST_TEST(answer.value.has_value() == c.value.has_value());
            BOOST_TEST(answer.value.value_or("-") == c.value.value_or("-"));
            BOOST_TEST(answer.hidden == c.hidden);
            BOOST_TEST(answer.outcome == c.outcome);
            BOOST_TEST(safe_to_print(answer.outcome));
        }
    }
}

BOOST_AUTO_TEST_CASE(read_chaos_answer_without_an_answer) {
    QueryResult result;
    result.status = QueryStatus::timeout;
    const ChaosAnswer answer = read_chaos_answer(result);
    BOOST_TEST(!answer.value.has_value());
    BOOST_TEST(!answer.hidden);
    BOOST_TEST(answer.outcome == "timeout");
    result.status = QueryStatus::refused;
    BOOST_TEST(read_chaos_answer(result).outcome == "refused");
}

BOOST_AUTO_TEST_CASE(describe) {
    Identity identity;
    BOOST_TEST(identity.describe() == "unknown");
    identity.hidden = true;
    BOOST_TEST(identity.describe() == "hidden");
    identity.value = "ams1";
    identity.method = Method::id_server;
    BOOST_TEST(identity.describe() == "ams1 (id.server)");
}

// With NSID first and present, identify() sends nothing, so this needs no network.
BOOST_AUTO_TEST_CASE(identify_from_nsid_alone) {
    std::vector<anycast::dns::Endpoint> servers(3);
    QueryResult with_nsid;
    with_nsid.status = QueryStatus::answered;
    with_nsid.response.emplace();
    with_nsid.response->nsid = bytes_of("ams1");
    QueryResult without_nsid = with_nsid;
    without_nsid.response->nsid.reset();
    const std::vector<const QueryResult*> measured{&with_nsid, &without_nsid, nullptr};
    const auto identities =
        identify(servers, measured, {Method::nsid}, anycast::dns::Clock::now() + std::chrono::seconds(1));
    BOOST_REQUIRE(identities.size() == 3U);
    BOOST_TEST(identities[0].describe() == "ams1 (nsid)");
    BOOST_REQUIRE(identities[0].attempts.size() == 1U);
    BOOST_TEST(identities[0].attempts[0].outcome == "ams1");
    BOOST_TEST(identities[1].describe() == "unknown");
    BOOST_REQUIRE(identities[1].attempts.size() == 1U);
    BOOST_TEST(identities[1].attempts[0].outcome == "no NSID in the answer");
    BOOST_TEST(identities[2].attempts.empty());  // did not answer: not asked again
    BOOST_TEST(identify({}, {}, parse_methods(default_methods), anycast::dns::Clock::now()).empty());
}

BOOST_AUTO_TEST_SUITE_END()
