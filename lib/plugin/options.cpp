#include "plugin/options.hpp"

#include <getopt.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <stdexcept>

#include "plugin/error.hpp"
#include "plugin/escape.hpp"
#include "version.hpp"

namespace anycast::plugin {

namespace {

constexpr std::size_t help_width = 79;
constexpr std::size_t help_indent = 6;
constexpr int long_only_base = 256;  // getopt values above any char for options without a short name
constexpr std::size_t max_quoted_bytes = 64;

std::string quoted(std::string_view text) {
    return "'" + escape_untrusted(text, max_quoted_bytes) + "'";
}

std::string display_name(const OptionSpec& spec) {
    if (!spec.long_name.empty()) {
        return "--" + spec.long_name;
    }
    return std::string("-") + spec.short_name;
}

bool is_valid_short_name(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Greedy word wrap; '\n' in the text starts a new line. Lines after a paragraph's first get
// continuation_indent extra spaces (for the usage line).
void append_wrapped(std::string_view text, std::size_t indent, std::string& out,
                    std::size_t continuation_indent = 0) {
    const std::string first_prefix(indent, ' ');
    const std::string next_prefix(indent + continuation_indent, ' ');
    std::size_t paragraph_start = 0;
    while (paragraph_start <= text.size()) {
        auto paragraph_end = text.find('\n', paragraph_start);
        if (paragraph_end == std::string_view::npos) {
            paragraph_end = text.size();
        }
        const std::string_view paragraph = text.substr(paragraph_start, paragraph_end - paragraph_start);
        std::string line;
        const std::string* prefix = &first_prefix;
        std::size_t pos = 0;
        while (pos < paragraph.size()) {
            const auto word_start = paragraph.find_first_not_of(' ', pos);
            if (word_start == std::string_view::npos) {
                break;
            }
            auto word_end = paragraph.find(' ', word_start);
            if (word_end == std::string_view::npos) {
                word_end = paragraph.size();
            }
            const std::string_view word = paragraph.substr(word_start, word_end - word_start);
            if (!line.empty() && prefix->size() + line.size() + 1 + word.size() > help_width) {
                out += *prefix + line + '\n';
                line.clear();
                prefix = &next_prefix;
            }
            if (!line.empty()) {
                line += ' ';
            }
            line += word;
            pos = word_end;
        }
        out += line.empty() ? "\n" : *prefix + line + '\n';
        paragraph_start = paragraph_end + 1;
    }
}

std::string option_heading(const OptionSpec& spec) {
    std::string heading = "  ";
    if (spec.short_name != 0) {
        heading += std::string("-") + spec.short_name;
        if (!spec.long_name.empty()) {
            heading += ", --" + spec.long_name;
        }
    } else {
        heading += "    --" + spec.long_name;
    }
    if (spec.arg == ArgKind::required) {
        const std::string arg_name = spec.arg_name.empty() ? "VALUE" : spec.arg_name;
        heading += (spec.long_name.empty() ? " " : "=") + arg_name;
    }
    return heading;
}

std::string_view threshold_hint(UnitFamily family) {
    switch (family) {
        case UnitFamily::duration:
            return " Values in seconds, or with a unit: 200ms, 0.2s, 500us.";
        case UnitFamily::percent:
            return " Values in percent, with or without %.";
        case UnitFamily::distance_km:
            return " Values in kilometres, with or without km.";
        case UnitFamily::plain:
            return "";
    }
    return "";
}

}  // namespace

OptionParser::OptionParser(std::string program, std::string synopsis, std::string description)
    : program_(std::move(program)), synopsis_(std::move(synopsis)), description_(std::move(description)) {}

void OptionParser::add(OptionSpec spec, std::function<void(std::string_view value)> on_value) {
    if (spec.long_name.empty() && spec.short_name == 0) {
        throw std::logic_error("option without a name");
    }
    if (spec.short_name != 0 && !is_valid_short_name(spec.short_name)) {
        throw std::logic_error("option short name must be a letter or digit");
    }
    for (const auto& existing : specs_) {
        if ((!spec.long_name.empty() && existing.long_name == spec.long_name) ||
            (spec.short_name != 0 && existing.short_name == spec.short_name)) {
            throw std::logic_error("option " + display_name(spec) + " defined twice");
        }
    }
    specs_.push_back(std::move(spec));
    handlers_.push_back(std::move(on_value));
    outcomes_.push_back(Outcome::run);
}

void OptionParser::add_flag(OptionSpec spec, bool& target) {
    spec.arg = ArgKind::none;
    add(std::move(spec), [&target](std::string_view) { target = true; });
}

void OptionParser::add_outcome(OptionSpec spec, Outcome outcome) {
    spec.arg = ArgKind::none;
    add(std::move(spec), [](std::string_view) {});
    outcomes_.back() = outcome;
}

OptionParser::Outcome OptionParser::parse(int argc, char* argv[]) {
    // A leading ':' makes getopt report a missing argument as ':' instead of '?'.
    std::string short_options = ":";
    std::vector<option> long_options;
    for (std::size_t i = 0; i < specs_.size(); ++i) {
        const auto& spec = specs_[i];
        const int has_arg = spec.arg == ArgKind::required ? required_argument : no_argument;
        const int value = spec.short_name != 0 ? spec.short_name : long_only_base + static_cast<int>(i);
        if (spec.short_name != 0) {
            short_options += spec.short_name;
            if (spec.arg == ArgKind::required) {
                short_options += ':';
            }
        }
        if (!spec.long_name.empty()) {
            long_options.push_back({spec.long_name.c_str(), has_arg, nullptr, value});
        }
    }
    long_options.push_back({nullptr, 0, nullptr, 0});

    const auto index_of_value = [&](int value) -> std::optional<std::size_t> {
        if (value >= long_only_base) {
            const auto index = static_cast<std::size_t>(value - long_only_base);
            return index < specs_.size() ? std::optional(index) : std::nullopt;
        }
        for (std::size_t i = 0; i < specs_.size(); ++i) {
            if (specs_[i].short_name != 0 && specs_[i].short_name == value) {
                return i;
            }
        }
        return std::nullopt;
    };
    // The text of the argument getopt just rejected, without any "=value" (which may be a secret).
    const auto offending_text = [&]() -> std::string {
        if (optind < 1 || optind > argc || argv[optind - 1] == nullptr) {
            return "?";
        }
        std::string_view text = argv[optind - 1];
        return std::string(text.substr(0, text.find('=')));
    };

    // getopt keeps its position in globals; optind = 0 makes glibc reinitialise completely.
    optind = 0;
    opterr = 0;
    std::vector<int> counts(specs_.size(), 0);
    std::optional<std::string> first_error;
    Outcome requested = Outcome::run;
    const auto note_error = [&](std::string message) {
        if (!first_error) {
            first_error = std::move(message);
        }
    };

    for (;;) {
        const int c = getopt_long(argc, argv, short_options.c_str(), long_options.data(), nullptr);
        if (c == -1) {
            break;
        }
        if (c == '?') {
            const auto known = optopt != 0 ? index_of_value(optopt) : std::nullopt;
            if (known) {
                note_error("option " + display_name(specs_[*known]) + " does not take a value");
            } else if (optopt != 0) {
                note_error("unknown option " + quoted(std::string("-") + static_cast<char>(optopt)));
            } else {
                note_error("unknown or ambiguous option " + quoted(offending_text()));
            }
            continue;
        }
        const auto index = index_of_value(c == ':' ? optopt : c);
        if (!index) {
            note_error("unknown option " + quoted(offending_text()));
            continue;
        }
        const auto& spec = specs_[*index];
        if (c == ':') {
            const std::string arg_name = spec.arg_name.empty() ? "a value" : spec.arg_name;
            note_error("option " + display_name(spec) + " needs " + arg_name);
            continue;
        }
        if (++counts[*index] > 1 && !spec.repeatable) {
            note_error("option " + display_name(spec) + " given more than once");
            continue;
        }
        if (outcomes_[*index] != Outcome::run) {
            if (requested == Outcome::run) {
                requested = outcomes_[*index];
            }
            continue;
        }
        try {
            handlers_[*index](optarg != nullptr ? std::string_view(optarg) : std::string_view{});
        } catch (const std::exception& error) {
            note_error(display_name(spec) + ": " + error.what());
        }
    }
    if (optind < argc) {
        note_error("unexpected argument " + quoted(argv[optind] != nullptr ? argv[optind] : ""));
    }
    if (requested != Outcome::run) {
        return requested;
    }
    if (first_error) {
        throw InputError(*first_error);
    }
    for (const auto& step : after_parse_) {
        step();
    }
    return Outcome::run;
}

void OptionParser::after_parse(std::function<void()> step) {
    after_parse_.push_back(std::move(step));
}

std::string OptionParser::help_text() const {
    std::string text = version_text() + "\n";
    append_wrapped("Usage: " + program_ + (synopsis_.empty() ? "" : " " + synopsis_), 0, text, help_indent);
    if (!description_.empty()) {
        text += "\n";
        append_wrapped(description_, 0, text);
    }
    text += "\nOptions:\n";
    for (const auto& spec : specs_) {
        text += option_heading(spec) + "\n";
        if (!spec.help.empty()) {
            append_wrapped(spec.help, help_indent, text);
        }
    }
    return text;
}

std::string OptionParser::version_text() const {
    return program_ + " (anycast-checks) " + anycast::version + "\n";
}

const std::vector<OptionSpec>& OptionParser::specs() const {
    return specs_;
}

void add_common_options(OptionParser& parser, CommonOptions& common) {
    parser.add_outcome({"help", 'h', ArgKind::none, "", "Print this help and exit (state UNKNOWN)."},
                       OptionParser::Outcome::help);
    parser.add_outcome({"version", 'V', ArgKind::none, "", "Print the version and exit (state UNKNOWN)."},
                       OptionParser::Outcome::version);
    parser.add({"timeout", 't', ArgKind::required, "SECONDS",
                "One deadline for the whole run, counted from its start, name resolution included: by "
                "then the check has printed its report and exited, so it stops waiting 10 ms before. "
                "Whatever has not answered has failed. Default 10 seconds, at most 3600; accepts 10, "
                "2.5s, 500ms."},
               [&common](std::string_view value) {
                   const double seconds = parse_duration_seconds(value);
                   if (seconds <= 0 || seconds > max_timeout_seconds) {
                       throw InputError(quoted(value) + " is not between 0 (exclusive) and 3600 seconds");
                   }
                   common.timeout_seconds = seconds;
               });
    parser.add(
        {"verbose", 'v', ArgKind::none, "",
         "Show more detail: once adds the facts behind each line. May be repeated (up to 3).", true},
        [&common](std::string_view) { common.verbosity = std::min(common.verbosity + 1, max_verbosity); });
    parser.add({"output-format", 0, ArgKind::required, "FORMAT",
                "text (default): the Monitoring Plugins format; json: one JSON object with the same states, "
                "facts and perfdata, for scripts and tests."},
               [&common](std::string_view value) { common.output_format = parse_output_format(value); });
}

void add_threshold_options(OptionParser& parser, Thresholds& thresholds, UnitFamily family,
                           std::string_view what) {
    const std::string syntax =
        " RANGE uses the Nagios syntax: 10 alerts below 0 or above 10, 10: below 10, ~:10 above 10, 10:20 "
        "outside 10..20, @10:20 inside 10..20 (bounds inclusive)." +
        std::string(threshold_hint(family));
    parser.add(
        {"warning", 'w', ArgKind::required, "RANGE",
         "WARNING when the " + std::string(what) + " is in the alert region of RANGE." + syntax},
        [&thresholds, family](std::string_view value) { thresholds.warning = parse_range(value, family); });
    parser.add(
        {"critical", 'c', ArgKind::required, "RANGE",
         "CRITICAL when the " + std::string(what) +
             " is in the alert region of RANGE (checked before "
             "--warning)." +
             syntax},
        [&thresholds, family](std::string_view value) { thresholds.critical = parse_range(value, family); });
}

int parse_int(std::string_view text, int min, int max) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size() || value < min ||
        value > max) {
        throw InputError(quoted(text) + " is not a whole number from " + std::to_string(min) + " to " +
                         std::to_string(max));
    }
    return value;
}

}  // namespace anycast::plugin
