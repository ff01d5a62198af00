//! `azurerm_shared_image` / `Microsoft.Compute/galleries/images`: the image definition. OS type,
//! identifier, generation, architecture, security type and the other features, the purchase plan,
//! EULA and privacy statement are fixed; description, release notes, end of life (which cannot be
//! cleared once set), the recommended ranges and the disallowed disk types are updatable — as in
//! azurerm 4.x. First documented quota: 200 per subscription per region.

use crate::schema::AttrType::{Bool, Number, String as Str, StringMap, StringSet};
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
        upd("release_note_uri", Str),
        upd("description", Str),
        upd("end_of_life_date", Str).sticky(),
        upd("disk_types_not_allowed", StringSet),
        fixed("trusted_launch_supported", Bool),
        fixed("trusted_launch_enabled", Bool),
        fixed("confidential_vm_supported", Bool),
        fixed("confidential_vm_enabled", Bool),
        fixed("accelerated_network_support_enabled", Bool),
        fixed("hibernation_enabled", Bool),
        fixed("disk_controller_type_nvme_enabled", Bool),
        upd("min_recommended_vcpu_count", Number),
        upd("max_recommended_vcpu_count", Number),
        upd("min_recommended_memory_in_gb", Number),
        upd("max_recommended_memory_in_gb", Number),
        TAGS,
        ID,
    ],
    blocks: &[
        BlockSchema {
            name: "identifier",
            min: 1,
            max: 1,
            mutability: Fixed,
            attrs: &[req("publisher"), req("offer"), req("sku")],
            key: None,
            unsupported: &[],
            blocks: &[],
            absent_when: None,
        },
        BlockSchema {
            name: "purchase_plan",
            min: 0,
            max: 1,
            mutability: Fixed,
            attrs: &[req("name"), fixed("publisher", Str), fixed("product", Str)],
            key: None,
            unsupported: &[],
            blocks: &[],
            absent_when: None,
        },
    ],
    unsupported: &[],
};

/// The security types, at most one of which an image definition has (azurerm: `ConflictsWith`).
pub const SECURITY_TYPES: [&str; 4] =
    ["trusted_launch_supported", "trusted_launch_enabled", "confidential_vm_supported", "confidential_vm_enabled"];

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
        computed("specialized", Bool),
        computed("eula", Str),
        computed("privacy_statement_uri", Str),
        computed("release_note_uri", Str),
        computed("trusted_launch_supported", Bool),
        computed("trusted_launch_enabled", Bool),
        computed("confidential_vm_supported", Bool),
        computed("confidential_vm_enabled", Bool),
        computed("accelerated_network_support_enabled", Bool),
        computed("hibernation_enabled", Bool),
        computed("disk_controller_type_nvme_enabled", Bool),
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
    f("purchase_plan/0/name", "/properties/purchasePlan/name"),
    f("purchase_plan/0/publisher", "/properties/purchasePlan/publisher"),
    f("purchase_plan/0/product", "/properties/purchasePlan/product"),
    f("disk_types_not_allowed", "/properties/disallowed/diskTypes"),
    feature("trusted_launch_supported", "SecurityType", "TrustedLaunchSupported", "TrustedLaunchSupported"),
    feature("trusted_launch_enabled", "SecurityType", "TrustedLaunch", "TrustedLaunch"),
    feature("confidential_vm_supported", "SecurityType", "ConfidentialVmSupported", "ConfidentialVmSupported"),
    feature("confidential_vm_enabled", "SecurityType", "ConfidentialVM", "ConfidentialVM"),
    feature("accelerated_network_support_enabled", "IsAcceleratedNetworkSupported", "true", "true"),
    feature("hibernation_enabled", "IsHibernateSupported", "true", "true"),
    feature("disk_controller_type_nvme_enabled", "DiskControllerTypes", "SCSI, NVMe", "NVMe"),
];

/// A bool carried as an entry of the definition's `features` list.
const fn feature(attr: &'static str, name: &'static str, value: &'static str, marker: &'static str) -> Field {
    Field(attr, "/properties/features", Conv::Feature { name, value, marker })
}

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
