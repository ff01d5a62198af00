//! `init`, `explain`, `fmt`, `completions` and `graph`, through the binary.

#[macro_use]
mod common;
use common::Test;

#[test]
fn init_creates_state_and_is_idempotent() {
    let t = Test::new().arg("init");
    let first = t.status(0);
    assert!(first.stdout.starts_with("Created "), "{}", first.stdout);
    assert!(first.dir.join("state").is_dir());
    assert!(t.read("state/.gitignore").contains("*.db"));
    assert!(first.dir.join("state/sigform.db").is_file(), "an empty state exists");
    let lineage = |s: &str| s[s.find("lineage ").unwrap()..].to_string();
    let again = t.run();
    assert_eq!(again.code, 0);
    assert!(again.stdout.starts_with("Found "), "{}", again.stdout);
    assert_eq!(lineage(&again.stdout), lineage(&first.stdout), "the same state, not a new one");
    let foreign = Test::new().file("state/sigform.db", "notes").arg("init").status(1);
    assert!(foreign.stderr.contains("not a sigform state"), "{}", foreign.stderr);
}

#[test]
fn explain_prints_a_rule_and_lists_them_all() {
    let out = Test::new().args(&["explain", "SIG205"]).status(0);
    snapshot!("explain_sig205", out.stdout);
    let lower = Test::new().args(&["explain", "sig205"]).status(0);
    assert_eq!(lower.stdout, out.stdout);

    let list = Test::new().args(&["explain", "--list"]).status(0);
    for rule in sigform::rules::RULES {
        assert!(list.stdout.contains(rule.id), "{} missing", rule.id);
    }
    let unknown = Test::new().args(&["explain", "SIG20"]).status(1);
    assert!(unknown.stderr.contains("no rule SIG20; did you mean"), "{}", unknown.stderr);
}

const UNFORMATTED: &str = "# gallery for the team\nresource \"azurerm_shared_image_gallery\" \"g\" {\nname = \"g\" # short\n    resource_group_name=\"rg\"\n  location = \"eastus\"\n\n\n  tags = {\n  owner = \"me\"\n  }\n}\n";

#[test]
fn fmt_check_reports_without_writing() {
    let t = Test::new().config(UNFORMATTED).args(&["fmt", "--check"]);
    let out = t.status(1);
    assert_eq!(out.stdout.trim(), "main.tf");
    assert_eq!(t.read("main.tf"), UNFORMATTED, "--check must not write");
}

#[test]
fn fmt_rewrites_keeps_comments_and_is_idempotent() {
    let t = Test::new().config(UNFORMATTED).file("terraform.tfvars", "a=1\nlong_name=2\n").args(&["fmt", "--diff"]);
    let out = t.status(0);
    snapshot!("fmt_diff", out.stdout);
    let formatted = t.read("main.tf");
    assert!(formatted.contains("# gallery for the team") && formatted.contains("# short"));
    assert_eq!(t.read("terraform.tfvars"), "a         = 1\nlong_name = 2\n");
    let again = Test::new().config(&formatted).arg("fmt").status(0);
    assert_eq!(again.stdout, "", "a second run changes nothing");
    Test::new().config(&formatted).args(&["fmt", "--check"]).status(0);
}

#[test]
fn fmt_leaves_invalid_files_alone() {
    let t = Test::new().config("resource \"x\" {\n").file("ok.tf", "locals {\na=1\n}\n").arg("fmt");
    let out = t.status(1);
    assert!(out.stderr.contains("main.tf"), "{}", out.stderr);
    assert_eq!(t.read("main.tf"), "resource \"x\" {\n");
    assert_eq!(t.read("ok.tf"), "locals {\n  a = 1\n}\n");
}

#[test]
fn the_examples_are_formatted() {
    for example in ["quickstart", "multi-region", "modules"] {
        Test::new().example(example).args(&["fmt", "--check", "--recursive"]).status(0);
    }
}

/// `--recursive` formats module directories too, naming each file by its path; hidden
/// directories (`.terraform`) are left alone.
#[test]
fn fmt_recursive_reaches_module_directories() {
    let messy = "variable \"a\" {\ntype=string\n}\n";
    let t = Test::new()
        .config("module \"m\" {\n  source = \"./modules/m\"\n  a      = \"x\"\n}\n")
        .file("modules/m/main.tf", messy)
        .file(".terraform/modules/x/main.tf", messy);
    let dir = t.dir().to_str().unwrap().to_string();
    let flat = Test::new().chdir(&dir).args(&["fmt", "--check"]).status(0);
    assert!(flat.stdout.is_empty(), "{}", flat.stdout);
    let check = Test::new().chdir(&dir).args(&["fmt", "--check", "--recursive"]).status(1);
    assert_eq!(check.stdout, "modules/m/main.tf\n");
    Test::new().chdir(&dir).args(&["fmt", "--recursive"]).status(0);
    assert_eq!(t.read("modules/m/main.tf"), "variable \"a\" {\n  type = string\n}\n");
    assert_eq!(t.read(".terraform/modules/x/main.tf"), messy);
    Test::new().chdir(&dir).args(&["fmt", "--check", "--recursive"]).status(0);
}

#[test]
fn completions_are_generated() {
    let out = Test::new().args(&["completions", "bash"]).status(0);
    assert!(out.stdout.contains("sigform") && out.stdout.contains("validate"));
}

#[test]
fn graph_prints_dot_with_implicit_parent_links() {
    let out = Test::new().example("quickstart").arg("graph").status(0);
    snapshot!("graph_quickstart", out.stdout);
    let broken = Test::new().config("locals {\n  a = local.a\n}\n").arg("graph").status(1);
    assert!(broken.stderr.contains("SIG007"), "{}", broken.stderr);
    assert!(broken.stdout.is_empty());
}

/// `sigform … | head`: a reader that goes away ends the program quietly (exit 141, as a shell
/// reports SIGPIPE), never with a panic.
#[test]
fn a_closed_pipe_ends_quietly() {
    let t = Test::new();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sigform"))
        .arg("-C")
        .arg(t.dir())
        .args(["completions", "bash"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(141), "{stderr}");
}
