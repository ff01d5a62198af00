//! `sigform fmt [--check] [--diff] [--recursive]`.

use super::{CliResult, Global};
use crate::exit::ExitStatus;
use crate::ops::fmt::{Options, fmt};

pub fn run(global: &Global, check: bool, diff: bool, recursive: bool) -> CliResult {
    let results = fmt(&Options { dir: global.dir.clone(), check, recursive })?;
    let mut status = ExitStatus::Success;
    for r in &results {
        match &r.after {
            Err(e) => {
                eprintln!("error: {}: {e}", r.name);
                status = ExitStatus::Failure;
            }
            Ok(after) if *after != r.before => {
                println!("{}", r.name);
                if diff {
                    let text = similar::TextDiff::from_lines(&r.before, after);
                    print!(
                        "{}",
                        text.unified_diff()
                            .context_radius(3)
                            .header(&format!("old/{}", r.name), &format!("new/{}", r.name))
                    );
                }
                if check {
                    status = ExitStatus::Failure;
                }
            }
            Ok(_) => {}
        }
    }
    if check && status == ExitStatus::Failure && !global.quiet {
        eprintln!("{}", crate::render::messages::NOT_FORMATTED);
    }
    Ok(status)
}
