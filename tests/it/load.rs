//! The served emulator holds many clients at once: 32 principals, each creating, polling,
//! reading and deleting versions in the same gallery, with ARM's throttling on — no write lost
//! or duplicated, no server error, and each principal throttled in its own buckets.

mod common;
#[path = "load_driver.rs"]
mod load_driver;

use common::{Server, Test};
use load_driver::{GROUP, SUB};

const CLIENTS: usize = 32;
const ROUNDS: usize = 3;

fn principal(i: usize) -> String {
    format!("10adc11e-0000-4000-8000-{i:012}")
}

/// Registers principals with a secret and Contributor on the load test's resource group.
fn register(t: &Test, ids: &[String]) {
    for id in ids {
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("sigform"))
            .arg("-C")
            .arg(t.dir())
            .args(["emulator", "add-principal", id, "--tenant", SUB, "--secret", "load", "--grant"])
            .arg(format!("Contributor={GROUP}"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn many_clients_at_once_lose_no_write() {
    let t = Test::new();
    let ids: Vec<String> = (0..CLIENTS).map(principal).collect();
    register(&t, &ids);
    // Writes take a moment (a thousand simulated seconds per second), so clients really poll.
    let slow = [("SIGFORM_EMULATOR_TIME_SCALE".to_string(), "1000".to_string())];
    let server = Server::start(&t.dir().join("state/emulator.db"), &slow, &[]);
    let image = load_driver::setup(&server.address);
    let tokens: Vec<String> = ids.iter().map(|id| load_driver::token(&server.address, id, "load")).collect();
    let (seen, _) = load_driver::run(&server.address, &tokens, ROUNDS, &image);
    for (i, s) in seen.iter().enumerate() {
        assert!(s.server_errors.is_empty(), "client {i}: {:?}", s.server_errors);
        assert!(s.surprises.is_empty(), "client {i}: {:?}", s.surprises);
    }
    // Every create was a create and every delete took: the definition is empty again.
    let mut owner = load_driver::Client::new(&server.address, "owner".into());
    let (status, list, _) = owner.call("GET", &format!("{}/versions", load_driver::definition()), None);
    assert_eq!((status, list["value"].as_array().map(Vec::len)), (200, Some(0)), "{list}");
    let requests: u64 = seen.iter().map(|s| s.requests).sum();
    // Five calls a round at least, and polls while the writes run.
    assert!(requests > (CLIENTS * ROUNDS * 5) as u64, "{requests} requests");
}

/// ARM's buckets are per subscription and principal: one principal spending its writes does not
/// throttle another.
#[test]
fn each_principal_has_its_own_throttling_buckets() {
    let t = Test::new();
    let ids = vec![principal(900), principal(901)];
    register(&t, &ids);
    let server = Server::start(&t.dir().join("state/emulator.db"), &[], &[]);
    load_driver::setup(&server.address);
    let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    let put = |token: &str| {
        agent
            .put(
                format!("{GROUP}?api-version=2021-04-01")
                    .replace("/subscriptions", &format!("{}/subscriptions", server.address)),
            )
            .header("Authorization", &format!("Bearer {token}"))
            .content_type("application/json")
            .send(r#"{"location": "eastus", "tags": {"x": "y"}}"#)
            .unwrap()
            .status()
            .as_u16()
    };
    let busy = load_driver::token(&server.address, &ids[0], "load");
    let quiet = load_driver::token(&server.address, &ids[1], "load");
    let mut first_429 = None;
    for n in 0..400 {
        if put(&busy) == 429 {
            first_429 = Some(n);
            break;
        }
    }
    let n = first_429.expect("the busy principal is throttled within its write burst and a little more");
    assert!(n >= 150, "throttled after only {n} writes");
    assert_eq!(put(&quiet), 200, "another principal still writes");
}
