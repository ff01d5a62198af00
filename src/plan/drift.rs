//! Drift: how the cloud differs from the state — attributes changed outside sigform (compared in
//! the model's terms, region by region), resources deleted outside it, and resources nobody here
//! manages. Pure: the refresh reads the cloud, this compares.

use super::diff::{AttrChange, diff};
use crate::model::value::{Map as ValueMap, Value};
use crate::state::{ResourceState, Snapshot};
use serde::{Deserialize, Serialize};
use sigform_azure::cloud::CloudResource;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drifted {
    pub address: String,
    pub id: String,
    /// `before` is the state, `after` the cloud.
    pub changes: Vec<AttrChange>,
    /// The whole record and the cloud's whole copy, for Terraform's `resource_drift[]` and for
    /// `apply --refresh-only`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<ResourceState>,
    #[serde(skip_serializing_if = "serde_json::Value::is_null", default)]
    pub cloud: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deleted {
    pub address: String,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub record: Option<ResourceState>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unmanaged {
    pub id: String,
    #[serde(rename = "type")]
    pub type_name: String,
    /// Inside a gallery this configuration manages (rather than elsewhere in its subscriptions).
    pub in_managed_gallery: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    pub drifted: Vec<Drifted>,
    pub deleted: Vec<Deleted>,
    pub unmanaged: Vec<Unmanaged>,
}

fn as_map(json: &serde_json::Value) -> ValueMap {
    match Value::from_json(json) {
        Value::Map(m) => m,
        _ => ValueMap::default(),
    }
}

/// Compares the state with what the cloud holds (`cloud` by lower-cased id).
pub fn drift(prior: &Snapshot, cloud: &BTreeMap<String, CloudResource>) -> Drift {
    let mut out = Drift::default();
    let managed: BTreeSet<String> = prior.resources.iter().map(|r| r.id.to_ascii_lowercase()).collect();
    let galleries: Vec<String> = prior
        .resources
        .iter()
        .filter(|r| r.type_name == "azurerm_shared_image_gallery")
        .map(|r| format!("{}/", r.id.to_ascii_lowercase()))
        .collect();
    // State-only resources have nothing in the cloud to drift from.
    for r in prior
        .resources
        .iter()
        .filter(|r| r.mode == "managed" && !sigform_azure::resources::local::is_local(&r.type_name))
    {
        match cloud.get(&r.id.to_ascii_lowercase()).filter(|c| c.provisioning_state != "Deleting") {
            None => out.deleted.push(Deleted { address: r.address.clone(), id: r.id.clone(), record: Some(r.clone()) }),
            Some(c) => {
                let changes = changes(r, c);
                if !changes.is_empty() {
                    out.drifted.push(Drifted {
                        address: r.address.clone(),
                        id: r.id.clone(),
                        changes,
                        record: Some(r.clone()),
                        cloud: c.attributes.clone(),
                    });
                }
            }
        }
    }
    for (id, c) in cloud {
        if managed.contains(id) {
            continue;
        }
        out.unmanaged.push(Unmanaged {
            id: c.id.clone(),
            type_name: sigform_azure::resources::of_kind(c.kind).map_or("unknown", |s| s.type_name).to_string(),
            in_managed_gallery: galleries.iter().any(|g| id.starts_with(g)),
        });
    }
    out
}

/// What differs between the record and the cloud's copy of one resource.
pub fn changes(recorded: &ResourceState, cloud: &CloudResource) -> Vec<AttrChange> {
    let Some(schema) = sigform_azure::resources::resource(&recorded.type_name) else { return Vec::new() };
    let mut changes = diff(schema, &as_map(&recorded.attributes.value()), &as_map(&cloud.attributes), &[]);
    for c in &mut changes {
        c.fixed = false; // what changed outside is a fact, not a request
        // A sensitive attribute changed: said, never shown (in every drift format).
        let top = c.path.split(['.', '[']).next().unwrap_or("");
        if recorded.sensitive.iter().any(|s| s == top) {
            let mask = |v: &serde_json::Value| {
                if v.is_null() { serde_json::Value::Null } else { serde_json::Value::String(SENSITIVE.into()) }
            };
            c.before = mask(&c.before);
            c.after = mask(&c.after);
        }
    }
    changes
}

/// What is shown for a sensitive value.
pub const SENSITIVE: &str = "(sensitive value)";

/// The state as the cloud has it: recorded resources carry the cloud's attributes (moved out of
/// `cloud`, which keeps them only for what the state does not record), and those deleted outside
/// sigform are gone.
pub fn refreshed(mut prior: Snapshot, cloud: &mut BTreeMap<String, CloudResource>) -> Snapshot {
    prior.resources.retain_mut(|r| {
        match cloud.get_mut(&r.id.to_ascii_lowercase()).filter(|c| c.provisioning_state != "Deleting") {
            Some(c) => {
                r.attributes = (&c.attributes).into();
                true
            }
            // What is not in the cloud is gone — unless it never was (state-only resources).
            None => r.mode != "managed" || sigform_azure::resources::local::is_local(&r.type_name),
        }
    });
    prior
}

/// What `drift` reports: the three-way comparison, for CI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pending {
    pub address: String,
    pub actions: Vec<&'static str>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub format_version: &'static str,
    pub drift: Drift,
    pub pending: Vec<Pending>,
    /// Every resource the state manages, for one JUnit test case each.
    pub managed: Vec<String>,
    /// List calls the refresh made.
    pub calls: usize,
    /// About how the cloud was read, for standard error.
    pub warnings: Vec<String>,
}

impl Report {
    /// Drift that fails the check: drifted, deleted or pending (and unmanaged when asked).
    pub fn failing(&self, fail_on_unmanaged: bool) -> bool {
        !self.drift.drifted.is_empty()
            || !self.drift.deleted.is_empty()
            || !self.pending.is_empty()
            || (fail_on_unmanaged && !self.drift.unmanaged.is_empty())
    }
}
