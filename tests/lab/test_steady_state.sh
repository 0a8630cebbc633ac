#!/bin/bash
# Scenario 1, steady state: from every vantage point, check_anycast_dns sees the nearest site on both
# anycast addresses, OK, with the right identity and an RTT that matches the path (never faster than
# the path's delay, and not so much slower that the RTT would have counted something besides the round
# trip); every site's unicast address shows that site at its own RTT; the anycast resolver address shows
# the nearest resolver. The minimum RTT is compared (a busy CI machine adds scheduling delay to some
# queries, never removes path delay).
#
# The upper bound is path + max(2 ms, 5 %): what it exists to catch (a retransmission timer, the check's
# own start-up or a second query counted in) costs tens of milliseconds, while the lab's userspace delay
# line on a loaded 2-core CI machine under ASan was seen adding 1.03 ms to every one of five queries on
# an 80 ms path. How close the check comes to the truth is lab_timing_fidelity's question (against
# ping on the same path) and bench/'s, not a timed assertion here.
set -uo pipefail
source "$(dirname "$0")/testlib.sh"
lab_require_check "${CHECK_ANYCAST_DNS:-}"
lab_up

check_json() { # node args...
    local node=$1 out rc
    shift
    out=$(in_node "$node" "$CHECK_ANYCAST_DNS" "$@" --output-format=json)
    rc=$?
    jq -e . >/dev/null 2>&1 <<<"$out" || fail "$node: not JSON (exit $rc): $out"
    [[ $rc == 0 && $(jq -r .state <<<"$out") == OK ]] ||
        fail "$node: expected exit 0 and OK, got exit $rc: $(jq -c '{state, summary}' <<<"$out")"
    echo "$out"
}

# assert_address JSON ADDRESS IDENTITY RTT_MS
assert_address() {
    local facts
    facts=$(jq -c --arg a "$2" '.subchecks[] | select(.name == $a) | .facts' <<<"$1")
    [[ -n $facts ]] || fail "no subcheck for $2"
    jq -e --arg id "$3" --argjson rtt "$4" '
        .identity == $id and .loss_pct == 0 and .rcode == "NOERROR"
        and .rtt_min_ms >= $rtt - 0.05 and .rtt_min_ms <= $rtt + ([2, $rtt * 0.05] | max)' <<<"$facts" >/dev/null ||
        fail "$2: expected identity $3 at ~$4 ms, got $facts"
    pass "$2: identity $(jq -r '.identity + " (" + .identity_method + ")"' <<<"$facts"), rtt min/avg $(jq -r '"\(.rtt_min_ms)/\(.rtt_avg_ms)"' <<<"$facts") ms (path $4 ms)"
}

for vp in $LAB_VANTAGES; do
    key=$(lab_key "$vp")
    site=$(lab_var "${key}_NEAREST_SITE")
    echo "== $vp ($(lab_var "${key}_LOCATION")): nearest site $site"
    out=$(check_json "$vp" -H "$LAB_ANYCAST4" -H "$LAB_ANYCAST6" -q "$LAB_ZONE" -T SOA --count 10) || exit 1
    for address in "$LAB_ANYCAST4" "$LAB_ANYCAST6"; do
        assert_address "$out" "$address" "$site" "$(lab_var "RTT_${key}__$(lab_key "$site")")"
    done

    hosts=()
    for s in $LAB_SITES; do hosts+=(-H "$(lab_var "$(lab_key "$s")_ADDR4")" -H "$(lab_var "$(lab_key "$s")_ADDR6")"); done
    out=$(check_json "$vp" "${hosts[@]}" -q "$LAB_ZONE" -T SOA --count 5) || exit 1
    for s in $LAB_SITES; do
        for family in ADDR4 ADDR6; do
            assert_address "$out" "$(lab_var "$(lab_key "$s")_$family")" "$s" "$(lab_var "RTT_${key}__$(lab_key "$s")")"
        done
    done

    res=$(lab_var "${key}_NEAREST_RESOLVER")
    out=$(check_json "$vp" -H "$LAB_RESOLVER4" -H "$LAB_RESOLVER6" -q "$LAB_ZONE" -T SOA --rd --count 5) || exit 1
    for address in "$LAB_RESOLVER4" "$LAB_RESOLVER6"; do
        assert_address "$out" "$address" "$(lab_var "$(lab_key "$res")_IDENTITY")" \
            "$(lab_var "RTT_${key}__$(lab_key "$res")")"
    done
done
echo "steady state: every vantage point sees its nearest site and resolver"
