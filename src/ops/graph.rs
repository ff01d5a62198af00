//! `graph`: the dependency graph of the configuration's resources, in DOT.

use super::validate::{Options, Validated};
use super::workdir::WorkdirError;
use crate::model::graph::DependencyGraph;

pub enum Graphed {
    Dot(String),
    /// The configuration has errors: no graph, the diagnostics instead.
    Invalid(Validated),
}

pub fn graph(options: &Options) -> Result<Graphed, WorkdirError> {
    let loaded = super::validate::load(options)?;
    if loaded.has_errors() {
        let resources = loaded.desired.resources.len();
        return Ok(Graphed::Invalid(Validated { sources: loaded.sources, diagnostics: loaded.diagnostics, resources }));
    }
    let (graph, _) = DependencyGraph::build(&loaded.desired);
    Ok(Graphed::Dot(graph.to_dot()))
}
