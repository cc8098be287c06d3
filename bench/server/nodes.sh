#!/usr/bin/env bash
# Creates/s and validate req/s on each backend, same machine, same run: SQLite (one node),
# PostgreSQL with one node, PostgreSQL with two nodes (one wrk per node, the figures summed).
# PostgreSQL is DATABASE_URL's when set, else a throwaway cluster (mk/postgres.sh) with
# fsync and synchronous_commit on: every acknowledged create is durable in all three.
set -euo pipefail
BIN=${BIN:-target/release/customer-validation}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=$(mktemp -d)
# Its own folder: the cluster runs as another user, who can't enter $dir.
pgdir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  [ -n "${DATABASE_URL:-}" ] || bash "$root/mk/postgres.sh" stop "$pgdir" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

# start NAME DB: a release node on DB; sets $url (and $CV_TOKEN/$CV_STORE from a fresh database).
start() {
  local name=$1 db=$2
  RUST_LOG=warn "$BIN" serve --listen 127.0.0.1:0 --db "$db" --api-rate-limit 1000000000 >"$dir/$name.out" 2>"$dir/$name.err" &
  pids+=($!)
  for _ in $(seq 200); do grep -q '^listening on' "$dir/$name.out" 2>/dev/null && break; sleep 0.1; done
  url=$(sed -n 's/^listening on //p' "$dir/$name.out")
  [ -n "$url" ] || { echo "$name did not start"; cat "$dir/$name.err"; exit 1; }
  if grep -q '^demo token: ' "$dir/$name.out"; then
    CV_TOKEN=$(sed -n 's/^demo token: //p' "$dir/$name.out")
    CV_STORE=$(sed -n 's/^demo store: //p' "$dir/$name.out")
    export CV_TOKEN CV_STORE
  fi
}

# load SCRIPT PATH URL…: wrk on each URL at once (the connections split between them);
# prints the summed req/s and the worst p99.
load() {
  local script=$1 path=$2
  shift 2
  local n=$# i=0 per=$(( CONNECTIONS / $# ))
  for u in "$@"; do
    i=$((i + 1))
    CV_PREFIX="n$i-" wrk -t2 -c"$per" -d"$DURATION" --latency -s "$here/$script" "$u$path" >"$dir/wrk.$i" &
  done
  wait $(jobs -p | tail -n "$n")
  awk '/Requests\/sec/ { rps += $2 } /Non-2xx/ { bad += $NF } /^p99:/ { if ($2 > p99) p99 = $2 }
       END { printf "%.0f req/s, p99 %.1f ms%s\n", rps, p99, (bad ? sprintf(", %d non-2xx", bad) : "") }' "$dir"/wrk.*
  rm -f "$dir"/wrk.*
}

measure() {
  local label=$1
  shift
  echo "== $label"
  printf '  validate store: '; load validate.lua /api/v1/validate/store "$@"
  printf '  create customer: '; load create.lua "/api/v1/accounts/$CV_STORE/customers" "$@"
}

start sqlite "$dir/bench.db"
measure "SQLite, one node" "$url"
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true; pids=()

if [ -n "${DATABASE_URL:-}" ]; then
  base=$DATABASE_URL
else
  base=$(bash "$root/mk/postgres.sh" start "$pgdir" 2>/dev/null)
fi
server=${base%/*}
psql "$base" -qc 'DROP DATABASE IF EXISTS cv_bench_one WITH (FORCE)' -c 'CREATE DATABASE cv_bench_one' \
  -c 'DROP DATABASE IF EXISTS cv_bench_two WITH (FORCE)' -c 'CREATE DATABASE cv_bench_two'

start pg-one "$server/cv_bench_one"
measure "PostgreSQL, one node" "$url"
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true; pids=()

start pg-a "$server/cv_bench_two"; first=$url
start pg-b "$server/cv_bench_two"; second=$url
measure "PostgreSQL, two nodes" "$first" "$second"
psql "$base" -qtc "SELECT 'synchronous_commit: ' || current_setting('synchronous_commit') || ', fsync: ' || current_setting('fsync')"
