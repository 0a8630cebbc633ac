#include "checks/anycast_dns.hpp"

#include <algorithm>
#include <cmath>

#include "checks/probe.hpp"
#include "checks/shared.hpp"
#include "plugin/error.hpp"
#include "plugin/escape.hpp"
#include "plugin/number.hpp"
#include "plugin/regex.hpp"

namespace anycast::checks {
namespace {

using plugin::ArgKind;
using plugin::CheckResult;
using plugin::State;
using plugin::Subcheck;

double statistic(const RttStats& stats, RttStatistic which) {
    switch (which) {
        case RttStatistic::min:
            return stats.min_ms;
        case RttStatistic::avg:
            return stats.avg_ms;
        case RttStatistic::max:
            return stats.max_ms;
    }
    return stats.max_ms;
}

std::string_view statistic_name(RttStatistic which) {
    switch (which) {
        case RttStatistic::min:
            return "min";
        case RttStatistic::avg:
            return "avg";
        case RttStatistic::max:
            return "max";
    }
    return "max";
}

// What the run needs, checked and compiled once before any packet leaves.
struct Plan {
    ProbePlan probe;
    std::uint16_t expected_rcode = 0;
    std::optional<plugin::Regex> answer_regex;  // RE2: rdata and identities come from the network
    std::optional<plugin::Regex> identity_regex;
};

Plan make_plan(const AnycastDnsConfig& config) {
    if (config.hosts.empty()) {
        throw InputError("no address to query: give at least one -H");
    }
    if (config.query_name.empty()) {
        throw InputError("no query name: give -q NAME");
    }
    Plan plan;
    plan.probe.spec.question = dns::make_question(config.query_name, config.type, config.klass);
    plan.probe.spec.recursion_desired = config.recursion_desired;
    plan.probe.spec.dnssec_ok = config.dnssec;
    plan.probe.spec.edns_buffer_size = static_cast<std::uint16_t>(config.edns_size);
    plan.probe.spec.request_nsid = config.edns_size > 0;
    plan.probe.spec.transport = config.tcp ? dns::Transport::tcp : dns::Transport::udp;
    plan.probe.spec.tcp_fallback_on_truncation = !config.no_tcp_fallback;
    plan.probe.count = config.count;
    plan.probe.retry = config.retry;
    plan.probe.interval = std::chrono::duration_cast<dns::Clock::duration>(
        std::chrono::duration<double>(config.interval_seconds));
    plan.probe.identity_order = identity::parse_methods(config.identity);
    if (config.dnssec && config.edns_size == 0) {
        throw InputError("--dnssec needs EDNS: do not combine it with --edns-size=0");
    }
    plan.expected_rcode = dns::parse_rcode(config.expect_rcode);
    if (config.expect_regex) {
        plan.answer_regex = plugin::Regex::compile(*config.expect_regex, plugin::RegexCase::sensitive, "--expect-regex");
    }
    if (config.expect_identity) {
        plan.identity_regex = plugin::Regex::compile(*config.expect_identity, plugin::RegexCase::sensitive,
                                                     "--expect-identity");
    }
    return plan;
}

// Judges what one address answered; returns every finding worse than OK.
Findings judge_answer(const AnycastDnsConfig& config, const Plan& plan, const AddressProbe& probe,
                      const dns::QueryResult& answer) {
    Findings findings;
    const dns::Response& response = *answer.response;
    const auto& question = plan.probe.spec.question;
    if (response.rcode != plan.expected_rcode) {
        findings.add(State::critical, "rcode " + dns::rcode_name(response.rcode) + " (expected " +
                                          dns::rcode_name(plan.expected_rcode) + ")");
    }
    if (config.authoritative && !response.aa) {
        findings.add(State::critical, "answer is not authoritative (AA clear)");
    }
    if (auto truncated = dns::truncation_problem(answer)) {
        findings.add(State::warning, std::move(*truncated));
    }
    for (const std::string& wanted : config.expect) {
        const bool present = std::any_of(
            response.answer.begin(), response.answer.end(),
            [&](const dns::Record& r) { return r.type == question.type && dns::rdata_equals(r, wanted); });
        if (!present) {
            findings.add(State::critical, "answer lacks '" + plugin::escape_untrusted(wanted, 64) + "'");
        }
    }
    if (plan.answer_regex) {
        const bool matched =
            std::any_of(response.answer.begin(), response.answer.end(),
                        [&](const dns::Record& r) { return plan.answer_regex->search(r.rdata); });
        if (!matched) {
            findings.add(State::critical, "no answer record matches --expect-regex");
        }
    }
    if (config.dnssec) {
        const bool signed_answer = std::any_of(
            response.answer.begin(), response.answer.end(),
            [&](const dns::Record& r) { return r.type == 46 && r.rrsig_type_covered == question.type; });
        if (!signed_answer) {
            findings.add(State::critical, "no RRSIG for the answer");
        }
    }
    if (plan.identity_regex) {
        const auto& identity = probe.identity.value;
        if (!identity || !plan.identity_regex->search(*identity)) {
            findings.add(State::critical,
                         "identity " + probe.identity.describe() + " does not match --expect-identity");
        }
    }
    return findings;
}

Subcheck judge_address(const AnycastDnsConfig& config, const plugin::CommonOptions& common, const Plan& plan,
                       const AddressProbe& probe) {
    Subcheck check;
    check.name = probe.endpoint.display(config.port);
    const std::string label = probe.endpoint.display();
    check.set_fact("address", probe.endpoint.address_text());
    check.set_fact("port", static_cast<std::int64_t>(probe.endpoint.port()));
    const dns::QueryResult* answer = probe.first_answer();
    const auto sent = static_cast<std::int64_t>(probe.sent());
    const auto received = static_cast<std::int64_t>(probe.received());
    const double loss = probe.loss_percent();

    const auto not_sent = static_cast<std::int64_t>(probe.not_sent());
    check.set_fact("attempts", static_cast<std::int64_t>(probe.attempts()));
    check.set_fact("attempts_lost", static_cast<std::int64_t>(probe.lost_attempts()));
    if (not_sent > 0) {
        check.set_fact("not_sent", not_sent);
    }
    if (answer == nullptr) {
        // Nothing left at all: the check's own limit, which says nothing about the server.
        check.state = probe.measured() ? State::critical : State::unknown;
        check.summary = probe.failure_reason(common.timeout_seconds);
        check.set_fact("transport", std::string(dns::transport_name(plan.probe.spec.transport)));
        check.set_fact("identity_method", std::string("none"));
        check.set_fact("loss_pct", loss);
        check.set_fact("sent", sent);
        check.set_fact("received", received);
        check.set_fact("error", check.summary);
        if (probe.measured()) {  // no loss figure for what was never sent
            check.perfdata.push_back(
                {label + "_loss", loss, "%", config.loss.warning, config.loss.critical, 0.0, 100.0});
        }
        return check;
    }

    const dns::Response& response = *answer->response;
    const RttStats rtt = *probe.rtt();
    const double judged_ms = statistic(rtt, config.rtt_statistic);
    Findings findings = judge_answer(config, plan, probe, *answer);
    const State rtt_state = config.rtt.evaluate(judged_ms / 1000.0);
    if (rtt_state != State::ok) {
        findings.add(rtt_state, "rtt " + std::string(statistic_name(config.rtt_statistic)) + " " +
                                    format_ms(judged_ms) + " ms");
    }
    const State loss_state = config.loss.evaluate(loss);
    if (loss_state != State::ok) {
        findings.add(loss_state, "loss " + plugin::format_decimal(loss, 1) + "%");
    }

    std::string flags = answer->transport == dns::Transport::tcp ? "tcp" : "udp";
    if (answer->udp_truncated && answer->transport == dns::Transport::tcp) {
        flags += " (after truncated udp)";
    }
    flags += " " + dns::rcode_name(response.rcode);
    if (response.aa) {
        flags += " aa";
    }
    std::string summary = flags + ", identity " + probe.identity.describe() + ", rtt ";
    if (probe.results.size() > 1) {
        summary += format_ms(rtt.min_ms) + "/" + format_ms(rtt.avg_ms) + "/" + format_ms(rtt.max_ms) +
                   " ms (min/avg/max), loss " + plugin::format_decimal(loss, 1) + "% (" +
                   std::to_string(received) + "/" + std::to_string(sent) + ")";
    } else {
        summary += format_ms(rtt.max_ms) + " ms";
        if (answer->answered_attempt > 1) {
            summary += " (try " + std::to_string(answer->answered_attempt) + " of " +
                       std::to_string(answer->attempts) + ")";
        }
    }
    if (not_sent > 0) {
        summary += ", " + std::to_string(not_sent) + " not sent";
    }
    summary += ", " + std::to_string(response.answer.size()) + " answer record" +
               (response.answer.size() == 1 ? "" : "s");
    if (!response.answer.empty()) {
        summary += " (" + plugin::escape_untrusted(response.answer.front().rdata, 80) + ")";
    }
    check.state = findings.state();
    check.summary = findings.before(summary);

    check.set_fact("transport", std::string(dns::transport_name(answer->transport)));
    check.set_fact("rcode", dns::rcode_name(response.rcode));
    if (probe.identity.value) {
        check.set_fact("identity", *probe.identity.value);
    }
    check.set_fact("identity_method", probe.identity.value
                                          ? std::string(identity::method_name(*probe.identity.method))
                                          : std::string(probe.identity.hidden ? "hidden" : "none"));
    for (const identity::Attempt& attempt : probe.identity.attempts) {
        check.set_fact("identity_" + std::string(identity::method_name(attempt.method)), attempt.outcome);
    }
    std::string method(dns::rtt_method_name(answer->rtt_method));
    for (const dns::QueryResult& other : probe.results) {
        if (other.status == dns::QueryStatus::answered && other.rtt_method != answer->rtt_method) {
            method = "mixed";  // with --count: some RTTs from kernel stamps, some not
        }
    }
    check.set_fact("rtt_method", method);
    check.set_fact("rtt_userspace_ms", static_cast<double>(answer->userspace_rtt.count()) / 1e6);
    if (answer->clock_step) {
        check.set_fact("clock_step", true);
    }
    check.set_fact("rtt_min_ms", rtt.min_ms);
    check.set_fact("rtt_avg_ms", rtt.avg_ms);
    check.set_fact("rtt_max_ms", rtt.max_ms);
    check.set_fact("loss_pct", loss);
    check.set_fact("sent", sent);
    check.set_fact("received", received);
    check.set_fact("aa", response.aa);
    check.set_fact("truncated", answer->udp_truncated);
    check.set_fact("answer_count", static_cast<std::int64_t>(response.answer.size()));
    if (answer->tcp_connect_time) {
        check.set_fact("tcp_connect_ms", static_cast<double>(answer->tcp_connect_time->count()) / 1e6);
    }
    std::size_t ignored = 0;
    for (const auto& result : probe.results) {
        ignored += result.ignored_replies;
    }
    if (ignored > 0) {
        check.set_fact("ignored_replies", static_cast<std::int64_t>(ignored));
    }
    check.perfdata.push_back(
        {label + "_rtt", judged_ms / 1000.0, "s", config.rtt.warning, config.rtt.critical, 0.0, {}});
    check.perfdata.push_back(
        {label + "_loss", loss, "%", config.loss.warning, config.loss.critical, 0.0, 100.0});
    return check;
}

}  // namespace

bool FailLimit::reached(std::size_t failed, std::size_t total) const {
    if (percent) {
        return total > 0 && 100.0 * static_cast<double>(failed) / static_cast<double>(total) >= value;
    }
    return static_cast<double>(failed) >= value;
}

std::string FailLimit::text() const {
    return plugin::format_decimal(value, 2) + (percent ? "%" : "");
}

FailLimit parse_fail_limit(std::string_view text) {
    FailLimit limit;
    std::string_view number = text;
    if (!number.empty() && number.back() == '%') {
        limit.percent = true;
        number.remove_suffix(1);
    }
    limit.value = plugin::parse_value(number, plugin::UnitFamily::plain);
    if (limit.value < 1 && !limit.percent) {
        throw InputError("'" + std::string(text) + "' must be a count of at least 1, or a percentage");
    }
    if (limit.percent && (limit.value <= 0 || limit.value > 100)) {
        throw InputError("'" + std::string(text) + "' must be a percentage above 0 and at most 100");
    }
    return limit;
}

plugin::OptionParser define_anycast_dns_options(AnycastDnsConfig& config, plugin::CommonOptions& common) {
    plugin::OptionParser parser(
        "check_anycast_dns", "-H HOST [-H HOST]... -q NAME [options]",
        "Queries every address of an anycast DNS service at once and reports, per address, whether the "
        "answer is right, how fast it came and which instance (NSID, hostname.bind, id.server) gave it.");
    add_common_options(parser, common);
    add_host_options(parser, config.hosts, config.family, "HOST",
                     "Address to query: an IPv4 or IPv6 literal, or a host name (all its A and AAAA "
                     "addresses). Repeatable.");
    add_port_option(parser, config.port, "Port to query (default 53).");
    add_retry_options(parser, config.retry);
    parser.add({"query", 'q', ArgKind::required, "NAME", "Name to ask for (required)."},
               [&config](std::string_view value) { config.query_name = value; });
    parser.add(
        {"type", 'T', ArgKind::required, "TYPE", "Record type to ask for: any type ldns knows (default A)."},
        [&config](std::string_view value) {
            dns::parse_rr_type(value);
            config.type = value;
        });
    parser.add({"class", 0, ArgKind::required, "CLASS", "Query class: IN (default) or CH."},
               [&config](std::string_view value) {
                   dns::parse_rr_class(value);
                   config.klass = value;
               });
    parser.add_flag({"tcp", 0, ArgKind::none, "", "Query over TCP instead of UDP."}, config.tcp);
    parser.add_flag({"no-tcp-fallback", 0, ArgKind::none, "",
                     "Do not retry over TCP when a UDP answer is truncated (a truncated answer is then a "
                     "WARNING)."},
                    config.no_tcp_fallback);
    parser.add({"edns-size", 0, ArgKind::required, "BYTES",
                "EDNS0 UDP buffer size (default 1232); 0 sends no EDNS at all (and so no NSID request)."},
               [&config](std::string_view value) {
                   config.edns_size = plugin::parse_int(value, 0, 65535);
                   if (config.edns_size > 0 && config.edns_size < 512) {
                       throw InputError("'" + std::string(value) + "' is below 512, the smallest EDNS size");
                   }
               });
    parser.add_flag({"dnssec", 0, ArgKind::none, "", "Set the DO bit and require an RRSIG for the answer."},
                    config.dnssec);
    parser.add_flag({"rd", 0, ArgKind::none, "",
                     "Set RD (recursion desired), for querying resolvers. Off by default: an authoritative "
                     "service is asked as a resolver would ask it."},
                    config.recursion_desired);
    parser.add({"count", 0, ArgKind::required, "N",
                "Queries per address (default 1), giving min/avg/max RTT and loss."},
               [&config](std::string_view value) { config.count = plugin::parse_int(value, 1, 100); });
    parser.add(
        {"interval", 0, ArgKind::required, "DURATION", "Spacing between the --count queries (default 10ms)."},
        [&config](std::string_view value) {
            config.interval_seconds = plugin::parse_duration_seconds(value);
            if (config.interval_seconds > 10) {
                throw InputError("'" + std::string(value) + "' is longer than 10 s");
            }
        });
    parser.add({"expect-rcode", 0, ArgKind::required, "RCODE", "Expected rcode (default NOERROR)."},
               [&config](std::string_view value) {
                   dns::parse_rcode(value);
                   config.expect_rcode = value;
               });
    parser.add_flag({"authoritative", 0, ArgKind::none, "", "Require the AA flag in the answer."},
                    config.authoritative);
    parser.add({"expect", 'e', ArgKind::required, "RDATA",
                "The answer must contain a record of the asked type with this RDATA, in presentation form "
                "(e.g. 192.0.2.1). Repeatable: all must be present.",
                true},
               [&config](std::string_view value) { config.expect.emplace_back(value); });
    parser.add({"expect-regex", 0, ArgKind::required, "REGEX",
                "Some answer record's RDATA (presentation form) must match this regex (RE2 syntax: linear time, no backreferences)."},
               [&config](std::string_view value) { config.expect_regex = std::string(value); });
    parser.add({"expect-identity", 0, ArgKind::required, "REGEX",
                "The identity of the instance that answered must match this regex."},
               [&config](std::string_view value) { config.expect_identity = std::string(value); });
    parser.add({"identity", 0, ArgKind::required, "LIST",
                "Identity methods in order of preference: nsid, hostname.bind, id.server (default "
                "nsid,hostname.bind,id.server), or none."},
               [&config](std::string_view value) {
                   identity::parse_methods(value);
                   config.identity = value;
               });
    add_threshold_options(parser, config.rtt, plugin::UnitFamily::duration,
                          "response time (seconds; or 50ms)");
    parser.add({"rtt-stat", 0, ArgKind::required, "STAT",
                "Which RTT statistic -w/-c apply to with --count: min, avg or max (default max)."},
               [&config](std::string_view value) {
                   if (value == "min") {
                       config.rtt_statistic = RttStatistic::min;
                   } else if (value == "avg") {
                       config.rtt_statistic = RttStatistic::avg;
                   } else if (value == "max") {
                       config.rtt_statistic = RttStatistic::max;
                   } else {
                       throw InputError("'" + std::string(value) + "' is not min, avg or max");
                   }
               });
    add_range_options(parser, "loss", config.loss, plugin::UnitFamily::percent,
                      "Loss (percent) range for WARNING.", "Loss (percent) range for CRITICAL.");
    parser.add({"fail-warning", 0, ArgKind::required, "N[%]",
                "WARNING when at least N addresses (or N% of them) fail. Unset by default."},
               [&config](std::string_view value) { config.fail_warning = parse_fail_limit(value); });
    parser.add({"fail-critical", 0, ArgKind::required, "N[%]",
                "CRITICAL when at least N addresses (or N% of them) fail (default 1: any failing address "
                "is CRITICAL)."},
               [&config](std::string_view value) { config.fail_critical = parse_fail_limit(value); });
    return parser;
}

plugin::CheckResult run_anycast_dns(const AnycastDnsConfig& config, const plugin::CommonOptions& common) {
    const auto deadline = run_deadline(common);
    const Plan plan = make_plan(config);
    const std::vector<dns::Endpoint> endpoints =
        resolve_targets(config.hosts, config.port, config.family, deadline);
    const std::vector<AddressProbe> probes = probe_addresses(endpoints, plan.probe, deadline);

    CheckResult result;
    result.label = "ANYCAST DNS";
    std::size_t failed = 0;
    State healthy_worst = State::ok;
    const Subcheck* first_failure = nullptr;
    const AddressProbe* slowest = nullptr;
    double slowest_ms = -1;
    for (const AddressProbe& probe : probes) {
        result.subchecks.push_back(judge_address(config, common, plan, probe));
        const Subcheck& check = result.subchecks.back();
        if (check.state == State::critical) {
            ++failed;
        } else {
            healthy_worst = plugin::worse(healthy_worst, check.state);
        }
        if (auto rtt = probe.rtt(); rtt && statistic(*rtt, config.rtt_statistic) > slowest_ms) {
            slowest_ms = statistic(*rtt, config.rtt_statistic);
            slowest = &probe;
        }
    }
    for (const Subcheck& check : result.subchecks) {
        if (check.state == State::critical) {
            first_failure = &check;
            break;
        }
    }

    // How many failing addresses are acceptable is the operator's call: per-address states stay
    // as found, and the overall state follows --fail-warning/--fail-critical.
    const FailLimit critical_limit = config.fail_critical.value_or(FailLimit{1, false});
    State fail_state = State::ok;
    if (failed > 0 && critical_limit.reached(failed, probes.size())) {
        fail_state = State::critical;
    } else if (failed > 0 && config.fail_warning && config.fail_warning->reached(failed, probes.size())) {
        fail_state = State::warning;
    }
    result.state_override = plugin::worse(fail_state, healthy_worst);

    const std::size_t total = probes.size();
    std::string summary;
    const auto unmeasured = static_cast<std::size_t>(
        std::count_if(probes.begin(), probes.end(), [](const AddressProbe& p) { return !p.measured(); }));
    if (failed == 0) {
        summary = std::to_string(total - unmeasured) + "/" + std::to_string(total) + " address" +
                  (total == 1 ? "" : "es") + " answered";
        if (unmeasured > 0) {
            // The check's own limit: said as such, never as the servers' failure.
            summary += ", " + std::to_string(unmeasured) + " not measured (no query could be sent)";
        }
    } else {
        summary = std::to_string(failed) + "/" + std::to_string(total) + " address" +
                  (total == 1 ? "" : "es") + " failed (" + first_failure->name + ": " +
                  first_failure->summary.substr(0, first_failure->summary.find(" - ")) + ")";
    }
    if (slowest != nullptr) {
        summary += ", slowest " + slowest->endpoint.display(config.port) + " " + format_ms(slowest_ms) +
                   " ms (" +
                   (slowest->identity.value
                        ? *slowest->identity.value
                        : std::string(slowest->identity.hidden ? "identity hidden" : "identity unknown")) +
                   ")";
    }
    if (failed == 0 && healthy_worst != State::ok) {
        for (const Subcheck& check : result.subchecks) {
            if (check.state == healthy_worst) {
                summary += "; " + check.name + ": " + check.summary.substr(0, check.summary.find(" - "));
                break;
            }
        }
    }
    result.summary = summary;
    return result;
}

}  // namespace anycast::checks
