#!/bin/bash
# docs-outputs.sh: regenerates the check outputs that the documentation shows as real lab runs
# (docs/checks/check_anycast_site.md, check_anycast_dns.md, check_resolver_locality.md and the lab
# blocks of README.md). It brings up a lab of its own (own namespace prefix and state directory), makes
# each documented set-up with the lab's verbs, runs each documented command as the page shows it and
# prints its output and exit code between markers, restores the lab, and takes the lab down at the end
# (also on error or interrupt). It asserts nothing: a human pastes the blocks into the pages.
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

cleanup() { "$LAB" down >/dev/null 2>&1 || echo "docs-outputs: anycast-lab down failed" >&2; }
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
