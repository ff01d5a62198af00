//! `sigform state list|show|rm|mv|pull|history`.

use super::{CliResult, Global, StateCommand};
use crate::exit::ExitStatus;
use crate::ops::state;

pub fn run(global: &Global, command: &StateCommand) -> CliResult {
    let path = global.state_location()?;
    match command {
        StateCommand::List => {
            for r in state::snapshot(&path)?.resources {
                println!("{}", r.address);
            }
        }
        StateCommand::Show { address } => print!("{}", crate::render::state::resource(&state::show(&path, address)?)),
        StateCommand::Rm { addresses } => {
            if addresses.is_empty() {
                return Err("state rm needs at least one address".into());
            }
            let serial = state::rm(&path, addresses)?;
            for a in addresses {
                println!("Removed {a} from the state (the cloud keeps it).");
            }
            if !global.quiet {
                println!("State serial is now {serial}.");
            }
        }
        StateCommand::Mv { source, destination } => {
            let serial = state::mv(&path, source, destination)?;
            println!("Moved {source} to {destination}.");
            if !global.quiet {
                println!("State serial is now {serial}.");
            }
        }
        StateCommand::Pull => {
            let snap = state::snapshot(&path)?;
            println!("{}", serde_json::to_string_pretty(&snap).expect("state serializes"));
        }
        StateCommand::Restore { backup } => {
            let saved = state::restore(&path, &global.resolve(backup))?;
            println!("Restored {} from {}. The state before it is in {}.", path, backup.display(), saved.display());
        }
        StateCommand::Workspaces => {
            let all = path.workspaces()?;
            if all.is_empty() {
                println!("No state at {path} yet.");
            }
            for w in all {
                let current = if w.name == path.workspace() { "*" } else { " " };
                let lock = w.locked_by.map(|l| format!("  locked by {l}")).unwrap_or_default();
                println!("{current} {}  serial {}  {} resource(s){lock}", w.name, w.serial, w.resources);
            }
        }
        StateCommand::Migrate { to } => {
            let target = crate::state::Location::parse(to, &global.dir)?;
            let done = state::migrate(&path, &target)?;
            println!(
                "Copied {} resource(s) and {} history entries (serial {}, lineage {}) from {path} to {target}; the copy reads back equal.",
                done.resources, done.history, done.serial, done.lineage
            );
            println!("The source is unchanged. Point --state (or SIGFORM_STATE) at {target} to use it.");
        }
        StateCommand::History { limit } => {
            for h in state::history(&path, *limit)? {
                println!("{:>5}  {}  {:<10}  {}", h.serial, h.time, h.action, h.address);
            }
        }
    }
    Ok(ExitStatus::Success)
}
