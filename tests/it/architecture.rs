//! The import rules of ARCHITECTURE.md, checked on the source: imports point down only, there is
//! no import circle between files, the facts crate imports neither sigform nor the emulator, the
//! emulator imports only the facts, and the product reaches the emulator only from `cli/` and
//! `ops/`. Test code (`tests.rs` files and `#[cfg(test)]` modules) is left out: tests may build
//! whatever they need.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The product crate's top-level modules, lowest first: a module may use only modules of a lower
/// layer (and the two crates below it).
const LAYERS: &[&[&str]] = &[
    &["source", "parallel", "fast_hash", "exit", "notice", "arm"],
    &["diagnostic"],
    &["model"],
    &["config", "state", "rules"],
    &["eval"],
    &["pipeline", "plan"],
    &["apply"],
    &["ops", "render"],
    &["cli"],
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every non-test source file under `dir`, with its module path (`plan::drift`).
fn modules(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") || path.file_name().is_some_and(|n| n == "tests.rs") {
                continue;
            }
            let rel = path.strip_prefix(dir).unwrap().with_extension("");
            let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().to_string()).collect();
            if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
                parts.pop();
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // Test modules sit at the end of a file, behind `#[cfg(test)]`.
            let code = text.split("#[cfg(test)]").next().unwrap_or("").to_string();
            out.push((parts.join("::"), code));
        }
    }
    out
}

/// The module paths a file's code names through `crate::` and `super::`, resolved against the
/// known modules (the longest known prefix).
fn uses(module: &str, code: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let bytes = code.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    for (start, prefix) in code.match_indices("crate::").chain(code.match_indices("super::")) {
        if start > 0 && (is_ident(bytes[start - 1]) || bytes[start - 1] == b':') {
            continue;
        }
        let mut base: Vec<&str> = if prefix == "crate::" {
            Vec::new()
        } else {
            let mut b: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
            b.pop();
            b
        };
        let mut rest = &code[start + prefix.len()..];
        while let Some(r) = rest.strip_prefix("super::") {
            base.pop();
            rest = r;
        }
        let segments: Vec<&str> = rest
            .split("::")
            .map(|s| s.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or(""))
            .collect();
        let mut best = base.join("::");
        let mut path = base.clone();
        for s in segments.iter().take_while(|s| !s.is_empty()) {
            path.push(s);
            let candidate = path.join("::");
            if known.contains(&candidate) {
                best = candidate;
            }
        }
        out.insert(best);
    }
    out
}

fn layer_of(top: &str) -> usize {
    LAYERS.iter().position(|l| l.contains(&top)).unwrap_or_else(|| panic!("module `{top}` has no layer in LAYERS"))
}

#[test]
fn imports_point_down_and_make_no_circle() {
    let files = modules(&root().join("src"));
    let known: BTreeSet<String> = files.iter().map(|(m, _)| m.clone()).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut upward = Vec::new();
    for (module, code) in &files {
        let top = module.split("::").next().unwrap_or("");
        for used in uses(module, code, &known) {
            let used_top = used.split("::").next().unwrap_or("");
            if used.is_empty() || used_top == top || top.is_empty() {
                // Within a module: checked for circles below (a parent and its children aside).
                if !used.is_empty()
                    && !used.starts_with(&format!("{module}::"))
                    && !module.starts_with(&format!("{used}::"))
                    && used != *module
                {
                    graph.entry(module.clone()).or_default().insert(used);
                }
                continue;
            }
            if layer_of(used_top) >= layer_of(top) {
                upward.push(format!("{module} → {used}"));
            }
        }
    }
    assert!(upward.is_empty(), "imports that do not point down: {upward:#?}");
    // Circles between files of one module.
    fn reaches(graph: &BTreeMap<String, BTreeSet<String>>, from: &str, to: &str, seen: &mut BTreeSet<String>) -> bool {
        graph
            .get(from)
            .is_some_and(|next| next.iter().any(|n| n == to || (seen.insert(n.clone()) && reaches(graph, n, to, seen))))
    }
    let circles: Vec<String> = graph
        .iter()
        .flat_map(|(m, next)| next.iter().map(move |n| (m.clone(), n.clone())))
        .filter(|(m, n)| reaches(&graph, n, m, &mut BTreeSet::new()))
        .map(|(m, n)| format!("{m} ⇄ {n}"))
        .collect();
    assert!(circles.is_empty(), "import circles: {circles:#?}");
}

#[test]
fn the_crates_depend_only_downward() {
    let forbidden = |dir: &str, names: &[&str]| -> Vec<String> {
        modules(&root().join(dir))
            .into_iter()
            .filter(|(_, code)| names.iter().any(|n| code.contains(&format!("{n}::"))))
            .map(|(m, _)| m)
            .collect()
    };
    assert_eq!(forbidden("crates/sigform-azure/src", &["sigform", "sigform_emulator"]), Vec::<String>::new());
    assert_eq!(forbidden("crates/sigform-emulator/src", &["sigform"]), Vec::<String>::new());
    let reaching: Vec<String> = forbidden("src", &["sigform_emulator"])
        .into_iter()
        .filter(|m| !(m.starts_with("cli") || m.starts_with("ops")))
        .collect();
    assert_eq!(reaching, Vec::<String>::new(), "only cli/ and ops/ reach the emulator");
}

#[test]
fn the_layer_table_knows_every_module() {
    let tops: BTreeSet<String> = modules(&root().join("src"))
        .into_iter()
        .filter_map(|(m, _)| m.split("::").next().map(str::to_string))
        .collect();
    for top in tops.iter().filter(|t| !t.is_empty()) {
        layer_of(top);
    }
}
