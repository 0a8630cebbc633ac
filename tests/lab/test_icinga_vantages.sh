#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# The founding story, end to end on Icinga 2 (issue 17): a real icinga2 master in a namespace of its
# own and a real icinga2 satellite inside each vantage namespace of the lab, so each satellite's
# checks (command_endpoint) see that vantage point's own catchment and resolver. The test drives the
# lab's scenario verbs and reads every result back from the master's REST API:
#   steady state          every per-vantage service OK; check_anycast_vantages OK, each site 1 vantage
#   far resolver (vp-ams) only vp-ams's resolver-locality fails, and the vantage check names vp-ams
#   site down (ams1)      ams1 withdrawn by its health checker, BGP moves vp-ams to iad1; the vantage
#                         check names vp-ams and "no vantage point reaches ams1"
#   satellite stopped     vp-sin is left out (host DOWN, cluster-zone), not counted as an outage
# Management network (not part of the lab's routing): a veth from the master's namespace
# (${ANYCAST_LAB_PREFIX}icinga, removed by `anycast-lab down` with the lab) to each vantage
# namespace, 198.18.0.(4i+1)/30 on the master's side, .(4i+2) on the vantage point's.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/testlib.sh"
ANYCAST_CHECKS_DIR=${ANYCAST_CHECKS_DIR:-$(dirname "${CHECK_ANYCAST_DNS:-/nonexistent/x}")}
for check in check_anycast_site check_resolver_locality check_anycast_vantages; do
    lab_require_check "$ANYCAST_CHECKS_DIR/$check"
done
lab_require icinga2 curl jq setsid
# shellcheck source=../icinga/icinga_lib.sh
source "$here/../icinga/icinga_lib.sh"
started=$SECONDS

# Both clean-ups, whichever way the test ends: the daemons (stop_all), then the lab (lab_finish,
# which keeps the exit code and removes the master's namespace with the lab's).
# shellcheck disable=SC2317 # run by the EXIT trap
on_exit() {
    local rc=$?
    stop_all
    (exit "$rc")
    lab_finish
}
lab_up
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

MASTER_NS=${LAB_PREFIX}icinga
ICINGA_RECORD_WRAPPER=(ip netns exec "$MASTER_NS") # ANYCAST_RECORD_DIR: icinga_record_vantages below
ip netns add "$MASTER_NS" || fail "ip netns add $MASTER_NS"
ip -n "$MASTER_NS" link set lo up
declare -A MGMT
i=0
for vp in $LAB_VANTAGES; do
    i=$((i + 1))
    ns=$(lab_var "$(lab_key "$vp")_NS")
    ip link add "m-$vp" netns "$MASTER_NS" type veth peer name mgmt0 netns "$ns" || fail "veth to $vp"
    ip -n "$MASTER_NS" addr add "198.18.0.$((4 * i + 1))/30" dev "m-$vp"
    ip -n "$MASTER_NS" link set "m-$vp" up
    ip -n "$ns" addr add "198.18.0.$((4 * i + 2))/30" dev mgmt0
    ip -n "$ns" link set mgmt0 up
    MGMT[$vp]=198.18.0.$((4 * i + 2))
done
echo "master namespace and management links after $((SECONDS - started)) s"

# ------------------------------------------------------------------ certificates and configs
icinga_new master master.lab master 5665
master=${ICINGA_DIR[master]}
zones='object Endpoint "master.lab" { }
object Zone "master" { endpoints = [ "master.lab" ] }'
for vp in $LAB_VANTAGES; do
    icinga_new "$vp" "$vp" "$vp" 5665
    zones+="
object Endpoint \"$vp\" { host = \"${MGMT[$vp]}\"; port = 5665 }
object Zone \"$vp\" { endpoints = [ \"$vp\" ]; parent = \"master\" }"
done
{
    icinga_run master pki new-ca
    for node in master $LAB_VANTAGES; do
        cn=$([[ $node == master ]] && echo master.lab || echo "$node")
        certs=${ICINGA_DIR[$node]}/lib/certs
        icinga_run master pki new-cert --cn "$cn" --key "$certs/$cn.key" --csr "$certs/$cn.csr"
        icinga_run master pki sign-csr --csr "$certs/$cn.csr" --cert "$certs/$cn.crt"
        cp "$master/lib/ca/ca.crt" "$certs/ca.crt"
    done
} >"$master/pki.log" 2>&1 || fail "icinga2 pki: $(tail -5 "$master/pki.log")"
for node in master $LAB_VANTAGES; do
    # Inside a namespace every node has the whole address space to itself: listen on all of it.
    sed -i 's/bind_host = "127.0.0.1"/bind_host = "0.0.0.0"/' "${ICINGA_DIR[$node]}/etc/base.conf"
done
for vp in $LAB_VANTAGES; do
    printf 'include "base.conf"\n%s\n' "$zones" >"${ICINGA_DIR[$vp]}/etc/icinga2.conf"
done
printf '%s\n' "$ICINGA_API_PASSWORD" >"$master/api-password"
cat >"$master/etc/icinga2.conf" <<EOF
include "base.conf"
${zones}

/* The vantage points: each host is its satellite's zone, UP while cluster-zone sees it connected. */
template Host "vantage" {
  zone = "master"
  check_command = "cluster-zone"
  check_interval = 2s
  retry_interval = 2s
  max_check_attempts = 1
}
object Host "vp-ams" { import "vantage"; vars.location = "AMS"; vars.site = "ams1" }
object Host "vp-iad" { import "vantage"; vars.location = "IAD"; vars.site = "iad1" }
object Host "vp-sin" { import "vantage"; vars.location = "SIN"; vars.site = "sin1" }

/* Run by each satellite in its own namespace; the test asks for every result (reschedule-check). */
template Service "on-vantage" {
  zone = "master"
  command_endpoint = host.name
  check_interval = 10m
  retry_interval = 10m
  max_check_attempts = 1
}
apply Service "anycast-catchment" {
  import "on-vantage"
  check_command = "anycast_site"
  vars.anycast_site_hostname = [ "${LAB_ANYCAST4}", "${LAB_ANYCAST6}" ]
  vars.anycast_site_zone = "${LAB_ZONE}"
  vars.anycast_site_expect_site = host.vars.site
  vars.anycast_site_timeout = "3s"
  assign where host.vars.site
}
apply Service "resolver-locality" {
  import "on-vantage"
  check_command = "resolver_locality"       /* --location: the host's vars.location */
  vars.resolver_locality_query = "${LAB_ZONE}"
  vars.resolver_locality_type = "SOA"
  vars.resolver_locality_timeout = "3s"
  assign where host.vars.site
}

/* On the master: the view across vantage points. */
object Host "anycast.test" { zone = "master"; check_command = "dummy" }
template Service "across-vantages" {
  zone = "master"
  host_name = "anycast.test"
  check_command = "anycast_vantages"
  check_interval = 10m
  max_check_attempts = 1
  vars.anycast_vantages_api = "https://127.0.0.1:5665"
  vars.anycast_vantages_api_cert_name = NodeName
  vars.anycast_vantages_ca_file = "${master}/lib/certs/ca.crt"
  vars.anycast_vantages_api_user = "anycast-test"
  vars.anycast_vantages_api_password_file = "${master}/api-password"
  vars.anycast_vantages_site = [ "ams1", "iad1", "sin1" ]
  vars.anycast_vantages_timeout = "5s"
}
object Service "vantages anycast-catchment" {
  import "across-vantages"
  vars.anycast_vantages_service = "anycast-catchment"
}
object Service "vantages resolver-locality" {
  import "across-vantages"
  vars.anycast_vantages_service = "resolver-locality"
  vars.anycast_vantages_catchment_service = "anycast-catchment"
}
EOF
for node in master $LAB_VANTAGES; do
    case_ "config of $node validates"
    icinga_validate "$node"
done
((FAILED == 0)) || fail "icinga2 configs do not validate"

# ------------------------------------------------------------------ daemons
node_ns() { if [[ $1 == master ]]; then echo "$MASTER_NS"; else lab_var "$(lab_key "$1")_NS"; fi; }
start_node() {
    local node=$1 dir=${ICINGA_DIR[$1]} defines
    mapfile -t defines < <(icinga_defines "$dir")
    it_spawn "icinga_$node" "$dir" ip netns exec "$(node_ns "$node")" icinga2 daemon -c "$dir/etc/icinga2.conf" "${defines[@]}"
}
# The master's API, from inside its namespace.
mapi() { # PATH [BODY]
    if (($# == 2)); then
        ip netns exec "$MASTER_NS" curl -ks --max-time 5 -u "anycast-test:$ICINGA_API_PASSWORD" \
            -H 'Accept: application/json' -X POST -d "$2" "https://127.0.0.1:5665/v1/$1"
    else
        ip netns exec "$MASTER_NS" curl -ks --max-time 5 -u "anycast-test:$ICINGA_API_PASSWORD" "https://127.0.0.1:5665/v1/$1"
    fi
}
for vp in $LAB_VANTAGES; do start_node "$vp"; done
start_node master
for ((i = 0; i < 600; i++)); do
    connected=$(mapi 'objects/endpoints?attrs=connected&attrs=__name' 2>/dev/null |
        jq -r '[.results[] | select(.attrs.connected and .name != "master.lab")] | length' 2>/dev/null || echo 0)
    [[ $connected == 3 ]] && break
    kill -0 -- "-${IT_SERVER_PGID[icinga_master]}" 2>/dev/null || break
    sleep 0.2
done
[[ ${connected:-0} == 3 ]] || { tail -n 20 "$master/log" >&2; fail "satellites connected to the master: ${connected:-0}/3"; }
echo "master and 3 satellites connected after $((SECONDS - started)) s"
# Each vantage host UP by its cluster-zone check (asked for, as with "Check now", so that no test
# waits for the scheduler's first pick).
for ((i = 0; i < 150; i++)); do
    up=$(mapi 'objects/hosts?attrs=state&attrs=last_check_result&attrs=__name' 2>/dev/null |
        jq -r '[.results[] | select(.name | startswith("vp-")) | select(.attrs.state == 0 and .attrs.last_check_result != null)] | length' 2>/dev/null || echo 0)
    [[ $up == 3 ]] && break
    ((i % 10 == 0)) && mapi actions/reschedule-check '{"type": "Host", "filter": "match(\"vp-*\", host.name)", "force": true}' >/dev/null
    sleep 0.2
done
[[ ${up:-0} == 3 ]] || fail "vantage hosts UP by cluster-zone: ${up:-0}/3: $(mapi 'objects/hosts?attrs=state&attrs=last_check_result' | jq -c '[.results[] | {name, state: .attrs.state, output: .attrs.last_check_result.output}]')"

# refresh SOURCE SERVICE...: forces a check of each HOST!SERVICE and waits (bounded) until each has a
# result made after now by SOURCE (a satellite's name, or "self": the host itself for per-vantage
# services, master.lab for the others). Leaves the services' JSON in RESULTS.
RESULTS=""
refresh() {
    local t0 service host name filter missing deadline=$((SECONDS + 60))
    t0=$(date +%s.%N)
    for service in "$@"; do
        host=${service%%!*} name=${service#*!}
        filter="host.name == \\\"$host\\\" && service.name == \\\"$name\\\""
        mapi actions/reschedule-check "{\"type\": \"Service\", \"filter\": \"$filter\", \"force\": true}" >/dev/null
    done
    while :; do
        RESULTS=$(mapi 'objects/services?attrs=last_check_result&attrs=__name' 2>/dev/null || true)
        missing=()
        for service in "$@"; do
            host=${service%%!*}
            source_want=$([[ $host == anycast.test ]] && echo master.lab || echo "$host")
            jq -e --arg s "$service" --arg src "$source_want" --argjson t0 "$t0" \
                '.results[] | select(.name == $s) | .attrs.last_check_result
                 | .execution_end > $t0 and .check_source == $src' <<<"$RESULTS" >/dev/null 2>&1 || missing+=("$service")
        done
        ((${#missing[@]} == 0)) && return 0
        ((SECONDS < deadline)) || fail "no fresh result within 60 s for: ${missing[*]}"
        sleep 0.2
    done
}
result() { # SERVICE JQ
    jq -r --arg s "$1" ".results[] | select(.name == \$s) | .attrs.last_check_result | $2" <<<"$RESULTS"
}
expect_result() { # SERVICE DESCRIPTION JQ-TEST
    if [[ $(result "$1" "$3" 2>&1) == true ]]; then
        pass "$1: $2"
    else
        fail "$1: $2: exit $(result "$1" .exit_status), output: $(result "$1" .output), perfdata: $(result "$1" '.performance_data | join(" ")')"
    fi
}
per_vantage=()
for vp in $LAB_VANTAGES; do per_vantage+=("$vp!anycast-catchment" "$vp!resolver-locality"); done
across=("anycast.test!vantages anycast-catchment" "anycast.test!vantages resolver-locality")
# What the master shows: the whole output (long output included) and the perfdata, for the docs page.
show() {
    echo "--- $1 (exit $(result "$1" .exit_status)):"
    result "$1" '.output + " | " + (.performance_data | join(" "))' | sed 's/^/    /'
}

echo "== steady state"
refresh "${per_vantage[@]}"
refresh "${across[@]}"
icinga_record_vantages lab-steady.json 5665 resolver-locality anycast-catchment
for service in "${per_vantage[@]}"; do
    expect_result "$service" "OK, run by its own satellite" '.exit_status == 0'
done
for vp in $LAB_VANTAGES; do
    site=$(lab_var "$(lab_key "$vp")_NEAREST_SITE")
    expect_result "$vp!anycast-catchment" "perfdata site_$site=2" "[.performance_data[] | select(startswith(\"site_\"))] == [\"site_$site=2;;;0\"]"
done
service="anycast.test!vantages anycast-catchment"
show "$service"
expect_result "$service" "OK: 3/3, one vantage point per site" \
    '.exit_status == 0 and (.output | startswith("ANYCAST VANTAGES OK - 3/3 vantage points OK; catchment ams1 1, iad1 1, sin1 1"))'
expect_result "$service" "perfdata: totals and per site" \
    '[.performance_data[] | select(test("^(vantages_|site_)"))] == ["vantages_total=3;;;0", "vantages_counted=3;;;0;3",
      "vantages_failing=0;;;0;3", "vantages_excluded=0;;;0;3", "site_ams1=1;;;0;3", "site_iad1=1;;;0;3", "site_sin1=1;;;0;3"]'
expect_result "anycast.test!vantages resolver-locality" "OK: 3/3" '.exit_status == 0'

echo "== far resolver: vp-ams behind iad-res1"
"$LAB" resolver vp-ams iad-res1 >/dev/null || fail "resolver vp-ams iad-res1"
refresh "${per_vantage[@]}"
refresh "${across[@]}"
icinga_record_vantages lab-far-resolver.json 5665 resolver-locality anycast-catchment
expect_result "vp-ams!resolver-locality" "CRITICAL at vp-ams" '.exit_status == 2'
for service in "${per_vantage[@]}"; do
    [[ $service == "vp-ams!resolver-locality" ]] && continue
    expect_result "$service" "still OK (the far resolver shows only at vp-ams)" '.exit_status == 0'
done
service="anycast.test!vantages resolver-locality"
show "$service"
expect_result "$service" "names vp-ams and why" \
    '.exit_status == 2 and (.output | test("^ANYCAST VANTAGES CRITICAL - 1/3 vantage points failing: vp-ams CRITICAL \\(.*iad"))'
expect_result "anycast.test!vantages anycast-catchment" "catchment unchanged, OK" '.exit_status == 0'
"$LAB" resolver vp-ams "$LAB_VP_AMS_NEAREST_RESOLVER" >/dev/null || fail "resolver vp-ams back"

echo "== site down: ams1 withdrawn"
# ams1's server stops, its health checker withdraws the announcement, and BGP moves vp-ams to its next
# site (iad1, the shorter AS path); the test waits for that by watching vp-ams's transit, as
# test_bgp_scenarios.sh does, and moves nothing itself.
"$LAB" site-down ams1 --withdraw || fail "site-down ams1 --withdraw"
"$LAB" await vp-ams iad1 || fail "vp-ams did not move to iad1"
refresh "${per_vantage[@]}"
refresh "${across[@]}"
icinga_record_vantages lab-site-down.json 5665 resolver-locality anycast-catchment
expect_result "vp-ams!anycast-catchment" "vp-ams WARNING: iad1 is not its expected site" \
    '.exit_status == 1 and ([.performance_data[] | select(startswith("site_"))] == ["site_iad1=2;;;0"])'
service="anycast.test!vantages anycast-catchment"
show "$service"
expect_result "$service" "names vp-ams's move (iad1, not ams1), iad1 now serves 2, no vantage point reaches ams1" \
    '(.output | test("vantage points failing: vp-ams WARNING \\(.*site iad1 is not expected \\(ams1\\)")) and (.output | test("catchment iad1 2, sin1 1"))
     and (.output | test("no vantage point reaches ams1"))
     and ([.performance_data[] | select(startswith("site_"))] == ["site_ams1=0;;;0;3", "site_iad1=2;;;0;3", "site_sin1=1;;;0;3"])'
"$LAB" site-up ams1 || fail "site-up ams1"
"$LAB" await vp-ams ams1 || fail "vp-ams did not come back to ams1"
refresh "vp-ams!anycast-catchment"
refresh "${across[0]}"
expect_result "${across[0]}" "restored: OK" '.exit_status == 0'

echo "== satellite stopped: vp-sin"
stop_server icinga_vp-sin
for ((i = 0; i < 300; i++)); do
    mapi 'objects/hosts?attrs=state&attrs=__name' | jq -e '.results[] | select(.name == "vp-sin") | .attrs.state == 1' \
        >/dev/null 2>&1 && break
    sleep 0.2
done
refresh "${across[@]}"
icinga_record_vantages lab-satellite-stopped.json 5665 resolver-locality anycast-catchment
service="anycast.test!vantages anycast-catchment"
show "$service"
expect_result "$service" "OK: 2/2 counted, vp-sin left out (its own problem), not an outage" \
    '.exit_status == 0 and (.output | test("^ANYCAST VANTAGES OK - 2/2 vantage points OK; left out 1/3: vp-sin \\(host DOWN: "))
     and ([.performance_data[] | select(startswith("vantages_excluded"))] == ["vantages_excluded=1;;;0;3"])'

echo "icinga vantages lab test took $((SECONDS - started)) s"
finish
