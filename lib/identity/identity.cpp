#include "identity/identity.hpp"

#include <algorithm>

#include "plugin/error.hpp"
#include "plugin/escape.hpp"
#include "plugin/text.hpp"

namespace anycast::identity {
namespace {

// Identities are short names; anything longer is cut so it cannot swamp the status line.
constexpr std::size_t max_identity_bytes = 128;

bool is_hidden(const dns::Response& response) {
    if (response.rcode == 5) {  // REFUSED
        return true;
    }
    return std::any_of(
        response.extended_errors.begin(), response.extended_errors.end(),
        [](const dns::ExtendedError& error) { return error.info_code == dns::ede_prohibited; });
}

}  // namespace

std::string_view method_name(Method method) {
    switch (method) {
        case Method::nsid:
            return "nsid";
        case Method::hostname_bind:
            return "hostname.bind";
        case Method::id_server:
            return "id.server";
    }
    return "nsid";
}

std::vector<Method> parse_methods(std::string_view list) {
    std::vector<Method> methods;
    if (plugin::trim_blanks(list) == "none") {
        return methods;
    }
    std::size_t start = 0;
    while (start <= list.size()) {
        const std::size_t comma = std::min(list.find(',', start), list.size());
        const std::string item(plugin::trim_blanks(list.substr(start, comma - start)));
        Method method{};
        if (item == "nsid") {
            method = Method::nsid;
        } else if (item == "hostname.bind") {
            method = Method::hostname_bind;
        } else if (item == "id.server") {
            method = Method::id_server;
        } else {
            throw InputError("unknown identity method '" + item +
                             "' (use nsid, hostname.bind, id.server, or none)");
        }
        if (std::find(methods.begin(), methods.end(), method) != methods.end()) {
            throw InputError("identity method '" + item + "' given twice");
        }
        methods.push_back(method);
        start = comma + 1;
    }
    return methods;
}

std::string nsid_display(std::span<const std::uint8_t> nsid) {
    const bool printable =
        std::all_of(nsid.begin(), nsid.end(), [](std::uint8_t byte) { return byte >= 0x20 && byte < 0x7f; });
    if (printable) {
        return plugin::escape_untrusted(
            std::string_view(reinterpret_cast<const char*>(nsid.data()), nsid.size()), max_identity_bytes);
    }
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex = "0x";
    for (const std::uint8_t byte : nsid) {
        if (hex.size() >= max_identity_bytes) {
            hex += "...";
            break;
        }
        hex.push_back(digits[byte >> 4]);
        hex.push_back(digits[byte & 0xf]);
    }
    return hex;
}

dns::Question chaos_question(Method method) {
    dns::Question question;
    question.name = method == Method::id_server ? "id.server." : "hostname.bind.";
    question.type = 16;  // TXT
    question.klass = 3;  // CH
    return question;
}

std::string Identity::describe() const {
    if (value) {
        return *value + " (" + std::string(method_name(method.value_or(Method::nsid))) + ")";
    }
    return hidden ? "hidden" : "unknown";
}

std::optional<std::string> nsid_identity(const dns::Response& response) {
    if (!response.nsid || response.nsid->empty()) {
        return std::nullopt;
    }
    return nsid_display(*response.nsid);
}

ChaosAnswer read_chaos_answer(const dns::QueryResult& result) {
    ChaosAnswer answer;
    if (result.status != dns::QueryStatus::answered || !result.response) {
        answer.outcome = std::string(dns::query_status_name(result.status));
        return answer;
    }
    const dns::Response& response = *result.response;
    if (is_hidden(response)) {
        answer.hidden = true;
        answer.outcome = dns::rcode_name(response.rcode) + " (hidden)";
        return answer;
    }
    for (const dns::Record& record : response.answer) {
        if (record.type != 16 || record.txt_strings.empty()) {
            continue;
        }
        std::string joined;
        for (const std::string& part : record.txt_strings) {
            joined += part;
        }
        if (plugin::trim_blanks(joined).empty()) {
            continue;
        }
        answer.value = plugin::escape_untrusted(joined, max_identity_bytes);
        answer.outcome = *answer.value;
        return answer;
    }
    answer.outcome = response.rcode == 0 ? "no TXT in the answer" : dns::rcode_name(response.rcode);
    return answer;
}

std::vector<Identity> identify(std::span<const dns::Endpoint> servers,
                               std::span<const dns::QueryResult* const> measured,
                               const std::vector<Method>& order, dns::Clock::time_point deadline,
                               const dns::RetryPolicy& retry) {
    std::vector<Identity> identities(servers.size());
    struct Pending {
        std::size_t server;
        Method method;
    };
    std::vector<Pending> pending;
    std::vector<dns::QueryJob> jobs;

    for (std::size_t i = 0; i < servers.size(); ++i) {
        const dns::QueryResult* result = measured[i];
        if (result == nullptr || result->status != dns::QueryStatus::answered || !result->response) {
            continue;  // it did not answer the measured query: asking again would only cost time
        }
        for (const Method method : order) {
            if (method == Method::nsid) {
                if (nsid_identity(*result->response)) {
                    break;  // found, and every later method ranks below it
                }
                continue;
            }
            dns::QueryJob job;
            job.server = servers[i];
            job.spec.question = chaos_question(method);
            job.spec.edns_buffer_size = 0;  // plain query: the oldest servers answer CHAOS without EDNS
            job.spec.request_nsid = false;
            job.retry = retry;
            jobs.push_back(job);
            pending.push_back({i, method});
        }
    }
    const std::vector<dns::QueryResult> chaos = dns::run_queries(jobs, deadline);

    for (std::size_t i = 0; i < servers.size(); ++i) {
        Identity& identity = identities[i];
        const dns::QueryResult* result = measured[i];
        if (result == nullptr || result->status != dns::QueryStatus::answered || !result->response) {
            continue;
        }
        for (const Method method : order) {
            if (method == Method::nsid) {
                auto nsid = nsid_identity(*result->response);
                identity.attempts.push_back(
                    {method,
                     nsid ? *nsid : (result->response->nsid ? "empty NSID" : "no NSID in the answer")});
                if (nsid && !identity.value) {
                    identity.value = nsid;
                    identity.method = method;
                }
                continue;
            }
            for (std::size_t k = 0; k < pending.size(); ++k) {
                if (pending[k].server != i || pending[k].method != method) {
                    continue;
                }
                ChaosAnswer answer = read_chaos_answer(chaos[k]);
                identity.attempts.push_back({method, answer.outcome});
                identity.hidden = identity.hidden || answer.hidden;
                if (answer.value && !identity.value) {
                    identity.value = answer.value;
                    identity.method = method;
                }
            }
        }
        if (identity.value) {
            identity.hidden = false;
        }
    }
    return identities;
}

}  // namespace anycast::identity
