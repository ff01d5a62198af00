//! `validate`: load, evaluate and run the rules that need no state or cloud.

use super::workdir::{self, VarArg, Workdir, WorkdirError};
use crate::config::Sources;
use crate::diagnostic::{self, Diagnostic};
use crate::model::Desired;
use crate::rules::RuleContext;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Options {
    pub dir: PathBuf,
    pub vars: Vec<VarArg>,
    pub env: Vec<(String, String)>,
    pub now_unix: i64,
}

pub struct Validated {
    pub sources: Sources,
    pub diagnostics: Vec<Diagnostic>,
    pub resources: usize,
}

impl Validated {
    pub fn has_errors(&self) -> bool {
        diagnostic::has_errors(&self.diagnostics)
    }
}

/// A working directory read and its configuration checked: what every command that reads the
/// configuration starts from.
pub struct Loaded {
    pub sources: Sources,
    pub desired: Desired,
    /// Sorted by place; errors and warnings.
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        diagnostic::has_errors(&self.diagnostics)
    }
}

pub fn load(options: &Options) -> Result<Loaded, WorkdirError> {
    load_with(options, None)
}

/// Loads with data sources answered by `data` (the cloud) instead of left unknown.
pub fn load_with(options: &Options, data: Option<&dyn crate::eval::DataResolver>) -> Result<Loaded, WorkdirError> {
    let Workdir { sources, vars, diagnostics: mut diags, mut environment, .. } =
        workdir::load(&options.dir, &options.vars, options.env.iter().cloned())?;
    environment.plan_time = options.now_unix;
    let context = RuleContext { now_unix: options.now_unix };
    let files = super::workdir::DirFiles(options.dir.clone());
    let checked =
        crate::pipeline::check_configuration_with(&sources, &vars, &environment, data, Some(&files), &context);
    diagnostic::merge(&mut diags, checked.diagnostics);
    Ok(Loaded { sources, desired: checked.desired, diagnostics: diags })
}

/// Loads and evaluates without running the rules (`crate::rules::check`), for a caller that
/// runs them alongside other work; `recorded` answers the values Azure computed from the state.
pub fn load_evaluated(
    options: &Options,
    data: Option<&dyn crate::eval::DataResolver>,
    recorded: Option<&dyn crate::eval::RecordedResolver>,
) -> Result<Loaded, WorkdirError> {
    let Workdir { sources, vars, diagnostics: mut diags, mut environment, .. } =
        workdir::load(&options.dir, &options.vars, options.env.iter().cloned())?;
    environment.plan_time = options.now_unix;
    // Asked only where evaluation may need it: otherwise the state is read after evaluation, once
    // the syntax trees are gone (at the quota ceiling both at once cost ~70 MB of peak memory).
    let recorded = recorded.filter(|_| super::recorded::evaluation_needs_state(&sources));
    let files = super::workdir::DirFiles(options.dir.clone());
    let evaluated = crate::pipeline::evaluate_with_state(&sources, &vars, &environment, data, recorded, Some(&files));
    diags.extend(evaluated.diagnostics);
    diagnostic::sort(&mut diags);
    Ok(Loaded { sources, desired: evaluated.desired, diagnostics: diags })
}

pub fn validate(options: &Options) -> Result<Validated, WorkdirError> {
    let loaded = load(options)?;
    Ok(Validated {
        resources: loaded.desired.resources.len(),
        sources: loaded.sources,
        diagnostics: loaded.diagnostics,
    })
}
