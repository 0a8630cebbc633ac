#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Nagios 4 (Debian's nagios4-core): `nagios4 -v` validates icinga-templates/nagios/commands.cfg with
# its example services, and a real foreground run with the same commands against NSD/Unbound on
# loopback writes the expected current_state and plugin_output to status.dat.
# Owns 127.0.6.0/24 and ::1; its port is picked free (it_free_port).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=../integration/servers.sh
source "$repo/tests/integration/servers.sh"
# shellcheck source=../integration/assert.sh
source "$repo/tests/integration/assert.sh"

checks=${ANYCAST_CHECKS_DIR:-}
[[ -n "$checks" && -x "$checks/check_anycast_dns" ]] || it_skip "ANYCAST_CHECKS_DIR='$checks' has no checks"
nagios_dir=$repo/icinga-templates/nagios
it_require nagios4 nsd nsd-checkconf unbound unbound-checkconf drill setsid
it_traps
started=$SECONDS

it_free_port P
start_nsd cloud_v4 127.0.6.1 "$P" ams1 ams1 2024100101
start_nsd cloud_v6 ::1 "$P" ams1 ams1 2024100101
start_nsd unicast_iad1 127.0.6.12 "$P" iad1 iad1 2024100101
# An identity the rules place (AMS): with --location, an unplaced resolver would be UNKNOWN.
start_unbound resolver 127.0.6.3 "$P" ams-res1 ams-res1 127.0.6.1 "$P"

it_new_server_dir nagios
dir=$IT_NEW_DIR
mkdir -p "$dir/checkresults" "$dir/archives"
# What Nagios' sample configuration provides and the examples assume: 24x7 and an admins group.
cat >"$dir/support.cfg" <<'EOF'
define timeperiod {
    timeperiod_name 24x7
    alias           always
    sunday          00:00-24:00
    monday          00:00-24:00
    tuesday         00:00-24:00
    wednesday       00:00-24:00
    thursday        00:00-24:00
    friday          00:00-24:00
    saturday        00:00-24:00
}
define command {
    command_name    notify-nobody
    command_line    /bin/true
}
define contact {
    contact_name                    test
    host_notifications_enabled      0
    service_notifications_enabled   0
    host_notification_period        24x7
    service_notification_period     24x7
    host_notification_options       n
    service_notification_options    n
    host_notification_commands      notify-nobody
    service_notification_commands   notify-nobody
}
define contactgroup {
    contactgroup_name   admins
    members             test
}
EOF
# shellcheck disable=SC2016 # a Nagios macro
printf '$USER1$=%s\n' "$checks" >"$dir/resource.cfg"

# nagios_cfg FILE OBJECT_FILES...: a main config that keeps everything in $dir, checks at once
# (no spreading of the first checks), seconds as the interval unit and status every second.
nagios_cfg() {
  local file=$1 object_file
  shift
  {
    for object_file in "$@"; do echo "cfg_file=$object_file"; done
    cat <<EOF
resource_file=$dir/resource.cfg
log_file=$dir/nagios.log
log_archive_path=$dir/archives
object_cache_file=$dir/objects.cache
precached_object_file=$dir/objects.precache
status_file=$dir/status.dat
status_update_interval=1
state_retention_file=$dir/retention.dat
retain_state_information=0
use_retained_scheduling_info=0
lock_file=$dir/nagios.pid
temp_file=$dir/nagios.tmp
temp_path=$dir
check_result_path=$dir/checkresults
check_result_reaper_frequency=1
command_file=$dir/nagios.cmd
check_external_commands=0
query_socket=$dir/nagios.qh
nagios_user=$(id -un)
nagios_group=$(id -gn)
use_syslog=0
check_for_updates=0
enable_notifications=0
interval_length=1
service_inter_check_delay_method=n
host_inter_check_delay_method=n
max_service_check_spread=1
max_host_check_spread=1
service_check_timeout=30
EOF
    # Nagios' sample value; unset, nagios4 -v warns.
    printf '%s\n' 'illegal_macro_output_chars=`~$&|'"'"'"<>'
  } >"$file"
}

case_ "nagios4 -v: commands.cfg with the example services"
nagios_cfg "$dir/example.cfg" "$dir/support.cfg" "$nagios_dir/commands.cfg" "$nagios_dir/services.cfg"
CMD="nagios4 -v $dir/example.cfg"
RC=0
OUT=$(timeout 30 nagios4 -v "$dir/example.cfg" 2>&1) || RC=$?
expect_rc 0
expect_grep '^Total Errors: +0$'
expect_grep '^Total Warnings: +0$'

# The real run: the shipped commands, hosts of the test's own.
cat >"$dir/test-objects.cfg" <<EOF
define service {
    name                    fast
    check_period            24x7
    check_interval          2
    retry_interval          2
    max_check_attempts      1
    notification_period     24x7
    contact_groups          admins
    register                0
}
define host {
    host_name               anycast-ns
    address                 127.0.6.1
    _ADDRESS6               ::1
    _ZONE                   anycast.test
    _SITES_FILE             $dir/anycast.sites
    max_check_attempts      1
    check_period            24x7
    notification_period     24x7
    contact_groups          admins
}
define host {
    host_name               vantage-ams
    address                 127.0.0.1
    _LOCATION               AMS
    max_check_attempts      1
    check_period            24x7
    notification_period     24x7
    contact_groups          admins
}
define service {
    use                     fast
    host_name               anycast-ns
    service_description     anycast-dns-v4
    check_command           check_anycast_dns!-p $P -w 500ms
}
define service {
    use                     fast
    host_name               anycast-ns
    service_description     anycast-dns-v6
    check_command           check_anycast_dns_v6!-p $P
}
define service {
    use                     fast
    host_name               anycast-ns
    service_description     site-iad1
    check_command           check_anycast_dns_site!-H 127.0.6.12!iad1!-p $P
}
define service {
    use                     fast
    host_name               anycast-ns
    service_description     site-lhr1
    check_command           check_anycast_dns_site!-H 127.0.6.12!lhr1!-p $P
}
define service {
    use                     fast
    host_name               anycast-ns
    service_description     anycast-sites
    check_command           check_anycast_site!-p $P
}
define service {
    use                     fast
    host_name               vantage-ams
    service_description     resolver-locality
    check_command           check_resolver_locality!-H 127.0.6.3 -p $P -q anycast.test -T SOA
}
EOF
printf 'ams1 127.0.6.1\niad1 127.0.6.12\n' >"$dir/anycast.sites"
nagios_cfg "$dir/nagios.cfg" "$dir/support.cfg" "$nagios_dir/commands.cfg" "$dir/test-objects.cfg"

case_ "nagios4 -v: the test configuration"
CMD="nagios4 -v $dir/nagios.cfg"
RC=0
OUT=$(timeout 30 nagios4 -v "$dir/nagios.cfg" 2>&1) || RC=$?
expect_rc 0
expect_grep '^Total Errors: +0$'

case_ "a real nagios4 run writes the expected status"
it_spawn nagios4 "$dir" nagios4 "$dir/nagios.cfg"
# status_of SERVICE FIELD: from the servicestatus block of SERVICE in status.dat.
status_of() {
  awk -v svc="$1" -v field="$2" '
    /^servicestatus \{/ { in_block = 1; desc = ""; value = ""; next }
    in_block && /^[ \t]*}/ { if (desc == svc) { print value; exit } in_block = 0; next }
    in_block { line = $0; sub(/^[ \t]+/, "", line); eq = index(line, "=")
      key = substr(line, 1, eq - 1); val = substr(line, eq + 1)
      if (key == "service_description") desc = val
      if (key == field) value = val }' "$dir/status.dat" 2>/dev/null
}
services=(anycast-dns-v4 anycast-dns-v6 site-iad1 site-lhr1 anycast-sites resolver-locality)
deadline=$((SECONDS + 90))
while :; do
  missing=0
  for service in "${services[@]}"; do
    [[ "$(status_of "$service" has_been_checked)" == 1 ]] || missing=$((missing + 1))
  done
  ((missing == 0 || SECONDS >= deadline)) && break
  kill -0 -- "-${IT_SERVER_PGID[nagios4]}" 2>/dev/null || break
  sleep 0.5
done
echo "nagios4 results after $((SECONDS - started)) s"
((missing == 0)) || { tail -n 30 "$dir/nagios.log" "$dir/log" >&2 || true; it_fail "$missing service(s) never checked"; }
CMD="status.dat"
# expect_status SERVICE STATE OUTPUT_REGEX [PERFDATA_REGEX]
expect_status() {
  local state output perfdata
  state=$(status_of "$1" current_state)
  output=$(status_of "$1" plugin_output)
  perfdata=$(status_of "$1" performance_data)
  OUT="current_state=$state plugin_output=$output performance_data=$perfdata"
  if [[ "$state" == "$2" ]]; then it_pass; else it_fail "$1: current_state $state, expected $2"; fi
  if [[ "$output" =~ $3 ]]; then it_pass; else it_fail "$1: plugin_output does not match $3"; fi
  if [[ -n "${4:-}" ]]; then
    if [[ "$perfdata" =~ $4 ]]; then it_pass; else it_fail "$1: performance_data does not match $4"; fi
  fi
}
expect_status anycast-dns-v4 0 '^ANYCAST DNS OK - 1/1 address answered' "127\\.0\\.6\\.1_${P}_rtt=[0-9.e-]+s;0\\.5;;0"
expect_status anycast-dns-v6 0 '^ANYCAST DNS OK .*::1' "__1_${P}_rtt="
expect_status site-iad1 0 '^ANYCAST DNS OK - .*[(]iad1[)]'
expect_status site-lhr1 2 '^ANYCAST DNS CRITICAL - .*--expect-identity'
expect_status anycast-sites 0 '^ANYCAST SITE OK - catchment ams1.*2/2 sites up' 'sites_up=2'
expect_status resolver-locality 0 '^RESOLVER LOCALITY OK - 127\.0\.6\.3 answered' "^127\.0\.6\.3(_${P})?_rtt="

echo "nagios4_daemon took $((SECONDS - started)) s"
finish
