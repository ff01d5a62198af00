//! `apply` and `destroy`: the whole workflow. A saved plan file is read and checked whole before
//! anything is touched; then a session holds the state lock from before the plan until the last
//! record, settles what an earlier run left half-done, plans (or takes the saved plan), asks,
//! backs the state up, and carries the plan out — refusing a plan made for another state or one
//! that has moved on. What the user sees and says goes through [`ApplyUi`], which the command
//! line implements with the renderers: nothing here prints.

use super::plan::{LoadPlanError, PlanError, Planned};
use super::recover::RecoverError;
use crate::apply::{self, Event, Outcome};
use crate::config::Sources;
use crate::diagnostic::Diagnostic;
use crate::plan::Plan;
use crate::state::{Location, LockInfo, StateError, StateStore};
use sigform_azure::cloud::Cloud;
use std::path::PathBuf;

pub struct Options {
    pub state: Location,
    /// `--parallelism`; else the configuration's (`sigform { parallelism }`), which the plan carries.
    pub parallelism: Option<usize>,
    /// `--no-wait-replication`; else the configuration's (`sigform { wait_for_replication }`).
    pub wait_for_replication: Option<bool>,
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
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    LoadPlan(#[from] LoadPlanError),
    #[error("{0}")]
    Ui(String),
    #[error(transparent)]
    Profile(#[from] super::profile::ProfileError),
    #[error(transparent)]
    Workdir(#[from] super::workdir::WorkdirError),
}

/// Where the plan comes from.
pub enum PlanSource {
    /// A saved plan file (`apply PLANFILE`), and how to load the configuration to evaluate the
    /// outputs again once applied — used only when it is the configuration the plan was made
    /// from (same config hash: files, variable files and values).
    File { path: PathBuf, config: Option<super::validate::Options> },
    /// A plan made now, under the lock; `refresh` reads the cloud first.
    Make { options: Box<super::plan::Options>, refresh: bool },
}

/// What the user sees and says during an apply.
pub trait ApplyUi {
    /// An intent left by an earlier run was settled.
    fn recovered(&mut self, line: &str);
    /// A plan was made: show it (with the configuration's diagnostics and the refresh's warnings).
    fn planned(
        &mut self,
        sources: &Sources,
        diagnostics: &[Diagnostic],
        plan: &Plan,
        warnings: &[String],
    ) -> Result<(), ApplyError>;
    /// Whether to carry the plan out.
    fn confirm(&mut self, destroy: bool) -> Result<bool, ApplyError>;
    /// Something to know before going on (never a secret, never a question).
    fn warn(&mut self, message: &str);
    /// The plan is about to be carried out.
    fn applying(&mut self, plan: &Plan);
    /// Progress of the apply.
    fn event(&mut self, event: &Event);
}

/// How an apply ended (short of an error).
pub enum Applied {
    /// The configuration has errors: nothing was planned or applied.
    Invalid { sources: Sources, diagnostics: Vec<Diagnostic> },
    /// The plan has forbidden changes or errors: nothing was applied.
    NotApplyable { forbidden: usize },
    /// The plan changes nothing; `from_file`: it came from a saved plan (and was not shown).
    NothingToDo { from_file: bool },
    /// The user said no.
    Cancelled,
    /// A refresh-only plan was recorded: resources recorded as the cloud has them, and forgotten.
    Refreshed { recorded: usize, forgotten: usize },
    /// The plan was carried out (or as much of it as could be).
    Done { outcome: Outcome, plan: Box<Plan> },
}

/// `apply` and `destroy`, start to end.
pub fn run(
    source: PlanSource,
    options: &Options,
    cloud: &dyn Cloud,
    ui: &mut dyn ApplyUi,
) -> Result<Applied, ApplyError> {
    // A saved plan is checked whole before the state is locked or anything is settled.
    let (source, saved_config) = match source {
        PlanSource::File { path, config } => (Ok(super::plan::load(&path)?), config),
        PlanSource::Make { options, refresh } => (Err((options, refresh)), None),
    };
    // A plan made now with a refresh has asked the cloud which service it is already.
    let asked_cloud = matches!(&source, Err((_, true)));
    let operation = match &source {
        Err((options, _)) if options.destroy => "destroy",
        _ => "apply",
    };
    // Outputs that depend on what Azure computes are known once the apply is done: evaluated
    // again then, against the new state, as Terraform records them.
    let reload = match &source {
        Err((options, _)) => Some(options.load.clone()),
        Ok(_) => saved_config,
    };
    // A saved plan holds no credentials: the provider block of the configuration it was made
    // from signs in, as it did when planning (without it, the environment's credentials do).
    if source.is_ok()
        && let Some(load) = &reload
    {
        super::data::sign_in_from(load, cloud);
    }
    // The lock is held from before the plan until the last record: a second apply waits (or
    // fails at once) instead of planning against a state that is about to change.
    let mut session = Session::open(&options.state, operation)?;
    for line in session.recover(cloud)? {
        ui.recovered(&line);
    }
    let plan = match source {
        Ok(plan) => {
            if plan.is_empty() {
                return Ok(Applied::NothingToDo { from_file: true });
            }
            plan
        }
        Err((plan_options, refresh)) => match super::plan::plan(&plan_options, refresh.then_some(cloud))? {
            Planned::Invalid { sources, diagnostics } => return Ok(Applied::Invalid { sources, diagnostics }),
            Planned::Plan { sources, diagnostics, plan, warnings } => {
                ui.planned(&sources, &diagnostics, &plan, &warnings)?;
                if !plan.applyable() {
                    return Ok(Applied::NotApplyable { forbidden: plan.forbidden().count() });
                }
                if plan.is_empty() {
                    return Ok(Applied::NothingToDo { from_file: false });
                }
                if !ui.confirm(plan.destroy)? {
                    return Ok(Applied::Cancelled);
                }
                *plan
            }
        },
    };
    // The cloud must be the service the plan was checked against (a saved plan, or one made
    // without reading the cloud, has not asked yet).
    let profile = sigform_azure::profiles::find(&plan.service_profile).ok_or_else(|| {
        ApplyError::NotApplyable(format!("it names an unknown service profile `{}`", plan.service_profile))
    })?;
    if !asked_cloud {
        for warning in super::profile::check(cloud, profile, "the plan")? {
            ui.warn(&warning);
        }
    }
    if plan.refresh_only {
        let (recorded, forgotten) = session.record_drift(&plan)?;
        session.close()?;
        return Ok(Applied::Refreshed { recorded, forgotten });
    }
    ui.applying(&plan);
    let outcome = session.execute(&plan, cloud, options, &mut |e| ui.event(e))?;
    if let Some(load) = reload
        && outcome.succeeded()
        && outcome.interrupted.is_empty()
        && plan.output_changes.iter().any(|o| o.after_unknown)
    {
        let recorded = super::recorded::RecordedState::new(&options.state);
        let data = super::data::CloudData(cloud);
        // A saved plan's outputs are evaluated again only from the configuration it was made of
        // (its files, variable files and values hash the same); else they stay as planned.
        let loaded = super::validate::load_evaluated(&load, Some(&data), Some(&recorded))
            .ok()
            .filter(|l| super::plan::config_hash(&l.sources) == plan.config_hash);
        match loaded {
            Some(loaded) => {
                let outputs = loaded
                    .desired
                    .outputs
                    .iter()
                    .filter(|o| o.value.is_wholly_known())
                    .map(|o| crate::state::OutputState {
                        name: o.name.clone(),
                        value: o.value.to_json(),
                        sensitive: o.sensitive,
                    })
                    .collect();
                session.record_outputs(outputs)?;
            }
            None => ui.warn(OUTPUTS_NOT_RECORDED),
        }
    }
    session.close()?;
    Ok(Applied::Done { outcome, plan: Box::new(plan) })
}

/// After applying a saved plan whose configuration is no longer the one it was made of.
const OUTPUTS_NOT_RECORDED: &str = "outputs known only after the apply were not recorded: the configuration is not the one the plan was made from (files or variable values changed); the next apply records them";

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
            parallelism: options.parallelism.unwrap_or(plan.apply_settings.parallelism as usize).max(1),
            wait_for_replication: options.wait_for_replication.unwrap_or(plan.apply_settings.wait_for_replication),
            tenants: plan.tenants.clone().into_iter().collect(),
            nonempty_group_deletion: plan.nonempty_group_deletion.iter().cloned().collect(),
            retries: 5,
        };
        match apply::apply(plan, cloud, self.store.as_mut(), &apply_options, on_event) {
            Ok(outcome) => Ok(outcome),
            Err(apply::ApplyError::State(e)) => Err(e.into()),
            Err(e @ apply::ApplyError::InvalidPlan(_)) => Err(ApplyError::NotApplyable(e.to_string())),
        }
    }

    /// `apply --refresh-only`: the cloud's values go into the state; the cloud is not touched.
    pub fn record_drift(&mut self, plan: &Plan) -> Result<(usize, usize), ApplyError> {
        super::plan::check_fresh(plan, &self.store.snapshot()?)?;
        let mut changes = Vec::new();
        for d in &plan.drift.drifted {
            if let Some(mut record) = d.record.clone() {
                record.attributes = (&d.cloud).into();
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

    /// Replaces the recorded outputs.
    pub fn record_outputs(&mut self, outputs: Vec<crate::state::OutputState>) -> Result<(), ApplyError> {
        self.store.commit(&[crate::state::Change::Outputs(outputs)])?;
        Ok(())
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
