//! The Azure Compute Gallery emulator: a model of the control plane in a SQLite file, shared by
//! every configuration that points at it, as a subscription is; embedded (this `Cloud`) or served
//! over HTTP as Azure Resource Manager ([`serve`]). It depends only on the facts crate
//! (`sigform-azure`): what the service refuses is written here from the service's rules
//! ([`service`]), not borrowed from sigform's planner.
//!
//! Time is lazy: a write records when its operation started and when it will be done (in real
//! milliseconds, from simulated durations and `SIGFORM_EMULATOR_TIME_SCALE`), and every call
//! first settles what has finished since. No background process is needed, and a client that was
//! interrupted finds its operation still progressing, as in Azure.

mod authorization;
mod directory;
mod faults;
pub mod serve;

pub use directory::{FederatedCredential, Grant, TOKEN_EXCHANGE_AUDIENCE};
mod service;

use authorization::{is_authorization, locked_by, resolve_role};

use sigform_azure::replication;

use faults::Dice;
pub use faults::Faults;
use sigform_azure::limits::Class;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};
use sigform_azure::arm_id::ArmId;
use sigform_azure::cloud::{
    Body, Cloud, CloudError, CloudResource, ListScope, Operation, OperationStatus, RegionReplication, subscription_of,
};
use sigform_azure::profiles::{self, ServiceProfile};
use sigform_azure::regions;
use sigform_azure::schema::ResourceKind;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

thread_local! {
    /// The principal the current request is made as (the served emulator's callers); `None` for
    /// the owner and the embedded cloud.
    static CALLER: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` as `principal`: its calls are throttled in that principal's buckets.
pub fn as_caller<T>(principal: Option<&str>, f: impl FnOnce() -> T) -> T {
    let previous = CALLER.with(|c| c.replace(principal.map(str::to_ascii_lowercase)));
    let out = f();
    CALLER.with(|c| *c.borrow_mut() = previous);
    out
}

/// The error code of an injected lost response: the served emulator drops the connection instead.
pub const LOST_RESPONSE: &str = "ResponseLost";

/// Simulated seconds per real second unless `SIGFORM_EMULATOR_TIME_SCALE` says otherwise.
pub const DEFAULT_TIME_SCALE: f64 = 120.0;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS subscriptions (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    allowlisted TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS resources (
    key TEXT PRIMARY KEY,
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    subscription TEXT NOT NULL,
    location TEXT,
    region TEXT,
    attributes TEXT NOT NULL,
    state TEXT NOT NULL,
    op_id TEXT NOT NULL,
    op_done_ms INTEGER NOT NULL,
    op_started_ms INTEGER NOT NULL,
    replication TEXT NOT NULL DEFAULT '[]',
    error TEXT,
    fails INTEGER NOT NULL DEFAULT 0
);
-- The emulator's own settings: `profile`, the service profile it emulates.
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
-- Preview features a subscription registered (`Microsoft.Features`), as (subscription, feature).
CREATE TABLE IF NOT EXISTS features (
    subscription TEXT NOT NULL,
    feature TEXT NOT NULL,
    PRIMARY KEY (subscription, feature)
);
DROP INDEX IF EXISTS resources_by_quota_and_state;
CREATE INDEX IF NOT EXISTS resources_by_quota ON resources (subscription, kind, region);
-- Every call settles finished operations first: without this index that is a scan of every row.
CREATE INDEX IF NOT EXISTS resources_pending ON resources (state, op_done_ms);
-- What each quota counts (resources not being deleted, per subscription, kind and region), kept
-- by triggers on every write, so a write checks its quota with one lookup however full the
-- region is (counting rows made creates at today's ceiling quadratic). REPLACE fires the delete
-- trigger: the connection turns `recursive_triggers` on.
CREATE TABLE IF NOT EXISTS quota_counts (
    subscription TEXT NOT NULL,
    kind TEXT NOT NULL,
    region TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (subscription, kind, region)
);
CREATE TRIGGER IF NOT EXISTS quota_counts_insert AFTER INSERT ON resources
WHEN NEW.state != 'Deleting' AND NEW.region IS NOT NULL BEGIN
    INSERT INTO quota_counts VALUES (NEW.subscription, NEW.kind, NEW.region, 1)
    ON CONFLICT (subscription, kind, region) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS quota_counts_delete AFTER DELETE ON resources
WHEN OLD.state != 'Deleting' AND OLD.region IS NOT NULL BEGIN
    UPDATE quota_counts SET n = n - 1 WHERE subscription = OLD.subscription AND kind = OLD.kind AND region = OLD.region;
END;
CREATE TRIGGER IF NOT EXISTS quota_counts_update AFTER UPDATE OF state, subscription, kind, region ON resources BEGIN
    UPDATE quota_counts SET n = n - 1
    WHERE OLD.state != 'Deleting' AND OLD.region IS NOT NULL
      AND subscription = OLD.subscription AND kind = OLD.kind AND region = OLD.region;
    INSERT INTO quota_counts SELECT NEW.subscription, NEW.kind, NEW.region, 1
    WHERE NEW.state != 'Deleting' AND NEW.region IS NOT NULL
    ON CONFLICT (subscription, kind, region) DO UPDATE SET n = n + 1;
END;
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS buckets (
    subscription TEXT NOT NULL,
    class TEXT NOT NULL,
    tokens REAL NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (subscription, class)
);
-- Long-running operations by id, so an operation status URL can be answered on its own.
CREATE TABLE IF NOT EXISTS operations (
    id TEXT PRIMARY KEY,
    resource_id TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);
-- Opening the emulator forgets day-old operations: without this index, a scan of all of them.
CREATE INDEX IF NOT EXISTS operations_by_age ON operations (created_ms);
CREATE TABLE IF NOT EXISTS principals (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    type TEXT NOT NULL,
    name TEXT
);
"#;

/// One region's replication, in real milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionRow {
    pub region: String,
    pub started_ms: i64,
    pub done_ms: i64,
}

/// A stored resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: String,
    pub kind: ResourceKind,
    pub subscription: String,
    pub location: Option<String>,
    pub attributes: Json,
    pub state: String,
    pub op_id: String,
    pub op_started_ms: i64,
    pub op_done_ms: i64,
    pub replication: Vec<RegionRow>,
    pub error: Option<String>,
}

pub struct Emulator {
    conn: Mutex<Connection>,
    path: PathBuf,
    time_scale: f64,
    faults: Faults,
    dice: Dice,
    throttling: bool,
    /// How far the resource index (`ListScope::Graph`) trails the resources, in real milliseconds.
    graph_lag_ms: i64,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

fn db_error(e: rusqlite::Error) -> CloudError {
    CloudError::new(500, "InternalServerError", format!("emulator storage: {e}"))
}

fn kind_str(kind: ResourceKind) -> String {
    kind.name().to_string()
}

/// The kind a stored row names. A name this build does not know means a database written by
/// something else: an error, never a guess.
fn kind_from(s: &str) -> rusqlite::Result<ResourceKind> {
    ResourceKind::from_name(s).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("unknown resource kind `{s}` in the emulator database").into(),
        )
    })
}

impl Emulator {
    /// Opens (creating if needed) the emulator database at `path`.
    pub fn open(path: &Path, time_scale: f64) -> Result<Emulator, CloudError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                CloudError::new(500, "InternalServerError", format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let conn = Connection::open(path).map_err(db_error)?;
        conn.busy_timeout(Duration::from_secs(10)).map_err(db_error)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(db_error)?;
        // WAL with NORMAL sync survives any crash of the process (what the emulator must survive).
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(db_error)?;
        // A cache for a cloud at today's quota ceiling (SQLite's default of 2 MiB re-reads pages
        // from the operating system on every query once the database passes it); grown only as
        // pages are read.
        conn.pragma_update(None, "cache_size", -65_536).map_err(db_error)?;
        // Checkpoints every 16,384 pages of log instead of 1,000: a page written again and again
        // (a table's last leaf, the counters) is copied into the database once per checkpoint,
        // and each checkpoint waits for the disk.
        conn.pragma_update(None, "wal_autocheckpoint", 16_384).map_err(db_error)?;
        conn.pragma_update(None, "recursive_triggers", "ON").map_err(db_error)?;
        // Every call runs the same dozen statements: prepared once, not on every call.
        conn.set_prepared_statement_cache_capacity(64);
        conn.execute_batch(SCHEMA).map_err(db_error)?;
        conn.execute_batch(directory::SCHEMA).map_err(db_error)?;
        // A database from before the quota counts has them made once, from its rows.
        conn.execute_batch(
            "BEGIN IMMEDIATE;
             INSERT INTO quota_counts
                 SELECT subscription, kind, region, COUNT(*) FROM resources
                 WHERE state != 'Deleting' AND region IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM settings WHERE name = 'quota_counts')
                 GROUP BY subscription, kind, region;
             INSERT OR IGNORE INTO settings (name, value) VALUES ('quota_counts', '1');
             COMMIT;",
        )
        .map_err(db_error)?;
        // Operations are remembered for a day, as ARM keeps its operation status resources.
        conn.execute_cached("DELETE FROM operations WHERE created_ms < ?1", [now_ms() - 86_400_000])
            .map_err(db_error)?;
        Ok(Emulator {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
            time_scale,
            faults: Faults::default(),
            dice: Dice::new(1),
            throttling: false,
            graph_lag_ms: 0,
        })
    }

    /// Injects faults (`SIGFORM_EMULATOR_FAULTS`).
    pub fn with_faults(mut self, faults: Faults) -> Emulator {
        self.dice = Dice::new(faults.seed);
        self.faults = faults;
        self
    }

    /// Turns ARM's throttling buckets on or off.
    pub fn with_throttling(mut self, on: bool) -> Emulator {
        self.throttling = on;
        self
    }

    /// Makes the resource index trail the resources by `lag`, as Azure Resource Graph trails ARM:
    /// the index is a copy of the resources taken when a query finds its copy older than `lag`.
    pub fn with_graph_lag(mut self, lag: Duration) -> Emulator {
        self.graph_lag_ms = lag.as_millis() as i64;
        self
    }

    /// `SIGFORM_EMULATOR_GRAPH_LAG`: seconds (real time) the resource index trails the resources.
    pub fn graph_lag_from_env() -> Result<Duration, CloudError> {
        match std::env::var("SIGFORM_EMULATOR_GRAPH_LAG") {
            Err(_) => Ok(Duration::ZERO),
            Ok(v) => v
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map(Duration::from_secs_f64)
                .ok_or_else(|| {
                    CloudError::new(
                        400,
                        "InvalidGraphLag",
                        format!("SIGFORM_EMULATOR_GRAPH_LAG: `{v}` is not a number of seconds"),
                    )
                }),
        }
    }

    /// The emulator as the command line configures it: time scale, faults, throttling, the
    /// resource index's lag.
    pub fn from_env(path: &Path) -> Result<Emulator, CloudError> {
        let faults = Faults::from_env()
            .map_err(|e| CloudError::new(400, "InvalidFaults", format!("SIGFORM_EMULATOR_FAULTS: {e}")))?;
        let emulator = Emulator::open(path, Self::time_scale_from_env())?;
        // Each run draws differently (a run that failed is not doomed to fail the same way when
        // repeated), yet a sequence of runs from the same seed is reproducible.
        let run = emulator.with(|c| {
            c.execute_cached("INSERT INTO counters (name, value) VALUES ('runs', 1) ON CONFLICT(name) DO UPDATE SET value = value + 1", [])
                .map_err(db_error)?;
            c.query_row_cached("SELECT value FROM counters WHERE name = 'runs'", [], |r| r.get::<_, i64>(0)).map_err(db_error)
        })?;
        let faults = Faults { seed: faults.seed ^ (run as u64).wrapping_mul(0x2545_F491_4F6C_DD1D), ..faults };
        let lag = Self::graph_lag_from_env()?;
        Ok(emulator.with_faults(faults).with_throttling(faults::throttling_enabled()).with_graph_lag(lag))
    }

    /// Admission of one request: ARM's token bucket for its subscription and class, then the
    /// injected transient faults.
    fn admit(&self, conn: &Connection, subscription: &str, class: Class) -> Result<(), CloudError> {
        if self.throttling {
            let (burst, rate) = class.bucket();
            let now = now_ms();
            // ARM keeps a bucket per subscription and calling principal: one busy client does
            // not throttle another.
            let key = CALLER.with(|c| match c.borrow().as_deref() {
                Some(principal) => format!("{}|{principal}", subscription.to_ascii_lowercase()),
                None => subscription.to_ascii_lowercase(),
            });
            let (tokens, updated): (f64, i64) = conn
                .query_row(
                    "SELECT tokens, updated_ms FROM buckets WHERE subscription = ?1 AND class = ?2",
                    params![key, class.name()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(db_error)?
                .unwrap_or((burst, now));
            let tokens = (tokens + (now - updated).max(0) as f64 / 1000.0 * rate).min(burst);
            if tokens < 1.0 {
                let wait_ms = ((1.0 - tokens) / rate * 1000.0).ceil() as u64;
                let mut e = CloudError::new(
                    429,
                    "TooManyRequests",
                    format!("the subscription's {} limit is reached; retry after {wait_ms} ms", class.name()),
                );
                e.retry_after_ms = Some(wait_ms);
                return Err(e);
            }
            conn.execute_cached(
                "INSERT OR REPLACE INTO buckets (subscription, class, tokens, updated_ms) VALUES (?1, ?2, ?3, ?4)",
                params![key, class.name(), tokens - 1.0, now],
            )
            .map_err(db_error)?;
        }
        if self.dice.roll(self.faults.throttle) {
            let mut e = CloudError::new(429, "TooManyRequests", "throttled (injected)");
            e.retry_after_ms = Some(50);
            return Err(e);
        }
        if self.dice.roll(self.faults.error) {
            return Err(CloudError::new(500, "InternalServerError", "transient failure (injected)"));
        }
        Ok(())
    }

    /// A write that happened but whose response never arrived (injected).
    fn lose_response(&self) -> Result<(), CloudError> {
        if self.dice.roll(self.faults.lost_response) {
            return Err(CloudError::new(
                500,
                LOST_RESPONSE,
                "the response was lost (injected); the write may have happened",
            ));
        }
        Ok(())
    }

    /// The time scale from `SIGFORM_EMULATOR_TIME_SCALE`, or the default.
    pub fn time_scale_from_env() -> f64 {
        std::env::var("SIGFORM_EMULATOR_TIME_SCALE")
            .ok()
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| *v >= 0.0 && v.is_finite())
            .unwrap_or(DEFAULT_TIME_SCALE)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Real milliseconds for simulated seconds.
    fn real_ms(&self, simulated_s: f64) -> i64 {
        if self.time_scale == 0.0 { 0 } else { (simulated_s * 1000.0 / self.time_scale) as i64 }
    }

    /// Runs one API call in one transaction: settling what is due, the call's reads and its
    /// writes commit once (each statement on its own was a commit of its own: five or six per
    /// create). What the call wrote commits even when it answers an error, as the statements did
    /// one by one (the call is counted, the throttling bucket spent, a lost response's write
    /// kept); only a panic rolls back.
    fn with<T>(&self, f: impl FnOnce(&Connection) -> Result<T, CloudError>) -> Result<T, CloudError> {
        /// Rolls the call back unless it committed (a panic, or a failed settle).
        struct Call<'c>(&'c Connection, bool);
        impl Drop for Call<'_> {
            fn drop(&mut self) {
                if !self.1 {
                    let _ = self.0.execute_cached("ROLLBACK", []);
                }
            }
        }
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        conn.execute_cached("BEGIN IMMEDIATE", []).map_err(db_error)?;
        let mut call = Call(&conn, false);
        settle(&conn, now_ms())?;
        let answer = f(&conn);
        conn.execute_cached("COMMIT", []).map_err(db_error)?;
        call.1 = true;
        answer
    }

    /// Counts one API call (by method), so tests and `emulator calls` can check how many were made.
    fn count_call(&self, conn: &Connection, method: &str) -> Result<(), CloudError> {
        conn.execute_cached(
            "INSERT INTO counters (name, value) VALUES (?1, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1",
            [format!("calls.{method}")],
        )
        .map_err(db_error)?;
        Ok(())
    }

    /// API calls made so far, per method (`get`, `list`, `put`, `delete`, `poll`).
    pub fn calls(&self) -> Result<BTreeMap<String, i64>, CloudError> {
        self.with(|c| {
            let mut stmt = c.prepare("SELECT name, value FROM counters WHERE name LIKE 'calls.%'").map_err(db_error)?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?.trim_start_matches("calls.").to_string(), r.get(1)?)))
                .map_err(db_error)?;
            rows.collect::<Result<_, _>>().map_err(db_error)
        })
    }

    /// Remembers an operation so its status can be asked for by id alone.
    fn record_operation(&self, conn: &Connection, op: &Operation) -> Result<(), CloudError> {
        conn.execute_cached(
            "INSERT OR REPLACE INTO operations (id, resource_id, created_ms) VALUES (?1, ?2, ?3)",
            params![op.id, op.resource_id, now_ms()],
        )
        .map_err(db_error)?;
        Ok(())
    }

    /// The operation with this id, if the emulator started it (for operation status URLs).
    pub fn operation(&self, id: &str) -> Result<Option<Operation>, CloudError> {
        self.with(|c| {
            c.query_row_cached("SELECT resource_id FROM operations WHERE id = ?1", [id], |r| r.get::<_, String>(0))
                .optional()
                .map_err(db_error)
                .map(|found| found.map(|resource_id| Operation { id: id.to_string(), resource_id }))
        })
    }

    /// A resource as it is now, without counting a call or taking a token: what the served
    /// emulator reads to answer a write it already admitted.
    pub fn peek(&self, id: &str) -> Result<Option<CloudResource>, CloudError> {
        self.with(|c| Ok(row(c, id)?.map(|r| into_resource(r, now_ms()))))
    }

    /// The subscriptions the emulator holds resources in, and the default one (which is there
    /// before anything is created): what `GET /subscriptions` lists.
    pub fn subscriptions(&self) -> Result<Vec<String>, CloudError> {
        self.with(|c| {
            let mut stmt = c.prepare("SELECT DISTINCT subscription FROM resources").map_err(db_error)?;
            let found = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(db_error)?;
            let mut out: Vec<String> = found.collect::<Result<_, _>>().map_err(db_error)?;
            out.push(sigform_azure::resources::client_config::DEFAULT_SUBSCRIPTION.to_string());
            out.sort();
            out.dedup();
            Ok(out)
        })
    }

    /// Every resource, for `emulator list`.
    pub fn all(&self) -> Result<Vec<CloudResource>, CloudError> {
        self.with(|c| {
            Ok(rows(c, "SELECT * FROM resources ORDER BY key", [])?
                .into_iter()
                .map(|r| into_resource(r, now_ms()))
                .collect())
        })
    }

    /// Allow-lists a subscription for a region (Australia Central and Central 2 need it).
    pub fn allowlist(&self, subscription: &str, tenant: &str, region: &str) -> Result<(), CloudError> {
        self.with(|c| {
            ensure_subscription(c, subscription, tenant)?;
            let current: String = c
                .query_row(
                    "SELECT allowlisted FROM subscriptions WHERE id = ?1",
                    [subscription.to_ascii_lowercase()],
                    |r| r.get(0),
                )
                .map_err(db_error)?;
            let mut list: Vec<String> = serde_json::from_str(&current).unwrap_or_default();
            let n = regions::normalize(region);
            if !list.contains(&n) {
                list.push(n);
            }
            c.execute_cached(
                "UPDATE subscriptions SET allowlisted = ?2 WHERE id = ?1",
                params![subscription.to_ascii_lowercase(), json!(list).to_string()],
            )
            .map_err(db_error)?;
            Ok(())
        })
    }

    /// Empties the embedded cloud (its profile stays, unless `profile` names another).
    pub fn reset(&self, profile: Option<&'static ServiceProfile>) -> Result<(), CloudError> {
        self.with(|c| {
            c.execute_batch(
                "DELETE FROM resources; DELETE FROM principals; DELETE FROM subscriptions; DELETE FROM features;
                 DROP TABLE IF EXISTS graph; DELETE FROM counters WHERE name = 'graph_synced_ms';",
            )
            .map_err(db_error)?;
            if let Some(p) = profile {
                store_profile(c, p)?;
            }
            Ok(())
        })
    }

    /// The service profile this emulator emulates, once one was chosen (`None`: a new database,
    /// which behaves as the default profile until something chooses).
    pub fn profile(&self) -> Result<Option<&'static ServiceProfile>, CloudError> {
        self.with(stored_profile)
    }

    /// Emulates `profile` from now on (what is already there stays).
    pub fn set_profile(&self, profile: &'static ServiceProfile) -> Result<(), CloudError> {
        self.with(|c| store_profile(c, profile))
    }

    /// The profile this emulator emulates; a database that has not chosen one yet takes `wanted`
    /// and remembers it.
    pub fn claim_profile(&self, wanted: &'static ServiceProfile) -> Result<&'static ServiceProfile, CloudError> {
        self.with(|c| match stored_profile(c)? {
            Some(p) => Ok(p),
            None => {
                store_profile(c, wanted)?;
                Ok(wanted)
            }
        })
    }

    /// Registers a preview feature for a subscription (`az feature register`).
    pub fn register_feature(&self, subscription: &str, feature: &str) -> Result<(), CloudError> {
        self.with(|c| {
            c.execute_cached(
                "INSERT OR IGNORE INTO features (subscription, feature) VALUES (?1, ?2)",
                params![subscription.to_ascii_lowercase(), feature.to_ascii_lowercase()],
            )
            .map_err(db_error)?;
            Ok(())
        })
    }

    /// Whether a subscription registered a preview feature.
    pub fn is_feature_registered(&self, subscription: &str, feature: &str) -> Result<bool, CloudError> {
        self.with(|c| feature_registered(c, subscription, feature))
    }
}

impl Emulator {
    /// The table the resource index reads: the resources themselves without a lag; else a copy,
    /// taken again when it is older than the lag.
    /// The resources of `kinds` in a subscription as Azure Resource Graph's index has them (it
    /// trails the resources by the graph lag), in `regions` (normalized names) when given: one
    /// query, counted against the Graph quota.
    pub fn query_index(
        &self,
        subscription: &str,
        kinds: &[ResourceKind],
        regions: Option<&[String]>,
    ) -> Result<Vec<CloudResource>, CloudError> {
        self.with(|c| self.query_index_in(c, &subscription.to_ascii_lowercase(), kinds, regions, now_ms()))
    }

    /// A further page of a Resource Graph query answered before (the served emulator keeps the
    /// answer): counted and admitted as a query against the Graph quota, as in Azure.
    pub fn graph_page(&self, subscription: &str) -> Result<(), CloudError> {
        self.with(|c| {
            self.count_call(c, "query")?;
            self.admit(c, &subscription.to_ascii_lowercase(), Class::Graph)
        })
    }

    fn query_index_in(
        &self,
        c: &Connection,
        sub: &str,
        kinds: &[ResourceKind],
        regions: Option<&[String]>,
        now: i64,
    ) -> Result<Vec<CloudResource>, CloudError> {
        // One query answers everything here; the served emulator pages it as ARG does.
        self.count_call(c, "query")?;
        self.admit(c, sub, Class::Graph)?;
        let table = self.graph_index(c, now)?;
        let names: Vec<String> = kinds.iter().map(|k| format!("'{}'", kind_str(*k))).collect();
        // The regions go in as one JSON parameter: the statement's text stays the same (cached).
        let regions = regions.map(|r| Json::from(r.iter().map(|n| regions::normalize(n)).collect::<Vec<_>>()));
        let found = rows(
            c,
            &format!(
                "SELECT * FROM {table} WHERE subscription = ?1 AND kind IN ({})
                 AND (?2 IS NULL OR region IN (SELECT value FROM json_each(?2))) ORDER BY key",
                names.join(", ")
            ),
            params![sub, regions.map(|r| r.to_string())],
        )?;
        // The index has no replication status (ARM returns it only to a read that asks).
        Ok(found.into_iter().map(|r| CloudResource { replication: Vec::new(), ..into_resource(r, now) }).collect())
    }

    fn graph_index(&self, conn: &Connection, now: i64) -> Result<&'static str, CloudError> {
        if self.graph_lag_ms == 0 {
            return Ok("resources");
        }
        let synced: i64 = conn
            .query_row("SELECT value FROM counters WHERE name = 'graph_synced_ms'", [], |r| r.get(0))
            .optional()
            .map_err(db_error)?
            .unwrap_or(i64::MIN / 2);
        let copied = conn
            .query_row("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'graph'", [], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(db_error)?
            == 1;
        if !copied || now - synced >= self.graph_lag_ms {
            // In the call's transaction (`with`): another process may be copying the index at the
            // same moment.
            conn.execute_batch(
                "DROP TABLE IF EXISTS graph;
                 CREATE TABLE graph AS SELECT * FROM resources;
                 CREATE INDEX graph_by_subscription ON graph (subscription, kind);",
            )
            .map_err(db_error)?;
            conn.execute_cached(
                "INSERT INTO counters (name, value) VALUES ('graph_synced_ms', ?1) ON CONFLICT(name) DO UPDATE SET value = ?1",
                [now],
            )
            .map_err(db_error)?;
        }
        Ok("graph")
    }
}

/// Finishes every operation whose time has come: deletions disappear, creates and updates succeed.
fn settle(conn: &Connection, now: i64) -> Result<(), CloudError> {
    conn.execute_cached("DELETE FROM resources WHERE state = 'Deleting' AND op_done_ms <= ?1", [now])
        .map_err(db_error)?;
    conn.execute_cached(
        "UPDATE resources SET state = CASE WHEN fails = 1 THEN 'Failed' ELSE 'Succeeded' END,
                              error = CASE WHEN fails = 1 THEN ?2 ELSE error END
         WHERE state IN ('Creating', 'Updating') AND op_done_ms <= ?1",
        params![now, REGION_FAILED],
    )
    .map_err(db_error)?;
    Ok(())
}

/// Why an image version's operation failed when a target region's replication did.
const REGION_FAILED: &str = "replication to a target region failed";

fn feature_registered(conn: &Connection, subscription: &str, feature: &str) -> Result<bool, CloudError> {
    conn.query_row_cached(
        "SELECT 1 FROM features WHERE subscription = ?1 AND feature = ?2",
        params![subscription.to_ascii_lowercase(), feature.to_ascii_lowercase()],
        |_| Ok(()),
    )
    .optional()
    .map(|found| found.is_some())
    .map_err(db_error)
}

fn stored_profile(conn: &Connection) -> Result<Option<&'static ServiceProfile>, CloudError> {
    let name: Option<String> = conn
        .query_row("SELECT value FROM settings WHERE name = 'profile'", [], |r| r.get(0))
        .optional()
        .map_err(db_error)?;
    match name {
        None => Ok(None),
        Some(n) => profiles::find(&n).map(Some).ok_or_else(|| {
            CloudError::new(
                500,
                "InternalServerError",
                format!("the emulator database names an unknown service profile `{n}`"),
            )
        }),
    }
}

fn store_profile(conn: &Connection, profile: &ServiceProfile) -> Result<(), CloudError> {
    conn.execute_cached(
        "INSERT INTO settings (name, value) VALUES ('profile', ?1) ON CONFLICT(name) DO UPDATE SET value = ?1",
        [profile.name],
    )
    .map_err(db_error)?;
    Ok(())
}

impl Emulator {
    /// Dates a version's publication (`publishingProfile.publishedDate`), as if another tool had
    /// published it then: for tests and demonstrations of what depends on age (retention).
    pub fn set_published_date(&self, id: &str, date: &str) -> Result<(), CloudError> {
        self.with(|c| {
            let Some(mut r) = row(c, id)? else {
                return Err(CloudError::new(404, "ResourceNotFound", format!("{id} was not found")));
            };
            r.attributes["published_date"] = json!(date);
            c.execute_cached(
                "UPDATE resources SET attributes = ?2 WHERE key = ?1",
                params![id.to_ascii_lowercase(), r.attributes.to_string()],
            )
            .map_err(db_error)?;
            Ok(())
        })
    }
}

/// A subscription as `GET /subscriptions[/{id}]` answers it.
pub fn subscription_json(id: &str, tenant: &str) -> Json {
    json!({
        "id": format!("/subscriptions/{id}"),
        "subscriptionId": id,
        "tenantId": tenant,
        "displayName": format!("sigform emulator {id}"),
        "state": "Enabled",
        "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01", "spendingLimit": "Off"},
        "authorizationSource": "RoleBased",
        "tags": {},
    })
}

/// `query_row` and `execute` through the connection's statement cache: an API call runs the same
/// dozen statements every time, and parsing them anew was a tenth of an apply's time.
trait Cached {
    fn query_row_cached<T, P: rusqlite::Params, F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>>(
        &self,
        sql: &str,
        params: P,
        f: F,
    ) -> rusqlite::Result<T>;
    fn execute_cached<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize>;
}

impl Cached for Connection {
    fn query_row_cached<T, P: rusqlite::Params, F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>>(
        &self,
        sql: &str,
        params: P,
        f: F,
    ) -> rusqlite::Result<T> {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    fn execute_cached<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }
}

fn ensure_subscription(conn: &Connection, id: &str, tenant: &str) -> Result<String, CloudError> {
    conn.execute_cached(
        "INSERT OR IGNORE INTO subscriptions (id, tenant) VALUES (?1, ?2)",
        params![id.to_ascii_lowercase(), tenant],
    )
    .map_err(db_error)?;
    conn.query_row_cached("SELECT tenant FROM subscriptions WHERE id = ?1", [id.to_ascii_lowercase()], |r| r.get(0))
        .map_err(db_error)
}

fn rows<P: rusqlite::Params>(conn: &Connection, sql: &str, p: P) -> Result<Vec<Row>, CloudError> {
    let mut stmt = conn.prepare_cached(sql).map_err(db_error)?;
    let out = stmt
        .query_map(p, |r| {
            Ok(Row {
                id: r.get("id")?,
                kind: kind_from(&r.get::<_, String>("kind")?)?,
                subscription: r.get("subscription")?,
                location: r.get("location")?,
                attributes: serde_json::from_str(&r.get::<_, String>("attributes")?).unwrap_or(Json::Null),
                state: r.get("state")?,
                op_id: r.get("op_id")?,
                op_started_ms: r.get("op_started_ms")?,
                op_done_ms: r.get("op_done_ms")?,
                replication: serde_json::from_str(&r.get::<_, String>("replication")?).unwrap_or_default(),
                error: r.get("error")?,
            })
        })
        .map_err(db_error)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_error)?;
    Ok(out)
}

fn row(conn: &Connection, id: &str) -> Result<Option<Row>, CloudError> {
    Ok(rows(conn, "SELECT * FROM resources WHERE key = ?1", [id.to_ascii_lowercase()])?.into_iter().next())
}

fn replication_status(r: &Row, now: i64) -> Vec<RegionReplication> {
    r.replication
        .iter()
        .map(|reg| {
            let span = (reg.done_ms - reg.started_ms).max(1);
            let progress =
                if now >= reg.done_ms { 100 } else { (((now - reg.started_ms).max(0) * 100) / span).min(99) as u8 };
            RegionReplication {
                region: reg.region.clone(),
                state: if progress == 100 { "Completed".into() } else { "Replicating".into() },
                progress,
            }
        })
        .collect()
}

/// A stored row as the service answers it (taking the row: a list of thousands is not copied).
fn into_resource(r: Row, now: i64) -> CloudResource {
    let replication = replication_status(&r, now);
    CloudResource {
        id: r.id,
        kind: r.kind,
        subscription: r.subscription,
        location: r.location,
        attributes: r.attributes,
        provisioning_state: r.state,
        replication,
    }
}

/// Checks the shape of an id and what it names.
fn parse_id(id: &str, kind: ResourceKind) -> Result<ArmId, CloudError> {
    if let sigform_azure::schema::IdShape::Extension { .. } = kind.facts().id {
        let Some((found, scope)) = sigform_azure::shape::extension_of(id).filter(|(k, _)| *k == kind) else {
            return Err(CloudError::new(400, "InvalidResourceId", format!("{id} is not a {} id", kind.facts().noun)));
        };
        // A subscription is a scope too (role definitions live there).
        let parts: Vec<&str> = scope.trim_matches('/').split('/').collect();
        let at_subscription =
            parts.len() == 2 && parts[0].eq_ignore_ascii_case("subscriptions") && !parts[1].is_empty();
        let mut scope = if at_subscription {
            ArmId { kind: found, subscription: parts[1].to_string(), resource_group: String::new(), names: Vec::new() }
        } else {
            ArmId::parse(scope)
                .ok_or_else(|| CloudError::new(400, "InvalidResourceId", format!("{id} has an invalid scope")))?
        };
        scope.kind = found;
        return Ok(scope);
    }
    match ArmId::parse(id) {
        Some(p) if p.kind == kind => Ok(p),
        Some(p) => {
            Err(CloudError::new(400, "InvalidResourceType", format!("{id} names a {:?}, not a {kind:?}", p.kind)))
        }
        None => Err(CloudError::new(400, "InvalidResourceId", format!("{id} is not a valid resource id"))),
    }
}

impl Cloud for Emulator {
    fn visible_subscriptions(&self) -> Result<Vec<String>, CloudError> {
        Emulator::subscriptions(self)
    }

    fn subscription(&self, id: &str) -> Result<Option<Json>, CloudError> {
        let known = Emulator::subscriptions(self)?;
        if !known.iter().any(|s| s.eq_ignore_ascii_case(id)) {
            return Ok(None);
        }
        let tenant = self.with(|c| {
            c.query_row_cached("SELECT tenant FROM subscriptions WHERE id = ?1", [id.to_ascii_lowercase()], |r| {
                r.get(0)
            })
            .optional()
            .map_err(db_error)
        })?;
        let tenant: String =
            tenant.unwrap_or_else(|| sigform_azure::resources::client_config::DEFAULT_TENANT.to_string());
        Ok(Some(subscription_json(&id.to_ascii_lowercase(), &tenant)))
    }

    fn caller_object_id(&self) -> Result<Option<String>, CloudError> {
        Ok(Some(sigform_azure::resources::client_config::EMULATOR_CALLER.to_string()))
    }

    fn service_profile(
        &self,
        wanted: &'static ServiceProfile,
    ) -> Result<sigform_azure::cloud::CloudProfile, CloudError> {
        Ok(sigform_azure::cloud::CloudProfile::Emulated(self.claim_profile(wanted)?))
    }

    fn feature_registered(&self, subscription: &str, feature: &str) -> Result<Option<bool>, CloudError> {
        Ok(Some(self.is_feature_registered(subscription, feature)?))
    }

    fn get(&self, id: &str) -> Result<Option<CloudResource>, CloudError> {
        self.with(|c| {
            self.count_call(c, "get")?;
            self.admit(c, &subscription_of(id), Class::Read)?;
            Ok(row(c, id)?.map(|r| into_resource(r, now_ms())))
        })
    }

    fn list(&self, scope: &ListScope) -> Result<Vec<CloudResource>, CloudError> {
        self.with(|c| {
            let sub = match scope {
                ListScope::Subscription(s) | ListScope::Graph(s) => s.to_ascii_lowercase(),
                ListScope::Gallery(id)
                | ListScope::Definition(id)
                | ListScope::RoleAssignments(id)
                | ListScope::Locks(id)
                | ListScope::RoleDefinitions(id) => subscription_of(id),
            };
            let now = now_ms();
            if let ListScope::Graph(_) = scope {
                return self.query_index_in(c, &sub, &sigform_azure::shape::INDEXED, None, now);
            }
            self.count_call(c, "list")?;
            self.admit(c, &sub, Class::Read)?;
            let found = match scope {
                ListScope::Subscription(sub) => rows(
                    c,
                    "SELECT * FROM resources WHERE subscription = ?1 AND kind IN ('ResourceGroup', 'ManagedImage', 'Gallery') ORDER BY key",
                    [sub.to_ascii_lowercase()],
                )?,
                // A gallery's image definitions and VM applications; a definition's (or an
                // application's) versions.
                ListScope::Gallery(id) => rows(c, "SELECT * FROM resources WHERE (kind = 'ImageDefinition' AND key LIKE ?1 || '/images/%') OR (kind = 'GalleryApplication' AND key LIKE ?1 || '/applications/%') ORDER BY key", [id.to_ascii_lowercase()])?,
                ListScope::Definition(id) => rows(c, "SELECT * FROM resources WHERE kind IN ('ImageVersion', 'GalleryApplicationVersion') AND key LIKE ?1 || '/versions/%' ORDER BY key", [id.to_ascii_lowercase()])?,
                ListScope::RoleAssignments(scope) => rows(c, "SELECT * FROM resources WHERE kind = 'RoleAssignment' AND key LIKE ?1 || '/%' ORDER BY key", [scope.to_ascii_lowercase()])?,
                ListScope::Locks(scope) => rows(c, "SELECT * FROM resources WHERE kind = 'ManagementLock' AND key LIKE ?1 || '/%' ORDER BY key", [scope.to_ascii_lowercase()])?,
                ListScope::RoleDefinitions(scope) => rows(c, "SELECT * FROM resources WHERE kind = 'RoleDefinition' AND key LIKE ?1 || '/%' ORDER BY key", [scope.to_ascii_lowercase()])?,
                ListScope::Graph(_) => unreachable!("answered above"),
            };
            Ok(found.into_iter().map(|r| into_resource(r, now)).collect())
        })
    }

    fn put(&self, id: &str, body: &Body) -> Result<Operation, CloudError> {
        let parsed = parse_id(id, body.kind)?;
        self.with(|c| {
            self.count_call(c, "put")?;
            self.admit(c, &parsed.subscription, Class::Write)?;
            let tenant = ensure_subscription(c, &parsed.subscription, &body.tenant)?;
            let existing = row(c, id)?;
            let allowlisted: Vec<String> = c
                .query_row("SELECT allowlisted FROM subscriptions WHERE id = ?1", [parsed.subscription.to_ascii_lowercase()], |r| r.get::<_, String>(0))
                .ok()
                .and_then(|s| serde_json::from_str(&s).ok())
                .unwrap_or_default();
            let lookup = |i: &str| row(c, i).ok().flatten();
            let count = |kind: ResourceKind, region: &str| -> u64 {
                c.query_row_cached(
                    "SELECT n FROM quota_counts WHERE subscription = ?1 AND kind = ?2 AND region = ?3",
                    params![parsed.subscription.to_ascii_lowercase(), kind_str(kind), region],
                    |r| r.get::<_, i64>(0),
                )
                .map_or(0, |n| n.max(0) as u64)
            };
            let principal_tenant = |p: &str| -> Option<String> {
                c.query_row_cached("SELECT tenant FROM principals WHERE id = ?1", [p.to_ascii_lowercase()], |r| r.get(0)).optional().ok().flatten()
            };
            let profile = stored_profile(c)?.unwrap_or(profiles::DEFAULT);
            let registered = |feature: &str| feature_registered(c, &parsed.subscription, feature).unwrap_or(false);
            let ctx = service::Context {
                profile,
                feature_registered: &registered,
                parsed: &parsed,
                existing: existing.as_ref(),
                lookup: &lookup,
                count_in_region: &count,
                allowlisted: &allowlisted,
                principal_tenant: &principal_tenant,
                subscription_tenant: &tenant,
            };
            if !is_authorization(body.kind) {
                locked_by(c, id, false)?;
            }
            // An extension resource's scope is its URL's, whatever the body says.
            let mut attrs = body.attributes.clone();
            if let Some((_, scope)) = sigform_azure::shape::extension_of(id) {
                attrs["scope"] = json!(scope);
            }
            service::check_put(body.kind, &attrs, &ctx)?;

            if body.kind == ResourceKind::RoleAssignment && attrs.get("principal_type").is_none_or(Json::is_null) {
                // As Azure does: the principal's type comes from the directory.
                let principal = attrs.get("principal_id").and_then(Json::as_str).unwrap_or("").to_ascii_lowercase();
                let kind: Option<String> = c
                    .query_row("SELECT type FROM principals WHERE id = ?1", [principal], |r| r.get(0))
                    .optional()
                    .map_err(db_error)?;
                if let Some(kind) = kind {
                    attrs["principal_type"] = json!(kind);
                }
            }
            if body.kind == ResourceKind::RoleAssignment {
                resolve_role(c, &parsed.subscription, &mut attrs)?;
            }
            service::fill(body.kind, id, &mut attrs, existing.as_ref());
            let now = now_ms();
            let (state, simulated) = match &existing {
                None => ("Creating", replication::create_seconds(body.kind)),
                Some(_) => ("Updating", replication::update_seconds(body.kind)),
            };
            let mut done = now + self.real_ms(simulated);
            let mut replication_rows = Vec::new();
            let mut fails = false;
            if matches!(body.kind, ResourceKind::ImageVersion | ResourceKind::GalleryApplicationVersion) {
                // An application package is small next to an OS image: a gigabyte.
                let image_gb = if body.kind == ResourceKind::ImageVersion {
                    service::source_size_gb(&attrs, &|i| row(c, i).ok().flatten())
                } else {
                    1.0
                };
                let previous: Vec<RegionRow> = existing.as_ref().map(|e| e.replication.clone()).unwrap_or_default();
                let regions_list = attrs["target_region"].as_array().cloned().unwrap_or_default();
                let fresh: Vec<(String, u32)> = regions_list
                    .iter()
                    .map(|r| (regions::normalize(r["name"].as_str().unwrap_or("")), r["regional_replica_count"].as_f64().unwrap_or(1.0) as u32))
                    .filter(|(name, _)| !previous.iter().any(|p| p.region == *name))
                    .collect();
                let counts: Vec<u32> = fresh.iter().map(|(_, n)| *n).collect();
                let timings = replication::version_regions(image_gb, &counts);
                for p in previous {
                    if regions_list.iter().any(|r| regions::normalize(r["name"].as_str().unwrap_or("")) == p.region) {
                        replication_rows.push(p);
                    }
                }
                for ((name, _), (offset, duration)) in fresh.iter().zip(timings) {
                    fails |= self.dice.roll(self.faults.region_failure);
                    let started = now + self.real_ms(offset);
                    let region_done = started + self.real_ms(duration);
                    done = done.max(region_done);
                    replication_rows.push(RegionRow { region: name.clone(), started_ms: started, done_ms: region_done });
                }
            }
            let op = Operation { id: uuid::Uuid::new_v4().to_string(), resource_id: id.to_string() };
            let location = attrs.get("location").and_then(Json::as_str).map(str::to_string);
            // An operation already due (time scale 0) is written as `settle` would leave it: the
            // row is written once, not written and then settled by the next call.
            let (state, error) = match (done <= now, fails) {
                (false, _) => (state, None),
                (true, false) => ("Succeeded", None),
                (true, true) => ("Failed", Some(REGION_FAILED)),
            };
            c.execute_cached(
                "INSERT OR REPLACE INTO resources (key, id, kind, subscription, location, attributes, state, op_id, op_started_ms, op_done_ms, replication, error, fails, region)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?14, ?12, ?13)",
                params![
                    id.to_ascii_lowercase(),
                    id,
                    kind_str(body.kind),
                    parsed.subscription.to_ascii_lowercase(),
                    location,
                    attrs.to_string(),
                    state,
                    op.id,
                    now,
                    done,
                    json!(replication_rows).to_string(),
                    fails,
                    location.as_deref().map(regions::normalize),
                    error
                ],
            )
            .map_err(db_error)?;
            self.record_operation(c, &op)?;
            self.lose_response()?;
            Ok(op)
        })
    }

    fn delete(&self, id: &str) -> Result<Operation, CloudError> {
        self.with(|c| {
            self.count_call(c, "delete")?;
            self.admit(c, &subscription_of(id), Class::Write)?;
            let op = Operation { id: uuid::Uuid::new_v4().to_string(), resource_id: id.to_string() };
            let Some(existing) = row(c, id)? else {
                return Ok(op); // ARM answers a delete of nothing with 204
            };
            if existing.state == "Deleting" {
                return Ok(Operation { id: existing.op_id, resource_id: id.to_string() });
            }
            if !is_authorization(existing.kind) {
                locked_by(c, id, true)?;
            }
            let children = rows(
                c,
                "SELECT * FROM resources WHERE key LIKE ?1 || '/%' AND kind NOT IN ('RoleAssignment', 'ManagementLock', 'RoleDefinition') AND state != 'Deleting'",
                [id.to_ascii_lowercase()],
            )?;
            // A resource group takes everything in it along (one long-running operation, as ARM
            // deletes a group); anything else must be empty first.
            let cascade = existing.kind == ResourceKind::ResourceGroup;
            if let Some(child) = children.first().filter(|_| !cascade) {
                return Err(CloudError::new(
                    409,
                    "CannotDeleteResource",
                    format!("{id} cannot be deleted while it contains {} (and {} more)", child.id, children.len() - 1),
                ));
            }
            let now = now_ms();
            let seconds = children
                .iter()
                .map(|child| replication::delete_seconds(child.kind))
                .fold(replication::delete_seconds(existing.kind), f64::max);
            let done = now + self.real_ms(if cascade { seconds } else { replication::delete_seconds(existing.kind) });
            c.execute_cached(
                "UPDATE resources SET state = 'Deleting', op_id = ?2, op_started_ms = ?3, op_done_ms = ?4 WHERE key = ?1",
                params![id.to_ascii_lowercase(), op.id, now, done],
            )
            .map_err(db_error)?;
            if cascade {
                c.execute_cached(
                    "UPDATE resources SET state = 'Deleting', op_started_ms = ?2, op_done_ms = ?3 WHERE key LIKE ?1 || '/%'",
                    params![id.to_ascii_lowercase(), now, done],
                )
                .map_err(db_error)?;
            }
            // Role assignments (and locks, which let it happen) at a deleted scope go with it,
            // as ARM removes them.
            c.execute_cached(
                "UPDATE resources SET state = 'Deleting', op_started_ms = ?2, op_done_ms = ?3 WHERE key LIKE ?1 || '/%' AND kind IN ('RoleAssignment', 'ManagementLock')",
                params![id.to_ascii_lowercase(), now, done],
            )
            .map_err(db_error)?;
            self.record_operation(c, &op)?;
            self.lose_response()?;
            Ok(op)
        })
    }

    fn poll(&self, operation: &Operation) -> Result<OperationStatus, CloudError> {
        self.with(|c| {
            self.count_call(c, "poll")?;
            self.admit(c, &subscription_of(&operation.resource_id), Class::Read)?;
            let now = now_ms();
            // The operation's columns only: a version's attributes are kilobytes of JSON that a
            // poll does not look at.
            let Some(r) = rows(
                c,
                "SELECT id, kind, subscription, location, 'null' AS attributes, state, op_id, op_started_ms, op_done_ms, replication, error
                 FROM resources WHERE key = ?1",
                [operation.resource_id.to_ascii_lowercase()],
            )?
            .into_iter()
            .next() else {
                return Ok(OperationStatus::Succeeded);
            };
            if r.op_id != operation.id || r.state == "Succeeded" {
                return Ok(OperationStatus::Succeeded);
            }
            if r.state == "Failed" {
                let message = r.error.clone().unwrap_or_else(|| "the operation failed".into());
                return Ok(OperationStatus::Failed(CloudError::new(500, "OperationFailed", message)));
            }
            let remaining = (r.op_done_ms - now).max(0) as u64;
            Ok(OperationStatus::InProgress {
                retry_after: Duration::from_millis(remaining.clamp(20, 1000)),
                replication: replication_status(&r, now),
            })
        })
    }
}

#[cfg(test)]
mod tests;
