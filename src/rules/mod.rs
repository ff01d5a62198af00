//! The product rules that can be decided from the configuration alone.
//!
//! Each check reads `model::Desired` and returns diagnostics pointing at the attribute at fault.
//! Rules that need state or the cloud (forbidden changes, quota counts of existing resources,
//! tenants of principals) run in the planner and reuse the catalogue for their ids and text.

pub mod catalogue;
pub mod features;
mod latest;
pub mod names;
pub mod quotas;
mod regions;
mod security;
mod sharing;
mod sources;

use crate::diagnostic::{Diagnostic, Span};
use crate::model::Desired;

pub use catalogue::{RULES, Rule, find};

/// What a check may know besides the configuration: the time, for end-of-life dates.
#[derive(Debug, Clone, Copy)]
pub struct RuleContext {
    pub now_unix: i64,
}

/// One family of rules, adding what it finds.
type Family<'a> = dyn Fn(&mut Vec<Diagnostic>) + Sync + 'a;

/// Runs every configuration rule.
pub fn check(desired: &Desired, ctx: &RuleContext) -> Vec<Diagnostic> {
    // The rule families are independent reads of the same model: at the quota ceiling they take
    // tens of milliseconds each, so they run side by side (diagnostics are sorted afterwards).
    // Instances by id, for the families that follow references by id: made once, shared.
    let by_id = desired.by_id();
    let by_id = &by_id;
    let families: [&Family; 8] = [
        // Dependency cycles between instances (SIG007).
        &|out| out.extend(crate::model::graph::DependencyGraph::build(desired).1),
        &|out| names::check(desired, ctx, out),
        &|out| regions::check(desired, by_id, out),
        &|out| sources::check(desired, by_id, out),
        &|out| quotas::check(desired, &quotas::Existing::default(), out),
        &|out| sharing::check(desired, out),
        &|out| security::check(desired, out),
        &|out| latest::check(desired, by_id, out),
    ];
    let run = |family: &Family| {
        let mut out = Vec::new();
        family(&mut out);
        out
    };
    // A small configuration is checked faster than a thread starts.
    let batch = if desired.resources.len() < 1_000 { families.len() } else { 1 };
    crate::parallel::map(families.to_vec(), batch, run).into_iter().flatten().collect()
}

/// A diagnostic for a catalogue rule, with its severity and a pointer to `explain`.
fn violation(rule: &'static str, message: impl Into<String>, span: Span) -> Diagnostic {
    let severity = find(rule).map_or(crate::diagnostic::Severity::Error, |r| r.severity);
    Diagnostic {
        rule,
        severity,
        message: message.into(),
        span: Some(span),
        label: None,
        help: Some(format!("`sigform explain {rule}` says why")),
    }
}

#[cfg(test)]
pub(crate) mod tests;
