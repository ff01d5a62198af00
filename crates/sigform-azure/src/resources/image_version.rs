//! `azurerm_shared_image_version` / `Microsoft.Compute/galleries/images/versions`: the image
//! version, built from a managed image, an OS disk snapshot or a VHD blob, and replicated to its
//! target regions. Target regions,
//! replica counts, exclude-from-latest, end of life and tags are updatable; the source, the
//! replication mode (Full or Shallow), a region's disk encryption set and whether replicated
//! regions may be removed again (`deletion_of_replicated_locations_enabled`, Azure's safety
//! profile) are fixed. First documented quota: 2,000 per subscription per region.

use crate::schema::AttrType::{Bool, Number, String as Str, StringMap};
use crate::schema::Mutability::Updatable;
use crate::schema::{
    BlockSchema, Default, Field, ID, IdShape, ResourceKind, ResourceSchema, ResourceType, TAGS, WireList, computed, f,
    fixed, req, upd,
};

pub static RESOURCE: ResourceSchema = ResourceSchema {
    type_name: "azurerm_shared_image_version",
    kind: ResourceKind::ImageVersion,
    attrs: &[
        req("name"),
        req("gallery_name"),
        req("image_name"),
        req("resource_group_name"),
        req("location"),
        // The source: exactly one of a managed image, an OS disk snapshot, or a VHD blob with the
        // storage account that holds it.
        fixed("managed_image_id", Str),
        fixed("os_disk_snapshot_id", Str),
        fixed("blob_uri", Str),
        fixed("storage_account_id", Str),
        upd("replica_count", Number).default(Default::Num(1.0)),
        upd("exclude_from_latest", Bool).default(Default::Bool(false)),
        upd("end_of_life_date", Str),
        fixed("storage_account_type", Str).default(Default::Str("Standard_LRS")),
        fixed("replication_mode", Str).default(Default::Str("Full")),
        fixed("deletion_of_replicated_locations_enabled", Bool),
        TAGS,
        ID,
        // When the service published the version (`publishingProfile.publishedDate`): what
        // `name = "recent"` and retention's `delete_after` go by. Not an azurerm attribute.
        computed("published_date", Str),
    ],
    blocks: &[BlockSchema {
        name: "target_region",
        min: 1,
        max: 0,
        mutability: Updatable,
        attrs: &[
            req("name"),
            upd("regional_replica_count", Number),
            fixed("storage_account_type", Str),
            upd("exclude_from_latest_enabled", Bool).default(Default::Bool(false)),
            fixed("disk_encryption_set_id", Str),
        ],
        key: Some("name"),
        unsupported: &[],
        blocks: &[],
        absent_when: None,
    }],
    unsupported: &[],
};

pub static DATA: ResourceSchema = ResourceSchema {
    type_name: "azurerm_shared_image_version",
    kind: ResourceKind::ImageVersion,
    attrs: &[
        req("name"),
        req("image_name"),
        req("gallery_name"),
        req("resource_group_name"),
        fixed("sort_versions_by_semver", Bool).default(Default::Bool(false)),
        computed("location", Str),
        computed("managed_image_id", Str),
        computed("os_disk_snapshot_id", Str),
        computed("exclude_from_latest", Bool),
        computed("os_disk_image_size_gb", Number),
        computed("tags", StringMap),
        ID,
    ],
    blocks: &[],
    unsupported: &[],
};

/// `azurerm_shared_image_versions`: every version of a definition (optionally only those whose
/// tags include `tags_filter`), as `images`: a list of objects with each version's `name`, `id`,
/// `location`, `managed_image_id`, `exclude_from_latest`, `tags` and `target_region` blocks. One
/// list call; read like the other data sources.
pub static DATA_LIST: ResourceSchema = ResourceSchema {
    type_name: "azurerm_shared_image_versions",
    kind: ResourceKind::ImageVersion,
    attrs: &[
        req("image_name"),
        req("gallery_name"),
        req("resource_group_name"),
        fixed("tags_filter", StringMap),
        computed("images", crate::schema::AttrType::Any),
        ID,
    ],
    blocks: &[],
    unsupported: &[],
};

static WIRE: &[Field] = &[
    f("managed_image_id", "/properties/storageProfile/source/id"),
    f("os_disk_snapshot_id", "/properties/storageProfile/osDiskImage/source/id"),
    f("blob_uri", "/properties/storageProfile/osDiskImage/source/uri"),
    f("storage_account_id", "/properties/storageProfile/osDiskImage/source/storageAccountId"),
    f("replica_count", "/properties/publishingProfile/replicaCount"),
    f("exclude_from_latest", "/properties/publishingProfile/excludeFromLatest"),
    f("end_of_life_date", "/properties/publishingProfile/endOfLifeDate"),
    f("storage_account_type", "/properties/publishingProfile/storageAccountType"),
    f("replication_mode", "/properties/publishingProfile/replicationMode"),
    f("deletion_of_replicated_locations_enabled", "/properties/safetyProfile/allowDeletionOfReplicatedLocations"),
    f("published_date", "/properties/publishingProfile/publishedDate"),
];

/// One `target_region` block ↔ one `publishingProfile.targetRegions[]` entry.
static TARGET_REGION: &[Field] = &[
    f("name", "/name"),
    f("regional_replica_count", "/regionalReplicaCount"),
    f("storage_account_type", "/storageAccountType"),
    f("exclude_from_latest_enabled", "/excludeFromLatest"),
    f("disk_encryption_set_id", "/encryption/osDiskImage/diskEncryptionSetId"),
];

pub static TYPE: ResourceType = ResourceType {
    kind: ResourceKind::ImageVersion,
    name: "ImageVersion",
    noun: "image version",
    resource: Some(&RESOURCE),
    data_source: Some(&DATA),
    arm_type: "Microsoft.Compute/galleries/images/versions",
    api_version: "2023-07-03",
    wire: WIRE,
    wire_list: Some(WireList {
        block: "target_region",
        pointer: "/properties/publishingProfile/targetRegions",
        fields: TARGET_REGION,
    }),
    tracked: true,
    id: IdShape::InResourceGroup {
        provider: "Microsoft.Compute",
        segments: &[("galleries", "gallery_name"), ("images", "image_name"), ("versions", "name")],
    },
};

/// The attributes that name a version's source; exactly one is set.
pub const SOURCES: [&str; 3] = ["managed_image_id", "os_disk_snapshot_id", "blob_uri"];

/// What a version is built from: the id of its managed image or snapshot, or its blob's URI.
pub fn source_id(attrs: &serde_json::Value) -> Option<&str> {
    SOURCES.iter().find_map(|a| attrs.get(*a).and_then(serde_json::Value::as_str))
}
