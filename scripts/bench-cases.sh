#!/usr/bin/env bash
# The case engine on SQLite and then on PostgreSQL, on this machine, one after the other: the
# transitions a second of each, PostgreSQL's share of SQLite's, and the processor's busy share
# during each run (a run bound by a lock leaves the processor idle). Each run also measures its
# database's raw commit rate in the same run.
# Usage: PG=postgres://postgres@127.0.0.1:5432 scripts/bench-cases.sh [SECONDS] [CLIENTS]
#        (a fresh PostgreSQL database on that server, dropped after)
set -euo pipefail
cd "$(dirname "$0")/.."
S=${1:-20}
C=${2:-64}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
cargo build --quiet --release --example bench_cases
OUT=$(mktemp -d)
target/release/examples/bench_cases --seconds "$S" --clients "$C" >"$OUT/sqlite.json"
DB="ow_bench_cases_$$"
psql "$PG/postgres" -qc "CREATE DATABASE $DB"
trap 'psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null' EXIT
target/release/examples/bench_cases --seconds "$S" --clients "$C" --database-url "$PG/$DB" >"$OUT/postgres.json"
python3 - "$OUT/sqlite.json" "$OUT/postgres.json" <<'PY'
import json, sys
lite, pg = (json.load(open(p)) for p in sys.argv[1:3])
for d in (lite, pg):
    print(f"{d['backend']:>9}: {d['transitions_per_second']:>6.0f} transitions/s, "
          f"{d.get('transitions_per_raw_commit', '?')} of its raw commits, "
          f"processor busy {d.get('cpu_busy_share')}, p95 {d['latency_ms']['p95']:.1f} ms, "
          f"errors {d['errors']}, trail intact {d['audit_chain_intact_entries']}")
print(json.dumps({
    "sqlite_transitions_per_second": lite["transitions_per_second"],
    "postgres_transitions_per_second": pg["transitions_per_second"],
    "postgres_share_of_sqlite": round(pg["transitions_per_second"] / lite["transitions_per_second"], 2),
    "postgres_cpu_busy_share": pg.get("cpu_busy_share"),
    "sqlite_transitions_per_raw_commit": lite.get("transitions_per_raw_commit"),
    "postgres_transitions_per_raw_commit": pg.get("transitions_per_raw_commit"),
}, indent=2))
PY
rm -rf "$OUT"
