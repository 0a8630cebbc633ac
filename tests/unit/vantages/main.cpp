#define BOOST_TEST_MODULE anycast_vantages
#include <boost/test/unit_test.hpp>
