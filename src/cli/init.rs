//! `sigform init`.

use super::{CliResult, Global};
use crate::exit::ExitStatus;

pub fn run(global: &Global) -> CliResult {
    let done = crate::ops::init::init(&global.dir, &global.state_location()?)?;
    if !global.quiet {
        let verb = if done.created { "Created" } else { "Found" };
        println!("{verb} {}: sigform is initialized here.", done.state_dir.display());
        println!("State {} (lineage {}, serial {}).", done.state, done.lineage, done.serial);
    }
    Ok(ExitStatus::Success)
}
