#!/usr/bin/env bash
# The Azure CLI against `sigform emulator serve --tls`, unchanged: the emulator registered as a
# cloud, a service principal login, then the whole gallery lifecycle with `az group`, `az image`,
# `az sig`, `az role assignment` and `az rest`, each step's result checked.
#
# Run by scripts/azure-clients.sh, which starts the emulator and sets AZ (the CLI), ENDPOINT,
# SUBSCRIPTION, AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, REQUESTS_CA_BUNDLE, and MI_ENDPOINT
# and MI_HEADER (the managed-identity endpoint and its header).
set -euo pipefail

# The CLI's own settings in a throwaway directory; no telemetry, no surveys, no extension installs.
export AZURE_CONFIG_DIR
AZURE_CONFIG_DIR=$(mktemp -d /tmp/sigform-az.XXXXXX)
export AZURE_CORE_COLLECT_TELEMETRY=false AZURE_CORE_SURVEY_MESSAGE=false AZURE_CORE_NO_COLOR=true
export AZURE_EXTENSION_USE_DYNAMIC_INSTALL=no AZURE_CORE_ONLY_SHOW_ERRORS=true
trap 'rm -rf "$AZURE_CONFIG_DIR"' EXIT

RG=rg-azure-cli
GALLERY=gallery_cli
READER=acdd72a7-3385-48ef-bd42-f606fba81ae7

step() { echo "azure-cli: $*"; }
fail() { echo "azure-cli: FAILED: $*" >&2; exit 1; }
expect() { # expect WHAT ACTUAL WANTED
    [ "$2" = "$3" ] || fail "$1: got '$2', wanted '$3'"
}
az() { "$AZ" "$@"; }

step "the emulator as a cloud, and a service principal login"
# A private cloud: MSAL must not ask the public cloud to validate the login endpoint (as for
# Azure Stack, the setting Microsoft documents for it).
az config set core.collect_telemetry=false auto-upgrade.enable=no core.instance_discovery=false >/dev/null
az cloud register -n SigformEmulator --endpoint-resource-manager "$ENDPOINT/" >/dev/null
az cloud set -n SigformEmulator
expect "the cloud's login endpoint" "$(az cloud show -n SigformEmulator --query endpoints.activeDirectory -o tsv)" "$ENDPOINT/"
az login --service-principal -u "$AZURE_CLIENT_ID" -p "$AZURE_CLIENT_SECRET" --tenant "$AZURE_TENANT_ID" >/dev/null
expect "the subscription" "$(az account show --query id -o tsv)" "$SUBSCRIPTION"

step "resource group"
expect "group location" "$(az group create -n $RG -l eastus --query location -o tsv)" "eastus"
expect "group exists" "$(az group exists -n $RG)" "true"
expect "no group" "$(az group exists -n rg-nowhere)" "false"

step "managed image"
image_id=$(az image create -g $RG -n ubuntu-base --os-type Linux --hyper-v-generation V2 \
    --source https://store.blob.core.windows.net/vhds/ubuntu.vhd --query id -o tsv)
[ -n "$image_id" ] || fail "no image id"

step "gallery"
expect "gallery description" "$(az sig create -g $RG -r $GALLERY --description 'from the CLI' --query description -o tsv)" "from the CLI"

step "image definition"
expect "definition sku" "$(az sig image-definition create -g $RG -r $GALLERY -i ubuntu --os-type Linux \
    --hyper-v-generation V2 -p contoso -f ubuntu -s 22.04 --query identifier.sku -o tsv)" "22.04"

step "image version in 3 regions, polled to completion"
state=$(az sig image-version create -g $RG -r $GALLERY -i ubuntu -e 1.0.0 --managed-image "$image_id" \
    --target-regions eastus=2 westeurope southcentralus --query provisioningState -o tsv)
expect "version state" "$state" "Succeeded"

step "show with replication status"
expect "replication" "$(az sig image-version show -g $RG -r $GALLERY -i ubuntu -e 1.0.0 --expand ReplicationStatus \
    --query replicationStatus.aggregatedState -o tsv)" "Completed"
expect "regions" "$(az sig image-version show -g $RG -r $GALLERY -i ubuntu -e 1.0.0 --expand ReplicationStatus \
    --query 'length(replicationStatus.summary)' -o tsv)" "3"

step "lists"
expect "galleries" "$(az sig list -g $RG --query '[].name' -o tsv)" "$GALLERY"
expect "definitions" "$(az sig image-definition list -g $RG -r $GALLERY --query '[].name' -o tsv)" "ubuntu"
expect "versions" "$(az sig image-version list -g $RG -r $GALLERY -i ubuntu --query '[].name' -o tsv)" "1.0.0"

step "update by PUT (az sig update) and by PATCH (az rest)"
expect "updated" "$(az sig update -g $RG -r $GALLERY --set description=updated --query description -o tsv)" "updated"
gallery_id=$(az sig show -g $RG -r $GALLERY --query id -o tsv)
az rest --method patch --url "$gallery_id?api-version=2024-03-03" --body '{"tags": {"owner": "cli"}}' >/dev/null
expect "patched tags" "$(az sig show -g $RG -r $GALLERY --query tags.owner -o tsv)" "cli"
expect "description kept" "$(az sig show -g $RG -r $GALLERY --query description -o tsv)" "updated"
expect "version update" "$(az sig image-version update -g $RG -r $GALLERY -i ubuntu -e 1.0.0 \
    --set publishingProfile.excludeFromLatest=true --query publishingProfile.excludeFromLatest -o tsv)" "true"

step "a forbidden change"
if out=$(az sig image-definition update -g $RG -r $GALLERY -i ubuntu --set osType=Windows 2>&1); then
    fail "changing the definition's osType was accepted"
fi
case "$out" in *PropertyChangeNotAllowed*) ;; *) fail "forbidden change: $out" ;; esac

step "role assignment create, list, delete"
principal=$(python3 -c 'import uuid; print(uuid.uuid4())')
assignment=$(az role assignment create --assignee-object-id "$principal" --assignee-principal-type Group \
    --role Reader --scope "$gallery_id" --query id -o tsv)
expect "assignment role" "$(az role assignment list --scope "$gallery_id" --query "[?principalId=='$principal'].roleDefinitionId | [0]" -o tsv)" \
    "/subscriptions/$SUBSCRIPTION/providers/Microsoft.Authorization/roleDefinitions/$READER"
az role assignment delete --ids "$assignment" >/dev/null
expect "assignment gone" "$(az role assignment list --scope "$gallery_id" --query "length([?principalId=='$principal'])" -o tsv)" "0"

step "Resource Graph"
query='{"subscriptions": ["'"$SUBSCRIPTION"'"], "query": "Resources | where resourceGroup =~ '"'$RG'"' | summarize count() by type | order by type asc"}'
counted=$(az rest --method post --url "/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01" --body "$query" \
    --query "data[?type=='microsoft.compute/galleries'].count_ | [0]" -o tsv)
expect "galleries counted" "$counted" "1"

step "deletes and 404s"
az sig image-version delete -g $RG -r $GALLERY -i ubuntu -e 1.0.0
az sig image-definition delete -g $RG -r $GALLERY -i ubuntu
az sig delete -g $RG -r $GALLERY
if out=$(az sig show -g $RG -r $GALLERY 2>&1); then fail "the deleted gallery is still there"; fi
case "$out" in *ResourceNotFound*|*"was not found"*) ;; *) fail "show after delete: $out" ;; esac
az image delete -g $RG -n ubuntu-base
az group delete -n $RG --yes
expect "group gone" "$(az group exists -n $RG)" "false"

step "managed identity login (App Service's IDENTITY_ENDPOINT and IDENTITY_HEADER)"
az logout
IDENTITY_ENDPOINT=$MI_ENDPOINT IDENTITY_HEADER=$MI_HEADER az login --identity >/dev/null
expect "signed in as" "$(az account show --query user.name -o tsv)" "systemAssignedIdentity"
expect "group as the identity" "$(IDENTITY_ENDPOINT=$MI_ENDPOINT IDENTITY_HEADER=$MI_HEADER az group create -n rg-identity -l eastus --query name -o tsv)" "rg-identity"
IDENTITY_ENDPOINT=$MI_ENDPOINT IDENTITY_HEADER=$MI_HEADER az group delete -n rg-identity --yes
echo "azure-cli: all steps passed"
