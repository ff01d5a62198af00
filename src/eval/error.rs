//! `EvalError`: what goes wrong evaluating an expression, with the exact span at fault. Shared by
//! the evaluator (`expr`) and the functions it calls (`functions`), below both.

use crate::diagnostic::{Diagnostic, Span};
use crate::model::value::Value;

/// An evaluation error: SIG005 (references), SIG004 (types) or SIG006 (functions).
#[derive(Debug, Clone, PartialEq)]
pub struct EvalError {
    pub rule: &'static str,
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
    /// Whether `try` and `can` may turn it into a fallback. As in Terraform, they catch what goes
    /// wrong evaluating real functions and values (a missing key, a bad conversion); a mistake in
    /// the configuration itself — an unknown function, an undeclared name — is always an error.
    pub catchable: bool,
}

impl EvalError {
    pub fn new(rule: &'static str, span: Span, message: impl Into<String>) -> EvalError {
        EvalError { rule, span, message: message.into(), help: None, catchable: true }
    }

    /// The same error, which `try` and `can` must not swallow.
    pub fn uncatchable(mut self) -> EvalError {
        self.catchable = false;
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> EvalError {
        self.help = Some(help.into());
        self
    }

    pub fn into_diagnostic(self) -> Diagnostic {
        let d = Diagnostic::error(self.rule, self.message).at(self.span);
        match self.help {
            Some(h) => d.help(h),
            None => d,
        }
    }
}

pub type EvalResult = Result<Value, EvalError>;
