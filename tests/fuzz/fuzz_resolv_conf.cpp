// resolv.conf is written by DHCP clients, VPN software and NetworkManager, not only by hand: the
// parser must turn anything into a list of literals or an InputError.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dns/endpoint.hpp"
#include "dns/resolv_conf.hpp"
#include "fuzz_invariants.hpp"
#include "plugin/error.hpp"

using anycast::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const std::vector<std::string> servers = anycast::dns::parse_resolv_conf_nameservers(text, "fuzz");
        require(servers.size() <= anycast::dns::max_resolv_conf_nameservers);
        for (const std::string& server : servers) {
            // Every address returned must be usable as a query target. The zone of a link-local
            // address is checked for its form only (the interface may not exist on this host).
            const std::string address = server.substr(0, server.find('%'));
            require(anycast::dns::parse_ip_literal(address, 53).has_value());
            require(address.size() == server.size() || address.find(':') != std::string::npos);
        }
    } catch (const anycast::InputError&) {
    }
    return 0;
}
