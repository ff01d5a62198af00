//! Custom role definitions: a name, at least one permission, on a scope that exists (the
//! subscription, or a resource in it); assignable where the definition says, at its own scope
//! when it says nothing. Updatable: everything but the GUID and the scope.

use super::{Context, TypeService, invalid, str_of};
use crate::Row;
use serde_json::{Value as Json, json};
use sigform_azure::cloud::CloudError;

pub(super) struct RoleDefinition;

impl TypeService for RoleDefinition {
    fn updatable(&self) -> &'static [&'static str] {
        &["/properties/roleName", "/properties/description", "/properties/assignableScopes", "/properties/permissions"]
    }

    fn check(&self, attrs: &Json, ctx: &Context) -> Result<(), CloudError> {
        if str_of(attrs, "name").is_none_or(str::is_empty) {
            return Err(invalid("a role definition needs properties.roleName"));
        }
        let scope = str_of(attrs, "scope").unwrap_or("");
        let subscription_scope = scope.trim_end_matches('/').split('/').filter(|s| !s.is_empty()).count() == 2;
        if !subscription_scope && (ctx.lookup)(scope).is_none() {
            return Err(CloudError::new(404, "ResourceNotFound", format!("the scope {scope} was not found")));
        }
        let permissions = attrs.get("permissions").and_then(|p| p.get(0));
        let listed =
            |k: &str| permissions.and_then(|p| p.get(k)).and_then(Json::as_array).is_some_and(|l| !l.is_empty());
        if !listed("actions") && !listed("data_actions") {
            return Err(CloudError::new(
                400,
                "RoleDefinitionHasNoPermissions",
                "a custom role needs at least one action or data action in properties.permissions",
            ));
        }
        Ok(())
    }

    fn fill(&self, id: &str, attrs: &mut Json, _existing: Option<&Row>) {
        if attrs.get("assignable_scopes").is_none_or(|s| s.as_array().is_none_or(Vec::is_empty)) {
            let scope = attrs.get("scope").cloned().unwrap_or(Json::Null);
            attrs["assignable_scopes"] = json!([scope]);
        }
        attrs["role_definition_resource_id"] = json!(id);
    }
}
