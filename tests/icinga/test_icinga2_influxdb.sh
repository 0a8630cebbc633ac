#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Perfdata from a real icinga2 through its InfluxdbWriter into Debian's InfluxDB 1.6, on loopback:
# the rtt of a check can be queried back with `influx -execute`, as a number, tagged by hostname,
# service and metric; and the Grafana dashboard's own queries (icinga-templates/grafana/anycast.json)
# return series. Owns 127.0.5.0/24; its DNS, InfluxDB (HTTP, RPC) and API ports are picked free (it_free_port).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=icinga_lib.sh
source "$here/icinga_lib.sh"
icinga_test_begin influxd influx curl jq nsd nsd-checkconf drill setsid

it_free_port P
it_free_port INFLUX_HTTP
it_free_port INFLUX_RPC
it_free_port API
start_nsd ams1 127.0.5.1 "$P" ams1 ams1 2024090101
start_nsd iad1 127.0.5.2 "$P" iad1 iad1 2024090101

# InfluxDB in its own directory, only on 127.0.0.1, telling nobody about itself.
it_new_server_dir influxdb
influx_dir=$IT_NEW_DIR
cat >"$influx_dir/influxdb.conf" <<EOF
reporting-enabled = false
bind-address = "127.0.0.1:${INFLUX_RPC}"
[meta]
  dir = "${influx_dir}/meta"
[data]
  dir = "${influx_dir}/data"
  wal-dir = "${influx_dir}/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:${INFLUX_HTTP}"
  log-enabled = false
  pprof-enabled = false
EOF
it_spawn influxdb "$influx_dir" influxd run -config "$influx_dir/influxdb.conf"
for ((i = 0; i < 200; i++)); do
  [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:${INFLUX_HTTP}/ping")" == 204 ]] && break
  sleep 0.1
done
influxq() { timeout 20 influx -host 127.0.0.1 -port "$INFLUX_HTTP" -database icinga2 -format json -execute "$1"; }
timeout 20 influx -host 127.0.0.1 -port "$INFLUX_HTTP" -execute 'CREATE DATABASE icinga2' ||
  { cat "$influx_dir/log" >&2; it_skip "InfluxDB did not start on 127.0.0.1:${INFLUX_HTTP}"; }
echo "InfluxDB up after $((SECONDS - started)) s"

icinga_new single influx.test influx "$API"
dir=${ICINGA_DIR[single]}
icinga_run single api setup --cn influx.test >"$dir/pki.log" 2>&1 ||
  it_skip "icinga2 api setup failed: $(tail -5 "$dir/pki.log")"
cat >"$dir/etc/icinga2.conf" <<EOF
include "base.conf"
object Endpoint NodeName { }
object Zone ZoneName { endpoints = [ NodeName ] }
/* As in docs/icinga.md: the InfluxdbWriter's default templates, flushed at once for the test. */
object InfluxdbWriter "influxdb" {
  host = "127.0.0.1"
  port = ${INFLUX_HTTP}
  database = "icinga2"
  flush_threshold = 1
  flush_interval = 1s
  enable_send_thresholds = true
  host_template = {
    measurement = "\$host.check_command\$"
    tags = { hostname = "\$host.name\$" }
  }
  service_template = {
    measurement = "\$service.check_command\$"
    tags = { hostname = "\$host.name\$", service = "\$service.name\$" }
  }
}
object Host "anycast-ns" {
  check_command = "dummy"
  address = "127.0.5.1"
}
template Service "fast" {
  check_interval = 2s
  retry_interval = 2s
}
object Service "anycast-dns" {
  import "fast"
  host_name = "anycast-ns"
  check_command = "anycast_dns"
  vars.anycast_dns_query = "anycast.test"
  vars.anycast_dns_type = "SOA"
  vars.anycast_dns_port = ${P}
  vars.anycast_dns_warning = "0.5"
}
object Service "anycast-sites" {
  import "fast"
  host_name = "anycast-ns"
  check_command = "anycast_site"
  vars.anycast_site_zone = "anycast.test"
  vars.anycast_site_port = ${P}
  vars.anycast_site_site = [ "ams1=127.0.5.1", "iad1=127.0.5.2" ]
}
EOF

case_ "icinga2 with InfluxdbWriter validates"
icinga_validate single
icinga_start single
icinga_wait_results single 60 anycast-ns!anycast-dns anycast-ns!anycast-sites

case_ "the rtt perfdata can be queried back from InfluxDB"
metric="127.0.5.1_${P}_rtt"
deadline=$((SECONDS + 60))
while :; do
  OUT=$(influxq "SELECT last(value), last(warn) FROM anycast_dns WHERE metric = '${metric}' AND hostname = 'anycast-ns' AND service = 'anycast-dns'" 2>&1 || true)
  jq -e '.results[0].series[0].values[0][1] != null' <<<"$OUT" >/dev/null 2>&1 && break
  ((SECONDS < deadline)) || break
  sleep 1
done
echo "perfdata in InfluxDB after $((SECONDS - started)) s"
CMD="influx -execute (rtt)"
expect_jq '.results[0].series[0].name' anycast_dns
expect_jq '.results[0].series[0].values[0][1] | type' number
expect_jq '.results[0].series[0].values[0][1] > 0 and .results[0].series[0].values[0][1] < 1' true
expect_jq '.results[0].series[0].values[0][2]' 0.5

case_ "tags are hostname, service and metric"
OUT=$(influxq 'SHOW TAG KEYS FROM anycast_dns' 2>&1 || true)
expect_jq '[.results[0].series[0].values[][0]] | sort | join(",")' hostname,metric,service

case_ "every Grafana dashboard query runs; the anycast ones return series"
mapfile -t queries < <(jq -r '.panels[] | .id as $id | .targets[] | "\($id)\t\(.query)"' \
  "$ICINGA_TEMPLATES/grafana/anycast.json")
[[ ${#queries[@]} -gt 0 ]] || it_fail "no queries in the dashboard"
for line in "${queries[@]}"; do
  id=${line%%$'\t'*}
  query=${line#*$'\t'}
  query=${query//\$timeFilter/time > now() - 1h}
  query=${query//\$__interval/10s}
  CMD="influx -execute \"$query\""
  OUT=$(influxq "$query" 2>&1 || true)
  expect_jq '.results[0].error // "no error"' "no error"
  # resolver_locality has no service here; sites_total and serial_lag are single values, fine too.
  if [[ "$query" == *'FROM "anycast_dns"'* || "$query" == *'FROM "anycast_site"'* ]]; then
    expect_jq '(.results[0].series // []) | length > 0' true
  fi
  [[ "${ICINGA_DUMP:-}" == 1 ]] && echo "panel $id: $(jq -c '[.results[0].series[]?.tags]' <<<"$OUT")"
done

echo "icinga2_influxdb took $((SECONDS - started)) s"
finish
