//! The applier: carries a `Plan` out against a `Cloud`, recording every result in a
//! `StateStore`.
//!
//! Deletes run first (children before parents), then creates, updates and the create half of
//! replacements (parents before children), each stage over its dependency graph with up to
//! `parallelism` operations in flight. Workers only talk to the cloud; the coordinating thread
//! owns the state and brackets every call: intent committed → call → one transaction recording
//! the result, settling the intent and bumping the serial. A failure skips what depends on it;
//! independent work goes on.

mod worker;

use crate::plan::{Action, Plan, ResourceChange};
use crate::state::{Change, OutputState, ResourceState, StateError, StateStore};
use sigform_azure::cloud::{Body, Cloud, RegionReplication};
use sigform_azure::schema::{Mutability, ResourceKind};
use std::collections::{BTreeSet, HashMap};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub struct Options {
    pub parallelism: usize,
    /// Wait for image versions to finish replicating before recording them.
    pub wait_for_replication: bool,
    /// The tenant of each subscription's provider: a subscription used for the first time joins it.
    pub tenants: HashMap<String, String>,
    /// Transient failures (429, 5xx) are retried this many times.
    pub retries: u32,
    /// Subscriptions (lower case) where a resource group may be deleted with resources still in
    /// it; elsewhere such a delete is refused before it is sent, as azurerm 4.x refuses it.
    pub nonempty_group_deletion: std::collections::HashSet<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Create,
    Update,
    Delete,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Create => "create",
            Step::Update => "update",
            Step::Delete => "delete",
        }
    }
}

/// What the applier reports as it goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Start { address: String, step: Step },
    Progress { address: String, step: Step, elapsed: Duration, replication: Vec<RegionReplication> },
    Complete { address: String, step: Step, id: String, elapsed: Duration },
    Errored { address: String, step: Step, error: String },
    Skipped { address: String, step: Step, because: String },
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Outcome {
    pub added: usize,
    pub changed: usize,
    pub destroyed: usize,
    pub failed: Vec<(String, String)>,
    pub skipped: Vec<String>,
    /// Operations in flight when an interrupt came: they go on in the cloud, and their intents
    /// stay for the next run to settle.
    pub interrupted: Vec<String>,
}

/// Set by the first Ctrl-C or SIGTERM: no new operation starts, and what is in flight is left to
/// the cloud and the intent log.
pub static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub fn interrupted() -> bool {
    INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst)
}

impl Outcome {
    pub fn succeeded(&self) -> bool {
        self.failed.is_empty() && self.skipped.is_empty()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    State(#[from] StateError),
    #[error("the plan cannot be applied: {0}; nothing was changed")]
    InvalidPlan(String),
}

/// One unit of work: one cloud call and its record.
#[derive(Debug, Clone)]
struct Job {
    address: String,
    step: Step,
    id: String,
    kind: ResourceKind,
    body: Option<Body>,
    /// Replacements count as one add and one destroy, not as a change.
    replacing: bool,
    /// How long to wait for the operation (`timeouts { ... }`); the operation goes on in the
    /// cloud after that, and its intent stays for the next run to settle.
    deadline: Option<Duration>,
}

enum Message {
    Progress { index: usize, replication: Vec<RegionReplication> },
    Done { index: usize, result: worker::Done },
}

pub fn apply(
    plan: &Plan,
    cloud: &dyn Cloud,
    state: &mut dyn StateStore,
    options: &Options,
    on_event: &mut dyn FnMut(&Event),
) -> Result<Outcome, ApplyError> {
    let mut outcome = Outcome::default();
    let changes: HashMap<&str, &ResourceChange> = plan.changes.iter().map(|c| (c.address.as_str(), &**c)).collect();
    let mut failed_ids: Vec<String> = Vec::new();

    // The plan's own order: its deletes (children first), then its writes (parents first).
    crate::plan::file::verify(plan).map_err(ApplyError::InvalidPlan)?;
    // Moves, forgets and imports first, in one transaction: the changes below name the new addresses
    // and start from the imported records.
    if !plan.moved.is_empty() || !plan.imported.is_empty() || !plan.forgotten.is_empty() {
        let mut first: Vec<Change> =
            plan.moved.iter().map(|m| Change::Move { from: m.from.clone(), to: m.to.clone() }).collect();
        // `removed` blocks with `destroy = false`: out of the state, left in Azure.
        first.extend(
            plan.forgotten.iter().map(|f| Change::Remove { action: "forget".into(), address: f.address.clone() }),
        );
        for import in &plan.imported {
            let record = changes
                .get(import.address.as_str())
                .and_then(|c| c.before.clone())
                .ok_or_else(|| ApplyError::InvalidPlan(format!("{}: an import without its record", import.address)))?;
            first.push(Change::Put { action: "import".into(), resource: record });
        }
        state.commit(&first)?;
    }
    let delete_count = plan.changes.iter().filter(|c| matches!(c.action, Action::Delete | Action::Replace)).count();
    let (delete_order, write_order) = plan.order.split_at(delete_count);

    // Stage 1: deletes, children first.
    let deletes: Vec<Job> = delete_order
        .iter()
        .map(|address| {
            let c = changes[address.as_str()];
            let before = c.before.as_ref().ok_or_else(|| ApplyError::InvalidPlan(format!("{address}: no record")))?;
            Ok(Job {
                address: c.address.clone(),
                step: Step::Delete,
                id: before.id.clone(),
                kind: kind_of(before)?,
                body: None,
                replacing: c.action == Action::Replace,
                deadline: c.timeouts.delete.map(Duration::from_secs),
            })
        })
        .collect::<Result<_, ApplyError>>()?;
    // Children go first; and a lock going in the same apply goes before what it holds (ARM
    // would refuse the delete while the lock is there).
    let lock_scopes: Vec<(usize, String)> = deletes
        .iter()
        .enumerate()
        .filter(|(_, job)| job.kind == ResourceKind::ManagementLock)
        .filter_map(|(i, job)| Some((i, sigform_azure::shape::extension_of(&job.id)?.1.to_ascii_lowercase())))
        .collect();
    let delete_deps: Vec<Vec<usize>> = deletes
        .iter()
        .enumerate()
        .map(|(me, job)| {
            let id = job.id.to_ascii_lowercase();
            let prefix = format!("{id}/");
            let mut deps: Vec<usize> = deletes
                .iter()
                .enumerate()
                .filter(|(_, other)| other.id.to_ascii_lowercase().starts_with(&prefix))
                .map(|(i, _)| i)
                .collect();
            if job.kind != ResourceKind::ManagementLock {
                deps.extend(
                    lock_scopes
                        .iter()
                        .filter(|(i, scope)| *i != me && (id == *scope || id.starts_with(&format!("{scope}/"))))
                        .map(|(i, _)| *i),
                );
            }
            deps.sort_unstable();
            deps.dedup();
            deps
        })
        .collect();
    run_stage(&deletes, &delete_deps, plan, &changes, cloud, state, options, on_event, &mut outcome, &mut failed_ids)?;

    // Stage 2: creates and updates, parents first. A replacement whose delete failed is skipped.
    let writes: Vec<Job> = write_order
        .iter()
        .map(|address| {
            let c = changes[address.as_str()];
            let after = c.after.as_ref().ok_or_else(|| ApplyError::InvalidPlan(format!("{address}: no record")))?;
            let tenant = options
                .tenants
                .get(&after.subscription_id)
                .cloned()
                .unwrap_or_else(|| sigform_azure::resources::client_config::DEFAULT_TENANT.to_string());
            let kind = kind_of(after)?;
            Ok(Job {
                address: c.address.clone(),
                step: if c.action == Action::Update { Step::Update } else { Step::Create },
                id: after.id.clone(),
                kind,
                body: Some(Body { kind, tenant, attributes: cloud_attributes(after) }),
                replacing: c.action == Action::Replace,
                deadline: if c.action == Action::Update { c.timeouts.update } else { c.timeouts.create }
                    .map(Duration::from_secs),
            })
        })
        .collect::<Result<_, ApplyError>>()?;
    let index: HashMap<String, usize> = writes.iter().enumerate().map(|(i, j)| (j.address.clone(), i)).collect();
    let needs = crate::plan::Needs::new(plan.changes.iter().map(|c| &**c));
    let write_deps: Vec<Vec<usize>> = writes
        .iter()
        .map(|job| needs.of(changes[job.address.as_str()]).iter().filter_map(|a| index.get(a).copied()).collect())
        .collect();
    run_stage(&writes, &write_deps, plan, &changes, cloud, state, options, on_event, &mut outcome, &mut failed_ids)?;

    let outputs: Vec<OutputState> = plan
        .output_changes
        .iter()
        .filter_map(|o| Some(OutputState { name: o.name.clone(), value: o.after.clone()?, sensitive: o.sensitive }))
        .collect();
    if outcome.failed.is_empty() && outcome.interrupted.is_empty() && !interrupted() {
        state.commit(&[Change::Outputs(outputs)])?;
    }
    Ok(outcome)
}

/// The kind of a recorded resource; a type sigform does not manage is an invalid plan, never a
/// guess.
fn kind_of(r: &ResourceState) -> Result<ResourceKind, ApplyError> {
    ResourceKind::of_resource_type(&r.type_name).ok_or_else(|| {
        ApplyError::InvalidPlan(format!("{}: `{}` is not a resource type sigform manages", r.address, r.type_name))
    })
}

/// What is sent to the cloud: the recorded attributes without what the service computes or what
/// only sigform reads.
fn cloud_attributes(r: &ResourceState) -> serde_json::Value {
    let mut attrs = r.attributes.value();
    if let (Some(schema), Some(map)) = (sigform_azure::resources::resource(&r.type_name), attrs.as_object_mut()) {
        for a in schema.attrs.iter().filter(|a| matches!(a.mutability, Mutability::Computed | Mutability::ClientOnly)) {
            map.remove(a.name);
        }
        map.retain(|_, v| !v.is_null());
        for (path, attr) in schema.nested_computed() {
            let block = sigform_azure::schema::nested_pointer(&path, attr);
            let (parent, _) = block.rsplit_once('/').expect("a pointer has a parent");
            if let Some(inner) = attrs.pointer_mut(parent).and_then(serde_json::Value::as_object_mut) {
                inner.remove(attr);
            }
        }
    }
    attrs
}

#[allow(clippy::too_many_arguments)]
fn run_stage(
    jobs: &[Job],
    deps: &[Vec<usize>],
    plan: &Plan,
    changes: &HashMap<&str, &ResourceChange>,
    cloud: &dyn Cloud,
    state: &mut dyn StateStore,
    options: &Options,
    on_event: &mut dyn FnMut(&Event),
    outcome: &mut Outcome,
    failed_ids: &mut Vec<String>,
) -> Result<(), ApplyError> {
    let _ = plan;
    if jobs.is_empty() {
        return Ok(());
    }
    let mut waiting: Vec<usize> = deps.iter().map(Vec::len).collect();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); jobs.len()];
    for (i, d) in deps.iter().enumerate() {
        for &on in d {
            dependents[on].push(i);
        }
    }
    let mut ready: std::collections::VecDeque<usize> = (0..jobs.len()).filter(|&i| waiting[i] == 0).collect();
    let mut started: Vec<Option<(Instant, i64)>> = vec![None; jobs.len()];
    let mut finished = BTreeSet::new();
    let mut in_flight = 0usize;
    let parallelism = options.parallelism.max(1);

    std::thread::scope(|scope| -> Result<(), ApplyError> {
        let (job_tx, job_rx) = mpsc::channel::<usize>();
        let job_rx = std::sync::Arc::new(std::sync::Mutex::new(job_rx));
        let (msg_tx, msg_rx) = mpsc::channel::<Message>();
        for _ in 0..parallelism.min(jobs.len()) {
            let job_rx = job_rx.clone();
            let msg_tx = msg_tx.clone();
            scope.spawn(move || {
                loop {
                    let next = job_rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                    let Ok(index) = next else { break };
                    let job = &jobs[index];
                    let progress = |replication: Vec<RegionReplication>| {
                        let _ = msg_tx.send(Message::Progress { index, replication });
                    };
                    let result = worker::run(cloud, job, options, &progress);
                    let _ = msg_tx.send(Message::Done { index, result });
                }
            });
        }
        drop(msg_tx);

        let skip = |i: usize,
                    because: &str,
                    finished: &mut BTreeSet<usize>,
                    outcome: &mut Outcome,
                    on_event: &mut dyn FnMut(&Event)| {
            let mut stack = vec![(i, because.to_string())];
            while let Some((j, why)) = stack.pop() {
                if !finished.insert(j) {
                    continue;
                }
                outcome.skipped.push(jobs[j].address.clone());
                on_event(&Event::Skipped { address: jobs[j].address.clone(), step: jobs[j].step, because: why });
                for &d in &dependents[j] {
                    stack.push((d, format!("{} failed", jobs[j].address)));
                }
            }
        };

        loop {
            while in_flight < parallelism && !interrupted() {
                let Some(i) = ready.pop_front() else { break };
                if finished.contains(&i) {
                    continue;
                }
                let job = &jobs[i];
                // A replacement whose delete half failed must not create a duplicate.
                if job.step == Step::Create
                    && job.replacing
                    && failed_ids.iter().any(|f| f.eq_ignore_ascii_case(&job.id))
                {
                    skip(i, "its delete failed", &mut finished, outcome, on_event);
                    continue;
                }
                // The intent carries the whole record, so that recovery can adopt the resource
                // into the state exactly as this run would have.
                let change = changes[job.address.as_str()];
                let record = if job.step == Step::Delete { change.before.as_ref() } else { change.after.as_ref() };
                let body = serde_json::to_value(record).expect("records serialize");
                let intent = state.add_intent(&job.address, &job.id, job.step.as_str(), &body)?;
                started[i] = Some((Instant::now(), intent));
                on_event(&Event::Start { address: job.address.clone(), step: job.step });
                in_flight += 1;
                let _ = job_tx.send(i);
            }
            if in_flight == 0 {
                break;
            }
            let Ok(message) = msg_rx.recv() else { break };
            match message {
                Message::Progress { index, replication } => {
                    let elapsed = started[index].map_or(Duration::ZERO, |(t, _)| t.elapsed());
                    on_event(&Event::Progress {
                        address: jobs[index].address.clone(),
                        step: jobs[index].step,
                        elapsed,
                        replication,
                    });
                }
                Message::Done { index, result } => {
                    in_flight -= 1;
                    let job = &jobs[index];
                    let (t0, intent) = started[index].expect("started before done");
                    match result {
                        worker::Done::Interrupted => {
                            finished.insert(index);
                            outcome.interrupted.push(job.address.clone());
                        }
                        worker::Done::TimedOut(error) => {
                            // As Terraform does, apply stops waiting; unlike a lost resource, the
                            // intent stays, so the next run records what the operation became.
                            finished.insert(index);
                            failed_ids.push(job.id.clone());
                            let error = error.to_string();
                            outcome.failed.push((job.address.clone(), error.clone()));
                            on_event(&Event::Errored { address: job.address.clone(), step: job.step, error });
                            for &d in &dependents[index] {
                                skip(d, &format!("{} timed out", job.address), &mut finished, outcome, on_event);
                            }
                        }
                        worker::Done::Ok(read_back) => {
                            let change = changes[job.address.as_str()];
                            let mut record = Vec::new();
                            match job.step {
                                // Retention's changes are to versions the state does not hold.
                                Step::Delete => {
                                    if !change.retention {
                                        record.push(Change::Remove {
                                            action: "delete".into(),
                                            address: job.address.clone(),
                                        });
                                    }
                                    if !job.replacing {
                                        outcome.destroyed += 1;
                                    }
                                }
                                Step::Create | Step::Update => {
                                    let mut after = change.after.clone().expect("writes have an after");
                                    if let (Some(cloud_attrs), Some(schema)) =
                                        (read_back, sigform_azure::resources::resource(&after.type_name))
                                    {
                                        // What the service computed, and what it filled in where
                                        // the configuration left a value to it.
                                        after.attributes.edit(|attributes| {
                                            for a in schema.attrs {
                                                let left_to_azure = a.filled_by_service
                                                    && attributes.get(a.name).is_none_or(|v| v.is_null());
                                                if (a.mutability == Mutability::Computed || left_to_azure)
                                                    && let Some(v) = cloud_attrs.get(a.name)
                                                {
                                                    attributes[a.name] = v.clone();
                                                }
                                            }
                                            for (path, attr) in schema.nested_computed() {
                                                let pointer = sigform_azure::schema::nested_pointer(&path, attr);
                                                let (parent, _) =
                                                    pointer.rsplit_once('/').expect("a pointer has a parent");
                                                if let (Some(v), Some(inner)) = (
                                                    cloud_attrs.pointer(&pointer).cloned(),
                                                    attributes.pointer_mut(parent).and_then(|b| b.as_object_mut()),
                                                ) {
                                                    inner.insert(attr.to_string(), v);
                                                }
                                            }
                                        });
                                    }
                                    after.status =
                                        if job.kind == ResourceKind::ImageVersion && !options.wait_for_replication {
                                            "replicating".into()
                                        } else {
                                            "ready".into()
                                        };
                                    if !change.retention {
                                        record.push(Change::Put { action: job.step.as_str().into(), resource: after });
                                    }
                                    match (job.step, job.replacing) {
                                        (Step::Update, _) => outcome.changed += 1,
                                        (_, true) => {
                                            outcome.added += 1;
                                            outcome.destroyed += 1;
                                        }
                                        _ => outcome.added += 1,
                                    }
                                }
                            }
                            record.push(Change::SettleIntent(intent));
                            state.commit(&record)?;
                            finished.insert(index);
                            on_event(&Event::Complete {
                                address: job.address.clone(),
                                step: job.step,
                                id: job.id.clone(),
                                elapsed: t0.elapsed(),
                            });
                            for &d in &dependents[index] {
                                waiting[d] -= 1;
                                if waiting[d] == 0 {
                                    ready.push_back(d);
                                }
                            }
                        }
                        worker::Done::Failed { error, exists } => {
                            // What the cloud was left with is recorded (a failed create is marked
                            // "failed", so the next plan replaces it); nothing is orphaned.
                            let mut record = vec![Change::SettleIntent(intent)];
                            if let Some(attrs) = exists
                                && !changes[job.address.as_str()].retention
                                && let Some(mut after) = changes[job.address.as_str()].after.clone()
                            {
                                if let Some(id) = attrs.get("id").and_then(|v| v.as_str()) {
                                    after.id = id.to_string();
                                }
                                after.status = "failed".into();
                                record.insert(0, Change::Put { action: "create failed".into(), resource: after });
                            }
                            state.commit(&record)?;
                            finished.insert(index);
                            failed_ids.push(job.id.clone());
                            let error = match &changes[job.address.as_str()].source {
                                Some(source) => format!("{error} (declared at {source})"),
                                None => error.to_string(),
                            };
                            outcome.failed.push((job.address.clone(), error.clone()));
                            on_event(&Event::Errored { address: job.address.clone(), step: job.step, error });
                            for &d in &dependents[index] {
                                skip(d, &format!("{} failed", job.address), &mut finished, outcome, on_event);
                            }
                        }
                    }
                }
            }
        }
        drop(job_tx);
        Ok(())
    })
}
