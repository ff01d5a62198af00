//! `sigform init`.

use super::{CliResult, Global};
use crate::exit::ExitStatus;

pub fn run(global: &Global) -> CliResult {
    let done = crate::ops::init::init(&global.dir, &global.state_location()?)?;
    if !global.quiet {
        println!(
            "{}",
            crate::render::messages::initialized(
                done.created,
                &done.state_dir,
                &done.state,
                &done.lineage,
                done.serial
            )
        );
    }
    Ok(ExitStatus::Success)
}
