#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# check_anycast_vantages against a real icinga2 on loopback: seven vantage hosts whose results are
# set by the built-in dummy check and by process-check-result (a stale one, a hostile one), then the
# judgement read back through the REST API (counted, failing, left out and why, catchment), and
# every fault a user meets: unreachable API, wrong CA, wrong certificate name, wrong password, no
# permission, a service no host runs, a silent server (within --timeout). A small mock
# (vantages_mock.py) sends what icinga2 never does: truncated, cut-off, hostile, oversized, redirect.
# Its API and mock ports on 127.0.0.1 are picked free (it_free_port).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=icinga_lib.sh
source "$here/icinga_lib.sh"
icinga_test_begin curl jq openssl setsid
CHECK=$ANYCAST_CHECKS_DIR/check_anycast_vantages
[[ -x "$CHECK" ]] || it_skip "$CHECK is not built"
PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] || it_skip "$PYTHON is missing (the mock API)"

it_free_port API_PORT
it_free_port MOCK_PORT 7 # 6 mock scenarios, and one port nobody listens on
UNUSED_PORT=$((${MOCK_PORT:?} + 6))
icinga_new vt vt.test vt "$API_PORT"
dir=${ICINGA_DIR[vt]}
{
  icinga_run vt pki new-ca
  icinga_run vt api setup --cn vt.test
  icinga_run vt pki new-cert --cn mock.test --key "$dir/mock.key" --csr "$dir/mock.csr"
  icinga_run vt pki sign-csr --csr "$dir/mock.csr" --cert "$dir/mock.crt"
} >"$dir/pki.log" 2>&1 || it_skip "icinga2 pki failed: $(tail -5 "$dir/pki.log")"
CA=$dir/lib/certs/ca.crt
[[ -f $CA ]] || CA=$dir/lib/ca/ca.crt
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=other-ca -days 1 -keyout "$dir/other.key" \
  -out "$dir/other-ca.crt" >/dev/null 2>&1 || it_skip "openssl could not make a second CA"

cat >"$dir/etc/icinga2.conf" <<EOF
include "base.conf"
object Endpoint NodeName { }
object Zone ZoneName { endpoints = [ NodeName ] }
object ApiUser "vt-admin" {
  password = "${ICINGA_API_PASSWORD}"
  permissions = [ "*" ]
}
object ApiUser "vt-status" {
  password = "${ICINGA_API_PASSWORD}"
  permissions = [ "status/query" ]
}
template Host "vp" { check_command = "dummy"; check_interval = 1s; vars.dummy_state = 0 }
template Service "dns" { check_command = "dummy"; check_interval = 1s; retry_interval = 1s; max_check_attempts = 1 }
object Host "vp-a" { import "vp" }
object Host "vp-b" { import "vp" }
object Host "vp-c" { import "vp" }
object Host "vp-d" { import "vp"; vars.dummy_state = 2; vars.dummy_text = "Zone 'vp-d' is not connected" }
object Host "vp-e" { import "vp" }
object Host "vp-f" { import "vp" }
object Host "vp-g" { import "vp" }
object Service "dns" { host_name = "vp-a"; import "dns"
  vars.dummy_text = "ANYCAST SITE OK - catchment ams1 | site_ams1=2;;;0 '192.0.2.53_rtt'=0.004s;;;0" }
object Service "dns" { host_name = "vp-b"; import "dns"; vars.dummy_state = 2
  vars.dummy_text = "ANYCAST SITE CRITICAL - catchment 192.0.2.53:53: no answer" }
object Service "dns" { host_name = "vp-c"; import "dns"
  vars.dummy_text = "ANYCAST SITE OK - catchment iad1 | site_iad1=1;;;0" }
object Service "dns" { host_name = "vp-d"; import "dns"
  vars.dummy_text = "ANYCAST SITE OK - catchment ams1 | site_ams1=1;;;0" }
object Service "dns" { host_name = "vp-e"; import "dns"; vars.dummy_state = 3
  vars.dummy_text = "ANYCAST SITE UNKNOWN - --zone: empty" }
object Service "dns" { host_name = "vp-f"; import "dns"; enable_active_checks = false }
object Service "dns" { host_name = "vp-g"; import "dns"; enable_active_checks = false }
object Service "health" { host_name = "vp-a"; import "dns"; vars.dummy_state = 2; vars.dummy_text = "disk full" }
object Service "health" { host_name = "vp-c"; import "dns"; vars.dummy_text = "fine" }
EOF
case_ "config validates"
icinga_validate vt
icinga_start vt
icinga_wait_results vt 60 'vp-a!dns' 'vp-b!dns' 'vp-c!dns' 'vp-d!dns' 'vp-e!dns' 'vp-a!health' 'vp-c!health'

# vp-f: a result an hour old; vp-g: a WARNING whose output is hostile (escape, bidi, a fake perfdata bar).
now=$(date +%s)
post() {
  curl -ks --max-time 5 -u "vt-admin:$ICINGA_API_PASSWORD" -H 'Accept: application/json' -X POST \
    -d "$2" "https://127.0.0.1:$API_PORT/v1/$1" >/dev/null
}
post actions/process-check-result "{\"type\": \"Service\", \"filter\": \"host.name == \\\"vp-f\\\" && service.name == \\\"dns\\\"\",
  \"exit_status\": 0, \"plugin_output\": \"ANYCAST SITE OK - old\", \"performance_data\": [\"site_sin1=1\"],
  \"execution_start\": $((now - 3600)), \"execution_end\": $((now - 3600))}"
post actions/process-check-result "{\"type\": \"Service\", \"filter\": \"host.name == \\\"vp-g\\\" && service.name == \\\"dns\\\"\",
  \"exit_status\": 1, \"plugin_output\": \"ANYCAST SITE WARNING - evil\\u001b[31m\\u202e x\"}"
# Host DOWN takes a hard state after max_check_attempts (3 x 1 s).
for ((i = 0; i < 100; i++)); do
  icinga_api vt 'objects/hosts?attrs=state&attrs=state_type&attrs=__name' |
    jq -e '.results[] | select(.name == "vp-d") | .attrs.state == 1' >/dev/null 2>&1 && break
  sleep 0.2
done
# With ANYCAST_RECORD_DIR set: the response the checks below get (--service dns --health-service health).
icinga_record_vantages icinga-api-7-vantages.json "$API_PORT" dns health
printf '%s\n' "$ICINGA_API_PASSWORD" >"$dir/password"
printf 'wrong\n' >"$dir/wrong-password"

api=(--api "https://127.0.0.1:$API_PORT" --api-cert-name vt.test --ca-file "$CA" --api-user anycast-test
  --api-password-file "$dir/password")
sites=(--site ams1 --site iad1 --site sin1)

case_ "seven vantage points: 2 of 4 counted fail, 3 left out and named, catchment by site"
run_json "${api[@]}" --service dns "${sites[@]}"
expect_rc 2
expect_jq '.state' CRITICAL
expect_jq '[.perfdata[] | select(.label | startswith("vantages_")) | "\(.label)=\(.value)"] | join(" ")' \
  "vantages_total=7 vantages_counted=4 vantages_failing=2 vantages_excluded=3"
expect_jq '[.perfdata[] | select(.label | startswith("site_")) | "\(.label)=\(.value)"] | join(" ")' \
  "site_ams1=1 site_iad1=1 site_sin1=0"
expect_jq '.summary | startswith("2/4 vantage points failing: vp-b CRITICAL (catchment 192.0.2.53:53: no answer), vp-g WARNING (evil")' true
expect_jq '[.subchecks[] | select(.name == "left out") | .subchecks[] | "\(.name): \(.facts.excluded)"] | join("; ") | test("^vp-d: host DOWN: Zone .vp-d. is not connected; vp-e: UNKNOWN: --zone: empty; vp-f: result 36[0-9][0-9] s old \\(max 60 s\\)$")' true
# (the first line is cut at the library's 240 bytes here: the catchment part says it)
expect_jq '.subchecks[] | select(.name == "catchment") | .facts.unserved_sites' sin1
expect_clean
run_check "${api[@]}" --service dns "${sites[@]}"
expect_clean
expect_grep '^ANYCAST VANTAGES CRITICAL - 2/4 vantage points failing: vp-b CRITICAL'
expect_grep 'evil\\x1b\[31m\\u202e x'

case_ "--fail-critical 3: WARNING; --fail-state critical --fail-warning 2: OK"
run_check "${api[@]}" --service dns --fail-critical 3
expect_rc 1
run_check "${api[@]}" --service dns --fail-state critical --fail-warning 2 --fail-critical 50%
expect_rc 0
expect_grep '^ANYCAST VANTAGES OK - 1/4 vantage points failing: vp-b CRITICAL'

case_ "--unknown-fails counts vp-e; --max-age 2h counts vp-f"
run_json "${api[@]}" --service dns --unknown-fails --max-age 7200
expect_jq '[.perfdata[] | select(.label == "vantages_counted" or .label == "vantages_failing") | .value] | join(",")' "6,3"

case_ "--health-service: a vantage whose health fails, or that has none, is left out"
run_json "${api[@]}" --service dns --health-service health
expect_rc 0
expect_jq '[.subchecks[] | select(.name == "left out") | .subchecks[] | select(.name == "vp-a" or .name == "vp-b") | .facts.excluded] | join("; ")' \
  "health service 'health' CRITICAL: disk full; has no health service 'health'"
expect_jq '[.subchecks[] | select(.name == "vantage points") | .subchecks[].name] | join(",")' "vp-c"

case_ "--catchment-service: sites from another service"
run_json "${api[@]}" --service health --catchment-service dns --site ams1 --fail-critical 100%
expect_jq '.subchecks[] | select(.name == "catchment") | .summary' "ams1 1, iad1 1"

case_ "password from the environment; never needed on the command line"
export ANYCAST_VT_PW=$ICINGA_API_PASSWORD
run_check --api "https://127.0.0.1:$API_PORT" --api-cert-name vt.test --ca-file "$CA" --api-user anycast-test \
  --api-password-env ANYCAST_VT_PW --service dns
expect_rc 2
unset ANYCAST_VT_PW
run_check --api "https://127.0.0.1:$API_PORT" --api-cert-name vt.test --ca-file "$CA" --api-user anycast-test \
  --api-password-env ANYCAST_VT_PW --service dns
expect_rc 3
expect_grep '^ANYCAST VANTAGES UNKNOWN - no API password: give --api-password-file FILE or set ANYCAST_VT_PW$'

case_ "a service no host runs"
run_check "${api[@]}" --service nope
expect_rc 3
expect_grep "^ANYCAST VANTAGES UNKNOWN - no host runs service 'nope' that API user 'anycast-test' may see$"

case_ "wrong password"
run_check "${api[@]/$dir\/password/$dir/wrong-password}" --service dns
expect_rc 3
expect_grep "^ANYCAST VANTAGES UNKNOWN - the API at https://127.0.0.1:$API_PORT refused user 'anycast-test' \(HTTP 401: wrong user or password\)$"

case_ "no permission: the API shows the user nothing (HTTP 404), and the check says whose view it is"
run_check "${api[@]/anycast-test/vt-status}" --service dns
expect_rc 3
expect_grep "^ANYCAST VANTAGES UNKNOWN - no host runs service 'dns' that API user 'vt-status' may see$"

case_ "wrong CA"
run_check "${api[@]/$CA/$dir/other-ca.crt}" --service dns
expect_rc 3
expect_grep "^ANYCAST VANTAGES UNKNOWN - the API certificate of https://127.0.0.1:$API_PORT is not trusted \(--ca-file .*other-ca.crt\)"

case_ "certificate for another name (no --api-cert-name, URL host 127.0.0.1)"
run_check --api "https://127.0.0.1:$API_PORT" --ca-file "$CA" --api-user anycast-test --api-password-file "$dir/password" --service dns
expect_rc 3
expect_grep "^ANYCAST VANTAGES UNKNOWN - the API certificate of https://127.0.0.1:$API_PORT is not trusted .*127.0.0.1"

case_ "API unreachable"
run_check "${api[@]/$API_PORT/$UNUSED_PORT}" --service dns
expect_rc 3
expect_grep "^ANYCAST VANTAGES UNKNOWN - cannot connect to the API at https://127.0.0.1:$UNUSED_PORT: "

case_ "bad input: http://, a path, a missing password file, a FIFO as CA file"
run_check --api "http://127.0.0.1:$API_PORT" --api-user a --service dns
expect_grep "^ANYCAST VANTAGES UNKNOWN - --api: 'http://127.0.0.1:$API_PORT' is not https://"
run_check --api "https://127.0.0.1:$API_PORT/v1" --api-user a --service dns
expect_grep "must be https://HOST\[:PORT\] only"
run_check "${api[@]/$dir\/password/$dir/absent}" --service dns
expect_rc 3
expect_grep "^ANYCAST VANTAGES UNKNOWN - password file $dir/absent: "
mkfifo "$dir/fifo"
run_check "${api[@]/$CA/$dir/fifo}" --service dns
expect_rc 3
expect_grep "^ANYCAST VANTAGES UNKNOWN - --ca-file: CA file $dir/fifo: .*FIFO"

# The mock: one scenario per port, certificate mock.test signed by the test CA.
mock_port=$MOCK_PORT
declare -A MOCK=()
for scenario in silent truncated-json cut-off hostile redirect huge; do
  mdir=$IT_SERVERS_DIR/mock-$scenario
  mkdir -p "$mdir"
  it_spawn "mock_$scenario" "$mdir" "$PYTHON" "$here/vantages_mock.py" "$mock_port" "$dir/mock.crt" "$dir/mock.key" "$scenario" 60
  for ((i = 0; i < 100; i++)); do
    grep -q '^ready$' "$mdir/log" 2>/dev/null && break
    sleep 0.05
  done
  MOCK[$scenario]=$mock_port
  mock_port=$((mock_port + 1))
done
mock() { # scenario, then more check arguments
  local port=${MOCK[$1]}
  shift
  run_check --api "https://127.0.0.1:$port" --api-cert-name mock.test --ca-file "$CA" --api-user u \
    --api-password-file "$dir/password" --service dns "$@"
}

case_ "a silent API: UNKNOWN within --timeout"
mock silent -t 2
expect_rc 3
expect_grep "^ANYCAST VANTAGES UNKNOWN - no answer from the API at https://127.0.0.1:${MOCK[silent]} within 2 s \(--timeout\)$"
expect_faster 2300

case_ "truncated JSON"
mock truncated-json
expect_rc 3
expect_grep '^ANYCAST VANTAGES UNKNOWN - API response is not valid JSON \(truncated\?\): \{"results": \[\{"attrs"'

case_ "a response cut off before Content-Length"
mock cut-off
expect_rc 3
expect_grep "^ANYCAST VANTAGES UNKNOWN - API response from https://127.0.0.1:${MOCK[cut-off]} cut off: "

case_ "hostile: a state that is not a number"
mock hostile
expect_rc 3
expect_grep '^ANYCAST VANTAGES UNKNOWN - API response: results\[0\].attrs.last_check_result.state is not a number$'

case_ "a redirect elsewhere is not followed"
mock redirect
expect_rc 3
expect_grep "^ANYCAST VANTAGES UNKNOWN - the API at https://127.0.0.1:${MOCK[redirect]} redirected \(HTTP 302\) to https://elsewhere.example/v1/objects/services: not followed$"

case_ "a response above 16 MiB"
mock huge
expect_rc 3
expect_grep "^ANYCAST VANTAGES UNKNOWN - API response from https://127.0.0.1:${MOCK[huge]} larger than 16 MiB$"

echo "icinga_vantages_api took $((SECONDS - started)) s"
finish
