// check_anycast_dns's judgements from hand-made readings: every state it can reach, and a first
// line that names what failed.
#include <functional>

#include <boost/test/unit_test.hpp>

#include "checks/anycast_dns.hpp"
#include "plugin/error.hpp"
#include "readings.hpp"

using anycast::plugin::State;
namespace checks = anycast::checks;
namespace t = anycast::checks::testing;

namespace {

checks::AddressReading reading(checks::AddressProbe probe, checks::Instance instance) {
    return {std::move(probe), std::move(instance)};
}

checks::AnycastDnsConfig config() {
    checks::AnycastDnsConfig c;
    c.question = anycast::dns::make_question("anycast.test", "SOA", "IN");
    return c;
}

std::vector<checks::AddressReading> two_good() {
    return {reading(t::probe("192.0.2.1", 53, {1.5}, t::soa_response(5, "ams1")),
                    t::instance("ams1", "ams1", "AMS")),
            reading(t::probe("192.0.2.2", 53, {2.5}, t::soa_response(5, "iad1")),
                    t::instance("iad1", "iad1", "IAD"))};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(anycast_dns_judgements)

BOOST_AUTO_TEST_CASE(all_answering_is_ok_with_the_slowest_named) {
    const auto result = checks::report_anycast_dns(config(), two_good(), 2);
    BOOST_TEST((result.state() == State::ok));
    BOOST_TEST(t::first_line(result) == "2/2 addresses answered, slowest 192.0.2.2 2.5 ms (iad1)");
    BOOST_TEST(std::get<std::string>(*result.subchecks[0].find_fact("identity_method")) == "nsid");
    BOOST_TEST(std::get<std::string>(*result.subchecks[0].find_fact("location")) == "AMS");
}

BOOST_AUTO_TEST_CASE(a_silent_address_is_critical_and_named_first) {
    auto readings = two_good();
    readings.push_back(reading(t::silent("192.0.2.3", 53), {}));
    const auto result = checks::report_anycast_dns(config(), readings, 2);
    BOOST_TEST((result.state() == State::critical));
    BOOST_TEST(t::first_line(result) == "192.0.2.3: no answer within 2 s");
}

BOOST_AUTO_TEST_CASE(a_failing_address_within_the_fail_limit_is_ok) {
    auto c = config();
    c.fail_critical = checks::parse_fail_limit("2");
    c.fail_warning = checks::parse_fail_limit("1");
    auto readings = two_good();
    readings.push_back(reading(t::silent("192.0.2.3", 53), {}));
    auto result = checks::report_anycast_dns(c, readings, 2);
    BOOST_TEST((result.state() == State::warning));
    BOOST_TEST(t::first_line(result).find("192.0.2.3") == 0U);
    c.fail_warning.reset();
    result = checks::report_anycast_dns(c, readings, 2);
    BOOST_TEST((result.state() == State::ok));
    BOOST_TEST(t::first_line(result).find("2/3 addresses answered") == 0U);
}

BOOST_AUTO_TEST_CASE(a_wrong_rcode_is_critical_naming_address_and_rcode) {
    anycast::dns::testing::ResponseSpec spec;
    spec.rcode = 3;
    const auto nx = t::response(spec, "anycast.test", "SOA");
    auto readings = two_good();
    readings[1] = reading(t::probe("192.0.2.2", 53, {2.5}, nx), t::instance("iad1", "iad1", "IAD"));
    const auto result = checks::report_anycast_dns(config(), readings, 2);
    BOOST_TEST((result.state() == State::critical));
    BOOST_TEST(t::first_line(result) == "192.0.2.2 (iad1): rcode NXDOMAIN (expected NOERROR)");
}

BOOST_AUTO_TEST_CASE(loss_and_rtt_thresholds) {
    auto c = config();
    c.loss.warning = anycast::plugin::parse_range("20", anycast::plugin::UnitFamily::percent);
    c.loss.critical = anycast::plugin::parse_range("60", anycast::plugin::UnitFamily::percent);
    c.rtt.warning = anycast::plugin::parse_range("10ms", anycast::plugin::UnitFamily::duration);
    const auto soa = t::soa_response(5, "ams1");
    struct Case {
        std::vector<std::optional<double>> rtts;
        State state;
        std::string line;
    };
    const Case cases[] = {
        {{1, 1, 1, 1}, State::ok, ""},
        {{1, std::nullopt, 1, 1}, State::warning, "192.0.2.1 (ams1): loss 25%"},
        {{1, std::nullopt, std::nullopt, std::nullopt}, State::critical, "192.0.2.1 (ams1): loss 75%"},
        {{1, 1, 1, 30}, State::warning, "192.0.2.1 (ams1): rtt max 30 ms"},
    };
    for (const Case& k : cases) {
        const auto result = checks::report_anycast_dns(
            c, {reading(t::probe("192.0.2.1", 53, k.rtts, soa), t::instance("ams1", "ams1", "AMS"))}, 2);
        BOOST_TEST_CONTEXT(k.line) {
            BOOST_TEST((result.state() == k.state));
            if (k.state != State::ok) {
                BOOST_TEST(t::first_line(result) == k.line);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(an_identity_that_does_not_match_is_critical) {
    auto c = config();
    c.expect_identity =
        anycast::plugin::Regex::compile("^ams", anycast::plugin::RegexCase::sensitive, "test");
    const auto result = checks::report_anycast_dns(c, two_good(), 2);
    BOOST_TEST((result.state() == State::critical));
    BOOST_TEST(t::first_line(result) ==
               "192.0.2.2 (iad1): identity iad1 (nsid) does not match --expect-identity");
}

BOOST_AUTO_TEST_CASE(an_rtt_below_the_physical_floor_is_a_warning) {
    auto c = config();
    c.vantage.location = anycast::sites::parse_location("SYD");
    c.vantage.location_text = "SYD";
    const auto result = checks::report_anycast_dns(c, two_good(), 2);
    BOOST_TEST((result.state() == State::warning));
    const std::string line = t::first_line(result);
    BOOST_TEST(line.find("192.0.2.1 (ams1): rtt 1.5 ms is below the physical floor") == 0U);
    BOOST_TEST(line.find("192.0.2.2 (iad1): rtt 2.5 ms is below the physical floor") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(no_address_at_all_is_unknown) {
    const auto result = checks::report_anycast_dns(config(), {}, 2);
    BOOST_TEST((result.state() == State::unknown));
    BOOST_TEST(t::first_line(result) == "no address to query");
}

// What is wrong with an answer itself, one finding at a time: each is CRITICAL on its own and the
// first line names the address, its instance and the finding.
BOOST_AUTO_TEST_CASE(answer_content_judgements) {
    anycast::dns::testing::ResponseSpec not_aa;
    not_aa.aa = false;
    not_aa.answer = {"anycast.test. 3600 IN SOA ns.anycast.test. host.anycast.test. 5 3600 900 604800 300"};
    struct Case {
        std::string what;
        std::function<void(checks::AnycastDnsConfig&)> configure;
        anycast::dns::Response answer;
        std::string line;
    };
    const Case cases[] = {
        {"AA clear with --authoritative", [](auto& c) { c.authoritative = true; },
         t::response(not_aa, "anycast.test", "SOA"),
         "192.0.2.1 (ams1): answer is not authoritative (AA clear)"},
        {"--expect-regex matches no record",
         [](auto& c) {
             c.expect_regex = anycast::plugin::Regex::compile(
                 " 6 3600 ", anycast::plugin::RegexCase::sensitive, "--expect-regex");
         },
         t::soa_response(5, "ams1"), "192.0.2.1 (ams1): no answer record matches --expect-regex"},
        {"--dnssec and no RRSIG", [](auto& c) { c.dnssec = true; }, t::soa_response(5, "ams1"),
         "192.0.2.1 (ams1): no RRSIG for the answer"},
    };
    for (const Case& k : cases) {
        BOOST_TEST_CONTEXT(k.what) {
            auto c = config();
            k.configure(c);
            const auto result = checks::report_anycast_dns(
                c, {reading(t::probe("192.0.2.1", 53, {1.5}, k.answer), t::instance("ams1", "ams1", "AMS"))},
                2);
            BOOST_TEST((result.state() == State::critical));
            BOOST_TEST(t::first_line(result) == k.line);
        }
    }
    // The same regex that matches some record is no finding.
    auto c = config();
    c.expect_regex =
        anycast::plugin::Regex::compile(" 5 3600 ", anycast::plugin::RegexCase::sensitive, "--expect-regex");
    BOOST_TEST((checks::report_anycast_dns(c, two_good(), 2).state() == State::ok));
}

BOOST_AUTO_TEST_CASE(an_answer_without_an_expected_record_is_critical_naming_it) {
    auto c = config();
    c.question = anycast::dns::make_question("anycast.test", "A", "IN");
    c.expect = {anycast::dns::ExpectedRdata("192.0.2.9", c.question.type, c.question.klass),
                anycast::dns::ExpectedRdata("192.0.2.10", c.question.type, c.question.klass)};
    anycast::dns::testing::ResponseSpec spec;
    spec.question = "anycast.test. IN A";
    spec.answer = {"anycast.test. 60 IN A 192.0.2.9"};
    const auto answer = t::response(spec, "anycast.test", "A");
    const auto reading_of = [&] {
        return reading(t::probe("192.0.2.1", 53, {1.5}, answer), t::instance("ams1", "ams1", "AMS"));
    };
    auto result = checks::report_anycast_dns(c, {reading_of()}, 2);
    BOOST_TEST((result.state() == State::critical));
    BOOST_TEST(t::first_line(result) == "192.0.2.1 (ams1): answer lacks '192.0.2.10'");
    c.expect.pop_back();
    result = checks::report_anycast_dns(c, {reading_of()}, 2);
    BOOST_TEST((result.state() == State::ok));
}

BOOST_AUTO_TEST_CASE(expect_is_parsed_once_for_the_type_given_anywhere_and_refused_naming_e) {
    struct Case {
        std::vector<std::string> args;
        std::string error;  // empty: parsed
    };
    const Case cases[] = {
        {{"-e", "2001:DB8::1", "-T", "AAAA"}, ""},  // -T after -e still decides how -e is read
        {{"-T", "MX", "-e", "10 mx.anycast.test."}, ""},
        {{"-e", "2001:db8::1"}, "-e/--expect: '2001:db8::1' is not A RDATA"},
        {{"-e", "192.0.2.01"}, "-e/--expect: '192.0.2.01' is not A RDATA"},
        {{"-e", " "}, "-e/--expect: ' ' is not A RDATA: it is empty"},
    };
    for (const Case& k : cases) {
        BOOST_TEST_CONTEXT(k.args[1]) {
            checks::AnycastDnsConfig c;
            anycast::plugin::CommonOptions common;
            auto parser = checks::define_anycast_dns_options(c, common);
            std::vector<std::string> words = {"check_anycast_dns", "-H", "192.0.2.1", "-q", "anycast.test"};
            words.insert(words.end(), k.args.begin(), k.args.end());
            std::vector<char*> argv;
            for (std::string& word : words) {
                argv.push_back(word.data());
            }
            argv.push_back(nullptr);
            std::string error;
            try {
                parser.parse(static_cast<int>(words.size()), argv.data());
            } catch (const anycast::InputError& e) {
                error = e.what();
            }
            if (k.error.empty()) {
                BOOST_TEST(error.empty(), error);
                BOOST_TEST(c.expect.size() == 1U);
            } else {
                BOOST_TEST(error.rfind(k.error, 0) == 0U, error);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(a_truncated_answer_is_a_warning_saying_why) {
    anycast::dns::testing::ResponseSpec spec;
    spec.tc = true;
    const auto truncated = t::response(spec, "anycast.test", "SOA");
    struct Case {
        anycast::dns::Transport transport;
        std::string line;
    };
    const Case cases[] = {
        {anycast::dns::Transport::udp, "192.0.2.1 (ams1): answer truncated (TC) and TCP fallback is off"},
        {anycast::dns::Transport::tcp, "192.0.2.1 (ams1): answer truncated (TC) even over TCP"},
    };
    for (const Case& k : cases) {
        BOOST_TEST_CONTEXT(k.line) {
            auto probe = t::probe("192.0.2.1", 53, {1.5}, truncated);
            probe.results[0].transport = k.transport;
            const auto result =
                checks::report_anycast_dns(config(), {reading(probe, t::instance("ams1", "ams1", "AMS"))}, 2);
            BOOST_TEST((result.state() == State::warning));
            BOOST_TEST(t::first_line(result) == k.line);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
