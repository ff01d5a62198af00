//! `sigform explain RULE` and `sigform explain --list`.

use super::CliResult;
use crate::exit::ExitStatus;

pub fn run(rule: Option<&str>, list: bool) -> CliResult {
    if list {
        print!("{}", crate::render::explain::list(crate::rules::RULES));
        return Ok(ExitStatus::Success);
    }
    let r = crate::ops::explain::explain(rule.unwrap_or_default())?;
    println!("{}", crate::render::explain::rule(r));
    Ok(ExitStatus::Success)
}
