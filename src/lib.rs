//! sigform: a declarative reconciler for Azure Compute Gallery.
//!
//! Data flows one way (ARCHITECTURE.md has the whole map):
//!
//! ```text
//! *.tf ──config──▶ syntax with spans ──eval──▶ model::Desired ──rules──▶ diagnostics
//!                                                      └──plan (next) ──▶ Plan ──apply──▶ Cloud
//! ```
//!
//! - [`config`]: source files, HCL syntax trees with spans, variable files, formatting.
//! - [`eval`]: variables, locals, references, count/for_each, dynamic blocks, functions.
//! - [`model`]: addresses, schemas (with F/U mutability), ARM ids, regions, the dependency graph.
//! - [`rules`]: the rule catalogue and the checks that need only the configuration.
//! - [`pipeline`]: the pure chain from sources to checked `Desired`.
//! - [`parallel`]: the little work sharing among cores that pays at the quota ceiling.
//! - [`ops`]: one function per command; [`cli`] parses and renders; [`render`] formats output.
//!
//! `config`, `eval`, `model`, `rules` and `pipeline` do no I/O.

// Diagnostics are large by design (message, place, label, help) and travel only on error
// paths, where their size costs nothing measurable.
#![allow(clippy::result_large_err)]

pub mod apply;
pub mod arm;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod eval;
pub mod exit;
pub mod fast_hash;
pub mod model;
pub mod notice;
pub mod ops;
pub mod parallel;
pub mod pipeline;
pub mod plan;
pub mod render;
pub mod rules;
pub mod source;
pub mod state;
