//! The integration-test builder: a temporary working directory, files in it, and the real
//! `sigform` binary run against it.
//!
//! `Test::new().config("...").arg("validate").status(1)` runs `sigform -C <dir> validate` and
//! asserts the exit code, returning the output for further checks.
//!
//! The suites that talk to the cloud run twice: as themselves against the embedded emulator, and
//! included by `tests/arm.rs` (their module path then starts with `arm::`), where every command
//! runs with `--cloud arm` against `sigform emulator serve` on a loopback port, one server per
//! emulator database and emulator settings, started on first use.

#![allow(dead_code)]

use assert_cmd::Command;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Whether this copy of the suite drives `--cloud arm` against the served emulator.
pub fn arm_mode() -> bool {
    module_path!().starts_with("it::arm::")
}

/// Whether this copy of the suite keeps its state in PostgreSQL (`tests/postgres.rs`).
pub fn postgres_mode() -> bool {
    module_path!().starts_with("it::postgres::")
}

/// The PostgreSQL server for the tests (`SIGFORM_TEST_POSTGRES`, as `scripts/test-postgres.sh`
/// prints it). Without one the PostgreSQL tests are skipped with a message — unless
/// `SIGFORM_REQUIRE_POSTGRES` is set (CI), where they fail loudly.
pub fn postgres_server() -> Option<String> {
    match std::env::var("SIGFORM_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("SIGFORM_REQUIRE_POSTGRES").is_some() => {
            panic!(
                "SIGFORM_REQUIRE_POSTGRES is set but SIGFORM_TEST_POSTGRES names no server (start one with scripts/test-postgres.sh)"
            )
        }
        _ => {
            eprintln!("skipped: no PostgreSQL server (export SIGFORM_TEST_POSTGRES=$(scripts/test-postgres.sh))");
            None
        }
    }
}

/// A connection to the test server as sigform makes it (TLS, `sslrootcert`), for looking
/// behind sigform's back.
pub fn postgres_admin() -> Option<postgres::Client> {
    let server = postgres_server()?;
    let sigform::state::Location::Postgres(url) = sigform::state::Location::parse(&server, Path::new("/")).ok()? else {
        return None;
    };
    sigform::state::PostgresStore::connect(&url).ok()
}

/// Whether the backend this copy of the suite needs is there (always, except PostgreSQL).
pub fn backend_ready() -> bool {
    !postgres_mode() || postgres_server().is_some()
}

/// A URL with one more query parameter.
pub fn with_param(url: &str, key: &str, value: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{key}={value}")
}

/// The PostgreSQL workspace of a working directory: one per test directory.
pub fn workspace_of(workdir: &Path) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in workdir.to_string_lossy().bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("t{hash:016x}")
}

/// The `--state` of a working directory in this copy of the suite: the SQLite file, or its
/// PostgreSQL workspace.
pub fn state_location(workdir: &Path) -> String {
    match postgres_server().filter(|_| postgres_mode()) {
        Some(server) => with_param(&server, "workspace", &workspace_of(workdir)),
        None => workdir.join("state/sigform.db").display().to_string(),
    }
}

/// Whether a working directory has a state yet (its file, or its PostgreSQL workspace).
pub fn state_exists(workdir: &Path) -> bool {
    if postgres_mode() {
        let mut client = postgres_admin().expect("the PostgreSQL test server answers");
        return client
            .query_opt("SELECT 1 FROM sigform.workspaces WHERE name = $1", &[&workspace_of(workdir)])
            .is_ok_and(|row| row.is_some());
    }
    workdir.join("state/sigform.db").exists()
}

/// (unsettled intents, lock rows) of a working directory's state, read behind sigform's back.
pub fn intents_and_locks(workdir: &Path) -> (i64, i64) {
    try_intents_and_locks(workdir).expect("the state can be read")
}

/// Waits until a running sigform holds the lock of a working directory's state (polling, not
/// guessing a delay).
pub fn wait_for_lock(workdir: &Path) {
    let start = std::time::Instant::now();
    while try_intents_and_locks(workdir).is_none_or(|(_, locks)| locks == 0) {
        assert!(start.elapsed() < std::time::Duration::from_secs(30), "no run took the lock in {}", workdir.display());
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// The same, or `None` while there is no state to read yet. Never creates anything.
pub fn try_intents_and_locks(workdir: &Path) -> Option<(i64, i64)> {
    if postgres_mode() {
        let mut client = postgres_admin()?;
        let ws = workspace_of(workdir);
        let mut count = |sql: &str| -> Option<i64> { client.query_one(sql, &[&ws]).ok().map(|r| r.get(0)) };
        let intents = count("SELECT count(*) FROM sigform.intents WHERE workspace = $1")?;
        // A lock is an advisory lock held by a live session; the row alone is only its record.
        let locks = count(
            "SELECT count(*) FROM sigform.locks l JOIN pg_stat_activity a ON a.pid = l.backend_pid WHERE l.workspace = $1",
        )?;
        return Some((intents, locks));
    }
    let db = rusqlite::Connection::open_with_flags(
        workdir.join("state/sigform.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .ok()?;
    let intents: i64 = db.query_row("SELECT COUNT(*) FROM intents", [], |r| r.get(0)).ok()?;
    let locks: i64 = db.query_row("SELECT COUNT(*) FROM lock", [], |r| r.get(0)).ok()?;
    Some((intents, locks))
}

/// `insta::assert_snapshot!` shared by both runs of a suite: the file is `SUITE__NAME.snap`
/// whether the suite runs as `plan` or as `arm::plan`, so both must produce the same output.
#[allow(unused_macros)]
macro_rules! snapshot {
    ($name:expr, $value:expr) => {{
        let suite = module_path!().rsplit("::").next().unwrap_or("");
        let mut settings = insta::Settings::clone_current();
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| insta::assert_snapshot!(format!("{suite}__{}", $name), $value));
    }};
}

/// A running `sigform emulator serve`, stopped when dropped (or when the test process ends: it
/// stops when its standard input closes).
pub struct Server {
    db: PathBuf,
    env: Vec<(String, String)>,
    /// `http://127.0.0.1:PORT`
    pub address: String,
    child: std::process::Child,
}

impl Server {
    /// Serves the emulator database `db` with these `SIGFORM_EMULATOR_*` settings and extra
    /// `emulator serve` arguments, on a free loopback port.
    pub fn start(db: &Path, env: &[(String, String)], extra: &[&str]) -> Server {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("sigform"));
        cmd.arg("--emulator-db").arg(db).args(["emulator", "serve", "--listen", "127.0.0.1:0", "--stop-on-eof"]);
        cmd.args(extra);
        for (k, _) in std::env::vars() {
            if k.starts_with("SIGFORM_") || k.starts_with("AZURE_") {
                cmd.env_remove(k);
            }
        }
        cmd.env("SIGFORM_EMULATOR_TIME_SCALE", "0").envs(env.iter().map(|(k, v)| (k, v)));
        cmd.stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null());
        let mut child = cmd.spawn().expect("sigform emulator serve starts");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let address =
            line.split_whitespace().find(|w| w.starts_with("http")).expect("the server says where it listens");
        Server { db: db.to_path_buf(), env: env.to_vec(), address: address.to_string(), child }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The served emulators of this test process.
static SERVERS: Mutex<Vec<Server>> = Mutex::new(Vec::new());

/// The settings of the emulator a command would use (`SIGFORM_EMULATOR_*`, time scale 0 unless
/// the test says otherwise), and its database.
fn emulator_of(workdir: &Path, args: &[String], env: &[(String, String)]) -> (PathBuf, Vec<(String, String)>) {
    let mut settings = vec![("SIGFORM_EMULATOR_TIME_SCALE".to_string(), "0".to_string())];
    let mut db = workdir.join("state").join("emulator.db");
    for (k, v) in env {
        if k == "SIGFORM_EMULATOR_DB" {
            db = workdir.join(v);
        } else if k.starts_with("SIGFORM_EMULATOR_") {
            settings.retain(|(name, _)| name != k);
            settings.push((k.clone(), v.clone()));
        }
    }
    if let Some(i) = args.iter().position(|a| a == "--emulator-db") {
        db = workdir.join(&args[i + 1]);
    }
    settings.sort();
    (db, settings)
}

/// The address of a served emulator for this database and these settings, started if needed.
fn server_for(db: &Path, env: &[(String, String)]) -> String {
    let mut servers = SERVERS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(s) = servers.iter().find(|s| s.db == db && s.env == env) {
        return s.address.clone();
    }
    let server = Server::start(db, env, &[]);
    let address = server.address.clone();
    servers.push(server);
    address
}

/// Stops the served emulators of databases under `dir`.
fn stop_servers(dir: &Path) {
    let mut servers = SERVERS.lock().unwrap_or_else(|p| p.into_inner());
    servers.retain(|s| !s.db.starts_with(dir));
}

/// A `sigform` command in `workdir`, with the test environment: no inherited variables that
/// change behaviour, no colours, time scale 0 unless `env` says otherwise, and in the ARM run the
/// served emulator as its cloud.
pub fn command(workdir: &Path, args: &[String], env: &[(String, String)]) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("sigform"));
    cmd.arg("-C").arg(workdir).args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("TF_VAR_") || k.starts_with("ARM_") || k.starts_with("SIGFORM_") || k.starts_with("AZURE_") {
            cmd.env_remove(k);
        }
    }
    // A CA bundle the machine names is not the tests' business: they set their own where they need one.
    cmd.env_remove("SSL_CERT_FILE").env_remove("REQUESTS_CA_BUNDLE");
    cmd.env("NO_COLOR", "1").env("SIGFORM_EMULATOR_TIME_SCALE", "0");
    if postgres_mode() {
        cmd.env("SIGFORM_STATE", state_location(workdir));
    }
    if arm_mode() {
        let (db, settings) = emulator_of(workdir, args, env);
        let address = server_for(&db, &settings);
        // A token of Entra ID's shape (a JWT) for the default tenant and the emulator's caller, as
        // `emulator serve`'s token endpoint issues: the client reads the caller's `oid` from it.
        let token = sigform_emulator::serve::emulator_token(sigform_azure::resources::client_config::DEFAULT_TENANT);
        cmd.env("SIGFORM_CLOUD", "arm").env("SIGFORM_ARM_ENDPOINT", address).env("AZURE_ACCESS_TOKEN", token);
        if settings.iter().any(|(k, v)| k == "SIGFORM_EMULATOR_THROTTLING" && v == "off") {
            // The server does not throttle; the client need not pace itself either.
            cmd.env("SIGFORM_ARM_CLIENT_LIMITS", "off");
        }
    }
    cmd.envs(env.iter().map(|(k, v)| (k, v)));
    cmd
}

pub struct Test {
    dir: tempfile::TempDir,
    args: Vec<String>,
    env: Vec<(String, String)>,
    chdir: Option<PathBuf>,
}

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub dir: PathBuf,
}

impl Test {
    pub fn new() -> Test {
        Test { dir: tempfile::tempdir().expect("temp dir"), args: Vec::new(), env: Vec::new(), chdir: None }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn file(self, name: &str, text: &str) -> Test {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, text).unwrap();
        self
    }

    /// `main.tf`.
    pub fn config(self, text: &str) -> Test {
        self.file("main.tf", text)
    }

    /// Copies `examples/NAME` into the working directory.
    pub fn example(self, name: &str) -> Test {
        fn copy(from: &Path, to: &Path) {
            std::fs::create_dir_all(to).unwrap();
            for entry in std::fs::read_dir(from).unwrap() {
                let path = entry.unwrap().path();
                let target = to.join(path.file_name().unwrap());
                let name = path.file_name().unwrap().to_string_lossy().to_string();
                if path.is_dir() {
                    // Module directories, not the state a README run leaves (`examples/x/state`).
                    if name != "state" && !name.starts_with('.') {
                        copy(&path, &target);
                    }
                } else {
                    std::fs::copy(&path, target).unwrap();
                }
            }
        }
        copy(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(name), self.dir.path());
        self
    }

    /// Copies `tests/it/corpus/NAME` (a configuration of the compatibility corpus) in.
    pub fn corpus(self, name: &str) -> Test {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/corpus").join(name);
        let mut stack = vec![(from, self.dir.path().to_path_buf())];
        while let Some((from, to)) = stack.pop() {
            std::fs::create_dir_all(&to).unwrap();
            for entry in std::fs::read_dir(&from).unwrap() {
                let path = entry.unwrap().path();
                let target = to.join(path.file_name().unwrap());
                if path.is_dir() {
                    stack.push((path, target));
                } else {
                    std::fs::copy(&path, target).unwrap();
                }
            }
        }
        self
    }

    pub fn arg(mut self, arg: &str) -> Test {
        self.args.push(arg.to_string());
        self
    }

    pub fn args(mut self, args: &[&str]) -> Test {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Test {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// Applies the current configuration to the test's own emulator (time scale 0), so plans
    /// can be tested against a state and a cloud that hold it.
    pub fn seeded(self) -> Test {
        let out =
            command(self.dir.path(), &["apply".into(), "--auto-approve".into()], &[]).output().expect("sigform runs");
        assert!(
            out.status.success(),
            "seeding apply failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        self
    }

    /// Replaces `from` with `to` in `main.tf` (which must contain it).
    pub fn edit(self, from: &str, to: &str) -> Test {
        let text = self.read("main.tf");
        assert!(text.contains(from), "main.tf does not contain {from:?}");
        self.config(&text.replacen(from, to, 1))
    }

    /// Run in DIR instead of the test's own directory.
    pub fn chdir(mut self, dir: &str) -> Test {
        self.chdir = Some(PathBuf::from(dir));
        self
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap()
    }

    pub fn run(&self) -> Output {
        let mut cmd =
            Command::from_std(command(self.chdir.as_deref().unwrap_or(self.dir.path()), &self.args, &self.env));
        let out = cmd.output().expect("sigform runs");
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            dir: self.dir.path().to_path_buf(),
        }
    }

    /// Runs and asserts the exit code.
    pub fn status(&self, code: i32) -> Output {
        let out = self.run();
        assert_eq!(
            out.code, code,
            "exit code of sigform {:?}\nstdout:\n{}\nstderr:\n{}",
            self.args, out.stdout, out.stderr
        );
        out
    }
}

impl Drop for Test {
    fn drop(&mut self) {
        if arm_mode() {
            stop_servers(self.dir.path());
        }
    }
}

impl Output {
    /// Output with the temporary directory replaced, for snapshots.
    pub fn filtered(&self, text: &str) -> String {
        text.replace(&self.dir.display().to_string(), "[DIR]")
    }
}
