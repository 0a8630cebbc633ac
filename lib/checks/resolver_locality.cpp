#include "checks/resolver_locality.hpp"

#include <algorithm>
#include <cmath>

#include "checks/probe.hpp"
#include "checks/shared.hpp"
#include "dns/resolv_conf.hpp"
#include "plugin/error.hpp"
#include "plugin/escape.hpp"
#include "plugin/number.hpp"
#include "plugin/text.hpp"

namespace anycast::checks {
namespace {

using plugin::ArgKind;
using plugin::CheckResult;
using plugin::State;
using plugin::Subcheck;

// "127.0.3.3 answered from iad (IAD, 6,207 km from AMS)".
std::string story(const std::string& name, const Instance& instance, const std::optional<Reach>& r,
                  const Vantage& vantage) {
    std::string text = name + " answered";
    if (instance.site) {
        text += " from " + *instance.site;
    } else {
        text +=
            instance.identity ? " as " + *instance.identity + " (no site recognised)" : " (identity unknown)";
    }
    if (r) {
        text += " (" + instance.location.value_or("?") + ", " + format_km(r->distance_km) + " from " +
                vantage.location_text + ")";
    }
    return text;
}

// Distance, floor and inflation of a placed resolver; appends to `physics`.
void judge_distance(const ResolverLocalityConfig& config, const Instance& instance, const Reach& r,
                    double rtt_ms, const std::string& label, Subcheck& check, Findings& findings,
                    std::string& physics) {
    physics += ", floor " + plugin::format_decimal(r.floor_ms, 1) + " ms";
    check.perfdata.push_back({label + "_distance",
                              r.distance_km,
                              "km",
                              config.distance.warning,
                              config.distance.critical,
                              0.0,
                              {}});
    check.perfdata.push_back({label + "_rtt_floor", r.floor_ms / 1000.0, "s", {}, {}, 0.0, {}});
    if (const State state = config.distance.evaluate(r.distance_km); state != State::ok) {
        // The pager's line says where the resolver is, not only how far: "resolver iad (IAD) is
        // 6,207 km from AMS" is what the operator acts on.
        findings.add(state, "resolver " + site_text(instance) + " (" + instance.location.value_or("?") +
                                ") is " + format_km(r.distance_km) + " from " + config.vantage.location_text);
    }
    judge_floor(findings, check, r, rtt_ms);
    if (r.floor_ms > 0) {
        const double inflation = rtt_ms / r.floor_ms;
        physics += ", inflation " + plugin::format_decimal(inflation, 2);
        check.set_fact("inflation", inflation);
        check.perfdata.push_back({label + "_inflation",
                                  inflation,
                                  "",
                                  config.inflation.warning,
                                  config.inflation.critical,
                                  0.0,
                                  {}});
        if (const State state = config.inflation.evaluate(inflation); state != State::ok) {
            findings.add(state, "inflation " + plugin::format_decimal(inflation, 2));
        }
    }
}

// What the resolver hop costs over asking the authoritative server directly.
std::string judge_direct(const AddressProbe& direct, double rtt_ms, const std::string& label, Subcheck& check,
                         double timeout_seconds) {
    const auto direct_rtt = direct.rtt();
    if (!direct_rtt) {
        return ", direct comparison failed: " + direct.failure_reason(timeout_seconds);
    }
    const double extra = rtt_ms - direct_rtt->min_ms;
    check.set_fact("direct_rtt_ms", direct_rtt->min_ms);
    check.set_fact("resolver_overhead_ms", extra);
    check.perfdata.push_back({label + "_overhead", extra / 1000.0, "s", {}, {}, {}, {}});
    return ", resolver hop costs " + format_ms(extra) + " ms over asking " + direct.endpoint.display() +
           " directly";
}

void judge_expected(const ResolverLocalityConfig& config, const Instance& instance, Findings& findings) {
    if (!config.expect_site) {
        return;
    }
    switch (config.expect_site->judge(instance)) {
        case SitePattern::Verdict::matches:
            return;
        case SitePattern::Verdict::differs:
            findings.add(State::critical, "site " + site_text(instance) + " is not expected (" +
                                              config.expect_site->text + ")");
            return;
        case SitePattern::Verdict::unplaced:
            findings.add(config.unplaced_state, "cannot tell whether " + site_text(instance) +
                                                    " is expected (" + config.expect_site->text +
                                                    "): " + placement_hint(instance, Answerer::resolver));
            return;
    }
}

std::vector<dns::Endpoint> resolver_endpoints(const ResolverLocalityConfig& config) {
    const std::vector<std::string> hosts =
        config.hosts.empty() ? dns::load_resolv_conf(config.resolv_conf) : config.hosts;
    std::vector<dns::Endpoint> resolvers;
    for (const std::string& host : hosts) {
        auto endpoint = dns::parse_ip_literal(host, config.port);
        if (!endpoint) {
            throw InputError("'" + host + "' is not an IP address");
        }
        if (std::find(resolvers.begin(), resolvers.end(), *endpoint) == resolvers.end()) {
            resolvers.push_back(*endpoint);
        }
    }
    return resolvers;
}

}  // namespace

Subcheck judge_resolver(const ResolverLocalityConfig& config, const AddressReading& reading,
                        const AddressProbe* direct, double timeout_seconds) {
    const AddressProbe& probe = reading.probe;
    const std::string name = probe.endpoint.display(config.port);
    const std::string label = probe.endpoint.display();  // perfdata: the port too when not 53
    if (probe.first_answer() == nullptr) {
        Subcheck check = no_answer(name, probe, timeout_seconds);
        add_instance_facts(reading.instance, check);
        return check;
    }
    Subcheck check;
    check.name = name;
    check.set_fact("address", probe.endpoint.address_text());
    const Instance& instance = reading.instance;
    const double rtt_ms = probe.rtt()->min_ms;
    Findings findings;
    judge_expected(config, instance, findings);
    judge_rtt(findings, config.rtt, rtt_ms);
    check.set_fact("rtt_ms", rtt_ms);
    check.perfdata.push_back(rtt_perfdata(label, rtt_ms, config.rtt));
    std::string physics = "rtt " + format_ms(rtt_ms) + " ms";
    const auto r = reach(config.vantage, instance);
    if (!config.vantage.location) {
        physics += " (no --location given: distance not checked)";
    } else if (!r) {
        // Asked where the resolver is and cannot say: never a silent OK.
        findings.add(config.unplaced_state,
                     "resolver not placed: " + placement_hint(instance, Answerer::resolver));
    } else {
        judge_distance(config, instance, *r, rtt_ms, label, check, findings, physics);
    }
    if (direct != nullptr) {
        physics += judge_direct(*direct, rtt_ms, label, check, timeout_seconds);
    }
    conclude(check, findings, name, story(name, instance, r, config.vantage) + ": " + physics);
    add_instance_facts(instance, check);
    return check;
}

CheckResult report_resolver_locality(const ResolverLocalityConfig& config,
                                     const ResolverMeasurements& measured, double timeout_seconds) {
    CheckResult result;
    result.label = "RESOLVER LOCALITY";
    const AddressProbe* direct = measured.direct ? &*measured.direct : nullptr;
    for (const AddressReading& reading : measured.resolvers) {
        result.subchecks.push_back(judge_resolver(config, reading, direct, timeout_seconds));
    }
    // All well: what the first resolver said is the summary.
    if (!result.subchecks.empty()) {
        result.summary = result.subchecks.front().summary;
    }
    if (!config.vantage.location) {
        result.summary += "; no --location given, distances not checked";
    }
    return result;
}

ResolverMeasurements collect_resolver_locality(const ResolverLocalityConfig& config,
                                               dns::Clock::time_point deadline) {
    const SiteMap site_map(load_sites(config.site_options), config.site_options.site_regexes,
                           config.site_options.rules_files);
    const std::vector<dns::Endpoint> resolvers = resolver_endpoints(config);
    ProbePlan plan;
    plan.spec.question = config.question;
    plan.spec.recursion_desired = true;
    plan.count = config.count;
    plan.retry = config.retry;
    plan.identity_order = config.identity;
    plan.whoami = config.whoami;
    // The direct comparison leaves in the same engine run, asked like the resolver (same name,
    // same --count spacing), without RD.
    std::vector<dns::QueryJob> side_jobs;
    std::optional<dns::Endpoint> direct;
    if (config.compare_direct) {
        direct = dns::parse_ip_literal(*config.compare_direct, config.port);
        for (int round = 0; round < std::max(1, plan.count); ++round) {
            dns::QueryJob job;
            job.server = *direct;
            job.spec = plan.spec;
            job.spec.recursion_desired = false;
            job.spec.request_nsid = false;
            job.start_offset = plan.interval * round;
            side_jobs.push_back(std::move(job));
        }
    }
    std::vector<dns::QueryResult> side_results;
    ResolverMeasurements measured;
    for (AddressProbe& probe : probe_addresses(resolvers, plan, deadline, side_jobs, &side_results)) {
        Instance instance = site_map.place(probe.identity);
        measured.resolvers.push_back({std::move(probe), std::move(instance)});
    }
    if (direct) {
        measured.direct.emplace();
        measured.direct->endpoint = *direct;
        measured.direct->results = std::move(side_results);
    }
    return measured;
}

plugin::OptionParser define_resolver_locality_options(ResolverLocalityConfig& config,
                                                      plugin::CommonOptions& common) {
    plugin::OptionParser parser(
        "check_resolver_locality", "[-H RESOLVER]... --location IATA|LAT,LON [options]",
        "Tells which instance of each resolver answers this vantage point, where it is, how far away, and "
        "whether the RTT is plausible for that distance; alarms when the resolver is not local.");
    add_common_options(parser, common);
    config.distance.warning = plugin::parse_range("1000", plugin::UnitFamily::distance_km);
    config.distance.critical = plugin::parse_range("3000", plugin::UnitFamily::distance_km);
    parser.add(
        {"hostname", 'H', ArgKind::required, "RESOLVER",
         "Resolver address (IPv4 or IPv6). Repeatable. Default: the nameservers of --resolv-conf.", true},
        [&config](std::string_view value) { config.hosts.push_back(ip_literal_value(value)); });
    parser.add({"resolv-conf", 0, ArgKind::required, "FILE",
                "Where to read the resolvers when no -H is given (default /etc/resolv.conf)."},
               [&config](std::string_view value) { config.resolv_conf = value; });
    add_port_option(parser, config.port, "Port of the resolvers (default 53).");
    add_retry_options(parser, config.retry);
    add_location_options(
        parser, config.vantage,
        "Where this vantage point is: an airport code (AMS) or LAT,LON. Without it, distance "
        "checks are skipped; with it, a resolver that cannot be placed gets --unplaced-state.");
    parser.add({"identity", 0, ArgKind::required, "LIST",
                "Identity methods in order of preference, comma-separated: nsid, id.server, hostname.bind, "
                "whoami (default nsid,id.server,hostname.bind,whoami)."},
               [&config](std::string_view value) {
                   config.identity = identity::parse_methods(value);
                   if (config.identity.empty()) {
                       throw InputError("no identity method given");
                   }
               });
    parser.add({"whoami", 0, ArgKind::required, "NAME[/TYPE]",
                "A who-am-I name whose TXT, A or AAAA answer names the resolver's egress address or site "
                "(e.g. o-o.myaddr.l.google.com/TXT, whoami.akamai.net/A). Repeatable.",
                true},
               [&config](std::string_view value) { config.whoami.push_back(identity::parse_whoami(value)); });
    parser.add({"query", 'q', ArgKind::required, "NAME",
                "Name asked (with RD) to measure the resolver; the fastest of --count answers is its RTT, "
                "so the name should be cached (default '.')."},
               [&config](std::string_view value) {
                   config.question.name = dns::make_question(value, "NS", "IN").name;
               });
    parser.add({"type", 'T', ArgKind::required, "TYPE", "Type asked (default NS)."},
               [&config](std::string_view value) {
                   config.question.type = dns::parse_rr_type(plugin::trim_blanks(value));
               });
    parser.add({"count", 0, ArgKind::required, "N",
                "Queries per resolver (default 3); the first may fill the cache, the minimum RTT counts."},
               [&config](std::string_view value) { config.count = plugin::parse_int(value, 1, 100); });
    add_site_rule_options(
        parser, config.site_options,
        "Sites file (same format as check_anycast_site): its loc= and identity= win over the "
        "built-in airport table and rules; its addresses place who-am-I egress addresses.",
        "Your own identity-to-site rule: a regex with a named group (?<site>...). Repeatable.");
    add_threshold_options(parser, config.rtt, plugin::UnitFamily::duration,
                          "resolver RTT (seconds; or 50ms)");
    add_range_options(parser, "distance", config.distance, plugin::UnitFamily::distance_km,
                      "Distance (km) range for WARNING (default 1000).",
                      "Distance (km) range for CRITICAL (default 3000).");
    add_range_options(parser, "inflation", config.inflation, plugin::UnitFamily::plain,
                      "Inflation (measured RTT / physical floor) range for WARNING (default: none).",
                      "Inflation range for CRITICAL (default: none).");
    parser.add({"expect-site", 0, ArgKind::required, "PATTERN",
                "Sites the resolver may answer from: a comma-separated list of codes, each matching a site "
                "code exactly (fra1) or a location code (fra accepts site fra-res1's FRA), or a regex "
                "matching a whole site or location code."},
               [&config](std::string_view value) { config.expect_site = parse_site_pattern(value); });
    parser.add({"unplaced-state", 0, ArgKind::required, "STATE",
                "State when a resolver cannot be placed (no rule names its site, or the site has no "
                "location) although --location or --expect-site asks where it is: ok, warning, critical "
                "or unknown (default unknown). The status line says what to add."},
               [&config](std::string_view value) { config.unplaced_state = parse_state_value(value); });
    parser.add({"compare-direct", 0, ArgKind::required, "ADDR",
                "Also ask this authoritative server the same query directly (no RD) and report what the "
                "resolver hop costs on top."},
               [&config](std::string_view value) { config.compare_direct = ip_literal_value(value); });
    return parser;
}

plugin::CheckResult run_resolver_locality(const ResolverLocalityConfig& config,
                                          const plugin::CommonOptions& common) {
    const auto deadline = run_deadline(common);
    const bool only_whoami =
        config.identity.size() == 1 && config.identity.front() == identity::Method::whoami;
    if (only_whoami && config.whoami.empty()) {
        throw InputError("--identity=whoami needs at least one --whoami NAME");
    }
    return report_resolver_locality(config, collect_resolver_locality(config, deadline),
                                    common.timeout_seconds);
}

}  // namespace anycast::checks
