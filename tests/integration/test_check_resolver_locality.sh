#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# check_resolver_locality against real Unbound resolvers (identities fra-res1, iad-res1) in front of
# a real NSD, all on loopback. Addresses 127.0.3.0/24 belong to this test; its port is picked free (it_free_port).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=servers.sh
source "$here/servers.sh"
# shellcheck source=assert.sh
source "$here/assert.sh"

CHECK=${CHECK_RESOLVER_LOCALITY:-}
[[ -n "$CHECK" && -x "$CHECK" ]] || it_skip "CHECK_RESOLVER_LOCALITY='$CHECK' is not an executable"
it_require nsd nsd-checkconf unbound unbound-checkconf drill jq setsid
it_traps

it_free_port P
start_nsd auth 127.0.3.1 "$P" ams1 ams1 2026112301
start_unbound fra 127.0.3.2 "$P" fra-res1 fra-res1 127.0.3.1 "$P"
start_unbound iad 127.0.3.3 "$P" iad-res1 iad-res1 127.0.3.1 "$P"
start_unbound plain 127.0.3.4 "$P" resolver-x "" 127.0.3.1 "$P"
work=$(mktemp -d)
trap 'rm -rf "$work"; stop_all' EXIT

Q=(-p "$P" -q anycast.test -T SOA)

case_ "a local resolver: identity via NSID, site, distance and floor"
# Loopback answers faster than light allows from Frankfurt (floor 3.7 ms), but a loaded machine may
# not: the below-floor finding is asserted in its own case, from much farther away.
run_json -H 127.0.3.2 "${Q[@]}" --location AMS
expect_jq '.subchecks[0].facts.distance_km < 1000' true
expect_jq '.subchecks[0].facts.identity' fra-res1
expect_jq '.subchecks[0].facts.identity_method' nsid
expect_jq '.subchecks[0].facts.site' fra
expect_jq '.subchecks[0].facts.location' FRA
expect_jq '.subchecks[0].facts.distance_km | floor' 365
expect_jq '.subchecks[0].facts.rtt_floor_ms | . > 3.6 and . < 3.7' true
expect_jq '[.subchecks[0].perfdata[].label] | join(",")' "127.0.3.2_${P}_rtt,127.0.3.2_${P}_distance,127.0.3.2_${P}_rtt_floor,127.0.3.2_${P}_inflation"

case_ "an RTT below the physical floor says the identity, site or location is wrong"
# Frankfurt from Sydney: floor about 165 ms, which no loopback answer reaches.
run_json -H 127.0.3.2 "${Q[@]}" --location SYD --distance-warning 20000 --distance-critical 30000
expect_rc 1
expect_jq '.subchecks[0].facts.below_floor' true
expect_jq '.subchecks[0].summary | test("below the physical floor")' true

case_ "a far resolver: CRITICAL naming the site, the distance and the physical floor"
run_json -H 127.0.3.3 "${Q[@]}" --location AMS --location-error 10000
expect_rc 2
expect_jq '.subchecks[0].facts.site' iad
expect_jq '.subchecks[0].facts.distance_km | floor' 6207
expect_grep 'answered from iad \(IAD, 6,207 km from AMS\)'
expect_grep 'floor 62.1 ms'

case_ "distance thresholds are ranges in km"
run_json -H 127.0.3.3 "${Q[@]}" --location AMS --location-error 10000 --distance-warning 7000 --distance-critical 8000km
expect_rc 0

case_ "location as LAT,LON and resolvers from resolv.conf (comments, options)"
printf '# test\noptions edns0\nnameserver 127.0.3.2\nnameserver 127.0.3.3 ; far\n' >"$work/resolv.conf"
run_json --resolv-conf "$work/resolv.conf" "${Q[@]}" --location 52.31,4.76 --location-error 10000
expect_rc 2
expect_jq '.subchecks | length' 2
expect_jq '[.subchecks[].facts.site] | join(",")' "fra,iad"

case_ "identity order: hostname.bind first"
run_json -H 127.0.3.2 "${Q[@]}" --identity hostname.bind,nsid
expect_jq '.subchecks[0].facts.identity_method' hostname.bind
expect_jq '.subchecks[0].facts["identity_hostname.bind"]' fra-res1

case_ "no location: distance skipped and said so, RTT still checked"
run_json -H 127.0.3.2 "${Q[@]}" -w 0.000001
expect_rc 1
expect_grep 'no --location given'
expect_jq '.subchecks[0].facts.distance_km // "absent"' absent

case_ "a sites file places an identity the rules cannot"
printf 'edge9 loc=SIN identity=resolver-x\n' >"$work/sites"
run_json -H 127.0.3.4 "${Q[@]}" --location SIN --sites-file "$work/sites" --identity hostname.bind
expect_jq '.subchecks[0].facts.site' edge9
expect_jq '.subchecks[0].facts.location' SIN
expect_jq '.subchecks[0].facts.distance_km' 0

case_ "an unplaced resolver with --location is not OK, and says what to add"
run_check -H 127.0.3.4 "${Q[@]}" --location AMS --identity hostname.bind
expect_rc 3
expect_grep "^RESOLVER LOCALITY UNKNOWN - 127\.0\.3\.4: resolver not placed: identity resolver-x names no known site"
run_json -H 127.0.3.4 "${Q[@]}" --location AMS --identity hostname.bind --unplaced-state warning
expect_rc 1

case_ "expect by location, and comma lists with blanks"
run_json -H 127.0.3.4 "${Q[@]}" --location SIN --sites-file "$work/sites" --identity " hostname.bind, nsid" \
  --expect-site "sin, ams1"
expect_rc 0
expect_jq '.subchecks[0].facts.site' edge9
run_check -H 127.0.3.4 "${Q[@]}" --location SIN --sites-file "$work/sites" --identity hostname.bind --expect-site ams
expect_rc 2
expect_grep "^RESOLVER LOCALITY CRITICAL - 127\.0\.3\.4: site edge9 is not expected \(ams\)"

case_ "--expect-site and --compare-direct"
run_json -H 127.0.3.3 "${Q[@]}" --expect-site fra --compare-direct 127.0.3.1
expect_rc 2
expect_grep 'site iad is not expected'
expect_jq '.subchecks[0].facts.direct_rtt_ms > 0' true

case_ "who-am-I: an egress address (A) placed through the sites file's addresses"
# The zone's mail.anycast.test A 192.0.2.25 stands in for a who-am-I name answering the egress address.
printf 'edge5 192.0.2.25 loc=SIN\n' >"$work/egress"
run_json -H 127.0.3.4 "${Q[@]}" --location SIN --sites-file "$work/egress" --identity whoami \
  --whoami mail.anycast.test/A
expect_rc 0
expect_jq '.subchecks[0].facts.identity' 192.0.2.25
expect_jq '.subchecks[0].facts.identity_method' whoami
expect_jq '.subchecks[0].facts.site' edge5
expect_jq '.subchecks[0].facts.site_rule' "sites file address"
expect_jq '.subchecks[0].facts.distance_km' 0

case_ "who-am-I: a TXT answer, reported even when it names no site"
run_json -H 127.0.3.4 "${Q[@]}" --identity whoami --whoami anycast.test/TXT
expect_jq '.subchecks[0].facts.identity' "hello world"
expect_jq '.subchecks[0].facts["identity_whoami_anycast.test"]' "hello world"
expect_jq '.subchecks[0].facts.site // "none"' none

case_ "who-am-I ranks after NSID in the default order, and what it said is still reported"
run_json -H 127.0.3.2 "${Q[@]}" --whoami mail.anycast.test/A
expect_jq '.subchecks[0].facts.identity_method' nsid
expect_jq '.subchecks[0].facts.identity' fra-res1
expect_jq '.subchecks[0].facts["identity_whoami_mail.anycast.test"]' 192.0.2.25
run_json -H 127.0.3.2 "${Q[@]}" --whoami mail.anycast.test/A --identity whoami,nsid
expect_jq '.subchecks[0].facts.identity_method' whoami

case_ "bad input is UNKNOWN naming the problem"
run_check -H 127.0.3.2 "${Q[@]}" --location XQZ9
expect_rc 3
expect_grep 'XQZ9'
run_check --resolv-conf "$work/none" "${Q[@]}"
expect_rc 3
printf 'search example\n' >"$work/empty.conf"
run_check --resolv-conf "$work/empty.conf" "${Q[@]}"
expect_rc 3
expect_grep 'no nameserver'
run_check -H 127.0.3.2 "${Q[@]}" --whoami anycast.test/MX
expect_rc 3
expect_grep 'TXT, A or AAAA'
run_check -H 127.0.3.2 "${Q[@]}" --identity nsid,carrier-pigeon
expect_rc 3
expect_grep 'carrier-pigeon'

finish
