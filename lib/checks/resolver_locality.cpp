#include "checks/resolver_locality.hpp"

#include <algorithm>
#include <cmath>

#include "checks/probe.hpp"
#include "checks/shared.hpp"
#include "dns/resolv_conf.hpp"
#include "plugin/error.hpp"
#include "plugin/escape.hpp"
#include "plugin/number.hpp"
#include "sites/airports.hpp"
#include "sites/site_rules.hpp"

namespace anycast::checks {
namespace {

using plugin::ArgKind;
using plugin::CheckResult;
using plugin::State;
using plugin::Subcheck;

constexpr std::string_view whoami_method = "whoami";

// The identity order as the user gave it; "whoami" is ours, the rest belongs to lib/identity.
struct IdentityOrder {
    std::vector<std::string> names;         // every method, in order
    std::vector<identity::Method> library;  // nsid / id.server / hostname.bind, in order
};

IdentityOrder parse_identity_order(std::string_view text) {
    IdentityOrder order;
    std::string library_list;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        const std::string item(text.substr(start, comma - start));
        if (std::find(order.names.begin(), order.names.end(), item) != order.names.end()) {
            throw InputError("identity method '" + item + "' given twice");
        }
        order.names.push_back(item);
        if (item != whoami_method) {
            library_list += (library_list.empty() ? "" : ",") + item;
        }
        start = comma + 1;
    }
    if (!library_list.empty()) {
        order.library = identity::parse_methods(library_list);
    }
    if (order.names.empty()) {
        throw InputError("no identity method given");
    }
    return order;
}

std::size_t position(const IdentityOrder& order, std::string_view method) {
    const auto it = std::find(order.names.begin(), order.names.end(), method);
    return static_cast<std::size_t>(it - order.names.begin());
}

// What a who-am-I name said: the first TXT string, or the first address.
std::optional<std::string> read_whoami(const dns::QueryResult& result) {
    if (result.status != dns::QueryStatus::answered || !result.response || result.response->rcode != 0) {
        return std::nullopt;
    }
    for (const dns::Record& record : result.response->answer) {
        if (record.type == 16 && !record.txt_strings.empty() && !record.txt_strings.front().empty()) {
            return plugin::escape_untrusted(record.txt_strings.front(), 128);
        }
        if (record.type == 1 || record.type == 28) {
            return plugin::escape_untrusted(record.rdata, 64);
        }
    }
    return std::nullopt;
}

std::string format_km(double km) {
    // "6,180 km": thousands separated, as operators read distances.
    const auto whole = static_cast<long long>(std::llround(km));
    std::string digits = std::to_string(whole);
    for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3) {
        digits.insert(static_cast<std::size_t>(at), ",");
    }
    return digits + " km";
}

struct Placement {
    std::string site;  // site code, or empty
    std::string rule;
    std::optional<sites::GeoPoint> point;
    std::string place;  // "IAD" or "38.94,-77.45"
};

Placement place_identity(const std::string& identity, const sites::SiteRules& rules,
                         const std::vector<sites::SiteEntry>& site_list) {
    Placement placement;
    // An egress address from a who-am-I name maps through the sites file's addresses.
    for (const sites::SiteEntry& entry : site_list) {
        if (std::find(entry.addresses.begin(), entry.addresses.end(), identity) != entry.addresses.end()) {
            placement.site = entry.code;
            placement.rule = "sites file address";
        }
    }
    if (placement.site.empty()) {
        if (auto match = rules.match(identity)) {
            placement.site = match->site;
            placement.rule = match->rule;
        }
    }
    if (placement.site.empty()) {
        return placement;
    }
    for (const sites::SiteEntry& entry : site_list) {
        if (entry.code == placement.site && entry.location) {
            placement.point = entry.location;
            placement.place = entry.location_text;
            return placement;
        }
    }
    if (auto iata = sites::iata_of_site(placement.site)) {
        if (auto airport = sites::find_airport(*iata)) {
            placement.point = airport->location;
            placement.place = *iata;
        }
    }
    return placement;
}

}  // namespace

WhoamiName parse_whoami(std::string_view text) {
    WhoamiName whoami;
    const std::size_t slash = text.rfind('/');
    whoami.name = std::string(text.substr(0, slash));
    if (slash != std::string_view::npos) {
        whoami.type = std::string(text.substr(slash + 1));
    }
    dns::make_question(whoami.name, whoami.type, "IN");
    const std::uint16_t type = dns::parse_rr_type(whoami.type);
    if (type != 16 && type != 1 && type != 28) {
        throw InputError("'" + std::string(text) + "': a who-am-I name is asked for TXT, A or AAAA");
    }
    return whoami;
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
    parser.add({"location", 'l', ArgKind::required, "IATA|LAT,LON",
                "Where this vantage point is: an airport code (AMS) or LAT,LON. Without it, distance checks "
                "are skipped."},
               [&config](std::string_view value) {
                   config.location = sites::parse_location(value);
                   config.location_text = value;
               });
    parser.add({"location-error", 0, ArgKind::required, "KM",
                "How far the vantage point may be from --location (default 0)."},
               [&config](std::string_view value) {
                   config.location_error_km = plugin::parse_value(value, plugin::UnitFamily::distance_km);
                   if (config.location_error_km < 0) {
                       throw InputError("'" + std::string(value) + "' is negative");
                   }
               });
    parser.add({"identity", 0, ArgKind::required, "LIST",
                "Identity methods in order of preference: nsid, id.server, hostname.bind, whoami (default "
                "nsid,id.server,hostname.bind,whoami)."},
               [&config](std::string_view value) {
                   parse_identity_order(value);
                   config.identity = value;
               });
    parser.add({"whoami", 0, ArgKind::required, "NAME[/TYPE]",
                "A who-am-I name whose TXT, A or AAAA answer names the resolver's egress address or site "
                "(e.g. o-o.myaddr.l.google.com/TXT, whoami.akamai.net/A). Repeatable.",
                true},
               [&config](std::string_view value) { config.whoami.push_back(parse_whoami(value)); });
    parser.add({"query", 'q', ArgKind::required, "NAME",
                "Name asked (with RD) to measure the resolver; the fastest of --count answers is its RTT, "
                "so the name should be cached (default '.')."},
               [&config](std::string_view value) { config.query_name = value; });
    parser.add({"type", 'T', ArgKind::required, "TYPE", "Type asked (default NS)."},
               [&config](std::string_view value) {
                   dns::parse_rr_type(value);
                   config.type = value;
               });
    parser.add({"count", 0, ArgKind::required, "N",
                "Queries per resolver (default 3); the first may fill the cache, the minimum RTT counts."},
               [&config](std::string_view value) { config.count = plugin::parse_int(value, 1, 100); });
    add_site_rule_options(
        parser, config.sites, config.site_regexes,
        "Sites file (same format as check_anycast_site): its loc= and identity= win over the "
        "built-in airport table and rules; its addresses place who-am-I egress addresses.",
        "Your own identity-to-site rule: a regex with a named group (?<site>...). Repeatable.");
    parser.add({"fiber-speed", 0, ArgKind::required, "KM_PER_MS",
                "Signal speed for the RTT floor (default 200 km/ms, about 2/3 of c in fibre)."},
               [&config](std::string_view value) {
                   config.fiber_km_per_ms = plugin::parse_value(value, plugin::UnitFamily::plain);
                   if (config.fiber_km_per_ms <= 0 || config.fiber_km_per_ms > 300) {
                       throw InputError("'" + std::string(value) + "' must be above 0 and at most 300 km/ms");
                   }
               });
    add_threshold_options(parser, config.rtt, plugin::UnitFamily::duration,
                          "resolver RTT (seconds; or 50ms)");
    add_range_options(parser, "distance", config.distance, plugin::UnitFamily::distance_km,
                      "Distance (km) range for WARNING (default 1000).",
                      "Distance (km) range for CRITICAL (default 3000).");
    add_range_options(parser, "inflation", config.inflation, plugin::UnitFamily::plain,
                      "Inflation (measured RTT / physical floor) range for WARNING (default: none).",
                      "Inflation range for CRITICAL (default: none).");
    parser.add({"expect-site", 0, ArgKind::required, "PATTERN",
                "Sites the resolver may answer from: a list of site codes or a regex (whole code)."},
               [&config](std::string_view value) { config.expect_site = parse_site_pattern(value); });
    parser.add({"compare-direct", 0, ArgKind::required, "ADDR",
                "Also ask this authoritative server the same query directly (no RD) and report what the "
                "resolver hop costs on top."},
               [&config](std::string_view value) { config.compare_direct = ip_literal_value(value); });
    return parser;
}

plugin::CheckResult run_resolver_locality(const ResolverLocalityConfig& config,
                                          const plugin::CommonOptions& common) {
    const auto deadline = run_deadline(common);
    const IdentityOrder order = parse_identity_order(config.identity);
    const bool use_whoami = position(order, whoami_method) < order.names.size();
    if (use_whoami && config.whoami.empty() && order.names.size() == 1) {
        throw InputError("--identity=whoami needs at least one --whoami NAME");
    }
    const sites::SiteRules rules = make_site_rules(config.sites, config.site_regexes);

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

    ProbePlan plan;
    plan.spec.question = dns::make_question(config.query_name, config.type, "IN");
    plan.spec.recursion_desired = true;
    plan.count = config.count;
    plan.identity_order = order.library;
    plan.retry = config.retry;
    // Measured queries, who-am-I names and the direct comparison all go out in one engine run.
    std::optional<dns::Endpoint> direct;
    if (config.compare_direct) {
        direct = dns::parse_ip_literal(*config.compare_direct, config.port);
    }
    std::vector<dns::QueryJob> side_jobs;
    if (use_whoami) {
        for (const dns::Endpoint& resolver : resolvers) {
            for (const WhoamiName& whoami : config.whoami) {
                dns::QueryJob job;
                job.server = resolver;
                job.spec.question = dns::make_question(whoami.name, whoami.type, "IN");
                job.spec.recursion_desired = true;
                job.spec.request_nsid = false;
                side_jobs.push_back(std::move(job));
            }
        }
    }
    // The direct comparison is asked like the resolver (same name, same --count spacing), without RD.
    const std::size_t whoami_jobs = side_jobs.size();
    if (direct) {
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
    std::vector<AddressProbe> probes = probe_addresses(resolvers, plan, deadline, side_jobs, &side_results);
    const std::span<const dns::QueryResult> whoami_results(side_results.data(), whoami_jobs);
    std::optional<AddressProbe> direct_probe;
    if (direct) {
        direct_probe.emplace();
        direct_probe->endpoint = *direct;
        direct_probe->results.assign(side_results.begin() + static_cast<long>(whoami_jobs),
                                     side_results.end());
    }

    CheckResult result;
    result.label = "RESOLVER LOCALITY";
    std::string headline;
    State headline_state = State::ok;
    bool any_placed = false;
    for (std::size_t r = 0; r < resolvers.size(); ++r) {
        const AddressProbe& probe = probes[r];
        Subcheck check;
        const std::string name = probe.endpoint.display(config.port);
        const std::string label = probe.endpoint.display();  // perfdata: the port too when not 53
        check.name = name;
        check.set_fact("address", probe.endpoint.address_text());
        // Every identity method's answer, in the order asked.
        std::optional<std::string> identity_value = probe.identity.value;
        std::string identity_method =
            probe.identity.method ? std::string(identity::method_name(*probe.identity.method)) : "";
        for (const identity::Attempt& attempt : probe.identity.attempts) {
            check.set_fact("identity_" + std::string(identity::method_name(attempt.method)), attempt.outcome);
        }
        if (use_whoami) {
            for (std::size_t w = 0; w < config.whoami.size(); ++w) {
                const auto said = read_whoami(whoami_results[r * config.whoami.size() + w]);
                check.set_fact("identity_whoami_" + config.whoami[w].name,
                               said ? *said : std::string("no answer"));
                const bool whoami_first =
                    !identity_value || position(order, whoami_method) < position(order, identity_method);
                if (said && whoami_first) {
                    identity_value = said;
                    identity_method = "whoami";
                }
            }
        }
        const dns::QueryResult* answer = probe.first_answer();
        if (answer == nullptr) {
            check.state = State::critical;
            check.summary = probe.failure_reason(common.timeout_seconds);
            if (headline_state != State::critical) {
                headline = name + " " + check.summary;
                headline_state = State::critical;
            }
            result.subchecks.push_back(std::move(check));
            continue;
        }
        const RttStats rtt = *probe.rtt();
        const double rtt_ms = rtt.min_ms;
        Findings findings;
        std::string story = name + " answered";
        if (identity_value) {
            check.set_fact("identity", *identity_value);
            check.set_fact("identity_method", identity_method);
        } else {
            check.set_fact("identity_method", std::string(probe.identity.hidden ? "hidden" : "none"));
        }
        const Placement placement =
            identity_value ? place_identity(*identity_value, rules, config.sites) : Placement{};
        if (!placement.site.empty()) {
            check.set_fact("site", placement.site);
            check.set_fact("site_rule", placement.rule);
            story += " from " + placement.site;
        } else {
            story +=
                identity_value ? " as " + *identity_value + " (no site recognised)" : " (identity unknown)";
        }
        if (config.expect_site && (placement.site.empty() || !config.expect_site->matches(placement.site))) {
            findings.add(State::critical,
                         "site " + (placement.site.empty() ? std::string("unknown") : placement.site) +
                             " is not expected (" + config.expect_site->text + ")");
        }
        if (const State rtt_state = config.rtt.evaluate(rtt_ms / 1000.0); rtt_state != State::ok) {
            findings.add(rtt_state, "rtt " + format_ms(rtt_ms) + " ms");
        }
        std::string physics = "rtt " + format_ms(rtt_ms) + " ms";
        check.set_fact("rtt_ms", rtt_ms);
        check.perfdata.push_back(
            {label + "_rtt", rtt_ms / 1000.0, "s", config.rtt.warning, config.rtt.critical, 0.0, {}});
        if (!config.location) {
            // Said once, in the summary line.
        } else if (!placement.point) {
            physics += " (resolver location unknown: distance not checked)";
            if (!placement.site.empty()) {
                physics = "rtt " + format_ms(rtt_ms) + " ms (site " + placement.site +
                          " has no known location: add loc= in a sites file)";
            }
        } else {
            any_placed = true;
            const double distance = sites::distance_km(*config.location, *placement.point);
            const double floor_ms = sites::rtt_floor_ms(distance, config.fiber_km_per_ms);
            const double lowest_floor_ms = sites::rtt_floor_ms(
                std::max(0.0, distance - config.location_error_km), config.fiber_km_per_ms);
            story +=
                " (" + placement.place + ", " + format_km(distance) + " from " + config.location_text + ")";
            physics += ", floor " + plugin::format_decimal(floor_ms, 1) + " ms";
            check.set_fact("place", placement.place);
            check.set_fact("distance_km", distance);
            check.set_fact("rtt_floor_ms", floor_ms);
            check.perfdata.push_back({label + "_distance",
                                      distance,
                                      "km",
                                      config.distance.warning,
                                      config.distance.critical,
                                      0.0,
                                      {}});
            check.perfdata.push_back({label + "_rtt_floor", floor_ms / 1000.0, "s", {}, {}, 0.0, {}});
            if (const State distance_state = config.distance.evaluate(distance);
                distance_state != State::ok) {
                findings.add(distance_state, "resolver is " + format_km(distance) + " away");
            }
            if (rtt_ms < lowest_floor_ms) {
                // Faster than light in fibre allows: the identity, its site mapping or our location is wrong.
                findings.add(State::warning, "rtt " + format_ms(rtt_ms) + " ms is below the physical floor " +
                                                 plugin::format_decimal(lowest_floor_ms, 1) +
                                                 " ms: the identity, site or --location is wrong");
                check.set_fact("below_floor", true);
            }
            if (floor_ms > 0) {
                const double inflation = rtt_ms / floor_ms;
                physics += ", inflation " + plugin::format_decimal(inflation, 2);
                check.set_fact("inflation", inflation);
                check.perfdata.push_back({label + "_inflation",
                                          inflation,
                                          "",
                                          config.inflation.warning,
                                          config.inflation.critical,
                                          0.0,
                                          {}});
                if (const State inflation_state = config.inflation.evaluate(inflation);
                    inflation_state != State::ok) {
                    findings.add(inflation_state, "inflation " + plugin::format_decimal(inflation, 2));
                }
            }
        }
        if (direct_probe) {
            if (auto direct_rtt = direct_probe->rtt()) {
                const double extra = rtt_ms - direct_rtt->min_ms;
                physics += ", resolver hop costs " + format_ms(extra) + " ms over asking " +
                           direct_probe->endpoint.display() + " directly";
                check.set_fact("direct_rtt_ms", direct_rtt->min_ms);
                check.set_fact("resolver_overhead_ms", extra);
                check.perfdata.push_back({label + "_overhead", extra / 1000.0, "s", {}, {}, {}, {}});
            } else {
                physics +=
                    ", direct comparison failed: " + direct_probe->failure_reason(common.timeout_seconds);
            }
        }
        const State state = findings.state();
        check.state = state;
        check.summary = findings.before(story + ": " + physics);
        if (headline.empty() || plugin::worse(state, headline_state) != headline_state) {
            headline = story + ": " + physics;
            headline_state = state;
        }
        result.subchecks.push_back(std::move(check));
    }
    if (!config.location) {
        headline += "; no --location given, distances not checked";
    } else if (!any_placed && !resolvers.empty()) {
        headline += "; no resolver could be placed";
    }
    result.summary = headline;
    return result;
}

}  // namespace anycast::checks
