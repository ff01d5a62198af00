//! Refresh: read the cloud in bulk — never one read per resource — and tell the planner what
//! exists and what changed outside sigform.
//!
//! Per subscription: one list of resource groups, managed images and galleries; one list of the
//! role assignments in the subscription (kept when they sit on a gallery or below); and the image
//! definitions and versions from the resource index (Azure Resource Graph), a query per thousand
//! rows. Walking the lists instead costs a call per gallery and per definition — 1,050 at the
//! default quota in five regions, four times ARM's read burst — so the walk is only the fallback
//! for an endpoint without Resource Graph (or `SIGFORM_REFRESH=lists`).
//!
//! The index trails ARM by seconds (at times minutes), so whatever it says differs from the state
//! — changed, gone, or new inside a managed gallery — is read again with a GET before it is
//! believed. A refresh that finds no drift makes no reads; one that finds drift makes one read
//! per drifted resource. What changed outside sigform in the last moments may go unseen until the
//! index catches up, as in any tool that reads it.

use crate::model::Desired;
use crate::plan::Observed;
use crate::plan::drift::{self, Drift};
use crate::state::Snapshot;
use sigform_azure::cloud::{Cloud, CloudError, CloudResource, ListScope};
use sigform_azure::schema::ResourceKind;
use std::collections::{BTreeMap, BTreeSet};

pub struct Refreshed {
    pub observed: Observed,
    /// Every resource seen, by lower-cased id.
    pub resources: BTreeMap<String, CloudResource>,
    pub drift: Drift,
    /// Addresses the state knows that were deleted outside sigform.
    pub gone: Vec<String>,
    /// How many bulk calls were made (lists and index queries).
    pub calls: usize,
    /// What the user should know about how the cloud was read (why the lists were walked).
    pub warnings: Vec<String>,
}

/// Where image definitions and versions are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// The resource index, falling back to the lists when the endpoint has none.
    Index,
    /// A list call per gallery and per definition.
    Lists,
}

impl Source {
    fn from_env() -> Source {
        match std::env::var("SIGFORM_REFRESH").as_deref() {
            Ok("lists") => Source::Lists,
            _ => Source::Index,
        }
    }
}

/// Everything of the given subscriptions that sigform manages the kinds of, read in bulk: resource
/// groups, managed images, galleries, their definitions and versions, and the role assignments
/// on a gallery or below.
pub struct CloudRead {
    /// Every resource seen, by lower-cased id.
    pub resources: BTreeMap<String, CloudResource>,
    /// How many bulk calls were made.
    pub calls: usize,
    /// Definitions and versions came from the resource index (which trails ARM).
    pub indexed: bool,
    pub warnings: Vec<String>,
}

/// The subscriptions a command reads: those named (lower case), else every one the credentials
/// can see.
pub fn chosen_subscriptions(cloud: &dyn Cloud, named: &[String]) -> Result<BTreeSet<String>, CloudError> {
    if named.is_empty() {
        Ok(cloud.visible_subscriptions()?.into_iter().collect())
    } else {
        Ok(named.iter().map(|s| s.to_ascii_lowercase()).collect())
    }
}

/// Reads `subscriptions` in bulk (the resource index for definitions and versions where the
/// endpoint has one, lists otherwise).
pub fn read_cloud(cloud: &dyn Cloud, subscriptions: &BTreeSet<String>) -> Result<CloudRead, CloudError> {
    let mut reader = Reader { cloud, seen: BTreeMap::new(), calls: 0 };
    let source = Source::from_env();
    let mut indexed = false;
    let mut warnings = Vec::new();
    for sub in subscriptions {
        // Every gallery of the subscription is read: quotas count what exists, managed here or not.
        let galleries: Vec<String> = reader
            .list(ListScope::Subscription(sub.clone()))?
            .into_iter()
            .filter(|id| reader.seen[id].kind == ResourceKind::Gallery)
            .collect();
        // Locks, wherever they are in the subscription: one call (plans say what they refuse);
        // custom role definitions: one more.
        reader.list(ListScope::Locks(format!("/subscriptions/{sub}")))?;
        reader.list(ListScope::RoleDefinitions(format!("/subscriptions/{sub}")))?;
        if source == Source::Index {
            match reader.list(ListScope::Graph(sub.clone())) {
                Ok(_) => {
                    indexed = true;
                    let prefixes: Vec<String> = galleries.iter().map(|g| format!("{g}/")).collect();
                    let assignments = reader.list(ListScope::RoleAssignments(format!("/subscriptions/{sub}")))?;
                    for id in assignments {
                        if !prefixes.iter().any(|p| id.starts_with(p.as_str())) {
                            reader.seen.remove(&id);
                        }
                    }
                    continue;
                }
                Err(e) if e.is_transient() || e.status == 401 || e.status == 403 => return Err(e),
                // No index here (a private endpoint, a sovereign cloud without it): walk.
                Err(e) => warnings.push(format!(
                    "reading subscription {sub} with a list call per gallery and per definition: the resource index is unavailable ({e})"
                )),
            }
        }
        for gallery in galleries {
            for definition in reader.list(ListScope::Gallery(gallery.clone()))? {
                reader.list(ListScope::Definition(definition))?;
            }
            reader.list(ListScope::RoleAssignments(gallery))?;
        }
    }
    Ok(CloudRead { resources: reader.seen, calls: reader.calls, indexed, warnings })
}

pub fn refresh(cloud: &dyn Cloud, prior: &Snapshot, desired: &Desired) -> Result<Refreshed, CloudError> {
    let mut subscriptions: BTreeSet<String> =
        prior.resources.iter().map(|r| r.subscription_id.to_ascii_lowercase()).collect();
    subscriptions.extend(desired.resources.iter().map(|r| r.subscription_id.to_ascii_lowercase()));
    let CloudRead { resources: mut seen, calls, indexed, warnings } = read_cloud(cloud, &subscriptions)?;
    let mut found = drift::drift(prior, &seen);
    if indexed {
        let doubtful = doubtful(&found, &seen);
        if !doubtful.is_empty() {
            for id in &doubtful {
                match sigform_azure::cloud::retry(5, || cloud.get(id))? {
                    Some(r) => seen.insert(id.clone(), r),
                    None => seen.remove(id),
                };
            }
            found = drift::drift(prior, &seen);
        }
    }
    let gone = found.deleted.iter().map(|d| d.address.clone()).collect();
    Ok(Refreshed {
        observed: Observed {
            ids: seen.keys().cloned().collect(),
            locks: seen
                .iter()
                .filter(|(_, r)| r.kind == ResourceKind::ManagementLock)
                .filter_map(|(id, r)| {
                    let (_, scope) = sigform_azure::shape::extension_of(&r.id)?;
                    let level = r.attributes.get("lock_level")?.as_str()?;
                    Some((id.clone(), scope.to_string(), level.to_string()))
                })
                .collect(),
        },
        resources: seen,
        drift: found,
        gone,
        calls,
        warnings,
    })
}

impl Refreshed {
    /// The state as the cloud has it (`prior` is the state the refresh compared): the cloud's
    /// attributes, without what it no longer has. The attributes move out of `resources`.
    pub fn prior(&mut self, prior: Snapshot) -> Snapshot {
        drift::refreshed(prior, &mut self.resources)
    }
}

/// The bulk reads, remembering every resource they return.
struct Reader<'a> {
    cloud: &'a dyn Cloud,
    seen: BTreeMap<String, CloudResource>,
    calls: usize,
}

impl Reader<'_> {
    /// The lower-cased ids of what the call returned.
    fn list(&mut self, scope: ListScope) -> Result<Vec<String>, CloudError> {
        self.calls += 1;
        let found = sigform_azure::cloud::retry(5, || self.cloud.list(&scope))?;
        let ids = found.iter().map(|r| r.id.to_ascii_lowercase()).collect();
        for r in found {
            self.seen.insert(r.id.to_ascii_lowercase(), r);
        }
        Ok(ids)
    }
}

/// What the index said that must be confirmed with a read (lower-cased ids): definitions and
/// versions it shows changed or new inside a managed gallery, and those the state has that it
/// does not show.
fn doubtful(found: &Drift, seen: &BTreeMap<String, CloudResource>) -> Vec<String> {
    let from_index = |kind: Option<ResourceKind>| kind.is_some_and(|k| sigform_azure::shape::INDEXED.contains(&k));
    let recorded_kind = |d: &drift::Deleted| {
        d.record.as_ref().and_then(|r| sigform_azure::resources::resource(&r.type_name)).map(|s| s.kind)
    };
    let mut out: Vec<String> = Vec::new();
    out.extend(
        found.drifted.iter().map(|d| d.id.to_ascii_lowercase()).filter(|id| from_index(seen.get(id).map(|r| r.kind))),
    );
    out.extend(found.deleted.iter().filter(|d| from_index(recorded_kind(d))).map(|d| d.id.to_ascii_lowercase()));
    out.extend(
        found
            .unmanaged
            .iter()
            .filter(|u| u.in_managed_gallery)
            .map(|u| u.id.to_ascii_lowercase())
            .filter(|id| from_index(seen.get(id).map(|r| r.kind))),
    );
    out.sort();
    out.dedup();
    out
}
