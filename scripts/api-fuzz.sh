#!/usr/bin/env bash
# API fuzz run: schemathesis (PyPI) generates requests from /api/openapi.json, valid and invalid,
# against `onewindow serve --demo` on a scratch SQLite file, signed in as the demo administrator
# (the widest reach), and checks every answer: no server error (5xx), a status code the document
# lists, its content type, and a body that matches the document's schema for that status.
# Usage: scripts/api-fuzz.sh [WORKDIR]        (MAX_EXAMPLES per operation, default 30)
#        BIN=target/debug/onewindow MAX_EXAMPLES=10 scripts/api-fuzz.sh    (CI: a built binary)
# Needs: python3 with pip (schemathesis is installed into WORKDIR/venv when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-/tmp/api-fuzz}
N=${MAX_EXAMPLES:-30}
PORT=${PORT:-8704}
mkdir -p "$W"
W=$(cd "$W" && pwd)
[ -x "$W/venv/bin/schemathesis" ] || { python3 -m venv "$W/venv"; "$W/venv/bin/pip" install -q "schemathesis==4.32.5"; }

if [ -z "${BIN:-}" ]; then
  cargo build --quiet --release --bin onewindow
  BIN=target/release/onewindow
fi
rm -f "$W"/fuzz.db*
"$BIN" serve --demo --addr "127.0.0.1:$PORT" --database-url "sqlite://$W/fuzz.db" >"$W/server.log" 2>&1 &
OW=$!
trap 'kill $OW 2>/dev/null || true; wait $OW 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 1; done

TOKEN=$(curl -sf -X POST -H 'Content-Type: application/json' \
  --data '{"username":"admin","password":"demo-password"}' \
  "http://127.0.0.1:$PORT/api/v1/auth/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

# /api/v1/auth/token is left out: DELETE signs the run's own token out halfway, and POST is
# throttled by design (five failures lock the account), which the fuzzer would trip at once;
# tests/app cover both.
# From the work directory: schemathesis keeps a cache (.schemathesis/) where it runs.
# One worker: with two, hypothesis parses lambda sources (ast) in two threads at once, and
# CPython 3.11 then fails now and then with "AST constructor recursion depth mismatch", a
# runtime error of the tool, not an answer of ours (seen once in CI-like runs, 2026-12-02).
# schemathesis is pinned to the version these results were recorded with.
(cd "$W" && exec "$W/venv/bin/schemathesis" run "http://127.0.0.1:$PORT/api/openapi.json" \
  --header "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --exclude-path /api/v1/auth/token \
  --max-examples "$N" --seed 20261202 --workers 1 \
  --report junit --report-dir "$W/report") \
  2>&1 | tee "$W/schemathesis.txt"
status=${PIPESTATUS[0]}
if grep -q 'panicked' "$W/server.log"; then
  echo "the server panicked during the run; see $W/server.log"
  status=1
fi
exit "$status"
