//! `sigform validate [--json]`.

use super::{CliResult, Global};
use crate::exit::ExitStatus;
use crate::ops::validate::{Options, validate};
use crate::ops::workdir::VarArg;
use crate::render::{Style, diagnostics, messages};

/// The options every configuration-reading command starts from: the directory, the variables,
/// this process's environment and the clock.
pub fn options(global: &Global, vars: Vec<VarArg>) -> Options {
    let now_unix = sigform_azure::timestamp::now_unix();
    Options { dir: global.dir.clone(), vars, env: std::env::vars().collect(), now_unix }
}

pub fn run(global: &Global, vars: Vec<VarArg>, json: bool) -> CliResult {
    let validated = validate(&options(global, vars))?;
    let status = if validated.has_errors() { ExitStatus::Failure } else { ExitStatus::Success };
    if json {
        println!("{}", diagnostics::json(&validated.diagnostics, &validated.sources));
        return Ok(status);
    }
    if !validated.diagnostics.is_empty() {
        eprint!(
            "{}",
            diagnostics::human(&validated.diagnostics, &validated.sources, Style::for_stderr(global.no_color))
        );
    }
    if validated.has_errors() {
        eprintln!("{}", messages::stopped("Validation failed", &validated.diagnostics));
    } else if !global.quiet {
        println!("{}", messages::validated(validated.resources, &validated.diagnostics));
    }
    Ok(status)
}
