#!/usr/bin/env bash
# Compares two builds of plateau under the same HTTP load, alternating them so that the
# machine's drift hits both. Usage:
#   bench/compare.sh OLD_BIN NEW_BIN [PATH_PREFIX]
# PATH_PREFIX defaults to "/api/2/datasets/search/?"; each request is the prefix followed by one
# line of $BENCH_DATA/queries.txt (made by bench/search.sh), cycled through by wrk at 16
# connections. Each run starts the binary fresh on BENCH_DATA (default /work/bench-1m) with its
# default settings, warms it for 5 s, then measures for BENCH_DURATION (default 20s);
# BENCH_ROUNDS (default 2) alternations. Warm the store's page cache first
# (`cat plateau.db > /dev/null`) when the machine reclaims it.
set -euo pipefail
OLD=$(realpath "$1")
NEW=$(realpath "$2")
cd "$(dirname "$0")/.."
. bench/wrk.sh
PREFIX=${3:-/api/2/datasets/search/?}
DATA=${BENCH_DATA:-/work/bench-1m}
DURATION=${BENCH_DURATION:-20s}
ROUNDS=${BENCH_ROUNDS:-2}
PORT=${BENCH_PORT:-7099}
BASE="http://127.0.0.1:$PORT"
LUA=$(mktemp --suffix .lua)
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -f "$LUA"; wait 2>/dev/null || true; }
trap cleanup EXIT

queries_script "$PREFIX" "$DATA/queries.txt" "$LUA"

run() {
  PLATEAU_LOG=warn "$1" serve --data-dir "$DATA" --listen "127.0.0.1:$PORT" \
    --rate-limit 1000000000 --max-page-size 1000 2>/dev/null &
  SERVER_PID=$!
  for _ in $(seq 1 600); do curl -sf "$BASE/api/2/datasets/search/?page_size=1" >/dev/null && break; sleep 0.5; done
  wrk -t2 -c16 -d5s -s "$LUA" "$BASE" >/dev/null
  wrk -t2 -c16 -d"$DURATION" --latency -s "$LUA" "$BASE" | report "$1"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

echo "== $PREFIX, 16 connections, $DURATION per run, $ROUNDS alternations"
for _ in $(seq 1 "$ROUNDS"); do
  run "$OLD"
  run "$NEW"
done
