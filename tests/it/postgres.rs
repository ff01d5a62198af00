//! The suites that read and write state — apply, plan (saved and stale plans, state surgery),
//! drift and crash safety (kills at any instant, an interrupt, two writers at once) — run a
//! second time with the state in PostgreSQL (`SIGFORM_TEST_POSTGRES`, one workspace per test
//! directory; see `tests/it/common`), plus what only PostgreSQL promises: a SIGKILLed holder's lock
//! is gone the moment its connection drops, and workspaces of one database do not block each
//! other. Without a server (at build time: see build.rs) the copied suites are not compiled and
//! the tests here return at once — unless `SIGFORM_REQUIRE_POSTGRES` is set, as in CI.

#[cfg(postgres_tests)]
#[path = "apply.rs"]
mod apply;
#[cfg(postgres_tests)]
#[path = "crash.rs"]
mod crash;
#[cfg(postgres_tests)]
#[path = "drift.rs"]
mod drift;
#[cfg(postgres_tests)]
#[path = "plan.rs"]
mod plan;

mod common;
use common::Test;
use std::process::Stdio;
use std::time::{Duration, Instant};

#[test]
fn a_killed_apply_leaves_no_lock_behind() {
    if !common::backend_ready() {
        return;
    }
    let t = Test::new().example("multi-region");
    let args: Vec<String> = ["apply", "--auto-approve"].iter().map(|s| s.to_string()).collect();
    let slow = [("SIGFORM_EMULATOR_TIME_SCALE".to_string(), "200".to_string())];
    let mut child = common::command(t.dir(), &args, &slow).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    common::wait_for_lock(t.dir());
    child.kill().unwrap(); // SIGKILL: nothing of sigform's runs after this
    child.wait().unwrap();
    // The connection dropped with the process: no lock, at once, and no "breaking the lock".
    let started = Instant::now();
    let out = Test::new().chdir(t.dir().to_str().unwrap()).args(&["apply", "--auto-approve"]).status(0);
    assert!(!out.stderr.contains("breaking the lock") && !out.stderr.contains("locked"), "{}", out.stderr);
    assert!(started.elapsed() < Duration::from_secs(60));
    assert_eq!(common::intents_and_locks(t.dir()), (0, 0));
    Test::new().chdir(t.dir().to_str().unwrap()).args(&["plan", "--detailed-exitcode"]).status(0);
}

#[test]
fn workspaces_do_not_block_each_other_and_one_workspace_has_one_writer() {
    if !common::backend_ready() {
        return;
    }
    let a = Test::new().example("quickstart");
    let b = Test::new().example("quickstart");
    let args: Vec<String> = ["apply", "--auto-approve"].iter().map(|s| s.to_string()).collect();
    let slow = [("SIGFORM_EMULATOR_TIME_SCALE".to_string(), "300".to_string())];
    let first = common::command(a.dir(), &args, &slow).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    common::wait_for_lock(a.dir());
    // Another workspace of the same database: proceeds while the first holds its lock.
    Test::new().chdir(b.dir().to_str().unwrap()).args(&["apply", "--auto-approve"]).status(0);
    // The same workspace: fails fast, naming the holder.
    let out = Test::new().chdir(a.dir().to_str().unwrap()).args(&["apply", "--auto-approve"]).status(1);
    assert!(out.stderr.contains("the state is locked by") && out.stderr.contains("running `apply`"), "{}", out.stderr);
    // force-unlock cannot take a live holder's lock; it says how to end it.
    let id = out.stderr.split("lock id ").nth(1).unwrap().trim().to_string();
    let out = Test::new().chdir(a.dir().to_str().unwrap()).args(&["force-unlock", &id]).status(1);
    assert!(
        out.stderr.contains("held by a live connection") && out.stderr.contains("pg_terminate_backend"),
        "{}",
        out.stderr
    );
    let done = first.wait_with_output().unwrap();
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    assert_eq!(common::intents_and_locks(a.dir()), (0, 0));
}
