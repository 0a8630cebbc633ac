#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# icinga-templates/anycast-checks.conf is what icinga-templates/generate makes from the built checks'
# --help: an option added, renamed or removed in a check without regenerating fails here.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=../integration/servers.sh
source "$repo/tests/integration/servers.sh" # it_skip only

checks=${ANYCAST_CHECKS_DIR:-}
[[ -n "$checks" && -x "$checks/check_anycast_dns" ]] || it_skip "ANYCAST_CHECKS_DIR='$checks' has no checks"
fresh=$(mktemp "${TMPDIR:-/tmp}/anycast-checks.conf.XXXXXX")
trap 'rm -f "$fresh"' EXIT
timeout 30 "$repo/icinga-templates/generate" "$checks" >"$fresh"
if ! diff -u "$repo/icinga-templates/anycast-checks.conf" "$fresh"; then
  echo "FAIL: icinga-templates/anycast-checks.conf is stale; regenerate it:" >&2
  echo "  icinga-templates/generate $checks > icinga-templates/anycast-checks.conf" >&2
  exit 1
fi
echo "PASS: anycast-checks.conf matches the checks' --help"
