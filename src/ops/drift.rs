//! `drift`: the three-way report for CI — configuration vs state (pending), state vs cloud
//! (drifted, deleted), cloud vs nothing (unmanaged) — from list calls only.

use super::plan::PlanError;
use super::validate::Options as LoadOptions;
use crate::config::Sources;
use crate::diagnostic::Diagnostic;
use crate::plan::drift::{Pending, Report};
use crate::plan::{Action, PlanInput};
use sigform_azure::cloud::Cloud;

pub enum Checked {
    Invalid { sources: Sources, diagnostics: Vec<Diagnostic> },
    Report(Box<Report>),
}

pub fn drift(load: &LoadOptions, state: &crate::state::Location, cloud: &dyn Cloud) -> Result<Checked, PlanError> {
    let recorded = super::recorded::RecordedState::new(state);
    let mut loaded = super::validate::load_evaluated(load, Some(&super::data::CloudData(cloud)), Some(&recorded))?;
    let found = crate::rules::check(&loaded.desired, &crate::rules::RuleContext { now_unix: load.now_unix });
    crate::diagnostic::merge(&mut loaded.diagnostics, found);
    if loaded.has_errors() {
        return Ok(Checked::Invalid { sources: loaded.sources, diagnostics: loaded.diagnostics });
    }
    let recorded = recorded.into_snapshot()?;
    let refreshed = super::refresh::refresh(cloud, &recorded, &loaded.desired)?;
    // Pending: what the configuration asks of the state as recorded (not of the cloud).
    let options = crate::plan::Options::default();
    let plan = crate::plan::plan(PlanInput::new(&loaded.desired, recorded.clone(), &options));
    let pending = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .map(|c| Pending {
            address: c.address.clone(),
            actions: match c.action {
                Action::Create => vec!["create"],
                Action::Update => vec!["update"],
                Action::Delete => vec!["delete"],
                Action::Replace | Action::Forbidden => vec!["delete", "create"],
                Action::NoOp => vec!["no-op"],
            },
        })
        .collect();
    Ok(Checked::Report(Box::new(Report {
        format_version: "1",
        drift: refreshed.drift,
        pending,
        managed: recorded.resources.iter().filter(|r| r.mode == "managed").map(|r| r.address.clone()).collect(),
        calls: refreshed.calls,
        warnings: refreshed.warnings,
    })))
}
