//! The saved-plan file: a plan as JSON with a SHA-256 checksum over its content, and the check
//! that a plan read back is whole — its format, its checksum, and its shape (every change has
//! what its action needs, names a resource type sigform knows, and appears in the apply order
//! where the action puts it; every unknown-value path points into the change's own attributes) —
//! before anything is shown or applied. A hand-edited, truncated or crafted file is refused whole
//! with the reason: nothing of it is ever applied.
//!
//! Pure: the caller reads and writes the file.

use super::{Action, PLAN_FORMAT, Plan, ResourceChange};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};
use sigform_azure::schema::ResourceKind;
use std::collections::BTreeSet;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PlanFileError {
    #[error("is not a sigform plan file: {0}")]
    Invalid(String),
    #[error("is a plan of format {found}; this sigform reads format {supported}")]
    Format { found: u64, supported: u32 },
    #[error("was changed after it was written (its checksum does not match its content); make a new plan")]
    Checksum,
    #[error("is not a whole plan: {0}")]
    Shape(String),
}

const CHECKSUM: &str = "checksum";

/// The checksum of a plan's JSON without its checksum field (object keys are sorted, so the
/// text is canonical).
fn checksum(json: &Json) -> String {
    let text = json.to_string();
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The file's text: the plan, with its checksum.
pub fn to_text(plan: &Plan) -> String {
    let mut json = serde_json::to_value(plan).expect("plans serialize");
    let sum = checksum(&json);
    json.as_object_mut().expect("a plan is an object").insert(CHECKSUM.into(), Json::String(sum));
    serde_json::to_string_pretty(&json).expect("plans serialize")
}

/// A plan from a file's text, checked whole.
pub fn from_text(text: &str) -> Result<Plan, PlanFileError> {
    let mut json: Json = serde_json::from_str(text).map_err(|e| PlanFileError::Invalid(e.to_string()))?;
    let object = json.as_object_mut().ok_or_else(|| PlanFileError::Invalid("not a JSON object".into()))?;
    let format =
        object.get("format").and_then(Json::as_u64).ok_or_else(|| PlanFileError::Invalid("no format field".into()))?;
    if format != u64::from(PLAN_FORMAT) {
        return Err(PlanFileError::Format { found: format, supported: PLAN_FORMAT });
    }
    let Some(Json::String(recorded)) = object.remove(CHECKSUM) else {
        return Err(PlanFileError::Invalid("no checksum".into()));
    };
    if checksum(&json) != recorded {
        return Err(PlanFileError::Checksum);
    }
    let plan: Plan = serde_json::from_value(json).map_err(|e| PlanFileError::Invalid(e.to_string()))?;
    verify(&plan).map_err(PlanFileError::Shape)?;
    Ok(plan)
}

/// Whether a plan is whole: what apply and the renderers rely on. Plans the planner makes always
/// are; this is for plans read back from a file.
pub fn verify(plan: &Plan) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    for c in &plan.changes {
        if !seen.insert(c.address.as_str()) {
            return Err(format!("{} appears twice", c.address));
        }
        verify_change(c)?;
    }
    let wanted = |actions: &[Action]| -> Vec<&str> {
        plan.changes.iter().filter(|c| actions.contains(&c.action)).map(|c| c.address.as_str()).collect()
    };
    let deletes = wanted(&[Action::Delete, Action::Replace]);
    let writes = wanted(&[Action::Create, Action::Update, Action::Replace]);
    if plan.order.len() != deletes.len() + writes.len() {
        return Err(format!(
            "the apply order lists {} steps; the changes need {}",
            plan.order.len(),
            deletes.len() + writes.len()
        ));
    }
    let (delete_order, write_order) = plan.order.split_at(deletes.len());
    let same = |order: &[String], set: &[&str]| {
        let a: BTreeSet<&str> = order.iter().map(String::as_str).collect();
        a.len() == order.len() && a == set.iter().copied().collect::<BTreeSet<_>>()
    };
    if !same(delete_order, &deletes) || !same(write_order, &writes) {
        return Err("the apply order does not match the changes".into());
    }
    Ok(())
}

fn verify_change(c: &ResourceChange) -> Result<(), String> {
    let (needs_before, needs_after) = match c.action {
        Action::Create => (false, true),
        Action::Delete => (true, false),
        Action::Update | Action::Replace => (true, true),
        Action::NoOp | Action::Forbidden => (false, false),
    };
    if (needs_before && c.before.is_none())
        || (needs_after && c.after.is_none())
        || (c.before.is_none() && c.after.is_none())
    {
        return Err(format!("{}: a {:?} change without the records it needs", c.address, c.action));
    }
    for r in c.before.iter().chain(c.after.iter()) {
        if r.mode == "managed" && ResourceKind::of_resource_type(&r.type_name).is_none() {
            return Err(format!("{}: `{}` is not a resource type sigform manages", c.address, r.type_name));
        }
        if r.address != c.address {
            return Err(format!("{}: its record is for {}", c.address, r.address));
        }
    }
    let attributes = c.after.as_ref().map_or(Json::Null, |a| a.attributes.value());
    for path in &c.after_unknown {
        if !points_into(&attributes, path) {
            return Err(format!("{}: the unknown value `{path}` is not one of its attributes", c.address));
        }
    }
    Ok(())
}

/// Whether every list index in `path` is inside the list it indexes in `attributes` (an
/// attribute that is not there yet is fine: unknown values may be absent).
fn points_into(attributes: &Json, path: &str) -> bool {
    let mut node = attributes;
    for segment in super::path::segments(path) {
        match (&segment, node) {
            (Json::Number(n), Json::Array(list)) => match n.as_u64().and_then(|i| list.get(usize::try_from(i).ok()?)) {
                Some(next) => node = next,
                None => return false,
            },
            (Json::Number(_), _) => return false,
            (Json::String(key), Json::Object(map)) => match map.get(key) {
                Some(next) => node = next,
                None => return true,
            },
            _ => return true,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::ResourceState;
    use serde_json::json;

    fn record(address: &str, type_name: &str, attributes: Json) -> ResourceState {
        ResourceState {
            address: address.into(),
            mode: "managed".into(),
            type_name: type_name.into(),
            name: address.rsplit('.').next().unwrap_or("").into(),
            index: Json::Null,
            provider: "azurerm".into(),
            subscription_id: "s".into(),
            id: format!("/subscriptions/s/resourceGroups/{address}"),
            attributes: attributes.into(),
            dependencies: vec![],
            status: "ready".into(),
            sensitive: Vec::new(),
        }
    }

    fn change(address: &str, action: Action, before: bool, after: bool) -> ResourceChange {
        let r = record(address, "azurerm_resource_group", json!({"name": "rg", "tags": {"a": "b"}}));
        ResourceChange {
            address: address.into(),
            action,
            before: before.then(|| Box::new(r.clone())),
            after: after.then(|| Box::new(r)),
            after_unknown: vec![],
            changes: vec![],
            forbidden: vec![],
            reason: None,
            source: None,
            timeouts: Default::default(),
            sensitive: vec![],
            retention: false,
        }
    }

    fn plan_of(changes: Vec<ResourceChange>, order: &[&str]) -> Plan {
        Plan {
            changes: changes.into_iter().map(Box::new).collect(),
            order: order.iter().map(|s| s.to_string()).collect(),
            ..Plan::empty("l", 1)
        }
    }

    fn good() -> Plan {
        plan_of(
            vec![
                change("azurerm_resource_group.a", Action::Create, false, true),
                change("azurerm_resource_group.b", Action::Delete, true, false),
            ],
            &["azurerm_resource_group.b", "azurerm_resource_group.a"],
        )
    }

    #[test]
    fn a_plan_round_trips_through_its_file() {
        let plan = good();
        assert_eq!(from_text(&to_text(&plan)), Ok(plan));
    }

    #[test]
    fn a_changed_file_fails_its_checksum() {
        let text = to_text(&good()).replace("\"serial\": 1", "\"serial\": 2");
        assert_eq!(from_text(&text), Err(PlanFileError::Checksum));
        let mut json: Json = serde_json::from_str(&to_text(&good())).unwrap();
        json.as_object_mut().unwrap().remove("checksum");
        assert!(matches!(from_text(&json.to_string()), Err(PlanFileError::Invalid(_))));
        assert!(matches!(from_text("{\"format\": 99}"), Err(PlanFileError::Format { found: 99, .. })));
        assert!(matches!(from_text("[1]"), Err(PlanFileError::Invalid(_))));
    }

    /// Plans whose checksum is right but whose shape is not: each is refused whole.
    #[test]
    fn a_plan_that_is_not_whole_is_refused() {
        let cases: Vec<(&str, Plan)> = vec![
            ("a change with neither record", {
                let mut p = good();
                p.changes.insert(0, Box::new(change("azurerm_resource_group.c", Action::Create, false, false)));
                p
            }),
            ("a create without its after", {
                let mut p = good();
                p.changes[0].after = None;
                p
            }),
            ("an unknown resource type", {
                let mut p = good();
                p.changes[0].after.as_mut().unwrap().type_name = "azurerm_storage_account".into();
                p
            }),
            ("an unknown value indexing past its list", {
                let mut p = good();
                p.changes[0].after_unknown = vec!["tags[4000000000]".into()];
                p
            }),
            (
                "an order that leaves a change out",
                plan_of(good().changes.into_iter().map(|c| *c).collect(), &["azurerm_resource_group.b"]),
            ),
            (
                "an order with the delete among the writes",
                plan_of(
                    good().changes.into_iter().map(|c| *c).collect(),
                    &["azurerm_resource_group.a", "azurerm_resource_group.b"],
                ),
            ),
            ("a change twice", {
                let mut p = good();
                let again = p.changes[0].clone();
                p.changes.push(again);
                p
            }),
        ];
        for (what, plan) in cases {
            let result = from_text(&to_text(&plan));
            assert!(matches!(result, Err(PlanFileError::Shape(_))), "{what}: {result:?}");
        }
    }
}
