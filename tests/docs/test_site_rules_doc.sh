#!/usr/bin/env bash
# docs/site-rules.md's table of the shipped rules is what scripts/site-rules-table makes of
# data/site-rules.conf: a rule added, changed or removed without the docs fails here.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
doc=$repo/docs/site-rules.md
expected=$(mktemp)
actual=$(mktemp)
trap 'rm -f "$expected" "$actual"' EXIT
"$repo/scripts/site-rules-table" "$repo/data/site-rules.conf" >"$expected"
awk '/^<!-- END GENERATED -->$/ { on = 0 } on { print } /^<!-- BEGIN GENERATED: scripts\/site-rules-table -->$/ { on = 1 }' \
  "$doc" >"$actual"
if ! diff -u "$actual" "$expected"; then
  echo "FAIL: docs/site-rules.md is out of date: regenerate its table with scripts/site-rules-table" >&2
  exit 1
fi
rules=$(grep -c '^rule ' "$repo/data/site-rules.conf")
rows=$(grep -c '^| `' "$actual")
[[ "$rules" -eq "$rows" ]] || { echo "FAIL: $rules rules but $rows table rows" >&2; exit 1; }
echo "ok: $rows rules documented"
