#define BOOST_TEST_MODULE anycast_sites
#include <boost/test/unit_test.hpp>
