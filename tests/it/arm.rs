//! The integration suites that talk to the cloud, run a second time with `--cloud arm` against
//! `sigform emulator serve` on a loopback port (see `tests/it/common`): the same commands must give
//! the same results — exit codes, state, output and snapshots — over ARM's REST API.

#[path = "apply.rs"]
mod apply;
#[path = "crash.rs"]
mod crash;
#[path = "drift.rs"]
mod drift;
#[path = "export.rs"]
mod export;
#[path = "inventory.rs"]
mod inventory;
#[path = "plan.rs"]
mod plan;
#[path = "profiles.rs"]
mod profiles;
#[path = "retention.rs"]
mod retention;
