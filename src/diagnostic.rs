//! Diagnostics: what every stage reports about bad input, with the rule id and the source range.
//!
//! Stages never print; they collect `Diagnostic`s and carry on, so a user sees every mistake in
//! one run (as Terraform does). Rendering lives in `render::diagnostics`.

use crate::source::{FileId, Sources};
use serde::Serialize;
use std::ops::Range;

/// How bad a diagnostic is: errors block every command that evaluates configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// A byte range in one loaded source file. Offsets are 32-bit: every evaluated attribute keeps
/// its span, and at the quota ceiling two machine words a span were 10 MB (a file past 4 GiB
/// is not a configuration; its offsets saturate).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    start: u32,
    end: u32,
}

impl Span {
    pub fn new(file: FileId, range: Range<usize>) -> Span {
        let offset = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Span { file, start: offset(range.start), end: offset(range.end) }
    }

    /// The byte range in the file.
    pub fn range(&self) -> Range<usize> {
        self.start()..self.end as usize
    }

    /// Where the span starts.
    pub fn start(&self) -> usize {
        self.start as usize
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Stable rule id from `rules::CATALOGUE` (SIG0xx for language errors, SIG1xx.. for product rules).
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub span: Option<Span>,
    /// The text under the source snippet's marker; defaults to the message.
    pub label: Option<String>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(rule: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic { rule, severity: Severity::Error, message: message.into(), span: None, label: None, help: None }
    }

    pub fn warning(rule: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(rule, message) }
    }

    pub fn at(mut self, span: Span) -> Diagnostic {
        self.span = Some(span);
        self
    }

    pub fn at_opt(mut self, span: Option<Span>) -> Diagnostic {
        self.span = span;
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The flat, serializable form used by `validate --json` and the JSON plan.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct DiagnosticRecord {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl DiagnosticRecord {
    pub fn new(diagnostic: &Diagnostic, sources: &Sources) -> DiagnosticRecord {
        let place = diagnostic.span.as_ref().map(|span| {
            let (line, column) = sources.line_column(span.file, span.start());
            (sources.name(span.file).to_string(), line, column)
        });
        DiagnosticRecord {
            rule: diagnostic.rule.to_string(),
            severity: diagnostic.severity,
            message: diagnostic.message.clone(),
            file: place.as_ref().map(|p| p.0.clone()),
            line: place.as_ref().map(|p| p.1),
            column: place.as_ref().map(|p| p.2),
            help: diagnostic.help.clone(),
        }
    }
}

/// Orders diagnostics by file and position, errors before warnings at the same place, so output
/// is stable whatever order the stages found them in.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let key =
            |d: &Diagnostic| (d.span.as_ref().map(|s| (s.file, s.start())), std::cmp::Reverse(d.severity), d.rule);
        key(a).cmp(&key(b)).then_with(|| a.message.cmp(&b.message))
    });
}

/// Adds `more` to sorted `diagnostics`, keeping them sorted and without repeats.
pub fn merge(diagnostics: &mut Vec<Diagnostic>, more: Vec<Diagnostic>) {
    diagnostics.extend(more);
    sort(diagnostics);
    diagnostics.dedup();
}

pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}
