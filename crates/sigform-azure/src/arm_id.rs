//! Deterministic ARM resource ids: built from a resource's own attributes, so `x.id` is known at
//! plan time, and parsed back to tell what an id names (SIG302, SIG601) and what its parent is.

use crate::schema::ResourceKind;

pub fn resource_group(subscription: &str, name: &str) -> String {
    format!("/subscriptions/{subscription}/resourceGroups/{name}")
}

pub fn compute(subscription: &str, group: &str, path: &str) -> String {
    format!("{}/providers/Microsoft.Compute/{path}", resource_group(subscription, group))
}

pub fn image(subscription: &str, group: &str, name: &str) -> String {
    compute(subscription, group, &format!("images/{name}"))
}

pub fn gallery(subscription: &str, group: &str, gallery: &str) -> String {
    compute(subscription, group, &format!("galleries/{gallery}"))
}

pub fn image_definition(subscription: &str, group: &str, gallery: &str, image: &str) -> String {
    compute(subscription, group, &format!("galleries/{gallery}/images/{image}"))
}

pub fn image_version(subscription: &str, group: &str, gallery: &str, image: &str, version: &str) -> String {
    compute(subscription, group, &format!("galleries/{gallery}/images/{image}/versions/{version}"))
}

pub fn role_assignment(scope: &str, name: &str) -> String {
    format!("{}/providers/Microsoft.Authorization/roleAssignments/{name}", scope.trim_end_matches('/'))
}

/// A parsed ARM id of one of the kinds sigform manages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArmId {
    pub kind: ResourceKind,
    pub subscription: String,
    pub resource_group: String,
    /// The names below the resource group: `[gallery, image, version]`, `[image]`, ...
    pub names: Vec<String>,
}

impl ArmId {
    /// Parses an id, case-insensitively as ARM does; `None` for anything else.
    pub fn parse(id: &str) -> Option<ArmId> {
        let parts: Vec<&str> = id.trim_end_matches('/').split('/').collect();
        if parts.first() != Some(&"") {
            return None;
        }
        let parts = &parts[1..];
        let eq = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
        if parts.len() < 2 || !eq(parts[0], "subscriptions") || parts[1].is_empty() {
            return None;
        }
        let subscription = parts[1].to_string();
        if parts.len() < 4 || !eq(parts[2], "resourceGroups") || parts[3].is_empty() {
            return None;
        }
        let group = parts[3].to_string();
        let rest = &parts[4..];
        let id = |kind, names: &[&str]| {
            Some(ArmId {
                kind,
                subscription: subscription.clone(),
                resource_group: group.clone(),
                names: names.iter().map(|s| s.to_string()).collect(),
            })
        };
        if rest.is_empty() {
            return id(ResourceKind::ResourceGroup, &[]);
        }
        if rest.len() < 4 || !eq(rest[0], "providers") || rest.iter().any(|p| p.is_empty()) {
            return None;
        }
        if eq(rest[1], "Microsoft.Authorization") {
            return None;
        }
        if !eq(rest[1], "Microsoft.Compute") {
            return None;
        }
        match &rest[2..] {
            [t, name] if eq(t, "images") => id(ResourceKind::ManagedImage, &[name]),
            [t, g] if eq(t, "galleries") => id(ResourceKind::Gallery, &[g]),
            [t, g, i, name] if eq(t, "galleries") && eq(i, "images") => id(ResourceKind::ImageDefinition, &[g, name]),
            [t, g, i, name, v, version] if eq(t, "galleries") && eq(i, "images") && eq(v, "versions") => {
                id(ResourceKind::ImageVersion, &[g, name, version])
            }
            _ => None,
        }
    }
}

/// The id of the resource this one lives in (a version's definition, a definition's gallery,
/// a gallery's or image's resource group, a role assignment's scope).
pub fn parent(id: &str) -> Option<String> {
    let lower = id.to_ascii_lowercase();
    if let Some(pos) = lower.find("/providers/microsoft.authorization/roleassignments/") {
        return Some(id[..pos].to_string());
    }
    let parsed = ArmId::parse(id)?;
    let rg = resource_group(&parsed.subscription, &parsed.resource_group);
    let n = &parsed.names;
    match parsed.kind {
        ResourceKind::ResourceGroup | ResourceKind::ClientConfig | ResourceKind::RoleAssignment => None,
        ResourceKind::ManagedImage | ResourceKind::Gallery => Some(rg),
        ResourceKind::ImageDefinition => Some(gallery(&parsed.subscription, &parsed.resource_group, &n[0])),
        ResourceKind::ImageVersion => {
            Some(image_definition(&parsed.subscription, &parsed.resource_group, &n[0], &n[1]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_back_to_their_kind() {
        let s = "00000000-0000-0000-0000-000000000001";
        let cases = [
            (resource_group(s, "rg"), Some(ResourceKind::ResourceGroup)),
            (image(s, "rg", "img"), Some(ResourceKind::ManagedImage)),
            (gallery(s, "rg", "g"), Some(ResourceKind::Gallery)),
            (image_definition(s, "rg", "g", "d"), Some(ResourceKind::ImageDefinition)),
            (image_version(s, "rg", "g", "d", "1.0.0"), Some(ResourceKind::ImageVersion)),
            (
                format!("/subscriptions/{s}/resourcegroups/rg/providers/microsoft.compute/GALLERIES/g"),
                Some(ResourceKind::Gallery),
            ),
            (format!("/subscriptions/{s}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/x"), None),
            ("not an id".to_string(), None),
            (format!("/subscriptions/{s}"), None),
        ];
        for (id, kind) in cases {
            assert_eq!(ArmId::parse(&id).map(|p| p.kind), kind, "{id}");
        }
    }

    #[test]
    fn parents_walk_up_the_hierarchy() {
        let s = "sub";
        let v = image_version(s, "rg", "g", "d", "1.0.0");
        assert_eq!(parent(&v), Some(image_definition(s, "rg", "g", "d")));
        assert_eq!(parent(&image_definition(s, "rg", "g", "d")), Some(gallery(s, "rg", "g")));
        assert_eq!(parent(&gallery(s, "rg", "g")), Some(resource_group(s, "rg")));
        let ra = role_assignment(&gallery(s, "rg", "g"), "abc");
        assert_eq!(parent(&ra), Some(gallery(s, "rg", "g")));
        assert_eq!(parent(&resource_group(s, "rg")), None);
    }
}
