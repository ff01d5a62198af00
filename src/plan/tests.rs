//! Planner tables: every fixed and updatable attribute of every resource type, changed in the
//! prior state one at a time, must plan as a forbidden change (F) or an in-place update (U).

use super::{Action, Options, Plan, PlanInput, plan};
use crate::config::Sources;
use crate::eval::Environment;
use crate::model::Desired;
use crate::pipeline::check_configuration;
use crate::rules::RuleContext;
use crate::state::Snapshot;
use serde_json::{Value as Json, json};
use sigform_azure::schema::{AttrType, Mutability};

fn desired(text: &str) -> Desired {
    let mut sources = Sources::new();
    sources.add("main.tf", text);
    let checked = check_configuration(
        &sources,
        &[],
        &Environment::default(),
        None,
        &RuleContext { now_unix: crate::rules::tests::NOW },
    );
    assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
    checked.desired
}

fn recorded(d: &Desired) -> Snapshot {
    Snapshot {
        lineage: "test".into(),
        serial: 7,
        resources: d.resources.iter().map(super::record::record).collect(),
        outputs: vec![],
    }
}

fn run(d: &Desired, prior: &Snapshot, options: &Options) -> Plan {
    plan(PlanInput { config_hash: "h".into(), ..PlanInput::new(d, prior.clone(), options) })
}

fn change<'a>(p: &'a Plan, address: &str) -> &'a super::ResourceChange {
    p.changes.iter().find(|c| c.address == address).unwrap_or_else(|| panic!("no change for {address}"))
}

fn other_value(ty: AttrType, current: &Json) -> Json {
    match ty {
        AttrType::String => json!(format!("{}-changed", current.as_str().unwrap_or("x"))),
        AttrType::Number => json!(current.as_f64().unwrap_or(1.0) + 1.0),
        AttrType::Bool => json!(!current.as_bool().unwrap_or(false)),
        AttrType::StringMap => json!({"changed": "yes"}),
        AttrType::StringSet => json!(["Premium_LRS"]),
        AttrType::Any => json!({"any": "changed"}),
    }
}

#[test]
fn an_unchanged_state_plans_no_changes() {
    let d = desired(crate::rules::tests::VALID);
    let p = run(&d, &recorded(&d), &Options::default());
    assert!(
        p.changes.iter().all(|c| c.action == Action::NoOp),
        "{:#?}",
        p.changes.iter().filter(|c| c.action != Action::NoOp).collect::<Vec<_>>()
    );
    assert!(p.is_empty() || p.output_changes.iter().all(|o| o.action != Action::NoOp));
}

#[test]
fn every_attribute_plans_by_its_mutability() {
    let d = desired(crate::rules::tests::VALID);
    let base = recorded(&d);
    let mut checked = 0;
    for (i, r) in base.resources.iter().enumerate() {
        let schema = sigform_azure::resources::resource(&r.type_name).unwrap();
        for attr in schema.attrs.iter().filter(|a| matches!(a.mutability, Mutability::Fixed | Mutability::Updatable)) {
            let mut prior = base.clone();
            let current = prior.resources[i].attributes.get(attr.name).unwrap_or(Json::Null);
            prior.resources[i].attributes.set(attr.name, other_value(attr.ty, &current));
            let p = run(&d, &prior, &Options::default());
            let c = change(&p, &r.address);
            let want = if attr.filled_by_service && current.is_null() {
                // Left to Azure by the configuration: whatever the service recorded is fine.
                Action::NoOp
            } else if attr.mutability == Mutability::Fixed {
                Action::Forbidden
            } else {
                Action::Update
            };
            assert_eq!(c.action, want, "{}.{}: {:#?}", r.address, attr.name, c.changes);
            if want == Action::Forbidden {
                assert_eq!(c.forbidden[0].rule, "SIG501");
                assert_eq!(c.forbidden[0].attribute.as_deref(), Some(attr.name), "{}", r.address);
            }
            assert!(!p.applyable() || want != Action::Forbidden);
            checked += 1;
        }
        for block in schema.blocks {
            for attr in block.attrs.iter().filter(|a| matches!(a.mutability, Mutability::Fixed | Mutability::Updatable))
            {
                let mut prior = base.clone();
                let mut attributes = prior.resources[i].attributes.value();
                let Some(first) = attributes.get_mut(block.name).and_then(|b| b.get_mut(0)) else {
                    continue;
                };
                let current = first.get(attr.name).cloned().unwrap_or(Json::Null);
                first[attr.name] = other_value(attr.ty, &current);
                prior.resources[i].attributes = attributes.into();
                let p = run(&d, &prior, &Options::default());
                let c = change(&p, &r.address);
                // A keyed block's key names the block: a different one is a region removed and
                // another added, both allowed; otherwise the block's and the attribute's own
                // mutability decide.
                let is_key = block.key == Some(attr.name);
                let fixed = !is_key && (attr.mutability == Mutability::Fixed || block.mutability == Mutability::Fixed);
                let want = if fixed { Action::Forbidden } else { Action::Update };
                assert_eq!(c.action, want, "{}.{}.{}: {:#?}", r.address, block.name, attr.name, c.changes);
                checked += 1;
            }
        }
    }
    assert!(checked > 60, "only {checked} attributes exercised");
}

#[test]
fn target_regions_diff_per_region_without_phantoms() {
    let d = desired(crate::rules::tests::VALID);
    let base = recorded(&d);
    let v = base.resources.iter().position(|r| r.type_name == "azurerm_shared_image_version").unwrap();
    let address = base.resources[v].address.clone();

    // The service fills in what the configuration leaves to defaults: no change.
    let mut filled = base.clone();
    filled.resources[v].attributes.edit(|a| {
        let regions = a["target_region"].as_array_mut().unwrap();
        regions[1]["regional_replica_count"] = json!(2); // westeurope inherits replica_count = 2
        regions[1]["storage_account_type"] = json!("Standard_LRS");
        regions[0]["name"] = json!("eastus"); // written "East US" in the configuration
    });
    let p = run(&d, &filled, &Options::default());
    assert_eq!(change(&p, &address).action, Action::NoOp, "{:#?}", change(&p, &address).changes);

    // A region removed in the cloud record, and another count changed: per region.
    let mut prior = base.clone();
    prior.resources[v].attributes.edit(|a| {
        let regions = a["target_region"].as_array_mut().unwrap();
        regions.remove(1);
        regions[0]["regional_replica_count"] = json!(5);
        regions.push(json!({"name": "northeurope", "regional_replica_count": 1}));
    });
    let p = run(&d, &prior, &Options::default());
    let c = change(&p, &address);
    assert_eq!(c.action, Action::Update);
    let paths: Vec<&str> = c.changes.iter().map(|ch| ch.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "target_region[\"eastus\"].regional_replica_count",
            "target_region[\"northeurope\"]",
            "target_region[\"westeurope\"]"
        ]
    );
    assert_eq!(c.changes[0].before, json!(5));
    assert_eq!(c.changes[0].after, json!(2));
    assert!(c.changes[1].after.is_null(), "northeurope is removed");
    assert!(c.changes[2].before.is_null(), "westeurope is added");
}

#[test]
fn replace_expands_to_children_and_deletes_go_children_first() {
    let d = desired(crate::rules::tests::VALID);
    let mut prior = recorded(&d);
    let def = prior.resources.iter_mut().find(|r| r.type_name == "azurerm_shared_image").unwrap();
    def.attributes.set("os_type", json!("Windows"));
    let forbidden = run(&d, &prior, &Options::default());
    assert_eq!(change(&forbidden, "azurerm_shared_image.def").action, Action::Forbidden);
    assert!(!forbidden.applyable());

    let options = Options {
        replace: vec![crate::model::address::parse("azurerm_shared_image.def").unwrap()],
        ..Options::default()
    };
    let p = run(&d, &prior, &options);
    assert!(p.applyable());
    assert_eq!(change(&p, "azurerm_shared_image.def").action, Action::Replace);
    let v = change(&p, "azurerm_shared_image_version.v");
    assert_eq!(v.action, Action::Replace);
    assert_eq!(v.reason.as_deref(), Some("replaced with its parent azurerm_shared_image.def"));
    assert_eq!(change(&p, "azurerm_shared_image_gallery.g").action, Action::NoOp);
    let pos = |a: &str| p.order.iter().position(|x| x == a).unwrap();
    assert!(
        pos("azurerm_shared_image_version.v") < pos("azurerm_shared_image.def"),
        "deletes children first: {:?}",
        p.order
    );
    let creates: Vec<&String> = p.order.iter().skip(2).collect();
    assert_eq!(creates, ["azurerm_shared_image.def", "azurerm_shared_image_version.v"], "then creates parents first");
    assert_eq!(p.summary(), (2, 0, 2, 0));
}

#[test]
fn deletes_respect_prevent_destroy_and_children() {
    let with_guard = crate::rules::tests::VALID.replace(
        "  location = \"eastus\"\n}\n\nresource \"azurerm_image\"",
        "  location = \"eastus\"\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n\nresource \"azurerm_image\"",
    );
    let d = desired(&with_guard);
    let prior = recorded(&d);
    let p = run(&d, &prior, &Options { destroy: true, ..Options::default() });
    let rg = change(&p, "azurerm_resource_group.rg");
    assert_eq!(rg.action, Action::Forbidden);
    assert_eq!(rg.forbidden[0].rule, "SIG504");
    assert_eq!(change(&p, "azurerm_shared_image_version.v").action, Action::Delete);

    // Deleting a gallery whose definition stays is blocked (SIG503).
    let d = desired(crate::rules::tests::VALID);
    let mut prior = recorded(&d);
    let mut orphan_parent =
        prior.resources.iter().find(|r| r.type_name == "azurerm_shared_image_gallery").unwrap().clone();
    orphan_parent.address = "azurerm_shared_image_gallery.old".into();
    orphan_parent.name = "old".into();
    prior.resources.push(orphan_parent.clone());
    let mut child = prior.resources.iter().find(|r| r.type_name == "azurerm_shared_image").unwrap().clone();
    child.address = "azurerm_shared_image.kept".into();
    child.id = format!("{}/images/kept", orphan_parent.id);
    prior.resources.push(child);
    let p = run(&d, &prior, &Options::default());
    // The gallery "old" has the same id as "g" (the test reuses it), so "g"'s definition counts
    // as a kept child too; what matters is that the delete is refused with SIG503.
    let old = change(&p, "azurerm_shared_image_gallery.old");
    assert_eq!(old.action, Action::Forbidden);
    assert_eq!(old.forbidden[0].rule, "SIG503");
}

#[test]
fn subscription_moves_are_forbidden() {
    let d = desired(crate::rules::tests::VALID);
    let mut prior = recorded(&d);
    for r in prior
        .resources
        .iter_mut()
        .filter(|r| r.type_name == "azurerm_shared_image_gallery" || r.type_name == "azurerm_image")
    {
        r.subscription_id = "another-subscription".into();
    }
    let p = run(&d, &prior, &Options::default());
    assert_eq!(change(&p, "azurerm_shared_image_gallery.g").forbidden[0].rule, "SIG502");
    assert_eq!(change(&p, "azurerm_image.img").forbidden[0].rule, "SIG501");
}

#[test]
fn ignore_changes_and_targets() {
    let text = crate::rules::tests::VALID.replace(
        "  name     = \"rg-images\"\n",
        "  name     = \"rg-images\"\n  lifecycle {\n    ignore_changes = [tags]\n  }\n",
    );
    let d = desired(&text);
    let mut prior = recorded(&d);
    let group = prior.resources.iter_mut().find(|r| r.type_name == "azurerm_resource_group").unwrap();
    group.attributes.set("tags", json!({"set": "by hand"}));
    assert_eq!(change(&run(&d, &prior, &Options::default()), "azurerm_resource_group.rg").action, Action::NoOp);

    let empty = Snapshot { lineage: String::new(), serial: 0, resources: vec![], outputs: vec![] };
    let options = Options {
        targets: vec![crate::model::address::parse("azurerm_shared_image.def").unwrap()],
        ..Options::default()
    };
    let p = run(&d, &empty, &options);
    let mut addresses: Vec<&str> = p.changes.iter().map(|c| c.address.as_str()).collect();
    addresses.sort();
    assert_eq!(addresses, ["azurerm_resource_group.rg", "azurerm_shared_image.def", "azurerm_shared_image_gallery.g"]);
}

/// `create_before_destroy` cannot replace what keeps its id: the plan refuses the replacement with
/// SIG505 and its reason; without a replacement it changes nothing.
#[test]
fn create_before_destroy_refuses_a_replacement_with_the_same_id() {
    let text = crate::rules::tests::VALID.replacen(
        "resource \"azurerm_shared_image\" \"def\" {",
        "resource \"azurerm_shared_image\" \"def\" {\n  lifecycle {\n    create_before_destroy = true\n  }",
        1,
    );
    let d = desired(&text);
    let prior = recorded(&d);
    assert!(run(&d, &prior, &Options::default()).is_empty(), "nothing to replace, nothing to say");
    let options = Options {
        replace: vec![crate::model::address::parse("azurerm_shared_image.def").unwrap()],
        ..Options::default()
    };
    let p = run(&d, &prior, &options);
    let def = change(&p, "azurerm_shared_image.def");
    assert_eq!(def.action, Action::Forbidden);
    assert_eq!(def.forbidden[0].rule, "SIG505");
    assert!(def.forbidden[0].message.contains("its replacement has the same ARM id"), "{}", def.forbidden[0].message);
    assert!(!p.applyable());
}

/// Today's Azure keeps the regions a version was replicated to unless the version allows
/// removing them (fixed at creation): removing one is SIG506 at plan time; the first documented
/// service removed it when asked.
#[test]
fn replicated_regions_stay_unless_the_version_allows_removing_them() {
    let guarded = crate::rules::tests::VALID.replace("  deletion_of_replicated_locations_enabled = true\n", "");
    for (profile, allowed) in [("current", false), ("2018-06-01", true)] {
        let text = format!("{guarded}\nsigform {{\n  service_profile = \"{profile}\"\n}}\n");
        let d = desired(&text);
        let mut prior = recorded(&d);
        let v = prior.resources.iter().position(|r| r.type_name == "azurerm_shared_image_version").unwrap();
        let address = prior.resources[v].address.clone();
        prior.resources[v].attributes.edit(|a| {
            a["target_region"].as_array_mut().unwrap().push(json!({"name": "northeurope", "regional_replica_count": 1}))
        });
        let p = run(&d, &prior, &Options::default());
        let c = change(&p, &address);
        if allowed {
            assert_eq!(c.action, Action::Update, "{profile}: {:#?}", c.forbidden);
        } else {
            assert_eq!(c.action, Action::Forbidden, "{profile}");
            assert_eq!(c.forbidden[0].rule, "SIG506");
            assert_eq!(c.forbidden[0].attribute.as_deref(), Some("target_region[\"northeurope\"]"));
        }
        // With the flag recorded at creation, removing the region is an update.
        prior.resources[v].attributes.set("deletion_of_replicated_locations_enabled", json!(true));
        let text = text.replace(
            "  replica_count       = 2\n",
            "  replica_count       = 2\n  deletion_of_replicated_locations_enabled = true\n",
        );
        let p = run(&desired(&text), &prior, &Options::default());
        assert_eq!(change(&p, &address).action, Action::Update, "{profile} with the flag");
    }
}

/// A create's record made straight from the evaluated body is the record made through the
/// attribute map: the same JSON, the same unknown paths — known, unknown, in maps and in blocks.
#[test]
fn a_created_record_is_the_record() {
    let text = format!(
        "{}\n{}",
        crate::rules::tests::VALID,
        r#"
resource "azurerm_shared_image_version" "w" {
  name                = "1.0.1"
  gallery_name        = azurerm_shared_image_gallery.g.name
  image_name          = azurerm_shared_image.def.name
  resource_group_name = azurerm_resource_group.rg.name
  location            = "eastus"
  managed_image_id    = azurerm_image.img.id
  tags                = { gallery = azurerm_shared_image_gallery.g.unique_name, fixed = "x" }
  target_region {
    name                   = "eastus"
    regional_replica_count = length(azurerm_shared_image_gallery.g.unique_name)
  }
}
"#
    );
    let d = desired(&text);
    let mut unknown_seen = 0;
    for inst in &d.resources {
        let attributes = super::record::attributes(inst);
        let expected = (super::record::record(inst), super::record::unknown_attribute_paths(&attributes));
        let (record, unknown) = super::record::created(inst);
        assert_eq!(
            serde_json::to_value(&record).unwrap(),
            serde_json::to_value(&expected.0).unwrap(),
            "{}",
            inst.address
        );
        assert_eq!(unknown, expected.1, "{}", inst.address);
        unknown_seen += unknown.len();
    }
    let w = d.resources.iter().find(|i| i.address.to_string() == "azurerm_shared_image_version.w").unwrap();
    let (_, unknown) = super::record::created(w);
    assert!(unknown.contains(&"tags.gallery".to_string()), "{unknown:?}");
    assert!(unknown.contains(&"target_region[0].regional_replica_count".to_string()), "{unknown:?}");
    assert!(unknown_seen > 3);
}

/// Finishing a plan with the instances given by value (each freed as its record is made, what
/// `sigform plan` does) gives the plan finishing with them borrowed gives: creates, updates,
/// no-ops and deletes together, whatever their place among the instances.
#[test]
fn a_plan_finished_with_its_instances_given_away_is_the_same_plan() {
    let d = desired(crate::rules::tests::VALID);
    let mut prior = recorded(&d);
    // Two are created (whatever their places), one is updated, and one the configuration no
    // longer has is deleted.
    let created = ["azurerm_image.img", "azurerm_role_assignment.reader"];
    prior.resources.retain(|r| !created.contains(&r.address.as_str()));
    let v = prior.resources.iter().position(|r| r.type_name == "azurerm_shared_image_version").unwrap();
    prior.resources[v].attributes.set("exclude_from_latest", json!(true));
    let mut gone = prior.resources[v].clone();
    gone.address = "azurerm_shared_image_version.gone".into();
    gone.name = "gone".into();
    gone.id.push_str("-gone");
    prior.resources.push(gone);

    let options = Options::default();
    let borrowed = run(&d, &prior, &options);
    let input = PlanInput { config_hash: "h".into(), ..PlanInput::new(&d, prior.clone(), &options) };
    let owned = super::compare(input).finish(super::Instances::Owned(d.resources.clone()), Vec::new());
    let actions = |p: &Plan| p.changes.iter().map(|c| (c.address.clone(), c.action)).collect::<Vec<_>>();
    let counted = |p: &Plan, a: Action| p.changes.iter().filter(|c| c.action == a).count();
    assert_eq!(counted(&owned, Action::Create), 2, "{:?}", actions(&owned));
    assert_eq!(counted(&owned, Action::Update), 1, "{:?}", actions(&owned));
    assert_eq!(counted(&owned, Action::Delete), 1, "{:?}", actions(&owned));
    assert!(owned.changes.iter().filter(|c| c.action == Action::Create).all(|c| c.after.is_some()));
    assert_eq!(serde_json::to_value(&owned).unwrap(), serde_json::to_value(&borrowed).unwrap());
}
