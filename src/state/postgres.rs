//! The PostgreSQL state store, for teams and CI fleets: several configurations (workspaces) in one
//! database, sigform's tables in a schema of their own (`sigform` unless `?schema=` says
//! otherwise) with numbered migrations recorded in its `meta` table, and per-operation commits
//! that touch one resource row and append history — never a rewrite of the whole state.
//!
//! The lock is a PostgreSQL advisory lock held on the command's own connection: when the process
//! dies, its connection drops and the lock goes with it, so no lock ever outlives its holder (the
//! failure of blob-lease backends). A `locks` row records who holds it, for "locked by …".

use super::location::PostgresUrl;
use super::{
    Change, HistoryEntry, Intent, LockInfo, OutputState, ResourceState, Rows, Snapshot, StateError, StateStore, decode,
    to_json, write_all, write_changes,
};
use postgres::{Client, GenericClient, Transaction};
use std::sync::Mutex;

/// Migrations of the schema (`{s}` is the schema), applied in order; only ever appended.
const MIGRATIONS: &[&str] = &[
    // 1: the initial schema.
    r#"
    CREATE TABLE {s}.meta (key text PRIMARY KEY, value text NOT NULL);
    CREATE TABLE {s}.workspaces (
        name text PRIMARY KEY,
        lineage text NOT NULL,
        serial bigint NOT NULL,
        created text NOT NULL
    );
    CREATE TABLE {s}.resources (
        workspace text NOT NULL REFERENCES {s}.workspaces (name) ON DELETE CASCADE,
        address text NOT NULL,
        mode text NOT NULL,
        type text NOT NULL,
        name text NOT NULL,
        index_key text NOT NULL,
        provider text NOT NULL,
        subscription_id text NOT NULL,
        arm_id text NOT NULL,
        attributes text NOT NULL,
        dependencies text NOT NULL,
        status text NOT NULL,
        serial bigint NOT NULL,
        PRIMARY KEY (workspace, address)
    );
    CREATE INDEX resources_by_arm_id ON {s}.resources (workspace, lower(arm_id));
    CREATE TABLE {s}.outputs (
        workspace text NOT NULL REFERENCES {s}.workspaces (name) ON DELETE CASCADE,
        name text NOT NULL,
        value text NOT NULL,
        sensitive boolean NOT NULL,
        PRIMARY KEY (workspace, name)
    );
    CREATE TABLE {s}.history (
        id bigserial PRIMARY KEY,
        workspace text NOT NULL REFERENCES {s}.workspaces (name) ON DELETE CASCADE,
        serial bigint NOT NULL,
        time text NOT NULL,
        action text NOT NULL,
        address text NOT NULL,
        before text,
        after text
    );
    CREATE INDEX history_by_workspace ON {s}.history (workspace, id);
    CREATE TABLE {s}.intents (
        id bigserial PRIMARY KEY,
        workspace text NOT NULL REFERENCES {s}.workspaces (name) ON DELETE CASCADE,
        address text NOT NULL,
        arm_id text NOT NULL,
        action text NOT NULL,
        body text NOT NULL,
        created text NOT NULL,
        pid integer NOT NULL
    );
    CREATE TABLE {s}.locks (
        workspace text PRIMARY KEY REFERENCES {s}.workspaces (name) ON DELETE CASCADE,
        id text NOT NULL,
        holder text NOT NULL,
        pid integer NOT NULL,
        host text NOT NULL,
        operation text NOT NULL,
        created text NOT NULL,
        backend_pid integer NOT NULL
    );
    "#,
    // 2: which attributes of a resource are sensitive.
    "ALTER TABLE {s}.resources ADD COLUMN sensitive text NOT NULL DEFAULT '[]';",
];

pub struct PostgresStore {
    client: Mutex<Client>,
    url: PostgresUrl,
    /// The advisory lock key of this workspace.
    key: i64,
    /// The id of the lock this connection holds.
    held: Option<String>,
}

/// TLS as `sslmode` asks (`prefer` by default: TLS when the server offers it), verifying the
/// server against the public web roots — what managed servers such as Azure Database for
/// PostgreSQL present.
fn tls(url: &PostgresUrl) -> Result<tokio_postgres_rustls::MakeRustlsConnect, StateError> {
    use rustls::pki_types::{CertificateDer, pem::PemObject};
    let mut roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    if let Some(file) = &url.root_cert {
        let bad = |why: String| StateError::BadLocation { location: url.to_string(), why };
        let certs = CertificateDer::pem_file_iter(file)
            .map_err(|e| bad(format!("sslrootcert {}: {e}", file.display())))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(format!("sslrootcert {}: {e}", file.display())))?;
        if certs.is_empty() {
            return Err(bad(format!("sslrootcert {} holds no certificate", file.display())));
        }
        for cert in certs {
            roots.add(cert).map_err(|e| bad(format!("sslrootcert {}: {e}", file.display())))?;
        }
    }
    let config =
        rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("the ring provider supports the default TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// A stable 64-bit key for an advisory lock (FNV-1a).
fn lock_key(text: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash as i64
}

fn error(url: &PostgresUrl, e: postgres::Error) -> StateError {
    // The driver's messages name the server and the failure, never the password.
    let mut message = e.to_string();
    if let Some(db) = e.as_db_error() {
        message = format!("{}: {}", db.code().code(), db.message());
    } else if let Some(source) = std::error::Error::source(&e) {
        message = format!("{message}: {source}");
    }
    StateError::Postgres { location: url.to_string(), message }
}

impl PostgresStore {
    /// A connection to the server of a location, as sigform makes it (TLS as `sslmode` asks,
    /// `sslrootcert` honoured); for tools and tests that look behind sigform's back.
    pub fn connect(url: &PostgresUrl) -> Result<Client, StateError> {
        let mut config: postgres::Config = url
            .connection
            .parse()
            .map_err(|e: postgres::Error| StateError::BadLocation { location: url.to_string(), why: e.to_string() })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(10));
        }
        config.application_name(&format!("sigform {}", url.workspace));
        config.connect(tls(url)?).map_err(|e| error(url, e))
    }

    /// Whether a state exists at `url`: the schema is sigform's and holds the workspace. A schema
    /// of the same name that is not sigform's is refused.
    pub fn exists(url: &PostgresUrl) -> Result<bool, StateError> {
        let mut client = Self::connect(url)?;
        if Self::check_schema(&mut client, url)?.is_none() {
            return Ok(false);
        }
        let s = &url.schema;
        let found = client
            .query_opt(&format!("SELECT 1 FROM \"{s}\".workspaces WHERE name = $1"), &[&url.workspace])
            .map_err(|e| error(url, e))?;
        Ok(found.is_some())
    }

    /// Every workspace of the schema with its serial, size and live lock holder.
    pub fn workspaces(url: &PostgresUrl) -> Result<Vec<super::WorkspaceInfo>, StateError> {
        let mut client = Self::connect(url)?;
        if Self::check_schema(&mut client, url)?.is_none() {
            return Ok(Vec::new());
        }
        let s = &url.schema;
        let rows = client
            .query(
                &format!(
                    "SELECT w.name, w.serial,
                            (SELECT count(*) FROM \"{s}\".resources r WHERE r.workspace = w.name),
                            (SELECT l.holder || ' running `' || l.operation || '`' FROM \"{s}\".locks l
                               JOIN pg_stat_activity a ON a.pid = l.backend_pid WHERE l.workspace = w.name)
                     FROM \"{s}\".workspaces w ORDER BY w.name COLLATE \"C\""
                ),
                &[],
            )
            .map_err(|e| error(url, e))?;
        Ok(rows
            .iter()
            .map(|r| super::WorkspaceInfo {
                name: r.get(0),
                serial: r.get::<_, i64>(1) as u64,
                resources: r.get::<_, i64>(2) as usize,
                locked_by: r.get(3),
            })
            .collect())
    }

    /// The format of sigform's schema (`None`: nothing there yet); refuses one that is not
    /// sigform's or was written by a newer version, without writing anything.
    fn check_schema(client: &mut impl GenericClient, url: &PostgresUrl) -> Result<Option<usize>, StateError> {
        let s = &url.schema;
        let schema = client
            .query_opt("SELECT 1 FROM information_schema.schemata WHERE schema_name = $1", &[s])
            .map_err(|e| error(url, e))?;
        if schema.is_none() {
            return Ok(None);
        }
        let meta: Option<String> = client
            .query_one("SELECT to_regclass($1)::text", &[&format!("\"{s}\".meta")])
            .map_err(|e| error(url, e))?
            .get(0);
        let foreign = || StateError::Foreign { location: format!("{} (schema {s})", url) };
        if meta.is_none() {
            let tables: i64 = client
                .query_one("SELECT count(*) FROM information_schema.tables WHERE table_schema = $1", &[s])
                .map_err(|e| error(url, e))?
                .get(0);
            return if tables == 0 { Ok(None) } else { Err(foreign()) };
        }
        let rows = client
            .query(&format!("SELECT key, value FROM \"{s}\".meta WHERE key IN ('application', 'format')"), &[])
            .map_err(|_| foreign())?;
        let value = |k: &str| rows.iter().find(|r| r.get::<_, String>(0) == k).map(|r| r.get::<_, String>(1));
        if value("application").as_deref() != Some("sigform") {
            return Err(foreign());
        }
        let format: i64 = value("format").and_then(|f| f.parse().ok()).ok_or_else(foreign)?;
        if format > MIGRATIONS.len() as i64 {
            return Err(StateError::Newer {
                location: format!("{} (schema {s})", url),
                found: format,
                supported: MIGRATIONS.len() as i64,
            });
        }
        Ok(Some(format as usize))
    }

    /// Opens the workspace; `create` makes the schema (migrated) and an empty workspace as needed.
    pub fn open(url: &PostgresUrl, create: bool) -> Result<PostgresStore, StateError> {
        let mut client = Self::connect(url)?;
        let s = url.schema.clone();
        let format = Self::check_schema(&mut client, url)?;
        if format.is_none() && !create {
            return Err(StateError::Missing(url.to_string()));
        }
        let migrate = |client: &mut Client| -> Result<(), postgres::Error> {
            let mut tx = client.transaction()?;
            // One migrator at a time across every process sharing the database.
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&lock_key(&format!("sigform-migrate:{s}"))])?;
            tx.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS \"{s}\""))?;
            let exists: Option<String> =
                tx.query_one("SELECT to_regclass($1)::text", &[&format!("\"{s}\".meta")])?.get(0);
            let version: i64 = match exists {
                None => 0,
                Some(_) => tx
                    .query_opt(&format!("SELECT value FROM \"{s}\".meta WHERE key = 'format'"), &[])?
                    .and_then(|r| r.get::<_, String>(0).parse().ok())
                    .unwrap_or(0),
            };
            for migration in MIGRATIONS.iter().skip(version as usize) {
                tx.batch_execute(&migration.replace("{s}", &format!("\"{s}\"")))?;
            }
            if (version as usize) < MIGRATIONS.len() {
                tx.execute(
                    &format!(
                        "INSERT INTO \"{s}\".meta (key, value) VALUES ('application', 'sigform'), ('format', $1)
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value"
                    ),
                    &[&MIGRATIONS.len().to_string()],
                )?;
            }
            tx.commit()
        };
        // Readers of an up-to-date schema write nothing.
        if format != Some(MIGRATIONS.len()) {
            migrate(&mut client).map_err(|e| error(url, e))?;
        }
        let workspace = client
            .query_opt(&format!("SELECT 1 FROM \"{s}\".workspaces WHERE name = $1"), &[&url.workspace])
            .map_err(|e| error(url, e))?;
        if workspace.is_none() {
            if !create {
                return Err(StateError::Missing(url.to_string()));
            }
            client
                .execute(
                    &format!(
                        "INSERT INTO \"{s}\".workspaces (name, lineage, serial, created) VALUES ($1, $2, 0, $3)
                         ON CONFLICT (name) DO NOTHING"
                    ),
                    &[&url.workspace, &uuid::Uuid::new_v4().to_string(), &sigform_azure::timestamp::now_rfc3339()],
                )
                .map_err(|e| error(url, e))?;
        }
        let key = lock_key(&format!("sigform:{s}:{}", url.workspace));
        Ok(PostgresStore { client: Mutex::new(client), url: url.clone(), key, held: None })
    }

    fn client(&self) -> std::sync::MutexGuard<'_, Client> {
        self.client.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn table(&self, name: &str) -> String {
        format!("\"{}\".{name}", self.url.schema)
    }

    fn err(&self, e: postgres::Error) -> StateError {
        error(&self.url, e)
    }

    fn lock_row(&self, client: &mut impl GenericClient) -> Result<Option<(LockInfo, i32)>, StateError> {
        let row = client
            .query_opt(
                &format!(
                    "SELECT id, holder, pid, host, operation, created, backend_pid FROM {} WHERE workspace = $1",
                    self.table("locks")
                ),
                &[&self.url.workspace],
            )
            .map_err(|e| self.err(e))?;
        Ok(row.map(|r| {
            (
                LockInfo {
                    id: r.get(0),
                    holder: r.get(1),
                    pid: r.get::<_, i32>(2) as u32,
                    host: r.get(3),
                    operation: r.get(4),
                    created: r.get(5),
                },
                r.get(6),
            )
        }))
    }
}

/// A commit's rows, in one PostgreSQL transaction on the store's workspace.
struct PgRows<'a, 'b> {
    store: &'a PostgresStore,
    tx: &'a mut Transaction<'b>,
}

impl Rows for PgRows<'_, '_> {
    fn resource(&mut self, address: &str) -> Result<Option<ResourceState>, StateError> {
        let row = self
            .tx
            .query_opt(
                &format!(
                    "SELECT address, mode, type, name, index_key, provider, subscription_id, arm_id, attributes, dependencies, status, sensitive
                     FROM {} WHERE workspace = $1 AND address = $2",
                    self.store.table("resources")
                ),
                &[&self.store.url.workspace, &address],
            )
            .map_err(|e| self.store.err(e))?;
        row.map(|r| decode(resource_row(&r))).transpose()
    }

    fn put(&mut self, r: &ResourceState, serial: u64) -> Result<(), StateError> {
        self.tx
            .execute(
                &format!(
                    "INSERT INTO {} (workspace, address, mode, type, name, index_key, provider, subscription_id, arm_id, attributes, dependencies, status, serial, sensitive)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                     ON CONFLICT (workspace, address) DO UPDATE SET mode = excluded.mode, type = excluded.type, name = excluded.name,
                       index_key = excluded.index_key, provider = excluded.provider, subscription_id = excluded.subscription_id,
                       arm_id = excluded.arm_id, attributes = excluded.attributes, dependencies = excluded.dependencies,
                       status = excluded.status, serial = excluded.serial, sensitive = excluded.sensitive",
                    self.store.table("resources")
                ),
                &[
                    &self.store.url.workspace,
                    &r.address,
                    &r.mode,
                    &r.type_name,
                    &r.name,
                    &to_json(&r.index),
                    &r.provider,
                    &r.subscription_id,
                    &r.id,
                    &to_json(&r.attributes),
                    &to_json(&r.dependencies),
                    &r.status,
                    &(serial as i64),
                    &to_json(&r.sensitive),
                ],
            )
            .map_err(|e| self.store.err(e))?;
        Ok(())
    }

    fn delete(&mut self, address: &str) -> Result<(), StateError> {
        self.tx
            .execute(
                &format!("DELETE FROM {} WHERE workspace = $1 AND address = $2", self.store.table("resources")),
                &[&self.store.url.workspace, &address],
            )
            .map_err(|e| self.store.err(e))?;
        Ok(())
    }

    fn history(&mut self, h: &HistoryEntry) -> Result<(), StateError> {
        self.tx
            .execute(
                &format!(
                    "INSERT INTO {} (workspace, serial, time, action, address, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    self.store.table("history")
                ),
                &[
                    &self.store.url.workspace,
                    &(h.serial as i64),
                    &h.time,
                    &h.action,
                    &h.address,
                    &h.before.as_ref().map(to_json),
                    &h.after.as_ref().map(to_json),
                ],
            )
            .map_err(|e| self.store.err(e))?;
        Ok(())
    }

    fn replace_outputs(&mut self, outputs: &[OutputState]) -> Result<(), StateError> {
        let table = self.store.table("outputs");
        let ws = &self.store.url.workspace;
        self.tx.execute(&format!("DELETE FROM {table} WHERE workspace = $1"), &[ws]).map_err(|e| self.store.err(e))?;
        for o in outputs {
            self.tx
                .execute(
                    &format!("INSERT INTO {table} (workspace, name, value, sensitive) VALUES ($1, $2, $3, $4)"),
                    &[ws, &o.name, &to_json(&o.value), &o.sensitive],
                )
                .map_err(|e| self.store.err(e))?;
        }
        Ok(())
    }

    fn settle_intent(&mut self, id: i64) -> Result<(), StateError> {
        self.tx
            .execute(
                &format!("DELETE FROM {} WHERE workspace = $1 AND id = $2", self.store.table("intents")),
                &[&self.store.url.workspace, &id],
            )
            .map_err(|e| self.store.err(e))?;
        Ok(())
    }
}

fn resource_row(row: &postgres::Row) -> super::RowColumns {
    (
        ResourceState {
            address: row.get(0),
            mode: row.get(1),
            type_name: row.get(2),
            name: row.get(3),
            index: serde_json::Value::Null,
            provider: row.get(5),
            subscription_id: row.get(6),
            id: row.get(7),
            attributes: Default::default(),
            dependencies: Vec::new(),
            status: row.get(10),
            sensitive: Vec::new(),
        },
        row.get(4),
        row.get(8),
        row.get(9),
        row.get(11),
    )
}

impl StateStore for PostgresStore {
    fn snapshot(&self) -> Result<Snapshot, StateError> {
        let mut client = self.client();
        // One read transaction: resources, outputs and serial from the same moment.
        let mut tx = client
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(|e| self.err(e))?;
        let ws = &self.url.workspace;
        let head = tx
            .query_one(&format!("SELECT lineage, serial FROM {} WHERE name = $1", self.table("workspaces")), &[ws])
            .map_err(|e| self.err(e))?;
        let resources = tx
            .query(
                &format!(
                    "SELECT address, mode, type, name, index_key, provider, subscription_id, arm_id, attributes, dependencies, status, sensitive
                     FROM {} WHERE workspace = $1 ORDER BY address COLLATE \"C\"",
                    self.table("resources")
                ),
                &[ws],
            )
            .map_err(|e| self.err(e))?
            .iter()
            .map(|r| decode(resource_row(r)))
            .collect::<Result<Vec<_>, _>>()?;
        let outputs = tx
            .query(
                &format!(
                    "SELECT name, value, sensitive FROM {} WHERE workspace = $1 ORDER BY name COLLATE \"C\"",
                    self.table("outputs")
                ),
                &[ws],
            )
            .map_err(|e| self.err(e))?
            .iter()
            .map(|r| {
                let name: String = r.get(0);
                let value = serde_json::from_str(r.get::<_, &str>(1))
                    .map_err(|e| StateError::Corrupt(format!("output {name}: {e}")))?;
                Ok(OutputState { name, value, sensitive: r.get(2) })
            })
            .collect::<Result<Vec<_>, StateError>>()?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(Snapshot { lineage: head.get(0), serial: head.get::<_, i64>(1) as u64, resources, outputs })
    }

    fn history(&self, limit: Option<usize>) -> Result<Vec<HistoryEntry>, StateError> {
        let limit = limit.map_or(i64::MAX, |l| l as i64);
        let rows = self
            .client()
            .query(
                &format!(
                    "SELECT serial, time, action, address, before, after FROM {} WHERE workspace = $1 ORDER BY id DESC LIMIT $2",
                    self.table("history")
                ),
                &[&self.url.workspace, &limit],
            )
            .map_err(|e| self.err(e))?;
        let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        Ok(rows
            .iter()
            .map(|r| HistoryEntry {
                serial: r.get::<_, i64>(0) as u64,
                time: r.get(1),
                action: r.get(2),
                address: r.get(3),
                before: parse(r.get(4)),
                after: parse(r.get(5)),
            })
            .collect())
    }

    fn commit(&mut self, changes: &[Change]) -> Result<u64, StateError> {
        let mut client = self.client.lock().unwrap_or_else(|p| p.into_inner());
        let mut tx = client.transaction().map_err(|e| error(&self.url, e))?;
        // The workspace row serializes writers: each commit is the next serial.
        let serial: i64 = tx
            .query_one(
                &format!("SELECT serial FROM {} WHERE name = $1 FOR UPDATE", self.table("workspaces")),
                &[&self.url.workspace],
            )
            .map_err(|e| self.err(e))?
            .get(0);
        let serial = serial as u64 + 1;
        write_changes(&mut PgRows { store: self, tx: &mut tx }, changes, serial)?;
        tx.execute(
            &format!("UPDATE {} SET serial = $2 WHERE name = $1", self.table("workspaces")),
            &[&self.url.workspace, &(serial as i64)],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(serial)
    }

    fn lock(&mut self, info: &LockInfo) -> Result<(), StateError> {
        let mut client = self.client.lock().unwrap_or_else(|p| p.into_inner());
        let got: bool =
            client.query_one("SELECT pg_try_advisory_lock($1)", &[&self.key]).map_err(|e| error(&self.url, e))?.get(0);
        if !got {
            return Err(match self.lock_row(&mut *client)? {
                Some((held, _)) => StateError::Locked(held),
                // The holder took the lock a moment ago and has not recorded itself yet.
                None => StateError::Locked(LockInfo {
                    id: "(not recorded yet)".into(),
                    holder: "another process".into(),
                    pid: 0,
                    host: "unknown".into(),
                    operation: "unknown".into(),
                    created: sigform_azure::timestamp::now_rfc3339(),
                }),
            });
        }
        client
            .execute(
                &format!(
                    "INSERT INTO {} (workspace, id, holder, pid, host, operation, created, backend_pid)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, pg_backend_pid())
                     ON CONFLICT (workspace) DO UPDATE SET id = excluded.id, holder = excluded.holder, pid = excluded.pid,
                       host = excluded.host, operation = excluded.operation, created = excluded.created,
                       backend_pid = excluded.backend_pid",
                    self.table("locks")
                ),
                &[
                    &self.url.workspace,
                    &info.id,
                    &info.holder,
                    &(info.pid as i32),
                    &info.host,
                    &info.operation,
                    &info.created,
                ],
            )
            .map_err(|e| error(&self.url, e))?;
        drop(client);
        self.held = Some(info.id.clone());
        Ok(())
    }

    fn unlock(&mut self, id: &str) -> Result<(), StateError> {
        let mut client = self.client.lock().unwrap_or_else(|p| p.into_inner());
        let table = self.table("locks");
        if self.held.as_deref() == Some(id) {
            client
                .execute(&format!("DELETE FROM {table} WHERE workspace = $1 AND id = $2"), &[&self.url.workspace, &id])
                .map_err(|e| error(&self.url, e))?;
            client.execute("SELECT pg_advisory_unlock($1)", &[&self.key]).map_err(|e| error(&self.url, e))?;
            drop(client);
            self.held = None;
            return Ok(());
        }
        // Someone else's lock (force-unlock): only a record whose holder is gone can be cleared;
        // a live holder's lock ends with its connection.
        let Some((info, backend_pid)) = self.lock_row(&mut *client)? else {
            return Err(StateError::NoSuchLock(id.to_string()));
        };
        if info.id != id {
            return Err(StateError::NoSuchLock(id.to_string()));
        }
        let free: bool =
            client.query_one("SELECT pg_try_advisory_lock($1)", &[&self.key]).map_err(|e| error(&self.url, e))?.get(0);
        if !free {
            return Err(StateError::HeldByLiveSession { info, backend_pid });
        }
        client
            .execute(&format!("DELETE FROM {table} WHERE workspace = $1 AND id = $2"), &[&self.url.workspace, &id])
            .map_err(|e| error(&self.url, e))?;
        client.execute("SELECT pg_advisory_unlock($1)", &[&self.key]).map_err(|e| error(&self.url, e))?;
        Ok(())
    }

    fn current_lock(&self) -> Result<Option<LockInfo>, StateError> {
        let mut client = self.client();
        let Some((info, backend_pid)) = self.lock_row(&mut *client)? else { return Ok(None) };
        // A record whose connection is gone is no lock at all.
        let alive = client
            .query_opt("SELECT 1 FROM pg_stat_activity WHERE pid = $1", &[&backend_pid])
            .map_err(|e| self.err(e))?
            .is_some();
        Ok(alive.then_some(info))
    }

    fn add_intent(
        &mut self,
        address: &str,
        arm_id: &str,
        action: &str,
        body: &serde_json::Value,
    ) -> Result<i64, StateError> {
        let row = self
            .client()
            .query_one(
                &format!(
                    "INSERT INTO {} (workspace, address, arm_id, action, body, created, pid) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    self.table("intents")
                ),
                &[
                    &self.url.workspace,
                    &address,
                    &arm_id,
                    &action,
                    &body.to_string(),
                    &sigform_azure::timestamp::now_rfc3339(),
                    &(std::process::id() as i32),
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(row.get(0))
    }

    fn intents(&self) -> Result<Vec<Intent>, StateError> {
        let rows = self
            .client()
            .query(
                &format!(
                    "SELECT id, address, arm_id, action, body, created, pid FROM {} WHERE workspace = $1 ORDER BY id",
                    self.table("intents")
                ),
                &[&self.url.workspace],
            )
            .map_err(|e| self.err(e))?;
        Ok(rows
            .iter()
            .map(|r| Intent {
                id: r.get(0),
                address: r.get(1),
                arm_id: r.get(2),
                action: r.get(3),
                body: serde_json::from_str(r.get::<_, &str>(4)).unwrap_or(serde_json::Value::Null),
                created: r.get(5),
                pid: r.get::<_, i32>(6) as u32,
            })
            .collect())
    }

    fn locks_die_with_holder(&self) -> bool {
        true
    }

    fn replace_all(&mut self, snapshot: &Snapshot, history: &[HistoryEntry]) -> Result<(), StateError> {
        let mut client = self.client.lock().unwrap_or_else(|p| p.into_inner());
        let mut tx = client.transaction().map_err(|e| error(&self.url, e))?;
        let ws = self.url.workspace.clone();
        let serial: i64 = tx
            .query_one(&format!("SELECT serial FROM {} WHERE name = $1 FOR UPDATE", self.table("workspaces")), &[&ws])
            .map_err(|e| self.err(e))?
            .get(0);
        let count: i64 = tx
            .query_one(&format!("SELECT count(*) FROM {} WHERE workspace = $1", self.table("resources")), &[&ws])
            .map_err(|e| self.err(e))?
            .get(0);
        if serial != 0 || count != 0 {
            return Err(StateError::NotEmpty(self.url.to_string()));
        }
        tx.execute(
            &format!("UPDATE {} SET lineage = $2, serial = $3 WHERE name = $1", self.table("workspaces")),
            &[&ws, &snapshot.lineage, &(snapshot.serial as i64)],
        )
        .map_err(|e| self.err(e))?;
        write_all(&mut PgRows { store: self, tx: &mut tx }, snapshot, history)?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(())
    }

    fn describe(&self) -> String {
        self.url.to_string()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lock_keys_are_stable_and_distinct() {
        assert_eq!(super::lock_key("sigform:sigform:prod"), super::lock_key("sigform:sigform:prod"));
        assert_ne!(super::lock_key("sigform:sigform:prod"), super::lock_key("sigform:sigform:dev"));
    }
}
