#!/bin/sh
# Starts a throwaway PostgreSQL cluster on a loopback port for the tests and prints its URL
# (for SIGFORM_TEST_POSTGRES), with TLS from its own CA. Installs Debian's postgresql package
# when no server is found.
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
# TLS with a throwaway CA, so the tests connect as to a managed server: verified TLS only.
(
    cd "$DIR"
    openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj "/CN=sigform test CA" \
        -keyout ca.key -out ca.crt 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 7 \
        -extfile server.ext -out server.crt 2>/dev/null
    chmod 600 server.key ca.key
)
if [ "$(id -u)" = 0 ]; then
    # PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
    chown -R postgres "$DIR"
    run() { runuser -u postgres -- "$@"; }
else
    run() { "$@"; }
fi
run "$BIN/initdb" -D "$DIR/data" -U sigform --auth=scram-sha-256 --pwfile="$DIR/pwfile" >/dev/null
run "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off \
        -c ssl=on -c ssl_cert_file=$DIR/server.crt -c ssl_key_file=$DIR/server.key" start >/dev/null
echo "postgres://sigform:$PASSWORD@127.0.0.1:$PORT/postgres?sslmode=require&sslrootcert=$DIR/ca.crt"
