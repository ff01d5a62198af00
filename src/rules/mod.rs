//! The product rules (DESIGN.md §5) that can be decided from the configuration alone.
//!
//! Each check reads `model::Desired` and returns diagnostics pointing at the attribute at fault.
//! Rules that need state or the cloud (forbidden changes, quota counts of existing resources,
//! tenants of principals) run in the planner and reuse the catalogue for their ids and text.

pub mod catalogue;
mod latest;
pub mod names;
pub mod quotas;
mod regions;
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

/// Runs every configuration rule.
pub fn check(desired: &Desired, ctx: &RuleContext) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    names::check(desired, ctx, &mut out);
    regions::check(desired, &mut out);
    sources::check(desired, &mut out);
    quotas::check(desired, &quotas::Existing::default(), &mut out);
    sharing::check(desired, &mut out);
    latest::check(desired, &mut out);
    out
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
