#!/usr/bin/env bash
# Runs the real data.gouv.fr Python client (datagouv-client, from PyPI) against Plateau:
# creates a venv, starts a server on a fresh store, runs scripts/datagouv_client_scenario.py.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${CLIENT_PORT:-7098}
VENV=${CLIENT_VENV:-target/datagouv-client-venv}
work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "datagouv-client==0.5.1"
fi
cargo build --quiet
bin=target/debug/plateau
$bin user create --data-dir "$work" --email client@example.org --first-name Client --last-name Scenario >/dev/null
key=$($bin user api-key --data-dir "$work" --email client@example.org)
PLATEAU_LOG=warn $bin serve --data-dir "$work" --listen "127.0.0.1:$PORT" &
server_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
"$VENV/bin/python" scripts/datagouv_client_scenario.py "http://127.0.0.1:$PORT" "$key"
