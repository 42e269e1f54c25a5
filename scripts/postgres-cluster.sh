#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests (issue 12; ../shared/POSTGRES.md "The server"):
#   postgres-cluster.sh install          Debian's postgresql when absent (as root; else says how)
#   postgres-cluster.sh start DIR PORT   initdb DIR/data, serve on 127.0.0.1:PORT only; prints the URL
#   postgres-cluster.sh stop DIR         stops it by the PID in DIR/data/postmaster.pid, waits
# initdb and postgres refuse to run as root: as root they run as the postgres user, who gets DIR.
# Exit 3 when no PostgreSQL is installed (callers skip, saying so).
set -euo pipefail

bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

as_owner() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  install)
    if bindir >/dev/null; then exit 0; fi
    if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
      echo "postgres-cluster: PostgreSQL is not installed; the PostgreSQL tests need it:" >&2
      echo "postgres-cluster:   sudo apt-get install -y postgresql" >&2
      exit 3
    fi
    log=$(mktemp "${TMPDIR:-/tmp}/totewatch-postgresql.XXXXXX")
    echo "Installing PostgreSQL from Debian for the PostgreSQL tests (under a minute)..."
    if { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; } >"$log" 2>&1; then
      rm -f "$log"
    else
      status=$?
      cat "$log" >&2
      echo "postgres-cluster: installing PostgreSQL failed (exit $status); its output is above" >&2
      exit "$status"
    fi
    ;;
  start)
    dir=${2:?usage: postgres-cluster.sh start DIR PORT}
    port=${3:?usage: postgres-cluster.sh start DIR PORT}
    bin=$(bindir) || { echo "postgres-cluster: PostgreSQL is not installed" >&2; exit 3; }
    mkdir -p "$dir"
    if [ "$(id -u)" = "0" ]; then
      chown postgres "$dir"
      runuser -u postgres -- test -w "$dir" ||
        { echo "postgres-cluster: the postgres user cannot reach $dir: make its parent folders traversable (chmod o+x)" >&2; exit 1; }
    fi
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 -o \
      "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgresql://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    dir=${2:?usage: postgres-cluster.sh stop DIR}
    pidfile="$dir/data/postmaster.pid"
    [ -f "$pidfile" ] || exit 0
    pid=$(head -1 "$pidfile")
    # SIGINT: PostgreSQL's fast shutdown (sessions ended, then a clean stop).
    kill -INT "$pid" 2>/dev/null || exit 0
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || exit 0
      sleep 0.1
    done
    echo "postgres-cluster: server $pid did not stop within 10 s" >&2
    exit 1
    ;;
  *)
    echo "usage: postgres-cluster.sh install | start DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
