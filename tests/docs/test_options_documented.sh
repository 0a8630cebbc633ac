#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Each check's page, docs/checks/<check>.md, is the one place for its help, states, perfdata and
# examples (README.md links to it). This test keeps the pages, the man pages and the Icinga template
# in step with the code. Every long option of every check, as its --help lists it (the help is
# printed from the table that parses the options), must appear:
#   - in docs/checks/<check>.md, as --name, and the page's "## Options" block (between the
#     BEGIN/END --help markers) must be the check's --help, byte for byte;
#   - in the check's man page (help2man, BUILD/man/<check>.1), when the build made one (which checks
#     had none is printed: ANYCAST_MAN_PAGES=OFF or no help2man);
#   - in icinga-templates/anycast-checks.conf, inside that check's CheckCommand, as the "--name" key
#     or the "-X" key of its short form;
# except the whitelist below. Fails with the list of what is missing where.
#
#   ANYCAST_DOCS_UPDATE=1 ANYCAST_CHECKS_DIR=build/checks tests/docs/test_options_documented.sh
# rewrites each page's --help block from the built checks (adding the section when a page has none).
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
pages=$repo/docs/checks
HELP_BEGIN='<!-- BEGIN --help: generated from the check (ANYCAST_DOCS_UPDATE=1 tests/docs/test_options_documented.sh) -->'
HELP_END='<!-- END --help -->'

# help_block FILE: what stands between the markers, without the code fence.
help_block() {
  awk -v b="$HELP_BEGIN" -v e="$HELP_END" '$0 == e { on = 0 } on && !/^```$/ { print } $0 == b { on = 1 }' "$1"
}

# write_help_block FILE HELP: replaces the block, or appends an "## Options" section with it.
write_help_block() {
  local file=$1 help=$2 tmp
  tmp=$(mktemp)
  if grep -qxF -- "$HELP_BEGIN" "$file"; then
    awk -v b="$HELP_BEGIN" -v e="$HELP_END" -v hf="$3" '
      $0 == b { print; print "```"; while ((getline line < hf) > 0) print line; print "```"; skip = 1; next }
      $0 == e { skip = 0 }
      !skip { print }' "$file" >"$tmp"
  else
    { cat "$file"; printf '\n## Options\n\n%s\n```\n' "$HELP_BEGIN"; cat "$3"; printf '```\n%s\n' "$HELP_END"; } >"$tmp"
  fi
  cat "$tmp" >"$file"
  rm -f "$tmp"
}
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
  page=$pages/$check.md
  if [[ ! -f "$page" ]]; then
    missing+=("docs/checks/$check.md: no page for $check")
    continue
  fi
  help_file=$(mktemp)
  printf '%s\n' "$help" >"$help_file"
  if [[ "${ANYCAST_DOCS_UPDATE:-}" == 1 ]]; then
    write_help_block "$page" "$help" "$help_file"
    echo "updated the --help block of docs/checks/$check.md"
  fi
  if ! diff -u <(help_block "$page") "$help_file" >"$help_file.diff"; then
    missing+=("docs/checks/$check.md: its --help block is not the check's --help (fix: ANYCAST_DOCS_UPDATE=1 ANYCAST_CHECKS_DIR=$checks_dir $0); diff:
$(head -n 20 "$help_file.diff")")
  fi
  rm -f "$help_file" "$help_file.diff"
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
    has_option "$page" "$name" || missing+=("docs/checks/$check.md: --$name")
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
echo "PASS: every option of $checked checks is on its page (docs/checks), in the man pages and the Icinga template"
