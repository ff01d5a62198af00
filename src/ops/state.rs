//! `state list|show|rm|mv|pull|history` and `output`: reading and surgery on the state. Commands
//! that change it hold the state lock for their whole run.

use crate::state::{Change, HistoryEntry, Location, OutputState, ResourceState, Snapshot, StateError, StateStore};
use std::path::Path;

fn open(location: &Location) -> Result<Box<dyn StateStore + Send>, StateError> {
    location.open(false)
}

/// The current state; an empty one when none exists yet.
pub fn snapshot(path: &Location) -> Result<Snapshot, StateError> {
    super::recorded::read_state(path)
}

pub fn show(path: &Location, address: &str) -> Result<ResourceState, StateError> {
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
    path: &Location,
    operation: &str,
    f: impl FnOnce(&mut dyn StateStore) -> Result<T, StateError>,
) -> Result<T, StateError> {
    let mut store = open(path)?;
    crate::state::with_lock(store.as_mut(), operation, f)
}

/// Forgets resources (the cloud keeps them); returns the new serial.
pub fn rm(path: &Location, addresses: &[String]) -> Result<u64, StateError> {
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

pub fn mv(path: &Location, from: &str, to: &str) -> Result<u64, StateError> {
    crate::model::address::parse(to).map_err(|e| StateError::Corrupt(e.to_string()))?;
    locked(path, "state mv", |store| {
        let snap = store.snapshot()?;
        if snap.resource(from).is_none() {
            return Err(no_such(&snap, from));
        }
        store.commit(&[Change::Move { from: from.to_string(), to: to.to_string() }])
    })
}

pub fn history(path: &Location, limit: Option<usize>) -> Result<Vec<HistoryEntry>, StateError> {
    match open(path) {
        Err(StateError::Missing(_)) => Ok(Vec::new()),
        opened => opened?.history(limit),
    }
}

pub fn outputs(path: &Location) -> Result<Vec<OutputState>, StateError> {
    Ok(snapshot(path)?.outputs)
}

/// Breaks a lock by its id (the holder is gone, or a human decided so).
pub fn force_unlock(path: &Location, id: &str) -> Result<(), StateError> {
    let mut store = open(path)?;
    store.unlock(id)
}

/// `state restore BACKUP`: puts a backup back, after backing up the current state; returns the
/// path of that fresh backup.
pub fn restore(path: &Location, backup: &Path) -> Result<std::path::PathBuf, StateError> {
    locked(path, "state restore", |store| store.restore(backup))
}

/// What `state migrate` copied.
#[derive(Debug)]
pub struct Migrated {
    pub resources: usize,
    pub history: usize,
    pub serial: u64,
    pub lineage: String,
}

/// `state migrate --to URL`: copies the state (lineage, serial, resources, outputs, history) into
/// an empty store of either backend, holding both locks, then reads the copy back and compares it
/// with the source. The source's content is left as it was.
pub fn migrate(from: &Location, to: &Location) -> Result<Migrated, StateError> {
    if from == to {
        return Err(StateError::Unsupported(format!("{from} is both the source and the destination")));
    }
    let mut source = open(from)?;
    crate::state::with_lock(source.as_mut(), "state migrate", |source| {
        let unsettled = source.intents()?;
        if !unsettled.is_empty() {
            return Err(StateError::Unsupported(format!(
                "{} holds {} unsettled cloud operation(s) from a run that died; run `sigform apply` (it settles them) before migrating",
                source.describe(),
                unsettled.len()
            )));
        }
        let snapshot = source.snapshot()?;
        let history = source.history(None)?;
        let mut target = to.open(true)?;
        crate::state::with_lock(target.as_mut(), "state migrate", |target| {
            target.replace_all(&snapshot, &history)?;
            let copied = target.snapshot()?;
            let copied_history = target.history(None)?;
            if copied != snapshot || copied_history != history {
                return Err(StateError::Corrupt(format!(
                    "the copy in {} differs from {} after writing; the source is unchanged",
                    target.describe(),
                    source.describe()
                )));
            }
            Ok(Migrated {
                resources: snapshot.resources.len(),
                history: history.len(),
                serial: snapshot.serial,
                lineage: snapshot.lineage.clone(),
            })
        })
    })
}
