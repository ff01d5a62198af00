//! Image versions: the source image and its agreement with the definition, target regions
//! (known, in this cloud, allow-listed, each once, the source region among them), replica counts
//! and storage types, and the defaults the service fills in per region. Updatable after
//! creation: target regions and their replica counts, the version-wide replica count,
//! exclude-from-latest and end of life (and tags); a region's storage type stays as created, and
//! where the profile guards replicated regions (today's Azure) a region is removed only from a
//! version whose safety profile allows it.

use super::{Context, TypeService, id_of, invalid, location_exists, one_of, set_default, str_of};
use crate::Row;
use serde_json::{Value as Json, json};
use sigform_azure::arm_id;
use sigform_azure::cloud::CloudError;
use sigform_azure::names::parse_version;
use sigform_azure::regions;
use sigform_azure::resources::image_version;
use sigform_azure::schema::ResourceKind;

pub(super) struct ImageVersion;

impl TypeService for ImageVersion {
    fn updatable(&self) -> &'static [&'static str] {
        &[
            TARGET_REGIONS,
            "/properties/publishingProfile/replicaCount",
            "/properties/publishingProfile/excludeFromLatest",
            "/properties/publishingProfile/endOfLifeDate",
        ]
    }

    fn check(&self, attrs: &Json, ctx: &Context) -> Result<(), CloudError> {
        check_write(attrs, ctx)
    }

    fn fill(&self, _id: &str, attrs: &mut Json, existing: Option<&Row>) {
        fill_in(attrs);
        // Published once, at creation; an update keeps the date (a caller cannot set it).
        let published = existing
            .and_then(|e| e.attributes.get("published_date").filter(|v| !v.is_null()).cloned())
            .unwrap_or_else(|| json!(sigform_azure::timestamp::now_rfc3339()));
        attrs["published_date"] = published;
    }
}

const TARGET_REGIONS: &str = "/properties/publishingProfile/targetRegions";

/// The normalised names of a version's target regions.
fn region_names(attrs: &Json) -> Vec<String> {
    attrs
        .get("target_region")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| str_of(r, "name").map(regions::normalize))
        .collect()
}

fn check_write(attrs: &Json, ctx: &Context) -> Result<(), CloudError> {
    if let Some(existing) = ctx.existing
        && ctx.profile.replicated_regions_guarded
        && existing.attributes.get("deletion_of_replicated_locations_enabled").and_then(Json::as_bool) != Some(true)
    {
        let now = region_names(attrs);
        let removed: Vec<String> =
            region_names(&existing.attributes).into_iter().filter(|r| !now.contains(r)).collect();
        if !removed.is_empty() {
            return Err(CloudError::new(
                409,
                "OperationNotAllowed",
                format!(
                    "the image version cannot be removed from replicated region(s) {}: its safetyProfile.allowDeletionOfReplicatedLocations is false",
                    removed.join(", ")
                ),
            ));
        }
    }
    one_of(attrs, "replication_mode", "properties.publishingProfile.replicationMode", &["Full", "Shallow"])?;
    let name = ctx.parsed.names.get(2).map(String::as_str).unwrap_or("");
    if parse_version(name).is_none() {
        return Err(invalid(format!("version name '{name}' is not Major.Minor.Patch with 32-bit integers")));
    }
    let location = str_of(attrs, "location").unwrap_or("");
    let source = source_of(attrs, ctx)?;
    if regions::normalize(&source.location) != regions::normalize(location) {
        return Err(invalid(format!(
            "the source {} is in {}, but the version is in {}: they must be in the same location",
            source.noun,
            regions::display(&source.location),
            regions::display(location)
        )));
    }
    if source.specialized {
        return Err(invalid("the source image is specialized; only generalized images can become versions"));
    }
    let definition_id = arm_id::parent(&id_of(ctx.parsed, ResourceKind::ImageVersion)).unwrap_or_default();
    if let Some(def) = (ctx.lookup)(&definition_id) {
        let pairs =
            [("os_type", source.os_type.as_deref()), ("hyper_v_generation", source.hyper_v_generation.as_deref())];
        for (key, source_value) in pairs {
            let def_value = str_of(&def.attributes, key).unwrap_or(if key == "hyper_v_generation" { "V1" } else { "" });
            if let Some(sv) = source_value
                && !sv.eq_ignore_ascii_case(def_value)
            {
                return Err(invalid(format!(
                    "the source {}'s {key} ({sv}) differs from the image definition's ({def_value})",
                    source.noun
                )));
            }
        }
    }
    let regions_list = attrs.get("target_region").and_then(Json::as_array).cloned().unwrap_or_default();
    if regions_list.is_empty() {
        return Err(invalid("a version needs at least one target region"));
    }
    let shallow = str_of(attrs, "replication_mode") == Some("Shallow");
    let mut seen = Vec::new();
    for r in &regions_list {
        let name = str_of(r, "name").unwrap_or("");
        location_exists(name)?;
        let n = regions::normalize(name);
        if ctx.profile.allowlist_regions.contains(&n.as_str()) && !ctx.allowlisted.contains(&n) {
            return Err(CloudError::new(
                403,
                "SubscriptionNotAllowListed",
                format!("replicating to {} needs the subscription to be allow-listed", regions::display(name)),
            ));
        }
        if seen.contains(&n) {
            return Err(invalid(format!("target region {name} appears twice")));
        }
        seen.push(n.clone());
        if let Some(c) = r.get("regional_replica_count").and_then(Json::as_f64)
            && !(1.0..=100.0).contains(&c)
        {
            return Err(invalid(format!("regional replica count {c} is outside 1-100")));
        }
        one_of(
            r,
            "storage_account_type",
            "properties.publishingProfile.targetRegions[].storageAccountType",
            &["Standard_LRS", "Premium_LRS", "Standard_ZRS"],
        )?;
        let storage = str_of(r, "storage_account_type").or(str_of(attrs, "storage_account_type"));
        if storage == Some("Standard_ZRS") && !regions::has_zones(name) {
            return Err(invalid(format!(
                "storage account type Standard_ZRS is not supported in region {}: it has no availability zones",
                regions::display(name)
            )));
        }
        if shallow
            && (n != regions::normalize(location)
                || r.get("regional_replica_count").and_then(Json::as_f64).is_some_and(|c| c > 1.0))
        {
            return Err(invalid(format!(
                "an image version with replicationMode Shallow has one target region, its source region {}, with one replica",
                regions::display(location)
            )));
        }
    }
    if shallow && attrs.get("replica_count").and_then(Json::as_f64).is_some_and(|c| c > 1.0) {
        return Err(invalid("an image version with replicationMode Shallow has one replica"));
    }
    if !seen.contains(&regions::normalize(location)) {
        return Err(invalid(format!(
            "the source region {} must be one of the target regions",
            regions::display(location)
        )));
    }
    if let Some(c) = attrs.get("replica_count").and_then(Json::as_f64)
        && !(1.0..=100.0).contains(&c)
    {
        return Err(invalid(format!("replica count {c} is outside 1-100")));
    }
    one_of(
        attrs,
        "storage_account_type",
        "properties.publishingProfile.storageAccountType",
        &["Standard_LRS", "Premium_LRS", "Standard_ZRS"],
    )
}

/// What the service knows of a version's source.
struct Source {
    noun: &'static str,
    location: String,
    specialized: bool,
    os_type: Option<String>,
    hyper_v_generation: Option<String>,
}

/// The version's one source — a managed image, an OS disk snapshot, or a blob in a storage
/// account — looked up as the service does.
fn source_of(attrs: &Json, ctx: &Context) -> Result<Source, CloudError> {
    let named: Vec<&str> = image_version::SOURCES.into_iter().filter(|a| str_of(attrs, a).is_some()).collect();
    if named.len() != 1 {
        return Err(invalid(
            "an image version needs exactly one source: storageProfile.source.id, storageProfile.osDiskImage.source.id, or storageProfile.osDiskImage.source.uri",
        ));
    }
    let found = |id: &str, kind: ResourceKind| {
        (ctx.lookup)(id)
            .filter(|r| r.kind == kind)
            .ok_or_else(|| invalid(format!("the source {} {id} was not found", kind.facts().noun)))
    };
    if let Some(id) = str_of(attrs, "managed_image_id") {
        let image = found(id, ResourceKind::ManagedImage)?;
        let disk = image.attributes.get("os_disk").and_then(|d| d.get(0)).cloned().unwrap_or(Json::Null);
        return Ok(Source {
            noun: "image",
            location: image.location.clone().unwrap_or_default(),
            specialized: str_of(&disk, "os_state") == Some("Specialized"),
            os_type: str_of(&disk, "os_type").map(str::to_string),
            hyper_v_generation: Some(str_of(&image.attributes, "hyper_v_generation").unwrap_or("V1").to_string()),
        });
    }
    if let Some(id) = str_of(attrs, "os_disk_snapshot_id") {
        let snapshot = found(id, ResourceKind::Snapshot)?;
        return Ok(Source {
            noun: "snapshot",
            location: snapshot.location.clone().unwrap_or_default(),
            specialized: false,
            os_type: str_of(&snapshot.attributes, "os_type").map(str::to_string),
            hyper_v_generation: str_of(&snapshot.attributes, "hyper_v_generation").map(str::to_string),
        });
    }
    let uri = str_of(attrs, "blob_uri").unwrap_or_default();
    let account_id = str_of(attrs, "storage_account_id")
        .ok_or_else(|| invalid("a blob source needs storageProfile.osDiskImage.source.storageAccountId"))?;
    let account = found(account_id, ResourceKind::StorageAccount)?;
    if account.attributes.get("blobs").and_then(|b| b.get(uri.to_ascii_lowercase())).is_none() {
        return Err(invalid(format!("the blob {uri} was not found in storage account {account_id}")));
    }
    Ok(Source {
        noun: "blob",
        location: account.location.clone().unwrap_or_default(),
        specialized: false,
        // A VHD says nothing of its OS or generation: the service takes the definition's word.
        os_type: None,
        hyper_v_generation: None,
    })
}

/// A version's source size in GB, as the service knows it (30 when it cannot tell).
pub(crate) fn source_size_gb(attrs: &Json, lookup: &dyn Fn(&str) -> Option<Row>) -> f64 {
    let size = if let Some(id) = str_of(attrs, "managed_image_id") {
        lookup(id).and_then(|img| img.attributes.get("os_disk")?.get(0)?.get("size_gb")?.as_f64())
    } else if let Some(id) = str_of(attrs, "os_disk_snapshot_id") {
        lookup(id).and_then(|s| s.attributes.get("disk_size_gb")?.as_f64())
    } else {
        let uri = str_of(attrs, "blob_uri").unwrap_or_default().to_ascii_lowercase();
        str_of(attrs, "storage_account_id")
            .and_then(lookup)
            .and_then(|a| a.attributes.get("blobs")?.get(&uri)?.get("size_gb")?.as_f64())
    };
    size.unwrap_or(sigform_azure::prices::DEFAULT_IMAGE_GB)
}

fn fill_in(attrs: &mut Json) {
    set_default(attrs, "replica_count", json!(1));
    set_default(attrs, "replication_mode", json!("Full"));
    set_default(attrs, "storage_account_type", json!("Standard_LRS"));
    set_default(attrs, "exclude_from_latest", json!(false));
    let replicas = attrs["replica_count"].clone();
    let storage = attrs["storage_account_type"].clone();
    if let Some(list) = attrs.get_mut("target_region").and_then(Json::as_array_mut) {
        for r in list {
            set_default(r, "regional_replica_count", replicas.clone());
            set_default(r, "storage_account_type", storage.clone());
            set_default(r, "exclude_from_latest_enabled", json!(false));
        }
    }
}

/// Regions may come and go, but a region that stays keeps the storage type it was created with.
pub(super) fn regions_keep_storage(before: &Json, after: &Json) -> Result<(), CloudError> {
    let list = |arm: &Json| -> Vec<(String, Option<String>)> {
        arm.pointer(TARGET_REGIONS)
            .and_then(Json::as_array)
            .map(|l| {
                l.iter()
                    .map(|r| {
                        let name = regions::normalize(r.get("name").and_then(Json::as_str).unwrap_or(""));
                        (name, r.get("storageAccountType").and_then(Json::as_str).map(str::to_string))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let old = list(before);
    for (i, (name, storage)) in list(after).iter().enumerate() {
        if let Some(new) = storage
            && let Some((_, Some(was))) = old.iter().find(|(n, _)| n == name)
            && !was.eq_ignore_ascii_case(new)
        {
            let path = format!("properties.publishingProfile.targetRegions[{i}].storageAccountType");
            return Err(CloudError::new(
                409,
                "PropertyChangeNotAllowed",
                format!("Changing property '{path}' is not allowed."),
            ));
        }
    }
    Ok(())
}
