//! The mapping both ways: azurerm attributes survive ARM's shape unchanged, and ARM's own
//! examples (azure-rest-api-specs, Microsoft.Compute GalleryRP) read as the attributes they mean.

use super::*;

const SUB: &str = "00000000-0000-0000-0000-000000000000";

fn no_roles(_: &str) -> Option<String> {
    None
}

/// What the emulator holds after the quickstart, per kind: attributes must come back exactly.
fn stored() -> Vec<(ResourceKind, &'static str, Json)> {
    let rg = format!("/subscriptions/{SUB}/resourceGroups/rg");
    let gallery = format!("{rg}/providers/Microsoft.Compute/galleries/golden");
    vec![
        (ResourceKind::ResourceGroup, "", json!({"name": "rg", "location": "eastus", "tags": {"env": "prod"}})),
        (
            ResourceKind::ManagedImage,
            "/providers/Microsoft.Compute/images/base",
            json!({"name": "base", "resource_group_name": "rg", "location": "eastus", "hyper_v_generation": "V2",
                   "os_disk": [{"os_type": "Linux", "os_state": "Generalized", "blob_uri": "https://x.blob.core.windows.net/a.vhd",
                                "caching": "None", "size_gb": 30}]}),
        ),
        (
            ResourceKind::Gallery,
            "/providers/Microsoft.Compute/galleries/golden",
            json!({"name": "golden", "resource_group_name": "rg", "location": "eastus", "description": "d",
                   "tags": {"owner": "platform"}, "unique_name": "a4cc01e4-GOLDEN"}),
        ),
        (
            ResourceKind::ImageDefinition,
            "/providers/Microsoft.Compute/galleries/golden/images/ubuntu",
            json!({"name": "ubuntu", "gallery_name": "golden", "resource_group_name": "rg", "location": "eastus",
                   "os_type": "Linux", "hyper_v_generation": "V2", "architecture": "x64", "specialized": true,
                   "eula": "e", "privacy_statement_uri": "https://p", "release_note_uri": "https://r",
                   "end_of_life_date": "2030-01-01T00:00:00Z", "min_recommended_vcpu_count": 2,
                   "max_recommended_vcpu_count": 8, "min_recommended_memory_in_gb": 4, "max_recommended_memory_in_gb": 32,
                   "identifier": [{"publisher": "contoso", "offer": "o", "sku": "s"}]}),
        ),
        (
            ResourceKind::ImageVersion,
            "/providers/Microsoft.Compute/galleries/golden/images/ubuntu/versions/1.0.0",
            json!({"name": "1.0.0", "gallery_name": "golden", "image_name": "ubuntu", "resource_group_name": "rg",
                   "location": "eastus", "managed_image_id": format!("{rg}/providers/Microsoft.Compute/images/base"),
                   "replica_count": 1, "exclude_from_latest": false, "storage_account_type": "Standard_LRS",
                   "end_of_life_date": "2030-01-01T00:00:00Z",
                   "target_region": [
                       {"name": "East US", "regional_replica_count": 2, "storage_account_type": "Standard_LRS", "exclude_from_latest_enabled": false},
                       {"name": "West Europe", "regional_replica_count": 1, "storage_account_type": "Standard_ZRS", "exclude_from_latest_enabled": true}]}),
        ),
        (
            ResourceKind::RoleAssignment,
            "/providers/Microsoft.Compute/galleries/golden/providers/Microsoft.Authorization/roleAssignments/377befc9-e52b-54a4-96b5-66cae13cdbf4",
            json!({"name": "377befc9-e52b-54a4-96b5-66cae13cdbf4", "scope": gallery, "role_definition_name": "Reader",
                   "role_definition_id": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"),
                   "principal_id": "11111111-2222-3333-4444-555555555555", "principal_type": "Group", "description": "team"}),
        ),
    ]
}

/// What the emulator holds for one of `stored()`: its id, and the resource with the id filled in.
fn stored_resource(kind: ResourceKind, suffix: &str, attrs: &Json) -> (String, CloudResource) {
    let id = format!("/subscriptions/{SUB}/resourceGroups/rg{suffix}");
    let mut attributes = attrs.clone();
    attributes["id"] = json!(id);
    let resource = CloudResource {
        id: id.clone(),
        kind,
        subscription: SUB.into(),
        location: attrs.get("location").and_then(Json::as_str).map(str::to_string),
        attributes,
        provisioning_state: "Succeeded".into(),
        replication: vec![],
    };
    (id, resource)
}

#[test]
fn attributes_survive_a_round_trip_through_arm() {
    for (kind, suffix, attrs) in stored() {
        let (id, resource) = stored_resource(kind, suffix, &attrs);
        let expected = resource.attributes.clone();
        // The service's answer, read by the client.
        let answer = response(&resource, false);
        assert_eq!(answer["id"], json!(id), "{kind:?}");
        assert_eq!(answer["type"], json!(arm_type(kind)), "{kind:?}");
        let read = super::resource(&answer, &|d| built_in_role_name(d).map(str::to_string)).unwrap();
        assert_eq!(read.attributes, expected, "{kind:?}: read back");
        assert_eq!(read, resource, "{kind:?}");
        // The client's request, read by the service (without what the service computes).
        let mut sent = attrs.clone();
        sent.as_object_mut().unwrap().remove("unique_name");
        let role = built_in_role_guid("Reader").map(|g| role_definition_id(SUB, g));
        let body = request_body(kind, &sent, role.as_deref());
        let mut received = attributes(kind, &id, &body, &|d| built_in_role_name(d).map(str::to_string));
        received.as_object_mut().unwrap().remove("id");
        assert_eq!(received, sent, "{kind:?}: request read by the service");
    }
}

/// GalleryImage_Create.json (2023-07-03): the request body sigform sends for the same definition.
#[test]
fn definition_create_request_has_the_specification_shape() {
    let attrs = json!({"name": "myGalleryImageName", "gallery_name": "myGalleryName", "resource_group_name": "myResourceGroup",
        "location": "West US", "os_type": "Windows", "specialized": false, "hyper_v_generation": "V1",
        "identifier": [{"publisher": "myPublisherName", "offer": "myOfferName", "sku": "mySkuName"}]});
    let body = request_body(ResourceKind::ImageDefinition, &attrs, None);
    assert_eq!(
        body,
        json!({"location": "West US", "properties": {"osType": "Windows", "osState": "Generalized", "hyperVGeneration": "V1",
            "identifier": {"publisher": "myPublisherName", "offer": "myOfferName", "sku": "mySkuName"}}})
    );
}

/// GalleryImageVersion_Create.json with a managed image source: targetRegions with per-region
/// replica counts and storage types, `storageProfile.source.id`.
#[test]
fn version_create_request_has_the_specification_shape() {
    let image =
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.Compute/images/{imageName}";
    let attrs = json!({"name": "1.0.0", "location": "West US", "managed_image_id": image,
        "target_region": [
            {"name": "West US", "regional_replica_count": 1, "storage_account_type": "Standard_LRS", "exclude_from_latest_enabled": false},
            {"name": "East US", "regional_replica_count": 2, "storage_account_type": "Standard_ZRS", "exclude_from_latest_enabled": false}]});
    let body = request_body(ResourceKind::ImageVersion, &attrs, None);
    assert_eq!(
        body,
        json!({"location": "West US", "properties": {
            "publishingProfile": {"targetRegions": [
                {"name": "West US", "regionalReplicaCount": 1, "storageAccountType": "Standard_LRS", "excludeFromLatest": false},
                {"name": "East US", "regionalReplicaCount": 2, "storageAccountType": "Standard_ZRS", "excludeFromLatest": false}]},
            "storageProfile": {"source": {"id": image}}}})
    );
}

/// GalleryImageVersion_Create_WithSnapshotsAsSource.json and _WithVHD.json: a snapshot is the OS
/// disk image's source id; a VHD is its source uri with the storage account that holds it. Both
/// read back as the azurerm attributes they came from.
#[test]
fn version_sources_have_the_specification_shape() {
    let snapshot = "/subscriptions/{subscriptionId}/resourceGroups/myResourceGroup/providers/Microsoft.Compute/snapshots/{osSnapshotName}";
    let account = "/subscriptions/{subscriptionId}/resourceGroups/myResourceGroup/providers/Microsoft.Storage/storageAccounts/{storageAccount}";
    let uri = "https://gallerysourcencus.blob.core.windows.net/myvhds/Windows-Server-2012-R2-20171216-en.us-128GB.vhd";
    let cases = [
        (json!({"os_disk_snapshot_id": snapshot}), json!({"osDiskImage": {"source": {"id": snapshot}}})),
        (
            json!({"blob_uri": uri, "storage_account_id": account}),
            json!({"osDiskImage": {"source": {"uri": uri, "storageAccountId": account}}}),
        ),
    ];
    let id = format!(
        "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/i/versions/1.0.0"
    );
    for (source, storage_profile) in cases {
        let mut attrs = json!({"location": "West US", "target_region": [{"name": "West US"}]});
        attrs.as_object_mut().unwrap().extend(source.as_object().unwrap().clone());
        let body = request_body(ResourceKind::ImageVersion, &attrs, None);
        assert_eq!(body["properties"]["storageProfile"], storage_profile);
        let back = attributes(ResourceKind::ImageVersion, &id, &body, &no_roles);
        for (k, v) in source.as_object().unwrap() {
            assert_eq!(&back[k], v, "{k}");
        }
        assert!(back.get("managed_image_id").is_none_or(Json::is_null));
    }
}

/// GalleryImageVersion_Get_WithReplicationStatus.json: the response has no `id` (the client
/// knows what it asked for), carries fields sigform does not model (`publishedDate`,
/// `osDiskImage`, ...) and per-region replication with display names.
#[test]
fn version_response_with_replication_status_is_read() {
    let id = "/subscriptions/{subscriptionId}/resourceGroups/myResourceGroup/providers/Microsoft.Compute/galleries/myGalleryName/images/myGalleryImageName/versions/1.0.0";
    let mut answer = json!({
        "properties": {
            "publishingProfile": {
                "targetRegions": [
                    {"name": "West US", "regionalReplicaCount": 1, "storageAccountType": "Standard_LRS"},
                    {"name": "East US", "regionalReplicaCount": 2, "storageAccountType": "Standard_ZRS"}],
                "replicaCount": 1, "excludeFromLatest": false, "publishedDate": "2018-01-01T00:00:00Z",
                "endOfLifeDate": "2019-01-01T00:00:00Z", "storageAccountType": "Standard_ZRS"},
            "storageProfile": {
                "source": {"id": "/subscriptions/{subscriptionId}/resourceGroups/myResourceGroup/providers/Microsoft.Compute/images/{imageName}"},
                "osDiskImage": {"sizeInGB": 10, "hostCaching": "ReadOnly"}},
            "replicationStatus": {"aggregatedState": "Completed", "summary": [
                {"region": "West US", "state": "Completed", "details": "", "progress": 100},
                {"region": "East US", "state": "Replicating", "details": "", "progress": 40}]},
            "provisioningState": "Succeeded"},
        "location": "West US",
        "name": "1.0.0"
    });
    answer["id"] = json!(id);
    let r = super::resource(&answer, &no_roles).unwrap();
    assert_eq!(r.kind, ResourceKind::ImageVersion);
    assert_eq!(r.attributes["gallery_name"], "myGalleryName");
    assert_eq!(r.attributes["image_name"], "myGalleryImageName");
    assert_eq!(r.attributes["end_of_life_date"], "2019-01-01T00:00:00Z");
    assert_eq!(
        r.attributes["target_region"][1],
        json!({"name": "East US", "regional_replica_count": 2, "storage_account_type": "Standard_ZRS"})
    );
    // The publication date is read (retention and `recent` go by it); what sigform does not
    // model is not.
    assert!(r.attributes.get("published_date").is_some_and(Json::is_string), "{}", r.attributes);
    assert!(r.attributes.get("osDiskImage").is_none());
    assert_eq!(
        r.replication,
        vec![
            RegionReplication { region: "westus".into(), state: "Completed".into(), progress: 100 },
            RegionReplication { region: "eastus".into(), state: "Replicating".into(), progress: 40 },
        ]
    );
}

/// Gallery_Get.json: `identifier.uniqueName` is the computed `unique_name`; role assignments
/// name their role by definition id.
#[test]
fn gallery_and_role_assignment_responses_are_read() {
    let gallery = json!({"id": "/subscriptions/s/resourceGroups/myResourceGroup/providers/Microsoft.Compute/galleries/myGalleryName",
        "properties": {"description": "This is the gallery description.", "identifier": {"uniqueName": "{subscription-id}-MYGALLERYNAME"},
        "provisioningState": "Succeeded"}, "location": "West US", "name": "myGalleryName"});
    let r = super::resource(&gallery, &no_roles).unwrap();
    assert_eq!(r.attributes["unique_name"], "{subscription-id}-MYGALLERYNAME");
    assert_eq!(r.attributes["resource_group_name"], "myResourceGroup");
    let assignment = json!({"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments/b0f43c54-e787-4862-89b1-a653fa9cf747",
        "name": "b0f43c54-e787-4862-89b1-a653fa9cf747", "type": "Microsoft.Authorization/roleAssignments",
        "properties": {"roleDefinitionId": "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7",
            "principalId": "ce2ce14e-85d7-4629-bdbc-454d0519d987", "principalType": "User", "scope": "/subscriptions/s/resourceGroups/rg"}});
    let r = super::resource(&assignment, &|d| built_in_role_name(d).map(str::to_string)).unwrap();
    assert_eq!(r.attributes["role_definition_name"], "Reader");
    assert_eq!(r.attributes["scope"], "/subscriptions/s/resourceGroups/rg");
    assert_eq!(r.provisioning_state, "Succeeded");
}

#[test]
fn what_is_not_a_resource_is_refused() {
    assert!(super::resource(&json!({"name": "x"}), &no_roles).is_err());
    assert!(super::resource(&json!({"id": "/subscriptions/s/providers/Microsoft.Web/sites/x"}), &no_roles).is_err());
}

/// RoleAssignments_CreateForResourceGroup.json (2022-04-01): only the role definition id, the
/// principal and its type; the scope is the id itself.
#[test]
fn role_assignment_request_has_the_specification_shape() {
    let attrs = json!({"name": "05c5a614-a7d6-4502-b150-c2fb455033ff", "scope": "/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2/resourceGroups/testrg",
        "role_definition_name": "Contributor", "principal_id": "ce2ce14e-85d7-4629-bdbc-454d0519d987", "principal_type": "User"});
    let definition =
        role_definition_id("a925f2f7-5c63-4b7b-8799-25a5f97bc3b2", built_in_role_guid("contributor").unwrap());
    assert_eq!(
        request_body(ResourceKind::RoleAssignment, &attrs, Some(&definition)),
        json!({"properties": {
            "roleDefinitionId": "/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c",
            "principalId": "ce2ce14e-85d7-4629-bdbc-454d0519d987", "principalType": "User"}})
    );
}

/// Resource Graph rows read as the same resources a GET returns, and the served emulator
/// understands the query the client sends (and refuses KQL it cannot answer).
#[test]
fn graph_rows_and_queries() {
    for (kind, suffix, attrs) in stored().into_iter().filter(|(_, s, _)| s.contains("/galleries/")) {
        let (_, resource) = stored_resource(kind, suffix, &attrs);
        let row = graph_row(&resource);
        assert_eq!(row["type"], json!(arm_type(kind).to_ascii_lowercase()), "{kind:?}");
        assert_eq!(row["subscriptionId"], json!(SUB));
        assert_eq!(row["resourceGroup"], json!("rg"));
        let read = super::resource(&row, &|d| built_in_role_name(d).map(str::to_string)).unwrap();
        assert_eq!(read, resource, "{kind:?}");
    }
    let kinds = [ResourceKind::ImageDefinition, ResourceKind::ImageVersion];
    let query = graph_query(&kinds);
    assert_eq!(
        query,
        "resources | where type in~ ('microsoft.compute/galleries/images', 'microsoft.compute/galleries/images/versions') | order by id asc"
    );
}

/// Security type and the other definition features travel as ARM's `features` name/value list,
/// `disk_types_not_allowed` as `disallowed.diskTypes` and the purchase plan as `purchasePlan`;
/// read back, they are the same attributes, and a controller list naming NVMe in another order
/// still reads as NVMe enabled.
#[test]
fn definition_features_travel_as_arms_name_value_list() {
    let attrs = json!({
        "name": "ubuntu", "gallery_name": "golden", "resource_group_name": "rg", "location": "East US",
        "os_type": "Linux", "hyper_v_generation": "V2",
        "trusted_launch_supported": true, "accelerated_network_support_enabled": true,
        "disk_controller_type_nvme_enabled": true, "hibernation_enabled": false,
        "disk_types_not_allowed": ["Premium_LRS", "Standard_LRS"],
        "purchase_plan": [{"name": "plan", "publisher": "contoso", "product": "hardened"}],
        "identifier": [{"publisher": "contoso", "offer": "o", "sku": "s"}],
    });
    let body = request_body(ResourceKind::ImageDefinition, &attrs, None);
    assert_eq!(
        body["properties"]["features"],
        json!([
            {"name": "SecurityType", "value": "TrustedLaunchSupported"},
            {"name": "IsAcceleratedNetworkSupported", "value": "true"},
            {"name": "DiskControllerTypes", "value": "SCSI, NVMe"},
        ])
    );
    assert_eq!(body["properties"]["disallowed"], json!({"diskTypes": ["Premium_LRS", "Standard_LRS"]}));
    assert_eq!(
        body["properties"]["purchasePlan"],
        json!({"name": "plan", "publisher": "contoso", "product": "hardened"})
    );
    let id =
        format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/galleries/golden/images/ubuntu");
    let back = attributes(ResourceKind::ImageDefinition, &id, &body, &no_roles);
    for flag in ["trusted_launch_supported", "accelerated_network_support_enabled", "disk_controller_type_nvme_enabled"]
    {
        assert_eq!(back[flag], json!(true), "{flag}");
    }
    for flag in
        ["trusted_launch_enabled", "confidential_vm_supported", "confidential_vm_enabled", "hibernation_enabled"]
    {
        assert!(back.get(flag).is_none(), "{flag} is not there, so it is its default");
    }
    assert_eq!(back["purchase_plan"], attrs["purchase_plan"]);
    let reordered = json!({"properties": {"features": [{"name": "diskcontrollertypes", "value": "NVMe,SCSI"}]}});
    assert_eq!(
        attributes(ResourceKind::ImageDefinition, &id, &reordered, &no_roles)["disk_controller_type_nvme_enabled"],
        json!(true)
    );
    let only_trusted = json!({"properties": {"features": [{"name": "SecurityType", "value": "TrustedLaunch"}]}});
    let read = attributes(ResourceKind::ImageDefinition, &id, &only_trusted, &no_roles);
    assert_eq!((read.get("trusted_launch_enabled"), read.get("trusted_launch_supported")), (Some(&json!(true)), None));
}

/// ARM answers with canonical ids (its casing of the type segments) and normalized locations,
/// whatever the request's casing was.
#[test]
fn answers_carry_canonical_ids_and_normalized_locations() {
    let id = "/subscriptions/s/resourcegroups/RG-One/providers/microsoft.compute/galleries/Gal";
    let resource = CloudResource {
        id: id.into(),
        kind: ResourceKind::Gallery,
        subscription: "s".into(),
        location: Some("East US".into()),
        attributes: json!({"name": "Gal", "resource_group_name": "RG-One", "location": "East US"}),
        provisioning_state: "Succeeded".into(),
        replication: vec![],
    };
    let answer = response(&resource, false);
    assert_eq!(answer["id"], json!("/subscriptions/s/resourceGroups/RG-One/providers/Microsoft.Compute/galleries/Gal"));
    assert_eq!(answer["location"], json!("eastus"));
    assert_eq!(
        crate::arm_id::canonical(
            "/subscriptions/s/resourcegroups/rg/providers/microsoft.compute/galleries/g/providers/microsoft.authorization/roleassignments/a"
        ),
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/providers/Microsoft.Authorization/roleAssignments/a"
    );
    assert_eq!(crate::arm_id::canonical("/something/else"), "/something/else");
}

/// The specification's shapes for the newer types: a community gallery's sharing profile (its
/// public name read back from `publicNames`), a management lock, a VM application and its version
/// (Gallery_Create_CommunityGallery.json, ManagementLocks_CreateOrUpdateAtResourceLevel.json,
/// GalleryApplication_Create.json, GalleryApplicationVersion_Create.json).
#[test]
fn newer_types_have_the_specification_shapes() {
    let rg = format!("/subscriptions/{SUB}/resourceGroups/myResourceGroup");
    let gallery = format!("{rg}/providers/Microsoft.Compute/galleries/myGalleryName");
    let community = json!({"location": "West US", "sharing": [{"permission": "Community", "community_gallery": [{
        "eula": "eula", "prefix": "PirPublic", "publisher_email": "pir@microsoft.com", "publisher_uri": "uri"}]}]});
    let body = request_body(ResourceKind::Gallery, &community, None);
    assert_eq!(
        body["properties"]["sharingProfile"],
        json!({"permissions": "Community", "communityGalleryInfo": {"eula": "eula", "publicNamePrefix": "PirPublic",
            "publisherContact": "pir@microsoft.com", "publisherUri": "uri"}})
    );
    let mut answer = body.clone();
    answer["properties"]["sharingProfile"]["communityGalleryInfo"]["publicNames"] = json!(["PirPublic-1234"]);
    let read = attributes(ResourceKind::Gallery, &gallery, &answer, &no_roles);
    assert_eq!(read["sharing"][0]["community_gallery"][0]["name"], "PirPublic-1234");

    let lock_id = format!("{gallery}/providers/Microsoft.Authorization/locks/testlock");
    let lock = json!({"lock_level": "ReadOnly", "notes": "n", "scope": gallery});
    let body = request_body(ResourceKind::ManagementLock, &lock, None);
    assert_eq!(body, json!({"properties": {"level": "ReadOnly", "notes": "n"}}));
    let read = attributes(ResourceKind::ManagementLock, &lock_id, &body, &no_roles);
    assert_eq!((read["name"].as_str(), read["scope"].as_str()), (Some("testlock"), Some(gallery.as_str())));
    assert_eq!(kind_of_id(&lock_id), Some(ResourceKind::ManagementLock));

    let app_id = format!("{gallery}/applications/myGalleryApplicationName");
    let app = json!({"location": "West US", "supported_os_type": "Windows", "description": "This is the gallery application description.",
        "eula": "This is the gallery application EULA.", "privacy_statement_uri": "myPrivacyStatementUri}",
        "release_note_uri": "myReleaseNoteUri", "gallery_id": gallery});
    let body = request_body(ResourceKind::GalleryApplication, &app, None);
    assert_eq!(body["properties"]["supportedOSType"], "Windows");
    assert_eq!(body["properties"]["privacyStatementUri"], "myPrivacyStatementUri}");
    let read = attributes(ResourceKind::GalleryApplication, &app_id, &body, &no_roles);
    assert_eq!(read["gallery_id"], json!(gallery));

    let version_id = format!("{app_id}/versions/1.0.0");
    let version = json!({"location": "West US", "gallery_application_id": app_id, "end_of_life_date": "2019-07-01T07:00:00Z",
        "source": [{"media_link": "https://mystorageaccount.blob.core.windows.net/mycontainer/package.zip?{sasKey}"}],
        "manage_action": [{"install": "powershell -command \"Expand-Archive -Path package.zip -DestinationPath C:\\package\"",
            "remove": "del C:\\package "}],
        "target_region": [{"name": "West US", "regional_replica_count": 1, "storage_account_type": "Standard_LRS", "exclude_from_latest": false}]});
    let body = request_body(ResourceKind::GalleryApplicationVersion, &version, None);
    let profile = &body["properties"]["publishingProfile"];
    assert_eq!(profile["source"]["mediaLink"], version["source"][0]["media_link"]);
    assert_eq!(profile["manageActions"]["remove"], "del C:\\package ");
    assert_eq!(
        profile["targetRegions"][0],
        json!({"name": "West US", "regionalReplicaCount": 1, "storageAccountType": "Standard_LRS", "excludeFromLatest": false})
    );
    let read = attributes(ResourceKind::GalleryApplicationVersion, &version_id, &body, &no_roles);
    assert_eq!(read["gallery_application_id"], json!(app_id));
    assert_eq!(read["manage_action"], version["manage_action"]);
    assert_eq!(
        crate::arm_id::build(ResourceKind::GalleryApplicationVersion, SUB, &|k| read[k].as_str().map(str::to_string)),
        Some(version_id)
    );
}
