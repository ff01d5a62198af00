//! Diagnostics for people (miette's graphical report: rule id, message, `file:line:col`, the
//! source line with a marker, a help line) and for machines (`validate --json`).

use super::Style;
use crate::config::Sources;
use crate::diagnostic::{Diagnostic, DiagnosticRecord, Severity};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Report};

/// Width of rendered reports: fixed, so output does not depend on the terminal.
const WIDTH: usize = 100;

pub fn human(diagnostics: &[Diagnostic], sources: &Sources, style: Style) -> String {
    let theme = if style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(WIDTH).with_links(false).with_context_lines(1);
    let mut out = String::new();
    for d in diagnostics {
        let mut m = MietteDiagnostic::new(d.message.clone()).with_code(d.rule).with_severity(match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        });
        if let Some(help) = &d.help {
            m = m.with_help(help.clone());
        }
        let report = match &d.span {
            Some(span) => {
                let file = sources.get(span.file);
                let len = span.range().end.saturating_sub(span.start());
                let label = d.label.clone().unwrap_or_else(|| "here".to_string());
                m = m.with_label(LabeledSpan::new(Some(label), span.start(), len));
                Report::new(m).with_source_code(NamedSource::new(file.name.clone(), file.text.clone()))
            }
            None => Report::new(m),
        };
        let _ = handler.render_report(&mut out, report.as_ref());
        out.push('\n');
    }
    out
}

pub fn json(diagnostics: &[Diagnostic], sources: &Sources) -> String {
    let records: Vec<DiagnosticRecord> = diagnostics.iter().map(|d| DiagnosticRecord::new(d, sources)).collect();
    serde_json::to_string_pretty(&records).expect("diagnostics serialize")
}

/// `2 errors, 1 warning` — the closing line of a human report.
pub fn summary(diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!("{}, {}", plural(errors, "error"), plural(warnings, "warning"))
}
