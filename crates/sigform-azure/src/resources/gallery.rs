//! `azurerm_shared_image_gallery` / `Microsoft.Compute/galleries`: description and tags are
//! updatable; the service computes `unique_name`. First documented quota: 10 per subscription
//! per region.

use crate::schema::AttrType::{String as Str, StringMap};
use crate::schema::{ID, IdShape, ResourceKind, ResourceSchema, ResourceType, TAGS, computed, f, req, upd};

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
    blocks: &[],
    unsupported: &["sharing"],
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
    wire: &[f("description", "/properties/description"), f("unique_name", "/properties/identifier/uniqueName")],
    wire_list: None,
    tracked: true,
    id: IdShape::InResourceGroup { provider: "Microsoft.Compute", segments: &[("galleries", "name")] },
};
