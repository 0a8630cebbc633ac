#include "checks/anycast_dns.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <functional>
#include <memory>

#include "dns/ldns_handles.hpp"  // ldns.h, with bool, true and false left alone

#include "checks/dnssec_check.hpp"
#include "checks/probe.hpp"
#include "checks/shared.hpp"
#include "plugin/error.hpp"
#include "plugin/escape.hpp"
#include "plugin/number.hpp"
#include "plugin/regex.hpp"
#include "plugin/text.hpp"

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

// What cannot be checked option by option, checked once before any packet leaves.
void validate(const AnycastDnsConfig& config) {
    if (config.hosts.empty()) {
        throw InputError("no address to query: give at least one -H");
    }
    if (config.question.name.empty()) {
        throw InputError("no query name: give -q NAME");
    }
    if (config.identity.size() == 1 && config.identity.front() == identity::Method::whoami &&
        config.whoami.empty()) {
        throw InputError("--identity=whoami needs at least one --whoami NAME");
    }
    if (config.dnssec && config.edns_size == 0) {
        throw InputError("--dnssec needs EDNS: do not combine it with --edns-size=0");
    }
}

ProbePlan probe_plan(const AnycastDnsConfig& config) {
    ProbePlan plan;
    plan.spec.question = config.question;
    plan.spec.recursion_desired = config.recursion_desired;
    plan.spec.dnssec_ok = config.dnssec;
    plan.spec.edns_buffer_size = static_cast<std::uint16_t>(config.edns_size);
    plan.spec.request_nsid = config.edns_size > 0;
    plan.spec.transport = config.tcp ? dns::Transport::tcp : dns::Transport::udp;
    plan.spec.tcp_fallback_on_truncation = !config.no_tcp_fallback;
    plan.count = config.count;
    plan.retry = config.retry;
    plan.interval = std::chrono::duration_cast<dns::Clock::duration>(
        std::chrono::duration<double>(config.interval_seconds));
    plan.identity_order = config.identity;
    plan.whoami = config.whoami;
    return plan;
}

bool has_record(const dns::Response& response, const std::function<bool(const dns::Record&)>& wanted) {
    return std::any_of(response.answer.begin(), response.answer.end(), wanted);
}

// What is wrong with the answer itself: rcode, flags, content, signature, identity.
Findings judge_answer(const AnycastDnsConfig& config, const Instance& instance,
                      const dns::Response& response) {
    Findings findings;
    const std::uint16_t type = config.question.type;
    if (response.rcode != config.expect_rcode) {
        findings.add(State::critical, "rcode " + dns::rcode_name(response.rcode) + " (expected " +
                                          dns::rcode_name(config.expect_rcode) + ")");
    }
    if (config.authoritative && !response.aa) {
        findings.add(State::critical, "answer is not authoritative (AA clear)");
    }
    for (const dns::ExpectedRdata& wanted : config.expect) {
        if (!has_record(response, [&](const dns::Record& r) { return wanted.matches(r); })) {
            findings.add(State::critical,
                         "answer lacks '" + plugin::escape_untrusted(wanted.text(), 64) + "'");
        }
    }
    if (config.expect_regex &&
        !has_record(response, [&](const dns::Record& r) { return config.expect_regex->search(r.rdata); })) {
        findings.add(State::critical, "no answer record matches --expect-regex");
    }
    if (config.dnssec && !has_record(response, [&](const dns::Record& r) {
            return r.type == LDNS_RR_TYPE_RRSIG && r.rrsig_type_covered == type;
        })) {
        findings.add(State::critical, "no RRSIG for the answer");
    }
    if (config.expect_identity &&
        (!instance.identity || !config.expect_identity->search(*instance.identity))) {
        findings.add(State::critical,
                     "identity " + instance.identity_text() + " does not match --expect-identity");
    }
    return findings;
}

// --dnssec: the answer's RRSIG verified against the signer's DNSKEY set asked of the same address
// (the CNAME's when that is what answers the name). Adds the finding and a child sub-check.
void judge_answer_signature(const AnycastDnsConfig& config, const AddressReading& reading,
                            const dns::Response& response, Findings& findings, Subcheck& check) {
    const dns::Question& question = config.question;
    const bool has_rrset =
        has_record(response, [&](const dns::Record& r) { return r.type == question.type; });
    const std::uint16_t type = has_rrset ? question.type : static_cast<std::uint16_t>(LDNS_RR_TYPE_CNAME);
    static const std::vector<dns::Record> no_keys;
    const auto& keys =
        reading.dnskey && reading.dnskey->rcode == LDNS_RCODE_NOERROR ? reading.dnskey->answer : no_keys;
    const dns::RrsetVerification verification =
        dns::verify_rrset(response.answer, question.name, type, keys, reading.measured_at);
    if (verification.status == dns::SignatureStatus::no_rrset ||
        verification.status == dns::SignatureStatus::no_signature) {
        return;  // nothing answered the name, or no RRSIG: judge_answer says so
    }
    Subcheck signature = judge_signature(dns::rr_type_name(type), verification, reading.measured_at,
                                         config.rrsig, reading.probe.endpoint.display() + "_rrsig_left");
    if (signature.state != State::ok) {
        findings.add(signature.state, signature.summary);
    }
    // Once, on the address, beside its rtt and loss.
    check.perfdata.insert(check.perfdata.end(), signature.perfdata.begin(), signature.perfdata.end());
    signature.perfdata.clear();
    check.children.push_back(std::move(signature));
}

// The DNSKEY set of the zone that signed each address's answer, asked of that same address (a
// second, short run: the signer is only known from the answer).
void fetch_signer_keys(const AnycastDnsConfig& config, std::vector<AddressReading>& readings,
                       dns::Clock::time_point deadline) {
    const dns::QuerySpec spec = probe_plan(config).spec;
    std::vector<dns::QueryJob> jobs;
    std::vector<AddressReading*> owners;
    for (AddressReading& reading : readings) {
        const dns::QueryResult* answer = reading.probe.first_answer();
        if (answer == nullptr) {
            continue;
        }
        auto signer = dns::rrsig_signer(answer->response->answer, spec.question.type);
        if (!signer) {
            signer = dns::rrsig_signer(answer->response->answer, LDNS_RR_TYPE_CNAME);
        }
        try {
            if (signer) {
                jobs.push_back(
                    std::move(dnskey_jobs(std::span(&reading.probe.endpoint, 1), *signer, spec).front()));
                owners.push_back(&reading);
            }
        } catch (const InputError&) {
            // a signer name we cannot ask for: verification says "no DNSKEY"
        }
    }
    std::vector<dns::QueryResult> results =
        jobs.empty() ? std::vector<dns::QueryResult>() : dns::run_queries(jobs, deadline);
    for (std::size_t j = 0; j < results.size() && j < owners.size(); ++j) {
        owners[j]->dnskey = std::move(results[j].response);
    }
}

// "udp NOERROR aa, identity ams1 (nsid), rtt 0.2 ms, 1 answer record (192.0.2.1)".
std::string answer_details(const AddressReading& reading, const dns::QueryResult& answer,
                           const RttStats& rtt) {
    const dns::Response& response = *answer.response;
    const AddressProbe& probe = reading.probe;
    std::string text = answer.transport == dns::Transport::tcp ? "tcp" : "udp";
    if (answer.udp_truncated && answer.transport == dns::Transport::tcp) {
        text += " (after truncated udp)";
    }
    text += " " + dns::rcode_name(response.rcode) + (response.aa ? " aa" : "");
    text += ", " + describe_instance(reading.instance) + ", rtt ";
    if (probe.results.size() > 1) {
        text += format_ms(rtt.min_ms) + "/" + format_ms(rtt.avg_ms) + "/" + format_ms(rtt.max_ms) +
                " ms (min/avg/max), loss " + plugin::format_decimal(probe.loss_percent(), 1) + "% (" +
                std::to_string(probe.received()) + "/" + std::to_string(probe.results.size()) + ")";
    } else {
        text += format_ms(rtt.max_ms) + " ms";
    }
    text += ", " + std::to_string(response.answer.size()) + " answer record" +
            (response.answer.size() == 1 ? "" : "s");
    if (!response.answer.empty()) {
        text += " (" + plugin::escape_untrusted(response.answer.front().rdata, 80) + ")";
    }
    return text;
}

void add_answer_facts(Subcheck& check, const AddressProbe& probe, const dns::QueryResult& answer,
                      const RttStats& rtt) {
    const dns::Response& response = *answer.response;
    check.set_fact("transport", std::string(dns::transport_name(answer.transport)));
    check.set_fact("rcode", dns::rcode_name(response.rcode));
    check.set_fact("rtt_min_ms", rtt.min_ms);
    check.set_fact("rtt_avg_ms", rtt.avg_ms);
    check.set_fact("rtt_max_ms", rtt.max_ms);
    check.set_fact("aa", response.aa);
    check.set_fact("truncated", answer.udp_truncated);
    check.set_fact("answer_count", static_cast<std::int64_t>(response.answer.size()));
    if (answer.tcp_connect_time) {
        check.set_fact("tcp_connect_ms", static_cast<double>(answer.tcp_connect_time->count()) / 1e6);
    }
    std::size_t ignored = 0;
    for (const auto& result : probe.results) {
        ignored += result.ignored_replies;
    }
    if (ignored > 0) {
        check.set_fact("ignored_replies", static_cast<std::int64_t>(ignored));
    }
}

// Which clock readings the RTT came from, and our own figure for the same exchange.
void add_timing_facts(Subcheck& check, const AddressProbe& probe, const dns::QueryResult& answer) {
    std::string method(dns::rtt_method_name(answer.rtt_method));
    for (const dns::QueryResult& other : probe.results) {
        if (other.status == dns::QueryStatus::answered && other.rtt_method != answer.rtt_method) {
            method = "mixed";  // with --count: some RTTs from kernel stamps, some not
        }
    }
    check.set_fact("rtt_method", method);
    check.set_fact("rtt_userspace_ms", static_cast<double>(answer.userspace_rtt.count()) / 1e6);
    if (answer.clock_step) {
        check.set_fact("clock_step", true);
    }
}

void add_loss_facts(Subcheck& check, const AnycastDnsConfig& config, const AddressProbe& probe) {
    const double loss = probe.loss_percent();
    check.set_fact("loss_pct", loss);
    check.set_fact("sent", static_cast<std::int64_t>(probe.sent()));
    check.set_fact("received", static_cast<std::int64_t>(probe.received()));
    check.set_fact("attempts", static_cast<std::int64_t>(probe.attempts()));
    check.set_fact("attempts_lost", static_cast<std::int64_t>(probe.lost_attempts()));
    if (probe.not_sent() > 0) {
        check.set_fact("not_sent", static_cast<std::int64_t>(probe.not_sent()));
    }
    if (probe.measured()) {  // no loss figure for what was never sent
        check.perfdata.push_back({probe.endpoint.display() + "_loss", loss, "%", config.loss.warning,
                                  config.loss.critical, 0.0, 100.0});
    }
}

State fail_state(const AnycastDnsConfig& config, std::size_t failed, std::size_t total) {
    const FailLimit critical_limit = config.fail_critical.value_or(FailLimit{1, false});
    if (failed > 0 && critical_limit.reached(failed, total)) {
        return State::critical;
    }
    if (failed > 0 && config.fail_warning && config.fail_warning->reached(failed, total)) {
        return State::warning;
    }
    return State::ok;
}

// The OK line: how many answered, and the slowest with its instance.
std::string ok_summary(const AnycastDnsConfig& config, const std::vector<AddressReading>& readings,
                       const std::vector<Subcheck>& checks) {
    const std::size_t total = readings.size();
    const auto failed = static_cast<std::size_t>(std::count_if(
        checks.begin(), checks.end(), [](const Subcheck& c) { return c.state == State::critical; }));
    const auto unmeasured = static_cast<std::size_t>(std::count_if(
        readings.begin(), readings.end(), [](const AddressReading& r) { return !r.probe.measured(); }));
    std::string summary = std::to_string(total - failed - unmeasured) + "/" + std::to_string(total) +
                          " address" + (total == 1 ? "" : "es") + " answered";
    if (unmeasured > 0) {
        // The check's own limit: said as such, never as the servers' failure.
        summary += ", " + std::to_string(unmeasured) + " not measured (no query could be sent)";
    }
    const AddressReading* slowest = nullptr;
    double slowest_ms = -1;
    for (const AddressReading& reading : readings) {
        if (auto rtt = reading.probe.rtt(); rtt && statistic(*rtt, config.rtt_statistic) > slowest_ms) {
            slowest_ms = statistic(*rtt, config.rtt_statistic);
            slowest = &reading;
        }
    }
    if (slowest != nullptr) {
        summary += ", slowest " + slowest->probe.endpoint.display(config.port) + " " + format_ms(slowest_ms) +
                   " ms (" + answerer_text(slowest->instance) + ")";
    }
    if (failed > 0) {
        summary += "; failing within --fail-critical: " + std::to_string(failed);
    }
    return summary;
}

}  // namespace

Subcheck judge_address(const AnycastDnsConfig& config, const AddressReading& reading,
                       double timeout_seconds) {
    const AddressProbe& probe = reading.probe;
    const std::string name = probe.endpoint.display(config.port);
    const dns::QueryResult* answer = probe.first_answer();
    if (answer == nullptr) {
        Subcheck check = no_answer(name, probe, timeout_seconds);
        check.set_fact("port", static_cast<std::int64_t>(probe.endpoint.port()));
        check.set_fact("transport", std::string(dns::transport_name(config.tcp ? dns::Transport::tcp
                                                                               : dns::Transport::udp)));
        check.set_fact("identity_method", std::string("none"));
        add_loss_facts(check, config, probe);
        return check;
    }
    Subcheck check;
    check.name = name;
    check.set_fact("address", probe.endpoint.address_text());
    check.set_fact("port", static_cast<std::int64_t>(probe.endpoint.port()));
    const RttStats rtt = *probe.rtt();
    const double judged_ms = statistic(rtt, config.rtt_statistic);
    Findings findings = judge_answer(config, reading.instance, *answer->response);
    if (auto truncated = dns::truncation_problem(*answer)) {
        findings.add(State::warning, std::move(*truncated));
    }
    if (config.dnssec) {
        judge_answer_signature(config, reading, *answer->response, findings, check);
    }
    judge_rtt(findings, config.rtt, judged_ms, "rtt " + std::string(statistic_name(config.rtt_statistic)));
    if (const State loss_state = config.loss.evaluate(probe.loss_percent()); loss_state != State::ok) {
        findings.add(loss_state, "loss " + plugin::format_decimal(probe.loss_percent(), 1) + "%");
    }
    if (const auto r = reach(config.vantage, reading.instance)) {
        judge_floor(findings, check, *r, rtt.min_ms);
    }
    std::string details = answer_details(reading, *answer, rtt);
    if (answer->answered_attempt > 1 && probe.results.size() == 1) {
        details += " (try " + std::to_string(answer->answered_attempt) + " of " +
                   std::to_string(answer->attempts) + ")";
    }
    // The pager's line names the instance behind the address: "192.0.2.53 (sin1): ...".
    conclude(check, findings, name + " (" + answerer_text(reading.instance) + ")", details);
    add_answer_facts(check, probe, *answer, rtt);
    add_timing_facts(check, probe, *answer);
    add_instance_facts(reading.instance, check);
    check.perfdata.push_back(rtt_perfdata(probe.endpoint.display(), judged_ms, config.rtt));
    add_loss_facts(check, config, probe);
    return check;
}

CheckResult report_anycast_dns(const AnycastDnsConfig& config, const std::vector<AddressReading>& readings,
                               double timeout_seconds) {
    CheckResult result;
    result.label = "ANYCAST DNS";
    std::size_t failed = 0;
    State healthy_worst = State::ok;
    for (const AddressReading& reading : readings) {
        result.subchecks.push_back(judge_address(config, reading, timeout_seconds));
        const State state = result.subchecks.back().state;
        failed += state == State::critical ? 1 : 0;
        healthy_worst = state == State::critical ? healthy_worst : plugin::worse(healthy_worst, state);
    }
    // How many failing addresses are acceptable is the operator's call: per-address states stay
    // as found, and the overall state follows --fail-warning/--fail-critical.
    result.state_override = plugin::worse(fail_state(config, failed, readings.size()), healthy_worst);
    result.summary = ok_summary(config, readings, result.subchecks);
    if (readings.empty()) {
        result.state_override = State::unknown;  // nothing asked: nothing known
        result.summary = "no address to query";
    }
    return result;
}

std::vector<AddressReading> collect_anycast_dns(const AnycastDnsConfig& config,
                                                dns::Clock::time_point deadline) {
    const SiteMap site_map(load_sites(config.site_options), config.site_options.site_regexes,
                           config.site_options.rules_files);
    const std::vector<dns::Endpoint> endpoints =
        resolve_targets(config.hosts, config.port, config.family, deadline);
    std::vector<AddressReading> readings;
    for (AddressProbe& probe : probe_addresses(endpoints, probe_plan(config), deadline)) {
        Instance instance = site_map.place(probe.identity);
        readings.push_back({std::move(probe), std::move(instance)});
    }
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    for (AddressReading& reading : readings) {
        reading.measured_at = now;
    }
    if (config.dnssec) {
        // The --count queries' settling and report are still to come: keep their reserve.
        const std::size_t scheduled = endpoints.size() * static_cast<std::size_t>(std::max(1, config.count));
        fetch_signer_keys(config, readings, network_deadline(deadline, scheduled, dns::Clock::now()));
    }
    return readings;
}

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

namespace {

// What is asked, and how: -q, -T, --class, transport, EDNS, --count.
void add_query_options(plugin::OptionParser& parser, AnycastDnsConfig& config) {
    parser.add({"query", 'q', ArgKind::required, "NAME", "Name to ask for (required)."},
               [&config](std::string_view value) {
                   config.question.name = dns::make_question(value, "A", "IN").name;
               });
    parser.add(
        {"type", 'T', ArgKind::required, "TYPE", "Record type to ask for: any type ldns knows (default A)."},
        [&config](std::string_view value) {
            config.question.type = dns::parse_rr_type(plugin::trim_blanks(value));
        });
    parser.add({"class", 0, ArgKind::required, "CLASS", "Query class: IN (default) or CH."},
               [&config](std::string_view value) {
                   config.question.klass = dns::parse_rr_class(plugin::trim_blanks(value));
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
    parser.add_flag({"dnssec", 0, ArgKind::none, "",
                     "Set the DO bit, require an RRSIG for the answer and verify it against the signer's "
                     "DNSKEY set asked of the same address; its time left is held against "
                     "--rrsig-warning/--rrsig-critical."},
                    config.dnssec);
    add_rrsig_options(parser, config.rrsig);
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
}

// What the answer must be, and who must give it.
void add_answer_options(plugin::OptionParser& parser, AnycastDnsConfig& config) {
    parser.add({"expect-rcode", 0, ArgKind::required, "RCODE", "Expected rcode (default NOERROR)."},
               [&config](std::string_view value) {
                   config.expect_rcode = dns::parse_rcode(plugin::trim_blanks(value));
               });
    parser.add_flag({"authoritative", 0, ArgKind::none, "", "Require the AA flag in the answer."},
                    config.authoritative);
    // -e is read for the type and class of the question, which -T and --class may give after it.
    auto expected = std::make_shared<std::vector<std::string>>();
    parser.add({"expect", 'e', ArgKind::required, "RDATA",
                "The answer must contain a record of the asked type with this RDATA, in presentation form "
                "(e.g. 192.0.2.1). Repeatable: all must be present.",
                true},
               [expected](std::string_view value) { expected->emplace_back(value); });
    parser.after_parse([&config, expected] {
        for (const std::string& text : *expected) {
            try {
                config.expect.emplace_back(text, config.question.type, config.question.klass);
            } catch (const InputError& error) {
                throw InputError(std::string("-e/--expect: ") + error.what());
            }
        }
    });
    parser.add({"expect-regex", 0, ArgKind::required, "REGEX",
                "Some answer record's RDATA (presentation form) must match this regex (RE2 syntax: linear "
                "time, no backreferences)."},
               [&config](std::string_view value) {
                   config.expect_regex =
                       plugin::Regex::compile(value, plugin::RegexCase::sensitive, "--expect-regex");
               });
    parser.add({"expect-identity", 0, ArgKind::required, "REGEX",
                "The identity of the instance that answered must match this regex."},
               [&config](std::string_view value) {
                   config.expect_identity =
                       plugin::Regex::compile(value, plugin::RegexCase::sensitive, "--expect-identity");
               });
    parser.add({"identity", 0, ArgKind::required, "LIST",
                "Identity methods in order of preference, comma-separated: " + identity::method_names() +
                    " (default nsid,hostname.bind,id.server; whoami needs --whoami), or none."},
               [&config](std::string_view value) { config.identity = identity::parse_methods(value); });
    parser.add({"whoami", 0, ArgKind::required, "NAME[/TYPE]",
                "A who-am-I name whose TXT, A or AAAA answer names the server's site or egress address, "
                "asked with the measured query (used when --identity lists whoami). Repeatable.",
                true},
               [&config](std::string_view value) { config.whoami.push_back(identity::parse_whoami(value)); });
    add_site_rule_options(
        parser, config.site_options,
        "Sites file (as for check_anycast_site): its identity= and loc= place the instances "
        "that answer, for the physical-floor judgement of --location.",
        "Your own identity-to-site rule: a regex with a named group (?<site>...), tried "
        "before the built-in rules. Repeatable.");
    add_location_options(
        parser, config.vantage,
        "Where this vantage point is: an airport code (AMS) or LAT,LON. With it, an RTT below "
        "the physical floor for the answering instance's location is a WARNING.");
}

}  // namespace

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
    add_query_options(parser, config);
    add_answer_options(parser, config);
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
    validate(config);
    return report_anycast_dns(config, collect_anycast_dns(config, deadline), common.timeout_seconds);
}

}  // namespace anycast::checks
