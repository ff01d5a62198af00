//! The human plan, in Terraform's shape: `+` create, `~` update, `-` delete, `-/+` replace, and
//! sigform's own `!` for a change Azure forbids, with the rule and the reason; a summary line
//! `Plan: A to add, C to change, D to destroy, F forbidden.`

use super::{Sink, Style};
use crate::plan::diff::AttrChange;
use crate::plan::{Action, Plan, ResourceChange};
use console::style;
use serde_json::Value as Json;
use std::fmt::Write;

pub fn human(plan: &Plan, st: Style) -> String {
    let mut out = Sink::string();
    write(&mut out, plan, st);
    out.into_string()
}

/// The same, written to `to` as it is made.
pub fn print(plan: &Plan, st: Style, to: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut out = Sink::writer(to);
    write(&mut out, plan, st);
    out.finish()
}

fn write(out: &mut Sink, plan: &Plan, st: Style) {
    let paint = |text: &str, action: Action| -> String {
        if !st.color {
            return text.to_string();
        }
        match action {
            Action::Create => style(text).green().to_string(),
            Action::Update => style(text).yellow().to_string(),
            Action::Delete => style(text).red().to_string(),
            Action::Replace => style(text).magenta().to_string(),
            Action::Forbidden => style(text).red().bold().to_string(),
            Action::NoOp => text.to_string(),
        }
    };
    drift(out, plan, &paint);
    if plan.refresh_only {
        if plan.is_empty() {
            out.push_str("No changes. The state and the cloud agree.\n");
        } else {
            out.push_str("This is a refresh-only plan: `apply --refresh-only` records these in the state and changes nothing in the cloud.\n");
        }
        return;
    }
    let visible: Vec<&ResourceChange> =
        plan.changes.iter().filter(|c| c.action != Action::NoOp).map(|c| &**c).collect();
    if visible.is_empty()
        && plan.output_changes.iter().all(|o| o.action == Action::NoOp)
        && plan.moved.is_empty()
        && plan.imported.is_empty()
        && plan.forgotten.is_empty()
    {
        out.push_str("No changes. The configuration and the state agree.\n");
        return;
    }
    let (retained, visible): (Vec<&ResourceChange>, Vec<&ResourceChange>) =
        visible.into_iter().partition(|c| c.retention && c.action != Action::Forbidden);
    if !visible.is_empty() {
        out.push_str("sigform will perform the following actions:\n");
    }
    // Each change's block is text of its own: made on every core, a round at a time (so that a
    // large plan's text is not all held at once), and written in order.
    for round in visible.chunks(RENDER_ROUND) {
        let parts = crate::parallel::map(round.chunks(RENDER_BATCH).collect(), 1, |changes: &[&ResourceChange]| {
            let mut part = Sink::string();
            for c in changes {
                change_block(&mut part, c, &paint);
            }
            part.into_string()
        });
        for part in parts {
            out.push_str(&part);
        }
    }
    retention(out, plan, &retained, &paint);
    if !plan.imported.is_empty() {
        out.push_str("\nImported (import blocks):\n");
        for i in &plan.imported {
            let _ = writeln!(out, "  # {} will be imported [id={}]", i.address, i.id);
        }
    }
    if !plan.forgotten.is_empty() {
        out.push_str("\nRemoved from the state (removed blocks with destroy = false):\n");
        for f in &plan.forgotten {
            let _ = writeln!(
                out,
                "  # {} will no longer be managed by sigform; it stays in Azure [id={}]",
                f.address, f.id
            );
        }
    }
    if !plan.moved.is_empty() {
        out.push_str("\nMoved (moved blocks):\n");
        for m in &plan.moved {
            let _ = writeln!(out, "  # {} has moved to {}", m.from, m.to);
        }
    }
    if !plan.deferred_reads.is_empty() {
        out.push_str("\nRead during apply:\n");
        for read in &plan.deferred_reads {
            let _ = writeln!(out, "  <= {} (it needs {}, which does not exist yet)", read.address, read.waits_for);
        }
    }
    let outputs: Vec<_> = plan.output_changes.iter().filter(|o| o.action != Action::NoOp).collect();
    if !outputs.is_empty() {
        out.push_str("\nChanges to Outputs:\n");
        for o in outputs {
            let value = |v: &Option<Json>| {
                if o.sensitive {
                    SENSITIVE.to_string()
                } else if o.after_unknown {
                    "(known after apply)".to_string()
                } else {
                    // A map's lines under the output's name, its closing brace under the sign.
                    indent(&v.as_ref().map_or("null".into(), hcl), 4).into_owned()
                }
            };
            let line = match o.action {
                Action::Create => format!("  {} {} = {}", paint("+", Action::Create), o.name, value(&o.after)),
                Action::Delete => format!("  {} {} = {}", paint("-", Action::Delete), o.name, value(&o.before)),
                _ => format!(
                    "  {} {} = {} -> {}",
                    paint("~", Action::Update),
                    o.name,
                    if o.sensitive {
                        SENSITIVE.into()
                    } else {
                        indent(&o.before.as_ref().map_or("null".into(), hcl), 4).into_owned()
                    },
                    value(&o.after)
                ),
            };
            out.push_str(&line);
            out.push('\n');
        }
    }
    let forbidden: Vec<_> = plan.forbidden().collect();
    if !forbidden.is_empty() {
        out.push_str("\nForbidden changes:\n");
        for f in &forbidden {
            let _ = writeln!(out, "  {} {} {}: {}", paint("!", Action::Forbidden), f.rule, f.address, f.message);
        }
        let replaceable: Vec<&str> =
            forbidden.iter().filter(|f| f.rule == "SIG501" || f.rule == "SIG502").map(|f| f.address.as_str()).collect();
        if let Some(first) = replaceable.first() {
            let _ = writeln!(
                out,
                "  To delete and re-create instead, ask for it by name: sigform plan --replace '{first}'"
            );
        }
    }
    if !plan.access_changes.is_empty() {
        out.push_str("\nAccess changes:\n");
        for a in &plan.access_changes {
            let who = match &a.principal_type {
                Some(t) => format!("{} ({t})", a.principal_id),
                None => a.principal_id.clone(),
            };
            let (sign, verb, action) =
                if a.gains { ("+", "gains", Action::Create) } else { ("-", "loses", Action::Delete) };
            let _ = writeln!(
                out,
                "  {} {who} {verb} {} on {} via {}",
                paint(sign, action),
                a.role,
                crate::plan::access::describe(&a.resources),
                a.via.join(", ")
            );
        }
    }
    let (add, change, destroy, forbidden) = plan.summary();
    let imports = if plan.imported.is_empty() { String::new() } else { format!("{} to import, ", plan.imported.len()) };
    let forgets =
        if plan.forgotten.is_empty() { String::new() } else { format!(", {} to forget", plan.forgotten.len()) };
    let (shrink, delete) = plan.retention_summary();
    let retention = if shrink + delete == 0 {
        String::new()
    } else {
        format!("; retention: {shrink} to shrink, {delete} to delete")
    };
    let _ = writeln!(
        out,
        "\nPlan: {imports}{add} to add, {change} to change, {destroy} to destroy{forgets}, {forbidden} forbidden{retention}."
    );
    if let Some(cost) = plan.cost.as_ref().filter(|c| !c.resources.is_empty()) {
        let sign = if cost.monthly_storage < 0.0 { "-" } else { "+" };
        let _ = writeln!(
            out,
            "Cost: {sign}${:.2} per month of replica storage, ${:.2} once for replication egress (prices of {}).",
            cost.monthly_storage.abs(),
            cost.one_time_egress,
            cost.price_date
        );
    }
    if let Some(time) = plan.replication_estimate.as_ref().filter(|t| t.total_seconds > 0.0) {
        let _ = writeln!(
            out,
            "Replication: {} for the longest ({} version(s) replicate).",
            crate::plan::cost::duration_words(time.total_seconds),
            time.resources.len()
        );
    }
}

type Paint<'a> = dyn Fn(&str, Action) -> String + 'a;

/// `sigform { retention }`'s changes, one line each with its reason and what it saves, and what
/// it reports instead of changing.
/// Changes rendered together on one thread, and per round.
const RENDER_BATCH: usize = 256;
const RENDER_ROUND: usize = 16 * RENDER_BATCH;

/// One change's block: its header, then what is created, destroyed or changed.
fn change_block(out: &mut Sink, c: &ResourceChange, paint: &Paint) {
    let r = c.resource();
    let (symbol, what) = match c.action {
        Action::Create => ("  +", "will be created".to_string()),
        Action::Update => ("  ~", "will be updated in-place".to_string()),
        Action::Delete => {
            ("  -", format!("will be destroyed ({})", c.reason.as_deref().unwrap_or("not in the configuration")))
        }
        Action::Replace => {
            ("-/+", format!("will be replaced ({})", c.reason.as_deref().unwrap_or("replacement requested")))
        }
        Action::Forbidden => ("  !", "cannot be changed as planned: Azure forbids it".to_string()),
        Action::NoOp => unreachable!(),
    };
    let _ = writeln!(out, "\n  # {} {what}", c.address);
    let _ = writeln!(out, "{} resource \"{}\" \"{}\" {{", paint(symbol, c.action), r.type_name, r.name);
    match c.action {
        Action::Create => attributes(out, c, "+", &paint),
        Action::Delete => {
            let id = c.before.as_ref().map_or("", |b| b.id.as_str());
            let _ = writeln!(out, "      {} id = {}", paint("-", Action::Delete), Json::String(id.to_string()));
        }
        _ => changes(out, c, &paint),
    }
    out.push_str("    }\n");
}

fn retention(out: &mut Sink, plan: &Plan, retained: &[&ResourceChange], paint: &Paint) {
    if retained.is_empty() && plan.retention_notes.is_empty() {
        return;
    }
    out.push_str("\nRetention (sigform { retention }):\n");
    let saved = |c: &ResourceChange| {
        plan.cost
            .as_ref()
            .and_then(|cost| cost.resources.iter().find(|r| r.address == c.address))
            .map_or(0.0, |r| -r.monthly_storage)
    };
    let mut total = 0.0;
    for c in retained {
        let name = c.resource().index.as_str().unwrap_or(&c.address).to_string();
        let why = c.reason.as_deref().unwrap_or("").trim_start_matches("retention: ");
        let saves = saved(c);
        total += saves;
        let what = match (&c.action, c.after.as_ref()) {
            (Action::Delete, _) => "deleted".to_string(),
            (_, Some(after)) => {
                let kept: Vec<String> = sigform_azure::prices::regions_of(&after.attributes.value())
                    .iter()
                    .map(|(r, n, _)| {
                        format!(
                            "{} ({n} replica{})",
                            sigform_azure::regions::display(r),
                            if *n == 1 { "" } else { "s" }
                        )
                    })
                    .collect();
                format!("shrinks to {}", kept.join(", "))
            }
            _ => "changes".to_string(),
        };
        let (sign, action) = if c.action == Action::Delete { ("-", Action::Delete) } else { ("~", Action::Update) };
        let _ = writeln!(out, "  {} {name} {what}: {why} (saves ${saves:.2} per month)", paint(sign, action));
    }
    for note in &plan.retention_notes {
        let _ = writeln!(out, "  {} {note}", paint("!", Action::Forbidden));
    }
    if !retained.is_empty() {
        let _ = writeln!(out, "  Retention saves ${total:.2} per month of replica storage.");
    }
}

/// "Objects have changed outside of sigform", before the changes, as Terraform shows it.
fn drift(out: &mut Sink, plan: &Plan, paint: &Paint) {
    let d = &plan.drift;
    if d.drifted.is_empty() && d.deleted.is_empty() {
        return;
    }
    out.push_str("Objects have changed outside of sigform:\n");
    for x in &d.drifted {
        let _ = writeln!(out, "\n  # {} has changed", x.address);
        for c in &x.changes {
            let change = AttrChange { fixed: false, ..c.clone() };
            line(out, &change, None, Action::Update, paint);
        }
    }
    for x in &d.deleted {
        let _ = writeln!(out, "\n  # {} has been deleted", x.address);
        let _ = writeln!(out, "      {} id = {}", paint("-", Action::Delete), Json::String(x.id.clone()));
    }
    out.push('\n');
}

fn attributes(out: &mut Sink, c: &ResourceChange, sign: &str, paint: &Paint) {
    let Some(after) = &c.after else { return };
    // Painted once: a create at the quota ceiling prints half a million of these lines.
    let sign = paint(sign, c.action);
    let attributes = after.attributes.value();
    let Some(map) = attributes.as_object() else {
        return;
    };
    let unknown = |k: &str| c.after_unknown.iter().any(|p| p == k);
    let scalars: Vec<(&String, &Json)> = map
        .iter()
        .filter(|(k, v)| (!v.is_null() || unknown(k)) && !is_block_list(v) && !absent_block(&after.type_name, k, v))
        .collect();
    let width = scalars.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let sensitive = |k: &str| c.sensitive.iter().any(|s| s == k);
    for (k, v) in scalars {
        let shown = if sensitive(k) {
            SENSITIVE.to_string()
        } else if unknown(k) {
            "(known after apply)".to_string()
        } else {
            hcl(v)
        };
        let _ = writeln!(out, "      {} {k:<width$} = {}", sign, indent(&shown, 8));
    }
    for (k, v) in map.iter().filter(|(_, v)| is_block_list(v)) {
        for block in v.as_array().into_iter().flatten() {
            let _ = writeln!(out, "\n      {} {k} {{", sign);
            if sensitive(k) {
                out.push_str("          # At least one attribute in this block is sensitive, so its contents are not shown.\n        }\n");
                continue;
            }
            let inner: Vec<(&String, &Json)> =
                block.as_object().into_iter().flatten().filter(|(_, v)| !v.is_null()).collect();
            let w = inner.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
            for (ik, iv) in inner {
                let _ = writeln!(out, "          {} {ik:<w$} = {}", sign, hcl(iv));
            }
            out.push_str("        }\n");
        }
    }
}

use crate::plan::drift::SENSITIVE;

/// A block the configuration does not write, recorded as an empty list: never shown.
pub(super) fn absent_block(type_name: &str, key: &str, value: &Json) -> bool {
    value.as_array().is_some_and(Vec::is_empty)
        && sigform_azure::resources::resource(type_name).is_some_and(|s| s.block(key).is_some())
}

/// A list of objects is how nested blocks are recorded.
fn is_block_list(v: &Json) -> bool {
    v.as_array().is_some_and(|a| !a.is_empty() && a.iter().all(Json::is_object))
}

fn changes(out: &mut Sink, c: &ResourceChange, paint: &Paint) {
    if let Some(after) = &c.after {
        for key in ["id", "name"] {
            if let Some(v) = after.attributes.get(key).filter(|v| !v.is_null()) {
                let _ = writeln!(out, "        {key} = {}", hcl(&v));
            }
        }
    }
    let forbidden_paths: Vec<(&str, &str)> =
        c.forbidden.iter().filter_map(|f| f.attribute.as_deref().map(|a| (a, f.rule.as_str()))).collect();
    for change in &c.changes {
        let rule = forbidden_paths.iter().find(|(p, _)| *p == change.path).map(|(_, r)| *r);
        // A sensitive argument (or one inside a sensitive block) changes without showing how.
        let top = change.path.split(['.', '[']).next().unwrap_or("");
        if c.sensitive.iter().any(|s| s == top) {
            let mask = |v: &Json| if v.is_null() { Json::Null } else { Json::String(SENSITIVE.into()) };
            let masked = AttrChange { before: mask(&change.before), after: mask(&change.after), ..change.clone() };
            line(out, &masked, rule, c.action, paint);
            continue;
        }
        line(out, change, rule, c.action, paint);
    }
    for f in c.forbidden.iter().filter(|f| f.attribute.is_none()) {
        let _ = writeln!(out, "      {} # {}: {}", paint("!", Action::Forbidden), f.rule, f.message);
    }
}

fn line(out: &mut Sink, change: &AttrChange, rule: Option<&str>, action: Action, paint: &Paint) {
    let after = if change.after_unknown { "(known after apply)".to_string() } else { hcl(&change.after) };
    let (sign, text) = match (&change.before, &change.after) {
        (Json::Null, _) => ("+", format!("{} = {after}", change.path)),
        (before, Json::Null) if !change.after_unknown => ("-", format!("{} = {}", change.path, hcl(before))),
        (Json::String(b), Json::String(a)) if b.contains('\n') || a.contains('\n') => {
            ("~", format!("{} =\n{}", change.path, text_diff(b, a)))
        }
        (before, _) => ("~", format!("{} = {} -> {after}", change.path, hcl(before))),
    };
    let (sign_action, suffix) = match rule {
        Some(rule) => (Action::Forbidden, format!("  # {rule}: fixed after creation")),
        None => (if action == Action::Replace { Action::Replace } else { Action::Update }, String::new()),
    };
    let sign = if rule.is_some() { "!" } else { sign };
    let _ = writeln!(out, "      {} {text}{suffix}", paint(sign, sign_action));
}

/// A line diff of two multi-line strings, for descriptions and scripts.
fn text_diff(before: &str, after: &str) -> String {
    let diff = similar::TextDiff::from_lines(before, after);
    let mut out = String::new();
    for change in diff.iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Delete => "-",
            similar::ChangeTag::Insert => "+",
            similar::ChangeTag::Equal => " ",
        };
        let _ = write!(out, "          {sign} {}", change.value());
        if change.missing_newline() {
            out.push('\n');
        }
    }
    out.trim_end().to_string()
}

/// HCL-literal rendering of a JSON value.
pub fn hcl(v: &Json) -> String {
    match v {
        Json::Null => "null".into(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => serde_json::to_string(s).unwrap_or_default(),
        Json::Array(items) => format!("[{}]", items.iter().map(hcl).collect::<Vec<_>>().join(", ")),
        Json::Object(map) if map.is_empty() => "{}".into(),
        Json::Object(map) => {
            let w = map.keys().map(|k| key(k).len()).max().unwrap_or(0);
            let body: Vec<String> =
                map.iter().map(|(k, v)| format!("  {:<w$} = {}", key(k), indent(&hcl(v), 2))).collect();
            format!("{{\n{}\n}}", body.join("\n"))
        }
    }
}

fn key(k: &str) -> String {
    if !k.is_empty()
        && k.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        && !k.starts_with(|c: char| c.is_ascii_digit())
    {
        k.to_string()
    } else {
        Json::String(k.to_string()).to_string()
    }
}

fn indent(text: &str, by: usize) -> std::borrow::Cow<'_, str> {
    if !text.contains('\n') {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(text.replace('\n', &format!("\n{}", " ".repeat(by))))
}
