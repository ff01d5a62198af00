//! `access`: the effective grants as people read them (one line per grant, one per resource it
//! reaches, inherited ones marked) and as JSON.

use crate::plan::access::{Grant, describe};

pub fn json(grants: &[Grant]) -> String {
    serde_json::to_string_pretty(grants).expect("grants serialize")
}

pub fn human(grants: &[Grant]) -> String {
    if grants.is_empty() {
        return "No role assignments on galleries, definitions or versions are managed here.\n".to_string();
    }
    let mut out = String::new();
    for g in grants {
        let who = match &g.principal_type {
            Some(t) => format!("{} ({t})", g.principal_id),
            None => g.principal_id.clone(),
        };
        let may = if g.abilities.is_empty() { String::new() } else { format!(" (may {})", g.abilities.join(", ")) };
        out += &format!("{who}: {}{may} on {} via {}\n", g.role, describe(&g.resources), g.via);
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
            out += &format!("    {what:<10} {short}{inherited}\n");
        }
    }
    out
}
