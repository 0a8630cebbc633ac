// check_anycast_vantages: one service across every vantage point, read from the Icinga 2 REST API
// on the master. All logic lives in the library (lib/vantages/).
#include "plugin/run.hpp"
#include "vantages/check.hpp"

int main(int argc, char* argv[]) {
    return anycast::plugin::run_plugin<anycast::vantages::VantagesConfig>(
        "ANYCAST VANTAGES", argc, argv, anycast::vantages::define_vantages_options,
        anycast::vantages::run_vantages);
}
