// check_resolver_locality: is the resolver this vantage point uses actually near it? All logic
// lives in the library (lib/checks/resolver_locality.cpp).
#include "checks/resolver_locality.hpp"
#include "plugin/run.hpp"

int main(int argc, char* argv[]) {
    return anycast::plugin::run_plugin<anycast::checks::ResolverLocalityConfig>(
        "RESOLVER LOCALITY", argc, argv, anycast::checks::define_resolver_locality_options,
        anycast::checks::run_resolver_locality);
}
