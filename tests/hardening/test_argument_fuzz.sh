#!/usr/bin/env bash
# Argument fuzzing: every check binary in CHECKS_DIR (check_*) runs with thousands of random and
# deliberately malformed argument vectors. Whatever the arguments, a check must exit 0-3 (never a
# signal, never hang), print its verdict on stdout and nothing on stderr; bad input must give
# UNKNOWN (exit 3) in exactly one line that names the option or word at fault.
#
#   CHECKS_DIR=build/checks tests/hardening/test_argument_fuzz.sh
#   ARGFUZZ_SEED=1 ARGFUZZ_VECTORS=1000 ARGFUZZ_SECONDS=120   (random vectors per check, time bound)
#
# Everything runs in a new, empty network namespace with only loopback up, so no generated host
# name or default resolver can send a packet off this machine. The option list of each check is
# read from its --help, so a new option is fuzzed without touching this file.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../shell/lib.sh
source "$here/../shell/lib.sh"

if [[ "${ARGFUZZ_IN_NETNS:-}" != 1 ]]; then
  command -v unshare >/dev/null 2>&1 || it_skip "unshare not found"
  unshare -n true 2>/dev/null || it_skip "cannot create a network namespace (needs root)"
  # shellcheck disable=SC2016 # expanded by the inner shell
  exec unshare -n env ARGFUZZ_IN_NETNS=1 bash -c 'ip link set lo up && exec "$0" "$@"' "$0" "$@"
fi

CHECKS_DIR=${CHECKS_DIR:-}
[[ -n "$CHECKS_DIR" && -d "$CHECKS_DIR" ]] || it_skip "CHECKS_DIR='$CHECKS_DIR' is not a directory"
it_require jq
RANDOM=${ARGFUZZ_SEED:-20240601} # deterministic: the same vectors on every run
VECTORS=${ARGFUZZ_VECTORS:-1000}
BUDGET_S=${ARGFUZZ_SECONDS:-150}
PER_RUN_S=5 # a check given -t 0.3 that is still running after this has hung

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
runs=0
started=$SECONDS

fail() {
  failures=$((failures + 1))
  if ((failures <= 25)); then
    {
      echo "FAIL: $1"
      printf '  command:'
      printf ' %q' "$check" "${args[@]}"
      printf '\n  exit code: %s; stdout:\n' "$rc"
      head -c 2000 "$work/out" | sed 's/^/    /'
      if [[ -s "$work/err" ]]; then
        echo "  stderr:"
        head -c 2000 "$work/err" | sed 's/^/    /'
      fi
    } >&2
  fi
}

# Runs "$check" "${args[@]}"; sets rc. Timeout and signals are failures by themselves.
run() {
  runs=$((runs + 1))
  set +e
  timeout -s KILL "$PER_RUN_S" "$check" "${args[@]}" >"$work/out" 2>"$work/err" </dev/null
  rc=$?
  set -e
  if ((rc == 137)); then
    fail "still running after ${PER_RUN_S} s (killed)"
  elif ((rc > 3)); then
    fail "exit code outside 0..3 (signal $((rc > 128 ? rc - 128 : 0)))"
  elif [[ -s "$work/err" ]]; then
    fail "wrote to stderr"
  elif [[ ! -s "$work/out" ]]; then
    fail "printed nothing"
  fi
}

state_of_rc() {
  case $1 in 0) echo OK ;; 1) echo WARNING ;; 2) echo CRITICAL ;; *) echo UNKNOWN ;; esac
}

# The verdict must agree with the exit code, in whichever format was printed.
check_verdict() {
  local first want
  want=$(state_of_rc "$rc")
  first=$(head -n1 "$work/out")
  if [[ "$first" == "{"* ]]; then
    if ! jq -e --argjson rc "$rc" --arg s "$want" '.exit_code == $rc and .state == $s' "$work/out" \
      >/dev/null 2>&1; then
      fail "JSON output is not one object with state $want and exit_code $rc"
    fi
  elif [[ ! "$first" =~ ^[A-Z][A-Z0-9\ ]*\ ${want}\ -\  ]]; then
    fail "first line does not start with 'LABEL $want - '"
  fi
}

# Bad input: UNKNOWN, exit 3, one line, and the line names what was wrong ($1, a fixed string).
expect_unknown_naming() {
  local culprit=$1
  run
  ((rc == 3)) || { fail "malformed input must give UNKNOWN (exit 3)"; return; }
  check_verdict
  if [[ $(wc -l <"$work/out") -ne 1 ]]; then
    fail "the error report must be exactly one line"
  elif ! grep -qF -- "$culprit" "$work/out"; then
    fail "the message does not name '$culprit'"
  fi
}

# Options of a check from its --help: "SHORT|LONG|ARG|REPEATABLE" per line.
read_options() {
  "$check" --help | awk '
    function flush() { if (long != "" || short != "") print short "|" long "|" arg "|" rep }
    /^  -[A-Za-z0-9], --|^      --[a-z]/ {
      flush(); short = ""; long = ""; arg = ""; rep = 0
      line = $0; sub(/^ +/, "", line)
      if (line ~ /^-[A-Za-z0-9], /) { short = substr(line, 2, 1); line = substr(line, 5) }
      sub(/^--/, "", line)
      if (index(line, "=") > 0) { arg = substr(line, index(line, "=") + 1); long = substr(line, 1, index(line, "=") - 1) }
      else { long = line }
      next
    }
    /Repeatable|May be repeated/ { rep = 1 }
    END { flush() }'
}

# A value that must be valid for an argument of this kind, or empty when we cannot know one.
good_value() {
  case $1 in
    HOST | ADDRESS) echo 127.0.0.1 ;;
    PORT) echo 53 ;;
    NAME) echo anycast.test ;;
    TYPE) echo SOA ;;
    CLASS) echo IN ;;
    BYTES) echo 1232 ;;
    N) echo 1 ;;
    'N[%]') echo 1 ;;
    DURATION | SECONDS) echo 0.3 ;;
    RCODE) echo NOERROR ;;
    RDATA) echo 192.0.2.1 ;;
    REGEX) echo x ;;
    RANGE) echo 1 ;;
    STAT) echo max ;;
    FORMAT) echo text ;;
    *) echo "" ;;
  esac
}

# Argument kinds with a strict syntax, so "x!y" can never be valid.
strict_kind() {
  case $1 in PORT | TYPE | CLASS | BYTES | N | 'N[%]' | DURATION | SECONDS | RCODE | RANGE | STAT | FORMAT | LIST) return 0 ;; esac
  return 1
}

long_a=$(printf 'A%.0s' {1..5000})
good_pool=(127.0.0.1 127.0.0.2 127.0.0.53 ::1 anycast.test SOA TXT A CH IN 1 0 5 10ms 0.2 50% 1:2 @1:2
  '~:3' json text nsid none NOERROR NXDOMAIN 1232 avg 0.1s 100us)
# shellcheck disable=SC2016,SC1003 # literal on purpose
bad_pool=('' ' ' -1 abc 1e9 99999999999999999999 nan inf 0x10 10:5 @ '~' : '%s%n%x' '$(id)' 'a|b'
  $'line\nbreak' $'\x01\x7f' $'\xff\xfe' "$long_a" - -- '=' /nonexistent/x /dev/null / ... $'\xf0\x9f\x99\x82'
  '127.0.0.1#53' '[::1]:53' localhost no-such-host.invalid 3601 0.0000001 -0 +1 1.5.5 '1,,2' ',' 'nsid,nsid'
  '\' '"' "'" '*' '(' '(?<site>' 'TYPE65535' 'CLASS0' 'RCODE4096' 65536)

for check in "$CHECKS_DIR"/check_*; do
  [[ -f "$check" && -x "$check" ]] || continue
  name=$(basename "$check")
  mapfile -t options < <(read_options)
  if ((${#options[@]} < 5)); then
    args=(--help)
    rc='?'
    fail "$name: could not read its options from --help"
    continue
  fi
  tokens=()
  for spec in "${options[@]}"; do
    IFS='|' read -r short long _ _ <<<"$spec"
    [[ -n "$short" ]] && tokens+=("-$short")
    [[ -n "$long" ]] && tokens+=("--$long")
  done
  check_runs_before=$runs

  # 1. Malformed on purpose: each must be UNKNOWN naming the culprit.
  args=(-t 0.3 --no-such-option) && expect_unknown_naming --no-such-option
  args=(-t 0.3 -H 127.0.0.1 stray-word) && expect_unknown_naming stray-word
  args=(-t 0.3 --output-format=json --no-such-option) && run && check_verdict
  ((rc == 3)) || fail "JSON error report must be UNKNOWN"
  for spec in "${options[@]}"; do
    IFS='|' read -r short long arg repeatable <<<"$spec"
    [[ -n "$long" ]] || continue
    case $long in help | version) continue ;; esac
    if [[ -n "$arg" ]]; then
      args=(-t 0.3 "--$long") && expect_unknown_naming "--$long" # value missing
      if strict_kind "$arg"; then
        args=(-t 0.3 "--$long=x!y") && expect_unknown_naming "--$long"
        args=(-t 0.3 "--$long" "$long_a") && expect_unknown_naming "--$long"
      fi
      value=$(good_value "$arg")
      if [[ "$repeatable" == 0 && -n "$value" && "$long" != timeout ]]; then
        args=(-t 0.3 "--$long=$value" "--$long=$value") && expect_unknown_naming "--$long"
      fi
    elif [[ "$long" != verbose ]]; then
      args=(-t 0.3 "--$long=1") && expect_unknown_naming "--$long"
      if [[ "$repeatable" == 0 ]]; then
        args=(-t 0.3 "--$long" "--$long") && expect_unknown_naming "--$long"
      fi
    fi
  done
  malformed=$((runs - check_runs_before))

  # 2. Random vectors from the check's own options and the value pools. -t 0.3 first bounds every
  #    run that gets as far as the network (loopback only, see above).
  for ((v = 0; v < VECTORS; v++)); do
    if ((SECONDS - started > BUDGET_S)); then
      echo "$name: time budget of ${BUDGET_S} s reached after $v random vectors" >&2
      break
    fi
    args=(-t 0.3)
    n=$((RANDOM % 8))
    for ((k = 0; k < n; k++)); do
      r=$((RANDOM % 100))
      if ((r < 55)); then
        token=${tokens[RANDOM % ${#tokens[@]}]}
        if ((RANDOM % 2)); then value=${good_pool[RANDOM % ${#good_pool[@]}]}; else value=${bad_pool[RANDOM % ${#bad_pool[@]}]}; fi
        case $((RANDOM % 4)) in
          0) args+=("$token") ;;
          1 | 2) args+=("$token" "$value") ;;
          3) if [[ "$token" == --* ]]; then args+=("$token=$value"); else args+=("$token$value"); fi ;;
        esac
      elif ((r < 75)); then
        args+=(-H "127.0.0.$((1 + RANDOM % 3))")
      elif ((r < 90)); then
        args+=("${bad_pool[RANDOM % ${#bad_pool[@]}]}")
      else
        args+=("${good_pool[RANDOM % ${#good_pool[@]}]}")
      fi
    done
    run
    # --help/--version print help text, which has no verdict line; getopt also finds them inside
    # a cluster of short options (-vh) or as an abbreviation (--he). Any word that may be one
    # skips the verdict check (a value that looks like one only loses that check).
    help=0
    for a in "${args[@]}"; do
      [[ "$a" =~ ^-[^-]*[hV] || "$a" == --h* || "$a" == --vers* ]] && help=1
    done
    ((help == 1 || rc > 3)) || check_verdict
  done
  echo "$name: $malformed malformed + $((runs - check_runs_before - malformed)) random vectors"
done

echo "argument fuzzing: $runs runs in $((SECONDS - started)) s, $failures failures"
((runs > 0)) || it_skip "no check_* executable in $CHECKS_DIR"
# The closing line of every shell test (tests/shell/lib.sh): each run is one assertion.
PASSED=$((runs - failures))
FAILED=$failures
finish
