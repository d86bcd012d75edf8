#!/usr/bin/env bash
# Every benchmark program, short settings, on SQLite and (when PG is given) PostgreSQL, one after
# another; each prints JSON with its rates and each rate's ratio to the raw commit rate the same
# program measured on the same database in the same run. The JSON lands in OUT, and a table of the
# ratios is printed at the end.
# Usage: scripts/bench-all.sh [OUT]            SQLite only
#        PG=postgres://postgres@127.0.0.1:5432 scripts/bench-all.sh [OUT]
#        (a fresh database per program on that server, dropped after)
# Longer runs for the figures in docs/BENCHMARKS.md: SECONDS_EACH=20 (default 5).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-/tmp/bench-all}
S=${SECONDS_EACH:-5}
mkdir -p "$OUT"
cargo build --quiet --release --examples

# name | arguments (the database URL is added by run)
BENCHES=(
  "bench|--seconds $S --clients 16"
  "bench_search|--seconds $S --clients 32 --matters 10000"
  "bench_cases|--seconds $S --clients 64"
  "bench_hall|--windows 200 --tickets 20000"
  "bench_displays|--clients 500 --calls 50"
  "bench_open311|--seconds $S --clients 32"
  "bench_enterprise|--items 20000 --seconds $S --clients 4"
  "bench_petitions|--cases 20000 --seconds $S --clients 4"
  "bench_licences|--seconds $S --clients 8"
  "bench_supervision|--open-cases 100000 --runs 5"
)

run() { # db name args...
  local db=$1 name=$2; shift 2
  local url
  if [ "$db" = sqlite ]; then
    url="sqlite://$OUT/$name.db"
    rm -f "$OUT/$name".db*
  else
    local dbname="ow_all_${name}_$$"
    psql -q "$PG/postgres" -c "CREATE DATABASE $dbname" >/dev/null
    url="$PG/$dbname"
  fi
  echo "== $name on $db: $*" >&2
  if ! target/release/examples/"$name" "$@" --database-url "$url" >"$OUT/$name.$db.json" 2>"$OUT/$name.$db.log"; then
    echo "   failed; see $OUT/$name.$db.log" >&2
  fi
  if [ "$db" = sqlite ]; then rm -f "$OUT/$name".db*; else
    psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS ${dbname} WITH (FORCE)" >/dev/null; fi
}

for db in sqlite ${PG:+postgres}; do
  for b in "${BENCHES[@]}"; do
    name=${b%%|*}; args=${b#*|}
    # shellcheck disable=SC2086 # the arguments are meant to split
    run "$db" "$name" $args
  done
done
# The two without a database: pure arithmetic and geometry.
target/release/examples/bench_deadlines >"$OUT/bench_deadlines.json"
target/release/examples/bench_grid --points 100000 >"$OUT/bench_grid.json"

python3 - "$OUT" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
def walk(v, path=""):
    if isinstance(v, dict):
        for k, x in v.items():
            yield from walk(x, f"{path}.{k}" if path else k)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            name = x.get("phase", str(i)).split(":")[0] if isinstance(x, dict) else str(i)
            yield from walk(x, f"{path}[{name}]")
    else:
        yield path, v
print(f"{'benchmark':<18} {'db':<9} {'raw 1w/s':>9} {'raw Nw/s':>9}  rate (per second) = ratio to raw")
for f in sorted(out.glob("*.json")):
    parts = f.stem.split(".")
    if len(parts) != 2:
        continue
    try:
        doc = json.loads(f.read_text())
    except ValueError:
        print(f"{parts[0]:<18} {parts[1]:<9} (no JSON: see {f.with_suffix('.log')})")
        continue
    flat = dict(walk(doc))
    raw1 = flat.get("raw_commits_per_second.writers_1", 0)
    rawn = next((v for k, v in flat.items() if k.startswith("raw_commits_per_second.writers_") and not k.endswith("_1")), raw1)
    def ratio_key(k):  # as relate_to_raw_commits names it
        head, _, last = k.rpartition(".")
        last = (last[:-len("_per_second")] if last.endswith("_per_second") else last) + "_per_raw_commit"
        return f"{head}.{last}" if head else last
    # a phase's name is not a rate
    pairs = [(k, v, flat.get(ratio_key(k))) for k, v in flat.items()
             if k.endswith("per_second") and isinstance(v, (int, float)) and not k.startswith("raw_commits")]
    print(f"{parts[0]:<18} {parts[1]:<9} {raw1:>9.0f} {rawn:>9.0f}")
    for k, v, r in pairs:
        ratio = f"{r:.3f}" if isinstance(r, (int, float)) else "-"
        print(f"{'':<18} {'':<9} {'':>9} {'':>9}  {k} {v:.0f} = {ratio}")
PY
