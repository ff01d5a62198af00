"""The Azure SDK for Python against `sigform emulator serve --tls`, unchanged: the whole gallery
lifecycle through the management clients, each step's result checked, not only that it ran.

Run by scripts/azure-clients.sh, which starts the emulator and sets ENDPOINT, SUBSCRIPTION,
AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_AUTHORITY_HOST and REQUESTS_CA_BUNDLE.
"""

import os
import sys
import uuid

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.identity import ClientSecretCredential
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.authorization.models import RoleAssignmentCreateParameters
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.compute import models as m
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resourcegraph import ResourceGraphClient
from azure.mgmt.resourcegraph.models import QueryRequest

ENDPOINT = os.environ["ENDPOINT"]
SUB = os.environ["SUBSCRIPTION"]
RG = "rg-python-sdk"
GALLERY = "gallery_python"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"


def step(name):
    print(f"python-sdk: {name}", flush=True)


def check(condition, what):
    if not condition:
        print(f"python-sdk: FAILED: {what}", file=sys.stderr, flush=True)
        sys.exit(1)


def main():
    credential = ClientSecretCredential(
        os.environ["AZURE_TENANT_ID"],
        os.environ["AZURE_CLIENT_ID"],
        os.environ["AZURE_CLIENT_SECRET"],
        authority=os.environ["AZURE_AUTHORITY_HOST"],
        disable_instance_discovery=True,
    )
    common = {"base_url": ENDPOINT, "credential_scopes": [f"{ENDPOINT}/.default"]}
    resources = ResourceManagementClient(credential, SUB, **common)
    compute = ComputeManagementClient(credential, SUB, **common)
    authorization = AuthorizationManagementClient(credential, SUB, **common)
    graph = ResourceGraphClient(credential, **common)

    step("resource group")
    group = resources.resource_groups.create_or_update(RG, {"location": "eastus"})
    check(group.name == RG and group.location == "eastus", f"resource group {group}")
    check(resources.resource_groups.check_existence(RG), "check_existence of the group")
    check(not resources.resource_groups.check_existence("rg-nowhere"), "check_existence of no group")

    step("managed image")
    image = compute.images.begin_create_or_update(
        RG,
        "ubuntu-base",
        m.Image(
            location="eastus",
            hyper_v_generation="V2",
            storage_profile=m.ImageStorageProfile(
                os_disk=m.ImageOSDisk(
                    os_type="Linux",
                    os_state="Generalized",
                    blob_uri="https://store.blob.core.windows.net/vhds/ubuntu.vhd",
                    disk_size_gb=30,
                )
            ),
        ),
    ).result()
    check(image.provisioning_state == "Succeeded", f"image state {image.provisioning_state}")

    step("gallery")
    gallery = compute.galleries.begin_create_or_update(
        RG, GALLERY, m.Gallery(location="eastus", description="from the Python SDK")
    ).result()
    check(gallery.description == "from the Python SDK", f"gallery {gallery}")
    check(gallery.identifier and gallery.identifier.unique_name, "the gallery's unique name")

    step("image definition")
    definition = compute.gallery_images.begin_create_or_update(
        RG,
        GALLERY,
        "ubuntu",
        m.GalleryImage(
            location="eastus",
            os_type="Linux",
            os_state="Generalized",
            hyper_v_generation="V2",
            identifier=m.GalleryImageIdentifier(publisher="contoso", offer="ubuntu", sku="22.04"),
        ),
    ).result()
    check(definition.identifier.sku == "22.04", f"definition {definition}")

    step("image version in 3 regions, polled to completion")
    version = compute.gallery_image_versions.begin_create_or_update(
        RG,
        GALLERY,
        "ubuntu",
        "1.0.0",
        m.GalleryImageVersion(
            location="eastus",
            publishing_profile=m.GalleryImageVersionPublishingProfile(
                target_regions=[
                    m.TargetRegion(name="eastus", regional_replica_count=2),
                    m.TargetRegion(name="westeurope", regional_replica_count=1),
                    m.TargetRegion(name="southcentralus", regional_replica_count=1),
                ]
            ),
            storage_profile=m.GalleryImageVersionStorageProfile(
                source=m.GalleryArtifactVersionFullSource(id=image.id)
            ),
        ),
    ).result()
    check(version.provisioning_state == "Succeeded", f"version state {version.provisioning_state}")
    regions = sorted(r.name.replace(" ", "").lower() for r in version.publishing_profile.target_regions)
    check(regions == ["eastus", "southcentralus", "westeurope"], f"target regions {regions}")

    step("show with replication status")
    shown = compute.gallery_image_versions.get(RG, GALLERY, "ubuntu", "1.0.0", expand="ReplicationStatus")
    status = shown.replication_status
    check(status is not None and status.aggregated_state == "Completed", f"replication status {status}")
    check(len(status.summary) == 3, f"one summary per region: {status.summary}")

    step("lists")
    check([g.name for g in compute.galleries.list_by_resource_group(RG)] == [GALLERY], "galleries of the group")
    check(any(g.name == GALLERY for g in compute.galleries.list()), "galleries of the subscription")
    check([d.name for d in compute.gallery_images.list_by_gallery(RG, GALLERY)] == ["ubuntu"], "definitions")
    versions = [v.name for v in compute.gallery_image_versions.list_by_gallery_image(RG, GALLERY, "ubuntu")]
    check(versions == ["1.0.0"], f"versions {versions}")

    step("update by PATCH and by PUT")
    patched = compute.galleries.begin_update(RG, GALLERY, m.GalleryUpdate(description="patched")).result()
    check(patched.description == "patched", f"patched {patched.description}")
    gallery.description = "put again"
    gallery.tags = {"owner": "python"}
    put = compute.galleries.begin_create_or_update(RG, GALLERY, gallery).result()
    check(put.description == "put again" and put.tags == {"owner": "python"}, f"put {put}")
    check(compute.galleries.get(RG, GALLERY).tags == {"owner": "python"}, "the tags stayed")

    step("a forbidden change")
    definition.os_type = "Windows"
    try:
        compute.gallery_images.begin_create_or_update(RG, GALLERY, "ubuntu", definition).result()
        check(False, "changing the definition's osType was accepted")
    except HttpResponseError as e:
        check(e.status_code == 409 and e.error.code == "PropertyChangeNotAllowed", f"{e.status_code} {e.error}")

    step("role assignment create, list, delete")
    scope = gallery.id
    name = str(uuid.uuid4())
    principal = str(uuid.uuid4())
    created = authorization.role_assignments.create(
        scope,
        name,
        RoleAssignmentCreateParameters(
            role_definition_id=f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{READER}",
            principal_id=principal,
            principal_type="Group",
        ),
    )
    check(created.principal_id == principal, f"assignment {created}")
    listed = [a.name for a in authorization.role_assignments.list_for_scope(scope)]
    check(name in listed, f"assignments {listed}")
    reader = authorization.role_definitions.get(scope, READER)
    check(reader.role_name == "Reader", f"role definition {reader}")
    deleted = authorization.role_assignments.delete(scope, name)
    check(deleted is not None and deleted.name == name, f"deleted {deleted}")
    listed = [a.name for a in authorization.role_assignments.list_for_scope(scope)]
    check(name not in listed, "the assignment is gone at once")

    step("Resource Graph")
    answer = graph.resources(
        QueryRequest(
            subscriptions=[SUB],
            query="Resources | where type =~ 'microsoft.compute/galleries' and resourceGroup =~ 'rg-python-sdk' | project name, location",
        )
    )
    check(answer.total_records == 1 and answer.data[0]["name"] == GALLERY, f"graph {answer.data}")
    counted = graph.resources(
        QueryRequest(
            subscriptions=[SUB],
            query="Resources | where resourceGroup =~ 'rg-python-sdk' | summarize count() by type | order by type asc",
        )
    )
    types = {row["type"]: row["count_"] for row in counted.data}
    check(types.get("microsoft.compute/galleries/images/versions") == 1, f"counts {types}")
    try:
        graph.resources(QueryRequest(subscriptions=[SUB], query="Resources | join kind=inner (Resources) on id"))
        check(False, "an unsupported query was answered")
    except HttpResponseError as e:
        check(e.status_code == 400, f"unsupported query: {e.status_code}")

    step("deletes and 404s")
    compute.gallery_image_versions.begin_delete(RG, GALLERY, "ubuntu", "1.0.0").result()
    compute.gallery_images.begin_delete(RG, GALLERY, "ubuntu").result()
    compute.galleries.begin_delete(RG, GALLERY).result()
    try:
        compute.galleries.get(RG, GALLERY)
        check(False, "the deleted gallery is still there")
    except ResourceNotFoundError as e:
        check(e.status_code == 404, f"get after delete: {e.status_code}")
    compute.images.begin_delete(RG, "ubuntu-base").result()
    resources.resource_groups.begin_delete(RG).result()
    check(not resources.resource_groups.check_existence(RG), "the group is gone")
    print("python-sdk: all steps passed", flush=True)


if __name__ == "__main__":
    main()
