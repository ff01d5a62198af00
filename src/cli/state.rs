//! `sigform state list|show|rm|mv|pull|history`.

use super::{CliResult, Global, StateCommand};
use crate::exit::ExitStatus;
use crate::ops::state;
use crate::render::messages;

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
                println!("{}", messages::removed_from_state(a));
            }
            if !global.quiet {
                println!("{}", messages::serial(serial));
            }
        }
        StateCommand::Mv { source, destination } => {
            let serial = state::mv(&path, source, destination)?;
            println!("{}", messages::moved_in_state(source, destination));
            if !global.quiet {
                println!("{}", messages::serial(serial));
            }
        }
        StateCommand::Pull => {
            let snap = state::snapshot(&path)?;
            println!("{}", serde_json::to_string_pretty(&snap).expect("state serializes"));
        }
        StateCommand::Restore { backup } => {
            let saved = state::restore(&path, &global.resolve(backup))?;
            println!("{}", messages::restored(&path, backup, &saved));
        }
        StateCommand::Workspaces => {
            let all = path.workspaces()?;
            if all.is_empty() {
                println!("{}", messages::no_state_yet(&path));
            }
            print!("{}", crate::render::state::workspaces(&all, path.workspace()));
        }
        StateCommand::Migrate { to } => {
            let target = crate::state::Location::parse(to, &global.dir)?;
            let done = state::migrate(&path, &target)?;
            println!(
                "{}",
                messages::migrated(done.resources, done.history, done.serial, &done.lineage, &path, &target)
            );
        }
        StateCommand::History { limit } => {
            print!("{}", crate::render::state::history(&state::history(&path, *limit)?));
        }
    }
    Ok(ExitStatus::Success)
}
