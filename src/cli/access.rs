//! `sigform access [--json] [--principal ID]`: who can deploy what, and through which assignment.

use super::{CliResult, Global};
use crate::exit::ExitStatus;

pub fn run(global: &Global, json: bool, principal: Option<&str>) -> CliResult {
    let grants = crate::ops::access::access(&global.state_location()?, principal)?;
    if json {
        println!("{}", crate::render::access::json(&grants));
    } else {
        print!("{}", crate::render::access::human(&grants));
    }
    Ok(ExitStatus::Success)
}
