//! The README says what the code does: its table of the facts that differ between service
//! profiles is the facts crate's, row by row.

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

#[test]
fn the_service_profile_table_is_the_facts() {
    let text = readme();
    let start = text.find("| Fact | `current` (default) | `2018-06-01` |").expect("the README has the profile table");
    let rows: Vec<Vec<String>> = text[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.trim_matches('|').split('|').map(|c| c.trim().to_string()).collect())
        .collect();
    let facts = sigform_azure::profiles::differences();
    let names: Vec<&str> = sigform_azure::profiles::PROFILES.iter().map(|p| p.name).collect();
    assert_eq!(names, ["current", "2018-06-01"], "the table's columns are in PROFILES order");
    let expected: Vec<Vec<String>> =
        facts.into_iter().map(|(fact, values)| std::iter::once(fact.to_string()).chain(values).collect()).collect();
    assert_eq!(rows, expected);
}

/// The README's list of functions is the evaluator's, exactly.
#[test]
fn the_function_list_is_the_evaluators() {
    let text = readme();
    let start = text.find("functions `abs").expect("the README lists the functions") + "functions `".len();
    let end = start + text[start..].find('`').unwrap();
    let listed: Vec<&str> = text[start..end].split_whitespace().collect();
    assert_eq!(listed, sigform::eval::functions::NAMES);
}

/// Every top-level block the evaluator knows is in the README's configuration reference, and the
/// blocks the reference names are ones the evaluator knows.
#[test]
fn the_block_list_is_the_evaluators() {
    let text = readme();
    let start = text.find("**Blocks:**").expect("the README lists the blocks");
    let end = start + text[start..].find("**Meta-arguments:**").expect("followed by the meta-arguments");
    let section = &text[start..end];
    for block in sigform::eval::BLOCK_TYPES {
        assert!(section.contains(&format!("`{block}")), "the README's block list lacks `{block}`");
    }
    // And the evaluator knows what the section names as blocks.
    for named in [
        "terraform",
        "provider",
        "variable",
        "locals",
        "resource",
        "data",
        "output",
        "import",
        "check",
        "moved",
        "removed",
        "module",
    ] {
        assert!(sigform::eval::BLOCK_TYPES.contains(&named), "{named}");
    }
}
