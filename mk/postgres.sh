#!/usr/bin/env bash
# A throwaway PostgreSQL for the suite and the benchmark, from Debian's `postgresql`
# package (installed when missing): its own data directory, socket and port under a
# temporary folder, run as the unprivileged `postgres` user when we are root (initdb
# refuses root), and stopped afterwards.
#
#   mk/postgres.sh run CMD…   runs CMD with CV_TEST_POSTGRES set: DATABASE_URL when that is
#                             set, else a throwaway cluster's URL (stopped when CMD ends)
#   mk/postgres.sh start DIR  starts a cluster in DIR and prints its URL
#   mk/postgres.sh stop DIR   stops it and removes DIR
#   mk/postgres.sh pause DIR  stops it, keeping its data (an outage)
#   mk/postgres.sh resume DIR starts it again on the same port
set -euo pipefail

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local dir=$1
  if [ -z "$(bindir)" ]; then
    { apt-get install -y postgresql || { apt-get update && apt-get install -y postgresql; }; } >&2
  fi
  local bin port
  bin=$(bindir)
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$dir"
  fi
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_owner "$bin/initdb" --no-sync -D "$dir/data" -U cv -A trust -E UTF8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  # fsync and synchronous_commit stay on (their defaults, said here so no one wonders):
  # every acknowledged write is on disk, as in production.
  echo "$port" >"$dir/port"
  resume "$dir"
  echo "postgres://cv@127.0.0.1:$port/postgres"
}

resume() {
  local dir=$1
  as_owner "$(bindir)/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
    "-p $(cat "$dir/port") -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=on -c synchronous_commit=on -c shared_buffers=256MB" >&2
}

pause() {
  as_owner "$(bindir)/pg_ctl" -D "$1/data" -m fast -w stop >&2
}

stop() {
  local dir=$1 bin
  bin=$(bindir)
  if [ -n "$bin" ] && [ -d "$dir/data" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start "$2" ;;
  stop) stop "$2" ;;
  pause) pause "$2" ;;
  resume) resume "$2" ;;
  run)
    shift
    if [ -n "${DATABASE_URL:-}" ]; then
      CV_TEST_POSTGRES=$DATABASE_URL "$@"
    else
      dir=$(mktemp -d /tmp/cv-postgres.XXXXXX)
      trap 'stop "$dir"' EXIT
      url=$(start "$dir")
      echo "throwaway PostgreSQL at $url" >&2
      CV_TEST_POSTGRES=$url "$@"
    fi
    ;;
  *) echo "usage: $0 run CMD… | start DIR | stop DIR" >&2; exit 2 ;;
esac
