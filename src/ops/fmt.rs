//! `fmt`: canonical formatting of every `.tf` and `.tfvars` file of a directory (and, with
//! `recursive`, of its subdirectories: module directories). Files are
//! replaced atomically (write beside, then rename), so an interrupted run never leaves half a
//! file.

use super::workdir::{WorkdirError, config_files};
use crate::config::format::{FormatError, format};
use std::path::{Path, PathBuf};

pub struct Options {
    pub dir: PathBuf,
    /// Report, change nothing.
    pub check: bool,
    /// Subdirectories too, except hidden ones (`.terraform`, `.git`): the modules of a
    /// configuration, as `terraform fmt -recursive`.
    pub recursive: bool,
}

pub struct FileResult {
    pub name: String,
    pub before: String,
    pub after: Result<String, FormatError>,
}

impl FileResult {
    pub fn changed(&self) -> bool {
        matches!(&self.after, Ok(after) if *after != self.before)
    }
}

/// Every file `fmt` formats, with the name it is reported under (relative to `dir`).
fn files(dir: &Path, recursive: bool) -> Result<Vec<(String, PathBuf)>, WorkdirError> {
    let mut out: Vec<(String, PathBuf)> = config_files(dir, &[".tf", ".tfvars"])?
        .into_iter()
        .map(|p| (p.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_string(), p))
        .collect();
    if recursive {
        let entries = std::fs::read_dir(dir).map_err(|source| WorkdirError::Io { path: dir.to_path_buf(), source })?;
        let mut dirs: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir() && !p.file_name().and_then(|n| n.to_str()).is_none_or(|n| n.starts_with('.')))
            .collect();
        dirs.sort();
        for sub in dirs {
            let prefix = sub.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_string();
            out.extend(files(&sub, true)?.into_iter().map(|(name, path)| (format!("{prefix}/{name}"), path)));
        }
    }
    Ok(out)
}

pub fn fmt(options: &Options) -> Result<Vec<FileResult>, WorkdirError> {
    let mut results = Vec::new();
    for (name, path) in files(&options.dir, options.recursive)? {
        let before =
            std::fs::read_to_string(&path).map_err(|source| WorkdirError::Io { path: path.clone(), source })?;
        let after = format(&before);
        let result = FileResult { name, before, after };
        if !options.check
            && result.changed()
            && let Ok(after) = &result.after
        {
            write_atomically(&path, after).map_err(|source| WorkdirError::Io { path: path.clone(), source })?;
        }
        results.push(result);
    }
    Ok(results)
}

fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("sigform-fmt.tmp");
    std::fs::write(&tmp, text)?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&tmp, meta.permissions());
    }
    std::fs::rename(&tmp, path)
}
