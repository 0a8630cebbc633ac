#include "readings.hpp"

#include <boost/test/unit_test.hpp>

#include "sites/airports.hpp"

namespace anycast::checks::testing {

dns::Response response(const dns::testing::ResponseSpec& spec, std::string_view name, std::string_view type) {
    const auto wire = dns::testing::build_response(spec);
    const dns::Question question = dns::make_question(name, type, "IN");
    auto outcome = dns::parse_response(wire, spec.id, question);
    BOOST_REQUIRE_MESSAGE(outcome.response, "the test response does not parse: " + outcome.problem);
    return *outcome.response;
}

dns::Response soa_response(std::uint32_t serial, std::string nsid) {
    dns::testing::ResponseSpec spec;
    spec.answer = {"anycast.test. 3600 IN SOA ns.anycast.test. host.anycast.test. " + std::to_string(serial) +
                   " 3600 900 604800 300"};
    if (!nsid.empty()) {
        spec.edns = true;
        spec.opt_rdata = dns::testing::edns_option(3, nsid);
    }
    return response(spec, "anycast.test", "SOA");
}

AddressProbe probe(const std::string& address, std::uint16_t port,
                   const std::vector<std::optional<double>>& rtts_ms, const dns::Response& answer) {
    AddressProbe probe;
    probe.endpoint = *dns::parse_ip_literal(address, port);
    for (const auto& rtt : rtts_ms) {
        dns::QueryResult result;
        if (rtt) {
            result.status = dns::QueryStatus::answered;
            result.response = answer;
            result.rtt = std::chrono::nanoseconds(static_cast<std::int64_t>(*rtt * 1e6));
        }
        probe.results.push_back(std::move(result));
    }
    return probe;
}

AddressProbe silent(const std::string& address, std::uint16_t port) {
    AddressProbe probe;
    probe.endpoint = *dns::parse_ip_literal(address, port);
    probe.results.resize(1);  // status timeout
    return probe;
}

Instance instance(std::optional<std::string> identity, std::optional<std::string> site,
                  std::optional<std::string> location) {
    Instance placed;
    placed.identity = std::move(identity);
    if (placed.identity) {
        placed.method = anycast::identity::Method::nsid;
    }
    placed.site = std::move(site);
    placed.rule = "test";
    placed.location = location;
    if (location) {
        if (auto airport = sites::find_airport(*location)) {
            placed.coordinates = airport->location;
        }
    }
    return placed;
}

std::string first_line(const plugin::CheckResult& result) {
    return plugin::headline(result);
}

}  // namespace anycast::checks::testing
