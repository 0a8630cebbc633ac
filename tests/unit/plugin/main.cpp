#define BOOST_TEST_MODULE anycast_plugin
#include <boost/test/unit_test.hpp>
