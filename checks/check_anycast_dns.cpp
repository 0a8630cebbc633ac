// check_anycast_dns: which instance of an anycast DNS service answers each address, how fast, and
// whether the answer is right. All logic lives in the library (lib/checks/anycast_dns.cpp).
#include "checks/anycast_dns.hpp"
#include "plugin/run.hpp"

int main(int argc, char* argv[]) {
    return anycast::plugin::run_plugin<anycast::checks::AnycastDnsConfig>(
        "ANYCAST DNS", argc, argv, anycast::checks::define_anycast_dns_options,
        anycast::checks::run_anycast_dns);
}
