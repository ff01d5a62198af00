//! Reads a working directory: every `*.tf`, and the variable values in Terraform's order of
//! precedence (lowest first): `TF_VAR_*`, `terraform.tfvars`, `terraform.tfvars.json`,
//! `*.auto.tfvars(.json)` in name order, then `--var-file` and `--var` in command-line order.

use crate::config::Sources;
use crate::config::vars::{self, VarAssignment};
use crate::diagnostic::Diagnostic;
use crate::eval::Environment;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum WorkdirError {
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("no configuration files (*.tf) in {0}")]
    Empty(PathBuf),
}

/// A `--var NAME=VALUE` or `--var-file FILE` argument, in command-line order.
#[derive(Debug, Clone)]
pub enum VarArg {
    Var(String),
    File(PathBuf),
}

pub struct Workdir {
    pub dir: PathBuf,
    pub sources: Sources,
    pub vars: Vec<VarAssignment>,
    /// Problems reading variable files: reported with the configuration's diagnostics.
    pub diagnostics: Vec<Diagnostic>,
    pub environment: Environment,
}

fn read(path: &Path) -> Result<String, WorkdirError> {
    let bytes = std::fs::read(path).map_err(|source| WorkdirError::Io { path: path.to_path_buf(), source })?;
    // Invalid UTF-8 is replaced rather than refused: the parser then reports the place. Valid
    // text is taken as it was read, not copied (28 MB at the quota ceiling).
    Ok(String::from_utf8(bytes).unwrap_or_else(|invalid| String::from_utf8_lossy(invalid.as_bytes()).into_owned()))
}

/// The `.tf` and `.tfvars` files of a directory, sorted by name.
pub fn config_files(dir: &Path, extensions: &[&str]) -> Result<Vec<PathBuf>, WorkdirError> {
    let entries = std::fs::read_dir(dir).map_err(|source| WorkdirError::Io { path: dir.to_path_buf(), source })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            !name.starts_with('.') && extensions.iter().any(|ext| name.ends_with(ext))
        })
        .collect();
    files.sort();
    Ok(files)
}

pub fn load(
    dir: &Path,
    var_args: &[VarArg],
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Workdir, WorkdirError> {
    let env: Vec<(String, String)> = env.into_iter().collect();
    let mut sources = Sources::new();
    let tf_files = config_files(dir, &[".tf"])?;
    if tf_files.is_empty() {
        return Err(WorkdirError::Empty(dir.to_path_buf()));
    }
    for path in &tf_files {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_string();
        sources.add(name, read(path)?);
    }
    load_modules(dir, &mut sources)?;

    let mut assignments = vars::from_environment(&mut sources, env.iter().cloned());
    let mut diagnostics = Vec::new();
    let mut var_files: Vec<(String, PathBuf)> = Vec::new();
    for name in ["terraform.tfvars", "terraform.tfvars.json"] {
        let p = dir.join(name);
        if p.is_file() {
            var_files.push((name.to_string(), p));
        }
    }
    for p in config_files(dir, &[".auto.tfvars", ".auto.tfvars.json"])? {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_string();
        var_files.push((name, p));
    }
    let add_file = |sources: &mut Sources,
                    name: String,
                    path: &Path,
                    out: &mut Vec<VarAssignment>,
                    diags: &mut Vec<Diagnostic>|
     -> Result<(), WorkdirError> {
        let id = sources.add(name, read(path)?);
        match vars::parse_file(sources, id) {
            Ok(v) => out.extend(v),
            Err(d) => diags.push(d),
        }
        Ok(())
    };
    for (name, path) in var_files {
        add_file(&mut sources, name, &path, &mut assignments, &mut diagnostics)?;
    }
    for arg in var_args {
        match arg {
            VarArg::File(path) => {
                let full = if path.is_absolute() { path.clone() } else { dir.join(path) };
                let full = if full.is_file() { full } else { path.clone() };
                add_file(&mut sources, path.display().to_string(), &full, &mut assignments, &mut diagnostics)?;
            }
            VarArg::Var(text) => match vars::from_command_line(&mut sources, text) {
                Ok(v) => assignments.push(v),
                Err(d) => diagnostics.push(d),
            },
        }
    }
    let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).filter(|v| !v.is_empty());
    let environment = Environment {
        plan_time: sigform_azure::timestamp::now_unix(),
        service_profile: get("SIGFORM_SERVICE_PROFILE"),
        // Terraform's names first, then the Azure SDKs' (as the ARM client's credentials read them).
        subscription_id: get("ARM_SUBSCRIPTION_ID").or_else(|| get("AZURE_SUBSCRIPTION_ID")),
        tenant_id: get("ARM_TENANT_ID").or_else(|| get("AZURE_TENANT_ID")),
        client_id: get("ARM_CLIENT_ID").or_else(|| get("AZURE_CLIENT_ID")),
        entropy: {
            let mut bytes = [0u8; 32];
            bytes[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
            bytes[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
            bytes
        },
    };
    Ok(Workdir { dir: dir.to_path_buf(), sources, vars: assignments, diagnostics, environment })
}
/// Adds the files of every local module the configuration calls, transitively, each named by
/// its path relative to `dir` (`modules/gallery/main.tf`): evaluation finds a module's files by
/// that directory. A source that is not local, a directory that does not exist or holds no
/// `*.tf` is left for evaluation to report where the module block names it.
fn load_modules(dir: &Path, sources: &mut Sources) -> Result<(), WorkdirError> {
    let mut loaded: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    // One module directory's `*.tf`, once; the root's own directory (`./`) is a module calling
    // itself, and a directory that is not there is for evaluation to report where it is named.
    let mut add = |module: String, sources: &mut Sources| -> Result<(), WorkdirError> {
        let path = dir.join(&module);
        if module.is_empty() || !path.is_dir() || !loaded.insert(module.clone()) {
            return Ok(());
        }
        for file in config_files(&path, &[".tf"])? {
            let file_name = file.file_name().and_then(|n| n.to_str()).unwrap_or("?");
            sources.add(format!("{module}/{file_name}"), read(&file)?);
        }
        Ok(())
    };
    // Registry and git modules `terraform init` installed: the manifest goes in whole (evaluation
    // reads which call uses which directory from it), and so do those directories' files.
    let manifest = dir.join(crate::eval::MODULE_MANIFEST);
    if manifest.is_file() {
        let text = read(&manifest)?;
        let dirs = crate::eval::manifest_dirs(&text);
        sources.add(crate::eval::MODULE_MANIFEST, text);
        for module in dirs {
            add(module, sources)?;
        }
    }
    // Then every local module called from a loaded file, transitively (the list grows as it goes).
    let mut next = 0;
    while next < sources.len() {
        let id = crate::config::FileId(next as u32);
        next += 1;
        let name = sources.name(id).to_string();
        if !name.ends_with(".tf") {
            continue;
        }
        let calling = crate::eval::module_dir(&name).to_string();
        for source in crate::config::module_sources(sources.text(id)) {
            if crate::eval::is_local_module(&source) {
                add(crate::eval::resolve_module(&calling, &source), sources)?;
            }
        }
    }
    Ok(())
}

/// The working directory's files, for the file functions (`file()`, `templatefile()`, ...).
pub struct DirFiles(pub PathBuf);

impl DirFiles {
    fn path(&self, path: &str) -> PathBuf {
        self.0.join(path)
    }
}

impl crate::eval::FileSource for DirFiles {
    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        std::fs::read(self.path(path)).map_err(|e| e.to_string())
    }

    fn exists(&self, path: &str) -> bool {
        self.path(path).is_file()
    }

    fn absolute(&self, path: &str) -> String {
        let joined = self.path(path);
        std::fs::canonicalize(&joined).unwrap_or(joined).to_string_lossy().into_owned()
    }
}

#[cfg(test)]
mod tests {
    /// A file is its text as read; bytes that are not UTF-8 become U+FFFD, where the parser
    /// then reports them, instead of the file being refused.
    #[test]
    fn files_are_read_as_text_with_bad_bytes_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [(&[u8], &str); 3] = [
            (b"locals {\n  a = \"\xc3\xa9\"\n}\n", "locals {\n  a = \"é\"\n}\n"),
            (b"a = \"\xff\"\n", "a = \"\u{FFFD}\"\n"),
            (b"", ""),
        ];
        for (i, (bytes, text)) in cases.into_iter().enumerate() {
            let path = dir.path().join(format!("{i}.tf"));
            std::fs::write(&path, bytes).unwrap();
            assert_eq!(super::read(&path).unwrap(), text);
        }
    }
}
