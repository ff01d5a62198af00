//! The SQLite state store: one database file per configuration, WAL mode, numbered migrations
//! recorded in `PRAGMA user_version`, and `PRAGMA application_id` marking the file as sigform's
//! so that a foreign database is refused before anything is written to it.

use super::{
    Change, HistoryEntry, Intent, LockInfo, OutputState, ResourceState, Rows, Snapshot, StateError, StateStore, decode,
    to_json, write_all, write_changes,
};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::path::{Path, PathBuf};

/// "SGFM": marks a SQLite file as a sigform state.
const APPLICATION_ID: i64 = 0x5347_464D;

/// Migrations, applied in order; only ever appended.
const MIGRATIONS: &[&str] = &[
    // 1: the initial schema.
    r#"
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE resources (
        address TEXT PRIMARY KEY,
        mode TEXT NOT NULL,
        type TEXT NOT NULL,
        name TEXT NOT NULL,
        index_key TEXT NOT NULL,
        provider TEXT NOT NULL,
        subscription_id TEXT NOT NULL,
        arm_id TEXT NOT NULL,
        attributes TEXT NOT NULL,
        dependencies TEXT NOT NULL,
        status TEXT NOT NULL,
        serial INTEGER NOT NULL
    );
    CREATE INDEX resources_by_arm_id ON resources (arm_id COLLATE NOCASE);
    CREATE TABLE outputs (name TEXT PRIMARY KEY, value TEXT NOT NULL, sensitive INTEGER NOT NULL);
    CREATE TABLE history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        serial INTEGER NOT NULL,
        time TEXT NOT NULL,
        action TEXT NOT NULL,
        address TEXT NOT NULL,
        before TEXT,
        after TEXT
    );
    CREATE TABLE lock (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        id TEXT NOT NULL,
        holder TEXT NOT NULL,
        pid INTEGER NOT NULL,
        host TEXT NOT NULL,
        operation TEXT NOT NULL,
        created TEXT NOT NULL
    );
    CREATE TABLE intents (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        address TEXT NOT NULL,
        arm_id TEXT NOT NULL,
        action TEXT NOT NULL,
        body TEXT NOT NULL,
        created TEXT NOT NULL,
        pid INTEGER NOT NULL
    );
    "#,
    // 2: which attributes of a resource are sensitive.
    "ALTER TABLE resources ADD COLUMN sensitive TEXT NOT NULL DEFAULT '[]';",
];

pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
}

/// The page cache while a commit runs: room for a state at today's quota ceiling (negative:
/// KiB, as SQLite counts).
const CACHE_KIB: i64 = -65_536;

impl SqliteStore {
    /// Opens a state, creating it (and its folder) when `create` is set and it does not exist.
    /// A file that is not a sigform state, or one from a newer format, is refused untouched.
    pub fn open(path: &Path, create: bool) -> Result<SqliteStore, StateError> {
        let exists = path.exists();
        if !exists && !create {
            return Err(StateError::Missing(path.display().to_string()));
        }
        if exists {
            Self::check_existing(path)?;
        } else if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StateError::Io { path: dir.to_path_buf(), source })?;
        }
        let conn = Connection::open(path)?;
        if !exists {
            restrict_permissions(path);
        }
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // In WAL mode, NORMAL sync loses nothing when the process dies (the crash the safety
        // contract is about); only a power cut can drop the last commits.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Room for a state at today's quota ceiling (SQLite's default 2 MiB cache re-reads pages
        // on every statement past it); grown only as pages are read.
        conn.pragma_update(None, "cache_size", CACHE_KIB)?;
        let mut store = SqliteStore { conn, path: path.to_path_buf() };
        store.migrate()?;
        Ok(store)
    }

    /// Reads only the header fields of an existing file; never writes to it.
    fn check_existing(path: &Path) -> Result<(), StateError> {
        if std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) == 0 {
            return Err(StateError::Foreign { location: path.display().to_string() });
        }
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|_| StateError::Foreign { location: path.display().to_string() })?;
        let app: i64 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|_| StateError::Foreign { location: path.display().to_string() })?;
        if app != APPLICATION_ID {
            return Err(StateError::Foreign { location: path.display().to_string() });
        }
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > MIGRATIONS.len() as i64 {
            return Err(StateError::Newer {
                location: path.display().to_string(),
                found: version,
                supported: MIGRATIONS.len() as i64,
            });
        }
        Ok(())
    }

    fn migrate(&mut self) -> Result<(), StateError> {
        let version: i64 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version == MIGRATIONS.len() as i64 {
            return Ok(());
        }
        let tx = write_transaction(&mut self.conn)?;
        for (i, migration) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(migration)?;
            if i == 0 {
                tx.execute("INSERT INTO meta (key, value) VALUES ('lineage', ?1)", [uuid::Uuid::new_v4().to_string()])?;
                tx.execute("INSERT INTO meta (key, value) VALUES ('serial', '0')", [])?;
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES ('created', ?1)",
                    [sigform_azure::timestamp::now_rfc3339()],
                )?;
            }
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.pragma_update(None, "user_version", MIGRATIONS.len() as i64)?;
        tx.commit()?;
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn meta(&self, key: &str) -> Result<String, StateError> {
        Ok(self.conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))?)
    }

    fn resource_row(row: &rusqlite::Row) -> rusqlite::Result<super::RowColumns> {
        Ok((
            ResourceState {
                address: row.get(0)?,
                mode: row.get(1)?,
                type_name: row.get(2)?,
                name: row.get(3)?,
                index: serde_json::Value::Null,
                provider: row.get(5)?,
                subscription_id: row.get(6)?,
                id: row.get(7)?,
                attributes: Default::default(),
                dependencies: Vec::new(),
                status: row.get(10)?,
                sensitive: Vec::new(),
            },
            row.get(4)?,
            row.get(8)?,
            row.get(9)?,
            row.get(11)?,
        ))
    }
}

/// A commit's rows, in one SQLite transaction.
struct SqliteRows<'a>(&'a rusqlite::Transaction<'a>);

impl Rows for SqliteRows<'_> {
    fn resource(&mut self, address: &str) -> Result<Option<ResourceState>, StateError> {
        let row = self
            .0
            .prepare_cached(
                "SELECT address, mode, type, name, index_key, provider, subscription_id, arm_id, attributes, dependencies, status, sensitive FROM resources WHERE address = ?1",
            )?
            .query_row([address], SqliteStore::resource_row)
            .optional()?;
        row.map(decode).transpose()
    }

    fn put(&mut self, r: &ResourceState, serial: u64) -> Result<(), StateError> {
        self.0.prepare_cached(
            "INSERT OR REPLACE INTO resources (address, mode, type, name, index_key, provider, subscription_id, arm_id, attributes, dependencies, status, serial, sensitive)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?.execute(
            params![
                r.address, r.mode, r.type_name, r.name, to_json(&r.index), r.provider, r.subscription_id, r.id,
                to_json(&r.attributes), to_json(&r.dependencies), r.status, serial as i64, to_json(&r.sensitive)
            ],
        )?;
        Ok(())
    }

    fn delete(&mut self, address: &str) -> Result<(), StateError> {
        self.0.execute("DELETE FROM resources WHERE address = ?1", [address])?;
        Ok(())
    }

    fn history(&mut self, h: &HistoryEntry) -> Result<(), StateError> {
        self.0
            .prepare_cached(
                "INSERT INTO history (serial, time, action, address, before, after) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                h.serial as i64,
                h.time,
                h.action,
                h.address,
                h.before.as_ref().map(to_json),
                h.after.as_ref().map(to_json)
            ])?;
        Ok(())
    }

    fn replace_outputs(&mut self, outputs: &[OutputState]) -> Result<(), StateError> {
        self.0.execute("DELETE FROM outputs", [])?;
        for o in outputs {
            self.0.execute(
                "INSERT INTO outputs (name, value, sensitive) VALUES (?1, ?2, ?3)",
                params![o.name, to_json(&o.value), o.sensitive],
            )?;
        }
        Ok(())
    }

    fn settle_intent(&mut self, id: i64) -> Result<(), StateError> {
        self.0.prepare_cached("DELETE FROM intents WHERE id = ?1")?.execute([id])?;
        Ok(())
    }
}

impl StateStore for SqliteStore {
    fn snapshot(&self) -> Result<Snapshot, StateError> {
        let mut stmt = self.conn.prepare(
            "SELECT address, mode, type, name, index_key, provider, subscription_id, arm_id, attributes, dependencies, status, sensitive FROM resources ORDER BY address",
        )?;
        let count: i64 = self.conn.query_row("SELECT count(*) FROM resources", [], |r| r.get(0))?;
        let mut resources = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
        // The scan reads every page of the table once: kept in the cache it would be 70 MB at the
        // quota ceiling that nothing reads again (a commit touches a few pages, and reads them
        // back when it does). So it runs with SQLite's default cache, given back afterwards.
        self.conn.pragma_update(None, "cache_size", -2_000)?;
        let mut scan = || -> Result<(), StateError> {
            for row in stmt.query_map([], Self::resource_row)? {
                resources.push(decode(row?)?);
            }
            Ok(())
        };
        let scanned = scan();
        self.conn.execute_batch("PRAGMA shrink_memory")?;
        self.conn.pragma_update(None, "cache_size", CACHE_KIB)?;
        scanned?;
        let mut stmt = self.conn.prepare("SELECT name, value, sensitive FROM outputs ORDER BY name")?;
        let outputs = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, bool>(2)?)))?
            .map(|row| {
                let (name, value, sensitive) = row?;
                let value =
                    serde_json::from_str(&value).map_err(|e| StateError::Corrupt(format!("output {name}: {e}")))?;
                Ok(OutputState { name, value, sensitive })
            })
            .collect::<Result<Vec<_>, StateError>>()?;
        let serial = self.meta("serial")?.parse().map_err(|_| StateError::Corrupt("serial".into()))?;
        Ok(Snapshot { lineage: self.meta("lineage")?, serial, resources, outputs })
    }

    fn history(&self, limit: Option<usize>) -> Result<Vec<HistoryEntry>, StateError> {
        let mut stmt = self
            .conn
            .prepare("SELECT serial, time, action, address, before, after FROM history ORDER BY id DESC LIMIT ?1")?;
        let limit = limit.map_or(-1, |l| l as i64);
        let rows = stmt.query_map([limit], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })?;
        rows.map(|row| {
            let (serial, time, action, address, before, after): (
                i64,
                String,
                String,
                String,
                Option<String>,
                Option<String>,
            ) = row?;
            let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
            Ok(HistoryEntry {
                serial: serial as u64,
                time,
                action,
                address,
                before: parse(before),
                after: parse(after),
            })
        })
        .collect()
    }

    fn commit(&mut self, changes: &[Change]) -> Result<u64, StateError> {
        let tx = write_transaction(&mut self.conn)?;
        let serial: u64 = tx
            .prepare_cached("SELECT value FROM meta WHERE key = 'serial'")?
            .query_row([], |r| r.get::<_, String>(0))?
            .parse()
            .map_err(|_| StateError::Corrupt("serial".into()))?;
        let serial = serial + 1;
        write_changes(&mut SqliteRows(&tx), changes, serial)?;
        tx.prepare_cached("UPDATE meta SET value = ?1 WHERE key = 'serial'")?.execute([serial.to_string()])?;
        tx.commit()?;
        Ok(serial)
    }

    fn lock(&mut self, info: &LockInfo) -> Result<(), StateError> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if let Some(held) = current_lock(&tx)? {
            return Err(StateError::Locked(held));
        }
        tx.execute(
            "INSERT INTO lock (singleton, id, holder, pid, host, operation, created) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)",
            params![info.id, info.holder, info.pid, info.host, info.operation, info.created],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn unlock(&mut self, id: &str) -> Result<(), StateError> {
        let n = self.conn.execute("DELETE FROM lock WHERE id = ?1", [id])?;
        if n == 0 {
            return Err(StateError::NoSuchLock(id.to_string()));
        }
        Ok(())
    }

    fn current_lock(&self) -> Result<Option<LockInfo>, StateError> {
        current_lock(&self.conn)
    }

    fn add_intent(
        &mut self,
        address: &str,
        arm_id: &str,
        action: &str,
        body: &serde_json::Value,
    ) -> Result<i64, StateError> {
        self.conn
            .prepare_cached(
                "INSERT INTO intents (address, arm_id, action, body, created, pid) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                address,
                arm_id,
                action,
                body.to_string(),
                sigform_azure::timestamp::now_rfc3339(),
                std::process::id()
            ])?;
        Ok(self.conn.last_insert_rowid())
    }

    fn backup(&self) -> Result<Option<PathBuf>, StateError> {
        self.backup_file().map(Some)
    }

    fn restore(&mut self, from: &Path) -> Result<PathBuf, StateError> {
        self.restore_file(from)
    }

    fn replace_all(&mut self, snapshot: &Snapshot, history: &[HistoryEntry]) -> Result<(), StateError> {
        let tx = write_transaction(&mut self.conn)?;
        let count: i64 = tx.query_row("SELECT COUNT(*) FROM resources", [], |r| r.get(0))?;
        let serial: String = tx.query_row("SELECT value FROM meta WHERE key = 'serial'", [], |r| r.get(0))?;
        if count > 0 || serial != "0" {
            return Err(StateError::NotEmpty(self.path.display().to_string()));
        }
        tx.execute("UPDATE meta SET value = ?1 WHERE key = 'lineage'", [&snapshot.lineage])?;
        tx.execute("UPDATE meta SET value = ?1 WHERE key = 'serial'", [snapshot.serial.to_string()])?;
        write_all(&mut SqliteRows(&tx), snapshot, history)?;
        tx.commit()?;
        Ok(())
    }

    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    fn intents(&self) -> Result<Vec<Intent>, StateError> {
        let mut stmt =
            self.conn.prepare("SELECT id, address, arm_id, action, body, created, pid FROM intents ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(Intent {
                id: r.get(0)?,
                address: r.get(1)?,
                arm_id: r.get(2)?,
                action: r.get(3)?,
                body: serde_json::from_str(&r.get::<_, String>(4)?).unwrap_or(serde_json::Value::Null),
                created: r.get(5)?,
                pid: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

fn current_lock(conn: &Connection) -> Result<Option<LockInfo>, StateError> {
    Ok(conn
        .query_row("SELECT id, holder, pid, host, operation, created FROM lock WHERE singleton = 1", [], |r| {
            Ok(LockInfo {
                id: r.get(0)?,
                holder: r.get(1)?,
                pid: r.get(2)?,
                host: r.get(3)?,
                operation: r.get(4)?,
                created: r.get(5)?,
            })
        })
        .optional()?)
}

/// How many backups are kept beside a state.
pub const BACKUPS_KEPT: usize = 10;

impl SqliteStore {
    /// Where backups of this state go: `backups/` beside it.
    pub fn backup_dir(&self) -> PathBuf {
        self.path.parent().unwrap_or(Path::new(".")).join("backups")
    }

    /// A consistent copy of the state through SQLite's backup API (safe while others read it),
    /// keeping the newest `BACKUPS_KEPT`.
    fn backup_file(&self) -> Result<PathBuf, StateError> {
        let dir = self.backup_dir();
        std::fs::create_dir_all(&dir).map_err(|source| StateError::Io { path: dir.clone(), source })?;
        let serial = self.snapshot()?.serial;
        let stamp = sigform_azure::timestamp::now_rfc3339().replace([':', '.'], "-");
        let stem = self.path.file_stem().and_then(|s| s.to_str()).unwrap_or("sigform");
        let target = dir.join(format!("{stem}-{stamp}-serial{serial}.db"));
        let mut copy = Connection::open(&target)?;
        {
            let backup = rusqlite::backup::Backup::new(&self.conn, &mut copy)?;
            backup.run_to_completion(256, std::time::Duration::from_millis(0), None)?;
        }
        // A backup is one self-contained file: no write-ahead log beside it.
        copy.pragma_update(None, "journal_mode", "DELETE")?;
        drop(copy);
        restrict_permissions(&target);
        let mut existing: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|source| StateError::Io { path: dir.clone(), source })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&format!("{stem}-")) && n.ends_with(".db"))
            })
            .collect();
        existing.sort();
        while existing.len() > BACKUPS_KEPT {
            let oldest = existing.remove(0);
            let _ = std::fs::remove_file(&oldest);
        }
        Ok(target)
    }

    /// Puts a backup back (after backing up the current state); refuses a file that is not a
    /// sigform state.
    fn restore_file(&mut self, from: &Path) -> Result<PathBuf, StateError> {
        Self::check_existing(from)?;
        let saved = self.backup_file()?;
        let held = self.current_lock()?;
        let source = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        {
            let backup = rusqlite::backup::Backup::new(&source, &mut self.conn)?;
            backup.run_to_completion(256, std::time::Duration::from_millis(0), None)?;
        }
        // The restored copy carries the lock of whoever made it (or none): the restorer's stands.
        self.conn.execute("DELETE FROM lock", [])?;
        if let Some(lock) = held {
            self.lock(&lock)?;
        }
        Ok(saved)
    }
}

/// State and plan files hold ids and attributes of live resources: owner-only (0600).
pub fn restrict_permissions(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
}

/// A transaction that holds the write lock from its first statement. A deferred one that reads
/// first and writes later gets SQLITE_BUSY at once, without waiting out the busy timeout, when
/// another process holds the write lock at that instant (in WAL mode SQLite does not wait
/// when a reader upgrades) — e.g. a second `apply --lock-timeout` probing the lock.
fn write_transaction(conn: &mut Connection) -> Result<rusqlite::Transaction<'_>, StateError> {
    Ok(conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(address: &str) -> ResourceState {
        ResourceState {
            address: address.to_string(),
            mode: "managed".into(),
            type_name: "azurerm_resource_group".into(),
            name: address.split('.').nth(1).unwrap().to_string(),
            index: serde_json::Value::Null,
            provider: "azurerm".into(),
            subscription_id: "s".into(),
            id: format!("/subscriptions/s/resourceGroups/{address}"),
            attributes: serde_json::json!({"name": "rg", "location": "eastus"}).into(),
            dependencies: vec![],
            status: "ready".into(),
            sensitive: Vec::new(),
        }
    }

    #[test]
    fn changes_commit_with_serial_and_history() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/sigform.db");
        let mut store = SqliteStore::open(&path, true).unwrap();
        let empty = store.snapshot().unwrap();
        assert_eq!((empty.serial, empty.resources.len()), (0, 0));
        let put = Change::Put { action: "create".into(), resource: Box::new(resource("azurerm_resource_group.a")) };
        assert_eq!(store.commit(&[put]).unwrap(), 1);
        let moved = Change::Move { from: "azurerm_resource_group.a".into(), to: "azurerm_resource_group.b".into() };
        assert_eq!(store.commit(&[moved]).unwrap(), 2);
        let snap = store.snapshot().unwrap();
        // The scan ran on a small cache and gave the commits' cache back.
        let cache: i64 = store.conn.query_row("PRAGMA cache_size", [], |r| r.get(0)).unwrap();
        assert_eq!(cache, CACHE_KIB);
        assert_eq!(snap.resources[0].address, "azurerm_resource_group.b");
        assert_eq!(snap.resources[0].name, "b");
        assert_eq!(snap.lineage, empty.lineage);
        let history = store.history(None).unwrap();
        assert_eq!(history.iter().map(|h| h.action.as_str()).collect::<Vec<_>>(), ["move", "create"]);
        // A failing change leaves nothing behind.
        let bad = [
            Change::Remove { action: "rm".into(), address: "azurerm_resource_group.b".into() },
            Change::Remove { action: "rm".into(), address: "nope.x".into() },
        ];
        assert!(store.commit(&bad).is_err());
        assert_eq!(store.snapshot().unwrap().serial, 2);
        assert_eq!(store.snapshot().unwrap().resources.len(), 1);
        drop(store);
        let reopened = SqliteStore::open(&path, false).unwrap();
        assert_eq!(reopened.snapshot().unwrap().lineage, empty.lineage);
    }

    #[test]
    fn a_commit_waits_while_another_process_probes_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sigform.db");
        let mut store = SqliteStore::open(&path, true).unwrap();
        // Another process holds the write lock for a moment, as a waiting `apply` does when it
        // probes the lock; the commit must wait for it rather than fail with SQLITE_BUSY.
        let other = Connection::open(&path).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        let release = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            other.execute_batch("ROLLBACK").unwrap();
        });
        let put = Change::Put { action: "create".into(), resource: Box::new(resource("azurerm_resource_group.a")) };
        assert_eq!(store.commit(&[put]).unwrap(), 1);
        release.join().unwrap();
    }

    #[test]
    fn foreign_and_newer_files_are_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.db");
        std::fs::write(&text, "not a database at all").unwrap();
        assert!(matches!(SqliteStore::open(&text, true), Err(StateError::Foreign { .. })));
        assert_eq!(std::fs::read_to_string(&text).unwrap(), "not a database at all");

        let other = dir.path().join("other.db");
        Connection::open(&other).unwrap().execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
        let before = std::fs::read(&other).unwrap();
        assert!(matches!(SqliteStore::open(&other, true), Err(StateError::Foreign { .. })));
        assert_eq!(std::fs::read(&other).unwrap(), before);

        let newer = dir.path().join("newer.db");
        drop(SqliteStore::open(&newer, true).unwrap());
        Connection::open(&newer).unwrap().pragma_update(None, "user_version", 99).unwrap();
        assert!(matches!(SqliteStore::open(&newer, true), Err(StateError::Newer { found: 99, .. })));
    }

    #[test]
    fn a_second_lock_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut a = SqliteStore::open(&path, true).unwrap();
        let mut b = SqliteStore::open(&path, true).unwrap();
        let info = LockInfo::for_this_process("apply");
        a.lock(&info).unwrap();
        match b.lock(&LockInfo::for_this_process("plan")) {
            Err(StateError::Locked(held)) => assert_eq!(held.id, info.id),
            other => panic!("{other:?}"),
        }
        a.unlock(&info.id).unwrap();
        b.lock(&LockInfo::for_this_process("plan")).unwrap();
    }
}
