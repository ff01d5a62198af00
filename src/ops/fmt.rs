//! `fmt`: canonical formatting of every `.tf` and `.tfvars` file of a directory. Files are
//! replaced atomically (write beside, then rename), so an interrupted run never leaves half a
//! file.

use super::workdir::{WorkdirError, config_files};
use crate::config::format::{FormatError, format};
use std::path::{Path, PathBuf};

pub struct Options {
    pub dir: PathBuf,
    /// Report, change nothing.
    pub check: bool,
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

pub fn fmt(options: &Options) -> Result<Vec<FileResult>, WorkdirError> {
    let files = config_files(&options.dir, &[".tf", ".tfvars"])?;
    let mut results = Vec::new();
    for path in files {
        let before =
            std::fs::read_to_string(&path).map_err(|source| WorkdirError::Io { path: path.clone(), source })?;
        let after = format(&before);
        let result =
            FileResult { name: path.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_string(), before, after };
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
