#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Out of descriptors is the check's limit, never the servers' fault (issue 14.5). With 100
# descriptors inherited from the caller at `ulimit -n 256`, check_anycast_dns asks 500 loopback
# addresses on a port nothing listens on: every address must get its real answer (ICMP port
# unreachable, "nothing listens"), none "socket: Too many open files", because the engine sizes its
# parallelism from the descriptors actually free and queues the rest. The old engine derived 208
# sockets from the limit alone and blamed the missing ones on 347 of the 500 addresses.
# No server, no namespace: 127.77.0.0/16 on this host's loopback, one UDP port found free.
#
#   CHECK_ANYCAST_DNS=build/checks/check_anycast_dns tests/hardening/test_descriptors.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../shell/lib.sh
source "$here/../shell/lib.sh"
CHECK=${CHECK_ANYCAST_DNS:-}
it_require_executable check_anycast_dns "$CHECK"
it_require jq
trap it_cleanup EXIT
it_free_port PORT

hosts=()
for ((i = 0; i < 500; i++)); do
  hosts+=(-H "127.77.$((i / 250)).$((i % 250 + 1))")
done

case_ "500 addresses, ulimit -n 256, 100 descriptors inherited"
# shellcheck disable=SC2016 # expanded by the inner shell
command=(bash -c 'ulimit -n 256 && for ((fd = 20; fd < 120; fd++)); do eval "exec $fd</dev/null"; done && exec "$@"' \
  with-fds "$CHECK" "${hosts[@]}" -p "$PORT" -q anycast.test -T SOA -t 5 --output-format=json)
# shellcheck disable=SC2034 # CMD, OUT and RC are read by the assertions of lib.sh
CMD="${command[*]:0:8} ... (500 addresses) -p $PORT -q anycast.test -T SOA -t 5 --output-format=json"
set +e
OUT=$("${command[@]}" 2>&1)
# shellcheck disable=SC2034
RC=$?
set -e
expect_rc 2
expect_jq '.subchecks | length' 500
expect_jq '[.subchecks[] | select(.summary | test("Too many open files|not sent|not measured"))] | length' 0
expect_jq '[.subchecks[] | select(.summary == "port unreachable (nothing listens)")] | length' 500
finish
