# shellcheck shell=bash
# Assertions for integration tests that run a check and look at its exit code, JSON and text.
#
#   run_check  ARGS...     runs "$CHECK" ARGS (text output); sets RC, OUT, ELAPSED_MS, CMD
#   run_json   ARGS...     the same with --output-format=json (and checks OUT is one JSON object)
#                          (the raw output, NUL bytes included, is in $OUT_FILE)
#   expect_rc N            exit code
#   expect_jq FILTER WANT  jq -r FILTER on OUT prints exactly WANT
#   expect_grep REGEX      OUT has a line matching REGEX (grep -E)
#   expect_faster MS       the run took less than MS milliseconds (a miss is timed once more)
#   expect_clean           no raw control bytes, valid UTF-8, no fake perfdata (see below)
#   sub ADDR               jq expression for the subcheck of address ADDR
#   finish                 prints "N passed, N failed" and exits 1 on any failure
#
# Each failure prints the test case, what was expected, the command and its whole output, and the
# test goes on, so that one run shows every broken case.

PASSED=0
FAILED=0
CASE=""
RC=0
OUT=""
CMD=""
CMD_ARGV=() # the arguments of the last run_check, for expect_faster's second timing
ELAPSED_MS=0
OUT_FILE=""

# case_ NAME: names the following assertions in failure messages.
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
  CMD="$CHECK $*"
  CMD_ARGV=("$@")
  it_workdir
  OUT_FILE="$IT_SERVERS_DIR/check.out"
  start=$(it_now_ms)
  set +e
  "$CHECK" "$@" >"$OUT_FILE" 2>&1
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
    echo "FAIL [$CASE]: $*"
    echo "  command: $CMD"
    echo "  exit code: $RC, took ${ELAPSED_MS} ms; output:"
    while IFS= read -r line; do echo "    $line"; done <<<"$OUT"
  } >&2
}

it_pass() {
  PASSED=$((PASSED + 1))
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
    "$CHECK" "${CMD_ARGV[@]}" >"$IT_SERVERS_DIR/timing-retry.out" 2>&1 || true
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
