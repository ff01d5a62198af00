//! Configuration as text: the loaded source files and their HCL syntax trees, with spans.
//!
//! Nothing here evaluates or touches the disk: `ops::workdir` reads the files, this module keeps
//! them (so diagnostics can quote any line of any file) and parses them with `hcl::edit`, which
//! keeps the byte range of every block, attribute and expression.

pub mod export;
pub mod format;
mod split;
pub mod vars;

use crate::diagnostic::{Diagnostic, Span};
use hcl::edit::structure::Body;

pub use crate::source::{FileId, SourceFile, Sources};

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
        Ok(mut body) => {
            compact(&mut body);
            Ok(ParsedFile { file, body })
        }
        Err(error) => Err(syntax_diagnostic(sources, file, &error)),
    }
}

/// Gives back what the parser's growing vectors left unused (up to half of each list of blocks,
/// attributes and traversal steps): a syntax tree lives through the whole evaluation, and at the
/// quota ceiling these trees are the largest thing in memory. Decor and every span are kept but
/// a body's own (hcl_edit cannot set it back; sigform reads the spans of what a body holds).
fn compact(body: &mut Body) {
    use hcl::edit::Decorate;
    use hcl::edit::visit_mut::{VisitMut, visit_body_mut, visit_traversal_mut};
    struct Compact;
    impl VisitMut for Compact {
        fn visit_body_mut(&mut self, body: &mut Body) {
            visit_body_mut(self, body);
            if body.is_empty() {
                return;
            }
            let decor = body.decor().clone();
            let (oneline, omit_newline) = (body.prefer_oneline(), body.prefer_omit_trailing_newline());
            let mut structures: Vec<_> = std::mem::take(body).into_iter().collect();
            structures.shrink_to_fit();
            *body = Body::from(structures);
            *body.decor_mut() = decor;
            body.set_prefer_oneline(oneline);
            body.set_prefer_omit_trailing_newline(omit_newline);
        }

        fn visit_traversal_mut(&mut self, traversal: &mut hcl::edit::expr::Traversal) {
            visit_traversal_mut(self, traversal);
            traversal.operators.shrink_to_fit();
        }
    }
    Compact.visit_body_mut(body);
}

/// The `source` strings of a file's `module` blocks, for loading the modules it calls. Only a
/// file with a line starting `module` is parsed (the largest files have none); a file that does
/// not parse names no modules here, and its syntax error is reported when it is parsed for real.
pub fn module_sources(text: &str) -> Vec<String> {
    if !text.lines().any(|l| l.trim_start().starts_with("module")) {
        return Vec::new();
    }
    let Ok(body) = hcl::edit::parser::parse_body(text) else {
        return Vec::new();
    };
    body.get_blocks("module")
        .filter_map(|b| b.body.get_attribute("source").and_then(|a| a.value.as_str().map(str::to_string)))
        .collect()
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

/// Below this size a file is parsed whole: a thread costs more than it saves.
const MIN_PART_BYTES: usize = 256 * 1024;

/// Parses every `.tf` file among `sources` (by name), collecting syntax errors. Files, and large
/// files cut between their top-level blocks, are parsed on as many threads as there are cores.
pub fn parse_all(sources: &Sources) -> (Vec<ParsedFile>, Vec<Diagnostic>) {
    parse_on(sources, crate::parallel::cores())
}

/// The same, cutting large files into up to `threads` parts.
fn parse_on(sources: &Sources, threads: usize) -> (Vec<ParsedFile>, Vec<Diagnostic>) {
    let files: Vec<FileId> = sources.iter().filter(|(_, f)| f.name.ends_with(".tf")).map(|(id, _)| id).collect();
    // The work: parts (file, start, end), each parsed with the text before it blanked out so
    // that every span and every error location is the file's own.
    let mut parts: Vec<(usize, usize, usize)> = Vec::new();
    for (n, &id) in files.iter().enumerate() {
        let text = sources.text(id);
        let wanted = (text.len() / MIN_PART_BYTES).clamp(1, threads);
        let cuts = split::cuts(text, wanted);
        for (k, &start) in cuts.iter().enumerate() {
            parts.push((n, start, cuts.get(k + 1).copied().unwrap_or(text.len())));
        }
    }
    // Largest first, so that the cores finish together; then each part back in its place.
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(parts[i].2 - parts[i].1));
    let done = crate::parallel::map(order.clone(), 1, |i| {
        let (n, start, end) = parts[i];
        parse_part(sources.text(files[n]), start, end)
    });
    let mut bodies: Vec<Option<Body>> = std::iter::repeat_with(|| None).take(parts.len()).collect();
    for (i, body) in order.into_iter().zip(done) {
        bodies[i] = body;
    }
    // Each file from its parts; a part that did not parse: the whole file again, on this thread,
    // for the diagnostic (or for the file, if the cut was wrong).
    let mut parsed = Vec::new();
    let mut diagnostics = Vec::new();
    let mut bodies = bodies.into_iter();
    for (n, &id) in files.iter().enumerate() {
        let mine: Vec<Option<Body>> = bodies.by_ref().take(parts.iter().filter(|p| p.0 == n).count()).collect();
        let whole = if mine.iter().all(Option::is_some) {
            let mut structures = Vec::with_capacity(mine.iter().flatten().map(Body::len).sum());
            for body in mine.into_iter().flatten() {
                structures.extend(body);
            }
            Ok(ParsedFile { file: id, body: Body::from(structures) })
        } else {
            parse_file(sources, id)
        };
        match whole {
            Ok(p) => parsed.push(p),
            Err(d) => diagnostics.push(d),
        }
    }
    (parsed, diagnostics)
}

/// The structures of `text[start..end]`, compacted; `None` if it does not parse.
fn parse_part(text: &str, start: usize, end: usize) -> Option<Body> {
    let parsed = if start == 0 {
        hcl::edit::parser::parse_body(&text[..end])
    } else {
        let mut padded = String::with_capacity(end);
        padded.extend(text.as_bytes()[..start].iter().map(|&b| if b == b'\n' { '\n' } else { ' ' }));
        padded.push_str(&text[start..end]);
        hcl::edit::parser::parse_body(&padded)
    };
    let mut body = parsed.ok()?;
    compact(&mut body);
    Some(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compacting keeps the text (decor) and the span of every block, attribute and expression.
    #[test]
    fn compacting_a_tree_keeps_its_text_and_spans() {
        use hcl::edit::Span as _;
        use hcl::edit::visit::{Visit, visit_attr, visit_block, visit_expr};
        #[derive(Default)]
        struct Spans(Vec<Option<std::ops::Range<usize>>>);
        impl Visit for Spans {
            fn visit_block(&mut self, b: &hcl::edit::structure::Block) {
                self.0.push(b.ident.span());
                visit_block(self, b);
            }
            fn visit_attr(&mut self, a: &hcl::edit::structure::Attribute) {
                self.0.push(a.span());
                self.0.push(a.key.span());
                visit_attr(self, a);
            }
            fn visit_expr(&mut self, e: &hcl::edit::expr::Expression) {
                self.0.push(e.span());
                visit_expr(self, e);
            }
        }
        let text = "# top\nresource \"a\" \"b\" { # why\n  name = var.x.y[0] # trailing\n  nested {\n    v = [a.b.c, \"s\"]\n  }\n}\n\nlocals {\n  k = { a = 1 }\n}\n";
        let parsed = hcl::edit::parser::parse_body(text).unwrap();
        let mut compacted = parsed.clone();
        compact(&mut compacted);
        assert_eq!(compacted.to_string(), text);
        let (mut before, mut after) = (Spans::default(), Spans::default());
        before.visit_body(&parsed);
        after.visit_body(&compacted);
        assert!(before.0.len() > 10 && before.0.iter().all(Option::is_some), "{:?}", before.0);
        assert_eq!(before.0, after.0);
    }

    /// A file parsed in parts on several threads is the file parsed whole: the same structures,
    /// the same text, the same spans; a part that does not parse gives the whole file's error.
    #[test]
    fn parts_parse_to_the_whole() {
        use hcl::edit::Span as _;
        let block = |i: usize| {
            format!(
                "# block {i}\nresource \"t\" \"n{i}\" {{\n  s = \"${{var.x}} }} {{\"\n  h = <<-EOT\n  }}\n  resource \"x\" {{\n  EOT\n  l = [1, {{ a = \"ç\" }}]\n}}\n\n"
            )
        };
        let text: String = (0..7_000).map(block).collect();
        assert!(text.len() > 3 * MIN_PART_BYTES);
        assert_eq!(split::cuts(&text, 3).len(), 3, "three parts");
        let mut sources = Sources::new();
        sources.add("main.tf", text.clone());
        sources.add("other.tf", block(0));
        let (whole, errors) = parse_on(&sources, 1);
        assert!(errors.is_empty());
        let (parted, errors) = parse_on(&sources, 3);
        assert!(errors.is_empty());
        assert_eq!(parted.len(), 2);
        let (w, p) = (&whole[0].body, &parted[0].body);
        assert_eq!(w.len(), 7_000);
        assert_eq!(p.len(), w.len());
        for (a, b) in w.iter().zip(p.iter()) {
            assert_eq!(a.span(), b.span());
            let (a, b) = (a.as_block().unwrap(), b.as_block().unwrap());
            assert_eq!(a.body.to_string(), b.body.to_string());
            assert_eq!(
                a.body.get_attribute("l").unwrap().value.span(),
                b.body.get_attribute("l").unwrap().value.span()
            );
        }
        assert_eq!(parted[1].body.len(), 1);

        let broken = text.replacen("l = [1,", "l = [1,,", 6_000);
        let mut sources = Sources::new();
        let id2 = sources.add("main.tf", broken.clone());
        let (_, errors) = parse_on(&sources, 3);
        let expected = parse_file(&sources, id2).unwrap_err();
        assert_eq!(errors, vec![expected]);
    }

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
        let (line, _) = sources.line_column(span.file, span.start());
        assert!(line >= 2, "line {line}");
    }
}
