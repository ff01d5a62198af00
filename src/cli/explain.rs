//! `sigform explain RULE` and `sigform explain --list`.

use super::CliResult;
use crate::diagnostic::Severity;
use crate::exit::ExitStatus;
use crate::rules::RULES;

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

pub fn run(rule: Option<&str>, list: bool) -> CliResult {
    if list {
        for r in RULES {
            println!("{}  {:<7}  {}", r.id, severity(r.severity), r.summary);
        }
        return Ok(ExitStatus::Success);
    }
    let id = rule.unwrap_or_default();
    let r = crate::ops::explain::explain(id)?;
    println!("{} ({}): {}\n", r.id, severity(r.severity), r.summary);
    println!("{}", textwrap(r.explain, 90));
    let stage = match r.stage {
        crate::rules::catalogue::Stage::Config => {
            "Checked by: validate, plan and apply (from the configuration alone)."
        }
        crate::rules::catalogue::Stage::Plan => "Checked by: plan and apply (needs the state and the cloud).",
    };
    println!("\n{stage}");
    Ok(ExitStatus::Success)
}

fn textwrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line_len = 0;
    for word in text.split_whitespace() {
        if line_len > 0 && line_len + 1 + word.len() > width {
            out.push('\n');
            line_len = 0;
        } else if line_len > 0 {
            out.push(' ');
            line_len += 1;
        }
        out.push_str(word);
        line_len += word.len();
    }
    out
}
