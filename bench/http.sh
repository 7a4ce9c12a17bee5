#!/usr/bin/env bash
# HTTP benchmarks of a running Plateau, each endpoint as a ratio to /health (no storage) measured
# in the same run. Usage: bench/http.sh [sqlite|postgres|both] (default both).
#
# Builds the release binary (or uses BENCH_BIN, e.g. another version's binary to compare),
# starts a server on a fresh store, fills it with a little data through the CLI and the API,
# then loads each endpoint with wrk (installed from Debian if missing) and prints req/s, p50,
# p99 and the ratio to the baseline.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKENDS=${1:-both}
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
PORT=${BENCH_PORT:-7099}
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

SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT

# wrk once; prints "req/s p50_ms p99_ms".
measure() {
  local url=$1 out
  out=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "$url")
  if echo "$out" | grep -q "Non-2xx"; then echo "non-2xx answers from $url" >&2; echo "$out" >&2; exit 1; fi
  echo "$out" | awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /Requests\/sec/ { rps=$2 }
    $1=="50%" { p50=ms($2) }
    $1=="99%" { p99=ms($2) }
    END { printf "%.0f %.3f %.3f\n", rps, p50, p99 }'
}

run_backend() {
  local backend=$1 data db_args=()
  data=$(mktemp -d)
  if [ "$backend" = postgres ]; then
    local db="plateau_bench_$$"
    psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    db_args=(--database-url "${PG_ADMIN_URL%/*}/$db")
  fi
  $BIN user create --data-dir "$data" "${db_args[@]}" --email bench@example.org --first-name Bench --last-name Mark --admin >/dev/null
  local key
  key=$($BIN user api-key --data-dir "$data" "${db_args[@]}" --email bench@example.org)
  PLATEAU_LOG=${PLATEAU_LOG:-info} $BIN serve --data-dir "$data" "${db_args[@]}" --listen "127.0.0.1:$PORT" \
    --rate-limit 1000000000 2>"$data/server.log" &
  SERVER_PID=$!
  for _ in $(seq 1 50); do curl -sf "$BASE/health" >/dev/null && break; sleep 0.1; done
  local org
  org=$(curl -sf -X POST -H "X-API-KEY: $key" -H 'content-type: application/json' \
    -d '{"name":"Direction interministérielle du numérique","acronym":"DINUM","description":"Une organisation de démonstration pour les mesures.","url":"https://www.numerique.gouv.fr"}' \
    "$BASE/api/1/organizations/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  for i in 1 2 3; do
    $BIN user create --data-dir "$data" "${db_args[@]}" --email "member$i@example.org" --first-name "Member$i" --last-name Bench >/dev/null
  done
  for id in $(curl -sf -H "X-API-KEY: $key" "$BASE/api/1/users/?page_size=10" | python3 -c 'import json,sys; print(" ".join(u["id"] for u in json.load(sys.stdin)["data"] if u["first_name"].startswith("Member")))'); do
    curl -sf -X POST -H "X-API-KEY: $key" -H 'content-type: application/json' -d '{"role":"editor"}' "$BASE/api/1/organizations/$org/member/$id/" >/dev/null
  done

  local dataset
  dataset=$(curl -sf -X POST -H "X-API-KEY: $key" -H 'content-type: application/json' \
    -d "{\"title\":\"Qualité de l'air en Île-de-France\",\"description\":\"Mesures horaires des polluants atmosphériques, station par station, depuis 2010.\",\"organization\":\"$org\",\"frequency\":\"daily\",\"tags\":[\"air\",\"pollution\"],\"license\":\"lov2\"}" \
    "$BASE/api/1/datasets/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  for i in $(seq 1 10); do
    curl -sf -X POST -H "X-API-KEY: $key" -H 'content-type: application/json' \
      -d "{\"title\":\"Mesures $i\",\"url\":\"https://example.org/air/$i.csv\",\"format\":\"csv\",\"filetype\":\"remote\"}" \
      "$BASE/api/1/datasets/$dataset/resources/" >/dev/null
  done
  for i in $(seq 1 30); do
    curl -sf -X POST -H "X-API-KEY: $key" -H 'content-type: application/json' \
      -d "{\"title\":\"Jeu $i\",\"description\":\"Un jeu de données de démonstration numéro $i.\",\"organization\":\"$org\"}" \
      "$BASE/api/1/datasets/" >/dev/null
  done

  read -r base_rps base_p50 base_p99 < <(measure "$BASE/health")
  printf "| %s | %s | %s | %s | %s | %s |\n" "$backend" "GET /health (baseline)" "$base_rps" "$base_p50" "$base_p99" "100 %"
  for path in "/api/1/site/" "/api/1/organizations/$org/" "/api/1/datasets/$dataset/" "/api/1/datasets/?page_size=20"; do
    read -r rps p50 p99 < <(measure "$BASE$path")
    local label=${path/$org/\{id\}}
    label=${label/$dataset/\{id\}}; [ "${path#*$dataset}" != "$path" ] && label="$label (10 resources)"
    printf "| %s | GET %s | %s | %s | %s | %s %% |\n" "$backend" "$label" "$rps" "$p50" "$p99" "$(awk -v a="$rps" -v b="$base_rps" 'BEGIN{printf "%.0f", 100*a/b}')"
  done
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  if [ "$backend" = postgres ]; then psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS plateau_bench_$$ WITH (FORCE)" >/dev/null; fi
  rm -rf "$data"
}

echo "$BIN: wrk -t1 -c$CONNECTIONS -d$DURATION, $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
echo "| store | endpoint | req/s | p50 ms | p99 ms | vs baseline |"
echo "| --- | --- | ---: | ---: | ---: | ---: |"
case "$BACKENDS" in
  sqlite|postgres) run_backend "$BACKENDS" ;;
  both) run_backend sqlite; run_backend postgres ;;
  *) echo "usage: $0 [sqlite|postgres|both]" >&2; exit 2 ;;
esac
