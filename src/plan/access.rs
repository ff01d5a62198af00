//! Effective access (the service's sharing matrix): a role assigned on a gallery reaches the
//! gallery, its definitions and their versions; on a definition, that definition and its
//! versions; on a version, that version only. Pure: it reads records, not the cloud.

use crate::state::ResourceState;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

const GALLERY_TYPES: &[&str] =
    &["azurerm_shared_image_gallery", "azurerm_shared_image", "azurerm_shared_image_version"];

/// One assignment and everything it reaches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grant {
    pub principal_id: String,
    pub principal_type: Option<String>,
    pub role: String,
    /// The assignment's scope.
    pub scope_id: String,
    /// The assignment (its address when managed here).
    pub via: String,
    /// Ids of every gallery, definition and version the role reaches.
    pub resources: Vec<String>,
    /// What the role lets its holders do with them ("deploy", "publish", "delete", "share",
    /// "assign roles"), from its actions — a built-in role's, or a custom role's definition
    /// among the records; empty when the role's permissions are not known here.
    #[serde(default)]
    pub abilities: Vec<String>,
}

/// A role's permissions (actions, not actions): the built-in table's, or those of a custom role
/// definition among `records` (matched by its GUID, or by name).
fn permissions(a: &ResourceState, records: &[&ResourceState]) -> Option<(Vec<String>, Vec<String>)> {
    let owned = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<String>>();
    let id = text(a, "role_definition_id");
    let name = text(a, "role_definition_name");
    let built_in = id
        .as_deref()
        .and_then(|i| i.rsplit('/').next().map(str::to_string))
        .filter(|g| sigform_azure::rbac::built_in_permissions(g).is_some())
        .or_else(|| name.as_deref().and_then(sigform_azure::shape::built_in_role_guid).map(str::to_string));
    if let Some((actions, not_actions)) = built_in.as_deref().and_then(sigform_azure::rbac::built_in_permissions) {
        return Some((owned(actions), owned(not_actions)));
    }
    let guid = id.as_deref().and_then(|i| i.rsplit('/').next()).map(str::to_ascii_lowercase);
    let definition = records.iter().find(|r| {
        r.type_name == "azurerm_role_definition"
            && (guid
                .as_deref()
                .is_some_and(|g| text(r, "role_definition_id").is_some_and(|d| d.eq_ignore_ascii_case(g)))
                || name.as_deref().is_some_and(|n| text(r, "name").is_some_and(|d| d.eq_ignore_ascii_case(n))))
    })?;
    let permissions = definition.attributes.get("permissions")?;
    let block = permissions.get(0)?;
    let list = |k: &str| -> Vec<String> {
        block
            .get(k)
            .and_then(|l| l.as_array())
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    };
    Some((list("actions"), list("not_actions")))
}

fn text(r: &ResourceState, key: &str) -> Option<String> {
    r.attributes.get_str(key)
}

/// The role an assignment grants, by name: as written, from the built-in table for a role
/// definition id, from a custom role's definition among `records`, else the id itself.
fn role(r: &ResourceState, records: &[&ResourceState]) -> Option<String> {
    text(r, "role_definition_name").or_else(|| {
        let id = text(r, "role_definition_id")?;
        if let Some(name) = sigform_azure::shape::built_in_role_name(&id) {
            return Some(name.to_string());
        }
        let guid = id.rsplit('/').next().unwrap_or_default();
        let custom = records.iter().find(|d| {
            d.type_name == "azurerm_role_definition"
                && text(d, "role_definition_id").is_some_and(|g| g.eq_ignore_ascii_case(guid))
        });
        Some(custom.and_then(|d| text(d, "name")).unwrap_or(id))
    })
}

/// Everything each assignment among `records` reaches among the gallery resources of `records`.
pub fn effective(records: &[&ResourceState]) -> Vec<Grant> {
    let targets: Vec<&ResourceState> =
        records.iter().copied().filter(|r| GALLERY_TYPES.contains(&r.type_name.as_str())).collect();
    let mut grants = Vec::new();
    for a in records.iter().filter(|r| r.type_name == "azurerm_role_assignment") {
        let (Some(scope), Some(role), Some(principal)) = (text(a, "scope"), role(a, records), text(a, "principal_id"))
        else {
            continue;
        };
        let lower = scope.to_ascii_lowercase();
        let prefix = format!("{lower}/");
        let mut resources: Vec<String> = targets
            .iter()
            .filter(|t| {
                let id = t.id.to_ascii_lowercase();
                id == lower || id.starts_with(&prefix)
            })
            .map(|t| t.id.clone())
            .collect();
        resources.sort();
        let abilities = permissions(a, records)
            .map(|(actions, not_actions)| sigform_azure::rbac::gallery_abilities(&actions, &not_actions))
            .unwrap_or_default()
            .into_iter()
            .map(str::to_string)
            .collect();
        grants.push(Grant {
            principal_id: principal,
            principal_type: text(a, "principal_type"),
            role,
            scope_id: scope,
            via: a.address.clone(),
            resources,
            abilities,
        });
    }
    grants.sort_by(|a, b| (&a.principal_id, &a.role, &a.scope_id).cmp(&(&b.principal_id, &b.role, &b.scope_id)));
    grants
}

/// Who gains or loses a role on how many resources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessChange {
    pub principal_id: String,
    pub principal_type: Option<String>,
    pub role: String,
    pub gains: bool,
    pub resources: Vec<String>,
    /// The assignments through which the change happens.
    pub via: Vec<String>,
}

/// What changes between two sets of records, per principal and role.
pub fn changes(before: &[&ResourceState], after: &[&ResourceState]) -> Vec<AccessChange> {
    type Key = (String, String);
    /// Principal type, resources reached, assignments.
    type Reach = (Option<String>, BTreeSet<String>, BTreeSet<String>);
    let reach = |grants: Vec<Grant>| {
        let mut m: BTreeMap<Key, Reach> = BTreeMap::new();
        for g in grants {
            let e = m.entry((g.principal_id, g.role)).or_default();
            e.0 = e.0.take().or(g.principal_type);
            e.1.extend(g.resources);
            e.2.insert(g.via);
        }
        m
    };
    let (b, a) = (reach(effective(before)), reach(effective(after)));
    let keys: BTreeSet<&Key> = b.keys().chain(a.keys()).collect();
    let mut out = Vec::new();
    let empty = (None, BTreeSet::new(), BTreeSet::new());
    for key in keys {
        let (bt, bset, bvia) = b.get(key).unwrap_or(&empty);
        let (at, aset, avia) = a.get(key).unwrap_or(&empty);
        let kind = at.clone().or(bt.clone());
        let gained: Vec<String> = aset.difference(bset).cloned().collect();
        let lost: Vec<String> = bset.difference(aset).cloned().collect();
        if !gained.is_empty() {
            out.push(AccessChange {
                principal_id: key.0.clone(),
                principal_type: kind.clone(),
                role: key.1.clone(),
                gains: true,
                resources: gained,
                via: avia.iter().cloned().collect(),
            });
        }
        if !lost.is_empty() {
            out.push(AccessChange {
                principal_id: key.0.clone(),
                principal_type: kind,
                role: key.1.clone(),
                gains: false,
                resources: lost,
                via: bvia.iter().cloned().collect(),
            });
        }
    }
    out
}

/// "1 gallery, 2 definitions, 12 versions".
pub fn describe(ids: &[String]) -> String {
    let (mut g, mut d, mut v) = (0, 0, 0);
    for id in ids {
        let lower = id.to_ascii_lowercase();
        if lower.contains("/versions/") {
            v += 1;
        } else if lower.contains("/images/") {
            d += 1;
        } else {
            g += 1;
        }
    }
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut parts = Vec::new();
    if g > 0 {
        parts.push(plural(g, "gallery", "galleries"));
    }
    if d > 0 {
        parts.push(plural(d, "definition", "definitions"));
    }
    if v > 0 {
        parts.push(plural(v, "version", "versions"));
    }
    if parts.is_empty() { "nothing yet".into() } else { parts.join(", ") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rec(address: &str, type_name: &str, id: &str, attributes: serde_json::Value) -> ResourceState {
        ResourceState {
            address: address.into(),
            mode: "managed".into(),
            type_name: type_name.into(),
            name: address.split('.').nth(1).unwrap().into(),
            index: serde_json::Value::Null,
            provider: "azurerm".into(),
            subscription_id: "s".into(),
            id: id.into(),
            attributes: attributes.into(),
            dependencies: vec![],
            status: "ready".into(),
            sensitive: Vec::new(),
        }
    }

    const G: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g";

    fn world() -> Vec<ResourceState> {
        let d1 = format!("{G}/images/d1");
        let d2 = format!("{G}/images/d2");
        vec![
            rec("azurerm_shared_image_gallery.g", "azurerm_shared_image_gallery", G, json!({})),
            rec("azurerm_shared_image.d1", "azurerm_shared_image", &d1, json!({})),
            rec("azurerm_shared_image.d2", "azurerm_shared_image", &d2, json!({})),
            rec(
                "azurerm_shared_image_version.v1",
                "azurerm_shared_image_version",
                &format!("{d1}/versions/1.0.0"),
                json!({}),
            ),
            rec(
                "azurerm_shared_image_version.v2",
                "azurerm_shared_image_version",
                &format!("{d2}/versions/1.0.0"),
                json!({}),
            ),
        ]
    }

    fn assignment(name: &str, scope: &str, principal: &str) -> ResourceState {
        rec(
            &format!("azurerm_role_assignment.{name}"),
            "azurerm_role_assignment",
            &format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"),
            json!({"scope": scope, "role_definition_name": "Reader", "principal_id": principal, "principal_type": "User"}),
        )
    }

    #[test]
    fn access_follows_the_sharing_matrix() {
        let cases: &[(String, &str)] = &[
            (G.to_string(), "1 gallery, 2 definitions, 2 versions"),
            (format!("{G}/images/d1"), "1 definition, 1 version"),
            (format!("{G}/images/d2/versions/1.0.0"), "1 version"),
        ];
        for (scope, want) in cases {
            let mut all = world();
            all.push(assignment("a", scope, "alice"));
            let refs: Vec<&ResourceState> = all.iter().collect();
            let grants = effective(&refs);
            assert_eq!(grants.len(), 1);
            assert_eq!(describe(&grants[0].resources), *want, "{scope}");
        }
    }

    #[test]
    fn overlapping_assignments_and_changes() {
        let mut before = world();
        before.push(assignment("gallery", G, "alice"));
        let mut after = world();
        after.push(assignment("definition", &format!("{G}/images/d1"), "alice"));
        after.push(assignment("bob", &format!("{G}/images/d2"), "bob"));
        let b: Vec<&ResourceState> = before.iter().collect();
        let a: Vec<&ResourceState> = after.iter().collect();
        let delta = changes(&b, &a);
        let lines: Vec<String> = delta
            .iter()
            .map(|c| {
                format!("{} {} {}", c.principal_id, if c.gains { "gains" } else { "loses" }, describe(&c.resources))
            })
            .collect();
        assert_eq!(lines, ["alice loses 1 gallery, 1 definition, 1 version", "bob gains 1 definition, 1 version"]);
        // Two assignments reaching the same version count it once.
        let mut both = world();
        both.push(assignment("x", G, "carol"));
        both.push(assignment("y", &format!("{G}/images/d1"), "carol"));
        let refs: Vec<&ResourceState> = both.iter().collect();
        let none = changes(&refs, &refs);
        assert!(none.is_empty());
    }
}
