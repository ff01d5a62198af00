//! `azurerm_shared_image` / `Microsoft.Compute/galleries/images`: the image definition. OS type,
//! identifier, generation and architecture are fixed; description, end of life and the
//! recommended ranges are updatable. First documented quota: 200 per subscription per region.

use crate::schema::AttrType::{Bool, Number, String as Str, StringMap};
use crate::schema::Mutability::Fixed;
use crate::schema::{
    BlockSchema, Conv, Default, Field, ID, IdShape, ResourceKind, ResourceSchema, ResourceType, TAGS, computed, f,
    fixed, req, upd,
};

pub static RESOURCE: ResourceSchema = ResourceSchema {
    type_name: "azurerm_shared_image",
    kind: ResourceKind::ImageDefinition,
    attrs: &[
        req("name"),
        req("gallery_name"),
        req("resource_group_name"),
        req("location"),
        req("os_type"),
        fixed("hyper_v_generation", Str).default(Default::Str("V1")),
        fixed("architecture", Str).default(Default::Str("x64")),
        fixed("specialized", Bool).default(Default::Bool(false)),
        fixed("eula", Str),
        fixed("privacy_statement_uri", Str),
        fixed("release_note_uri", Str),
        upd("description", Str),
        upd("end_of_life_date", Str),
        upd("min_recommended_vcpu_count", Number),
        upd("max_recommended_vcpu_count", Number),
        upd("min_recommended_memory_in_gb", Number),
        upd("max_recommended_memory_in_gb", Number),
        TAGS,
        ID,
    ],
    blocks: &[BlockSchema {
        name: "identifier",
        min: 1,
        max: 1,
        mutability: Fixed,
        attrs: &[req("publisher"), req("offer"), req("sku")],
        key: None,
        unsupported: &[],
    }],
    unsupported: &[
        "accelerated_network_support_enabled",
        "confidential_vm_enabled",
        "confidential_vm_supported",
        "disk_controller_type_nvme_enabled",
        "disk_types_not_allowed",
        "hibernation_enabled",
        "purchase_plan",
        "trusted_launch_enabled",
        "trusted_launch_supported",
    ],
};

pub static DATA: ResourceSchema = ResourceSchema {
    type_name: "azurerm_shared_image",
    kind: ResourceKind::ImageDefinition,
    attrs: &[
        req("name"),
        req("gallery_name"),
        req("resource_group_name"),
        computed("location", Str),
        computed("os_type", Str),
        computed("hyper_v_generation", Str),
        computed("architecture", Str),
        computed("description", Str),
        computed("tags", StringMap),
        ID,
    ],
    blocks: &[],
    unsupported: &[],
};

static WIRE: &[Field] = &[
    f("os_type", "/properties/osType"),
    Field("specialized", "/properties/osState", Conv::OsState),
    f("hyper_v_generation", "/properties/hyperVGeneration"),
    f("architecture", "/properties/architecture"),
    f("eula", "/properties/eula"),
    f("privacy_statement_uri", "/properties/privacyStatementUri"),
    f("release_note_uri", "/properties/releaseNoteUri"),
    f("description", "/properties/description"),
    f("end_of_life_date", "/properties/endOfLifeDate"),
    f("min_recommended_vcpu_count", "/properties/recommended/vCPUs/min"),
    f("max_recommended_vcpu_count", "/properties/recommended/vCPUs/max"),
    f("min_recommended_memory_in_gb", "/properties/recommended/memory/min"),
    f("max_recommended_memory_in_gb", "/properties/recommended/memory/max"),
    f("identifier/0/publisher", "/properties/identifier/publisher"),
    f("identifier/0/offer", "/properties/identifier/offer"),
    f("identifier/0/sku", "/properties/identifier/sku"),
];

pub static TYPE: ResourceType = ResourceType {
    kind: ResourceKind::ImageDefinition,
    name: "ImageDefinition",
    noun: "image definition",
    resource: Some(&RESOURCE),
    data_source: Some(&DATA),
    arm_type: "Microsoft.Compute/galleries/images",
    api_version: "2023-07-03",
    wire: WIRE,
    wire_list: None,
    tracked: true,
    id: IdShape::InResourceGroup {
        provider: "Microsoft.Compute",
        segments: &[("galleries", "gallery_name"), ("images", "name")],
    },
};
