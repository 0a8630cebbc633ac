#include "vantages/check.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "checks/anycast_dns.hpp"
#include "checks/shared.hpp"
#include "plugin/error.hpp"
#include "plugin/escape.hpp"
#include "plugin/file.hpp"
#include "plugin/range.hpp"
#include "plugin/text.hpp"
#include "sites/site_rules.hpp"
#include "sites/sites_file.hpp"

namespace anycast::vantages {
namespace {

using plugin::ArgKind;
using plugin::State;

State parse_state_word(std::string_view value, std::initializer_list<State> allowed) {
    for (const State state : allowed) {
        std::string name(plugin::state_name(state));
        for (char& c : name) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        if (value == name) {
            return state;
        }
    }
    throw InputError("'" + std::string(value) + "' is not one of the states allowed here");
}

std::string required_text(std::string_view value, const char* what) {
    const std::string_view text = plugin::trim_blanks(value);
    if (text.empty()) {
        throw InputError(std::string("empty ") + what);
    }
    return std::string(text);
}

void add_site(Rules& rules, std::string code) {
    if (std::find(rules.sites.begin(), rules.sites.end(), code) == rules.sites.end()) {
        rules.sites.push_back(std::move(code));
    }
}

void define_api_options(plugin::OptionParser& parser, VantagesConfig& config) {
    parser.add({"api", 0, ArgKind::required, "URL",
                "The Icinga 2 REST API, https://HOST[:PORT] (required), e.g. https://localhost:5665."},
               [&config](std::string_view value) {
                   config.api.url = required_text(value, "--api");
                   validate_api_url(config.api.url);
               });
    parser.add({"ca-file", 0, ArgKind::required, "FILE",
                "CA certificate(s) (PEM) the API's certificate must chain to, e.g. "
                "/var/lib/icinga2/certs/ca.crt (default: the system's CA store)."},
               [&config](std::string_view value) {
                   config.api.ca_file = required_text(value, "--ca-file");  // read under the deadline
               });
    parser.add({"api-cert-name", 0, ArgKind::required, "NAME",
                "The name the API's certificate must carry, when it is not the URL's host (the master's "
                "NodeName, with --api https://127.0.0.1:5665)."},
               [&config](std::string_view value) {
                   config.api.cert_name = required_text(value, "--api-cert-name");
               });
    parser.add({"api-user", 0, ArgKind::required, "USER",
                "The ApiUser (required); it needs objects/query/Service and objects/query/Host (the query "
                "joins each service's host)."},
               [&config](std::string_view value) { config.api.user = required_text(value, "--api-user"); });
    parser.add({"api-password-file", 0, ArgKind::required, "FILE",
                "File whose first line is the ApiUser's password (never give it on the command line)."},
               [&config](std::string_view value) {
                   config.password_file = required_text(value, "--api-password-file");
               });
    parser.add({"api-password-env", 0, ArgKind::required, "VAR",
                "Environment variable holding the password when no --api-password-file is given "
                "(default ICINGA2_API_PASSWORD)."},
               [&config](std::string_view value) {
                   config.password_env = required_text(value, "--api-password-env");
               });
}

void define_judgement_options(plugin::OptionParser& parser, Rules& rules) {
    parser.add({"service", 0, ArgKind::required, "NAME",
                "The service to judge across vantage points (required): its name as on every vantage host."},
               [&rules](std::string_view value) { rules.service = required_text(value, "--service"); });
    parser.add({"catchment-service", 0, ArgKind::required, "NAME",
                "The service whose site_CODE perfdata tells which site each vantage point reaches "
                "(check_anycast_site; default: --service)."},
               [&rules](std::string_view value) {
                   rules.catchment_service = required_text(value, "--catchment-service");
               });
    parser.add({"health-service", 0, ArgKind::required, "NAME",
                "A service on each vantage host that tells whether the vantage point itself is healthy; "
                "a vantage point whose health service is not OK is left out. Repeatable.",
                true},
               [&rules](std::string_view value) {
                   rules.health_services.push_back(required_text(value, "--health-service"));
               });
    parser.add({"fail-warning", 0, ArgKind::required, "N[%]",
                "WARNING when at least N (or N% of the) counted vantage points fail (default 1)."},
               [&rules](std::string_view value) { rules.fail_warning = checks::parse_fail_limit(value); });
    parser.add({"fail-critical", 0, ArgKind::required, "N[%]",
                "CRITICAL when at least N (or N% of the) counted vantage points fail (default 25%)."},
               [&rules](std::string_view value) { rules.fail_critical = checks::parse_fail_limit(value); });
    parser.add({"fail-state", 0, ArgKind::required, "STATE",
                "The lowest state of the service that counts as failing: warning (default: WARNING and "
                "CRITICAL fail) or critical."},
               [&rules](std::string_view value) {
                   rules.fail_state = parse_state_word(value, {State::warning, State::critical});
               });
    parser.add_flag({"unknown-fails", 0, ArgKind::none, "",
                     "Count UNKNOWN results as failing; by default a vantage point whose check could not "
                     "answer is left out (its own problem) and named."},
                    rules.unknown_fails);
    parser.add({"max-age", 0, ArgKind::required, "SECONDS",
                "Leave out vantage points whose result is older (default: 3 check intervals of the "
                "service, at least 60 s)."},
               [&rules](std::string_view value) {
                   rules.max_age = plugin::parse_duration_seconds(value);
                   if (*rules.max_age <= 0) {
                       throw InputError("--max-age must be above 0");
                   }
               });
}

void define_site_options(plugin::OptionParser& parser, VantagesConfig& config) {
    Rules& rules = config.rules;
    parser.add({"site", 0, ArgKind::required, "CODE[=ADDR...]",
                "A site of the service, so that a site no vantage point reaches is named. Repeatable.", true},
               [&rules](std::string_view value) {
                   std::string code(plugin::trim_blanks(value));
                   if (code.find('=') != std::string::npos) {
                       code = sites::parse_site_option(code).code;
                   }
                   std::transform(code.begin(), code.end(), code.begin(),
                                  [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
                   if (!sites::is_site_code(code)) {
                       throw InputError("'" + code + "' is not a site code");
                   }
                   add_site(rules, code);
               });
    parser.add({"sites-file", 0, ArgKind::required, "FILE",
                "Sites file (as check_anycast_site's): its site codes are the known sites."},
               [&config](std::string_view value) {
                   config.sites_file = required_text(value, "--sites-file");  // read under the deadline
               });
    parser.add(
        {"unserved-site-state", 0, ArgKind::required, "STATE",
         "State when a known site draws no vantage point: ok (default), warning or critical."},
        [&rules](std::string_view value) {
            rules.unserved_site_state = parse_state_word(value, {State::ok, State::warning, State::critical});
        });
}

// The files named by options, read once the run's deadline exists (as the other checks read theirs):
// the CA file only to refuse at once what curl could not use, the sites file for its site codes.
// Errors name the option and the file.
Rules read_option_files(const VantagesConfig& config) {
    Rules rules = config.rules;
    if (rules.catchment_service.empty()) {
        rules.catchment_service = rules.service;
    }
    try {
        if (config.api.ca_file) {
            (void)plugin::read_input_file(*config.api.ca_file, "CA file");
        }
    } catch (const InputError& error) {
        throw InputError(std::string("--ca-file: ") + error.what());
    }
    try {
        if (config.sites_file) {
            for (const auto& site : sites::load_sites_file(*config.sites_file)) {
                add_site(rules, site.code);
            }
        }
    } catch (const InputError& error) {
        throw InputError(std::string("--sites-file: ") + error.what());
    }
    return rules;
}

plugin::CheckResult unknown_result(std::string summary) {
    plugin::CheckResult result;
    result.state_override = State::unknown;
    result.summary = std::move(summary);
    return result;
}

}  // namespace

plugin::OptionParser define_vantages_options(VantagesConfig& config, plugin::CommonOptions& common) {
    plugin::OptionParser parser(
        "check_anycast_vantages", "--api URL --api-user USER --service NAME [options]",
        "Judges one service across all vantage points through the Icinga 2 REST API: how many "
        "vantage points fail and which, leaving out and naming those with a problem of their own, "
        "and which site each vantage point reaches.");
    plugin::add_common_options(parser, common);
    define_api_options(parser, config);
    define_judgement_options(parser, config.rules);
    define_site_options(parser, config);
    return parser;
}

std::string api_password(const VantagesConfig& config) {
    std::string password;
    if (config.password_file) {
        const std::string text = plugin::read_input_file(*config.password_file, "password file", 4096);
        password = text.substr(0, text.find('\n'));
        if (!password.empty() && password.back() == '\r') {
            password.pop_back();
        }
        if (password.empty()) {
            throw InputError("password file " + *config.password_file + ": the first line is empty");
        }
        return password;
    }
    const char* value = std::getenv(config.password_env.c_str());
    if (value == nullptr || *value == '\0') {
        throw InputError("no API password: give --api-password-file FILE or set " + config.password_env);
    }
    return value;
}

std::string query_body(const Rules& rules) {
    nlohmann::json names = nlohmann::json::array({rules.service});
    for (const std::string& name : rules.health_services) {
        names.push_back(name);
    }
    if (rules.catchment_service != rules.service) {
        names.push_back(rules.catchment_service);
    }
    // The names travel as filter_vars, never spliced into the filter: a service name cannot
    // change the expression.
    const nlohmann::json body = {
        {"filter", "service.name in names"},
        {"filter_vars", {{"names", names}}},
        {"attrs", {"name", "host_name", "last_check_result", "check_interval", "downtime_depth"}},
        {"joins", {"host.name", "host.state", "host.last_check_result", "host.downtime_depth"}},
    };
    return body.dump();
}

plugin::CheckResult run_vantages(const VantagesConfig& config, const plugin::CommonOptions& common) {
    const auto deadline = checks::run_deadline(common);
    if (config.api.url.empty() || config.api.user.empty() || config.rules.service.empty()) {
        throw InputError("give --api URL, --api-user USER and --service NAME");
    }
    const Rules rules = read_option_files(config);
    ApiConfig api = config.api;
    api.password = api_password(config);
    std::optional<std::string> body;
    try {
        body = api_query(api, "/v1/objects/services", query_body(rules), deadline);
    } catch (const ApiError& error) {
        return unknown_result(error.what());
    }
    if (!body) {
        body = R"({"results": []})";  // HTTP 404, "No objects found.": judged as an empty list
    }
    std::vector<ServiceRow> rows;
    try {
        rows = parse_services_response(*body);
    } catch (const ResponseError& error) {
        return unknown_result(error.what());
    }
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    plugin::CheckResult result = judge_vantages(rows, rules, now);
    if (result.subchecks.empty() && result.state_override == State::unknown) {
        // No row: the service does not exist, or this ApiUser may not see it (the API says the same).
        result.summary += " that API user '" + plugin::escape_untrusted(api.user, 60) + "' may see";
    }
    return result;
}

}  // namespace anycast::vantages
