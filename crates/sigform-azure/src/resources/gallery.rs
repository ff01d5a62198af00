//! `azurerm_shared_image_gallery` / `Microsoft.Compute/galleries`: description and tags are
//! updatable; the service computes `unique_name`. `sharing { permission, community_gallery {...} }`
//! is the sharing profile (private, groups, or a community gallery with its publisher's
//! details), fixed after creation as in azurerm. First documented quota: 10 per subscription per
//! region.

use crate::schema::AttrType::{String as Str, StringMap, StringSet};
use crate::schema::Mutability::Fixed;
use crate::schema::{
    BlockSchema, ID, IdShape, ResourceKind, ResourceSchema, ResourceType, TAGS, computed, f, req, upd,
};

/// The sharing profile's permissions.
pub const PERMISSIONS: [&str; 3] = ["Private", "Groups", "Community"];

pub static RESOURCE: ResourceSchema = ResourceSchema {
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
    blocks: &[BlockSchema {
        name: "sharing",
        min: 0,
        max: 1,
        mutability: Fixed,
        attrs: &[req("permission")],
        key: None,
        unsupported: &[],
        blocks: &[BlockSchema {
            name: "community_gallery",
            min: 0,
            max: 1,
            mutability: Fixed,
            // `name`: the public name Azure gives the community gallery (its prefix and a suffix).
            attrs: &[req("eula"), req("prefix"), req("publisher_email"), req("publisher_uri"), computed("name", Str)],
            key: None,
            unsupported: &[],
            blocks: &[],
            absent_when: None,
        }],
        absent_when: Some(("permission", "Private")),
    }],
    unsupported: &[],
};

pub static DATA: ResourceSchema = ResourceSchema {
    type_name: "azurerm_shared_image_gallery",
    kind: ResourceKind::Gallery,
    attrs: &[
        req("name"),
        req("resource_group_name"),
        computed("location", Str),
        computed("description", Str),
        computed("unique_name", Str),
        computed("tags", StringMap),
        // The names of the gallery's image definitions (azurerm's data source lists them).
        computed("image_names", StringSet),
        ID,
    ],
    blocks: &[],
    unsupported: &[],
};

pub static TYPE: ResourceType = ResourceType {
    kind: ResourceKind::Gallery,
    name: "Gallery",
    noun: "gallery",
    resource: Some(&RESOURCE),
    data_source: Some(&DATA),
    arm_type: "Microsoft.Compute/galleries",
    api_version: "2023-07-03",
    wire: &[
        f("description", "/properties/description"),
        f("unique_name", "/properties/identifier/uniqueName"),
        f("sharing/0/permission", "/properties/sharingProfile/permissions"),
        f("sharing/0/community_gallery/0/eula", "/properties/sharingProfile/communityGalleryInfo/eula"),
        f("sharing/0/community_gallery/0/prefix", "/properties/sharingProfile/communityGalleryInfo/publicNamePrefix"),
        f(
            "sharing/0/community_gallery/0/publisher_email",
            "/properties/sharingProfile/communityGalleryInfo/publisherContact",
        ),
        f(
            "sharing/0/community_gallery/0/publisher_uri",
            "/properties/sharingProfile/communityGalleryInfo/publisherUri",
        ),
        f("sharing/0/community_gallery/0/name", "/properties/sharingProfile/communityGalleryInfo/publicNames/0"),
    ],
    wire_list: None,
    tracked: true,
    id: IdShape::InResourceGroup { provider: "Microsoft.Compute", segments: &[("galleries", "name")] },
};
