//! Resource and data-source schemas (DESIGN.md §3): every attribute's type, whether it is
//! required, its default, and whether Azure lets it change after creation (F) or not (U).
//!
//! The planner's forbidden-change rule (SIG501) reads `Mutability` from here, so this table is
//! the single statement of "what can be updated" from the product documentation.

/// Whether an attribute can change after creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    /// F: fixed; a different value is a forbidden change.
    Fixed,
    /// U: updatable in place.
    Updatable,
    /// Set by the service (`id`, `unique_name`); never written by the user.
    Computed,
    /// Read by sigform itself, never sent to Azure (e.g. `skip_service_principal_aad_check`).
    ClientOnly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrType {
    String,
    Number,
    Bool,
    /// map(string), e.g. `tags`.
    StringMap,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Default {
    None,
    Str(&'static str),
    Num(f64),
    Bool(bool),
}

#[derive(Debug, Clone, Copy)]
pub struct AttrSchema {
    pub name: &'static str,
    pub ty: AttrType,
    pub required: bool,
    pub default: Default,
    pub mutability: Mutability,
    /// Left unset, the service fills it in (azurerm's Optional + Computed): an unset value in the
    /// configuration then means "whatever Azure chose", never a change.
    pub filled_by_service: bool,
}

impl AttrSchema {
    pub const fn default(mut self, default: Default) -> AttrSchema {
        self.default = default;
        self
    }

    pub const fn filled_by_service(mut self) -> AttrSchema {
        self.filled_by_service = true;
        self
    }
}

const fn attr(name: &'static str, ty: AttrType, required: bool, mutability: Mutability) -> AttrSchema {
    AttrSchema { name, ty, required, default: Default::None, mutability, filled_by_service: false }
}

use AttrType::{Bool, Number, String as Str, StringMap};
use Mutability::{ClientOnly, Computed, Fixed, Updatable};

/// Required and fixed.
const fn req(name: &'static str) -> AttrSchema {
    attr(name, Str, true, Fixed)
}
/// Optional and fixed.
const fn fixed(name: &'static str, ty: AttrType) -> AttrSchema {
    attr(name, ty, false, Fixed)
}
/// Optional and updatable.
const fn upd(name: &'static str, ty: AttrType) -> AttrSchema {
    attr(name, ty, false, Updatable)
}
const fn computed(name: &'static str, ty: AttrType) -> AttrSchema {
    attr(name, ty, false, Computed)
}

#[derive(Debug, Clone, Copy)]
pub struct BlockSchema {
    pub name: &'static str,
    pub min: usize,
    /// 0 means unbounded.
    pub max: usize,
    /// Whether blocks may be added and removed after creation.
    pub mutability: Mutability,
    pub attrs: &'static [AttrSchema],
    /// The attribute that identifies a block among its siblings (target regions by `name`).
    pub key: Option<&'static str>,
    /// azurerm attributes of this block that sigform does not support yet.
    pub unsupported: &'static [&'static str],
}

/// What a resource is, independent of its azurerm type name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum ResourceKind {
    ResourceGroup,
    ManagedImage,
    Gallery,
    ImageDefinition,
    ImageVersion,
    RoleAssignment,
    ClientConfig,
}

#[derive(Debug)]
pub struct ResourceSchema {
    pub type_name: &'static str,
    pub kind: ResourceKind,
    pub attrs: &'static [AttrSchema],
    pub blocks: &'static [BlockSchema],
    /// azurerm arguments sigform does not support yet: rejected with "not supported yet".
    pub unsupported: &'static [&'static str],
}

impl ResourceSchema {
    pub fn attr(&self, name: &str) -> Option<&AttrSchema> {
        self.attrs.iter().find(|a| a.name == name)
    }

    pub fn block(&self, name: &str) -> Option<&BlockSchema> {
        self.blocks.iter().find(|b| b.name == name)
    }
}

const TAGS: AttrSchema = upd("tags", StringMap);
const ID: AttrSchema = computed("id", Str);

pub static RESOURCE_GROUP: ResourceSchema = ResourceSchema {
    type_name: "azurerm_resource_group",
    kind: ResourceKind::ResourceGroup,
    attrs: &[req("name"), req("location"), TAGS, ID],
    blocks: &[],
    unsupported: &["managed_by"],
};

pub static IMAGE: ResourceSchema = ResourceSchema {
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
    }],
    unsupported: &["source_virtual_machine_id", "zone_resilient", "data_disk"],
};

pub static GALLERY: ResourceSchema = ResourceSchema {
    type_name: "azurerm_shared_image_gallery",
    kind: ResourceKind::Gallery,
    attrs: &[
        req("name"),
        req("resource_group_name"),
        req("location"),
        upd("description", Str),
        TAGS,
        ID,
        computed("unique_name", Str),
    ],
    blocks: &[],
    unsupported: &["sharing"],
};

pub static IMAGE_DEFINITION: ResourceSchema = ResourceSchema {
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

pub static IMAGE_VERSION: ResourceSchema = ResourceSchema {
    type_name: "azurerm_shared_image_version",
    kind: ResourceKind::ImageVersion,
    attrs: &[
        req("name"),
        req("gallery_name"),
        req("image_name"),
        req("resource_group_name"),
        req("location"),
        fixed("managed_image_id", Str),
        upd("replica_count", Number).default(Default::Num(1.0)),
        upd("exclude_from_latest", Bool).default(Default::Bool(false)),
        upd("end_of_life_date", Str),
        fixed("storage_account_type", Str).default(Default::Str("Standard_LRS")),
        TAGS,
        ID,
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
        ],
        key: Some("name"),
        unsupported: &["disk_encryption_set_id"],
    }],
    unsupported: &[
        "blob_uri",
        "os_disk_snapshot_id",
        "storage_account_id",
        "deletion_of_replicated_locations_enabled",
        "replication_mode",
    ],
};

pub static ROLE_ASSIGNMENT: ResourceSchema = ResourceSchema {
    type_name: "azurerm_role_assignment",
    kind: ResourceKind::RoleAssignment,
    attrs: &[
        fixed("name", Str),
        req("scope"),
        req("role_definition_name"),
        req("principal_id"),
        // Azure records the principal's type from the directory when the request leaves it out.
        fixed("principal_type", Str).filled_by_service(),
        upd("description", Str),
        attr("skip_service_principal_aad_check", Bool, false, ClientOnly),
        ID,
    ],
    blocks: &[],
    unsupported: &["role_definition_id", "condition", "condition_version", "delegated_managed_identity_resource_id"],
};

pub static RESOURCES: &[&ResourceSchema] =
    &[&RESOURCE_GROUP, &IMAGE, &GALLERY, &IMAGE_DEFINITION, &IMAGE_VERSION, &ROLE_ASSIGNMENT];

/// azurerm resource types a gallery configuration may contain that sigform does not manage yet.
pub static UNSUPPORTED_RESOURCES: &[&str] = &[
    "azurerm_gallery_application",
    "azurerm_gallery_application_version",
    "azurerm_shared_image_gallery_sharing",
    "azurerm_managed_disk",
    "azurerm_snapshot",
    "azurerm_storage_account",
    "azurerm_role_definition",
    "azurerm_linux_virtual_machine",
    "azurerm_windows_virtual_machine",
];

pub static DATA_CLIENT_CONFIG: ResourceSchema = ResourceSchema {
    type_name: "azurerm_client_config",
    kind: ResourceKind::ClientConfig,
    attrs: &[
        computed("client_id", Str),
        computed("tenant_id", Str),
        computed("subscription_id", Str),
        computed("object_id", Str),
        ID,
    ],
    blocks: &[],
    unsupported: &[],
};

pub static DATA_RESOURCE_GROUP: ResourceSchema = ResourceSchema {
    type_name: "azurerm_resource_group",
    kind: ResourceKind::ResourceGroup,
    attrs: &[req("name"), computed("location", Str), computed("tags", StringMap), ID],
    blocks: &[],
    unsupported: &[],
};

pub static DATA_IMAGE: ResourceSchema = ResourceSchema {
    type_name: "azurerm_image",
    kind: ResourceKind::ManagedImage,
    attrs: &[
        req("name"),
        req("resource_group_name"),
        computed("location", Str),
        computed("hyper_v_generation", Str),
        computed("tags", StringMap),
        ID,
    ],
    blocks: &[],
    unsupported: &["name_regex", "sort_descending"],
};

pub static DATA_GALLERY: ResourceSchema = ResourceSchema {
    type_name: "azurerm_shared_image_gallery",
    kind: ResourceKind::Gallery,
    attrs: &[
        req("name"),
        req("resource_group_name"),
        computed("location", Str),
        computed("description", Str),
        computed("unique_name", Str),
        computed("tags", StringMap),
        ID,
    ],
    blocks: &[],
    unsupported: &[],
};

pub static DATA_IMAGE_DEFINITION: ResourceSchema = ResourceSchema {
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

pub static DATA_IMAGE_VERSION: ResourceSchema = ResourceSchema {
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
        computed("exclude_from_latest", Bool),
        computed("os_disk_image_size_gb", Number),
        computed("tags", StringMap),
        ID,
    ],
    blocks: &[],
    unsupported: &[],
};

pub static DATA_SOURCES: &[&ResourceSchema] = &[
    &DATA_CLIENT_CONFIG,
    &DATA_RESOURCE_GROUP,
    &DATA_IMAGE,
    &DATA_GALLERY,
    &DATA_IMAGE_DEFINITION,
    &DATA_IMAGE_VERSION,
];

/// The managed resource type of a kind.
pub fn of_kind(kind: ResourceKind) -> Option<&'static ResourceSchema> {
    RESOURCES.iter().copied().find(|s| s.kind == kind)
}

pub fn resource(type_name: &str) -> Option<&'static ResourceSchema> {
    RESOURCES.iter().copied().find(|s| s.type_name == type_name)
}

pub fn data_source(type_name: &str) -> Option<&'static ResourceSchema> {
    DATA_SOURCES.iter().copied().find(|s| s.type_name == type_name)
}

/// The `timeouts` block azurerm accepts on every resource: accepted, its values are strings.
pub static TIMEOUTS: BlockSchema = BlockSchema {
    name: "timeouts",
    min: 0,
    max: 1,
    mutability: ClientOnly,
    attrs: &[
        attr("create", Str, false, ClientOnly),
        attr("read", Str, false, ClientOnly),
        attr("update", Str, false, ClientOnly),
        attr("delete", Str, false, ClientOnly),
    ],
    key: None,
    unsupported: &[],
};

#[cfg(test)]
mod tests {
    use super::*;

    /// DESIGN.md §3's updatable (U) attributes, per type; everything else the user writes is F.
    #[test]
    fn mutability_matches_the_design() {
        let updatable: &[(&ResourceSchema, &[&str])] = &[
            (&RESOURCE_GROUP, &["tags"]),
            (&IMAGE, &["tags"]),
            (&GALLERY, &["description", "tags"]),
            (
                &IMAGE_DEFINITION,
                &[
                    "description",
                    "end_of_life_date",
                    "min_recommended_vcpu_count",
                    "max_recommended_vcpu_count",
                    "min_recommended_memory_in_gb",
                    "max_recommended_memory_in_gb",
                    "tags",
                ],
            ),
            (&IMAGE_VERSION, &["replica_count", "exclude_from_latest", "end_of_life_date", "tags"]),
            (&ROLE_ASSIGNMENT, &["description"]),
        ];
        for (schema, names) in updatable {
            for a in schema.attrs {
                let want = if names.contains(&a.name) { Updatable } else { a.mutability };
                assert_eq!(a.mutability, want, "{}.{}", schema.type_name, a.name);
                if a.mutability == Updatable {
                    assert!(names.contains(&a.name), "{}.{} should be fixed", schema.type_name, a.name);
                }
            }
        }
        let region = IMAGE_VERSION.block("target_region").unwrap();
        assert_eq!(region.mutability, Updatable);
        let by_name = |n: &str| region.attrs.iter().find(|a| a.name == n).unwrap().mutability;
        assert_eq!(by_name("regional_replica_count"), Updatable);
        assert_eq!(by_name("exclude_from_latest_enabled"), Updatable);
        assert_eq!(by_name("storage_account_type"), Fixed);
    }
}
