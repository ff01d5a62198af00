//! `sigform plan`, `show` and the state commands through the binary, against states seeded the
//! way a successful apply leaves them.

#[macro_use]
mod common;
use common::Test;
use serde_json::Value as Json;

/// A resource's entry in a JSON plan's `resource_changes`.
fn change_of<'a>(json: &'a Json, address: &str) -> &'a Json {
    json["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == address)
        .unwrap_or_else(|| panic!("no change for {address} in the JSON plan"))
}

fn quickstart() -> Test {
    Test::new().example("quickstart")
}

#[test]
fn an_empty_state_plans_every_create() {
    let out = quickstart().arg("plan").status(0);
    assert!(out.stdout.contains("Plan: 6 to add, 0 to change, 0 to destroy, 0 forbidden.\n"), "{}", out.stdout);
    // 30 GB: East US 2 replicas + West Europe 1 (LRS at $0.05) + South Central US 1 (ZRS at
    // $0.0625) = 30 × (0.10 + 0.05 + 0.0625) = $6.375 a month; two copies out of the source
    // region at $0.02/GB = $1.20.
    assert!(
        out.stdout.contains("Cost: +$6.38 per month of replica storage, $1.20 once for replication egress"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("Replication: about 24 minutes"), "{}", out.stdout);
    assert!(out.stdout.contains("+ 11111111-2222-3333-4444-555555555555 (Group) gains Reader on 1 gallery, 1 definition, 1 version via azurerm_role_assignment.app_team_reader"), "{}", out.stdout);
    snapshot!("plan_create_quickstart", out.stdout);
    quickstart().args(&["plan", "--detailed-exitcode"]).status(2);
    assert!(!common::state_exists(&quickstart().run().dir), "plan never creates a state");
}

#[test]
fn an_applied_configuration_plans_no_changes() {
    let out = quickstart().seeded().arg("plan").status(0);
    assert_eq!(out.stdout, "No changes. The configuration and the state agree.\n");
    quickstart().seeded().args(&["plan", "--detailed-exitcode"]).status(0);
}

/// A rule's error stops the plan whether or not it refreshes (the rules run alongside the state
/// read and the planning), and no plan file is written.
#[test]
fn a_rule_error_stops_the_plan_with_or_without_refresh() {
    for args in [&["plan", "--out", "p.plan"][..], &["plan", "--refresh=false", "--out", "p.plan"]] {
        let out = quickstart().seeded().edit("\"golden_images\"", "\"golden-images\"").args(args).status(1);
        assert!(out.stderr.contains("SIG101"), "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("No plan:"), "{args:?}: {}", out.stderr);
        assert!(!out.stdout.contains("Plan:"), "{args:?}: {}", out.stdout);
        assert!(!std::path::Path::new(&out.dir).join("p.plan").exists(), "{args:?}");
    }
    let out = quickstart().seeded().args(&["plan", "--refresh=false"]).status(0);
    assert!(out.stdout.starts_with("No changes."), "{}", out.stdout);
}

#[test]
fn an_updatable_change_plans_an_update_in_place() {
    let t = quickstart()
        .seeded()
        .edit(
            "description         = \"Hardened base images for every team\"",
            "description         = \"Hardened images\"",
        )
        .edit("regional_replica_count = 2", "regional_replica_count = 3")
        .arg("plan");
    let out = t.status(0);
    snapshot!("plan_update", out.stdout);
    let detailed = quickstart()
        .seeded()
        .edit("owner = \"platform\"", "owner = \"images-team\"")
        .args(&["plan", "--detailed-exitcode"])
        .status(2);
    assert!(detailed.stdout.contains("Plan: 0 to add, 1 to change, 0 to destroy, 0 forbidden."), "{}", detailed.stdout);
}

#[test]
fn a_fixed_change_is_forbidden_with_rule_and_attribute() {
    let t = quickstart().seeded().edit("sku       = \"22.04-lts\"", "sku       = \"22.04-pro\"").arg("plan");
    let out = t.status(1);
    snapshot!("plan_forbidden", out.stdout);
    assert!(
        out.stdout.contains("SIG501 azurerm_shared_image.ubuntu: `identifier.sku` cannot change after creation"),
        "{}",
        out.stdout
    );
    assert!(out.stderr.contains("the plan cannot be applied"), "{}", out.stderr);
    // --detailed-exitcode does not turn an error into "changes".
    quickstart()
        .seeded()
        .edit("sku       = \"22.04-lts\"", "sku       = \"22.04-pro\"")
        .args(&["plan", "--detailed-exitcode"])
        .status(1);
}

#[test]
fn replace_turns_it_into_delete_then_create_listing_the_children() {
    let t = quickstart().seeded().edit("sku       = \"22.04-lts\"", "sku       = \"22.04-pro\"").args(&[
        "plan",
        "--replace",
        "azurerm_shared_image.ubuntu",
    ]);
    let out = t.status(0);
    snapshot!("plan_replace", out.stdout);
    assert!(out.stdout.contains(
        "azurerm_shared_image_version.v1 will be replaced (replaced with its parent azurerm_shared_image.ubuntu)"
    ));
    assert!(out.stdout.contains("Plan: 2 to add, 0 to change, 2 to destroy, 0 forbidden."));

    let typo = quickstart().seeded().args(&["plan", "--replace", "azurerm_shared_image.ubunt"]).status(1);
    assert!(typo.stderr.contains("did you mean azurerm_shared_image.ubuntu?"), "{}", typo.stderr);
    let fresh = quickstart().args(&["plan", "--replace", "azurerm_shared_image.ubuntu"]).status(1);
    assert!(fresh.stderr.contains("nothing to replace"), "{}", fresh.stderr);
}

#[test]
fn removed_resources_are_destroyed_and_prevent_destroy_blocks() {
    let config = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/quickstart/main.tf")).unwrap();
    let without_role = config[..config.find("# Everyone in the app team").unwrap()].to_string()
        + &config[config.find("output \"latest_version_id\"").unwrap()..];
    let out = quickstart().seeded().config(&without_role).arg("plan").status(0);
    assert!(
        out.stdout.contains("azurerm_role_assignment.app_team_reader will be destroyed (not in the configuration)"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("Plan: 0 to add, 0 to change, 1 to destroy, 0 forbidden."));

    let guarded = quickstart()
        .seeded()
        .edit(
            "  location = \"East US\"\n}",
            "  location = \"East US\"\n\n  lifecycle {\n    prevent_destroy = true\n  }\n}",
        )
        .args(&["plan", "--destroy"]);
    let out = guarded.status(1);
    assert!(out.stdout.contains("SIG504 azurerm_resource_group.images"), "{}", out.stdout);
    assert!(out.stdout.contains("5 to destroy, 1 forbidden"), "{}", out.stdout);
}

#[test]
fn json_plans_follow_terraforms_format() {
    let t = quickstart()
        .seeded()
        .edit("sku       = \"22.04-lts\"", "sku       = \"22.04-pro\"")
        .edit("owner = \"platform\"", "owner = \"x\"")
        .args(&["plan", "--json"]);
    let out = t.status(1);
    assert_eq!(out.stdout.lines().count(), 1, "one line");
    let plan: Json = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(plan["format_version"], "1.2");
    assert!(plan["terraform_version"].as_str().unwrap().starts_with("1."));
    assert_eq!(plan["applyable"], false);
    assert_eq!(plan["errored"], false);
    let changes = plan["resource_changes"].as_array().unwrap();
    assert_eq!(changes.len(), 6);
    let by = |address: &str| changes.iter().find(|c| c["address"] == address).unwrap();
    let gallery = by("azurerm_shared_image_gallery.main");
    assert_eq!(gallery["mode"], "managed");
    assert_eq!(gallery["type"], "azurerm_shared_image_gallery");
    assert_eq!(gallery["name"], "main");
    assert!(gallery.get("index").is_none());
    assert_eq!(gallery["provider_name"], "registry.terraform.io/hashicorp/azurerm");
    assert_eq!(gallery["change"]["actions"], serde_json::json!(["update"]));
    assert_eq!(gallery["change"]["before"]["tags"]["owner"], "platform");
    assert_eq!(gallery["change"]["after"]["tags"]["owner"], "x");
    assert_eq!(gallery["change"]["after_unknown"], serde_json::json!({}));
    let definition = by("azurerm_shared_image.ubuntu");
    assert_eq!(definition["change"]["actions"], serde_json::json!(["delete", "create"]));
    assert_eq!(definition["action_reason"], "replace_because_cannot_update");
    assert_eq!(definition["change"]["replace_paths"], serde_json::json!([["identifier", "sku"]]));
    assert_eq!(by("azurerm_resource_group.images")["change"]["actions"], serde_json::json!(["no-op"]));
    let rg = &by("azurerm_resource_group.images")["change"];
    assert_eq!(rg["after"], rg["before"], "a no-op's after is its before");
    assert_eq!(rg["after"]["name"], "rg-golden-images");
    let forbidden = &plan["sigform"]["forbidden"];
    assert_eq!(forbidden[0]["rule"], "SIG501");
    assert_eq!(forbidden[0]["attribute"], "identifier.sku");
    assert_eq!(plan["resource_drift"], serde_json::json!([]));
    assert!(plan["planned_values"]["root_module"]["resources"].as_array().unwrap().len() == 6);
    assert_eq!(plan["configuration"]["provider_config"]["azurerm"]["name"], "azurerm");
    assert_eq!(plan["output_changes"]["latest_version_id"]["actions"], serde_json::json!(["no-op"]));
    assert!(plan["sigform"]["lineage"].as_str().unwrap().len() == 36);
}

#[test]
fn saved_plans_show_as_they_were_planned() {
    let t = quickstart().seeded().edit("owner = \"platform\"", "owner = \"x\"").args(&["plan", "--out", "change.plan"]);
    let out = t.status(0);
    assert!(out.stdout.contains("Saved the plan to change.plan"), "{}", out.stdout);
    let shown = Test::new().chdir(out.dir.to_str().unwrap()).args(&["show", "change.plan"]).status(0);
    assert_eq!(shown.stdout, out.stdout[..out.stdout.find("\nSaved the plan").unwrap()]);
    let json = Test::new().chdir(out.dir.to_str().unwrap()).args(&["show", "--json", "change.plan"]).status(0);
    let plan: Json = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(plan["applyable"], true);
    let pulled: Json =
        serde_json::from_str(&Test::new().chdir(out.dir.to_str().unwrap()).args(&["state", "pull"]).status(0).stdout)
            .unwrap();
    assert_eq!(plan["sigform"]["serial"], pulled["serial"], "the plan binds to the state's serial");
    assert_eq!(plan["sigform"]["lineage"], pulled["lineage"]);
    std::fs::write(out.dir.join("bad.plan"), "{\"format\": 99}").unwrap();
    let bad = Test::new().chdir(out.dir.to_str().unwrap()).args(&["show", "bad.plan"]).status(1);
    assert!(bad.stderr.contains("format 99"), "{}", bad.stderr);
}

/// A plan file changed by hand, or crafted with a correct checksum but a change that has neither
/// record, is refused whole by `show` and `apply`: exit 1, a clear reason, and nothing created
/// (the emulator stays empty, the state is not even created).
#[test]
fn a_plan_file_that_is_not_whole_is_refused_before_anything_happens() {
    let t = quickstart().args(&["plan", "--out", "new.plan"]);
    let out = t.status(0);
    let dir = out.dir.to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    let text = std::fs::read_to_string(out.dir.join("new.plan")).unwrap();
    std::fs::write(out.dir.join("edited.plan"), text.replacen("\"action\": \"create\"", "\"action\": \"no-op\"", 1))
        .unwrap();
    for args in [&["show", "edited.plan"][..], &["apply", "edited.plan"]] {
        let refused = run(args, 1);
        assert!(refused.stderr.contains("changed after it was written"), "{args:?}: {}", refused.stderr);
    }
    // The same defect with its checksum made to match: the shape check refuses it.
    let mut json: Json = serde_json::from_str(&text).unwrap();
    json["changes"][0]["before"] = Json::Null;
    json["changes"][0]["after"] = Json::Null;
    json.as_object_mut().unwrap().remove("checksum");
    let sum = {
        use sha2::Digest;
        sha2::Sha256::digest(json.to_string().as_bytes()).iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    json["checksum"] = Json::String(sum);
    std::fs::write(out.dir.join("crafted.plan"), json.to_string()).unwrap();
    for args in [&["show", "crafted.plan"][..], &["show", "--json", "crafted.plan"], &["apply", "crafted.plan"]] {
        let refused = run(args, 1);
        assert!(refused.stderr.contains("is not a whole plan"), "{args:?}: {}", refused.stderr);
    }
    assert!(run(&["emulator", "list"], 0).stdout.trim().is_empty(), "nothing was created");
    assert!(!out.dir.join("state/sigform.db").exists(), "the state was not touched");
    // The file as written applies.
    run(&["apply", "new.plan"], 0);
}

#[test]
fn state_commands_round_trip() {
    let t = quickstart().seeded();
    let dir = t.dir().to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    let list = run(&["state", "list"], 0);
    assert_eq!(list.stdout.lines().count(), 6);
    assert!(list.stdout.contains("azurerm_shared_image_version.v1\n"));
    let show = run(&["state", "show", "azurerm_shared_image_gallery.main"], 0);
    snapshot!("state_show_gallery", show.stdout);
    let typo = run(&["state", "show", "azurerm_shared_image_gallery.mian"], 1);
    assert!(typo.stderr.contains("did you mean azurerm_shared_image_gallery.main?"), "{}", typo.stderr);

    let serial = |out: &str| serde_json::from_str::<Json>(out).unwrap()["serial"].as_u64().unwrap();
    let before = serial(&run(&["state", "pull"], 0).stdout);
    run(&["state", "mv", "azurerm_role_assignment.app_team_reader", "azurerm_role_assignment.readers"], 0);
    let pulled: Json = serde_json::from_str(&run(&["state", "pull"], 0).stdout).unwrap();
    assert_eq!(pulled["serial"].as_u64().unwrap(), before + 1, "one change, one serial");
    assert!(pulled["resources"].as_array().unwrap().iter().any(|r| r["address"] == "azurerm_role_assignment.readers"));
    // The configuration still says app_team_reader: the plan now moves nothing but re-creates it.
    let plan = run(&["plan"], 0);
    assert!(plan.stdout.contains("azurerm_role_assignment.app_team_reader will be created"), "{}", plan.stdout);
    assert!(plan.stdout.contains("azurerm_role_assignment.readers will be destroyed"), "{}", plan.stdout);

    run(&["state", "rm", "azurerm_role_assignment.readers"], 0);
    assert_eq!(run(&["state", "list"], 0).stdout.lines().count(), 5);
    let history = run(&["state", "history", "--limit", "2"], 0);
    let lines: Vec<&str> = history.stdout.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].contains("state rm") && lines[0].contains("azurerm_role_assignment.readers"), "{lines:?}");
    assert!(lines[1].contains("move"), "{lines:?}");

    let output = run(&["output", "latest_version_id"], 0);
    assert!(output.stdout.contains("/versions/1.0.0\""), "{}", output.stdout);
    let outputs: Json = serde_json::from_str(&run(&["output", "--json"], 0).stdout).unwrap();
    assert_eq!(outputs["latest_version_id"]["sensitive"], false);
    let shown: Json = serde_json::from_str(&run(&["show", "--json"], 0).stdout).unwrap();
    assert_eq!(shown["values"]["root_module"]["resources"].as_array().unwrap().len(), 5);
}

#[test]
fn foreign_and_corrupt_states_are_refused_untouched() {
    // Files only: the PostgreSQL counterpart (a schema holding something else) is in state_store.rs.
    if common::postgres_mode() {
        return;
    }
    let t = quickstart().file("state/sigform.db", "this is not a database").arg("plan");
    let out = t.status(1);
    assert!(out.stderr.contains("is not a sigform state database; it was left untouched"), "{}", out.stderr);
    assert_eq!(t.read("state/sigform.db"), "this is not a database");
    let list = quickstart().file("other.db", "x").args(&["--state", "other.db", "state", "list"]).status(1);
    assert!(list.stderr.contains("other.db is not a sigform state"), "{}", list.stderr);
}

#[test]
fn targets_limit_the_plan_to_what_they_need() {
    let out = quickstart().args(&["plan", "--target", "azurerm_shared_image.ubuntu"]).status(0);
    assert!(out.stdout.contains("Plan: 3 to add"), "{}", out.stdout);
    assert!(!out.stdout.contains("azurerm_shared_image_version.v1"));
    let bad = quickstart().args(&["plan", "--target", "nonsense"]).status(1);
    assert!(bad.stderr.contains("is not a resource address"), "{}", bad.stderr);
}

#[test]
fn sensitive_outputs_are_redacted_in_every_view() {
    let config = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/quickstart/main.tf")).unwrap()
        + "\noutput \"secret\" {\n  value     = \"s3cr3t-token\"\n  sensitive = true\n}\n";
    let human = Test::new().config(&config).arg("plan").status(0);
    assert!(human.stdout.contains("+ secret = (sensitive value)"), "{}", human.stdout);
    assert!(!human.stdout.contains("s3cr3t-token"));
    let json = Test::new().config(&config).args(&["plan", "--json"]).status(0);
    assert!(!json.stdout.contains("s3cr3t-token"), "the JSON plan leaks a sensitive output");
    let plan: Json = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(plan["output_changes"]["secret"]["after_sensitive"], true);
    let t = Test::new().config(&config).seeded();
    let listed = Test::new().chdir(t.dir().to_str().unwrap()).arg("output").status(0);
    assert!(
        listed.stdout.contains("secret = (sensitive value)") && !listed.stdout.contains("s3cr3t"),
        "{}",
        listed.stdout
    );
    let asked = Test::new().chdir(t.dir().to_str().unwrap()).args(&["output", "secret"]).status(0);
    assert_eq!(asked.stdout.trim(), "\"s3cr3t-token\"", "asking for it by name shows it, as Terraform does");
}

#[test]
fn prices_come_from_the_configuration_or_a_file() {
    let config = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/quickstart/main.tf")).unwrap();
    let inline = config.clone()
        + "\nsigform {\n  prices {\n    standard_lrs_gb_month = 0.10\n    file                  = \"prices.json\"\n  }\n}\n";
    let t = Test::new()
        .config(&inline)
        .file("prices.json", r#"{"standard_zrs_gb_month": 0.20, "egress_gb": 0.05}"#)
        .arg("plan");
    let out = t.status(0);
    // 30 × (2 × 0.10 + 1 × 0.10 + 1 × 0.20) = 15.00; 2 × 30 × 0.05 = 3.00
    assert!(
        out.stdout.contains(
            "Cost: +$15.00 per month of replica storage, $3.00 once for replication egress (prices of configured)"
        ),
        "{}",
        out.stdout
    );
    let missing = Test::new().config(&inline).arg("plan").status(1);
    assert!(missing.stderr.contains("cannot use the price file"), "{}", missing.stderr);
}

/// A `moved` block renames what the state records instead of destroying and creating it: the plan
/// says so (and gives Terraform's `previous_address`), apply renames the record, and the next plan
/// is empty.
#[test]
fn moved_blocks_rename_instead_of_replacing() {
    let t = quickstart().seeded();
    let dir = t.dir().to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    let text = t.read("main.tf").replace(
        "resource \"azurerm_role_assignment\" \"app_team_reader\"",
        "resource \"azurerm_role_assignment\" \"readers\"",
    ) + "\nmoved {\n  from = azurerm_role_assignment.app_team_reader\n  to   = azurerm_role_assignment.readers\n}\n";
    std::fs::write(t.dir().join("main.tf"), text).unwrap();
    let plan = run(&["plan"], 0);
    assert!(
        plan.stdout.contains("# azurerm_role_assignment.app_team_reader has moved to azurerm_role_assignment.readers"),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("Plan: 0 to add, 0 to change, 0 to destroy, 0 forbidden."), "{}", plan.stdout);
    let json: Json = serde_json::from_str(&run(&["plan", "--json"], 0).stdout).unwrap();
    let moved = change_of(&json, "azurerm_role_assignment.readers");
    assert_eq!(moved["previous_address"], "azurerm_role_assignment.app_team_reader");
    assert_eq!(moved["change"]["actions"], serde_json::json!(["no-op"]));
    run(&["apply", "--auto-approve"], 0);
    let list = run(&["state", "list"], 0).stdout;
    assert!(list.contains("azurerm_role_assignment.readers\n") && !list.contains("app_team_reader"), "{list}");
    let again = run(&["plan", "--detailed-exitcode"], 0);
    assert!(again.stdout.starts_with("No changes."), "{}", again.stdout);
}

/// `import` blocks adopt what exists: the plan reads it from the cloud and says "N to import"
/// (and `change.importing` in JSON), apply records it, and the next plan is empty. A block whose
/// resource is not in the cloud is a located error.
#[test]
fn import_blocks_adopt_what_exists() {
    let made = quickstart().seeded();
    let dir = made.dir().to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    // Forget the gallery's role assignment, then adopt it back with an import block.
    let id = run(&["state", "show", "azurerm_role_assignment.app_team_reader"], 0)
        .stdout
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("id")
                .map(|rest| rest.trim().trim_start_matches('=').trim().trim_matches('"').to_string())
        })
        .expect("the state shows the id");
    run(&["state", "rm", "azurerm_role_assignment.app_team_reader"], 0);
    let text = made.read("main.tf")
        + &format!("\nimport {{\n  to = azurerm_role_assignment.app_team_reader\n  id = \"{id}\"\n}}\n");
    std::fs::write(made.dir().join("main.tf"), &text).unwrap();
    let plan = run(&["plan"], 0);
    assert!(plan.stdout.contains("# azurerm_role_assignment.app_team_reader will be imported"), "{}", plan.stdout);
    assert!(plan.stdout.contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy"), "{}", plan.stdout);
    let json: Json = serde_json::from_str(&run(&["plan", "--json"], 0).stdout).unwrap();
    let change = change_of(&json, "azurerm_role_assignment.app_team_reader");
    assert_eq!(change["change"]["importing"]["id"], Json::String(id.clone()));
    run(&["apply", "--auto-approve"], 0);
    assert!(run(&["state", "list"], 0).stdout.contains("azurerm_role_assignment.app_team_reader\n"));
    let again = run(&["plan", "--detailed-exitcode"], 0);
    assert!(again.stdout.starts_with("No changes."), "{}", again.stdout);

    let missing = text.replace(&id, &format!("{id}0"));
    run(&["state", "rm", "azurerm_role_assignment.app_team_reader"], 0);
    std::fs::write(made.dir().join("main.tf"), missing).unwrap();
    let refused = run(&["plan"], 1);
    assert!(refused.stderr.contains("SIG005"), "{}", refused.stderr);
}

/// Local modules, as the `modules` example organises an image factory: a gallery module and an
/// image module called once per image (`for_each` over a map). Everything plans under module
/// paths, applies, plans no changes; a changed module argument updates inside the instances;
/// state, targets and the JSON plan name module paths as Terraform does.
#[test]
fn local_modules_plan_apply_and_update_under_module_paths() {
    let t = Test::new().example("modules");
    let dir = t.dir().to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    let plan = run(&["plan"], 0);
    for created in [
        "# module.gallery.azurerm_shared_image_gallery.this will be created",
        "# module.gallery.azurerm_role_assignment.reader[\"33333333-3333-3333-3333-333333333333\"] will be created",
        "# module.image[\"ubuntu\"].azurerm_shared_image_version.this[\"1.0.0\"] will be created",
        "# module.image[\"windows\"].azurerm_image.build[\"2.0.0\"] will be created",
    ] {
        assert!(plan.stdout.contains(created), "{created}\n{}", plan.stdout);
    }
    assert!(plan.stdout.contains("Plan: 11 to add, 0 to change, 0 to destroy"), "{}", plan.stdout);
    // `description = null` leaves the non-nullable variable its default.
    assert!(plan.stdout.contains("description         = \"Images built by the platform team\""), "{}", plan.stdout);

    let json: Json = serde_json::from_str(&run(&["plan", "--json"], 0).stdout).unwrap();
    let change = change_of(&json, "module.image[\"ubuntu\"].azurerm_shared_image.this");
    assert_eq!(change["module_address"], "module.image[\"ubuntu\"]");
    assert_eq!(change["name"], "this");
    let children: Vec<&str> = json["planned_values"]["root_module"]["child_modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["address"].as_str().unwrap())
        .collect();
    assert_eq!(children, ["module.gallery", "module.image[\"ubuntu\"]", "module.image[\"windows\"]"]);
    let calls = &json["configuration"]["root_module"]["module_calls"];
    assert_eq!(calls["image"]["module"]["resources"].as_array().unwrap().len(), 3, "{calls}");

    run(&["apply", "--auto-approve"], 0);
    let again = run(&["plan", "--detailed-exitcode"], 0);
    assert!(again.stdout.starts_with("No changes."), "{}", again.stdout);
    let list = run(&["state", "list"], 0).stdout;
    assert!(list.contains("module.image[\"windows\"].azurerm_shared_image_version.this[\"2.0.0\"]\n"), "{list}");
    let shown = run(&["state", "show", "module.gallery.azurerm_shared_image_gallery.this"], 0).stdout;
    assert!(shown.contains("name                = \"image_factory\""), "{shown}");
    let outputs = run(&["output", "--json"], 0).stdout;
    assert!(outputs.contains("/images/ubuntu/versions/1.1.0"), "{outputs}");

    // One argument of one instance changes: its versions update, nothing else does.
    let text = t.read("main.tf").replace("replicas = 2", "replicas = 3");
    std::fs::write(t.dir().join("main.tf"), text).unwrap();
    let update = run(&["plan", "--detailed-exitcode"], 2);
    assert!(
        update.stdout.contains(
            "# module.image[\"ubuntu\"].azurerm_shared_image_version.this[\"1.1.0\"] will be updated in-place"
        ),
        "{}",
        update.stdout
    );
    assert!(update.stdout.contains("Plan: 0 to add, 2 to change, 0 to destroy"), "{}", update.stdout);
    let targeted =
        run(&["plan", "--target", "module.image[\"ubuntu\"].azurerm_shared_image_version.this[\"1.0.0\"]"], 0);
    assert!(targeted.stdout.contains("Plan: 0 to add, 1 to change, 0 to destroy"), "{}", targeted.stdout);
    run(&["apply", "--auto-approve"], 0);
    assert!(run(&["plan", "--detailed-exitcode"], 0).stdout.starts_with("No changes."));
}

/// `removed` blocks: with `destroy = false` the state forgets the resource and Azure keeps it
/// (shown as "1 to forget", Terraform's `forget` action in JSON; an import block adopts it back);
/// without, it is destroyed; naming a block the configuration still declares is an error.
#[test]
fn removed_blocks_forget_or_destroy() {
    let t = quickstart().seeded();
    let dir = t.dir().to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    let original = t.read("main.tf");
    let start = original.find("resource \"azurerm_role_assignment\"").unwrap();
    let end = original[start..].find("\n}\n").unwrap() + start + 3;
    let assignment = &original[start..end];
    let forget =
        "removed {\n  from = azurerm_role_assignment.app_team_reader\n\n  lifecycle {\n    destroy = false\n  }\n}\n";
    std::fs::write(t.dir().join("main.tf"), original.replace(assignment, forget)).unwrap();
    let plan = run(&["plan"], 0);
    assert!(
        plan.stdout.contains(
            "# azurerm_role_assignment.app_team_reader will no longer be managed by sigform; it stays in Azure"
        ),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("Plan: 0 to add, 0 to change, 0 to destroy, 1 to forget, 0 forbidden."),
        "{}",
        plan.stdout
    );
    let id = plan.stdout.split("[id=").nth(1).and_then(|rest| rest.split(']').next()).unwrap().to_string();
    let json: Json = serde_json::from_str(&run(&["plan", "--json"], 0).stdout).unwrap();
    let forgotten = change_of(&json, "azurerm_role_assignment.app_team_reader");
    assert_eq!(forgotten["change"]["actions"], serde_json::json!(["forget"]));
    run(&["apply", "--auto-approve"], 0);
    assert!(!run(&["state", "list"], 0).stdout.contains("app_team_reader"));
    assert!(run(&["plan", "--detailed-exitcode"], 0).stdout.starts_with("No changes."));

    // Still in Azure: an import block adopts it back.
    let adopt = format!("{assignment}import {{\n  to = azurerm_role_assignment.app_team_reader\n  id = \"{id}\"\n}}\n");
    std::fs::write(t.dir().join("main.tf"), original.replace(assignment, &adopt)).unwrap();
    let back = run(&["plan"], 0);
    assert!(back.stdout.contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy"), "{}", back.stdout);
    run(&["apply", "--auto-approve"], 0);

    // Naming what is still declared is refused where it is written.
    let both = format!("{original}\n{forget}");
    std::fs::write(t.dir().join("main.tf"), &both).unwrap();
    let refused = run(&["validate"], 1);
    assert!(
        refused.stderr.contains("SIG004") && refused.stderr.contains("the removed block names"),
        "{}",
        refused.stderr
    );

    // Without `destroy = false` it is destroyed, as any resource gone from the configuration.
    let destroy = "removed {\n  from = azurerm_role_assignment.app_team_reader\n}\n";
    std::fs::write(t.dir().join("main.tf"), original.replace(assignment, destroy)).unwrap();
    let gone = run(&["plan"], 0);
    assert!(gone.stdout.contains("# azurerm_role_assignment.app_team_reader will be destroyed"), "{}", gone.stdout);
    assert!(gone.stdout.contains("0 to add, 0 to change, 1 to destroy, 0 forbidden."), "{}", gone.stdout);
}

/// `import` with `for_each`: one import per element, the key and the id built from `each`.
#[test]
fn import_blocks_with_for_each_adopt_every_element() {
    let t = Test::new().example("multi-region").seeded();
    let dir = t.dir().to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    let gallery_id = run(&["state", "show", "azurerm_shared_image_gallery.gallery"], 0)
        .stdout
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("id")
                .map(|rest| rest.trim().trim_start_matches('=').trim().trim_matches('"').to_string())
        })
        .expect("the state shows the gallery's id");
    for image in ["ubuntu-2204", "windows-2022"] {
        run(&["state", "rm", &format!("azurerm_shared_image.image[\"{image}\"]")], 0);
    }
    let text = t.read("main.tf")
        + &format!(
            "\nimport {{\n  for_each = var.images\n  to       = azurerm_shared_image.image[each.key]\n  id       = \"{gallery_id}/images/${{each.key}}\"\n}}\n"
        );
    std::fs::write(t.dir().join("main.tf"), text).unwrap();
    let plan = run(&["plan"], 0);
    for image in ["ubuntu-2204", "windows-2022"] {
        assert!(
            plan.stdout.contains(&format!("# azurerm_shared_image.image[\"{image}\"] will be imported")),
            "{}",
            plan.stdout
        );
    }
    assert!(plan.stdout.contains("Plan: 2 to import, 0 to add, 0 to change, 0 to destroy"), "{}", plan.stdout);
    run(&["apply", "--auto-approve"], 0);
    assert!(run(&["plan", "--detailed-exitcode"], 0).stdout.starts_with("No changes."));
}

/// `moved` between modules: renaming a module call moves every record in it, keys kept.
#[test]
fn moved_blocks_rename_modules() {
    let t = Test::new().example("modules").seeded();
    let dir = t.dir().to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    let text = t
        .read("main.tf")
        .replace("module \"image\" {", "module \"images\" {")
        .replace("module.image :", "module.images :")
        + "\nmoved {\n  from = module.image\n  to   = module.images\n}\n";
    std::fs::write(t.dir().join("main.tf"), text).unwrap();
    let plan = run(&["plan"], 0);
    assert!(
        plan.stdout.contains(
            "# module.image[\"ubuntu\"].azurerm_shared_image_version.this[\"1.0.0\"] has moved to module.images[\"ubuntu\"].azurerm_shared_image_version.this[\"1.0.0\"]"
        ),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("Plan: 0 to add, 0 to change, 0 to destroy"), "{}", plan.stdout);
    run(&["apply", "--auto-approve"], 0);
    let list = run(&["state", "list"], 0).stdout;
    assert!(
        list.contains("module.images[\"windows\"].azurerm_shared_image.this\n") && !list.contains("module.image["),
        "{list}"
    );
    assert!(run(&["plan", "--detailed-exitcode"], 0).stdout.starts_with("No changes."));
}

/// An image definition's security type and features, purchase plan and disallowed disk types are
/// created, read back without drift, and judged as azurerm 4.x has them: release notes and
/// disallowed disk types update in place, the security type is fixed, an end-of-life date cannot
/// be cleared once set.
#[test]
fn definition_features_are_created_and_judged_as_azurerm_has_them() {
    let t = quickstart().edit(
        "  os_type             = \"Linux\"\n  hyper_v_generation  = \"V2\"\n",
        "  os_type             = \"Linux\"\n  hyper_v_generation  = \"V2\"\n  trusted_launch_supported            = true\n  accelerated_network_support_enabled = true\n  disk_controller_type_nvme_enabled   = true\n  disk_types_not_allowed              = [\"Standard_LRS\"]\n  release_note_uri                    = \"https://contoso.example/notes/1\"\n  end_of_life_date                    = \"2031-01-01T00:00:00Z\"\n\n  purchase_plan {\n    name      = \"hardened\"\n    publisher = \"contoso\"\n    product   = \"ubuntu-hardened\"\n  }\n",
    );
    let dir = t.dir().to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    let plan = run(&["plan"], 0);
    assert!(plan.stdout.contains("+ trusted_launch_supported            = true"), "{}", plan.stdout);
    run(&["apply", "--auto-approve"], 0);
    // Read back from the cloud (features, disallowed, purchase plan): no drift, no change.
    let again = run(&["plan", "--detailed-exitcode"], 0);
    assert!(again.stdout.starts_with("No changes."), "{}", again.stdout);
    run(&["drift"], 0);

    let edit = |from: &str, to: &str| {
        let text = std::fs::read_to_string(t.dir().join("main.tf")).unwrap();
        assert!(text.contains(from), "{from}");
        std::fs::write(t.dir().join("main.tf"), text.replace(from, to)).unwrap();
    };
    edit("notes/1", "notes/2");
    edit("[\"Standard_LRS\"]", "[\"Premium_LRS\", \"Standard_LRS\"]");
    let update = run(&["plan", "--detailed-exitcode"], 2);
    assert!(update.stdout.contains("Plan: 0 to add, 1 to change, 0 to destroy, 0 forbidden."), "{}", update.stdout);
    run(&["apply", "--auto-approve"], 0);
    assert!(run(&["plan", "--detailed-exitcode"], 0).stdout.starts_with("No changes."));

    edit("  end_of_life_date                    = \"2031-01-01T00:00:00Z\"\n", "");
    edit("trusted_launch_supported            = true", "trusted_launch_enabled              = true");
    let forbidden = run(&["plan"], 1);
    let out = format!("{}{}", forbidden.stdout, forbidden.stderr);
    assert!(out.contains("`end_of_life_date` cannot be cleared once set"), "{out}");
    assert!(out.contains("`trusted_launch_supported` cannot change after creation"), "{out}");
}

/// A role assignment may name its role by id (a built-in's id reads as its name in the access
/// report) and carry an ABAC condition; both are created, read back without drift, and fixed.
#[test]
fn role_assignments_by_definition_id_with_a_condition() {
    let t = quickstart();
    let reader = "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7";
    let text = t.read("main.tf").replace(
        "  role_definition_name = \"Reader\"\n",
        &format!(
            "  role_definition_id   = \"{reader}\"\n  condition            = \"@Resource[Microsoft.Compute/galleries:name] StringEquals 'golden_images'\"\n  condition_version    = \"2.0\"\n  delegated_managed_identity_resource_id = \"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-lighthouse/providers/Microsoft.ManagedIdentity/userAssignedIdentities/msp\"\n"
        ),
    );
    assert!(text.contains("role_definition_id"), "the quickstart's role assignment changed shape");
    std::fs::write(t.dir().join("main.tf"), &text).unwrap();
    let dir = t.dir().to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    run(&["apply", "--auto-approve"], 0);
    assert!(run(&["plan", "--detailed-exitcode"], 0).stdout.starts_with("No changes."));
    let shown = run(&["state", "show", "azurerm_role_assignment.app_team_reader"], 0).stdout;
    assert!(shown.contains("condition_version") && shown.contains("= \"2.0\""), "{shown}");
    assert!(shown.contains("userAssignedIdentities/msp"), "{shown}");
    let access = run(&["access"], 0).stdout;
    assert!(access.contains("Reader"), "{access}");
    let text = std::fs::read_to_string(t.dir().join("main.tf")).unwrap().replace("\"2.0\"", "\"1.0\"");
    std::fs::write(t.dir().join("main.tf"), text).unwrap();
    let forbidden = run(&["plan"], 1);
    assert!(forbidden.stdout.contains("`condition_version` cannot change after creation"), "{}", forbidden.stdout);
}

/// A community gallery: the sharing profile with its publisher's details is created, read back
/// without drift, and fixed afterwards (as azurerm has it).
#[test]
fn community_galleries_are_created_and_their_sharing_is_fixed() {
    let t = quickstart().edit(
        "  description         = \"Hardened base images for every team\"\n",
        "  description         = \"Hardened base images for every team\"\n\n  sharing {\n    permission = \"Community\"\n\n    community_gallery {\n      eula            = \"https://contoso.example/eula\"\n      prefix          = \"contoso\"\n      publisher_email = \"images@contoso.example\"\n      publisher_uri   = \"https://contoso.example\"\n    }\n  }\n",
    );
    let dir = t.dir().to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    // The public name Azure gives the community gallery is known after apply, then from the state.
    let with_output = t.read("main.tf")
        + "\noutput \"community_name\" {\n  value = azurerm_shared_image_gallery.main.sharing[0].community_gallery[0].name\n}\n";
    std::fs::write(t.dir().join("main.tf"), &with_output).unwrap();
    let plan = run(&["plan"], 0);
    assert!(plan.stdout.contains("+ community_name = (known after apply)"), "{}", plan.stdout);
    run(&["apply", "--auto-approve"], 0);
    assert!(run(&["plan", "--detailed-exitcode"], 0).stdout.starts_with("No changes."));
    run(&["drift"], 0);
    let name = run(&["output", "community_name"], 0).stdout;
    assert!(name.trim().trim_matches('"').starts_with("contoso-") && name.len() > 20, "{name}");
    let shown = run(&["state", "show", "azurerm_shared_image_gallery.main"], 0).stdout;
    assert!(shown.contains(name.trim().trim_matches('"')), "{shown}");
    let text = std::fs::read_to_string(t.dir().join("main.tf")).unwrap().replace("\"contoso\"", "\"contosoimages\"");
    std::fs::write(t.dir().join("main.tf"), text).unwrap();
    let forbidden = run(&["plan"], 1);
    assert!(
        forbidden.stdout.contains("`sharing.community_gallery.prefix` cannot change after creation"),
        "{}",
        forbidden.stdout
    );
    // Under the first documented service there is no sharing beyond the tenant.
    let old = Test::new().chdir(&dir).env("SIGFORM_SERVICE_PROFILE", "2018-06-01").arg("validate").status(1);
    assert!(old.stderr.contains("SIG603"), "{}", old.stderr);
}

/// `data "azurerm_client_config"` knows the caller's object id when planning (from the token's
/// `oid` over ARM), so a role assignment for "whoever runs this" plans and applies in one go.
#[test]
fn the_callers_object_id_is_known_when_planning() {
    let t = quickstart();
    let text = t.read("main.tf")
        + "\ndata \"azurerm_client_config\" \"me\" {}\n\nresource \"azurerm_role_assignment\" \"publisher\" {\n  scope                = azurerm_shared_image_gallery.main.id\n  role_definition_name = \"Compute Gallery Artifacts Publisher\"\n  principal_id         = data.azurerm_client_config.me.object_id\n}\n";
    std::fs::write(t.dir().join("main.tf"), &text).unwrap();
    let dir = t.dir().to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    let plan = run(&["plan"], 0);
    assert!(plan.stdout.contains("principal_id         = \"5161f0a0-0000-4000-8000-000000000001\""), "{}", plan.stdout);
    run(&["apply", "--auto-approve"], 0);
    assert!(run(&["plan", "--detailed-exitcode"], 0).stdout.starts_with("No changes."));
}

/// Today's Azure keeps the regions a version was replicated to unless it was created with
/// `deletion_of_replicated_locations_enabled`: the multi-region example sets it, so a new version
/// moves the previous newest back to its source region; without it, plan refuses (SIG506).
#[test]
fn a_new_version_steps_the_previous_one_back_only_where_azure_allows_it() {
    for (allowed, edit) in [(true, None), (false, Some("  deletion_of_replicated_locations_enabled = true\n"))] {
        let t = Test::new().example("multi-region");
        if let Some(line) = edit {
            let text = t.read("main.tf").replace(line, "");
            std::fs::write(t.dir().join("main.tf"), text).unwrap();
        }
        let t = t.seeded();
        let dir = t.dir().to_str().unwrap().to_string();
        let vars = t
            .read("terraform.tfvars")
            .replace("[\"1.0.0\", \"1.1.0\", \"1.2.0\"]", "[\"1.0.0\", \"1.1.0\", \"1.2.0\", \"1.3.0\"]");
        std::fs::write(t.dir().join("terraform.tfvars"), vars).unwrap();
        let plan = Test::new().chdir(&dir).arg("plan").run();
        if allowed {
            assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
            assert!(
                plan.stdout
                    .contains("azurerm_shared_image_version.version[\"ubuntu-2204/1.2.0\"] will be updated in-place"),
                "{}",
                plan.stdout
            );
        } else {
            assert_eq!(plan.code, 1, "{}", plan.stdout);
            assert!(
                plan.stdout.contains("SIG506") || plan.stderr.contains("SIG506"),
                "{}\n{}",
                plan.stdout,
                plan.stderr
            );
        }
    }
}

/// State-only resources: `random_string`/`random_integer`/`random_pet`/`terraform_data` get their
/// values when planning (so the names and ids made of them are known), keep them while their
/// arguments stay, and are replaced when `keepers` change — and then the plan says which Azure
/// names that would rename, which Azure forbids.
#[test]
fn random_values_are_decided_once_and_kept() {
    let config = r#"provider "random" {}

resource "random_string" "suffix" {
  length  = 6
  special = false
  upper   = false
  keepers = {
    generation = "1"
  }
}

resource "random_integer" "pick" {
  min = 0
  max = 1
}

resource "random_pet" "team" {}

resource "terraform_data" "build" {
  input = { image = "ubuntu" }
}

resource "azurerm_resource_group" "rg" {
  name     = "rg-images-${random_string.suffix.result}"
  location = ["eastus", "westeurope"][random_integer.pick.result]
  tags = {
    team  = random_pet.team.id
    image = terraform_data.build.output.image
  }
}

output "group" {
  value = azurerm_resource_group.rg.name
}
"#;
    let t = Test::new().config(config);
    let dir = t.dir().to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    let plan = run(&["plan"], 0);
    assert!(plan.stdout.contains("+ name     = \"rg-images-"), "the name is known when planning:\n{}", plan.stdout);
    run(&["apply", "--auto-approve"], 0);
    let group = run(&["output", "group"], 0).stdout;
    let suffix = group.trim().trim_matches('"').trim_start_matches("rg-images-").to_string();
    assert_eq!(suffix.len(), 6, "{group}");
    assert!(suffix.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()), "{suffix}");
    assert!(run(&["plan", "--detailed-exitcode"], 0).stdout.starts_with("No changes."), "kept, not drawn again");
    run(&["drift"], 0);

    // terraform_data's input updates in place; the tag follows.
    std::fs::write(t.dir().join("main.tf"), config.replace("image = \"ubuntu\" }", "image = \"windows\" }")).unwrap();
    let update = run(&["plan"], 0);
    assert!(update.stdout.contains("# terraform_data.build will be updated in-place"), "{}", update.stdout);
    run(&["apply", "--auto-approve"], 0);

    // New keepers: a new suffix, which would rename the resource group — refused at plan time.
    let text = config
        .replace("image = \"ubuntu\" }", "image = \"windows\" }")
        .replace("generation = \"1\"", "generation = \"2\"");
    std::fs::write(t.dir().join("main.tf"), text).unwrap();
    let replace = run(&["plan"], 1);
    assert!(
        replace
            .stdout
            .contains("# random_string.suffix will be replaced (`keepers` changed, which forces a new value)"),
        "{}",
        replace.stdout
    );
    assert!(
        replace.stdout.contains("SIG501 azurerm_resource_group.rg: `name` cannot change after creation"),
        "{}",
        replace.stdout
    );
}

/// Sensitive variables mark what is made of them, as in Terraform: the plan shows "(sensitive
/// value)" for those arguments (also inside a module the value is passed to, and in the JSON
/// plan's `after_sensitive`); a root output made of one must say `sensitive = true`; `nonsensitive()`
/// lifts the mark.
#[test]
fn sensitive_values_are_not_shown() {
    let config = r#"variable "note" {
  type      = string
  sensitive = true
  default   = "rotate the signing key every 90 days"
}

locals {
  description = "Platform images. ${var.note}"
}

resource "azurerm_resource_group" "rg" {
  name     = "rg-secret-notes"
  location = "eastus"
}

resource "azurerm_shared_image_gallery" "g" {
  name                = "notes"
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_resource_group.rg.location
  description         = local.description
  tags = {
    length = nonsensitive(tostring(length(var.note)))
  }
}

module "inner" {
  source = "./inner"
  text   = var.note
}

resource "azurerm_resource_group" "copy" {
  name     = "rg-copied-notes"
  location = "eastus"
  tags = {
    copied = azurerm_shared_image_gallery.g.description
  }
}

output "length" {
  value = nonsensitive(length(var.note))
}
"#;
    let inner = r#"variable "text" {
  type = string
}

resource "azurerm_resource_group" "inner" {
  name     = "rg-inner"
  location = "eastus"
  tags = {
    note = var.text
  }
}
"#;
    let t = Test::new().config(config).file("inner/main.tf", inner);
    let dir = t.dir().to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    let plan = run(&["plan"], 0);
    assert!(!plan.stdout.contains("rotate the signing key"), "{}", plan.stdout);
    assert!(plan.stdout.contains("+ description         = (sensitive value)"), "{}", plan.stdout);
    assert!(plan.stdout.contains("+ tags     = (sensitive value)"), "the module's resource:\n{}", plan.stdout);
    assert!(plan.stdout.contains("length = \"36\""), "nonsensitive() shows:\n{}", plan.stdout);
    assert_eq!(
        plan.stdout.matches("+ tags     = (sensitive value)").count(),
        2,
        "through the gallery's description:\n{}",
        plan.stdout
    );
    let json: Json = serde_json::from_str(&run(&["plan", "--json"], 0).stdout).unwrap();
    let gallery = change_of(&json, "azurerm_shared_image_gallery.g");
    assert_eq!(gallery["change"]["after_sensitive"], serde_json::json!({"description": true}));

    for leak in ["local.description", "azurerm_shared_image_gallery.g.description"] {
        std::fs::write(t.dir().join("main.tf"), format!("{config}\noutput \"leak\" {{\n  value = {leak}\n}}\n"))
            .unwrap();
        let refused = run(&["validate"], 1);
        assert!(
            refused.stderr.contains("SIG004") && refused.stderr.contains("output \"leak\" refers to sensitive values"),
            "{leak}: {}",
            refused.stderr
        );
    }
}

/// The compatibility corpus (`tests/it/corpus`): configurations in the shapes real gallery
/// configurations have — the provider's acceptance style, an image factory over maps with
/// optional attributes, a verified-module style call with null arguments, a community gallery,
/// random names and YAML, conditional creation, checks and templates, two subscriptions, a Packer
/// pipeline, refactors with moved blocks, images × regions, data sources read during apply, nested
/// modules, an import of what was made by hand, sensitive inputs, a removed block, lists of objects,
/// access for the deployer, version lifecycles, build stamps — each runs unchanged: validate → plan
/// → apply → empty re-plan → clean drift → export, whose plan only imports, applied, then empty
/// and clean → destroy.
#[test]
fn the_compatibility_corpus_runs_unchanged() {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/corpus");
    let mut names: Vec<String> =
        std::fs::read_dir(&corpus).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().to_string()).collect();
    names.sort();
    assert!(names.len() >= 20, "{names:?}");
    for name in names {
        let t = Test::new().corpus(&name);
        let dir = t.dir().to_str().unwrap().to_string();
        let run = |args: &[&str]| Test::new().chdir(&dir).args(args).run();
        // What exists before the configuration does (the image Packer left behind).
        if let Ok(setup) = std::fs::read_to_string(t.dir().join("setup.args")) {
            for line in setup.lines().filter(|l| !l.trim().is_empty()) {
                let args: Vec<&str> = line.split_whitespace().collect();
                let out = run(&args);
                assert_eq!(out.code, 0, "{name}: setup {line}\n{}", out.stderr);
            }
        }
        for (args, want) in [
            (&["validate"][..], 0),
            (&["plan"][..], 0),
            (&["apply", "--auto-approve"][..], 0),
            (&["plan", "--detailed-exitcode"][..], 0),
            (&["drift"][..], 0),
        ] {
            let out = run(args);
            assert_eq!(out.code, want, "{name}: sigform {args:?}\n{}\n{}", out.stdout, out.stderr);
        }
        // What the configuration made, exported and adopted by another configuration: its plan
        // only imports, and once applied nothing differs.
        let exported = tempfile::tempdir().unwrap();
        let out_dir = exported.path().join("adopted");
        let out = run(&["export", "--out", out_dir.to_str().unwrap()]);
        let managed = run(&["state", "list"]).stdout;
        if out.stderr.contains("nothing to export") && !managed.contains("azurerm_shared_image_gallery.") {
            // No gallery here (a resource group alone): export has nothing to adopt.
            let out = run(&["destroy", "--auto-approve"]);
            assert_eq!(out.code, 0, "{name}: destroy\n{}\n{}", out.stdout, out.stderr);
            continue;
        }
        assert_eq!(out.code, 0, "{name}: export\n{}\n{}", out.stdout, out.stderr);
        let db = t.dir().join("state/emulator.db");
        let adopted = |args: &[&str]| {
            Test::new()
                .chdir(out_dir.to_str().unwrap())
                .env("SIGFORM_EMULATOR_DB", db.to_str().unwrap())
                .args(args)
                .run()
        };
        let plan = adopted(&["plan"]);
        assert_eq!(plan.code, 0, "{name}: plan of the export\n{}\n{}", plan.stdout, plan.stderr);
        assert!(
            plan.stdout.contains("to import, 0 to add, 0 to change, 0 to destroy, 0 forbidden"),
            "{name}: the export's plan does more than import:\n{}",
            plan.stdout
        );
        for (args, want) in
            [(&["apply", "--auto-approve"][..], 0), (&["plan", "--detailed-exitcode"][..], 0), (&["drift"][..], 0)]
        {
            let out = adopted(args);
            assert_eq!(out.code, want, "{name}: export, then sigform {args:?}\n{}\n{}", out.stdout, out.stderr);
        }
        let out = run(&["destroy", "--auto-approve"]);
        assert_eq!(out.code, 0, "{name}: destroy\n{}\n{}", out.stdout, out.stderr);
        let left = run(&["state", "list"]);
        assert!(left.stdout.trim().is_empty(), "{name}: left in the state after destroy:\n{}", left.stdout);
    }
}

/// The gallery data source lists the gallery's image definitions (`image_names`), as azurerm's
/// does: one list call when planning.
#[test]
fn the_gallery_data_source_names_its_images() {
    let t = quickstart().seeded();
    let text = t.read("main.tf")
        + "\ndata \"azurerm_shared_image_gallery\" \"existing\" {\n  name                = \"golden_images\"\n  resource_group_name = \"rg-golden-images\"\n}\n\noutput \"images\" {\n  value = data.azurerm_shared_image_gallery.existing.image_names\n}\n";
    std::fs::write(t.dir().join("main.tf"), text).unwrap();
    let dir = t.dir().to_str().unwrap().to_string();
    let plan = Test::new().chdir(&dir).arg("plan").status(0);
    assert!(plan.stdout.contains("+ images = [\"ubuntu-22.04\"]"), "{}", plan.stdout);
}

/// `azurerm_shared_image_versions` lists a definition's versions — those a pipeline published
/// included — lowest first, with `tags_filter`; one list call when planning.
#[test]
fn the_versions_data_source_lists_a_definitions_versions() {
    let t = quickstart().seeded();
    let dir = t.dir().to_str().unwrap().to_string();
    let base = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-golden-images/providers/Microsoft.Compute";
    for version in ["0.9.0", "1.10.0", "1.2.0"] {
        Test::new()
            .chdir(&dir)
            .args(&[
                "emulator",
                "publish-version",
                &format!("{base}/galleries/golden_images/images/ubuntu-22.04/versions/{version}"),
                "--image",
                &format!("{base}/images/ubuntu-2204-base"),
                "--region",
                "eastus=2",
            ])
            .status(0);
    }
    let text = t.read("main.tf")
        + r#"
data "azurerm_shared_image_versions" "all" {
  gallery_name        = "golden_images"
  image_name          = "ubuntu-22.04"
  resource_group_name = "rg-golden-images"
}

data "azurerm_shared_image_versions" "platform" {
  gallery_name        = "golden_images"
  image_name          = "ubuntu-22.04"
  resource_group_name = "rg-golden-images"
  tags_filter         = { owner = "nobody" }
}

output "names" {
  value = [for v in data.azurerm_shared_image_versions.all.images : v.name]
}

output "east_replicas" {
  value = [for v in data.azurerm_shared_image_versions.all.images : v.target_region[0].regional_replica_count]
}
"#;
    std::fs::write(t.dir().join("main.tf"), text.replace(
        "data \"azurerm_shared_image_versions\" \"platform\" {\n  gallery_name        = \"golden_images\"\n  image_name          = \"ubuntu-22.04\"\n  resource_group_name = \"rg-golden-images\"\n  tags_filter         = { owner = \"nobody\" }\n}\n",
        "",
    ))
    .unwrap();
    let plan = Test::new().chdir(&dir).arg("plan").status(0);
    assert!(plan.stdout.contains(r#"+ names = ["0.9.0", "1.0.0", "1.2.0", "1.10.0"]"#), "{}", plan.stdout);
    assert!(plan.stdout.contains("+ east_replicas = [2, 2, 2, 2]"), "{}", plan.stdout);

    // A filter that matches nothing fails, as azurerm's data source does.
    std::fs::write(t.dir().join("main.tf"), &text).unwrap();
    let plan = Test::new().chdir(&dir).arg("plan").status(1);
    assert!(plan.stderr.contains("SIG011") && plan.stderr.contains("no image versions"), "{}", plan.stderr);
}

/// `data "azurerm_image"` with `name_regex`: the first image of the group whose name matches, in
/// name order — the newest of a Packer pipeline's with `sort_descending`; `name` and `name_regex`
/// are one or the other (SIG003).
#[test]
fn the_image_data_source_finds_an_image_by_regex() {
    let t = quickstart().seeded();
    let dir = t.dir().to_str().unwrap().to_string();
    let base = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-packer/providers/Microsoft.Compute/images";
    for name in ["ubuntu-2024-01", "ubuntu-2024-03", "ubuntu-2024-02", "windows-2024-05"] {
        Test::new()
            .chdir(&dir)
            .args(&["emulator", "add-image", &format!("{base}/{name}"), "--location", "eastus", "--hyper-v", "V2"])
            .status(0);
    }
    let with = |data: &str| {
        std::fs::write(
            t.dir().join("main.tf"),
            t.read("main.tf").split("\ndata \"azurerm_image\"").next().unwrap().to_string() + data,
        )
        .unwrap();
        Test::new().chdir(&dir).arg("plan").run()
    };
    let newest = with(
        "\ndata \"azurerm_image\" \"packer\" {\n  name_regex          = \"^ubuntu-\"\n  sort_descending     = true\n  resource_group_name = \"rg-packer\"\n}\n\noutput \"image\" {\n  value = data.azurerm_image.packer.name\n}\n",
    );
    assert_eq!(newest.code, 0, "{}\n{}", newest.stdout, newest.stderr);
    assert!(newest.stdout.contains("+ image = \"ubuntu-2024-03\""), "{}", newest.stdout);
    let oldest = with(
        "\ndata \"azurerm_image\" \"packer\" {\n  name_regex          = \"^ubuntu-\"\n  resource_group_name = \"rg-packer\"\n}\n\noutput \"image\" {\n  value = data.azurerm_image.packer.id\n}\n",
    );
    assert!(oldest.stdout.contains("images/ubuntu-2024-01\""), "{}", oldest.stdout);
    let both = with(
        "\ndata \"azurerm_image\" \"packer\" {\n  name                = \"ubuntu-2024-01\"\n  name_regex          = \"^ubuntu-\"\n  resource_group_name = \"rg-packer\"\n}\n",
    );
    assert_eq!(both.code, 1);
    assert!(both.stderr.contains("SIG003") && both.stderr.contains("named once"), "{}", both.stderr);
}

/// A management lock is created, updated in place (its notes and level, as ARM's PUT allows),
/// and holds what it covers: plan refuses a delete under a CanNotDelete lock and any write under
/// a ReadOnly one (SIG507), whether the lock is the configuration's or only the cloud's; removing
/// the lock in the same plan lets the delete through, the lock going first.
#[test]
fn management_locks_hold_what_they_cover() {
    let lock = "\nresource \"azurerm_management_lock\" \"gallery\" {\n  name       = \"keep-golden-images\"\n  scope      = azurerm_shared_image_gallery.main.id\n  lock_level = \"CanNotDelete\"\n  notes      = \"Deployments use these images\"\n}\n";
    let t = quickstart();
    let v2 = "\nresource \"azurerm_shared_image_version\" \"v2\" {\n  name                = \"2.0.0\"\n  gallery_name        = azurerm_shared_image_gallery.main.name\n  image_name          = azurerm_shared_image.ubuntu.name\n  resource_group_name = azurerm_resource_group.images.name\n  location            = azurerm_resource_group.images.location\n  managed_image_id    = azurerm_image.ubuntu.id\n\n  target_region {\n    name = \"East US\"\n  }\n}\n";
    let base = t.read("main.tf") + v2;
    let with_lock = base.clone() + lock;
    std::fs::write(t.dir().join("main.tf"), &with_lock).unwrap();
    let dir = t.dir().to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    let write = |text: &str| std::fs::write(t.dir().join("main.tf"), text).unwrap();
    run(&["apply", "--auto-approve"], 0);
    assert!(run(&["plan", "--detailed-exitcode"], 0).stdout.starts_with("No changes."));
    run(&["drift"], 0);
    let shown = run(&["state", "show", "azurerm_management_lock.gallery"], 0).stdout;
    assert!(shown.contains("/providers/Microsoft.Authorization/locks/keep-golden-images"), "{shown}");

    // Notes change in place.
    let noted = with_lock.replace("Deployments use these images", "Production deployments use these images");
    write(&noted);
    let plan = run(&["plan", "--detailed-exitcode"], 2);
    assert!(plan.stdout.contains("1 to change"), "{}", plan.stdout);
    run(&["apply", "--auto-approve"], 0);

    // Deleting the version under the lock is refused when planning.
    let without_version = noted.replace(v2, "");
    write(&without_version);
    let refused = run(&["plan"], 1);
    let out = format!("{}{}", refused.stdout, refused.stderr);
    assert!(out.contains("SIG507"), "{out}");
    assert!(out.contains("CanNotDelete lock azurerm_management_lock.gallery"), "{out}");

    // A ReadOnly lock refuses writes too: a tag on the gallery.
    let read_only = noted.replace("\"CanNotDelete\"", "\"ReadOnly\"");
    write(&read_only);
    run(&["apply", "--auto-approve"], 0);
    write(&read_only.replace("owner = \"platform\"", "owner = \"platform-team\""));
    let refused = run(&["plan"], 1);
    let out = format!("{}{}", refused.stdout, refused.stderr);
    assert!(out.contains("SIG507") && out.contains("cannot be changed"), "{out}");

    // A lock only the cloud knows holds as well.
    run(&["state", "rm", "azurerm_management_lock.gallery"], 0);
    write(
        &without_version.replace("\"CanNotDelete\"", "\"ReadOnly\"").replace(lock_block(&without_version).as_str(), ""),
    );
    let refused = run(&["plan"], 1);
    let out = format!("{}{}", refused.stdout, refused.stderr);
    assert!(out.contains("SIG507") && out.contains("ReadOnly lock"), "{out}");

    // Taken under management again and removed with the version: the lock goes first.
    let lock_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-golden-images/providers/Microsoft.Compute/galleries/golden_images/providers/Microsoft.Authorization/locks/keep-golden-images";
    write(&read_only);
    run(&["import", "azurerm_management_lock.gallery", lock_id], 0);
    write(&without_version.replace(lock_block(&without_version).as_str(), ""));
    let plan = run(&["plan"], 0);
    assert!(plan.stdout.contains("2 to destroy, 0 forbidden"), "{}", plan.stdout);
    run(&["apply", "--auto-approve"], 0);
    assert!(run(&["plan", "--detailed-exitcode"], 0).stdout.starts_with("No changes."));
}

/// The `azurerm_management_lock` block of a configuration, as written.
fn lock_block(text: &str) -> String {
    let start = text.find("\nresource \"azurerm_management_lock\"").expect("a lock block");
    let end = start + 1 + text[start + 1..].find("\n}\n").unwrap() + 3;
    text[start..end].to_string()
}

/// VM applications: an application and a version replicated to two regions are created, read back
/// without drift, gain a region in place, and refuse a new package (fixed, as azurerm has it);
/// export writes them with references to their gallery and application.
#[test]
fn gallery_applications_are_published_and_replicated() {
    let app = r#"
resource "azurerm_gallery_application" "agent" {
  name              = "monitoring-agent"
  gallery_id        = azurerm_shared_image_gallery.main.id
  location          = azurerm_resource_group.images.location
  supported_os_type = "Linux"
  description       = "The monitoring agent every VM runs"
  eula              = "https://contoso.example/eula"
}

resource "azurerm_gallery_application_version" "agent" {
  for_each               = { "1.4.0" = "agent-1.4.0.tar.gz" }
  name                   = each.key
  gallery_application_id = azurerm_gallery_application.agent.id
  location               = azurerm_gallery_application.agent.location
  package_file           = each.value

  manage_action {
    install = "tar -xzf ${each.value} && ./install.sh"
    remove  = "./uninstall.sh"
  }

  source {
    media_link = "https://packagestore.blob.core.windows.net/apps/${each.value}"
  }

  target_region {
    name                   = azurerm_gallery_application.agent.location
    regional_replica_count = 2
  }

  target_region {
    name                   = "westeurope"
    regional_replica_count = 1
  }
}
"#;
    let t = quickstart();
    let text = t.read("main.tf") + app;
    std::fs::write(t.dir().join("main.tf"), &text).unwrap();
    let dir = t.dir().to_str().unwrap().to_string();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    let plan = run(&["plan"], 0);
    assert!(
        plan.stdout.contains("azurerm_gallery_application_version.agent[\"1.4.0\"] will be created"),
        "{}",
        plan.stdout
    );
    run(&["apply", "--auto-approve"], 0);
    assert!(run(&["plan", "--detailed-exitcode"], 0).stdout.starts_with("No changes."));
    run(&["drift"], 0);
    let shown = run(&["state", "show", "azurerm_gallery_application_version.agent[\"1.4.0\"]"], 0).stdout;
    assert!(shown.contains("galleries/golden_images/applications/monitoring-agent/versions/1.4.0"), "{shown}");

    // Another region and a description change in place.
    let grown = text
        .replace("The monitoring agent every VM runs", "The monitoring agent")
        .replace(
            "    name                   = \"westeurope\"\n    regional_replica_count = 1\n  }\n",
            "    name                   = \"westeurope\"\n    regional_replica_count = 1\n  }\n\n  target_region {\n    name                   = \"southcentralus\"\n    regional_replica_count = 1\n  }\n",
        );
    std::fs::write(t.dir().join("main.tf"), &grown).unwrap();
    let plan = run(&["plan", "--detailed-exitcode"], 2);
    assert!(plan.stdout.contains("0 to add, 2 to change, 0 to destroy, 0 forbidden"), "{}", plan.stdout);
    run(&["apply", "--auto-approve"], 0);
    assert!(run(&["plan", "--detailed-exitcode"], 0).stdout.starts_with("No changes."));

    // The package is fixed.
    std::fs::write(t.dir().join("main.tf"), grown.replace("/apps/${each.value}", "/apps/v2/${each.value}")).unwrap();
    let forbidden = run(&["plan"], 1);
    assert!(forbidden.stdout.contains("`source.media_link` cannot change after creation"), "{}", forbidden.stdout);

    // Exported with references, and adopted without changes.
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("exported");
    run(&["export", "--out", target.to_str().unwrap()], 0);
    let main = std::fs::read_to_string(target.join("main.tf")).unwrap();
    assert!(main.contains("gallery_id        = azurerm_shared_image_gallery.golden_images.id"), "{main}");
    let versions = std::fs::read_to_string(target.join("main.tf")).unwrap()
        + &std::fs::read_to_string(target.join("versions.tf")).unwrap_or_default();
    assert!(
        versions.contains("gallery_application_id = azurerm_gallery_application.monitoring_agent.id"),
        "{versions}"
    );
}
