#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# A real icinga2 daemon (Debian's package) runs the example apply rules of
# icinga-templates/examples/services.conf with the generated CheckCommands against real NSD and Unbound
# on loopback; the REST API must show each service's exit status, output and perfdata as Icinga parsed
# them. Owns 127.0.3.0/24 and ::1; its DNS and API ports are picked free (it_free_port).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=icinga_lib.sh
source "$here/icinga_lib.sh"
icinga_test_begin curl jq nsd nsd-checkconf unbound unbound-checkconf drill setsid

it_free_port P
it_free_port API
it_free_port API_EXAMPLES
SERIAL=2024070101
start_nsd cloud_v4 127.0.3.1 "$P" ams1 ams1 $SERIAL
start_nsd cloud_v6 ::1 "$P" ams1 ams1 $SERIAL
start_nsd unicast_ams1 127.0.3.11 "$P" ams1 ams1 $SERIAL
start_nsd unicast_iad1 127.0.3.12 "$P" iad1 iad1 $SERIAL
# An identity the rules place (AMS): with --location, an unplaced resolver would be UNKNOWN.
start_unbound resolver 127.0.3.3 "$P" ams-res1 ams-res1 127.0.3.1 "$P"

icinga_new single single.test single "$API"
dir=${ICINGA_DIR[single]}
icinga_run single pki new-ca >"$dir/pki.log" 2>&1 || it_skip "icinga2 pki new-ca failed: $(cat "$dir/pki.log")"
icinga_run single api setup --cn single.test >>"$dir/pki.log" 2>&1 ||
  it_skip "icinga2 api setup failed: $(tail -5 "$dir/pki.log")"
cat >"$dir/etc/icinga2.conf" <<EOF
include "base.conf"
object Endpoint NodeName { }
object Zone ZoneName { endpoints = [ NodeName ] }
include "${ICINGA_TEMPLATES}/examples/services.conf"

object Host "anycast-ns" {
  check_command = "dummy"
  address = "127.0.3.1"
  address6 = "::1"
  vars.anycast = {
    zone = "anycast.test"
    port = ${P}
    sites = { "ams1" = [ "127.0.3.11" ], "iad1" = [ "127.0.3.12" ] }
  }
}
/* A sites list that is wrong: 127.0.3.11 is ams1, not lhr1. */
object Host "anycast-wrong" {
  check_command = "dummy"
  vars.anycast = { zone = "anycast.test", port = ${P}, sites = { "lhr1" = [ "127.0.3.11" ] } }
}
object Host "vantage-ams" {
  check_command = "dummy"
  address = "127.0.0.1"
  vars.vantage = true
  vars.location = "AMS"
  vars.resolver_locality = {
    resolver_locality_hostname = [ "127.0.3.3" ]
    resolver_locality_port = ${P}
    resolver_locality_query = "anycast.test"
    resolver_locality_type = "SOA"
  }
}
/* The CheckCommand's own default for -H: the host's address and address6 both. */
object Service "defaults" {
  host_name = "anycast-ns"
  check_command = "anycast_dns"
  vars.anycast_dns_query = "anycast.test"
  vars.anycast_dns_port = ${P}
  vars.anycast_dns_type = "SOA"
}
EOF

case_ "icinga2 daemon -C validates the templates and examples without warnings"
icinga_validate single
icinga_new examples ns.example.net examples "$API_EXAMPLES"
cat >"${ICINGA_DIR[examples]}/etc/icinga2.conf" <<EOF
const PluginDir = "${ANYCAST_CHECKS_DIR}"
include <itl>
include <plugins>
include "${ICINGA_TEMPLATES}/anycast-checks.conf"
object CheckerComponent "checker" { }
include "${ICINGA_TEMPLATES}/examples/hosts.conf"
include "${ICINGA_TEMPLATES}/examples/services.conf"
EOF
icinga_validate examples

case_ "services get results through the REST API"
icinga_start single
services=(anycast-ns!anycast-dns-v4 anycast-ns!anycast-dns-v6 anycast-ns!site-ams1 anycast-ns!site-iad1
  anycast-ns!anycast-sites anycast-ns!defaults anycast-wrong!site-lhr1 vantage-ams!resolver-locality)
icinga_wait_results single 90 "${services[@]}"
echo "first results after $((SECONDS - started)) s"

rtt='[0-9.]+(e-?[0-9]+)?s;;;0'
case_ "IPv4 cloud"
expect_result anycast-ns!anycast-dns-v4 "exit status" .exit_status 0
expect_result anycast-ns!anycast-dns-v4 "output" '.output | test("^ANYCAST DNS OK - 1/1 address answered")' true
expect_result anycast-ns!anycast-dns-v4 "long output kept, perfdata split off" \
  '.output | test("\n\\[OK\\] 127\\.0\\.3\\.1: .*identity ams1") and (contains(" | ") | not)' true
expect_result anycast-ns!anycast-dns-v4 "rtt perfdata" \
  "[.performance_data[] | test(\"^127\\\\.0\\\\.3\\\\.1_${P}_rtt=${rtt}\$\")] | any" true
expect_result anycast-ns!anycast-dns-v4 "loss perfdata" \
  ".performance_data | index(\"127.0.3.1_${P}_loss=0%;;;0;100\") != null" true

case_ "IPv6 cloud"
expect_result anycast-ns!anycast-dns-v6 "exit status" .exit_status 0
expect_result anycast-ns!anycast-dns-v6 "output" '.output | test("^ANYCAST DNS OK .*::1")' true
expect_result anycast-ns!anycast-dns-v6 "rtt perfdata" \
  "[.performance_data[] | test(\"^__1_${P}_rtt=${rtt}\$\")] | any" true

case_ "CheckCommand default -H: both address and address6"
expect_result anycast-ns!defaults "exit status" .exit_status 0
expect_result anycast-ns!defaults "both addresses" '.output | test("2/2 addresses answered")' true
expect_result anycast-ns!defaults "command line" '.command | map(select(. == "-H")) | length' 2

case_ "per-site services from the sites list"
expect_result anycast-ns!site-ams1 "exit status" .exit_status 0
expect_result anycast-ns!site-iad1 "exit status" .exit_status 0
expect_result anycast-ns!site-iad1 "output" '.output | test("identity iad1")' true
expect_result anycast-wrong!site-lhr1 "wrong site: CRITICAL" .exit_status 2
expect_result anycast-wrong!site-lhr1 "output" \
  '.output | test("^ANYCAST DNS CRITICAL - .*does not match --expect-identity")' true

case_ "anycast_site over the sites list"
expect_result anycast-ns!anycast-sites "exit status" .exit_status 0
expect_result anycast-ns!anycast-sites "output" '.output | test("^ANYCAST SITE OK - catchment ams1[^;]*; 2/2 sites up")' true
expect_result anycast-ns!anycast-sites "sites_up perfdata" '.performance_data | index("sites_up=2;;;0;2") != null' true
expect_result anycast-ns!anycast-sites "per-site rtt" \
  "[.performance_data[] | test(\"^(ams1|iad1)_rtt=${rtt}\$\")] | map(select(.)) | length" 2

case_ "resolver locality with the location from the host"
expect_result vantage-ams!resolver-locality "exit status" .exit_status 0
# shellcheck disable=SC2016 # jq variables
expect_result vantage-ams!resolver-locality "--location from vars.location" \
  '.command | index("-l") as $i | $i != null and .[$i + 1] == "AMS"' true
expect_result vantage-ams!resolver-locality "output" '.output | test("^RESOLVER LOCALITY OK - 127\\.0\\.3\\.3 answered")' true
expect_result vantage-ams!resolver-locality "rtt perfdata" \
  "[.performance_data[] | test(\"^127\\\\.0\\\\.3\\\\.3(_${P})?_rtt=${rtt}\$\")] | any" true

echo "icinga2_daemon took $((SECONDS - started)) s"
[[ "${ICINGA_DUMP:-}" == 1 ]] && jq . <<<"$ICINGA_RESULTS" >&2
finish
