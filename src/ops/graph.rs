//! `graph`: the dependency graph of the configuration's resources, in DOT.

use super::validate::{Options, Validated};
use super::workdir::{self, WorkdirError};
use crate::diagnostic;
use crate::model::graph::DependencyGraph;
use crate::pipeline::check_configuration;
use crate::rules::RuleContext;

pub enum Graphed {
    Dot(String),
    /// The configuration has errors: no graph, the diagnostics instead.
    Invalid(Validated),
}

pub fn graph(options: &Options) -> Result<Graphed, WorkdirError> {
    let dir = workdir::load(&options.dir, &options.vars, options.env.iter().cloned())?;
    let checked = check_configuration(
        &dir.sources,
        &dir.vars,
        &dir.environment,
        None,
        &RuleContext { now_unix: options.now_unix },
    );
    let mut diagnostics = dir.diagnostics;
    diagnostics.extend(checked.diagnostics);
    if diagnostic::has_errors(&diagnostics) {
        diagnostic::sort(&mut diagnostics);
        return Ok(Graphed::Invalid(Validated {
            sources: dir.sources,
            diagnostics,
            resources: checked.desired.resources.len(),
        }));
    }
    let (graph, _) = DependencyGraph::build(&checked.desired);
    Ok(Graphed::Dot(graph.to_dot()))
}
