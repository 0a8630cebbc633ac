#include "checks/shared.hpp"

#include <algorithm>
#include <chrono>
#include <type_traits>
#include <unordered_set>

#include "plugin/error.hpp"
#include "plugin/file.hpp"
#include "plugin/number.hpp"
#include "plugin/range.hpp"

namespace anycast::checks {

using plugin::ArgKind;

void Findings::add(plugin::State state, std::string text) {
    state_ = plugin::worse(state_, state);
    text_ += (text_.empty() ? "" : "; ") + text;
}

std::string Findings::before(const std::string& details) const {
    return text_.empty() ? details : text_ + " - " + details;
}

dns::Clock::time_point run_deadline(const plugin::CommonOptions& common) {
    static_assert(std::is_same_v<dns::Clock, decltype(common.started)::clock>);
    const auto timeout = std::chrono::duration_cast<dns::Clock::duration>(
        std::chrono::duration<double>(common.timeout_seconds));
    const auto exit_reserve = std::min<dns::Clock::duration>(std::chrono::milliseconds{10}, timeout / 10);
    return common.started + timeout - exit_reserve;
}

void add_host_options(plugin::OptionParser& parser, std::vector<std::string>& hosts,
                      dns::AddressFamily& family, std::string arg_name, std::string help) {
    parser.add({"hostname", 'H', ArgKind::required, std::move(arg_name), std::move(help), true},
               [&hosts](std::string_view value) { hosts.emplace_back(value); });
    parser.add({"ipv4", '4', ArgKind::none, "", "Use only the IPv4 addresses of host names."},
               [&family](std::string_view) { family = dns::AddressFamily::ipv4; });
    parser.add({"ipv6", '6', ArgKind::none, "", "Use only the IPv6 addresses of host names."},
               [&family](std::string_view) { family = dns::AddressFamily::ipv6; });
}

void add_port_option(plugin::OptionParser& parser, std::uint16_t& port, std::string help) {
    parser.add({"port", 'p', ArgKind::required, "PORT", std::move(help)},
               [&port](std::string_view value) { port = dns::parse_port(value); });
}

void add_site_rule_options(plugin::OptionParser& parser, SiteOptions& options, std::string sites_file_help,
                           std::string site_regex_help) {
    parser.add({"sites-file", 0, ArgKind::required, "FILE", std::move(sites_file_help)},
               [&options](std::string_view value) { options.sites_files.emplace_back(value); });
    parser.add({"site-regex", 0, ArgKind::required, "REGEX", std::move(site_regex_help), true},
               [&options](std::string_view value) {
                   sites::SiteRules trial;  // a bad pattern is reported now, naming the option
                   trial.add_regex(value);
                   options.site_regexes.emplace_back(value);
               });
    parser.add({"rules-file", 0, ArgKind::required, "FILE",
                "Your own naming rules, in the format of the shipped site-rules.conf (see "
                "docs/site-rules.md), tried after --site-regex and before the shipped rules. "
                "Repeatable.",
                true},
               [&options](std::string_view value) { options.rules_files.emplace_back(value); });
}

std::vector<sites::SiteEntry> load_sites(const SiteOptions& options) {
    std::vector<sites::SiteEntry> all = options.sites;
    for (const std::string& path : options.sites_files) {
        const std::string text = plugin::read_input_file(path, "sites file", sites::max_sites_file_bytes);
        for (auto& site : sites::parse_sites_text(text, path)) {
            all.push_back(std::move(site));
        }
    }
    std::unordered_set<std::string_view> codes;  // linear: a sites file may hold 50k sites
    for (const sites::SiteEntry& entry : all) {
        if (!codes.insert(entry.code).second) {
            throw InputError("site '" + entry.code + "' is defined twice");
        }
    }
    return all;
}

void add_range_options(plugin::OptionParser& parser, std::string_view name, plugin::Thresholds& thresholds,
                       plugin::UnitFamily family, std::string warning_help, std::string critical_help) {
    parser.add({std::string(name) + "-warning", 0, ArgKind::required, "RANGE", std::move(warning_help)},
               [&thresholds, family](std::string_view value) {
                   thresholds.warning = plugin::parse_range(value, family);
               });
    parser.add({std::string(name) + "-critical", 0, ArgKind::required, "RANGE", std::move(critical_help)},
               [&thresholds, family](std::string_view value) {
                   thresholds.critical = plugin::parse_range(value, family);
               });
}

void add_retry_options(plugin::OptionParser& parser, dns::RetryPolicy& retry) {
    parser.add(
        {"retries", 0, ArgKind::required, "N",
         "Send a UDP query that has no answer yet again, up to N times (default 2, i.e. 3 tries "
         "as dig makes; 0 turns retransmission off). Each try uses a new source port and ID; a late "
         "answer to an earlier try still counts, timed from that try. Never past --timeout."},
        [&retry](std::string_view value) { retry.retries = plugin::parse_int(value, 0, dns::max_retries); });
    parser.add({"retry-interval", 0, ArgKind::required, "DURATION",
                "Time between tries (default: --timeout divided by the number of tries, at most 1s)."},
               [&retry](std::string_view value) {
                   const double seconds = plugin::parse_duration_seconds(value);
                   if (seconds < 0.001 || seconds > 60) {
                       throw InputError("'" + std::string(value) + "' must be between 1ms and 60s");
                   }
                   retry.interval = std::chrono::duration_cast<dns::Clock::duration>(
                       std::chrono::duration<double>(seconds));
               });
}

std::string ip_literal_value(std::string_view value) {
    if (!dns::parse_ip_literal(value, 53)) {
        throw InputError("'" + std::string(value) + "' is not an IP address");
    }
    return std::string(value);
}

}  // namespace anycast::checks
