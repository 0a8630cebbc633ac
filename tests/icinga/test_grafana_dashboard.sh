#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# icinga-templates/grafana/anycast.json, structurally: valid JSON, every panel queries InfluxDB with
# what Icinga 2's InfluxdbWriter writes (measurement = check command name, tags hostname/service/metric,
# field value), and every CheckCommand of anycast-checks.conf has a panel. (test_icinga2_influxdb.sh runs
# the dashboard's queries against a real InfluxDB fed by Icinga.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=../integration/servers.sh
source "$repo/tests/integration/servers.sh" # it_skip, it_require
it_require jq

dashboard=$repo/icinga-templates/grafana/anycast.json
failures=0
check() { # check DESCRIPTION JQ_FILTER: the filter must print true
  local result
  result=$(jq -r "$2" "$dashboard" 2>&1) || result="jq error: $result"
  if [[ "$result" == "true" ]]; then
    echo "PASS: $1"
  else
    echo "FAIL: $1 (got: $result)" >&2
    failures=$((failures + 1))
  fi
}

jq empty "$dashboard" || { echo "FAIL: $dashboard is not valid JSON" >&2; exit 1; }
check "has a title and uid" '(.title | length > 0) and (.uid | length > 0)'
check "has panels" '(.panels | length) > 0'
check "panel ids are unique" '[.panels[].id] | length == (unique | length)'
check "every panel has a type, gridPos and at least one target" \
  '[.panels[] | (.type | length > 0) and (.gridPos | has("h") and has("w") and has("x") and has("y"))
    and (.targets | length > 0)] | all'
check "every target is a raw InfluxQL query on field value" \
  '[.panels[].targets[] | .rawQuery == true and (.query | test("^SELECT [a-z]+\\(\"value\"\\) FROM "))] | all'
check "every target reads a measurement named after a CheckCommand" \
  '[.panels[].targets[].query | test("FROM \"(anycast_dns|anycast_site|resolver_locality|anycast_vantages)\"")] | all'
check "every target selects perfdata by the metric tag and groups by hostname" \
  '[.panels[].targets[].query | test("\"metric\" =~ /") and test("GROUP BY .*\"hostname\"")] | all'
# shellcheck disable=SC2016 # a Grafana macro, not a shell one
check "every target is bounded by the dashboard time range" \
  '[.panels[].targets[].query | contains("$timeFilter")] | all'

# Every CheckCommand the templates define has at least one panel.
commands=$(sed -n 's/^object CheckCommand "\([a-z_]*\)".*/\1/p' "$repo/icinga-templates/anycast-checks.conf")
[[ -n "$commands" ]] || { echo "FAIL: no CheckCommand found in anycast-checks.conf" >&2; exit 1; }
for command in $commands; do
  check "a panel for CheckCommand $command" \
    "[.panels[].targets[].query | contains(\"FROM \\\"$command\\\"\")] | any"
done

if ((failures > 0)); then
  echo "$failures failure(s)" >&2
  exit 1
fi
