//! `sigform access [--json] [--principal ID]`: who can deploy what, and through which assignment.

use super::{CliResult, Global};
use crate::exit::ExitStatus;
use crate::plan::access::{describe, effective};

pub fn run(global: &Global, json: bool, principal: Option<&str>) -> CliResult {
    let snap = crate::ops::state::snapshot(&global.state_location()?)?;
    let records: Vec<&crate::state::ResourceState> = snap.resources.iter().collect();
    let grants: Vec<_> = effective(&records)
        .into_iter()
        .filter(|g| principal.is_none_or(|p| g.principal_id.eq_ignore_ascii_case(p)))
        .collect();
    if json {
        println!("{}", serde_json::to_string_pretty(&grants).expect("grants serialize"));
        return Ok(ExitStatus::Success);
    }
    if grants.is_empty() {
        println!("No role assignments on galleries, definitions or versions are managed here.");
        return Ok(ExitStatus::Success);
    }
    for g in &grants {
        let who = match &g.principal_type {
            Some(t) => format!("{} ({t})", g.principal_id),
            None => g.principal_id.clone(),
        };
        println!("{who}: {} on {} via {}", g.role, describe(&g.resources), g.via);
        for id in &g.resources {
            let short =
                id.split("/galleries/").nth(1).unwrap_or(id).replace("/images/", "/").replace("/versions/", "/");
            let what = if id.contains("/versions/") {
                "version"
            } else if id.contains("/images/") {
                "definition"
            } else {
                "gallery"
            };
            let inherited = if id.eq_ignore_ascii_case(&g.scope_id) { "" } else { " (inherited)" };
            println!("    {what:<10} {short}{inherited}");
        }
    }
    Ok(ExitStatus::Success)
}
