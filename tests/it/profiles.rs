//! Service profiles end to end: today's Azure (the default) accepts galleries in any public
//! region; the first documented service (`2018-06-01`) wants them in its eight regions and the
//! preview feature registered first; the embedded cloud remembers which service it emulates and
//! refuses to be planned against as the other one. Runs on both clouds (see `arm.rs`).

mod common;
use common::Test;

const SUB: &str = "00000000-0000-0000-0000-000000000000";

/// Text without its layout: the diagnostics are wrapped and framed for the terminal.
fn flat(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric() || "./-;:`'=".contains(*c)).collect()
}

/// Whether `output` says `expected`, however it was wrapped.
fn says(output: &str, expected: &str) -> bool {
    flat(output).contains(&flat(expected))
}

fn quickstart() -> Test {
    Test::new().example("quickstart")
}

/// A real configuration with its gallery in UK South validates, plans and applies under the
/// default profile (it was refused with SIG202 when only the 2018 regions were known).
#[test]
fn galleries_go_to_any_public_region_today() {
    let t = quickstart()
        .edit("location = \"East US\"", "location = \"UK South\"")
        .edit("name                   = \"East US\"", "name                   = \"UK South\"");
    let dir = t.dir().to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    let validated = run(&["validate"], 0);
    assert!(validated.stderr.is_empty(), "{}", validated.stderr);
    run(&["apply", "--auto-approve"], 0);
    let again = run(&["plan", "--detailed-exitcode"], 0);
    assert!(again.stdout.starts_with("No changes."), "{}", again.stdout);
    // The same configuration under the first documented service is refused, with the reason.
    let old = Test::new().chdir(&dir).env("SIGFORM_SERVICE_PROFILE", "2018-06-01").arg("validate").status(1);
    assert!(says(&old.stderr, "SIG202"), "{}", old.stderr);
    assert!(says(&old.stderr, "under service profile 2018-06-01; Azure allows it today"), "{}", old.stderr);
}

/// Under 2018-06-01 a subscription registers the preview feature first: plan says so (SIG208)
/// before anything is created, and goes ahead once it is registered.
#[test]
fn the_first_documented_service_wants_the_preview_feature() {
    let pinned = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/quickstart/main.tf")).unwrap()
        + "\nsigform {\n  service_profile = \"2018-06-01\"\n}\n";
    let t = Test::new().config(&pinned);
    let dir = t.dir().to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    run(&["validate"], 0);
    let plan = run(&["plan"], 1);
    assert!(says(&plan.stderr, "SIG208"), "{}", plan.stderr);
    assert!(says(&plan.stderr, "has not registered Microsoft.Compute/GalleryPreview"), "{}", plan.stderr);
    assert!(says(&plan.stderr, &format!("sigform emulator register-feature {SUB}")), "{}", plan.stderr);
    if common::arm_mode() {
        assert!(
            says(&plan.stderr, "Azure is the service as it is today"),
            "over ARM the cloud is current: {}",
            plan.stderr
        );
    }
    let registered = run(&["emulator", "register-feature", SUB], 0);
    assert!(registered.stdout.contains("has registered Microsoft.Compute/GalleryPreview"), "{}", registered.stdout);
    run(&["apply", "--auto-approve"], 0);
    let again = run(&["plan", "--detailed-exitcode"], 0);
    assert!(again.stdout.starts_with("No changes."), "{}", again.stdout);
}

/// The embedded cloud emulates one profile and remembers it: planning it as the other stops with
/// the command that fixes it; `emulator reset --profile` switches.
#[test]
fn the_embedded_cloud_keeps_its_profile() {
    if common::arm_mode() {
        return; // Over ARM the cloud is Azure (current): a warning, checked above.
    }
    let t = quickstart().seeded();
    let dir = t.dir().to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    let old = |args: &[&str], code: i32| {
        Test::new().chdir(&dir).env("SIGFORM_SERVICE_PROFILE", "2018-06-01").args(args).status(code)
    };
    let refused = old(&["plan"], 1);
    assert!(
        refused.stderr.contains(
            "SIGFORM_SERVICE_PROFILE selects service profile 2018-06-01, but the embedded cloud emulates current; run `sigform emulator reset --profile 2018-06-01`"
        ),
        "{}",
        refused.stderr
    );
    old(&["apply", "--auto-approve"], 1);
    // Switching empties the cloud; the state still records what was there.
    let reset = run(&["emulator", "reset", "--profile", "2018-06-01"], 0);
    assert!(reset.stdout.contains("emulates service profile 2018-06-01"), "{}", reset.stdout);
    let now = old(&["plan"], 1);
    assert!(says(&now.stderr, "SIG208"), "the profile is the emulator's now: {}", now.stderr);
    let unknown = run(&["emulator", "reset", "--profile", "2019-03-01"], 1);
    assert!(says(&unknown.stderr, "the known ones are current, 2018-06-01"), "{}", unknown.stderr);
}

/// `explain` shows a profile-dependent rule's facts per profile.
#[test]
fn explain_shows_the_facts_per_profile() {
    let out = Test::new().args(&["explain", "SIG401"]).status(0);
    assert!(out.stdout.contains("current      100 galleries per subscription per region"), "{}", out.stdout);
    assert!(out.stdout.contains("2018-06-01   10 galleries per subscription per region"), "{}", out.stdout);
    let same = Test::new().args(&["explain", "SIG101"]).status(0);
    assert!(!same.stdout.contains("Per service profile"), "{}", same.stdout);
}
