//! `sigform drift [--format human|json|markdown|junit] [--fail-on-unmanaged] [--out FILE]`.
//!
//! Exit codes for CI: 0 when the configuration, the state and the cloud agree; 2 when anything
//! is drifted, deleted or pending (unmanaged resources count only with `--fail-on-unmanaged`);
//! 1 on error.

use super::{CliResult, DriftFormat, Global};
use crate::exit::ExitStatus;
use crate::ops::drift::{Checked, drift};
use crate::ops::workdir::VarArg;
use crate::render::{Style, messages};
use std::path::Path;

pub fn run(
    global: &Global,
    format: DriftFormat,
    fail_on_unmanaged: bool,
    out: Option<&Path>,
    vars: Vec<VarArg>,
) -> CliResult {
    let cloud = global.open_cloud()?;
    let report = match drift(&super::validate::options(global, vars), &global.state_location()?, cloud.as_ref())? {
        Checked::Invalid { sources, diagnostics: d } => {
            eprint!("{}", messages::invalid("No drift check", &d, &sources, Style::for_stderr(global.no_color)));
            return Ok(ExitStatus::Failure);
        }
        Checked::Report(r) => r,
    };
    global.warn(&report.warnings);
    let text = match format {
        DriftFormat::Human => crate::render::drift::human(&report),
        DriftFormat::Json => crate::render::drift::json(&report) + "\n",
        DriftFormat::Markdown => crate::render::drift::markdown(&report),
        DriftFormat::Junit => crate::render::drift::junit(&report, fail_on_unmanaged),
    };
    match out {
        Some(path) => {
            let path = global.resolve(path);
            std::fs::write(&path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            println!("{}", messages::drift_written(&crate::render::drift::summary(&report), &path));
        }
        None => print!("{text}"),
    }
    Ok(if report.failing(fail_on_unmanaged) { ExitStatus::Changes } else { ExitStatus::Success })
}
