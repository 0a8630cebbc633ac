#!/bin/bash
# Failures the way they happen, with real BGP (issue 18; docs/lab.md "BGP scenarios"): a site whose
# health checker withdraws it, a site that keeps announcing while it drops everything (black hole), a
# site drained by prepending, and a vantage point behind ECMP. Every change is followed by waiting the
# way an operator would, watching the routers (`anycast-lab await`: bounded polling of `birdc show
# route`), never by sleeping a fixed time; then the checks must name what happened.
set -uo pipefail
source "$(dirname "$0")/testlib.sh"
lab_require_check "${CHECK_ANYCAST_DNS:-}"
lab_require_check "${CHECK_ANYCAST_SITE:-}"
lab_require bird birdc
lab_up
state_dir=$LAB_DIR/test-state # removed with the lab
mkdir -p "$state_dir"

catchment='(.subchecks[] | select(.name | startswith("catchment")) | .facts)'
flows='(.subchecks[] | select(.name | startswith("flows")) | .facts)'
sites_up='(.subchecks[] | select(.name == "sites") | .facts.sites_up)'

echo "== steady: every transit's best path is its nearest site"
"$LAB" routes | sed -n '1,4p'
for client in $LAB_VANTAGES $LAB_RESOLVERS; do
    "$LAB" await "$client" "$(lab_var "$(lab_key "$client")_NEAREST_SITE")" 2>/dev/null || fail "$client not on its nearest site"
done
pass "all six clients on their nearest site by BGP"
history=$state_dir/withdraw.state
out=$(lab_site_json 0 vp-ams --sites --state-file "$history") || exit 1
lab_expect "$out" "$catchment | .site == \"ams1\"" "vp-ams: catchment ams1 recorded in the state file"

echo "== withdrawn: ams1's server stops, its health checker withdraws, BGP moves its catchment"
"$LAB" site-down ams1 --withdraw || fail "site-down ams1 --withdraw"
"$LAB" await vp-ams iad1 || fail "vp-ams did not move to iad1"
"$LAB" await res-fra iad1 || fail "res-fra did not move to iad1"
grep -q "withdrawn" "$LAB_DIR/bgp-ams1/health.log" || fail "the health checker did not log a withdrawal"
pass "health checker: $(grep withdrawn "$LAB_DIR/bgp-ams1/health.log" | tail -n 1)"
[[ $(identity_of res-fra "$LAB_ANYCAST4") == iad1 ]] || fail "res-fra is not answered by iad1"
pass "res-fra (the other client of ams1) is answered by iad1"
out=$(lab_site_json 1 vp-ams --sites --state-file "$history") || exit 1
lab_expect "$out" "$catchment | .site == \"iad1\" and .previous_site == \"ams1\" and .site_changes_in_window == 1" \
    "vp-ams: catchment iad1, reported as a change from ams1"
lab_expect "$out" "$sites_up == 2 and ([.subchecks[] | select(.name | startswith(\"catchment\")) | .summary | test(\"changed since last run: ams1 -> iad1\")] == [true])" \
    "vp-ams: ams1 down on its unicast address, 2/3 up; the catchment says \"changed since last run: ams1 -> iad1\""
out=$(lab_site_json 1 vp-ams --sites --state-file "$history") || exit 1
lab_expect "$out" "$catchment | .site == \"iad1\" and (has(\"previous_site\") | not) and .site_changes_in_window == 1" \
    "vp-ams, next run: still iad1, the move is not reported again"
"$LAB" site-up ams1 || fail "site-up ams1"
"$LAB" await vp-ams ams1 || fail "vp-ams did not come back to ams1"
out=$(lab_site_json 0 vp-ams --sites) || exit 1
lab_expect "$out" "$catchment | .site == \"ams1\"" "restored: vp-ams back on ams1 once the checker announces again"

echo "== black hole: ams1 keeps announcing but drops what arrives for the service"
"$LAB" site-down ams1 --blackhole || fail "site-down ams1 --blackhole"
"$LAB" await vp-ams ams1 || fail "vp-ams should still be routed to ams1"
"$LAB" await res-fra ams1 || fail "res-fra should still be routed to ams1"
pass "the routers still send vp-ams and res-fra to ams1 (its health checker sees a healthy server)"
out=$(lab_site_json 2 vp-ams --sites --timeout 2) || exit 1
lab_expect "$out" "($catchment | has(\"site\") | not) and $sites_up == 3" \
    "vp-ams: CRITICAL, the anycast query times out while every site is up on its unicast address"
out=$(lab_check_json 2 vp-ams "$CHECK_ANYCAST_DNS" -H "$LAB_ANYCAST4" -H "$LAB_ANYCAST6" -q "$LAB_ZONE" -T SOA -t 2) || exit 1
lab_expect "$out" "[.subchecks[].facts.loss_pct] == [100, 100]" "check_anycast_dns from vp-ams: CRITICAL, 100% loss on both families"
out=$(lab_site_json 0 vp-iad --sites --timeout 2) || exit 1
lab_expect "$out" "$catchment | .site == \"iad1\"" "vp-iad (not in ams1's catchment): OK"
"$LAB" site-up ams1 || fail "site-up ams1"
out=$(lab_site_json 0 vp-ams --sites) || exit 1
lab_expect "$out" "$catchment | .site == \"ams1\"" "restored: vp-ams answered by ams1"

echo "== drained: ams1 announced with 3 extra prepends"
"$LAB" drain ams1 || fail "drain ams1"
"$LAB" await vp-ams iad1 || fail "vp-ams did not leave ams1"
"$LAB" await res-fra iad1 || fail "res-fra did not leave ams1"
"$LAB" routes | sed -n '1,4p'
for client in $LAB_VANTAGES $LAB_RESOLVERS; do
    [[ $("$LAB" env | sed -n "s/^LAB_$(lab_key "$client")_CATCHMENT=//p") != ams1 ]] || fail "$client still reaches ams1"
done
pass "ams1 has lost its whole catchment"
out=$(lab_site_json 1 vp-ams --sites --expect-site ams1) || exit 1
lab_expect "$out" "($catchment | .site == \"iad1\" and .expected == false) and $sites_up == 3" \
    "vp-ams --expect-site ams1: WARNING, caught by iad1 while ams1 is up (drained, not down)"
"$LAB" undrain ams1 || fail "undrain ams1"
"$LAB" await vp-ams ams1 || fail "vp-ams did not come back after undrain"
pass "undrained: vp-ams back on ams1"

echo "== ECMP: vp-ams's transit reaches ams1 and iad1 at equal cost, hashed on the L4 header"
"$LAB" ecmp vp-ams ams1 iad1 || fail "ecmp vp-ams ams1 iad1"
"$LAB" await vp-ams ams1+iad1 || fail "no multipath route at vp-ams's transit"
[[ $(ip netns exec "$LAB_VP_AMS_TRANSIT_NS" cat /proc/sys/net/ipv4/fib_multipath_hash_policy) == 1 &&
    $(ip netns exec "$LAB_VP_AMS_TRANSIT_NS" cat /proc/sys/net/ipv6/fib_multipath_hash_policy) == 1 ]] ||
    fail "the transit does not hash on L4"
# The kernel's own answer for two source ports that hash apart: the site depends on the port.
ports_sites=$(for port in $(seq 40000 40031); do
    ip -n "$LAB_VP_AMS_TRANSIT_NS" route get "$LAB_ANYCAST4" from "$LAB_VP_AMS_ADDR4" iif c-vams ipproto udp sport "$port" dport 53 |
        grep -o 'dev d-vams-[a-z0-9]*'
done | sort | uniq -c | xargs)
[[ $ports_sites == *d-vams-ams1* && $ports_sites == *d-vams-iad1* ]] || fail "32 source ports all hash to one path: $ports_sites"
pass "32 source ports spread over both paths: $ports_sites"
ecmp_state=$state_dir/ecmp.state
for run in 1 2 3 4 5; do
    out=$(lab_site_json 0 vp-ams --sites --flows 16 --state-file "$ecmp_state" --flap-warning 1 -t 5) || exit 1
    lab_expect "$out" "$flows | .split == true and .sites == \"ams1+iad1\" and .flows_identified == 16" \
        "run $run: split $(jq -r '[.subchecks[] | select(.name | startswith("flows")) | .summary][0]' <<<"$out")"
    lab_expect "$out" "$catchment | .site_changes_in_window == 0 and (has(\"previous_site\") | not)" \
        "run $run: the state file sees no site change (no flap), OK"
done
lab_expect "$out" "(.summary | test(\"split ams1 [0-9]+% / iad1 [0-9]+%|split iad1 [0-9]+% / ams1 [0-9]+%\"))" \
    "the first line says: $(jq -r .summary <<<"$out")"
out=$(lab_site_json 1 vp-ams --sites --flows 16 --split-warning 10 -t 5) || exit 1
lab_expect "$out" "(.subchecks[] | select(.name | startswith(\"flows\")) | .state) == \"WARNING\"" \
    "--split-warning 10: WARNING, $(jq -r '[.subchecks[] | select(.name | startswith("flows")) | .summary][0]' <<<"$out")"
# For contrast: one query a run from a random source port sees the site change between runs.
plain_state=$state_dir/plain.state
for run in $(seq 1 8); do lab_site_json 0 vp-ams --sites --state-file "$plain_state" >/dev/null || exit 1; done
out=$(lab_site_json 0 vp-ams --sites --state-file "$plain_state") || exit 1
echo "info: without --flows, 9 runs from random source ports saw $(jq -r "$catchment | .site_changes_in_window" <<<"$out") site changes (flaps that are not routing changes)"
"$LAB" ecmp vp-ams off || fail "ecmp vp-ams off"
out=$(lab_site_json 0 vp-ams --sites --flows 16) || exit 1
lab_expect "$out" "$flows | .split == false and .sites == \"ams1\"" "ECMP off: all 16 flows to ams1"
echo "BGP scenarios: withdrawal, black hole, drain and ECMP each named by the checks"
