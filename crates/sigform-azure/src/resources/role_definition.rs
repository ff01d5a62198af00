//! `azurerm_role_definition` / `Microsoft.Authorization/roleDefinitions`: a custom role — what
//! its holders may do (`permissions { actions, not_actions, data_actions, not_data_actions }`)
//! and where it may be assigned. The role's GUID (`role_definition_id`) is its ARM name, fixed;
//! sigform derives it from the scope and the block's address when it is not written, so the id
//! is known when planning (azurerm makes a random one). Name, description, permissions and
//! assignable scopes are updatable in place. Also the data source of the same name, which reads
//! built-in and custom roles by name or by id.

use crate::schema::AttrType::{String as Str, StringSet};
use crate::schema::Mutability::Updatable;
use crate::schema::{
    BlockSchema, ID, IdShape, ResourceKind, ResourceSchema, ResourceType, attr, computed, f, fixed, req, upd,
};

pub static RESOURCE: ResourceSchema = ResourceSchema {
    type_name: "azurerm_role_definition",
    kind: ResourceKind::RoleDefinition,
    attrs: &[
        attr("name", Str, true, Updatable),
        req("scope"),
        fixed("role_definition_id", Str),
        upd("description", Str),
        upd("assignable_scopes", StringSet).filled_by_service(),
        computed("role_definition_resource_id", Str),
        ID,
    ],
    blocks: &[PERMISSIONS],
    unsupported: &[],
};

static PERMISSIONS: BlockSchema = BlockSchema {
    name: "permissions",
    min: 0,
    max: 1,
    mutability: Updatable,
    attrs: &[
        upd("actions", StringSet),
        upd("not_actions", StringSet),
        upd("data_actions", StringSet),
        upd("not_data_actions", StringSet),
    ],
    key: None,
    unsupported: &[],
    blocks: &[],
    absent_when: None,
};

pub static DATA: ResourceSchema = ResourceSchema {
    type_name: "azurerm_role_definition",
    kind: ResourceKind::RoleDefinition,
    attrs: &[
        fixed("name", Str),
        fixed("role_definition_id", Str),
        fixed("scope", Str),
        computed("description", Str),
        computed("type", Str),
        computed("permissions", crate::schema::AttrType::Any),
        computed("assignable_scopes", StringSet),
        ID,
    ],
    blocks: &[],
    unsupported: &[],
};

pub static TYPE: ResourceType = ResourceType {
    kind: ResourceKind::RoleDefinition,
    name: "RoleDefinition",
    noun: "role definition",
    resource: Some(&RESOURCE),
    data_source: Some(&DATA),
    arm_type: "Microsoft.Authorization/roleDefinitions",
    api_version: "2022-04-01",
    wire: &[
        f("name", "/properties/roleName"),
        f("description", "/properties/description"),
        f("assignable_scopes", "/properties/assignableScopes"),
        f("permissions/0/actions", "/properties/permissions/0/actions"),
        f("permissions/0/not_actions", "/properties/permissions/0/notActions"),
        f("permissions/0/data_actions", "/properties/permissions/0/dataActions"),
        f("permissions/0/not_data_actions", "/properties/permissions/0/notDataActions"),
    ],
    wire_list: None,
    tracked: false,
    id: IdShape::Extension {
        provider: "Microsoft.Authorization",
        type_segment: "roleDefinitions",
        name_attr: "role_definition_id",
    },
};
