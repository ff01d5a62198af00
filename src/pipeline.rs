//! The configuration half of the pipeline, pure: sources → syntax → `Desired` → rule
//! diagnostics. `validate` stops here; `plan` continues with state and the cloud.

use crate::config::vars::VarAssignment;
use crate::config::{self, Sources};
use crate::diagnostic::{self, Diagnostic};
use crate::eval::{self, DataResolver, Environment, EvalInput};
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
    let mut checked = evaluate_configuration(sources, vars, environment, data);
    let found = rules::check(&checked.desired, ctx);
    checked.add(found);
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
    let (files, mut diagnostics) = config::parse_all(sources);
    if diagnostics.is_empty() {
        let input = EvalInput { sources, vars, environment, data };
        let (desired, eval_diagnostics) = eval::evaluate(&input, files);
        let mut checked = Checked { desired, diagnostics: Vec::new() };
        checked.add(eval_diagnostics);
        return checked;
    }
    diagnostic::sort(&mut diagnostics);
    Checked { desired: Desired::default(), diagnostics }
}

impl Checked {
    /// Adds diagnostics, keeping them sorted by place and without repeats.
    pub fn add(&mut self, diagnostics: Vec<Diagnostic>) {
        self.diagnostics.extend(diagnostics);
        diagnostic::sort(&mut self.diagnostics);
        self.diagnostics.dedup();
    }
}
