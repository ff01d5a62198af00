//! The configuration half of the pipeline, pure: sources → syntax → `Desired` → rule
//! diagnostics. `validate` stops here; `plan` continues with state and the cloud.

use crate::config::vars::VarAssignment;
use crate::config::{self, Sources};
use crate::diagnostic::{self, Diagnostic};
use crate::eval::{self, DataResolver, Environment, EvalInput, FileSource, RecordedResolver};
use crate::model::Desired;
use crate::rules::{self, RuleContext};

pub struct Checked {
    pub desired: Desired,
    /// Sorted by place; errors and warnings together.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        diagnostic::has_errors(&self.diagnostics)
    }
}

/// Parses, evaluates and checks a configuration. Syntax errors stop evaluation (a half-parsed
/// file would only produce misleading follow-up errors); everything else is collected.
pub fn check_configuration(
    sources: &Sources,
    vars: &[VarAssignment],
    environment: &Environment,
    data: Option<&dyn DataResolver>,
    ctx: &RuleContext,
) -> Checked {
    check_configuration_with(sources, vars, environment, data, None, ctx)
}

/// The same, with files for the file functions.
pub fn check_configuration_with(
    sources: &Sources,
    vars: &[VarAssignment],
    environment: &Environment,
    data: Option<&dyn DataResolver>,
    files: Option<&dyn FileSource>,
    ctx: &RuleContext,
) -> Checked {
    let mut checked = evaluate_with_state(sources, vars, environment, data, None, files);
    let found = rules::check(&checked.desired, ctx);
    diagnostic::merge(&mut checked.diagnostics, found);
    checked
}

/// Parses and evaluates, leaving the rules to the caller (who may run them alongside other work:
/// `plan` reads the state meanwhile).
pub fn evaluate_configuration(
    sources: &Sources,
    vars: &[VarAssignment],
    environment: &Environment,
    data: Option<&dyn DataResolver>,
) -> Checked {
    evaluate_with_state(sources, vars, environment, data, None, None)
}

/// The same, with what the state recorded answering the values Azure computed.
pub fn evaluate_with_state(
    sources: &Sources,
    vars: &[VarAssignment],
    environment: &Environment,
    data: Option<&dyn DataResolver>,
    recorded: Option<&dyn RecordedResolver>,
    files: Option<&dyn FileSource>,
) -> Checked {
    let (parsed, mut diagnostics) = config::parse_all(sources);
    if !diagnostics.is_empty() {
        diagnostic::sort(&mut diagnostics);
        return Checked { desired: Desired::default(), diagnostics };
    }
    let input = EvalInput { sources, vars, environment, data, recorded, files, marks: Default::default() };
    let (desired, found) = eval::evaluate(&input, parsed);
    diagnostic::merge(&mut diagnostics, found);
    Checked { desired, diagnostics }
}
