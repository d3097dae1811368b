#!/usr/bin/env bash
# DockerServe.AdoptTakesIdleAgentsBackAfterKill9AndRestart — docker reconcile: adopt,
# end to end with the real hotplexd serve and the fake agent in hotplex/sandbox-test:
#  1. daemon 1 (config docker: {reconcile: adopt, shutdown: detach}) has two sessions:
#     `idle` answered its prompt and is ready, `busy` is mid-turn; then kill -9.
#  2. daemon 2 (same state dir) takes `idle` back: same container, same start time,
#     state ready at once, and its next prompt is answered by that same agent. `busy`
#     (its output went unread) comes back stopped, its container removed, and its
#     next prompt starts a new container that resumes the conversation.
#  3. SIGTERM of daemon 2 (shutdown: detach) leaves both ready agents running;
#     daemon 3 takes both back. Deleting the sessions leaves no container.
#
#   docker_adopt_e2e.sh HOTPLEXD_BINARY
set -euo pipefail
hotplexd="$1"
dir="$(mktemp -d /tmp/hotplex-docker-adopt-XXXXXX)"
instance="adopt-$$"
pid=""
cleanup() {
  # Each step must run even when an earlier one fails (set -e applies in the trap too).
  if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; fi
  docker ps -aq --filter "label=io.hotplex.instance=$instance" | xargs -r docker rm -f >/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for log in "$dir"/serve*.log; do echo "--- $log" >&2; cat "$log" >&2 || true; done
  exit 1
}
running() { docker ps -q --filter "label=io.hotplex.instance=$instance" | grep -c . || true; }
all() { docker ps -aq --filter "label=io.hotplex.instance=$instance" | grep -c . || true; }
container_of() {  # SESSION_ID -> container id (running or not)
  docker ps -aq --no-trunc --filter "label=io.hotplex.instance=$instance" \
    --filter "label=io.hotplex.session=$(printf %s "$1" | tr -d - | cut -c1-12)"
}
field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

# shellcheck source=serve_lib.sh
source "$(dirname "$0")/serve_lib.sh"
start() { serve_start "$1" --config "$dir/config.yaml"; }
state_of() { curl -fsS -H "$auth" "http://$api/v1/sessions/$1" | field state; }
send() { curl -fsS -H "$auth" -X POST "http://$api/v1/sessions/$1/messages" -d "{\"text\":\"$2\"}" >/dev/null; }
wait_state() {  # ID STATE: bounded
  for _ in $(seq 100); do
    [ "$(state_of "$1")" = "$2" ] && return 0
    sleep 0.1
  done
  fail "session $1 did not become $2 (is $(state_of "$1"))"
}
turn() {  # ID TEXT EXPECT: sends TEXT, reads the events up to the turn's end, expects EXPECT
  local after events
  after="$(curl -fsS -H "$auth" "http://$api/v1/sessions/$1" | field last_seq)"
  send "$1" "$2" || fail "send '$2' to $1"
  events="$(events_to_turn_end "http://$api/v1/sessions/$1/events?after=$after" "$auth")"
  printf %s "$events" | grep -q "$3" || fail "no '$3' in the events of '$2': $events"
}

docker info >/dev/null 2>&1 || fail "dockerd is not reachable (run scripts/docker-setup)"
mkdir -p "$dir/policies"
printf 'sandbox:\n  backend: docker\n  image: hotplex/sandbox-test\n' >"$dir/policies/default.yaml"
printf 'docker:\n  instance: %s\n  reconcile: adopt\n  shutdown: detach\n' "$instance" >"$dir/config.yaml"

# 1. daemon 1: one idle session, one mid-turn; kill -9.
start serve1.log
auth="Authorization: Bearer $(cat "$dir/state/api-key")"
idle="$(curl -fsS -H "$auth" -X POST "http://$api/v1/sessions" -d '{"key":"idle"}' | field id)" \
  || fail "create idle"
busy="$(curl -fsS -H "$auth" -X POST "http://$api/v1/sessions" -d '{"key":"busy"}' | field id)" \
  || fail "create busy"
wait_state "$idle" ready
turn "$idle" "before the crash" '"text":"crash"'
wait_state "$idle" ready
wait_state "$busy" ready
send "$busy" "fake:slow 200 100" || fail "send slow"
wait_state "$busy" busy
idle_box="$(container_of "$idle")"
idle_started="$(docker inspect -f '{{.State.StartedAt}}' "$idle_box")"
sleep 0.3  # the store writes behind: let the ready/busy rows land (a crash may lose the last ms)
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
pid=""
[ "$(running)" = 2 ] || fail "both agents must outlive a killed daemon in adopt mode (running: $(running))"

# 2. daemon 2: the idle agent is taken back, the busy one removed and resumed later.
start serve2.log
grep -q "kept 2 running to re-adopt" "$dir/serve2.log" || fail "daemon 2 did not keep both containers"
grep -q "re-adopted 1 agents; removed 1 containers" "$dir/serve2.log" || fail "daemon 2 adoption counts"
[ "$(state_of "$idle")" = ready ] || fail "the idle session must be ready at once, not $(state_of "$idle")"
[ "$(container_of "$idle")" = "$idle_box" ] || fail "the idle session has another container"
[ "$(docker inspect -f '{{.State.StartedAt}}' "$idle_box")" = "$idle_started" ] \
  || fail "the idle agent's container was restarted"
[ "$(state_of "$busy")" = stopped ] || fail "the busy session must come back stopped"
[ -z "$(container_of "$busy")" ] || fail "the busy session's container was not removed"
turn "$idle" "after the crash" '"text":"crash"'
[ "$(container_of "$idle")" = "$idle_box" ] || fail "the prompt after adoption started another container"
turn "$busy" "fake:history" '"text":"\[fake:slow '  # a new agent that resumed the conversation
[ "$(running)" = 2 ] || fail "expected 2 running containers after the resume"
audit="$(curl -fsS -H "Authorization: Bearer $(cat "$dir/state/admin-token")" \
  "http://$(sed -n 's/.*admin on \([0-9.:]*\), state.*/\1/p' "$dir/serve2.log")/admin/v1/audit?type=session.readopted" || true)"
printf %s "$audit" | grep -q "$idle" || fail "no session.readopted audit record for $idle: $audit"

# 3. a graceful stop with shutdown: detach leaves both ready agents; daemon 3 takes them back.
wait_state "$busy" ready
kill -TERM "$pid"
wait "$pid" 2>/dev/null || true
pid=""
[ "$(running)" = 2 ] || fail "shutdown: detach must leave both ready agents running (running: $(running))"
start serve3.log
grep -q "re-adopted 2 agents; removed 0 containers" "$dir/serve3.log" || fail "daemon 3 adoption counts"
turn "$busy" "third daemon" '"text":"daemon"'
for id in "$idle" "$busy"; do
  curl -fsS -H "$auth" -X DELETE "http://$api/v1/sessions/$id" >/dev/null || fail "delete $id"
done
for _ in $(seq 50); do
  [ "$(all)" = 0 ] && break
  sleep 0.2
done
[ "$(all)" = 0 ] || fail "containers left after delete: $(all)"
echo "PASS"
