#include <boost/test/unit_test.hpp>

#include <set>

#include "dns/random.hpp"

BOOST_AUTO_TEST_CASE(random_query_ids_vary) {
    std::set<std::uint16_t> seen;
    for (int i = 0; i < 64; ++i) {
        seen.insert(anycast::dns::random_query_id());
    }
    // 64 draws from 65536 values: a repeat is possible, a handful of distinct values is not.
    BOOST_TEST(seen.size() > 32U);
}
