#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# check_anycast_site against real NSD and Knot instances on loopback, each one a "site" with its own
# identity and zone serial. Addresses 127.0.2.0/24 belong to this test; its port is picked free (it_free_port).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=servers.sh
source "$here/servers.sh"
# shellcheck source=assert.sh
source "$here/assert.sh"

CHECK=${CHECK_ANYCAST_SITE:-}
[[ -n "$CHECK" && -x "$CHECK" ]] || it_skip "CHECK_ANYCAST_SITE='$CHECK' is not an executable"
it_require nsd nsd-checkconf knotd drill jq setsid
it_traps

it_free_port P
start_nsd ams1 127.0.2.1 "$P" ams1 ams1 2026112304
start_nsd ams1_v6 ::1 "$P" ams1 ams1 2026112304
start_knot iad1 127.0.2.2 "$P" iad1 iad1 2026112301
start_nsd sto1 127.0.2.3 "$P" sto1 sto1 2026112304
start_nsd primary 127.0.2.4 "$P" primary "" 2026112305
start_nsd wrap 127.0.2.5 "$P" lhr1 lhr1 4294967290
start_nsd after_wrap 127.0.2.6 "$P" fra1 fra1 5
# Two boxes with one copied configuration, and Quad9's id.server form (a site with no location).
start_nsd copy_a 127.0.2.7 "$P" 0copied0 0copied0 2026112304
start_nsd copy_b 127.0.2.8 "$P" 0copied0 0copied0 2026112304
start_nsd pch 127.0.2.10 "$P" res860.qfra3.rrdns.pch.net res860.qfra3.rrdns.pch.net 2026112304
DOWN=127.0.2.9 # nothing listens here
state_dir=$(mktemp -d)
trap 'rm -rf "$state_dir"; stop_all' EXIT

Z=(-p "$P" --zone anycast.test)
SITES=(--site ams1=127.0.2.1 --site iad1=127.0.2.2 --site sto1=127.0.2.3)

case_ "catchment: the anycast address answers from the expected site"
run_json -H 127.0.2.1 "${Z[@]}" --expect-site ams1,lhr1
expect_rc 0
expect_jq '.subchecks[0].facts.site' ams1
expect_jq '.subchecks[0].facts.expected' true
expect_jq '.subchecks[0].facts.site_rule' "airport code"

case_ "catchment: IPv4 and IPv6 landing on one site name it once"
run_json -H 127.0.2.1 -H ::1 "${Z[@]}" --expect-site ams1
expect_rc 0
expect_jq '[.subchecks[] | select(.facts.role == "anycast") | .facts.site] | join(",")' "ams1,ams1"
expect_jq '[.summary | match("ams1"; "g")] | length' 1

case_ "catchment: an unexpected site is WARNING, or CRITICAL when asked"
run_json -H 127.0.2.2 "${Z[@]}" --expect-site ams1
expect_rc 1
expect_jq '.subchecks[0].facts.site' iad1
expect_jq '.subchecks[0].facts.expected' false
run_json -H 127.0.2.2 "${Z[@]}" --expect-site 'ams[0-9]+' --unexpected-site-state critical
expect_rc 2
run_json -H 127.0.2.1 "${Z[@]}" --forbid-site ams1
expect_rc 1

case_ "sites: all up and consistent but one stale site, named with its lag"
run_json -H 127.0.2.1 "${Z[@]}" "${SITES[@]}"
expect_rc 1
expect_jq '[.perfdata[] | select(.label == "sites_up") | .value][0]' 3
expect_jq '[.perfdata[] | select(.label == "serial_lag_max") | .value][0]' 3
expect_jq '.subchecks[] | select(.name == "consistency") | .subchecks[] | select(.name == "iad1") | .facts.serial_lag' 3
run_check -H 127.0.2.1 "${Z[@]}" "${SITES[@]}"
expect_rc 1
expect_grep '^ANYCAST SITE WARNING - site iad1 stale: serial 2026112301 is 3 behind 2026112304'

case_ "consistency: serial-lag thresholds are Nagios ranges"
run_json -H 127.0.2.1 "${Z[@]}" "${SITES[@]}" --serial-lag-warning 5 --serial-lag-critical 10
expect_rc 0
run_json -H 127.0.2.1 "${Z[@]}" "${SITES[@]}" --serial-lag-critical 2
expect_rc 2

case_ "consistency: against the hidden primary"
run_json "${Z[@]}" --site ams1=127.0.2.1 --site sto1=127.0.2.3 --primary 127.0.2.4
expect_rc 1
expect_jq '.subchecks[] | select(.name == "consistency") | .facts.reference_serial' 2026112305

case_ "consistency: RFC 1982 wrap-around (4294967290 is 11 behind 5)"
run_json "${Z[@]}" --site lhr1=127.0.2.5 --site fra1=127.0.2.6
expect_rc 1
expect_jq '.subchecks[] | select(.name == "consistency") | .subchecks[] | select(.name == "lhr1") | .facts.serial_lag' 11
expect_jq '.subchecks[] | select(.name == "consistency") | .facts.reference_serial' 5

case_ "sites: a site that does not answer is down; thresholds count sites"
run_json -H 127.0.2.1 "${Z[@]}" --site ams1=127.0.2.1 --site sto1=127.0.2.3 --site lhr1=$DOWN
expect_rc 1
expect_jq '.subchecks[] | select(.name == "sites") | .facts.sites_up' 2
expect_jq '.subchecks[] | select(.name == "sites") | .state' WARNING
run_json -H 127.0.2.1 "${Z[@]}" --site ams1=127.0.2.1 --site sto1=127.0.2.3 --site lhr1=$DOWN --down-critical 1
expect_rc 2
run_json -H 127.0.2.1 "${Z[@]}" --site ams1=127.0.2.1 --site sto1=127.0.2.3 --site lhr1=$DOWN --down-warning 2
expect_rc 0

case_ "sites: an address whose identity names another site is CRITICAL (wrong box)"
run_check "${Z[@]}" --site ams1=127.0.2.1 --site iad1=127.0.2.3 --serial-lag-warning 10
expect_rc 2
expect_grep 'leads to the wrong box'

case_ "sites file with an identity map that wins over the built-in rules"
cat >"$state_dir/sites" <<'SITES'
# code   addresses          location   identity map
edge7    127.0.2.1          loc=AMS    identity=ams1
iad1     127.0.2.2          loc=IAD
SITES
run_json -H 127.0.2.1 "${Z[@]}" --sites-file "$state_dir/sites" --expect-site edge7 --serial-lag-warning 10
expect_rc 0
expect_jq '.subchecks[0].facts.site' edge7
expect_jq '.subchecks[0].facts.site_rule' "sites file"

case_ "--site-regex with a named group"
run_json -H 127.0.2.2 "${Z[@]}" --site-regex '^(?<site>i..)' --expect-site iad
expect_rc 0
expect_jq '.subchecks[0].facts.site' iad

case_ "expect by location: a location code accepts the sites located there; a site code means that site"
run_json -H 127.0.2.1 "${Z[@]}" --expect-site ams
expect_rc 0
expect_jq '.subchecks[0].facts.location' AMS
run_json -H 127.0.2.1 "${Z[@]}" --expect-site "lhr, fra1"
expect_rc 1
run_check -H 127.0.2.1 "${Z[@]}" --expect-site "ams2 , lhr"
expect_rc 1
expect_grep "^ANYCAST SITE WARNING - catchment 127\.0\.2\.1: site ams1 is not expected \(ams2 , lhr\)"

case_ "unplaced: a location asked of a site with none is UNKNOWN, saying what to add"
run_check -H 127.0.2.10 "${Z[@]}" --expect-site fra
expect_rc 3
expect_grep "^ANYCAST SITE UNKNOWN - catchment 127\.0\.2\.10: cannot tell whether qfra3 is expected \(fra\).*add loc="
run_json -H 127.0.2.10 "${Z[@]}" --expect-site fra --unplaced-state warning
expect_rc 1
printf 'qfra3 loc=FRA\n' >"$state_dir/pch"
run_json -H 127.0.2.10 "${Z[@]}" --expect-site fra --sites-file "$state_dir/pch"
expect_rc 0
expect_jq '.subchecks[0].facts.site' qfra3
expect_jq '.subchecks[0].facts.location' FRA

case_ "an identity that maps to no listed site gets --unknown-site-state"
printf 'ams1 127.0.2.1 loc=AMS\niad1 127.0.2.2 loc=IAD\n' >"$state_dir/two"
run_check -H 127.0.2.3 "${Z[@]}" --sites-file "$state_dir/two" --serial-lag-warning 10
expect_rc 1
expect_grep "^ANYCAST SITE WARNING - catchment 127\.0\.2\.3: site sto1 is not in the sites list"
run_json -H 127.0.2.3 "${Z[@]}" --sites-file "$state_dir/two" --serial-lag-warning 10 --unknown-site-state critical
expect_rc 2

case_ "two sites answering with one identity are WARNING"
run_check "${Z[@]}" --site a1=127.0.2.7 --site b1=127.0.2.8
expect_rc 1
expect_grep '^ANYCAST SITE WARNING - sites a1 and b1 answer with one identity 0copied0'

case_ "an RTT below the physical floor for the claimed site (loopback, claimed AMS, vantage SYD)"
run_json -H 127.0.2.1 "${Z[@]}" --location SYD
expect_rc 1
expect_jq '.subchecks[0].facts.below_floor' true
expect_jq ".summary | test(\"^catchment 127.0.2.1: rtt .* ms is below the physical floor\")" true
run_json -H 127.0.2.1 "${Z[@]}" --location AMS
expect_rc 0

case_ "site_<code> perfdata counts the anycast addresses each site answered"
run_check -H 127.0.2.1 -H ::1 -H 127.0.2.3 "${Z[@]}"
expect_grep ' site_ams1=2;;;0 site_sto1=1;;;0'

case_ "an anycast address that serves no SOA for the zone is CRITICAL"
run_check -H 127.0.2.1 -p "$P" --zone not-served.test
expect_rc 2
expect_grep "^ANYCAST SITE CRITICAL - catchment 127\.0\.2\.1: serves no SOA for not-served.test"

case_ "state file: a change of site is reported, and flaps turn WARNING"
run_json -H 127.0.2.1 "${Z[@]}" --state-file "$state_dir/state"
expect_rc 0
# The same address now answers from another box, as after a routing change.
stop_server ams1
start_nsd ams1b 127.0.2.1 "$P" sto1 sto1 2026112304
run_json -H 127.0.2.1 "${Z[@]}" --state-file "$state_dir/state"
expect_rc 0
expect_jq '.subchecks[0].facts.previous_site' ams1
expect_jq '.subchecks[0].summary | test("changed since last run: ams1 -> sto1")' true
run_json -H 127.0.2.1 "${Z[@]}" --state-file "$state_dir/state" --flap-warning 1 --flap-window 600
expect_rc 1

case_ "state file: unwritable is UNKNOWN, or ignored with --state-optional"
run_check -H 127.0.2.1 "${Z[@]}" --state-file /proc/no-such-dir/state
expect_rc 3
expect_grep '^ANYCAST SITE UNKNOWN - state file'
run_check -H 127.0.2.1 "${Z[@]}" --state-file /proc/no-such-dir/state --state-optional
expect_rc 0

case_ "bad input is UNKNOWN naming the problem"
run_check "${Z[@]}" --sites-file /nonexistent
expect_rc 3
expect_grep 'sites file /nonexistent'
printf 'ams1 127.0.2.300\n' >"$state_dir/bad"
run_check "${Z[@]}" --sites-file "$state_dir/bad"
expect_rc 3
expect_grep 'line 1'
run_check -H 127.0.2.1 -p "$P"
expect_rc 3
expect_grep 'zone'

finish
