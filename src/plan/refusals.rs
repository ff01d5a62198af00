//! Changes Azure would refuse whatever the configuration says, found when planning: a delete of a
//! resource that still has children (SIG503), and a change a management lock holds back
//! (SIG507). Pure: it reads the plan's changes and what the refresh observed.

use super::{Action, Forbidden, ResourceChange};
use sigform_azure::schema::ResourceKind;
use std::collections::{BTreeMap, BTreeSet};

/// What a refresh read from the cloud: every resource in the subscriptions and galleries the
/// configuration touches, managed here or not, by lower-cased ARM id.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    pub ids: BTreeSet<String>,
    /// The management locks the cloud holds: (lower-cased id, scope, level).
    pub locks: Vec<(String, String, String)>,
}

/// SIG503: deleting a resource that still has children which are not deleted with it — kept by
/// this configuration, or unknown to it (seen by the refresh). A resource group in a
/// subscription of `cascading` (`prevent_deletion_if_contains_resources = false`) takes its
/// unknown children with it, as Azure deletes a group; children this configuration keeps still
/// block it.
pub(super) fn blocked_deletes(
    changes: &mut BTreeMap<String, Box<ResourceChange>>,
    observed: Option<&Observed>,
    cascading: &BTreeSet<String>,
) {
    let deleted: Vec<(String, String, bool)> = changes
        .values()
        .filter(|c| matches!(c.action, Action::Delete))
        .filter_map(|c| {
            let b = c.before.as_ref()?;
            let cascades = b.type_name == "azurerm_resource_group"
                && cascading.contains(&sigform_azure::cloud::subscription_of(&b.id));
            Some((c.address.clone(), b.id.to_ascii_lowercase(), cascades))
        })
        .collect();
    // Most plans delete nothing: no list of every change's id then.
    if deleted.is_empty() {
        return;
    }
    let deleted_ids: BTreeSet<&str> = deleted.iter().map(|(_, id, _)| id.as_str()).collect();
    let managed: Vec<(String, String, Action)> = changes
        .values()
        .filter_map(|c| {
            let id = c.after.as_ref().or(c.before.as_ref())?.id.to_ascii_lowercase();
            Some((c.address.clone(), id, c.action))
        })
        .collect();
    for (address, id, cascades) in &deleted {
        let prefix = format!("{id}/");
        let kept: Vec<&str> = managed
            .iter()
            .filter(|(_, child, action)| child.starts_with(&prefix) && *action != Action::Delete)
            .map(|(a, _, _)| a.as_str())
            .collect();
        let managed_ids: BTreeSet<&str> = managed.iter().map(|(_, i, _)| i.as_str()).collect();
        let unmanaged: Vec<&String> = observed.filter(|_| !cascades).map_or(Vec::new(), |o| {
            o.ids
                .iter()
                .filter(|i| {
                    i.starts_with(&prefix) && !managed_ids.contains(i.as_str()) && !deleted_ids.contains(i.as_str())
                })
                .filter(|i| !i.contains("/providers/microsoft.authorization/"))
                .collect()
        });
        if kept.is_empty() && unmanaged.is_empty() {
            continue;
        }
        let mut why = Vec::new();
        if !kept.is_empty() {
            why.push(format!("kept by this configuration: {}", kept.join(", ")));
        }
        if !unmanaged.is_empty() {
            // Name them by what follows the parent's id: "versions/9.9.9".
            let names: Vec<&str> = unmanaged.iter().take(5).map(|i| &i[prefix.len()..]).collect();
            let more = if unmanaged.len() > 5 { format!(" and {} more", unmanaged.len() - 5) } else { String::new() };
            why.push(format!("{} not managed by this configuration: {}{more}", unmanaged.len(), names.join(", ")));
        }
        let change = changes.get_mut(address).expect("deleted change exists");
        change.forbidden.push(Forbidden {
            address: address.clone(),
            rule: "SIG503".into(),
            attribute: None,
            message: format!("{address} still has children ({})", why.join("; ")),
        });
        change.action = Action::Forbidden;
    }
}

/// SIG507: a delete (or, under a `ReadOnly` lock, any write) at or below the scope of a
/// management lock that stays: ARM would refuse it with `ScopeLocked`. Locks are the cloud's
/// (seen by the refresh) and the configuration's; a lock this plan deletes or replaces first
/// refuses nothing, and locks and role assignments are never held back by locks.
pub(super) fn locked_changes(changes: &mut BTreeMap<String, Box<ResourceChange>>, observed: Option<&Observed>) {
    // Most plans meet no lock at all: nothing to walk then.
    let lock_changes = changes.values().any(|c| c.resource().type_name == "azurerm_management_lock");
    if observed.is_none_or(|o| o.locks.is_empty()) && !lock_changes {
        return;
    }
    let going: BTreeSet<String> = changes
        .values()
        .filter(|c| matches!(c.action, Action::Delete | Action::Replace))
        .filter_map(|c| Some(c.before.as_ref()?.id.to_ascii_lowercase()))
        .collect();
    let mut locks: BTreeMap<String, (String, String, String)> = BTreeMap::new();
    for (id, scope, level) in observed.map_or(&[][..], |o| o.locks.as_slice()) {
        locks.insert(id.clone(), (scope.clone(), level.clone(), id.clone()));
    }
    for c in changes.values().filter(|c| c.resource().type_name == "azurerm_management_lock") {
        let Some(before) = c.before.as_ref() else { continue };
        let text = |k: &str| before.attributes.get_str(k).unwrap_or_default();
        locks.insert(before.id.to_ascii_lowercase(), (text("scope"), text("lock_level"), c.address.clone()));
    }
    locks.retain(|id, _| !going.contains(id));
    if locks.is_empty() {
        return;
    }
    for change in changes.values_mut() {
        let delete = match change.action {
            Action::Delete | Action::Replace => true,
            Action::Update | Action::Create => false,
            _ => continue,
        };
        let record = change.resource();
        if matches!(record.type_name.as_str(), "azurerm_management_lock" | "azurerm_role_assignment")
            || record.id.is_empty()
            || sigform_azure::resources::resource(&record.type_name).is_none_or(|s| s.kind == ResourceKind::Local)
        {
            continue;
        }
        let id = record.id.clone();
        let by: Vec<String> = locks
            .values()
            .filter(|(scope, level, _)| sigform_azure::resources::management_lock::refuses(scope, level, &id, delete))
            .map(|(_, level, name)| format!("{level} lock {name}"))
            .collect();
        if by.is_empty() {
            continue;
        }
        let what = if delete { "deleted" } else { "changed" };
        change.forbidden.push(Forbidden {
            address: change.address.clone(),
            rule: "SIG507".into(),
            attribute: None,
            message: format!(
                "{} cannot be {what}: Azure refuses it while {} is in place",
                change.address,
                by.join(", ")
            ),
        });
        change.action = Action::Forbidden;
    }
}
