#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# ShellCheck over every shell script of the repository: each tracked *.sh file and each tracked file
# whose first line is a sh/bash shebang (scripts/, .ci/run, bench/run, tests/lab/anycast-lab, the
# packaging scripts, ...). One assertion per script; the findings are printed. Run from the top of
# the tree, so `# shellcheck source=tests/...` directives and SCRIPTDIR-relative ones both resolve.
#
#   tests/shell/test_shellcheck.sh [FILE...]     # default: every shell script git knows of
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib.sh
source "$repo/tests/shell/lib.sh"
it_require shellcheck
cd "$repo"

# Shell scripts: by name, by `# shellcheck shell=` (sourced libraries) or by shebang.
is_shell() {
  local first
  [[ "$1" == *.sh ]] && return 0
  IFS= read -r first <"$1" 2>/dev/null || return 1
  [[ "$first" =~ ^#!.*[/\ ](ba)?sh([[:space:]]|$) ]]
}

scripts=()
if [[ $# -gt 0 ]]; then
  scripts=("$@")
else
  if git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
    mapfile -t files < <(git -C "$repo" ls-files)
  else
    mapfile -t files < <(find . -path ./build\* -prune -o -type f -print | sed 's|^\./||')
  fi
  for f in "${files[@]}"; do
    [[ -f "$f" ]] && is_shell "$f" && scripts+=("$f")
  done
fi
((${#scripts[@]} > 0)) || it_fatal "no shell scripts found in $repo"

for f in "${scripts[@]}"; do
  CMD="shellcheck -x -P SCRIPTDIR $f"
  if OUT=$(shellcheck -x -P SCRIPTDIR -f gcc "$f" 2>&1); then
    it_pass
  else
    RC=1
    case_ "$f"
    it_fail "shellcheck findings"
  fi
done
echo "shellcheck $(shellcheck --version | sed -n 's/^version: //p'): ${#scripts[@]} scripts"
finish
