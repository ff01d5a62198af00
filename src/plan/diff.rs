//! Attribute-level differences between a resource as recorded and as configured, in the model's
//! terms: target regions compared region by region under normalised names, a region's replica
//! count and storage type compared as effective values (its own, else the version's), schema
//! defaults and server-filled values never showing as phantom changes, ARM ids compared as ARM
//! compares them (case-insensitively).

use crate::model::value::{Map as ValueMap, Value};
use serde::{Deserialize, Serialize};
use sigform_azure::regions;
use sigform_azure::schema::{AttrSchema, AttrType, BlockSchema, Mutability, ResourceSchema};
use std::collections::BTreeMap;

/// One attribute that differs. `path` is Terraform-like: `description`,
/// `identifier.sku`, `target_region["eastus"]`, `target_region["eastus"].regional_replica_count`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttrChange {
    pub path: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
    /// The configured value is known only after apply.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub after_unknown: bool,
    /// Azure does not allow this change in place.
    pub fixed: bool,
}

/// Differences from `before` (recorded attributes) to `after` (configured attributes).
pub fn diff(schema: &ResourceSchema, before: &ValueMap, after: &ValueMap, ignore: &[String]) -> Vec<AttrChange> {
    if ignore.iter().any(|i| i == "*") {
        return Vec::new();
    }
    let ignored = |name: &str| ignore.iter().any(|i| i == name || i.starts_with(&format!("{name}.")));
    let mut out = Vec::new();
    for attr in schema.attrs.iter().filter(|a| compared(a)) {
        if ignored(attr.name) {
            continue;
        }
        let b = before.get(attr.name).unwrap_or(&Value::Null);
        let a = after.get(attr.name).unwrap_or(&Value::Null);
        push_if_different(&mut out, || attr.name.to_string(), attr, b, a, false);
    }
    for block in schema.blocks {
        if ignored(block.name) {
            continue;
        }
        let b = blocks_of(before, block.name);
        let a = blocks_of(after, block.name);
        match block.key {
            Some(key) => keyed_blocks(&mut out, schema, block, key, &b, &a, before, after),
            None => {
                single_block(&mut out, block.name.to_string(), block, &present(block, b), &present(block, a), false)
            }
        }
    }
    out
}

/// A block that appears at most once (`identifier`, `sharing`), and the blocks nested in it,
/// compared attribute by attribute under `path` (`sharing.community_gallery.prefix`).
fn single_block(
    out: &mut Vec<AttrChange>,
    path: String,
    block: &BlockSchema,
    before: &[&ValueMap],
    after: &[&ValueMap],
    parent_fixed: bool,
) {
    let empty = ValueMap::default();
    let b0 = before.first().copied().unwrap_or(&empty);
    let a0 = after.first().copied().unwrap_or(&empty);
    let fixed = parent_fixed || block.mutability == Mutability::Fixed;
    for attr in block.attrs.iter().filter(|a| compared(a)) {
        let bv = b0.get(attr.name).unwrap_or(&Value::Null);
        let av = a0.get(attr.name).unwrap_or(&Value::Null);
        push_if_different(out, || format!("{path}.{}", attr.name), attr, bv, av, fixed);
    }
    for inner in block.blocks {
        let (b, a) = (blocks_of(b0, inner.name), blocks_of(a0, inner.name));
        if b.len() != a.len() {
            // The nested block is added or removed: one change, under its own name.
            let show = |l: &[&ValueMap]| Value::List(l.iter().map(|m| Value::Map((*m).clone())).collect()).to_json();
            out.push(AttrChange {
                path: format!("{path}.{}", inner.name),
                before: show(&b),
                after: show(&a),
                after_unknown: false,
                fixed: fixed || inner.mutability == Mutability::Fixed,
            });
            continue;
        }
        single_block(out, format!("{path}.{}", inner.name), inner, &b, &a, fixed);
    }
}

fn compared(attr: &AttrSchema) -> bool {
    matches!(attr.mutability, Mutability::Fixed | Mutability::Updatable)
}

fn blocks_of<'a>(attrs: &'a ValueMap, name: &str) -> Vec<&'a ValueMap> {
    attrs.get(name).and_then(Value::as_list).map(|l| l.iter().filter_map(Value::as_map).collect()).unwrap_or_default()
}

/// The instances of a block, without one that means the same as none (`absent_when`).
fn present<'a>(block: &BlockSchema, list: Vec<&'a ValueMap>) -> Vec<&'a ValueMap> {
    let Some((attr, value)) = block.absent_when else { return list };
    list.into_iter()
        .filter(|m| {
            let only = m.iter().all(|(k, v)| k == attr || v.is_null() || v.as_list().is_some_and(|l| l.is_empty()));
            !(only && m.get(attr).and_then(Value::as_str) == Some(value))
        })
        .collect()
}

/// `path` is made only for a change: most attributes of most resources are the same.
fn push_if_different(
    out: &mut Vec<AttrChange>,
    path: impl FnOnce() -> String,
    attr: &AttrSchema,
    before: &Value,
    after: &Value,
    block_fixed: bool,
) {
    // A sticky attribute cannot be removed once set: Azure keeps what a write leaves out.
    let cleared = attr.sticky && !before.is_null() && after.is_null();
    let fixed = block_fixed || attr.mutability == Mutability::Fixed || cleared;
    if attr.filled_by_service && after.is_null() {
        return;
    }
    if after.is_unknown() {
        out.push(AttrChange {
            path: path(),
            before: before.to_json(),
            after: serde_json::Value::Null,
            after_unknown: true,
            fixed,
        });
        return;
    }
    // An unset bool is false, as azurerm reads every optional bool.
    let unset = if attr.ty == AttrType::Bool { Value::Bool(false) } else { Value::Null };
    let default = crate::model::value::default_value(attr.default).unwrap_or(unset);
    let b = if before.is_null() { &default } else { before };
    let a = if after.is_null() { &default } else { after };
    let same = equivalent(attr.name, b, a) || (attr.ty == AttrType::StringSet && same_set(b, a));
    if !same {
        out.push(AttrChange {
            path: path(),
            before: before.to_json(),
            after: after.to_json(),
            after_unknown: false,
            fixed,
        });
    }
}

/// Two lists with the same members, in any order (a set attribute as Azure returns it).
fn same_set(a: &Value, b: &Value) -> bool {
    let sorted = |v: &Value| {
        let mut items: Vec<String> = v.as_list()?.iter().map(|i| i.to_string()).collect();
        items.sort();
        Some(items)
    };
    match (sorted(a), sorted(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// Equality as Azure sees it: region names normalised, ARM ids case-insensitive, an empty map
/// the same as no map.
fn equivalent(name: &str, a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) if name == "location" => regions::normalize(x) == regions::normalize(y),
        (Value::String(x), Value::String(y)) if name.ends_with("_id") || name == "scope" => x.eq_ignore_ascii_case(y),
        (Value::Null, Value::Map(m)) | (Value::Map(m), Value::Null) => m.is_empty(),
        _ => a == b,
    }
}

#[allow(clippy::too_many_arguments)]
fn keyed_blocks(
    out: &mut Vec<AttrChange>,
    schema: &ResourceSchema,
    block: &BlockSchema,
    key: &str,
    before: &[&ValueMap],
    after: &[&ValueMap],
    parent_before: &ValueMap,
    parent_after: &ValueMap,
) {
    let by_key = |blocks: &[&ValueMap]| -> BTreeMap<String, ValueMap> {
        blocks
            .iter()
            .filter_map(|b| {
                let k = b.get(key)?.as_str()?;
                Some((regions::normalize(k), (*b).clone()))
            })
            .collect()
    };
    let (b, a) = (by_key(before), by_key(after));
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        let path = format!("{}[{}]", block.name, serde_json::Value::String(k.clone()));
        match (b.get(k), a.get(k)) {
            (None, Some(added)) => out.push(AttrChange {
                path,
                before: serde_json::Value::Null,
                after: Value::Map(added.clone()).to_json(),
                after_unknown: false,
                fixed: block.mutability == Mutability::Fixed,
            }),
            (Some(removed), None) => out.push(AttrChange {
                path,
                before: Value::Map(removed.clone()).to_json(),
                after: serde_json::Value::Null,
                after_unknown: false,
                fixed: block.mutability == Mutability::Fixed,
            }),
            (Some(bb), Some(ab)) => {
                for attr in block.attrs.iter().filter(|x| compared(x) && x.name != key) {
                    let own_b = bb.get(attr.name).unwrap_or(&Value::Null);
                    let own_a = ab.get(attr.name).unwrap_or(&Value::Null);
                    if own_b.is_null() && own_a.is_null() {
                        continue; // both follow the version-wide value, whose own change is shown
                    }
                    let inherited = |attrs: &ValueMap| inherited_value(schema, attr.name, attrs);
                    let eb = if own_b.is_null() { inherited(parent_before) } else { own_b.clone() };
                    let ea = if own_a.is_null() { inherited(parent_after) } else { own_a.clone() };
                    if ea.is_unknown() || !equivalent(attr.name, &eb, &ea) {
                        push_if_different(out, || format!("{path}.{}", attr.name), attr, &eb, &ea, false);
                    }
                }
            }
            (None, None) => {}
        }
    }
}

/// A target region's value when it does not set its own: the version's, or the version's
/// default when that is not set either.
fn inherited_value(schema: &ResourceSchema, name: &str, version: &ValueMap) -> Value {
    let from = match name {
        "regional_replica_count" => "replica_count",
        "storage_account_type" => "storage_account_type",
        _ => return Value::Null,
    };
    match version.get(from).filter(|v| !v.is_null()) {
        Some(v) => v.clone(),
        None => schema.attr(from).and_then(|a| crate::model::value::default_value(a.default)).unwrap_or(Value::Null),
    }
}
