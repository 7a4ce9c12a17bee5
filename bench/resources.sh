#!/usr/bin/env bash
# Resource operations at 10 and at 20,000 resources per dataset (release build, SQLite).
# Usage: bench/resources.sh [sqlite|postgres]
set -euo pipefail
cd "$(dirname "$0")/.."
BACKEND=${1:-sqlite}
PORT=${BENCH_PORT:-7096}
PG_ADMIN_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/test}
cargo build --release --quiet
BIN=target/release/plateau
data=$(mktemp -d); db_args=()
if [ "$BACKEND" = postgres ]; then
  db="plateau_bench_res_$$"
  psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $db" >/dev/null
  db_args=(--database-url "${PG_ADMIN_URL%/*}/$db")
fi
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null || true
  [ "$BACKEND" = postgres ] && psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS plateau_bench_res_$$ WITH (FORCE)" >/dev/null
  rm -rf "$data"
}
trap cleanup EXIT
$BIN user create --data-dir "$data" "${db_args[@]}" --email bench@example.org --first-name Bench --last-name Mark --admin >/dev/null
key=$($BIN user api-key --data-dir "$data" "${db_args[@]}" --email bench@example.org)
PLATEAU_LOG=warn $BIN serve --data-dir "$data" "${db_args[@]}" --listen "127.0.0.1:$PORT" --rate-limit 0 &
server=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
echo "store: $BACKEND, $(nproc) cores, $(date -u +%Y-%m-%d)"
python3 bench/resources.py "http://127.0.0.1:$PORT" "$key"
