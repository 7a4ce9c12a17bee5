#!/usr/bin/env bash
# Write throughput of a running Plateau: POST /api/1/datasets/ from 16 clients, and the same
# clients each creating a dataset then listing it by its tag at once (read-your-writes: a list
# that misses the dataset just created is counted). GET /health in the same run is the baseline.
# Usage: bench/writes.sh [sqlite|postgres|both] (default both). BENCH_BIN: the binary to measure
# (default: the release build); BENCH_DURATION (10s), BENCH_CLIENTS (16).
set -euo pipefail
cd "$(dirname "$0")/.."

BACKENDS=${1:-both}
DURATION=${BENCH_DURATION:-10s}
CLIENTS=${BENCH_CLIENTS:-16}
PORT=${BENCH_PORT:-7098}
PG_ADMIN_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/test}

if ! command -v wrk >/dev/null; then
  echo "installing wrk…" >&2
  apt-get install -y wrk >/dev/null || { echo "install wrk (apt-get install wrk) and retry" >&2; exit 1; }
fi
if [ -n "${BENCH_BIN:-}" ]; then
  BIN=$BENCH_BIN
else
  cargo build --release --quiet
  BIN=target/release/plateau
fi
BASE="http://127.0.0.1:$PORT"
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

# A wrk script: every request creates a dataset with a tag of its own. With READ=1 each thread
# (one connection each) alternates the create and the list of that tag, and counts the lists
# that do not show the dataset the create answered with.
write_script() {
  cat > "$WORK/$1.lua" <<LUA
local threads = {}
local next_client = 0
function setup(thread)
  thread:set("client", next_client)
  next_client = next_client + 1
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(os.time() * 1000 + client)
end
local n = 0
local listing = false
local tag = nil
local created = nil
missed = 0
lists = 0
request = function()
  if $2 == 1 and listing then
    listing = false
    return wrk.format("GET", "/api/1/datasets/?tag=" .. tag)
  end
  n = n + 1
  tag = "bench-" .. client .. "-" .. n .. "-" .. math.random(1000000000)
  listing = true
  local body = '{"title":"Jeu de données ' .. tag .. '","description":"Mesures de démonstration.","tags":["' .. tag .. '","bench"]}'
  return wrk.format("POST", "/api/1/datasets/", {["X-API-KEY"] = "$3", ["Content-Type"] = "application/json"}, body)
end
response = function(status, headers, body)
  if $2 ~= 1 then return end
  if status == 201 then
    created = string.match(body, '"id":%s*"(%x+)"')
  elseif created then
    lists = lists + 1
    if not string.find(body, created, 1, true) then missed = missed + 1 end
    created = nil
  end
end
done = function(summary, latency, requests)
  if $2 == 1 then
    local m, l = 0, 0
    for _, t in ipairs(threads) do m = m + t:get("missed"); l = l + t:get("lists") end
    io.write(string.format("LISTS %d MISSED %d\n", l, m))
  end
end
LUA
}

# Prints "req/s p50_ms p99_ms [missed/lists]" of one wrk run.
measure() {
  local out
  out=$(wrk "$@" --latency)
  if echo "$out" | grep -q "Non-2xx"; then echo "non-2xx answers" >&2; echo "$out" >&2; exit 1; fi
  echo "$out" | awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /Requests\/sec/ { rps=$2 } $1=="50%" { p50=ms($2) } $1=="99%" { p99=ms($2) }
    /^LISTS/ { extra=sprintf(" %d/%d", $4, $2) }
    END { printf "%.0f %.3f %.3f%s\n", rps, p50, p99, extra }'
}

run_backend() {
  local backend=$1 data db_args=()
  data=$(mktemp -d -p "$WORK")
  if [ "$backend" = postgres ]; then
    local db="plateau_bench_writes_$$"
    psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    db_args=(--database-url "${PG_ADMIN_URL%/*}/$db")
  fi
  $BIN user create --data-dir "$data" "${db_args[@]}" --email bench@example.org --first-name Bench --last-name Mark --admin >/dev/null
  local key
  key=$($BIN user api-key --data-dir "$data" "${db_args[@]}" --email bench@example.org)
  PLATEAU_LOG=${PLATEAU_LOG:-warn} $BIN serve --data-dir "$data" "${db_args[@]}" --listen "127.0.0.1:$PORT" \
    --rate-limit 0 2>"$data/server.log" &
  SERVER_PID=$!
  for _ in $(seq 1 50); do curl -sf "$BASE/health" >/dev/null && break; sleep 0.1; done
  write_script create 0 "$key"
  write_script create_then_list 1 "$key"
  read -r rps p50 p99 < <(measure -t1 -c"$CLIENTS" -d"$DURATION" "$BASE/health")
  printf "| %s | GET /health (baseline), %s clients | %s | %s | %s | |\n" "$backend" "$CLIENTS" "$rps" "$p50" "$p99"
  read -r rps p50 p99 < <(measure -t1 -c"$CLIENTS" -d"$DURATION" -s "$WORK/create.lua" "$BASE")
  printf "| %s | POST /api/1/datasets/, %s clients | %s | %s | %s | |\n" "$backend" "$CLIENTS" "$rps" "$p50" "$p99"
  read -r rps p50 p99 missed < <(measure -t"$CLIENTS" -c"$CLIENTS" -d"$DURATION" -s "$WORK/create_then_list.lua" "$BASE")
  printf "| %s | POST then GET ?tag= of it, %s clients | %s | %s | %s | %s |\n" "$backend" "$CLIENTS" "$rps" "$p50" "$p99" "$missed"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  if [ "$backend" = postgres ]; then psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS plateau_bench_writes_$$ WITH (FORCE)" >/dev/null; fi
}

echo "$BIN: wrk -d$DURATION, $CLIENTS clients, $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
echo "| store | requests | req/s | p50 ms | p99 ms | lists missing the write |"
echo "| --- | --- | ---: | ---: | ---: | ---: |"
case "$BACKENDS" in
  sqlite|postgres) run_backend "$BACKENDS" ;;
  both) run_backend sqlite; run_backend postgres ;;
  *) echo "usage: $0 [sqlite|postgres|both]" >&2; exit 2 ;;
esac
