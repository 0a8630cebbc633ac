#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "plugin/options.hpp"
#include "plugin/result.hpp"

namespace anycast::plugin {

// The whole main() of a check, so no check can get the error paths wrong:
//
//   struct DnsConfig { std::vector<std::string> addresses; Thresholds rtt; };
//   OptionParser define_dns_options(DnsConfig& config, CommonOptions& common) {
//       OptionParser parser("check_anycast_dns", "-H ADDRESS [-H ADDRESS]... [options]", "Checks ...");
//       add_common_options(parser, common);
//       parser.add({"hostname", 'H', ArgKind::required, "ADDRESS", "Server to query.", true},
//                  [&config](std::string_view v) { config.addresses.emplace_back(v); });
//       add_threshold_options(parser, config.rtt, UnitFamily::duration, "response time");
//       return parser;
//   }
//   CheckResult run_dns_check(const DnsConfig& config, const CommonOptions& common);  // may throw
//   int main(int argc, char** argv) {
//       return anycast::plugin::run_plugin<DnsConfig>("ANYCAST DNS", argc, argv, define_dns_options,
//                                                     run_dns_check);
//   }
//
// Config must be default-constructible; the references given to define_options stay valid until run
// returns. run_plugin:
//   * --help / --version: prints help_text() / version_text() to stdout, returns 3 (the guidelines' UNKNOWN);
//   * anycast::InputError anywhere (parsing, cross-field checks in run): `LABEL UNKNOWN - <message>`;
//   * any other exception: `LABEL UNKNOWN - internal error: <what>` (catch (...) too);
//   * otherwise renders the CheckResult (label forced to `label`) in the chosen --output-format;
//   * error reports use JSON when --output-format=json was on the command line (even after the error);
//   * flushes stdio, writes the report with write(2) (one call for any normal size), and returns
//   exit_code(state): never outside 0..3.
// `run` must honour common.timeout_seconds itself (no SIGALRM: no global state).
int run_plugin_erased(std::string_view label, int argc, char* argv[],
                      const std::function<OptionParser(CommonOptions&)>& define_options,
                      const std::function<CheckResult(const CommonOptions&)>& run) noexcept;

template <typename Config, typename DefineOptions, typename Run>
int run_plugin(std::string_view label, int argc, char* argv[], DefineOptions&& define_options, Run&& run) {
    std::optional<Config> config;  // built inside the guarded region: its constructor may throw
    return run_plugin_erased(
        label, argc, argv,
        [&](CommonOptions& common) {
            config.emplace();
            return define_options(*config, common);
        },
        [&](const CommonOptions& common) -> CheckResult { return run(std::as_const(*config), common); });
}

// Where run_plugin sends its output (exposed for tests): the same rules, but returns text and exit code.
struct PluginOutput {
    std::string text;
    int exit_code = 3;
};
PluginOutput evaluate_plugin(std::string_view label, int argc, char* argv[],
                             const std::function<OptionParser(CommonOptions&)>& define_options,
                             const std::function<CheckResult(const CommonOptions&)>& run) noexcept;

}  // namespace anycast::plugin
