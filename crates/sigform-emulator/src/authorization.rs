//! Microsoft.Authorization in the emulator: management locks refuse what they cover before any
//! resource provider sees a request (ARM's order), and a role assignment's role — built-in or a
//! custom role defined in the subscription — is resolved and checked as Azure checks it.

use super::{Connection, Emulator, into_resource, now_ms, rows};
use serde_json::{Value as Json, json};
use sigform_azure::cloud::{CloudError, CloudResource, subscription_of};
use sigform_azure::schema::ResourceKind;

/// Role assignments and locks are Microsoft.Authorization's: locks do not hold them back (a
/// lock must be removable on a locked scope).
pub(crate) fn is_authorization(kind: ResourceKind) -> bool {
    matches!(kind, ResourceKind::RoleAssignment | ResourceKind::ManagementLock | ResourceKind::RoleDefinition)
}

/// ARM's check before any write (`delete` false) or delete of `id`: a lock at its scope or above
/// refuses it with 409 ScopeLocked.
pub(crate) fn locked_by(c: &Connection, id: &str, delete: bool) -> Result<(), CloudError> {
    let subscription = subscription_of(id);
    let locks = rows(
        c,
        "SELECT * FROM resources WHERE subscription = ?1 AND kind = 'ManagementLock' AND state != 'Deleting' ORDER BY key",
        [subscription.to_ascii_lowercase()],
    )?;
    let locked: Vec<String> = locks
        .iter()
        .filter_map(|lock| {
            let (_, scope) = sigform_azure::shape::extension_of(&lock.id)?;
            let level = lock.attributes.get("lock_level").and_then(Json::as_str).unwrap_or("CanNotDelete");
            sigform_azure::resources::management_lock::refuses(scope, level, id, delete).then(|| scope.to_string())
        })
        .collect();
    if locked.is_empty() {
        return Ok(());
    }
    let operation = if delete { "delete" } else { "write" };
    Err(CloudError::new(
        409,
        "ScopeLocked",
        format!(
            "The scope '{id}' cannot perform {operation} operation because following scope(s) are locked: '{}'. Please remove the lock and try again.",
            locked.join("', '")
        ),
    ))
}

impl Emulator {
    /// The custom role definitions of a subscription (for the served role-definition routes).
    pub fn role_definitions(&self, subscription: &str) -> Result<Vec<CloudResource>, CloudError> {
        self.with(|c| {
            self.count_call(c, "list")?;
            let found = rows(
                c,
                "SELECT * FROM resources WHERE subscription = ?1 AND kind = 'RoleDefinition' AND state != 'Deleting' ORDER BY key",
                [subscription.to_ascii_lowercase()],
            )?;
            let now = now_ms();
            Ok(found.into_iter().map(|r| into_resource(r, now)).collect())
        })
    }
}

/// A role assignment's role, named by `role_definition_name` or `role_definition_id`: a built-in
/// role, or a custom role defined in the subscription. Both attributes are filled in, as Azure
/// records the definition's id and azurerm reads its name back; a role that does not exist is
/// refused as ARM refuses it.
pub(crate) fn resolve_role(c: &Connection, subscription: &str, attrs: &mut Json) -> Result<(), CloudError> {
    let text = |k: &str| attrs.get(k).and_then(Json::as_str).map(str::to_string);
    let (name, id) = (text("role_definition_name"), text("role_definition_id"));
    let custom = || {
        rows(
            c,
            "SELECT * FROM resources WHERE subscription = ?1 AND kind = 'RoleDefinition' AND state != 'Deleting' ORDER BY key",
            [subscription.to_ascii_lowercase()],
        )
    };
    let (name, id) = match (name, id) {
        (_, Some(id)) => {
            let guid = id.rsplit('/').next().unwrap_or_default().to_string();
            let name = match sigform_azure::shape::built_in_role_name(&id) {
                Some(n) => n.to_string(),
                None => custom()?
                    .into_iter()
                    .find(|d| d.id.rsplit('/').next().is_some_and(|g| g.eq_ignore_ascii_case(&guid)))
                    .and_then(|d| d.attributes.get("name").and_then(Json::as_str).map(str::to_string))
                    .ok_or_else(|| {
                        CloudError::new(
                            400,
                            "RoleDefinitionDoesNotExist",
                            format!("The specified role definition with ID '{guid}' does not exist."),
                        )
                    })?,
            };
            (name, id)
        }
        (Some(name), None) => {
            let id = match sigform_azure::shape::built_in_role_guid(&name) {
                Some(guid) => sigform_azure::shape::role_definition_id(subscription, guid),
                None => custom()?
                    .into_iter()
                    .find(|d| {
                        d.attributes.get("name").and_then(Json::as_str).is_some_and(|n| n.eq_ignore_ascii_case(&name))
                    })
                    .map(|d| d.id)
                    .ok_or_else(|| {
                        CloudError::new(
                            400,
                            "RoleDefinitionDoesNotExist",
                            format!("no role definition is named `{name}`"),
                        )
                    })?,
            };
            (name, id)
        }
        (None, None) => {
            return Err(CloudError::new(
                400,
                "InvalidParameter",
                "a role assignment needs properties.roleDefinitionId",
            ));
        }
    };
    attrs["role_definition_name"] = json!(name);
    attrs["role_definition_id"] = json!(id);
    Ok(())
}
