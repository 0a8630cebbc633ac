#!/bin/bash
# Scenarios 2-5 and 7 (docs/lab.md) in one lab, so `up` is paid once: each scenario breaks one thing, proves
# the check that exists to catch it says so (state, exit code and the facts that name the culprit), then
# restores the lab and proves the check is OK again before the next scenario starts.
set -uo pipefail
source "$(dirname "$0")/testlib.sh"
lab_require_check "${CHECK_ANYCAST_DNS:-}"
lab_require_check "${CHECK_ANYCAST_SITE:-}"
lab_require_check "${CHECK_RESOLVER_LOCALITY:-}"
lab_up

catchment='.subchecks[] | select(.name | startswith("catchment")) | .facts'
sites_sub='.subchecks[] | select(.name == "sites")'
consistency='.subchecks[] | select(.name == "consistency")'

echo "== steady: vp-ams is caught by ams1"
out=$(lab_site_json 0 vp-ams --sites --expect-site ams1) || exit 1
lab_expect "$out" "$catchment | .site == \"ams1\"" "vp-ams: catchment ams1, OK"

echo "== scenario 2: catchment shift (vp-ams -> iad1)"
"$LAB" catchment vp-ams iad1 || fail "catchment vp-ams iad1"
out=$(lab_site_json 1 vp-ams --sites --expect-site ams1) || exit 1
lab_expect "$out" "$catchment | .site == \"iad1\" and .expected == false" "site check WARNING, catchment iad1 (unexpected)"
out=$(lab_check_json 0 vp-ams "$CHECK_ANYCAST_DNS" -H "$LAB_ANYCAST4" -q "$LAB_ZONE" -T SOA --count 5) || exit 1
rtt=$(lab_var RTT_VP_AMS__IAD1)
lab_expect "$out" ".subchecks[0].facts | .identity == \"iad1\" and .rtt_min_ms >= $rtt - 0.05 and .rtt_min_ms <= $rtt + 10" \
    "check_anycast_dns: identity iad1, rtt min $(jq -r .subchecks[0].facts.rtt_min_ms <<<"$out") ms (path $rtt ms)"
"$LAB" catchment vp-ams ams1 || fail "catchment vp-ams ams1"
out=$(lab_site_json 0 vp-ams --sites --expect-site ams1) || exit 1
lab_expect "$out" "$catchment | .site == \"ams1\"" "restored: catchment ams1, OK"

echo "== scenario 3: site down (ams1 stopped; the lab does not reroute, so vp-ams's anycast query fails)"
"$LAB" site-down ams1 || fail "site-down ams1"
out=$(lab_site_json 2 vp-ams --sites --expect-site ams1) || exit 1
lab_expect "$out" "($catchment | has(\"site\") | not) and ($sites_sub | .state == \"WARNING\" and .facts.sites_up == 2 and .facts.sites_total == 3)" \
    "vp-ams: anycast catchment fails (CRITICAL), sites 2/3 up"
# From vp-iad the catchment (iad1) is fine, so the verdict is the sites subcheck's alone.
out=$(lab_site_json 1 vp-iad --sites) || exit 1
lab_expect "$out" "$sites_sub | .facts.sites_up == 2 and ([.subchecks[] | select(.name == \"site ams1\") | .facts.up] == [false])" \
    "vp-iad: WARNING (default --down-warning 1), site ams1 down, 2/3 up"
out=$(lab_site_json 2 vp-iad --sites --down-critical 1) || exit 1
lab_expect "$out" "$sites_sub | .state == \"CRITICAL\" and .facts.sites_up == 2" "vp-iad --down-critical 1: CRITICAL"
out=$(lab_check_json 2 vp-ams "$CHECK_ANYCAST_DNS" -H "$LAB_AMS1_ADDR4" -q "$LAB_ZONE" -T SOA --count 3) || exit 1
lab_expect "$out" ".subchecks[0].facts.loss_pct == 100" "check_anycast_dns on ams1's unicast address: CRITICAL, 100% loss"
"$LAB" site-up ams1 || fail "site-up ams1"
out=$(lab_site_json 0 vp-ams --sites --expect-site ams1) || exit 1
lab_expect "$out" "$sites_sub | .facts.sites_up == 3" "restored: 3/3 sites up, OK"

# --blackhole: the site still draws its catchment but drops everything, so only the anycast query fails
# (by timeout); its unicast address stays up.
"$LAB" site-down ams1 --blackhole || fail "site-down ams1 --blackhole"
out=$(lab_site_json 2 vp-ams --sites --expect-site ams1 --timeout 2) || exit 1
lab_expect "$out" "($catchment | has(\"site\") | not) and ($sites_sub | .facts.sites_up == 3)" \
    "blackhole: vp-ams anycast query times out (CRITICAL), unicast 3/3 up"
"$LAB" site-up ams1 || fail "site-up ams1"
out=$(lab_site_json 0 vp-ams --sites --expect-site ams1) || exit 1
lab_expect "$out" "$catchment | .site == \"ams1\"" "restored: catchment ams1, OK"

echo "== scenario 4: stale site (sin1 at $((LAB_SERIAL - 1)))"
"$LAB" stale sin1 $((LAB_SERIAL - 1)) || fail "stale sin1"
out=$(lab_site_json 1 vp-iad --sites) || exit 1
lab_expect "$out" "($consistency | .state == \"WARNING\" and .facts.reference_serial == $LAB_SERIAL
        and ([.subchecks[] | select(.state != \"OK\") | {name, lag: .facts.serial_lag, serial: .facts.serial}]
             == [{name: \"sin1\", lag: 1, serial: $((LAB_SERIAL - 1))}]))
    and ([.perfdata[] | select(.label == \"serial_lag_max\") | .value] == [1])" \
    "WARNING naming sin1 only: serial $((LAB_SERIAL - 1)) lag 1 behind $LAB_SERIAL, perfdata serial_lag_max=1"
"$LAB" fresh sin1 || fail "fresh sin1"
out=$(lab_site_json 0 vp-iad --sites) || exit 1
lab_expect "$out" "$consistency | .facts.serial_lag_max == 0" "restored: every site at $LAB_SERIAL, OK"

echo "== scenario 5: far resolver (vp-ams behind iad-res1)"
"$LAB" resolver vp-ams iad-res1 || fail "resolver vp-ams iad-res1"
# No -H: the check reads the namespace's /etc/resolv.conf (the anycast resolver addresses).
out=$(lab_check_json 2 vp-ams "$CHECK_RESOLVER_LOCALITY" --location AMS -q "$LAB_ZONE" -T SOA) || exit 1
lab_expect "$out" "[.subchecks[].facts | .site == \"iad\" and .distance_km > 6100 and .distance_km < 6300
        and .rtt_floor_ms > 61 and .rtt_floor_ms < 63.5] | length == 2 and all" \
    "vp-ams: CRITICAL, both addresses answered from iad at $(jq -r '.subchecks[0].facts.distance_km | floor' <<<"$out") km, floor $(jq -r '.subchecks[0].facts.rtt_floor_ms * 10 | round / 10' <<<"$out") ms"
out=$(lab_check_json 0 vp-iad "$CHECK_RESOLVER_LOCALITY" --location IAD -q "$LAB_ZONE" -T SOA) || exit 1
lab_expect "$out" "[.subchecks[].facts.site] == [\"iad\", \"iad\"]" "vp-iad (local resolver): OK"
"$LAB" resolver vp-ams "$LAB_VP_AMS_NEAREST_RESOLVER" || fail "resolver vp-ams back"
out=$(lab_check_json 0 vp-ams "$CHECK_RESOLVER_LOCALITY" --location AMS -q "$LAB_ZONE" -T SOA) || exit 1
lab_expect "$out" "[.subchecks[].facts.site] == [\"fra\", \"fra\"]" "restored: vp-ams answered from fra, OK"

echo "== scenario 7 (issue 12): where an answer comes from"
# Expect by location: ams1's location is AMS (shipped airport-code rule), so "ams" accepts it and "sin"
# does not; "ams1" still means exactly that site.
out=$(lab_site_json 0 vp-ams --sites --expect-site ams) || exit 1
lab_expect "$out" "$catchment | .site == \"ams1\" and .location == \"AMS\" and .expected == true" \
    "--expect-site ams (a location) accepts site ams1 at AMS"
out=$(lab_site_json 1 vp-ams --sites --expect-site "sin, iad1") || exit 1
lab_expect "$out" ".summary | startswith(\"catchment $LAB_ANYCAST4: site ams1 is not expected\")" \
    "--expect-site \"sin, iad1\": WARNING, the first line names site ams1"
out=$(lab_check_json 0 vp-ams "$CHECK_RESOLVER_LOCALITY" --location AMS -q "$LAB_ZONE" -T SOA --expect-site fra) || exit 1
lab_expect "$out" "[.subchecks[].facts.location] == [\"FRA\", \"FRA\"]" "resolver --expect-site fra: OK, both addresses at FRA"

# An unplaced resolver is never OK: res-fra answers with an identity no rule places.
"$LAB" identity res-fra resolver-7 || fail "identity res-fra resolver-7"
out=$(lab_check_json 3 vp-ams "$CHECK_RESOLVER_LOCALITY" --location AMS -q "$LAB_ZONE" -T SOA) || exit 1
lab_expect "$out" ".summary | test(\"^$LAB_RESOLVER4: resolver not placed: identity resolver-7 names no known site: add \")" \
    "unplaced resolver: UNKNOWN, the first line names the address, the identity and what to add"
out=$(lab_check_json 1 vp-ams "$CHECK_RESOLVER_LOCALITY" --location AMS -q "$LAB_ZONE" -T SOA --unplaced-state warning) || exit 1
pass "--unplaced-state warning: WARNING"
printf 'fra-res identity=resolver-7 loc=FRA\n' >"$ANYCAST_LAB_DIR/test-resolver-sites"
out=$(lab_check_json 0 vp-ams "$CHECK_RESOLVER_LOCALITY" --location AMS -q "$LAB_ZONE" -T SOA \
    --sites-file "$ANYCAST_LAB_DIR/test-resolver-sites") || exit 1
lab_expect "$out" "[.subchecks[].facts.location] == [\"FRA\", \"FRA\"]" "placed by a sites file line (identity= loc=): OK at FRA"
"$LAB" identity res-fra reset || fail "identity res-fra reset"

# With a sites file, an identity that maps to no listed site (a box nobody told the monitoring about).
sites_file=$ANYCAST_LAB_DIR/test-sites
for s in $LAB_SITES; do
    printf '%s %s loc=%s\n' "$s" "$(lab_var "$(lab_key "$s")_ADDR4")" "$(lab_var "$(lab_key "$s")_LOCATION")"
done >"$sites_file"
"$LAB" identity sin1 sin7 || fail "identity sin1 sin7"
out=$(lab_check_json 2 vp-sin "$CHECK_ANYCAST_SITE" -H "$LAB_ANYCAST4" --zone "$LAB_ZONE" --sites-file "$sites_file") || exit 1
lab_expect "$out" "($catchment | .site == \"sin7\" and .location == \"SIN\")
        and ([.subchecks[] | select(.name | startswith(\"catchment\")) | .state] == [\"WARNING\"])
        and (.summary | contains(\"catchment $LAB_ANYCAST4: site sin7 is not in the sites list\"))
        and (.summary | contains(\"site sin1 $LAB_SIN1_ADDR4: identity sin7 (nsid) is site sin7, not sin1\"))" \
    "unknown identity sin7: catchment WARNING (not in the sites list), sin1's address CRITICAL (wrong box), both in the first line"
out=$(lab_check_json 2 vp-sin "$CHECK_ANYCAST_SITE" -H "$LAB_ANYCAST4" --zone "$LAB_ZONE" --sites-file "$sites_file" \
    --unknown-site-state critical) || exit 1
lab_expect "$out" "[.subchecks[] | select(.name | startswith(\"catchment\")) | .state] == [\"CRITICAL\"]" \
    "--unknown-site-state critical: the catchment itself CRITICAL"
"$LAB" identity sin1 reset || fail "identity sin1 reset"

# Two sites, one identity (a copied configuration): iad1 and sin1 both answer "copied", which no rule
# places, so neither is the wrong box; the shared identity is what hides which box answers.
"$LAB" identity iad1 copied || fail "identity iad1 copied"
"$LAB" identity sin1 copied || fail "identity sin1 copied"
out=$(lab_site_json 1 vp-ams --sites) || exit 1
lab_expect "$out" ".summary | startswith(\"sites iad1 and sin1 answer with one identity copied\")" \
    "two sites, one identity: WARNING, the first line names both sites and the identity"
"$LAB" identity iad1 reset || fail "identity iad1 reset"
"$LAB" identity sin1 reset || fail "identity sin1 reset"

# An RTT below the physical floor for the claimed site: ams1 claims to be sin9 (Singapore, about
# 10,500 km from AMS: floor about 105 ms) and answers vp-ams in 4 ms.
"$LAB" identity ams1 sin9 || fail "identity ams1 sin9"
out=$(lab_check_json 1 vp-ams "$CHECK_ANYCAST_SITE" -H "$LAB_ANYCAST4" --zone "$LAB_ZONE" --location AMS) || exit 1
lab_expect "$out" "($catchment | .site == \"sin9\" and .below_floor == true and .rtt_floor_ms > 100)
        and (.summary | test(\"^catchment $LAB_ANYCAST4: rtt [0-9.]+ ms is below the physical floor\"))" \
    "check_anycast_site --location AMS: WARNING, sin9 answered below the physical floor"
out=$(lab_check_json 1 vp-ams "$CHECK_ANYCAST_DNS" -H "$LAB_ANYCAST4" -q "$LAB_ZONE" -T SOA --location AMS) || exit 1
lab_expect "$out" ".subchecks[0].facts.below_floor == true" "check_anycast_dns --location AMS: WARNING, below the floor"
"$LAB" identity ams1 reset || fail "identity ams1 reset"
out=$(lab_check_json 0 vp-ams "$CHECK_ANYCAST_SITE" -H "$LAB_ANYCAST4" --zone "$LAB_ZONE" --location AMS) || exit 1
lab_expect "$out" "$catchment | .site == \"ams1\" and (.below_floor // false) == false" "restored: ams1 from AMS, above the floor, OK"
echo "scenarios 2-5 and 7: every check names the failure it exists to catch"
