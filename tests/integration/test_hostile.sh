#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Hardening: check_anycast_dns against every scenario of tests/adversary (anycast_adversary).
# For each: the exit code and JSON state, no attacker-chosen byte unescaped in the output, and an
# exit within --timeout + 100 ms whatever the server does.
# Address 127.0.2.1 belongs to this test, with 50 consecutive free ports (it_free_port).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=servers.sh
source "$here/servers.sh"
# shellcheck source=assert.sh
source "$here/assert.sh"

CHECK=${CHECK_ANYCAST_DNS:-}
[[ -n "$CHECK" && -x "$CHECK" ]] || it_skip "CHECK_ANYCAST_DNS='$CHECK' is not an executable"
it_require jq iconv setsid
it_traps

ADDR=127.0.2.1
it_free_port FIRST_PORT 50
NEXT_PORT=$FIRST_PORT
T=1 # the check's --timeout in seconds: scenarios that never answer end there
BOUND_MS=$((T * 1000 + 100))

# adversary SCENARIO [RESPONDER_ARGS...]: a fresh responder on its own port; sets PORT.
adversary() {
  PORT=$NEXT_PORT
  NEXT_PORT=$((NEXT_PORT + 1))
  ((PORT < FIRST_PORT + 50)) || it_skip "test_hostile.sh ran out of its ports"
  start_adversary "adv_$PORT" "$ADDR" "$PORT" "$@"
}

# hostile SCENARIO RC STATE [CHECK_ARGS...]: one case, in text and then JSON form (so that
# assertions after it can read the JSON).
hostile() {
  local scenario=$1 rc=$2 state=$3
  shift 3
  case_ "$scenario $*"
  run_check -H "$ADDR" -p "$PORT" -q anycast.test -t "$T" "$@"
  expect_rc "$rc"
  expect_grep "^ANYCAST DNS $state - "
  expect_faster "$BOUND_MS"
  expect_clean
  if [[ $(wc -l <"$OUT_FILE") -eq 2 ]]; then it_pass; else it_fail "expected 2 lines (no injected ones)"; fi
  run_json -H "$ADDR" -p "$PORT" -q anycast.test -t "$T" "$@"
  expect_rc "$rc"
  expect_jq .state "$state"
  expect_jq "$(sub "$ADDR") | .state" "$state"
  expect_faster "$BOUND_MS"
  expect_clean
}

adversary good
hostile good 0 OK
expect_jq "$(sub "$ADDR") | .facts.identity" adversary
hostile good 0 OK --tcp

# Replies that are not ours are ignored: the address counts as silent.
for scenario in wrong-id wrong-question other-source-port; do
  adversary "$scenario"
  hostile "$scenario" 2 CRITICAL
  expect_jq "$(sub "$ADDR") | .facts.loss_pct" 100
done

# Malformed replies: dropped, never trusted, never a crash.
for scenario in truncated-header compression-loop long-label rdlength-overflow opt-overflow; do
  adversary "$scenario"
  hostile "$scenario" 2 CRITICAL
  hostile "$scenario" 2 CRITICAL --tcp
done

# OPT without RDATA is legal: there is just no NSID, so identity comes from hostname.bind.
adversary opt-no-rdata
hostile opt-no-rdata 0 OK
expect_jq "$(sub "$ADDR") | .facts.identity_method" hostname.bind

# The largest NSID a message can carry: the answer is fine, the output stays short.
adversary nsid-huge
for transport in "" --tcp; do
  hostile nsid-huge 0 OK $transport
  if (($(wc -c <"$OUT_FILE") < 4096)); then it_pass; else it_fail "output of $(wc -c <"$OUT_FILE") bytes"; fi
done

# Control bytes, '|', newlines, invalid UTF-8 as NSID, as hostname.bind, as the answer itself.
adversary nsid-hostile
hostile nsid-hostile 0 OK
adversary txt-hostile
hostile txt-hostile 0 OK
expect_jq "$(sub "$ADDR") | .facts.identity_method" hostname.bind
hostile txt-hostile 0 OK -T TXT
hostile txt-hostile 0 OK -T TXT --tcp

# Truncation: the TCP retry is bounded by the same deadline.
adversary tc-then-slow-tcp --delay 300
hostile tc-then-slow-tcp 0 OK
expect_jq "$(sub "$ADDR") | .facts.transport" tcp
expect_jq "$(sub "$ADDR") | .facts.truncated" true
expect_jq "$(sub "$ADDR") | .facts.rtt_max_ms >= 300" true
adversary tc-then-slow-tcp --delay 5000
hostile tc-then-slow-tcp 2 CRITICAL
for scenario in tcp-silent tcp-trickle; do
  adversary "$scenario"
  hostile "$scenario" 2 CRITICAL
done

# Only the reply with our ID counts, however many others come first.
adversary flood-then-answer --flood 200
hostile flood-then-answer 0 OK
expect_jq "$(sub "$ADDR") | .facts.identity" adversary

for rcode in servfail refused notimp; do
  adversary "$rcode"
  hostile "$rcode" 2 CRITICAL
  expect_jq "$(sub "$ADDR") | .facts.rcode" "${rcode^^}"
done

adversary late --delay 300
hostile late 0 OK
expect_jq "$(sub "$ADDR") | .facts.rtt_max_ms >= 300" true
hostile late 1 WARNING -w 100ms
hostile late 2 CRITICAL -w 100ms -c 200ms
adversary late --delay 5000
hostile late 2 CRITICAL

finish
