#pragma once
// The resolvers this host uses, read from resolv.conf(5), for check_resolver_locality.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace anycast::dns {

inline constexpr std::size_t max_resolv_conf_bytes = 64 * 1024;
inline constexpr std::size_t max_resolv_conf_line_bytes = 1024;
inline constexpr std::size_t max_resolv_conf_nameservers = 64;

// The address of every "nameserver ADDRESS" line, in file order and as written ("192.0.2.53",
// "2001:db8::53", "fe80::1%eth0"). Lines starting with '#' or ';' are comments; search, domain,
// options, sortlist and unknown keywords are ignored, as the resolver ignores them. An address
// that is not an IPv4/IPv6 literal, an over-long line or too many lines throw anycast::InputError
// "SOURCE line N: <what>". No nameserver line gives an empty list: the caller decides.
std::vector<std::string> parse_resolv_conf_nameservers(std::string_view text, std::string_view source_name);

// Reads `path` (a regular file of at most 64 KiB) and parses it. Throws InputError naming the path
// and the system's reason when it cannot be read, and "no nameserver in PATH" when it lists none.
std::vector<std::string> load_resolv_conf(const std::string& path);

}  // namespace anycast::dns
