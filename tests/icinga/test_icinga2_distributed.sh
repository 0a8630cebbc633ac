#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Two real icinga2 daemons on loopback, a master and a satellite (zone AMS) with certificates made by
# `icinga2 pki`: a check with command_endpoint runs on the satellite and its result arrives at the
# master (asserted through the master's REST API: check_source is the satellite). Also validates the
# distributed example (zones.conf + zones.d) with `icinga2 daemon -C`.
# Owns 127.0.4.0/24; its DNS and API ports are picked free (it_free_port).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=icinga_lib.sh
source "$here/icinga_lib.sh"
icinga_test_begin curl jq nsd nsd-checkconf drill setsid

it_free_port P
it_free_port API_EXAMPLE
it_free_port API_MASTER
it_free_port API_SAT
start_nsd ams1 127.0.4.1 "$P" ams1 ams1 2024080101
start_nsd iad1 127.0.4.2 "$P" iad1 iad1 2024080101

case_ "the distributed example validates"
icinga_new example master1.example.net master "$API_EXAMPLE"
example=${ICINGA_DIR[example]}
cat >"$example/etc/icinga2.conf" <<EOF
const PluginDir = "${ANYCAST_CHECKS_DIR}"
const NodeName = "master1.example.net"
const ZoneName = "master"
include <itl>
include <plugins>
include "${ICINGA_TEMPLATES}/anycast-checks.conf"
include "${ICINGA_TEMPLATES}/examples/distributed/zones.conf"
include_zones "anycast-example", "${ICINGA_TEMPLATES}/examples/distributed/zones.d"
object CheckerComponent "checker" { }
EOF
icinga_validate example

# Certificates: one CA (the master's), a certificate for each node signed by it.
icinga_new master master.test master "$API_MASTER"
icinga_new sat sat-ams.test AMS "$API_SAT"
master=${ICINGA_DIR[master]}
sat=${ICINGA_DIR[sat]}
{
  icinga_run master pki new-ca
  for node in master sat; do
    cn=$([[ $node == master ]] && echo master.test || echo sat-ams.test)
    certs=${ICINGA_DIR[$node]}/lib/certs
    icinga_run master pki new-cert --cn "$cn" --key "$certs/$cn.key" --csr "$certs/$cn.csr"
    icinga_run master pki sign-csr --csr "$certs/$cn.csr" --cert "$certs/$cn.crt"
    cp "$master/lib/ca/ca.crt" "$certs/ca.crt"
  done
} >"$master/pki.log" 2>&1 || it_skip "icinga2 pki failed: $(tail -5 "$master/pki.log")"

zones="
object Endpoint \"master.test\" { }
object Zone \"master\" { endpoints = [ \"master.test\" ] }
object Endpoint \"sat-ams.test\" { host = \"127.0.0.1\"; port = ${API_SAT} }
object Zone \"AMS\" { endpoints = [ \"sat-ams.test\" ]; parent = \"master\" }
"
cat >"$sat/etc/icinga2.conf" <<EOF
include "base.conf"
${zones}
EOF
cat >"$master/etc/icinga2.conf" <<EOF
include "base.conf"
${zones}
/* Objects in the master zone; command_endpoint must then be in it or a child zone (AMS). In
 * production this zone comes from the directory: zones.d/master/. */
object Host "sat-ams.test" {
  zone = "master"
  check_command = "dummy"
  vars.location = "AMS"
}
object Service "anycast-dns" {
  host_name = "sat-ams.test"
  zone = "master"
  command_endpoint = host_name
  check_command = "anycast_dns"
  check_interval = 2s
  retry_interval = 2s
  vars.anycast_dns_hostname = [ "127.0.4.1", "127.0.4.2" ]
  vars.anycast_dns_query = "anycast.test"
  vars.anycast_dns_type = "SOA"
  vars.anycast_dns_port = ${P}
}
EOF

case_ "master and satellite configs validate"
icinga_validate master
icinga_validate sat

case_ "a check run by the satellite reaches the master"
icinga_start sat
icinga_start master
icinga_wait_results master 90 sat-ams.test!anycast-dns
# The first result may come from before the connection was up (UNKNOWN "not connected"); wait for one
# the satellite made.
deadline=$((SECONDS + 60))
while [[ "$(result_of sat-ams.test!anycast-dns .check_source)" != "sat-ams.test" ]] && ((SECONDS < deadline)); do
  sleep 1
  icinga_wait_results master 10 sat-ams.test!anycast-dns
done
echo "satellite result at the master after $((SECONDS - started)) s"
expect_result sat-ams.test!anycast-dns "ran on the satellite" .check_source sat-ams.test
expect_result sat-ams.test!anycast-dns "exit status" .exit_status 0
expect_result sat-ams.test!anycast-dns "output" '.output | test("^ANYCAST DNS OK - 2/2 addresses answered")' true
expect_result sat-ams.test!anycast-dns "perfdata" \
  "[.performance_data[] | test(\"^127\\\\.0\\\\.4\\\\.[12]_${P}_rtt=\")] | map(select(.)) | length" 2
case_ "the master sees the satellite endpoint connected"
json=$(icinga_api master 'objects/endpoints?attrs=connected&attrs=__name' || true)
got=$(jq -r '.results[] | select(.name == "sat-ams.test") | .attrs.connected' <<<"$json" 2>/dev/null || true)
if [[ "$got" == "true" ]]; then it_pass; else it_fail "endpoint sat-ams.test connected: got '$got'"; fi

echo "icinga2_distributed took $((SECONDS - started)) s"
finish
