//! Many clients at once against a served emulator, each as its own principal: every client
//! creates, polls, reads and deletes image versions in the same gallery, round after round, and
//! says what it saw. Shared by the load test (`tests/it/load.rs`, which checks that nothing was
//! lost or duplicated) and the bench (`benches/served.rs`, which reports requests per second).

use serde_json::{Value as Json, json};
use std::time::{Duration, Instant};

pub const SUB: &str = "00000000-0000-0000-0000-000000000000";
pub const GROUP: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-load";

pub fn definition() -> String {
    format!("{GROUP}/providers/Microsoft.Compute/galleries/load/images/ubuntu")
}

/// What one client saw.
#[derive(Debug, Default, Clone)]
pub struct Seen {
    pub requests: u64,
    /// 5xx answers (none are injected in these runs).
    pub server_errors: Vec<String>,
    /// 429s, each waited out as `Retry-After` asked.
    pub throttled: u64,
    /// Anything that was not as a client of ARM expects: a create answered as an update, a
    /// version missing after its create or present after its delete, an operation that failed.
    pub surprises: Vec<String>,
}

pub struct Client {
    agent: ureq::Agent,
    base: String,
    token: String,
    pub seen: Seen,
}

impl Client {
    pub fn new(base: &str, token: String) -> Client {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .new_agent();
        Client { agent, base: base.to_string(), token, seen: Seen::default() }
    }

    /// One call; a 429 is waited out and sent again.
    pub fn call(&mut self, method: &str, path: &str, body: Option<&Json>) -> (u16, Json, Option<String>) {
        loop {
            let url = if path.starts_with("http") { path.to_string() } else { format!("{}{path}", self.base) };
            let url = if url.contains("api-version") { url } else { format!("{url}?api-version=2024-03-03") };
            let bearer = format!("Bearer {}", self.token);
            self.seen.requests += 1;
            let answer = match (method, body) {
                ("PUT", Some(b)) => self
                    .agent
                    .put(&url)
                    .header("Authorization", &bearer)
                    .content_type("application/json")
                    .send(b.to_string()),
                ("DELETE", _) => self.agent.delete(&url).header("Authorization", &bearer).call(),
                _ => self.agent.get(&url).header("Authorization", &bearer).call(),
            };
            let mut answer = match answer {
                Ok(a) => a,
                Err(e) => {
                    self.seen.server_errors.push(format!("{method} {path}: {e}"));
                    return (0, Json::Null, None);
                }
            };
            let status = answer.status().as_u16();
            let header = |name: &str| answer.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
            let (operation, wait) = (header("azure-asyncoperation"), header("retry-after-ms"));
            let text = answer.body_mut().read_to_string().unwrap_or_default();
            let json: Json = serde_json::from_str(&text).unwrap_or(Json::Null);
            if status == 429 {
                self.seen.throttled += 1;
                let ms = wait.and_then(|w| w.parse().ok()).unwrap_or(1000u64);
                std::thread::sleep(Duration::from_millis(ms.min(5_000)));
                continue;
            }
            if status >= 500 {
                self.seen.server_errors.push(format!("{method} {path}: {status} {text}"));
            }
            return (status, json, operation);
        }
    }

    /// Polls an operation until it ends; its final status.
    fn wait(&mut self, operation: Option<String>) -> String {
        let Some(url) = operation else { return "Succeeded".into() };
        let started = Instant::now();
        loop {
            let (status, json, _) = self.call("GET", &url, None);
            let state = json["status"].as_str().unwrap_or("").to_string();
            if status != 200 || state != "InProgress" || started.elapsed() > Duration::from_secs(60) {
                return state;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Creates, checks and deletes `rounds` versions named `{client}.{round}.0`.
    pub fn run(&mut self, client: usize, rounds: usize, image_id: &str) {
        for round in 0..rounds {
            let version = format!("{}/versions/{}.{round}.0", definition(), client + 1);
            let body = json!({
                "location": "eastus",
                "properties": {
                    "publishingProfile": {"targetRegions": [{"name": "eastus", "regionalReplicaCount": 1}, {"name": "westus2", "regionalReplicaCount": 1}]},
                    "storageProfile": {"source": {"id": image_id}},
                },
            });
            let (status, answer, operation) = self.call("PUT", &version, Some(&body));
            if status != 201 {
                self.seen.surprises.push(format!("create {version}: {status} {answer}"));
                continue;
            }
            let state = self.wait(operation);
            if state != "Succeeded" {
                self.seen.surprises.push(format!("create {version} ended {state}"));
            }
            let (status, answer, _) = self.call("GET", &version, None);
            let regions = answer["properties"]["publishingProfile"]["targetRegions"].as_array().map_or(0, Vec::len);
            if status != 200 || regions != 2 {
                self.seen.surprises.push(format!("read {version}: {status}, {regions} regions"));
            }
            let (status, _, operation) = self.call("DELETE", &version, None);
            if status != 202 {
                self.seen.surprises.push(format!("delete {version}: {status}"));
            }
            let state = self.wait(operation);
            if state != "Succeeded" {
                self.seen.surprises.push(format!("delete {version} ended {state}"));
            }
            let (status, _, _) = self.call("GET", &version, None);
            if status != 404 {
                self.seen.surprises.push(format!("{version} still there after its delete: {status}"));
            }
        }
    }
}

/// A token for `client`, signed in with `secret` at the emulator's token endpoint.
pub fn token(base: &str, client: &str, secret: &str) -> String {
    let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    let mut answer = agent
        .post(format!("{base}/{SUB}/oauth2/v2.0/token"))
        .content_type("application/x-www-form-urlencoded")
        .send(format!("grant_type=client_credentials&client_id={client}&client_secret={secret}&scope=x%2F.default"))
        .expect("the token endpoint answers");
    let json: Json = serde_json::from_str(&answer.body_mut().read_to_string().unwrap()).unwrap();
    json["access_token"].as_str().expect("a token").to_string()
}

/// The gallery the clients share, made by the owner; the managed image's id.
pub fn setup(base: &str) -> String {
    let mut owner = Client::new(base, "owner".into());
    let image = format!("{GROUP}/providers/Microsoft.Compute/images/base");
    let gallery = format!("{GROUP}/providers/Microsoft.Compute/galleries/load");
    let steps = [
        (GROUP.to_string(), json!({"location": "eastus"}), "2021-04-01"),
        (
            image.clone(),
            json!({"location": "eastus", "properties": {"hyperVGeneration": "V2", "storageProfile": {"osDisk": {"osType": "Linux", "osState": "Generalized", "blobUri": "https://s/v.vhd", "diskSizeGB": 30}}}}),
            "2024-07-01",
        ),
        (gallery, json!({"location": "eastus", "properties": {}}), "2024-03-03"),
        (
            definition(),
            json!({"location": "eastus", "properties": {"osType": "Linux", "osState": "Generalized", "hyperVGeneration": "V2", "identifier": {"publisher": "p", "offer": "o", "sku": "s"}}}),
            "2024-03-03",
        ),
    ];
    for (id, body, version) in steps {
        let (status, answer, operation) = owner.call("PUT", &format!("{id}?api-version={version}"), Some(&body));
        assert!(status == 200 || status == 201, "{id}: {status} {answer}");
        owner.wait(operation);
    }
    image
}

/// `clients` principals at once, `rounds` each; what each saw, and how long it all took.
pub fn run(base: &str, tokens: &[String], rounds: usize, image_id: &str) -> (Vec<Seen>, Duration) {
    let started = Instant::now();
    let seen = std::thread::scope(|scope| {
        let handles: Vec<_> = tokens
            .iter()
            .enumerate()
            .map(|(i, token)| {
                scope.spawn(move || {
                    let mut client = Client::new(base, token.clone());
                    client.run(i, rounds, image_id);
                    client.seen
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a client thread")).collect()
    });
    (seen, started.elapsed())
}
