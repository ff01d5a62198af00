// The Azure SDK for JavaScript against `sigform emulator serve --tls`, unchanged: the whole
// gallery lifecycle through the management clients, each step's result checked.
//
// Run by scripts/azure-clients.sh, which starts the emulator and sets ENDPOINT, SUBSCRIPTION,
// AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_AUTHORITY_HOST and
// NODE_EXTRA_CA_CERTS (the emulator's certificate authority).
import { randomUUID } from "node:crypto";
import { ClientSecretCredential } from "@azure/identity";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { ComputeManagementClient } from "@azure/arm-compute";
import { ResourceGraphClient } from "@azure/arm-resourcegraph";
import { ResourceManagementClient } from "@azure/arm-resources";

const endpoint = process.env.ENDPOINT;
const sub = process.env.SUBSCRIPTION;
const rg = "rg-javascript-sdk";
const gallery = "gallery_javascript";
const reader = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

const step = (name) => console.log(`javascript-sdk: ${name}`);
function check(condition, what) {
  if (!condition) {
    console.error(`javascript-sdk: FAILED: ${what}`);
    process.exit(1);
  }
}
async function all(iterator) {
  const out = [];
  for await (const item of iterator) out.push(item);
  return out;
}

const credential = new ClientSecretCredential(
  process.env.AZURE_TENANT_ID,
  process.env.AZURE_CLIENT_ID,
  process.env.AZURE_CLIENT_SECRET,
  { authorityHost: process.env.AZURE_AUTHORITY_HOST, disableInstanceDiscovery: true },
);
const options = { endpoint, credentialScopes: [`${endpoint}/.default`] };
const resources = new ResourceManagementClient(credential, sub, options);
const compute = new ComputeManagementClient(credential, sub, options);
const authorization = new AuthorizationManagementClient(credential, sub, options);
// This client is of the older generation (ms-rest-js): its endpoint option is `baseUri`.
const graph = new ResourceGraphClient(credential, { ...options, baseUri: endpoint });

step("resource group");
const group = await resources.resourceGroups.createOrUpdate(rg, { location: "eastus" });
check(group.name === rg && group.location === "eastus", `resource group ${JSON.stringify(group)}`);
check((await resources.resourceGroups.checkExistence(rg)).body === true, "checkExistence of the group");
check((await resources.resourceGroups.checkExistence("rg-nowhere")).body === false, "checkExistence of no group");

step("managed image");
const image = await compute.images.beginCreateOrUpdateAndWait(rg, "ubuntu-base", {
  location: "eastus",
  hyperVGeneration: "V2",
  storageProfile: {
    osDisk: {
      osType: "Linux",
      osState: "Generalized",
      blobUri: "https://store.blob.core.windows.net/vhds/ubuntu.vhd",
      diskSizeGB: 30,
    },
  },
});
check(image.provisioningState === "Succeeded", `image ${image.provisioningState}`);

step("gallery");
const created = await compute.galleries.beginCreateOrUpdateAndWait(rg, gallery, {
  location: "eastus",
  description: "from the JavaScript SDK",
});
check(created.description === "from the JavaScript SDK", `gallery ${JSON.stringify(created)}`);
check(created.identifier?.uniqueName, "the gallery's unique name");

step("image definition");
const definition = await compute.galleryImages.beginCreateOrUpdateAndWait(rg, gallery, "ubuntu", {
  location: "eastus",
  osType: "Linux",
  osState: "Generalized",
  hyperVGeneration: "V2",
  identifier: { publisher: "contoso", offer: "ubuntu", sku: "22.04" },
});
check(definition.identifier.sku === "22.04", `definition ${JSON.stringify(definition)}`);

step("image version in 3 regions, polled to completion");
const version = await compute.galleryImageVersions.beginCreateOrUpdateAndWait(rg, gallery, "ubuntu", "1.0.0", {
  location: "eastus",
  publishingProfile: {
    targetRegions: [
      { name: "eastus", regionalReplicaCount: 2 },
      { name: "westeurope", regionalReplicaCount: 1 },
      { name: "southcentralus", regionalReplicaCount: 1 },
    ],
  },
  storageProfile: { source: { id: image.id } },
});
check(version.provisioningState === "Succeeded", `version ${version.provisioningState}`);

step("show with replication status");
const shown = await compute.galleryImageVersions.get(rg, gallery, "ubuntu", "1.0.0", { expand: "ReplicationStatus" });
check(shown.replicationStatus?.aggregatedState === "Completed", `replication ${JSON.stringify(shown.replicationStatus)}`);
check(shown.replicationStatus.summary.length === 3, "one summary per region");

step("lists");
const galleries = await all(compute.galleries.listByResourceGroup(rg));
check(galleries.length === 1 && galleries[0].name === gallery, `galleries ${galleries.map((g) => g.name)}`);
const definitions = await all(compute.galleryImages.listByGallery(rg, gallery));
check(definitions.map((d) => d.name).join() === "ubuntu", "definitions");
const versions = await all(compute.galleryImageVersions.listByGalleryImage(rg, gallery, "ubuntu"));
check(versions.map((v) => v.name).join() === "1.0.0", "versions");

step("update by PATCH and by PUT");
const patched = await compute.galleries.beginUpdateAndWait(rg, gallery, { description: "patched" });
check(patched.description === "patched", `patched ${patched.description}`);
const put = await compute.galleries.beginCreateOrUpdateAndWait(rg, gallery, {
  location: "eastus",
  description: "put again",
  tags: { owner: "javascript" },
});
check(put.description === "put again" && put.tags.owner === "javascript", `put ${JSON.stringify(put)}`);

step("a forbidden change");
try {
  await compute.galleryImages.beginCreateOrUpdateAndWait(rg, gallery, "ubuntu", { ...definition, osType: "Windows" });
  check(false, "changing the definition's osType was accepted");
} catch (e) {
  check(e.statusCode === 409 && e.code === "PropertyChangeNotAllowed", `forbidden change: ${e.statusCode} ${e.code}`);
}

step("role assignment create, list, delete");
const scope = created.id;
const name = randomUUID();
const principal = randomUUID();
const assignment = await authorization.roleAssignments.create(scope, name, {
  roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${reader}`,
  principalId: principal,
  principalType: "Group",
});
check(assignment.principalId === principal, `assignment ${JSON.stringify(assignment)}`);
check((await all(authorization.roleAssignments.listForScope(scope))).some((a) => a.name === name), "listed");
await authorization.roleAssignments.delete(scope, name);
check(!(await all(authorization.roleAssignments.listForScope(scope))).some((a) => a.name === name), "deleted at once");

step("Resource Graph");
const answer = await graph.resources({
  subscriptions: [sub],
  query: `Resources | where type =~ 'microsoft.compute/galleries/images/versions' and resourceGroup =~ '${rg}' | project name, id`,
});
check(answer.totalRecords === 1 && answer.data[0].name === "1.0.0", `graph ${JSON.stringify(answer.data)}`);

step("deletes and 404s");
await compute.galleryImageVersions.beginDeleteAndWait(rg, gallery, "ubuntu", "1.0.0");
await compute.galleryImages.beginDeleteAndWait(rg, gallery, "ubuntu");
await compute.galleries.beginDeleteAndWait(rg, gallery);
try {
  await compute.galleries.get(rg, gallery);
  check(false, "the deleted gallery is still there");
} catch (e) {
  check(e.statusCode === 404, `get after delete: ${e.statusCode}`);
}
await compute.images.beginDeleteAndWait(rg, "ubuntu-base");
await resources.resourceGroups.beginDeleteAndWait(rg);
check((await resources.resourceGroups.checkExistence(rg)).body === false, "the group is gone");
console.log("javascript-sdk: all steps passed");
