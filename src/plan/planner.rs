//! `plan`: desired × prior (× observed) → the finished `Plan`: the diff, the apply order, access
//! changes, the configuration's diagnostics with their places, drift, cost and replication time,
//! and the tenants — the caller adds nothing afterwards.
//!
//! In two halves, so that a caller who owns the evaluated configuration can let it go while the
//! plan is finished: `compare` diffs every declared instance against its record and decides
//! everything but the records of creates; `Compared::finish` (in `finish.rs`) makes those from the
//! instances — taking them by value when it may, and freeing each as its record is made — and
//! then what reads the records (refusals, the apply order, access, cost). At the quota ceiling a
//! plan of creates held every evaluated body and every record at once; the rules read the bodies
//! alongside the comparison, so only once they are done may the bodies go. `plan` does both.

use super::diff::{AttrChange, diff};
use super::drift::Drift;
use super::finish::Compared;
use super::record::{attributes, record_with, unknown_attribute_paths_but};
use super::{Action, Forbidden, OutputChange, PLAN_FORMAT, Plan, ResourceChange};
use crate::config::Sources;
use crate::model::value::{Map as ValueMap, Value};
use crate::model::{Address, Desired, Instance};
use crate::state::{ResourceState, Snapshot};
use sigform_azure::prices::PriceTable;
use sigform_azure::schema::ResourceKind;
use std::collections::{BTreeMap, BTreeSet, HashMap};

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Plan to delete everything the state manages.
    pub destroy: bool,
    /// Limit the plan to these addresses and what they depend on.
    pub targets: Vec<Address>,
    /// Delete and re-create these (and the children that must go with them).
    pub replace: Vec<Address>,
    /// Only record what the refresh found: the plan changes nothing in the cloud.
    pub refresh_only: bool,
    /// Plan without `sigform { retention }` (`--no-retention`).
    pub no_retention: bool,
}

pub use super::refusals::Observed;

pub struct PlanInput<'a> {
    pub desired: &'a Desired,
    /// Taken by value: its records move into the plan instead of being copied. With a refresh,
    /// the state as refreshed; the plan still binds to the serial the state recorded.
    pub prior: Snapshot,
    pub observed: Option<Observed>,
    pub options: &'a Options,
    pub config_hash: String,
    /// The configuration's sources, for where each change is declared.
    pub sources: Option<&'a Sources>,
    /// What the refresh found changed or deleted outside sigform.
    pub drift: Drift,
    /// Managed image sizes (GB) the cloud reported, by lower-cased id, for cost and time.
    pub cloud_image_sizes: HashMap<String, f64>,
    pub prices: PriceTable,
    /// When the plan is made (RFC 3339): the planner reads no clock.
    pub created: String,
    /// Records `import` blocks adopt (address, id): already in `prior`; apply records them first.
    pub imported: Vec<(String, String)>,
    /// The image versions the refresh saw that the state does not manage, for retention.
    pub unmanaged_versions: Vec<super::retention::SeenVersion>,
}

impl<'a> PlanInput<'a> {
    /// The input with nothing beyond the diff's own needs (no diagnostics, drift or cloud sizes;
    /// shipped prices).
    pub fn new(desired: &'a Desired, prior: Snapshot, options: &'a Options) -> PlanInput<'a> {
        PlanInput {
            desired,
            prior,
            observed: None,
            options,
            config_hash: String::new(),
            sources: None,
            drift: Drift::default(),
            cloud_image_sizes: HashMap::new(),
            prices: sigform_azure::prices::SHIPPED,
            created: String::new(),
            imported: Vec::new(),
            unmanaged_versions: Vec::new(),
        }
    }
}

/// Both halves, with the instances borrowed and no diagnostics (`drift`, tests).
pub fn plan(input: PlanInput) -> Plan {
    let desired = input.desired;
    compare(input).finish(super::Instances::Borrowed(&desired.resources), Vec::new())
}

/// The first half: every declared instance against its record, the deletes, retention's
/// decisions, and what the plan says beside its changes. A create's change waits in the result
/// for its record (`Compared::finish`).
pub fn compare(input: PlanInput) -> Compared {
    let PlanInput {
        desired,
        prior,
        observed,
        options,
        config_hash,
        sources,
        drift,
        cloud_image_sizes,
        prices,
        created,
        imported,
        unmanaged_versions,
    } = input;
    let Snapshot { lineage, serial, resources, outputs: prior_outputs } = prior;
    // `moved` blocks: what the state records under an old address is planned under the new one.
    let (resources, mut moved) = move_modules(resources, &desired.moved_modules);
    let (resources, moved_resources) = apply_moves(resources, &desired.moved);
    moved.extend(moved_resources);
    // With each instance's place in the configuration's list: `finish` is given the list.
    let desired_by_address: BTreeMap<String, (usize, &Instance)> =
        desired.resources.iter().enumerate().map(|(at, i)| (i.address.to_string(), (at, i))).collect();
    let mut prior_by_address: BTreeMap<String, ResourceState> =
        resources.into_iter().filter(|r| r.mode == "managed").map(|r| (r.address.clone(), r)).collect();
    // `removed { lifecycle { destroy = false } }`: the state forgets, Azure keeps the object.
    let forgotten = forget(&mut prior_by_address, &desired.removed, &desired_by_address);

    let mut replaced = {
        let refs: BTreeMap<&str, &ResourceState> = prior_by_address.iter().map(|(k, v)| (k.as_str(), v)).collect();
        replacement_set(options, &desired_by_address, &refs)
    };
    // A resource whose create failed in the cloud (a version whose replication failed) is
    // recorded as "failed": it is replaced, as Terraform replaces a tainted resource.
    for (address, r) in &prior_by_address {
        if r.status == "failed" && desired_by_address.contains_key(address) {
            replaced.entry(address.to_string()).or_insert_with(|| "its last create failed".to_string());
        }
    }
    // What retention sees of the managed versions (before the records move into changes).
    let managed_versions: Vec<super::retention::SeenVersion> = prior_by_address
        .values()
        .filter(|r| r.type_name == "azurerm_shared_image_version" && !desired.settings.retention.is_empty())
        .map(|r| super::retention::SeenVersion {
            id: r.id.clone(),
            subscription: r.subscription_id.clone(),
            attributes: r.attributes.value(),
            address: Some(r.address.clone()),
            declared: desired_by_address.contains_key(&r.address),
        })
        .collect();
    // Each declared resource against its record: independent of the others, and at the quota
    // ceiling most of the planner's time, so shared among the cores.
    // Each record boxed as it leaves the map: the change keeps the box, and the list of pairs
    // stays small (at the quota ceiling, records inline in it were 16 MB at the plan's peak).
    // The addresses move on with them, to key the changes.
    type Pair<'a> = (String, (usize, &'a Instance), Option<Box<ResourceState>>);
    let paired: Vec<Pair> = desired_by_address
        .into_iter()
        .map(|(address, inst)| {
            let before = prior_by_address.remove(address.as_str()).map(Box::new);
            (address, inst, before)
        })
        .collect();
    let compare = |(address, (at, inst), before): Pair| {
        let mut created = None;
        let mut change = if options.destroy {
            delete(before?, Some(inst), "destroy requested")
        } else {
            match before {
                None => {
                    created = Some(at);
                    create(inst, address.clone())
                }
                Some(b) => update(inst, address.clone(), b, replaced.get(address.as_str()), desired.settings.profile),
            }
        };
        // Where it is declared (`main.tf:57`).
        if let Some(sources) = sources {
            let (line, _) = sources.line_column(inst.span.file, inst.span.start());
            change.source = Some(format!("{}:{line}", sources.name(inst.span.file)));
        }
        Some((address, Box::new(change), created))
    };
    // In address order already: inserted one by one, the map only appends (collecting would
    // first copy everything into a vector and sort it). Boxed: a change is most of a kilobyte,
    // and the results, the map and the plan's list would each hold all of them at once (at the
    // quota ceiling, 120 MB at the moment one is moved into the next); the plan keeps the boxes.
    let mut changes: BTreeMap<String, Box<ResourceChange>> = BTreeMap::new();
    let mut creates = vec![false; desired.resources.len()];
    for (address, change, created) in crate::parallel::map(paired, 1_024, compare).into_iter().flatten() {
        if let Some(at) = created {
            creates[at] = true;
        }
        changes.insert(address, change);
    }
    // What is left of the prior is not in the configuration. A block that still exists (count or
    // for_each shrank) keeps its prevent_destroy.
    let mut blocks: HashMap<String, &Instance> = HashMap::new();
    for i in desired.resources.iter().filter(|_| !prior_by_address.is_empty()) {
        blocks.entry(i.address.resource.to_string()).or_insert(i);
    }
    for (address, before) in prior_by_address {
        let block = blocks.get(before.block()).copied();
        changes.insert(address, Box::new(delete(Box::new(before), block, "not in the configuration")));
    }

    // Where the provider lets a resource group go with what is in it (as Azure deletes a group).
    let cascading: BTreeSet<String> = desired
        .providers
        .iter()
        .filter(|p| !p.prevent_group_deletion_with_resources)
        .map(|p| p.subscription_id.to_ascii_lowercase())
        .collect();
    // Retention acts on a cloud the refresh has read, and never on a destroy or a refresh-only plan.
    let mut retention_notes = Vec::new();
    if observed.is_some() && !options.no_retention && !options.destroy && !options.refresh_only {
        let mut versions = managed_versions;
        versions.extend(unmanaged_versions);
        let decided = super::retention::decide(super::retention::RetentionInput {
            policies: &desired.settings.retention,
            versions,
            declared_definitions: desired
                .resources
                .iter()
                .filter(|i| i.kind() == ResourceKind::ImageDefinition)
                .filter_map(|i| i.id.as_deref().map(str::to_ascii_lowercase))
                .collect(),
            read_by_data_sources: desired
                .data
                .iter()
                .filter(|d| d.kind() == ResourceKind::ImageVersion)
                .filter_map(|d| d.id.as_deref().map(str::to_ascii_lowercase))
                .collect(),
            regions_guarded: desired.settings.profile.replicated_regions_guarded,
            now_unix: sigform_azure::timestamp::parse_rfc3339(&created).unwrap_or(0),
            prices: &prices,
            sizes: &cloud_image_sizes,
        });
        retention_notes = decided.notes;
        for decision in decided.decisions {
            let change = super::retention::change(decision);
            changes.insert(change.address.clone(), Box::new(change));
        }
    }
    // `--target`: what is kept is decided here, where the configuration's graph is; `finish`
    // drops the rest once the refusals have seen every change.
    let targeted = (!options.targets.is_empty()).then(|| targeted(&changes, options, desired));
    Compared {
        changes,
        creates,
        observed,
        targeted,
        cloud_image_sizes,
        prices,
        unfinished: Plan {
            format: PLAN_FORMAT,
            sigform_version: env!("CARGO_PKG_VERSION").to_string(),
            created,
            lineage,
            serial,
            config_hash,
            service_profile: desired.settings.profile.name.to_string(),
            destroy: options.destroy,
            changes: Vec::new(),
            output_changes: outputs(desired, &prior_outputs),
            order: Vec::new(),
            diagnostics: Vec::new(),
            tenants: desired.providers.iter().map(|p| (p.subscription_id.clone(), p.tenant_id.clone())).collect(),
            nonempty_group_deletion: cascading,
            drift,
            refresh_only: options.refresh_only,
            cost: None,
            replication_estimate: None,
            access_changes: Vec::new(),
            apply_settings: super::ApplySettings {
                parallelism: desired.settings.parallelism,
                wait_for_replication: desired.settings.wait_for_replication,
            },
            moved,
            retention_notes,
            imported: imported.into_iter().map(|(address, id)| super::ImportedRecord { address, id }).collect(),
            forgotten,
            deferred_reads: desired
                .data
                .iter()
                .filter_map(|d| {
                    Some(super::DeferredRead { address: d.address.to_string(), waits_for: d.deferred_read.clone()? })
                })
                .collect(),
        },
    }
}

/// Renames the records in modules that `moved` blocks move to another module path; a record
/// whose destination the state already holds stays where it is.
fn move_modules(
    mut resources: Vec<ResourceState>,
    moves: &[crate::model::ModuleMove],
) -> (Vec<ResourceState>, Vec<super::MovedRecord>) {
    let mut done = Vec::new();
    if moves.is_empty() {
        return (resources, done);
    }
    let mut taken: BTreeSet<String> = resources.iter().map(|r| r.address.clone()).collect();
    for record in resources.iter_mut().filter(|r| r.mode == "managed") {
        let Ok(mut address) = crate::model::address::parse(&record.address) else { continue };
        for m in moves {
            let module = &address.resource.module;
            // With a key on either end one instance moves; without, every instance keeps its key.
            let one_instance = m.from.ends_with(']') || m.to.ends_with(']');
            let matches = if one_instance {
                module == &m.from || module.starts_with(&format!("{}.", m.from))
            } else {
                address.resource.is_within(&m.from)
            };
            if !matches {
                continue;
            }
            let moved_to = format!("{}{}", m.to, &module[m.from.len()..]);
            address.resource.module = moved_to;
            let to = address.to_string();
            if taken.contains(&to) {
                break;
            }
            taken.insert(to.clone());
            done.push(super::MovedRecord { from: record.address.clone(), to: to.clone() });
            record.address = to;
            break;
        }
    }
    (resources, done)
}

/// Renames the records `moved` blocks name (a whole block moves with its instances); a move whose
/// destination the state already holds is not made (nothing is overwritten).
fn apply_moves(
    mut resources: Vec<ResourceState>,
    moves: &[crate::model::Moved],
) -> (Vec<ResourceState>, Vec<super::MovedRecord>) {
    let mut done = Vec::new();
    if moves.is_empty() {
        return (resources, done);
    }
    let taken: BTreeSet<String> = resources.iter().map(|r| r.address.clone()).collect();
    for record in resources.iter_mut().filter(|r| r.mode == "managed") {
        for m in moves {
            let (from, to) = (m.from.to_string(), m.to.to_string());
            let target = if record.address == from {
                Some((to.clone(), m.to.key.clone()))
            } else if m.from.key == crate::model::InstanceKey::None
                && m.to.key == crate::model::InstanceKey::None
                && record.address.strip_prefix(&from).is_some_and(|rest| rest.starts_with('['))
            {
                let suffix = &record.address[from.len()..];
                crate::model::address::parse(&format!("{to}{suffix}")).ok().map(|a| (a.to_string(), a.key))
            } else {
                None
            };
            let Some((address, key)) = target else { continue };
            if taken.contains(&address) {
                continue;
            }
            done.push(super::MovedRecord { from: record.address.clone(), to: address.clone() });
            record.address = address;
            record.name = m.to.resource.name.clone();
            record.index = crate::model::address::index_json(&key);
            break;
        }
    }
    (resources, done)
}

/// Takes out of `prior` what `removed` blocks with `destroy = false` name and the configuration
/// no longer declares (a declared one is an error of evaluation): those records are forgotten.
fn forget<V>(
    prior: &mut BTreeMap<String, ResourceState>,
    removed: &[crate::model::Removed],
    desired: &BTreeMap<String, V>,
) -> Vec<super::ForgottenRecord> {
    let mut out = Vec::new();
    for r in removed.iter().filter(|r| !r.destroy) {
        let named: Vec<String> = prior
            .iter()
            .filter(|(address, record)| !desired.contains_key(address.as_str()) && removal_names(r, record))
            .map(|(address, _)| address.clone())
            .collect();
        for address in named {
            if let Some(record) = prior.remove(&address) {
                out.push(super::ForgottenRecord { address, id: record.id });
            }
        }
    }
    out
}

/// Whether a `removed` block's `from` names this record: its block, or a module it is in.
fn removal_names(removed: &crate::model::Removed, record: &ResourceState) -> bool {
    if !removed.module {
        return record.block() == removed.from;
    }
    crate::model::address::parse(&record.address).is_ok_and(|a| a.resource.is_within(&removed.from))
}

/// A managed image's size in GB, from its attributes.
pub fn image_size(attrs: &serde_json::Value) -> Option<f64> {
    attrs.get("os_disk")?.get(0)?.get("size_gb")?.as_f64()
}

/// A create, waiting for its record (`after`, `after_unknown`): `finish` makes it.
fn create(inst: &Instance, address: String) -> ResourceChange {
    ResourceChange {
        address,
        action: Action::Create,
        before: None,
        after: None,
        after_unknown: Vec::new(),
        changes: Vec::new(),
        forbidden: Vec::new(),
        reason: None,
        source: None,
        sensitive: inst.sensitive.clone(),
        retention: false,
        timeouts: inst.lifecycle.timeouts,
    }
}

fn update(
    inst: &Instance,
    address: String,
    before: Box<ResourceState>,
    replace_reason: Option<&String>,
    profile: &sigform_azure::profiles::ServiceProfile,
) -> ResourceChange {
    let prior_attrs = match before.attributes.to_model() {
        Value::Map(m) => m,
        _ => ValueMap::default(),
    };
    let after_attrs = attributes(inst);
    let mut changes = diff(inst.schema, &prior_attrs, &after_attrs, &inst.lifecycle.ignore_changes);
    // A state-only resource is replaced when an argument that forces it changes (as the random
    // provider does); nothing in Azure forbids it.
    let local_reason = (inst.kind() == ResourceKind::Local && replace_reason.is_none())
        .then(|| changes.iter().find(|c| c.fixed).map(|c| format!("`{}` changed, which forces a new value", c.path)))
        .flatten();
    let replace_reason = replace_reason.or(local_reason.as_ref());
    if local_reason.is_some() {
        changes.iter_mut().for_each(|c| c.fixed = false);
    }
    let mut forbidden = Vec::new();
    if before.subscription_id != inst.subscription_id {
        let (rule, message) = if inst.kind() == ResourceKind::Gallery {
            (
                "SIG502",
                format!(
                    "a gallery cannot move to another subscription ({} → {})",
                    before.subscription_id, inst.subscription_id
                ),
            )
        } else {
            (
                "SIG501",
                format!(
                    "the subscription is fixed after creation ({} → {})",
                    before.subscription_id, inst.subscription_id
                ),
            )
        };
        changes.push(AttrChange {
            path: "subscription_id".into(),
            before: serde_json::Value::String(before.subscription_id.clone()),
            after: serde_json::Value::String(inst.subscription_id.clone()),
            after_unknown: false,
            fixed: true,
        });
        forbidden.push(Forbidden {
            address: address.clone(),
            rule: rule.into(),
            attribute: Some("subscription_id".into()),
            message,
        });
    }
    // Azure keeps the regions a version was replicated to unless its safety profile allows
    // removing them (fixed at creation; false unless set).
    if profile.replicated_regions_guarded
        && inst.kind() == ResourceKind::ImageVersion
        && prior_attrs.get("deletion_of_replicated_locations_enabled").and_then(Value::as_bool) != Some(true)
    {
        for c in changes
            .iter()
            .filter(|c| c.path.starts_with("target_region[") && !c.path.contains("].") && c.after.is_null())
        {
            forbidden.push(Forbidden {
                address: address.clone(),
                rule: "SIG506".into(),
                attribute: Some(c.path.clone()),
                message: format!(
                    "`{}` cannot be removed: Azure keeps the regions a version was replicated to unless deletion_of_replicated_locations_enabled was true at its creation",
                    c.path
                ),
            });
        }
    }
    for c in changes.iter().filter(|c| c.fixed && c.path != "subscription_id" && !c.after_unknown) {
        let sticky = inst.schema.attr(&c.path).is_some_and(|a| a.sticky) && c.after.is_null();
        let message = if sticky {
            format!(
                "`{}` cannot be cleared once set ({} → null): Azure keeps a value a write leaves out, and azurerm would replace the {} for it — with `--replace` if that is meant",
                c.path,
                show(&c.before),
                inst.schema.facts().noun
            )
        } else {
            format!("`{}` cannot change after creation ({} → {})", c.path, show(&c.before), show(&c.after))
        };
        forbidden.push(Forbidden {
            address: address.clone(),
            rule: "SIG501".into(),
            attribute: Some(c.path.clone()),
            message,
        });
    }
    // What Azure computed at creation (a gallery's unique name) stays as recorded: an update
    // does not recompute it, so it is not unknown. A replacement creates anew, so it is unknown
    // again. (The recorded values go into the record below, which a no-op does not make.)
    let kept_computed = replace_reason.is_none();
    let computed = |a: &&sigform_azure::schema::AttrSchema| {
        a.mutability == sigform_azure::schema::Mutability::Computed && a.name != "id"
    };
    let unknown = unknown_attribute_paths_but(&after_attrs, |name| {
        kept_computed && inst.schema.attrs.iter().filter(computed).any(|a| a.name == name)
    });
    let (action, reason) = match replace_reason {
        Some(reason) => {
            // SIG502 holds even for a replacement: a gallery is never moved, only recreated, and
            // that is a different resource in another subscription — allowed when asked for.
            forbidden.clear();
            (Action::Replace, Some(reason.clone()))
        }
        None if !forbidden.is_empty() => (Action::Forbidden, None),
        None if changes.is_empty() => (Action::NoOp, None),
        None => (Action::Update, None),
    };
    if action == Action::Replace && inst.lifecycle.prevent_destroy {
        forbidden.push(prevent_destroy(&address));
    }
    // Every id here is made of names: a replacement has the id of what it replaces, so Azure
    // cannot hold both at once. Creating it first would fail; the plan says so instead.
    if action == Action::Replace && inst.lifecycle.create_before_destroy {
        forbidden.push(Forbidden {
            address: address.clone(),
            rule: "SIG505".into(),
            attribute: None,
            message: format!(
                "{address} has lifecycle {{ create_before_destroy = true }}, but its replacement has the same ARM id ({}): Azure cannot hold both at once; remove create_before_destroy to replace it delete-first, or give the new one another name",
                before.id
            ),
        });
    }
    let action = if action == Action::Replace && !forbidden.is_empty() { Action::Forbidden } else { action };
    // A no-op keeps one copy of the record, not two: at the quota ceiling that is a third of the
    // plan's memory (and building it a tenth of the plan's time).
    let after = (action != Action::NoOp).then(|| {
        let mut after_attrs = after_attrs;
        let mut kept = Vec::new();
        if kept_computed {
            for a in inst.schema.attrs.iter().filter(computed) {
                let recorded = prior_attrs.get(a.name).cloned().unwrap_or(Value::Null);
                kept.push((a.name, recorded.to_json()));
                after_attrs.insert(a.name.to_string(), recorded);
            }
        }
        let mut after = record_with(inst, after_attrs);
        if !kept.is_empty() {
            after.attributes.edit(|attributes| {
                for (name, value) in kept {
                    attributes[name] = value;
                }
            });
        }
        after.status = before.status.clone();
        Box::new(after)
    });
    ResourceChange {
        address,
        action,
        before: Some(before),
        after,
        after_unknown: unknown,
        changes,
        forbidden,
        reason,
        source: None,
        sensitive: inst.sensitive.clone(),
        retention: false,
        timeouts: inst.lifecycle.timeouts,
    }
}

fn delete(before: Box<ResourceState>, block: Option<&Instance>, reason: &str) -> ResourceChange {
    let mut forbidden = Vec::new();
    if block.is_some_and(|b| b.lifecycle.prevent_destroy) {
        forbidden.push(prevent_destroy(&before.address));
    }
    ResourceChange {
        address: before.address.clone(),
        action: if forbidden.is_empty() { Action::Delete } else { Action::Forbidden },
        before: Some(before),
        after: None,
        after_unknown: Vec::new(),
        changes: Vec::new(),
        forbidden,
        reason: Some(reason.to_string()),
        source: None,
        sensitive: Vec::new(),
        retention: false,
        timeouts: block.map(|b| b.lifecycle.timeouts).unwrap_or_default(),
    }
}

fn prevent_destroy(address: &str) -> Forbidden {
    Forbidden {
        address: address.to_string(),
        rule: "SIG504".into(),
        attribute: None,
        message: format!("{address} has lifecycle {{ prevent_destroy = true }}"),
    }
}

fn show(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "null".into(),
        other => other.to_string(),
    }
}

/// The addresses `--replace` names, and every resource that lives inside one of them (a
/// gallery's definitions and versions, a definition's versions, role assignments on them): they
/// cannot survive their parent's deletion, so they are replaced too, each with its reason.
fn replacement_set<V>(
    options: &Options,
    desired: &BTreeMap<String, V>,
    prior: &BTreeMap<&str, &ResourceState>,
) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for address in &options.replace {
        let address = address.to_string();
        let Some(parent) = prior.get(address.as_str()) else {
            continue;
        };
        out.insert(address.clone(), "replacement requested with --replace".to_string());
        let prefix = format!("{}/", parent.id.to_ascii_lowercase());
        for child in prior.values() {
            if child.id.to_ascii_lowercase().starts_with(&prefix) && desired.contains_key(&child.address) {
                out.entry(child.address.clone()).or_insert_with(|| format!("replaced with its parent {address}"));
            }
        }
    }
    out
}

/// `--target`: the targets and everything they depend on, transitively; other changes are
/// dropped from the plan (they stay pending).
fn targeted(changes: &BTreeMap<String, Box<ResourceChange>>, options: &Options, desired: &Desired) -> BTreeSet<String> {
    let (graph, _) = crate::model::graph::DependencyGraph::build(desired);
    let mut keep: BTreeSet<String> = BTreeSet::new();
    for target in &options.targets {
        let matches_target = |a: &str| {
            a == target.to_string()
                || (target.key == crate::model::InstanceKey::None && a.starts_with(&format!("{}[", target.resource)))
        };
        for address in changes.keys().filter(|a| matches_target(a)) {
            keep.insert(address.clone());
        }
        for inst in desired.resources.iter().filter(|i| matches_target(&i.address.to_string())) {
            if let Some(start) = graph.node(&inst.address) {
                let mut dfs = petgraph::visit::Dfs::new(&graph.graph, start);
                while let Some(n) = dfs.next(&graph.graph) {
                    keep.insert(graph.graph[n].to_string());
                }
            }
        }
    }
    keep
}

fn outputs(desired: &Desired, prior_outputs: &[crate::state::OutputState]) -> Vec<OutputChange> {
    let mut out = Vec::new();
    for o in &desired.outputs {
        let before = prior_outputs.iter().find(|p| p.name == o.name).map(|p| p.value.clone());
        let after = o.value.to_json();
        let unknown = !o.value.is_wholly_known();
        let action = match &before {
            None => Action::Create,
            Some(b) if *b == after && !unknown => Action::NoOp,
            Some(_) => Action::Update,
        };
        out.push(OutputChange {
            name: o.name.clone(),
            action,
            before,
            after: Some(after),
            after_unknown: unknown,
            sensitive: o.sensitive,
        });
    }
    for p in prior_outputs {
        if !desired.outputs.iter().any(|o| o.name == p.name) {
            out.push(OutputChange {
                name: p.name.clone(),
                action: Action::Delete,
                before: Some(p.value.clone()),
                after: None,
                after_unknown: false,
                sensitive: p.sensitive,
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Every address the state or configuration knows, for "did you mean" on `--target`/`--replace`.
pub fn known_addresses(desired: &Desired, prior: &Snapshot) -> Vec<String> {
    let mut all: Vec<String> = desired
        .resources
        .iter()
        .map(|i| i.address.to_string())
        .chain(prior.resources.iter().map(|r| r.address.clone()))
        .collect();
    all.sort();
    all.dedup();
    all
}
