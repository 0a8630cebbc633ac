#include "checks/anycast_site.hpp"

#include <algorithm>
#include <ctime>
#include <unordered_set>

#include "checks/probe.hpp"
#include "checks/shared.hpp"
#include "plugin/error.hpp"
#include "plugin/escape.hpp"
#include "plugin/number.hpp"
#include "sites/serial.hpp"
#include "sites/site_history.hpp"
#include "sites/site_rules.hpp"

namespace anycast::checks {
namespace {

using plugin::ArgKind;
using plugin::CheckResult;
using plugin::State;
using plugin::Subcheck;

// What one probed address is for; one probe run covers them all, concurrently.
enum class Role { anycast, site, primary };

struct Target {
    Role role;
    std::size_t site_index = 0;  // for Role::site
    dns::Endpoint endpoint;
};

std::optional<std::uint32_t> soa_serial(const dns::QueryResult* answer) {
    if (answer == nullptr || !answer->response || answer->response->rcode != 0) {
        return std::nullopt;
    }
    for (const dns::Record& record : answer->response->answer) {
        if (record.type == 6 && record.soa_serial) {
            return record.soa_serial;
        }
    }
    return std::nullopt;
}

std::string site_text(const std::optional<sites::SiteMatch>& match) {
    return match ? match->site : std::string("unknown site");
}

dns::Endpoint literal_endpoint(const std::string& address, std::uint16_t port) {
    auto endpoint = dns::parse_ip_literal(address, port);
    if (!endpoint) {
        throw InputError("'" + address + "' is not an IP address");
    }
    return *endpoint;
}

// A serial-consistency reading: which serial every answering site serves.
struct SerialReading {
    std::string who;  // site code, or an anycast address when no sites are configured
    std::uint32_t serial;
};

// --state-file: the site seen on every anycast address of this run, recorded in one critical
// section (not one per address: 500 addresses would be 500 read-modify-writes).
sites::SiteRecording record_catchment(const AnycastSiteConfig& config, const std::vector<Target>& targets,
                                      const std::vector<AddressProbe>& probes, const sites::SiteRules& rules,
                                      dns::Clock::time_point deadline) {
    if (!config.state_file) {
        return {};
    }
    std::vector<sites::SiteSighting> sightings;
    for (std::size_t t = 0; t < targets.size(); ++t) {
        const auto& identity = probes[t].identity.value;
        if (targets[t].role != Role::anycast || probes[t].first_answer() == nullptr || !identity) {
            continue;
        }
        if (const auto match = rules.match(*identity)) {
            sightings.push_back({probes[t].endpoint.display(), match->site});  // the key has the port
        }
    }
    sites::SiteHistoryPolicy policy;
    policy.window_seconds = config.flap_window_seconds;
    return sites::record_sites(*config.state_file, sightings, static_cast<std::int64_t>(std::time(nullptr)),
                               policy, deadline);
}

// A state file that could not be used (or was set aside) is said beside the verdict, never
// instead of it: UNKNOWN only outranks OK, so a CRITICAL found on the network stays CRITICAL.
std::optional<Subcheck> state_file_check(const AnycastSiteConfig& config,
                                         const sites::SiteRecording& history) {
    if (!config.state_file || (!history.error && !history.notice)) {
        return std::nullopt;
    }
    Subcheck check;
    check.name = "state file";
    check.set_fact("path", *config.state_file);
    check.set_fact("recorded", !history.error.has_value());
    check.state = config.state_optional ? State::ok : State::unknown;
    if (history.error) {
        const std::string& error = *history.error;
        check.summary =
            (error.starts_with("state file ") ? error : "state file " + *config.state_file + ": " + error) +
            (config.state_optional ? " (going on without it: --state-optional)"
                                   : " (use --state-optional to go on without it)");
    } else {
        check.summary = *history.notice;
    }
    return check;
}

}  // namespace

bool SitePattern::matches(std::string_view site) const {
    if (regex) {
        return regex->full_match(site);
    }
    return std::find(codes.begin(), codes.end(), site) != codes.end();
}

SitePattern parse_site_pattern(std::string_view text) {
    SitePattern pattern;
    pattern.text = text;
    if (text.empty()) {
        throw InputError("empty site pattern");
    }
    std::vector<std::string> codes;
    bool all_codes = true;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        std::string code(text.substr(start, comma - start));
        std::transform(code.begin(), code.end(), code.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        all_codes = all_codes && sites::is_site_code(code);
        codes.push_back(code);
        start = comma + 1;
    }
    if (all_codes) {
        pattern.codes = std::move(codes);
        return pattern;
    }
    try {
        pattern.regex = plugin::Regex::compile(text, plugin::RegexCase::insensitive, "site pattern");
    } catch (const InputError& error) {
        throw InputError("'" + std::string(text) + "' is neither a list of site codes nor a valid regex (" +
                         error.what() + ")");
    }
    return pattern;
}

plugin::OptionParser define_anycast_site_options(AnycastSiteConfig& config, plugin::CommonOptions& common) {
    plugin::OptionParser parser(
        "check_anycast_site", "-H ANYCAST [-H ANYCAST]... --zone ZONE [--site CODE=ADDR...] [options]",
        "Tells which site of an anycast DNS service answers here (catchment), whether every site is up "
        "and is itself when asked on its own unicast addresses, and whether all sites serve the same "
        "zone serial.");
    add_common_options(parser, common);
    config.serial_lag.warning = plugin::parse_range("0", plugin::UnitFamily::plain);
    add_host_options(parser, config.hosts, config.family, "ANYCAST",
                     "Anycast service address (IPv4 or IPv6 literal, or a host name: all its addresses). "
                     "Repeatable.");
    add_port_option(parser, config.port, "Port of every address (default 53).");
    parser.add({"zone", 'z', ArgKind::required, "ZONE",
                "Zone served by the sites (required); the measured query is ZONE SOA, with NSID."},
               [&config](std::string_view value) {
                   dns::make_question(value, "SOA", "IN");
                   config.zone = value;
               });
    parser.add({"expect-site", 0, ArgKind::required, "PATTERN",
                "Sites that may answer the anycast addresses here: a comma-separated list of site codes "
                "(ams1,lhr1) or a regex matching the whole code."},
               [&config](std::string_view value) { config.expect_site = parse_site_pattern(value); });
    parser.add({"forbid-site", 0, ArgKind::required, "PATTERN",
                "Sites that must not answer here (same syntax as --expect-site)."},
               [&config](std::string_view value) { config.forbid_site = parse_site_pattern(value); });
    parser.add({"unexpected-site-state", 0, ArgKind::required, "STATE",
                "State when an unexpected or forbidden site answers: warning (default) or critical."},
               [&config](std::string_view value) {
                   if (value == "warning") {
                       config.unexpected_site_state = State::warning;
                   } else if (value == "critical") {
                       config.unexpected_site_state = State::critical;
                   } else {
                       throw InputError("'" + std::string(value) + "' is not warning or critical");
                   }
               });
    parser.add(
        {"site", 0, ArgKind::required, "CODE=ADDR[,ADDR...]", "A site and its unicast addresses. Repeatable.",
         true},
        [&config](std::string_view value) { config.sites.push_back(sites::parse_site_option(value)); });
    add_site_rule_options(
        parser, config.sites, config.site_regexes,
        "Sites file: one site per line, 'CODE ADDRESS... [loc=IATA|LAT,LON] [identity=ID]...' "
        "(see the README).",
        "Your own identity-to-site rule: a regex with a named group (?<site>...), tried before "
        "the built-in rules. Repeatable.");
    parser.add({"down-warning", 0, ArgKind::required, "N[%]",
                "WARNING when at least N sites (or N% of them) are down (default 1)."},
               [&config](std::string_view value) { config.down_warning = parse_fail_limit(value); });
    parser.add({"down-critical", 0, ArgKind::required, "N[%]",
                "CRITICAL when at least N sites (or N% of them) are down (default 50%)."},
               [&config](std::string_view value) { config.down_critical = parse_fail_limit(value); });
    parser.add({"primary", 0, ArgKind::required, "ADDR",
                "The (hidden) primary: serial lag is measured against its serial instead of the highest "
                "serial seen."},
               [&config](std::string_view value) { config.primary = ip_literal_value(value); });
    add_range_options(
        parser, "serial-lag", config.serial_lag, plugin::UnitFamily::plain,
        "Serial lag range (in serial units, RFC 1982 arithmetic) for WARNING (default 0: any lag).",
        "Serial lag range for CRITICAL (default: none).");
    parser.add({"state-file", 0, ArgKind::required, "PATH",
                "Remember the site seen per anycast address here, to report changes and flaps. Safe to "
                "share between concurrent checks."},
               [&config](std::string_view value) { config.state_file = std::string(value); });
    parser.add_flag({"state-optional", 0, ArgKind::none, "",
                     "If the state file cannot be used, go on without it instead of UNKNOWN."},
                    config.state_optional);
    parser.add(
        {"flap-warning", 0, ArgKind::required, "N",
         "WARNING when an anycast address changed site at least N times within --flap-window "
         "(needs --state-file)."},
        [&config](std::string_view value) { config.flap_warning = plugin::parse_int(value, 1, 1000); });
    parser.add({"flap-window", 0, ArgKind::required, "SECONDS", "Window for --flap-warning (default 3600)."},
               [&config](std::string_view value) {
                   config.flap_window_seconds = plugin::parse_int(value, 1, 30 * 24 * 3600);
               });
    parser.add({"identity", 0, ArgKind::required, "LIST",
                "Identity methods in order of preference: nsid, hostname.bind, id.server (default "
                "nsid,hostname.bind,id.server)."},
               [&config](std::string_view value) {
                   if (identity::parse_methods(value).empty()) {
                       throw InputError("this check needs at least one identity method");
                   }
                   config.identity = value;
               });
    parser.add_flag({"tcp", 0, ArgKind::none, "", "Query over TCP instead of UDP."}, config.tcp);
    add_threshold_options(parser, config.rtt, plugin::UnitFamily::duration,
                          "response time of every address (seconds; or 50ms)");
    return parser;
}

plugin::CheckResult run_anycast_site(const AnycastSiteConfig& config, const plugin::CommonOptions& common) {
    const auto deadline = run_deadline(common);
    if (config.hosts.empty() && config.sites.empty()) {
        throw InputError("nothing to check: give -H ANYCAST and/or --site/--sites-file");
    }
    if (config.zone.empty()) {
        throw InputError("no zone: give --zone ZONE");
    }
    if (config.flap_warning && !config.state_file) {
        throw InputError("--flap-warning needs --state-file");
    }
    std::unordered_set<std::string_view> codes;  // linear: a sites file may hold 50k sites
    for (const sites::SiteEntry& entry : config.sites) {
        if (!codes.insert(entry.code).second) {
            throw InputError("site '" + entry.code + "' is defined twice");
        }
    }
    const sites::SiteRules rules = make_site_rules(config.sites, config.site_regexes);

    ProbePlan plan;
    plan.spec.question = dns::make_question(config.zone, "SOA", "IN");
    plan.spec.transport = config.tcp ? dns::Transport::tcp : dns::Transport::udp;
    plan.identity_order = identity::parse_methods(config.identity);

    std::vector<Target> targets;
    for (const dns::Endpoint& endpoint :
         resolve_targets(config.hosts, config.port, config.family, deadline)) {
        targets.push_back({Role::anycast, 0, endpoint});
    }
    for (std::size_t s = 0; s < config.sites.size(); ++s) {
        for (const std::string& address : config.sites[s].addresses) {
            targets.push_back({Role::site, s, literal_endpoint(address, config.port)});
        }
    }
    if (config.primary) {
        targets.push_back({Role::primary, 0, literal_endpoint(*config.primary, config.port)});
    }
    std::vector<dns::Endpoint> endpoints;
    for (const Target& target : targets) {
        endpoints.push_back(target.endpoint);
    }
    // With a state file, stop waiting a little earlier, so the state work fits before --timeout.
    const auto probe_deadline =
        config.state_file ? deadline - sites::state_work_reserve(common.timeout_seconds) : deadline;
    const std::vector<AddressProbe> probes = probe_addresses(endpoints, plan, probe_deadline);
    const sites::SiteRecording history = record_catchment(config, targets, probes, rules, deadline);

    CheckResult result;
    result.label = "ANYCAST SITE";
    std::vector<std::string> headline_problems;
    std::vector<SerialReading> readings;
    std::optional<std::uint32_t> primary_serial;
    std::string primary_problem;

    // Catchment: one subcheck per anycast address.
    std::vector<std::string> catchment_notes;
    for (std::size_t t = 0; t < targets.size(); ++t) {
        if (targets[t].role == Role::primary) {
            primary_serial = soa_serial(probes[t].first_answer());
            if (!primary_serial) {
                primary_problem = probes[t].first_answer() ? "gave no SOA serial"
                                                           : probes[t].failure_reason(common.timeout_seconds);
            }
            continue;
        }
        if (targets[t].role != Role::anycast) {
            continue;
        }
        const AddressProbe& probe = probes[t];
        Subcheck check;
        check.name = "catchment " + probe.endpoint.display(config.port);
        check.set_fact("address", probe.endpoint.address_text());
        check.set_fact("role", std::string("anycast"));
        const dns::QueryResult* answer = probe.first_answer();
        if (answer == nullptr) {
            check.state = State::critical;
            check.summary = probe.failure_reason(common.timeout_seconds);
            headline_problems.push_back(probe.endpoint.display(config.port) + " " + check.summary);
            result.subchecks.push_back(std::move(check));
            continue;
        }
        const double rtt_ms = probe.rtt()->max_ms;
        const auto match = probe.identity.value ? rules.match(*probe.identity.value) : std::nullopt;
        const std::string site = site_text(match);
        Findings findings;
        bool expected = true;
        if (config.expect_site && (!match || !config.expect_site->matches(match->site))) {
            expected = false;
            findings.add(config.unexpected_site_state,
                         "site " + site + " is not an expected site (" + config.expect_site->text + ")");
        }
        if (config.forbid_site && match && config.forbid_site->matches(match->site)) {
            expected = false;
            findings.add(config.unexpected_site_state, "site " + site + " is forbidden here");
        }
        if (answer->response->rcode != 0) {
            findings.add(State::critical, "rcode " + dns::rcode_name(answer->response->rcode));
        }
        if (const State rtt_state = config.rtt.evaluate(rtt_ms / 1000.0); rtt_state != State::ok) {
            findings.add(rtt_state, "rtt " + format_ms(rtt_ms) + " ms");
        }
        const bool known_site =
            match && std::any_of(config.sites.begin(), config.sites.end(),
                                 [&](const sites::SiteEntry& entry) { return entry.code == match->site; });
        std::string note;
        if (match && !config.sites.empty() && !known_site) {
            note = " (not in the sites list)";
        }
        // Flaps: the site per address across runs (recorded above, in one go).
        if (const sites::SiteObservation* seen = match ? history.find(probe.endpoint.display()) : nullptr;
            seen != nullptr && !history.error) {
            if (seen->changed) {
                note += " (changed since last run: " + *seen->previous_site + " -> " + match->site + ")";
                check.set_fact("previous_site", *seen->previous_site);
            }
            check.set_fact("site_changes_in_window", static_cast<std::int64_t>(seen->changes_in_window));
            if (config.flap_warning &&
                seen->changes_in_window >= static_cast<std::size_t>(*config.flap_warning)) {
                findings.add(State::warning, "site changed " + std::to_string(seen->changes_in_window) +
                                                 " times within " +
                                                 std::to_string(config.flap_window_seconds) + " s");
            }
        }
        const State state = findings.state();
        const std::string& problems = findings.text();
        const auto serial = soa_serial(answer);
        check.state = state;
        check.summary = findings.before(
            "site " + site +
            (match ? " (identity " + probe.identity.describe() + ", rule: " + match->rule + ")"
                   : " (identity " + probe.identity.describe() + ")") +
            note + ", rtt " + format_ms(rtt_ms) + " ms" +
            (serial ? ", serial " + std::to_string(*serial) : ""));
        if (match) {
            check.set_fact("site", match->site);
            check.set_fact("site_rule", match->rule);
        }
        if (probe.identity.value) {
            check.set_fact("identity", *probe.identity.value);
        }
        check.set_fact("expected", expected);
        check.set_fact("rtt_ms", rtt_ms);
        if (serial) {
            check.set_fact("serial", static_cast<std::int64_t>(*serial));
            if (config.sites.empty()) {
                readings.push_back({probe.endpoint.display(config.port), *serial});
            }
        }
        check.perfdata.push_back({probe.endpoint.display() + "_rtt",
                                  rtt_ms / 1000.0,
                                  "s",
                                  config.rtt.warning,
                                  config.rtt.critical,
                                  0.0,
                                  {}});
        // IPv4 and IPv6 usually land on the same site: name it once.
        std::string note_text =
            site + (config.expect_site ? (expected ? " (expected)" : " (unexpected)") : "");
        if (std::find(catchment_notes.begin(), catchment_notes.end(), note_text) == catchment_notes.end()) {
            catchment_notes.push_back(std::move(note_text));
        }
        if (state != State::ok) {
            headline_problems.push_back("catchment " + probe.endpoint.display(config.port) + ": " + problems);
        }
        result.subchecks.push_back(std::move(check));
    }

    // Sites: each asked on its own unicast addresses.
    std::size_t sites_total = 0;
    std::size_t sites_up = 0;
    Subcheck sites_check;
    sites_check.name = "sites";
    std::vector<std::string> down_sites;
    State live_findings = State::ok;
    for (std::size_t s = 0; s < config.sites.size(); ++s) {
        const sites::SiteEntry& entry = config.sites[s];
        if (entry.addresses.empty()) {
            continue;  // a location-only entry (used for identity and geography), nothing to ask
        }
        ++sites_total;
        Subcheck site_check;
        site_check.name = "site " + entry.code;
        site_check.set_fact("site", entry.code);
        bool any_up = false;
        std::optional<std::uint32_t> site_serial;
        double best_rtt = -1;
        for (std::size_t t = 0; t < targets.size(); ++t) {
            if (targets[t].role != Role::site || targets[t].site_index != s) {
                continue;
            }
            const AddressProbe& probe = probes[t];
            Subcheck address_check;
            address_check.name = probe.endpoint.display(config.port);
            address_check.set_fact("address", probe.endpoint.address_text());
            const dns::QueryResult* answer = probe.first_answer();
            if (answer == nullptr) {
                address_check.state = State::critical;
                address_check.summary = probe.failure_reason(common.timeout_seconds);
                site_check.children.push_back(std::move(address_check));
                continue;
            }
            const double rtt_ms = probe.rtt()->max_ms;
            const auto serial = soa_serial(answer);
            const auto match = probe.identity.value ? rules.match(*probe.identity.value) : std::nullopt;
            Findings findings;
            if (answer->response->rcode != 0 || !serial) {
                findings.add(State::critical, "rcode " + dns::rcode_name(answer->response->rcode) +
                                                  (serial ? "" : ", no SOA serial"));
            }
            if (match && match->site != entry.code) {
                findings.add(State::critical, "identity " + probe.identity.describe() + " is site " +
                                                  match->site + ", not " + entry.code +
                                                  ": this address leads to the wrong box");
            }
            if (const State rtt_state = config.rtt.evaluate(rtt_ms / 1000.0); rtt_state != State::ok) {
                findings.add(rtt_state, "rtt " + format_ms(rtt_ms) + " ms");
            }
            const State state = findings.state();
            const std::string& problems = findings.text();
            address_check.state = state;
            address_check.summary = findings.before(
                "identity " + probe.identity.describe() + (match ? "" : " (not verifiable)") + ", rtt " +
                format_ms(rtt_ms) + " ms" + (serial ? ", serial " + std::to_string(*serial) : ""));
            address_check.set_fact("identity_verified", match.has_value() && match->site == entry.code);
            if (probe.identity.value) {
                address_check.set_fact("identity", *probe.identity.value);
            }
            address_check.set_fact("rtt_ms", rtt_ms);
            if (serial) {
                address_check.set_fact("serial", static_cast<std::int64_t>(*serial));
            }
            const bool up = answer->response->rcode == 0 && serial.has_value();
            if (up) {
                any_up = true;
                live_findings = plugin::worse(live_findings, state);
                if (serial && (!site_serial ||
                               sites::compare_serials(*serial, *site_serial) == sites::SerialOrder::less)) {
                    site_serial = serial;  // the site is as stale as its stalest address
                }
                best_rtt = best_rtt < 0 ? rtt_ms : std::min(best_rtt, rtt_ms);
            }
            if (state != State::ok) {
                headline_problems.push_back("site " + entry.code + " " + address_check.name + ": " +
                                            problems);
            }
            site_check.children.push_back(std::move(address_check));
        }
        site_check.set_fact("up", any_up);
        if (any_up && std::any_of(site_check.children.begin(), site_check.children.end(),
                                  [](const Subcheck& address) { return !address.find_fact("serial"); })) {
            live_findings = plugin::worse(live_findings, State::warning);  // a dead address of a live site
        }
        if (any_up) {
            ++sites_up;
            site_check.summary = "up, rtt " + format_ms(best_rtt) + " ms" +
                                 (site_serial ? ", serial " + std::to_string(*site_serial) : "");
            site_check.set_fact("rtt_ms", best_rtt);
            site_check.perfdata.push_back({entry.code + "_rtt",
                                           best_rtt / 1000.0,
                                           "s",
                                           config.rtt.warning,
                                           config.rtt.critical,
                                           0.0,
                                           {}});
            if (site_serial) {
                site_check.set_fact("serial", static_cast<std::int64_t>(*site_serial));
                readings.push_back({entry.code, *site_serial});
            }
        } else {
            down_sites.push_back(entry.code);
            site_check.summary = "down: no address answered correctly";
        }
        sites_check.children.push_back(std::move(site_check));
    }
    if (sites_total > 0) {
        const std::size_t down = sites_total - sites_up;
        State down_state = State::ok;
        if (down > 0 && config.down_critical && config.down_critical->reached(down, sites_total)) {
            down_state = State::critical;
        } else if (down > 0 && config.down_warning && config.down_warning->reached(down, sites_total)) {
            down_state = State::warning;
        }
        // Down sites count against --down-warning/--down-critical; what an answering address
        // showed (wrong box, slow) and a dead address of a live site count as found.
        sites_check.state_override = plugin::worse(down_state, live_findings);
        sites_check.summary = std::to_string(sites_up) + "/" + std::to_string(sites_total) + " sites up" +
                              (down_sites.empty() ? "" : " (down: " + [&] {
                                  std::string list;
                                  for (const auto& code : down_sites) {
                                      list += (list.empty() ? "" : ", ") + code;
                                  }
                                  return list;
                              }() + ")");
        sites_check.set_fact("sites_up", static_cast<std::int64_t>(sites_up));
        sites_check.set_fact("sites_total", static_cast<std::int64_t>(sites_total));
        result.perfdata.push_back(
            {"sites_up", static_cast<double>(sites_up), "", {}, {}, 0.0, static_cast<double>(sites_total)});
        result.perfdata.push_back({"sites_total", static_cast<double>(sites_total), "", {}, {}, 0.0, {}});
        result.subchecks.push_back(std::move(sites_check));
    }

    // Consistency: every serial against the primary's, or against the newest seen.
    Subcheck consistency;
    consistency.name = "consistency";
    std::optional<std::uint32_t> reference = primary_serial;
    std::string reference_name = "the primary";
    if (config.primary && !primary_serial) {
        consistency.state = State::critical;
        consistency.summary = "primary " + *config.primary + " " + primary_problem;
        headline_problems.push_back(consistency.summary);
    }
    if (!config.primary) {
        reference_name = "the newest serial";
        for (const SerialReading& reading : readings) {
            if (!reference ||
                sites::compare_serials(reading.serial, *reference) == sites::SerialOrder::greater) {
                reference = reading.serial;
            }
        }
    }
    if (reference && !readings.empty()) {
        std::int64_t max_lag = 0;
        std::vector<std::string> stale;
        for (const SerialReading& reading : readings) {
            const auto lag = sites::serial_lag(*reference, reading.serial);
            Subcheck lag_check;
            lag_check.name = reading.who;
            if (!lag) {
                lag_check.state = State::critical;
                lag_check.summary = "serial " + std::to_string(reading.serial) + " cannot be compared with " +
                                    std::to_string(*reference) + " (RFC 1982)";
                stale.push_back(reading.who + " serial " + std::to_string(reading.serial) +
                                " not comparable");
            } else {
                max_lag = std::max(max_lag, *lag);
                lag_check.state = config.serial_lag.evaluate(static_cast<double>(*lag));
                lag_check.summary = "serial " + std::to_string(reading.serial) +
                                    (*lag == 0 ? " (current)"
                                               : (*lag > 0 ? " is " + std::to_string(*lag) + " behind "
                                                           : " is " + std::to_string(-*lag) + " ahead of ") +
                                                     std::to_string(*reference));
                lag_check.set_fact("serial", static_cast<std::int64_t>(reading.serial));
                lag_check.set_fact("serial_lag", *lag);
                if (lag_check.state != State::ok) {
                    stale.push_back("site " + reading.who + (*lag > 0 ? " stale: " : " out of step: ") +
                                    lag_check.summary);
                }
            }
            consistency.children.push_back(std::move(lag_check));
        }
        consistency.set_fact("reference_serial", static_cast<std::int64_t>(*reference));
        consistency.set_fact("serial_lag_max", max_lag);
        consistency.summary = stale.empty() ? "all " + std::to_string(readings.size()) + " serve serial " +
                                                  std::to_string(*reference)
                                            : std::to_string(stale.size()) + " out of step with " +
                                                  reference_name + " (" + std::to_string(*reference) + ")";
        for (const std::string& text : stale) {
            headline_problems.push_back(text);
        }
        result.perfdata.push_back({"serial_lag_max",
                                   static_cast<double>(max_lag),
                                   "",
                                   config.serial_lag.warning,
                                   config.serial_lag.critical,
                                   {},
                                   {}});
        result.subchecks.push_back(std::move(consistency));
    } else if (consistency.state != State::ok) {
        result.subchecks.push_back(std::move(consistency));
    }

    if (auto state_check = state_file_check(config, history)) {
        if (state_check->state != State::ok) {
            headline_problems.push_back(state_check->summary);
        }
        result.subchecks.push_back(std::move(*state_check));
    }

    std::string summary;
    for (const std::string& problem : headline_problems) {
        summary += (summary.empty() ? "" : "; ") + problem;
        if (summary.size() > 300) {
            summary += "; ...";
            break;
        }
    }
    if (!catchment_notes.empty()) {
        std::string catchment;
        for (const std::string& note : catchment_notes) {
            catchment += (catchment.empty() ? "" : ", ") + note;
        }
        summary += (summary.empty() ? "" : "; ") + std::string("catchment ") + catchment;
    }
    if (sites_total > 0) {
        summary += (summary.empty() ? "" : "; ") + std::to_string(sites_up) + "/" +
                   std::to_string(sites_total) + " sites up";
    }
    if (headline_problems.empty() && reference && readings.size() > 1) {
        summary += ", serial " + std::to_string(*reference) + " everywhere";
    }
    result.summary = summary;
    return result;
}

}  // namespace anycast::checks
