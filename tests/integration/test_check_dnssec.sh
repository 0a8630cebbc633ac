#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Issue 16: check_anycast_site and check_anycast_dns against real NSD and Knot serving a signed zone
# (tests/integration/sign-zone, i.e. ldns-signzone), one server per failure a stale or badly signed
# anycast instance shows. Addresses 127.0.16.0/24 belong to this test; its port is picked free (it_free_port).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=servers.sh
source "$here/servers.sh"
# shellcheck source=assert.sh
source "$here/assert.sh"

SITE=${CHECK_ANYCAST_SITE:-}
DNS=${CHECK_ANYCAST_DNS:-}
[[ -n "$SITE" && -x "$SITE" ]] || it_skip "CHECK_ANYCAST_SITE='$SITE' is not an executable"
[[ -n "$DNS" && -x "$DNS" ]] || it_skip "CHECK_ANYCAST_DNS='$DNS' is not an executable"
it_require nsd nsd-checkconf knotd drill jq setsid ldns-keygen ldns-signzone
it_traps
it_workdir
state_dir=$(mktemp -d)
trap 'rm -rf "$state_dir"; stop_all' EXIT

it_free_port P
now=$(date +%s)
day=86400
S=2026112304
IT_SIGN=yes start_nsd ams1 127.0.16.1 "$P" ams1 ams1 $S
IT_SIGN=yes start_knot iad1 127.0.16.2 "$P" iad1 iad1 $S
# An old copy, signed 29 days ago for 30 days: 1 day 3 hours left.
IT_SIGN="--inception $((now - 29 * day)) --expiration $((now + day + 3 * 3600 + 600))" \
  start_nsd sin1 127.0.16.3 "$P" sin1 sin1 $((S - 3))
IT_SIGN="--corrupt-soa-rrsig" start_nsd lhr1 127.0.16.4 "$P" lhr1 lhr1 $S
IT_SIGN="--keys $IT_SERVERS_DIR/other-keys" start_knot fra1 127.0.16.5 "$P" fra1 fra1 $S
start_nsd sto1 127.0.16.6 "$P" sto1 sto1 $S
IT_SIGN="--inception $((now + 2 * 3600)) --expiration $((now + 30 * day))" \
  start_nsd nbo1 127.0.16.7 "$P" nbo1 nbo1 $S
IT_SIGN="--inception $((now - 31 * day)) --expiration $((now - 3 * 3600))" \
  start_knot mad1 127.0.16.8 "$P" mad1 mad1 $S
IT_SIGN=yes start_knot old1 127.0.16.9 "$P" old1 old1 $((S - 1))

CHECK=$SITE
Z=(-p "$P" --zone anycast.test)
GOOD=(--site ams1=127.0.16.1 --site iad1=127.0.16.2)
dnssec_of() { echo ".subchecks[] | select(.name == \"dnssec $1\")"; }

case_ "steady: signed sites with one key set and a month of validity are OK"
run_json -H 127.0.16.1 "${Z[@]}" "${GOOD[@]}"
expect_rc 0
expect_jq "$(dnssec_of "site ams1") | .facts.signed" true
expect_jq "$(dnssec_of "site iad1") | .subchecks[0].facts.status" valid
expect_jq '[.. | objects | select(.label? == "iad1_soa_rrsig_left") | .value > 29 * 86400] | .[0]' true
expect_jq '[.perfdata[] | select(.label == "ams1_dnskey_rrsig_left")] | length' 1
expect_jq '.subchecks[] | select(.name == "key sets") | .state' OK
expect_jq '[.. | objects | select(.label? == "iad1_serial_lag") | .value] | .[0]' 0

case_ "expiring: a stale site whose signatures run out in 1d 3h is named on the first line"
run_check -H 127.0.16.1 "${Z[@]}" "${GOOD[@]}" --site sin1=127.0.16.3
expect_rc 2
expect_grep ' CRITICAL - site sin1: SOA and DNSKEY signatures expire in 1d 3h'
run_json -H 127.0.16.1 "${Z[@]}" "${GOOD[@]}" --site sin1=127.0.16.3 --rrsig-critical 1d --serial-lag-warning 5
expect_rc 1
expect_jq "$(dnssec_of "site sin1") | .subchecks[0].state" WARNING
expect_jq '[.. | objects | select(.label? == "sin1_serial_lag") | .value] | .[0]' 3

case_ "expired and not yet valid signatures are CRITICAL"
run_check "${Z[@]}" --site mad1=127.0.16.8
expect_rc 2
expect_grep ' CRITICAL - site mad1: SOA and DNSKEY signatures expired 3h'
run_check "${Z[@]}" --site nbo1=127.0.16.7
expect_rc 2
expect_grep ' CRITICAL - site nbo1: SOA and DNSKEY signatures not valid for another (1h 59m|2h)'

case_ "corrupted: an RRSIG that is present but does not verify"
run_check "${Z[@]}" "${GOOD[@]}" --site lhr1=127.0.16.4
expect_rc 2
expect_grep ' CRITICAL - site lhr1: SOA signature does not verify with key [0-9]+ alg 13'

case_ "another key set: the site a rollover did not reach is named"
run_json "${Z[@]}" "${GOOD[@]}" --site fra1=127.0.16.5
expect_rc 2
expect_jq '.subchecks[] | select(.name == "key sets") | .state' CRITICAL
expect_grep 'site fra1 serves DNSKEY set [0-9 ]+ \(no key in common\)'

case_ "unsigned: fine alone, CRITICAL beside signed sites or with --dnssec required"
run_check "${Z[@]}" --site sto1=127.0.16.6
expect_rc 0
run_check "${Z[@]}" --site sto1=127.0.16.6 --dnssec required
expect_rc 2
run_check "${Z[@]}" "${GOOD[@]}" --site sto1=127.0.16.6
expect_rc 2
expect_grep ' CRITICAL - site sto1: zone unsigned here while other servers sign it'
run_check "${Z[@]}" --site lhr1=127.0.16.4 --dnssec off
expect_rc 0

case_ "per anycast address: the instance behind the address is judged and named"
run_check -H 127.0.16.3 "${Z[@]}"
expect_rc 2
expect_grep ' CRITICAL - site sin1 via 127\.0\.16\.3: SOA and DNSKEY signatures expire in 1d 3h'

case_ "behind: --state-file remembers since when a site lags"
B=(-H 127.0.16.1 "${Z[@]}" "${GOOD[@]}" --site old1=127.0.16.9 --serial-lag-warning 5
  --state-file "$state_dir/state" --behind-warning 2s)
run_check "${B[@]}"
expect_rc 0
sleep 3
run_json "${B[@]}"
expect_rc 1
expect_grep 'site old1 behind for [3-9]s'
run_check -H 127.0.16.1 "${Z[@]}" --behind-warning 1h
expect_rc 3

CHECK=$DNS
case_ "check_anycast_dns --dnssec: the answer's RRSIG verified with the DNSKEYs of the same address"
run_json -H 127.0.16.1 -H 127.0.16.2 -p "$P" -q www.anycast.test -T A --dnssec
expect_rc 0
expect_jq '[.. | objects | select(.label? | strings | endswith("_rrsig_left")) | .value > 29 * 86400] | all' true
run_check -H 127.0.16.1 -H 127.0.16.3 -p "$P" -q www.anycast.test -T A --dnssec
expect_rc 2
expect_grep '127\.0\.16\.3.*A signature expires in 1d 3h'
run_check -H 127.0.16.3 -p "$P" -q www.anycast.test -T A --dnssec --rrsig-warning 2d --rrsig-critical 1d
expect_rc 1
run_check -H 127.0.16.5 -p "$P" -q www.anycast.test -T A --dnssec
expect_rc 0
run_check -H 127.0.16.6 -p "$P" -q www.anycast.test -T A --dnssec
expect_rc 2

finish
