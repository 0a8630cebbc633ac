// probe's arithmetic without a network: how much of a run is kept for the work after the wait
// (report_reserve, network_deadline), and what an address whose queries were never sent says.
#include <chrono>

#include <boost/test/unit_test.hpp>

#include "checks/probe.hpp"

namespace checks = anycast::checks;
namespace dns = anycast::dns;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(probe_reserve)

BOOST_AUTO_TEST_CASE(the_reserve_covers_the_measured_work_after_the_wait) {
    // {queries scheduled, least reserve, most reserve}: the least is what the benchmark measured
    // after the wait at -t 3 on a loaded 2-core machine (docs/benchmarks.md); the most keeps the
    // wait long enough to be worth having.
    struct Case {
        std::size_t queries;
        dns::Clock::duration least;
        dns::Clock::duration most;
    };
    const Case cases[] = {
        {0, 0ms, 0ms},           {1, 0ms, 1ms},  // one query: next to nothing
        {500, 0ms, 50ms},                        // 500 addresses, one query each
        {50'000, 200ms, 400ms},                  // --count 100 over 500
        {200'000, 400ms, 800ms}, {500'000, 700ms, 1500ms},
    };
    for (const Case& c : cases) {
        BOOST_TEST_CONTEXT(c.queries << " queries") {
            BOOST_TEST((checks::report_reserve(c.queries) >= c.least));
            BOOST_TEST((checks::report_reserve(c.queries) <= c.most));
        }
    }
    // Beyond the sockets that can be open at once, each further query adds the same small cost.
    const auto step = checks::report_reserve(300'000) - checks::report_reserve(200'000);
    BOOST_TEST((checks::report_reserve(400'000) - checks::report_reserve(300'000) == step));
}

BOOST_AUTO_TEST_CASE(the_wait_ends_early_by_the_reserve_but_keeps_half_the_time_left) {
    const dns::Clock::time_point now{};
    const auto deadline = now + 3s;
    BOOST_TEST(
        (checks::network_deadline(deadline, 50'000, now) == deadline - checks::report_reserve(50'000)));
    BOOST_TEST((checks::network_deadline(deadline, 1, now) > deadline - 1ms));
    // -t 0.5 with 500,000 queries scheduled: half of what is left is still spent waiting.
    BOOST_TEST((checks::network_deadline(now + 500ms, 500'000, now) == now + 250ms));
    // Already past the deadline: nothing is taken off it.
    BOOST_TEST((checks::network_deadline(deadline, 500'000, deadline + 1s) == deadline));
}

BOOST_AUTO_TEST_CASE(an_address_never_sent_to_says_why_once) {
    checks::AddressProbe probe;
    probe.results.resize(100);
    for (dns::QueryResult& result : probe.results) {
        result.status = dns::QueryStatus::not_sent;
    }
    probe.results.front().error = "not sent before the deadline";  // as the engine settles a group
    BOOST_TEST(probe.not_sent() == 100U);
    BOOST_TEST(probe.sent() == 0U);
    BOOST_TEST(!probe.measured());
    BOOST_TEST(probe.failure_reason(3) == "not measured: not sent before the deadline");
}

BOOST_AUTO_TEST_SUITE_END()
