//! `sigform { retention }`: versions a pipeline publishes converge to the policy — the newest
//! stay, older ones shrink to their source region, the oldest go — with every safety rule
//! holding, the savings shown first, and a converged cloud planning nothing.

mod common;
use common::Test;
use serde_json::Value as Json;

const SUB: &str = "00000000-0000-0000-0000-000000000000";
const DAY: i64 = 86_400;

fn definition() -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/rg-golden-images/providers/Microsoft.Compute/galleries/golden_images/images/ubuntu-22.04"
    )
}

fn image() -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg-golden-images/providers/Microsoft.Compute/images/ubuntu-2204-base")
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// RFC 3339 for `age_days` ago.
fn ago(age_days: f64) -> String {
    let secs = now() - (age_days * DAY as f64) as i64;
    let days = secs.div_euclid(DAY);
    let rem = secs.rem_euclid(DAY);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// A Packer-like pipeline run: version `name` of the quickstart's definition, in East US (two
/// replicas) and West Europe, published `age_days` ago, its regions removable later.
fn publish(dir: &str, name: &str, age_days: f64, extra: &[&str]) {
    let id = format!("{}/versions/{name}", definition());
    let published = ago(age_days);
    let mut args = vec![
        "emulator",
        "publish-version",
        &id,
        "--image",
        &image_arg(),
        "--region",
        "eastus=2",
        "--region",
        "westeurope",
        "--allow-region-removal",
        "--published",
        &published,
    ];
    args.extend_from_slice(extra);
    Test::new().chdir(dir).args(&args).status(0);
}

fn image_arg() -> &'static str {
    Box::leak(image().into_boxed_str())
}

const POLICY: &str = r#"
sigform {
  retention {
    definitions       = [azurerm_shared_image.ubuntu.id]
    keep_versions     = 3
    older_regions     = "source"
    delete_after      = "60d"
    include_unmanaged = true

    protect {
      tags = { pinned = "true" }
    }
  }

  prices {
    standard_lrs_gb_month = 0.10
  }
}
"#;

/// The versions of the definition the cloud holds: name → (regions, replicas in East US).
fn versions(dir: &str) -> std::collections::BTreeMap<String, (usize, u64)> {
    let list = Test::new().chdir(dir).args(&["emulator", "list", "--json"]).status(0).stdout;
    let all: Vec<Json> = serde_json::from_str(&list).unwrap();
    all.iter()
        .filter(|r| r["type"] == "azurerm_shared_image_version")
        .map(|r| {
            let regions = r["properties"]["target_region"].as_array().unwrap();
            let east = regions
                .iter()
                .find(|t| t["name"].as_str().is_some_and(|n| n.replace(' ', "").eq_ignore_ascii_case("eastus")))
                .and_then(|t| t["regional_replica_count"].as_u64())
                .unwrap_or(0);
            (r["properties"]["name"].as_str().unwrap().to_string(), (regions.len(), east))
        })
        .collect()
}

/// The savings are shown before anything is touched, priced with the configuration's table:
/// 30 GB in East US ×2 and West Europe ×1 at $0.10 is $9.00 a month; shrunk to East US ×1 it is
/// $3.00 (saves $6.00); deleted it saves all $9.00.
#[test]
fn the_plan_shows_what_retention_does_and_saves() {
    let t = Test::new().example("quickstart").seeded();
    let dir = t.dir().to_str().unwrap().to_string();
    for (name, age) in [("3.0.0", 100.0), ("3.0.1", 50.0), ("3.0.2", 20.0), ("3.0.3", 10.0), ("3.0.4", 1.0)] {
        publish(&dir, name, age, &[]);
    }
    // Past its end of life, one of the newest goes as well — once published longer ago than
    // delete_after; 3.0.9 is too recent for that (and newest: never).
    publish(&dir, "3.0.8", 70.0, &[]);
    publish(&dir, "3.0.9", 70.0, &[]);
    for v in ["3.0.8", "3.0.9"] {
        let id = format!("{}/versions/{v}", definition());
        Test::new().chdir(&dir).args(&["emulator", "set", &id, "end_of_life_date=\"2026-01-01T00:00:00Z\""]).status(0);
    }
    std::fs::write(t.dir().join("main.tf"), t.read("main.tf") + POLICY).unwrap();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    let plan = run(&["plan"], 0).stdout;
    assert!(plan.contains("Retention (sigform { retention }):"), "{plan}");
    assert!(
        plan.contains("golden_images/ubuntu-22.04/3.0.1 shrinks to East US (1 replica): older than the 3 newest (saves $6.00 per month)"),
        "{plan}"
    );
    assert!(
        plan.contains("golden_images/ubuntu-22.04/3.0.0 deleted: older than the 3 newest, published 100 days ago (saves $9.00 per month)"),
        "{plan}"
    );
    assert!(
        plan.contains("golden_images/ubuntu-22.04/3.0.8 deleted: past its end of life, published 70 days ago (saves $9.00 per month)"),
        "{plan}"
    );
    // 3.0.8 going does not count among the newest kept: those are 3.0.9, 3.0.4 and 3.0.3, so
    // 3.0.2 shrinks with 3.0.1: 2 × $6.00 + 2 × $9.00.
    assert!(plan.contains("Retention saves $30.00 per month of replica storage."), "{plan}");
    assert!(plan.contains("0 forbidden; retention: 2 to shrink, 2 to delete."), "{plan}");
    // The declared 1.0.0 is outside the policy too: reported, not changed.
    assert!(plan.contains("azurerm_shared_image_version.v1 (golden_images/ubuntu-22.04/1.0.0)"), "{plan}");
    assert!(plan.contains("declares it"), "{plan}");

    // The JSON plan carries them as ordinary changes with retention's reason.
    let json: Json = serde_json::from_str(&run(&["plan", "--json"], 0).stdout).unwrap();
    let retained: Vec<&Json> = json["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["action_reason"] == "sigform.retention")
        .collect();
    assert_eq!(retained.len(), 4, "{json}");
    assert_eq!(json["sigform"]["retention"]["to_delete"], 2);
    assert!(retained.iter().any(|c| c["change"]["actions"] == serde_json::json!(["delete"])));

    // --no-retention leaves them out.
    let without = run(&["plan", "--no-retention", "--detailed-exitcode"], 0).stdout;
    assert!(!without.contains("Retention"), "{without}");

    run(&["apply", "--auto-approve"], 0);
    let left = versions(&dir);
    assert!(!left.contains_key("3.0.0") && !left.contains_key("3.0.8"), "{left:?}");
    for older in ["3.0.1", "3.0.2"] {
        assert_eq!(left[older], (1, 1), "{older} shrunk to its source region, one replica");
    }
    for newest in ["3.0.3", "3.0.4", "3.0.9"] {
        assert_eq!(left[newest], (2, 2), "{newest} stays as it is");
    }
    assert_eq!(left["1.0.0"].0, 3, "the declared version is not touched");
    // Nothing is recorded for what the configuration does not declare; a second plan is empty
    // but for the report.
    let state = run(&["state", "list"], 0).stdout;
    assert!(!state.contains("sigform_retention"), "{state}");
    let again = run(&["plan", "--detailed-exitcode"], 0).stdout;
    assert!(!again.contains("to shrink"), "{again}");
}

/// A pipeline publishes a version per run, 20 runs, each followed by plan and apply: the cloud
/// converges to the policy, and the safety rules hold throughout — the newest always whole, a
/// pinned version and one a data source reads never touched, nothing without
/// `include_unmanaged`.
#[test]
fn a_pipeline_converges_to_the_policy() {
    let t = Test::new().example("quickstart").seeded();
    let dir = t.dir().to_str().unwrap().to_string();
    let reader = "\ndata \"azurerm_shared_image_version\" \"in_use\" {\n  name                = \"2.0.2\"\n  image_name          = \"ubuntu-22.04\"\n  gallery_name        = \"golden_images\"\n  resource_group_name = \"rg-golden-images\"\n}\n";
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    let base = t.read("main.tf");
    for i in 1..=20 {
        // Run i publishes 2.0.i; runs were three days apart, the last one today.
        let age = f64::from(20 - i) * 3.0 + 0.5;
        let pinned: &[&str] = if i == 4 { &["--tag", "pinned=true"] } else { &[] };
        publish(&dir, &format!("2.0.{i}"), age, pinned);
        let policy = POLICY.replace(
            "      tags = { pinned = \"true\" }",
            "      tags  = { pinned = \"true\" }\n      names = [\"2.0.6\"]",
        );
        let text = if i >= 2 { format!("{base}{policy}{reader}") } else { format!("{base}{policy}") };
        std::fs::write(t.dir().join("main.tf"), text).unwrap();
        run(&["apply", "--auto-approve"], 0);
    }
    let left = versions(&dir);
    for i in 1..=20 {
        let name = format!("2.0.{i}");
        let age = f64::from(20 - i) * 3.0 + 0.5;
        let got = left.get(&name).copied();
        let want = if i >= 18 || i == 2 || i == 4 || i == 6 {
            Some((2, 2)) // the 3 newest, the one a data source reads, the pinned ones (tag, name)
        } else if age > 60.0 {
            None // older than the 3 newest and published more than 60 days ago
        } else {
            Some((1, 1)) // older: its source region, one replica
        };
        assert_eq!(got, want, "{name} (published {age} days ago): {left:?}");
    }
    // Converged: a second plan deletes and shrinks nothing.
    let again = run(&["plan", "--detailed-exitcode"], 0).stdout;
    assert!(!again.contains("to shrink"), "{again}");

    // Without include_unmanaged, versions published by other tools are out of scope.
    publish(&dir, "2.0.21", 0.0, &[]);
    publish(&dir, "2.0.22", 0.0, &[]);
    publish(&dir, "2.0.23", 0.0, &[]);
    let off = format!("{base}{}{reader}", POLICY.replace("include_unmanaged = true", "include_unmanaged = false"));
    std::fs::write(t.dir().join("main.tf"), off).unwrap();
    let plan = run(&["plan"], 0).stdout;
    assert!(!plan.contains("to shrink"), "{plan}");
}

/// A gallery at the scale pipelines leave behind — many versions of a definition — converges
/// to its policy in one apply, and then plans nothing.
#[test]
fn a_full_definition_converges_in_one_apply() {
    let t = Test::new().example("quickstart").seeded();
    let dir = t.dir().to_str().unwrap().to_string();
    // 200 versions on the embedded cloud; fewer over ARM, where every publish is a request.
    let count = if common::arm_mode() { 40 } else { 200 };
    for i in 0..count {
        publish(&dir, &format!("5.{i}.0"), f64::from(count - i) + 0.5, &[]);
    }
    std::fs::write(t.dir().join("main.tf"), t.read("main.tf") + POLICY).unwrap();
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    let plan = run(&["plan"], 0).stdout;
    // The 3 newest stay; of the rest, those published more than 60 days ago go, the others shrink.
    let deleted = (0..count - 3).filter(|i| f64::from(count - i) + 0.5 > 60.0).count();
    let shrunk = (count - 3) as usize - deleted;
    assert!(plan.contains(&format!("retention: {shrunk} to shrink, {deleted} to delete.")), "{plan}");
    run(&["apply", "--auto-approve"], 0);
    let left = versions(&dir);
    assert_eq!(left.len(), 1 + 3 + shrunk, "the declared 1.0.0, the newest 3 and the shrunk ones: {left:?}");
    let again = run(&["plan", "--detailed-exitcode"], 0).stdout;
    assert!(!again.contains("to shrink"), "{again}");
}

/// Killed in the middle of retention's changes, the next apply settles what was in flight and
/// finishes: nothing of retention is ever recorded in the state, no intent is left, and the cloud
/// ends where the policy says.
#[test]
fn killed_mid_retention_the_next_apply_converges() {
    if !common::backend_ready() {
        return;
    }
    let t = Test::new().example("quickstart").seeded();
    let dir = t.dir().to_str().unwrap().to_string();
    for i in 0..12 {
        publish(&dir, &format!("6.{i}.0"), f64::from(30 - i) + 0.5, &[]);
    }
    std::fs::write(t.dir().join("main.tf"), t.read("main.tf") + POLICY).unwrap();
    let apply = |scale: &str| {
        let args = ["apply".to_string(), "--auto-approve".to_string()];
        let mut cmd = common::command(t.dir(), &args, &[("SIGFORM_EMULATOR_TIME_SCALE".into(), scale.into())]);
        cmd.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
        cmd
    };
    // At 50 simulated seconds a real one, each shrink and delete takes over a second: the kill
    // lands while they are in flight.
    let mut child = apply("50").spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    assert!(child.try_wait().unwrap().is_none(), "the apply was still running when killed");
    let _ = child.kill();
    let _ = child.wait();
    let started = std::time::Instant::now();
    while !apply("50").status().unwrap().success() {
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "no convergence");
    }
    let run = |args: &[&str], code: i32| Test::new().chdir(&dir).args(args).status(code);
    let state = run(&["state", "list"], 0).stdout;
    assert!(!state.contains("sigform_retention"), "{state}");
    assert_eq!(common::intents_and_locks(t.dir()), (0, 0), "no intent and no lock left");
    let left = versions(&dir);
    for i in 0..12 {
        let name = format!("6.{i}.0");
        let want = if i >= 9 { Some((2, 2)) } else { Some((1, 1)) };
        assert_eq!(left.get(&name).copied(), want, "{name}: {left:?}");
    }
    let again = run(&["plan", "--detailed-exitcode"], 0).stdout;
    assert!(!again.contains("to shrink"), "{again}");
}
