#!/bin/bash
# Issue 16 in the lab: the lab zone is signed at every site (tests/lab/lab-dnssec.sh), and the
# `dnssec` verb makes one site an old copy whose signatures run out, a corrupted copy, or a copy
# signed with another key set. check_anycast_site must name that site with the right state, from a
# vantage point whose anycast catchment is that site and from one whose catchment is fine.
set -uo pipefail
source "$(dirname "$0")/testlib.sh"
lab_require_check "${CHECK_ANYCAST_SITE:-}"
lab_require ldns-keygen ldns-signzone
lab_up

dnssec_of() { echo ".subchecks[] | select(.name == \"dnssec $1\")"; }
keysets='.subchecks[] | select(.name == "key sets")'

echo "== steady: every site signed with the lab's keys, a month of validity"
out=$(lab_site_json 0 vp-ams --sites) || exit 1
lab_expect "$out" "[.subchecks[] | select(.name | startswith(\"dnssec \")) | .facts.signed] | length == 4 and all" \
    "vp-ams: anycast address and 3 sites signed, OK"
lab_expect "$out" "$keysets | .state == \"OK\"" "one key set everywhere"
lab_expect "$out" "[.perfdata[] | select(.label == \"sin1_soa_rrsig_left\") | .value > 29 * 86400] == [true]" \
    "perfdata sin1_soa_rrsig_left about 30 days"

echo "== expiring: sin1 serves an old copy whose signatures run out in 1d 3h"
"$LAB" dnssec sin1 expiring || fail "dnssec sin1 expiring"
out=$(lab_site_json 2 vp-sin --sites) || exit 1
# Both signatures run out together: one fault, said once per server that shows it.
lab_expect "$out" '.summary | startswith("site sin1") and test("site sin1: SOA and DNSKEY signatures expire in 1d 3h")
        and ([scan("site sin1: ")] | length == 1)' \
    "vp-sin: CRITICAL, first line: $(jq -r .summary <<<"$out" | cut -c1-80)"
lab_expect "$out" '.summary | test("site sin1 via 192.0.2.53: SOA and DNSKEY signatures expire")' \
    "vp-sin: its anycast address leads to sin1, named too"
out=$(lab_site_json 2 vp-sin) || exit 1
lab_expect "$out" '.summary | startswith("site sin1 via 192.0.2.53: SOA and DNSKEY signatures expire in 1d 3h")' \
    "vp-sin, anycast address only: CRITICAL, the instance behind it named"
out=$(lab_site_json 0 vp-ams) || exit 1
pass "vp-ams, anycast address only: OK (its instance, ams1, is fine: why the check must look per site)"
out=$(lab_site_json 1 vp-ams --sites --rrsig-critical 1d --serial-lag-warning 5) || exit 1
lab_expect "$out" "$(dnssec_of "site sin1") | .subchecks[0].state == \"WARNING\"" "--rrsig-critical 1d: WARNING"
"$LAB" dnssec sin1 good || fail "dnssec sin1 good"

echo "== corrupt: ams1's SOA RRSIG is present but does not verify"
"$LAB" dnssec ams1 corrupt || fail "dnssec ams1 corrupt"
out=$(lab_site_json 2 vp-iad --sites) || exit 1
lab_expect "$out" '.summary | startswith("site ams1: SOA signature does not verify")' \
    "vp-iad: CRITICAL, first line: $(jq -r .summary <<<"$out" | cut -c1-60)"
"$LAB" dnssec ams1 good || fail "dnssec ams1 good"

echo "== other keys: iad1 is signed with a key set no other site has"
"$LAB" dnssec iad1 other-keys || fail "dnssec iad1 other-keys"
out=$(lab_site_json 2 vp-ams --sites) || exit 1
lab_expect "$out" "$keysets | .state == \"CRITICAL\" and (.summary | startswith(\"site iad1 serves DNSKEY set\"))" \
    "vp-ams: CRITICAL, key sets: $(jq -r "$keysets | .summary" <<<"$out" | cut -c1-70)"
lab_expect "$out" "$(dnssec_of "site iad1") | .state == \"OK\"" "iad1 is consistent in itself: only the comparison catches it"
"$LAB" dnssec iad1 good || fail "dnssec iad1 good"

echo "== restored"
out=$(lab_site_json 0 vp-iad --sites) || exit 1
lab_expect "$out" "$keysets | .state == \"OK\"" "every site good again: OK"
echo "issue 16: every badly signed site is named, with the right state"
