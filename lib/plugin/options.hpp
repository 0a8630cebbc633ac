#pragma once
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "plugin/output.hpp"
#include "plugin/range.hpp"

namespace anycast::plugin {

enum class ArgKind { none, required };

struct OptionSpec {
    std::string long_name{};  // without "--"; may be empty when short_name is set
    char short_name = 0;      // 0 = long option only
    ArgKind arg = ArgKind::none;
    std::string arg_name{};  // shown in --help: --hostname=HOST
    std::string help{};      // wrapped at 79 columns in --help; '\n' starts a new line
    bool repeatable = false;
};

// getopt_long-based parser. One table per check drives both parsing and --help, so they cannot disagree.
class OptionParser {
public:
    enum class Outcome { run, help, version };

    OptionParser(std::string program, std::string synopsis, std::string description);

    // on_value receives the argument (empty for flags). Throws std::logic_error on a duplicate name
    // (a programming error, not user input).
    void add(OptionSpec spec, std::function<void(std::string_view value)> on_value);
    // A flag (ArgKind::none) that sets target to true.
    void add_flag(OptionSpec spec, bool& target);

    // An option (e.g. --help) that makes parse() return the given outcome instead of running the check.
    void add_outcome(OptionSpec spec, Outcome outcome);

    // A step that needs every option read first (-e RDATA is parsed for the type -T gives, wherever
    // -T stands): run by parse(), in the order added, once all options were read without error and
    // neither --help nor --version was asked. What it throws is reported as is: name the option.
    void after_parse(std::function<void()> step);

    // Parses argv (getopt_long permutes it). Throws anycast::InputError for an unknown option, a missing
    // argument, a non-repeatable option given twice, a stray positional argument, and any exception from a
    // handler (prefixed with the option: "--port: 'x' is not a number"). When help or version was
    // requested, that outcome wins over errors anywhere on the command line. All handlers of valid options
    // run even when an error is thrown (so --output-format=json is known when reporting it).
    // Safe to call many times in one process (resets getopt's state), but not from two threads at once:
    // getopt keeps that state in globals.
    Outcome parse(int argc, char* argv[]);

    // Version line, usage (wrapped), description, then each option as `  -H, --hostname=HOST` with its help
    // wrapped at 79 columns and indented 6, in the order added. Ends with a newline.
    std::string help_text() const;
    // "<program> (anycast-checks) <version>\n".
    std::string version_text() const;
    const std::vector<OptionSpec>& specs() const;
    const std::string& program() const { return program_; }

private:
    std::string program_;
    std::string synopsis_;
    std::string description_;
    std::vector<OptionSpec> specs_;
    std::vector<std::function<void(std::string_view)>> handlers_;
    std::vector<Outcome> outcomes_;  // per option: run for ordinary options
    std::vector<std::function<void()>> after_parse_;
};

// The reserved options every check has.
struct CommonOptions {
    // When the run began: run_plugin builds CommonOptions before parsing anything, so --timeout is
    // counted from here (the process's start, less the dynamic loader's millisecond or so).
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    double timeout_seconds = 10.0;
    int verbosity = 0;
    OutputFormat output_format = OutputFormat::text;
};

inline constexpr double max_timeout_seconds = 3600.0;
inline constexpr int max_verbosity = 3;

// -h/--help, -V/--version, -t/--timeout=SECONDS (duration syntax, > 0, <= 3600), -v/--verbose
// (repeatable, counts up to 3), --output-format=text|json.
void add_common_options(OptionParser& parser, CommonOptions& common);

// -w/--warning=RANGE and -c/--critical=RANGE, parsed in the given unit family; `what` names the measured
// value in --help ("response time").
void add_threshold_options(OptionParser& parser, Thresholds& thresholds, UnitFamily family,
                           std::string_view what);

// Parsers for option handlers; each throws anycast::InputError naming the text.
int parse_int(std::string_view text, int min, int max);

}  // namespace anycast::plugin
