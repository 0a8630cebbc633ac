#!/bin/bash
# Scenarios 2-5 (docs/lab.md) in one lab, so `up` is paid once: each scenario breaks one thing, proves
# the check that exists to catch it says so (state, exit code and the facts that name the culprit), then
# restores the lab and proves the check is OK again before the next scenario starts.
set -uo pipefail
source "$(dirname "$0")/testlib.sh"
lab_require_check "${CHECK_ANYCAST_DNS:-}"
lab_require_check "${CHECK_ANYCAST_SITE:-}"
lab_require_check "${CHECK_RESOLVER_LOCALITY:-}"
lab_up

# run_json EXPECTED_EXIT NODE CHECK ARGS... -> the check's JSON; fails unless it exits EXPECTED_EXIT.
run_json() {
    local want=$1 node=$2 out rc
    shift 2
    out=$(in_node "$node" "$@" --output-format=json)
    rc=$?
    jq -e . >/dev/null 2>&1 <<<"$out" || fail "$node $(basename "$1"): not JSON (exit $rc): $out"
    [[ $rc == "$want" && $(jq -r .exit_code <<<"$out") == "$want" ]] ||
        fail "$node $(basename "$1"): expected exit $want, got $rc: $(jq -c '{state, summary}' <<<"$out")"
    echo "$out"
}

expect() { # JSON JQ-FILTER DESCRIPTION
    jq -e "$2" >/dev/null <<<"$1" || fail "$3: $(jq -c '{state, summary}' <<<"$1")"
    pass "$3"
}

sites=()
for s in $LAB_SITES; do sites+=(--site "$s=$(lab_var "$(lab_key "$s")_ADDR4")"); done
site_check() { # EXPECTED_EXIT NODE ARGS...
    local want=$1 node=$2
    shift 2
    run_json "$want" "$node" "$CHECK_ANYCAST_SITE" -H "$LAB_ANYCAST4" --zone "$LAB_ZONE" "${sites[@]}" "$@"
}
catchment='.subchecks[] | select(.name | startswith("catchment")) | .facts'
sites_sub='.subchecks[] | select(.name == "sites")'
consistency='.subchecks[] | select(.name == "consistency")'

echo "== steady: vp-ams is caught by ams1"
out=$(site_check 0 vp-ams --expect-site ams1) || exit 1
expect "$out" "$catchment | .site == \"ams1\"" "vp-ams: catchment ams1, OK"

echo "== scenario 2: catchment shift (vp-ams -> iad1)"
"$LAB" catchment vp-ams iad1 || fail "catchment vp-ams iad1"
out=$(site_check 1 vp-ams --expect-site ams1) || exit 1
expect "$out" "$catchment | .site == \"iad1\" and .expected == false" "site check WARNING, catchment iad1 (unexpected)"
out=$(run_json 0 vp-ams "$CHECK_ANYCAST_DNS" -H "$LAB_ANYCAST4" -q "$LAB_ZONE" -T SOA --count 5) || exit 1
rtt=$(lab_var RTT_VP_AMS__IAD1)
expect "$out" ".subchecks[0].facts | .identity == \"iad1\" and .rtt_min_ms >= $rtt - 0.05 and .rtt_min_ms <= $rtt + 10" \
    "check_anycast_dns: identity iad1, rtt min $(jq -r .subchecks[0].facts.rtt_min_ms <<<"$out") ms (path $rtt ms)"
"$LAB" catchment vp-ams ams1 || fail "catchment vp-ams ams1"
out=$(site_check 0 vp-ams --expect-site ams1) || exit 1
expect "$out" "$catchment | .site == \"ams1\"" "restored: catchment ams1, OK"

echo "== scenario 3: site down (ams1 stopped; the lab does not reroute, so vp-ams's anycast query fails)"
"$LAB" site-down ams1 || fail "site-down ams1"
out=$(site_check 2 vp-ams --expect-site ams1) || exit 1
expect "$out" "($catchment | has(\"site\") | not) and ($sites_sub | .state == \"WARNING\" and .facts.sites_up == 2 and .facts.sites_total == 3)" \
    "vp-ams: anycast catchment fails (CRITICAL), sites 2/3 up"
# From vp-iad the catchment (iad1) is fine, so the verdict is the sites subcheck's alone.
out=$(site_check 1 vp-iad) || exit 1
expect "$out" "$sites_sub | .facts.sites_up == 2 and ([.subchecks[] | select(.name == \"site ams1\") | .facts.up] == [false])" \
    "vp-iad: WARNING (default --down-warning 1), site ams1 down, 2/3 up"
out=$(site_check 2 vp-iad --down-critical 1) || exit 1
expect "$out" "$sites_sub | .state == \"CRITICAL\" and .facts.sites_up == 2" "vp-iad --down-critical 1: CRITICAL"
out=$(run_json 2 vp-ams "$CHECK_ANYCAST_DNS" -H "$LAB_AMS1_ADDR4" -q "$LAB_ZONE" -T SOA --count 3) || exit 1
expect "$out" ".subchecks[0].facts.loss_pct == 100" "check_anycast_dns on ams1's unicast address: CRITICAL, 100% loss"
"$LAB" site-up ams1 || fail "site-up ams1"
out=$(site_check 0 vp-ams --expect-site ams1) || exit 1
expect "$out" "$sites_sub | .facts.sites_up == 3" "restored: 3/3 sites up, OK"

# --blackhole: the site still draws its catchment but drops everything, so only the anycast query fails
# (by timeout); its unicast address stays up.
"$LAB" site-down ams1 --blackhole || fail "site-down ams1 --blackhole"
out=$(site_check 2 vp-ams --expect-site ams1 --timeout 2) || exit 1
expect "$out" "($catchment | has(\"site\") | not) and ($sites_sub | .facts.sites_up == 3)" \
    "blackhole: vp-ams anycast query times out (CRITICAL), unicast 3/3 up"
"$LAB" site-up ams1 || fail "site-up ams1"
out=$(site_check 0 vp-ams --expect-site ams1) || exit 1
expect "$out" "$catchment | .site == \"ams1\"" "restored: catchment ams1, OK"

echo "== scenario 4: stale site (sin1 at $((LAB_SERIAL - 1)))"
"$LAB" stale sin1 $((LAB_SERIAL - 1)) || fail "stale sin1"
out=$(site_check 1 vp-iad) || exit 1
expect "$out" "($consistency | .state == \"WARNING\" and .facts.reference_serial == $LAB_SERIAL
        and ([.subchecks[] | select(.state != \"OK\") | {name, lag: .facts.serial_lag, serial: .facts.serial}]
             == [{name: \"sin1\", lag: 1, serial: $((LAB_SERIAL - 1))}]))
    and ([.perfdata[] | select(.label == \"serial_lag_max\") | .value] == [1])" \
    "WARNING naming sin1 only: serial $((LAB_SERIAL - 1)) lag 1 behind $LAB_SERIAL, perfdata serial_lag_max=1"
"$LAB" fresh sin1 || fail "fresh sin1"
out=$(site_check 0 vp-iad) || exit 1
expect "$out" "$consistency | .facts.serial_lag_max == 0" "restored: every site at $LAB_SERIAL, OK"

echo "== scenario 5: far resolver (vp-ams behind iad-res1)"
"$LAB" resolver vp-ams iad-res1 || fail "resolver vp-ams iad-res1"
# No -H: the check reads the namespace's /etc/resolv.conf (the anycast resolver addresses).
out=$(run_json 2 vp-ams "$CHECK_RESOLVER_LOCALITY" --location AMS -q "$LAB_ZONE" -T SOA) || exit 1
expect "$out" "[.subchecks[].facts | .site == \"iad\" and .distance_km > 6100 and .distance_km < 6300
        and .rtt_floor_ms > 61 and .rtt_floor_ms < 63.5] | length == 2 and all" \
    "vp-ams: CRITICAL, both addresses answered from iad at $(jq -r '.subchecks[0].facts.distance_km | floor' <<<"$out") km, floor $(jq -r '.subchecks[0].facts.rtt_floor_ms * 10 | round / 10' <<<"$out") ms"
out=$(run_json 0 vp-iad "$CHECK_RESOLVER_LOCALITY" --location IAD -q "$LAB_ZONE" -T SOA) || exit 1
expect "$out" "[.subchecks[].facts.site] == [\"iad\", \"iad\"]" "vp-iad (local resolver): OK"
"$LAB" resolver vp-ams "$LAB_VP_AMS_NEAREST_RESOLVER" || fail "resolver vp-ams back"
out=$(run_json 0 vp-ams "$CHECK_RESOLVER_LOCALITY" --location AMS -q "$LAB_ZONE" -T SOA) || exit 1
expect "$out" "[.subchecks[].facts.site] == [\"fra\", \"fra\"]" "restored: vp-ams answered from fra, OK"
echo "scenarios 2-5: every check names the failure it exists to catch"
