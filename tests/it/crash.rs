//! Crash safety: kill sigform at many instants, interrupt it, run two at once, corrupt its files —
//! and check that the next run converges with nothing lost, nothing duplicated and no lock left
//! for a human.

mod common;
use common::Test;
use serde_json::Value as Json;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// 1 resource group, 1 image, 1 gallery, 3 definitions and 24 versions.
const DOZENS: &str = r#"
locals {
  definitions = ["alpha", "beta", "gamma"]
  versions = merge([for d in local.definitions : { for v in range(8) : "${d}-1.0.${v}" => { definition = d, version = "1.0.${v}" } }]...)
}

resource "azurerm_resource_group" "rg" {
  name     = "rg-crash"
  location = "eastus"
}

resource "azurerm_image" "base" {
  name                = "base"
  resource_group_name = azurerm_resource_group.rg.name
  location            = "eastus"
  os_disk {
    os_type  = "Linux"
    os_state = "Generalized"
    size_gb  = 1
  }
}

resource "azurerm_shared_image_gallery" "g" {
  name                = "crash_gallery"
  resource_group_name = azurerm_resource_group.rg.name
  location            = "eastus"
}

resource "azurerm_shared_image" "d" {
  for_each            = toset(local.definitions)
  name                = each.key
  gallery_name        = azurerm_shared_image_gallery.g.name
  resource_group_name = azurerm_resource_group.rg.name
  location            = "eastus"
  os_type             = "Linux"
  identifier {
    publisher = "contoso"
    offer     = "crash"
    sku       = each.key
  }
}

resource "azurerm_shared_image_version" "v" {
  for_each            = local.versions
  name                = each.value.version
  gallery_name        = azurerm_shared_image_gallery.g.name
  image_name          = azurerm_shared_image.d[each.value.definition].name
  resource_group_name = azurerm_resource_group.rg.name
  location            = "eastus"
  managed_image_id    = azurerm_image.base.id
  target_region {
    name = "eastus"
  }
}
"#;

fn sigform(dir: &str, args: &[&str], scale: &str) -> Command {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let mut cmd = common::command(
        std::path::Path::new(dir),
        &args,
        &[("SIGFORM_EMULATOR_TIME_SCALE".to_string(), scale.to_string())],
    );
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd
}

fn finish(child: Child) -> (i32, String, String) {
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// State, cloud and configuration agree exactly: same ids once each, no intent, no lock, empty plan.
fn assert_converged(dir: &str, expected: usize, context: &str) {
    let plan: &[&str] =
        if expected == 0 { &["plan", "--destroy", "--detailed-exitcode"] } else { &["plan", "--detailed-exitcode"] };
    let ids = |args: &[&str]| -> Vec<String> {
        let (code, out, err) = finish(sigform(dir, args, "0").spawn().unwrap());
        assert_eq!(code, 0, "{context}: {args:?}: {err}");
        out.lines().map(str::to_string).collect()
    };
    let mut cloud = ids(&["emulator", "list"]);
    cloud.sort();
    let (_, pulled, _) = finish(sigform(dir, &["state", "pull"], "0").spawn().unwrap());
    let state: Json = serde_json::from_str(&pulled).unwrap();
    let mut recorded: Vec<String> =
        state["resources"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
    recorded.sort();
    assert_eq!(cloud, recorded, "{context}: the cloud and the state hold the same resources");
    assert_eq!(cloud.len(), expected, "{context}");
    let (code, out, err) = finish(sigform(dir, plan, "0").spawn().unwrap());
    assert_eq!(code, 0, "{context}: the next plan is empty:\n{out}\n{err}");
    let (intents, locks) = common::intents_and_locks(std::path::Path::new(dir));
    assert_eq!((intents, locks), (0, 0), "{context}: no intent and no lock left");
}

#[test]
fn killed_at_any_instant_the_next_run_converges() {
    if !common::backend_ready() {
        return;
    }
    let t = Test::new().config(DOZENS);
    let dir = t.dir().to_str().unwrap().to_string();
    // At 20 000 simulated seconds per real second a version takes ~60 ms and the whole apply
    // about a second: kills land in creates, in replication waits and between them.
    let scale = "20000";
    let mut rng: u64 = 0x5EED_1234;
    let mut next = |bound: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % bound
    };
    let mut kills = 0;
    for round in 0..6 {
        for (command, expected) in [(&["apply", "--auto-approve"][..], 30), (&["destroy", "--auto-approve"][..], 0)] {
            let delay = Duration::from_millis(50 + next(900));
            let mut child = sigform(&dir, command, scale).spawn().unwrap();
            std::thread::sleep(delay);
            let was_running = child.try_wait().unwrap().is_none();
            let _ = child.kill(); // SIGKILL: no handler runs, the lock and intents stay behind
            let _ = child.wait();
            if was_running {
                kills += 1;
            }
            // Re-run until it completes (a killed run's leftovers are settled first).
            let started = Instant::now();
            loop {
                let (code, out, err) = finish(sigform(&dir, command, scale).spawn().unwrap());
                if code == 0 {
                    break;
                }
                assert!(
                    started.elapsed() < Duration::from_secs(60),
                    "round {round} {command:?}: no convergence:\n{out}\n{err}"
                );
            }
            assert_converged(&dir, expected, &format!("round {round} after {command:?} killed at {delay:?}"));
        }
    }
    assert!(kills >= 6, "only {kills} kills hit a running process: the test did not test much");
    eprintln!("{kills} kills at distinct instants, all converged");
}

#[test]
fn two_applies_at_once_exactly_one_runs() {
    if !common::backend_ready() {
        return;
    }
    let t = Test::new().example("multi-region");
    let dir = t.dir().to_str().unwrap().to_string();
    // Slow enough that the first holds the lock while the second starts.
    let first = sigform(&dir, &["apply", "--auto-approve"], "2000").spawn().unwrap();
    common::wait_for_lock(t.dir());
    let (code, _, err) = finish(sigform(&dir, &["apply", "--auto-approve"], "2000").spawn().unwrap());
    assert_eq!(code, 1, "the second fails fast");
    assert!(err.contains("the state is locked by") && err.contains("running `apply`"), "{err}");
    let (code, out, err) = finish(first);
    assert_eq!(code, 0, "{out}\n{err}");

    // With --lock-timeout the second waits for the first, then finds nothing to do.
    let text = std::fs::read_to_string(t.dir().join("main.tf"))
        .unwrap()
        .replace("managed_by  = \"sigform\"", "managed_by  = \"sigform-ci\"");
    std::fs::write(t.dir().join("main.tf"), text).unwrap();
    let first = sigform(&dir, &["apply", "--auto-approve"], "2000").spawn().unwrap();
    common::wait_for_lock(t.dir());
    let (code, out, err) =
        finish(sigform(&dir, &["--lock-timeout", "60s", "apply", "--auto-approve"], "2000").spawn().unwrap());
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("No changes"), "the second planned after the first finished:\n{out}");
    let (code, out, err) = finish(first);
    assert_eq!(code, 0, "the first of two applies:\n{out}\n{err}");
    assert_converged(&dir, 14, "after two applies");
}

#[test]
fn an_interrupt_stops_new_work_and_the_next_run_finishes() {
    if !common::backend_ready() {
        return;
    }
    let t = Test::new().config(DOZENS);
    let dir = t.dir().to_str().unwrap().to_string();
    let child = sigform(&dir, &["apply", "--auto-approve"], "500").spawn().unwrap();
    std::thread::sleep(Duration::from_millis(600));
    let pid = child.id().to_string();
    Command::new("kill").args(["-INT", &pid]).status().unwrap();
    let (code, _, err) = finish(child);
    if code == 0 {
        eprintln!("the apply finished before the interrupt; nothing to check");
    } else {
        assert_eq!(code, 130, "{err}");
        assert!(err.contains("Interrupted"), "{err}");
    }
    let (code, out, err) = finish(sigform(&dir, &["apply", "--auto-approve"], "0").spawn().unwrap());
    assert_eq!(code, 0, "{out}\n{err}");
    assert_converged(&dir, 30, "after an interrupt");
}

#[test]
fn backups_are_taken_and_restored() {
    // Backups are SQLite files beside the state; a PostgreSQL state relies on its server's.
    if common::postgres_mode() {
        return;
    }
    let t = Test::new().example("quickstart").seeded();
    let dir = t.dir().to_str().unwrap().to_string();
    let backups = |d: &str| -> Vec<std::path::PathBuf> {
        let mut v: Vec<_> = std::fs::read_dir(std::path::Path::new(d).join("state/backups"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        v.sort();
        v
    };
    let before_destroy = backups(&dir);
    assert_eq!(before_destroy.len(), 1, "the first apply backed up the empty state");
    let (code, _, err) = finish(sigform(&dir, &["destroy", "--auto-approve"], "0").spawn().unwrap());
    assert_eq!(code, 0, "{err}");
    let after = backups(&dir);
    assert_eq!(after.len(), 2);
    // The newest backup is the state just before the destroy: six resources.
    let newest = after.last().unwrap().to_str().unwrap().to_string();
    let (code, out, err) = finish(sigform(&dir, &["state", "restore", &newest], "0").spawn().unwrap());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Restored"), "{out}");
    let (_, list, _) = finish(sigform(&dir, &["state", "list"], "0").spawn().unwrap());
    assert_eq!(list.lines().count(), 6);
    let now = backups(&dir);
    assert_eq!(now.len(), 3, "the state before the restore was backed up too: {now:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(t.dir().join("state/sigform.db")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the state is readable by its owner only");
    }
    let (code, _, err) = finish(sigform(&dir, &["state", "restore", "main.tf"], "0").spawn().unwrap());
    assert_eq!(code, 1);
    assert!(err.contains("not a sigform state"), "{err}");
}

#[test]
fn garbage_files_are_refused_and_never_overwritten() {
    // Files only: the PostgreSQL counterpart (a schema holding something else) is in state_store.rs.
    if common::postgres_mode() {
        return;
    }
    let t = Test::new().example("quickstart").seeded();
    let dir = t.dir().to_str().unwrap().to_string();
    let state = t.dir().join("state/sigform.db");
    let good = std::fs::read(&state).unwrap();
    let truncated = &good[..good.len() / 3];
    std::fs::write(&state, truncated).unwrap();
    let (code, _, err) = finish(sigform(&dir, &["apply", "--auto-approve"], "0").spawn().unwrap());
    assert_eq!(code, 1, "{err}");
    assert_eq!(std::fs::read(&state).unwrap(), truncated, "a broken state is left as it is");
    std::fs::write(t.dir().join("garbage.plan"), "\u{0}\u{1}not json").unwrap();
    let (code, _, err) = finish(sigform(&dir, &["show", "garbage.plan"], "0").spawn().unwrap());
    assert_eq!(code, 1);
    assert!(err.contains("is not a sigform plan file"), "{err}");
}
