//! Where a state lives: a SQLite file (the default, `state/sigform.db`) or a workspace in a
//! PostgreSQL database (`postgres://USER@HOST:PORT/DB?workspace=NAME`), chosen by `--state` /
//! `SIGFORM_STATE`. Opening a location gives the one `StateStore` interface either way.
//! A location prints without its password, so it can appear in any message.

use super::{StateError, StateStore};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
pub enum Location {
    File(PathBuf),
    Postgres(PostgresUrl),
}

/// A PostgreSQL state: the connection URL without sigform's own parameters, the workspace (one
/// configuration's state) and the schema that holds sigform's tables.
#[derive(Clone, PartialEq)]
pub struct PostgresUrl {
    /// For the driver: `postgres://user:password@host:port/db?sslmode=...`.
    pub connection: String,
    pub workspace: String,
    pub schema: String,
    /// `sslrootcert=FILE`: PEM certificates trusted besides the public web roots (a private CA).
    pub root_cert: Option<PathBuf>,
}

impl std::fmt::Debug for PostgresUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl std::fmt::Display for PostgresUrl {
    /// The URL with the password replaced, and the workspace.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (workspace {})", redact(&self.connection), self.workspace)
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::File(p) => write!(f, "{}", p.display()),
            Location::Postgres(u) => write!(f, "{u}"),
        }
    }
}

/// A URL with its password (if any) shown as `***`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let (authority, tail) = rest.split_once('/').map_or((rest, None), |(a, t)| (a, Some(t)));
    let authority = match authority.rsplit_once('@') {
        Some((credentials, host)) => match credentials.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => format!("{credentials}@{host}"),
        },
        None => authority.to_string(),
    };
    // A password can also come as a query parameter.
    let tail = tail.map(|t| {
        let (path, query) = t.split_once('?').map_or((t, None), |(p, q)| (p, Some(q)));
        match query {
            Some(q) => {
                let q: Vec<String> = q
                    .split('&')
                    .map(|kv| {
                        if kv.to_ascii_lowercase().starts_with("password=") { "password=***".into() } else { kv.into() }
                    })
                    .collect();
                format!("{path}?{}", q.join("&"))
            }
            None => path.to_string(),
        }
    });
    match tail {
        Some(t) => format!("{scheme}://{authority}/{t}"),
        None => format!("{scheme}://{authority}"),
    }
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
}

impl Location {
    /// `--state` as given: a `postgres://` (or `postgresql://`) URL, else a path relative to `base`.
    pub fn parse(text: &str, base: &Path) -> Result<Location, StateError> {
        let lower = text.to_ascii_lowercase();
        if !(lower.starts_with("postgres://") || lower.starts_with("postgresql://")) {
            let path = Path::new(text);
            return Ok(Location::File(if path.is_absolute() { path.to_path_buf() } else { base.join(path) }));
        }
        let bad = |why: &str| StateError::BadLocation { location: redact(text), why: why.to_string() };
        let (before_query, query) = text.split_once('?').map_or((text, ""), |(b, q)| (b, q));
        let mut workspace = "default".to_string();
        let mut schema = "sigform".to_string();
        let mut root_cert = None;
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "workspace" => workspace = v.to_string(),
                "schema" => schema = v.to_string(),
                "sslrootcert" => {
                    let path = Path::new(v);
                    root_cert = Some(if path.is_absolute() { path.to_path_buf() } else { base.join(path) });
                }
                _ => kept.push(pair),
            }
        }
        if !valid_name(&workspace) {
            return Err(bad("a workspace name is 1 to 63 letters, digits, `_`, `-` or `.`"));
        }
        if !valid_name(&schema) || schema.contains(['-', '.']) {
            return Err(bad("a schema name is 1 to 63 letters, digits or `_`"));
        }
        let rest = &before_query[before_query.find("://").map_or(0, |i| i + 3)..];
        if rest.split('/').next().is_none_or(|authority| authority.rsplit('@').next().unwrap_or("").is_empty()) {
            return Err(bad("no host: expected postgres://USER@HOST:PORT/DATABASE?workspace=NAME"));
        }
        let connection =
            if kept.is_empty() { before_query.to_string() } else { format!("{before_query}?{}", kept.join("&")) };
        Ok(Location::Postgres(PostgresUrl { connection, workspace, schema, root_cert }))
    }

    /// Opens the store; `create` makes an empty state where there is none.
    pub fn open(&self, create: bool) -> Result<Box<dyn StateStore + Send>, StateError> {
        match self {
            Location::File(path) => Ok(Box::new(super::SqliteStore::open(path, create)?)),
            Location::Postgres(url) => Ok(Box::new(super::PostgresStore::open(url, create)?)),
        }
    }

    /// The workspaces of this location's database (a SQLite file holds one, `default`); empty
    /// when there is no state yet.
    pub fn workspaces(&self) -> Result<Vec<super::WorkspaceInfo>, StateError> {
        match self {
            Location::File(path) => {
                if !path.exists() {
                    return Ok(Vec::new());
                }
                let store = super::SqliteStore::open(path, false)?;
                let snapshot = store.snapshot()?;
                let locked_by = store.current_lock()?.map(|l| format!("{} running `{}`", l.holder, l.operation));
                Ok(vec![super::WorkspaceInfo {
                    name: "default".into(),
                    serial: snapshot.serial,
                    resources: snapshot.resources.len(),
                    locked_by,
                }])
            }
            Location::Postgres(url) => super::PostgresStore::workspaces(url),
        }
    }

    /// The workspace this location names.
    pub fn workspace(&self) -> &str {
        match self {
            Location::File(_) => "default",
            Location::Postgres(url) => &url.workspace,
        }
    }

    /// Whether a state exists here yet (planning never creates one).
    pub fn exists(&self) -> Result<bool, StateError> {
        match self {
            Location::File(path) => Ok(path.exists()),
            Location::Postgres(url) => super::PostgresStore::exists(url),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse_and_never_show_passwords() {
        let base = Path::new("/work");
        assert_eq!(Location::parse("state/x.db", base).unwrap(), Location::File("/work/state/x.db".into()));
        assert_eq!(Location::parse("/abs.db", base).unwrap(), Location::File("/abs.db".into()));
        let Location::Postgres(u) =
            Location::parse("postgres://ci:hunter2@db.example:5433/gal?workspace=prod&sslmode=disable", base).unwrap()
        else {
            panic!()
        };
        assert_eq!(u.connection, "postgres://ci:hunter2@db.example:5433/gal?sslmode=disable");
        assert_eq!((u.workspace.as_str(), u.schema.as_str()), ("prod", "sigform"));
        assert_eq!(u.to_string(), "postgres://ci:***@db.example:5433/gal?sslmode=disable (workspace prod)");
        assert_eq!(format!("{u:?}"), u.to_string());
        let Location::Postgres(u) = Location::parse("postgresql://me@h/db", base).unwrap() else { panic!() };
        assert_eq!(u.workspace, "default");
        assert_eq!(redact("postgres://u@h/d?password=x&a=b"), "postgres://u@h/d?password=***&a=b");
        for bad in [
            "postgres://u:pw@h/d?workspace=a b",
            "postgres://u:pw@h/d?workspace=",
            "postgres://u:pw@h/d?schema=x-y",
            "postgres:///d",
        ] {
            let e = Location::parse(bad, base).unwrap_err().to_string();
            assert!(!e.contains("pw@"), "{e}");
        }
    }
}
