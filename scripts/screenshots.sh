#!/usr/bin/env bash
# The README's pictures from a fresh demo: serve the demo district on a scratch SQLite file, add
# history, take the screenshots in headless Chromium, stop. Needs chromium, chromium-driver and
# fonts-noto-cjk (apt-get install -y chromium chromium-driver fonts-noto-cjk).
#   scripts/screenshots.sh [OUT_DIR]   (default docs/screenshots)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/screenshots}"
work="$(mktemp -d)"
port=18765
cargo build --release --quiet
cargo build --release --quiet --example screenshots
bin=target/release/onewindow
# History first (the district, two thousand cases, the hall's last days), then serve it.
"$bin" demo --cases 2000 --database-url "sqlite://$work/demo.db"
printf 'uploads_dir = "%s/uploads"\n' "$work" >"$work/config.toml"
"$bin" serve --demo --addr "127.0.0.1:$port" --database-url "sqlite://$work/demo.db" \
  --config "$work/config.toml" >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.5
done
target/release/examples/screenshots "http://127.0.0.1:$port" "$out"
