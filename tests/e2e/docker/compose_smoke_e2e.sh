#!/usr/bin/env bash
# ComposeSmoke.UpSessionDown — the compose stack end to end (issue 5): `up -d`, wait
# healthy, a claude-code session (the fake agent in hotplex/sandbox-test) through the
# API on 127.0.0.1:8080, a message, its events, the file its Bash tool wrote seen in
# the workspace ON THE HOST (the sibling-container path problem), delete, no
# container left, `down -v`.
#
#   compose_smoke_e2e.sh HOTPLEXD_BINARY
#
# hotplexd runs from hotplex/hotplexd:prebuilt (the host binary packaged by
# `images/build hotplexd-prebuilt`: seconds, not a from-source build). Ports: the
# issue's 127.0.0.1:8080 and :9080 unless HOTPLEX_API_PORT / HOTPLEX_ADMIN_PORT say
# otherwise; a port already taken (e.g. by `make run`) fails the test with a message
# naming it. HOTPLEX_SMOKE_IMAGE=hotplex/hotplexd runs it on an image built beforehand
# instead (e.g. the from-source one: `images/build hotplexd`). Runs of this test on one
# machine are serialized by a lock file.
# Needs dockerd, docker-compose and hotplex/sandbox-test (scripts/docker-setup).
set -euo pipefail
hotplexd="$1"
repo="$(cd "$(dirname "$0")/../../.." && pwd)"
compose_file="$repo/compose/docker-compose.yml"
api_port="${HOTPLEX_API_PORT:-8080}"
admin_port="${HOTPLEX_ADMIN_PORT:-9080}"
dir="$(mktemp -d /tmp/hotplex-compose-smoke-XXXXXX)"
project="hotplexsmoke$$"
instance="smoke-$$"
started=$EPOCHREALTIME
up=0
image="${HOTPLEX_SMOKE_IMAGE:-hotplex/hotplexd:prebuilt}"

log() { echo "compose-smoke: $* (+$(awk "BEGIN{printf \"%.1f\", $EPOCHREALTIME - $started}")s)" >&2; }
dc() {
  HOTPLEX_IMAGE="$image" HOTPLEX_STATE_DIR="$dir/state" \
    HOTPLEX_POLICY_DIR="$dir/policies" HOTPLEX_DOCKER_INSTANCE="$instance" \
    HOTPLEX_API_PORT="$api_port" HOTPLEX_ADMIN_PORT="$admin_port" \
    docker-compose --ansi never -p "$project" -f "$compose_file" "$@"
}
cleanup() {
  if [ "$up" = 1 ]; then dc down -v --remove-orphans >/dev/null 2>&1 || true; fi
  docker ps -aq --filter "label=io.hotplex.instance=$instance" | xargs -r docker rm -f >/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  if [ "$up" = 1 ]; then echo "--- hotplexd log" >&2; dc logs --tail=50 hotplexd >&2 || true; fi
  exit 1
}
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

docker info >/dev/null 2>&1 || fail "dockerd is not reachable (run scripts/docker-setup)"
command -v docker-compose >/dev/null || fail "docker-compose is missing (scripts/docker-setup installs it)"
docker image inspect hotplex/sandbox-test >/dev/null 2>&1 \
  || fail "image hotplex/sandbox-test is missing (scripts/docker-setup builds it)"

# One smoke test at a time per machine (they all want 8080/9080).
exec 9>/tmp/hotplex-compose-smoke.lock
flock -w 300 9 || fail "another compose smoke test held /tmp/hotplex-compose-smoke.lock for 300s"
for port in "$api_port" "$admin_port"; do
  port_taken "$port" && fail "127.0.0.1:$port is already in use (a 'make run' or a compose stack?);" \
    "stop it or set HOTPLEX_API_PORT/HOTPLEX_ADMIN_PORT"
done

if [ -z "${HOTPLEX_SMOKE_IMAGE:-}" ]; then
  HOTPLEX_HOTPLEXD="$hotplexd" "$repo/images/build" hotplexd-prebuilt \
    || fail "images/build hotplexd-prebuilt"
fi
docker image inspect "$image" >/dev/null 2>&1 || fail "image $image is missing"
log "image $image ready"

# compose's default policy is a full copy of policies/default.yaml (a default.yaml has
# no parent) but for the docker lines: it must not drift from the shipped baseline.
baseline() { grep -v -e '^#' -e '^description:' -e '^  backend:' -e '^  image:' "$1"; }
diff <(baseline "$repo/policies/default.yaml") <(baseline "$repo/compose/policies/default.yaml") >&2 \
  || fail "compose/policies/default.yaml drifted from policies/default.yaml (diff above)"
mkdir -p "$dir/state" "$dir/policies"
sed 's|image: hotplex/sandbox-base|image: hotplex/sandbox-test|' "$repo/compose/policies/default.yaml" \
  >"$dir/policies/default.yaml"
grep -q 'image: hotplex/sandbox-test' "$dir/policies/default.yaml" || fail "no image line in the compose policy"
up=1
dc up -d --no-build hotplexd >"$dir/up.log" 2>&1 || { cat "$dir/up.log" >&2; fail "docker-compose up -d"; }
log "up -d"
container="$(dc ps -q hotplexd)"
health=""
for _ in $(seq 120); do
  health="$(docker inspect -f '{{.State.Health.Status}}' "$container" 2>/dev/null || true)"
  [ "$health" = healthy ] && break
  sleep 0.5
done
[ "$health" = healthy ] || fail "hotplexd not healthy after 60s (status: $health)"
log "healthy"

api="http://127.0.0.1:$api_port"
[ -s "$dir/state/api-key" ] || fail "no api-key in the state dir on the host ($dir/state)"
auth="Authorization: Bearer $(cat "$dir/state/api-key")"
session="$(curl -fsS -H "$auth" -X POST "$api/v1/sessions" -d '{"provider":"claude-code"}')" \
  || fail "create session on $api"
id="$(printf %s "$session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
workdir="$(printf %s "$session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["workdir"])')"
case "$workdir" in "$dir/state/"*) ;; *) fail "workdir $workdir is not under the state dir $dir/state" ;; esac
log "session $id created"

message='fake:tool Bash {"command":"echo written-in-the-sandbox > smoke.txt"} ;; text smoke done'
body="$(python3 -c 'import json,sys; print(json.dumps({"text": sys.argv[1]}))' "$message")"
curl -fsS -H "$auth" -X POST "$api/v1/sessions/$id/messages" -d "$body" >/dev/null || fail "send message"
# Reads the SSE stream until the turn ends (curl | sed would linger until the next keep-alive).
events="$(python3 - "$api/v1/sessions/$id/events" "$auth" <<'PY' || true
import sys, urllib.request
request = urllib.request.Request(sys.argv[1], headers={"Authorization": sys.argv[2].split(": ", 1)[1]})
with urllib.request.urlopen(request, timeout=30) as stream:
    for line in stream:
        print(line.decode(), end="", flush=True)
        if b"turn_end" in line:
            break
PY
)"
printf %s "$events" | grep -q '"text":"done"' || fail "no reply text in the events: $events"
printf %s "$events" | grep -q 'turn_end' || fail "no turn_end: $events"
log "events read"

[ "$(cat "$workdir/smoke.txt" 2>/dev/null)" = written-in-the-sandbox ] \
  || fail "the agent's file is not in the host workspace $workdir: $(ls -la "$workdir" 2>&1)"
[ "$(stat -c %u "$workdir/smoke.txt")" = 60000 ] || fail "smoke.txt not owned by the tenant uid 60000"
sandboxes="$(docker ps -q --filter "label=io.hotplex.instance=$instance" --filter "label=io.hotplex.tenant=local" --filter "label=io.hotplex.policy=default")"
[ "$(printf %s "$sandboxes" | grep -c .)" = 1 ] || fail "expected one sandbox container, got: $sandboxes"

curl -fsS -H "$auth" -X DELETE "$api/v1/sessions/$id" >/dev/null || fail "delete session"
for _ in $(seq 50); do
  [ -z "$(docker ps -aq --filter "label=io.hotplex.instance=$instance")" ] && break
  sleep 0.2
done
left="$(docker ps -aq --filter "label=io.hotplex.instance=$instance")"
[ -z "$left" ] || fail "sandbox containers left after delete: $left"
log "session deleted, no sandbox container left"

dc down -v >"$dir/down.log" 2>&1 || { cat "$dir/down.log" >&2; fail "docker-compose down -v"; }
up=0
left="$(docker ps -aq --filter "label=com.docker.compose.project=$project")"
[ -z "$left" ] || fail "compose containers left after down -v: $left"
docker volume ls -q | grep -q "^${project}_" && fail "volume left after down -v"
log "down -v"
echo "PASS"
