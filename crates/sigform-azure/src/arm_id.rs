//! Deterministic ARM resource ids: built from a resource's own attributes, so `x.id` is known at
//! plan time, and parsed back to tell what an id names (SIG302, SIG601) and what its parent is.

use crate::schema::{IdShape, ResourceKind};

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

/// For the id of an extension resource (`{scope}/providers/Microsoft.Authorization/locks/NAME`),
/// its kind and its scope.
pub fn extension_of(id: &str) -> Option<(ResourceKind, &str)> {
    // `SCOPE/providers/PROVIDER/TYPE/NAME`: the last four segments, compared in place (every id
    // of a plan asks this, through `parent`, several times: no copies, no searches).
    let mut tail = id.rsplitn(5, '/');
    let (name, type_segment, provider, providers, scope) =
        (tail.next()?, tail.next()?, tail.next()?, tail.next()?, tail.next()?);
    if name.is_empty() || !providers.eq_ignore_ascii_case("providers") {
        return None;
    }
    ResourceKind::ALL.into_iter().find_map(|kind| match &kind.facts().id {
        crate::schema::IdShape::Extension { provider: p, type_segment: t, .. }
            if p.eq_ignore_ascii_case(provider) && t.eq_ignore_ascii_case(type_segment) =>
        {
            Some((kind, scope))
        }
        _ => None,
    })
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

/// An id without the spare room its building left (a quarter of a 150-byte id, on average;
/// a plan at the quota ceiling holds 55,000 of them).
fn exact(id: String) -> String {
    if id.capacity() > id.len() { id.as_str().to_string() } else { id }
}

/// The id of a resource of `kind`, from its subscription and its attributes (`get` answers an
/// attribute's value): how each type's id is made is in its facts (`IdShape`). `None` when an
/// attribute the id needs is not known.
pub fn build(kind: ResourceKind, subscription: &str, get: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    match &kind.facts().id {
        IdShape::ResourceGroup => Some(resource_group(subscription, &get("name")?)),
        // A parent named by its id (`gallery_id`): the id is the parent's and what follows.
        IdShape::InResourceGroup { segments, .. } if segments.iter().any(|(_, a)| a.ends_with("_id")) => {
            let last_parent = segments.iter().rposition(|(_, a)| a.ends_with("_id"))?;
            let parent = get(segments[last_parent].1)?;
            let parsed = ArmId::parse(&parent)?;
            if parsed.names.len() != last_parent + 1 || parsed.id()?.is_empty() {
                return None;
            }
            let mut id = parent.trim_end_matches('/').to_string();
            for (segment, attribute) in &segments[last_parent + 1..] {
                id = format!("{id}/{segment}/{}", get(attribute)?);
            }
            Some(exact(id))
        }
        IdShape::InResourceGroup { provider, segments } => {
            let mut id = format!("{}/providers/{provider}", resource_group(subscription, &get("resource_group_name")?));
            for (segment, attribute) in *segments {
                id = format!("{id}/{segment}/{}", get(attribute)?);
            }
            Some(exact(id))
        }
        IdShape::Extension { provider, type_segment, name_attr } => Some(format!(
            "{}/providers/{provider}/{type_segment}/{}",
            get("scope")?.trim_end_matches('/'),
            get(name_attr)?
        )),
        IdShape::None => None,
    }
}

impl ArmId {
    /// The id, written canonically (ARM's casing of the path, the names as parsed). `None` for
    /// kinds whose ids are not under a resource group.
    pub fn id(&self) -> Option<String> {
        let rg = resource_group(&self.subscription, &self.resource_group);
        match &self.kind.facts().id {
            IdShape::ResourceGroup => Some(rg),
            IdShape::InResourceGroup { provider, segments } if segments.len() == self.names.len() => {
                let mut id = format!("{rg}/providers/{provider}");
                for ((segment, _), name) in segments.iter().zip(&self.names) {
                    id = format!("{id}/{segment}/{name}");
                }
                Some(id)
            }
            _ => None,
        }
    }

    /// Parses an id of a resource-group-level kind, case-insensitively as ARM does; `None` for
    /// anything else (extension resources such as role assignments included).
    pub fn parse(id: &str) -> Option<ArmId> {
        let (kind, subscription, resource_group, path) = parts(id)?;
        Some(ArmId {
            kind,
            subscription: subscription.to_string(),
            resource_group: resource_group.to_string(),
            names: path.path().chunks(2).map(|pair| pair[1].to_string()).collect(),
        })
    }
}

/// More segments than any id of a kind sigform knows (a version's has 12 after the leading `/`).
const MAX_SEGMENTS: usize = 16;

/// An id's segments, borrowed from it, without an allocation (`parent` is asked of every id of
/// a plan, several times); `path` is where the `type/name` pairs below the provider are.
struct Segments<'a> {
    all: [&'a str; MAX_SEGMENTS],
    path: std::ops::Range<usize>,
}

impl<'a> Segments<'a> {
    fn path(&self) -> &[&'a str] {
        &self.all[self.path.clone()]
    }
}

/// An id's kind, subscription, resource group and the `type/name` segments below the provider,
/// borrowed from it (what `ArmId::parse` owns; `parent` needs no copies).
fn parts(id: &str) -> Option<(ResourceKind, &str, &str, Segments<'_>)> {
    let mut all = [""; MAX_SEGMENTS];
    let mut split = id.trim_end_matches('/').split('/');
    if split.next() != Some("") {
        return None;
    }
    let mut n = 0;
    for segment in split {
        // Deeper than any kind sigform knows: no kind would match.
        *all.get_mut(n)? = segment;
        n += 1;
    }
    let parts = &all[..n];
    let eq = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    if parts.len() < 2 || !eq(parts[0], "subscriptions") || parts[1].is_empty() {
        return None;
    }
    if parts.len() < 4 || !eq(parts[2], "resourceGroups") || parts[3].is_empty() {
        return None;
    }
    let (subscription, resource_group) = (parts[1], parts[3]);
    let rest = &parts[4..];
    if rest.is_empty() {
        return Some((ResourceKind::ResourceGroup, subscription, resource_group, Segments { all, path: n..n }));
    }
    if rest.len() < 4 || !eq(rest[0], "providers") || rest.iter().any(|p| p.is_empty()) {
        return None;
    }
    let (provider, path) = (rest[1], &rest[2..]);
    let kind = ResourceKind::ALL.into_iter().find(|k| match &k.facts().id {
        IdShape::InResourceGroup { provider: p, segments } => {
            eq(p, provider)
                && path.len() == segments.len() * 2
                && segments.iter().zip(path.chunks(2)).all(|((segment, _), pair)| eq(segment, pair[0]))
        }
        _ => false,
    })?;
    Some((kind, subscription, resource_group, Segments { all, path: 6..n }))
}

/// An id as ARM writes it in answers: its type segments in ARM's casing (`resourceGroups`,
/// `Microsoft.Compute/galleries`, `Microsoft.Authorization/roleAssignments`), names as given.
/// An id of no kind sigform knows is returned as it is.
pub fn canonical(id: &str) -> String {
    let lower = id.to_ascii_lowercase();
    const ASSIGNMENTS: &str = "/providers/microsoft.authorization/roleassignments/";
    if let Some(pos) = lower.find(ASSIGNMENTS) {
        return role_assignment(&canonical(&id[..pos]), &id[pos + ASSIGNMENTS.len()..]);
    }
    ArmId::parse(id).and_then(|a| a.id()).unwrap_or_else(|| id.to_string())
}

/// The id of the resource this one lives in (a version's definition, a definition's gallery,
/// a gallery's or image's resource group, a role assignment's scope).
pub fn parent(id: &str) -> Option<String> {
    parent_in(id).map(std::borrow::Cow::into_owned)
}

/// `parent`, borrowed from `id` where it is a part of it (all but a resource group's id, which
/// is written as ARM writes it): the dependency graph asks this of every instance.
pub fn parent_in(id: &str) -> Option<std::borrow::Cow<'_, str>> {
    if let Some((_, scope)) = extension_of(id) {
        return Some(scope.into());
    }
    let (_, subscription, group, path) = parts(id)?;
    match path.path().len() / 2 {
        0 => None,
        1 => Some(resource_group(subscription, group).into()),
        // The same path without its last `type/name` pair.
        _ => {
            let id = id.trim_end_matches('/');
            let cut = id.rfind('/').and_then(|i| id[..i].rfind('/'))?;
            Some(id[..cut].into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_resources_name_their_kind_and_scope() {
        let g = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g";
        let cases: [(String, Option<(ResourceKind, &str)>); 7] = [
            (
                format!("{g}/providers/Microsoft.Authorization/roleAssignments/a1"),
                Some((ResourceKind::RoleAssignment, g)),
            ),
            (
                format!("{g}/PROVIDERS/microsoft.authorization/ROLEASSIGNMENTS/a1"),
                Some((ResourceKind::RoleAssignment, g)),
            ),
            (
                "/subscriptions/s/providers/Microsoft.Authorization/locks/l".into(),
                Some((ResourceKind::ManagementLock, "/subscriptions/s")),
            ),
            (
                "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/d".into(),
                Some((ResourceKind::RoleDefinition, "/subscriptions/s")),
            ),
            (format!("{g}/providers/Microsoft.Authorization/locks/"), None),
            (format!("{g}/images/d/versions/1.0.0"), None),
            (format!("{g}/providers/Microsoft.Authorization/policyAssignments/p"), None),
        ];
        for (id, want) in cases {
            assert_eq!(extension_of(&id), want, "{id}");
        }
    }

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
            (
                format!("/subscriptions/{s}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/x"),
                Some(ResourceKind::StorageAccount),
            ),
            (format!("/subscriptions/{s}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/x"), None),
            ("not an id".to_string(), None),
            (format!("/subscriptions/{s}"), None),
            // A trailing slash is no segment; an id deeper than any kind is none of them.
            (format!("{}/", image_version(s, "rg", "g", "d", "1.0.0")), Some(ResourceKind::ImageVersion)),
            (format!("{}/a/b/c/d/e", image_version(s, "rg", "g", "d", "1.0.0")), None),
            (format!("{}/a/b/c/d/e/f/g/h/i/j", image_version(s, "rg", "g", "d", "1.0.0")), None),
        ];
        for (id, kind) in cases {
            assert_eq!(ArmId::parse(&id).map(|p| p.kind), kind, "{id}");
        }
        let names = ArmId::parse(&image_version(s, "rg", "g", "d", "1.0.0")).unwrap().names;
        assert_eq!(names, ["g", "d", "1.0.0"]);
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
