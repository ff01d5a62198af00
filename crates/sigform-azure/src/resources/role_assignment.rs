//! `azurerm_role_assignment` / `Microsoft.Authorization/roleAssignments`: how galleries are
//! shared (RBAC; access inherits downward). Everything but the description is fixed. The role is
//! named by `role_definition_name` or `role_definition_id` (one of them; the other is filled in),
//! optionally with an ABAC `condition`. Holds the built-in role definitions, whose ids are the
//! same in every subscription and cloud.

use crate::schema::AttrType::{Bool, String as Str};
use crate::schema::Mutability::ClientOnly;
use crate::schema::{ID, IdShape, ResourceKind, ResourceSchema, ResourceType, attr, f, fixed, req, upd};

pub static RESOURCE: ResourceSchema = ResourceSchema {
    type_name: "azurerm_role_assignment",
    kind: ResourceKind::RoleAssignment,
    attrs: &[
        fixed("name", Str),
        req("scope"),
        // One of the two names the role; the other is what Azure (or the built-in table) says.
        fixed("role_definition_name", Str).filled_by_service(),
        fixed("role_definition_id", Str).filled_by_service(),
        req("principal_id"),
        // Azure records the principal's type from the directory when the request leaves it out.
        fixed("principal_type", Str).filled_by_service(),
        upd("description", Str),
        fixed("condition", Str),
        fixed("condition_version", Str),
        attr("skip_service_principal_aad_check", Bool, false, ClientOnly),
        // Azure Lighthouse: the managed identity in the managing tenant the assignment is for.
        fixed("delegated_managed_identity_resource_id", Str),
        ID,
    ],
    blocks: &[],
    unsupported: &[],
};

pub static TYPE: ResourceType = ResourceType {
    kind: ResourceKind::RoleAssignment,
    name: "RoleAssignment",
    noun: "role assignment",
    resource: Some(&RESOURCE),
    data_source: None,
    arm_type: "Microsoft.Authorization/roleAssignments",
    api_version: "2022-04-01",
    wire: &[
        f("principal_id", "/properties/principalId"),
        f("principal_type", "/properties/principalType"),
        f("description", "/properties/description"),
        f("condition", "/properties/condition"),
        f("condition_version", "/properties/conditionVersion"),
        f("delegated_managed_identity_resource_id", "/properties/delegatedManagedIdentityResourceId"),
    ],
    wire_list: None,
    tracked: false,
    id: IdShape::Extension { provider: "Microsoft.Authorization", type_segment: "roleAssignments", name_attr: "name" },
};

/// Built-in role definitions by name (their ids are the same in every subscription and cloud).
pub static BUILT_IN_ROLES: &[(&str, &str)] = &[
    ("Owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
    ("Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c"),
    ("Reader", "acdd72a7-3385-48ef-bd42-f606fba81ae7"),
    ("User Access Administrator", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"),
    ("Virtual Machine Contributor", "9980e02c-c2be-4d73-94e8-173b1dc7cf3c"),
    ("Compute Gallery Sharing Admin", "1ef6a3be-d0ac-425d-8c01-acb62866290b"),
    ("Compute Gallery Artifacts Publisher", "85a2d0d9-2eba-4c9c-b355-11c2cc0788ab"),
    ("Compute Gallery Image Reader", "cf7c76d2-98a3-4358-a134-615aa78bf44d"),
];

/// A role definition's full id in a subscription.
pub fn role_definition_id(subscription: &str, guid: &str) -> String {
    format!("/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{guid}")
}

pub fn built_in_role_guid(name: &str) -> Option<&'static str> {
    BUILT_IN_ROLES.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, g)| *g)
}

pub fn built_in_role_name(definition_id: &str) -> Option<&'static str> {
    let guid = definition_id.rsplit('/').next()?;
    BUILT_IN_ROLES.iter().find(|(_, g)| g.eq_ignore_ascii_case(guid)).map(|(n, _)| *n)
}
