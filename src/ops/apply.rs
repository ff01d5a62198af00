//! `apply` and `destroy`: a session holds the state lock from before the plan until the last
//! record, settles what an earlier run left half-done, backs the state up, and carries the plan
//! out — refusing a plan made for another state or one that has moved on.

use super::recover::RecoverError;
use crate::apply::{self, Event, Outcome};
use crate::plan::Plan;
use crate::state::{Location, LockInfo, StateError, StateStore};
use sigform_azure::cloud::Cloud;

pub struct Options {
    pub state: Location,
    pub parallelism: usize,
    pub wait_for_replication: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Stale(#[from] super::plan::StalePlan),
    #[error(transparent)]
    Recover(#[from] RecoverError),
    #[error("the plan cannot be applied: {0}")]
    NotApplyable(String),
}

/// The state, locked for one command. Dropping it releases the lock.
pub struct Session {
    store: Box<dyn StateStore + Send>,
    lock: Option<LockInfo>,
}

impl Session {
    /// Opens (creating) the state and takes its lock (waiting up to `--lock-timeout`).
    pub fn open(state: &Location, operation: &str) -> Result<Session, ApplyError> {
        let mut store = state.open(true)?;
        let lock = crate::state::acquire(store.as_mut(), operation)?;
        Ok(Session { store, lock: Some(lock) })
    }

    /// Settles intents left by a run that died; one line per intent.
    pub fn recover(&mut self, cloud: &dyn Cloud) -> Result<Vec<String>, ApplyError> {
        Ok(super::recover::settle_intents(self.store.as_mut(), cloud)?)
    }

    pub fn execute(
        &mut self,
        plan: &Plan,
        cloud: &dyn Cloud,
        options: &Options,
        on_event: &mut dyn FnMut(&Event),
    ) -> Result<Outcome, ApplyError> {
        if !plan.applyable() {
            let n = plan.forbidden().count();
            return Err(ApplyError::NotApplyable(format!("{n} forbidden change(s) or configuration errors")));
        }
        super::plan::check_fresh(plan, &self.store.snapshot()?)?;
        // Before anything changes: a consistent copy to go back to (`state restore`).
        self.store.backup()?;
        let apply_options = apply::Options {
            parallelism: options.parallelism,
            wait_for_replication: options.wait_for_replication,
            tenants: plan.tenants.clone().into_iter().collect(),
            retries: 5,
        };
        match apply::apply(plan, cloud, self.store.as_mut(), &apply_options, on_event) {
            Ok(outcome) => Ok(outcome),
            Err(apply::ApplyError::State(e)) => Err(e.into()),
        }
    }

    /// `apply --refresh-only`: the cloud's values go into the state; the cloud is not touched.
    pub fn record_drift(&mut self, plan: &Plan) -> Result<(usize, usize), ApplyError> {
        super::plan::check_fresh(plan, &self.store.snapshot()?)?;
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
            self.store.backup()?;
            self.store.commit(&changes)?;
        }
        Ok((plan.drift.drifted.len(), plan.drift.deleted.len()))
    }

    /// Releases the lock, reporting a failure to do so.
    pub fn close(mut self) -> Result<(), ApplyError> {
        if let Some(lock) = self.lock.take() {
            self.store.unlock(&lock.id)?;
        }
        Ok(())
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(lock) = self.lock.take() {
            let _ = self.store.unlock(&lock.id);
        }
    }
}
