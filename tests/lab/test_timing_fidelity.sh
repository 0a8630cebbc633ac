#!/bin/bash
# Scenario 6, timing fidelity: with a path RTT of D ms, the RTT check_anycast_dns reports agrees with
# the RTT ping measures on the same path (same vantage namespace, same anycast address): the medians of
# 50 queries and 50 pings differ by at most 0.5 ms, for D = 10 and 80 ms, over IPv4 and IPv6.
# Prints the error of each reported RTT against the ping median (median and max) so it can be quoted.
set -uo pipefail
source "$(dirname "$0")/testlib.sh"
lab_require_check "${CHECK_ANYCAST_DNS:-}"
lab_up

N=${LAB_TIMING_SAMPLES:-50}
LIMIT_MS=0.5
vp="vp-ams"
site=$LAB_VP_AMS_NEAREST_SITE
failed=0

for delay in 10 80; do
    "$LAB" delay "$vp" "$site" "$delay" >/dev/null || fail "delay $vp $site $delay"
    for address in "$LAB_ANYCAST4" "$LAB_ANYCAST6"; do
        pings=$(ping_rtts "$vp" "$address" "$N")
        (($(wc -l <<<"$pings") == N)) || fail "ping $address from $vp: expected $N replies, got $(wc -l <<<"$pings")"
        # One query per run, so each reported RTT is one query's (the check reports min/avg/max per run).
        reported=""
        for ((i = 0; i < N; i++)); do
            out=$(in_node "$vp" "${LAB_RT[@]}" "$CHECK_ANYCAST_DNS" -H "$address" -q "$LAB_ZONE" -T SOA --output-format=json)
            rc=$?
            facts=$(jq -c '.subchecks[0].facts' <<<"$out" 2>/dev/null)
            { [[ $rc == 0 ]] && jq -e --arg s "$site" '.identity == $s and .loss_pct == 0' <<<"$facts" >/dev/null; } ||
                fail "query $i to $address: exit $rc, $out"
            reported+="$(jq .rtt_avg_ms <<<"$facts")"$'\n'
        done
        ping_median=$(median <<<"$pings")
        check_median=$(median <<<"$reported")
        errors=$(awk -v p="$ping_median" 'NF { printf "%.4f\n", $1 - p }' <<<"$reported")
        error_median=$(median <<<"$errors")
        error_max=$(sort -g <<<"$errors" | tail -n 1)
        printf 'D=%s ms %-16s ping median %.3f ms (n=%d), check median %.3f ms (n=%d); reported minus ping: median %+.3f ms, max %+.3f ms\n' \
            "$delay" "$address" "$ping_median" "$N" "$check_median" "$N" "$error_median" "$error_max"
        if ! within "$check_median" "$ping_median" "$LIMIT_MS"; then
            echo "FAIL: D=$delay $address: medians differ by more than $LIMIT_MS ms" >&2
            failed=1
        fi
        within "$ping_median" "$delay" 1.0 || { echo "FAIL: D=$delay: ping median $ping_median ms is not the path's delay" >&2; failed=1; }
    done
done
((failed == 0)) || fail "timing fidelity"
echo "timing fidelity: check_anycast_dns agrees with ping within $LIMIT_MS ms"
