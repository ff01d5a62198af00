//! Canonical formatting, as `terraform fmt` does it: two-space indentation by nesting depth,
//! `=` aligned across consecutive one-line arguments, one space around `=`, no trailing spaces,
//! no runs of blank lines — and every comment kept.
//!
//! It works on lines with a small lexer (strings, interpolations, comments, heredocs) rather
//! than by re-printing a syntax tree, so comments and the user's line breaks survive as written.
//! The result is checked: it must parse to the same syntax tree as the input, or nothing is
//! written.

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FormatError {
    #[error("the file does not parse: {0}")]
    Invalid(String),
    #[error("formatting would change the file's meaning (a sigform bug); the file is left as it is")]
    Changed,
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    Code,
    Str,
    /// Inside `${ ... }` or `%{ ... }` of a string; brackets count separately.
    Interp(usize),
}

/// What the lexer learned about one physical line.
struct LineInfo {
    /// Brackets outside strings and comments, in order.
    brackets: Vec<char>,
    /// The line starts a heredoc whose body follows: its delimiter.
    heredoc: Option<String>,
    /// The line ends inside a `/* */` comment.
    open_comment: bool,
}

fn scan(line: &str, stack: &mut Vec<State>, in_comment: &mut bool) -> LineInfo {
    let chars: Vec<char> = line.chars().collect();
    let mut info = LineInfo { brackets: Vec::new(), heredoc: None, open_comment: false };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if *in_comment {
            if c == '*' && next == Some('/') {
                *in_comment = false;
                i += 2;
            } else {
                i += 1;
            }
            continue;
        }
        let state = *stack.last().unwrap_or(&State::Code);
        match state {
            State::Str => {
                match c {
                    '\\' => i += 1,
                    '"' => {
                        stack.pop();
                    }
                    '$' | '%' if next == Some('{') => {
                        stack.push(State::Interp(0));
                        i += 1;
                    }
                    _ => {}
                }
                i += 1;
                continue;
            }
            State::Code | State::Interp(_) => {
                if c == '#' || (c == '/' && next == Some('/')) {
                    break;
                }
                if c == '/' && next == Some('*') {
                    *in_comment = true;
                    i += 2;
                    continue;
                }
                if c == '"' {
                    stack.push(State::Str);
                    i += 1;
                    continue;
                }
                if c == '<' && next == Some('<') && state == State::Code {
                    let rest: String = chars[i + 2..].iter().collect();
                    let rest = rest.strip_prefix('-').unwrap_or(&rest);
                    let delim: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    if !delim.is_empty() {
                        info.heredoc = Some(delim);
                        break;
                    }
                }
                let is_open = matches!(c, '{' | '[' | '(');
                let is_close = matches!(c, '}' | ']' | ')');
                if let State::Interp(depth) = state {
                    if is_open {
                        *stack.last_mut().expect("interp") = State::Interp(depth + 1);
                    } else if c == '}' && depth == 0 {
                        stack.pop();
                    } else if is_close {
                        *stack.last_mut().expect("interp") = State::Interp(depth.saturating_sub(1));
                    }
                } else if is_open || is_close {
                    info.brackets.push(c);
                }
            }
        }
        i += 1;
    }
    info.open_comment = *in_comment;
    info
}

/// `key = value` on one line: the key and the value text.
fn split_assignment(line: &str) -> Option<(&str, &str)> {
    let key_len = if let Some(rest) = line.strip_prefix('"') {
        rest.find('"')? + 2
    } else {
        line.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))?
    };
    if key_len == 0 {
        return None;
    }
    let (key, rest) = line.split_at(key_len);
    let rest = rest.trim_start();
    let value = rest.strip_prefix('=')?;
    if value.starts_with('=') || value.starts_with('>') {
        return None;
    }
    Some((key, value.trim_start()))
}

/// Formats one file's text.
pub fn format(source: &str) -> Result<String, FormatError> {
    let before = hcl::parse(source).map_err(|e| FormatError::Invalid(e.to_string()))?;
    let formatted = layout(source);
    let after = hcl::parse(&formatted).map_err(|_| FormatError::Changed)?;
    if before != after {
        return Err(FormatError::Changed);
    }
    Ok(formatted)
}

struct OutLine {
    depth: usize,
    text: String,
    /// Verbatim lines (heredoc bodies, comment continuations) are neither indented nor aligned.
    verbatim: bool,
    /// A complete one-line assignment: takes part in `=` alignment.
    aligned: bool,
}

/// Indentation follows lines, not brackets: a line that opens several brackets (`merge([`,
/// `map(object({`) indents what follows by one level, and the line that closes them returns.
fn layout(source: &str) -> String {
    let mut out: Vec<OutLine> = Vec::new();
    // One entry per indentation level: how many of its brackets are still open.
    let mut levels: Vec<usize> = Vec::new();
    let mut stack = vec![State::Code];
    let mut in_comment = false;
    let mut heredoc: Option<String> = None;
    for raw in source.lines() {
        let raw = raw.trim_end_matches('\r');
        if let Some(delim) = &heredoc {
            if raw.trim() == delim {
                heredoc = None;
            }
            out.push(OutLine { depth: 0, text: raw.trim_end().to_string(), verbatim: true, aligned: false });
            continue;
        }
        if in_comment {
            let mut still = true;
            let info = scan(raw, &mut stack, &mut still);
            in_comment = info.open_comment;
            out.push(OutLine { depth: 0, text: raw.trim_end().to_string(), verbatim: true, aligned: false });
            continue;
        }
        let trimmed = raw.trim();
        let top_level = stack.len() == 1;
        let info = scan(trimmed, &mut stack, &mut in_comment);
        let mut own_level = false;
        let mut line_depth = None;
        for c in &info.brackets {
            if matches!(c, '{' | '[' | '(') {
                // The line sits at the depth left after the closers that come before its first
                // opener: `}, {` and `]...)` both outdent.
                line_depth.get_or_insert(levels.len());
                if own_level {
                    *levels.last_mut().expect("own level") += 1;
                } else {
                    levels.push(1);
                    own_level = true;
                }
            } else if let Some(top) = levels.last_mut() {
                *top -= 1;
                if *top == 0 {
                    levels.pop();
                    own_level = false;
                }
            }
        }
        let line_depth = line_depth.unwrap_or(levels.len());
        let balanced = info.brackets.iter().filter(|c| matches!(c, '{' | '[' | '(')).count() * 2 == info.brackets.len();
        let mut text = trimmed.to_string();
        let mut aligned = false;
        if top_level && let Some((key, value)) = split_assignment(trimmed) {
            text = format!("{key} = {value}");
            aligned = balanced && info.heredoc.is_none() && stack.len() == 1 && !info.open_comment;
        }
        if !top_level {
            // A continuation of a multi-line string interpolation: leave it alone.
            out.push(OutLine { depth: 0, text: raw.trim_end().to_string(), verbatim: true, aligned: false });
        } else {
            out.push(OutLine { depth: line_depth, text, verbatim: false, aligned });
        }
        heredoc = info.heredoc;
    }
    align(&mut out);
    let mut result = String::with_capacity(source.len());
    let mut blank_run = 0;
    for line in &out {
        if !line.verbatim && line.text.is_empty() {
            blank_run += 1;
            if blank_run > 1 || result.is_empty() {
                continue;
            }
            result.push('\n');
            continue;
        }
        blank_run = 0;
        if !line.verbatim {
            result.push_str(&"  ".repeat(line.depth));
        }
        result.push_str(&line.text);
        result.push('\n');
    }
    while result.ends_with("\n\n") {
        result.pop();
    }
    if result.trim().is_empty() {
        return String::new();
    }
    result
}

/// Aligns `=` across runs of consecutive one-line assignments at the same depth.
fn align(lines: &mut [OutLine]) {
    let mut i = 0;
    while i < lines.len() {
        if !lines[i].aligned {
            i += 1;
            continue;
        }
        let depth = lines[i].depth;
        let mut j = i;
        while j < lines.len() && lines[j].aligned && lines[j].depth == depth {
            j += 1;
        }
        let width = lines[i..j]
            .iter()
            .filter_map(|l| split_assignment(&l.text).map(|(k, _)| k.chars().count()))
            .max()
            .unwrap_or(0);
        for line in &mut lines[i..j] {
            if let Some((key, value)) = split_assignment(&line.text) {
                let pad = width - key.chars().count();
                line.text = format!("{key}{} = {value}", " ".repeat(pad));
            }
        }
        i = j;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_terraform_fmt() {
        let input = r#"
# a comment that stays
resource "azurerm_shared_image_gallery" "g" {
name = "gallery" # trailing comment
    resource_group_name="rg"
  location = "eastus"


      tags = {
   owner = "me"
  "cost-center"= "42"
      }
}
"#;
        let want = r#"# a comment that stays
resource "azurerm_shared_image_gallery" "g" {
  name                = "gallery" # trailing comment
  resource_group_name = "rg"
  location            = "eastus"

  tags = {
    owner         = "me"
    "cost-center" = "42"
  }
}
"#;
        let got = format(input).unwrap();
        assert_eq!(got, want);
        assert_eq!(format(&got).unwrap(), got, "idempotent");
    }

    #[test]
    fn heredocs_block_comments_and_templates_survive() {
        let input = "locals {\nscript = <<-EOT\n    echo ${var.x}\n  { not a brace\n    EOT\n/* keep\n   this */\nx = \"${ {a = 1}[\"a\"] }\"\n}\n";
        let got = format(input).unwrap();
        assert!(got.contains("    echo ${var.x}\n  { not a brace\n    EOT\n"), "{got}");
        assert!(got.contains("  /* keep\n   this */\n"), "{got}");
        assert!(
            got.contains("  x      = \"${ {a = 1}[\"a\"] }\"\n") || got.contains("  x = \"${ {a = 1}[\"a\"] }\"\n"),
            "{got}"
        );
        assert_eq!(format(&got).unwrap(), got);
    }

    #[test]
    fn invalid_input_is_refused() {
        assert!(matches!(format("resource {"), Err(FormatError::Invalid(_))));
    }
}
