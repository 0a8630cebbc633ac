// The vantage judgement from responses recorded from real icinga2 daemons (see README.md here):
// the lab's master with three satellites running check_anycast_site and check_resolver_locality in
// their own namespaces (steady state, far resolver at vp-ams, site ams1 down, satellite vp-sin
// stopped), and tests/icinga's seven dummy vantage hosts (stale, hostile, DOWN, UNKNOWN, health).
// Each is parsed by the check's own parser and judged with "now" fixed a few seconds after the
// newest result in it, as the check would have judged it when it was recorded.
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "checks/anycast_dns.hpp"
#include "plugin/result.hpp"
#include "testing.hpp"
#include "vantages/check.hpp"
#include "vantages/vantages.hpp"

namespace vantages = anycast::vantages;
using anycast::plugin::CheckResult;
using anycast::plugin::State;
using anycast::plugin::Subcheck;
using anycast::vantages::testing::perf;
using anycast::vantages::testing::recorded;
using vantages::ServiceRow;

namespace {

struct Recording {
    std::vector<ServiceRow> rows;
    double now = 0;  // the newest service result in it, plus 5 s
};

Recording load(const std::string& name) {
    Recording recording;
    recording.rows = vantages::parse_services_response(recorded(name));
    for (const ServiceRow& row : recording.rows) {
        if (row.result) {
            recording.now = std::max(recording.now, row.result->execution_end + 5);
        }
    }
    BOOST_REQUIRE(recording.now > 1.7e9);  // real UNIX times, not synthetic ones
    return recording;
}

const ServiceRow& row_of(const Recording& recording, const std::string& host, const std::string& service) {
    for (const ServiceRow& row : recording.rows) {
        if (row.host == host && row.service == service) {
            return row;
        }
    }
    BOOST_FAIL("no row " + host + "!" + service);
    return recording.rows.front();
}

// "label=value" of every perfdata item, in order.
std::string perf_text(const CheckResult& result) {
    std::string text;
    for (const auto& item : result.perfdata) {
        std::ostringstream value;
        value << item.value;
        text += (text.empty() ? "" : " ") + item.label + "=" + value.str();
    }
    return text;
}

const Subcheck& part(const std::vector<Subcheck>& list, const std::string& name) {
    for (const auto& check : list) {
        if (check.name == name) {
            return check;
        }
    }
    BOOST_FAIL("no part " + name);
    return list.front();
}

std::string fact(const Subcheck& node, const std::string& key) {
    const auto* value = node.find_fact(key);
    BOOST_REQUIRE_MESSAGE(value != nullptr, node.name << " has no fact " << key);
    return std::get<std::string>(*value);
}

// The counted vantage points' names, and each one's state (as its node shows it) and sites.
std::string counted_text(const CheckResult& result) {
    std::string text;
    for (const Subcheck& node : part(result.subchecks, "vantage points").children) {
        text += (text.empty() ? "" : " ") + node.name + ":" + fact(node, "service_state") + "@" +
                fact(node, "sites");
    }
    return text;
}

std::string excluded_reason(const CheckResult& result, const std::string& host) {
    return fact(part(part(result.subchecks, "left out").children, host), "excluded");
}

// As the lab's master runs it (tests/lab/test_icinga_vantages.sh): --site ams1 --site iad1
// --site sin1, the default limits (WARNING at 1, CRITICAL at 25%), no --max-age.
vantages::Rules lab_rules(const std::string& service) {
    vantages::Rules rules;
    rules.service = service;
    rules.catchment_service = "anycast-catchment";
    rules.sites = {"ams1", "iad1", "sin1"};
    return rules;
}

}  // namespace

BOOST_AUTO_TEST_CASE(lab_recording_reads_as_the_satellites_sent_it) {
    const Recording steady = load("lab-steady.json");
    BOOST_TEST(steady.rows.size() == 6U);  // 3 vantage hosts x (anycast-catchment, resolver-locality)
    for (const std::string vp : {"vp-ams", "vp-iad", "vp-sin"}) {
        BOOST_TEST_CONTEXT(vp) {
            const std::string site = vp.substr(3) + "1";
            const ServiceRow& catchment = row_of(steady, vp, "anycast-catchment");
            BOOST_REQUIRE(catchment.result);
            BOOST_TEST(catchment.result->state == State::ok);
            BOOST_TEST(catchment.result->check_source == vp);  // run by its own satellite
            BOOST_TEST(catchment.check_interval == 600);
            BOOST_TEST(!catchment.host_down);
            BOOST_TEST(!catchment.in_downtime);
            BOOST_TEST(catchment.host_output.rfind("Zone '" + vp + "' is connected.", 0) == 0U);
            // check_anycast_site's long output comes along; the judgement reads its first line only.
            BOOST_TEST(catchment.result->output.find('\n') != std::string::npos);
            BOOST_TEST(vantages::output_reason(catchment.result->output) ==
                       "catchment " + site + " (expected), serial 2026112301 everywhere");
            BOOST_TEST(catchment.result->perfdata.front() == "site_" + site + "=2;;;0");
            BOOST_TEST(vantages::sites_reached(catchment.result->perfdata) == std::vector<std::string>{site});
            const ServiceRow& locality = row_of(steady, vp, "resolver-locality");
            BOOST_REQUIRE(locality.result);
            BOOST_TEST(locality.result->state == State::ok);
            BOOST_TEST(vantages::sites_reached(locality.result->perfdata).empty());  // no site_ perfdata
        }
    }
}

BOOST_AUTO_TEST_CASE(lab_steady_state_every_vantage_ok_one_per_site) {
    const Recording steady = load("lab-steady.json");
    for (const std::string service : {"anycast-catchment", "resolver-locality"}) {
        BOOST_TEST_CONTEXT(service) {
            const CheckResult result = vantages::judge_vantages(steady.rows, lab_rules(service), steady.now);
            BOOST_TEST(result.state() == State::ok);
            BOOST_TEST(anycast::plugin::headline(result) ==
                       "3/3 vantage points OK; catchment ams1 1, iad1 1, sin1 1");
            BOOST_TEST(perf_text(result) ==
                       "vantages_total=3 vantages_counted=3 vantages_failing=0 vantages_excluded=0 "
                       "site_ams1=1 site_iad1=1 site_sin1=1");
            BOOST_TEST(counted_text(result) == "vp-ams:OK@ams1 vp-iad:OK@iad1 vp-sin:OK@sin1");
            BOOST_TEST(fact(part(result.subchecks, "catchment"), "unserved_sites").empty());
        }
    }
}

BOOST_AUTO_TEST_CASE(lab_far_resolver_only_vp_ams_fails_and_is_named) {
    const Recording far = load("lab-far-resolver.json");
    CheckResult result = vantages::judge_vantages(far.rows, lab_rules("resolver-locality"), far.now);
    // 1 of 3 counted = 33% >= 25%: CRITICAL; the first line as the lab's master showed it.
    BOOST_TEST(result.state() == State::critical);
    BOOST_TEST(
        anycast::plugin::headline(result) ==
        "1/3 vantage points failing: vp-ams CRITICAL (198.51.100.53: resolver iad (IAD) is 6,207 km "
        "from AMS; 2001:db8:5353::53: resolver iad (IAD) is 6,2...); catchment ams1 1, iad1 1, sin1 1");
    BOOST_TEST(perf_text(result) ==
               "vantages_total=3 vantages_counted=3 vantages_failing=1 vantages_excluded=0 "
               "site_ams1=1 site_iad1=1 site_sin1=1");
    // The far resolver does not move the catchment: vp-ams still reaches ams1.
    BOOST_TEST(counted_text(result) == "vp-ams:CRITICAL@ams1 vp-iad:OK@iad1 vp-sin:OK@sin1");
    const Subcheck& vp_ams = part(part(result.subchecks, "vantage points").children, "vp-ams");
    BOOST_TEST(vp_ams.state == State::critical);
    BOOST_TEST(fact(vp_ams, "check_source") == "vp-ams");

    auto rules = lab_rules("resolver-locality");
    rules.fail_critical = anycast::checks::parse_fail_limit("2");
    result = vantages::judge_vantages(far.rows, rules, far.now);
    BOOST_TEST(result.state() == State::warning);
    rules.fail_state = State::critical;
    rules.fail_warning = anycast::checks::parse_fail_limit("2");
    BOOST_TEST(vantages::judge_vantages(far.rows, rules, far.now).state() == State::ok);

    // The catchment service is untouched by the far resolver.
    result = vantages::judge_vantages(far.rows, lab_rules("anycast-catchment"), far.now);
    BOOST_TEST(result.state() == State::ok);
    BOOST_TEST(anycast::plugin::headline(result) ==
               "3/3 vantage points OK; catchment ams1 1, iad1 1, sin1 1");
}

BOOST_AUTO_TEST_CASE(lab_site_down_moves_vp_ams_to_iad1_and_leaves_ams1_unserved) {
    const Recording down = load("lab-site-down.json");
    const ServiceRow& vp_ams = row_of(down, "vp-ams", "anycast-catchment");
    BOOST_TEST(vp_ams.result->state == State::warning);
    BOOST_TEST(vantages::sites_reached(vp_ams.result->perfdata) == std::vector<std::string>{"iad1"});

    CheckResult result = vantages::judge_vantages(down.rows, lab_rules("anycast-catchment"), down.now);
    BOOST_TEST(result.state() == State::critical);  // 1/3 failing (WARNING counts by default)
    BOOST_TEST(
        anycast::plugin::headline(result) ==
        "1/3 vantage points failing: vp-ams WARNING (catchment 192.0.2.53: site iad1 is not expected "
        "(ams1); catchment 2001:db8:53::53: site iad1 is not ...); catchment iad1 2, sin1 1; no vantage "
        "point reaches ams1");
    BOOST_TEST(perf_text(result) ==
               "vantages_total=3 vantages_counted=3 vantages_failing=1 vantages_excluded=0 "
               "site_ams1=0 site_iad1=2 site_sin1=1");
    BOOST_TEST(counted_text(result) == "vp-ams:WARNING@iad1 vp-iad:OK@iad1 vp-sin:OK@sin1");
    const Subcheck& catchment = part(result.subchecks, "catchment");
    BOOST_TEST(fact(catchment, "unserved_sites") == "ams1");
    BOOST_TEST(part(catchment.children, "site ams1").summary == "no vantage point reaches it");
    BOOST_TEST(part(catchment.children, "site iad1").summary == "2: vp-ams, vp-iad");

    // Only CRITICAL counts: vp-ams's WARNING is no failure, the unserved site still named, OK
    // unless --unserved-site-state says otherwise.
    auto rules = lab_rules("anycast-catchment");
    rules.fail_state = State::critical;
    result = vantages::judge_vantages(down.rows, rules, down.now);
    BOOST_TEST(result.state() == State::ok);
    BOOST_TEST(anycast::plugin::headline(result) ==
               "3/3 vantage points OK; catchment iad1 2, sin1 1; no vantage point reaches ams1");
    rules.unserved_site_state = State::warning;
    BOOST_TEST(vantages::judge_vantages(down.rows, rules, down.now).state() == State::warning);

    // resolver-locality is OK everywhere; its catchment view shows the move too.
    result = vantages::judge_vantages(down.rows, lab_rules("resolver-locality"), down.now);
    BOOST_TEST(result.state() == State::ok);
    BOOST_TEST(anycast::plugin::headline(result) ==
               "3/3 vantage points OK; catchment iad1 2, sin1 1; no vantage point reaches ams1");
}

BOOST_AUTO_TEST_CASE(lab_satellite_stopped_is_left_out_not_an_outage) {
    const Recording stopped = load("lab-satellite-stopped.json");
    const ServiceRow& vp_sin = row_of(stopped, "vp-sin", "anycast-catchment");
    BOOST_TEST(vp_sin.host_down);                   // cluster-zone on the master: DOWN
    BOOST_TEST(vp_sin.result->state == State::ok);  // its last result, still fresh, says OK
    for (const std::string service : {"anycast-catchment", "resolver-locality"}) {
        BOOST_TEST_CONTEXT(service) {
            const CheckResult result =
                vantages::judge_vantages(stopped.rows, lab_rules(service), stopped.now);
            BOOST_TEST(result.state() == State::ok);
            BOOST_TEST(
                anycast::plugin::headline(result) ==
                "2/2 vantage points OK; left out 1/3: vp-sin (host DOWN: Zone 'vp-sin' is not connected. "
                "Log lag: less than 1 millisecond); catchment ams1 1, iad1 1; no vantage point reaches "
                "sin1");
            BOOST_TEST(perf_text(result) ==
                       "vantages_total=3 vantages_counted=2 vantages_failing=0 vantages_excluded=1 "
                       "site_ams1=1 site_iad1=1 site_sin1=0");
            BOOST_TEST(counted_text(result) == "vp-ams:OK@ams1 vp-iad:OK@iad1");
            BOOST_TEST(excluded_reason(result, "vp-sin") ==
                       "host DOWN: Zone 'vp-sin' is not connected. Log lag: less than 1 millisecond");
            BOOST_TEST(fact(part(result.subchecks, "catchment"), "unserved_sites") == "sin1");
        }
    }
}

BOOST_AUTO_TEST_CASE(lab_results_older_than_three_check_intervals_are_left_out) {
    // The same steady-state response judged 31 minutes later: every result is older than 3 x 600 s.
    const Recording steady = load("lab-steady.json");
    auto rules = lab_rules("anycast-catchment");
    CheckResult result = vantages::judge_vantages(steady.rows, rules, steady.now + 1860);
    BOOST_TEST(result.state() == State::unknown);
    BOOST_TEST(perf(result, "vantages_counted") == 0);
    BOOST_TEST(perf(result, "vantages_excluded") == 3);
    BOOST_TEST(excluded_reason(result, "vp-ams").rfind("result 18", 0) == 0U);
    BOOST_TEST(excluded_reason(result, "vp-ams").find(" s old (max 1800 s)") != std::string::npos);
    BOOST_TEST(anycast::plugin::headline(result).rfind(
                   "no vantage point counts for 'anycast-catchment': all 3 left out: vp-ams (result 18", 0) ==
               0U);
    // --max-age 2h takes them back.
    rules.max_age = 7200;
    result = vantages::judge_vantages(steady.rows, rules, steady.now + 1860);
    BOOST_TEST(result.state() == State::ok);
    BOOST_TEST(perf(result, "vantages_counted") == 3);
}

BOOST_AUTO_TEST_CASE(icinga_api_seven_vantages_counted_failing_left_out) {
    // tests/icinga/test_vantages_api.sh: vp-a OK (ams1), vp-b CRITICAL, vp-c OK (iad1), vp-d on a
    // DOWN host, vp-e UNKNOWN, vp-f an hour old (process-check-result), vp-g a hostile WARNING.
    const Recording api = load("icinga-api-7-vantages.json");
    BOOST_TEST(api.rows.size() == 9U);  // 7 x dns, 2 x health
    BOOST_TEST(!row_of(api, "vp-g", "dns").result->output.empty());
    BOOST_TEST(row_of(api, "vp-g", "dns").result->perfdata.empty());  // performance_data: null
    vantages::Rules rules;
    rules.service = "dns";
    rules.catchment_service = "dns";
    rules.sites = {"ams1", "iad1", "sin1"};
    CheckResult result = vantages::judge_vantages(api.rows, rules, api.now);
    BOOST_TEST(result.state() == State::critical);  // 2/4 >= 25%
    BOOST_TEST(perf_text(result) ==
               "vantages_total=7 vantages_counted=4 vantages_failing=2 vantages_excluded=3 "
               "site_ams1=1 site_iad1=1 site_sin1=0");
    BOOST_TEST(
        result.summary ==
        "2/4 vantage points failing: vp-b CRITICAL (catchment 192.0.2.53:53: no answer), vp-g WARNING "
        "(evil\\x1b[31m\\u202e x); left out 3/7: vp-d (host DOWN: Zone 'vp-d' is not connected), vp-e "
        "(UNKNOWN: --zone: empty), vp-f (result 3606 s old (max 60 s)); catchment ams1 1, iad1 1; no site "
        "known for vp-b (no site answered), vp-g (no site answered); no vantage point reaches sin1");
    // The first line is that, cut after the library's 240 bytes (as test_vantages_api.sh saw it).
    const std::string first = anycast::plugin::headline(result);
    BOOST_TEST(first == result.summary.substr(0, anycast::plugin::max_headline_bytes) + "...");
    BOOST_TEST(first.find('\x1b') == std::string::npos);
    BOOST_TEST(counted_text(result) == "vp-a:OK@ams1 vp-b:CRITICAL@ vp-c:OK@iad1 vp-g:WARNING@");
    BOOST_TEST(excluded_reason(result, "vp-d") == "host DOWN: Zone 'vp-d' is not connected");
    BOOST_TEST(excluded_reason(result, "vp-e") == "UNKNOWN: --zone: empty");
    BOOST_TEST(excluded_reason(result, "vp-f") == "result 3606 s old (max 60 s)");
    const Subcheck& catchment = part(result.subchecks, "catchment");
    BOOST_TEST(catchment.summary ==
               "ams1 1, iad1 1; no site known for vp-b (no site answered), vp-g (no site answered)");
    BOOST_TEST(fact(catchment, "unserved_sites") == "sin1");

    // --unknown-fails --max-age 7200: vp-e and vp-f count (3 of 6 fail).
    rules.unknown_fails = true;
    rules.max_age = 7200;
    result = vantages::judge_vantages(api.rows, rules, api.now);
    BOOST_TEST(perf(result, "vantages_counted") == 6);
    BOOST_TEST(perf(result, "vantages_failing") == 3);
    BOOST_TEST(perf(result, "site_sin1") == 1);  // vp-f's hour-old result reached sin1

    // --health-service health: vp-a's health fails, the others have none; only vp-c counts.
    rules = vantages::Rules{};
    rules.service = "dns";
    rules.catchment_service = "dns";
    rules.health_services = {"health"};
    result = vantages::judge_vantages(api.rows, rules, api.now);
    BOOST_TEST(result.state() == State::ok);
    BOOST_TEST(counted_text(result) == "vp-c:OK@iad1");
    BOOST_TEST(excluded_reason(result, "vp-a") == "health service 'health' CRITICAL: disk full");
    BOOST_TEST(excluded_reason(result, "vp-b") == "has no health service 'health'");
    BOOST_TEST(excluded_reason(result, "vp-d") == "host DOWN: Zone 'vp-d' is not connected");
}

BOOST_AUTO_TEST_CASE(query_body_is_what_the_recordings_asked) {
    // The lab files were recorded with this body (icinga_vantages_query in tests/icinga/icinga_lib.sh,
    // for "vantages resolver-locality"), the 7-vantage file with the same for "dns" and "health".
    // If the check's query changes, change that function too and re-record (README.md).
    auto rules = lab_rules("resolver-locality");
    BOOST_TEST(vantages::query_body(rules) ==
               R"({"attrs":["name","host_name","last_check_result","check_interval","downtime_depth"],)"
               R"("filter":"service.name in names","filter_vars":{"names":["resolver-locality",)"
               R"("anycast-catchment"]},"joins":["host.name","host.state","host.last_check_result",)"
               R"("host.downtime_depth"]})");
}
