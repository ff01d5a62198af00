//! `explain`: the rule catalogue as a list, and one rule with its reason and where it is checked.

use crate::diagnostic::Severity;
use crate::rules::catalogue::{Rule, Stage};

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// One line per rule: id, severity, summary.
pub fn list(rules: &[Rule]) -> String {
    rules.iter().map(|r| format!("{}  {:<7}  {}\n", r.id, severity(r.severity), r.summary)).collect()
}

/// A rule: its summary, the fact behind it (wrapped at 90 columns), and where it is checked.
pub fn rule(r: &Rule) -> String {
    let stage = match r.stage {
        Stage::Config => "Checked by: validate, plan and apply (from the configuration alone).",
        Stage::Plan => "Checked by: plan and apply (needs the state and the cloud).",
    };
    let profiles = match crate::rules::catalogue::per_profile(r.id) {
        Some(facts) => {
            let lines: Vec<String> = facts.iter().map(|(name, fact)| format!("  {name:<12} {fact}")).collect();
            format!(
                "\n\nPer service profile (sigform {{ service_profile }} or SIGFORM_SERVICE_PROFILE):\n{}",
                lines.join("\n")
            )
        }
        None => String::new(),
    };
    format!("{} ({}): {}\n\n{}{profiles}\n\n{stage}", r.id, severity(r.severity), r.summary, textwrap(r.explain, 90))
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
