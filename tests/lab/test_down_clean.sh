#!/bin/bash
# `up` builds the lab, BGP converged, in under 10 s; `down` leaves no namespace, TUN, veth, process
# (servers, delay line, BIRD, health checkers) or file behind, even after a failed `up`; the main
# namespace's interfaces, addresses, routes and rules never change.
set -uo pipefail
source "$(dirname "$0")/testlib.sh"
lab_require_root
lab_require nsd knotd unbound drill bird birdc
[[ -x ${ANYCAST_LAB_DELAYLINE:-} ]] || lab_skip "anycast_delayline is not built (ANYCAST_LAB_DELAYLINE)"
lab_lock
trap '"$LAB" down >/dev/null 2>&1' EXIT

main_ns_snapshot() {
    ip -o link | awk '{ print $2 }'
    ip -o addr | awk '{ print $2, $3, $4 }'
    ip route
    ip -6 route
    ip rule
    ip -6 rule
}

lab_namespaces() { ip netns list | awk -v p="$ANYCAST_LAB_PREFIX" 'index($1, p) == 1 { print $1 }'; }

living() { # pids...: prints those still running (a zombie waits for PID 1 and runs nothing)
    local pid stat
    for pid in "$@"; do
        stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        stat=${stat##*) }
        [[ ${stat:0:1} == Z ]] || echo "$pid"
    done
}

assert_clean() { # what
    local left
    left=$(lab_namespaces | xargs)
    [[ -z $left ]] || fail "$1: namespaces left: $left"
    # shellcheck disable=SC2086 # a list of pids, one word each
    left=$(living $pids | xargs)
    [[ -z $left ]] || fail "$1: processes left: $left ($(ps -o comm= -p "${left// /,}" | xargs))"
    # Routing daemons and health checkers by what they run, too: a BIRD that lost its namespace would
    # not be found by `ip netns pids`.
    left=$(pgrep -f -- "$ANYCAST_LAB_DIR/" | xargs)
    [[ -z $left ]] || fail "$1: processes still using $ANYCAST_LAB_DIR: $left ($(ps -o args= -p "${left// /,}"))"
    left=$(compgen -G "/etc/netns/$ANYCAST_LAB_PREFIX*" | xargs)
    [[ -z $left ]] || fail "$1: /etc/netns entries left: $left"
    [[ ! -d /etc/netns ]] || [[ -n "$(ls -A /etc/netns)" ]] || fail "$1: an empty /etc/netns left behind"
    [[ ! -e $ANYCAST_LAB_DIR ]] || fail "$1: state directory $ANYCAST_LAB_DIR left"
    [[ $(main_ns_snapshot) == "$before" ]] || fail "$1: the main namespace changed:
$(diff <(echo "$before") <(main_ns_snapshot))"
    pass "$1: nothing left behind"
}

"$LAB" down >/dev/null || fail "down with no lab up"
before=$(main_ns_snapshot)

start=$(date +%s%N)
"$LAB" up || fail "up"
up_ms=$((($(date +%s%N) - start) / 1000000))
echo "up took $up_ms ms"
# BGP sessions over the 220 ms paths need a few round trips to come up: 3.4-5.1 s measured here (load 10).
((up_ms < 10000)) || fail "up took $up_ms ms (limit 10000)"
[[ $(main_ns_snapshot) == "$before" ]] || fail "up changed the main namespace"

namespaces=$(lab_namespaces)
# The delay line's, 9 nodes' and 6 transits'.
(($(wc -w <<<"$namespaces") == 16)) || fail "expected 16 lab namespaces, got: $namespaces"
pids=$(for ns in $namespaces; do ip netns pids "$ns"; done | xargs)
[[ -n $pids ]] || fail "no process runs in the lab"
birds=$(for pid in $pids; do [[ $(cat "/proc/$pid/comm" 2>/dev/null) == bird ]] && echo "$pid"; done | wc -l)
((birds == 9)) || fail "expected 9 BIRD daemons (3 sites, 6 transits), got $birds"
tuns=$(for ns in $namespaces; do ip -n "$ns" -o link show type tun; done | wc -l)
((tuns == 54)) || fail "expected 54 TUNs (27 paths, one at each end), got $tuns"
echo "lab: $(wc -w <<<"$namespaces") namespaces, $tuns TUNs, $birds BIRDs, processes $pids"

start=$(date +%s%N)
"$LAB" down || fail "down"
echo "down took $((($(date +%s%N) - start) / 1000000)) ms"
assert_clean "after up + down"

# A failed up must still be fully removable: here the delay line dies once the first routing daemon or
# server is starting, so up fails with namespaces, TUNs, BIRDs and servers in place. The stand-in waits for the first server's
# start.log rather than a fixed time: a fixed 0.3 s once outlasted a whole fast up (415 ms, CI), so
# up succeeded. After the first BIRD, up still starts eight more and six servers before it looks,
# many times the 10 ms this polls at. It gives up after 10 s, so it never outlives the test.
broken_dir=$(mktemp -d)
trap '"$LAB" down >/dev/null 2>&1; rm -rf "$broken_dir"' EXIT
cat >"$broken_dir/anycast_delayline" <<'STANDIN'
#!/bin/bash
for ((i = 0; i < 1000; i++)); do
    compgen -G "$ANYCAST_LAB_DIR/*/start.log" >/dev/null && exit 1
    sleep 0.01
done
exit 1
STANDIN
chmod +x "$broken_dir/anycast_delayline"
if ANYCAST_LAB_DELAYLINE=$broken_dir/anycast_delayline "$LAB" up >/dev/null 2>&1; then
    fail "up with a dying delay line succeeded"
fi
pids=$(for ns in $(lab_namespaces); do ip netns pids "$ns"; done | xargs)
echo "failed up left $(lab_namespaces | wc -l) namespaces and processes $pids"
[[ -n $pids ]] || fail "the failed up was expected to leave servers running"
"$LAB" down || fail "down after a failed up"
assert_clean "after a failed up + down"
