# Sourced by the docker e2e scripts. Needs $hotplexd, $dir (state in $dir/state,
# policies in $dir/policies, logs in $dir) and a fail function.
#   serve_start LOG [SERVE ARGS...]   starts hotplexd serve on loopback ports in the
#                                     background; sets pid and api (host:port)
serve_start() {
  local log="$1"
  shift
  "$hotplexd" serve --state-dir "$dir/state" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 \
    --policy-dir "$dir/policies" "$@" >"$dir/$log" 2>&1 &
  pid=$!
  api=""
  for _ in $(seq 150); do
    api="$(sed -n 's/.*serving the API on \([0-9.:]*\), admin.*/\1/p' "$dir/$log")"
    [ -n "$api" ] && break
    sleep 0.1
  done
  [ -n "$api" ] || fail "hotplexd did not start ($log)"
}
#   events_to_turn_end URL HEADER     prints an SSE stream up to its first turn_end and
#                                     closes it there (bounded: 20 s); sed '/turn_end/q'
#                                     alone leaves curl waiting for the next keep-alive
events_to_turn_end() {
  local out cpid
  out="$(mktemp "$dir/events.XXXXXX")"
  curl -sS -N -H "$2" "$1" >"$out" 2>/dev/null &
  cpid=$!
  for _ in $(seq 200); do
    grep -q turn_end "$out" && break
    sleep 0.1
  done
  kill "$cpid" 2>/dev/null || true
  wait "$cpid" 2>/dev/null || true
  sed '/turn_end/q' "$out"
  rm -f "$out"
}
