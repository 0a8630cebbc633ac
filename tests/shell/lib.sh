# shellcheck shell=bash
# The one shell library of every shell test (integration, hardening, lab, icinga, packaging, docs).
# Source it (servers.sh, assert.sh, tests/lab/testlib.sh, tests/icinga/icinga_lib.sh and
# tests/packaging/lib.sh do), then:
#
#   it_skip "why"                 exit 77 (CTest: skipped), or 1 under CI=true: nothing passes silently
#   it_require TOOL...            it_skip naming each missing tool and the install-deps group
#   it_require_root "for what"    it_skip unless root
#   it_require_executable NAME PATH   it_skip unless PATH is an executable (a built check)
#   it_free_port VAR [COUNT]      VAR=a port (and COUNT-1 after it) no TCP/UDP socket uses, claimed
#                                 for this shell so two suites on one host never pick the same one
#   it_workdir                    $IT_SERVERS_DIR: this test's temporary directory
#   it_cleanup                    removes it and releases the ports (servers.sh's stop_all calls it)
#
# Assertions, one style: each failure is counted and printed (case, what was expected, the command,
# its exit code and whole output) and the test goes on; `finish` prints "N passed, N failed" and
# exits 1 on any failure. `it_fatal` is for a step after which nothing else can be tested.
#
#   case_ NAME                    names the following assertions
#   run_check ARGS...             runs "${IT_RUN_WITH[@]}" "$CHECK" ARGS; sets RC, OUT, ELAPSED_MS, CMD
#   run_json ARGS...              the same with --output-format=json; fails unless OUT is one object
#   expect_rc N | expect_jq FILTER WANT | expect_grep REGEX | expect_faster MS | expect_clean
#   expect_that DESCRIPTION COMMAND...   passes when COMMAND succeeds
#   sub ADDR                      jq expression for the subcheck of address ADDR
#   it_pass | it_ok WHAT | it_fail WHY | it_fatal WHY | finish

[[ -n "${ANYCAST_SHELL_LIB:-}" ]] && return 0
ANYCAST_SHELL_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# --- skip or fail --------------------------------------------------------------------------------

# A test that cannot run must say why and be reported as skipped (77, CTest SKIP_RETURN_CODE),
# except in CI, where a skipped test would hide a broken machine set-up.
it_skip() {
  echo "SKIP: $*" >&2
  if [[ "${CI:-}" == "true" ]]; then
    echo "CI=true: a test that cannot run is a failure" >&2
    exit 1
  fi
  exit 77
}

# Which install-deps group brings a tool, so that a skip says what to run.
it_install_hint() {
  case "$1" in
    icinga2 | curl | influx | influxd) echo "scripts/install-deps --with icinga" ;;
    nagios4) echo "scripts/install-deps --with nagios" ;;
    dpkg-buildpackage | lintian | rpmbuild | rpm | fakeroot) echo "scripts/install-deps --with packaging" ;;
    clang++) echo "scripts/install-deps --with fuzz" ;;
    valgrind) echo "scripts/install-deps --with valgrind" ;;
    shellcheck) echo "scripts/install-deps --with lint" ;;
    *) echo "scripts/install-deps" ;;
  esac
}

it_require() {
  local tool absent=()
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || absent+=("$tool")
  done
  ((${#absent[@]} == 0)) && return 0
  it_skip "not installed: ${absent[*]} (run: $(it_install_hint "${absent[0]}"))"
}

it_require_root() {
  [[ $(id -u) -eq 0 ]] || it_skip "needs root (${1:-network namespaces})"
}

it_require_executable() { # NAME PATH
  [[ -n "${2:-}" && -f "$2" && -x "$2" ]] || it_skip "$1='${2:-}' is not an executable (is it built?)"
}

# --- this test's files and ports -----------------------------------------------------------------

IT_SERVERS_DIR=${IT_SERVERS_DIR:-}
it_workdir() {
  if [[ -z "$IT_SERVERS_DIR" ]]; then
    IT_SERVERS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/anycast-it.XXXXXX")
  fi
}

# Claims live in one place for every suite on the host (not $TMPDIR, which a suite may change).
IT_PORT_CLAIMS_DIR=/tmp/anycast-port-claims
IT_PORT_MIN=${IT_PORT_MIN:-20000}
IT_PORT_MAX=${IT_PORT_MAX:-32000}
IT_CLAIMED_PORTS=()

# The local ports of every TCP and UDP socket on the host, listening or not, one a line.
it_ports_in_use() {
  ss -Htuan 2>/dev/null | awk '{ n = split($5, a, ":"); print a[n] }' | sort -un
}

# it_claim_port PORT: atomically takes PORT for this shell ($$); a claim whose owner died is taken over.
it_claim_port() {
  local port=$1 claim="$IT_PORT_CLAIMS_DIR/$1" owner
  mkdir -p "$IT_PORT_CLAIMS_DIR" 2>/dev/null && chmod 1777 "$IT_PORT_CLAIMS_DIR" 2>/dev/null
  if ! mkdir "$claim" 2>/dev/null; then
    owner=$(cat "$claim/pid" 2>/dev/null || true)
    [[ -n "$owner" ]] && kill -0 "$owner" 2>/dev/null && return 1
    [[ -z "$owner" && -n "$(find "$claim" -maxdepth 0 -mmin -1 2>/dev/null)" ]] && return 1 # being made
    rm -rf "$claim"
    mkdir "$claim" 2>/dev/null || return 1
  fi
  echo "$$" >"$claim/pid"
  IT_CLAIMED_PORTS+=("$port")
}

# it_free_port VAR [COUNT]: sets VAR (not echoed: a skip inside $(...) would not end the test).
# Ports come from IT_PORT_MIN..IT_PORT_MAX, below Linux's default ephemeral range (32768-60999), so
# no outgoing socket takes them between the choice and the server's bind.
it_free_port() {
  local var=$1 count=${2:-1} try port p used ok
  used=" $(it_ports_in_use | tr '\n' ' ') "
  for ((try = 0; try < 200; try++)); do
    port=$((IT_PORT_MIN + (RANDOM * 32768 + RANDOM) % (IT_PORT_MAX - IT_PORT_MIN - count)))
    ok=1
    for ((p = port; p < port + count; p++)); do
      [[ "$used" != *" $p "* ]] || { ok=0; break; }
    done
    ((ok)) || continue
    for ((p = port; p < port + count; p++)); do
      it_claim_port "$p" || { ok=0; break; }
    done
    if ((ok)); then
      printf -v "$var" '%s' "$port"
      return 0
    fi
  done
  it_skip "no $count free port(s) in $IT_PORT_MIN-$IT_PORT_MAX after 200 tries"
}

it_release_ports() {
  local port
  for port in "${IT_CLAIMED_PORTS[@]}"; do
    [[ "$(cat "$IT_PORT_CLAIMS_DIR/$port/pid" 2>/dev/null)" == "$$" ]] && rm -rf "${IT_PORT_CLAIMS_DIR:?}/$port"
  done
  IT_CLAIMED_PORTS=()
  rmdir "$IT_PORT_CLAIMS_DIR" 2>/dev/null || true
}

# it_cleanup: this test's files (IT_KEEP=1 keeps them for a post-mortem) and port claims.
it_cleanup() {
  if [[ -n "$IT_SERVERS_DIR" && -d "$IT_SERVERS_DIR" ]]; then
    if [[ "${IT_KEEP:-}" == "1" ]]; then
      echo "kept test files in $IT_SERVERS_DIR" >&2
    else
      rm -rf "$IT_SERVERS_DIR"
    fi
  fi
  it_release_ports
}

# --- running checks and asserting ----------------------------------------------------------------

PASSED=0
FAILED=0
CASE=""
RC=0
OUT=""
CMD=""
CMD_ARGV=() # the arguments of the last run_check, for expect_faster's second timing
IT_RUN_WITH=() # a prefix for every run, e.g. (in_node vp-ams) in the lab
ELAPSED_MS=0
OUT_FILE=""

case_() {
  CASE=$1
}

it_now_ms() {
  local t
  t=$(date +%s%N)
  echo $((t / 1000000))
}

run_check() {
  local start
  CMD="${IT_RUN_WITH[*]}${IT_RUN_WITH[*]:+ }$CHECK $*"
  CMD_ARGV=("$@")
  it_workdir
  OUT_FILE="$IT_SERVERS_DIR/check.out"
  start=$(it_now_ms)
  set +e
  "${IT_RUN_WITH[@]}" "$CHECK" "$@" >"$OUT_FILE" 2>&1
  RC=$?
  set -e
  ELAPSED_MS=$(($(it_now_ms) - start))
  # The raw bytes stay in OUT_FILE; bash variables cannot hold NUL.
  OUT=$(tr -d '\000' <"$OUT_FILE")
}

run_json() {
  run_check "$@" --output-format=json
  if ! jq -e 'type == "object"' <<<"$OUT" >/dev/null 2>&1; then
    it_fail "output is not one JSON object"
  fi
}

it_fail() {
  local line
  FAILED=$((FAILED + 1))
  {
    echo "FAIL${CASE:+ [$CASE]}: $*"
    if [[ -n "$CMD" ]]; then
      echo "  command: $CMD"
      echo "  exit code: $RC, took ${ELAPSED_MS} ms; output:"
      while IFS= read -r line; do echo "    $line"; done <<<"$OUT"
    fi
  } >&2
}

it_pass() {
  PASSED=$((PASSED + 1))
}

# it_ok WHAT: a passed assertion that says what it proved ("ok: WHAT").
it_ok() {
  it_pass
  echo "ok: $*"
}

# it_fatal WHY: a failure after which the rest of the test means nothing.
it_fatal() {
  it_fail "$@"
  finish
}

expect_rc() {
  if [[ "$RC" == "$1" ]]; then it_pass; else it_fail "exit code $1 expected"; fi
}

expect_jq() {
  local filter=$1 want=$2 got
  got=$(jq -r "$filter" <<<"$OUT" 2>&1) || true
  if [[ "$got" == "$want" ]]; then it_pass; else it_fail "jq '$filter' gave '$got', expected '$want'"; fi
}

expect_grep() {
  if grep -qE -- "$1" <<<"$OUT"; then it_pass; else it_fail "no line matches /$1/"; fi
}

expect_that() { # DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then it_pass; else it_fail "$what"; fi
}

# A run that misses the bound is timed once more, as in tests/hardening/test_timeouts.sh: one
# scheduling stall on a shared CI machine is not a bug (one run with -t 1 took 1175 ms there, with
# nothing else running), while a check that really overruns does so every time. The second run's
# output is thrown away: the assertions before and after look at the first. A test that times
# something it cannot repeat sets CMD_ARGV=() first, and gets one try.
expect_faster() {
  local bound=$1 first=$ELAPSED_MS start again
  if ((first < bound)); then
    it_pass
    return
  fi
  # Under valgrind (scripts/ci-valgrind) every run is slow and timing is not judged: no second run.
  if ((${#CMD_ARGV[@]} > 0)) && [[ "${IT_UNDER_VALGRIND:-0}" != 1 ]]; then
    start=$(it_now_ms)
    "${IT_RUN_WITH[@]}" "$CHECK" "${CMD_ARGV[@]}" >"$IT_SERVERS_DIR/timing-retry.out" 2>&1 || true
    again=$(($(it_now_ms) - start))
    if ((again < bound)); then
      echo "note [$CASE]: took $first ms (bound $bound ms), then $again ms when timed again" >&2
      it_pass
      return
    fi
    it_fail "took $first ms and then $again ms, expected < $bound ms"
    return
  fi
  it_fail "took $first ms, expected < $bound ms"
}

# expect_clean: the raw output holds no byte an attacker could use on a terminal, a log or a
# Nagios parser: no control byte but the line ends, valid UTF-8, and (text) exactly one '|', the
# perfdata separator, so no fake perfdata; in JSON no decoded string holds a control character.
expect_clean() {
  local controls pipes
  controls=$(tr -d '\n\040-\176\200-\377' <"$OUT_FILE" | wc -c)
  if ((controls == 0)); then it_pass; else it_fail "$controls raw control bytes in the output"; fi
  if iconv -f UTF-8 -t UTF-8 "$OUT_FILE" >/dev/null 2>&1; then it_pass; else it_fail "output is not valid UTF-8"; fi
  if jq -e . "$OUT_FILE" >/dev/null 2>&1; then
    expect_jq '[.. | strings | select(explode | any(. < 32 or . == 127))] | length' 0
  else
    pipes=$(tr -cd '|' <"$OUT_FILE" | wc -c)
    if ((pipes == 1)); then it_pass; else it_fail "$pipes '|' in the output, expected exactly 1"; fi
  fi
}

# The subcheck for one address, found by its facts rather than its name (names may carry "#port").
sub() {
  echo ".subchecks[] | select(.facts.address == \"$1\")"
}

finish() {
  echo "${PASSED} passed, ${FAILED} failed"
  if ((FAILED > 0)); then
    exit 1
  fi
  exit 0
}
