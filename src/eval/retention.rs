//! `sigform { retention { ... } }`: which definitions a retention policy covers and what it keeps
//! of their versions, checked where it is written. What the policy does with a cloud's versions
//! is the planner's (`plan::retention`).

use super::body;

use super::expr::{Scope, eval};
use crate::diagnostic::Diagnostic;
use crate::model::RetentionPolicy;
use crate::model::value::Value;
use hcl::edit::structure::{Block, Structure};
use std::collections::BTreeMap;

/// One `sigform { retention { ... } }` block; `None` (with diagnostics) when it is not usable.
pub(super) fn retention(block: &Block, scope: &mut Scope, diags: &mut Vec<Diagnostic>) -> Option<RetentionPolicy> {
    let header = body::header_span(scope, block);
    let mut policy = RetentionPolicy {
        definitions: None,
        galleries: None,
        keep_versions: 0,
        older_regions_source: false,
        delete_after: None,
        include_unmanaged: false,
        protect_names: Vec::new(),
        protect_tags: BTreeMap::new(),
    };
    let mut ok = true;
    const FIELDS: [&str; 6] =
        ["definitions", "galleries", "keep_versions", "older_regions", "delete_after", "include_unmanaged"];
    for s in block.body.iter() {
        match s {
            Structure::Attribute(a) => {
                let key = a.key.value().as_str();
                let span = scope.span_of(&a.value);
                if !FIELDS.contains(&key) {
                    let d = Diagnostic::error("SIG002", format!("unknown setting `{key}` in `retention`"))
                        .at(scope.span_of(&a.key));
                    diags.push(match crate::model::suggest(key, FIELDS) {
                        Some(s) => d.help(format!("did you mean `{s}`?")),
                        None => d,
                    });
                    ok = false;
                    continue;
                }
                let Some(value) = evaluated(a, scope, diags) else {
                    ok = false;
                    continue;
                };
                let mut bad = |want: &str| {
                    diags.push(Diagnostic::error("SIG004", format!("`{key}` must be {want}")).at(span.clone()));
                    false
                };
                ok &= match key {
                    "definitions" | "galleries" => {
                        let ids: Option<Vec<String>> = value
                            .as_list()
                            .map(|l| l.iter().map(|v| v.as_str().map(str::to_ascii_lowercase)).collect())
                            .unwrap_or(None);
                        match ids {
                            Some(ids) if key == "definitions" => {
                                policy.definitions = Some(ids);
                                true
                            }
                            Some(ids) => {
                                policy.galleries = Some(ids);
                                true
                            }
                            None => bad("a list of ids (e.g. [azurerm_shared_image.ubuntu.id])"),
                        }
                    }
                    "keep_versions" => match value.as_f64().filter(|n| *n >= 1.0 && n.fract() == 0.0) {
                        Some(n) => {
                            policy.keep_versions = n as u32;
                            true
                        }
                        None => bad("a whole number of at least 1 (the newest version always stays)"),
                    },
                    "older_regions" => match value.as_str() {
                        Some("source") => {
                            policy.older_regions_source = true;
                            true
                        }
                        _ => bad("\"source\" (older versions keep their source region, one replica)"),
                    },
                    "delete_after" => match value.as_str().and_then(duration_seconds) {
                        Some(seconds) => {
                            policy.delete_after = Some(seconds);
                            true
                        }
                        None => bad("a duration such as \"90d\", \"2w\" or \"720h\""),
                    },
                    _ => match value.as_bool() {
                        Some(b) => {
                            policy.include_unmanaged = b;
                            true
                        }
                        None => bad("true or false"),
                    },
                };
            }
            Structure::Block(b) if b.ident.value().as_str() == "protect" => {
                for inner in b.body.iter() {
                    let Structure::Attribute(a) = inner else { continue };
                    let key = a.key.value().as_str();
                    let span = scope.span_of(&a.value);
                    let Some(value) = evaluated(a, scope, diags) else {
                        ok = false;
                        continue;
                    };
                    match (key, &value) {
                        ("names", Value::List(l)) if l.iter().all(|v| v.as_str().is_some()) => {
                            policy.protect_names = l.iter().filter_map(|v| v.as_str().map(str::to_string)).collect();
                        }
                        ("tags", Value::Map(m)) if m.values().all(|v| v.as_str().is_some()) => {
                            policy.protect_tags =
                                m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect();
                        }
                        ("names" | "tags", _) => {
                            let want = if key == "names" { "a list of name patterns" } else { "a map of tags" };
                            diags.push(Diagnostic::error("SIG004", format!("`{key}` must be {want}")).at(span));
                            ok = false;
                        }
                        _ => {
                            diags.push(
                                Diagnostic::error("SIG002", format!("unknown setting `{key}` in `protect`"))
                                    .at(scope.span_of(&a.key))
                                    .help("protect takes `names` (patterns such as \"1.*\") and `tags`"),
                            );
                            ok = false;
                        }
                    }
                }
            }
            Structure::Block(b) => {
                diags.push(
                    Diagnostic::error("SIG002", format!("unknown block `{}` in `retention`", b.ident.value().as_str()))
                        .at(scope.span_of(&b.ident)),
                );
                ok = false;
            }
        }
    }
    if policy.keep_versions == 0 && ok {
        diags.push(
            Diagnostic::error(
                "SIG003",
                "`retention` needs `keep_versions`: how many of the newest versions stay as they are",
            )
            .at(header.clone()),
        );
        ok = false;
    }
    if !policy.older_regions_source && policy.delete_after.is_none() && ok {
        diags.push(
            Diagnostic::error(
                "SIG003",
                "`retention` changes nothing without `older_regions = \"source\"` or `delete_after`",
            )
            .at(header),
        );
        ok = false;
    }
    ok.then_some(policy)
}

/// An argument's value, or its error among the diagnostics.
fn evaluated(a: &hcl::edit::structure::Attribute, scope: &mut Scope, diags: &mut Vec<Diagnostic>) -> Option<Value> {
    eval(&a.value, scope).map_err(|e| diags.push(e.into_diagnostic())).ok()
}

/// `"90d"`, `"2w"`, `"720h"`, `"1d12h"`, `"45m"`, `"30s"` in seconds.
fn duration_seconds(text: &str) -> Option<i64> {
    let mut total = 0i64;
    let mut number = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return None,
        };
        total = total.checked_add(number.parse::<i64>().ok()?.checked_mul(unit)?)?;
        number.clear();
    }
    (number.is_empty() && total > 0).then_some(total)
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::{VALID, diagnose};

    /// Each mistake in a retention block is refused where it is written; a good one is read.
    #[test]
    fn retention_blocks_are_checked_where_written() {
        let with = |body: &str| format!("{VALID}\nsigform {{\n  retention {{\n{body}\n  }}\n}}\n");
        let cases: &[(&str, Option<&str>)] = &[
            ("    keep_versions = 3\n    older_regions = \"source\"", None),
            (
                "    keep_versions = 3\n    delete_after = \"90d\"\n    definitions = [azurerm_shared_image.def.id]",
                None,
            ),
            ("    older_regions = \"source\"", Some("SIG003")),
            ("    keep_versions = 3", Some("SIG003")),
            ("    keep_versions = 0\n    older_regions = \"source\"", Some("SIG004")),
            ("    keep_versions = 3\n    older_regions = \"everywhere\"", Some("SIG004")),
            ("    keep_versions = 3\n    delete_after = \"3 months\"", Some("SIG004")),
            ("    keep_versions = 3\n    older_regions = \"source\"\n    keep_version = 2", Some("SIG002")),
            (
                "    keep_versions = 3\n    older_regions = \"source\"\n    protect {\n      names = \"1.*\"\n    }",
                Some("SIG004"),
            ),
        ];
        for (body, want) in cases {
            let found: Vec<&str> = diagnose(&with(body)).into_iter().map(|(rule, ..)| rule).collect();
            match want {
                None => assert!(found.is_empty(), "{body}: {found:?}"),
                Some(rule) => assert!(found.contains(rule), "{body}: {found:?}"),
            }
        }
    }

    #[test]
    fn durations_read_as_seconds() {
        let cases = [
            ("90d", Some(90 * 86_400)),
            ("2w", Some(14 * 86_400)),
            ("720h", Some(720 * 3_600)),
            ("1d12h", Some(36 * 3_600)),
            ("30s", Some(30)),
            ("90", None),
            ("d", None),
            ("0d", None),
            ("3 days", None),
        ];
        for (text, want) in cases {
            assert_eq!(super::duration_seconds(text), want, "{text}");
        }
    }
}
