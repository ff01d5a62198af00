//! Configuration as text: the loaded source files and their HCL syntax trees, with spans.
//!
//! Nothing here evaluates or touches the disk: `ops::workdir` reads the files, this module keeps
//! them (so diagnostics can quote any line of any file) and parses them with `hcl::edit`, which
//! keeps the byte range of every block, attribute and expression.

pub mod format;
pub mod vars;

use crate::diagnostic::{Diagnostic, Span};
use hcl::edit::structure::Body;

/// Index of a file in `Sources`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The name diagnostics show: a path relative to the working directory, or a pseudo-name
    /// such as `<--var>` for values given on the command line.
    pub name: String,
    pub text: String,
    line_starts: Vec<usize>,
}

/// Every text a diagnostic may point into.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn new() -> Sources {
        Sources::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let text = text.into();
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        self.files.push(SourceFile { name: name.into(), text, line_starts });
        FileId(self.files.len() as u32 - 1)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn name(&self, id: FileId) -> &str {
        &self.get(id).name
    }

    pub fn text(&self, id: FileId) -> &str {
        &self.get(id).text
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i as u32), f))
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_column(&self, id: FileId, offset: usize) -> (usize, usize) {
        let file = self.get(id);
        let offset = offset.min(file.text.len());
        let line = file.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = file.line_starts[line];
        let column = file.text.get(start..offset).map_or(offset - start, |s| s.chars().count());
        (line + 1, column + 1)
    }
}

/// One parsed configuration file.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    pub file: FileId,
    pub body: Body,
}

/// Parses one file; a syntax error becomes a SIG001 diagnostic at the exact place.
pub fn parse_file(sources: &Sources, file: FileId) -> Result<ParsedFile, Diagnostic> {
    let text = sources.text(file);
    match hcl::edit::parser::parse_body(text) {
        Ok(body) => Ok(ParsedFile { file, body }),
        Err(error) => Err(syntax_diagnostic(sources, file, &error)),
    }
}

pub fn syntax_diagnostic(sources: &Sources, file: FileId, error: &hcl::edit::parser::Error) -> Diagnostic {
    let text = sources.text(file);
    let mut start = error.location().offset().min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let end = text[start..].chars().next().map_or(start, |c| start + c.len_utf8());
    Diagnostic::error("SIG001", format!("syntax error: {}", first_line(error.message())))
        .at(Span::new(file, start..end))
        .label(first_line(error.message()))
}

fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or("invalid HCL").trim();
    if line.is_empty() { "invalid HCL".to_string() } else { line.to_string() }
}

/// Parses every `.tf` file among `sources` (by name), collecting syntax errors.
pub fn parse_all(sources: &Sources) -> (Vec<ParsedFile>, Vec<Diagnostic>) {
    let mut parsed = Vec::new();
    let mut diagnostics = Vec::new();
    for (id, file) in sources.iter() {
        if !file.name.ends_with(".tf") {
            continue;
        }
        match parse_file(sources, id) {
            Ok(p) => parsed.push(p),
            Err(d) => diagnostics.push(d),
        }
    }
    (parsed, diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_characters_from_one() {
        let mut sources = Sources::new();
        let id = sources.add("a.tf", "ab\nçd = 1\n");
        assert_eq!(sources.line_column(id, 0), (1, 1));
        assert_eq!(sources.line_column(id, 3), (2, 1));
        // 'd' is after the two-byte 'ç'
        assert_eq!(sources.line_column(id, 5), (2, 2));
        assert_eq!(sources.line_column(id, 999), (3, 1));
    }

    #[test]
    fn syntax_errors_point_at_the_place() {
        let mut sources = Sources::new();
        let id = sources.add("main.tf", "resource \"a\" \"b\" {\n  name = \n}\n");
        let d = parse_file(&sources, id).unwrap_err();
        assert_eq!(d.rule, "SIG001");
        let span = d.span.unwrap();
        let (line, _) = sources.line_column(span.file, span.range.start);
        assert!(line >= 2, "line {line}");
    }
}
