#!/usr/bin/env bash
# DockerServe.SessionRunsInItsOwnContainer — see CMakeLists.txt. Fails with a
# message naming the step; needs dockerd and hotplex/sandbox-test (scripts/docker-setup).
set -euo pipefail
hotplexd="$1"
dir="$(mktemp -d /tmp/hotplex-docker-e2e-XXXXXX)"
instance="e2e-$$"
pid=""
cleanup() {
  # Each step must run even when an earlier one fails (set -e applies in the trap too).
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; fi
  docker ps -aq --filter "label=io.hotplex.instance=$instance" | xargs -r docker rm -f >/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- hotplexd log" >&2; cat "$dir/serve.log" >&2 || true; exit 1; }

docker info >/dev/null 2>&1 || fail "dockerd is not reachable (run scripts/docker-setup)"
mkdir -p "$dir/policies"
printf 'sandbox:\n  backend: docker\n  image: hotplex/sandbox-test\n' >"$dir/policies/default.yaml"
# shellcheck source=serve_lib.sh
source "$(dirname "$0")/serve_lib.sh"
HOTPLEX_DOCKER_INSTANCE="$instance" serve_start serve.log
grep -q "docker sandbox unavailable" "$dir/serve.log" && fail "hotplexd has no docker backend"
auth="Authorization: Bearer $(cat "$dir/state/api-key")"

session="$(curl -fsS -H "$auth" -X POST "http://$api/v1/sessions" -d '{"provider":"claude-code"}')" \
  || fail "create session"
id="$(printf %s "$session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
workdir="$(printf %s "$session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["workdir"])')"
curl -fsS -H "$auth" -X POST "http://$api/v1/sessions/$id/messages" -d '{"text":"hello docker"}' >/dev/null \
  || fail "send message"
events="$(events_to_turn_end "http://$api/v1/sessions/$id/events" "$auth")"
printf %s "$events" | grep -q '"text":"docker"' || fail "no echo of the message in the events: $events"
printf %s "$events" | grep -q 'turn_end' || fail "no turn_end: $events"

containers="$(docker ps -q --filter "label=io.hotplex.instance=$instance" --filter "label=io.hotplex.tenant=local")"
[ "$(printf %s "$containers" | grep -c .)" = 1 ] || fail "expected one running container, got: $containers"
[ "$(docker inspect -f '{{.HostConfig.ReadonlyRootfs}} {{.HostConfig.NetworkMode}}' "$containers")" = "true none" ] \
  || fail "container not hardened"
docker exec "$containers" sh -c 'echo from-container > "$0/e2e.txt"' "$workdir" || fail "exec into the container"
[ "$(cat "$workdir/e2e.txt")" = from-container ] || fail "a file written in the container is not in the host workspace"

curl -fsS -H "$auth" -X DELETE "http://$api/v1/sessions/$id" >/dev/null || fail "delete session"
for _ in $(seq 50); do
  [ -z "$(docker ps -aq --filter "label=io.hotplex.instance=$instance")" ] && break
  sleep 0.2
done
left="$(docker ps -aq --filter "label=io.hotplex.instance=$instance")"
[ -z "$left" ] || fail "containers left after delete: $left"
echo "PASS"
