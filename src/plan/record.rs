//! How a configured instance is recorded in the state: the `ResourceState` apply will write.

use crate::model::value::{Map as ValueMap, Value};
use crate::model::{Instance, Mode};
use crate::state::{Attributes, ResourceState};
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

/// A create's record and its `after_unknown`: what `record` and `unknown_attribute_paths` give,
/// made straight from the evaluated body. The attributes are gathered once, sorted once, and
/// written as the record's JSON text without first being a `Value` map or a `serde_json` tree
/// (at the quota ceiling those copies were a third of a plan of creates' memory).
pub fn created(instance: &Instance) -> (ResourceState, Vec<String>) {
    enum From<'a> {
        Set(&'a Value),
        Blocks(&'a [crate::model::BlockInstance]),
        Unset(Mutability),
        NoBlocks,
        Id,
    }
    /// What an entry writes.
    enum Out<'a> {
        Value(&'a Value),
        Blocks(Value),
        Null,
        NoBlocks,
        Id(&'a str),
    }
    impl serde::Serialize for Out<'_> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            match self {
                Out::Value(value) => value.serialize(serializer),
                Out::Blocks(value) => value.serialize(serializer),
                Out::Null => serializer.serialize_unit(),
                Out::NoBlocks => serializer.collect_seq(std::iter::empty::<()>()),
                Out::Id(id) => serializer.serialize_str(id),
            }
        }
    }
    struct Entries<'a>(Vec<(&'a str, Out<'a>)>);
    impl serde::Serialize for Entries<'_> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
        }
    }
    let attrs = &instance.attrs;
    let schema = instance.schema;
    // What the schema has, then what the body sets (a block over an argument of its name), then
    // the id: the last of a name stays, as `attributes` fills them in.
    let mut entries: Vec<(&str, From)> = Vec::with_capacity(schema.attrs.len() + schema.blocks.len() + 1);
    entries.extend(schema.blocks.iter().map(|b| (b.name, From::NoBlocks)));
    entries.extend(schema.attrs.iter().map(|a| (a.name, From::Unset(a.mutability))));
    entries.extend(attrs.values.iter().map(|(k, a)| (k.as_str(), From::Set(&a.value))));
    entries.extend(attrs.blocks.iter().map(|(k, b)| (k.as_str(), From::Blocks(b))));
    entries.push(("id", From::Id));
    crate::model::names::sort_keeping_last(&mut entries);
    let mut unknown = Vec::new();
    let entries = entries
        .into_iter()
        .map(|(name, from)| {
            let out = match from {
                From::Set(value) => {
                    if has_unknown(value) {
                        unknown_paths(value, name, &mut unknown);
                    }
                    Out::Value(value)
                }
                From::Blocks(blocks) => {
                    let value = Value::List(blocks.iter().map(|b| Value::Map(b.attrs.to_value())).collect());
                    if has_unknown(&value) {
                        unknown_paths(&value, name, &mut unknown);
                    }
                    Out::Blocks(value)
                }
                From::Unset(Mutability::Computed) => {
                    unknown.push(name.to_string());
                    Out::Null
                }
                From::Unset(_) => Out::Null,
                From::NoBlocks => Out::NoBlocks,
                From::Id => match &instance.id {
                    Some(id) => Out::Id(id),
                    None => {
                        unknown.push("id".to_string());
                        Out::Null
                    }
                },
            };
            (name, out)
        })
        .collect();
    (record_json(instance, Attributes::of(&Entries(entries))), unknown)
}

/// The record with `attributes` (the instance's, as `attributes` made them: made once where the
/// caller needed them too).
pub fn record_with(instance: &Instance, attributes: ValueMap) -> ResourceState {
    record_json(instance, Attributes::of(&Value::Map(attributes)))
}

/// The record with its attributes written already.
fn record_json(instance: &Instance, attributes: Attributes) -> ResourceState {
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
        attributes,
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
    unknown_attribute_paths_but(attributes, |_| false)
}

/// The same, leaving out the top-level attributes `skip` names.
pub fn unknown_attribute_paths_but(attributes: &ValueMap, skip: impl Fn(&str) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    for (name, value) in attributes.iter().filter(|(name, v)| has_unknown(v) && !skip(name)) {
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
