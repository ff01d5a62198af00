//! `sigform graph`.

use super::{CliResult, Global};
use crate::exit::ExitStatus;
use crate::ops::graph::{Graphed, graph};
use crate::ops::workdir::VarArg;
use crate::render::{Style, messages};

pub fn run(global: &Global, vars: Vec<VarArg>) -> CliResult {
    match graph(&super::validate::options(global, vars))? {
        Graphed::Dot(dot) => {
            print!("{dot}");
            Ok(ExitStatus::Success)
        }
        Graphed::Invalid(v) => {
            eprint!(
                "{}",
                messages::invalid("No graph", &v.diagnostics, &v.sources, Style::for_stderr(global.no_color))
            );
            Ok(ExitStatus::Failure)
        }
    }
}
