//! Configuration as text: the loaded source files and their HCL syntax trees, with spans.
//!
//! Nothing here evaluates or touches the disk: `ops::workdir` reads the files, this module keeps
//! them (so diagnostics can quote any line of any file) and parses them with `hcl::edit`, which
//! keeps the byte range of every block, attribute and expression.

pub mod export;
pub mod format;
pub mod refs;
mod split;
pub mod vars;

use crate::diagnostic::{Diagnostic, Span};
use hcl::edit::structure::{Block, Body, Structure};
use std::ops::Range;

pub use crate::source::{FileId, Origin, SourceFile, Sources};

/// One parsed configuration file.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    pub file: FileId,
    /// Every top-level structure but the deferred blocks, with the file's own offsets.
    pub body: Body,
    /// The top-level `resource` and `data` blocks, in file order.
    pub deferred: Vec<DeferredBlock>,
}

/// A top-level `resource` or `data` block whose syntax tree was let go once read: what
/// evaluation needs before it evaluates the block (its names, where it is, what it refers to),
/// and where its text is, to parse it again when it is evaluated.
///
/// Why: hcl-edit's trees take about fifteen times their text. At the quota ceiling the trees
/// of 55,000 resource blocks were alive together between the parse and their evaluation, and
/// were most of a plan's memory; now a block's tree lives while its block is evaluated.
#[derive(Debug, Clone)]
pub struct DeferredBlock {
    pub file: FileId,
    /// The block's text, from its type keyword to its closing brace.
    pub range: Range<usize>,
    /// `data` rather than `resource`.
    pub data: bool,
    pub type_name: String,
    pub name: String,
    /// From the block's keyword to its last label: where block-level errors point.
    pub header: Range<usize>,
    /// The type label.
    pub type_label: Range<usize>,
    /// What the block refers to, anywhere in it.
    pub references: Vec<refs::Reference>,
    /// What its `count` and `for_each` refer to, and whether it has either.
    pub expansion_references: Vec<refs::Reference>,
    pub expands: bool,
    /// The provider configuration it names (`refs::provider_name`).
    pub provider: String,
}

impl DeferredBlock {
    /// What the first reading of `block` keeps; the block was parsed from text starting at
    /// `offset` of `file`.
    fn read(block: &Block, file: FileId, offset: usize) -> Option<DeferredBlock> {
        use hcl::edit::Span as _;
        let ident = block.ident.value().as_str();
        if !matches!(ident, "resource" | "data") || block.labels.len() != 2 {
            return None;
        }
        let at = |r: std::ops::Range<usize>| r.start + offset..r.end + offset;
        let range = at(block.span()?);
        let ident_span = at(block.ident.span()?);
        let type_label = at(block.labels[0].span()?);
        let name_label = at(block.labels[1].span()?);
        let expansion: Vec<&hcl::edit::structure::Attribute> =
            ["count", "for_each"].iter().filter_map(|k| block.body.get_attribute(k)).collect();
        Some(DeferredBlock {
            file,
            range,
            data: ident == "data",
            type_name: block.labels[0].as_str().to_string(),
            name: block.labels[1].as_str().to_string(),
            header: ident_span.start..name_label.end,
            type_label,
            references: refs::in_block(block),
            expansion_references: expansion.iter().flat_map(|a| refs::in_expr(&a.value)).collect(),
            expands: !expansion.is_empty(),
            provider: refs::provider_name(block),
        })
    }

    /// What the parse keeps of a `resource` or `data` block with its two labels, from a tree
    /// parsed from its whole file.
    pub fn from_tree(block: &Block, file: FileId) -> Option<DeferredBlock> {
        DeferredBlock::read(block, file, 0)
    }

    /// Where the offsets of the tree `parse` gives start.
    pub fn origin(&self) -> Origin {
        Origin { file: self.file, offset: self.range.start }
    }

    /// The block's tree, parsed again from its text; its offsets start at `origin()`.
    pub fn parse(&self, sources: &Sources) -> Result<Block, Diagnostic> {
        self.text().parse(sources)
    }

    /// Where its text is: what `parse` needs, for another thread to parse it.
    pub fn text(&self) -> BlockText {
        BlockText { file: self.file, range: self.range.clone() }
    }
}

/// A deferred block's place in its file (see `DeferredBlock::text`).
#[derive(Debug, Clone)]
pub struct BlockText {
    file: FileId,
    range: Range<usize>,
}

impl BlockText {
    /// The block's tree; its offsets start at the block (`DeferredBlock::origin`). It parsed
    /// once, so it parses again; were it not to, its error is a diagnostic, not a panic.
    pub fn parse(&self, sources: &Sources) -> Result<Block, Diagnostic> {
        let text = &sources.text(self.file)[self.range.clone()];
        let at = |r: Range<usize>| Span::new(self.file, r.start + self.range.start..r.end + self.range.start);
        let again = hcl::edit::parser::parse_body(text).map_err(|e| {
            let mut d = syntax_diagnostic_in(text, self.file, &e);
            d.span = d.span.map(|s| at(s.range()));
            d
        })?;
        match again.into_iter().next() {
            Some(Structure::Block(block)) => Ok(block),
            _ => Err(Diagnostic::error("SIG001", "syntax error: this block no longer reads as a block").at(at(0..0))),
        }
    }
}

/// Parses one file whole, on this thread; a syntax error becomes a SIG001 diagnostic at the
/// exact place.
pub fn parse_file(sources: &Sources, file: FileId) -> Result<ParsedFile, Diagnostic> {
    let text = sources.text(file);
    match read_part(text, file, 0..text.len()) {
        Ok(part) => Ok(ParsedFile { file, body: kept_body(part.kept), deferred: part.deferred }),
        Err(error) => Err(syntax_diagnostic(sources, file, &error)),
    }
}

/// What reading one part of a file keeps: its deferred blocks, and the other structures (whose
/// offsets are the part's own: the file's only for the part that starts the file).
struct Part {
    deferred: Vec<DeferredBlock>,
    kept: Vec<Structure>,
}

/// Parses `text[range]`, defers its resource and data blocks and lets their trees go.
fn read_part(text: &str, file: FileId, range: Range<usize>) -> Result<Part, hcl::edit::parser::Error> {
    let offset = range.start;
    let body = hcl::edit::parser::parse_body(&text[range])?;
    let mut part = Part { deferred: Vec::new(), kept: Vec::new() };
    for structure in body {
        match &structure {
            Structure::Block(block) => match DeferredBlock::read(block, file, offset) {
                Some(deferred) => part.deferred.push(deferred),
                None => part.kept.push(structure),
            },
            Structure::Attribute(_) => part.kept.push(structure),
        }
    }
    Ok(part)
}

/// The kept structures as a body, compacted.
fn kept_body(kept: Vec<Structure>) -> Body {
    let mut body = Body::from(kept);
    compact(&mut body);
    body
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
    syntax_diagnostic_in(sources.text(file), file, error)
}

/// The same, for an error in `text` (a file's, or a part of it: offsets are `text`'s).
fn syntax_diagnostic_in(text: &str, file: FileId, error: &hcl::edit::parser::Error) -> Diagnostic {
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

/// The size of the parts a file is read in: each part's syntax tree lives only while its part
/// is read (about fifteen times the part's text), so parts are small, and many, whatever the
/// number of cores.
const PART_BYTES: usize = 256 * 1024;

/// Parses every `.tf` file among `sources` (by name), collecting syntax errors. Files, and large
/// files cut between their top-level blocks, are parsed on as many threads as there are cores.
pub fn parse_all(sources: &Sources) -> (Vec<ParsedFile>, Vec<Diagnostic>) {
    parse_in(sources, PART_BYTES)
}

/// The same, in parts of about `part_bytes`.
fn parse_in(sources: &Sources, part_bytes: usize) -> (Vec<ParsedFile>, Vec<Diagnostic>) {
    let files: Vec<FileId> = sources.iter().filter(|(_, f)| f.name.ends_with(".tf")).map(|(id, _)| id).collect();
    // The work: parts (file, start, end), each parsed on its own (its offsets its own).
    let mut parts: Vec<(usize, usize, usize)> = Vec::new();
    for (n, &id) in files.iter().enumerate() {
        let text = sources.text(id);
        let cuts = split::cuts(text, (text.len() / part_bytes.max(1)).max(1));
        for (k, &start) in cuts.iter().enumerate() {
            parts.push((n, start, cuts.get(k + 1).copied().unwrap_or(text.len())));
        }
    }
    // Largest first, so that the cores finish together; then each part back in its place.
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(parts[i].2 - parts[i].1));
    let done = crate::parallel::map(order.clone(), 1, |i| {
        let (n, start, end) = parts[i];
        read_part(sources.text(files[n]), files[n], start..end).ok()
    });
    let mut read: Vec<Option<Part>> = std::iter::repeat_with(|| None).take(parts.len()).collect();
    for (i, part) in order.into_iter().zip(done) {
        read[i] = part;
    }
    // Each file from its parts; a part that did not parse: the whole file again, on this thread,
    // for the diagnostic (or for the file, if the cut was wrong).
    let mut parsed = Vec::new();
    let mut diagnostics = Vec::new();
    let mut read = read.into_iter();
    for (n, &id) in files.iter().enumerate() {
        let mine: Vec<Option<Part>> = read.by_ref().take(parts.iter().filter(|p| p.0 == n).count()).collect();
        let whole = if mine.iter().all(Option::is_some) {
            joined(sources, id, mine.into_iter().flatten().collect())
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

/// A file from its parts, in order. The structures kept by the first part have the file's
/// offsets; when a later part kept any, the file is parsed once more with its deferred blocks
/// blanked out (a scan of spaces, where the deferred blocks were), for offsets that are the
/// file's.
fn joined(sources: &Sources, file: FileId, parts: Vec<Part>) -> Result<ParsedFile, Diagnostic> {
    let later_kept = parts.iter().skip(1).any(|p| !p.kept.is_empty());
    let mut deferred = Vec::with_capacity(parts.iter().map(|p| p.deferred.len()).sum());
    let mut first_kept = Vec::new();
    for (k, part) in parts.into_iter().enumerate() {
        deferred.extend(part.deferred);
        if k == 0 {
            first_kept = part.kept;
        }
    }
    if !later_kept {
        return Ok(ParsedFile { file, body: kept_body(first_kept), deferred });
    }
    drop(first_kept);
    let text = sources.text(file);
    let mut blanked = text.as_bytes().to_vec();
    for d in &deferred {
        for b in &mut blanked[d.range.clone()] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    }
    let blanked = String::from_utf8(blanked).expect("blanking whole blocks keeps UTF-8");
    match hcl::edit::parser::parse_body(&blanked) {
        Ok(body) => {
            // What precedes each structure there is mostly the blanks: not kept.
            let kept = body
                .into_iter()
                .map(|mut s| {
                    use hcl::edit::Decorate;
                    s.decor_mut().clear();
                    s
                })
                .collect();
            Ok(ParsedFile { file, body: kept_body(kept), deferred })
        }
        // Not expected (each part parsed): the whole file on its own, with its diagnostic.
        Err(_) => parse_file(sources, file),
    }
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

    /// A file parsed in parts on several threads is the file parsed whole: the same deferred
    /// blocks, the same other structures with the same text and spans (also when a later part
    /// keeps some: an output among the resources); a part that does not parse gives the whole
    /// file's error.
    #[test]
    fn parts_parse_to_the_whole() {
        use hcl::edit::Span as _;
        let block = |i: usize| {
            format!(
                "# block {i}\nresource \"t\" \"n{i}\" {{\n  s = \"${{var.x}} }} {{\"\n  h = <<-EOT\n  }}\n  resource \"x\" {{\n  EOT\n  l = [1, {{ a = \"ç\" }}, t.n{}.id]\n  provider = azurerm.west\n}}\n\n",
                i.saturating_sub(1)
            )
        };
        let mut text = String::from("locals {\n  a = 1\n}\n\n");
        for i in 0..7_000 {
            text.push_str(&block(i));
            if i == 5_000 {
                text.push_str("output \"o\" {\n  value = t.n1.id # ç\n}\n\n");
            }
        }
        assert!(text.len() > 3 * 64 * 1024);
        let mut sources = Sources::new();
        let id = sources.add("main.tf", text.clone());
        sources.add("other.tf", block(0));
        let (whole, errors) = parse_in(&sources, usize::MAX);
        assert!(errors.is_empty());
        let (parted, errors) = parse_in(&sources, 64 * 1024);
        assert!(errors.is_empty());
        assert_eq!(parted.len(), 2);
        let (w, p) = (&whole[0], &parted[0]);
        assert_eq!(w.deferred.len(), 7_000);
        assert_eq!(p.deferred.len(), w.deferred.len());
        for (a, b) in w.deferred.iter().zip(&p.deferred) {
            assert_eq!((&a.range, &a.header, &a.type_label, &a.name), (&b.range, &b.header, &b.type_label, &b.name));
            assert_eq!((&a.references, &a.provider, a.expands), (&b.references, &b.provider, b.expands));
        }
        assert_eq!(p.deferred[7].provider, "azurerm.west");
        assert!(p.deferred[7].references.contains(&refs::Reference::Resource("t".into(), "n6".into())));
        assert_eq!(p.body.len(), 2, "the locals and the output");
        assert_eq!(w.body.len(), 2);
        for (a, b) in w.body.iter().zip(p.body.iter()) {
            assert_eq!(a.span(), b.span());
            assert_eq!(a.as_block().unwrap().body.to_string(), b.as_block().unwrap().body.to_string());
        }
        let output = p.body.get_blocks("output").next().unwrap();
        let value = output.body.get_attribute("value").unwrap().value.span().unwrap();
        assert_eq!(&text[value], "t.n1.id");
        assert_eq!(parted[1].deferred.len(), 1);

        // A deferred block parsed again: its offsets, from its origin, are the file's.
        let d = &p.deferred[6_000];
        let again = d.parse(&sources).unwrap();
        let l = again.body.get_attribute("l").unwrap().value.span().unwrap();
        let origin = d.origin();
        assert_eq!((origin.file, origin.offset), (id, d.range.start));
        assert_eq!(&text[l.start + origin.offset..l.end + origin.offset], "[1, { a = \"ç\" }, t.n5999.id]");
        assert_eq!(&text[d.header.clone()], "resource \"t\" \"n6000\"");

        let broken = text.replacen("l = [1,", "l = [1,,", 6_000);
        let mut sources = Sources::new();
        let id2 = sources.add("main.tf", broken.clone());
        let (_, errors) = parse_in(&sources, 64 * 1024);
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
