#include "identity/identity.hpp"

#include <algorithm>

#include "dns/ldns_handles.hpp"  // ldns.h, with bool, true and false left alone

#include "plugin/error.hpp"
#include "plugin/escape.hpp"
#include "plugin/text.hpp"

namespace anycast::identity {
namespace {

// Identities are short names; anything longer is cut so it cannot swamp the status line.
constexpr std::size_t max_identity_bytes = 128;

bool is_hidden(const dns::Response& response) {
    if (response.rcode == LDNS_RCODE_REFUSED) {
        return true;
    }
    return std::any_of(
        response.extended_errors.begin(), response.extended_errors.end(),
        [](const dns::ExtendedError& error) { return error.info_code == dns::ede_prohibited; });
}

}  // namespace

std::string_view method_name(Method method) {
    for (const MethodInfo& info : method_table) {
        if (info.method == method) {
            return info.name;
        }
    }
    return "nsid";
}

std::string method_names() {
    std::string names;
    for (const MethodInfo& info : method_table) {
        names += (names.empty() ? "" : ", ") + std::string(info.name);
    }
    return names;
}

std::vector<Method> parse_methods(std::string_view list) {
    std::vector<Method> methods;
    if (plugin::trim_blanks(list) == "none") {
        return methods;
    }
    for (const std::string& item : plugin::split_list(list)) {
        const auto info = std::find_if(method_table.begin(), method_table.end(),
                                       [&](const MethodInfo& entry) { return entry.name == item; });
        if (info == method_table.end()) {
            throw InputError("unknown identity method '" + plugin::escape_untrusted(item, 64) + "' (use " +
                             method_names() + ", or none)");
        }
        if (std::find(methods.begin(), methods.end(), info->method) != methods.end()) {
            throw InputError("identity method '" + item + "' given twice");
        }
        methods.push_back(info->method);
    }
    return methods;
}

std::string Attempt::fact_key() const {
    return "identity_" + std::string(method_name(method)) + (source.empty() ? "" : "_" + source);
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
    question.type = LDNS_RR_TYPE_TXT;
    question.klass = LDNS_RR_CLASS_CH;
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
        if (record.type != LDNS_RR_TYPE_TXT || record.txt_strings.empty()) {
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
    answer.outcome =
        response.rcode == LDNS_RCODE_NOERROR ? "no TXT in the answer" : dns::rcode_name(response.rcode);
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
            if (method == Method::whoami) {
                continue;  // asked with the measured queries
            }
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
            if (method == Method::whoami) {
                continue;
            }
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

WhoamiName parse_whoami(std::string_view text) {
    WhoamiName whoami;
    const std::string_view trimmed = plugin::trim_blanks(text);
    const std::size_t slash = trimmed.rfind('/');
    whoami.name = std::string(trimmed.substr(0, slash));
    const std::string type(slash == std::string_view::npos ? "TXT" : trimmed.substr(slash + 1));
    whoami.type = dns::make_question(whoami.name, type, "IN").type;
    if (whoami.type != LDNS_RR_TYPE_TXT && whoami.type != LDNS_RR_TYPE_A &&
        whoami.type != LDNS_RR_TYPE_AAAA) {
        throw InputError("'" + std::string(text) + "': a who-am-I name is asked for TXT, A or AAAA");
    }
    return whoami;
}

dns::QueryJob whoami_job(const dns::Endpoint& resolver, const WhoamiName& whoami) {
    dns::QueryJob job;
    job.server = resolver;
    job.spec.question = dns::make_question(whoami.name, dns::rr_type_name(whoami.type), "IN");
    job.spec.recursion_desired = true;
    job.spec.request_nsid = false;
    return job;
}

std::optional<std::string> read_whoami(const dns::QueryResult& result) {
    if (result.status != dns::QueryStatus::answered || !result.response ||
        result.response->rcode != LDNS_RCODE_NOERROR) {
        return std::nullopt;
    }
    for (const dns::Record& record : result.response->answer) {
        if (record.type == LDNS_RR_TYPE_TXT && !record.txt_strings.empty() &&
            !record.txt_strings.front().empty()) {
            return plugin::escape_untrusted(record.txt_strings.front(), max_identity_bytes);
        }
        if (record.type == LDNS_RR_TYPE_A || record.type == LDNS_RR_TYPE_AAAA) {
            return plugin::escape_untrusted(record.rdata, 64);
        }
    }
    return std::nullopt;
}

void add_whoami(Identity& identity, const std::vector<Method>& order, std::span<const WhoamiName> names,
                std::span<const dns::QueryResult> results) {
    const auto rank = [&](Method method) {
        return std::find(order.begin(), order.end(), method) - order.begin();
    };
    for (std::size_t i = 0; i < names.size() && i < results.size(); ++i) {
        const auto said = read_whoami(results[i]);
        identity.attempts.push_back({Method::whoami, said ? *said : std::string("no answer"), names[i].name});
        const bool whoami_first =
            !identity.value || !identity.method ||
            (identity.method != Method::whoami && rank(Method::whoami) < rank(*identity.method));
        if (said && whoami_first) {
            identity.value = said;
            identity.method = Method::whoami;
            identity.hidden = false;
        }
    }
}

}  // namespace anycast::identity
