//! Requests per second the served emulator sustains with 32 clients at once, each its own
//! principal, creating, reading and deleting versions in one gallery on loopback (time scale 0,
//! throttling off: the emulator's own speed, not ARM's limits). `cargo bench --bench served`.

#![allow(clippy::print_stdout)]

#[path = "../tests/it/load_driver.rs"]
mod load_driver;

use std::io::BufRead;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_sigform");
const CLIENTS: usize = 32;

fn main() {
    let rounds: usize = std::env::var("SIGFORM_BENCH_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(20);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("emulator.db");
    let ids: Vec<String> = (0..CLIENTS).map(|i| format!("10adc11e-0000-4000-8000-{i:012}")).collect();
    for id in &ids {
        let ok = Command::new(BIN)
            .arg("--emulator-db")
            .arg(&db)
            .args(["emulator", "add-principal", id, "--tenant", load_driver::SUB, "--secret", "load", "--grant"])
            .arg(format!("Contributor={}", load_driver::GROUP))
            .stdout(Stdio::null())
            .status()
            .expect("sigform runs")
            .success();
        assert!(ok);
    }
    let mut server = Command::new(BIN)
        .arg("--emulator-db")
        .arg(&db)
        .args(["emulator", "serve", "--listen", "127.0.0.1:0", "--stop-on-eof"])
        .env("SIGFORM_EMULATOR_TIME_SCALE", "0")
        .env("SIGFORM_EMULATOR_THROTTLING", "off")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the emulator starts");
    let mut line = String::new();
    std::io::BufReader::new(server.stdout.take().expect("stdout")).read_line(&mut line).expect("a line");
    let base = line.split_whitespace().find(|w| w.starts_with("http")).expect("an address").to_string();
    let image = load_driver::setup(&base);
    let tokens: Vec<String> = ids.iter().map(|id| load_driver::token(&base, id, "load")).collect();
    let (seen, elapsed) = load_driver::run(&base, &tokens, rounds, &image);
    let requests: u64 = seen.iter().map(|s| s.requests).sum();
    let errors: usize = seen.iter().map(|s| s.server_errors.len() + s.surprises.len()).sum();
    println!("| clients | rounds each | requests | seconds | requests/s | errors or surprises |");
    println!("|---|---|---|---|---|---|");
    println!(
        "| {CLIENTS} | {rounds} | {requests} | {:.2} | {:.0} | {errors} |",
        elapsed.as_secs_f64(),
        requests as f64 / elapsed.as_secs_f64()
    );
    let _ = server.kill();
    let _ = server.wait();
}
