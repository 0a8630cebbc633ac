#include "vantages/icinga_api.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "plugin/error.hpp"
#include "plugin/escape.hpp"
#include "plugin/number.hpp"
#include "vantages/vantages.hpp"
#include "version.hpp"

namespace anycast::vantages {
namespace {

struct EasyDeleter {
    void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct ListDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct UrlDeleter {
    void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct TextDeleter {
    void operator()(char* text) const { curl_free(text); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using HeaderList = std::unique_ptr<curl_slist, ListDeleter>;
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;
using CurlText = std::unique_ptr<char, TextDeleter>;

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Sink {
    std::string data;
    bool overflow = false;
};

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto* sink = static_cast<Sink*>(user);
    const std::size_t bytes = size * count;
    if (sink->data.size() + bytes > max_response_bytes) {
        sink->overflow = true;
        return 0;  // libcurl stops with CURLE_WRITE_ERROR
    }
    sink->data.append(data, bytes);
    return bytes;
}

struct UrlParts {
    std::string host;  // IPv6 in brackets, as libcurl gives it
    std::string port;
};

std::string url_part(CURLU* url, CURLUPart part, unsigned int flags = 0) {
    char* raw = nullptr;
    if (curl_url_get(url, part, &raw, flags) != CURLUE_OK || raw == nullptr) {
        return {};
    }
    const CurlText owned(raw);
    return owned.get();
}

UrlParts parse_url(const std::string& text) {
    global_init();
    const UrlHandle url(curl_url());
    if (!url || curl_url_set(url.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
        throw InputError("'" + plugin::escape_untrusted(text) + "' is not a URL");
    }
    std::string scheme = url_part(url.get(), CURLUPART_SCHEME);
    std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (scheme != "https") {
        throw InputError("'" + plugin::escape_untrusted(text) +
                         "' is not https:// (the password would travel in clear)");
    }
    const std::string path = url_part(url.get(), CURLUPART_PATH);
    if (!url_part(url.get(), CURLUPART_USER).empty() || !url_part(url.get(), CURLUPART_QUERY).empty() ||
        !url_part(url.get(), CURLUPART_FRAGMENT).empty() || (!path.empty() && path != "/")) {
        throw InputError("'" + plugin::escape_untrusted(text) +
                         "' must be https://HOST[:PORT] only (no path, user, query or fragment)");
    }
    return {url_part(url.get(), CURLUPART_HOST), url_part(url.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT)};
}

// The "status" text of an Icinga 2 error body ({"error": 401, "status": "..."}), if any.
std::string error_status(const std::string& body) {
    const auto document = nlohmann::json::parse(body, nullptr, false);
    if (document.is_object() && document.contains("status") && document["status"].is_string()) {
        return plugin::escape_untrusted(document["status"].get<std::string>(), 120);
    }
    return plugin::escape_untrusted(body.substr(0, 80), 80);
}

std::string transfer_problem(CURLcode code, const char* error_buffer, const Sink& sink,
                             const ApiConfig& config, double timeout_s) {
    const std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    const std::string where = plugin::escape_untrusted(config.url, 120);
    switch (code) {
        case CURLE_COULDNT_RESOLVE_HOST:
            return "cannot resolve the API host of " + where + ": " + detail;
        case CURLE_COULDNT_CONNECT:
            return "cannot connect to the API at " + where + ": " + detail;
        case CURLE_OPERATION_TIMEDOUT:
            return "no answer from the API at " + where + " within " + plugin::format_decimal(timeout_s, 1) +
                   " s (--timeout)";
        case CURLE_PEER_FAILED_VERIFICATION:
            return "the API certificate of " + where + " is not trusted (" +
                   (config.ca_file ? "--ca-file " + plugin::escape_untrusted(*config.ca_file, 100)
                                   : "system CAs") +
                   "): " + detail;
        case CURLE_SSL_CACERT_BADFILE:
            return "cannot use --ca-file " + plugin::escape_untrusted(config.ca_file.value_or(""), 100) +
                   ": " + detail;
        case CURLE_WRITE_ERROR:
        case CURLE_FILESIZE_EXCEEDED:
            if (sink.overflow || code == CURLE_FILESIZE_EXCEEDED) {
                return "API response from " + where + " larger than " +
                       std::to_string(max_response_bytes >> 20) + " MiB";
            }
            return "API response from " + where + ": " + detail;
        case CURLE_PARTIAL_FILE:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
            return "API response from " + where + " cut off: " + detail;
        default:
            return "API request to " + where + " failed: " + detail;
    }
}

void set_options(CURL* curl, const ApiConfig& config, const std::string& request_url, const std::string& body,
                 long timeout_ms) {
    curl_easy_setopt(curl, CURLOPT_URL, request_url.c_str());
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
#else
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect is reported, never followed
    curl_easy_setopt(curl, CURLOPT_PROXY, "");           // no proxy from the environment sees the password
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);        // no SIGALRM: the deadline is ours
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    if (config.ca_file) {
        curl_easy_setopt(curl, CURLOPT_CAINFO, config.ca_file->c_str());
    }
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_easy_setopt(curl, CURLOPT_USERNAME, config.user.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, config.password.c_str());
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(max_response_bytes));
}

}  // namespace

void validate_api_url(const std::string& url) {
    (void)parse_url(url);
}

std::optional<std::string> api_query(const ApiConfig& config, const std::string& path,
                                     const std::string& body,
                                     std::chrono::steady_clock::time_point deadline) {
    const UrlParts parts = parse_url(config.url);
    const auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
            .count();
    if (remaining <= 0) {
        throw ApiError("no time left for the API request (--timeout)");
    }
    // With --api-cert-name the request names the certificate's host and is sent to the URL's
    // address (CURLOPT_CONNECT_TO), so the name is verified without touching the resolver.
    const std::string host = config.cert_name ? *config.cert_name : parts.host;
    const std::string request_url = "https://" + host + ":" + parts.port + path;
    const EasyHandle curl(curl_easy_init());
    if (!curl) {
        throw ApiError("libcurl could not make a handle");
    }
    set_options(curl.get(), config, request_url, body, static_cast<long>(remaining));
    char error_buffer[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error_buffer);
    const std::string user_agent = std::string("check_anycast_vantages/") + anycast::version;
    curl_easy_setopt(curl.get(), CURLOPT_USERAGENT, user_agent.c_str());
    curl_slist* raw_headers = nullptr;
    for (const char* header : {"Accept: application/json", "Content-Type: application/json",
                               "X-HTTP-Method-Override: GET", "Expect:"}) {
        curl_slist* next = curl_slist_append(raw_headers, header);
        if (next == nullptr) {
            curl_slist_free_all(raw_headers);
            throw ApiError("out of memory building the API request");
        }
        raw_headers = next;
    }
    const HeaderList headers(raw_headers);
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
    const std::string connect_to = host + ":" + parts.port + ":" + parts.host + ":" + parts.port;
    curl_slist* raw_connect = nullptr;
    if (config.cert_name) {
        raw_connect = curl_slist_append(nullptr, connect_to.c_str());
        if (raw_connect == nullptr) {
            throw ApiError("out of memory building the API request");
        }
    }
    const HeaderList connect(raw_connect);
    if (connect) {
        curl_easy_setopt(curl.get(), CURLOPT_CONNECT_TO, connect.get());
    }
    Sink sink;
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, write_body);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &sink);

    const CURLcode code = curl_easy_perform(curl.get());
    if (code != CURLE_OK) {
        throw ApiError(
            transfer_problem(code, error_buffer, sink, config, static_cast<double>(remaining) / 1000.0));
    }
    long status = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
    const std::string where = plugin::escape_untrusted(config.url, 120);
    switch (status) {
        case 200:
            return std::move(sink.data);
        case 404:
            return std::nullopt;
        case 401:
            throw ApiError("the API at " + where + " refused user '" +
                               plugin::escape_untrusted(config.user, 60) +
                               "' (HTTP 401: wrong user or password)",
                           status);
        case 403:
            throw ApiError("API user '" + plugin::escape_untrusted(config.user, 60) +
                               "' may not query services (HTTP 403: grant objects/query/Service): " +
                               error_status(sink.data),
                           status);
        default:
            break;
    }
    if (status >= 300 && status < 400) {
        char* location = nullptr;
        curl_easy_getinfo(curl.get(), CURLINFO_REDIRECT_URL, &location);
        throw ApiError("the API at " + where + " redirected (HTTP " + std::to_string(status) + ") to " +
                           plugin::escape_untrusted(location != nullptr ? location : "?", 120) +
                           ": not followed",
                       status);
    }
    throw ApiError(
        "the API at " + where + " answered HTTP " + std::to_string(status) + ": " + error_status(sink.data),
        status);
}

}  // namespace anycast::vantages
