//! The drift report in four formats: for people, JSON (versioned), Markdown (a table for a pull
//! request or issue comment) and JUnit XML (one test case per managed resource, so CI systems
//! show drift natively).

use super::plan::hcl;
use crate::plan::diff::AttrChange;
use crate::plan::drift::Report;
use std::fmt::Write;

fn change_text(c: &AttrChange) -> String {
    let hidden = serde_json::Value::String(crate::plan::drift::SENSITIVE.into());
    if c.before == hidden && c.after == hidden {
        return format!("{} changed (sensitive value)", c.path);
    }
    match (&c.before, &c.after) {
        (serde_json::Value::Null, after) => format!("{} added: {}", c.path, hcl(after).replace('\n', " ")),
        (before, serde_json::Value::Null) => format!("{} removed (was {})", c.path, hcl(before).replace('\n', " ")),
        (before, after) => {
            format!("{}: {} -> {}", c.path, hcl(before).replace('\n', " "), hcl(after).replace('\n', " "))
        }
    }
}

pub fn summary(r: &Report) -> String {
    format!(
        "{} drifted, {} deleted outside sigform, {} pending, {} unmanaged",
        r.drift.drifted.len(),
        r.drift.deleted.len(),
        r.pending.len(),
        r.drift.unmanaged.len()
    )
}

pub fn human(r: &Report) -> String {
    let mut out = format!("Drift report: {}.\n", summary(r));
    if !r.drift.drifted.is_empty() {
        out.push_str("\nChanged outside sigform:\n");
        for d in &r.drift.drifted {
            let _ = writeln!(out, "  ~ {}", d.address);
            for c in &d.changes {
                let _ = writeln!(out, "      {}", change_text(c));
            }
        }
    }
    if !r.drift.deleted.is_empty() {
        out.push_str("\nDeleted outside sigform:\n");
        for d in &r.drift.deleted {
            let _ = writeln!(out, "  - {} ({})", d.address, d.id);
        }
    }
    if !r.pending.is_empty() {
        out.push_str("\nPending (the configuration differs from the state; run apply):\n");
        for p in &r.pending {
            let _ = writeln!(out, "  * {} ({})", p.address, p.actions.join(", "));
        }
    }
    if !r.drift.unmanaged.is_empty() {
        out.push_str("\nNot managed by this configuration:\n");
        for u in &r.drift.unmanaged {
            let place = if u.in_managed_gallery { "in a managed gallery" } else { "elsewhere in the subscription" };
            let _ = writeln!(out, "  ? {} ({}, {place})", u.id, u.type_name);
        }
    }
    out
}

/// The versioned JSON document (`format_version` "1": drifted, deleted, unmanaged, pending).
pub fn json(r: &Report) -> String {
    use serde_json::json;
    let doc = json!({
        "format_version": r.format_version,
        "drifted": r.drift.drifted.iter().map(|d| json!({
            "address": d.address,
            "id": d.id,
            "changes": d.changes.iter().map(|c| json!({"path": c.path, "before": c.before, "after": c.after})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "deleted": r.drift.deleted.iter().map(|d| json!({"address": d.address, "id": d.id})).collect::<Vec<_>>(),
        "unmanaged": r.drift.unmanaged.iter().map(|u| json!({"id": u.id, "type": u.type_name, "in_managed_gallery": u.in_managed_gallery})).collect::<Vec<_>>(),
        "pending": r.pending.iter().map(|p| json!({"address": p.address, "actions": p.actions})).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&doc).expect("reports serialize")
}

fn md(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

pub fn markdown(r: &Report) -> String {
    let mut out = format!("### sigform drift: {}\n\n", summary(r));
    if !r.failing(false) && r.drift.unmanaged.is_empty() {
        out.push_str("The configuration, the state and the cloud agree.\n");
        return out;
    }
    out.push_str("| | Resource | Finding |\n|---|---|---|\n");
    for d in &r.drift.drifted {
        let what: Vec<String> = d.changes.iter().map(|c| md(&change_text(c))).collect();
        let _ = writeln!(out, "| ~ | `{}` | changed outside sigform: {} |", d.address, what.join("; "));
    }
    for d in &r.drift.deleted {
        let _ = writeln!(out, "| - | `{}` | deleted outside sigform |", d.address);
    }
    for p in &r.pending {
        let _ = writeln!(out, "| * | `{}` | pending {} |", p.address, p.actions.join(", "));
    }
    for u in &r.drift.unmanaged {
        let place = if u.in_managed_gallery { "in a managed gallery" } else { "in the subscription" };
        let _ = writeln!(out, "| ? | `{}` | unmanaged {} ({place}) |", md(&u.id), u.type_name);
    }
    out
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}

pub fn junit(r: &Report, fail_on_unmanaged: bool) -> String {
    let mut cases = String::new();
    let mut failures = 0;
    let mut tests = 0;
    for address in &r.managed {
        tests += 1;
        let mut problems = Vec::new();
        if let Some(d) = r.drift.drifted.iter().find(|d| &d.address == address) {
            problems.push(format!(
                "changed outside sigform: {}",
                d.changes.iter().map(change_text).collect::<Vec<_>>().join("; ")
            ));
        }
        if r.drift.deleted.iter().any(|d| &d.address == address) {
            problems.push("deleted outside sigform".to_string());
        }
        if let Some(p) = r.pending.iter().find(|p| &p.address == address) {
            problems.push(format!("pending {}", p.actions.join(", ")));
        }
        let _ = write!(cases, "    <testcase classname=\"sigform.drift\" name=\"{}\"", xml(address));
        if problems.is_empty() {
            cases.push_str("/>\n");
        } else {
            failures += 1;
            let message = problems.join("; ");
            let _ = write!(
                cases,
                ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                xml(&message),
                xml(&message)
            );
        }
    }
    for p in r.pending.iter().filter(|p| !r.managed.contains(&p.address)) {
        tests += 1;
        failures += 1;
        let message = format!("pending {}: not yet in the state", p.actions.join(", "));
        let _ = write!(
            cases,
            "    <testcase classname=\"sigform.drift\" name=\"{}\">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
            xml(&p.address),
            xml(&message),
            xml(&message)
        );
    }
    for u in &r.drift.unmanaged {
        tests += 1;
        let message = format!("{} is not managed by this configuration", u.type_name);
        let _ = writeln!(cases, "    <testcase classname=\"sigform.unmanaged\" name=\"{}\">", xml(&u.id));
        if fail_on_unmanaged {
            failures += 1;
            let _ = writeln!(cases, "      <failure message=\"{}\">{}</failure>", xml(&message), xml(&message));
        } else {
            let _ = writeln!(cases, "      <skipped message=\"{}\"/>", xml(&message));
        }
        cases.push_str("    </testcase>\n");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"sigform\" tests=\"{tests}\" failures=\"{failures}\">\n  <testsuite name=\"sigform drift\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">\n{cases}  </testsuite>\n</testsuites>\n"
    )
}
