#!/bin/bash
# Every scenario verb does what it says, seen from inside a vantage point with drill and ping (the
# checks that catch each scenario get their own tests as they land; see docs/lab.md).
set -uo pipefail
source "$(dirname "$0")/testlib.sh"
lab_up

expect_identity() { # node address identity what
    local got
    got=$(identity_of "$1" "$2")
    [[ $got == "$3" ]] || fail "$4: $1 -> $2 answered by '$got', expected '$3'"
    pass "$4: $1 -> $2 answered by $3"
}
expect_rtt() { # node address ms what
    local got
    got=$(ping_rtts "$1" "$2" 20 | median)
    within "$got" "$3" 1.0 || fail "$4: $1 -> $2 ping median ${got:-none} ms, expected ~$3 ms"
    pass "$4: $1 -> $2 ping median $got ms (~$3)"
}
expect_silence() { # node address what
    ! in_node "$1" timeout 3 drill -Q @"$2" "$LAB_ZONE" SOA >/dev/null 2>&1 || fail "$3: $1 -> $2 still answers"
    pass "$3: $1 -> $2 does not answer"
}

# Steady state, from everywhere.
for vp in $LAB_VANTAGES; do
    key=$(lab_key "$vp")
    expect_identity "$vp" "$LAB_ANYCAST4" "$(lab_var "${key}_NEAREST_SITE")" steady
    expect_identity "$vp" "$LAB_ANYCAST6" "$(lab_var "${key}_NEAREST_SITE")" steady
    expect_identity "$vp" "$LAB_RESOLVER4" "$(lab_var "$(lab_key "$(lab_var "${key}_NEAREST_RESOLVER")")_IDENTITY")" steady
done
# The vantage point's /etc/resolv.conf names the lab resolver, and resolution works through it.
[[ $(in_node vp-ams drill -Q "$LAB_ZONE" SOA | awk '{ print $3 }') == "$LAB_SERIAL" ]] || fail "resolv.conf resolution"
pass "steady: vp-ams resolves $LAB_ZONE through /etc/resolv.conf"

# Catchment shift.
"$LAB" catchment vp-ams iad1 >/dev/null || fail "catchment verb"
expect_identity vp-ams "$LAB_ANYCAST4" iad1 catchment
expect_identity vp-ams "$LAB_ANYCAST6" iad1 catchment
expect_rtt vp-ams "$LAB_ANYCAST4" "$LAB_RTT_VP_AMS__IAD1" catchment
expect_identity vp-iad "$LAB_ANYCAST4" iad1 "catchment (others unchanged)"
"$LAB" catchment vp-ams ams1 >/dev/null || fail "catchment back"
expect_identity vp-ams "$LAB_ANYCAST4" ams1 "catchment back"

# Site down: server stopped, then black-holed (server running, traffic dropped).
"$LAB" site-down ams1 >/dev/null || fail "site-down verb"
expect_silence vp-ams "$LAB_ANYCAST4" "site-down"
"$LAB" site-up ams1 >/dev/null || fail "site-up verb"
expect_identity vp-ams "$LAB_ANYCAST4" ams1 "site-up"
"$LAB" site-down ams1 --blackhole >/dev/null || fail "site-down --blackhole"
expect_silence vp-ams "$LAB_ANYCAST4" "blackhole"
expect_silence vp-ams "$LAB_ANYCAST6" "blackhole"
expect_identity vp-iad "$LAB_ANYCAST4" iad1 "blackhole (others unchanged)"
[[ $("$LAB" status) =~ ams1\ [^$'\n']*nsd\ running[^$'\n']*DOWN\ \(blackhole\) ]] || fail "status does not show the black hole"
"$LAB" site-up ams1 >/dev/null || fail "site-up after blackhole"
expect_identity vp-ams "$LAB_ANYCAST4" ams1 "site-up after blackhole"

# Stale site.
"$LAB" stale sin1 2026112200 >/dev/null || fail "stale verb"
[[ $(serial_of vp-sin "$LAB_ANYCAST4") == 2026112200 ]] || fail "stale: vp-sin sees $(serial_of vp-sin "$LAB_ANYCAST4")"
[[ $(serial_of vp-ams "$LAB_ANYCAST4") == "$LAB_SERIAL" ]] || fail "stale: vp-ams should see the current serial"
[[ $(serial_of vp-ams "$LAB_SIN1_ADDR4") == 2026112200 ]] || fail "stale: sin1's unicast address"
pass "stale: sin1 serves 2026112200, the others $LAB_SERIAL"
"$LAB" fresh sin1 >/dev/null || fail "fresh verb"
[[ $(serial_of vp-sin "$LAB_ANYCAST4") == "$LAB_SERIAL" ]] || fail "fresh: vp-sin still stale"
pass "fresh: sin1 serves $LAB_SERIAL again"

# Path delay.
"$LAB" delay vp-iad iad1 30 >/dev/null || fail "delay verb"
expect_rtt vp-iad "$LAB_ANYCAST4" 30 delay
[[ $("$LAB" env | grep '^LAB_RTT_VP_IAD__IAD1=') == LAB_RTT_VP_IAD__IAD1=30 ]] || fail "env does not show the new RTT"

# Far resolver.
"$LAB" resolver vp-ams iad-res1 >/dev/null || fail "resolver verb"
expect_identity vp-ams "$LAB_RESOLVER4" iad-res1 "far resolver"
expect_identity vp-ams "$LAB_RESOLVER6" iad-res1 "far resolver"
expect_rtt vp-ams "$LAB_RESOLVER4" "$LAB_RTT_VP_AMS__RES_IAD" "far resolver"
[[ $(in_node vp-ams drill -Q "$LAB_ZONE" SOA | awk '{ print $3 }') == "$LAB_SERIAL" ]] || fail "far resolver resolution"
pass "far resolver: vp-ams resolves through iad-res1"

# Bad input is refused with a message, and changes nothing.
! "$LAB" catchment vp-ams res-fra 2>/dev/null || fail "catchment to a resolver was accepted"
! "$LAB" delay vp-ams ams1 fast 2>/dev/null || fail "a non-numeric delay was accepted"
! "$LAB" catchment vp-nowhere ams1 2>/dev/null || fail "an unknown node was accepted"
! "$LAB" loss vp-ams ams1 101 2>/dev/null || fail "a loss above 100% was accepted"
! "$LAB" jitter vp-ams ams1 -1 2>/dev/null || fail "a negative jitter was accepted"
! "$LAB" drain ams1 9 2>/dev/null || fail "9 prepends were accepted"
! "$LAB" ecmp vp-ams ams1 ams1 2>/dev/null || fail "ecmp over one site was accepted"
! "$LAB" await vp-ams res-fra 2>/dev/null || fail "await for a resolver as a site was accepted"
pass "bad verb arguments are refused"
echo "scenario verbs: all work"
