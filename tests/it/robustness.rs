//! Property tests over mangled input: for thousands of seeded mutations of real configurations,
//! the loader, evaluator and rules never panic, every error has a location inside its file,
//! and `fmt` either refuses a file or formats it idempotently without changing its meaning.
//!
//! A hand-rolled generator (xorshift) keeps the test dependency-free and every failure
//! reproducible from its seed.

use sigform::config::{Sources, format::format};
use sigform::eval::Environment;
use sigform::pipeline::check_configuration;
use sigform::rules::RuleContext;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const FRAGMENTS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "\"",
    "${",
    "%{",
    "=",
    "==",
    ",",
    ".",
    "*",
    "...",
    "\n",
    "#",
    "/*",
    "*/",
    "<<EOT\n",
    "EOT\n",
    "\\",
    "é",
    "😀",
    "var.nope",
    "local.x",
    "each.key",
    "count.index",
    "azurerm_image.nope.id",
    "count = -1\n",
    "count = 1.5\n",
    "for_each = 3\n",
    "for_each = {a = 1}\n",
    "dynamic \"target_region\" {\n",
    "content {\n",
    "null",
    "true",
    "1e400",
    "-",
    "!",
    "? 1 : 2",
    "try(",
    "can(",
    "format(\"%d\", \"x\")",
    "lookup(",
    "element([], 0)",
    "range(1e9)",
    "[for x in var.y : x]",
    "{for k, v in {} : k => v}",
    "toset(1)",
    "\"${\"",
    "resource \"azurerm_image\" \"i\" {}\n",
    "data \"azurerm_image\" \"d\" {}\n",
    "variable \"v\" {\n",
    "locals {\n",
    "provider = azurerm.nope\n",
    "lifecycle {\n",
    "ignore_changes = all\n",
    "depends_on = [x]\n",
    "substr(\"abc\", 5, 1)",
    "jsondecode(\"{\")",
    "\"\\u00e9\"",
    "0x10",
    "1.0.0",
    "\t",
    "\r\n",
];

fn corpus() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut texts = Vec::new();
    for dir in ["examples/quickstart", "examples/multi-region"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dir)).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        let joined: String = files
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "tf"))
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect::<Vec<_>>()
            .join("\n");
        texts.push(joined);
    }
    texts
}

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(bytes.len() + 1).min(bytes.len());
        match rng.below(5) {
            0 => {
                let end = (at + 1 + rng.below(40)).min(bytes.len());
                bytes.drain(at..end);
            }
            1 | 2 => {
                let fragment = FRAGMENTS[rng.below(FRAGMENTS.len())].as_bytes();
                bytes.splice(at..at, fragment.iter().copied());
            }
            3 => {
                let end = (at + rng.below(80)).min(bytes.len());
                let copy = bytes[at..end].to_vec();
                let to = rng.below(bytes.len() + 1).min(bytes.len());
                bytes.splice(to..to, copy);
            }
            _ => {
                if at < bytes.len() {
                    bytes[at] = b"{}[]()\"=\n .,x1"[rng.below(14)];
                }
            }
        }
    }
    // Mutations may split a UTF-8 sequence; the loader reads files the same lossy way.
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Valid expressions that evaluate to every kind of trouble: most mutations by bytes stop at
/// the parser, these reach evaluation and the rules.
const EXPRESSIONS: &[&str] = &[
    "var.nope",
    "local.nope",
    "count.index",
    "each.key",
    "each.value.x",
    "null",
    "\"\"",
    "[]",
    "{}",
    "[1, 2]",
    "{ a = 1 }",
    "-1",
    "0",
    "101",
    "1.5",
    "true",
    "\"x\"",
    "\"South Central US\"",
    "\"chinaeast\"",
    "\"australiacentral\"",
    "azurerm_image.nope.id",
    "azurerm_shared_image_gallery.main",
    "data.azurerm_image.x.id",
    "1 / 0",
    "\"a\" + 1",
    "element([], 0)",
    "toset(1)",
    "tolist(\"a\")",
    "format(\"%q\", [1])",
    "substr(\"a\", 0, -5)",
    "range(0, 5, 0)",
    "jsondecode(\"nope\")",
    "try()",
    "can(1)",
    "max()",
    "[for x in 1 : x]",
    "{ for k, v in { a = 1 } : \"k\" => v }",
    "\"${null}\"",
    "\"${[1]}\"",
    "lookup({}, \"k\")",
    "zipmap([1], [])",
    "merge(1)",
    "flatten(1)",
    "split(1, 2)",
    "keys([])",
    "var.images[\"nope\"]",
    "\"2020-01-01T00:00:00Z\"",
    "\"1.0\"",
    "\"a-b\"",
    "\"Specialized\"",
    "\"Premium_ZRS\"",
    "azurerm_resource_group.images.id",
    "provider::azurerm::x(1)",
];

/// Replaces the values of a few `key = value` lines with troublesome but parseable expressions.
fn mutate_values(text: &str, rng: &mut Rng) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    for _ in 0..1 + rng.below(4) {
        let i = rng.below(lines.len());
        let line = lines[i];
        if let Some(eq) = line.find(" = ")
            && !line.trim_end().ends_with('{')
            && !line.trim_end().ends_with('[')
            && !line.trim_end().ends_with('(')
        {
            out[i] = format!("{} = {}", &line[..eq], EXPRESSIONS[rng.below(EXPRESSIONS.len())]);
        }
    }
    out.join("\n")
}

#[test]
fn mangled_configurations_never_panic_and_every_error_has_a_place() {
    let corpus = corpus();
    let mut failures = Vec::new();
    for seed in 1..=5000u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let base = &corpus[rng.below(corpus.len())];
        let text = if seed % 2 == 0 { mutate(base, &mut rng) } else { mutate_values(base, &mut rng) };
        let result = std::panic::catch_unwind(|| {
            let mut sources = Sources::new();
            sources.add("main.tf", text.clone());
            let checked =
                check_configuration(&sources, &[], &Environment::default(), None, &RuleContext { now_unix: 0 });
            for d in checked.diagnostics.iter().filter(|d| d.is_error()) {
                let span = d.span.as_ref().unwrap_or_else(|| panic!("{} has no place: {}", d.rule, d.message));
                let len = sources.text(span.file).len();
                assert!(span.start() <= span.range().end && span.range().end <= len, "{} span out of bounds", d.rule);
                assert!(sigform::rules::find(d.rule).is_some(), "{} is not in the catalogue", d.rule);
            }
        });
        if result.is_err() {
            failures.push(seed);
        }
    }
    assert!(failures.is_empty(), "panics or unplaced errors for seeds {failures:?}");
}

#[test]
fn fmt_is_idempotent_and_keeps_meaning_on_mangled_input() {
    let corpus = corpus();
    let mut checked = 0;
    for seed in 1..=2500u64 {
        let mut rng = Rng(seed.wrapping_mul(0xD1B5_4A32_D192_ED03) | 1);
        let text = mutate(&corpus[rng.below(corpus.len())], &mut rng);
        let once =
            std::panic::catch_unwind(|| format(&text)).unwrap_or_else(|_| panic!("fmt panicked for seed {seed}"));
        if let Ok(once) = once {
            checked += 1;
            assert_eq!(format(&once).as_deref(), Ok(once.as_str()), "not idempotent for seed {seed}");
        }
    }
    assert!(checked > 100, "only {checked} mutations parsed: the property was barely exercised");
}
