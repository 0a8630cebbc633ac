// check_anycast_dns's command line, as a monitoring core might build it from a mangled template.
// Input: arguments separated by NUL bytes. Only option parsing and the validation that precedes any
// network traffic run; every failure must be an InputError (UNKNOWN with one line), never another
// exception, a crash or an exit code outside 0..3.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "checks/anycast_dns.hpp"
#include "dns/message.hpp"
#include "fuzz_invariants.hpp"
#include "identity/identity.hpp"
#include "plugin/error.hpp"
#include "plugin/run.hpp"

using anycast::fuzz::require;

namespace {

// argv for getopt, which permutes it: a fresh one for every parse.
std::vector<char*> make_argv(std::vector<std::string>& arguments) {
    std::vector<char*> argv;
    for (std::string& argument : arguments) {
        argv.push_back(argument.data());
    }
    argv.push_back(nullptr);
    return argv;
}

// The options are parsed into typed values as they are read: whatever parsed must make a
// well-formed question again.
void validate(const anycast::checks::AnycastDnsConfig& config) {
    const auto& question = config.question;
    if (!question.name.empty()) {
        (void)anycast::dns::make_question(question.name, anycast::dns::rr_type_name(question.type),
                                          anycast::dns::rr_class_name(question.klass));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 4096) {
        return 0;  // a command line is short; longer inputs only slow the search
    }
    std::vector<std::string> arguments{"check_anycast_dns"};
    std::string current;
    for (std::size_t i = 0; i < size; ++i) {
        if (data[i] == 0) {
            arguments.push_back(current);
            current.clear();
        } else {
            current += static_cast<char>(data[i]);
        }
    }
    arguments.push_back(current);
    // Direct path: only InputError may leave the parse and the validation; any other exception
    // escapes this function and libFuzzer reports it as a crash.
    {
        std::vector<char*> argv = make_argv(arguments);
        anycast::checks::AnycastDnsConfig config;
        anycast::plugin::CommonOptions common;
        try {
            anycast::plugin::OptionParser parser =
                anycast::checks::define_anycast_dns_options(config, common);
            if (parser.parse(static_cast<int>(argv.size() - 1), argv.data()) ==
                anycast::plugin::OptionParser::Outcome::run) {
                validate(config);
            }
        } catch (const anycast::InputError&) {
        }
    }
    // Through evaluate_plugin, as main() runs it: the exit code stays in 0..3 whatever happens.
    std::vector<char*> argv = make_argv(arguments);
    anycast::checks::AnycastDnsConfig config;
    const anycast::plugin::PluginOutput output = anycast::plugin::evaluate_plugin(
        "ANYCAST DNS", static_cast<int>(argv.size() - 1), argv.data(),
        [&config](anycast::plugin::CommonOptions& common) {
            config = {};
            return anycast::checks::define_anycast_dns_options(config, common);
        },
        [&config](const anycast::plugin::CommonOptions&) {
            validate(config);
            anycast::plugin::CheckResult result;
            for (const std::string& host : config.hosts) {
                anycast::plugin::Subcheck subcheck;
                subcheck.name = host;  // user text reaches the renderer too
                subcheck.summary = host;
                result.subchecks.push_back(subcheck);
            }
            return result;
        });
    require(output.exit_code >= 0 && output.exit_code <= 3);
    require(!output.text.empty());
    return 0;
}
