//! `sigform drift` and `--refresh-only`, against out-of-band changes made with the `emulator`
//! subcommands, in all four report formats.

#[macro_use]
mod common;
use common::Test;
use serde_json::{Value as Json, json};

const SUB: &str = "00000000-0000-0000-0000-000000000000";

fn gallery() -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg-golden-images/providers/Microsoft.Compute/galleries/golden_images")
}
fn definition() -> String {
    format!("{}/images/ubuntu-22.04", gallery())
}
fn version() -> String {
    format!("{}/versions/1.0.0", definition())
}
fn image() -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg-golden-images/providers/Microsoft.Compute/images/ubuntu-2204-base")
}

/// An applied quickstart, and a way to run more commands in it.
struct Applied {
    _t: Test,
    dir: String,
}

impl Applied {
    fn new() -> Applied {
        let t = Test::new().example("quickstart").seeded();
        let dir = t.dir().to_str().unwrap().to_string();
        Applied { _t: t, dir }
    }

    fn run(&self, args: &[&str], code: i32) -> common::Output {
        Test::new().chdir(&self.dir).args(args).status(code)
    }

    fn json(&self, code: i32) -> Json {
        serde_json::from_str(&self.run(&["drift", "--format", "json"], code).stdout).expect("JSON report")
    }
}

/// Checks a JUnit document parses as XML and returns (tests, failures) of its testsuite.
fn junit_counts(xml: &str) -> (u64, u64) {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut counts = None;
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                if e.name().as_ref() == "testsuite" =>
            {
                let attr = |name: &str| -> u64 {
                    let a = e.attributes().map(|a| a.unwrap()).find(|a| a.key.as_ref() == name).unwrap();
                    a.value.parse().unwrap()
                };
                counts = Some((attr("tests"), attr("failures")));
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    counts.expect("a testsuite element")
}

#[test]
fn a_clean_cloud_passes_in_every_format() {
    let a = Applied::new();
    let human = a.run(&["drift"], 0);
    assert_eq!(human.stdout, "Drift report: 0 drifted, 0 deleted outside sigform, 0 pending, 0 unmanaged.\n");
    assert_eq!(a.json(0), json!({"format_version": "1", "drifted": [], "deleted": [], "unmanaged": [], "pending": []}));
    assert!(
        a.run(&["drift", "--format", "markdown"], 0)
            .stdout
            .contains("The configuration, the state and the cloud agree.")
    );
    assert_eq!(junit_counts(&a.run(&["drift", "--format", "junit"], 0).stdout), (6, 0));
}

#[test]
fn each_kind_of_out_of_band_change_is_reported_exactly() {
    struct Case {
        name: &'static str,
        commands: Vec<Vec<String>>,
        want: Json,
    }
    let s = |x: &str| x.to_string();
    let cases = vec![
        Case {
            name: "an attribute set in the portal",
            commands: vec![vec![s("set"), gallery(), s("description=\"by hand\"")]],
            want: json!({"drifted": [{"address": "azurerm_shared_image_gallery.main", "id": gallery(),
                "changes": [{"path": "description", "before": "Hardened base images for every team", "after": "by hand"}]}]}),
        },
        Case {
            name: "a replica count raised",
            commands: vec![vec![s("set"), version(), s("target_region[\"eastus\"].regional_replica_count=5")]],
            want: json!({"drifted": [{"address": "azurerm_shared_image_version.v1", "id": version(),
                "changes": [{"path": "target_region[\"eastus\"].regional_replica_count", "before": 2, "after": 5}]}]}),
        },
        // (Azure keeps the regions a version was replicated to: by hand, one can only be added.)
        Case {
            name: "a target region added",
            commands: vec![vec![
                s("set"),
                version(),
                s(
                    r#"target_region=[{name = "East US", regional_replica_count = 2}, {name = "West Europe", regional_replica_count = 1}, {name = "South Central US", storage_account_type = "Standard_ZRS"}, {name = "North Europe"}]"#,
                ),
            ]],
            want: json!({"drifted": [{"address": "azurerm_shared_image_version.v1", "id": version(), "changes": [
                {"path": "target_region[\"northeurope\"]", "before": null, "after": {"exclude_from_latest_enabled": false, "name": "North Europe", "regional_replica_count": 1, "storage_account_type": "Standard_LRS"}},
            ]}]}),
        },
        Case {
            name: "a version deleted",
            commands: vec![vec![s("delete"), version()]],
            want: json!({"deleted": [{"address": "azurerm_shared_image_version.v1", "id": version()}]}),
        },
        Case {
            name: "a version published by Packer",
            commands: vec![vec![
                s("publish-version"),
                format!("{}/versions/2.0.0", definition()),
                s("--image"),
                image(),
            ]],
            want: json!({"unmanaged": [{"id": format!("{}/versions/2.0.0", definition()), "type": "azurerm_shared_image_version", "in_managed_gallery": true}]}),
        },
        Case {
            name: "a gallery deleted (children first, as Azure requires)",
            commands: vec![vec![s("delete"), version()], vec![s("delete"), definition()], vec![s("delete"), gallery()]],
            // The gallery's role assignment goes with it, as ARM removes assignments at a deleted scope.
            want: json!({"deleted": [
                {"address": "azurerm_role_assignment.app_team_reader", "id": format!("{}/providers/Microsoft.Authorization/roleAssignments/377befc9-e52b-54a4-96b5-66cae13cdbf4", gallery())},
                {"address": "azurerm_shared_image.ubuntu", "id": definition()},
                {"address": "azurerm_shared_image_gallery.main", "id": gallery()},
                {"address": "azurerm_shared_image_version.v1", "id": version()},
            ]}),
        },
    ];
    for case in cases {
        let a = Applied::new();
        for command in &case.commands {
            let mut args = vec!["emulator"];
            args.extend(command.iter().map(String::as_str));
            a.run(&args, 0);
        }
        let only_unmanaged = case.want.get("unmanaged").is_some()
            && case.want.get("drifted").is_none()
            && case.want.get("deleted").is_none();
        let code = if only_unmanaged { 0 } else { 2 };
        let got = a.json(code);
        let mut want = json!({"format_version": "1", "drifted": [], "deleted": [], "unmanaged": [], "pending": []});
        for (k, v) in case.want.as_object().unwrap() {
            want[k] = v.clone();
        }
        assert_eq!(got, want, "{}", case.name);
        if only_unmanaged {
            a.run(&["drift", "--fail-on-unmanaged"], 2);
        }
        let (tests, failures) = junit_counts(&a.run(&["drift", "--format", "junit"], code).stdout);
        let expect_failures =
            (want["drifted"].as_array().unwrap().len() + want["deleted"].as_array().unwrap().len()) as u64;
        assert_eq!(failures, expect_failures, "{}", case.name);
        assert_eq!(tests, 6 + want["unmanaged"].as_array().unwrap().len() as u64, "{}", case.name);
        let human = a.run(&["drift"], code);
        assert!(human.stdout.starts_with("Drift report: "), "{}", case.name);
        let markdown = a.run(&["drift", "--format", "markdown"], code);
        assert!(markdown.stdout.starts_with("### sigform drift: "), "{}", case.name);
    }
}

#[test]
fn human_and_markdown_reports() {
    let a = Applied::new();
    a.run(&["emulator", "set", &gallery(), "description=\"by hand\""], 0);
    a.run(&["emulator", "set", &version(), "target_region[\"eastus\"].regional_replica_count=5"], 0);
    a.run(&["emulator", "publish-version", &format!("{}/versions/0.9.0", definition()), "--image", &image()], 0);
    let role =
        format!("{}/providers/Microsoft.Authorization/roleAssignments/377befc9-e52b-54a4-96b5-66cae13cdbf4", gallery());
    a.run(&["emulator", "delete", &role], 0);
    snapshot!("drift_human", a.run(&["drift"], 2).stdout);
    snapshot!("drift_markdown", a.run(&["drift", "--format", "markdown"], 2).stdout);
    let out = a.run(&["drift", "--format", "junit", "--out", "drift.xml"], 2);
    assert!(out.stdout.starts_with("Drift report: 2 drifted, 1 deleted outside sigform"), "{}", out.stdout);
    let xml = std::fs::read_to_string(std::path::Path::new(&a.dir).join("drift.xml")).unwrap();
    assert_eq!(junit_counts(&xml), (7, 3));
}

#[test]
fn refresh_only_records_the_cloud_and_then_the_code_is_pending() {
    let a = Applied::new();
    a.run(&["emulator", "set", &gallery(), "description=\"by hand\""], 0);
    let plan = a.run(&["plan", "--refresh-only"], 0);
    assert!(plan.stdout.contains("# azurerm_shared_image_gallery.main has changed"), "{}", plan.stdout);
    assert!(plan.stdout.contains("This is a refresh-only plan"), "{}", plan.stdout);
    let json: Json = serde_json::from_str(&a.run(&["plan", "--refresh-only", "--json"], 0).stdout).unwrap();
    assert_eq!(json["resource_drift"][0]["address"], "azurerm_shared_image_gallery.main");
    assert_eq!(json["resource_drift"][0]["change"]["after"]["description"], "by hand");
    assert_eq!(json["resource_changes"], json!([]));

    let applied = a.run(&["apply", "--refresh-only", "--auto-approve"], 0);
    assert!(applied.stdout.contains("Refresh complete: 1 resource(s) recorded"), "{}", applied.stdout);
    let report = a.json(2);
    assert_eq!(report["drifted"], json!([]));
    assert_eq!(report["pending"], json!([{"address": "azurerm_shared_image_gallery.main", "actions": ["update"]}]));
    // The cloud was not touched.
    let g: Json = serde_json::from_str(&a.run(&["emulator", "show", "--json", &gallery()], 0).stdout).unwrap();
    assert_eq!(g["properties"]["description"], "by hand");
    // Applying the code puts it back, and everything agrees again.
    a.run(&["apply", "--auto-approve"], 0);
    a.run(&["drift"], 0);
}

#[test]
fn a_thousand_resources_are_checked_with_bulk_reads_only() {
    let t = Test::new();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/thousand/main.tf");
    let t = t.config(&std::fs::read_to_string(src).unwrap());
    let dir = t.dir().to_str().unwrap().to_string();
    let seed = Test::new()
        .chdir(&dir)
        .env("SIGFORM_EMULATOR_THROTTLING", "off")
        .args(&["apply", "--auto-approve", "--json"])
        .status(0);
    assert!(seed.stdout.contains("\"add\":1024"), "{}", seed.stdout.lines().last().unwrap_or(""));
    let calls = |d: &str| -> Json {
        serde_json::from_str(&Test::new().chdir(d).args(&["emulator", "calls"]).status(0).stdout).unwrap()
    };
    let before = calls(&dir);
    // With ARM's throttling on: the check must fit in the read burst.
    let out = Test::new().chdir(&dir).arg("drift").status(0);
    assert!(out.stdout.starts_with("Drift report: 0 drifted"), "{}", out.stdout);
    let after = calls(&dir);
    let delta = |k: &str| after[k].as_i64().unwrap_or(0) - before[k].as_i64().unwrap_or(0);
    let (galleries, definitions) = (2, 20);
    // One subscription list in the emulator's API; ARM has one per type (groups, images, galleries).
    let subscription_lists = if common::arm_mode() { 3 } else { 1 };
    assert_eq!(delta("get"), 0, "no per-resource reads");
    // Definitions and versions come from the resource index; role assignments in one list, and
    // the subscription's locks and custom roles in one each.
    assert_eq!(delta("list"), subscription_lists + 3, "list calls besides the resource index");
    // The embedded emulator answers a query at once; the served one pages as `--page-size` says
    // (100 in these tests; Resource Graph itself pages at 1,000 rows).
    let rows_per_query = if common::arm_mode() { 100 } else { 1024 };
    assert!(
        (1..=(1024 + rows_per_query - 1) / rows_per_query).contains(&delta("query")),
        "{} resource index queries for 1,024 resources",
        delta("query")
    );

    // Walking the lists instead (SIGFORM_REFRESH=lists): a call per gallery and per definition.
    let before = calls(&dir);
    let out = Test::new().chdir(&dir).env("SIGFORM_REFRESH", "lists").arg("drift").status(0);
    assert!(out.stdout.starts_with("Drift report: 0 drifted"), "{}", out.stdout);
    let after = calls(&dir);
    let delta = |k: &str| after[k].as_i64().unwrap_or(0) - before[k].as_i64().unwrap_or(0);
    assert_eq!((delta("get"), delta("query")), (0, 0));
    // ARM lists a gallery's definitions and its applications in two calls; the emulator's API
    // in one.
    let per_gallery = if common::arm_mode() { 3 } else { 2 };
    assert_eq!(
        delta("list"),
        subscription_lists + 2 + per_gallery * galleries + definitions,
        "the locks, the custom roles, one list per gallery, its role assignments, and per definition"
    );
}

/// The resource index trails ARM (here by an hour): what it disagrees on with the state is read
/// again before it is believed, so a plan right after an apply is empty and a hand-made change
/// the index cannot see yet is still found when the index says the resource differs.
#[test]
fn what_a_lagging_resource_index_disagrees_on_is_confirmed_with_reads() {
    let t = Test::new().example("quickstart");
    let dir = t.dir().to_str().unwrap().to_string();
    let lagging = |args: &[&str], code: i32| {
        Test::new().chdir(&dir).env("SIGFORM_EMULATOR_GRAPH_LAG", "3600").args(args).status(code)
    };
    // The index is copied at the apply's own refresh, when the cloud is still empty.
    lagging(&["apply", "--auto-approve"], 0);
    let calls = || -> Json {
        serde_json::from_str(&Test::new().chdir(&dir).args(&["emulator", "calls"]).status(0).stdout).unwrap()
    };
    let before = calls();
    let out = lagging(&["plan"], 0);
    assert!(out.stdout.contains("No changes."), "{}", out.stdout);
    let after = calls();
    // The index shows no definition and no version; the state has one of each: two reads.
    assert_eq!(after["get"].as_i64().unwrap_or(0) - before["get"].as_i64().unwrap_or(0), 2);
    let report: Json = serde_json::from_str(&lagging(&["drift", "--format", "json"], 0).stdout).unwrap();
    assert_eq!((&report["drifted"], &report["deleted"]), (&json!([]), &json!([])), "{report}");

    // Changed and deleted by hand: the index (still empty) says both are gone; the reads say what is true.
    Test::new().chdir(&dir).args(&["emulator", "set", &definition(), "description=\"by hand\""]).status(0);
    let report: Json = serde_json::from_str(&lagging(&["drift", "--format", "json"], 2).stdout).unwrap();
    assert_eq!(report["drifted"][0]["address"], "azurerm_shared_image.ubuntu", "{report}");
    assert_eq!(report["deleted"], json!([]), "{report}");
    Test::new().chdir(&dir).args(&["emulator", "delete", &version()]).status(0);
    let report: Json = serde_json::from_str(&lagging(&["drift", "--format", "json"], 2).stdout).unwrap();
    assert_eq!(report["deleted"][0]["address"], "azurerm_shared_image_version.v1", "{report}");
}

/// An attribute made of a sensitive value stays hidden after apply: `state show` and every drift
/// format say it changed, never what it was or became; `show --json` marks it as Terraform does.
#[test]
fn sensitive_attributes_stay_hidden_in_the_state_and_in_drift() {
    let t = Test::new().example("quickstart");
    let secret_text = "classified-gallery-note-0xBEEF";
    let main = t
        .read("main.tf")
        .replace("  description         = \"Hardened base images for every team\"", "  description         = var.note")
        + "\nvariable \"note\" {\n  type      = string\n  sensitive = true\n}\n";
    std::fs::write(t.dir().join("main.tf"), main).unwrap();
    let dir = t.dir().to_str().unwrap().to_string();
    let run =
        |args: &[&str], code: i32| Test::new().chdir(&dir).env("TF_VAR_note", secret_text).args(args).status(code);
    run(&["apply", "--auto-approve"], 0);
    let shown = run(&["state", "show", "azurerm_shared_image_gallery.main"], 0);
    assert!(shown.stdout.contains("description") && shown.stdout.contains("(sensitive value)"), "{}", shown.stdout);
    let json = run(&["show", "--json"], 0);
    assert!(
        json.stdout.contains(r#""sensitive_values":{"description":true}"#),
        "sensitive_values marks it: {}",
        json.stdout
    );

    let gallery = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-golden-images/providers/Microsoft.Compute/galleries/golden_images";
    run(&["emulator", "set", gallery, "description=\"changed-by-hand-0xF00D\""], 0);
    for format in ["human", "json", "markdown", "junit"] {
        let out = run(&["drift", "--format", format], 2);
        assert!(
            !out.stdout.contains(secret_text) && !out.stdout.contains("changed-by-hand-0xF00D"),
            "{format}: {}",
            out.stdout
        );
        assert!(out.stdout.contains("description"), "{format}: {}", out.stdout);
    }
    let plan = run(&["plan"], 0);
    assert!(!plan.stdout.contains("changed-by-hand-0xF00D") && !plan.stdout.contains(secret_text), "{}", plan.stdout);
}
