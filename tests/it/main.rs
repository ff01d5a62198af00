//! The integration tests, one binary (linking the crate once instead of once per suite): each
//! suite drives the real `sigform` binary through the builder in `common`.
//!
//! The suites that talk to the cloud run more than once: as themselves against the embedded
//! emulator, again under `arm` (with `--cloud arm` against `sigform emulator serve`), and again
//! under `postgres` (state in PostgreSQL). Each copy brings its own `common`, which tells from its
//! module path which copy it is; that is why every suite is included by `#[path]`.

#![allow(clippy::duplicate_mod, clippy::print_stdout, clippy::print_stderr)]

#[path = "apply.rs"]
mod apply;
#[path = "architecture.rs"]
mod architecture;
#[path = "arm.rs"]
mod arm;
#[path = "arm_protocol.rs"]
mod arm_protocol;
#[path = "commands.rs"]
mod commands;
#[path = "crash.rs"]
mod crash;
#[path = "credentials.rs"]
mod credentials;
#[path = "drift.rs"]
mod drift;
#[path = "export.rs"]
mod export;
#[path = "inventory.rs"]
mod inventory;
#[path = "load.rs"]
mod load;
#[path = "plan.rs"]
mod plan;
#[path = "postgres.rs"]
mod postgres;
#[path = "profiles.rs"]
mod profiles;
#[path = "readme.rs"]
mod readme;
#[path = "retention.rs"]
mod retention;
#[path = "robustness.rs"]
mod robustness;
#[path = "state_store.rs"]
mod state_store;
#[path = "terraform_compat.rs"]
mod terraform_compat;
#[path = "validate.rs"]
mod validate;
