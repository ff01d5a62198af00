//! The planner: `plan(desired, prior, observed) → Plan`, with no I/O (see ARCHITECTURE.md).
//!
//! A `Plan` is a value: it is rendered for people, printed as Terraform's plan JSON, saved to a
//! file bound to the state's lineage and serial, and applied later without diffing again.
//! Changes Azure forbids are part of the plan — shown with their rule and reason — and make it
//! unappliable; `--replace` turns them into an explicit delete-then-create.

pub mod access;
pub mod cost;
pub mod diff;
pub mod drift;
pub mod file;
mod finish;
pub mod inventory;
pub mod path;
mod planner;
pub mod record;
mod refusals;
pub mod retention;

pub use finish::{Compared, Instances, Needs};
pub use planner::{Observed, Options, PlanInput, compare, image_size, known_addresses, plan};

use crate::diagnostic::DiagnosticRecord;
use crate::state::ResourceState;
use diff::AttrChange;
use serde::{Deserialize, Serialize};

/// Version of the saved-plan file format.
/// 2: a SHA-256 checksum over the content (see `file`).
pub const PLAN_FORMAT: u32 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    NoOp,
    Create,
    Update,
    Delete,
    /// Delete, then create: only when asked with `--replace` (or with a replaced parent).
    Replace,
    /// A change Azure does not allow: the plan cannot be applied.
    Forbidden,
}

/// Why a change is forbidden: the rule, the attribute and the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forbidden {
    pub address: String,
    pub rule: String,
    pub attribute: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceChange {
    pub address: String,
    pub action: Action,
    /// As recorded in the state (absent for creates).
    pub before: Option<Box<ResourceState>>,
    /// As it will be recorded after apply (absent for deletes).
    pub after: Option<Box<ResourceState>>,
    /// Attribute paths whose configured value is known only after apply.
    #[serde(default)]
    pub after_unknown: Vec<String>,
    /// What differs (updates, forbidden changes, and replacements that were asked for).
    pub changes: Vec<AttrChange>,
    #[serde(default)]
    pub forbidden: Vec<Forbidden>,
    /// Why this change happens, when it is not obvious: "replaced as asked", "replaced with its parent …".
    pub reason: Option<String>,
    /// Where the resource is declared (`main.tf:57`), for messages about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// How long apply waits for this change's operation (`timeouts { ... }`).
    #[serde(default, skip_serializing_if = "crate::model::Timeouts::is_empty")]
    pub timeouts: crate::model::Timeouts,
    /// Top-level arguments and blocks whose values are sensitive: shown as "(sensitive value)".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sensitive: Vec<String>,
    /// A change `sigform { retention }` makes to a version the configuration does not declare
    /// (its `reason` says why): carried out like any change, never recorded in the state.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retention: bool,
}

impl ResourceChange {
    /// The resource as either side knows it (type, name, index, provider).
    pub fn resource(&self) -> &ResourceState {
        self.after.as_ref().or(self.before.as_ref()).expect("a change has a before or an after")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputChange {
    pub name: String,
    pub action: Action,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub after_unknown: bool,
    pub sensitive: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format: u32,
    pub sigform_version: String,
    pub created: String,
    /// The state this plan was made against: applying it elsewhere, or after the state moved on,
    /// is refused as stale.
    pub lineage: String,
    pub serial: u64,
    /// A hash of the configuration and variable files the plan was made from.
    pub config_hash: String,
    /// The service profile the plan was checked against (`current`, `2018-06-01`).
    #[serde(default = "default_profile")]
    pub service_profile: String,
    pub destroy: bool,
    /// Every resource the plan considered, no-ops included, in address order. Boxed as the
    /// planner made them: unboxing into one vector held every change twice at the moment of the
    /// move (at the quota ceiling, 46 MB more at the plan's peak).
    pub changes: Vec<Box<ResourceChange>>,
    pub output_changes: Vec<OutputChange>,
    /// The order apply dispatches in: first every delete (and the delete half of each
    /// replacement), children first; then every create and update (and each replacement's
    /// create half), parents first. A replacement is listed in both parts.
    pub order: Vec<String>,
    pub diagnostics: Vec<DiagnosticRecord>,
    /// The tenant of each subscription's provider, for the applier.
    #[serde(default)]
    pub tenants: std::collections::BTreeMap<String, String>,
    /// Subscriptions whose provider lets a resource group be deleted while it still holds
    /// resources (`prevent_deletion_if_contains_resources = false`); elsewhere apply refuses to.
    #[serde(default)]
    pub nonempty_group_deletion: std::collections::BTreeSet<String>,
    /// What the refresh found changed or deleted outside sigform.
    #[serde(default)]
    pub drift: drift::Drift,
    /// A refresh-only plan: no changes to the cloud; applying it records the drift in the state.
    #[serde(default)]
    pub refresh_only: bool,
    /// The monthly storage and one-time egress this plan adds (negative: saves).
    #[serde(default)]
    pub cost: Option<cost::Cost>,
    #[serde(default)]
    pub replication_estimate: Option<cost::ReplicationEstimate>,
    /// Who gains and who loses access to what.
    #[serde(default)]
    pub access_changes: Vec<access::AccessChange>,
    /// How the configuration asks apply to go about it (`sigform { parallelism,
    /// wait_for_replication }`); command-line flags win.
    #[serde(default)]
    pub apply_settings: ApplySettings,
    /// Data sources read during apply (what they read does not exist yet).
    #[serde(default)]
    pub deferred_reads: Vec<DeferredRead>,
    /// Records the state keeps under a new address (`moved` blocks); apply renames them first.
    #[serde(default)]
    pub moved: Vec<MovedRecord>,
    /// Resources `import` blocks adopt: their changes' `before` is the cloud's copy; apply
    /// records it first.
    #[serde(default)]
    pub imported: Vec<ImportedRecord>,
    /// Records `removed { lifecycle { destroy = false } }` blocks take out of the state; the
    /// objects stay in Azure. Apply forgets them first.
    #[serde(default)]
    pub forgotten: Vec<ForgottenRecord>,
    /// What `sigform { retention }` reports instead of changing (a declared version outside the
    /// policy, a version it cannot shrink).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retention_notes: Vec<String>,
}

/// A record the state forgets, leaving the object in Azure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForgottenRecord {
    pub address: String,
    pub id: String,
}

/// A resource an `import` block adopts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportedRecord {
    pub address: String,
    pub id: String,
}

/// A record the state keeps under a new address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MovedRecord {
    pub from: String,
    pub to: String,
}

/// A data source read during apply, and the managed resource it waits for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeferredRead {
    pub address: String,
    pub waits_for: String,
}

/// The configuration's settings for carrying the plan out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ApplySettings {
    pub parallelism: u32,
    pub wait_for_replication: bool,
}

impl Default for ApplySettings {
    fn default() -> ApplySettings {
        ApplySettings { parallelism: 10, wait_for_replication: true }
    }
}

fn default_profile() -> String {
    sigform_azure::profiles::DEFAULT.name.to_string()
}

impl Plan {
    /// A plan that changes nothing, bound to a state's lineage and serial.
    pub fn empty(lineage: &str, serial: u64) -> Plan {
        Plan {
            format: PLAN_FORMAT,
            sigform_version: env!("CARGO_PKG_VERSION").to_string(),
            created: String::new(),
            lineage: lineage.to_string(),
            serial,
            config_hash: String::new(),
            service_profile: default_profile(),
            destroy: false,
            changes: Vec::new(),
            output_changes: Vec::new(),
            order: Vec::new(),
            diagnostics: Vec::new(),
            tenants: Default::default(),
            nonempty_group_deletion: Default::default(),
            drift: Default::default(),
            refresh_only: false,
            forgotten: Vec::new(),
            retention_notes: Vec::new(),
            cost: None,
            replication_estimate: None,
            access_changes: Vec::new(),
            apply_settings: ApplySettings::default(),
            deferred_reads: Vec::new(),
            moved: Vec::new(),
            imported: Vec::new(),
        }
    }

    pub fn forbidden(&self) -> impl Iterator<Item = &Forbidden> {
        self.changes.iter().flat_map(|c| c.forbidden.iter())
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == crate::diagnostic::Severity::Error)
    }

    pub fn applyable(&self) -> bool {
        self.forbidden().next().is_none() && !self.has_errors()
    }

    /// (add, change, destroy, forbidden), counted as Terraform counts: a replace adds and destroys.
    /// (to shrink, to delete) by `sigform { retention }`.
    pub fn retention_summary(&self) -> (usize, usize) {
        let of = |a: Action| self.changes.iter().filter(|c| c.retention && c.action == a).count();
        (of(Action::Update), of(Action::Delete))
    }

    /// (to add, to change, to destroy, forbidden) besides retention's (counted apart).
    pub fn summary(&self) -> (usize, usize, usize, usize) {
        let mut s = (0, 0, 0, 0);
        for c in self.changes.iter().filter(|c| !c.retention || c.action == Action::Forbidden) {
            match c.action {
                Action::Create => s.0 += 1,
                Action::Update => s.1 += 1,
                Action::Delete => s.2 += 1,
                Action::Replace => {
                    s.0 += 1;
                    s.2 += 1;
                }
                Action::Forbidden => s.3 += 1,
                Action::NoOp => {}
            }
        }
        s
    }

    /// True when apply would change nothing (outputs included).
    pub fn is_empty(&self) -> bool {
        if self.refresh_only {
            return self.drift.drifted.is_empty() && self.drift.deleted.is_empty();
        }
        self.changes.iter().all(|c| c.action == Action::NoOp)
            && self.output_changes.iter().all(|o| o.action == Action::NoOp)
            && self.moved.is_empty()
            && self.imported.is_empty()
            && self.forgotten.is_empty()
    }
}

#[cfg(test)]
mod tests;
