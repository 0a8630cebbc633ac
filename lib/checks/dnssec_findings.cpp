#include "checks/dnssec_findings.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <string_view>
#include <utility>

#include "dns/ldns_handles.hpp"  // ldns.h, with bool, true and false left alone

#include "plugin/error.hpp"
#include "plugin/escape.hpp"

namespace anycast::checks {
namespace {

using plugin::State;
using plugin::Subcheck;

constexpr std::uint16_t type_soa = LDNS_RR_TYPE_SOA;
constexpr std::uint16_t type_dnskey = LDNS_RR_TYPE_DNSKEY;
constexpr std::int64_t minute = 60;
constexpr std::int64_t hour = 3600;
constexpr std::int64_t day = 24 * hour;

struct Unit {
    char suffix;
    std::int64_t seconds;
};
constexpr std::array<Unit, 5> units{{{'w', 7 * day}, {'d', day}, {'h', hour}, {'m', minute}, {'s', 1}}};

// "alert when below N": the Nagios range N: (perfdata shows it as such).
std::optional<plugin::Range> at_least(const std::optional<std::int64_t>& seconds) {
    if (!seconds) {
        return std::nullopt;
    }
    plugin::Range range;
    range.start = static_cast<double>(*seconds);
    range.end_infinite = true;
    return range;
}

State below(std::int64_t left, const DurationThresholds& thresholds) {
    if (thresholds.critical && left < *thresholds.critical) {
        return State::critical;
    }
    if (thresholds.warning && left < *thresholds.warning) {
        return State::warning;
    }
    return State::ok;
}

State reached(std::int64_t age, const DurationThresholds& thresholds) {
    if (thresholds.critical && age >= *thresholds.critical) {
        return State::critical;
    }
    if (thresholds.warning && age >= *thresholds.warning) {
        return State::warning;
    }
    return State::ok;
}

std::string key_text(const dns::SignatureInfo& info) {
    return "key " + std::to_string(info.key_tag) + " alg " + std::to_string(info.algorithm);
}

const dns::Response* usable(const dns::Response* response) {
    return response != nullptr && response->rcode == LDNS_RCODE_NOERROR ? response : nullptr;
}

}  // namespace

DnssecMode parse_dnssec_mode(std::string_view text) {
    if (text == "off") {
        return DnssecMode::off;
    }
    if (text == "auto") {
        return DnssecMode::auto_detect;
    }
    if (text == "required") {
        return DnssecMode::required;
    }
    throw InputError("--dnssec: '" + std::string(text) + "' is not off, auto or required");
}

std::string_view dnssec_mode_name(DnssecMode mode) {
    switch (mode) {
        case DnssecMode::off:
            return "off";
        case DnssecMode::auto_detect:
            return "auto";
        case DnssecMode::required:
            return "required";
    }
    return "auto";
}

std::int64_t parse_duration(std::string_view text) {
    const auto bad = [&text] {
        return InputError("'" + std::string(text) + "' is not a duration (e.g. 5d, 36h, 2d12h, 90m, 3600)");
    };
    if (text.empty() || text.size() > 32) {
        throw bad();
    }
    std::int64_t total = 0;
    std::size_t at = 0;
    std::size_t last_unit = 0;  // units must come largest first, each at most once
    while (at < text.size()) {
        std::int64_t value = 0;
        const auto [end, error] = std::from_chars(text.data() + at, text.data() + text.size(), value);
        if (error != std::errc() || end == text.data() + at || value < 0 || value > 100 * 365 * day) {
            throw bad();
        }
        at = static_cast<std::size_t>(end - text.data());
        std::int64_t scale = 1;
        if (at < text.size()) {
            const auto unit = std::find_if(units.begin() + static_cast<std::ptrdiff_t>(last_unit),
                                           units.end(), [&](const Unit& u) { return u.suffix == text[at]; });
            if (unit == units.end()) {
                throw bad();
            }
            scale = unit->seconds;
            last_unit = static_cast<std::size_t>(unit - units.begin()) + 1;
            ++at;
        } else if (total != 0) {
            throw bad();  // "2d5": five what?
        }
        total += value * scale;
        if (total > 100 * 365 * day) {
            throw bad();
        }
    }
    return total;
}

std::string format_duration(std::int64_t seconds) {
    const std::int64_t magnitude = seconds < 0 ? -seconds : seconds;
    std::string text;
    int shown = 0;
    std::int64_t rest = magnitude;
    for (const Unit& unit : units) {
        if (unit.suffix == 'w') {
            continue;  // "16d" reads better on a pager than "2w 2d"
        }
        const std::int64_t count = rest / unit.seconds;
        if (count > 0 || (shown > 0 && shown < 2)) {
            if (count > 0) {
                text += (text.empty() ? "" : " ") + std::to_string(count) + unit.suffix;
            }
            ++shown;
            rest -= count * unit.seconds;
        }
        if (shown == 2) {
            break;
        }
    }
    return text.empty() ? "0s" : text;
}

bool DnssecMeasurement::any_signature_data() const {
    return soa.signature_count > 0 || dnskey.signature_count > 0 || !key_tags.empty();
}

DnssecMeasurement measure_dnssec(std::string who, std::string_view zone, const dns::Response* soa_answer,
                                 const dns::Response* dnskey_answer, std::int64_t now) {
    DnssecMeasurement measurement;
    measurement.who = std::move(who);
    const dns::Response* keys_response = usable(dnskey_answer);
    measurement.dnskey_answered = keys_response != nullptr;
    const std::span<const dns::Record> keys = keys_response != nullptr
                                                  ? std::span<const dns::Record>(keys_response->answer)
                                                  : std::span<const dns::Record>();
    if (const dns::Response* soa = usable(soa_answer)) {
        measurement.soa = dns::verify_rrset(soa->answer, zone, type_soa, keys, now);
    }
    if (keys_response != nullptr) {
        measurement.dnskey = dns::verify_rrset(keys, zone, type_dnskey, keys, now);
        measurement.key_tags = dns::dnskey_tags(keys);
    }
    return measurement;
}

Subcheck judge_signature(std::string_view rrset_name, const dns::RrsetVerification& verification,
                         std::int64_t now, const DurationThresholds& thresholds,
                         const std::string& perfdata_label) {
    using dns::SignatureStatus;
    Subcheck check;
    check.name = std::string(rrset_name) + " signature";
    const std::string what = std::string(rrset_name) + " signature";
    check.set_fact("status", std::string(dns::signature_status_name(verification.status)));
    if (const auto& info = verification.signature) {
        check.set_fact("key_tag", static_cast<std::int64_t>(info->key_tag));
        check.set_fact("inception", info->inception);
        check.set_fact("expiration", info->expiration);
        check.set_fact("seconds_left", info->expiration - now);
        check.perfdata.push_back({perfdata_label,
                                  static_cast<double>(info->expiration - now),
                                  "s",
                                  at_least(thresholds.warning),
                                  at_least(thresholds.critical),
                                  {},
                                  {}});
    }
    const std::string detail =
        verification.detail.empty() ? "" : " (" + plugin::escape_untrusted(verification.detail) + ")";
    switch (verification.status) {
        case SignatureStatus::valid: {
            const std::int64_t left = verification.signature->expiration - now;
            check.state = below(left, thresholds);
            check.summary = check.state == State::ok ? what + " valid for " + format_duration(left) + " (" +
                                                           key_text(*verification.signature) + ")"
                                                     : what + " expires in " + format_duration(left);
            break;
        }
        case SignatureStatus::expired:
            check.state = State::critical;
            check.summary =
                what + " expired " + format_duration(now - verification.signature->expiration) + " ago";
            break;
        case SignatureStatus::not_yet_valid:
            check.state = State::critical;
            check.summary = what + " not valid for another " +
                            format_duration(verification.signature->inception - now) +
                            " (inception in the future: signer or clock trouble)";
            break;
        case SignatureStatus::bad_signature:
            check.state = State::critical;
            check.summary = what + " does not verify with " + key_text(*verification.signature) + detail;
            break;
        case SignatureStatus::unknown_key:
            check.state = State::critical;
            check.summary = what + " made by " + key_text(*verification.signature) +
                            ", which is not in this server's DNSKEY set";
            break;
        case SignatureStatus::no_signature:
            check.state = State::critical;
            check.summary = std::string(rrset_name) + " has no RRSIG while the zone is signed";
            break;
        case SignatureStatus::no_keys:
            check.state = State::critical;
            check.summary = std::string(rrset_name) + " is signed but no DNSKEY came back to verify it";
            break;
        case SignatureStatus::no_rrset:
            check.state = State::critical;
            check.summary = "no " + std::string(rrset_name) + " RRset to verify";
            break;
    }
    return check;
}

Subcheck judge_unsigned(DnssecMode mode, bool signed_elsewhere) {
    Subcheck check;
    check.name = "dnssec";
    check.set_fact("signed", false);
    if (mode == DnssecMode::required) {
        check.state = State::critical;
        check.summary = "zone unsigned here (no RRSIG, no DNSKEY; --dnssec required)";
    } else if (signed_elsewhere) {
        check.state = State::critical;
        check.summary = "zone unsigned here while other servers sign it";
    } else {
        check.summary = "zone unsigned";
    }
    return check;
}

namespace {

// "SOA signature expires in 1d 3h" and "DNSKEY signature expires in 1d 3h" are one fault (one
// signer, one run of signatures): said once, "SOA and DNSKEY signatures expire in 1d 3h". Nothing
// when the two differ (say, two keys that do not verify) or either is fine.
std::optional<std::string> one_fault_text(const std::vector<Subcheck>& signatures) {
    if (signatures.size() != 2 || signatures[0].state == State::ok || signatures[1].state == State::ok) {
        return std::nullopt;
    }
    constexpr std::string_view soa = "SOA signature";
    constexpr std::string_view dnskey = "DNSKEY signature";
    const std::string& first = signatures[0].summary;
    const std::string& second = signatures[1].summary;
    if (!first.starts_with(soa) || !second.starts_with(dnskey) ||
        first.substr(soa.size()) != second.substr(dnskey.size())) {
        return std::nullopt;
    }
    std::string rest = first.substr(soa.size());
    for (const auto& [singular, plural] :
         {std::pair{" expires ", " expire "}, std::pair{" does not ", " do not "}}) {
        if (rest.starts_with(singular)) {
            rest = plural + rest.substr(std::string_view(singular).size());
        }
    }
    return "SOA and DNSKEY signatures" + rest;
}

}  // namespace

Subcheck judge_server_dnssec(const DnssecMeasurement& measurement, DnssecMode mode, bool signed_elsewhere,
                             std::int64_t now, const DurationThresholds& thresholds,
                             const std::string& perfdata_prefix) {
    if (!measurement.any_signature_data()) {
        return judge_unsigned(mode, signed_elsewhere);
    }
    Subcheck check;
    check.name = "dnssec";
    check.set_fact("signed", true);
    check.set_fact("key_tags", dns::key_tags_text(measurement.key_tags));
    check.children.push_back(
        judge_signature("SOA", measurement.soa, now, thresholds, perfdata_prefix + "_soa_rrsig_left"));
    if (!measurement.dnskey_answered) {
        Subcheck keys;
        keys.name = "DNSKEY signature";
        keys.state = State::critical;
        keys.summary = "DNSKEY query got no answer";
        check.children.push_back(std::move(keys));
    } else {
        check.children.push_back(judge_signature("DNSKEY", measurement.dnskey, now, thresholds,
                                                 perfdata_prefix + "_dnskey_rrsig_left"));
    }
    // The summary names the worst child, so a line "site sin1: SOA signature expires in 1d 3h" reads.
    const Subcheck* worst = &check.children.front();
    for (const Subcheck& child : check.children) {
        if (plugin::worse(child.effective_state(), worst->effective_state()) != worst->effective_state()) {
            worst = &child;
        }
    }
    check.summary = worst->effective_state() == State::ok
                        ? "signed, keys " + dns::key_tags_text(measurement.key_tags) + ", " +
                              check.children.front().summary
                        : one_fault_text(check.children).value_or(worst->summary);
    return check;
}

Subcheck judge_key_sets(std::span<const KeySetReading> readings) {
    Subcheck check;
    check.name = "key sets";
    if (readings.empty()) {
        check.summary = "no DNSKEY set to compare";
        return check;
    }
    // The most common set, first seen on ties.
    std::size_t reference = 0;
    std::size_t best_count = 0;
    for (std::size_t i = 0; i < readings.size(); ++i) {
        const auto count = static_cast<std::size_t>(
            std::count_if(readings.begin(), readings.end(),
                          [&](const KeySetReading& other) { return other.tags == readings[i].tags; }));
        if (count > best_count) {
            best_count = count;
            reference = i;
        }
    }
    const std::vector<std::uint16_t>& ref = readings[reference].tags;
    check.set_fact("key_tags", dns::key_tags_text(ref));
    std::vector<std::string> odd;
    for (const KeySetReading& reading : readings) {
        if (reading.tags == ref) {
            continue;
        }
        const bool overlaps = std::any_of(reading.tags.begin(), reading.tags.end(), [&](std::uint16_t tag) {
            return std::binary_search(ref.begin(), ref.end(), tag);
        });
        check.state = plugin::worse(check.state, overlaps ? State::warning : State::critical);
        odd.push_back(reading.who + " serves DNSKEY set " + dns::key_tags_text(reading.tags) +
                      (overlaps ? " (rollover not complete there)" : " (no key in common)"));
    }
    if (odd.empty()) {
        check.summary = "same DNSKEY set (" + dns::key_tags_text(ref) + ") at all " +
                        std::to_string(readings.size()) + " servers";
        return check;
    }
    for (const std::string& text : odd) {
        check.summary += (check.summary.empty() ? "" : "; ") + text;
    }
    check.summary += "; the others serve " + dns::key_tags_text(ref);
    return check;
}

Subcheck judge_behind_age(std::string_view who, std::optional<std::int64_t> lagging_since, std::int64_t now,
                          const DurationThresholds& thresholds) {
    Subcheck check;
    check.name = "behind since";
    if (!lagging_since) {
        check.summary = std::string(who) + " is current";
        return check;
    }
    const std::int64_t age = std::max<std::int64_t>(0, now - *lagging_since);
    check.state = reached(age, thresholds);
    check.summary = std::string(who) + " behind for " + format_duration(age);
    check.set_fact("lagging_since", *lagging_since);
    check.set_fact("behind_seconds", age);
    return check;
}

}  // namespace anycast::checks

namespace anycast::checks {

std::vector<plugin::Subcheck> judge_dnssec_servers(std::span<const DnssecServer> servers,
                                                   std::string_view zone, DnssecMode mode, std::int64_t now,
                                                   const DurationThresholds& thresholds,
                                                   std::vector<DnssecProblem>* problems) {
    std::vector<plugin::Subcheck> checks;
    if (mode == DnssecMode::off) {
        return checks;
    }
    std::vector<DnssecMeasurement> measurements;
    std::vector<const DnssecServer*> measured;
    bool any_signed = false;
    for (const DnssecServer& server : servers) {
        if (server.soa == nullptr) {
            continue;  // no answer at all: the reachability findings say so already
        }
        measured.push_back(&server);
        measurements.push_back(measure_dnssec(server.who, zone, server.soa, server.dnskey, now));
        any_signed = any_signed || measurements.back().any_signature_data();
    }
    std::vector<KeySetReading> key_sets;
    for (std::size_t i = 0; i < measurements.size(); ++i) {
        const DnssecMeasurement& measurement = measurements[i];
        plugin::Subcheck check =
            judge_server_dnssec(measurement, mode, any_signed, now, thresholds, measured[i]->perfdata_prefix);
        check.name = "dnssec " + measurement.who;
        // What the first line says when a part is wrong: the server, then what is wrong with it
        // (one fault of both signatures once: the first line drops repeated texts).
        const auto one_fault = one_fault_text(check.children);
        for (plugin::Subcheck& child : check.children) {
            if (child.state != plugin::State::ok) {
                child.headline = measurement.who + ": " + one_fault.value_or(child.summary);
            }
        }
        if (check.children.empty() && check.state != plugin::State::ok) {
            check.headline = measurement.who + ": " + check.summary;
        }
        if (const plugin::State state = check.effective_state(); state != plugin::State::ok && problems) {
            problems->push_back({state, measurement.who + ": " + check.summary});
        }
        if (!measurement.key_tags.empty()) {
            key_sets.push_back({measurement.who, measurement.key_tags});
        }
        checks.push_back(std::move(check));
    }
    if (key_sets.size() >= 2) {
        plugin::Subcheck keys = judge_key_sets(key_sets);
        keys.headline = keys.summary;
        if (keys.state != plugin::State::ok && problems) {
            problems->push_back({keys.state, keys.summary});
        }
        checks.push_back(std::move(keys));
    }
    if (problems) {
        std::stable_sort(problems->begin(), problems->end(),
                         [](const DnssecProblem& a, const DnssecProblem& b) {
                             return plugin::worse(a.state, b.state) == a.state && a.state != b.state;
                         });
    }
    return checks;
}

}  // namespace anycast::checks
