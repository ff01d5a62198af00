//! `azurerm_resource_group` / `Microsoft.Resources/resourceGroups`: name and location fixed,
//! tags updatable. Resource groups have no gallery properties on the wire.

use crate::schema::AttrType::{String as Str, StringMap};
use crate::schema::{ID, IdShape, ResourceKind, ResourceSchema, ResourceType, TAGS, computed, req};

pub static RESOURCE: ResourceSchema = ResourceSchema {
    type_name: "azurerm_resource_group",
    kind: ResourceKind::ResourceGroup,
    attrs: &[req("name"), req("location"), TAGS, ID],
    blocks: &[],
    unsupported: &["managed_by"],
};

pub static DATA: ResourceSchema = ResourceSchema {
    type_name: "azurerm_resource_group",
    kind: ResourceKind::ResourceGroup,
    attrs: &[req("name"), computed("location", Str), computed("tags", StringMap), ID],
    blocks: &[],
    unsupported: &[],
};

pub static TYPE: ResourceType = ResourceType {
    kind: ResourceKind::ResourceGroup,
    name: "ResourceGroup",
    noun: "resource group",
    resource: Some(&RESOURCE),
    data_source: Some(&DATA),
    arm_type: "Microsoft.Resources/resourceGroups",
    api_version: "2021-04-01",
    wire: &[],
    wire_list: None,
    tracked: true,
    id: IdShape::ResourceGroup,
};
