//! The integration suites that talk to the cloud, run a second time with `--cloud arm` against
//! `sigform emulator serve` on a loopback port (see `tests/common`): the same commands must give
//! the same results — exit codes, state, output and snapshots — over ARM's REST API.

// Each suite brings its own copy of `common`, which tells from its module path that it runs here.
#![allow(clippy::duplicate_mod)]

#[path = "apply.rs"]
mod apply;
#[path = "crash.rs"]
mod crash;
#[path = "drift.rs"]
mod drift;
#[path = "plan.rs"]
mod plan;
