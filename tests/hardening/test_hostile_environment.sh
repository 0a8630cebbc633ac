#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Hardening, part two (issue 14, docs/security.md "Hostile environments"): regexes over hostile
# network text, check_anycast_site's state file under concurrency and sabotage, files that are not
# regular files, signals, a huge sites file, and bounded output. A real NSD serves the big answers
# and the live addresses; tests/adversary serves the hostile identities and plays the dead address.
# Addresses 127.0.8.0/24 belong to this test, with free ports (it_free_port); the 5000-address
# case sends to 127.8.0.0/16 on a claimed port where nothing listens.
#
# Prints the measurements docs/security.md quotes ("measure: ..." lines).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
integration="$here/../integration"
# shellcheck source=../integration/servers.sh
source "$integration/servers.sh"
# shellcheck source=../integration/assert.sh
source "$integration/assert.sh"

DNS=${CHECK_ANYCAST_DNS:-}
SITE=${CHECK_ANYCAST_SITE:-}
[[ -n "$DNS" && -x "$DNS" ]] || it_skip "CHECK_ANYCAST_DNS='$DNS' is not an executable"
[[ -n "$SITE" && -x "$SITE" ]] || it_skip "CHECK_ANYCAST_SITE='$SITE' is not an executable"
it_require nsd nsd-checkconf drill jq setsid timeout
it_traps

PORT=""
it_free_port PORT 4 # PORT: NSD, the dead and the redos address; PORT+1, +2: two services on one IP;
CLOSED=$((PORT + 3)) # PORT+3: nothing listens
LIVE=50 # live addresses 127.0.8.1 .. 127.0.8.50, one NSD
DEAD=127.0.8.251
REDOS=127.0.8.252
it_workdir
work="$IT_SERVERS_DIR/work"
mkdir -p "$work"

# One NSD on the LIVE addresses, zone big.test with a 30 KB TXT at its apex (only over TCP).
start_big_nsd() {
  local dir i chunk txt="" listen=()
  it_new_server_dir nsd-big
  dir=$IT_NEW_DIR
  chunk=$(printf '%0250d' 0 | tr 0 x)
  for ((i = 0; i < 120; i++)); do txt+=" \"$chunk\""; done
  # shellcheck disable=SC2016 # $ORIGIN and $TTL are the zone file's
  printf '$ORIGIN big.test.\n$TTL 300\n@ SOA ns1 hostmaster 2026120101 3600 900 604800 300\n@ NS ns1\nns1 A 192.0.2.53\n@ TXT%s\n' \
    "$txt" >"$dir/zone"
  for ((i = 1; i <= LIVE; i++)); do listen+=("127.0.8.$i@$PORT"); done
  write_nsd_conf "$dir" big.test ams1 ams1 no "${listen[@]}"
  spawn_nsd nsd-big "$dir"
  wait_answers nsd-big 127.0.8.1 "$PORT" big.test
  wait_answers nsd-big "127.0.8.$LIVE" "$PORT" big.test
}

start_big_nsd
start_adversary dead "$DEAD" "$PORT" late --delay 600000 # answers after the check is gone
start_adversary redos "$REDOS" "$PORT" redos

# one_line: malformed input gives exactly one line, LABEL UNKNOWN - ...
one_line() {
  if [[ $(wc -l <"$OUT_FILE") -eq 1 ]]; then it_pass; else it_fail "expected one line"; fi
}

# ---- 1. Regexes: RE2, linear, no recursion ------------------------------------------------------
CHECK=$DNS
case_ "30 KB TXT over the TCP fallback, --expect-regex 'x.*z' (std::regex: SIGSEGV)"
run_check -H 127.0.8.1 -p "$PORT" -q big.test -T TXT --expect-regex 'x.*z' -t 3
expect_rc 2
expect_grep '^ANYCAST DNS CRITICAL - '
expect_faster 3100
run_json -H 127.0.8.1 -p "$PORT" -q big.test -T TXT --expect-regex 'x{250}' -t 3
expect_rc 0
expect_jq "$(sub 127.0.8.1) | .facts.transport" tcp
echo "measure: 30 KB TXT, --expect-regex over TCP: ${ELAPSED_MS} ms" >&2

case_ "(a+)+\$ in --expect-regex against a TXT of 250 'a' and '!'"
run_check -H "$REDOS" -p "$PORT" -q anycast.test -T TXT --expect-regex '(a+)+$' -t 2
expect_rc 2
expect_grep 'ANYCAST DNS CRITICAL - '
echo "measure: (a+)+\$ in --expect-regex: exit $RC in ${ELAPSED_MS} ms" >&2
expect_faster 2100
case_ "(a+)+\$ in --expect-identity against the same NSID"
run_check -H "$REDOS" -p "$PORT" -q anycast.test --expect-identity '(a+)+$' -t 2
expect_rc 2
echo "measure: (a+)+\$ in --expect-identity: exit $RC in ${ELAPSED_MS} ms" >&2
expect_faster 2100

nested=$(printf '(%.0s' $(seq 30000))a$(printf ')%.0s' $(seq 30000))
case_ "30,000 nested parentheses in --expect-regex"
run_check -H 127.0.8.1 -p "$PORT" -q big.test --expect-regex "$nested"
expect_rc 3
expect_grep '^ANYCAST DNS UNKNOWN - .*--expect-regex'
one_line
case_ "30,000 nested parentheses in --expect-identity"
run_check -H 127.0.8.1 -p "$PORT" -q big.test --expect-identity "$nested"
expect_rc 3
one_line

CHECK=$SITE
case_ "30,000 nested parentheses in --expect-site"
run_check -H 127.0.8.1 -p "$PORT" --zone big.test --expect-site "$nested"
expect_rc 3
one_line
case_ "30,000 nested parentheses in --site-regex"
run_check -H 127.0.8.1 -p "$PORT" --zone big.test --site-regex "$nested"
expect_rc 3
one_line
case_ "(a+)+\$ in --site-regex against an NSID of 250 'a' and '!'"
run_check -H "$REDOS" -p "$PORT" --zone anycast.test --site-regex '^(?<site>(a+)+)$' -t 2
echo "measure: (a+)+\$ in --site-regex: exit $RC in ${ELAPSED_MS} ms" >&2
expect_faster 2100
if ((RC <= 3)); then it_pass; else it_fail "exit code $RC"; fi

# ---- 2. The state file: 50 concurrent checks, one dead address ----------------------------------
state="$work/shared.state"
run_fleet() {
  local t=$1 i pids=()
  rm -f "$state" "$state".*
  for ((i = 1; i <= LIVE; i++)); do
    (
      start=$(it_now_ms)
      rc=0
      "$SITE" -H "127.0.8.$i" -H "$DEAD" -p "$PORT" --zone big.test --state-file "$state" -t "$t" \
        >"$work/fleet.$i.out" 2>&1 || rc=$?
      echo "$rc $(($(it_now_ms) - start))" >"$work/fleet.$i.rc"
    ) &
    pids+=($!)
  done
  wait "${pids[@]}" # not a bare wait: the servers' watchdogs are children too
}
# What 50 process start-ups at once cost here: the part of the worst wall time that is not the check.
pids=()
for ((i = 1; i <= LIVE; i++)); do
  (
    start=$(it_now_ms)
    "$SITE" --version >/dev/null 2>&1 || true
    echo "$(($(it_now_ms) - start))" >"$work/startup.$i"
  ) &
  pids+=($!)
done
wait "${pids[@]}"
startup=$(sort -n "$work"/startup.* | tail -n 1)
echo "measure: 50 x --version at once: worst $startup ms" >&2
for t in 1 3; do
  case_ "50 checks sharing one state file, one dead address each, -t $t"
  CMD="50 x $SITE -H 127.0.8.N -H $DEAD -p $PORT --zone big.test --state-file $state -t $t"
  run_fleet "$t"
  critical=0
  worst=0
  for ((i = 1; i <= LIVE; i++)); do
    read -r rc ms <"$work/fleet.$i.rc"
    ((rc == 2)) && critical=$((critical + 1))
    ((ms > worst)) && worst=$ms
  done
  recorded=$(grep -c "^127\.0\.8\.[0-9]*#$PORT"$'\t' "$state" || true)
  OUT="$(head -n 3 "$work/fleet.1.out")"
  echo "measure: -t $t: $recorded/$LIVE recorded, $critical/$LIVE CRITICAL, worst wall time $worst ms" >&2
  if ((recorded == LIVE)); then
    it_pass
  else
    # Say why: the first lines of the checks whose address is missing from the file.
    for ((i = 1; i <= LIVE; i++)); do
      grep -q "^127\.0\.8\.$i#$PORT"$'\t' "$state" 2>/dev/null ||
        echo "  not recorded: 127.0.8.$i: $(head -n 1 "$work/fleet.$i.out")" >&2
    done
    it_fail "$recorded of $LIVE addresses recorded"
  fi
  if ((critical == LIVE)); then it_pass; else it_fail "$critical of $LIVE CRITICAL (the dead address)"; fi
  # From fork to exit of 50 processes at once: less what 50 start-ups at once cost here (ASan
  # builds start slower), as test_timeouts.sh does for one.
  if ((worst - startup < t * 1000 + 200)); then it_pass; else it_fail "worst run took $worst ms at -t $t"; fi
  if ls "$state".?????? >/dev/null 2>&1; then it_fail "temporary state files left"; else it_pass; fi
done

case_ "the state key has the port: two services on one IP do not flap"
rm -f "$state" "$state".*
start_adversary port-a 127.0.8.253 $((PORT + 1)) good --nsid ams1
start_adversary port-b 127.0.8.253 $((PORT + 2)) good --nsid lhr1
for port in $((PORT + 1)) $((PORT + 2)) $((PORT + 1)); do
  run_json -H 127.0.8.253 -p "$port" --zone anycast.test --state-file "$state"
  expect_rc 0
done
expect_jq '[.subchecks[] | select(.facts.previous_site)] | length' 0

case_ "a corrupt state file is set aside and said, the run is recorded"
printf 'not history\n' >"$state"
run_check -H 127.0.8.1 -p "$PORT" --zone big.test --state-file "$state"
expect_rc 3
expect_grep "^ANYCAST SITE UNKNOWN - .*state file $state was not valid history \(line 1\); set aside as $state\.corrupt-"
aside=$(find "$work" -name 'shared.state.corrupt-*' | head -n 1)
if [[ -n "$aside" && "$(cat "$aside")" == "not history" ]]; then it_pass; else it_fail "no copy set aside"; fi
run_check -H 127.0.8.1 -p "$PORT" --zone big.test --state-file "$state"
expect_rc 0
run_check -H 127.0.8.1 -p "$PORT" --zone big.test --state-file "$state" --state-optional
expect_rc 0

case_ "a state problem is said beside CRITICAL, never instead of it"
mkfifo "$work/fifo.state"
run_check -H 127.0.8.1 -H "$DEAD" -p "$PORT" --zone big.test --state-file "$work/fifo.state" -t 1
expect_rc 2
expect_grep "^ANYCAST SITE CRITICAL - .*$DEAD.*state file $work/fifo.state is a FIFO"
echo "measure: FIFO state file with a dead address at -t 1: exit $RC in ${ELAPSED_MS} ms" >&2
expect_faster 1100

# ---- 3. Files that are not regular files ---------------------------------------------------------
case_ "a FIFO as --state-file does not hang: UNKNOWN, or the real state with --state-optional"
run_check -H 127.0.8.1 -p "$PORT" --zone big.test --state-file "$work/fifo.state" -t 2
expect_rc 3
expect_grep "^ANYCAST SITE UNKNOWN - state file $work/fifo.state is a FIFO, not a regular file"
echo "measure: FIFO state file at -t 2: exit $RC in ${ELAPSED_MS} ms" >&2
expect_faster 2100
run_check -H 127.0.8.1 -p "$PORT" --zone big.test --state-file "$work/fifo.state" -t 2 --state-optional
expect_rc 0
if [[ -p "$work/fifo.state" ]]; then it_pass; else it_fail "the FIFO was replaced"; fi

case_ "a FIFO as --sites-file does not hang"
mkfifo "$work/fifo.sites"
run_check -H 127.0.8.1 -p "$PORT" --zone big.test --sites-file "$work/fifo.sites" -t 2
expect_rc 3
expect_grep "^ANYCAST SITE UNKNOWN - sites file $work/fifo.sites: is a FIFO, not a regular file"
one_line
echo "measure: FIFO sites file at -t 2: exit $RC in ${ELAPSED_MS} ms" >&2
expect_faster 2100

case_ "a device node at the state path is not replaced"
if mknod "$work/null" c 1 3 2>/dev/null; then
  run_check -H 127.0.8.1 -p "$PORT" --zone big.test --state-file "$work/null"
  expect_rc 3
  expect_grep 'is a character device, not a regular file'
  echo "measure: device node as the state file: exit $RC in ${ELAPSED_MS} ms, still a device: $([[ -c "$work/null" ]] && echo yes || echo no)" >&2
  if [[ -c "$work/null" ]]; then it_pass; else it_fail "the device node was replaced"; fi
else
  echo "note: mknod not permitted, device case not run" >&2
fi

case_ "a dangling STATE.lock link does not create its target"
ln -sf "$work/lock-target" "$work/linked.state.lock"
run_check -H 127.0.8.1 -p "$PORT" --zone big.test --state-file "$work/linked.state"
expect_rc 3
expect_grep "lock file $work/linked.state.lock is a symbolic link: remove it"
if [[ ! -e "$work/lock-target" ]]; then it_pass; else it_fail "the link's target was created"; fi

# ---- 5. Signals -----------------------------------------------------------------------------------
for signal in TERM INT HUP; do
  case_ "SIG$signal: UNKNOWN (exit 3), at once, no temporary file left"
  rm -f "$state" "$state".*
  start=$(it_now_ms)
  set +e
  # A non-interactive shell starts background jobs with SIGINT ignored (and the check respects
  # an inherited SIG_IGN, as for nohup): give it the default back.
  env --default-signal=INT,HUP "$SITE" -H 127.0.8.1 -H "$DEAD" -p "$PORT" --zone big.test --state-file "$state" -t 5 \
    >"$work/signal.out" 2>&1 &
  pid=$!
  sleep 0.5
  killed=$(it_now_ms)
  kill -s "$signal" "$pid"
  wait "$pid"
  RC=$?
  set -e
  ELAPSED_MS=$(($(it_now_ms) - start))
  echo "measure: SIG$signal: exit $RC, $(($(it_now_ms) - killed)) ms from the signal to the exit" >&2
  OUT=$(cat "$work/signal.out")
  CMD_ARGV=()
  expect_rc 3
  expect_grep "^ANYCAST SITE UNKNOWN - terminated by SIG$signal before the check finished"
  expect_faster 1500
  if ls "$state".?????? >/dev/null 2>&1; then it_fail "temporary state files left"; else it_pass; fi
done

case_ "an early-closing reader does not kill the check with SIGPIPE"
CHECK=$DNS
set +e
"$DNS" -H "$DEAD" -p "$PORT" -q big.test -t 0.3 | true
rcs=("${PIPESTATUS[@]}")
"$DNS" -H "$DEAD" -p "$PORT" -q big.test -t 0.3 -v | head -c1 >/dev/null
rcs+=("${PIPESTATUS[0]}")
set -e
RC="${rcs[0]} ${rcs[2]}"
OUT=""
if [[ "${rcs[0]}" == 2 && "${rcs[2]}" == 2 ]]; then it_pass; else it_fail "exit codes $RC, expected 2 2"; fi

# ---- 6. A huge sites file, a bad interface name, bounded output ----------------------------------
CHECK=$SITE
case_ "50k code-only lines in a sites file leave time for the queries"
{ echo ams1; seq -f 's%g' 1 50000; } >"$work/50k.sites"  # ams1 listed: the answer is a known site
run_json -H 127.0.8.1 -p "$PORT" --zone big.test --sites-file "$work/50k.sites" -t 3
expect_rc 0
expect_jq "$(sub 127.0.8.1) | .state" OK
echo "measure: 50k-line sites file, whole run: ${ELAPSED_MS} ms" >&2

case_ "a bad interface name in a sites file names the file and line"
printf '# sites\nams1 127.0.8.1\nlhr1 fe80::53%%nosuchif0\n' >"$work/if.sites"
run_check -H 127.0.8.1 -p "$PORT" --zone big.test --sites-file "$work/if.sites"
expect_rc 3
expect_grep "^ANYCAST SITE UNKNOWN - sites file $work/if.sites line 3: 'fe80::53%nosuchif0': this host has no network interface 'nosuchif0'"
one_line

case_ "5000 addresses: output bounded, what was left out is said"
CHECK=$DNS
# Nothing listens on CLOSED (claimed by this test): every address answers "port unreachable" fast.
args=()
for ((i = 0; i < 5000; i++)); do args+=(-H "127.8.$((i / 250)).$((i % 250 + 1))"); done
run_check "${args[@]}" -p "$CLOSED" -q big.test -t 3
expect_rc 2
bytes=$(wc -c <"$OUT_FILE")
first=$(head -n 1 "$OUT_FILE" | wc -c)
echo "measure: 5000 addresses: $bytes bytes of output, first line $first bytes, ${ELAPSED_MS} ms" >&2
if ((bytes <= 48 * 1024)); then it_pass; else it_fail "$bytes bytes of output"; fi
if ((first <= 8 * 1024)); then it_pass; else it_fail "first line of $first bytes"; fi
expect_grep '^\[\.\.\.\] [0-9]+ more lines .* left out \(output bound 48 KiB'

finish
