// The vantage judgement from hand-made Icinga 2 API responses (services-3.json and rows built here):
// no network, no daemon. The responses recorded from real icinga2 daemons are judged in
// test_recorded.cpp (README.md).
#include <unistd.h>
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <fstream>
#include <ostream>
#include <sstream>

#include "plugin/error.hpp"
#include "plugin/output.hpp"
#include "testing.hpp"
#include "vantages/check.hpp"
#include "vantages/icinga_api.hpp"
#include "vantages/vantages.hpp"

namespace vantages = anycast::vantages;
using anycast::InputError;
using anycast::plugin::CheckResult;
using anycast::plugin::State;
using anycast::vantages::testing::perf;
using anycast::vantages::testing::recorded;
using vantages::ResponseError;
using vantages::ServiceRow;

namespace {

const anycast::plugin::Subcheck* find(const std::vector<anycast::plugin::Subcheck>& list,
                                      const std::string& name) {
    for (const auto& check : list) {
        if (check.name == name) {
            return &check;
        }
    }
    return nullptr;
}

// One vantage point with a fresh result in `state`, reaching `site` (none when empty).
ServiceRow row(const std::string& host, State state, const std::string& site = "", double end = 1000,
               const std::string& service = "dns") {
    ServiceRow r;
    r.host = host;
    r.service = service;
    r.check_interval = 60;
    r.result = vantages::LastResult{
        state,
        "ANYCAST SITE " + std::string(anycast::plugin::state_name(state)) + " - " + host + " says so",
        end,
        host,
        {}};
    if (!site.empty()) {
        r.result->perfdata.push_back("site_" + site + "=1;;;0");
    }
    return r;
}

vantages::Rules rules_for(const std::string& service = "dns") {
    vantages::Rules rules;
    rules.service = service;
    rules.catchment_service = service;
    return rules;
}

std::string excluded_reason(const CheckResult& result, const std::string& host) {
    const auto* left_out = find(result.subchecks, "left out");
    BOOST_REQUIRE(left_out != nullptr);
    const auto* node = find(left_out->children, host);
    BOOST_REQUIRE(node != nullptr);
    return std::get<std::string>(*node->find_fact("excluded"));
}

}  // namespace

BOOST_AUTO_TEST_CASE(hand_written_response_three_vantages) {
    const auto rows = vantages::parse_services_response(recorded("services-3.json"));
    BOOST_REQUIRE_EQUAL(rows.size(), 3U);
    BOOST_TEST(rows[0].host == "vp-ams");
    BOOST_TEST(rows[0].result->check_source == "vp-ams");
    BOOST_TEST(rows[0].result->perfdata.size() == 2U);
    BOOST_TEST(rows[1].host_output.empty());  // host last_check_result null
    BOOST_TEST(!rows[1].host_down);
    BOOST_TEST(rows[2].host_down);

    auto rules = rules_for("anycast-catchment");
    rules.sites = {"ams1", "iad1", "sin1"};
    const CheckResult result = vantages::judge_vantages(rows, rules, 1010);
    // vp-sin is DOWN (its satellite is gone): left out; vp-ams WARNING of 2 counted = 50% >= 25%.
    BOOST_TEST(result.state() == State::critical);
    BOOST_TEST(
        result.summary ==
        "1/2 vantage points failing: vp-ams WARNING (catchment 192.0.2.53:53: site iad1 not expected - site "
        "iad1 (identity iad1)); left out 1/3: vp-sin (host DOWN: Zone 'vp-sin' is not connected. Log lag: 5 "
        "minutes); catchment iad1 2; no vantage point reaches ams1, sin1");
    BOOST_TEST(perf(result, "vantages_total") == 3);
    BOOST_TEST(perf(result, "vantages_counted") == 2);
    BOOST_TEST(perf(result, "vantages_failing") == 1);
    BOOST_TEST(perf(result, "vantages_excluded") == 1);
    BOOST_TEST(perf(result, "site_ams1") == 0);
    BOOST_TEST(perf(result, "site_iad1") == 2);
    BOOST_TEST(perf(result, "site_sin1") == 0);
    const std::string text = anycast::plugin::render_text(result, 0);
    BOOST_TEST(text.find("|") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(fail_limits_count_and_percent_of_counted) {
    struct Case {
        std::size_t vantages;
        std::size_t failing;
        const char* warning;
        const char* critical;
        State expected;
    };
    const Case cases[] = {
        {25, 0, "1", "25%", State::ok},      {25, 1, "1", "25%", State::warning},
        {25, 6, "1", "25%", State::warning}, {25, 7, "1", "25%", State::critical},
        {4, 1, "2", "50%", State::ok},       {4, 2, "2", "50%", State::critical},
        {10, 3, "20%", "5", State::warning}, {10, 5, "20%", "5", State::critical},
    };
    for (const Case& c : cases) {
        BOOST_TEST_CONTEXT(c.failing << "/" << c.vantages << " w " << c.warning << " c " << c.critical) {
            std::vector<ServiceRow> rows;
            for (std::size_t i = 0; i < c.vantages; ++i) {
                rows.push_back(row("vp-" + std::to_string(100 + i),
                                   i < c.failing ? State::critical : State::ok, "ams1"));
            }
            auto rules = rules_for();
            rules.fail_warning = anycast::checks::parse_fail_limit(c.warning);
            rules.fail_critical = anycast::checks::parse_fail_limit(c.critical);
            BOOST_TEST(vantages::judge_vantages(rows, rules, 1010).state() == c.expected);
        }
    }
}

BOOST_AUTO_TEST_CASE(warning_counts_unless_fail_state_critical_and_unknown_is_left_out) {
    const std::vector<ServiceRow> rows = {row("vp-a", State::warning, "ams1"), row("vp-b", State::unknown),
                                          row("vp-c", State::ok, "iad1"), row("vp-d", State::ok, "iad1")};
    auto rules = rules_for();
    auto result = vantages::judge_vantages(rows, rules, 1010);
    BOOST_TEST(perf(result, "vantages_counted") == 3);
    BOOST_TEST(perf(result, "vantages_failing") == 1);
    BOOST_TEST(excluded_reason(result, "vp-b") == "UNKNOWN: vp-b says so");
    BOOST_TEST(result.state() == State::critical);  // 1/3 >= 25%

    rules.fail_state = State::critical;
    result = vantages::judge_vantages(rows, rules, 1010);
    BOOST_TEST(perf(result, "vantages_failing") == 0);
    BOOST_TEST(result.state() == State::ok);
    BOOST_TEST(result.summary.rfind("3/3 vantage points OK; left out 1/4: vp-b (UNKNOWN: vp-b says so)", 0) ==
               0);

    rules.unknown_fails = true;
    result = vantages::judge_vantages(rows, rules, 1010);
    BOOST_TEST(perf(result, "vantages_counted") == 4);
    BOOST_TEST(perf(result, "vantages_failing") == 1);
}

BOOST_AUTO_TEST_CASE(own_problems_leave_a_vantage_out_and_are_named) {
    std::vector<ServiceRow> rows = {
        row("vp-ok", State::ok, "ams1"), row("vp-stale", State::critical, "", 500),
        row("vp-down", State::critical), row("vp-dt", State::critical),
        row("vp-pending", State::ok),    row("vp-sick", State::critical)};
    rows[2].host_down = true;
    rows[2].host_output = "Zone 'vp-down' is not connected";
    rows[3].host_in_downtime = true;
    rows[4].result.reset();
    rows.push_back(row("vp-sick", State::critical, "", 1000, "health"));
    rows.push_back(row("vp-ok", State::ok, "", 1000, "health"));
    rows.push_back(row("vp-stale", State::ok, "", 1000, "health"));
    rows.push_back(row("vp-down", State::ok, "", 1000, "health"));
    rows.push_back(row("vp-dt", State::ok, "", 1000, "health"));
    auto rules = rules_for();
    rules.health_services = {"health"};
    const auto result = vantages::judge_vantages(rows, rules, 1010);
    BOOST_TEST(excluded_reason(result, "vp-stale") == "result 510 s old (max 180 s)");
    BOOST_TEST(excluded_reason(result, "vp-down") == "host DOWN: Zone 'vp-down' is not connected");
    BOOST_TEST(excluded_reason(result, "vp-dt") == "in downtime");
    BOOST_TEST(excluded_reason(result, "vp-pending") == "has no health service 'health'");
    BOOST_TEST(excluded_reason(result, "vp-sick") == "health service 'health' CRITICAL: vp-sick says so");
    BOOST_TEST(perf(result, "vantages_counted") == 1);
    BOOST_TEST(result.state() == State::ok);

    rules.health_services.clear();
    rules.max_age = 5000;
    const auto relaxed = vantages::judge_vantages(rows, rules, 1010);
    BOOST_TEST(excluded_reason(relaxed, "vp-pending") == "has no result yet");
    BOOST_TEST(perf(relaxed, "vantages_counted") == 3);  // vp-ok, vp-stale, vp-sick
}

BOOST_AUTO_TEST_CASE(nobody_counts_or_nobody_runs_it_is_unknown) {
    std::vector<ServiceRow> rows = {row("vp-a", State::unknown), row("vp-b", State::ok, "", 1)};
    auto result = vantages::judge_vantages(rows, rules_for(), 1010);
    BOOST_TEST(result.state() == State::unknown);
    BOOST_TEST(result.summary.rfind("no vantage point counts for 'dns': all 2 left out: vp-a (UNKNOWN", 0) ==
               0);
    result = vantages::judge_vantages(rows, rules_for("other"), 1010);
    BOOST_TEST(result.state() == State::unknown);
    BOOST_TEST(result.summary == "no host runs service 'other'");
}

BOOST_AUTO_TEST_CASE(catchment_from_another_service_and_unserved_sites) {
    std::vector<ServiceRow> rows = {row("vp-a", State::critical), row("vp-b", State::ok),
                                    row("vp-a", State::ok, "iad1", 1000, "catch"),
                                    row("vp-b", State::ok, "iad1", 1000, "catch")};
    auto rules = rules_for();
    rules.catchment_service = "catch";
    rules.sites = {"ams1", "iad1"};
    rules.unserved_site_state = State::warning;
    rules.fail_critical = anycast::checks::parse_fail_limit("100%");
    const auto result = vantages::judge_vantages(rows, rules, 1010);
    BOOST_TEST(perf(result, "site_iad1") == 2);
    BOOST_TEST(perf(result, "site_ams1") == 0);
    BOOST_TEST(result.summary.find("catchment iad1 2; no vantage point reaches ams1") != std::string::npos);
    BOOST_TEST(result.state() == State::warning);  // 1/2 failing (WARNING at 1) and the unserved site
}

BOOST_AUTO_TEST_CASE(hostile_host_names_and_outputs_are_escaped) {
    std::vector<ServiceRow> rows = {row("vp-\x1b[31m|x", State::critical)};
    rows[0].result->output = "ANYCAST SITE CRITICAL - bad \xff\n second line | fake=1";
    const auto result = vantages::judge_vantages(rows, rules_for(), 1010);
    BOOST_TEST(result.summary.find("vp-\\x1b[31m\\x7cx CRITICAL (bad \\xff)") != std::string::npos);
    BOOST_TEST(result.summary.find('\n') == std::string::npos);
    BOOST_TEST(result.summary.find("second") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(headline_names_at_most_five) {
    std::vector<ServiceRow> rows;
    for (int i = 0; i < 8; ++i) {
        rows.push_back(row("vp-" + std::to_string(i), State::critical));
    }
    const auto result = vantages::judge_vantages(rows, rules_for(), 1010);
    BOOST_TEST(result.summary.find("vp-4 CRITICAL") != std::string::npos);
    BOOST_TEST(result.summary.find("vp-5 CRITICAL") == std::string::npos);
    BOOST_TEST(result.summary.find(", and 3 more") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(site_perfdata_is_read_strictly) {
    struct Case {
        std::vector<std::string> perfdata;
        std::vector<std::string> sites;
    };
    const Case cases[] = {
        {{"site_ams1=1;;;0"}, {"ams1"}},
        {{"'site_ams1'=2"}, {"ams1"}},
        {{"site_ams1=0;;;0"}, {}},
        {{"site_ams1=0.0"}, {}},
        {{"site_ams1=1.5"}, {"ams1"}},
        {{"site_ams1=x"}, {}},
        {{"site_ams1=-1"}, {}},
        {{"site_=1"}, {}},
        {{"site_a b=1"}, {}},
        {{"ams1_rtt=0.004s", "sites_up=3", "site_iad1=1", "site_iad1=2"}, {"iad1"}},
        {{"site_ams1=1", "site_lhr1=1"}, {"ams1", "lhr1"}},
        {{"garbage", "", "="}, {}},
    };
    for (const Case& c : cases) {
        BOOST_TEST_CONTEXT(c.perfdata.front()) {
            BOOST_TEST(vantages::sites_reached(c.perfdata) == c.sites);
        }
    }
}

BOOST_AUTO_TEST_CASE(output_reason_strips_the_state_prefix) {
    BOOST_TEST(vantages::output_reason("ANYCAST SITE WARNING - site iad1 ") == "site iad1");
    BOOST_TEST(vantages::output_reason("DNS OK - a - b\nmore") == "a - b");
    BOOST_TEST(vantages::output_reason("just text - with dash") == "just text - with dash");
    BOOST_TEST(vantages::output_reason(std::string(500, 'x'), 100).size() == 103U);
}

BOOST_AUTO_TEST_CASE(truncated_and_hostile_responses_name_what_is_wrong) {
    const std::string good = recorded("services-3.json");
    const std::string row_prefix = R"({"results": [{"attrs": {"name": "dns", "host_name": "vp-a", )";
    const std::string host_ok = R"(}, "joins": {"host": {"state": 0}}}]})";
    struct Case {
        std::string body;
        std::string message;
    };
    const std::vector<Case> cases = {
        {"", "API response is not valid JSON (truncated?): "},
        {good.substr(0, good.size() / 2), "API response is not valid JSON (truncated?): {\"results\": [\\n"},
        {"[]", "API response: document is not an object"},
        {"{}", "API response: document has no \"results\""},
        {R"({"results": {}})", "API response: results is not an array"},
        {R"({"results": [1]})", "API response: results[0] is not an object"},
        {R"({"results": [{}]})", "API response: results[0] has no \"attrs\""},
        {R"({"results": [{"attrs": {"name": "dns", "host_name": 7}}]})",
         "API response: results[0].attrs.host_name is not a string"},
        {row_prefix + R"("last_check_result": {"state": 7, "output": "", "execution_end": 1})" + host_ok,
         "API response: results[0].attrs.last_check_result.state is not a state 0..3"},
        {row_prefix + R"("last_check_result": {"state": 1.5, "output": "", "execution_end": 1})" + host_ok,
         "API response: results[0].attrs.last_check_result.state is not a state 0..3"},
        {row_prefix + R"("last_check_result": {"state": 0, "output": "", "execution_end": "x"})" + host_ok,
         "API response: results[0].attrs.last_check_result.execution_end is not a number"},
        {row_prefix + R"("last_check_result": {"state": 0, "output": "", "execution_end": 1e400})" + host_ok,
         "API response is not valid JSON (truncated?): "},
        {row_prefix + R"("last_check_result": {"state": 0, "output": 1, "execution_end": 1})" + host_ok,
         "API response: results[0].attrs.last_check_result.output is not a string"},
        {row_prefix +
             R"("last_check_result": {"state": 0, "output": "", "execution_end": 1, "performance_data": "x"})" +
             host_ok,
         "API response: results[0].attrs.last_check_result.performance_data is not an array"},
        {row_prefix +
             R"("last_check_result": {"state": 0, "output": "", "execution_end": 1, "performance_data": [[]]})" +
             host_ok,
         "API response: results[0].attrs.last_check_result.performance_data[0] is neither a string nor a "
         "PerfdataValue"},
        {row_prefix + R"("last_check_result": null}})" + "]}", "API response: results[0] has no \"joins\""},
        {row_prefix + R"("last_check_result": null}, "joins": {"host": []}}]})",
         "API response: results[0].joins.host is not an object"},
        {row_prefix + R"("last_check_result": null}, "joins": {"host": {"state": "UP"}}}]})",
         "API response: results[0].joins.host.state is not a number"},
        {R"({"results": [{"attrs": {"name": "dns", "host_name": "vp-\xff"}}]})",
         "API response is not valid JSON (truncated?): {\"results\": [{\"attrs\": {\"name\": \"dns\", "
         "\"host_name\": \"vp-"},
        {std::string(100000, '[') + std::string(100000, ']'), "API response: document is not an object"},
        {R"({"results": [)" + std::string(100000, '[') + std::string(100000, ']') + "]}",
         "API response: results[0] is not an object"},
        {std::string((16 << 20) + 1, ' '), "API response larger than 16 MiB"},
    };
    for (const Case& c : cases) {
        BOOST_TEST_CONTEXT(c.message) {
            try {
                (void)vantages::parse_services_response(c.body);
                BOOST_ERROR("parsed");
            } catch (const ResponseError& error) {
                BOOST_TEST(std::string(error.what()).rfind(c.message, 0) == 0, error.what());
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(a_pending_host_is_not_down) {
    // Icinga reports a host that was never checked with state 1: not a reason to leave it out.
    const auto rows = vantages::parse_services_response(
        R"({"results": [{"attrs": {"name": "dns", "host_name": "vp-a", "last_check_result": null},
        "joins": {"host": {"state": 1, "last_check_result": null}}}, {"attrs": {"name": "dns", "host_name":
        "vp-b", "last_check_result": null}, "joins": {"host": {"state": 1, "last_check_result": {"state": 2,
        "output": "Zone 'vp-b' is not connected", "execution_end": 5}}}}]})");
    BOOST_REQUIRE_EQUAL(rows.size(), 2U);
    BOOST_TEST(!rows[0].host_down);
    BOOST_TEST(rows[1].host_down);
}

BOOST_AUTO_TEST_CASE(perfdata_values_as_objects_and_null_results) {
    const std::string body =
        R"({"results": [{"attrs": {"name": "dns", "host_name": "vp-a", "last_check_result": {"state": 0,
        "output": "ok", "execution_end": 1, "performance_data": [{"type": "PerfdataValue", "label": "site_ams1",
        "value": 2}]}}, "joins": {"host": {"state": 0, "last_check_result": null}}},
        {"attrs": {"name": "dns", "host_name": "vp-b", "last_check_result": null}, "joins": {"host": {"state": 0}}}]})";
    const auto rows = vantages::parse_services_response(body);
    BOOST_REQUIRE_EQUAL(rows.size(), 2U);
    BOOST_TEST(vantages::sites_reached(rows[0].result->perfdata) == std::vector<std::string>{"ams1"});
    BOOST_TEST(!rows[1].result.has_value());
}

BOOST_AUTO_TEST_CASE(query_body_keeps_names_out_of_the_filter) {
    auto rules = rules_for("x\" || true || \"");
    rules.catchment_service = "catch";
    rules.health_services = {"health"};
    const std::string body = vantages::query_body(rules);
    BOOST_TEST(body.find(R"("filter":"service.name in names")") != std::string::npos);
    BOOST_TEST(body.find(R"("names":["x\" || true || \"","health","catch"])") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(api_urls_must_be_plain_https) {
    for (const char* good :
         {"https://localhost:5665", "https://127.0.0.1:5665/", "https://[::1]:5665", "HTTPS://x"}) {
        BOOST_TEST_CONTEXT(good) {
            BOOST_CHECK_NO_THROW(vantages::validate_api_url(good));
        }
    }
    for (const char* bad :
         {"http://localhost:5665", "localhost:5665", "https://u:p@localhost:5665",
          "https://localhost:5665/v1", "https://localhost:5665?x=1", "https://", "ftp://x", ""}) {
        BOOST_TEST_CONTEXT(bad) {
            BOOST_CHECK_THROW(vantages::validate_api_url(bad), InputError);
        }
    }
}

BOOST_AUTO_TEST_CASE(password_from_file_first_line_or_environment) {
    char path[] = "/tmp/anycast-unit-password.XXXXXX";
    const int fd = mkstemp(path);
    BOOST_REQUIRE(fd >= 0);
    BOOST_REQUIRE(write(fd, "s3cret\r\nignored\n", 16) == 16);
    close(fd);
    vantages::VantagesConfig config;
    config.password_file = path;
    BOOST_TEST(vantages::api_password(config) == "s3cret");
    std::ofstream(path, std::ios::trunc) << "\nx\n";
    BOOST_CHECK_THROW(vantages::api_password(config), InputError);
    unlink(path);
    BOOST_CHECK_THROW(vantages::api_password(config), InputError);

    config.password_file.reset();
    config.password_env = "ANYCAST_UNIT_TEST_PASSWORD";
    unsetenv("ANYCAST_UNIT_TEST_PASSWORD");
    BOOST_CHECK_THROW(vantages::api_password(config), InputError);
    setenv("ANYCAST_UNIT_TEST_PASSWORD", "from-env", 1);
    BOOST_TEST(vantages::api_password(config) == "from-env");
    unsetenv("ANYCAST_UNIT_TEST_PASSWORD");
}

BOOST_AUTO_TEST_CASE(option_files_are_read_under_the_deadline_and_named_when_bad) {
    struct Case {
        std::vector<std::string> extra;
        std::string message;
    };
    const Case cases[] = {
        {{"--ca-file", "/nonexistent/ca.crt"}, "--ca-file: CA file /nonexistent/ca.crt: "},
        {{"--sites-file", "/nonexistent/sites"}, "--sites-file: sites file /nonexistent/sites: "},
    };
    for (const Case& c : cases) {
        BOOST_TEST_CONTEXT(c.extra[0]) {
            vantages::VantagesConfig config;
            anycast::plugin::CommonOptions common;
            auto parser = vantages::define_vantages_options(config, common);
            std::vector<std::string> words = {"check_anycast_vantages",
                                              "--api",
                                              "https://127.0.0.1:1",
                                              "--api-user",
                                              "u",
                                              "--service",
                                              "dns"};
            words.insert(words.end(), c.extra.begin(), c.extra.end());
            std::vector<char*> argv;
            for (std::string& word : words) {
                argv.push_back(word.data());
            }
            argv.push_back(nullptr);
            // Parsing only names the file; nothing is read before the run's deadline exists.
            BOOST_TEST((parser.parse(static_cast<int>(words.size()), argv.data()) ==
                        anycast::plugin::OptionParser::Outcome::run));
            std::string message;
            try {
                (void)vantages::run_vantages(config, common);
            } catch (const InputError& error) {
                message = error.what();
            }
            BOOST_TEST(message.rfind(c.message, 0) == 0U, message);
        }
    }
}
