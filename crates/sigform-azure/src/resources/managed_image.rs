//! `azurerm_image` / `Microsoft.Compute/images`: the managed image a version is built from (as
//! Packer or `az image create` leave one). Everything but tags is fixed.

use crate::schema::AttrType::{Bool, Number, String as Str, StringMap};
use crate::schema::Mutability::Fixed;
use crate::schema::{
    BlockSchema, Default, Field, ID, IdShape, ResourceKind, ResourceSchema, ResourceType, TAGS, computed, f, fixed, req,
};

pub static RESOURCE: ResourceSchema = ResourceSchema {
    type_name: "azurerm_image",
    kind: ResourceKind::ManagedImage,
    attrs: &[
        req("name"),
        req("resource_group_name"),
        req("location"),
        fixed("hyper_v_generation", Str).default(Default::Str("V1")),
        TAGS,
        ID,
    ],
    blocks: &[BlockSchema {
        name: "os_disk",
        min: 1,
        max: 1,
        mutability: Fixed,
        attrs: &[
            req("os_type"),
            req("os_state"),
            fixed("blob_uri", Str),
            fixed("managed_disk_id", Str),
            fixed("size_gb", Number),
            fixed("caching", Str).default(Default::Str("None")),
            fixed("storage_type", Str),
        ],
        key: None,
        unsupported: &["disk_encryption_set_id"],
        blocks: &[],
        absent_when: None,
    }],
    unsupported: &["source_virtual_machine_id", "zone_resilient", "data_disk"],
};

pub static DATA: ResourceSchema = ResourceSchema {
    type_name: "azurerm_image",
    kind: ResourceKind::ManagedImage,
    attrs: &[
        // `name`, or `name_regex` with `sort_descending`: the first image of the resource group
        // whose name matches, in name order (descending when asked) — a Packer pipeline's newest.
        fixed("name", Str),
        fixed("name_regex", Str),
        fixed("sort_descending", Bool).default(Default::Bool(false)),
        req("resource_group_name"),
        computed("location", Str),
        computed("hyper_v_generation", Str),
        computed("tags", StringMap),
        ID,
    ],
    blocks: &[],
    unsupported: &[],
};

/// `azurerm_images`: the managed images of a resource group (those whose tags include
/// `tags_filter`, when given), as `images`: a list of objects with each image's `name`,
/// `location`, `zone_resilient`, `os_disk`, `data_disk` and `tags`. One list call; none found is
/// an error, as in azurerm.
pub static DATA_LIST: ResourceSchema = ResourceSchema {
    type_name: "azurerm_images",
    kind: ResourceKind::ManagedImage,
    attrs: &[
        req("resource_group_name"),
        fixed("tags_filter", StringMap),
        computed("images", crate::schema::AttrType::Any),
        ID,
    ],
    blocks: &[],
    unsupported: &[],
};

static WIRE: &[Field] = &[
    f("hyper_v_generation", "/properties/hyperVGeneration"),
    f("os_disk/0/os_type", "/properties/storageProfile/osDisk/osType"),
    f("os_disk/0/os_state", "/properties/storageProfile/osDisk/osState"),
    f("os_disk/0/blob_uri", "/properties/storageProfile/osDisk/blobUri"),
    f("os_disk/0/managed_disk_id", "/properties/storageProfile/osDisk/managedDisk/id"),
    f("os_disk/0/size_gb", "/properties/storageProfile/osDisk/diskSizeGB"),
    f("os_disk/0/caching", "/properties/storageProfile/osDisk/caching"),
    f("os_disk/0/storage_type", "/properties/storageProfile/osDisk/storageAccountType"),
];

pub static TYPE: ResourceType = ResourceType {
    kind: ResourceKind::ManagedImage,
    name: "ManagedImage",
    noun: "managed image",
    resource: Some(&RESOURCE),
    data_source: Some(&DATA),
    arm_type: "Microsoft.Compute/images",
    api_version: "2024-07-01",
    wire: WIRE,
    wire_list: None,
    tracked: true,
    id: IdShape::InResourceGroup { provider: "Microsoft.Compute", segments: &[("images", "name")] },
};
