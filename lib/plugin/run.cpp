#include "plugin/run.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "plugin/error.hpp"
#include "plugin/output.hpp"
#include "plugin/signals.hpp"

namespace anycast::plugin {

namespace {

PluginOutput unknown_output(std::string_view label, const std::string& message, OutputFormat format) {
    CheckResult result;
    result.label = std::string(label);
    // After a SIGTERM, whatever went wrong (a wait cut short) follows from it: name the cause.
    result.summary = termination_requested()
                         ? std::string("terminated by ") + termination_signal_name(termination_signal()) +
                               " before the check finished"
                         : message;
    result.state_override = State::unknown;
    return {render(result, format, 0), exit_code(State::unknown)};
}

// Used when even building the UNKNOWN report failed (e.g. out of memory): no allocation.
PluginOutput last_resort_output() noexcept {
    try {
        return {"UNKNOWN - internal error\n", 3};
    } catch (...) {
        return {{}, 3};
    }
}

}  // namespace

PluginOutput evaluate_plugin(std::string_view label, int argc, char* argv[],
                             const std::function<OptionParser(CommonOptions&)>& define_options,
                             const std::function<CheckResult(const CommonOptions&)>& run) noexcept {
    CommonOptions common;
    try {
        try {
            OptionParser parser = define_options(common);
            switch (parser.parse(argc, argv)) {
                case OptionParser::Outcome::help:
                    return {parser.help_text(), exit_code(State::unknown)};
                case OptionParser::Outcome::version:
                    return {parser.version_text(), exit_code(State::unknown)};
                case OptionParser::Outcome::run:
                    break;
            }
            CheckResult result = run(common);
            if (termination_requested()) {
                // What was measured before the signal is incomplete: not a verdict to act on.
                return unknown_output(label, {}, common.output_format);
            }
            result.label = std::string(label);
            std::string text = render(result, common.output_format, common.verbosity);
            if (common.output_format == OutputFormat::text) {
                text = bound_text_output(std::move(text));
            }
            return {std::move(text), exit_code(result.state())};
        } catch (const InputError& error) {
            return unknown_output(label, error.what(), common.output_format);
        } catch (const std::exception& error) {
            return unknown_output(label, std::string("internal error: ") + error.what(),
                                  common.output_format);
        } catch (...) {
            return unknown_output(label, "internal error: unexpected exception", common.output_format);
        }
    } catch (...) {
        return last_resort_output();
    }
}

int run_plugin_erased(std::string_view label, int argc, char* argv[],
                      const std::function<OptionParser(CommonOptions&)>& define_options,
                      const std::function<CheckResult(const CommonOptions&)>& run) noexcept {
    // Before anything can wait: from here on SIGPIPE cannot kill us and SIGTERM ends us as UNKNOWN.
    install_termination_handlers();
    const PluginOutput output = evaluate_plugin(label, argc, argv, define_options, run);
    // Anything a library printed by mistake goes first, then the report in as few write()s as the kernel
    // allows (one for any normal size), so a monitoring core never sees it interleaved.
    std::fflush(stdout);
    const char* data = output.text.data();
    std::size_t left = output.text.size();
    for (int attempts = 0; left > 0 && attempts < 100; ++attempts) {
        const ssize_t written = ::write(STDOUT_FILENO, data, left);
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written <= 0) {
            break;  // stdout closed or broken: nothing more we can report; the exit code still says it
        }
        data += written;
        left -= static_cast<std::size_t>(written);
    }
    return output.exit_code >= 0 && output.exit_code <= 3 ? output.exit_code : 3;
}

}  // namespace anycast::plugin
