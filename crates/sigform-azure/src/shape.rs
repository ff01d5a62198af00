//! The one translation between sigform's azurerm-shaped attributes and ARM's JSON resources
//! (`id`, `name`, `type`, `location`, `tags`, `properties{...}`), used in both directions by both
//! sides: the client builds request bodies and reads responses with it, the served emulator reads
//! requests and writes responses with it. Each kind is a table of (attribute path, JSON pointer)
//! pairs, so a field is stated once and cannot be mapped one way and forgotten the other.
//!
//! What the service adds that sigform does not model (`publishedDate`, `replicationMode`,
//! `safetyProfile`, `osDiskImage`, ...) is ignored when reading, so it never shows as drift.

use crate::arm_id::ArmId;
pub use crate::arm_id::extension_of;
use crate::cloud::{CloudResource, RegionReplication};
use crate::regions;
pub use crate::resources::role_assignment::{
    BUILT_IN_ROLES, built_in_role_guid, built_in_role_name, role_definition_id,
};
use crate::schema::{Conv, Field, ResourceKind};
use serde_json::{Map, Value as Json, json};

/// ARM's resource type, as in a response's `type`.
pub fn arm_type(kind: ResourceKind) -> &'static str {
    kind.facts().arm_type
}

/// The api-version the client sends for a kind.
pub fn api_version(kind: ResourceKind) -> &'static str {
    kind.facts().api_version
}

/// The kind an id names (extension resources — role assignments, locks — included).
pub fn kind_of_id(id: &str) -> Option<ResourceKind> {
    extension_of(id).map(|(kind, _)| kind).or_else(|| ArmId::parse(id).map(|p| p.kind))
}

fn get_path<'a>(json: &'a Json, path: &str) -> Option<&'a Json> {
    json.pointer(&format!("/{}", path.trim_start_matches('/'))).filter(|v| !v.is_null())
}

/// Sets a value at a path, creating objects (and lists, for numeric segments) on the way.
fn set_path(json: &mut Json, path: &str, value: Json) {
    let mut at = json;
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        let next_is_index = segments.get(i + 1).is_some_and(|s| s.parse::<usize>().is_ok());
        let fresh = || if next_is_index { json!([]) } else { json!({}) };
        if let Ok(index) = seg.parse::<usize>() {
            if !at.is_array() {
                *at = json!([]);
            }
            let list = at.as_array_mut().expect("made a list");
            while list.len() <= index {
                list.push(Json::Null);
            }
            if last {
                list[index] = value;
                return;
            }
            if list[index].is_null() {
                list[index] = fresh();
            }
            at = &mut list[index];
        } else {
            if !at.is_object() {
                *at = json!({});
            }
            let map = at.as_object_mut().expect("made an object");
            if last {
                map.insert(seg.to_string(), value);
                return;
            }
            at = map.entry(seg.to_string()).or_insert_with(fresh);
        }
    }
}

fn to_arm_value(conv: Conv, v: &Json) -> Json {
    match (conv, v) {
        (Conv::OsState, Json::Bool(true)) => json!("Specialized"),
        (Conv::OsState, Json::Bool(false)) => json!("Generalized"),
        _ => v.clone(),
    }
}

fn from_arm_value(conv: Conv, v: &Json) -> Json {
    match (conv, v) {
        (Conv::OsState, Json::String(s)) => Json::Bool(s.eq_ignore_ascii_case("Specialized")),
        _ => v.clone(),
    }
}

fn copy_to_arm(table: &[Field], attrs: &Json, out: &mut Json) {
    for Field(attr, arm, conv) in table {
        let Some(v) = get_path(attrs, attr) else { continue };
        if let Conv::Feature { name, value, .. } = conv {
            if v.as_bool() == Some(true) {
                let mut list = get_path(out, arm).and_then(Json::as_array).cloned().unwrap_or_default();
                list.push(json!({"name": name, "value": value}));
                set_path(out, arm, Json::Array(list));
            }
            continue;
        }
        set_path(out, arm, to_arm_value(*conv, v));
    }
}

fn copy_from_arm(table: &[Field], arm: &Json, out: &mut Json) {
    for Field(attr, pointer, conv) in table {
        // Only a feature that is there is read: one that is not is the attribute's default
        // (false), as an attribute ARM leaves out is everywhere else.
        if let Conv::Feature { name, marker, .. } = conv {
            if has_feature(get_path(arm, pointer), name, marker) {
                set_path(out, attr, Json::Bool(true));
            }
            continue;
        }
        if let Some(v) = get_path(arm, pointer) {
            set_path(out, attr, from_arm_value(*conv, v));
        }
    }
}

/// Whether a name/value list has an entry `name` listing `marker` among its values.
fn has_feature(list: Option<&Json>, name: &str, marker: &str) -> bool {
    list.and_then(Json::as_array).into_iter().flatten().any(|entry| {
        entry.get("name").and_then(Json::as_str).is_some_and(|n| n.eq_ignore_ascii_case(name))
            && entry
                .get("value")
                .and_then(Json::as_str)
                .is_some_and(|v| v.split(',').any(|item| item.trim().eq_ignore_ascii_case(marker)))
    })
}

/// The ARM request body for a write of `attrs` (azurerm-shaped, without computed attributes).
/// `role_definition_id` is what the role name resolves to, for role assignments.
pub fn request_body(kind: ResourceKind, attrs: &Json, role_definition_id: Option<&str>) -> Json {
    let facts = kind.facts();
    let mut body = json!({});
    if facts.tracked {
        if let Some(location) = get_path(attrs, "location") {
            body["location"] = location.clone();
        }
        if let Some(tags) = get_path(attrs, "tags") {
            body["tags"] = tags.clone();
        }
    }
    copy_to_arm(facts.wire, attrs, &mut body);
    if let Some(wire_list) = &facts.wire_list
        && let Some(entries) = get_path(attrs, wire_list.block).and_then(Json::as_array)
    {
        let list: Vec<Json> = entries
            .iter()
            .map(|r| {
                let mut item = json!({});
                copy_to_arm(wire_list.fields, r, &mut item);
                item
            })
            .collect();
        set_path(&mut body, wire_list.pointer, Json::Array(list));
    }
    if kind == ResourceKind::RoleAssignment
        && let Some(definition) = role_definition_id
    {
        set_path(&mut body, "/properties/roleDefinitionId", json!(definition));
    }
    if kind != ResourceKind::ResourceGroup && body.get("properties").is_none() {
        body["properties"] = json!({});
    }
    body
}

/// The names an id carries, as azurerm attributes (`name`, `resource_group_name`, ...).
fn names_from_id(kind: ResourceKind, id: &str, attrs: &mut Json) {
    let last = id.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    if let Some((_, scope)) = extension_of(id) {
        let name_attr = match kind.facts().id {
            crate::schema::IdShape::Extension { name_attr, .. } => name_attr,
            _ => "name",
        };
        attrs[name_attr] = json!(last);
        attrs["scope"] = json!(scope);
        return;
    }
    attrs["name"] = json!(last);
    let Some(parsed) = ArmId::parse(id) else { return };
    // A child named by its parent's id (`gallery_id`) carries that id instead of names.
    if let crate::schema::IdShape::InResourceGroup { segments, .. } = &kind.facts().id
        && let Some(parent_attr) = segments.iter().rev().map(|(_, a)| *a).find(|a| a.ends_with("_id"))
    {
        attrs[parent_attr] = json!(crate::arm_id::parent(id));
        return;
    }
    if kind != ResourceKind::ResourceGroup {
        attrs["resource_group_name"] = json!(parsed.resource_group);
    }
    match kind {
        ResourceKind::ImageDefinition => attrs["gallery_name"] = json!(parsed.names[0]),
        ResourceKind::ImageVersion => {
            attrs["gallery_name"] = json!(parsed.names[0]);
            attrs["image_name"] = json!(parsed.names[1]);
        }
        _ => {}
    }
}

/// azurerm attributes from an ARM resource or request body, for the resource at `id`.
/// `role_name` turns a role definition id back into its name, for role assignments.
pub fn attributes(kind: ResourceKind, id: &str, arm: &Json, role_name: &dyn Fn(&str) -> Option<String>) -> Json {
    let facts = kind.facts();
    let mut attrs = json!({});
    names_from_id(kind, id, &mut attrs);
    if facts.tracked {
        if let Some(location) = get_path(arm, "location") {
            attrs["location"] = location.clone();
        }
        if let Some(tags) = get_path(arm, "tags").filter(|t| t.as_object().is_some_and(|m| !m.is_empty())) {
            attrs["tags"] = tags.clone();
        }
    }
    copy_from_arm(facts.wire, arm, &mut attrs);
    if let Some(wire_list) = &facts.wire_list
        && let Some(list) = get_path(arm, wire_list.pointer).and_then(Json::as_array)
    {
        let entries: Vec<Json> = list
            .iter()
            .map(|item| {
                let mut r = json!({});
                copy_from_arm(wire_list.fields, item, &mut r);
                r
            })
            .collect();
        attrs[wire_list.block] = Json::Array(entries);
    }
    if kind == ResourceKind::RoleDefinition {
        attrs["role_definition_resource_id"] = json!(id);
    }
    if kind == ResourceKind::RoleAssignment {
        if let Some(definition) = get_path(arm, "/properties/roleDefinitionId").and_then(Json::as_str) {
            attrs["role_definition_name"] = json!(role_name(definition).unwrap_or_else(|| definition.to_string()));
            attrs["role_definition_id"] = json!(definition);
        }
        // The scope is the id's prefix (read above); ARM also reports it as `properties.scope`.
        if let Some(scope) = get_path(arm, "/properties/scope") {
            attrs["scope"] = scope.clone();
        }
    }
    attrs["id"] = json!(id);
    attrs
}

/// A resource from ARM's JSON (a GET, PUT or list entry).
pub fn resource(arm: &Json, role_name: &dyn Fn(&str) -> Option<String>) -> Result<CloudResource, String> {
    resource_at(arm, None, role_name)
}

/// The same, for an answer to a GET of `requested`, which may leave out its own `id` (as some of
/// the specification's examples do).
pub fn resource_at(
    arm: &Json,
    requested: Option<&str>,
    role_name: &dyn Fn(&str) -> Option<String>,
) -> Result<CloudResource, String> {
    let id = arm.get("id").and_then(Json::as_str).or(requested).ok_or("the resource has no `id`")?;
    let kind = kind_of_id(id).ok_or_else(|| format!("`{id}` is not a resource sigform manages"))?;
    let attributes = attributes(kind, id, arm, role_name);
    let provisioning_state =
        get_path(arm, "/properties/provisioningState").and_then(Json::as_str).unwrap_or("Succeeded").to_string();
    let replication = get_path(arm, "/properties/replicationStatus/summary")
        .and_then(Json::as_array)
        .map(|summary| {
            summary
                .iter()
                .map(|s| RegionReplication {
                    region: regions::normalize(s.get("region").and_then(Json::as_str).unwrap_or("")),
                    state: s.get("state").and_then(Json::as_str).unwrap_or("Unknown").to_string(),
                    progress: s.get("progress").and_then(Json::as_u64).unwrap_or(0).min(100) as u8,
                })
                .collect()
        })
        .unwrap_or_default();
    let subscription = id.split('/').nth(2).unwrap_or("").to_string();
    let location = get_path(arm, "location").and_then(Json::as_str).map(str::to_string);
    Ok(CloudResource { id: id.to_string(), kind, subscription, location, attributes, provisioning_state, replication })
}

/// Percent-encoding for form and query values.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The api-version of Azure Resource Graph's query API.
pub const GRAPH_API_VERSION: &str = "2022-10-01";

/// What refresh reads from the resource index: everything below a gallery.
pub const INDEXED: [ResourceKind; 4] = [
    ResourceKind::ImageDefinition,
    ResourceKind::ImageVersion,
    ResourceKind::GalleryApplication,
    ResourceKind::GalleryApplicationVersion,
];

/// The Resource Graph query for `kinds` (the index's whole vocabulary as far as sigform goes):
/// every resource of those types, ordered by id so that pages are stable.
pub fn graph_query(kinds: &[ResourceKind]) -> String {
    format!("resources | where type in~ ({}) | order by id asc", graph_types(kinds))
}

/// `kinds` as the quoted, lower-case type list of a `type in~ (...)` clause.
fn graph_types(kinds: &[ResourceKind]) -> String {
    let types: Vec<String> = kinds.iter().map(|k| format!("'{}'", arm_type(*k).to_ascii_lowercase())).collect();
    types.join(", ")
}

/// The Resource Graph query for the image versions in one location, one row per definition
/// with its versions in a list: a tenth of the rows of one row per version, so that a refresh at
/// today's quota ceiling (10,000 versions a region) fits Resource Graph's burst of 15 queries.
/// Resource Graph answers a summarizing query's first page only; a location with more than a
/// page of definitions is read with [`graph_query_in`] instead.
pub fn graph_versions_query(location: &str) -> String {
    format!(
        "resources | where type =~ '{}' and location =~ '{}' \
         | extend definition = tolower(tostring(split(id, '/versions/')[0])) \
         | summarize versions = make_list(pack('id', id, 'name', name, 'type', type, 'location', location, \
         'tags', tags, 'properties', properties)) by definition | order by definition asc",
        arm_type(ResourceKind::ImageVersion).to_ascii_lowercase(),
        location.replace('\'', "")
    )
}

/// The Resource Graph query for `kinds` in one location, a row each, ordered by id.
pub fn graph_query_in(kinds: &[ResourceKind], location: &str) -> String {
    format!(
        "resources | where type in~ ({}) and location =~ '{}' | order by id asc",
        graph_types(kinds),
        location.replace('\'', "")
    )
}

/// A resource as Resource Graph returns it: ARM's shape with the type in lower case and the
/// subscription and resource group as columns of their own.
pub fn graph_row(r: &CloudResource) -> Json {
    let mut row = response(r, false);
    row["type"] = json!(arm_type(r.kind).to_ascii_lowercase());
    row["subscriptionId"] = json!(r.subscription);
    row["resourceGroup"] = json!(r.id.split('/').nth(4).unwrap_or("").to_ascii_lowercase());
    row
}

/// A resource as ARM answers it; `replication` adds `replicationStatus` (`$expand=ReplicationStatus`).
pub fn response(r: &CloudResource, replication: bool) -> Json {
    let mut arm = Map::new();
    arm.insert("id".into(), json!(crate::arm_id::canonical(&r.id)));
    arm.insert("name".into(), json!(r.id.trim_end_matches('/').rsplit('/').next().unwrap_or("")));
    arm.insert("type".into(), json!(arm_type(r.kind)));
    let subscription = r.subscription.clone();
    let role_id = r.attributes.get("role_definition_id").and_then(Json::as_str).map(str::to_string).or_else(|| {
        r.attributes
            .get("role_definition_name")
            .and_then(Json::as_str)
            .map(|n| built_in_role_guid(n).map_or_else(|| n.to_string(), |g| role_definition_id(&subscription, g)))
    });
    let mut body = request_body(r.kind, &r.attributes, role_id.as_deref());
    if let Some(map) = body.as_object_mut() {
        arm.append(map);
    }
    // ARM answers with locations normalized ("East US" → "eastus").
    if let Some(location) = arm.get_mut("location")
        && let Some(name) = location.as_str()
    {
        *location = json!(crate::regions::normalize(name));
    }
    let mut arm = Json::Object(arm);
    if r.kind == ResourceKind::RoleAssignment {
        if let Some(scope) = r.attributes.get("scope").and_then(Json::as_str) {
            set_path(&mut arm, "/properties/scope", json!(crate::arm_id::canonical(scope)));
        }
    } else if r.kind != ResourceKind::ManagementLock {
        set_path(&mut arm, "/properties/provisioningState", json!(r.provisioning_state));
    }
    if replication && r.kind == ResourceKind::ImageVersion {
        let aggregated = if r.replication.iter().any(|s| s.state == "Failed") {
            "Failed"
        } else if r.replication.iter().all(|s| s.state == "Completed") {
            "Completed"
        } else {
            "InProgress"
        };
        let summary: Vec<Json> = r
            .replication
            .iter()
            .map(|s| json!({"region": regions::display(&s.region), "state": s.state, "details": "", "progress": s.progress}))
            .collect();
        set_path(&mut arm, "/properties/replicationStatus", json!({"aggregatedState": aggregated, "summary": summary}));
    }
    arm
}

#[cfg(test)]
mod tests;
