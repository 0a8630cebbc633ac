# shellcheck shell=bash
# Helpers for the lab tests (tests/lab/test_*.sh). Source it; then:
#
#   lab_require_root; lab_require jq ping drill      # exit 77 (1 under CI=true) when they cannot run
#   lab_require_check "$CHECK_ANYCAST_DNS"           # the built check, or skip/fail
#   lab_up                                           # lab_lock, fresh lab, torn down on exit; exports `env`
#   out=$(in_node vp-ams "$CHECK_ANYCAST_DNS" ...)    # run inside a vantage point
#
# CTest passes ANYCAST_LAB, ANYCAST_LAB_DELAYLINE and the checks' paths (tests/lab/CMakeLists.txt).

LAB=${ANYCAST_LAB:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/anycast-lab}
# Tests use their own namespace prefix and state directory, so a lab someone is using by hand survives.
export ANYCAST_LAB_PREFIX=${ANYCAST_LAB_PREFIX:-aclt-}
export ANYCAST_LAB_DIR=${ANYCAST_LAB_DIR:-/run/anycast-lab-test}
# The prefix is the same for every checkout, and `up` starts with `down`: two suites on one host (a
# developer's and CI's) would tear down each other's labs. So each lab test holds this lock from before
# its `up` until it exits, and two suites take turns (lab_lock).
LAB_LOCK=${ANYCAST_LAB_LOCK:-/tmp/anycast-net.lock}

# shellcheck source=../shell/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell/lib.sh"

# The lab's names for the shell library's skip-or-fail, requirements and assertions.
lab_skip() { it_skip "$@"; }
fail() { it_fatal "$@"; }
pass() { it_ok "$@"; }

lab_require_root() {
    it_require_root "the lab: network namespaces"
    ip netns list >/dev/null 2>&1 || it_skip "'ip netns' does not work here"
    [[ -c /dev/net/tun ]] || it_skip "/dev/net/tun is missing (the delay line needs TUN)"
}

lab_require() { it_require "$@"; }

# Takes LAB_LOCK for the rest of the test, waiting at most ANYCAST_LAB_LOCK_WAIT seconds (default 150,
# half the lab tests' CTest timeout: one other lab test runs well within it).
lab_lock() {
    local wait=${ANYCAST_LAB_LOCK_WAIT:-150} fd holders
    # Started under `flock /tmp/anycast-net.lock ctest ...`: the lock is ours already, through the
    # descriptor we inherited, and flock on that same open file succeeds at once.
    for fd in "/proc/$$/fd"/*; do
        [[ $(readlink "$fd" 2>/dev/null) == "$LAB_LOCK" ]] && flock -n "${fd##*/}" && return 0
    done
    # Read-only when it exists: /tmp is sticky, and another user's lock file cannot be opened to write.
    if [[ -e $LAB_LOCK ]]; then
        exec {LAB_LOCK_FD}<"$LAB_LOCK" || fail "cannot open $LAB_LOCK"
    else
        exec {LAB_LOCK_FD}>>"$LAB_LOCK" || fail "cannot create $LAB_LOCK"
    fi
    # The lab's daemons must not inherit it (anycast-lab closes it): a lab left behind by a killed test
    # would hold the lock, where the next test's `up` removes it instead.
    export ANYCAST_LAB_LOCK_FD=$LAB_LOCK_FD
    flock -n "$LAB_LOCK_FD" && return 0
    # Who has it open (the holder, and anyone else waiting), to name in the message; not us.
    holders=$(
        exec {LAB_LOCK_FD}>&-
        find /proc/[0-9]*/fd -lname "$LAB_LOCK" 2>/dev/null | cut -d/ -f3 | sort -un | grep -vx "$$" |
            while read -r pid; do echo "$(cat "/proc/$pid/comm" 2>/dev/null) $pid"; done | paste -sd, -
    )
    echo "waiting (at most $wait s) for $LAB_LOCK, open in: ${holders:-another lab run}"
    local start=$SECONDS
    flock -w "$wait" "$LAB_LOCK_FD" ||
        fail "$LAB_LOCK still held after $wait s (open in: ${holders:-another lab run}); ANYCAST_LAB_LOCK_WAIT waits longer"
    echo "took $LAB_LOCK after $((SECONDS - start)) s"
}

lab_require_check() { # path
    it_require_executable "check binary" "${1:-}"
}

lab_finish() {
    local rc=$?
    # A test that counted failures (it_fail) and ended without `finish` still fails.
    ((rc != 0 || FAILED == 0)) || rc=1
    if ((rc != 0 && rc != 77)); then
        echo "--- lab status at failure" >&2
        "$LAB" status >&2 || true
        tail -n 5 "$ANYCAST_LAB_DIR"/*.log "$ANYCAST_LAB_DIR"/*/*.log >&2 2>/dev/null || true
    fi
    "$LAB" down || echo "WARNING: anycast-lab down failed" >&2
    exit "$rc"
}

lab_up() {
    lab_require_root
    lab_require nsd knotd unbound drill jq ping bird birdc
    [[ -x ${ANYCAST_LAB_DELAYLINE:-} ]] || lab_skip "anycast_delayline is not built (ANYCAST_LAB_DELAYLINE)"
    lab_lock
    trap lab_finish EXIT
    "$LAB" up || fail "anycast-lab up failed"
    eval "$("$LAB" env)"
}

in_node() { # node command...
    local node=$1
    shift
    "$LAB" exec "$node" -- "$@"
}

# A check's JSON from inside a node; fails the test unless the check exits EXPECTED_EXIT and its JSON
# says the same exit code.
lab_check_json() { # EXPECTED_EXIT NODE CHECK ARGS...
    local want=$1 node=$2 out rc
    shift 2
    out=$(in_node "$node" "$@" --output-format=json)
    rc=$?
    jq -e . >/dev/null 2>&1 <<<"$out" || fail "$node $(basename "$1"): not JSON (exit $rc): $out"
    [[ $rc == "$want" && $(jq -r .exit_code <<<"$out") == "$want" ]] ||
        fail "$node $(basename "$1"): expected exit $want, got $rc: $(jq -c '{state, summary}' <<<"$out")"
    echo "$out"
}

# Passes when JQ-FILTER holds on the check's JSON; otherwise fails showing the state, the first line
# and every subcheck's.
lab_expect() { # JSON JQ-FILTER DESCRIPTION
    jq -e "$2" >/dev/null <<<"$1" ||
        fail "$3: $(jq -c '{state, summary, subchecks: [.subchecks[] | {name, state, summary}]}' <<<"$1")"
    pass "$3"
}

# check_anycast_site from NODE on the anycast IPv4 address; with --sites, every lab site is listed
# (--site CODE=its IPv4 unicast address).
lab_site_json() { # EXPECTED_EXIT NODE [--sites] ARGS...
    local want=$1 node=$2 s sites=()
    shift 2
    if [[ ${1:-} == --sites ]]; then
        shift
        for s in $LAB_SITES; do sites+=(--site "$s=$(lab_var "$(lab_key "$s")_ADDR4")"); done
    fi
    lab_check_json "$want" "$node" "$CHECK_ANYCAST_SITE" -H "$LAB_ANYCAST4" --zone "$LAB_ZONE" "${sites[@]}" "$@"
}

# The shell-variable key of a node: vp-ams -> VP_AMS.
lab_key() { echo "$1" | tr 'a-z-' 'A-Z_'; }
lab_var() { # name -> value of LAB_<name>
    local name=LAB_$1
    echo "${!name}"
}

# Measuring commands run SCHED_FIFO like the lab's processes (see anycast-lab), so a busy CI machine
# delays neither side of a timing comparison.
if command -v chrt >/dev/null && chrt -f 10 true 2>/dev/null; then LAB_RT=(chrt -f 10); else LAB_RT=(); fi

median() { # numbers on stdin
    sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# RTTs in ms that ping measures from a node to an address, one a line.
ping_rtts() { # node address count
    in_node "$1" "${LAB_RT[@]}" ping -n -c "$3" -i 0.02 -W 2 "$2" | sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p'
}

# |a - b| <= limit
within() { # a b limit
    awk -v a="$1" -v b="$2" -v l="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= l) }'
}

# The identity an address answers with (id.server, which NSD, Knot and Unbound all serve).
identity_of() { # node address
    in_node "$1" timeout 3 drill -Q @"$2" id.server CH TXT 2>/dev/null | tr -d '"'
}

serial_of() { # node address
    in_node "$1" timeout 3 drill -Q @"$2" "$LAB_ZONE" SOA 2>/dev/null | awk '{ print $3 }'
}
