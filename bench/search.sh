#!/usr/bin/env bash
# Search benchmarks on a synthetic catalogue. Usage: bench/search.sh [datasets] (default 100000).
#
# Builds the release binary, generates the catalogue (`plateau generate`), builds the index
# (`plateau index rebuild`), derives a mix of realistic queries from the catalogue itself (1–3
# words of real titles, 0–2 filters from real facet values), times them straight on the index
# (`plateau index bench`, the baseline), then loads a server with wrk at 16 connections:
# /api/2/datasets/search/ (with facets) and /api/1/datasets/?page_size=100. Prints every figure
# and the server's resident memory. Uses BENCH_DATA (a directory) to reuse a generated store and
# its queries; BENCH_REBUILD=0 keeps its index; BENCH_BIN runs another build of plateau;
# BENCH_DATABASE_URL (postgres://…) puts the store in PostgreSQL instead of SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/wrk.sh

N=${1:-100000}
PORT=${BENCH_PORT:-7098}
DURATION=${BENCH_DURATION:-20s}
BASE="http://127.0.0.1:$PORT"
DATA=${BENCH_DATA:-$(mktemp -d)}

command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
BIN=${BENCH_BIN:-target/release/plateau}
[ -n "${BENCH_BIN:-}" ] || cargo build --release --quiet

SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT

STORE=(--data-dir "$DATA")
[ -n "${BENCH_DATABASE_URL:-}" ] && STORE+=(--database-url "$BENCH_DATABASE_URL")
if [ ! -f "$DATA/generated" ] && { [ -n "${BENCH_DATABASE_URL:-}" ] || [ ! -f "$DATA/plateau.db" ]; }; then
  echo "== generate $N datasets"
  /usr/bin/time -f "generate: %e s, max RSS %M KiB" $BIN generate "${STORE[@]}" --datasets "$N"
  touch "$DATA/generated"
fi
if [ "${BENCH_REBUILD:-1}" = 1 ]; then
  echo "== index rebuild"
  /usr/bin/time -f "index rebuild: %e s, max RSS %M KiB" $BIN index rebuild "${STORE[@]}"
fi
du -sh "$DATA"/plateau.db "$DATA/search" 2>/dev/null | sed 's/^/size: /' || true
# Read the store and the index once, so that the loads below do not depend on what the kernel
# kept of them in its page cache since they were written (a partly dropped 4.3 GB store made
# the dataset answers read the disk: v2 p99 567 ms instead of 45).
cat "$DATA"/plateau.db "$DATA"/search/*/* > /dev/null 2>&1 || true

PLATEAU_LOG=warn $BIN serve "${STORE[@]}" --listen "127.0.0.1:$PORT" --rate-limit 1000000000 \
  --max-page-size 1000 2>"$DATA/server.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -sf "$BASE/health" >/dev/null && break; sleep 0.2; done
for _ in $(seq 1 600); do curl -sf "$BASE/api/2/datasets/search/?page_size=1" >/dev/null && break; sleep 1; done

QUERIES="$DATA/queries.txt"
[ -f "$QUERIES" ] || python3 - "$BASE" "$QUERIES" <<'PY'
import json, random, sys, urllib.parse, urllib.request
base, out = sys.argv[1], sys.argv[2]
random.seed(7)
def get(path):
    with urllib.request.urlopen(base + path) as r:
        return json.load(r)
titles = []
for page in random.sample(range(1, 200), 20):
    titles += [d["title"] for d in get(f"/api/1/datasets/?page_size=50&page={page}&sort=title")["data"]]
facets = get("/api/2/datasets/search/?page_size=1")["facets"]
filters = []
for name in ("tag", "format", "license", "format_family", "producer_type"):
    for v in facets.get(name, [])[1:12]:
        filters.append((name, v["name"]))
lines = []
# Enough that a 20 s load at 3,000 requests a second asks none twice (beyond chance).
for _ in range(60000):
    words = [w for w in random.choice(titles).split() if len(w) > 3]
    params = []
    if words:
        params.append(("q", " ".join(random.sample(words, min(len(words), random.randint(1, 3))))))
    used = set()
    for name, value in random.sample(filters, random.randint(0, 2)):
        if name not in used:
            used.add(name)
            params.append((name, value))
    lines.append(urllib.parse.urlencode(params))
open(out, "w").write("\n".join(lines) + "\n")
PY
echo "queries: $(wc -l < "$QUERIES") (e.g. $(sed -n 1p "$QUERIES"), $(sed -n 2p "$QUERIES"))"
# The raw timings take the first 500; HTTP loads cycle through them all, each wrk thread from
# its own offset, so that repeats (which the server's result cache answers) are rare.
RAW="$DATA/queries-raw.txt"
head -500 "$QUERIES" > "$RAW"

kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
echo "== raw index (baseline, no HTTP, one thread)"
$BIN index bench "${STORE[@]}" --queries "$RAW" --facets
$BIN index bench "${STORE[@]}" --queries "$RAW" --page-size 100

PLATEAU_LOG=warn $BIN serve "${STORE[@]}" --listen "127.0.0.1:$PORT" --rate-limit 1000000000 \
  --max-page-size 1000 2>"$DATA/server.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -sf "$BASE/api/2/datasets/search/?page_size=1" >/dev/null && break; sleep 0.2; done

LUA="$DATA/paths.lua"
load() {
  queries_script "$1" "$QUERIES" "$LUA"
  wrk -t2 -c16 -d"$DURATION" --latency -s "$LUA" "$BASE" | report "$2"
}
echo "== HTTP, 16 connections, $DURATION each"
wrk -t2 -c16 -d10s "$BASE/health" | awk '/Requests\/sec/ { printf "%-40s %8.0f req/s\n", "/health (baseline)", $2 }'
load "/api/2/datasets/search/?" "/api/2/datasets/search/ (facets)"
load "/api/1/datasets/?page_size=100&" "/api/1/datasets/?page_size=100"
# The search page as a portal's visitors first see it: no query, every facet over the whole
# catalogue: once uncached (page 2, never asked before), then repeated, so from the result cache.
curl -s -o /dev/null -w "first /api/2/datasets/search/ (no query): %{time_total} s\n" "$BASE/api/2/datasets/search/?page_size=20&page=2"
wrk -t2 -c16 -d"$DURATION" --latency "$BASE/api/2/datasets/search/" | report "/api/2/datasets/search/ (no query)"
# RssFile counts the store's and the index's memory-mapped pages the OS may drop at will;
# RssAnon is the server's own memory.
awk '/^Rss(Anon|File)/ { printf "server %s %.0f MiB\n", $1, $2/1024 }' "/proc/$SERVER_PID/status"
