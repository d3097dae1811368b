#!/usr/bin/env bash
# DockerServe.RestartRemovesOnlyItsOwnLeftovers — start-up reconcile, end to end:
# hotplexd serve (docker policy, default instance name = derived from its state dir)
# gets a session, i.e. a container; it is killed with SIGKILL, so the container is
# left behind, as after a crash. A container of another instance (another daemon
# on the same dockerd) also exists. The restarted daemon (same state dir) must
# remove its own leftover, say so, and leave the other instance's container alone.
#
#   docker_reconcile_e2e.sh HOTPLEXD_BINARY
set -euo pipefail
hotplexd="$1"
dir="$(mktemp -d /tmp/hotplex-docker-reconcile-XXXXXX)"
other="other-$$"
pid=""
instance=""
cleanup() {
  # Each step must run even when an earlier one fails (set -e applies in the trap too).
  if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; fi
  for label in "$instance" "$other"; do
    [ -n "$label" ] && docker ps -aq --filter "label=io.hotplex.instance=$label" | xargs -r docker rm -f >/dev/null
  done
  rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- hotplexd log" >&2; cat "$dir"/serve*.log >&2 || true; exit 1; }
count() { docker ps -aq --filter "label=io.hotplex.instance=$1" | grep -c . || true; }

# shellcheck source=serve_lib.sh
source "$(dirname "$0")/serve_lib.sh"
unset HOTPLEX_DOCKER_INSTANCE  # the test is about the derived instance name
start() { serve_start "$1"; }

docker info >/dev/null 2>&1 || fail "dockerd is not reachable (run scripts/docker-setup)"
mkdir -p "$dir/policies"
printf 'sandbox:\n  backend: docker\n  image: hotplex/sandbox-test\ntools:\n  allow: [Bash]\n' \
  >"$dir/policies/default.yaml"

start serve1.log
instance="$(sed -n 's/.*labelled io.hotplex.instance=\([^;]*\);.*/\1/p' "$dir/serve1.log")"
[[ "$instance" =~ ^hotplexd-[0-9a-f]{16}$ ]] || fail "no derived instance name in the log (got '$instance')"
auth="Authorization: Bearer $(cat "$dir/state/api-key")"
curl -fsS -H "$auth" -X POST "http://$api/v1/sessions" -d '{"provider":"claude-code"}' >/dev/null \
  || fail "create session"
for _ in $(seq 100); do
  [ "$(count "$instance")" = 1 ] && break
  sleep 0.1
done
[ "$(count "$instance")" = 1 ] || fail "expected the session's container (instance $instance)"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
pid=""
[ "$(count "$instance")" = 1 ] || fail "the killed daemon's container should still be there"

docker run -d --label "io.hotplex.managed=true" --label "io.hotplex.instance=$other" \
  --network none hotplex/sandbox-test sleep 300 >/dev/null || fail "docker run (other instance)"

start serve2.log
grep -q "labelled io.hotplex.instance=$instance; removed 1 left by an earlier run" "$dir/serve2.log" \
  || fail "the restart did not report removing 1 leftover of $instance"
[ "$(count "$instance")" = 0 ] || fail "leftover of $instance still there after the restart"
[ "$(count "$other")" = 1 ] || fail "the restart touched the container of another instance ($other)"
echo "PASS"
