#pragma once
// Hand-made measurements for the judgements: responses built in memory (wire form written by ldns,
// then parsed as the engine parses what arrives), probes with chosen RTTs and losses, and
// instances placed by hand, so a test says exactly what the network "did".
#include <optional>
#include <string>
#include <vector>

#include "../dns/packets.hpp"
#include "checks/anycast_dns.hpp"
#include "checks/instance.hpp"
#include "checks/probe.hpp"
#include "plugin/result.hpp"

namespace anycast::checks::testing {

// anycast.test SOA with this serial (rcode NOERROR, AA), NSID when given.
dns::Response soa_response(std::uint32_t serial, std::string nsid = {});
// Any response described as in tests/unit/dns; its question is `question` (name, type, class).
dns::Response response(const dns::testing::ResponseSpec& spec, std::string_view name, std::string_view type);

// One address that answered every query with `answer` after rtt_ms (nullopt: that query was lost).
AddressProbe probe(const std::string& address, std::uint16_t port,
                   const std::vector<std::optional<double>>& rtts_ms, const dns::Response& answer);
// One address that never answered (timeout).
AddressProbe silent(const std::string& address, std::uint16_t port);

// An instance placed by hand: identity (nsid), site, location (an airport code: coordinates from
// the table).
Instance instance(std::optional<std::string> identity, std::optional<std::string> site = {},
                  std::optional<std::string> location = {});

// The first line of a result as the library writes it (without the label and perfdata).
std::string first_line(const plugin::CheckResult& result);

}  // namespace anycast::checks::testing
