#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Every long option of every check, as its --help lists it (the help is printed from the table that
# parses the options), must appear:
#   - in README.md, as --name;
#   - in the check's man page (help2man, BUILD/man/<check>.1), when the build made one (which checks
#     had none is printed: ANYCAST_MAN_PAGES=OFF or no help2man);
#   - in icinga-templates/anycast-checks.conf, inside that check's CheckCommand, as the "--name" key
#     or the "-X" key of its short form;
# except the whitelist below. Fails with the list of what is missing where.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=../shell/lib.sh
source "$repo/tests/shell/lib.sh"

# Not in the Icinga template on purpose (icinga-templates/generate): help and version check nothing,
# and Icinga reads the text format, so --output-format=json is for scripts.
TEMPLATE_WHITELIST="help version output-format"

checks_dir=${ANYCAST_CHECKS_DIR:-}
build_dir=${ANYCAST_BUILD_DIR:-$(dirname "$checks_dir")}
if [[ -z "$checks_dir" || ! -x "$checks_dir/check_anycast_dns" ]]; then
  it_skip "ANYCAST_CHECKS_DIR='$checks_dir' has no checks"
fi
readme=$repo/README.md
template=$repo/icinga-templates/anycast-checks.conf

missing=()
has_option() { # has_option FILE NAME: --NAME not followed by more of an option name
  grep -Eq -- "--$2([^a-z0-9-]|\$)" "$1"
}
checked=0
for binary in "$checks_dir"/check_*; do
  [[ -x "$binary" && -f "$binary" ]] || continue
  check=$(basename "$binary")
  command=${check#check_}
  help_rc=0
  help=$("$binary" --help) || help_rc=$?
  if [[ $help_rc -ne 3 ]]; then
    missing+=("$check: --help exited $help_rc, not 3")
    continue
  fi
  checked=$((checked + 1))
  # "  -X, --name=ARG" or "      --name=ARG": the option headings (see icinga-templates/generate).
  mapfile -t headings < <(grep -E '^  -[A-Za-z0-9](, --[a-z0-9-]+)?([= ][A-Z][^ ]*)?$|^      --[a-z0-9-]+(=[A-Z][^ ]*)?$' <<<"$help")

  man=""
  if [[ -f "$build_dir/man/$check.1" ]]; then
    man=$(mktemp)
    # roff writes - as \-.
    sed 's/\\-/-/g' "$build_dir/man/$check.1" >"$man"
  else
    echo "SKIP: no man page $build_dir/man/$check.1 (built with man pages off or without help2man?)"
  fi
  # This check's CheckCommand only.
  block=$(mktemp)
  awk -v c="object CheckCommand \"$command\" {" '$0 == c { on = 1 } on { print } on && /^}/ { exit }' \
    "$template" >"$block"
  [[ -s "$block" ]] || missing+=("$check: no CheckCommand \"$command\" in icinga-templates/anycast-checks.conf")

  for heading in "${headings[@]}"; do
    [[ "$heading" =~ --([a-z0-9-]+) ]] || continue
    name=${BASH_REMATCH[1]}
    short=""
    [[ "$heading" =~ ^\ \ -([A-Za-z0-9]) ]] && short=${BASH_REMATCH[1]}
    has_option "$readme" "$name" 2>/dev/null || missing+=("README.md: $check --$name")
    if [[ -n "$man" ]]; then
      has_option "$man" "$name" || missing+=("man page $check.1: --$name")
    fi
    if [[ " $TEMPLATE_WHITELIST " != *" $name "* && -s "$block" ]]; then
      grep -Fq "\"--$name\" = {" "$block" ||
        { [[ -n "$short" ]] && grep -Fq "\"-$short\" = {" "$block"; } ||
        missing+=("icinga-templates/anycast-checks.conf: $command has no argument for --$name${short:+ (-$short)}")
    fi
  done
  rm -f "$block" ${man:+"$man"}
done

if ((checked == 0)); then
  echo "FAIL: no check_* binaries in $checks_dir" >&2
  exit 1
fi
if ((${#missing[@]} > 0)); then
  echo "FAIL: ${#missing[@]} option(s) not documented:" >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 1
fi
echo "PASS: every option of $checked checks is in README.md, the man pages and the Icinga template"
