#!/usr/bin/env bash
# --timeout is one deadline for the whole process: name resolution, every address, every retry
# over TCP. Each case runs check_anycast_dns against addresses that swallow packets without a word
# (no answer, no ICMP), inside a network namespace this test creates, and asserts that the check
# ends by timeout + TIMEOUT_SLACK_MS (default 100) with the documented state. The clock runs from
# exec to exit, less what starting the same binary with --version costs at that moment (a loaded
# machine slows exec and dynamic linking, which no deadline can help); both figures are printed,
# and the worst overrun at the end (docs/security.md records it).
#
#   CHECK_ANYCAST_DNS=build/checks/check_anycast_dns tests/hardening/test_timeouts.sh
#
# The black hole: a veth pair inside the namespace; 198.51.100.0/24 is routed via a gateway whose
# neighbour entry is a MAC address nobody has, so every packet leaves bh0, reaches bh1 addressed to
# another host and is dropped there. Sends succeed at once and nothing ever comes back, which is
# what a dead path on the Internet looks like (a "blackhole" route would fail the send instead).
# Nothing is added to the main namespace.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../shell/lib.sh
source "$here/../shell/lib.sh"

CHECK=${CHECK_ANYCAST_DNS:-}
[[ -n "$CHECK" && -x "$CHECK" ]] || it_skip "CHECK_ANYCAST_DNS='$CHECK' is not an executable"
it_require ip jq timeout
it_require_root "a network namespace"
SLACK_MS=${TIMEOUT_SLACK_MS:-100}

ns="anycast-bh-$$"
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "/etc/netns/$ns"
  [[ -n "${work:-}" ]] && rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
ip netns add "$ns" || it_skip "cannot create a network namespace"
ip -n "$ns" link set lo up
ip -n "$ns" link add bh0 type veth peer name bh1
ip -n "$ns" link set bh0 up
ip -n "$ns" link set bh1 up
ip -n "$ns" addr add 192.0.2.1/24 dev bh0
ip -n "$ns" neigh replace 192.0.2.254 lladdr 02:00:5e:00:53:fe dev bh0 nud permanent
ip -n "$ns" route add 198.51.100.0/24 via 192.0.2.254 dev bh0
# getaddrinfo in the namespace asks a resolver in the black hole (ip netns exec bind-mounts this
# file over /etc/resolv.conf), with glibc's own retries set far beyond the check's deadline.
mkdir -p "/etc/netns/$ns"
printf 'nameserver 198.51.100.53\noptions timeout:30 attempts:5\n' >"/etc/netns/$ns/resolv.conf"

failures=0
worst_overrun_ms=-1000000
worst_gross_ms=-1000000
retried=0
worst_case=""
work=$(mktemp -d)
export OUT_FILE="$work/out"

# timed ARGS...: runs ARGS inside the namespace and prints "EXIT_CODE ELAPSED_MS"; stdout and
# stderr go to $work/out. The clock runs inside the namespace, so `ip netns exec` is not counted.
timed() {
  # The outer timeout only stops a check that hangs for good; the assertion is the elapsed time.
  # shellcheck disable=SC2016 # expanded by the inner shell
  timeout -s KILL 60 ip netns exec "$ns" bash -c '
    start=$(date +%s%N)
    "$@" >"$OUT_FILE" 2>&1
    rc=$?
    end=$(date +%s%N)
    echo "$rc $(((end - start) / 1000000))"' timed "$@"
}

# What starting the binary costs right now (the best of three --version runs): a busy machine
# slows exec and dynamic linking, which no deadline inside the check can help.
startup_ms() {
  local best=1000000 i rc ms
  for i in 1 2 3; do
    read -r rc ms < <(timed "$CHECK" --version)
    ((ms < best)) && best=$ms
  done
  echo "$best"
}

# run_case NAME TIMEOUT_S WANT_RC WANT_STATE SUMMARY_REGEX ARGS...: runs the check with -t TIMEOUT_S
# --output-format=json in the namespace and checks exit code, state, the summaries and the time:
# elapsed - startup must not exceed TIMEOUT_S + SLACK_MS.
run_case() {
  local name=$1 timeout_s=$2 want_rc=$3 want_state=$4 regex=$5
  shift 5
  local rc elapsed out overrun gross startup timeout_ms
  timeout_ms=$(awk -v t="$timeout_s" 'BEGIN { printf "%d", t * 1000 }')
  local attempt note=""
  # A timing miss is tried once more: one scheduling hiccup on a shared machine is not a bug, while
  # a check that really overruns does so every time.
  for attempt in 1 2; do
    startup=$(startup_ms)
    read -r rc elapsed < <(timed "$CHECK" "$@" -t "$timeout_s" --output-format=json)
    out=$(<"$OUT_FILE")
    gross=$((elapsed - timeout_ms))
    overrun=$((gross - startup))
    ((overrun > SLACK_MS && attempt == 1)) || break
    note=" (2nd try; 1st overran by ${overrun} ms)"
    retried=$((retried + 1))
  done
  if ((overrun > worst_overrun_ms)); then
    worst_overrun_ms=$overrun
    worst_case="$name, -t $timeout_s"
  fi
  ((gross > worst_gross_ms)) && worst_gross_ms=$gross
  local problems=()
  ((rc == want_rc)) || problems+=("exit code $rc, expected $want_rc")
  ((overrun <= SLACK_MS)) || problems+=("took ${elapsed} ms: ${overrun} ms over the timeout after startup")
  if ! jq -e --arg s "$want_state" '.state == $s' <<<"$out" >/dev/null 2>&1; then
    problems+=("state is not $want_state")
  elif [[ -n "$regex" ]] && ! jq -e --arg r "$regex" \
    '(.subchecks | length > 0) and ([.subchecks[] | .summary | test($r)] | all)' <<<"$out" >/dev/null 2>&1 &&
    ! jq -e --arg r "$regex" '.summary | test($r)' <<<"$out" >/dev/null 2>&1; then
    problems+=("no summary matches /$regex/")
  fi
  [[ ${#problems[@]} -gt 0 ]] || it_pass
  printf '%-46s -t %-3s %5d ms, startup %3d ms, overrun %4d ms  %s\n' "$name" "$timeout_s" "$elapsed" \
    "$startup" "$overrun" "$([[ ${#problems[@]} -eq 0 ]] && echo ok || echo FAIL)$note"
  if [[ ${#problems[@]} -gt 0 ]]; then
    failures=$((failures + 1))
    it_fail "$name: ${problems[*]}"
    printf '  %s\n' "${problems[@]}" >&2
    printf '  command: %s\n  output: %s\n' "$CHECK ${*:1:6} ... -t $timeout_s --output-format=json" \
      "$(head -c 600 <<<"$out")" >&2
  fi
}

targets() {
  local n=$1 i
  for ((i = 1; i <= n; i++)); do
    printf -- '-H\n198.51.100.%d\n' "$i"
  done
}

# Sanity: the black hole must swallow, not refuse (a refusal would end the check early and prove
# nothing about the deadline).
if ip netns exec "$ns" timeout 2 bash -c 'exec 3<>/dev/udp/198.51.100.1/53 && echo x >&3' 2>/dev/null; then
  :
else
  it_skip "sending into the black hole fails at once; the namespace set-up is not what this test needs"
fi

Q=(-q anycast.test -T SOA)
for t in 1 2; do
  for n in 1 10 100; do
    mapfile -t hosts < <(targets "$n")
    run_case "$n black-holed address(es), UDP" "$t" 2 CRITICAL 'no answer within' "${hosts[@]}" "${Q[@]}"
  done
done
mapfile -t hosts < <(targets 10)
run_case "10 addresses, TCP (SYN never answered)" 1 2 CRITICAL 'no answer within' "${hosts[@]}" "${Q[@]}" --tcp
run_case "10 addresses, --count 5 --interval 300ms" 1 2 CRITICAL '' "${hosts[@]}" "${Q[@]}" --count 5 \
  --interval 300ms
run_case "10 addresses, identity by CHAOS only" 1 2 CRITICAL 'no answer within' "${hosts[@]}" "${Q[@]}" \
  --identity=hostname.bind,id.server
run_case "1 black-holed address, sub-second -t" 0.5 2 CRITICAL '' -H 198.51.100.7 "${Q[@]}"
# Name resolution under the same deadline: the resolver is in the black hole.
run_case "-H name whose resolver never answers" 1 3 UNKNOWN '' -H unresolvable.anycast.test "${Q[@]}"
run_case "-H name + literal, resolver never answers" 2 3 UNKNOWN '' -H 198.51.100.9 -H ns.anycast.test \
  "${Q[@]}"

echo "worst overrun: ${worst_overrun_ms} ms over the timeout after startup (${worst_case}); allowed ${SLACK_MS} ms"
echo "worst overrun including process startup: ${worst_gross_ms} ms; cases retried: ${retried}"
finish
