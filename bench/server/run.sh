#!/usr/bin/env bash
# Starts the release server on a fresh database on 127.0.0.1, runs wrk against the routes
# for a bounded time each, prints req/s and p99, and stops the server. The creates fill the
# store (about 100,000 customers on this machine), which the list and search runs then read.
set -euo pipefail
BIN=${BIN:-target/release/customer-validation}
DURATION=${DURATION:-10s}
# Long enough to store about 100,000 customers for the list and search runs.
CREATE_DURATION=${CREATE_DURATION:-14s}
# The list and search runs measure latency, not saturation: a few clients at once.
READ_CONNECTIONS=${READ_CONNECTIONS:-4}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
RUST_LOG=${RUST_LOG:-warn} "$BIN" serve --listen 127.0.0.1:0 --db "$dir/bench.db" --api-rate-limit 1000000000 >"$dir/out" 2>"$dir/err" &
pid=$!
for _ in $(seq 100); do grep -q '^listening on' "$dir/out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$dir/out")
[ -n "$url" ] || { echo "server did not start"; cat "$dir/err"; exit 1; }
export CV_TOKEN=$(sed -n 's/^demo token: //p' "$dir/out")
export CV_STORE=$(sed -n 's/^demo store: //p' "$dir/out")
here=$(dirname "$0")
run() {
  local name=$1 script=$2 path=$3 duration=${4:-$DURATION} connections=${5:-$CONNECTIONS}
  echo "== $name ($path, $duration, $connections connections)"
  # wrk needs a connection per thread at least.
  local threads=$(( THREADS < connections ? THREADS : connections ))
  wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$script" "$url$path" \
    | grep -E 'Requests/sec|p99|status|Non-2xx|Socket errors|99%'
}
run "hello-world ceiling" "$here/hello.lua" /healthz
run "validate store" "$here/validate.lua" /api/v1/validate/store
run "create customer" "$here/create.lua" /api/v1/accounts/"$CV_STORE"/customers "$CREATE_DURATION"
stored=$(sqlite3 "$dir/bench.db" 'SELECT COUNT(*) FROM customers' 2>/dev/null || echo 1000)
echo "customers stored: $stored"
pages=$(( stored / 25 ))
CV_QUERY='?page={n}' CV_N=$pages run "list, a random page of 25" "$here/list.lua" /api/v1/accounts/"$CV_STORE"/customers "$DURATION" "$READ_CONNECTIONS"
# The creates' emails end in -<counter>@example.com, one per wrk thread: a search for one
# matches a customer or two, as a search for a person does.
CV_QUERY='?search=-{n}%40example' CV_N=$(( stored / THREADS )) run "search, one customer's email" "$here/list.lua" /api/v1/accounts/"$CV_STORE"/customers "$DURATION" "$READ_CONNECTIONS"
CV_QUERY='?search=Mark&page={n}' CV_N=$pages run "search matching every customer, a random page" "$here/list.lua" /api/v1/accounts/"$CV_STORE"/customers "$DURATION" "$READ_CONNECTIONS"
