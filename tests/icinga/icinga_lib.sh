# shellcheck shell=bash source-path=SCRIPTDIR
# Real icinga2 daemons for tests/icinga, on 127.0.0.1, each in its own directory under the servers'
# temporary directory (tests/integration/servers.sh: own process group, watchdog, stop_all cleans up).
#
#   icinga_new NAME NODE_NAME ZONE API_PORT   # sets ICINGA_DIR[NAME]; write $dir/etc/icinga2.conf
#   icinga_validate NAME                      # icinga2 daemon -C; fails on any warning or error
#   icinga_start NAME                         # returns once the REST API answers
#   icinga_api NAME PATH                      # GET https://127.0.0.1:PORT/v1/PATH as the test user
#   icinga_wait_results NAME SECONDS SERVICE... # until each service has a last_check_result
#
# The REST API user is "anycast-test" with the password in ICINGA_API_PASSWORD; the config written by
# the test must define it (icinga_api_user prints the object).

#   icinga_test_begin TOOL...                 # the common start of each icinga2 test (below)

ICINGA_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../integration/servers.sh
source "$ICINGA_LIB_DIR/../integration/servers.sh"
# shellcheck source=../integration/assert.sh
source "$ICINGA_LIB_DIR/../integration/assert.sh"

ICINGA_API_PASSWORD="anycast-test-$$"
ICINGA_TEMPLATES=$(cd "$ICINGA_LIB_DIR/../../icinga-templates" && pwd)

# icinga_test_begin TOOL...: skips (fails in CI) unless ANYCAST_CHECKS_DIR holds the built checks and
# icinga2 and every TOOL are installed; then sets the clean-up traps and `started` (for the
# duration line at the end).
icinga_test_begin() {
  ANYCAST_CHECKS_DIR=${ANYCAST_CHECKS_DIR:-}
  [[ -n "$ANYCAST_CHECKS_DIR" && -x "$ANYCAST_CHECKS_DIR/check_anycast_dns" ]] ||
    it_skip "ANYCAST_CHECKS_DIR='$ANYCAST_CHECKS_DIR' has no checks"
  it_require icinga2 "$@"
  it_traps
  # shellcheck disable=SC2034 # read by the test that sourced this file
  started=$SECONDS
}
declare -A ICINGA_DIR=()
declare -A ICINGA_PORT=()

icinga_defines() {
  local dir=$1
  printf '%s\n' -DConfigDir="$dir/etc" -DDataDir="$dir/lib" -DLogDir="$dir/logs" \
    -DInitRunDir="$dir/run" -DCacheDir="$dir/cache" -DSpoolDir="$dir/spool" \
    -DRunAsUser="$(id -un)" -DRunAsGroup="$(id -gn)"
}

icinga_new() {
  local name=$1 node=$2 zone=$3 port=$4 dir
  it_workdir
  dir="$IT_SERVERS_DIR/$name"
  mkdir -p "$dir"/{etc,lib/certs,logs,run,cache,spool/tmp}
  ICINGA_DIR[$name]=$dir
  ICINGA_PORT[$name]=$port
  cat >"$dir/etc/base.conf" <<EOF
const PluginDir = "${ANYCAST_CHECKS_DIR}"
const NodeName = "${node}"
const ZoneName = "${zone}"
const TicketSalt = ""
include <itl>
include "${ICINGA_TEMPLATES}/anycast-checks.conf"

object CheckerComponent "checker" { }
object ApiListener "api" {
  bind_host = "127.0.0.1"
  bind_port = ${port}
  accept_config = true
  accept_commands = true
}
object ApiUser "anycast-test" {
  password = "${ICINGA_API_PASSWORD}"
  permissions = [ "objects/query/*", "status/query", "actions/reschedule-check" ]
}
EOF
}

# icinga_run NAME ARGS...: icinga2 with NAME's directories (pki, api setup), bounded.
icinga_run() {
  local name=$1 defines
  shift
  mapfile -t defines < <(icinga_defines "${ICINGA_DIR[$name]}")
  timeout 60 icinga2 "$@" "${defines[@]}"
}

icinga_validate() {
  local name=$1 dir=${ICINGA_DIR[$1]} defines rc=0
  mapfile -t defines < <(icinga_defines "$dir")
  timeout 60 icinga2 daemon -C -c "$dir/etc/icinga2.conf" "${defines[@]}" >"$dir/validate.log" 2>&1 || rc=$?
  if [[ $rc -ne 0 ]] || grep -Eq '(warning|critical)/' "$dir/validate.log"; then
    cat "$dir/validate.log" >&2
    it_fail "icinga2 daemon -C ($name): exit $rc or warnings"
    return 0
  fi
  it_pass
}

icinga_start() {
  local name=$1 dir=${ICINGA_DIR[$1]} defines i
  mapfile -t defines < <(icinga_defines "$dir")
  it_spawn "icinga_$name" "$dir" icinga2 daemon -c "$dir/etc/icinga2.conf" "${defines[@]}"
  for ((i = 0; i < 300; i++)); do
    if curl -ks --max-time 2 -u "anycast-test:$ICINGA_API_PASSWORD" \
      "https://127.0.0.1:${ICINGA_PORT[$name]}/v1/status/IcingaApplication" 2>/dev/null | grep -q '"results"'; then
      return 0
    fi
    kill -0 -- "-${IT_SERVER_PGID[icinga_$name]}" 2>/dev/null || break
    sleep 0.1
  done
  tail -n 40 "$dir/log" >&2
  it_skip "icinga2 ($name) did not answer on its API port ${ICINGA_PORT[$name]}"
}

icinga_api() {
  local name=$1 path=$2
  curl -ks --max-time 5 -u "anycast-test:$ICINGA_API_PASSWORD" "https://127.0.0.1:${ICINGA_PORT[$name]}/v1/$path"
}

icinga_api_post() {
  local name=$1 path=$2 body=$3
  curl -ks --max-time 5 -u "anycast-test:$ICINGA_API_PASSWORD" -H 'Accept: application/json' \
    -X POST -d "$body" "https://127.0.0.1:${ICINGA_PORT[$name]}/v1/$path"
}

# Services are named HOST!SERVICE. Prints the services' JSON array once all have a result.
icinga_wait_results() {
  local name=$1 seconds=$2 deadline json missing service asked=-10
  shift 2
  deadline=$((SECONDS + seconds))
  while :; do
    json=$(icinga_api "$name" 'objects/services?attrs=last_check_result&attrs=__name' || true)
    missing=()
    for service in "$@"; do
      jq -e --arg s "$service" '.results[] | select(.name == $s) | .attrs.last_check_result != null' \
        <<<"$json" >/dev/null 2>&1 || missing+=("$service")
    done
    [[ ${#missing[@]} -eq 0 ]] && break
    # The examples check every minute or more, and the first check after start-up falls anywhere in
    # that interval: ask for the missing ones now (as an operator would with "Check now").
    ((SECONDS - asked >= 3)) && asked=$SECONDS && for service in "${missing[@]}"; do
      icinga_api_post "$name" actions/reschedule-check \
        "{\"type\": \"Service\", \"filter\": \"service.__name == \\\"$service\\\"\", \"force\": true}" >/dev/null || true
    done
    if ((SECONDS >= deadline)); then
      it_fail "no check result within ${seconds}s for: ${missing[*]}"
      tail -n 30 "${ICINGA_DIR[$name]}/log" >&2
      break
    fi
    sleep 0.5
  done
  ICINGA_RESULTS=$json
}

# result_of SERVICE JQ: applies JQ to the service's last_check_result in ICINGA_RESULTS.
result_of() {
  jq -r --arg s "$1" ".results[] | select(.name == \$s) | .attrs.last_check_result | $2" <<<"$ICINGA_RESULTS"
}

# expect_result SERVICE DESCRIPTION JQ EXPECTED
expect_result() {
  local got
  got=$(result_of "$1" "$3" 2>&1 || true)
  if [[ "$got" == "$4" ]]; then
    it_pass
  else
    it_fail "$1: $2: expected '$4', got '$got'"
  fi
}

# Recording the API responses the unit tests judge (tests/unit/vantages/README.md).
#   icinga_vantages_query SERVICE...          # the body of check_anycast_vantages's one query
#   icinga_record_vantages FILE PORT SERVICE... # with ANYCAST_RECORD_DIR set: that query's raw response
#
# icinga_vantages_query: what lib/vantages/check.cpp (query_body) sends to /v1/objects/services:
# every row of the named services (the judged one, then its health and catchment services), each
# joined with its host; byte for byte the same (keys sorted, as nlohmann-json writes them; the unit
# test query_body_is_what_the_recordings_asked pins it). Keep the two in step.
icinga_vantages_query() {
  jq -cnS '{filter: "service.name in names", filter_vars: {names: $ARGS.positional},
    attrs: ["name", "host_name", "last_check_result", "check_interval", "downtime_depth"],
    joins: ["host.name", "host.state", "host.last_check_result", "host.downtime_depth"]}' --args "$@"
}

# icinga_record_vantages FILE PORT SERVICE...: when ANYCAST_RECORD_DIR is set, saves the body the
# check would get from the API on 127.0.0.1:PORT (the same POST with X-HTTP-Method-Override: GET, as
# the test user) to $ANYCAST_RECORD_DIR/FILE, byte for byte; does nothing otherwise. The request
# runs under ICINGA_RECORD_WRAPPER (e.g. ip netns exec NS) when the test sets that array.
declare -a ICINGA_RECORD_WRAPPER=()
icinga_record_vantages() {
  local file=$1 port=$2 body
  shift 2
  [[ -n ${ANYCAST_RECORD_DIR:-} ]] || return 0
  mkdir -p "$ANYCAST_RECORD_DIR"
  body=$(icinga_vantages_query "$@")
  if ${ICINGA_RECORD_WRAPPER[@]+"${ICINGA_RECORD_WRAPPER[@]}"} curl -ksf --max-time 5 \
    -u "anycast-test:$ICINGA_API_PASSWORD" -H 'Accept: application/json' -H 'Content-Type: application/json' \
    -H 'X-HTTP-Method-Override: GET' -X POST --data-binary "$body" \
    "https://127.0.0.1:$port/v1/objects/services" >"$ANYCAST_RECORD_DIR/$file.part" &&
    jq -e '.results | length > 0' "$ANYCAST_RECORD_DIR/$file.part" >/dev/null; then
    mv "$ANYCAST_RECORD_DIR/$file.part" "$ANYCAST_RECORD_DIR/$file"
    echo "recorded $ANYCAST_RECORD_DIR/$file ($*)"
  else
    it_fail "recording $file: no response with results from the API on port $port"
  fi
}
