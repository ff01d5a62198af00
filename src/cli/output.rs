//! `sigform output [NAME] [--json]`.

use super::{CliResult, Global};
use crate::exit::ExitStatus;

pub fn run(global: &Global, name: Option<&str>, json: bool) -> CliResult {
    let outputs = crate::ops::output::outputs(&global.state_location()?, name)?;
    match (name, outputs.first()) {
        (Some(_), Some(o)) => println!("{}", crate::render::output::one(o, json)),
        _ => print!("{}", crate::render::output::all(&outputs, json)),
    }
    Ok(ExitStatus::Success)
}
