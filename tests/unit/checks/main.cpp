#define BOOST_TEST_MODULE anycast_checks
#include <boost/test/unit_test.hpp>
