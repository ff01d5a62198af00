//! `init`: prepare a working directory — its `state/` folder and an empty state — idempotently.

use crate::state::{Location, StateError};
use std::path::{Path, PathBuf};

pub struct Initialized {
    pub state_dir: PathBuf,
    pub created: bool,
    pub state: Location,
    pub lineage: String,
    pub serial: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("cannot initialize {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    State(#[from] StateError),
}

pub fn init(dir: &Path, state: &Location) -> Result<Initialized, InitError> {
    let io = |source| InitError::Io { path: dir.to_path_buf(), source };
    if !dir.is_dir() {
        return Err(io(std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory")));
    }
    let state_dir = dir.join("state");
    let created = !state_dir.is_dir();
    std::fs::create_dir_all(&state_dir).map_err(io)?;
    let ignore = state_dir.join(".gitignore");
    if !ignore.exists() {
        // State databases hold ids and attributes of live resources: keep them out of git.
        std::fs::write(&ignore, "*.db\n*.db-*\nbackups/\n").map_err(io)?;
    }
    let snapshot = state.open(true)?.snapshot()?;
    Ok(Initialized { state_dir, created, state: state.clone(), lineage: snapshot.lineage, serial: snapshot.serial })
}
