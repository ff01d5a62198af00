#!/usr/bin/env bash
# Azure's own clients against `sigform emulator serve --tls`, unchanged: the Azure SDK for Python,
# the Azure CLI and the Azure SDK for JavaScript each drive the whole gallery lifecycle (resource
# group, managed image, gallery, definition, a version in three regions polled to completion,
# show with replication status, lists, PATCH and PUT updates, a forbidden change, role
# assignments, Resource Graph, deletes and 404s), signed in as a service principal through the
# emulator's own token endpoint, trusting its generated CA. Traffic stays on loopback.
#
# Usage: scripts/azure-clients.sh [SIGFORM_BINARY]   (default: target/release/sigform)
# The pinned clients are installed once under target/azure-clients (AZURE_CLIENTS_DIR moves it):
# two Python virtual environments (the SDK; the CLI, which pins its own SDK versions) and the
# JavaScript packages of scripts/azure-clients/js (npm ci, run with the machine's Node.js).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
sigform=$(realpath "${1:-target/release/sigform}")
clients=${AZURE_CLIENTS_DIR:-$root/target/azure-clients}
here=$root/scripts/azure-clients

install_venv() { # DIR REQUIREMENTS
    if [ ! -f "$1/.installed" ] || ! cmp -s "$2" "$1/.installed"; then
        rm -rf "$1"
        python3 -m venv "$1"
        "$1/bin/pip" install --quiet --disable-pip-version-check -r "$2"
        cp "$2" "$1/.installed"
    fi
}
echo "azure-clients: installing the pinned clients (once) under $clients"
install_venv "$clients/python-sdk" "$here/requirements-sdk.txt"
install_venv "$clients/azure-cli" "$here/requirements-cli.txt"
(cd "$here/js" && npm ci --silent --no-audit --no-fund)

work=$(mktemp -d /tmp/sigform-azure-clients.XXXXXX)
server_pid=
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

tenant=00000000-0000-0000-0000-000000000000
subscription=00000000-0000-0000-0000-000000000000
client=5161f0a0-0000-4000-8000-00000000c11e
# Hex, not URL-safe base64: a value starting with `-` would be read as an option (a CI run failed so).
secret=$(python3 -c 'import secrets; print(secrets.token_hex(24))')
db=$work/emulator.db
"$sigform" --emulator-db "$db" emulator add-principal "$client" --tenant "$tenant" --type ServicePrincipal \
    --name azure-clients --owner "$subscription" --secret "$secret" >/dev/null
identity_header=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
SIGFORM_EMULATOR_TIME_SCALE=0 "$sigform" --emulator-db "$db" emulator serve --listen 127.0.0.1:0 --tls \
    --identity-header "$identity_header" >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
for _ in $(seq 1 100); do
    endpoint=$(grep -o 'https://127\.0\.0\.1:[0-9]*' "$work/serve.out" | head -n 1 || true)
    [ -n "$endpoint" ] && break
    sleep 0.1
done
[ -n "$endpoint" ] || { cat "$work/serve.err" >&2; echo "azure-clients: the emulator did not start" >&2; exit 1; }
ca=$work/emulator-ca.pem
echo "azure-clients: emulator at $endpoint"

# Only what the clients need: no inherited credentials or CA bundles.
run() {
    env -u SSL_CERT_FILE -u AZURE_ACCESS_TOKEN -u AZURE_CONFIG_DIR \
        ENDPOINT="$endpoint" SUBSCRIPTION="$subscription" \
        AZURE_TENANT_ID="$tenant" AZURE_CLIENT_ID="$client" AZURE_CLIENT_SECRET="$secret" \
        AZURE_AUTHORITY_HOST="$endpoint" REQUESTS_CA_BUNDLE="$ca" NODE_EXTRA_CA_CERTS="$ca" \
        MI_ENDPOINT="$endpoint/metadata/identity/oauth2/token" MI_HEADER="$identity_header" \
        AZ="$clients/azure-cli/bin/az" "$@"
}
run "$clients/python-sdk/bin/python" "$here/python_sdk.py"
run bash "$here/azure_cli.sh"
run node "$here/js/lifecycle.mjs"
echo "azure-clients: Python SDK, Azure CLI and JavaScript SDK all passed"
