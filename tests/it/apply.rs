//! `apply`, `destroy`, `status` and `emulator` through the binary, against the test's own
//! emulator at time scale 0 (operations complete at once; the progress model is unit-tested).

mod common;
use common::Test;
use serde_json::Value as Json;

const SUB: &str = "00000000-0000-0000-0000-000000000000";

fn gallery_id() -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg-golden-images/providers/Microsoft.Compute/galleries/golden_images")
}

fn emulator_ids(dir: &str) -> Vec<String> {
    let out = Test::new().chdir(dir).args(&["emulator", "list"]).status(0);
    out.stdout.lines().map(str::to_string).collect()
}

#[test]
fn quickstart_round_trip_apply_plan_update_destroy() {
    let t = Test::new().example("quickstart").args(&["apply", "--auto-approve"]);
    let out = t.status(0);
    assert!(out.stdout.contains("Apply complete! Resources: 6 added, 0 changed, 0 destroyed."), "{}", out.stdout);
    let dir = t.dir().to_str().unwrap().to_string();
    assert_eq!(emulator_ids(&dir).len(), 6);
    let plan = Test::new().chdir(&dir).args(&["plan", "--detailed-exitcode"]).status(0);
    assert_eq!(plan.stdout, "No changes. The configuration and the state agree.\n");

    let text = std::fs::read_to_string(t.dir().join("main.tf"))
        .unwrap()
        .replace("regional_replica_count = 2", "regional_replica_count = 4");
    std::fs::write(t.dir().join("main.tf"), text).unwrap();
    let update = Test::new().chdir(&dir).args(&["apply", "--auto-approve"]).status(0);
    assert!(update.stdout.contains("Apply complete! Resources: 0 added, 1 changed, 0 destroyed."), "{}", update.stdout);
    let version = Test::new()
        .chdir(&dir)
        .args(&["emulator", "show", "--json", &format!("{}/images/ubuntu-22.04/versions/1.0.0", gallery_id())])
        .status(0);
    let version: Json = serde_json::from_str(&version.stdout).unwrap();
    assert_eq!(version["properties"]["target_region"][0]["regional_replica_count"], 4);
    Test::new().chdir(&dir).args(&["plan", "--detailed-exitcode"]).status(0);

    let destroy = Test::new().chdir(&dir).args(&["destroy", "--auto-approve"]).status(0);
    assert!(destroy.stdout.contains("Destroy complete! Resources: 6 destroyed."), "{}", destroy.stdout);
    assert!(emulator_ids(&dir).is_empty(), "destroy empties the cloud");
    assert_eq!(Test::new().chdir(&dir).args(&["state", "list"]).status(0).stdout, "");
}

#[test]
fn apply_json_streams_events() {
    let out = Test::new().example("quickstart").args(&["apply", "--auto-approve", "--json"]).status(0);
    let events: Vec<Json> =
        out.stdout.lines().map(|l| serde_json::from_str(l).expect("one JSON object per line")).collect();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types.iter().filter(|t| **t == "apply_start").count(), 6);
    assert_eq!(types.iter().filter(|t| **t == "apply_complete").count(), 6);
    assert_eq!(*types.last().unwrap(), "change_summary");
    let complete = events.iter().find(|e| e["type"] == "apply_complete").unwrap();
    assert!(complete["elapsed_seconds"].is_number());
    assert!(complete["@timestamp"].as_str().unwrap().ends_with('Z'));
    assert_eq!(events.last().unwrap()["add"], 6);
}

#[test]
fn parallelism_does_not_change_the_end_state() {
    let state_of = |parallelism: &str| {
        let t = Test::new().example("multi-region").args(&["apply", "--auto-approve", "--parallelism", parallelism]);
        let out = t.status(0);
        assert!(out.stdout.contains("Apply complete! Resources: 14 added"), "{}", out.stdout);
        let list = Test::new().chdir(t.dir().to_str().unwrap()).args(&["emulator", "list", "--json"]).status(0);
        let mut all: Vec<Json> = serde_json::from_str::<Vec<Json>>(&list.stdout).unwrap();
        for r in &mut all {
            r.as_object_mut().unwrap().remove("replication");
            // When each version was published differs from run to run.
            if let Some(attrs) = r["properties"].as_object_mut() {
                attrs.remove("published_date");
            }
        }
        all
    };
    assert_eq!(state_of("1"), state_of("10"));
}

#[test]
fn resources_deleted_outside_sigform_are_created_again() {
    let t = Test::new().example("quickstart").seeded();
    let dir = t.dir().to_str().unwrap().to_string();
    let role = emulator_ids(&dir).into_iter().find(|i| i.contains("roleAssignments")).unwrap();
    Test::new().chdir(&dir).args(&["emulator", "delete", &role]).status(0);
    let plan = Test::new().chdir(&dir).args(&["plan"]).status(0);
    assert!(plan.stdout.starts_with("Objects have changed outside of sigform:"), "{}", plan.stdout);
    assert!(plan.stdout.contains("# azurerm_role_assignment.app_team_reader has been deleted"), "{}", plan.stdout);
    assert!(plan.stdout.contains("# azurerm_role_assignment.app_team_reader will be created"), "{}", plan.stdout);
    assert!(plan.stdout.contains("Plan: 1 to add, 0 to change, 0 to destroy, 0 forbidden."), "{}", plan.stdout);
    Test::new().chdir(&dir).args(&["apply", "--auto-approve"]).status(0);
    Test::new().chdir(&dir).args(&["plan", "--detailed-exitcode"]).status(0);
}

#[test]
fn a_delete_blocked_by_children_nobody_manages() {
    let t = Test::new().example("quickstart").seeded();
    let dir = t.dir().to_str().unwrap().to_string();
    let definition = format!("{}/images/ubuntu-22.04", gallery_id());
    let image = format!(
        "/subscriptions/{SUB}/resourceGroups/rg-golden-images/providers/Microsoft.Compute/images/ubuntu-2204-base"
    );
    Test::new()
        .chdir(&dir)
        .args(&["emulator", "publish-version", &format!("{definition}/versions/9.9.9"), "--image", &image])
        .status(0);
    let out = Test::new().chdir(&dir).args(&["destroy", "--auto-approve"]).status(1);
    assert!(out.stdout.contains("SIG503 azurerm_shared_image.ubuntu: azurerm_shared_image.ubuntu still has children (1 not managed by this configuration: versions/9.9.9)"), "{}", out.stdout);
    assert_eq!(emulator_ids(&dir).len(), 7, "nothing was deleted");
}

#[test]
fn the_emulator_refuses_what_azure_refuses_even_behind_the_planners_back() {
    let t = Test::new().example("quickstart").seeded();
    let dir = t.dir().to_str().unwrap().to_string();
    let far = format!("/subscriptions/{SUB}/resourceGroups/rg-packer/providers/Microsoft.Compute/images/far");
    Test::new().chdir(&dir).args(&["emulator", "add-image", &far, "--location", "westus", "--hyper-v", "V2"]).status(0);
    let out = Test::new()
        .chdir(&dir)
        .args(&[
            "emulator",
            "publish-version",
            &format!("{}/images/ubuntu-22.04/versions/2.0.0", gallery_id()),
            "--image",
            &far,
            "--region",
            "eastus",
        ])
        .status(1);
    assert!(out.stderr.contains("InvalidParameter"), "{}", out.stderr);
    let fixed = Test::new()
        .chdir(&dir)
        .args(&["emulator", "set", &format!("{}/images/ubuntu-22.04", gallery_id()), "os_type=Windows"])
        .status(1);
    assert!(fixed.stderr.contains("PropertyChangeNotAllowed"), "{}", fixed.stderr);
    Test::new().chdir(&dir).args(&["emulator", "set", &gallery_id(), "description=\"changed by hand\""]).status(0);
    let plan = Test::new().chdir(&dir).args(&["plan"]).status(0);
    // The change made by hand shows as drift, and the plan puts the configuration's value back.
    assert!(plan.stdout.contains("# azurerm_shared_image_gallery.main has changed"), "{}", plan.stdout);
    assert!(
        plan.stdout.contains("~ description = \"Hardened base images for every team\" -> \"changed by hand\""),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("~ description = \"changed by hand\" -> \"Hardened base images for every team\""),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("Plan: 0 to add, 1 to change, 0 to destroy, 0 forbidden."), "{}", plan.stdout);
}

#[test]
fn a_failure_skips_dependents_and_a_second_run_finishes() {
    // The configuration says the subscription is allow-listed for Australia Central; the cloud
    // does not know it yet, so the version fails and everything independent of it succeeds.
    let config = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/quickstart/main.tf"))
        .unwrap()
        .replace("name                   = \"West Europe\"", "name                   = \"Australia Central\"")
        + "\nsigform {\n  allowlisted_regions = [\"australiacentral\"]\n}\n";
    let t = Test::new().config(&config).args(&["apply", "--auto-approve"]);
    let out = t.status(1);
    assert!(
        out.stdout.contains("azurerm_shared_image_version.v1: create failed: SubscriptionNotAllowListed"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("Apply failed: 1 failed, 0 skipped; 5 added"), "{}", out.stdout);
    assert!(out.stdout.contains("(declared at main.tf:54)"), "the failure names the source line: {}", out.stdout);
    let dir = t.dir().to_str().unwrap().to_string();
    assert_eq!(Test::new().chdir(&dir).args(&["state", "list"]).status(0).stdout.lines().count(), 5);
    Test::new().chdir(&dir).args(&["emulator", "allowlist", SUB, "australiacentral"]).status(0);
    let again = Test::new().chdir(&dir).args(&["apply", "--auto-approve"]).status(0);
    assert!(again.stdout.contains("1 added"), "{}", again.stdout);
    let status = Test::new().chdir(&dir).args(&["status"]).status(0);
    assert!(
        status.stdout.contains(
            "azurerm_shared_image_version.v1: Succeeded: East US Completed 100%, Australia Central Completed 100%"
        ),
        "{}",
        status.stdout
    );
}

#[test]
fn saved_plans_apply_once_and_confirmation_is_required() {
    let t = Test::new().example("quickstart").args(&["plan", "--out", "first.plan"]);
    t.status(0);
    let dir = t.dir().to_str().unwrap().to_string();
    let applied = Test::new().chdir(&dir).args(&["apply", "first.plan"]).status(0);
    assert!(applied.stdout.contains("6 added"), "{}", applied.stdout);
    let again = Test::new().chdir(&dir).args(&["apply", "first.plan"]).status(1);
    assert!(again.stderr.contains("stale plan"), "{}", again.stderr);

    let text =
        std::fs::read_to_string(t.dir().join("main.tf")).unwrap().replace("owner = \"platform\"", "owner = \"x\"");
    std::fs::write(t.dir().join("main.tf"), text).unwrap();
    let ask = Test::new().chdir(&dir).args(&["apply"]).status(1);
    assert!(ask.stderr.contains("pass --auto-approve"), "{}", ask.stderr);
}

#[test]
fn apply_under_injected_faults_converges_without_orphans_or_duplicates() {
    for seed in [3, 7, 11] {
        let t = Test::new().example("multi-region");
        let dir = t.dir().to_str().unwrap().to_string();
        let faults = format!("error=0.15,throttle=0.15,lost_response=0.15,region_failure=0.1,seed={seed}");
        let mut runs = 0;
        loop {
            runs += 1;
            let out = Test::new()
                .chdir(&dir)
                .args(&["apply", "--auto-approve"])
                .env("SIGFORM_EMULATOR_FAULTS", &faults)
                .run();
            if out.code == 0 {
                break;
            }
            assert_eq!(out.code, 1, "seed {seed}: {}\n{}", out.stdout, out.stderr);
            assert!(runs < 15, "seed {seed}: no convergence after {runs} runs:\n{}\n{}", out.stdout, out.stderr);
        }
        eprintln!("seed {seed}: converged after {runs} run(s)");
        // The state and the cloud hold exactly the same resources, once each.
        let mut in_cloud = emulator_ids(&dir);
        in_cloud.sort();
        let state: Json =
            serde_json::from_str(&Test::new().chdir(&dir).args(&["state", "pull"]).status(0).stdout).unwrap();
        let mut in_state: Vec<String> =
            state["resources"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
        in_state.sort();
        assert_eq!(in_cloud, in_state, "seed {seed}");
        assert_eq!(in_state.len(), 14);
        assert!(state["resources"].as_array().unwrap().iter().all(|r| r["status"] == "ready"), "seed {seed}");
        Test::new().chdir(&dir).args(&["plan", "--detailed-exitcode"]).status(0);
    }
}

#[test]
fn import_adopts_what_exists_and_the_plan_compares_with_it() {
    let t = Test::new().example("quickstart").seeded();
    let dir = t.dir().to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    run(&["state", "rm", "azurerm_shared_image_gallery.main"], 0);
    assert!(run(&["plan"], 0).stdout.contains("azurerm_shared_image_gallery.main will be created"));
    let out = run(&["import", "azurerm_shared_image_gallery.main", &gallery_id()], 0);
    assert!(out.stdout.starts_with("Imported azurerm_shared_image_gallery.main"), "{}", out.stdout);
    run(&["plan", "--detailed-exitcode"], 0);

    // A version published by another tool, declared afterwards with other regions.
    let definition = format!("{}/images/ubuntu-22.04", gallery_id());
    let image = format!(
        "/subscriptions/{SUB}/resourceGroups/rg-golden-images/providers/Microsoft.Compute/images/ubuntu-2204-base"
    );
    run(
        &[
            "emulator",
            "publish-version",
            &format!("{definition}/versions/1.1.0"),
            "--image",
            &image,
            "--region",
            "eastus=1",
        ],
        0,
    );
    let declared = std::fs::read_to_string(t.dir().join("main.tf")).unwrap()
        + r#"
resource "azurerm_shared_image_version" "v11" {
  name                = "1.1.0"
  gallery_name        = azurerm_shared_image_gallery.main.name
  image_name          = azurerm_shared_image.ubuntu.name
  resource_group_name = azurerm_resource_group.images.name
  location            = "eastus"
  managed_image_id    = azurerm_image.ubuntu.id

  target_region {
    name                   = "eastus"
    regional_replica_count = 1
  }

  target_region {
    name = "westus"
  }
}
"#;
    std::fs::write(t.dir().join("main.tf"), declared).unwrap();
    run(&["import", "azurerm_shared_image_version.v11", &format!("{definition}/versions/1.1.0")], 0);
    let plan = run(&["plan"], 0);
    assert!(plan.stdout.contains("+ target_region[\"westus\"]"), "{}", plan.stdout);
    assert!(plan.stdout.contains("Plan: 0 to add, 1 to change, 0 to destroy, 0 forbidden."), "{}", plan.stdout);

    let again = run(&["import", "azurerm_shared_image_version.v11", &format!("{definition}/versions/1.1.0")], 1);
    assert!(again.stderr.contains("already in the state"), "{}", again.stderr);
    let undeclared = run(&["import", "azurerm_shared_image_version.nope", &format!("{definition}/versions/1.1.0")], 1);
    assert!(undeclared.stderr.contains("is not declared in the configuration"), "{}", undeclared.stderr);
    let missing = run(&["import", "azurerm_shared_image_gallery.main", &format!("{}x", gallery_id())], 1);
    assert!(missing.stderr.contains("no resource"), "{}", missing.stderr);
}

#[test]
fn no_wait_replication_records_versions_while_they_replicate() {
    // At the default time scale the version's replication takes ~11 real seconds; without
    // waiting, apply records it as soon as it is created.
    let t = Test::new().example("quickstart").env("SIGFORM_EMULATOR_TIME_SCALE", "120").args(&[
        "apply",
        "--auto-approve",
        "--no-wait-replication",
    ]);
    let out = t.status(0);
    assert!(out.stdout.contains("Apply complete! Resources: 6 added"), "{}", out.stdout);
    let dir = t.dir().to_str().unwrap().to_string();
    let status = Test::new().chdir(&dir).env("SIGFORM_EMULATOR_TIME_SCALE", "120").arg("status").status(0);
    assert!(
        status.stdout.starts_with("azurerm_shared_image_version.v1: Creating: East US Replicating"),
        "{}",
        status.stdout
    );
    let state: Json = serde_json::from_str(&Test::new().chdir(&dir).args(&["state", "pull"]).status(0).stdout).unwrap();
    let version =
        state["resources"].as_array().unwrap().iter().find(|r| r["type"] == "azurerm_shared_image_version").unwrap();
    assert_eq!(version["status"], "replicating");
}

#[test]
fn quotas_count_what_exists_in_the_shared_cloud() {
    // Two configurations share one emulator, as two teams share a subscription.
    let shared = tempfile::tempdir().unwrap();
    let db = shared.path().join("emulator.db");
    let db = db.to_str().unwrap();
    let other = Test::new()
        .config("resource \"azurerm_resource_group\" \"rg\" {\n  name     = \"rg-other\"\n  location = \"eastus\"\n}\n\nresource \"azurerm_shared_image_gallery\" \"g\" {\n  name                = \"other_team\"\n  resource_group_name = azurerm_resource_group.rg.name\n  location            = \"eastus\"\n}\n")
        .args(&["--emulator-db", db, "apply", "--auto-approve"]);
    other.status(0);
    let ours = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/quickstart/main.tf")).unwrap()
        + "\nsigform {\n  quotas {\n    galleries = 1\n  }\n}\n";
    let validate = Test::new().config(&ours).arg("validate").status(0);
    assert!(validate.stderr.is_empty(), "one gallery in the configuration fits a quota of one: {}", validate.stderr);
    let plan = Test::new().config(&ours).args(&["--emulator-db", db, "plan"]).status(1);
    assert!(plan.stderr.contains("SIG401"), "the other team's gallery counts: {}", plan.stderr);
    assert!(plan.stderr.contains("more than 1 galleries in East US"), "{}", plan.stderr);
}

#[test]
fn data_sources_are_read_from_the_cloud() {
    let t = Test::new().example("quickstart").seeded();
    let dir = t.dir().to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    let packer =
        format!("/subscriptions/{SUB}/resourceGroups/rg-packer/providers/Microsoft.Compute/images/ubuntu-west");
    run(&["emulator", "add-image", &packer, "--location", "westus", "--hyper-v", "V2"], 0);
    let base = std::fs::read_to_string(t.dir().join("main.tf")).unwrap();
    let with_data = base.clone()
        + r#"
data "azurerm_image" "packer" {
  name                = "ubuntu-west"
  resource_group_name = "rg-packer"
}

resource "azurerm_shared_image_version" "v2" {
  name                = "2.0.0"
  gallery_name        = azurerm_shared_image_gallery.main.name
  image_name          = azurerm_shared_image.ubuntu.name
  resource_group_name = azurerm_resource_group.images.name
  location            = "eastus"
  managed_image_id    = data.azurerm_image.packer.id

  target_region {
    name = "eastus"
  }
}
"#;
    std::fs::write(t.dir().join("main.tf"), &with_data).unwrap();
    run(&["validate"], 0); // without the cloud the image's location is unknown
    let plan = run(&["plan"], 1);
    assert!(
        plan.stderr.contains("SIG206") && plan.stderr.contains("West US"),
        "the cloud says where the image is: {}",
        plan.stderr
    );

    // `latest` resolves as azurerm resolves it: the last version the service lists (by name, a
    // string), or with `sort_versions_by_semver` the highest by semantic version — not excluded
    // from latest either way; `recent` is the one published last.
    let definition = format!(
        "/subscriptions/{SUB}/resourceGroups/rg-golden-images/providers/Microsoft.Compute/galleries/golden_images/images/ubuntu-22.04"
    );
    let image = format!(
        "/subscriptions/{SUB}/resourceGroups/rg-golden-images/providers/Microsoft.Compute/images/ubuntu-2204-base"
    );
    run(&["emulator", "publish-version", &format!("{definition}/versions/1.10.0"), "--image", &image], 0);
    run(&["emulator", "publish-version", &format!("{definition}/versions/1.9.0"), "--image", &image], 0);
    run(&["emulator", "publish-version", &format!("{definition}/versions/1.2.0"), "--image", &image], 0);
    let latest = base
        + r#"
data "azurerm_shared_image_version" "latest" {
  name                = "latest"
  image_name          = "ubuntu-22.04"
  gallery_name        = "golden_images"
  resource_group_name = "rg-golden-images"
}

output "latest" {
  value = data.azurerm_shared_image_version.latest.id
}
"#;
    let resolves = |text: &str, version: &str| {
        std::fs::write(t.dir().join("main.tf"), text).unwrap();
        let plan = run(&["plan"], 0);
        assert!(
            plan.stdout.contains("+ latest = \"") && plan.stdout.contains(&format!("/versions/{version}\"")),
            "{version}: {}",
            plan.stdout
        );
    };
    resolves(&latest, "1.9.0");
    let by_semver = latest.replace(
        "  gallery_name        = \"golden_images\"\n",
        "  gallery_name        = \"golden_images\"\n  sort_versions_by_semver = true\n",
    );
    resolves(&by_semver, "1.10.0");
    resolves(&latest.replace("name                = \"latest\"", "name                = \"recent\""), "1.2.0");
    std::fs::write(t.dir().join("main.tf"), &latest).unwrap();

    let missing = latest.replace("name                = \"latest\"", "name                = \"9.9.9\"");
    std::fs::write(t.dir().join("main.tf"), missing).unwrap();
    let plan = run(&["plan"], 1);
    assert!(plan.stderr.contains("no such resource in the cloud"), "{}", plan.stderr);

    // A cloud that fails is a failure with its cause, never "no such resource".
    std::fs::write(t.dir().join("main.tf"), &latest).unwrap();
    let failing = Test::new().chdir(&dir).env("SIGFORM_EMULATOR_FAULTS", "error=1,seed=1").arg("plan").status(1);
    assert!(failing.stderr.contains("SIG011"), "{}", failing.stderr);
    assert!(failing.stderr.contains("cannot be read from the cloud"), "{}", failing.stderr);
    assert!(!failing.stderr.contains("no such resource"), "{}", failing.stderr);
}

#[test]
fn access_shows_inherited_access_and_json_is_typed() {
    let t = Test::new().example("quickstart").seeded();
    let dir = t.dir().to_str().unwrap().to_string();
    let out = Test::new().chdir(&dir).arg("access").status(0);
    assert!(out.stdout.starts_with("11111111-2222-3333-4444-555555555555 (Group): Reader (may deploy) on 1 gallery, 1 definition, 1 version via azurerm_role_assignment.app_team_reader"), "{}", out.stdout);
    assert!(out.stdout.contains("version    golden_images/ubuntu-22.04/1.0.0 (inherited)"), "{}", out.stdout);
    let json: Json =
        serde_json::from_str(&Test::new().chdir(&dir).args(&["access", "--json"]).status(0).stdout).unwrap();
    let grant = &json[0];
    assert_eq!(grant["principal_id"], "11111111-2222-3333-4444-555555555555");
    assert_eq!(grant["principal_type"], "Group");
    assert_eq!(grant["role"], "Reader");
    assert_eq!(grant["scope_id"], gallery_id());
    assert_eq!(grant["via"], "azurerm_role_assignment.app_team_reader");
    assert_eq!(grant["abilities"], serde_json::json!(["deploy"]));
    assert_eq!(grant["resources"].as_array().unwrap().len(), 3);
    let none = Test::new().chdir(&dir).args(&["access", "--json", "--principal", "nobody"]).status(0);
    assert_eq!(none.stdout.trim(), "[]");

    // The JSON plan carries cost and the replication estimate, typed.
    let plan: Json =
        serde_json::from_str(&Test::new().example("quickstart").args(&["plan", "--json"]).status(0).stdout).unwrap();
    let cost = &plan["sigform"]["cost"];
    assert_eq!(cost["currency"], "USD");
    assert_eq!(cost["monthly_storage"], 6.38);
    assert_eq!(cost["one_time_egress"], 1.2);
    assert_eq!(cost["resources"][0]["address"], "azurerm_shared_image_version.v1");
    assert!(plan["sigform"]["replication_estimate"]["total_seconds"].as_f64().unwrap() > 1000.0);
    assert_eq!(plan["sigform"]["access_changes"][0]["gains"], true);
}

/// Azure fills in `principal_type` when the configuration leaves it out (azurerm's Optional +
/// Computed): the next plan must not call that a change — let alone a forbidden one.
#[test]
fn a_principal_type_filled_by_the_service_is_not_a_change() {
    let t = Test::new().example("quickstart").edit("  principal_type       = \"Group\"\n", "");
    let dir = t.dir().to_str().unwrap().to_string();
    Test::new()
        .chdir(&dir)
        .args(&[
            "emulator",
            "add-principal",
            "11111111-2222-3333-4444-555555555555",
            "--tenant",
            "00000000-0000-0000-0000-000000000000",
            "--type",
            "Group",
        ])
        .status(0);
    Test::new().chdir(&dir).args(&["apply", "--auto-approve"]).status(0);
    let cloud = Test::new().chdir(&dir).args(&["emulator", "list", "--json"]).status(0);
    assert!(cloud.stdout.contains("\"principal_type\":\"Group\""), "the service filled it in: {}", cloud.stdout);
    let drift = Test::new().chdir(&dir).arg("drift").run();
    assert_eq!(drift.code, 0, "not drift either:\n{}", drift.stdout);
    let plan = Test::new().chdir(&dir).args(&["plan", "--detailed-exitcode"]).status(0);
    assert!(plan.stdout.contains("No changes"), "{}", plan.stdout);
    // Setting it explicitly to what Azure chose is no change either; to something else is forbidden.
    t.edit("  principal_id", "  principal_type       = \"Group\"\n  principal_id")
        .args(&["plan", "--detailed-exitcode"])
        .status(0);
}

/// A value Azure computes (a gallery's `unique_name`) is known from the state once the gallery
/// exists: an output of it is recorded by the apply that creates the gallery, and the next plan
/// is empty (it used to show `null -> (known after apply)` after every apply).
#[test]
fn values_azure_computed_are_known_after_the_apply() {
    let t = Test::new().example("quickstart");
    let text =
        t.read("main.tf") + "\noutput \"unique\" {\n  value = azurerm_shared_image_gallery.main.unique_name\n}\n";
    let t = t.config(&text);
    let dir = t.dir().to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    let plan = run(&["plan"], 0);
    assert!(plan.stdout.contains("+ unique = (known after apply)"), "{}", plan.stdout);
    run(&["apply", "--auto-approve"], 0);
    let unique = run(&["output", "unique"], 0).stdout;
    assert!(unique.trim().trim_matches('"').ends_with("-GOLDEN_IMAGES"), "{unique}");
    let again = run(&["plan", "--detailed-exitcode"], 0);
    assert!(again.stdout.starts_with("No changes."), "{}", again.stdout);
}

/// The same through a saved plan (`plan -out`, then `apply PLANFILE`, as CI pipelines do): the
/// output is evaluated again from the configuration the plan was made of (variable values
/// included); had the configuration changed meanwhile, a warning says the output waits.
#[test]
fn saved_plans_record_outputs_known_after_the_apply() {
    let t = Test::new().example("quickstart");
    let text = t.read("main.tf")
        + "
variable \"suffix\" {\n  type = string\n}\n\noutput \"unique\" {\n  value = \"${azurerm_shared_image_gallery.main.unique_name}${var.suffix}\"\n}\n";
    let t = t.config(&text);
    let dir = t.dir().to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    run(&["plan", "--var", "suffix=-x", "--out", "first.plan"], 0);
    let applied = run(&["apply", "--var", "suffix=-x", "first.plan"], 0);
    assert!(!applied.stderr.contains("were not recorded"), "{}", applied.stderr);
    let unique = run(&["output", "unique"], 0).stdout;
    assert!(unique.trim().trim_matches('"').ends_with("-GOLDEN_IMAGES-x"), "{unique}");

    // A plan whose configuration changes before it is applied: the output waits, and says so.
    let t2 = Test::new().example("quickstart");
    let text =
        t2.read("main.tf") + "\noutput \"unique\" {\n  value = azurerm_shared_image_gallery.main.unique_name\n}\n";
    let t2 = t2.config(&text);
    let dir2 = t2.dir().to_str().unwrap().to_string();
    let run2 = |args: &[&str], code: i32| Test::new().chdir(&dir2).args(args).status(code);
    run2(&["plan", "--out", "second.plan"], 0);
    std::fs::write(t2.dir().join("extra.tf"), "locals {\n  unused = 1\n}\n").unwrap();
    let applied = run2(&["apply", "second.plan"], 0);
    assert!(applied.stderr.contains("were not recorded"), "{}", applied.stderr);
}

/// `sigform { wait_for_replication = false }` does what `--no-wait-replication` does (the flag
/// wins when given); `sigform { parallelism }` is the apply's parallelism unless `--parallelism`.
#[test]
fn the_sigform_block_sets_how_apply_goes_about_it() {
    let t = Test::new().example("quickstart");
    let text = t.read("main.tf") + "\nsigform {\n  wait_for_replication = false\n  parallelism          = 1\n}\n";
    let t = t.config(&text).env("SIGFORM_EMULATOR_TIME_SCALE", "120").args(&["apply", "--auto-approve"]);
    let out = t.status(0);
    assert!(out.stdout.contains("Apply complete! Resources: 6 added"), "{}", out.stdout);
    let dir = t.dir().to_str().unwrap().to_string();
    let state: Json = serde_json::from_str(&Test::new().chdir(&dir).args(&["state", "pull"]).status(0).stdout).unwrap();
    let version =
        state["resources"].as_array().unwrap().iter().find(|r| r["type"] == "azurerm_shared_image_version").unwrap();
    assert_eq!(version["status"], "replicating", "recorded without waiting, as the configuration asked");
    let plan = Test::new().chdir(&dir).args(&["plan", "--refresh=false", "--json"]).status(0);
    let json: Json = serde_json::from_str(&plan.stdout).unwrap();
    assert_eq!(json["sigform"]["apply_settings"], serde_json::json!({"parallelism": 1, "wait_for_replication": false}));
}

/// `timeouts` are deadlines: apply stops waiting for an operation that outlasts its resource's
/// timeout, says so, and fails; the operation goes on in the cloud and its intent stays, so the
/// next run records what it became — nothing is orphaned.
#[test]
fn timeouts_are_deadlines_and_nothing_is_lost() {
    let t = Test::new().example("quickstart");
    let text = t.read("main.tf").replacen(
        "  target_region {",
        "  timeouts {\n    create = \"1s\"\n  }\n\n  target_region {",
        1,
    );
    let t = t.config(&text);
    let dir = t.dir().to_str().unwrap().to_string();
    // At 600 simulated seconds a second the version replicates in a few real seconds.
    let run = |args: &[&str], code: i32| {
        Test::new().chdir(&dir).env("SIGFORM_EMULATOR_TIME_SCALE", "600").args(args).status(code)
    };
    let first = run(&["apply", "--auto-approve"], 1);
    assert!(
        first.stdout.contains("timed out after 1s waiting to create (timeouts { create })")
            || first.stderr.contains("timed out after 1s waiting to create (timeouts { create })"),
        "{}\n{}",
        first.stdout,
        first.stderr
    );
    let again = run(&["apply", "--auto-approve"], 0);
    assert!(again.stdout.contains("Recovered: "), "the next run settles the operation: {}", again.stdout);
    let plan = run(&["plan", "--detailed-exitcode"], 0);
    assert!(plan.stdout.starts_with("No changes."), "{}", plan.stdout);
}

/// A data source that reads a managed resource of the same configuration is no cycle; while
/// what it reads does not exist, it is read during apply (`<=`), and what needed it is known
/// once the apply is done. A managed resource cannot be planned on such a read: it says so.
#[test]
fn data_sources_that_need_managed_resources_are_read_during_apply() {
    let t = Test::new().example("quickstart");
    let base = t.read("main.tf")
        + r#"
data "azurerm_shared_image_gallery" "read_back" {
  name                = azurerm_shared_image.ubuntu.gallery_name
  resource_group_name = azurerm_shared_image.ubuntu.resource_group_name
}

output "gallery_from_data" {
  value = data.azurerm_shared_image_gallery.read_back.unique_name
}
"#;
    let t = t.config(&base);
    let dir = t.dir().to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    run(&["validate"], 0);
    let misuse = base.clone()
        + "\nresource \"azurerm_resource_group\" \"copy\" {\n  name     = \"rg-copy\"\n  location = data.azurerm_shared_image_gallery.read_back.location\n}\n";
    std::fs::write(t.dir().join("main.tf"), &misuse).unwrap();
    let refused = run(&["plan"], 1);
    assert!(refused.stderr.contains("SIG011"), "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .replace(['\n', '│'], " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .contains("can only be read during apply"),
        "{}",
        refused.stderr
    );
    std::fs::write(t.dir().join("main.tf"), &base).unwrap();
    let plan = run(&["plan"], 0);
    assert!(
        plan.stdout.contains(
            "<= data.azurerm_shared_image_gallery.read_back (it needs azurerm_shared_image.ubuntu, which does not exist yet)"
        ),
        "{}",
        plan.stdout
    );
    run(&["apply", "--auto-approve"], 0);
    let read = run(&["output", "gallery_from_data"], 0).stdout;
    assert!(read.trim().trim_matches('"').ends_with("-GOLDEN_IMAGES"), "{read}");
    let again = run(&["plan", "--detailed-exitcode"], 0);
    assert!(again.stdout.starts_with("No changes."), "{}", again.stdout);
}

/// Azure deletes a resource group with everything in it. Like azurerm 4.x, destroy refuses to
/// delete one that still holds resources the plan does not delete (SIG503 at plan time, naming
/// them), until the provider says `prevent_deletion_if_contains_resources = false`; then the
/// group goes with what was left in it.
#[test]
fn a_resource_group_with_resources_left_in_it_is_not_deleted_unless_the_provider_allows_it() {
    let t = Test::new().example("quickstart").seeded();
    let dir = t.dir().to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    let leftover = format!(
        "/subscriptions/{SUB}/resourceGroups/rg-golden-images/providers/Microsoft.Compute/images/packer-leftover"
    );
    run(&["emulator", "add-image", &leftover, "--location", "eastus", "--hyper-v", "V2"], 0);

    // Refused at plan time (SIG503), naming what is left; nothing is deleted.
    let out = run(&["destroy", "--auto-approve"], 1);
    let said = format!("{}{}", out.stdout, out.stderr);
    assert!(said.contains("SIG503") && said.contains("images/packer-leftover"), "{said}");
    assert_eq!(emulator_ids(&dir).len(), 7);

    // A saved plan made while the group was empty meets the leftover at apply: the group's delete
    // is refused before it is sent (ResourceGroupNotEmpty), the rest is done.
    run(&["emulator", "delete", &leftover], 0);
    run(&["plan", "--destroy", "--out", "destroy.plan"], 0);
    run(&["emulator", "add-image", &leftover, "--location", "eastus", "--hyper-v", "V2"], 0);
    let out = run(&["apply", "destroy.plan"], 1);
    let said = format!("{}{}", out.stdout, out.stderr);
    assert!(said.contains("ResourceGroupNotEmpty") && said.contains("packer-leftover"), "{said}");
    assert!(said.contains("prevent_deletion_if_contains_resources = false"), "{said}");
    let ids = emulator_ids(&dir);
    assert_eq!(ids.len(), 2, "the group and the leftover image stay: {ids:?}");

    let main = std::fs::read_to_string(t.dir().join("main.tf")).unwrap().replace(
        "  features {}",
        "  features {\n    resource_group {\n      prevent_deletion_if_contains_resources = false\n    }\n  }",
    );
    std::fs::write(t.dir().join("main.tf"), main).unwrap();
    let out = run(&["destroy", "--auto-approve"], 0);
    assert!(out.stdout.contains("1 destroyed"), "{}", out.stdout);
    assert_eq!(emulator_ids(&dir), Vec::<String>::new(), "the leftover image went with its group");
}

/// A version built from an OS disk snapshot and one from a VHD blob (with its storage account)
/// are created, read back without drift, and their sources fixed; a source the cloud does not
/// hold, or holds in another region, is refused by the service as Azure refuses it.
#[test]
fn versions_are_built_from_snapshots_and_blobs() {
    let t = Test::new().example("quickstart").seeded();
    let dir = t.dir().to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    let snapshot =
        format!("/subscriptions/{SUB}/resourceGroups/rg-disks/providers/Microsoft.Compute/snapshots/os-2024");
    let account =
        format!("/subscriptions/{SUB}/resourceGroups/rg-disks/providers/Microsoft.Storage/storageAccounts/vhdstore");
    let blob = "https://vhdstore.blob.core.windows.net/vhds/ubuntu-3.vhd";
    let added = run(&["emulator", "add-snapshot", &snapshot, "--hyper-v", "V2", "--size-gb", "64"], 0);
    assert!(added.stdout.contains("Added snapshot"), "{}", added.stdout);
    run(&["emulator", "add-blob", &account, blob, "--size-gb", "100"], 0);
    let wrong = run(&["emulator", "add-blob", &account, "https://elsewhere.blob.core.windows.net/vhds/x.vhd"], 1);
    assert!(wrong.stderr.contains("is not a blob of storage account vhdstore"), "{}", wrong.stderr);
    let version = |name: &str, source: &str| {
        format!(
            "\nresource \"azurerm_shared_image_version\" \"v{}\" {{\n  name                = \"{name}\"\n  gallery_name        = azurerm_shared_image_gallery.main.name\n  image_name          = azurerm_shared_image.ubuntu.name\n  resource_group_name = azurerm_resource_group.images.name\n  location            = \"eastus\"\n{source}\n  target_region {{\n    name = \"eastus\"\n  }}\n}}\n",
            name.replace('.', "_")
        )
    };
    let text = t.read("main.tf")
        + &version("2.0.0", &format!("  os_disk_snapshot_id = \"{snapshot}\"\n"))
        + &version("3.0.0", &format!("  blob_uri            = \"{blob}\"\n  storage_account_id  = \"{account}\"\n"));
    std::fs::write(t.dir().join("main.tf"), &text).unwrap();
    let plan = run(&["plan"], 0);
    assert!(plan.stdout.contains("Plan: 2 to add"), "{}", plan.stdout);
    run(&["apply", "--auto-approve"], 0);
    assert!(run(&["plan", "--detailed-exitcode"], 0).stdout.starts_with("No changes."));
    run(&["drift"], 0);
    let shown = run(&["state", "show", "azurerm_shared_image_version.v3_0_0"], 0).stdout;
    assert!(shown.contains("vhdstore.blob.core.windows.net") && shown.contains("storageAccounts/vhdstore"), "{shown}");
    let shown = run(&["state", "show", "azurerm_shared_image_version.v2_0_0"], 0).stdout;
    assert!(shown.contains("snapshots/os-2024"), "{shown}");

    // The source is fixed: another snapshot is a forbidden change.
    let moved = text.replace("snapshots/os-2024", "snapshots/os-2025");
    std::fs::write(t.dir().join("main.tf"), &moved).unwrap();
    let forbidden = run(&["plan"], 1);
    assert!(forbidden.stdout.contains("`os_disk_snapshot_id` cannot change after creation"), "{}", forbidden.stdout);

    // A snapshot the cloud does not hold, and one in another region, are the service's refusals.
    let missing = text.clone() + &version("4.0.0", &format!("  os_disk_snapshot_id = \"{snapshot}-gone\"\n"));
    std::fs::write(t.dir().join("main.tf"), &missing).unwrap();
    let failed = run(&["apply", "--auto-approve"], 1);
    let out = format!("{}{}", failed.stdout, failed.stderr);
    assert!(out.contains("the source snapshot") && out.contains("was not found"), "{out}");
    let west = format!("/subscriptions/{SUB}/resourceGroups/rg-disks/providers/Microsoft.Compute/snapshots/os-west");
    run(&["emulator", "add-snapshot", &west, "--hyper-v", "V2", "--location", "westus"], 0);
    let far = text + &version("4.0.0", &format!("  os_disk_snapshot_id = \"{west}\"\n"));
    std::fs::write(t.dir().join("main.tf"), &far).unwrap();
    let failed = run(&["apply", "--auto-approve"], 1);
    let out = format!("{}{}", failed.stdout, failed.stderr);
    assert!(out.contains("the source snapshot is in West US"), "{out}");
}

/// `azurerm_subscription` (the provider's, or one named) and `azurerm_images` (a resource group's
/// managed images, filtered by tags) are read from the cloud when planning.
#[test]
fn the_subscription_and_a_groups_images_are_read() {
    let t = Test::new().example("quickstart").seeded();
    let dir = t.dir().to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    let packer = format!("/subscriptions/{SUB}/resourceGroups/rg-packer/providers/Microsoft.Compute/images");
    run(&["emulator", "add-image", &format!("{packer}/ubuntu-b"), "--hyper-v", "V2", "--size-gb", "40"], 0);
    run(&["emulator", "add-image", &format!("{packer}/ubuntu-a"), "--hyper-v", "V2"], 0);
    run(&["emulator", "set", &format!("{packer}/ubuntu-b"), "tags={ pipeline = \"nightly\" }"], 0);
    let text = t.read("main.tf")
        + r#"
data "azurerm_subscription" "current" {}

data "azurerm_images" "packer" {
  resource_group_name = "rg-packer"
}

data "azurerm_images" "nightly" {
  resource_group_name = "rg-packer"
  tags_filter         = { pipeline = "nightly" }
}

output "subscription" {
  value = "${data.azurerm_subscription.current.display_name} (${data.azurerm_subscription.current.state}) in ${data.azurerm_subscription.current.tenant_id}"
}

output "images" {
  value = [for i in data.azurerm_images.packer.images : "${i.name}:${i.os_disk[0].size_gb}"]
}

output "nightly" {
  value = data.azurerm_images.nightly.images[*].name
}
"#;
    std::fs::write(t.dir().join("main.tf"), &text).unwrap();
    run(&["apply", "--auto-approve"], 0);
    let out = run(&["output", "--json"], 0).stdout;
    let outputs: Json = serde_json::from_str(&out).unwrap();
    assert_eq!(
        outputs["subscription"]["value"],
        format!("sigform emulator {SUB} (Enabled) in 00000000-0000-0000-0000-000000000000")
    );
    assert_eq!(outputs["images"]["value"], serde_json::json!(["ubuntu-a:30", "ubuntu-b:40"]));
    assert_eq!(outputs["nightly"]["value"], serde_json::json!(["ubuntu-b"]));

    // None found is an error with its cause, as in azurerm; so is an unknown subscription.
    let none = text.replace("pipeline = \"nightly\"", "pipeline = \"weekly\"");
    std::fs::write(t.dir().join("main.tf"), &none).unwrap();
    let plan = run(&["plan"], 1);
    assert!(plan.stderr.contains("SIG011") && plan.stderr.contains("no images found"), "{}", plan.stderr);
    let other = text.replace(
        "data \"azurerm_subscription\" \"current\" {}",
        "data \"azurerm_subscription\" \"current\" {\n  subscription_id = \"99999999-0000-0000-0000-000000000000\"\n}",
    );
    std::fs::write(t.dir().join("main.tf"), &other).unwrap();
    let plan = run(&["plan"], 1);
    assert!(plan.stderr.contains("SIG005") && plan.stderr.contains("no such resource"), "{}", plan.stderr);
}

/// A custom role (azurerm_role_definition at the subscription, as users write it) is created and
/// assigned by id and by name; the access report says what each role lets its holders do; the
/// role's permissions update in place; the data source reads built-in and custom roles.
#[test]
fn custom_roles_are_defined_assigned_and_understood() {
    let t = Test::new().example("quickstart");
    let text = t.read("main.tf")
        + r#"
data "azurerm_subscription" "primary" {}

resource "azurerm_role_definition" "publisher" {
  name        = "Image Publisher"
  scope       = data.azurerm_subscription.primary.id
  description = "Publishes image versions; deletes none"

  permissions {
    actions     = ["Microsoft.Compute/galleries/read", "Microsoft.Compute/galleries/images/versions/*"]
    not_actions = ["Microsoft.Compute/galleries/images/versions/delete"]
  }

  assignable_scopes = [data.azurerm_subscription.primary.id]
}

resource "azurerm_role_assignment" "pipeline" {
  scope              = azurerm_shared_image_gallery.main.id
  role_definition_id = azurerm_role_definition.publisher.role_definition_resource_id
  principal_id       = "aaaaaaaa-0000-4000-8000-00000000000a"
  principal_type     = "ServicePrincipal"
}

resource "azurerm_role_assignment" "release_team" {
  scope                = azurerm_shared_image.ubuntu.id
  role_definition_name = azurerm_role_definition.publisher.name
  principal_id         = "aaaaaaaa-0000-4000-8000-00000000000b"
  principal_type       = "Group"
}

data "azurerm_role_definition" "reader" {
  name = "Reader"
}

data "azurerm_role_definition" "publisher" {
  role_definition_id = azurerm_role_definition.publisher.role_definition_id
}

output "reader_actions" {
  value = data.azurerm_role_definition.reader.permissions[0].actions
}

output "publisher_denies" {
  value = data.azurerm_role_definition.publisher.permissions[0].not_actions
}
"#;
    std::fs::write(t.dir().join("main.tf"), &text).unwrap();
    let dir = t.dir().to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    let plan = run(&["plan"], 0);
    assert!(plan.stdout.contains("azurerm_role_definition.publisher will be created"), "{}", plan.stdout);
    run(&["apply", "--auto-approve"], 0);
    assert!(run(&["plan", "--detailed-exitcode"], 0).stdout.starts_with("No changes."));
    run(&["drift"], 0);
    let outputs: Json = serde_json::from_str(&run(&["output", "--json"], 0).stdout).unwrap();
    assert_eq!(outputs["reader_actions"]["value"], serde_json::json!(["*/read"]));
    assert_eq!(
        outputs["publisher_denies"]["value"],
        serde_json::json!(["Microsoft.Compute/galleries/images/versions/delete"])
    );
    let access = run(&["access"], 0).stdout;
    assert!(
        access.contains("aaaaaaaa-0000-4000-8000-00000000000a (ServicePrincipal): Image Publisher (may deploy, publish) on 1 gallery, 1 definition, 1 version"),
        "{access}"
    );
    assert!(access.contains("(Group): Image Publisher (may deploy, publish) on 1 definition, 1 version"), "{access}");
    assert!(access.contains("Reader (may deploy)"), "{access}");

    // Permissions change in place; the GUID is fixed.
    std::fs::write(
        t.dir().join("main.tf"),
        text.replace("    not_actions = [\"Microsoft.Compute/galleries/images/versions/delete\"]\n", ""),
    )
    .unwrap();
    let plan = run(&["plan", "--detailed-exitcode"], 2);
    assert!(plan.stdout.contains("1 to change, 0 to destroy, 0 forbidden"), "{}", plan.stdout);
    run(&["apply", "--auto-approve"], 0);
    let access = run(&["access"], 0).stdout;
    assert!(access.contains("Image Publisher (may deploy, publish, delete)"), "{access}");

    // A role nobody defined is refused by the service, as Azure refuses it.
    let unknown = text.replace(
        "role_definition_name = azurerm_role_definition.publisher.name",
        "role_definition_name = \"Image Janitor\"",
    );
    std::fs::write(t.dir().join("main.tf"), unknown).unwrap();
    let failed = run(&["apply", "--auto-approve"], 1);
    let out = format!("{}{}", failed.stdout, failed.stderr);
    assert!(out.contains("Image Janitor"), "{out}");
}
