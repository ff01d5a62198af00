//! sigform-azure: what Azure Compute Gallery *is*, with no sigform policy — the facts both the
//! product and the emulator build on.
//!
//! - [`resources`]: one module per resource type, each with everything about that type (its
//!   azurerm schemas, ARM type and api-version, wire mapping, quota); [`schema`] is the vocabulary
//!   they are written in.
//! - [`arm_id`], [`names`], [`regions`]: deterministic ids, naming rules, the region catalogue.
//! - [`profiles`]: the service as first documented (`2018-06-01`) and as it is today (`current`).
//! - [`limits`], [`replication`], [`prices`]: ARM's request limits, how long replication takes,
//!   what storage and egress cost.
//! - [`shape`]: the one translation between azurerm-shaped attributes and ARM's JSON.
//! - [`cloud`]: the `Cloud` interface and its error type, shaped after ARM.
//! - [`timestamp`]: RFC 3339, as the service writes dates.
//!
//! Nothing here does I/O except what the `Cloud` trait's implementors do elsewhere; nothing here
//! imports from sigform or the emulator.

pub mod arm_id;
pub mod cloud;
pub mod jwt;
pub mod limits;
pub mod names;
pub mod prices;
pub mod profiles;
pub mod rbac;
pub mod regions;
pub mod replication;
pub mod resources;
pub mod schema;
pub mod shape;
pub mod timestamp;
