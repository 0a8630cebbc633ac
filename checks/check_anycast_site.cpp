// check_anycast_site: which site serves this vantage point, is every site healthy, and do they
// agree on the zone. All logic lives in the library (lib/checks/anycast_site.cpp).
#include "checks/anycast_site.hpp"
#include "plugin/run.hpp"

int main(int argc, char* argv[]) {
    return anycast::plugin::run_plugin<anycast::checks::AnycastSiteConfig>(
        "ANYCAST SITE", argc, argv, anycast::checks::define_anycast_site_options,
        anycast::checks::run_anycast_site);
}
