#pragma once
// Where a query goes: a socket address, from a literal or from name resolution bounded by the
// check's deadline (getaddrinfo itself cannot be interrupted, so it runs on a helper thread that
// the check abandons when time is up).
#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace anycast::dns {

using Clock = std::chrono::steady_clock;

struct Endpoint {
    sockaddr_storage address{};
    socklen_t length = 0;

    int family() const { return address.ss_family; }
    std::uint16_t port() const;
    std::string address_text() const;  // "192.0.2.1", "2001:db8::1", "fe80::1%eth0"
    // The address, with "#port" appended when the port is not `usual_port` (dig's notation,
    // which cannot be confused with an IPv6 address).
    std::string display(std::uint16_t usual_port = 53) const;
};

bool operator==(const Endpoint& a, const Endpoint& b);

enum class AddressFamily { any, ipv4, ipv6 };

// An IPv4 or IPv6 literal (an IPv6 zone index "%eth0" is allowed), or nothing.
std::optional<Endpoint> parse_ip_literal(std::string_view text, std::uint16_t port);

// All addresses of `host` (a literal is returned as is), restricted to `family`, in the order the
// resolver gave them, without duplicates. Throws InputError when the name does not resolve, has no
// address of the wanted family, or resolution does not finish by `deadline`.
std::vector<Endpoint> resolve_host(std::string_view host, std::uint16_t port, AddressFamily family,
                                   Clock::time_point deadline);

std::uint16_t parse_port(std::string_view text);  // 1..65535, throws InputError

}  // namespace anycast::dns
