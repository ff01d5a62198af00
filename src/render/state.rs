//! The state for people (`show`, `state show`) and as Terraform's state JSON (`show --json`).

use super::plan::{absent_block, hcl};
use super::plan_json::{PROVIDER_NAME, TERRAFORM_VERSION};
use crate::state::{ResourceState, Snapshot};
use serde_json::{Value as Json, json};
use std::fmt::Write;

pub fn resource(r: &ResourceState) -> String {
    let mut out = format!("# {}:\nresource \"{}\" \"{}\" {{\n", r.address, r.type_name, r.name);
    let attributes = r.attributes.value();
    if let Some(map) = attributes.as_object() {
        let scalars: Vec<(&String, &Json)> =
            map.iter().filter(|(k, v)| !v.is_null() && !is_blocks(v) && !absent_block(&r.type_name, k, v)).collect();
        let w = scalars.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        let sensitive = |k: &str| r.sensitive.iter().any(|s| s == k);
        for (k, v) in scalars {
            let shown = if sensitive(k) { crate::plan::drift::SENSITIVE.to_string() } else { hcl(v) };
            let _ = writeln!(out, "    {k:<w$} = {}", shown.replace('\n', "\n    "));
        }
        for (k, v) in map.iter().filter(|(_, v)| is_blocks(v)) {
            if sensitive(k) {
                let _ = writeln!(out, "\n    {k} {{\n        # sensitive: its contents are not shown\n    }}");
                continue;
            }
            for block in v.as_array().into_iter().flatten() {
                let _ = writeln!(out, "\n    {k} {{");
                let inner: Vec<(&String, &Json)> =
                    block.as_object().into_iter().flatten().filter(|(_, v)| !v.is_null()).collect();
                let w = inner.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
                for (ik, iv) in inner {
                    let _ = writeln!(out, "        {ik:<w$} = {}", hcl(iv));
                }
                out.push_str("    }\n");
            }
        }
    }
    out.push_str("}\n");
    out
}

fn is_blocks(v: &Json) -> bool {
    v.as_array().is_some_and(|a| !a.is_empty() && a.iter().all(Json::is_object))
}

pub fn human(snap: &Snapshot) -> String {
    if snap.resources.is_empty() {
        return "The state is empty: no resources are managed yet.\n".to_string();
    }
    let mut out = String::new();
    for r in &snap.resources {
        out.push_str(&resource(r));
        out.push('\n');
    }
    if !snap.outputs.is_empty() {
        out.push_str("Outputs:\n\n");
        for o in &snap.outputs {
            let v = if o.sensitive { crate::plan::drift::SENSITIVE.to_string() } else { hcl(&o.value) };
            let _ = writeln!(out, "{} = {v}", o.name);
        }
    }
    out
}

/// Terraform's state representation (`terraform show -json` without a plan).
pub fn json(snap: &Snapshot) -> Json {
    let resources: Vec<Json> = snap
        .resources
        .iter()
        .map(|r| {
            let mut m = json!({
                "address": r.address,
                "mode": r.mode,
                "type": r.type_name,
                "name": r.name,
                "provider_name": PROVIDER_NAME,
                "schema_version": 0,
                "values": r.attributes,
                "sensitive_values": r.sensitive.iter().map(|a| (a.clone(), json!(true))).collect::<serde_json::Map<String, Json>>(),
                "depends_on": r.dependencies,
            });
            if !r.index.is_null() {
                m["index"] = r.index.clone();
            }
            m
        })
        .collect();
    let outputs: serde_json::Map<String, Json> =
        snap.outputs.iter().map(|o| (o.name.clone(), json!({"sensitive": o.sensitive, "value": o.value}))).collect();
    json!({
        "format_version": "1.0",
        "terraform_version": TERRAFORM_VERSION,
        "values": {"outputs": outputs, "root_module": {"resources": resources}},
        "sigform": {"lineage": snap.lineage, "serial": snap.serial},
    })
}
/// `state workspaces`: one line per workspace, the current one starred, with its lock holder.
pub fn workspaces(all: &[crate::state::WorkspaceInfo], current: &str) -> String {
    all.iter()
        .map(|w| {
            let mark = if w.name == current { "*" } else { " " };
            let lock = w.locked_by.as_ref().map(|l| format!("  locked by {l}")).unwrap_or_default();
            format!("{mark} {}  serial {}  {} resource(s){lock}\n", w.name, w.serial, w.resources)
        })
        .collect()
}

/// `state history`: serial, time, action and address, one change a line.
pub fn history(entries: &[crate::state::HistoryEntry]) -> String {
    entries.iter().map(|h| format!("{:>5}  {}  {:<10}  {}\n", h.serial, h.time, h.action, h.address)).collect()
}
