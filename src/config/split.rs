//! Where a configuration file can be cut between top-level blocks, so that its parts parse on
//! several threads (a file of 11,000 blocks takes a quarter of a second to parse on one).
//!
//! A lexical scan that knows strings (with their `${}` and `%{}` templates), heredocs, comments
//! and brackets: a cut is the start of a line that opens a block at depth 0, outside all of them.
//! A cut the scan got wrong cannot change what is parsed: a part that does not parse sends the
//! whole file to the one-thread parse, which also gives the diagnostic its exact place.

/// The byte offsets at which `text` can be cut into about `parts` parts of similar size: the
/// first is always 0; fewer cuts when there are not enough places (or the scan gets lost).
pub fn cuts(text: &str, parts: usize) -> Vec<usize> {
    let mut out = vec![0];
    if parts < 2 {
        return out;
    }
    let bytes = text.as_bytes();
    let target = |k: usize| text.len() * k / parts;
    // Open constructs, innermost last: a template inside a string inside a template...
    let mut stack: Vec<Frame> = vec![Frame::Code { depth: 0 }];
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let next = bytes.get(i + 1).copied();
        match stack.last_mut().expect("the outermost frame is never closed") {
            Frame::Str => match b {
                b'\\' => i += 1,
                b'"' => {
                    stack.pop();
                }
                b'$' | b'%' if next == Some(b) && bytes.get(i + 2) == Some(&b'{') => i += 2, // $${ is literal
                b'$' | b'%' if next == Some(b'{') => {
                    stack.push(Frame::Template { depth: 0 });
                    i += 1;
                }
                b'\n' => return out, // a quoted string never spans lines: lost
                _ => {}
            },
            Frame::Code { depth } | Frame::Template { depth } => match b {
                b'"' => stack.push(Frame::Str),
                b'{' | b'[' | b'(' => *depth += 1,
                b'}' | b']' | b')' => {
                    if *depth == 0 {
                        match stack.pop() {
                            Some(Frame::Template { .. }) if b == b'}' => {}
                            _ => return out, // unbalanced: lost
                        }
                    } else {
                        *depth -= 1;
                    }
                }
                b'#' => i = line_end(bytes, i) - 1,
                b'/' if next == Some(b'/') => i = line_end(bytes, i) - 1,
                b'/' if next == Some(b'*') => match text[i + 2..].find("*/") {
                    Some(end) => i += 2 + end + 1,
                    None => return out,
                },
                b'<' if next == Some(b'<') => {
                    if let Some(end) = heredoc_end(text, i) {
                        i = end - 1;
                    }
                }
                b'\n' => {
                    let start = i + 1;
                    if matches!(stack.as_slice(), [Frame::Code { depth: 0 }])
                        && bytes.get(start).is_some_and(u8::is_ascii_alphabetic)
                        && start >= target(out.len())
                    {
                        out.push(start);
                        if out.len() == parts {
                            return out;
                        }
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    out
}

enum Frame {
    Code {
        depth: u32,
    },
    Str,
    /// `${ ... }` inside a string; `depth` counts brackets opened inside it.
    Template {
        depth: u32,
    },
}

/// The offset of the newline ending the line that `i` is on (or the end of the text).
fn line_end(bytes: &[u8], i: usize) -> usize {
    bytes[i..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| i + p)
}

/// For `<<ID` or `<<-ID` at `i` followed by a newline: the offset of the newline that ends the
/// line closing it (a line that is `ID`, indented or not). `None` when it is not a heredoc.
fn heredoc_end(text: &str, i: usize) -> Option<usize> {
    let rest = &text[i + 2..];
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    let ident_len = rest.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-').count();
    let ident = &rest[..ident_len];
    if ident.is_empty() || !ident.as_bytes()[0].is_ascii_alphabetic() {
        return None;
    }
    let after = &rest[ident_len..];
    let after = after.strip_prefix('\r').unwrap_or(after);
    if !after.starts_with('\n') {
        return None;
    }
    let mut offset = text.len() - after.len() + 1;
    for line in text[offset..].split_inclusive('\n') {
        offset += line.len();
        if line.trim() == ident {
            return Some(offset - usize::from(line.ends_with('\n')));
        }
    }
    Some(text.len())
}

#[cfg(test)]
mod tests {
    use super::cuts;

    /// Each case: a text whose only good cut is marked `|`, and whether the scan finds it.
    #[test]
    fn cuts_fall_between_top_level_blocks_only() {
        let cases: &[(&str, &str, bool)] = &[
            ("plain blocks", "resource \"a\" \"b\" {\n  x = 1\n}\n|resource \"a\" \"c\" {\n}\n", true),
            ("nested block first", "a {\n  b {\n    c = 1\n  }\n}\n|d {\n}\n", true),
            ("a string with braces", "a {\n  x = \"}\\\"{\"\n}\n|b {}\n", true),
            ("a template", "a {\n  x = \"${ {k = \"}\"}.k }\"\n}\n|b {}\n", true),
            ("an escaped template", "a {\n  x = \"$${\"\n}\n|b {}\n", true),
            ("comments", "a {\n  # }\n  // }\n  /* }\nz {\n */\n}\n|b {}\n", true),
            ("a heredoc", "a {\n  x = <<-EOT\n}\nz {\n  EOT\n}\n|b {}\n", true),
            ("no second block", "a {\n  x = [\n1]\n}\n", false),
            ("an unbalanced file", "a {\n}\n}\nb {}\n", false),
        ];
        for (name, marked, found) in cases {
            let text = marked.replace('|', "");
            let expected = marked.find('|');
            let got = cuts(&text, 2);
            if *found {
                assert_eq!(got, vec![0, expected.unwrap()], "{name}");
            } else {
                assert_eq!(got, vec![0], "{name}");
            }
        }
    }

    #[test]
    fn parts_are_of_similar_size() {
        let block = "resource \"t\" \"n\" {\n  name = \"x\"\n}\n\n";
        let text = block.repeat(100);
        let got = cuts(&text, 4);
        assert_eq!(got.len(), 4);
        for (k, cut) in got.iter().enumerate().skip(1) {
            assert_eq!(cut % block.len(), 0);
            assert!(cut.abs_diff(text.len() * k / 4) <= block.len(), "{got:?}");
        }
        assert_eq!(cuts(&text, 1), vec![0]);
    }
}
