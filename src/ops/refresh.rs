//! Refresh: read the cloud with list calls — one per subscription, gallery and definition, never
//! one read per resource — and tell the planner what exists and what changed outside sigform.

use crate::cloud::{Cloud, CloudError, CloudResource, ListScope};
use crate::model::Desired;
use crate::model::schema::ResourceKind;
use crate::plan::Observed;
use crate::plan::drift::{self, Drift};
use crate::state::Snapshot;
use std::collections::{BTreeMap, BTreeSet};

pub struct Refreshed {
    /// The state as the cloud has it: the cloud's attributes, without what it no longer has.
    pub prior: Snapshot,
    pub observed: Observed,
    /// Every resource seen, by lower-cased id.
    pub resources: BTreeMap<String, CloudResource>,
    pub drift: Drift,
    /// Addresses the state knows that were deleted outside sigform.
    pub gone: Vec<String>,
    /// How many list calls were made.
    pub calls: usize,
}

pub fn refresh(cloud: &dyn Cloud, prior: &Snapshot, desired: &Desired) -> Result<Refreshed, CloudError> {
    let mut subscriptions: BTreeSet<String> =
        prior.resources.iter().map(|r| r.subscription_id.to_ascii_lowercase()).collect();
    subscriptions.extend(desired.resources.iter().map(|r| r.subscription_id.to_ascii_lowercase()));
    let mut seen: BTreeMap<String, CloudResource> = BTreeMap::new();
    let mut calls = 0;
    let mut list = |scope: ListScope, seen: &mut BTreeMap<String, CloudResource>| -> Result<Vec<String>, CloudError> {
        calls += 1;
        let found = crate::cloud::retry(5, || cloud.list(&scope))?;
        let ids = found.iter().map(|r| r.id.to_ascii_lowercase()).collect();
        for r in found {
            seen.insert(r.id.to_ascii_lowercase(), r);
        }
        Ok(ids)
    };
    for sub in &subscriptions {
        let top = list(ListScope::Subscription(sub.clone()), &mut seen)?;
        // Every gallery of the subscription is read: quotas count what exists, managed here or not.
        let galleries: Vec<String> = top.into_iter().filter(|id| seen[id].kind == ResourceKind::Gallery).collect();
        for gallery in galleries {
            let definitions = list(ListScope::Gallery(gallery.clone()), &mut seen)?;
            for definition in definitions {
                list(ListScope::Definition(definition), &mut seen)?;
            }
            list(ListScope::RoleAssignments(gallery), &mut seen)?;
        }
    }
    let drift = drift::drift(prior, &seen);
    let gone = drift.deleted.iter().map(|d| d.address.clone()).collect();
    Ok(Refreshed {
        prior: drift::refreshed(prior, &seen),
        observed: Observed { ids: seen.keys().cloned().collect() },
        resources: seen,
        drift,
        gone,
        calls,
    })
}
