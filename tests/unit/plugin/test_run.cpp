#include <boost/test/unit_test.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include <cstdio>
#include <string>
#include <vector>

#include "plugin/error.hpp"
#include "plugin/run.hpp"
#include "plugin/signals.hpp"
#include "version.hpp"

using anycast::InputError;
using anycast::plugin::ArgKind;
using anycast::plugin::CheckResult;
using anycast::plugin::CommonOptions;
using anycast::plugin::OptionParser;
using anycast::plugin::State;
using anycast::plugin::Subcheck;
using anycast::plugin::Thresholds;
using anycast::plugin::UnitFamily;

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

anycast::plugin::PluginOutput evaluate(std::initializer_list<std::string> args,
                                       std::function<CheckResult(const TestConfig&)> body) {
    Argv argv(args);
    TestConfig config;
    return anycast::plugin::evaluate_plugin(
        "ANYCAST TEST", argv.argc(), argv.argv(),
        [&config](CommonOptions& common) { return make_parser(config, common); },
        [&config, &body](const CommonOptions&) { return body(config); });
}

CheckResult ok_result(const TestConfig& config) {
    CheckResult result;
    result.label = "ignored";
    result.summary = std::to_string(config.hosts.size()) + " hosts";
    Subcheck s;
    s.name = "a";
    result.subchecks.push_back(s);
    return result;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(run)

BOOST_AUTO_TEST_CASE(runs_and_renders) {
    const auto out = evaluate({"c", "-H", "a"}, ok_result);
    BOOST_TEST(out.exit_code == 0);
    BOOST_TEST(out.text == "ANYCAST TEST OK - 1 hosts\n[OK] a\n");
    const auto json = evaluate({"c", "-H", "a", "--output-format=json"}, ok_result);
    BOOST_TEST(json.exit_code == 0);
    BOOST_TEST(json.text.rfind(R"J({"check":"ANYCAST TEST","state":"OK","exit_code":0,)J", 0) == 0U);
}

BOOST_AUTO_TEST_CASE(help_and_version_are_unknown) {
    const auto help = evaluate({"c", "--help"}, ok_result);
    BOOST_TEST(help.exit_code == 3);
    BOOST_TEST(help.text.find("\nUsage: check_test") != std::string::npos);
    const auto version = evaluate({"c", "-V"}, ok_result);
    BOOST_TEST(version.exit_code == 3);
    BOOST_TEST(version.text == std::string("check_test (anycast-checks) ") + anycast::version + "\n");
}

BOOST_AUTO_TEST_CASE(input_errors_are_unknown) {
    const auto out = evaluate({"c", "-p", "x"}, ok_result);
    BOOST_TEST(out.exit_code == 3);
    BOOST_TEST(out.text == "ANYCAST TEST UNKNOWN - --port: 'x' is not a whole number from 1 to 65535\n");
    // JSON even when --output-format comes after the bad option.
    const auto json = evaluate({"c", "-p", "x", "--output-format", "json"}, ok_result);
    BOOST_TEST(json.exit_code == 3);
    BOOST_TEST(
        json.text ==
        R"J({"check":"ANYCAST TEST","state":"UNKNOWN","exit_code":3,)J"
        R"J("summary":"--port: 'x' is not a whole number from 1 to 65535","perfdata":[],"subchecks":[]})J"
        "\n");
    const auto from_run = evaluate(
        {"c"}, [](const TestConfig&) -> CheckResult { throw InputError("at least one -H is required"); });
    BOOST_TEST(from_run.exit_code == 3);
    BOOST_TEST(from_run.text == "ANYCAST TEST UNKNOWN - at least one -H is required\n");
}

BOOST_AUTO_TEST_CASE(other_exceptions_are_internal_errors_never_ok) {
    const auto std_error = evaluate(
        {"c"}, [](const TestConfig&) -> CheckResult { throw std::runtime_error("boom\nsecond line|x"); });
    BOOST_TEST(std_error.exit_code == 3);
    BOOST_TEST(std_error.text == "ANYCAST TEST UNKNOWN - internal error: boom?second line?x\n");
    const auto odd = evaluate({"c"}, [](const TestConfig&) -> CheckResult { throw 42; });
    BOOST_TEST(odd.exit_code == 3);
    BOOST_TEST(odd.text == "ANYCAST TEST UNKNOWN - internal error: unexpected exception\n");
    const auto empty = evaluate({"c"}, [](const TestConfig&) { return CheckResult{}; });
    BOOST_TEST(empty.exit_code == 3);
    BOOST_TEST(empty.text == "ANYCAST TEST UNKNOWN\n");
}

BOOST_AUTO_TEST_CASE(exit_code_follows_state) {
    for (const State state : {State::ok, State::warning, State::critical, State::unknown}) {
        const auto out = evaluate({"c"}, [state](const TestConfig&) {
            CheckResult result;
            Subcheck s;
            s.state = state;
            result.subchecks.push_back(s);
            return result;
        });
        BOOST_TEST(out.exit_code == anycast::plugin::exit_code(state));
    }
}

// Runs fn with stdout redirected into a pipe and returns what it wrote (small outputs only: the pipe
// buffer must hold it all, since nobody reads until fn returns).
std::string capture_stdout(const std::function<void()>& fn) {
    std::fflush(stdout);
    int fds[2];
    BOOST_TEST_REQUIRE(::pipe(fds) == 0);
    const int saved = ::dup(STDOUT_FILENO);
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[1]);
    fn();
    std::fflush(stdout);
    ::dup2(saved, STDOUT_FILENO);
    ::close(saved);
    std::string captured;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
        if (n <= 0) {
            break;
        }
        captured.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    return captured;
}

BOOST_AUTO_TEST_CASE(run_plugin_writes_report_and_returns_exit_code) {
    const auto define = [](TestConfig& config, CommonOptions& common) { return make_parser(config, common); };
    struct Case {
        std::initializer_list<std::string> args;
        int code;
        std::string text;
    };
    const Case cases[] = {
        {{"check_test", "-H", "a"}, 0, "ANYCAST TEST OK - 1 hosts\n[OK] a\n"},
        {{"check_test", "--version"},
         3,
         std::string("check_test (anycast-checks) ") + anycast::version + "\n"},
        {{"check_test", "--nope"}, 3, "ANYCAST TEST UNKNOWN - unknown or ambiguous option '--nope'\n"},
    };
    for (const auto& c : cases) {
        int code = -1;
        const std::string text = capture_stdout([&] {
            Argv argv(c.args);
            code = anycast::plugin::run_plugin<TestConfig>(
                "ANYCAST TEST", argv.argc(), argv.argv(), define,
                [](const TestConfig& config, const CommonOptions&) { return ok_result(config); });
        });
        BOOST_TEST(code == c.code);
        BOOST_TEST(text == c.text);
    }
}

// A SIGTERM during the run: whatever the check measured, the report is UNKNOWN naming the signal.
// In a child process, as the flag is process-wide.
BOOST_AUTO_TEST_CASE(a_termination_signal_turns_the_report_into_unknown) {
    const pid_t child = ::fork();
    BOOST_REQUIRE(child >= 0);
    if (child == 0) {
        anycast::plugin::install_termination_handlers();
        Argv args{"check_x"};
        const auto output = anycast::plugin::evaluate_plugin(
            "X", args.argc(), args.argv(),
            [](CommonOptions& common) {
                OptionParser parser("check_x", "", "test");
                anycast::plugin::add_common_options(parser, common);
                return parser;
            },
            [](const CommonOptions&) {
                ::kill(::getpid(), SIGTERM);  // as a monitoring core on its own timeout
                CheckResult result;
                Subcheck check;
                check.name = "a";
                check.state = State::critical;
                result.subchecks.push_back(check);
                return result;
            });
        const bool right = output.exit_code == 3 &&
                           output.text == "X UNKNOWN - terminated by SIGTERM before the check finished\n";
        ::_exit(right ? 0 : 1);
    }
    int status = 0;
    BOOST_REQUIRE(::waitpid(child, &status, 0) == child);
    BOOST_TEST(WIFEXITED(status));  // not killed by the signal
    BOOST_TEST(WEXITSTATUS(status) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
