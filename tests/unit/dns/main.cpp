#define BOOST_TEST_MODULE anycast_dns
#include <boost/test/unit_test.hpp>
