#!/usr/bin/env bash
# Side by side on this machine: OneWindow and django-helpdesk (PyPI) creating tickets, same load
# (wrk, 2 threads, 16 connections, 15 s), both on SQLite in WAL with synchronous=FULL, and the
# disk's raw commit rate measured in the same run as the yardstick for both.
#   OneWindow: `onewindow serve --demo` (release), POST /open311/v2/requests.json, form-encoded
#              with the demo api_key: checked, placed in its grid, numbered, stored with trail
#              and audit entry, answered with its id.
#   Peer:      ../shared/tools/peer-helpdesk.sh (gunicorn, 2 workers, token auth, REST API).
# Usage: scripts/side-by-side.sh [WORKDIR]   (needs wrk, python3 with venv; no internet beyond PyPI)
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-/tmp/side-by-side}
mkdir -p "$W"
PEER=${PEER_SCRIPT:-../shared/tools/peer-helpdesk.sh}

cargo build --quiet --release --bin onewindow --example raw_commits
echo "== machine"
nproc; grep -m1 'model name' /proc/cpuinfo || true; free -g | sed -n 2p

echo "== raw commits (SQLite, WAL, synchronous=FULL; 1 and 16 writers)"
target/release/examples/raw_commits --writers 16

echo "== OneWindow: POST /open311/v2/requests.json"
rm -f "$W"/ow.db*
target/release/onewindow serve --demo --addr 127.0.0.1:8702 --database-url "sqlite://$W/ow.db" >"$W/ow.log" 2>&1 &
OW=$!
trap 'kill $OW 2>/dev/null || true; wait $OW 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:8702/readyz >/dev/null && break; sleep 1; done
# A point at the centre of a grid cell of the demo district; the description as a citizen writes it.
BODY="api_key=demo-open311-key&service_code=drain&lat=40.655&long=120.805"
BODY+="&description=%E4%BA%95%E7%9B%96%E7%BC%BA%E5%A4%B1%EF%BC%8C%E9%BE%99%E6%B8%AF%E5%8C%BA%E6%B5%8B%E8%AF%95%E8%B7%AF1%E5%8F%B7"
BODY+="&first_name=%E6%98%8E&last_name=%E5%BC%A0"
cat > "$W/open311.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "$BODY"
LUA
# One request first: a refusal would otherwise be measured as speed (wrk counts it as non-2xx).
curl -sf -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data "$BODY" \
  http://127.0.0.1:8702/open311/v2/requests.json >/dev/null \
  || { echo "OneWindow refused the benchmark's request; see $W/ow.log"; exit 1; }
wrk -t2 -c16 -d15s -s "$W/open311.lua" --latency http://127.0.0.1:8702/open311/v2/requests.json
sqlite3 "$W/ow.db" "SELECT count(*) || ' events stored' FROM events" 2>/dev/null || true
kill $OW; wait $OW 2>/dev/null || true
trap - EXIT

echo "== django-helpdesk: POST /helpdesk/api/tickets/"
bash "$PEER" "$W/peer"
