// DNSSEC and freshness judgements, fed hand-made measurements: every state without a network.
#include <boost/test/unit_test.hpp>

#include <variant>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "checks/dnssec_check.hpp"
#include "checks/dnssec_findings.hpp"
#include "plugin/error.hpp"

using anycast::InputError;
using anycast::dns::RrsetVerification;
using anycast::dns::SignatureInfo;
using anycast::dns::SignatureStatus;
using anycast::plugin::State;
namespace checks = anycast::checks;

namespace anycast::plugin {
// So that BOOST_TEST can print the states it compares.
inline std::ostream& operator<<(std::ostream& out, State state) {
    return out << state_name(state);
}
}  // namespace anycast::plugin

namespace {

constexpr std::int64_t now = 1767225600;
constexpr std::int64_t hour = 3600;
constexpr std::int64_t day = 24 * hour;

const checks::DurationThresholds defaults{checks::default_rrsig_warning, checks::default_rrsig_critical};

RrsetVerification signed_until(std::int64_t expiration, SignatureStatus status = SignatureStatus::valid) {
    RrsetVerification verification;
    verification.status = status;
    verification.signature_count = 1;
    verification.signature = SignatureInfo{12345, 13, now - day, expiration, "anycast.test."};
    return verification;
}

checks::DnssecMeasurement measurement(RrsetVerification soa, RrsetVerification dnskey) {
    checks::DnssecMeasurement m;
    m.who = "site sin1";
    m.dnskey_answered = true;
    m.soa = std::move(soa);
    m.dnskey = std::move(dnskey);
    m.key_tags = {12345};
    return m;
}

}  // namespace

BOOST_AUTO_TEST_CASE(durations_as_operators_write_them) {
    BOOST_TEST(checks::parse_duration("5d") == 5 * day);
    BOOST_TEST(checks::parse_duration("36h") == 36 * hour);
    BOOST_TEST(checks::parse_duration("2d12h") == 2 * day + 12 * hour);
    BOOST_TEST(checks::parse_duration("1w") == 7 * day);
    BOOST_TEST(checks::parse_duration("90m") == 90 * 60);
    BOOST_TEST(checks::parse_duration("3600") == 3600);
    BOOST_TEST(checks::parse_duration("10s") == 10);
    for (const char* bad : {"", "d", "5x", "-1d", "5d2", "1h1d", "1d1d", "5 d", "99999999999999999999"}) {
        BOOST_TEST_CONTEXT(bad) {
            BOOST_CHECK_THROW(checks::parse_duration(bad), InputError);
        }
    }
}

BOOST_AUTO_TEST_CASE(durations_print_two_units_at_most) {
    BOOST_TEST(checks::format_duration(day + 3 * hour + 59) == "1d 3h");
    BOOST_TEST(checks::format_duration(12 * day) == "12d");
    BOOST_TEST(checks::format_duration(5 * hour + 120) == "5h 2m");
    BOOST_TEST(checks::format_duration(day + 120) == "1d");
    BOOST_TEST(checks::format_duration(42) == "42s");
    BOOST_TEST(checks::format_duration(0) == "0s");
    BOOST_TEST(checks::format_duration(-2 * hour) == "2h");
}

BOOST_AUTO_TEST_CASE(dnssec_modes) {
    BOOST_TEST(checks::dnssec_mode_name(checks::parse_dnssec_mode("auto")) == "auto");
    BOOST_TEST(checks::dnssec_mode_name(checks::parse_dnssec_mode("off")) == "off");
    BOOST_TEST(checks::dnssec_mode_name(checks::parse_dnssec_mode("required")) == "required");
    BOOST_CHECK_THROW(checks::parse_dnssec_mode("yes"), InputError);
}

BOOST_AUTO_TEST_CASE(time_left_against_thresholds) {
    struct Case {
        std::int64_t left;
        State state;
        const char* summary;
    };
    const Case cases[] = {
        {12 * day, State::ok, "SOA signature valid for 12d (key 12345 alg 13)"},
        {5 * day, State::ok, "SOA signature valid for 5d (key 12345 alg 13)"},
        {4 * day, State::ok, "SOA signature valid for 4d (key 12345 alg 13)"},
        {4 * day - 1, State::warning, "SOA signature expires in 3d 23h"},
        {day + 3 * hour, State::critical, "SOA signature expires in 1d 3h"},
        {0, State::critical, "SOA signature expires in 0s"},
    };
    for (const Case& c : cases) {
        BOOST_TEST_CONTEXT(c.left) {
            const auto check = checks::judge_signature("SOA", signed_until(now + c.left), now, defaults, "x");
            BOOST_TEST(check.state == c.state);
            BOOST_TEST(check.summary == c.summary);
            BOOST_REQUIRE(check.perfdata.size() == 1u);
            BOOST_TEST(check.perfdata[0].value == static_cast<double>(c.left));
            BOOST_TEST(check.perfdata[0].warning->perfdata_text() == "345600:");
        }
    }
}

BOOST_AUTO_TEST_CASE(verification_failures_are_critical_and_say_why) {
    struct Case {
        SignatureStatus status;
        const char* summary;
    };
    const Case cases[] = {
        {SignatureStatus::expired, "SOA signature expired 3h ago"},
        {SignatureStatus::not_yet_valid,
         "SOA signature not valid for another 1d (inception in the future: signer or clock trouble)"},
        {SignatureStatus::bad_signature, "SOA signature does not verify with key 12345 alg 13"},
        {SignatureStatus::unknown_key,
         "SOA signature made by key 12345 alg 13, which is not in this server's DNSKEY set"},
        {SignatureStatus::no_signature, "SOA has no RRSIG while the zone is signed"},
        {SignatureStatus::no_keys, "SOA is signed but no DNSKEY came back to verify it"},
    };
    for (const Case& c : cases) {
        BOOST_TEST_CONTEXT(anycast::dns::signature_status_name(c.status)) {
            auto verification = signed_until(now - 3 * hour, c.status);
            verification.signature->inception = now + day;
            if (c.status == SignatureStatus::no_signature || c.status == SignatureStatus::no_keys) {
                verification.signature.reset();
            }
            const auto check = checks::judge_signature("SOA", verification, now, defaults, "x");
            BOOST_TEST(check.state == State::critical);
            BOOST_TEST(check.summary == c.summary);
        }
    }
}

BOOST_AUTO_TEST_CASE(an_unsigned_zone_is_fine_unless_asked_or_signed_elsewhere) {
    BOOST_TEST(checks::judge_unsigned(checks::DnssecMode::auto_detect, false).state == State::ok);
    BOOST_TEST(checks::judge_unsigned(checks::DnssecMode::auto_detect, true).state == State::critical);
    BOOST_TEST(checks::judge_unsigned(checks::DnssecMode::required, false).state == State::critical);
    const checks::DnssecMeasurement nothing;
    BOOST_TEST(
        checks::judge_server_dnssec(nothing, checks::DnssecMode::auto_detect, false, now, defaults, "s")
            .effective_state() == State::ok);
}

BOOST_AUTO_TEST_CASE(a_server_summary_names_its_worst_signature) {
    const auto good =
        checks::judge_server_dnssec(measurement(signed_until(now + 20 * day), signed_until(now + 20 * day)),
                                    checks::DnssecMode::auto_detect, true, now, defaults, "sin1");
    BOOST_TEST(good.effective_state() == State::ok);
    BOOST_TEST(good.summary == "signed, keys 12345, SOA signature valid for 20d (key 12345 alg 13)");
    // A JSON boolean, not 1: ldns.h once turned `true` into an int macro here.
    const auto* is_signed = good.find_fact("signed");
    BOOST_REQUIRE(is_signed != nullptr);
    BOOST_TEST(std::holds_alternative<bool>(*is_signed));
    BOOST_REQUIRE(good.children.size() == 2u);
    BOOST_TEST(good.children[0].perfdata[0].label == "sin1_soa_rrsig_left");
    BOOST_TEST(good.children[1].perfdata[0].label == "sin1_dnskey_rrsig_left");

    const auto dnskey_soon = checks::judge_server_dnssec(
        measurement(signed_until(now + 20 * day), signed_until(now + day + 3 * hour)),
        checks::DnssecMode::auto_detect, true, now, defaults, "sin1");
    BOOST_TEST(dnskey_soon.effective_state() == State::critical);
    BOOST_TEST(dnskey_soon.summary == "DNSKEY signature expires in 1d 3h");

    // Both running out together are one fault, said once.
    const auto both_soon = checks::judge_server_dnssec(
        measurement(signed_until(now + day + 3 * hour), signed_until(now + day + 3 * hour)),
        checks::DnssecMode::auto_detect, true, now, defaults, "sin1");
    BOOST_TEST(both_soon.summary == "SOA and DNSKEY signatures expire in 1d 3h");
}

BOOST_AUTO_TEST_CASE(a_different_key_set_is_named) {
    const std::vector<checks::KeySetReading> same{{"site ams1", {1, 2}}, {"site iad1", {1, 2}}};
    BOOST_TEST(checks::judge_key_sets(same).state == State::ok);
    BOOST_TEST(checks::judge_key_sets(same).summary == "same DNSKEY set (1 2) at all 2 servers");

    const std::vector<checks::KeySetReading> foreign{
        {"site ams1", {1, 2}}, {"site sin1", {7, 8}}, {"site iad1", {1, 2}}};
    const auto check = checks::judge_key_sets(foreign);
    BOOST_TEST(check.state == State::critical);
    BOOST_TEST(check.summary == "site sin1 serves DNSKEY set 7 8 (no key in common); the others serve 1 2");

    const std::vector<checks::KeySetReading> rolling{
        {"site ams1", {1, 2}}, {"site iad1", {1, 2, 3}}, {"site sin1", {1, 2}}};
    BOOST_TEST(checks::judge_key_sets(rolling).state == State::warning);
    BOOST_TEST(checks::judge_key_sets(rolling).summary.starts_with("site iad1 serves DNSKEY set 1 2 3"));
}

BOOST_AUTO_TEST_CASE(how_long_a_site_has_been_behind) {
    const checks::DurationThresholds age{hour, day};
    BOOST_TEST(checks::judge_behind_age("site sin1", std::nullopt, now, age).state == State::ok);
    BOOST_TEST(checks::judge_behind_age("site sin1", now - 600, now, age).state == State::ok);
    const auto warn = checks::judge_behind_age("site sin1", now - 2 * hour, now, age);
    BOOST_TEST(warn.state == State::warning);
    BOOST_TEST(warn.summary == "site sin1 behind for 2h");
    BOOST_TEST(checks::judge_behind_age("site sin1", now - 2 * day, now, age).state == State::critical);
}

BOOST_AUTO_TEST_CASE(the_state_file_remembers_since_when_a_site_lags) {
    char directory[] = "/tmp/anycast-lag.XXXXXX";
    BOOST_REQUIRE(mkdtemp(directory) != nullptr);
    const std::string path = std::string(directory) + "/state";
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    const auto at = [&](std::int64_t t, bool lagging) {
        const auto memory = checks::remember_lag(path, "sin1", lagging, t, 3600, deadline);
        BOOST_REQUIRE(!memory.error);
        return memory.lagging_since;
    };
    BOOST_TEST(!at(now, false));
    BOOST_TEST(at(now + 60, true).value() == now + 60);    // fell behind
    BOOST_TEST(at(now + 600, true).value() == now + 60);   // still behind since then
    BOOST_TEST(!at(now + 700, false));                     // caught up
    BOOST_TEST(at(now + 800, true).value() == now + 800);  // behind again: a new stint
    BOOST_TEST(checks::remember_lag(path, "ams1", true, now + 900, 3600, deadline).lagging_since.value() ==
               now + 900);  // another site, its own memory
    std::filesystem::remove_all(directory);
}
