#pragma once
// A small client for the Icinga 2 REST API on libcurl: HTTPS only, the server's certificate
// verified (against --ca-file, or the system's store), basic authentication, no redirects followed,
// the response size bounded, and the whole exchange within the run's deadline.
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

namespace anycast::vantages {

struct ApiConfig {
    std::string url;                       // https://HOST[:PORT], no path, no user info
    std::optional<std::string> ca_file;    // PEM; unset: the system's CA store
    std::optional<std::string> cert_name;  // the name the certificate must carry; unset: URL's host
    std::string user;
    std::string password;
};

// What went wrong, in words for the first line: "cannot connect to https://...: Connection refused".
struct ApiError : std::runtime_error {
    explicit ApiError(const std::string& message, long status = 0)
        : std::runtime_error(message), http_status(status) {}
    long http_status;  // 0 when no HTTP response came
};

// Validates the URL (throws anycast::InputError for anything but https://HOST[:PORT][/]).
void validate_api_url(const std::string& url);

// POSTs `body` (JSON) to URL + path with "X-HTTP-Method-Override: GET" (how the API takes a query
// with a body) and returns the response body for HTTP 200. HTTP 404 returns std::nullopt (the API's
// "No objects found."). Anything else throws ApiError.
std::optional<std::string> api_query(const ApiConfig& config, const std::string& path,
                                     const std::string& body, std::chrono::steady_clock::time_point deadline);

}  // namespace anycast::vantages
