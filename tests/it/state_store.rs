//! State-store conformance: every test runs against each backend — a SQLite file, and a
//! PostgreSQL workspace when `SIGFORM_TEST_POSTGRES` names a server (see `tests/it/common`) — and
//! `state migrate` copies between them; plus each backend's bad inputs, refused untouched.

mod common;
use serde_json::json;
use sigform::state::{Change, Location, LockInfo, OutputState, ResourceState, StateError};

/// A fresh, empty location per backend, each in its own temporary directory or workspace.
fn backends() -> Vec<(tempfile::TempDir, Location)> {
    let mut out = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let file = Location::File(dir.path().join("state/sigform.db"));
    out.push((dir, file));
    if let Some(server) = common::postgres_server() {
        let dir = tempfile::tempdir().unwrap();
        let url = common::with_param(&server, "workspace", &common::workspace_of(dir.path()));
        out.push((dir, Location::parse(&url, std::path::Path::new("/")).unwrap()));
    }
    out
}

fn resource(address: &str, n: i64) -> ResourceState {
    ResourceState {
        address: address.into(),
        mode: "managed".into(),
        type_name: "azurerm_shared_image_gallery".into(),
        name: address.rsplit('.').next().unwrap().into(),
        index: json!(null),
        provider: "azurerm".into(),
        subscription_id: "sub".into(),
        id: format!("/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/galleries/{n}"),
        attributes: json!({"name": format!("g{n}"), "tags": {"n": n}, "target_region": [{"name": "eastus"}]}).into(),
        dependencies: vec!["azurerm_resource_group.rg".into()],
        status: "ready".into(),
        sensitive: Vec::new(),
    }
}

fn put(address: &str, n: i64) -> Change {
    Change::Put { action: "create".into(), resource: Box::new(resource(address, n)) }
}

#[test]
fn commits_bump_the_serial_and_keep_history() {
    for (_dir, location) in backends() {
        assert!(!location.exists().unwrap(), "{location}");
        let mut store = location.open(true).unwrap();
        assert!(location.exists().unwrap());
        let empty = store.snapshot().unwrap();
        assert_eq!((empty.serial, empty.resources.len()), (0, 0), "{location}");
        assert_eq!(
            store
                .commit(&[put("azurerm_shared_image_gallery.b", 2), put("azurerm_shared_image_gallery.a", 1)])
                .unwrap(),
            1
        );
        assert_eq!(store.commit(&[put("azurerm_shared_image_gallery.a", 3)]).unwrap(), 2);
        let outputs = vec![OutputState { name: "id".into(), value: json!(["x", 1]), sensitive: true }];
        assert_eq!(store.commit(&[Change::Outputs(outputs.clone())]).unwrap(), 3);
        let snap = store.snapshot().unwrap();
        assert_eq!(snap.serial, 3);
        assert_eq!(snap.lineage, empty.lineage, "{location}: the lineage stays");
        let addresses: Vec<&str> = snap.resources.iter().map(|r| r.address.as_str()).collect();
        assert_eq!(addresses, ["azurerm_shared_image_gallery.a", "azurerm_shared_image_gallery.b"], "{location}");
        assert_eq!(snap.resources[0], resource("azurerm_shared_image_gallery.a", 3), "{location}: exact round trip");
        assert_eq!(snap.outputs, outputs);
        let history = store.history(None).unwrap();
        assert_eq!(history.len(), 3, "{location}: outputs are not history");
        assert_eq!((history[0].serial, history[0].action.as_str()), (2, "create"));
        assert_eq!(
            history[0].before,
            Some(resource("azurerm_shared_image_gallery.a", 1).attributes.value()),
            "{location}"
        );
        assert_eq!(store.history(Some(1)).unwrap().len(), 1);
        // A second store on the same location sees the same state.
        assert_eq!(location.open(false).unwrap().snapshot().unwrap(), snap, "{location}");
    }
}

#[test]
fn removes_and_moves_check_their_addresses() {
    for (_dir, location) in backends() {
        let mut store = location.open(true).unwrap();
        store.commit(&[put("azurerm_shared_image_gallery.a", 1), put("azurerm_shared_image_gallery.b", 2)]).unwrap();
        let missing = Change::Remove { action: "state rm".into(), address: "azurerm_shared_image_gallery.x".into() };
        assert!(matches!(store.commit(&[missing]), Err(StateError::NoSuchResource { .. })), "{location}");
        let taken =
            Change::Move { from: "azurerm_shared_image_gallery.a".into(), to: "azurerm_shared_image_gallery.b".into() };
        assert!(matches!(store.commit(&[taken]), Err(StateError::AddressTaken(_))), "{location}");
        // A failed commit changes nothing, the serial included.
        assert_eq!(store.snapshot().unwrap().serial, 1, "{location}");
        let moved = Change::Move {
            from: "azurerm_shared_image_gallery.a".into(),
            to: "azurerm_shared_image_gallery.c[\"k\"]".into(),
        };
        store.commit(&[moved]).unwrap();
        let snap = store.snapshot().unwrap();
        let c = snap.resource("azurerm_shared_image_gallery.c[\"k\"]").expect("moved");
        assert_eq!((c.name.as_str(), &c.index), ("c", &json!("k")), "{location}");
        assert_eq!(c.attributes, resource("azurerm_shared_image_gallery.a", 1).attributes);
        store
            .commit(&[Change::Remove { action: "state rm".into(), address: "azurerm_shared_image_gallery.b".into() }])
            .unwrap();
        assert_eq!(store.snapshot().unwrap().resources.len(), 1, "{location}");
    }
}

#[test]
fn one_lock_at_a_time_naming_its_holder() {
    for (_dir, location) in backends() {
        let mut first = location.open(true).unwrap();
        let mut second = location.open(false).unwrap();
        let a = LockInfo::for_this_process("apply");
        first.lock(&a).unwrap();
        assert_eq!(second.current_lock().unwrap().map(|l| l.id), Some(a.id.clone()), "{location}");
        match second.lock(&LockInfo::for_this_process("plan")) {
            Err(StateError::Locked(held)) => {
                assert_eq!((held.id.as_str(), held.operation.as_str()), (a.id.as_str(), "apply"), "{location}");
                assert_eq!(held.pid, std::process::id());
            }
            other => panic!("{location}: {other:?}"),
        }
        // Commits are not blocked by the lock itself (the lock is advisory for sigform's own runs).
        first.commit(&[put("azurerm_shared_image_gallery.a", 1)]).unwrap();
        first.unlock(&a.id).unwrap();
        assert!(second.current_lock().unwrap().is_none(), "{location}");
        let b = LockInfo::for_this_process("apply");
        second.lock(&b).unwrap();
        second.unlock(&b.id).unwrap();
        assert!(matches!(second.unlock("no-such-lock"), Err(StateError::NoSuchLock(_))), "{location}");
    }
}

#[test]
fn intents_stay_until_settled() {
    for (_dir, location) in backends() {
        let mut store = location.open(true).unwrap();
        let body = json!({"address": "azurerm_shared_image_gallery.a"});
        let first = store.add_intent("azurerm_shared_image_gallery.a", "/subscriptions/s/x", "create", &body).unwrap();
        let second =
            store.add_intent("azurerm_shared_image_gallery.b", "/subscriptions/s/y", "delete", &json!(null)).unwrap();
        let intents = store.intents().unwrap();
        assert_eq!(intents.iter().map(|i| i.id).collect::<Vec<_>>(), [first, second], "{location}");
        assert_eq!((intents[0].action.as_str(), &intents[0].body), ("create", &body));
        assert_eq!(intents[0].pid, std::process::id());
        // Recording the result and settling its intent is one commit.
        store.commit(&[put("azurerm_shared_image_gallery.a", 1), Change::SettleIntent(first)]).unwrap();
        assert_eq!(store.intents().unwrap().len(), 1, "{location}");
    }
}

#[test]
fn migrate_copies_between_backends_and_compares() {
    let mut all = backends();
    // SQLite → SQLite works everywhere; with a server, SQLite → PostgreSQL → SQLite.
    let extra = tempfile::tempdir().unwrap();
    all.push((extra, Location::File(all[0].0.path().join("copy/other.db"))));
    let (_keep, source) = &all[0];
    let mut store = source.open(true).unwrap();
    store.commit(&[put("azurerm_shared_image_gallery.a", 1), put("azurerm_shared_image_gallery.b", 2)]).unwrap();
    store
        .commit(&[Change::Outputs(vec![OutputState {
            name: "o".into(),
            value: json!({"k": [1, 2]}),
            sensitive: false,
        }])])
        .unwrap();
    let before = store.snapshot().unwrap();
    let history = store.history(None).unwrap();
    drop(store);
    let mut from = source.clone();
    for (_dir, target) in all.iter().skip(1) {
        let done = sigform::ops::state::migrate(&from, target).unwrap();
        assert_eq!((done.resources, done.serial), (2, before.serial), "{target}");
        let copy = target.open(false).unwrap();
        assert_eq!(copy.snapshot().unwrap(), before, "{target}");
        assert_eq!(copy.history(None).unwrap(), history, "{target}");
        // The source is left as it was; a second copy into the now full target is refused.
        assert_eq!(from.open(false).unwrap().snapshot().unwrap(), before);
        assert!(matches!(sigform::ops::state::migrate(&from, target), Err(StateError::NotEmpty(_))), "{target}");
        from = target.clone();
    }
    assert!(sigform::ops::state::migrate(source, source).is_err(), "a state is not copied onto itself");
    // Unsettled intents must be settled (by an apply) before a state moves.
    let mut store = source.open(false).unwrap();
    store.add_intent("a", "/x", "create", &json!(null)).unwrap();
    let fresh = tempfile::tempdir().unwrap();
    let e = sigform::ops::state::migrate(source, &Location::File(fresh.path().join("s.db"))).unwrap_err();
    assert!(e.to_string().contains("unsettled"), "{e}");
}

#[test]
fn missing_states_are_not_created_by_reading() {
    for (_dir, location) in backends() {
        assert!(location.open(false).is_err(), "{location}");
        assert!(!location.exists().unwrap(), "{location}: a failed open creates nothing");
    }
}

#[test]
fn bad_postgres_locations_are_clear_errors_without_passwords() {
    let base = std::path::Path::new("/");
    for (url, expected) in [
        ("postgres://u:topsecret@h/db?workspace=no spaces", "workspace name"),
        ("postgres://u:topsecret@/db", "no host"),
        ("postgresql://u:topsecret@h/db?schema=a-b", "schema name"),
    ] {
        let e = Location::parse(url, base).unwrap_err().to_string();
        assert!(e.contains(expected) && !e.contains("topsecret"), "{url}: {e}");
    }
    // Nothing listens on port 1.
    let unreachable = Location::parse("postgres://u:topsecret@127.0.0.1:1/db?connect_timeout=5", base).unwrap();
    let e = unreachable.open(true).err().unwrap().to_string();
    assert!(e.contains("127.0.0.1:1") && e.contains("connect") && !e.contains("topsecret"), "{e}");

    let Some(server) = common::postgres_server() else { return };
    let wrong = server.replacen("://sigform:", "://sigform:not-the-password-", 1);
    let e = Location::parse(&wrong, base).unwrap().open(true).err().unwrap().to_string();
    assert!(e.contains("password authentication failed") && !e.contains("not-the-password"), "{e}");
    // The server's certificate is verified: without the test CA it is refused.
    if let Some((before, _)) = server.split_once("&sslrootcert=") {
        let e = Location::parse(before, base).unwrap().open(true).err().unwrap().to_string();
        assert!(e.contains("TLS") && e.contains("UnknownIssuer"), "{e}");
    }
}

#[test]
fn postgres_schemas_holding_something_else_or_newer_are_refused_untouched() {
    let Some(server) = common::postgres_server() else { return };
    let mut admin = common::postgres_admin().expect("the test server answers");
    let schema = format!("other_{}", common::workspace_of(tempfile::tempdir().unwrap().path()));
    admin.batch_execute(&format!("CREATE SCHEMA {schema}; CREATE TABLE {schema}.invoices (id int)")).unwrap();
    let foreign = Location::parse(&common::with_param(&server, "schema", &schema), std::path::Path::new("/")).unwrap();
    let e = foreign.open(true).err().unwrap();
    assert!(matches!(e, StateError::Foreign { .. }), "{e}");
    let tables: i64 = admin
        .query_one("SELECT count(*) FROM information_schema.tables WHERE table_schema = $1", &[&schema])
        .unwrap()
        .get(0);
    assert_eq!(tables, 1, "nothing was written to a schema that is not sigform's");

    // A schema written by a newer sigform.
    let newer = format!("newer_{}", &schema[6..]);
    let location = Location::parse(&common::with_param(&server, "schema", &newer), std::path::Path::new("/")).unwrap();
    location.open(true).unwrap();
    admin.execute(&format!("UPDATE {newer}.meta SET value = '99' WHERE key = 'format'"), &[]).unwrap();
    assert!(matches!(location.open(true), Err(StateError::Newer { found: 99, .. })));
}

#[test]
fn workspaces_are_listed_with_their_serial_size_and_holder() {
    for (_dir, location) in backends() {
        assert!(location.workspaces().unwrap().is_empty() || matches!(location, Location::Postgres(_)));
        let mut store = location.open(true).unwrap();
        store.commit(&[put("azurerm_shared_image_gallery.a", 1), put("azurerm_shared_image_gallery.b", 2)]).unwrap();
        let lock = LockInfo::for_this_process("apply");
        store.lock(&lock).unwrap();
        let all = location.workspaces().unwrap();
        let mine = all.iter().find(|w| w.name == location.workspace()).expect("listed");
        assert_eq!((mine.serial, mine.resources), (1, 2), "{location}");
        assert_eq!(mine.locked_by.as_deref(), Some(format!("{} running `apply`", lock.holder).as_str()), "{location}");
        store.unlock(&lock.id).unwrap();
        let all = location.workspaces().unwrap();
        assert!(all.iter().find(|w| w.name == location.workspace()).unwrap().locked_by.is_none(), "{location}");
    }
}
