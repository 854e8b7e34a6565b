#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server on loopback for the store's tests.
#
#   eval "$(scripts/postgres-test.sh start)"   # prints the export lines
#   go test ./internal/store/...               # now also on PostgreSQL
#   scripts/postgres-test.sh stop              # stops it, removes its data
#
# PGTEST_PORT (default 55433) is the port on 127.0.0.1; the server's data
# and socket live in PGTEST_DIR (default $TMPDIR/rootguard-pgtest-PORT).
# PostgreSQL refuses to run as root, so as root the server runs as the
# postgres user (runuser). Trust authentication, fsync off: for tests only.
set -euo pipefail

pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
port=${PGTEST_PORT:-55433}
dir=${PGTEST_DIR:-${TMPDIR:-/tmp}/rootguard-pgtest-$port}

# as_server runs a command as the server's user.
as_server() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "${1:-}" in
start)
  if [ ! -x "$pg_bin/initdb" ]; then
    echo "postgres-test: no PostgreSQL 15 in $pg_bin (Debian: apt-get install postgresql-15, or set PG_BIN)" >&2
    exit 1
  fi
  if [ -e "$dir" ]; then
    echo "postgres-test: $dir exists: a server from an earlier start? run '$0 stop' first" >&2
    exit 1
  fi
  mkdir -p "$dir"
  chmod 700 "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
  as_server "$pg_bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
    { echo "postgres-test: initdb failed:" >&2; cat "$dir/initdb.log" >&2; exit 1; }
  as_server "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >&2 ||
    { echo "postgres-test: the server did not start (port $port taken?):" >&2; tail -20 "$dir/server.log" >&2; exit 1; }
  echo "export ROOTGUARD_TEST_POSTGRES='postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable'"
  ;;
stop)
  if [ -d "$dir/data" ]; then
    as_server "$pg_bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|stop" >&2
  exit 2
  ;;
esac
