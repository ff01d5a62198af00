#!/bin/sh
# Starts a throwaway PostgreSQL cluster on a loopback port for the tests and prints its URL
# (for SIGFORM_TEST_POSTGRES). Installs Debian's postgresql package when no server is found.
# Usage: scripts/test-postgres.sh [DIR] [PORT]; stop it with `pg_ctl -D DIR/data stop`.
set -eu
find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
BIN=$(find_bin)
if [ -z "$BIN" ]; then
    echo "installing PostgreSQL from Debian's packages" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
    BIN=$(find_bin)
fi
DIR=${1:-$(mktemp -d /tmp/sigform-pg.XXXXXX)}
PORT=${2:-55432}
PASSWORD=sigform-test-password
mkdir -p "$DIR"
printf '%s\n' "$PASSWORD" > "$DIR/pwfile"
if [ "$(id -u)" = 0 ]; then
    # PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
    chown -R postgres "$DIR"
    run() { runuser -u postgres -- "$@"; }
else
    run() { "$@"; }
fi
run "$BIN/initdb" -D "$DIR/data" -U sigform --auth=scram-sha-256 --pwfile="$DIR/pwfile" >/dev/null
run "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off" start >/dev/null
echo "postgres://sigform:$PASSWORD@127.0.0.1:$PORT/postgres"
