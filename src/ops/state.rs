//! `state list|show|rm|mv|pull|history` and `output`: reading and surgery on the state. Commands
//! that change it hold the state lock for their whole run.

use crate::state::{Change, HistoryEntry, OutputState, ResourceState, Snapshot, SqliteStore, StateError, StateStore};
use std::path::Path;

fn open(path: &Path) -> Result<SqliteStore, StateError> {
    SqliteStore::open(path, false)
}

/// The current state; an empty one when none exists yet.
pub fn snapshot(path: &Path) -> Result<Snapshot, StateError> {
    super::plan::read_state(path)
}

pub fn show(path: &Path, address: &str) -> Result<ResourceState, StateError> {
    let snap = snapshot(path)?;
    snap.resource(address).cloned().ok_or_else(|| no_such(&snap, address))
}

fn no_such(snap: &Snapshot, address: &str) -> StateError {
    StateError::NoSuchResource {
        address: address.to_string(),
        suggestion: crate::model::suggest(address, snap.resources.iter().map(|r| r.address.as_str()))
            .map(str::to_string),
    }
}

fn locked<T>(
    path: &Path,
    operation: &str,
    f: impl FnOnce(&mut SqliteStore) -> Result<T, StateError>,
) -> Result<T, StateError> {
    let mut store = open(path)?;
    crate::state::with_lock(&mut store, operation, f)
}

/// Forgets resources (the cloud keeps them); returns the new serial.
pub fn rm(path: &Path, addresses: &[String]) -> Result<u64, StateError> {
    locked(path, "state rm", |store| {
        let snap = store.snapshot()?;
        for a in addresses {
            if snap.resource(a).is_none() {
                return Err(no_such(&snap, a));
            }
        }
        let changes: Vec<Change> =
            addresses.iter().map(|a| Change::Remove { action: "state rm".into(), address: a.clone() }).collect();
        store.commit(&changes)
    })
}

pub fn mv(path: &Path, from: &str, to: &str) -> Result<u64, StateError> {
    crate::plan::address::parse(to).map_err(|e| StateError::Corrupt(e.to_string()))?;
    locked(path, "state mv", |store| {
        let snap = store.snapshot()?;
        if snap.resource(from).is_none() {
            return Err(no_such(&snap, from));
        }
        store.commit(&[Change::Move { from: from.to_string(), to: to.to_string() }])
    })
}

pub fn history(path: &Path, limit: Option<usize>) -> Result<Vec<HistoryEntry>, StateError> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    open(path)?.history(limit)
}

pub fn outputs(path: &Path) -> Result<Vec<OutputState>, StateError> {
    Ok(snapshot(path)?.outputs)
}

/// Breaks a lock by its id (the holder is gone, or a human decided so).
pub fn force_unlock(path: &Path, id: &str) -> Result<(), StateError> {
    let mut store = open(path)?;
    store.unlock(id)
}

/// `state restore BACKUP`: puts a backup back, after backing up the current state; returns the
/// path of that fresh backup.
pub fn restore(path: &Path, backup: &Path) -> Result<std::path::PathBuf, StateError> {
    locked(path, "state restore", |store| store.restore(backup))
}
