//! The emulator answers as Azure does: each service rule with its error code.

use super::*;
use sigform_azure::arm_id;
use sigform_azure::profiles;

const SUB: &str = "00000000-0000-0000-0000-00000000000a";
const TENANT: &str = "tenant-a";

fn emulator(scale: f64) -> (tempfile::TempDir, Emulator) {
    let dir = tempfile::tempdir().unwrap();
    let e = Emulator::open(&dir.path().join("emulator.db"), scale).unwrap();
    (dir, e)
}

fn body(kind: ResourceKind, attributes: Json) -> Body {
    Body { kind, tenant: TENANT.into(), attributes }
}

fn put(e: &Emulator, id: &str, kind: ResourceKind, attributes: Json) -> Result<Operation, CloudError> {
    e.put(id, &body(kind, attributes))
}

fn rg() -> String {
    arm_id::resource_group(SUB, "rg")
}
fn image(name: &str) -> String {
    arm_id::image(SUB, "rg", name)
}
fn gallery() -> String {
    arm_id::gallery(SUB, "rg", "gal")
}
fn definition() -> String {
    arm_id::image_definition(SUB, "rg", "gal", "def")
}
fn version(v: &str) -> String {
    arm_id::image_version(SUB, "rg", "gal", "def", v)
}

fn image_attrs(location: &str, state: &str) -> Json {
    json!({"location": location, "hyper_v_generation": "V2", "os_disk": [{"os_type": "Linux", "os_state": state, "size_gb": 30}]})
}

fn version_attrs(location: &str, image_id: &str, regions: &[&str]) -> Json {
    json!({
        "location": location,
        "managed_image_id": image_id,
        "target_region": regions.iter().map(|r| json!({"name": r})).collect::<Vec<_>>(),
    })
}

/// A resource group, an image, a gallery and a definition, all done, in an emulator of the
/// service as first documented (its subscription registered for the preview feature).
fn seeded() -> (tempfile::TempDir, Emulator) {
    seeded_under(&profiles::V2018_06_01)
}

fn seeded_under(profile: &'static ServiceProfile) -> (tempfile::TempDir, Emulator) {
    let (d, e) = emulator(0.0);
    e.set_profile(profile).unwrap();
    e.register_feature(SUB, profiles::GALLERY_PREVIEW).unwrap();
    put(&e, &rg(), ResourceKind::ResourceGroup, json!({"location": "eastus"})).unwrap();
    put(&e, &image("img"), ResourceKind::ManagedImage, image_attrs("eastus", "Generalized")).unwrap();
    put(&e, &image("far"), ResourceKind::ManagedImage, image_attrs("westus", "Generalized")).unwrap();
    put(&e, &image("special"), ResourceKind::ManagedImage, image_attrs("eastus", "Specialized")).unwrap();
    put(&e, &gallery(), ResourceKind::Gallery, json!({"location": "eastus", "description": "d"})).unwrap();
    put(
        &e,
        &definition(),
        ResourceKind::ImageDefinition,
        json!({"location": "eastus", "os_type": "Linux", "hyper_v_generation": "V2", "identifier": [{"publisher": "p", "offer": "o", "sku": "s"}]}),
    )
    .unwrap();
    (d, e)
}

fn code(r: Result<Operation, CloudError>) -> (u16, String) {
    let e = r.expect_err("the service refuses this");
    (e.status, e.code)
}

#[test]
fn a_version_is_created_with_server_filled_defaults() {
    let (_d, e) = seeded();
    put(
        &e,
        &version("1.0.0"),
        ResourceKind::ImageVersion,
        version_attrs("eastus", &image("img"), &["East US", "westeurope"]),
    )
    .unwrap();
    let v = e.get(&version("1.0.0")).unwrap().unwrap();
    assert_eq!(v.provisioning_state, "Succeeded");
    assert_eq!(v.attributes["target_region"][0]["regional_replica_count"], 1);
    assert_eq!(v.attributes["target_region"][1]["storage_account_type"], "Standard_LRS");
    assert_eq!(v.replication.iter().map(|r| r.progress).collect::<Vec<_>>(), [100, 100]);
    let g = e.get(&gallery()).unwrap().unwrap();
    assert!(g.attributes["unique_name"].as_str().unwrap().ends_with("-GAL"));
    assert_eq!(e.list(&ListScope::Definition(definition())).unwrap().len(), 1);
    assert_eq!(e.list(&ListScope::Gallery(gallery())).unwrap().len(), 1);
    assert_eq!(e.list(&ListScope::Subscription(SUB.into())).unwrap().len(), 5);
}

#[test]
fn the_service_rules_answer_with_azures_codes() {
    let (_d, e) = seeded();
    let v = |attrs: Json| put(&e, &version("1.0.0"), ResourceKind::ImageVersion, attrs);
    type Case<'a> = (&'a str, Result<Operation, CloudError>, (u16, &'a str));
    let cases: Vec<Case> = vec![
        ("image in another region", v(version_attrs("eastus", &image("far"), &["eastus"])), (400, "InvalidParameter")),
        ("specialized image", v(version_attrs("eastus", &image("special"), &["eastus"])), (400, "InvalidParameter")),
        (
            "source region not a target",
            v(version_attrs("eastus", &image("img"), &["westus"])),
            (400, "InvalidParameter"),
        ),
        (
            "another cloud",
            v(version_attrs("eastus", &image("img"), &["eastus", "chinaeast2"])),
            (400, "InvalidParameter"),
        ),
        (
            "not allow-listed",
            v(version_attrs("eastus", &image("img"), &["eastus", "australiacentral"])),
            (403, "SubscriptionNotAllowListed"),
        ),
        ("missing image", v(version_attrs("eastus", &image("nope"), &["eastus"])), (400, "InvalidParameter")),
        (
            "zone-redundant replicas where there are no zones",
            v({
                let mut a = version_attrs("eastus", &image("img"), &["eastus", "westus"]);
                a["storage_account_type"] = json!("Standard_ZRS");
                a
            }),
            (400, "InvalidParameter"),
        ),
        (
            "a shallow version beyond its source region",
            v({
                let mut a = version_attrs("eastus", &image("img"), &["eastus", "westeurope"]);
                a["replication_mode"] = json!("Shallow");
                a
            }),
            (400, "InvalidParameter"),
        ),
        (
            "a shallow version with two replicas",
            v({
                let mut a = version_attrs("eastus", &image("img"), &["eastus"]);
                a["replication_mode"] = json!("Shallow");
                a["replica_count"] = json!(2);
                a
            }),
            (400, "InvalidParameter"),
        ),
        (
            "bad version name",
            put(&e, &version("1.0"), ResourceKind::ImageVersion, version_attrs("eastus", &image("img"), &["eastus"])),
            (400, "InvalidParameter"),
        ),
        (
            "missing parent",
            put(
                &e,
                &arm_id::image_version(SUB, "rg", "gal", "nodef", "1.0.0"),
                ResourceKind::ImageVersion,
                version_attrs("eastus", &image("img"), &["eastus"]),
            ),
            (404, "ParentResourceNotFound"),
        ),
        (
            "missing resource group",
            put(&e, &arm_id::gallery(SUB, "nowhere", "g3"), ResourceKind::Gallery, json!({"location": "eastus"})),
            (404, "ResourceGroupNotFound"),
        ),
        (
            "gallery name with a dash",
            put(&e, &arm_id::gallery(SUB, "rg", "my-gal"), ResourceKind::Gallery, json!({"location": "eastus"})),
            (400, "InvalidParameter"),
        ),
        (
            "gallery in a region without galleries",
            put(&e, &arm_id::gallery(SUB, "rg", "g2"), ResourceKind::Gallery, json!({"location": "norwayeast"})),
            (400, "LocationNotAvailableForResourceType"),
        ),
        ("delete a gallery with definitions", e.delete(&gallery()), (409, "CannotDeleteResource")),
        (
            "fixed attribute changed",
            put(
                &e,
                &definition(),
                ResourceKind::ImageDefinition,
                json!({"location": "eastus", "os_type": "Windows", "hyper_v_generation": "V2", "identifier": [{"publisher": "p", "offer": "o", "sku": "s"}]}),
            ),
            (409, "PropertyChangeNotAllowed"),
        ),
        (
            "role assignment on a resource group",
            put(
                &e,
                &arm_id::role_assignment(&rg(), "r1"),
                ResourceKind::RoleAssignment,
                json!({"scope": rg(), "role_definition_name": "Reader", "principal_id": "p"}),
            ),
            (400, "InvalidParameter"),
        ),
    ];
    for (name, result, want) in cases {
        assert_eq!(code(result), (want.0, want.1.to_string()), "{name}");
    }
    // The same version done right is accepted, and an updatable change too.
    v({
        // Zone-redundant where there are zones, locally redundant elsewhere.
        let mut a = version_attrs("eastus", &image("img"), &["eastus", "westus"]);
        a["storage_account_type"] = json!("Standard_ZRS");
        a["target_region"][1]["storage_account_type"] = json!("Standard_LRS");
        a
    })
    .unwrap();
    put(&e, &gallery(), ResourceKind::Gallery, json!({"location": "eastus", "description": "changed"})).unwrap();
    e.allowlist(SUB, TENANT, "Australia Central").unwrap();
    v(version_attrs("eastus", &image("img"), &["eastus", "australiacentral"])).unwrap();
}

#[test]
fn quotas_and_tenants() {
    let (_d, e) = seeded();
    for i in 1..10 {
        put(&e, &arm_id::gallery(SUB, "rg", &format!("g{i}")), ResourceKind::Gallery, json!({"location": "eastus"}))
            .unwrap();
    }
    assert_eq!(
        code(put(&e, &arm_id::gallery(SUB, "rg", "g10"), ResourceKind::Gallery, json!({"location": "eastus"}))),
        (409, "QuotaExceeded".into())
    );
    put(&e, &arm_id::gallery(SUB, "rg", "g10"), ResourceKind::Gallery, json!({"location": "westus"})).unwrap();
    // The counts follow updates (a write of an existing gallery is no new one), deletes and
    // re-creates: the quota is what exists, however it came to be.
    let g1 = arm_id::gallery(SUB, "rg", "g1");
    put(&e, &g1, ResourceKind::Gallery, json!({"location": "eastus", "description": "again"})).unwrap();
    e.delete(&arm_id::gallery(SUB, "rg", "g2")).unwrap();
    put(&e, &arm_id::gallery(SUB, "rg", "g11"), ResourceKind::Gallery, json!({"location": "eastus"})).unwrap();
    assert_eq!(
        code(put(&e, &arm_id::gallery(SUB, "rg", "g12"), ResourceKind::Gallery, json!({"location": "eastus"}))),
        (409, "QuotaExceeded".into())
    );
    // A database written before the counts were kept has them made from its rows when opened.
    {
        let conn = rusqlite::Connection::open(_d.path().join("emulator.db")).unwrap();
        conn.execute_batch("DELETE FROM quota_counts; DELETE FROM settings WHERE name = 'quota_counts';").unwrap();
    }
    let reopened = Emulator::open(&_d.path().join("emulator.db"), 0.0).unwrap();
    assert_eq!(
        code(
            reopened
                .put(&arm_id::gallery(SUB, "rg", "g12"), &body(ResourceKind::Gallery, json!({"location": "eastus"})))
        ),
        (409, "QuotaExceeded".into())
    );

    e.add_principal("outsider", "tenant-b", "User", Some("eve")).unwrap();
    e.add_principal("insider", TENANT, "User", Some("alice")).unwrap();
    let ra = |p: &str| {
        put(
            &e,
            &arm_id::role_assignment(&gallery(), p),
            ResourceKind::RoleAssignment,
            json!({"scope": gallery(), "role_definition_name": "Reader", "principal_id": p}),
        )
    };
    assert_eq!(code(ra("outsider")), (400, "CrossTenantPrincipalNotSupported".into()));
    ra("insider").unwrap();
    ra("unregistered-principal").unwrap();
}

#[test]
fn operations_progress_in_lazy_simulated_time() {
    // 1000 simulated seconds per real second: a gallery (30 simulated seconds) takes 30 real
    // milliseconds, its deletion 20.
    let (_d, e) = emulator(1000.0);
    put(&e, &rg(), ResourceKind::ResourceGroup, json!({"location": "eastus"})).unwrap();
    std::thread::sleep(Duration::from_millis(10));
    put(&e, &image("img"), ResourceKind::ManagedImage, image_attrs("eastus", "Generalized")).unwrap();
    let op = put(&e, &gallery(), ResourceKind::Gallery, json!({"location": "eastus"})).unwrap();
    assert_eq!(e.get(&gallery()).unwrap().unwrap().provisioning_state, "Creating");
    assert!(matches!(e.poll(&op).unwrap(), OperationStatus::InProgress { .. }));
    std::thread::sleep(Duration::from_millis(60));
    assert_eq!(e.poll(&op).unwrap(), OperationStatus::Succeeded);
    assert_eq!(e.get(&gallery()).unwrap().unwrap().provisioning_state, "Succeeded");

    let del = e.delete(&gallery()).unwrap();
    assert_eq!(e.get(&gallery()).unwrap().unwrap().provisioning_state, "Deleting");
    std::thread::sleep(Duration::from_millis(60));
    assert_eq!(e.poll(&del).unwrap(), OperationStatus::Succeeded);
    assert!(e.get(&gallery()).unwrap().is_none());
}

#[test]
fn throttling_follows_arms_buckets() {
    let (_d, e) = emulator(0.0);
    let e = e.with_throttling(true);
    put(&e, &rg(), ResourceKind::ResourceGroup, json!({"location": "eastus"})).unwrap();
    let mut throttled = None;
    for i in 0..400 {
        if let Err(err) = e.get(&rg()) {
            throttled = Some((i, err));
            break;
        }
    }
    let (at, err) = throttled.expect("reads are throttled after the burst");
    assert!((245..=260).contains(&at), "the read burst is 250, throttled at {at}");
    assert_eq!((err.status, err.code.as_str()), (429, "TooManyRequests"));
    let wait = err.retry_after_ms.expect("Retry-After");
    assert!(wait <= 40, "25 reads/s refill: {wait} ms");
    std::thread::sleep(Duration::from_millis(wait + 5));
    e.get(&rg()).expect("the bucket refilled");
    // Writes have their own bucket.
    put(&e, &image("img"), ResourceKind::ManagedImage, image_attrs("eastus", "Generalized")).unwrap();
}

/// The resource index holds definitions and versions without replication status; with a lag it
/// is a copy that is taken again only once it is older than the lag.
#[test]
fn the_resource_index_trails_by_its_lag() {
    let (d, e) = seeded();
    let v1 = version_attrs("eastus", &image("img"), &["East US"]);
    put(&e, &version("1.0.0"), ResourceKind::ImageVersion, v1.clone()).unwrap();
    let ids = |e: &Emulator| -> Vec<String> {
        e.list(&ListScope::Graph(SUB.into()))
            .unwrap()
            .into_iter()
            .map(|r| r.id.rsplit('/').next().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&e), ["def", "1.0.0"]);
    assert!(e.list(&ListScope::Graph(SUB.into())).unwrap().iter().all(|r| r.replication.is_empty()));
    drop(e);
    let lagging =
        Emulator::open(&d.path().join("emulator.db"), 0.0).unwrap().with_graph_lag(Duration::from_millis(300));
    assert_eq!(ids(&lagging), ["def", "1.0.0"]);
    put(&lagging, &version("2.0.0"), ResourceKind::ImageVersion, v1).unwrap();
    assert_eq!(ids(&lagging), ["def", "1.0.0"], "not yet in the index");
    assert_eq!(lagging.list(&ListScope::Definition(definition())).unwrap().len(), 2, "but listed by ARM");
    std::thread::sleep(Duration::from_millis(350));
    assert_eq!(ids(&lagging), ["def", "1.0.0", "2.0.0"]);
    assert_eq!(lagging.calls().unwrap()["query"], 5, "one call per query");
}

/// The emulator's updatable properties are its own (from the service's rules), the facts crate's
/// `Mutability` is the planner's: they must agree attribute by attribute. Each attribute of each
/// type, changed on an existing resource, is refused (409 PropertyChangeNotAllowed, naming ARM's
/// property path) exactly when the facts call it fixed — so a wrong flag on either side fails
/// here instead of hiding behind a shared mistake.
#[test]
fn the_service_and_the_schemas_agree_on_what_can_change() {
    use sigform_azure::schema::{AttrType, Mutability};
    let (_d, e) = seeded();
    put(&e, &version("1.0.0"), ResourceKind::ImageVersion, version_attrs("eastus", &image("img"), &["eastus"]))
        .unwrap();
    let app = format!("{}/applications/agent", gallery());
    put(&e, &app, ResourceKind::GalleryApplication, json!({"location": "eastus", "supported_os_type": "Linux"}))
        .unwrap();
    let app_version = format!("{app}/versions/1.0.0");
    put(
        &e,
        &app_version,
        ResourceKind::GalleryApplicationVersion,
        json!({"location": "eastus", "source": [{"media_link": "https://s.blob.core.windows.net/a/agent.zip"}],
               "manage_action": [{"install": "i", "remove": "r"}],
               "target_region": [{"name": "eastus", "regional_replica_count": 1}]}),
    )
    .unwrap();
    let role = format!(
        "/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/0000aaaa-0000-4000-8000-000000000001"
    );
    put(
        &e,
        &role,
        ResourceKind::RoleDefinition,
        json!({"name": "Publisher", "scope": format!("/subscriptions/{SUB}"), "permissions": [{"actions": ["*/read"]}]}),
    )
    .unwrap();
    let lock = format!("{}/providers/Microsoft.Authorization/locks/keep", gallery());
    put(&e, &lock, ResourceKind::ManagementLock, json!({"scope": gallery(), "lock_level": "CanNotDelete"})).unwrap();
    let existing = |id: &str| e.peek(id).unwrap().unwrap().attributes;
    // A value that differs from `current` in the attribute's type and passes the service's checks.
    let other = |name: &str, ty: AttrType, current: &Json| -> Json {
        match (name, ty) {
            ("os_type", _) => json!("Windows"),
            ("lock_level", _) => json!(if current == "ReadOnly" { "CanNotDelete" } else { "ReadOnly" }),
            ("hyper_v_generation", _) => json!(if current == "V1" { "V2" } else { "V1" }),
            ("architecture", _) => json!("Arm64"),
            ("location", _) => json!("westus"),
            ("managed_image_id", _) => json!(image("far")),
            ("storage_account_type", _) => json!("Premium_LRS"),
            (_, AttrType::Number) => json!(current.as_f64().unwrap_or(1.0) + 1.0),
            (_, AttrType::Bool) => json!(!current.as_bool().unwrap_or(false)),
            (_, AttrType::StringMap) => json!({"changed": "yes"}),
            (_, AttrType::StringSet) => json!(["Premium_LRS"]),
            (_, AttrType::Any) => json!({"any": "changed"}),
            (_, AttrType::String) => json!(format!("{}-changed", current.as_str().unwrap_or("x"))),
        }
    };
    let cases = [
        (ResourceKind::Gallery, gallery()),
        (ResourceKind::ImageDefinition, definition()),
        (ResourceKind::ImageVersion, version("1.0.0")),
        (ResourceKind::ManagedImage, image("img")),
        (ResourceKind::ResourceGroup, rg()),
        (ResourceKind::GalleryApplication, app),
        (ResourceKind::GalleryApplicationVersion, app_version),
        (ResourceKind::RoleDefinition, role),
        (ResourceKind::ManagementLock, lock),
    ];
    let mut checked = 0;
    for (kind, id) in cases {
        let schema = kind.facts().resource.unwrap();
        for attr in schema.attrs {
            // Names come from the id; computed values are the service's own.
            if matches!(
                attr.name,
                "name"
                    | "gallery_name"
                    | "image_name"
                    | "resource_group_name"
                    | "id"
                    | "gallery_id"
                    | "gallery_application_id"
                    | "scope"
                    | "role_definition_id"
            ) && !(kind == ResourceKind::RoleDefinition && attr.name == "name")
                || matches!(attr.mutability, Mutability::Computed | Mutability::ClientOnly)
            {
                continue;
            }
            let mut attrs = existing(&id);
            let current = attrs.get(attr.name).cloned().unwrap_or(Json::Null);
            attrs[attr.name] = other(attr.name, attr.ty, &current);
            let result = put(&e, &id, kind, attrs);
            match attr.mutability {
                Mutability::Fixed => {
                    let err = result.expect_err(&format!("{}.{} is fixed", schema.type_name, attr.name));
                    assert_eq!(
                        (err.status, err.code.as_str()),
                        (409, "PropertyChangeNotAllowed"),
                        "{}.{}: {err}",
                        schema.type_name,
                        attr.name
                    );
                    assert!(
                        err.message.contains("'properties.") || err.message.contains("'location'"),
                        "ARM's property path, not azurerm's name: {err}"
                    );
                }
                _ => {
                    result.unwrap_or_else(|err| panic!("{}.{} is updatable: {err}", schema.type_name, attr.name));
                    // Back to where it was, for the next attribute.
                    let mut restore = existing(&id);
                    restore[attr.name] = current.clone();
                    put(&e, &id, kind, restore).unwrap();
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 25, "{checked} attributes checked");
}

/// A row of a kind this build does not know (a database written by something else) is an error
/// when read, never taken for a resource group (as it once silently was).
#[test]
fn an_unknown_kind_in_the_database_is_an_error_not_a_resource_group() {
    let (d, e) = seeded();
    let conn = rusqlite::Connection::open(d.path().join("emulator.db")).unwrap();
    let changed = conn.execute("UPDATE resources SET kind = 'NetworkInterface' WHERE kind = 'Gallery'", []).unwrap();
    assert_eq!(changed, 1);
    drop(conn);
    let err = e.get(&gallery()).expect_err("an unknown kind is refused");
    assert_eq!(err.status, 500, "{err}");
    assert!(err.message.contains("unknown resource kind `NetworkInterface`"), "{err}");
    assert!(e.all().is_err());
    // Every other resource still reads as it was.
    assert_eq!(e.get(&rg()).unwrap().unwrap().kind, ResourceKind::ResourceGroup);
}

/// What differs between the service profiles, as the emulator answers it: where galleries may be
/// created, the quotas, and the preview feature of the first documented service.
#[test]
fn the_emulated_profile_decides_what_the_service_refuses() {
    let north = |e: &Emulator, name: &str| {
        put(e, &arm_id::gallery(SUB, "rg", name), ResourceKind::Gallery, json!({"location": "northeurope"}))
    };
    let (_d, old) = seeded_under(&profiles::V2018_06_01);
    assert_eq!(code(north(&old, "n1")), (400, "LocationNotAvailableForResourceType".into()));
    let (_d2, today) = seeded_under(&profiles::CURRENT);
    north(&today, "n1").unwrap();
    assert_eq!(today.profile().unwrap(), Some(&profiles::CURRENT));

    // Quotas: the 11th gallery in a region under 2018-06-01, the 101st today.
    let fill = |e: &Emulator, n: usize| {
        for i in 0..n {
            put(e, &arm_id::gallery(SUB, "rg", &format!("q{i}")), ResourceKind::Gallery, json!({"location": "westus"}))
                .unwrap();
        }
        put(e, &arm_id::gallery(SUB, "rg", "one_more"), ResourceKind::Gallery, json!({"location": "westus"}))
    };
    assert_eq!(code(fill(&old, 10)), (409, "QuotaExceeded".into()));
    assert_eq!(code(fill(&today, 100)), (409, "QuotaExceeded".into()));

    // The preview feature: an unregistered subscription creates no gallery resource under
    // 2018-06-01 (a resource group is fine), and does once registered; today nobody registers.
    let other = "00000000-0000-0000-0000-00000000000b";
    let other_gallery = arm_id::gallery(other, "rg", "g");
    for e in [&old, &today] {
        put(e, &arm_id::resource_group(other, "rg"), ResourceKind::ResourceGroup, json!({"location": "eastus"}))
            .unwrap();
    }
    assert_eq!(
        code(put(&old, &other_gallery, ResourceKind::Gallery, json!({"location": "eastus"}))),
        (409, "SubscriptionNotRegisteredForFeature".into())
    );
    assert!(!old.is_feature_registered(other, "GalleryPreview").unwrap());
    old.register_feature(other, "GalleryPreview").unwrap();
    put(&old, &other_gallery, ResourceKind::Gallery, json!({"location": "eastus"})).unwrap();
    put(&today, &other_gallery, ResourceKind::Gallery, json!({"location": "eastus"})).unwrap();
}

/// A new database takes the profile the first caller wants and keeps it; reset can change it.
#[test]
fn the_profile_is_remembered() {
    let (d, e) = emulator(0.0);
    assert_eq!(e.profile().unwrap(), None);
    assert_eq!(e.claim_profile(&profiles::V2018_06_01).unwrap(), &profiles::V2018_06_01);
    assert_eq!(e.claim_profile(&profiles::CURRENT).unwrap(), &profiles::V2018_06_01, "the first choice stays");
    let again = Emulator::open(&d.path().join("emulator.db"), 0.0).unwrap();
    assert_eq!(again.profile().unwrap(), Some(&profiles::V2018_06_01), "it survives reopening");
    put(&again, &rg(), ResourceKind::ResourceGroup, json!({"location": "eastus"})).unwrap();
    again.reset(Some(&profiles::CURRENT)).unwrap();
    assert_eq!(again.profile().unwrap(), Some(&profiles::CURRENT));
    assert!(again.all().unwrap().is_empty(), "reset empties the cloud");
    again.reset(None).unwrap();
    assert_eq!(again.profile().unwrap(), Some(&profiles::CURRENT), "a reset without --profile keeps it");
}

/// A resource group is deleted with everything in it, in one operation, as ARM deletes a group;
/// a gallery with definitions is not (it must be emptied first).
#[test]
fn a_resource_group_goes_with_everything_in_it() {
    let (_d, e) = seeded();
    assert_eq!(code(e.delete(&gallery())), (409, "CannotDeleteResource".into()));
    let op = e.delete(&rg()).unwrap();
    assert_eq!(e.poll(&op).unwrap(), OperationStatus::Succeeded);
    for id in [rg(), image("img"), gallery(), definition()] {
        assert!(e.get(&id).unwrap().is_none(), "{id} is gone");
    }
    assert!(e.all().unwrap().is_empty());
}

/// The service's messages name properties as ARM does, not by sigform's attribute names.
#[test]
fn refusals_name_arm_properties() {
    let (_d, e) = seeded();
    let bad = put(
        &e,
        &arm_id::image_definition(SUB, "rg", "gal", "other"),
        ResourceKind::ImageDefinition,
        json!({"location": "eastus", "os_type": "Solaris", "hyper_v_generation": "V2", "identifier": [{"publisher": "p", "offer": "o", "sku": "x"}]}),
    )
    .unwrap_err();
    assert!(bad.message.contains("properties.osType 'Solaris'"), "{}", bad.message);
    let bad = put(&e, &version("9.9.9"), ResourceKind::ImageVersion, json!({"location": "eastus"})).unwrap_err();
    assert!(bad.message.contains("storageProfile.source.id"), "{}", bad.message);
}

/// ARM checks locks before anything else: a delete under a CanNotDelete lock, any write under a
/// ReadOnly one, is 409 ScopeLocked; the lock itself can always be changed or removed.
#[test]
fn locks_refuse_what_they_cover() {
    let (_d, e) = seeded();
    let lock = format!("{}/providers/Microsoft.Authorization/locks/keep", gallery());
    let lock_attrs = |level: &str| json!({"scope": gallery(), "lock_level": level, "notes": "n"});
    put(&e, &lock, ResourceKind::ManagementLock, lock_attrs("CanNotDelete")).unwrap();
    assert_eq!(code(e.delete(&definition())), (409, "ScopeLocked".to_string()));
    put(&e, &gallery(), ResourceKind::Gallery, json!({"location": "eastus", "description": "fine"})).unwrap();
    put(&e, &lock, ResourceKind::ManagementLock, lock_attrs("ReadOnly")).unwrap();
    let refused = put(&e, &gallery(), ResourceKind::Gallery, json!({"location": "eastus", "description": "no"}));
    assert_eq!(code(refused), (409, "ScopeLocked".to_string()));
    // Outside the scope nothing is held.
    put(&e, &arm_id::gallery(SUB, "rg", "other"), ResourceKind::Gallery, json!({"location": "eastus"})).unwrap();
    assert_eq!(
        code(put(&e, &lock, ResourceKind::ManagementLock, lock_attrs("Forever"))),
        (400, "InvalidParameter".to_string())
    );
    let nowhere = format!("{}/providers/Microsoft.Authorization/locks/x", arm_id::gallery(SUB, "rg", "none"));
    assert_eq!(
        code(put(&e, &nowhere, ResourceKind::ManagementLock, lock_attrs("ReadOnly"))),
        (404, "ResourceNotFound".to_string())
    );
    e.delete(&lock).unwrap();
    put(&e, &gallery(), ResourceKind::Gallery, json!({"location": "eastus", "description": "free"})).unwrap();
}

/// A version whose target region fails to replicate fails its operation with the same message
/// whether the operation is due at once (time scale 0: written in its final state) or later
/// (settled by a later call).
#[test]
fn a_failed_region_fails_the_version_at_once_or_when_due() {
    let fails = Faults { region_failure: 1.0, seed: 7, ..Faults::default() };
    let (_d, e) = seeded();
    let e = e.with_faults(fails.clone());
    let op =
        put(&e, &version("1.0.0"), ResourceKind::ImageVersion, version_attrs("eastus", &image("img"), &["eastus"]))
            .unwrap();
    let OperationStatus::Failed(now) = e.poll(&op).unwrap() else { panic!("the operation failed") };
    assert_eq!(e.get(&version("1.0.0")).unwrap().unwrap().provisioning_state, "Failed");

    let (_d, later) = emulator(1000.0);
    let later = later.with_faults(fails);
    put(&later, &rg(), ResourceKind::ResourceGroup, json!({"location": "eastus"})).unwrap();
    put(&later, &image("img"), ResourceKind::ManagedImage, image_attrs("eastus", "Generalized")).unwrap();
    put(&later, &gallery(), ResourceKind::Gallery, json!({"location": "eastus"})).unwrap();
    std::thread::sleep(Duration::from_millis(60));
    put(
        &later,
        &definition(),
        ResourceKind::ImageDefinition,
        json!({"location": "eastus", "os_type": "Linux", "hyper_v_generation": "V2", "identifier": [{"publisher": "p", "offer": "o", "sku": "s"}]}),
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(60));
    let op =
        put(&later, &version("1.0.0"), ResourceKind::ImageVersion, version_attrs("eastus", &image("img"), &["eastus"]))
            .unwrap();
    assert!(matches!(later.poll(&op).unwrap(), OperationStatus::InProgress { .. }));
    let due = loop {
        std::thread::sleep(Duration::from_millis(50));
        match later.poll(&op).unwrap() {
            OperationStatus::Failed(e) => break e,
            OperationStatus::InProgress { .. } => continue,
            OperationStatus::Succeeded => panic!("the region failed"),
        }
    };
    assert_eq!((now.code.as_str(), now.message.as_str()), (due.code.as_str(), due.message.as_str()));
    assert!(now.message.contains("replication to a target region failed"), "{}", now.message);
}

/// One call is one transaction, committed whatever the call answers: a throttled call is still
/// counted, and a write whose response is lost is still made.
#[test]
fn a_call_that_answers_an_error_keeps_what_it_did() {
    let (_d, e) = seeded();
    let e = e.with_faults(Faults { lost_response: 1.0, seed: 3, ..Faults::default() });
    let before = e.calls().unwrap().get("put").copied().unwrap_or(0);
    let lost =
        put(&e, &version("1.0.0"), ResourceKind::ImageVersion, version_attrs("eastus", &image("img"), &["eastus"]));
    assert!(lost.is_err(), "the response is lost");
    assert_eq!(e.calls().unwrap().get("put").copied(), Some(before + 1), "the call is counted");
    let quiet = e.with_faults(Faults::default());
    assert!(quiet.get(&version("1.0.0")).unwrap().is_some(), "the write went through");
}
