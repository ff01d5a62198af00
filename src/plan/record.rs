//! How a configured instance is recorded in the state: the `ResourceState` apply will write.

use crate::model::value::{Map as ValueMap, Value};
use crate::model::{Instance, Mode};
use crate::state::ResourceState;
use sigform_azure::schema::Mutability;

/// The attributes as references see them, with the ARM id, and every attribute of the schema
/// present (null when unset, unknown when Azure computes it) as Terraform records them.
pub fn attributes(instance: &Instance) -> ValueMap {
    let mut attrs = instance.attrs.to_value();
    for a in instance.schema.attrs {
        let missing = match a.mutability {
            Mutability::Computed => Value::Unknown,
            _ => Value::Null,
        };
        attrs.entry_or_insert_with(a.name, || missing);
    }
    for b in instance.schema.blocks {
        attrs.entry_or_insert_with(b.name, || Value::List(Vec::new()));
    }
    attrs.insert("id".into(), instance.id.clone().map_or(Value::Unknown, Value::String));
    attrs
}

pub fn record(instance: &Instance) -> ResourceState {
    record_with(instance, attributes(instance))
}

/// The record with `attributes` (the instance's, as `attributes` made them: made once where the
/// caller needed them too).
pub fn record_with(instance: &Instance, attributes: ValueMap) -> ResourceState {
    let a = &instance.address;
    ResourceState {
        address: a.to_string(),
        mode: match a.resource.mode {
            Mode::Managed => "managed".into(),
            Mode::Data => "data".into(),
        },
        type_name: a.resource.type_name.clone(),
        name: a.resource.name.clone(),
        index: crate::model::address::index_json(&a.key),
        provider: instance.provider.clone(),
        subscription_id: instance.subscription_id.clone(),
        id: instance.id.clone().unwrap_or_default(),
        attributes: Value::Map(attributes).into_json(),
        dependencies: instance
            .depends_on
            .iter()
            .map(|d| d.to_string())
            .chain(instance.references.iter().map(|a| a.to_string()))
            .collect(),
        status: "ready".into(),
        sensitive: instance.sensitive.clone(),
    }
}

/// Paths of the attributes' values that are known only after apply (`after_unknown`).
pub fn unknown_attribute_paths(attributes: &ValueMap) -> Vec<String> {
    let mut out = Vec::new();
    for (name, value) in attributes.iter().filter(|(_, v)| has_unknown(v)) {
        unknown_paths(value, name, &mut out);
    }
    out
}

fn has_unknown(value: &Value) -> bool {
    match value {
        Value::Unknown => true,
        Value::Map(map) => map.values().any(has_unknown),
        Value::List(items) => items.iter().any(has_unknown),
        _ => false,
    }
}

/// Paths of the values that are known only after apply, for the plan's `after_unknown`.
pub fn unknown_paths(value: &Value, prefix: &str, out: &mut Vec<String>) {
    match value {
        Value::Unknown => out.push(prefix.to_string()),
        // A path is made only where an unknown value is below it.
        Value::Map(map) => {
            for (k, v) in map.iter().filter(|(_, v)| has_unknown(v)) {
                let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                unknown_paths(v, &p, out);
            }
        }
        Value::List(items) => {
            for (i, v) in items.iter().enumerate().filter(|(_, v)| has_unknown(v)) {
                unknown_paths(v, &format!("{prefix}[{i}]"), out);
            }
        }
        _ => {}
    }
}
