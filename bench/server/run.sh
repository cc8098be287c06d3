#!/usr/bin/env bash
# Starts the release server on a fresh database on 127.0.0.1, runs wrk against three
# routes for a bounded time each, prints req/s and p99, and stops the server.
set -euo pipefail
BIN=${BIN:-target/release/customer-validation}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
RUST_LOG=${RUST_LOG:-warn} "$BIN" serve --listen 127.0.0.1:0 --db "$dir/bench.db" >"$dir/out" 2>"$dir/err" &
pid=$!
for _ in $(seq 100); do grep -q '^listening on' "$dir/out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$dir/out")
[ -n "$url" ] || { echo "server did not start"; cat "$dir/err"; exit 1; }
export CV_TOKEN=$(sed -n 's/^demo token: //p' "$dir/out")
export CV_STORE=$(sed -n 's/^demo store: //p' "$dir/out")
here=$(dirname "$0")
run() {
  local name=$1 script=$2 path=$3
  echo "== $name ($path, $DURATION, $CONNECTIONS connections)"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$script" "$url$path" \
    | grep -E 'Requests/sec|p99|status|Non-2xx|Socket errors|99%'
}
run "hello-world ceiling" "$here/hello.lua" /healthz
run "validate store" "$here/validate.lua" /api/v1/validate/store
run "create customer" "$here/create.lua" /api/v1/accounts/"$CV_STORE"/customers
echo "customers stored: $(sqlite3 "$dir/bench.db" 'SELECT COUNT(*) FROM customers' 2>/dev/null || echo '?')"
