//! `apply` and `destroy`: carry a plan out under the state lock, refusing a stale plan.

use crate::apply::{self, Event, Outcome};
use crate::cloud::Cloud;
use crate::plan::Plan;
use crate::state::{LockInfo, SqliteStore, StateError, StateStore};
use std::path::PathBuf;

pub struct Options {
    pub state: PathBuf,
    pub parallelism: usize,
    pub wait_for_replication: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Stale(#[from] super::plan::StalePlan),
    #[error("the plan cannot be applied: {0}")]
    NotApplyable(String),
}

pub fn execute(
    plan: &Plan,
    cloud: &dyn Cloud,
    options: &Options,
    on_event: &mut dyn FnMut(&Event),
) -> Result<Outcome, ApplyError> {
    if !plan.applyable() {
        let n = plan.forbidden().count();
        return Err(ApplyError::NotApplyable(format!("{n} forbidden change(s) or configuration errors")));
    }
    let mut store = SqliteStore::open(&options.state, true)?;
    let lock = LockInfo::for_this_process(if plan.destroy { "destroy" } else { "apply" });
    store.lock(&lock)?;
    let result = (|| -> Result<Outcome, ApplyError> {
        super::plan::check_fresh(plan, &store.snapshot()?)?;
        let apply_options = apply::Options {
            parallelism: options.parallelism,
            wait_for_replication: options.wait_for_replication,
            tenants: plan.tenants.clone().into_iter().collect(),
            retries: 5,
        };
        match apply::apply(plan, cloud, &mut store, &apply_options, on_event) {
            Ok(outcome) => Ok(outcome),
            Err(apply::ApplyError::State(e)) => Err(e.into()),
        }
    })();
    let unlocked = store.unlock(&lock.id);
    let outcome = result?;
    unlocked?;
    Ok(outcome)
}

/// `apply --refresh-only`: the cloud's values go into the state; the cloud is not touched.
pub fn record_drift(plan: &Plan, options: &Options) -> Result<(usize, usize), ApplyError> {
    let mut store = SqliteStore::open(&options.state, true)?;
    let lock = LockInfo::for_this_process("apply --refresh-only");
    store.lock(&lock)?;
    let result = (|| -> Result<(usize, usize), ApplyError> {
        super::plan::check_fresh(plan, &store.snapshot()?)?;
        let mut changes = Vec::new();
        for d in &plan.drift.drifted {
            if let Some(mut record) = d.record.clone() {
                record.attributes = d.cloud.clone();
                changes.push(crate::state::Change::Put { action: "refresh".into(), resource: Box::new(record) });
            }
        }
        for d in &plan.drift.deleted {
            changes.push(crate::state::Change::Remove {
                action: "refresh: deleted outside".into(),
                address: d.address.clone(),
            });
        }
        if !changes.is_empty() {
            store.commit(&changes)?;
        }
        Ok((plan.drift.drifted.len(), plan.drift.deleted.len()))
    })();
    let unlocked = store.unlock(&lock.id);
    let counts = result?;
    unlocked?;
    Ok(counts)
}
