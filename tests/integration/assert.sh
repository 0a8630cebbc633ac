# shellcheck shell=bash
# Assertions for tests that run a check and look at its exit code, JSON and text: they live in the
# one shell library of the tests, tests/shell/lib.sh (run_check, run_json, expect_rc, expect_jq,
# expect_grep, expect_faster, expect_clean, sub, finish). Kept so that `source assert.sh` goes on
# working.
# shellcheck source=../shell/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell/lib.sh"
