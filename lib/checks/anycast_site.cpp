#include "checks/anycast_site.hpp"

#include <algorithm>
#include <ctime>
#include <map>

#include "dns/ldns_handles.hpp"  // ldns.h, with bool, true and false left alone

#include "checks/probe.hpp"
#include "checks/shared.hpp"
#include "plugin/error.hpp"
#include "plugin/escape.hpp"
#include "plugin/number.hpp"
#include "plugin/text.hpp"
#include "sites/airports.hpp"
#include "sites/serial.hpp"
#include "sites/site_history.hpp"
#include "sites/site_rules.hpp"

namespace anycast::checks {
namespace {

using plugin::ArgKind;
using plugin::CheckResult;
using plugin::State;
using plugin::Subcheck;

std::optional<std::uint32_t> soa_serial(const dns::QueryResult* answer) {
    if (answer == nullptr || !answer->response || answer->response->rcode != LDNS_RCODE_NOERROR) {
        return std::nullopt;
    }
    for (const dns::Record& record : answer->response->answer) {
        if (record.type == LDNS_RR_TYPE_SOA && record.soa_serial) {
            return record.soa_serial;
        }
    }
    return std::nullopt;
}

dns::Endpoint literal_endpoint(const std::string& address, std::uint16_t port) {
    auto endpoint = dns::parse_ip_literal(address, port);
    if (!endpoint) {
        throw InputError("'" + address + "' is not an IP address");
    }
    return *endpoint;
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// --expect-site and --forbid-site, with --unplaced-state when the answer cannot be told.
bool judge_site_patterns(const AnycastSiteConfig& config, const Instance& instance, Findings& findings) {
    using Verdict = SitePattern::Verdict;
    bool expected = true;
    const std::string site = site_text(instance);
    if (config.expect_site) {
        const Verdict verdict = config.expect_site->judge(instance);
        expected = verdict == Verdict::matches;
        if (verdict == Verdict::differs) {
            findings.add(config.unexpected_site_state,
                         "site " + site + " is not expected (" + config.expect_site->text + ")");
        } else if (verdict == Verdict::unplaced) {
            findings.add(config.unplaced_state, "cannot tell whether " + site + " is expected (" +
                                                    config.expect_site->text +
                                                    "): " + placement_hint(instance, Answerer::server));
        }
    }
    if (config.forbid_site) {
        const Verdict verdict = config.forbid_site->judge(instance);
        if (verdict == Verdict::matches) {
            expected = false;
            findings.add(config.unexpected_site_state,
                         "site " + site + " is forbidden (" + config.forbid_site->text + ")");
        } else if (verdict == Verdict::unplaced) {
            findings.add(config.unplaced_state, "cannot tell whether " + site + " is forbidden (" +
                                                    config.forbid_site->text +
                                                    "): " + placement_hint(instance, Answerer::server));
        }
    }
    return expected;
}

// With sites listed, an instance that is none of them: a site nobody told the monitoring about,
// or someone else answering for the prefix.
void judge_listed(const AnycastSiteConfig& config, const Instance& instance,
                  const std::vector<sites::SiteEntry>& listed, Findings& findings) {
    if (listed.empty()) {
        return;
    }
    const bool known =
        instance.site && std::any_of(listed.begin(), listed.end(),
                                     [&](const sites::SiteEntry& e) { return e.code == *instance.site; });
    if (known) {
        return;
    }
    findings.add(config.unknown_site_state,
                 instance.site ? "site " + *instance.site + " is not in the sites list"
                               : "identity " + instance.identity_text() + " maps to no listed site");
}

// What the state file remembers for an address: its site, or under --flows the split's set of sites
// ("ams1+iad1"), which a stable split keeps from run to run whatever its shares, so it is no flap.
std::string remembered_site(const CatchmentReading& catchment) {
    if (catchment.flows && !catchment.flows->signature().empty()) {
        return catchment.flows->signature();
    }
    return catchment.reading.instance.site.value_or("");
}

// One --flows query: its site from the NSID of its own answer (a CHAOS query would be another flow,
// and could take another path).
FlowSample flow_sample(const AddressProbe& probe, const SiteMap& site_map) {
    FlowSample sample;
    const dns::QueryResult* answer = probe.first_answer();
    sample.answered = answer != nullptr && answer->response.has_value();
    if (sample.answered) {
        if (auto nsid = identity::nsid_identity(*answer->response)) {
            identity::Identity told;
            told.value = *nsid;
            told.method = identity::Method::nsid;
            sample.site = site_map.place(told).site.value_or(*nsid);
        }
    }
    return sample;
}

// The state file's word on this address: a change since the last run, and flaps.
std::string judge_history(const AnycastSiteConfig& config, const CatchmentReading& catchment, Subcheck& check,
                          Findings& findings) {
    if (!catchment.seen) {
        return {};
    }
    const sites::SiteObservation& seen = *catchment.seen;
    if (seen.error) {
        return " (state file unusable: " + *seen.error + ")";
    }
    std::string note;
    check.set_fact("site_changes_in_window", static_cast<std::int64_t>(seen.changes_in_window));
    if (seen.changed) {
        note = " (changed since last run: " + *seen.previous_site + " -> " + remembered_site(catchment) + ")";
        check.set_fact("previous_site", *seen.previous_site);
    }
    if (config.flap_warning && seen.changes_in_window >= static_cast<std::size_t>(*config.flap_warning)) {
        findings.add(State::warning, "site changed " + std::to_string(seen.changes_in_window) +
                                         " times within " + std::to_string(config.flap_window_seconds) +
                                         " s");
    }
    return note;
}

// A serial-consistency reading: which serial each answering site serves.
struct SerialReading {
    std::string who;  // site code, or an anycast address when no sites are listed
    std::uint32_t serial;
};

// A site's serial is that of its stalest answering address.
std::optional<std::uint32_t> site_serial(const SiteReading& site) {
    std::optional<std::uint32_t> stalest;
    for (const AddressReading& address : site.addresses) {
        const auto serial = soa_serial(address.probe.first_answer());
        if (serial && (!stalest || sites::compare_serials(*serial, *stalest) == sites::SerialOrder::less)) {
            stalest = serial;
        }
    }
    return stalest;
}

std::vector<SerialReading> serial_readings(const SiteMeasurements& measured, std::uint16_t port) {
    std::vector<SerialReading> readings;
    for (const SiteReading& site : measured.sites) {
        if (const auto serial = site_serial(site)) {
            readings.push_back({site.site.code, *serial});
        }
    }
    // No site asked on addresses of its own (none listed, or only location entries such as
    // "qfra3 loc=FRA"): the anycast addresses' serials are compared instead.
    if (measured.sites.empty()) {
        for (const CatchmentReading& catchment : measured.catchment) {
            if (const auto serial = soa_serial(catchment.reading.probe.first_answer())) {
                readings.push_back({catchment.reading.probe.endpoint.display(port), *serial});
            }
        }
    }
    return readings;
}

Subcheck judge_lag(const AnycastSiteConfig& config, const SiteMeasurements& measured,
                   const SerialReading& reading, std::uint32_t reference) {
    Subcheck check;
    check.name = reading.who;
    const auto lag = sites::serial_lag(reference, reading.serial);
    const std::string serial = std::to_string(reading.serial);
    if (!lag) {
        check.state = State::critical;
        check.summary =
            "serial " + serial + " cannot be compared with " + std::to_string(reference) + " (RFC 1982)";
        check.headline =
            reading.who + " serial " + serial + " not comparable with " + std::to_string(reference);
        return check;
    }
    check.state = config.serial_lag.evaluate(static_cast<double>(*lag));
    check.summary = "serial " + serial +
                    (*lag == 0 ? " (current)"
                               : (*lag > 0 ? " is " + std::to_string(*lag) + " behind "
                                           : " is " + std::to_string(-*lag) + " ahead of ") +
                                     std::to_string(reference));
    check.headline = "site " + reading.who + (*lag > 0 ? " stale: " : " out of step: ") + check.summary;
    check.set_fact("serial", static_cast<std::int64_t>(reading.serial));
    check.set_fact("serial_lag", *lag);
    check.perfdata.push_back({reading.who + "_serial_lag",
                              static_cast<double>(*lag),
                              "",
                              config.serial_lag.warning,
                              config.serial_lag.critical,
                              {},
                              {}});
    const auto behind = std::find_if(measured.behind.begin(), measured.behind.end(),
                                     [&](const auto& entry) { return entry.first == reading.who; });
    if (behind != measured.behind.end() && !behind->second.error) {
        Subcheck age = judge_behind_age("site " + reading.who, behind->second.lagging_since, measured.now,
                                        config.dnssec.behind);
        age.headline = age.summary;
        check.children.push_back(std::move(age));
    }
    return check;
}

std::string catchment_notes(const AnycastSiteConfig& config, const std::vector<Subcheck>& checks) {
    std::vector<std::string> notes;
    for (const Subcheck& check : checks) {
        const auto* role = check.find_fact("role");
        const auto* expected = check.find_fact("expected");
        if (role == nullptr || expected == nullptr) {
            continue;
        }
        const auto* site = check.find_fact("site");
        std::string note = site ? std::get<std::string>(*site) : std::string("unknown site");
        if (config.expect_site) {
            note += std::get<bool>(*expected) ? " (expected)" : " (unexpected)";
        }
        if (const auto* split = check.find_fact("flow_split")) {
            note = "split " + std::get<std::string>(*split) + " (per-flow load balancing)";
        }
        // IPv4 and IPv6 usually land on the same site: name it once.
        if (std::find(notes.begin(), notes.end(), note) == notes.end()) {
            notes.push_back(std::move(note));
        }
    }
    return notes.empty() ? std::string() : "catchment " + plugin::join_list(notes);
}

// The OK line: where the anycast addresses land, how many sites are up, the serial.
std::string ok_summary(const AnycastSiteConfig& config, const CheckResult& result) {
    std::string summary = catchment_notes(config, result.subchecks);
    for (const Subcheck& check : result.subchecks) {
        if (check.name == "sites") {
            summary += (summary.empty() ? "" : "; ") + check.summary;
        }
        if (check.name == "consistency" && check.children.size() > 1) {
            const auto* reference = check.find_fact("reference_serial");
            const auto* out_of_step = check.find_fact("serials_out_of_step");
            if (reference && out_of_step && std::get<std::int64_t>(*out_of_step) == 0) {
                summary += ", serial " + std::to_string(std::get<std::int64_t>(*reference)) + " everywhere";
            } else if (reference) {
                summary += ", " + check.summary;
            }
        }
    }
    return summary;
}

// --state-file: every site's "behind or not", to be recorded so that judge_lag can say for how long.
std::vector<std::pair<std::string, bool>> lag_readings(const AnycastSiteConfig& config,
                                                       const SiteMeasurements& measured) {
    const std::vector<SerialReading> readings = serial_readings(measured, config.port);
    // The reference as judge_consistency takes it: the primary's serial, else the newest seen.
    std::uint32_t reference = 0;
    bool have_reference = false;
    if (measured.primary) {
        const auto primary = soa_serial(measured.primary->first_answer());
        have_reference = primary.has_value();
        reference = primary.value_or(0);
    } else {
        for (const SerialReading& reading : readings) {
            if (!have_reference ||
                sites::compare_serials(reading.serial, reference) == sites::SerialOrder::greater) {
                reference = reading.serial;
                have_reference = true;
            }
        }
    }
    std::vector<std::pair<std::string, bool>> lagging;
    for (const SerialReading& reading : readings) {
        if (have_reference) {
            lagging.emplace_back(reading.who, sites::serial_lag(reference, reading.serial).value_or(0) > 0);
        }
    }
    return lagging;
}

// --state-file: the site seen on every anycast address of this run, and whether each site lags,
// recorded in one call (one read and one append, not one per address: 500 addresses were 500
// read-modify-writes under the lock); each observation is handed to its reading by key. The
// address key is display() with the port ("192.0.2.53#5353"), so two services on one IP do not
// share a history; port 53 keeps the old key.
void record_state(const AnycastSiteConfig& config, SiteMeasurements& measured,
                  dns::Clock::time_point deadline) {
    std::vector<sites::SiteSighting> sightings;
    for (const CatchmentReading& catchment : measured.catchment) {
        const std::string site = remembered_site(catchment);
        if (!site.empty() && catchment.reading.probe.first_answer() != nullptr) {
            sightings.push_back({catchment.reading.probe.endpoint.display(), site});
        }
    }
    const auto lagging = measured.listed.empty() ? std::vector<std::pair<std::string, bool>>()
                                                 : lag_readings(config, measured);
    for (const auto& [who, behind] : lagging) {
        sightings.push_back(lag_sighting(who, behind));
    }
    sites::SiteHistoryPolicy policy;
    policy.window_seconds = config.flap_window_seconds;
    const sites::SiteRecording recording =
        sites::record_sites(*config.state_file, sightings, measured.now, policy, deadline);
    measured.state_error = recording.error;
    measured.state_notice = recording.notice;
    if (recording.error) {
        return;  // nothing was recorded: no change, flap or lag age is claimed from a history not kept
    }
    for (CatchmentReading& catchment : measured.catchment) {
        if (const auto* seen = recording.find(catchment.reading.probe.endpoint.display());
            seen != nullptr && !remembered_site(catchment).empty() &&
            catchment.reading.probe.first_answer() != nullptr) {
            catchment.seen = *seen;
        }
    }
    for (const auto& [who, behind] : lagging) {
        measured.behind.emplace_back(
            who, lag_memory(recording.find(lag_sighting(who, behind).key), behind, measured.now));
    }
}

}  // namespace

SitePattern::Verdict SitePattern::judge(const Instance& instance) const {
    if (!instance.site) {
        return Verdict::unplaced;
    }
    const std::string location = instance.location ? lower(*instance.location) : std::string();
    if (regex) {
        const bool hit =
            regex->full_match(*instance.site) || (!location.empty() && regex->full_match(location));
        return hit ? Verdict::matches : Verdict::differs;
    }
    bool asks_location = false;
    for (const std::string& code : codes) {
        if (code == *instance.site || (!location.empty() && code == location)) {
            return Verdict::matches;
        }
        asks_location = asks_location || (code.size() == 3 && sites::is_airport_code(code));
    }
    return asks_location && location.empty() ? Verdict::unplaced : Verdict::differs;
}

bool SitePattern::matches(std::string_view site) const {
    if (regex) {
        return regex->full_match(site);
    }
    return std::find(codes.begin(), codes.end(), site) != codes.end();
}

SitePattern parse_site_pattern(std::string_view text) {
    SitePattern pattern;
    pattern.text = plugin::trim_blanks(text);
    if (pattern.text.empty()) {
        throw InputError("empty site pattern");
    }
    std::vector<std::string> codes;
    bool all_codes = true;
    for (const std::string& item : plugin::split_list(pattern.text)) {
        codes.push_back(lower(item));
        all_codes = all_codes && sites::is_site_code(codes.back());
    }
    if (all_codes) {
        pattern.codes = std::move(codes);
        return pattern;
    }
    try {
        pattern.regex = plugin::Regex::compile(pattern.text, plugin::RegexCase::insensitive, "site pattern");
    } catch (const InputError& error) {
        throw InputError("'" + pattern.text + "' is neither a list of site codes nor a valid regex (" +
                         error.what() + ")");
    }
    return pattern;
}

Subcheck judge_catchment(const AnycastSiteConfig& config, const CatchmentReading& catchment,
                         const std::vector<sites::SiteEntry>& listed, double timeout_seconds) {
    const AddressReading& reading = catchment.reading;
    const AddressProbe& probe = reading.probe;
    const std::string name = "catchment " + probe.endpoint.display(config.port);
    const dns::QueryResult* answer = probe.first_answer();
    if (answer == nullptr) {
        Subcheck check = no_answer(name, probe, timeout_seconds);
        check.set_fact("role", std::string("anycast"));
        return check;
    }
    Subcheck check;
    check.name = name;
    check.set_fact("address", probe.endpoint.address_text());
    check.set_fact("role", std::string("anycast"));
    const Instance& instance = reading.instance;
    const double rtt_ms = probe.rtt()->max_ms;
    const auto serial = soa_serial(answer);
    Findings findings;
    if (!serial) {
        // An anycast address that does not serve the zone is not serving, whoever answers.
        findings.add(State::critical, "serves no SOA for " + config.zone + " (rcode " +
                                          dns::rcode_name(answer->response->rcode) + ")");
    }
    const bool expected = judge_site_patterns(config, instance, findings);
    judge_listed(config, instance, listed, findings);
    judge_rtt(findings, config.rtt, rtt_ms);
    if (const auto r = reach(config.vantage, instance)) {
        judge_floor(findings, check, *r, probe.rtt()->min_ms);
    }
    const std::string note = judge_history(config, catchment, check, findings);
    conclude(check, findings, name,
             describe_instance(instance) + note + ", rtt " + format_ms(rtt_ms) + " ms" +
                 (serial ? ", serial " + std::to_string(*serial) : ""));
    add_instance_facts(instance, check);
    check.set_fact("expected", expected);
    check.set_fact("rtt_ms", rtt_ms);
    if (serial) {
        check.set_fact("serial", static_cast<std::int64_t>(*serial));
    }
    check.perfdata.push_back(rtt_perfdata(probe.endpoint.display(), rtt_ms, config.rtt));
    return check;
}

namespace {

Subcheck judge_site_address(const AnycastSiteConfig& config, const std::string& code,
                            const AddressReading& reading, double timeout_seconds) {
    const AddressProbe& probe = reading.probe;
    const std::string name = probe.endpoint.display(config.port);
    const dns::QueryResult* answer = probe.first_answer();
    if (answer == nullptr) {
        Subcheck check = no_answer(name, probe, timeout_seconds);
        check.headline = "site " + code + " " + name + ": " + check.summary;
        return check;
    }
    Subcheck check;
    check.name = name;
    check.set_fact("address", probe.endpoint.address_text());
    const Instance& instance = reading.instance;
    const double rtt_ms = probe.rtt()->max_ms;
    const auto serial = soa_serial(answer);
    Findings findings;
    if (!serial) {
        findings.add(State::critical,
                     "rcode " + dns::rcode_name(answer->response->rcode) + ", no SOA serial");
    }
    if (instance.site && *instance.site != code) {
        findings.add(State::critical, "identity " + instance.identity_text() + " is site " + *instance.site +
                                          ", not " + code + ": this address leads to the wrong box");
    }
    judge_rtt(findings, config.rtt, rtt_ms);
    if (const auto r = reach(config.vantage, instance)) {
        judge_floor(findings, check, *r, probe.rtt()->min_ms);
    }
    conclude(check, findings, "site " + code + " " + name,
             "identity " + instance.identity_text() + (instance.site ? "" : " (not verifiable)") + ", rtt " +
                 format_ms(rtt_ms) + " ms" + (serial ? ", serial " + std::to_string(*serial) : ""));
    check.set_fact("identity_verified", instance.site == code);
    add_instance_facts(instance, check);
    check.set_fact("rtt_ms", rtt_ms);
    if (serial) {
        check.set_fact("serial", static_cast<std::int64_t>(*serial));
    }
    return check;
}

}  // namespace

Subcheck judge_site(const AnycastSiteConfig& config, const SiteReading& site, double timeout_seconds) {
    const std::string& code = site.site.code;
    Subcheck check;
    check.name = "site " + code;
    check.set_fact("site", code);
    State live = State::ok;  // what the answering addresses showed, and a dead address of a live site
    double best_rtt = -1;
    for (const AddressReading& address : site.addresses) {
        check.children.push_back(judge_site_address(config, code, address, timeout_seconds));
        const Subcheck& child = check.children.back();
        if (!soa_serial(address.probe.first_answer())) {
            live = plugin::worse(live, State::warning);
            continue;
        }
        live = plugin::worse(live, child.state);
        const double rtt_ms = address.probe.rtt()->max_ms;
        best_rtt = best_rtt < 0 ? rtt_ms : std::min(best_rtt, rtt_ms);
    }
    const bool up = best_rtt >= 0;
    check.set_fact("up", up);
    if (!up) {
        check.state = State::critical;
        check.summary = "down: no address answered correctly";
        const Subcheck* first = site.addresses.empty() ? nullptr : &check.children.front();
        check.headline = "site " + code + " down" +
                         (first ? " (" + first->name + ": " + first->summary + ")" : std::string());
        return check;
    }
    check.state_override = live;
    const auto serial = site_serial(site);
    check.summary =
        "up, rtt " + format_ms(best_rtt) + " ms" + (serial ? ", serial " + std::to_string(*serial) : "");
    check.set_fact("rtt_ms", best_rtt);
    if (serial) {
        check.set_fact("serial", static_cast<std::int64_t>(*serial));
    }
    check.perfdata.push_back(rtt_perfdata(code, best_rtt, config.rtt));
    return check;
}

std::optional<Subcheck> judge_sites(const AnycastSiteConfig& config, const std::vector<SiteReading>& sites,
                                    double timeout_seconds) {
    if (sites.empty()) {
        return std::nullopt;
    }
    Subcheck check;
    check.name = "sites";
    std::vector<std::string> down;
    std::vector<std::string> live_with_findings;  // up, but not OK: a wrong box, slow, a dead address
    State live = State::ok;
    for (const SiteReading& site : sites) {
        check.children.push_back(judge_site(config, site, timeout_seconds));
        const Subcheck& child = check.children.back();
        if (child.state == State::critical) {
            down.push_back(site.site.code);
        } else {
            live = plugin::worse(live, child.effective_state());
            if (child.effective_state() != State::ok) {
                live_with_findings.push_back(site.site.code);
            }
        }
    }
    const std::size_t total = sites.size();
    const std::size_t up = total - down.size();
    State down_state = State::ok;
    if (!down.empty() && config.down_critical && config.down_critical->reached(down.size(), total)) {
        down_state = State::critical;
    } else if (!down.empty() && config.down_warning && config.down_warning->reached(down.size(), total)) {
        down_state = State::warning;
    }
    // Down sites count against --down-warning/--down-critical; what an answering address showed
    // (wrong box, slow) and a dead address of a live site count as found.
    check.state_override = plugin::worse(down_state, live);
    // The aggregate line says which sites its state comes from, so "[CRITICAL] sites: 3/3 sites up"
    // never appears without the name of the site that made it so.
    check.summary = std::to_string(up) + "/" + std::to_string(total) + " sites up" +
                    (down.empty() ? "" : " (down: " + plugin::join_list(down) + ")") +
                    (live_with_findings.empty() ? "" : "; not OK: " + plugin::join_list(live_with_findings));
    check.set_fact("sites_up", static_cast<std::int64_t>(up));
    check.set_fact("sites_total", static_cast<std::int64_t>(total));
    check.perfdata.push_back(
        {"sites_up", static_cast<double>(up), "", {}, {}, 0.0, static_cast<double>(total)});
    check.perfdata.push_back({"sites_total", static_cast<double>(total), "", {}, {}, 0.0, {}});
    return check;
}

std::optional<Subcheck> judge_shared_identities(const std::vector<SiteReading>& sites) {
    std::map<std::string, std::vector<std::string>> sites_of;  // identity -> the sites answering with it
    for (const SiteReading& site : sites) {
        for (const AddressReading& address : site.addresses) {
            const auto& identity = address.instance.identity;
            if (!identity) {
                continue;
            }
            auto& codes = sites_of[*identity];
            if (std::find(codes.begin(), codes.end(), site.site.code) == codes.end()) {
                codes.push_back(site.site.code);
            }
        }
    }
    Subcheck check;
    check.name = "identities";
    for (const auto& [identity, codes] : sites_of) {
        if (codes.size() < 2) {
            continue;
        }
        Subcheck shared;
        shared.name = identity;
        shared.state = State::warning;
        const std::string list = plugin::join_list(codes, " and ");
        shared.summary = "sites " + list +
                         " answer with the same identity: a copied configuration hides which box answers";
        shared.headline = "sites " + list + " answer with one identity " + identity;
        shared.set_fact("identity", identity);
        check.children.push_back(std::move(shared));
    }
    if (check.children.empty()) {
        return std::nullopt;
    }
    check.summary = std::to_string(check.children.size()) + " identity shared by several sites";
    return check;
}

std::optional<Subcheck> judge_consistency(const AnycastSiteConfig& config, const SiteMeasurements& measured,
                                          double timeout_seconds) {
    Subcheck check;
    check.name = "consistency";
    std::optional<std::uint32_t> reference;
    std::string reference_name = "the newest serial";
    if (measured.primary) {
        reference_name = "the primary";
        reference = soa_serial(measured.primary->first_answer());
        if (!reference) {
            check.state = State::critical;
            check.summary =
                "primary " + *config.primary + " " +
                (measured.primary->first_answer() ? "gave no SOA serial"
                                                  : measured.primary->failure_reason(timeout_seconds));
            check.headline = check.summary;
            return check;
        }
    }
    const std::vector<SerialReading> readings = serial_readings(measured, config.port);
    for (const SerialReading& reading : readings) {
        if (!measured.primary && (!reference || sites::compare_serials(reading.serial, *reference) ==
                                                    sites::SerialOrder::greater)) {
            reference = reading.serial;
        }
    }
    if (!reference || readings.empty()) {
        return std::nullopt;
    }
    std::int64_t max_lag = 0;
    std::size_t stale = 0;       // out of step beyond the thresholds
    std::size_t not_newest = 0;  // any serial but the reference, allowed or not
    for (const SerialReading& reading : readings) {
        check.children.push_back(judge_lag(config, measured, reading, *reference));
        const auto lag = sites::serial_lag(*reference, reading.serial);
        max_lag = std::max(max_lag, lag.value_or(0));
        stale += check.children.back().state == State::ok ? 0 : 1;
        not_newest += lag == 0 ? 0 : 1;
    }
    check.set_fact("reference_serial", static_cast<std::int64_t>(*reference));
    check.set_fact("serial_lag_max", max_lag);
    check.set_fact("serials_out_of_step", static_cast<std::int64_t>(not_newest));
    const std::string serial = std::to_string(*reference);
    const std::size_t total = readings.size();
    // An allowed lag (--serial-lag-warning above 0, --behind-warning) is still said: "all 3 serve"
    // would not be true.
    if (stale > 0) {
        check.summary = std::to_string(stale) + " out of step with " + reference_name + " (" + serial + ")";
    } else if (not_newest > 0) {
        check.summary = std::to_string(not_newest) + " of " + std::to_string(total) + " not at " +
                        reference_name + " (" + serial + "), within the allowed lag";
    } else {
        check.summary = total == 1 ? "serves serial " + serial
                                   : "all " + std::to_string(total) + " serve serial " + serial;
    }
    check.perfdata.push_back({"serial_lag_max",
                              static_cast<double>(max_lag),
                              "",
                              config.serial_lag.warning,
                              config.serial_lag.critical,
                              {},
                              {}});
    return check;
}

std::vector<Subcheck> judge_dnssec(const AnycastSiteConfig& config, const SiteMeasurements& measured) {
    const auto response = [](const AddressReading& reading) -> const dns::Response* {
        const dns::QueryResult* answer = reading.probe.first_answer();
        return answer != nullptr && answer->response ? &*answer->response : nullptr;
    };
    std::vector<DnssecServer> servers;
    for (const CatchmentReading& catchment : measured.catchment) {
        // "site sin1 via 192.0.2.53": the pager line starts with the site, as for a unicast address.
        const Instance& instance = catchment.reading.instance;
        const dns::Endpoint& endpoint = catchment.reading.probe.endpoint;
        servers.push_back({(instance.site ? "site " + *instance.site : site_text(instance)) + " via " +
                               endpoint.display(config.port),
                           endpoint.display(), response(catchment.reading),
                           catchment.dnskey ? &*catchment.dnskey : nullptr});
    }
    for (const SiteReading& site : measured.sites) {
        const bool one_address = site.addresses.size() == 1;
        for (std::size_t a = 0; a < site.addresses.size(); ++a) {
            const dns::Endpoint& endpoint = site.addresses[a].probe.endpoint;
            servers.push_back(
                {"site " + site.site.code + (one_address ? "" : " " + endpoint.display(config.port)),
                 site.site.code + (one_address ? "" : "_" + endpoint.display()), response(site.addresses[a]),
                 a < site.dnskeys.size() && site.dnskeys[a] ? &*site.dnskeys[a] : nullptr});
        }
    }
    return judge_dnssec_servers(servers, config.zone, config.dnssec.mode, measured.now, config.dnssec.rrsig,
                                nullptr);
}

std::optional<Subcheck> judge_state_file(const AnycastSiteConfig& config, const SiteMeasurements& measured) {
    if (!config.state_file || (!measured.state_error && !measured.state_notice)) {
        return std::nullopt;
    }
    // UNKNOWN only outranks OK: a CRITICAL found on the network stays CRITICAL, this beside it.
    Subcheck check;
    check.name = "state file";
    check.set_fact("path", *config.state_file);
    check.set_fact("recorded", !measured.state_error.has_value());
    // A file set aside is UNKNOWN for that one run too: the history of every check sharing it was
    // lost, and an operator should hear it on the first line, not find it in the long output.
    check.state = config.state_optional ? State::ok : State::unknown;
    if (measured.state_error) {
        const std::string& error = *measured.state_error;
        check.summary =
            (error.starts_with("state file ") ? error : "state file " + *config.state_file + ": " + error) +
            (config.state_optional ? " (going on without it: --state-optional)"
                                   : " (use --state-optional to go on without it)");
    } else {
        check.summary = *measured.state_notice;
    }
    check.headline = check.summary;
    return check;
}

std::vector<plugin::Perfdata> catchment_perfdata(const std::vector<CatchmentReading>& catchment) {
    std::vector<std::pair<std::string, int>> counts;  // in the order first seen
    for (const CatchmentReading& reading : catchment) {
        const auto& site = reading.reading.instance.site;
        if (!site || reading.reading.probe.first_answer() == nullptr) {
            continue;
        }
        auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == *site; });
        if (it == counts.end()) {
            counts.emplace_back(*site, 1);
        } else {
            ++it->second;
        }
    }
    std::vector<plugin::Perfdata> perfdata;
    for (const auto& [site, count] : counts) {
        perfdata.push_back({"site_" + site, static_cast<double>(count), "", {}, {}, 0.0, {}});
    }
    return perfdata;
}

CheckResult report_anycast_site(const AnycastSiteConfig& config, const SiteMeasurements& measured,
                                double timeout_seconds) {
    CheckResult result;
    result.label = "ANYCAST SITE";
    for (const CatchmentReading& catchment : measured.catchment) {
        result.subchecks.push_back(judge_catchment(config, catchment, measured.listed, timeout_seconds));
        if (catchment.flows) {
            const std::string address = catchment.reading.probe.endpoint.display(config.port);
            Subcheck flows = judge_flow_split("flows " + address, catchment.reading.probe.endpoint.display(),
                                              *catchment.flows, config.split);
            // A flow-less answer is the catchment's failure, named once there.
            flows.headline = catchment.flows->answered > 0 ? "flows " + address + ": " + flows.summary : "";
            if (catchment.flows->is_split()) {
                result.subchecks.back().set_fact("flow_split", flow_shares_text(*catchment.flows));
            }
            result.subchecks.push_back(std::move(flows));
        }
    }
    result.perfdata = catchment_perfdata(measured.catchment);
    // Each further judgement is one optional sub-check: adding one is one line here.
    for (auto judged :
         {judge_sites(config, measured.sites, timeout_seconds), judge_shared_identities(measured.sites),
          judge_consistency(config, measured, timeout_seconds)}) {
        if (judged) {
            result.subchecks.push_back(std::move(*judged));
        }
    }
    for (Subcheck& check : judge_dnssec(config, measured)) {
        result.subchecks.push_back(std::move(check));
    }
    result.summary = ok_summary(config, result);
    if (auto state = judge_state_file(config, measured)) {
        // When all else is OK the headline is the summary: the state note goes there too.
        result.summary += (result.summary.empty() ? "" : "; ") + state->summary;
        result.subchecks.push_back(std::move(*state));
    }
    return result;
}

SiteMeasurements collect_anycast_site(const AnycastSiteConfig& config, dns::Clock::time_point deadline,
                                      dns::Clock::time_point probe_deadline) {
    SiteMeasurements measured;
    measured.listed = load_sites(config.site_options);
    const SiteMap site_map(measured.listed, config.site_options.site_regexes,
                           config.site_options.rules_files);
    ProbePlan plan;
    plan.spec.question = dns::make_question(config.zone, "SOA", "IN");
    plan.spec.transport = config.tcp ? dns::Transport::tcp : dns::Transport::udp;
    plan.spec.dnssec_ok = config.dnssec.mode != DnssecMode::off;
    plan.identity_order = config.identity;
    plan.retry = config.retry;

    // Every address goes out in one probe run; then each reading goes to its group.
    // --flows N: each anycast address N times, one after the other, each query from its own socket.
    const std::vector<dns::Endpoint> anycast =
        resolve_targets(config.hosts, config.port, config.family, probe_deadline);
    const std::size_t anycast_count = anycast.size();
    std::vector<dns::Endpoint> endpoints;
    for (const dns::Endpoint& endpoint : anycast) {
        endpoints.insert(endpoints.end(), static_cast<std::size_t>(config.flows), endpoint);
    }
    for (const sites::SiteEntry& site : measured.listed) {
        for (const std::string& address : site.addresses) {
            endpoints.push_back(literal_endpoint(address, config.port));
        }
    }
    if (config.primary) {
        endpoints.push_back(literal_endpoint(*config.primary, config.port));
    }
    // The DNSKEY set of every address rides along in the same run: no extra round trip.
    const std::vector<dns::QueryJob> key_jobs = config.dnssec.mode == DnssecMode::off
                                                    ? std::vector<dns::QueryJob>()
                                                    : dnskey_jobs(endpoints, config.zone, plan.spec);
    std::vector<dns::QueryResult> key_results;
    std::vector<AddressProbe> probes =
        probe_addresses(endpoints, plan, probe_deadline, key_jobs, &key_results);
    measured.now = static_cast<std::int64_t>(std::time(nullptr));
    auto next_key = key_results.begin();
    const auto take_key = [&]() -> std::optional<dns::Response> {
        return next_key == key_results.end() ? std::nullopt : std::move((next_key++)->response);
    };
    auto next = probes.begin();
    const auto take = [&] {
        AddressProbe probe = std::move(*next++);
        Instance instance = site_map.place(probe.identity);
        return AddressReading{std::move(probe), std::move(instance)};
    };
    for (std::size_t i = 0; i < anycast_count; ++i) {
        CatchmentReading catchment{take(), std::nullopt, take_key()};
        if (config.flows > 1) {
            std::vector<FlowSample> samples{flow_sample(catchment.reading.probe, site_map)};
            for (int flow = 1; flow < config.flows; ++flow) {
                samples.push_back(flow_sample(take().probe, site_map));
                take_key();  // each flow's DNSKEY query, kept in step; the first flow's is the one judged
            }
            catchment.flows = summarize_flows(samples);
        }
        measured.catchment.push_back(std::move(catchment));
    }
    for (const sites::SiteEntry& site : measured.listed) {
        if (site.addresses.empty()) {
            continue;  // a location-only entry (used for identity and geography), nothing to ask
        }
        SiteReading reading{site, {}};
        for (std::size_t a = 0; a < site.addresses.size(); ++a) {
            reading.addresses.push_back(take());
            reading.dnskeys.push_back(take_key());
        }
        measured.sites.push_back(std::move(reading));
    }
    if (config.primary) {
        measured.primary = std::move(*next);
    }
    if (config.state_file) {
        record_state(config, measured, deadline);
    }
    return measured;
}

plugin::CheckResult run_anycast_site(const AnycastSiteConfig& config, const plugin::CommonOptions& common) {
    const auto deadline = run_deadline(common);
    if (config.hosts.empty() && config.site_options.sites.empty() &&
        config.site_options.sites_files.empty()) {
        throw InputError("nothing to check: give -H ANYCAST and/or --site/--sites-file");
    }
    if (config.zone.empty()) {
        throw InputError("no zone: give --zone ZONE");
    }
    if (config.flap_warning && !config.state_file) {
        throw InputError("--flap-warning needs --state-file");
    }
    if ((config.dnssec.behind.warning || config.dnssec.behind.critical) && !config.state_file) {
        throw InputError("--behind-warning/--behind-critical need --state-file");
    }
    // With a state file, stop waiting for answers a little earlier, so the state work fits before
    // --timeout even when an address stays silent to the end.
    const auto probe_deadline =
        config.state_file ? deadline - sites::state_work_reserve(common.timeout_seconds) : deadline;
    return report_anycast_site(config, collect_anycast_site(config, deadline, probe_deadline),
                               common.timeout_seconds);
}

namespace {

// Which sites may answer here, and what an answer that cannot be placed is.
void add_catchment_options(plugin::OptionParser& parser, AnycastSiteConfig& config) {
    parser.add({"expect-site", 0, ArgKind::required, "PATTERN",
                "Sites that may answer the anycast addresses here: a comma-separated list of codes, each "
                "matching a site code exactly (ams1) or a location code (mad accepts site mad1f located "
                "MAD), or a regex matching a whole site or location code."},
               [&config](std::string_view value) { config.expect_site = parse_site_pattern(value); });
    parser.add({"forbid-site", 0, ArgKind::required, "PATTERN",
                "Sites that must not answer here (the syntax and matching of --expect-site)."},
               [&config](std::string_view value) { config.forbid_site = parse_site_pattern(value); });
    parser.add({"unexpected-site-state", 0, ArgKind::required, "STATE",
                "State when an unexpected or forbidden site answers: warning (default) or critical."},
               [&config](std::string_view value) {
                   config.unexpected_site_state = parse_state_value(value);
                   if (config.unexpected_site_state != State::warning &&
                       config.unexpected_site_state != State::critical) {
                       throw InputError("'" + std::string(value) + "' is not warning or critical");
                   }
               });
    parser.add({"unplaced-state", 0, ArgKind::required, "STATE",
                "State when --expect-site/--forbid-site cannot be judged because the answer names no known "
                "site, or the site has no location to compare a location code with: ok, warning, "
                "critical or unknown (default unknown). The status line says what to add."},
               [&config](std::string_view value) { config.unplaced_state = parse_state_value(value); });
    parser.add({"unknown-site-state", 0, ArgKind::required, "STATE",
                "With sites listed (--site, --sites-file), the state when an anycast address is answered "
                "by an instance that is none of them: ok, warning (default), critical or unknown."},
               [&config](std::string_view value) { config.unknown_site_state = parse_state_value(value); });
}

// The sites, their rules and where this vantage point is.
void add_sites_options(plugin::OptionParser& parser, AnycastSiteConfig& config) {
    parser.add({"site", 0, ArgKind::required, "CODE=ADDR[,ADDR...]",
                "A site and its unicast addresses. Repeatable.", true},
               [&config](std::string_view value) {
                   config.site_options.sites.push_back(sites::parse_site_option(value));
               });
    add_site_rule_options(
        parser, config.site_options,
        "Sites file: one site per line, 'CODE ADDRESS... [loc=IATA|LAT,LON] [identity=ID]...' "
        "(see the README), read when the check runs.",
        "Your own identity-to-site rule: a regex with a named group (?<site>...), tried before "
        "the built-in rules. Repeatable.");
    add_location_options(
        parser, config.vantage,
        "Where this vantage point is: an airport code (AMS) or LAT,LON. With it, an RTT below "
        "the physical floor for the answering site's location is a WARNING.");
}

// --state-file and the flaps it tells.
void add_state_file_options(plugin::OptionParser& parser, AnycastSiteConfig& config) {
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
}

}  // namespace

plugin::OptionParser define_anycast_site_options(AnycastSiteConfig& config, plugin::CommonOptions& common) {
    plugin::OptionParser parser(
        "check_anycast_site", "-H ANYCAST [-H ANYCAST]... --zone ZONE [--site CODE=ADDR...] [options]",
        "Tells which site of an anycast DNS service answers here (catchment), whether every site is up "
        "and is itself when asked on its own unicast addresses, whether all sites serve the same "
        "zone serial, and whether each serves valid signatures made by the same key set.");
    add_common_options(parser, common);
    config.serial_lag.warning = plugin::parse_range("0", plugin::UnitFamily::plain);
    add_host_options(parser, config.hosts, config.family, "ANYCAST",
                     "Anycast service address (IPv4 or IPv6 literal, or a host name: all its addresses). "
                     "Repeatable.");
    add_port_option(parser, config.port, "Port of every address (default 53).");
    add_retry_options(parser, config.retry);
    parser.add({"zone", 'z', ArgKind::required, "ZONE",
                "Zone served by the sites (required); the measured query is ZONE SOA, with NSID (and the DO "
                "bit, with a DNSKEY query beside it, unless --dnssec off)."},
               [&config](std::string_view value) {
                   dns::make_question(value, "SOA", "IN");
                   config.zone = value;
               });
    add_catchment_options(parser, config);
    add_sites_options(parser, config);
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
    parser.add({"flows", 0, ArgKind::required, "N",
                "Ask each anycast address N times at once, each query from its own source port, and "
                "report the share of flows per site: with ECMP on the way the site depends on the flow. "
                "A split is per-flow load balancing, not a route change: --state-file then remembers "
                "the split's set of sites (default 1: no split analysis)."},
               [&config](std::string_view value) { config.flows = plugin::parse_int(value, 1, 256); });
    add_range_options(parser, "split", config.split, plugin::UnitFamily::plain,
                      "Range for WARNING on the percentage of flows that do not reach the site most "
                      "flows reach (needs --flows; default: none, a split is reported as OK).",
                      "Range for CRITICAL on the same percentage (default: none).");
    add_state_file_options(parser, config);
    parser.add({"identity", 0, ArgKind::required, "LIST",
                "Identity methods in order of preference, comma-separated: nsid, hostname.bind, id.server "
                "(default nsid,hostname.bind,id.server)."},
               [&config](std::string_view value) {
                   config.identity = identity::parse_methods(value);
                   if (config.identity.empty()) {
                       throw InputError("this check needs at least one identity method");
                   }
                   if (std::find(config.identity.begin(), config.identity.end(), identity::Method::whoami) !=
                       config.identity.end()) {
                       throw InputError("whoami names a resolver's egress, not an authoritative server");
                   }
               });
    parser.add_flag({"tcp", 0, ArgKind::none, "", "Query over TCP instead of UDP."}, config.tcp);
    add_site_dnssec_options(parser, config.dnssec);
    add_threshold_options(parser, config.rtt, plugin::UnitFamily::duration,
                          "response time of every address (seconds; or 50ms)");
    return parser;
}

}  // namespace anycast::checks
