//! ARM's authorization of a request: the action it needs (`{provider}/{type}/{read|write|delete}`
//! or `…/action`) at the scope it addresses, allowed when one of the caller's role assignments
//! at that scope or above holds a role whose definition permits it (`sigform_azure::rbac`), and
//! otherwise refused with ARM's 403 `AuthorizationFailed`, which names the action and the scope.
//! The owner (a token the emulator did not issue, its system-assigned identity) may do anything.

use super::http::{Request, Response};
use super::login::Caller;
use super::{Server, arm_error, error};
use sigform_azure::rbac;
use sigform_azure::schema::ResourceKind;
use sigform_azure::shape;

/// What a request needs: an action at a scope; `None` for what every signed-in caller may do
/// (the operation status resources, the list of subscriptions, which is filtered instead).
pub(super) fn required(request: &Request, segs: &[String]) -> Option<(String, String)> {
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    let parts: Vec<&str> = request.path.trim_matches('/').split('/').collect();
    let prefix = |n: usize| format!("/{}", parts[..n.min(parts.len())].join("/"));
    let verb = match request.method.as_str() {
        "GET" | "HEAD" => "read",
        "PUT" | "PATCH" => "write",
        "DELETE" => "delete",
        _ => "action",
    };
    if s.len() < 2 || s[0] != "subscriptions" {
        return None;
    }
    let list_or_id = |kind_type: &str, scope: String| Some((format!("{kind_type}/{verb}"), scope));
    match &s[2..] {
        [] => None,
        ["providers", "microsoft.compute", "locations", _, "operations", _] => None,
        ["providers", "microsoft.features", "providers", _, "features", _, rest @ ..] => {
            let action = if rest.is_empty() { "read" } else { "register/action" };
            Some((format!("Microsoft.Features/providers/features/{action}"), prefix(2)))
        }
        ["providers", _, "register"] => Some((format!("{}/register/action", parts[3]), prefix(2))),
        ["resourcegroups"] => list_or_id("Microsoft.Resources/subscriptions/resourceGroups", prefix(2)),
        ["resourcegroups", _] => list_or_id("Microsoft.Resources/subscriptions/resourceGroups", prefix(4)),
        ["providers", "microsoft.compute", "images" | "galleries"] => {
            list_or_id(&format!("Microsoft.Compute/{}", parts[4]), prefix(2))
        }
        ["resourcegroups", _, "providers", "microsoft.compute", "images" | "galleries"] => {
            list_or_id(&format!("Microsoft.Compute/{}", parts[6]), prefix(4))
        }
        _ => {
            for (provider_type, at) in
                [("roledefinitions", "roleDefinitions"), ("roleassignments", "roleAssignments"), ("locks", "locks")]
            {
                if let Some(pos) =
                    s.windows(3).position(|w| w == ["providers", "microsoft.authorization", provider_type])
                {
                    return Some((format!("Microsoft.Authorization/{at}/{verb}"), prefix(pos)));
                }
            }
            // A gallery's definitions and a definition's versions, listed.
            if s.len() == 9 && s[6] == "galleries" && s[8] == "images" {
                return list_or_id("Microsoft.Compute/galleries/images", prefix(8));
            }
            if s.len() == 11 && s[6] == "galleries" && s[8] == "images" && s[10] == "versions" {
                return list_or_id("Microsoft.Compute/galleries/images/versions", prefix(10));
            }
            if s.len() == 9 && s[6] == "galleries" && s[8] == "applications" {
                return list_or_id("Microsoft.Compute/galleries/applications", prefix(8));
            }
            if s.len() == 11 && s[6] == "galleries" && s[8] == "applications" && s[10] == "versions" {
                return list_or_id("Microsoft.Compute/galleries/applications/versions", prefix(10));
            }
            let kind = shape::kind_of_id(&request.path)?;
            list_or_id(shape::arm_type(kind), request.path.trim_end_matches('/').to_string())
        }
    }
}

/// What a caller may do: its role grants, read once per request (`None`: the owner, who may do
/// anything).
pub(super) struct Access(Option<Vec<crate::Grant>>);

impl Access {
    /// Whether the caller may do `action` at `scope`.
    pub(super) fn permits(&self, action: &str, scope: &str) -> bool {
        let Some(grants) = &self.0 else { return true };
        grants.iter().any(|g| rbac::scope_covers(&g.scope, scope) && rbac::role_permits(&g.role, action) == Some(true))
    }

    /// Whether the caller may read the resource `id` (Resource Graph answers only that).
    pub(super) fn can_read(&self, id: &str, kind: ResourceKind) -> bool {
        self.0.is_none() || self.permits(&format!("{}/read", shape::arm_type(kind)), id)
    }

    /// Whether the caller holds any role in the subscription (the subscriptions it is shown).
    pub(super) fn has_role_in(&self, subscription: &str) -> bool {
        let Some(grants) = &self.0 else { return true };
        let scope = format!("/subscriptions/{subscription}");
        grants.iter().any(|g| rbac::scope_covers(&g.scope, &scope) || rbac::scope_covers(&scope, &g.scope))
    }
}

impl Server {
    /// The caller's grants: the directory's and the role assignments naming it.
    pub(super) fn access(&self, caller: &Caller) -> Result<Access, Response> {
        match &caller.principal {
            None => Ok(Access(None)),
            Some(principal) => Ok(Access(Some(self.emulator.grants_of(principal).map_err(|e| arm_error(&e))?))),
        }
    }

    /// ARM's check before a request is carried out.
    pub(super) fn authorize(&self, request: &Request, segs: &[String], caller: &Caller) -> Result<(), Response> {
        let Some(principal) = &caller.principal else { return Ok(()) };
        let Some((action, scope)) = required(request, segs) else { return Ok(()) };
        if self.access(caller)?.permits(&action, &scope) {
            return Ok(());
        }
        Err(error(
            403,
            "AuthorizationFailed",
            format!(
                "The client '{principal}' with object id '{principal}' does not have authorization to perform \
                 action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, \
                 please refresh your credentials."
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn need(method: &str, path: &str) -> Option<(String, String)> {
        let request =
            Request { method: method.into(), path: path.into(), query: vec![], headers: vec![], body: vec![] };
        let segs: Vec<String> = path.trim_matches('/').split('/').map(str::to_ascii_lowercase).collect();
        required(&request, &segs)
    }

    #[test]
    fn requests_need_the_actions_arm_checks() {
        let g = "/subscriptions/S/resourceGroups/rg/providers/Microsoft.Compute/galleries/g";
        let cases = [
            ("GET", g.to_string(), "Microsoft.Compute/galleries/read", g.to_string()),
            ("PUT", format!("{g}/images/d"), "Microsoft.Compute/galleries/images/write", format!("{g}/images/d")),
            (
                "DELETE",
                format!("{g}/images/d/versions/1.0.0"),
                "Microsoft.Compute/galleries/images/versions/delete",
                format!("{g}/images/d/versions/1.0.0"),
            ),
            (
                "GET",
                format!("{g}/images/d/versions"),
                "Microsoft.Compute/galleries/images/versions/read",
                format!("{g}/images/d"),
            ),
            (
                "PUT",
                format!("{g}/providers/Microsoft.Authorization/roleAssignments/a"),
                "Microsoft.Authorization/roleAssignments/write",
                g.to_string(),
            ),
            (
                "PUT",
                "/subscriptions/S/resourceGroups/rg".into(),
                "Microsoft.Resources/subscriptions/resourceGroups/write",
                "/subscriptions/S/resourceGroups/rg".into(),
            ),
            (
                "GET",
                "/subscriptions/S/providers/Microsoft.Compute/galleries".into(),
                "Microsoft.Compute/galleries/read",
                "/subscriptions/S".into(),
            ),
        ];
        for (method, path, action, scope) in cases {
            assert_eq!(need(method, &path), Some((action.to_string(), scope)), "{method} {path}");
        }
        assert_eq!(need("GET", "/subscriptions/S/providers/Microsoft.Compute/locations/eastus/operations/x"), None);
        assert_eq!(need("GET", "/subscriptions/S"), None);
    }
}
