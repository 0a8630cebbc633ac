#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "plugin/error.hpp"
#include "plugin/options.hpp"
#include "version.hpp"

using anycast::InputError;
using anycast::plugin::ArgKind;
using anycast::plugin::CommonOptions;
using anycast::plugin::OptionParser;
using anycast::plugin::OptionSpec;
using anycast::plugin::OutputFormat;
using anycast::plugin::Thresholds;
using anycast::plugin::UnitFamily;
using Outcome = anycast::plugin::OptionParser::Outcome;

namespace {

// getopt_long permutes argv, so tests hand it owned, mutable copies.
class Argv {
public:
    Argv(std::initializer_list<std::string> args) : storage_(args) {
        for (auto& arg : storage_) {
            pointers_.push_back(arg.data());
        }
        pointers_.push_back(nullptr);
    }
    int argc() const { return static_cast<int>(storage_.size()); }
    char** argv() { return pointers_.data(); }

private:
    std::vector<std::string> storage_;
    std::vector<char*> pointers_;
};

struct TestConfig {
    std::vector<std::string> hosts;
    int port = 53;
    bool tcp = false;
    Thresholds rtt;
};

OptionParser make_parser(TestConfig& config, CommonOptions& common) {
    OptionParser parser("check_test", "-H ADDRESS [-H ADDRESS]... [options]",
                        "Checks test things. This description is long enough that it has to be wrapped at "
                        "seventy-nine columns when the help text is printed.");
    add_common_options(parser, common);
    parser.add({"hostname", 'H', ArgKind::required, "ADDRESS", "Server to query; repeat for more.", true},
               [&config](std::string_view value) { config.hosts.emplace_back(value); });
    parser.add(
        {"port", 'p', ArgKind::required, "PORT", "UDP/TCP port (default 53)."},
        [&config](std::string_view value) { config.port = anycast::plugin::parse_int(value, 1, 65535); });
    parser.add_flag({"tcp", 0, ArgKind::none, "", "Query over TCP."}, config.tcp);
    add_threshold_options(parser, config.rtt, UnitFamily::duration, "response time");
    return parser;
}

std::string error_of(std::initializer_list<std::string> args) {
    TestConfig config;
    CommonOptions common;
    OptionParser parser = make_parser(config, common);
    Argv argv(args);
    try {
        parser.parse(argv.argc(), argv.argv());
    } catch (const InputError& error) {
        return error.what();
    }
    return "(no error)";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(options)

BOOST_AUTO_TEST_CASE(parses_values_flags_and_common_options) {
    TestConfig config;
    CommonOptions common;
    OptionParser parser = make_parser(config, common);
    Argv argv{"check_test",
              "-H",
              "192.0.2.1",
              "--hostname=::1",
              "-p",
              "5353",
              "--tcp",
              "-vv",
              "-v",
              "--timeout=500ms",
              "-w",
              "~:200ms",
              "--critical",
              "1",
              "--output-format",
              "json"};
    BOOST_TEST((parser.parse(argv.argc(), argv.argv()) == Outcome::run));
    BOOST_TEST(config.hosts == (std::vector<std::string>{"192.0.2.1", "::1"}));
    BOOST_TEST(config.port == 5353);
    BOOST_TEST(config.tcp);
    BOOST_TEST(common.verbosity == 3);
    BOOST_TEST(common.timeout_seconds == 0.5);
    BOOST_TEST((common.output_format == OutputFormat::json));
    BOOST_TEST_REQUIRE(config.rtt.warning.has_value());
    BOOST_TEST(config.rtt.warning->perfdata_text() == "~:0.2");
    BOOST_TEST(config.rtt.critical->perfdata_text() == "1");
}

BOOST_AUTO_TEST_CASE(defaults_without_options) {
    TestConfig config;
    CommonOptions common;
    OptionParser parser = make_parser(config, common);
    Argv argv{"check_test"};
    BOOST_TEST((parser.parse(argv.argc(), argv.argv()) == Outcome::run));
    BOOST_TEST(common.timeout_seconds == 10.0);
    BOOST_TEST(common.verbosity == 0);
    BOOST_TEST(!config.rtt.warning.has_value());
}

BOOST_AUTO_TEST_CASE(verbosity_is_capped) {
    TestConfig config;
    CommonOptions common;
    OptionParser parser = make_parser(config, common);
    Argv argv{"check_test", "-vvvvvv", "--verbose"};
    parser.parse(argv.argc(), argv.argv());
    BOOST_TEST(common.verbosity == anycast::plugin::max_verbosity);
}

BOOST_AUTO_TEST_CASE(errors_name_the_problem) {
    struct Case {
        std::initializer_list<std::string> args;
        std::string expected;
    };
    const Case cases[] = {
        {{"c", "--bogus"}, "unknown or ambiguous option '--bogus'"},
        {{"c", "--bogus=secret"}, "unknown or ambiguous option '--bogus'"},
        {{"c", "-x"}, "unknown option '-x'"},
        {{"c", "-H"}, "option --hostname needs ADDRESS"},
        {{"c", "--port"}, "option --port needs PORT"},
        {{"c", "--output-format"}, "option --output-format needs FORMAT"},
        {{"c", "-v", "--outp"}, "option --output-format needs FORMAT"},  // unique prefixes are accepted
        {{"c", "-p", "1", "-p", "2"}, "option --port given more than once"},
        {{"c", "--tcp", "--tcp"}, "option --tcp given more than once"},
        {{"c", "--tcp=yes"}, "option --tcp does not take a value"},
        {{"c", "-p", "x"}, "--port: 'x' is not a whole number from 1 to 65535"},
        {{"c", "-p", "70000"}, "--port: '70000' is not a whole number from 1 to 65535"},
        {{"c", "-w", "20:10"}, "--warning: '20:10' is not a valid range: start is greater than end"},
        {{"c", "-t", "0"}, "--timeout: '0' is not between 0 (exclusive) and 3600 seconds"},
        {{"c", "-t", "3601"}, "--timeout: '3601' is not between 0 (exclusive) and 3600 seconds"},
        {{"c", "-t", "soon"}, "--timeout: 'soon' is not a duration such as 10, 2.5s, 500ms or 250us"},
        {{"c", "--output-format=xml"}, "--output-format: 'xml' is not an output format (use text or json)"},
        {{"c", "stray"}, "unexpected argument 'stray'"},
        {{"c", "-H", "a", "stray", "-p", "1"}, "unexpected argument 'stray'"},
        {{"c", "-p", "x", "--bogus"}, "--port: 'x' is not a whole number from 1 to 65535"},  // first one wins
        {{"c", "-p", "x\n|y"}, "--port: 'x\\n\\x7cy' is not a whole number from 1 to 65535"},
    };
    for (const auto& c : cases) {
        BOOST_TEST(error_of(c.args) == c.expected);
    }
}

BOOST_AUTO_TEST_CASE(repeatable_and_negative_values) {
    TestConfig config;
    CommonOptions common;
    OptionParser parser = make_parser(config, common);
    Argv argv{"check_test", "-H", "a", "-H", "b", "-Hc", "-w", "-5:-1"};
    BOOST_TEST((parser.parse(argv.argc(), argv.argv()) == Outcome::run));
    BOOST_TEST(config.hosts == (std::vector<std::string>{"a", "b", "c"}));
    // A value that starts with '-' is still the option's argument, not an option.
    BOOST_TEST(config.rtt.warning->perfdata_text() == "-5:-1");
}

BOOST_AUTO_TEST_CASE(help_and_version_outcomes) {
    struct Case {
        std::initializer_list<std::string> args;
        Outcome expected;
    };
    const Case cases[] = {
        {{"c", "--help"}, Outcome::help},
        {{"c", "-h"}, Outcome::help},
        {{"c", "-V"}, Outcome::version},
        {{"c", "--version"}, Outcome::version},
        // help wins over errors anywhere on the line, so a user can always get it
        {{"c", "--bogus", "-h"}, Outcome::help},
        {{"c", "-p", "x", "--help", "stray"}, Outcome::help},
        {{"c", "-V", "-h"}, Outcome::version},
    };
    for (const auto& c : cases) {
        TestConfig config;
        CommonOptions common;
        OptionParser parser = make_parser(config, common);
        Argv argv(c.args);
        BOOST_TEST((parser.parse(argv.argc(), argv.argv()) == c.expected));
    }
}

BOOST_AUTO_TEST_CASE(after_parse_steps_run_once_every_option_is_read) {
    struct Case {
        std::initializer_list<std::string> args;
        int runs;  // how many times the step ran
        std::string error;
    };
    const Case cases[] = {
        {{"c", "-H", "a", "-p", "99"}, 1, ""},
        {{"c", "-p", "x"}, 0, "--port: 'x' is not a whole number"},  // not after an option's error
        {{"c", "--help"}, 0, ""},
        {{"c", "-H", "refused"}, 1, "-H: 'refused' with port 99 only"},  // its own error, as thrown
    };
    for (const auto& c : cases) {
        TestConfig config;
        CommonOptions common;
        OptionParser parser = make_parser(config, common);
        int runs = 0;
        int port_seen = 0;
        parser.after_parse([&] {
            ++runs;
            port_seen = config.port;  // every option was read: -p even when it came after -H
            if (!config.hosts.empty() && config.hosts.front() == "refused") {
                throw InputError("-H: 'refused' with port 99 only");
            }
        });
        Argv argv(c.args);
        std::string error;
        try {
            parser.parse(argv.argc(), argv.argv());
        } catch (const InputError& e) {
            error = e.what();
        }
        BOOST_TEST_CONTEXT(*c.args.begin() + std::to_string(c.args.size())) {
            BOOST_TEST(runs == c.runs);
            BOOST_TEST(error.rfind(c.error, 0) == 0U, error);
            if (c.runs > 0) {
                BOOST_TEST(port_seen == config.port);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(parse_many_times_in_one_process) {
    for (int round = 0; round < 3; ++round) {
        TestConfig config;
        CommonOptions common;
        OptionParser parser = make_parser(config, common);
        Argv good{"check_test", "-H", "a", "-v"};
        BOOST_TEST((parser.parse(good.argc(), good.argv()) == Outcome::run));
        BOOST_TEST(config.hosts.size() == 1U);
        BOOST_TEST(common.verbosity == 1);
        // A failed parse must not leave getopt mid-cluster for the next one.
        Argv bad{"check_test", "-vx"};
        BOOST_CHECK_THROW(parser.parse(bad.argc(), bad.argv()), InputError);
        Argv again{"check_test", "-p", "99"};
        TestConfig config2;
        CommonOptions common2;
        OptionParser parser2 = make_parser(config2, common2);
        BOOST_TEST((parser2.parse(again.argc(), again.argv()) == Outcome::run));
        BOOST_TEST(config2.port == 99);
    }
}

BOOST_AUTO_TEST_CASE(help_text_lists_every_option_in_order) {
    TestConfig config;
    CommonOptions common;
    const OptionParser parser = make_parser(config, common);
    const std::string help = parser.help_text();
    BOOST_TEST(
        help.rfind(parser.version_text() + "\nUsage: check_test -H ADDRESS [-H ADDRESS]... [options]\n", 0) ==
        0U);
    std::size_t previous = 0;
    for (const auto& heading :
         {"  -h, --help\n", "  -V, --version\n", "  -t, --timeout=SECONDS\n", "  -v, --verbose\n",
          "      --output-format=FORMAT\n", "  -H, --hostname=ADDRESS\n", "  -p, --port=PORT\n",
          "      --tcp\n", "  -w, --warning=RANGE\n", "  -c, --critical=RANGE\n"}) {
        const auto at = help.find(heading);
        BOOST_TEST_CONTEXT(heading) {
            BOOST_TEST_REQUIRE(at != std::string::npos);
            BOOST_TEST(at > previous);
        }
        previous = at;
    }
    // Every option the parser accepts appears in --help.
    for (const auto& spec : parser.specs()) {
        BOOST_TEST(help.find("--" + spec.long_name) != std::string::npos);
    }
    // Wrapped at 79 columns; option help indented 6.
    std::size_t start = 0;
    while (start < help.size()) {
        const auto end = help.find('\n', start);
        BOOST_TEST(end - start <= 79U);
        start = end + 1;
    }
    BOOST_TEST(help.find("\n      UDP/TCP port (default 53).\n") != std::string::npos);
    BOOST_TEST(help.back() == '\n');
}

BOOST_AUTO_TEST_CASE(long_usage_wraps_with_hanging_indent) {
    OptionParser parser("check_long",
                        std::string(30, 'x') + " " + std::string(30, 'y') + " " + std::string(30, 'z'), "");
    const std::string help = parser.help_text();
    BOOST_TEST(help.find("\nUsage: check_long " + std::string(30, 'x') + " " + std::string(30, 'y') +
                         "\n      " + std::string(30, 'z') + "\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(empty_argv) {
    // execve() may pass argc == 0; nothing to parse is not an error.
    TestConfig config;
    CommonOptions common;
    OptionParser parser = make_parser(config, common);
    char* argv[] = {nullptr};
    BOOST_TEST((parser.parse(0, argv) == Outcome::run));
}

BOOST_AUTO_TEST_CASE(version_text) {
    OptionParser parser("check_x", "", "");
    BOOST_TEST(parser.version_text() == std::string("check_x (anycast-checks) ") + anycast::version + "\n");
}

BOOST_AUTO_TEST_CASE(programming_errors_are_logic_errors) {
    OptionParser parser("p", "", "");
    parser.add({"one", 'o'}, [](std::string_view) {});
    BOOST_CHECK_THROW(parser.add({"one", 0}, [](std::string_view) {}), std::logic_error);
    BOOST_CHECK_THROW(parser.add({"two", 'o'}, [](std::string_view) {}), std::logic_error);
    BOOST_CHECK_THROW(parser.add({"", 0}, [](std::string_view) {}), std::logic_error);
    BOOST_CHECK_THROW(parser.add({"three", ':'}, [](std::string_view) {}), std::logic_error);
}

BOOST_AUTO_TEST_SUITE_END()
