#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# check_anycast_dns against real NSD, Knot and Unbound instances on loopback.
# Addresses 127.0.1.0/24 belong to this test (::1 and 127.0.0.1 too, on a port of its own),
# so that it can run beside the other integration tests.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=servers.sh
source "$here/servers.sh"
# shellcheck source=assert.sh
source "$here/assert.sh"

CHECK=${CHECK_ANYCAST_DNS:-}
[[ -n "$CHECK" && -x "$CHECK" ]] || it_skip "CHECK_ANYCAST_DNS='$CHECK' is not an executable"
it_require nsd nsd-checkconf knotd unbound unbound-checkconf drill jq setsid
it_traps

it_free_port P
SERIAL=2024060101
start_nsd ams1_v4 127.0.0.1 "$P" host-ams1 ams1 $SERIAL
start_nsd ams1_v6 ::1 "$P" host-ams1 ams1 $SERIAL
start_nsd fra1 127.0.1.2 "$P" fra1 "" $SERIAL
start_nsd --hide-identity hidden 127.0.1.3 "$P" secret "" $SERIAL
start_knot iad1 127.0.1.4 "$P" iad1 iad1 $SERIAL
start_unbound resolver 127.0.1.5 "$P" resolver1 resolver1 127.0.0.1 "$P"
start_nsd lossy 127.0.1.6 "$P" lossy lossy $SERIAL
CLOSED=127.0.1.9 # nothing listens here

Q=(-p "$P" -q anycast.test)

case_ "identity via NSID (NSD)"
run_json -H 127.0.0.1 "${Q[@]}" -T SOA
expect_rc 0
expect_jq .state OK
expect_jq "$(sub 127.0.0.1) | .facts.identity" ams1
expect_jq "$(sub 127.0.0.1) | .facts.identity_method" nsid
expect_jq "$(sub 127.0.0.1) | .facts.rcode" NOERROR
expect_jq "$(sub 127.0.0.1) | .facts.transport" udp
expect_jq "$(sub 127.0.0.1) | .facts.aa" true
expect_jq "$(sub 127.0.0.1) | .facts.port" "$P"

case_ "identity via hostname.bind when NSID is off"
run_json -H 127.0.1.2 "${Q[@]}" -T SOA
expect_rc 0
expect_jq "$(sub 127.0.1.2) | .facts.identity" fra1
expect_jq "$(sub 127.0.1.2) | .facts.identity_method" hostname.bind

case_ "hide-identity: no identity, still OK"
run_json -H 127.0.1.3 "${Q[@]}" -T SOA
expect_rc 0
expect_jq "$(sub 127.0.1.3) | .facts.identity // \"absent\"" absent
expect_jq "$(sub 127.0.1.3) | .facts.identity_method | test(\"^(hidden|none)$\")" true

case_ "identity of a Knot instance"
run_json -H 127.0.1.4 "${Q[@]}" -T SOA
expect_rc 0
expect_jq "$(sub 127.0.1.4) | .facts.identity" iad1
expect_jq "$(sub 127.0.1.4) | .facts.identity_method" nsid

case_ "three addresses at once, each with its identity and RTT"
run_json -H 127.0.0.1 -H ::1 -H 127.0.1.4 "${Q[@]}" -T SOA
expect_rc 0
expect_jq .state OK
expect_jq '.subchecks | length' 3
expect_jq "$(sub 127.0.0.1) | .facts.identity" ams1
expect_jq "$(sub ::1) | .facts.identity" ams1
expect_jq "$(sub 127.0.1.4) | .facts.identity" iad1
expect_jq '[.subchecks[] | .facts.rtt_max_ms | type == "number" and . > 0] | all' true
expect_jq '[.subchecks[] | .state == "OK"] | all' true
expect_jq '.perfdata | map(.label) | map(select(endswith("_rtt"))) | length' 3

case_ "text output: summary line and exactly one perfdata separator"
run_check -H 127.0.0.1 -H ::1 -H 127.0.1.4 "${Q[@]}" -T SOA
expect_rc 0
expect_grep '^ANYCAST DNS OK - 3/3 addresses answered'
expect_grep '^\[OK\] 127\.0\.0\.1.*ams1'
expect_grep '^\[OK\] 127\.0\.1\.4.*iad1'
if [[ $(head -n1 <<<"$OUT" | grep -o ' | ' | wc -l) -eq 1 ]]; then it_pass; else it_fail "first line needs exactly one ' | '"; fi
if [[ $(tail -n +2 <<<"$OUT" | grep -c '|' || true) -eq 0 ]]; then it_pass; else it_fail "'|' after the first line"; fi

case_ "expected RDATA present"
run_json -H 127.0.0.1 "${Q[@]}" -T A -e 192.0.2.1
expect_rc 0
expect_jq .state OK
expect_jq "$(sub 127.0.0.1) | .facts.answer_count" 1

case_ "wrong expected answer is CRITICAL"
run_json -H 127.0.0.1 "${Q[@]}" -T A -e 192.0.2.99
expect_rc 2
expect_jq .state CRITICAL
expect_jq "$(sub 127.0.0.1) | .state" CRITICAL

case_ "NXDOMAIN is CRITICAL"
run_json -H 127.0.0.1 -p "$P" -q nonexistent.anycast.test
expect_rc 2
expect_jq .state CRITICAL
expect_jq "$(sub 127.0.0.1) | .facts.rcode" NXDOMAIN

case_ "--expect-rcode NXDOMAIN makes NXDOMAIN OK"
run_json -H 127.0.0.1 -p "$P" -q nonexistent.anycast.test --expect-rcode NXDOMAIN
expect_rc 0
expect_jq "$(sub 127.0.0.1) | .facts.rcode" NXDOMAIN

case_ "--expect-identity"
run_json -H 127.0.0.1 "${Q[@]}" --expect-identity '^ams[0-9]$'
expect_rc 0
run_json -H 127.0.0.1 "${Q[@]}" --expect-identity '^iad'
expect_rc 2

case_ "closed port is CRITICAL at once, not at the timeout"
run_json -H $CLOSED "${Q[@]}" -t 5
expect_rc 2
expect_jq "$(sub $CLOSED) | .state" CRITICAL
expect_faster 1000
run_check -H $CLOSED "${Q[@]}" -t 5
expect_grep "(refused|unreachable)"

case_ "one closed address among good ones is CRITICAL, the others stay OK"
run_json -H 127.0.0.1 -H $CLOSED "${Q[@]}" -t 5
expect_rc 2
expect_jq "$(sub 127.0.0.1) | .state" OK
expect_jq "$(sub $CLOSED) | .state" CRITICAL
expect_faster 1000

case_ "--tcp"
run_json -H 127.0.0.1 -H ::1 -H 127.0.1.4 "${Q[@]}" -T SOA --tcp
expect_rc 0
expect_jq '[.subchecks[] | .facts.transport] | unique | join(",")' tcp
expect_jq "$(sub 127.0.1.4) | .facts.identity" iad1

case_ "truncated UDP answer falls back to TCP"
run_json -H 127.0.0.1 -H 127.0.1.4 -p "$P" -q big.anycast.test -T TXT
expect_rc 0
expect_jq "$(sub 127.0.0.1) | .facts.transport" tcp
expect_jq "$(sub 127.0.0.1) | .facts.truncated" true
expect_jq "$(sub 127.0.0.1) | .facts.answer_count" 6
expect_jq "$(sub 127.0.1.4) | .facts.transport" tcp

case_ "--no-tcp-fallback: a truncated answer is a WARNING"
run_json -H 127.0.0.1 -p "$P" -q big.anycast.test -T TXT --no-tcp-fallback
expect_rc 1
expect_jq "$(sub 127.0.0.1) | .facts.truncated" true
expect_jq "$(sub 127.0.0.1) | .facts.transport" udp

case_ "--count 5 without loss"
run_json -H 127.0.0.1 -H 127.0.1.4 "${Q[@]}" --count 5 --interval 10ms
expect_rc 0
expect_jq "$(sub 127.0.0.1) | .facts.sent" 5
expect_jq "$(sub 127.0.0.1) | .facts.received" 5
expect_jq "$(sub 127.0.0.1) | .facts.loss_pct" 0
expect_jq "$(sub 127.0.1.4) | .facts.loss_pct" 0
expect_jq "$(sub 127.0.0.1) | .facts.rtt_min_ms <= .facts.rtt_avg_ms and .facts.rtt_avg_ms <= .facts.rtt_max_ms" true

case_ "--count 5 with loss: the server freezes after the first queries"
# SIGSTOP keeps the socket open, so later queries are really lost (no ICMP error). The check asks
# at 0, 300, 600, 900, 1200 ms; the server freezes at about 450 ms.
run_json_in_background() {
  "$CHECK" -H 127.0.1.6 "${Q[@]}" --count 5 --interval 300ms -t 2 --loss-critical 10 \
    --output-format=json >"$IT_SERVERS_DIR/loss.json" 2>&1 &
}
# loss_run: one such run; sets RC, OUT, ELAPSED_MS (a run cannot be repeated by expect_faster).
loss_run() {
  local start check_pid
  start=$(it_now_ms)
  CMD="$CHECK -H 127.0.1.6 ${Q[*]} --count 5 --interval 300ms -t 2 --loss-critical 10 --output-format=json"
  CMD_ARGV=()
  run_json_in_background
  check_pid=$!
  sleep 0.45
  kill -STOP -- "-${IT_SERVER_PGID[lossy]}"
  set +e
  wait "$check_pid"
  RC=$?
  set -e
  ELAPSED_MS=$(($(it_now_ms) - start))
  kill -CONT -- "-${IT_SERVER_PGID[lossy]}"
  OUT=$(<"$IT_SERVERS_DIR/loss.json")
}
loss_run
if ((ELAPSED_MS >= 2100)) && [[ "${IT_UNDER_VALGRIND:-0}" != 1 ]]; then
  # Timed once more, as expect_faster does (see assert.sh); the assertions look at the second run.
  echo "note [$CASE]: took $ELAPSED_MS ms (bound 2100 ms); running it again" >&2
  loss_run
fi
expect_rc 2
expect_jq "$(sub 127.0.1.6) | .facts.sent" 5
expect_jq "$(sub 127.0.1.6) | .facts.received > 0 and .facts.received < 5" true
expect_jq "$(sub 127.0.1.6) | .facts.loss_pct == (.facts.sent - .facts.received) * 100 / .facts.sent" true
expect_faster 2100

case_ "-w turns OK into WARNING"
run_json -H 127.0.0.1 "${Q[@]}" -w 0.000001
expect_rc 1
expect_jq .state WARNING
expect_jq "$(sub 127.0.0.1) | .state" WARNING

case_ "-c turns OK into CRITICAL"
run_json -H 127.0.0.1 "${Q[@]}" -w 0.000001 -c 0.000002
expect_rc 2
expect_jq .state CRITICAL

case_ "generous thresholds stay OK"
run_json -H 127.0.0.1 "${Q[@]}" -w 500ms -c 1s
expect_rc 0
expect_jq '.perfdata[] | select(.label | endswith("_rtt")) | .warn' 0.5

case_ "recursive query through Unbound (--rd)"
run_json -H 127.0.1.5 -p "$P" -q www.anycast.test --rd -e 192.0.2.1
expect_rc 0
expect_jq "$(sub 127.0.1.5) | .facts.identity" resolver1

finish
