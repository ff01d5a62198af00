//! Operations: one public function and one `Options` struct per command. Commands in `cli` parse
//! arguments into `Options`, call the operation and render what it returns; operations do the
//! work (and the I/O) and never print.

pub mod access;
pub mod apply;
pub mod data;
pub mod drift;
pub mod emulator;
pub mod explain;
pub mod export;
pub mod fmt;
pub mod graph;
pub mod import;
pub mod init;
pub mod inventory;
pub mod output;
pub mod plan;
pub mod profile;
pub mod recorded;
pub mod recover;
pub mod refresh;
pub mod state;
pub mod status;
pub mod validate;
pub mod workdir;
