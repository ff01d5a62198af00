//! State: what sigform manages — one record per resource instance with its ARM id and
//! attributes, the outputs, the history of every change, the lock and the intent log.
//!
//! `StateStore` is the one interface the planner's callers and the applier use; `SqliteStore` is
//! the default implementation. Every change is one transaction that bumps the
//! serial and appends history, so a state never holds half a change.

mod attributes;
mod location;
mod postgres;
mod sqlite;

pub use attributes::Attributes;
pub use location::{Location, PostgresUrl, redact};
pub use postgres::PostgresStore;
pub use sqlite::{BACKUPS_KEPT, SqliteStore, restrict_permissions};

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One managed resource (or data source) instance as last recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceState {
    pub address: String,
    /// "managed" or "data".
    pub mode: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub name: String,
    /// `null`, a number (count) or a string (for_each).
    pub index: serde_json::Value,
    /// `azurerm` or `azurerm.ALIAS`.
    pub provider: String,
    pub subscription_id: String,
    pub id: String,
    /// The attributes as an object, in the shape references see (`target_region` a list of objects).
    pub attributes: Attributes,
    /// Addresses of resource blocks this one depends on.
    pub dependencies: Vec<String>,
    /// "ready", or an operation still settling ("creating", "updating", "deleting").
    pub status: String,
    /// Top-level attributes whose values came from sensitive values (`sensitive = true`
    /// variables, `sensitive()`): shown as "(sensitive value)" by `state show` and in drift.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sensitive: Vec<String>,
}

impl ResourceState {
    /// The address of the block the instance belongs to: its address without the instance key
    /// (`module.image["ubuntu"].azurerm_shared_image_version.this`), as dependencies name it.
    pub fn block(&self) -> &str {
        let key = match &self.index {
            serde_json::Value::Number(n) => n.as_u64().map(crate::model::InstanceKey::Index),
            serde_json::Value::String(k) => Some(crate::model::InstanceKey::Key(k.clone())),
            _ => None,
        };
        let Some(key) = key else {
            return &self.address;
        };
        let mut suffix = String::new();
        crate::model::address::push_key(&mut suffix, &key);
        self.address.strip_suffix(&suffix).unwrap_or(&self.address)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputState {
    pub name: String,
    pub value: serde_json::Value,
    pub sensitive: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    pub serial: u64,
    pub time: String,
    pub action: String,
    pub address: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// The whole state at one serial: what the planner reads as the prior.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    pub lineage: String,
    pub serial: u64,
    pub resources: Vec<ResourceState>,
    pub outputs: Vec<OutputState>,
}

impl Snapshot {
    pub fn resource(&self, address: &str) -> Option<&ResourceState> {
        self.resources.iter().find(|r| r.address == address)
    }
}

/// One change to the state; several are committed together.
#[derive(Debug, Clone)]
pub enum Change {
    /// Record (or replace) a resource.
    Put { action: String, resource: Box<ResourceState> },
    /// Forget a resource (the cloud keeps it).
    Remove { action: String, address: String },
    /// Rename an address, keeping everything else.
    Move { from: String, to: String },
    /// Replace all outputs.
    Outputs(Vec<OutputState>),
    /// The cloud call an intent announced has been recorded: remove the intent.
    SettleIntent(i64),
}

/// A cloud operation announced before it is made: if the process dies between
/// the call and the record, the next run finds the intent and settles it by reading the cloud.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intent {
    pub id: i64,
    pub address: String,
    pub arm_id: String,
    pub action: String,
    pub body: serde_json::Value,
    pub created: String,
    pub pid: u32,
}

/// One configuration's state among those a location's database holds (`state workspaces`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkspaceInfo {
    pub name: String,
    pub serial: u64,
    pub resources: usize,
    /// `user@host running \`apply\``, while a live process holds the lock.
    pub locked_by: Option<String>,
}

/// Who holds the lock.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LockInfo {
    pub id: String,
    pub holder: String,
    pub pid: u32,
    pub host: String,
    pub operation: String,
    pub created: String,
}

impl LockInfo {
    /// A lock for this process doing `operation`.
    pub fn for_this_process(operation: &str) -> LockInfo {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .or_else(|_| std::env::var("HOSTNAME"))
            .unwrap_or_else(|_| "unknown".to_string());
        let user = std::env::var("USER").unwrap_or_else(|_| "unknown".to_string());
        LockInfo {
            id: uuid::Uuid::new_v4().to_string(),
            holder: format!("{user}@{host}"),
            pid: std::process::id(),
            host,
            operation: operation.to_string(),
            created: sigform_azure::timestamp::now_rfc3339(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("{location} is not a sigform state database; it was left untouched")]
    Foreign { location: String },
    #[error(
        "{location} was written by a newer sigform (state format {found}, this one reads up to {supported}); it was left untouched"
    )]
    Newer { location: String, found: i64, supported: i64 },
    #[error("`{location}` is not a state location: {why}")]
    BadLocation { location: String, why: String },
    #[error("PostgreSQL state {location}: {message}")]
    Postgres { location: String, message: String },
    #[error("there is no state at {0} yet")]
    Missing(String),
    #[error("{0} already holds a state; copy only into an empty one")]
    NotEmpty(String),
    #[error("{0}")]
    Unsupported(String),
    #[error(
        "the lock {} is held by a live connection (PostgreSQL backend pid {backend_pid}, {} running `{}`); it is released the moment that process ends — stop it, or end its session with SELECT pg_terminate_backend({backend_pid})",
        .info.id, .info.holder, .info.operation
    )]
    HeldByLiveSession { info: LockInfo, backend_pid: i32 },
    #[error("the state is locked by {} (pid {} on {}, running `{}` since {}); lock id {}", .0.holder, .0.pid, .0.host, .0.operation, .0.created, .0.id)]
    Locked(LockInfo),
    #[error("no lock with id {0}")]
    NoSuchLock(String),
    #[error("no resource {address} in the state{}", suggestion.as_ref().map(|s| format!("; did you mean {s}?")).unwrap_or_default())]
    NoSuchResource { address: String, suggestion: Option<String> },
    #[error("{0} is already in the state")]
    AddressTaken(String),
    #[error("state database error: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("cannot use {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("corrupt state record: {0}")]
    Corrupt(String),
}

pub trait StateStore {
    fn snapshot(&self) -> Result<Snapshot, StateError>;
    /// Newest first; `limit` entries at most.
    fn history(&self, limit: Option<usize>) -> Result<Vec<HistoryEntry>, StateError>;
    /// Commits the changes in one transaction; returns the new serial.
    fn commit(&mut self, changes: &[Change]) -> Result<u64, StateError>;
    fn lock(&mut self, info: &LockInfo) -> Result<(), StateError>;
    fn unlock(&mut self, id: &str) -> Result<(), StateError>;
    fn current_lock(&self) -> Result<Option<LockInfo>, StateError>;
    /// Records an intent (committed at once); returns its id.
    fn add_intent(
        &mut self,
        address: &str,
        arm_id: &str,
        action: &str,
        body: &serde_json::Value,
    ) -> Result<i64, StateError>;
    fn intents(&self) -> Result<Vec<Intent>, StateError>;
    /// A copy to go back to, taken before an apply changes anything; `None` where the backend
    /// keeps its own (PostgreSQL: the server's backups).
    fn backup(&self) -> Result<Option<PathBuf>, StateError> {
        Ok(None)
    }
    /// Puts a backup file back (after backing up the current state); returns that fresh backup.
    fn restore(&mut self, from: &Path) -> Result<PathBuf, StateError> {
        let _ = from;
        Err(StateError::Unsupported(format!(
            "{} restores from its server's backups, not from files; `state restore` is for SQLite states",
            self.describe()
        )))
    }
    /// Whether a lock is released by the death of its holder (then it is never broken by hand).
    fn locks_die_with_holder(&self) -> bool {
        false
    }
    /// Fills an empty store with a whole state and its history (`state migrate`).
    fn replace_all(&mut self, snapshot: &Snapshot, history: &[HistoryEntry]) -> Result<(), StateError>;
    /// Where the store is, for messages (never with a password).
    fn describe(&self) -> String;
}

/// The row operations a commit needs, inside one transaction of a backend: what both backends
/// share is how changes become rows (`write_changes`, `write_all`), written once.
pub(crate) trait Rows {
    fn resource(&mut self, address: &str) -> Result<Option<ResourceState>, StateError>;
    fn put(&mut self, resource: &ResourceState, serial: u64) -> Result<(), StateError>;
    fn delete(&mut self, address: &str) -> Result<(), StateError>;
    fn history(&mut self, entry: &HistoryEntry) -> Result<(), StateError>;
    fn replace_outputs(&mut self, outputs: &[OutputState]) -> Result<(), StateError>;
    fn settle_intent(&mut self, id: i64) -> Result<(), StateError>;
}

/// Writes one commit's changes at `serial`, each with its history entry.
pub(crate) fn write_changes(rows: &mut dyn Rows, changes: &[Change], serial: u64) -> Result<(), StateError> {
    let time = sigform_azure::timestamp::now_rfc3339();
    let entry = |action: &str, address: &str, before: Option<serde_json::Value>, after: Option<serde_json::Value>| {
        HistoryEntry {
            serial,
            time: time.clone(),
            action: action.to_string(),
            address: address.to_string(),
            before,
            after,
        }
    };
    for change in changes {
        match change {
            Change::Put { action, resource: r } => {
                let before = rows.resource(&r.address)?;
                rows.put(r, serial)?;
                rows.history(&entry(
                    action,
                    &r.address,
                    before.map(|b| b.attributes.value()),
                    Some(r.attributes.value()),
                ))?;
            }
            Change::Remove { action, address } => {
                let Some(before) = rows.resource(address)? else {
                    return Err(StateError::NoSuchResource { address: address.clone(), suggestion: None });
                };
                rows.delete(address)?;
                rows.history(&entry(action, address, Some(before.attributes.value()), None))?;
            }
            Change::Move { from, to } => {
                if rows.resource(to)?.is_some() {
                    return Err(StateError::AddressTaken(to.clone()));
                }
                let Some(mut moved) = rows.resource(from)? else {
                    return Err(StateError::NoSuchResource { address: from.clone(), suggestion: None });
                };
                let parsed = crate::model::address::parse(to).map_err(|e| StateError::Corrupt(e.to_string()))?;
                moved.type_name = parsed.resource.type_name.clone();
                moved.name = parsed.resource.name.clone();
                moved.index = crate::model::address::index_json(&parsed.key);
                moved.address = to.clone();
                rows.delete(from)?;
                rows.put(&moved, serial)?;
                let before = serde_json::json!({"address": from});
                rows.history(&entry("move", to, Some(before), Some(serde_json::json!({"address": to}))))?;
            }
            Change::SettleIntent(id) => rows.settle_intent(*id)?,
            Change::Outputs(outputs) => rows.replace_outputs(outputs)?,
        }
    }
    Ok(())
}

/// Fills an empty store with a whole state and its history (oldest first), for `state migrate`.
pub(crate) fn write_all(rows: &mut dyn Rows, snapshot: &Snapshot, history: &[HistoryEntry]) -> Result<(), StateError> {
    for r in &snapshot.resources {
        rows.put(r, snapshot.serial)?;
    }
    rows.replace_outputs(&snapshot.outputs)?;
    for h in history.iter().rev() {
        rows.history(h)?;
    }
    Ok(())
}

/// A resource row's JSON columns, decoded (shared by both backends).
/// A resource row's JSON columns: index key, attributes, dependencies, sensitive attributes.
pub(crate) type RowColumns = (ResourceState, String, String, String, String);

pub(crate) fn decode(
    (mut r, index, attributes, dependencies, sensitive): RowColumns,
) -> Result<ResourceState, StateError> {
    let parse = |s: &str| serde_json::from_str(s).map_err(|e| StateError::Corrupt(format!("{}: {e}", r.address)));
    r.index = parse(&index)?;
    r.attributes =
        Attributes::from_stored(attributes).map_err(|e| StateError::Corrupt(format!("{}: {e}", r.address)))?;
    r.dependencies =
        serde_json::from_str(&dependencies).map_err(|e| StateError::Corrupt(format!("{}: {e}", r.address)))?;
    r.sensitive = serde_json::from_str(&sensitive).map_err(|e| StateError::Corrupt(format!("{}: {e}", r.address)))?;
    Ok(r)
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("state values serialize")
}

/// How long a writer waits for a held lock (`--lock-timeout`); zero fails at once.
static LOCK_TIMEOUT_MS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

pub fn set_lock_timeout(timeout: std::time::Duration) {
    LOCK_TIMEOUT_MS.store(timeout.as_millis() as u64, std::sync::atomic::Ordering::Relaxed);
}

/// Whether a process is alive on this host (Linux: /proc).
fn process_alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// Takes the lock for `operation`: waits up to the lock timeout for a live holder, and breaks
/// (with a warning, see `notice`) a lock whose holder died on this host.
pub fn acquire(store: &mut dyn StateStore, operation: &str) -> Result<LockInfo, StateError> {
    let info = LockInfo::for_this_process(operation);
    let timeout = std::time::Duration::from_millis(LOCK_TIMEOUT_MS.load(std::sync::atomic::Ordering::Relaxed));
    let start = std::time::Instant::now();
    loop {
        match store.lock(&info) {
            Ok(()) => return Ok(info),
            Err(StateError::Locked(held)) => {
                if !store.locks_die_with_holder()
                    && held.host == info.host
                    && held.pid != info.pid
                    && !process_alive(held.pid)
                {
                    // A broken lock must not go unnoticed.
                    crate::notice::warn(&format!(
                        "breaking the lock left by pid {} (`{}` since {}), which is no longer running",
                        held.pid, held.operation, held.created
                    ));
                    store.unlock(&held.id)?;
                    continue;
                }
                if start.elapsed() >= timeout {
                    return Err(StateError::Locked(held));
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Runs `f` with the lock held; the lock is released whatever `f` returns.
pub fn with_lock<T, E: From<StateError>>(
    store: &mut dyn StateStore,
    operation: &str,
    f: impl FnOnce(&mut dyn StateStore) -> Result<T, E>,
) -> Result<T, E> {
    let lock = acquire(store, operation)?;
    let result = f(store);
    let unlocked = store.unlock(&lock.id);
    let value = result?;
    unlocked?;
    Ok(value)
}
