#include "dns/endpoint.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

#include "plugin/error.hpp"
#include "plugin/signals.hpp"

namespace anycast::dns {
namespace {

struct AddrinfoFree {
    void operator()(addrinfo* list) const { freeaddrinfo(list); }
};
using AddrinfoList = std::unique_ptr<addrinfo, AddrinfoFree>;

// Shared between the check and the resolver thread, which may outlive the wait.
struct Lookup {
    std::mutex mutex;
    std::condition_variable done_signal;
    bool done = false;
    int status = 0;
    AddrinfoList result;
};

Endpoint from_addrinfo(const addrinfo* info) {
    Endpoint endpoint;
    std::memcpy(&endpoint.address, info->ai_addr, info->ai_addrlen);
    endpoint.length = info->ai_addrlen;
    return endpoint;
}

void set_port(Endpoint& endpoint, std::uint16_t port) {
    if (endpoint.family() == AF_INET) {
        reinterpret_cast<sockaddr_in*>(&endpoint.address)->sin_port = htons(port);
    } else if (endpoint.family() == AF_INET6) {
        reinterpret_cast<sockaddr_in6*>(&endpoint.address)->sin6_port = htons(port);
    }
}

// getaddrinfo reads IPv4 the way inet_aton does: "192.0.2" is 192.0.0.2, "0300.0.2.1" octal and
// "3221225985" one 32-bit number. Only the dotted quad is taken, so that a typo cannot aim the
// check at another host.
bool is_inet_aton_shorthand(const std::string& text) {
    in_addr address{};
    return inet_aton(text.c_str(), &address) != 0 && inet_pton(AF_INET, text.c_str(), &address) != 1;
}

bool wanted(int family, AddressFamily restriction) {
    switch (restriction) {
        case AddressFamily::ipv4:
            return family == AF_INET;
        case AddressFamily::ipv6:
            return family == AF_INET6;
        case AddressFamily::any:
            return family == AF_INET || family == AF_INET6;
    }
    return false;
}

}  // namespace

std::uint16_t Endpoint::port() const {
    if (family() == AF_INET) {
        return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
    }
    if (family() == AF_INET6) {
        return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
    }
    return 0;
}

std::string Endpoint::address_text() const {
    char host[NI_MAXHOST] = {};
    if (getnameinfo(reinterpret_cast<const sockaddr*>(&address), length, host, sizeof host, nullptr, 0,
                    NI_NUMERICHOST) != 0) {
        return "?";
    }
    return host;
}

std::string Endpoint::display(std::uint16_t usual_port) const {
    std::string text = address_text();
    if (port() != usual_port) {
        text += "#" + std::to_string(port());
    }
    return text;
}

bool operator==(const Endpoint& a, const Endpoint& b) {
    return a.length == b.length && std::memcmp(&a.address, &b.address, a.length) == 0;
}

std::uint16_t parse_port(std::string_view text) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size() || value == 0 ||
        value > 65535) {
        throw InputError("'" + std::string(text) + "' is not a port number (1-65535)");
    }
    return static_cast<std::uint16_t>(value);
}

std::optional<Endpoint> parse_ip_literal(std::string_view text, std::uint16_t port) {
    if (text.empty() || text.size() > INET6_ADDRSTRLEN + IF_NAMESIZE ||
        text.find('\0') != std::string_view::npos) {
        return std::nullopt;
    }
    const std::string host(text);
    if (is_inet_aton_shorthand(host)) {
        return std::nullopt;
    }
    addrinfo hints{};
    hints.ai_flags = AI_NUMERICHOST;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* raw = nullptr;
    if (getaddrinfo(host.c_str(), nullptr, &hints, &raw) != 0 || raw == nullptr) {
        return std::nullopt;
    }
    const AddrinfoList list(raw);
    Endpoint endpoint = from_addrinfo(list.get());
    set_port(endpoint, port);
    return endpoint;
}

std::vector<Endpoint> resolve_host(std::string_view host, std::uint16_t port, AddressFamily family,
                                   Clock::time_point deadline) {
    if (auto literal = parse_ip_literal(host, port)) {
        if (!wanted(literal->family(), family)) {
            throw InputError("'" + std::string(host) + "' is not of the requested address family");
        }
        return {*literal};
    }
    if (host.empty() || host.size() > 253) {
        throw InputError("'" + std::string(host) + "' is not a host name or address");
    }
    if (is_inet_aton_shorthand(std::string(host))) {
        throw InputError("'" + std::string(host) +
                         "' is not an IPv4 address (write all four parts in decimal)");
    }
    auto lookup = std::make_shared<Lookup>();
    std::thread([lookup, name = std::string(host)] {
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_DGRAM;
        addrinfo* raw = nullptr;
        const int status = getaddrinfo(name.c_str(), nullptr, &hints, &raw);
        const std::lock_guard lock(lookup->mutex);
        lookup->status = status;
        lookup->result.reset(raw);
        lookup->done = true;
        lookup->done_signal.notify_all();
    }).detach();

    std::unique_lock lock(lookup->mutex);
    // In slices, so that a SIGTERM (which only sets a flag) ends the wait too.
    while (!lookup->done && Clock::now() < deadline && !plugin::termination_requested()) {
        lookup->done_signal.wait_until(lock,
                                       std::min(deadline, Clock::now() + std::chrono::milliseconds(20)));
    }
    if (!lookup->done) {
        throw InputError("resolving '" + std::string(host) + "' did not finish within the timeout");
    }
    if (lookup->status != 0) {
        throw InputError("cannot resolve '" + std::string(host) + "': " + gai_strerror(lookup->status));
    }
    std::vector<Endpoint> endpoints;
    for (const addrinfo* info = lookup->result.get(); info != nullptr; info = info->ai_next) {
        if (!wanted(info->ai_family, family)) {
            continue;
        }
        Endpoint endpoint = from_addrinfo(info);
        set_port(endpoint, port);
        bool seen = false;
        for (const auto& known : endpoints) {
            seen = seen || known == endpoint;
        }
        if (!seen) {
            endpoints.push_back(endpoint);
        }
    }
    if (endpoints.empty()) {
        throw InputError("'" + std::string(host) + "' has no address of the requested family");
    }
    return endpoints;
}

}  // namespace anycast::dns
