//! The plan as Terraform's machine-readable plan (`terraform show -json`, format 1.2), so tools
//! that read Terraform plans read ours; sigform's own facts live under a top-level `"sigform"`.

use crate::plan::{Action, OutputChange, Plan, ResourceChange};
use crate::state::ResourceState;
use serde_json::{Map, Value as Json, json};

/// The Terraform release whose plan format this follows.
pub const TERRAFORM_VERSION: &str = "1.9.8";
pub const PROVIDER_NAME: &str = "registry.terraform.io/hashicorp/azurerm";

pub fn plan_json(plan: &Plan) -> Json {
    let resource_changes: Vec<Json> = plan
        .changes
        .iter()
        .map(|c| {
            let mut json = resource_change(c);
            // Terraform's `previous_address` for a record a `moved` block renames.
            if let Some(m) = plan.moved.iter().find(|m| m.to == c.address) {
                json["previous_address"] = json!(m.from);
            }
            // Terraform's `change.importing` for a resource an import block adopts.
            if let Some(i) = plan.imported.iter().find(|i| i.address == c.address) {
                json["change"]["importing"] = json!({"id": i.id});
            }
            json
        })
        .collect();
    // Terraform's `forget` action: out of the state, left in the cloud (`removed` blocks).
    let mut resource_changes = resource_changes;
    for f in &plan.forgotten {
        let mut m = Map::new();
        m.insert("address".into(), json!(f.address));
        if let Ok(a) = crate::model::address::parse(&f.address) {
            if !a.resource.module.is_empty() {
                m.insert("module_address".into(), json!(a.resource.module));
            }
            m.insert("mode".into(), json!("managed"));
            m.insert("type".into(), json!(a.resource.type_name));
            m.insert("name".into(), json!(a.resource.name));
            let index = crate::model::address::index_json(&a.key);
            if !index.is_null() {
                m.insert("index".into(), index);
            }
        }
        m.insert("provider_name".into(), json!(PROVIDER_NAME));
        m.insert("change".into(), json!({"actions": ["forget"], "before": {"id": f.id}, "after": null}));
        resource_changes.push(Json::Object(m));
    }
    let planned: Vec<(String, Json)> = plan
        .changes
        .iter()
        .filter_map(|c| match c.action {
            Action::Delete => None,
            Action::NoOp => c.before.as_ref().map(|r| (module_of(r), planned_value(r))),
            _ => c.after.as_ref().map(|r| (module_of(r), planned_value(r))),
        })
        .collect();
    let mut outputs = Map::new();
    let mut planned_outputs = Map::new();
    for o in &plan.output_changes {
        outputs.insert(o.name.clone(), output_change(o));
        if let Some(after) = &o.after {
            // Sensitive values are marked and left out: a plan file or CI log must not leak them.
            let value = if o.sensitive { Json::Null } else { after.clone() };
            planned_outputs.insert(o.name.clone(), json!({"sensitive": o.sensitive, "value": value}));
        }
    }
    let mut config_resources: Vec<(String, Json)> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for c in &plan.changes {
        let r = c.resource();
        // The block's address inside its module, as Terraform's configuration lists it.
        let module = module_of(r);
        let block = match r.mode.as_str() {
            "data" => format!("data.{}.{}", r.type_name, r.name),
            _ => format!("{}.{}", r.type_name, r.name),
        };
        let call_path = module_calls(&module);
        if c.action != Action::Delete && seen.insert((call_path.clone(), block.clone())) {
            config_resources.push((
                call_path,
                json!({
                    "address": block,
                    "mode": r.mode,
                    "type": r.type_name,
                    "name": r.name,
                    "provider_config_key": r.provider,
                    "schema_version": 0,
                }),
            ));
        }
    }
    let forbidden: Vec<&crate::plan::Forbidden> = plan.forbidden().collect();
    json!({
        "format_version": "1.2",
        "terraform_version": TERRAFORM_VERSION,
        "planned_values": {
            "outputs": planned_outputs,
            "root_module": module_tree(planned, false),
        },
        "resource_changes": resource_changes,
        "resource_drift": resource_drift(plan),
        "output_changes": outputs,
        "configuration": {
            "provider_config": {"azurerm": {"name": "azurerm", "full_name": PROVIDER_NAME}},
            "root_module": module_tree(config_resources, true),
        },
        "relevant_attributes": [],
        "timestamp": plan.created,
        "applyable": plan.applyable(),
        "complete": true,
        "errored": false,
        "sigform": {
            "version": plan.sigform_version,
            "lineage": plan.lineage,
            "serial": plan.serial,
            "config_hash": plan.config_hash,
            "service_profile": plan.service_profile,
            "apply_settings": plan.apply_settings,
            "order": plan.order,
            "forbidden": forbidden,
            "diagnostics": plan.diagnostics,
            "cost": plan.cost,
            "replication_estimate": plan.replication_estimate,
            "access_changes": plan.access_changes,
            "retention": {
                "to_shrink": plan.retention_summary().0,
                "to_delete": plan.retention_summary().1,
                "notes": plan.retention_notes,
            },
        },
    })
}

/// The module instance a recorded resource is in (`""` in the root).
fn module_of(r: &ResourceState) -> String {
    crate::model::address::parse(&r.address).map(|a| a.resource.module).unwrap_or_default()
}

/// A module instance path without its instance keys: the module call, as the configuration
/// half of the plan names it (`module.image` for `module.image["ubuntu"]`).
fn module_calls(module: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in module.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Terraform's module tree: `{resources, child_modules: [{address, resources, ...}]}`, each
/// child module at the path of its instance (or, in the configuration, of its call).
fn module_tree(items: Vec<(String, Json)>, configuration: bool) -> Json {
    // Every module path with its resources, and every ancestor path too.
    let mut modules: std::collections::BTreeMap<String, Vec<Json>> = std::collections::BTreeMap::new();
    modules.entry(String::new()).or_default();
    for (path, item) in items {
        let mut start = 0;
        while let Some(found) = path[start..].find(".module.") {
            modules.entry(path[..start + found].to_string()).or_default();
            start += found + 1;
        }
        modules.entry(path).or_default().push(item);
    }
    fn build(path: &str, modules: &std::collections::BTreeMap<String, Vec<Json>>, configuration: bool) -> Json {
        let mut node = Map::new();
        if !path.is_empty() && !configuration {
            node.insert("address".into(), json!(path));
        }
        node.insert("resources".into(), json!(modules.get(path).cloned().unwrap_or_default()));
        let children = modules.keys().filter(|child| {
            let rest = if path.is_empty() { Some(child.as_str()) } else { child.strip_prefix(&format!("{path}.")) };
            rest.is_some_and(|r| r.starts_with("module.") && !r.contains(".module."))
        });
        if configuration {
            // The configuration names module calls, each with its module's configuration.
            let calls: Map<String, Json> = children
                .map(|child| {
                    let name = child.rsplit("module.").next().unwrap_or(child).to_string();
                    (name, json!({"module": build(child, modules, configuration)}))
                })
                .collect();
            if !calls.is_empty() {
                node.insert("module_calls".into(), Json::Object(calls));
            }
        } else {
            let children: Vec<Json> = children.map(|child| build(child, modules, configuration)).collect();
            if !children.is_empty() {
                node.insert("child_modules".into(), json!(children));
            }
        }
        Json::Object(node)
    }
    build("", &modules, configuration)
}

fn identity(r: &ResourceState, into: &mut Map<String, Json>) {
    into.insert("address".into(), json!(r.address));
    let module = module_of(r);
    if !module.is_empty() {
        into.insert("module_address".into(), json!(module));
    }
    into.insert("mode".into(), json!(r.mode));
    into.insert("type".into(), json!(r.type_name));
    into.insert("name".into(), json!(r.name));
    if !r.index.is_null() {
        into.insert("index".into(), r.index.clone());
    }
    into.insert("provider_name".into(), json!(PROVIDER_NAME));
}

fn planned_value(r: &ResourceState) -> Json {
    let mut m = Map::new();
    identity(r, &mut m);
    m.insert("schema_version".into(), json!(0));
    m.insert("values".into(), r.attributes.value());
    m.insert("sensitive_values".into(), json!({}));
    Json::Object(m)
}

fn resource_change(c: &ResourceChange) -> Json {
    let mut m = Map::new();
    identity(c.resource(), &mut m);
    let (actions, reason): (&[&str], Option<&str>) = match c.action {
        Action::NoOp => (&["no-op"], None),
        Action::Create => (&["create"], None),
        Action::Update => (&["update"], None),
        Action::Delete => (&["delete"], Some("delete_because_no_resource_config")),
        Action::Replace => (&["delete", "create"], Some("replace_by_request")),
        // What the change would take; `applyable: false` and `sigform.forbidden` say it won't happen.
        Action::Forbidden if c.after.is_some() => (&["delete", "create"], Some("replace_because_cannot_update")),
        Action::Forbidden => (&["delete"], None),
    };
    let before = c.before.as_ref().map_or(Json::Null, |b| b.attributes.value());
    let after = match c.action {
        Action::Delete => Json::Null,
        // A no-op's record is kept once: before and after are the same.
        Action::NoOp => before.clone(),
        _ => c.after.as_ref().map_or(Json::Null, |a| a.attributes.value()),
    };
    let mut unknown = json!({});
    for path in &c.after_unknown {
        set_path(&mut unknown, path, &after);
    }
    let replace_paths: Vec<Json> = c
        .changes
        .iter()
        .filter(|ch| ch.fixed && matches!(c.action, Action::Replace | Action::Forbidden))
        .map(|ch| json!(crate::plan::path::segments(&ch.path)))
        .collect();
    // Terraform's marks: which top-level values are sensitive (their values stay, marked).
    let marks: Map<String, Json> = c.sensitive.iter().map(|k| (k.clone(), json!(true))).collect();
    let sensitive = |v: &Json| if v.is_null() { json!(false) } else { Json::Object(marks.clone()) };
    let mut change = json!({
        "actions": actions,
        "before": before,
        "after": after,
        "after_unknown": unknown,
        "before_sensitive": sensitive(&before),
        "after_sensitive": sensitive(&after),
    });
    if !replace_paths.is_empty() {
        change["replace_paths"] = json!(replace_paths);
    }
    m.insert("change".into(), change);
    if let Some(reason) = reason {
        m.insert("action_reason".into(), json!(reason));
    }
    // Retention's changes: an ordinary change, its reason sigform's own.
    if c.retention {
        m.insert("action_reason".into(), json!("sigform.retention"));
        m.insert(
            "sigform".into(),
            json!({"retention": c.reason.as_deref().unwrap_or("").trim_start_matches("retention: ")}),
        );
    }
    Json::Object(m)
}

/// Terraform's `resource_drift[]`: what changed outside (an update from the record to the cloud's
/// copy) and what was deleted outside.
fn resource_drift(plan: &Plan) -> Vec<Json> {
    let changed = plan.drift.drifted.iter().filter_map(|d| Some((d.record.as_ref()?, "update", d.cloud.clone())));
    let deleted = plan.drift.deleted.iter().filter_map(|d| Some((d.record.as_ref()?, "delete", Json::Null)));
    changed
        .chain(deleted)
        .map(|(record, action, after)| {
            let mut m = Map::new();
            identity(record, &mut m);
            let marks: Map<String, Json> = record.sensitive.iter().map(|a| (a.clone(), json!(true))).collect();
            let after_sensitive = if after.is_null() { json!(false) } else { Json::Object(marks.clone()) };
            m.insert(
                "change".into(),
                json!({
                    "actions": [action], "before": record.attributes, "after": after,
                    "after_unknown": {}, "before_sensitive": marks, "after_sensitive": after_sensitive,
                }),
            );
            Json::Object(m)
        })
        .collect()
}

fn output_change(o: &OutputChange) -> Json {
    let actions: &[&str] = match o.action {
        Action::NoOp => &["no-op"],
        Action::Create => &["create"],
        Action::Delete => &["delete"],
        _ => &["update"],
    };
    if o.sensitive {
        return json!({
            "actions": actions, "before": null, "after": null, "after_unknown": o.after_unknown,
            "before_sensitive": true, "after_sensitive": true,
        });
    }
    json!({
        "actions": actions,
        "before": o.before,
        "after": if o.after_unknown { Json::Null } else { o.after.clone().unwrap_or(Json::Null) },
        "after_unknown": o.after_unknown,
        "before_sensitive": o.sensitive,
        "after_sensitive": o.sensitive,
    })
}

/// Marks `path` unknown in `root`, Terraform's `after_unknown` shape. A list index is honoured
/// only inside the list `after` has there: the shape never grows past the value it describes.
fn set_path(root: &mut Json, path: &str, after: &Json) {
    let segments = crate::plan::path::segments(path);
    let mut node = root;
    let mut shadow = Some(after);
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match seg {
            Json::Number(n) => {
                let idx = n.as_u64().unwrap_or(0) as usize;
                let len = shadow.and_then(Json::as_array).map_or(0, Vec::len);
                if idx >= len {
                    return;
                }
                shadow = shadow.and_then(|s| s.get(idx));
                if !node.is_array() {
                    *node = json!([]);
                }
                let arr = node.as_array_mut().expect("array");
                while arr.len() <= idx {
                    arr.push(json!(false));
                }
                if last {
                    arr[idx] = json!(true);
                    return;
                }
                if !arr[idx].is_object() && !arr[idx].is_array() {
                    arr[idx] = json!({});
                }
                node = &mut arr[idx];
            }
            other => {
                let key = other.as_str().unwrap_or_default().to_string();
                shadow = shadow.and_then(|s| s.get(&key));
                if !node.is_object() {
                    *node = json!({});
                }
                let map = node.as_object_mut().expect("object");
                if last {
                    map.insert(key, json!(true));
                    return;
                }
                node = map.entry(key).or_insert_with(|| json!({}));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_segments_and_masks() {
        assert_eq!(
            crate::plan::path::segments("target_region[\"eastus\"].regional_replica_count"),
            vec![json!("target_region"), json!("eastus"), json!("regional_replica_count")]
        );
        assert_eq!(crate::plan::path::segments("a[0].b"), vec![json!("a"), json!(0), json!("b")]);
        let after = json!({"target_region": [{"name": "a"}, {"name": "b"}]});
        let mut mask = json!({});
        set_path(&mut mask, "id", &after);
        set_path(&mut mask, "target_region[1].name", &after);
        assert_eq!(mask, json!({"id": true, "target_region": [false, {"name": true}]}));
        // A crafted index past the list is not honoured: the mask never outgrows the value.
        set_path(&mut mask, "target_region[4000000000].name", &after);
        assert_eq!(mask, json!({"id": true, "target_region": [false, {"name": true}]}));
    }
}
