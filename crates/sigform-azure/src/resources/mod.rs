//! One module per resource type, each holding everything Azure Compute Gallery says about that
//! type (its [`ResourceType`]). This file is the registration point: `ResourceKind::facts` and
//! the lookup tables below are the only places that list the types.
//!
//! Adding a type: a module here with its `TYPE`, a `ResourceKind` variant, one arm in `facts`,
//! and its entries in `RESOURCES`/`DATA_SOURCES` (see the contributor checklist in the README).

pub mod client_config;
pub mod gallery;
pub mod gallery_application;
pub mod image_definition;
pub mod image_version;
pub mod local;
pub mod managed_image;
pub mod management_lock;
pub mod resource_group;
pub mod role_assignment;
pub mod role_definition;
pub mod snapshot;
pub mod storage_account;

use crate::schema::{ResourceKind, ResourceSchema, ResourceType};

impl ResourceKind {
    /// Everything known about this kind.
    pub fn facts(self) -> &'static ResourceType {
        match self {
            ResourceKind::ResourceGroup => &resource_group::TYPE,
            ResourceKind::ManagedImage => &managed_image::TYPE,
            ResourceKind::Snapshot => &snapshot::TYPE,
            ResourceKind::StorageAccount => &storage_account::TYPE,
            ResourceKind::Gallery => &gallery::TYPE,
            ResourceKind::ImageDefinition => &image_definition::TYPE,
            ResourceKind::ImageVersion => &image_version::TYPE,
            ResourceKind::GalleryApplication => &gallery_application::APPLICATION_TYPE,
            ResourceKind::GalleryApplicationVersion => &gallery_application::VERSION_TYPE,
            ResourceKind::RoleAssignment => &role_assignment::TYPE,
            ResourceKind::ManagementLock => &management_lock::TYPE,
            ResourceKind::RoleDefinition => &role_definition::TYPE,
            ResourceKind::ClientConfig => &client_config::TYPE,
            ResourceKind::Local => &local::TYPE,
        }
    }
}

/// The managed azurerm resource types sigform knows.
pub static RESOURCES: &[&ResourceSchema] = &[
    &resource_group::RESOURCE,
    &managed_image::RESOURCE,
    &gallery::RESOURCE,
    &image_definition::RESOURCE,
    &image_version::RESOURCE,
    &gallery_application::APPLICATION,
    &gallery_application::VERSION,
    &role_assignment::RESOURCE,
    &management_lock::RESOURCE,
    &role_definition::RESOURCE,
    &local::RANDOM_STRING,
    &local::RANDOM_ID,
    &local::RANDOM_INTEGER,
    &local::RANDOM_PET,
    &local::RANDOM_UUID,
    &local::TERRAFORM_DATA,
];

/// The azurerm data sources sigform reads.
pub static DATA_SOURCES: &[&ResourceSchema] = &[
    &client_config::DATA,
    &client_config::SUBSCRIPTION,
    &resource_group::DATA,
    &managed_image::DATA,
    &managed_image::DATA_LIST,
    &gallery::DATA,
    &image_definition::DATA,
    &image_version::DATA,
    &image_version::DATA_LIST,
    &role_definition::DATA,
];

/// azurerm resource types a gallery configuration may contain that sigform does not manage yet.
pub static UNSUPPORTED_RESOURCES: &[&str] = &[
    "azurerm_shared_image_gallery_sharing",
    "azurerm_managed_disk",
    "azurerm_snapshot",
    "azurerm_storage_account",
    "azurerm_linux_virtual_machine",
    "azurerm_windows_virtual_machine",
];

/// The managed resource type of a kind.
pub fn of_kind(kind: ResourceKind) -> Option<&'static ResourceSchema> {
    kind.facts().resource
}

pub fn resource(type_name: &str) -> Option<&'static ResourceSchema> {
    RESOURCES.iter().copied().find(|s| s.type_name == type_name)
}

pub fn data_source(type_name: &str) -> Option<&'static ResourceSchema> {
    DATA_SOURCES.iter().copied().find(|s| s.type_name == type_name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Mutability::{Fixed, Updatable};

    #[test]
    fn every_kind_describes_itself() {
        for kind in ResourceKind::ALL {
            let facts = kind.facts();
            assert_eq!(facts.kind, kind);
            assert_eq!(ResourceKind::from_name(kind.name()), Some(kind));
            for schema in facts.resource.iter().chain(facts.data_source.iter()) {
                assert_eq!(schema.kind, kind, "{}", schema.type_name);
            }
        }
        assert_eq!(ResourceKind::from_name("Bogus"), None);
        assert_eq!(ResourceKind::of_resource_type("azurerm_storage_account"), None);
        for schema in RESOURCES.iter().filter(|s| s.kind != ResourceKind::Local) {
            assert_eq!(of_kind(schema.kind).map(|s| s.type_name), Some(schema.type_name));
        }
    }

    /// The updatable (U) attributes, per type, as the service documents them; everything else the user writes is F.
    #[test]
    fn mutability_matches_the_design() {
        let updatable: &[(&ResourceSchema, &[&str])] = &[
            (&resource_group::RESOURCE, &["tags"]),
            (&managed_image::RESOURCE, &["tags"]),
            (&gallery::RESOURCE, &["description", "tags"]),
            (
                &image_definition::RESOURCE,
                &[
                    "description",
                    "release_note_uri",
                    "end_of_life_date",
                    "disk_types_not_allowed",
                    "min_recommended_vcpu_count",
                    "max_recommended_vcpu_count",
                    "min_recommended_memory_in_gb",
                    "max_recommended_memory_in_gb",
                    "tags",
                ],
            ),
            (&image_version::RESOURCE, &["replica_count", "exclude_from_latest", "end_of_life_date", "tags"]),
            (&role_assignment::RESOURCE, &["description"]),
            (&management_lock::RESOURCE, &["lock_level", "notes"]),
            (&role_definition::RESOURCE, &["name", "description", "assignable_scopes"]),
            (
                &gallery_application::APPLICATION,
                &["description", "end_of_life_date", "eula", "privacy_statement_uri", "release_note_uri", "tags"],
            ),
            (
                &gallery_application::VERSION,
                &["enable_health_check", "end_of_life_date", "exclude_from_latest", "tags"],
            ),
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
        let region = image_version::RESOURCE.block("target_region").unwrap();
        assert_eq!(region.mutability, Updatable);
        let by_name = |n: &str| region.attrs.iter().find(|a| a.name == n).unwrap().mutability;
        assert_eq!(by_name("regional_replica_count"), Updatable);
        assert_eq!(by_name("exclude_from_latest_enabled"), Updatable);
        assert_eq!(by_name("storage_account_type"), Fixed);
    }
}
