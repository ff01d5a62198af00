//! The planner's second half: `Compared` → `Plan`. Makes each create's record from its instance
//! (the first half left them waiting: see `planner.rs`), then what reads the records: the
//! refusals (SIG503, SIG507), `--target`'s cut, the apply order, access changes, cost and time.
//!
//! Given the instances by value, it frees each one as soon as its record is made, on the thread
//! that made it, so that the records take the place of the evaluated bodies instead of joining
//! them: at the quota ceiling (55,000 creates) the two together were a third of the plan's peak.

use super::{Action, Plan, ResourceChange};
use crate::diagnostic::DiagnosticRecord;
use crate::model::Instance;
use crate::state::ResourceState;
use sigform_azure::prices::PriceTable;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What `compare` decided, owning all that `finish` needs: the caller may let the configuration
/// go in between (all but its instances, which `finish` takes).
pub struct Compared {
    pub(super) changes: BTreeMap<String, Box<ResourceChange>>,
    /// Per declared instance, in the configuration's order: whether it is created. Its change is
    /// in `changes`, without its record.
    pub(super) creates: Vec<bool>,
    pub(super) observed: Option<super::Observed>,
    /// `--target`: the addresses kept.
    pub(super) targeted: Option<BTreeSet<String>>,
    pub(super) cloud_image_sizes: HashMap<String, f64>,
    pub(super) prices: PriceTable,
    /// The plan but for what reads the records: its changes, order, access changes, cost and
    /// time (and the configuration's diagnostics, which `finish` is given).
    pub(super) unfinished: Plan,
}

/// The configuration's instances, in its order, for the records of creates.
pub enum Instances<'a> {
    /// Each freed once its record is made (or at once, if it is not created).
    Owned(Vec<Instance>),
    Borrowed(&'a [Instance]),
}

impl Compared {
    /// The plan: the creates' records made from `instances` (the list `compare` was given),
    /// then the refusals, the cut to `--target`, the order, access, cost and time.
    /// `diagnostics` are the configuration's, with their places.
    pub fn finish(self, instances: Instances, diagnostics: Vec<DiagnosticRecord>) -> Plan {
        let Compared { mut changes, creates, observed, targeted, cloud_image_sizes, prices, unfinished } = self;
        for (after, unknown) in created_records(&creates, instances) {
            let change = changes.get_mut(&after.address).expect("a create's change waits for its record");
            change.after_unknown = unknown;
            change.after = Some(after);
        }
        super::refusals::blocked_deletes(&mut changes, observed.as_ref(), &unfinished.nonempty_group_deletion);
        super::refusals::locked_changes(&mut changes, observed.as_ref());
        if let Some(keep) = targeted {
            changes.retain(|address, _| keep.contains(address));
        }
        let order = order(&changes);
        let before: Vec<&ResourceState> = changes.values().filter_map(|c| c.before.as_deref()).collect();
        let after: Vec<&ResourceState> = changes
            .values()
            .filter_map(|c| match c.action {
                Action::Delete => None,
                Action::Forbidden | Action::NoOp => c.before.as_deref(),
                _ => c.after.as_deref(),
            })
            .collect();
        let access_changes = super::access::changes(&before, &after);
        let changes: Vec<Box<ResourceChange>> = changes.into_values().collect();
        let (cost, time) = super::cost::estimate(&changes, &image_sizes(&changes, cloud_image_sizes), &prices);
        let mut plan = Plan {
            changes,
            order,
            diagnostics,
            cost: Some(cost),
            replication_estimate: Some(time),
            access_changes,
            ..unfinished
        };
        if plan.refresh_only {
            // Only the drift is recorded: nothing in the cloud changes.
            plan.changes.clear();
            plan.order.clear();
            plan.output_changes.clear();
        }
        plan
    }
}

/// The records of the instances `creates` marks, each with its `after_unknown`, on every core.
fn created_records(creates: &[bool], instances: Instances) -> Vec<(Box<ResourceState>, Vec<String>)> {
    let made = |inst: &Instance| {
        let (after, unknown) = super::record::created(inst);
        (Box::new(after), unknown)
    };
    match instances {
        Instances::Borrowed(all) => {
            let created: Vec<&Instance> = all.iter().zip(creates).filter(|(_, c)| **c).map(|(i, _)| i).collect();
            crate::parallel::map(created, 1_024, made)
        }
        // Nothing created: the instances go on a thread of their own.
        Instances::Owned(all) if !creates.contains(&true) => {
            crate::parallel::drop_elsewhere(all);
            Vec::new()
        }
        // Each instance dropped where its record was made, the body's memory reused by the next.
        Instances::Owned(all) => {
            crate::parallel::map_enumerated(all, 1_024, |at, inst| creates[at].then(|| made(&inst)))
                .into_iter()
                .flatten()
                .collect()
        }
    }
}

/// Managed image sizes, for cost and replication time: from the configuration and the state
/// (the plan's records), then from the cloud.
fn image_sizes(changes: &[Box<ResourceChange>], mut sizes_in_cloud: HashMap<String, f64>) -> HashMap<String, f64> {
    let mut sizes = HashMap::new();
    for r in changes.iter().flat_map(|c| c.before.iter().chain(c.after.iter())) {
        if r.type_name == "azurerm_image"
            && let Some(gb) = super::image_size(&r.attributes.value())
        {
            sizes.insert(r.id.to_ascii_lowercase(), gb);
        }
    }
    for (id, gb) in sizes_in_cloud.drain() {
        sizes.entry(id).or_insert(gb);
    }
    sizes
}

/// Deletes first, deepest ARM id first (versions before definitions before galleries); then
/// creates, updates and replacements in dependency order (parents first).
fn order(changes: &BTreeMap<String, Box<ResourceChange>>) -> Vec<String> {
    let mut deletes: Vec<&ResourceChange> =
        changes.values().map(|c| &**c).filter(|c| matches!(c.action, Action::Delete | Action::Replace)).collect();
    deletes.sort_by_key(|c| {
        let id = c.before.as_ref().map_or("", |b| b.id.as_str());
        (std::cmp::Reverse(id.matches('/').count()), c.address.clone())
    });
    let mut order: Vec<String> = deletes.iter().map(|c| c.address.clone()).collect();
    let pending: Vec<&ResourceChange> = changes
        .values()
        .map(|c| &**c)
        .filter(|c| matches!(c.action, Action::Create | Action::Update | Action::Replace))
        .collect();
    // Depth-first: a change comes after the pending changes it depends on (every change a
    // `Needs` names is pending). What each needs is found on every core; the walk is by position.
    let needs = Needs::new(changes.values().map(|c| &**c));
    let position: crate::fast_hash::FastMap<&str, usize> =
        pending.iter().enumerate().map(|(i, c)| (c.address.as_str(), i)).collect();
    let wanted: Vec<Vec<usize>> = crate::parallel::map(pending.clone(), 1_024, |c| {
        needs.of(c).iter().filter_map(|n| position.get(n.as_str()).copied()).collect()
    });
    let mut visited = vec![false; pending.len()];
    let mut creates = Vec::with_capacity(pending.len());
    fn visit(i: usize, wanted: &[Vec<usize>], visited: &mut [bool], out: &mut Vec<usize>) {
        if std::mem::replace(&mut visited[i], true) {
            return;
        }
        for &n in &wanted[i] {
            visit(n, wanted, visited, out);
        }
        out.push(i);
    }
    for i in 0..pending.len() {
        visit(i, &wanted, &mut visited, &mut creates);
    }
    let creates = creates.into_iter().map(|i| pending[i].address.clone());
    order.extend(creates);
    order
}

/// Which pending creates, updates and replacements each change must wait for: its parent (by
/// ARM id), its managed image, and the instances or blocks it depends on. Built once, so that
/// ordering stays linear in the number of changes.
pub struct Needs<'a> {
    by_id: crate::fast_hash::FastMap<String, &'a str>,
    by_block: crate::fast_hash::FastMap<String, Vec<&'a str>>,
    by_address: crate::fast_hash::FastSet<&'a str>,
}

impl<'a> Needs<'a> {
    pub fn new(all: impl IntoIterator<Item = &'a ResourceChange>) -> Needs<'a> {
        let mut n = Needs { by_id: Default::default(), by_block: Default::default(), by_address: Default::default() };
        for c in all.into_iter().filter(|c| matches!(c.action, Action::Create | Action::Update | Action::Replace)) {
            let Some(a) = c.after.as_ref() else { continue };
            n.by_id.insert(a.id.to_ascii_lowercase(), c.address.as_str());
            n.by_block.entry(a.block().to_string()).or_default().push(c.address.as_str());
            n.by_address.insert(c.address.as_str());
        }
        n
    }

    pub fn of(&self, change: &ResourceChange) -> Vec<String> {
        let Some(after) = change.after.as_ref() else {
            return Vec::new();
        };
        let mut out: Vec<String> = Vec::new();
        let ids =
            sigform_azure::arm_id::parent(&after.id).into_iter().chain(after.attributes.get_str("managed_image_id"));
        for id in ids {
            if let Some(a) = self.by_id.get(&id.to_ascii_lowercase()) {
                out.push(a.to_string());
            }
        }
        for dep in &after.dependencies {
            if self.by_address.contains(dep.as_str()) {
                out.push(dep.clone());
            } else if let Some(all) = self.by_block.get(dep) {
                out.extend(all.iter().map(|a| a.to_string()));
            }
        }
        out.retain(|a| *a != change.address);
        out.sort();
        out.dedup();
        out
    }
}
