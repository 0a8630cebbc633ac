# shellcheck shell=bash
# Real DNS servers on loopback for integration tests and the demo. Source it, then:
#
#   it_require nsd knotd drill jq            # exit 77 (or 1 under CI=true) if a tool is missing
#   it_traps                                 # stop_all on any way out
#   it_free_port P                           # a port no other test or suite on this host uses
#   start_nsd  ams1 127.0.0.1 "$P" ams1 ams1 2024010101
#   start_knot iad1 127.0.0.2 "$P" iad1 iad1 2024010101
#
# Every server runs in its own directory under one temporary directory, in its own process group
# (so stop_all leaves nothing behind, not even the NSD children), and each start_* returns only
# once the server answers the SOA of its zone, or gives up (it_skip) after IT_START_TIMEOUT_S.
# Test traffic stays on 127.0.0.0/8 and ::1. Skips, requirements and assertions come from
# tests/shell/lib.sh, sourced here.
#
# The standard zone is described in tests/integration/README.md.

# shellcheck source=../shell/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell/lib.sh"

IT_ZONE="anycast.test"
IT_START_TIMEOUT_S="${IT_START_TIMEOUT_S:-10}"
declare -A IT_SERVER_PGID=()
declare -A IT_SERVER_DIR=()
declare -A IT_WATCHDOG_PID=()
# No server outlives this, even if every clean-up fails.
IT_MAX_LIFE_S="${IT_MAX_LIFE_S:-1800}"

# write_zone FILE SERIAL [ORIGIN]: the standard test zone (see README.md).
write_zone() {
  local file=$1 serial=$2 origin=${3:-$IT_ZONE}
  local chunk big_records="" i
  # 250 octets per string, 6 records: about 1.5 kB of RDATA, more than an EDNS buffer of 1232,
  # so the "big" RRset only arrives whole over TCP.
  chunk=$(printf '%0250d' 0 | tr 0 x)
  for i in 1 2 3 4 5 6; do
    big_records+="big       TXT   \"${i}${chunk:1}\""$'\n'
  done
  cat >"$file" <<EOF
\$ORIGIN ${origin}.
\$TTL 300
@         SOA   ns1 hostmaster ${serial} 3600 900 604800 300
@         NS    ns1
ns1       A     192.0.2.53
@         A     192.0.2.1
@         AAAA  2001:db8::1
@         TXT   "hello world"
@         MX    10 mail
mail      A     192.0.2.25
www       A     192.0.2.1
www       AAAA  2001:db8::1
alias     CNAME www
${big_records}
EOF
}

# DNSSEC (issue 16): with IT_SIGN set, start_nsd and start_knot serve their zone signed by
# tests/integration/sign-zone. IT_SIGN=yes signs with the test's one key set (shared by every server,
# so they agree) for 30 days; otherwise IT_SIGN holds sign-zone's options, e.g.
#   IT_SIGN="--keys $IT_SERVERS_DIR/other-keys --expiration $(($(date +%s) + 86400))" start_nsd ...
# IT_SIGNZONE is the script (found next to this file by default).
IT_SIGNZONE="${IT_SIGNZONE:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/sign-zone}"
it_maybe_sign() {
  local file=$1 zone=$2
  [[ -n "${IT_SIGN:-}" ]] || return 0
  it_require ldns-keygen ldns-signzone
  local -a options=()
  if [[ "$IT_SIGN" != "yes" ]]; then
    read -r -a options <<<"$IT_SIGN"
  fi
  it_workdir
  "$IT_SIGNZONE" --keys "$IT_SERVERS_DIR/keys" "${options[@]}" "$file" "$zone" >/dev/null ||
    it_skip "could not sign $file with $IT_SIGNZONE"
}

# Starts "$@" in a new session (own process group) with output to DIR/log, and records the group id.
it_spawn() {
  local name=$1 dir=$2
  shift 2
  # If setsid has to fork, $! would be the wrong pid: let the new session leader report its own.
  # shellcheck disable=SC2016 # expanded by the inner shell
  setsid bash -c 'echo $$ >"$0/pgid"; exec "$@"' "$dir" "$@" >"$dir/log" 2>&1 </dev/null &
  local i
  for ((i = 0; i < 50; i++)); do
    [[ -s "$dir/pgid" ]] && break
    sleep 0.02
  done
  [[ -s "$dir/pgid" ]] || it_skip "$name: could not start $1"
  IT_SERVER_PGID[$name]=$(<"$dir/pgid")
  IT_SERVER_DIR[$name]=$dir
  # If the test is killed (a CTest timeout sends SIGKILL, no trap runs), this watchdog ends the
  # server within a second; its output goes nowhere so that CTest does not wait for it.
  local pgid=${IT_SERVER_PGID[$name]} owner=$$
  (
    for ((i = 0; i < IT_MAX_LIFE_S; i++)); do
      kill -0 "$owner" 2>/dev/null || break
      kill -0 -- "-$pgid" 2>/dev/null || exit 0
      sleep 1
    done
    kill -KILL -- "-$pgid" 2>/dev/null
  ) >/dev/null 2>&1 </dev/null &
  IT_WATCHDOG_PID[$name]=$!
}

# wait_answers NAME ADDR PORT [QNAME [TYPE [CLASS]]]: polls with drill until the server answers
# (any rcode), bounded by IT_START_TIMEOUT_S; skips the test with the server's log otherwise.
wait_answers() {
  local name=$1 addr=$2 port=$3 qname=${4:-$IT_ZONE} qtype=${5:-SOA} qclass=${6:-IN}
  local deadline=$((SECONDS + IT_START_TIMEOUT_S))
  while ((SECONDS < deadline)); do
    if ! kill -0 -- "-${IT_SERVER_PGID[$name]}" 2>/dev/null; then
      break
    fi
    if timeout 2 drill -p "$port" "@$addr" "$qname" "$qtype" "$qclass" 2>/dev/null |
      grep -q 'rcode: '; then
      return 0
    fi
    sleep 0.1
  done
  echo "--- log of $name (${IT_SERVER_DIR[$name]}):" >&2
  cat "${IT_SERVER_DIR[$name]}/log" >&2 || true
  it_skip "$name did not answer on $addr port $port within ${IT_START_TIMEOUT_S} s"
}

IT_NEW_DIR=""
# it_new_server_dir NAME: sets IT_NEW_DIR (not echoed: a skip inside $(...) would not end the test).
it_new_server_dir() {
  local name=$1
  [[ -z "${IT_SERVER_PGID[$name]:-}" ]] || it_skip "server name '$name' used twice"
  it_workdir
  IT_NEW_DIR="$IT_SERVERS_DIR/$name"
  rm -rf "$IT_NEW_DIR" # a stopped server of the same name left its files
  mkdir -p "$IT_NEW_DIR"
}

# write_nsd_conf DIR ZONE IDENTITY NSID_OR_EMPTY HIDE_IDENTITY(yes|no) ADDR@PORT...: the nsd.conf of
# a test NSD serving DIR/zone, listening on every ADDR@PORT given.
write_nsd_conf() {
  local dir=$1 zone=$2 identity=$3 nsid=$4 hide=$5 listen="" nsid_line="" address
  shift 5
  for address in "$@"; do listen+="  ip-address: ${address}"$'\n'; done
  if [[ -n "$nsid" ]]; then
    nsid_line="nsid: \"ascii_${nsid}\""
  fi
  cat >"$dir/nsd.conf" <<EOF
server:
${listen}  server-count: 1
  reuseport: no
  username: ""
  chroot: ""
  zonesdir: "${dir}"
  pidfile: "${dir}/nsd.pid"
  database: ""
  xfrdfile: "${dir}/xfrd.state"
  zonelistfile: "${dir}/zone.list"
  xfrdir: "${dir}"
  logfile: "${dir}/nsd.log"
  verbosity: 0
  hide-identity: ${hide}
  hide-version: no
  identity: "${identity}"
  ${nsid_line}
  # Debian's NSD limits answers per client /24 (RRL): every test client is 127.0.0.1, so a burst
  # (--count, several checks back to back) could be dropped or truncated and look like the check's fault.
  rrl-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: "${zone}"
  zonefile: "${dir}/zone"
EOF
}

# spawn_nsd NAME DIR: checks DIR/nsd.conf and starts NSD on it (the caller waits for its answers).
spawn_nsd() {
  local name=$1 dir=$2
  nsd-checkconf "$dir/nsd.conf" >"$dir/checkconf.log" 2>&1 ||
    { cat "$dir/checkconf.log" >&2; it_skip "$name: nsd-checkconf rejected $dir/nsd.conf"; }
  it_spawn "$name" "$dir" nsd -d -c "$dir/nsd.conf"
}

# start_nsd [--hide-identity] NAME ADDR PORT IDENTITY NSID_OR_EMPTY SERIAL [ZONE]
# With NSID empty, NSD sends no NSID, so hostname.bind/id.server are its only identity; with
# --hide-identity it REFUSEs those CHAOS queries too.
start_nsd() {
  local hide=no
  if [[ "${1:-}" == "--hide-identity" ]]; then
    hide=yes
    shift
  fi
  local name=$1 addr=$2 port=$3 identity=$4 nsid=$5 serial=$6 zone=${7:-$IT_ZONE}
  local dir
  it_new_server_dir "$name"
  dir=$IT_NEW_DIR
  write_zone "$dir/zone" "$serial" "$zone"
  it_maybe_sign "$dir/zone" "$zone"
  write_nsd_conf "$dir" "$zone" "$identity" "$nsid" "$hide" "${addr}@${port}"
  spawn_nsd "$name" "$dir"
  wait_answers "$name" "$addr" "$port" "$zone"
}

# start_knot NAME ADDR PORT IDENTITY NSID SERIAL [ZONE]
start_knot() {
  local name=$1 addr=$2 port=$3 identity=$4 nsid=$5 serial=$6 zone=${7:-$IT_ZONE}
  local dir nsid_line=""
  it_new_server_dir "$name"
  dir=$IT_NEW_DIR
  write_zone "$dir/zone" "$serial" "$zone"
  it_maybe_sign "$dir/zone" "$zone"
  if [[ -n "$nsid" ]]; then
    nsid_line="nsid: \"${nsid}\""
  fi
  cat >"$dir/knot.conf" <<EOF
server:
  rundir: "${dir}"
  listen: ${addr}@${port}
  identity: "${identity}"
  ${nsid_line}
log:
  - target: stderr
    any: warning
database:
  storage: "${dir}"
template:
  - id: default
    storage: "${dir}"
    zonefile-sync: -1
    journal-content: none
zone:
  - domain: ${zone}
    file: "${dir}/zone"
EOF
  # Knot runs as the user that starts it when no "user:" is set; as root that is root.
  it_spawn "$name" "$dir" knotd -c "$dir/knot.conf"
  wait_answers "$name" "$addr" "$port" "$zone"
}

# start_unbound NAME ADDR PORT IDENTITY NSID FORWARD_ADDR FORWARD_PORT
# A resolver whose only reachable zone is the test zone, served by FORWARD_ADDR#FORWARD_PORT;
# everything else is refused locally, so it never sends a query off the machine.
start_unbound() {
  local name=$1 addr=$2 port=$3 identity=$4 nsid=$5 fwd_addr=$6 fwd_port=$7
  local zone=$IT_ZONE dir nsid_line=""
  it_new_server_dir "$name"
  dir=$IT_NEW_DIR
  if [[ -n "$nsid" ]]; then
    nsid_line="nsid: \"ascii_${nsid}\""
  fi
  cat >"$dir/unbound.conf" <<EOF
server:
  interface: ${addr}@${port}
  port: ${port}
  do-ip6: yes
  access-control: 127.0.0.0/8 allow
  access-control: ::1/128 allow
  chroot: ""
  username: ""
  directory: "${dir}"
  pidfile: "${dir}/unbound.pid"
  use-syslog: no
  logfile: ""
  verbosity: 0
  num-threads: 1
  identity: "${identity}"
  ${nsid_line}
  hide-identity: no
  module-config: "iterator"
  do-not-query-localhost: no
  local-zone: "." refuse
  local-zone: "test." nodefault
  local-zone: "${zone}." transparent
  prefetch: no
  outgoing-range: 64
remote-control:
  control-enable: no
stub-zone:
  name: "${zone}."
  stub-addr: ${fwd_addr}@${fwd_port}
EOF
  unbound-checkconf "$dir/unbound.conf" >"$dir/checkconf.log" 2>&1 ||
    { cat "$dir/checkconf.log" >&2; it_skip "$name: unbound-checkconf rejected $dir/unbound.conf"; }
  it_spawn "$name" "$dir" unbound -d -c "$dir/unbound.conf"
  wait_answers "$name" "$addr" "$port" "$zone"
}

# stop_server NAME: stops one server (its whole process group), bounded, then SIGKILL.
stop_server() {
  local name=$1 pgid i
  pgid=${IT_SERVER_PGID[$name]:-}
  [[ -n "$pgid" ]] || return 0
  kill -TERM -- "-$pgid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 -- "-$pgid" 2>/dev/null || break
    sleep 0.05
  done
  kill -KILL -- "-$pgid" 2>/dev/null || true
  unset "IT_SERVER_PGID[$name]"
  kill "${IT_WATCHDOG_PID[$name]}" 2>/dev/null || true
  wait "${IT_WATCHDOG_PID[$name]}" 2>/dev/null || true
}

# stop_all: for the EXIT trap. Stops every server this shell started, removes their files (set
# IT_KEEP=1 to keep them for a post-mortem) and releases the ports it_free_port claimed.
stop_all() {
  local name
  for name in "${!IT_SERVER_PGID[@]}"; do
    stop_server "$name"
  done
  it_cleanup
}

# it_traps: stop_all on any way out, including Ctrl-C and kill (which skip EXIT traps otherwise).
it_traps() {
  trap stop_all EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM HUP
}

# start_adversary NAME ADDR PORT SCENARIO [RESPONDER_ARGS...]: tests/adversary's misbehaving
# responder ($ANYCAST_ADVERSARY) with one scenario; returns once it is listening.
start_adversary() {
  local name=$1 addr=$2 port=$3 scenario=$4 dir i
  shift 4
  [[ -n "${ANYCAST_ADVERSARY:-}" && -x "${ANYCAST_ADVERSARY}" ]] ||
    it_skip "ANYCAST_ADVERSARY='${ANYCAST_ADVERSARY:-}' is not an executable"
  it_new_server_dir "$name"
  dir=$IT_NEW_DIR
  it_spawn "$name" "$dir" "$ANYCAST_ADVERSARY" --address "$addr" --port "$port" \
    --scenario "$scenario" --max-seconds 120 "$@"
  for ((i = 0; i < IT_START_TIMEOUT_S * 20; i++)); do
    grep -q '^ready$' "$dir/log" 2>/dev/null && return 0
    kill -0 -- "-${IT_SERVER_PGID[$name]}" 2>/dev/null || break
    sleep 0.05
  done
  cat "$dir/log" >&2 || true
  it_skip "$name: anycast_adversary did not start on $addr port $port"
}
