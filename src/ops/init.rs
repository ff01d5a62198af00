//! `init`: prepare a working directory — its `state/` folder — idempotently.

use std::path::{Path, PathBuf};

pub struct Initialized {
    pub state_dir: PathBuf,
    pub created: bool,
}

pub fn init(dir: &Path) -> std::io::Result<Initialized> {
    if !dir.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{} is not a directory", dir.display()),
        ));
    }
    let state_dir = dir.join("state");
    let created = !state_dir.is_dir();
    std::fs::create_dir_all(&state_dir)?;
    let ignore = state_dir.join(".gitignore");
    if !ignore.exists() {
        // State databases hold ids and attributes of live resources: keep them out of git.
        std::fs::write(&ignore, "*.db\n*.db-*\nbackups/\n")?;
    }
    Ok(Initialized { state_dir, created })
}
