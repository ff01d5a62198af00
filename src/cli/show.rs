//! `sigform show [PLANFILE] [--json]`.

use super::{CliResult, Global};
use crate::exit::ExitStatus;
use crate::render::Style;
use std::path::Path;

pub fn run(global: &Global, planfile: Option<&Path>, json: bool) -> CliResult {
    match planfile {
        Some(path) => {
            let path = global.resolve(path);
            let plan = crate::ops::plan::load(&path)?;
            if json {
                println!("{}", crate::render::plan_json::plan_json(&plan));
            } else {
                crate::render::plan::print(&plan, Style::for_stdout(global.no_color), &mut std::io::stdout().lock())?;
            }
        }
        None => {
            let snap = crate::ops::state::snapshot(&global.state_location()?)?;
            if json {
                println!("{}", crate::render::state::json(&snap));
            } else {
                print!("{}", crate::render::state::human(&snap));
            }
        }
    }
    Ok(ExitStatus::Success)
}
