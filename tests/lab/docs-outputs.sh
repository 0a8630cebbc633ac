#!/bin/bash
# docs-outputs.sh: regenerates the check outputs that the documentation shows as real lab runs
# (docs/checks/check_anycast_site.md, check_anycast_dns.md, check_resolver_locality.md and the lab
# blocks of README.md). It brings up a lab of its own (own namespace prefix and state directory), makes
# each documented set-up with the lab's verbs, runs each documented command as the page shows it and
# prints its output and exit code between markers, restores the lab, and takes the lab down at the end
# (also on error or interrupt). The loopback examples (an NSD answering with Quad9's id.server form,
# then with L-root's us-lgw-aa, which has no location; an Unbound whose identity no rule places;
# README.md's NSD and Knot sites) run first, in a namespace of their own, on the addresses and ports
# the pages show. It asserts nothing: a human pastes the blocks into the pages.
#
#   flock /tmp/anycast-net.lock tests/lab/docs-outputs.sh [BUILD_DIR] > /tmp/docs-out.txt
#
# BUILD_DIR defaults to ./build; its checks/ go first on PATH, so `anycast-lab exec NODE --
# check_...` runs the build's checks. Needs root (namespaces), as the lab does. Takes about two minutes.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=$(cd "${1:-$HERE/../../build}" && pwd)
LAB=$HERE/anycast-lab
export ANYCAST_LAB_PREFIX=${ANYCAST_LAB_PREFIX:-docs-}
export ANYCAST_LAB_DIR=${ANYCAST_LAB_DIR:-/run/anycast-lab-docs}
export ANYCAST_LAB_DELAYLINE=$BUILD/tests/lab/anycast_delayline
# The lab kills itself after this long, so a wedged run cannot leave it up for hours.
export ANYCAST_LAB_MAX_RUNTIME=${ANYCAST_LAB_MAX_RUNTIME:-900}
export PATH=$BUILD/checks:$PATH
# Every documented command gets this long (the checks' own --timeout is 10 s).
STEP_TIMEOUT=30

[[ -x $ANYCAST_LAB_DELAYLINE ]] || { echo "docs-outputs: no $ANYCAST_LAB_DELAYLINE (build first)" >&2; exit 1; }
for check in check_anycast_site check_anycast_dns check_resolver_locality; do
    [[ -x $BUILD/checks/$check ]] || { echo "docs-outputs: no $BUILD/checks/$check (build first)" >&2; exit 1; }
done

LO_NS=${ANYCAST_LAB_PREFIX}lo
LO_DIR=$ANYCAST_LAB_DIR-lo
cleanup() {
    "$LAB" down >/dev/null 2>&1 || echo "docs-outputs: anycast-lab down failed" >&2
    stop_loopback
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

lab() { timeout "$STEP_TIMEOUT" "$LAB" "$@" >&2; }

# run TITLE NODE COMMAND...: the command as the docs show it, its output, its exit code.
run() {
    local title=$1 node=$2 rc=0
    shift 2
    echo "===== $title"
    echo "\$ anycast-lab exec $node -- $*"
    timeout "$STEP_TIMEOUT" "$LAB" exec "$node" -- "$@" 2>&1 || rc=$?
    echo "(exit code $rc)"
    echo
}

SITES=(--site ams1=198.51.100.11 --site iad1=198.51.100.12 --site sin1=198.51.100.13)
SITE4=(check_anycast_site -H 192.0.2.53 --zone anycast.test "${SITES[@]}")
SITE46=(check_anycast_site -H 192.0.2.53 -H 2001:db8:53::53 --zone anycast.test "${SITES[@]}")
LOCALITY=(check_resolver_locality --location AMS -q anycast.test -T SOA)
STATE_FILE=$ANYCAST_LAB_DIR/docs-site.state

# ---- the loopback examples: NSD (127.0.2.10:20510) and Unbound (127.0.3.4:28030), in LO_NS.
# Every process in LO_NS is a server this script started there.
stop_loopback() {
    local pid i
    for pid in $(ip netns pids "$LO_NS" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
    for ((i = 0; i < 50; i++)); do
        [[ -n $(ip netns pids "$LO_NS" 2>/dev/null) ]] || break
        sleep 0.05
    done
    ip netns del "$LO_NS" 2>/dev/null || true
    rm -rf "$LO_DIR"
}
start_loopback() { # identity of the NSD
    local i
    stop_loopback
    mkdir -p "$LO_DIR"
    ip netns add "$LO_NS"
    ip -n "$LO_NS" link set lo up
    # shellcheck disable=SC2016 # zone-file directives, not shell expansions
    printf '%s\n' '$ORIGIN anycast.test.' '$TTL 60' '@ SOA ns1 hostmaster 2026112301 3600 600 86400 60' \
        '@ NS ns1' 'ns1 A 127.0.2.10' '@ A 192.0.2.80' >"$LO_DIR/anycast.test.zone"
    cat >"$LO_DIR/nsd.conf" <<END_NSD
server:
    ip-address: 127.0.2.10@20510
    identity: "$1"
    hide-version: yes
    username: ""
    chroot: ""
    zonesdir: "$LO_DIR"
    pidfile: "$LO_DIR/nsd.pid"
    xfrdfile: "$LO_DIR/xfrd.state"
    zonelistfile: "$LO_DIR/zone.list"
    database: ""
    logfile: "$LO_DIR/nsd.log"
    server-count: 1
remote-control:
    control-enable: no
zone:
    name: "anycast.test."
    zonefile: "$LO_DIR/anycast.test.zone"
END_NSD
    cat >"$LO_DIR/unbound.conf" <<END_UNBOUND
server:
    interface: 127.0.3.4@28030
    port: 28030
    access-control: 127.0.0.0/8 allow
    chroot: ""
    username: ""
    directory: "$LO_DIR"
    pidfile: "$LO_DIR/unbound.pid"
    use-syslog: no
    logfile: "$LO_DIR/unbound.log"
    num-threads: 1
    identity: "resolver-x"
    hide-identity: no
    module-config: "iterator"
    do-not-query-localhost: no
    local-zone: "." refuse
    local-zone: "test." nodefault
    local-zone: "anycast.test." transparent
    outgoing-range: 64
remote-control:
    control-enable: no
stub-zone:
    name: "anycast.test."
    stub-addr: 127.0.2.10@20510
END_UNBOUND
    ip netns exec "$LO_NS" nsd -c "$LO_DIR/nsd.conf" >&2
    ip netns exec "$LO_NS" unbound -c "$LO_DIR/unbound.conf" >&2
    for ((i = 0; i < 100; i++)); do
        ip netns exec "$LO_NS" drill -Q -p 28030 @127.0.3.4 anycast.test SOA >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    echo "docs-outputs: the loopback servers do not answer (see $LO_DIR)" >&2
    exit 1
}
run_lo() { # TITLE COMMAND...: the command as the page shows it, run in LO_NS
    local title=$1 rc=0
    shift
    echo "===== $title"
    echo "\$ $*"
    timeout "$STEP_TIMEOUT" ip netns exec "$LO_NS" "$@" 2>&1 || rc=$?
    echo "(exit code $rc)"
    echo
}
start_loopback res860.qfra3.rrdns.pch.net
run_lo "site: loopback qfra3" check_anycast_site -H 127.0.2.10 -p 20510 --zone anycast.test --expect-site fra
printf 'qfra3 loc=FRA\n' >"$LO_DIR/sites"
run_lo "site: loopback qfra3, sites file qfra3 loc=FRA" check_anycast_site -H 127.0.2.10 -p 20510 --zone anycast.test \
    --expect-site fra --sites-file "$LO_DIR/sites"
run_lo "locality: loopback resolver-x" check_resolver_locality -H 127.0.3.4 -p 28030 -q anycast.test -T SOA \
    --location AMS --identity hostname.bind
# A site that no rule can place (L-root's us-lgw: Longwood, Florida, not London Gatwick).
start_loopback us-lgw-aa
run_lo "site: loopback us-lgw-aa" check_anycast_site -H 127.0.2.10 -p 20510 --zone anycast.test --expect-site fra
stop_loopback

# ---- README.md's loopback examples: NSD and Knot as the sites of a small service, on loopback ports.
zone_file() { # serial file
    # shellcheck disable=SC2016 # zone-file directives, not shell expansions
    printf '%s\n' '$ORIGIN anycast.test.' '$TTL 300' "@ SOA ns1 hostmaster $1 3600 900 604800 300" \
        '@ NS ns1' 'ns1 A 127.0.0.1' '@ A 192.0.2.80' >"$2"
}
nsd_site() { # name serial port address...
    local name=$1 serial=$2 port=$3 dir=$LO_DIR/$1 addr
    shift 3
    mkdir -p "$dir"
    zone_file "$serial" "$dir/anycast.test.zone"
    {
        echo "server:"
        for addr in "$@"; do echo "    ip-address: $addr@$port"; done
        printf '    %s\n' "identity: \"$name\"" "nsid: \"ascii_$name\"" 'username: ""' 'chroot: ""' \
            "zonesdir: \"$dir\"" "pidfile: \"$dir/nsd.pid\"" "xfrdfile: \"$dir/xfrd.state\"" \
            "zonelistfile: \"$dir/zone.list\"" 'database: ""' "logfile: \"$dir/nsd.log\"" "server-count: 1"
        printf '%s\n' "remote-control:" "    control-enable: no" "zone:" "    name: \"anycast.test.\"" \
            "    zonefile: \"$dir/anycast.test.zone\""
    } >"$dir/nsd.conf"
    ip netns exec "$LO_NS" nsd -c "$dir/nsd.conf" >&2
}
knot_site() { # name serial port address
    local name=$1 dir=$LO_DIR/$1
    mkdir -p "$dir/db"
    zone_file "$2" "$dir/anycast.test.zone"
    printf '%s\n' "server:" "    rundir: \"$dir\"" "    user: root:root" "    pidfile: \"$dir/knot.pid\"" \
        "    identity: \"$name\"" "    nsid: \"$name\"" "    listen: \"$4@$3\"" "database:" "    storage: \"$dir/db\"" \
        "control:" "    listen: \"$dir/knot.sock\"" "zone:" "  - domain: anycast.test." "    file: \"$dir/anycast.test.zone\"" \
        "    storage: \"$dir\"" "    journal-content: none" "    zonefile-sync: -1" >"$dir/knot.conf"
    ip netns exec "$LO_NS" knotd -d -c "$dir/knot.conf" >&2
}
await_lo() { # port address...: bounded wait until every address answers
    local port=$1 addr i
    shift
    for addr in "$@"; do
        for ((i = 0; i < 100; i++)); do
            ip netns exec "$LO_NS" drill -Q -p "$port" @"$addr" anycast.test SOA >/dev/null 2>&1 && continue 2
            sleep 0.05
        done
        echo "docs-outputs: $addr port $port does not answer (see $LO_DIR)" >&2
        exit 1
    done
}
new_loopback() {
    stop_loopback
    mkdir -p "$LO_DIR"
    ip netns add "$LO_NS"
    ip -n "$LO_NS" link set lo up
}
new_loopback
nsd_site ams1 2026112301 5300 127.0.0.1 ::1
knot_site iad1 2026112301 5300 127.0.0.2
await_lo 5300 127.0.0.1 ::1 127.0.0.2
run_lo "README dns: loopback" check_anycast_dns -H 127.0.0.1 -H ::1 -H 127.0.0.2 -p 5300 -q anycast.test -T SOA
new_loopback
nsd_site ams1 2026112304 15354 127.0.0.11
knot_site iad1 2026112301 15354 127.0.0.12
nsd_site sto1 2026112304 15354 127.0.0.13
await_lo 15354 127.0.0.11 127.0.0.12 127.0.0.13
printf '%s\n' 'ams1 127.0.0.11' 'iad1 127.0.0.12' 'sto1 127.0.0.13' >"$LO_DIR/sites.conf"
run_lo "README site: loopback" check_anycast_site -H 127.0.0.11 -p 15354 --zone anycast.test \
    --sites-file "$LO_DIR/sites.conf" --expect-site ams1 --state-file "$LO_DIR/anycast-site.state"
stop_loopback

lab up

# ---- check_anycast_site.md
run "site 1. catchment: steady" vp-ams "${SITE46[@]}" --expect-site ams1
lab catchment vp-ams iad1
lab await vp-ams iad1
run "site 1. catchment: after catchment vp-ams iad1 (IPv4 only)" vp-ams "${SITE4[@]}" --expect-site ams1
lab catchment vp-ams ams1
lab await vp-ams ams1

lab site-down sin1
run "site 2. after site-down sin1" vp-ams "${SITE4[@]}" --expect-site ams1
lab site-up sin1

lab stale sin1
run "site 3. after stale sin1" vp-ams "${SITE4[@]}" --expect-site ams1
rm -f "$STATE_FILE"
run "site 4. behind: run 1" vp-ams "${SITE4[@]}" --state-file "$STATE_FILE" --behind-warning 5s --serial-lag-warning 5
sleep 6
run "site 4. behind: run 2 (6 s later)" vp-ams "${SITE4[@]}" --state-file "$STATE_FILE" --behind-warning 5s --serial-lag-warning 5
lab fresh sin1

run "site 4. dnssec steady" vp-ams "${SITE4[@]}"
lab dnssec sin1 expiring
run "site 4. dnssec sin1 expiring, from vp-sin" vp-sin "${SITE4[@]}"
run "site 4. dnssec sin1 expiring, vp-sin, no sites" vp-sin check_anycast_site -H 192.0.2.53 --zone anycast.test
run "site 4. dnssec sin1 expiring, vp-ams, no sites" vp-ams check_anycast_site -H 192.0.2.53 --zone anycast.test
run "dns dnssec: sin1 expiring, from vp-sin" vp-sin check_anycast_dns -H 192.0.2.53 -H 2001:db8:53::53 -q anycast.test -T A --dnssec
lab dnssec sin1 good

lab dnssec ams1 corrupt
run "site 4. dnssec ams1 corrupt, from vp-iad" vp-iad "${SITE4[@]}"
lab dnssec ams1 good

lab dnssec iad1 other-keys
run "site 4. dnssec iad1 other-keys, from vp-ams" vp-ams "${SITE4[@]}"
lab dnssec iad1 good

lab dnssec sin1 unsigned
run "site 4. dnssec sin1 unsigned, from vp-ams" vp-ams "${SITE4[@]}"
lab dnssec sin1 good

lab ecmp vp-ams ams1 iad1
lab await vp-ams ams1+iad1
run "site flows: ecmp vp-ams ams1 iad1" vp-ams "${SITE4[@]}" --flows 16
run "site flows: ecmp, --split-warning 10" vp-ams "${SITE4[@]}" --flows 16 --split-warning 10
lab ecmp vp-ams off

# ---- check_anycast_dns.md
run "dns: steady" vp-ams check_anycast_dns -H 192.0.2.53 -H 2001:db8:53::53 -q anycast.test -T SOA --count 5

# ---- check_resolver_locality.md and README.md
run "locality: steady" vp-ams "${LOCALITY[@]}"
lab resolver vp-ams iad-res1
run "locality: after resolver vp-ams iad-res1" vp-ams "${LOCALITY[@]}"
lab resolver vp-ams fra-res1

echo "===== done"
