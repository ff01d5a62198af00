//! What a plan costs and how long its replication takes.
//!
//! Storage: a version is stored once per replica in every target region, priced by the region's
//! storage type: monthly = image size × Σ regions (replicas × price per GB-month). Egress: the
//! image is copied from the source region to every other target region once: one-time = image
//! size × (target regions other than the source) × price per GB. Replication time comes from the
//! same model the emulator runs (`model::replication`). A plan's figures are deltas: what it adds
//! minus what it removes.

use super::{Action, ResourceChange};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
pub use sigform_azure::prices::{DEFAULT_IMAGE_GB, PriceTable, SHIPPED, is_shallow, monthly, regions_of};
use sigform_azure::regions;
use sigform_azure::replication::estimate_seconds;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceCost {
    pub address: String,
    pub monthly_storage: f64,
    pub one_time_egress: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cost {
    pub currency: String,
    pub price_date: String,
    pub monthly_storage: f64,
    pub one_time_egress: f64,
    pub resources: Vec<ResourceCost>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceEstimate {
    pub address: String,
    pub seconds: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplicationEstimate {
    /// The longest single replication: versions replicate in parallel.
    pub total_seconds: f64,
    pub resources: Vec<ResourceEstimate>,
}

fn image_gb(attrs: &Json, sizes: &HashMap<String, f64>) -> f64 {
    sigform_azure::resources::image_version::source_id(attrs)
        .and_then(|id| sizes.get(&id.to_ascii_lowercase()))
        .copied()
        .unwrap_or(DEFAULT_IMAGE_GB)
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The cost delta and the replication estimate of a plan. `sizes` maps lower-cased managed image
/// ids to their size in GB.
pub fn estimate(
    changes: &[Box<ResourceChange>],
    sizes: &HashMap<String, f64>,
    prices: &PriceTable,
) -> (Cost, ReplicationEstimate) {
    let mut cost = Cost {
        currency: "USD".into(),
        price_date: prices.date.into(),
        monthly_storage: 0.0,
        one_time_egress: 0.0,
        resources: Vec::new(),
    };
    let mut time = ReplicationEstimate { total_seconds: 0.0, resources: Vec::new() };
    // Each version's figures on every core; summed here in the changes' order, so the totals
    // are the same to the last bit.
    let figures =
        crate::parallel::map(changes.iter().map(|c| &**c).collect(), 1_024, |c| version_figures(c, sizes, prices));
    for (c, (delta, egress, seconds)) in changes.iter().zip(figures).filter_map(|(c, f)| Some((c, f?))) {
        if delta != 0.0 || egress != 0.0 {
            cost.resources.push(ResourceCost {
                address: c.address.clone(),
                monthly_storage: round(delta),
                one_time_egress: round(egress),
            });
            cost.monthly_storage += delta;
            cost.one_time_egress += egress;
        }
        if seconds > 0.0 {
            time.resources.push(ResourceEstimate { address: c.address.clone(), seconds: seconds.round() });
            time.total_seconds = time.total_seconds.max(seconds.round());
        }
    }
    cost.monthly_storage = round(cost.monthly_storage);
    cost.one_time_egress = round(cost.one_time_egress);
    (cost, time)
}

/// The attributes of a version that its cost and replication time are made of.
const COST_INPUTS: [&str; 8] = [
    "replica_count",
    "storage_account_type",
    "target_region",
    "replication_mode",
    "location",
    sigform_azure::resources::image_version::SOURCES[0],
    sigform_azure::resources::image_version::SOURCES[1],
    sigform_azure::resources::image_version::SOURCES[2],
];

/// A version change's monthly storage delta, egress and replication seconds; `None` for what
/// costs nothing here (other types, no-ops, forbidden changes).
fn version_figures(c: &ResourceChange, sizes: &HashMap<String, f64>, prices: &PriceTable) -> Option<(f64, f64, f64)> {
    if c.resource().type_name != "azurerm_shared_image_version" || matches!(c.action, Action::NoOp | Action::Forbidden)
    {
        return None;
    }
    let removed = matches!(c.action, Action::Delete | Action::Replace);
    // Only what cost and time read (at the quota ceiling, a plan of creates asked this of
    // 50,000 versions: parsing each whole record was a tenth of the plan).
    let read = |r: &crate::state::ResourceState| Json::Object(r.attributes.only(&COST_INPUTS));
    let before = c.before.as_deref().filter(|_| c.action != Action::Create).map(read);
    let after = c.after.as_deref().filter(|_| c.action != Action::Delete).map(read);
    let (before, after) = (before.as_ref(), after.as_ref());
    let before_cost = before.map_or(0.0, |b| monthly(b, image_gb(b, sizes), prices));
    let after_cost = after.map_or(0.0, |a| monthly(a, image_gb(a, sizes), prices));
    // A replacement creates anew: everything is copied again.
    let kept: Vec<String> = if removed {
        Vec::new()
    } else {
        before.map(|b| regions_of(b).into_iter().map(|r| r.0).collect()).unwrap_or_default()
    };
    let (egress, seconds) = match after {
        Some(a) => {
            let gb = image_gb(a, sizes);
            let source = a.get("location").and_then(Json::as_str).map(regions::normalize).unwrap_or_default();
            let new: Vec<(String, u32, String)> = regions_of(a).into_iter().filter(|r| !kept.contains(&r.0)).collect();
            let copies = new.iter().filter(|r| r.0 != source).count() as f64;
            // A shallow version copies nothing: it is ready once its reference is made.
            let replicas: Vec<u32> = if is_shallow(a) { Vec::new() } else { new.iter().map(|r| r.1).collect() };
            (gb * copies * prices.egress_gb, if replicas.is_empty() { 0.0 } else { estimate_seconds(gb, &replicas) })
        }
        None => (0.0, 0.0),
    };
    Some((after_cost - before_cost, egress, seconds))
}

/// "about 23 minutes", "about 3.4 hours".
pub fn duration_words(seconds: f64) -> String {
    if seconds < 90.0 {
        format!("about {} seconds", seconds.round())
    } else if seconds < 5400.0 {
        format!("about {} minutes", (seconds / 60.0).round())
    } else {
        format!("about {:.1} hours", seconds / 3600.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn storage_is_size_times_replicas_times_price() {
        let p = SHIPPED;
        let cases: &[(Json, f64)] = &[
            // 30 GB, two regions of one replica each, LRS: 30 × 2 × 0.05
            (json!({"target_region": [{"name": "eastus"}, {"name": "westus"}]}), 3.0),
            // version-wide 3 replicas, one region overriding with 1 on ZRS: 30 × (3 × 0.05 + 1 × 0.0625)
            (
                json!({"replica_count": 3, "target_region": [{"name": "eastus"}, {"name": "westus", "regional_replica_count": 1, "storage_account_type": "Standard_ZRS"}]}),
                6.375,
            ),
            // Premium everywhere: 30 × 2 × 0.12
            (
                json!({"storage_account_type": "Premium_LRS", "target_region": [{"name": "eastus", "regional_replica_count": 2}]}),
                7.2,
            ),
            // Premium in one region, ZRS in another, LRS by default: 30 × (2 × 0.12 + 1 × 0.0625 + 1 × 0.05)
            (
                json!({"target_region": [
                    {"name": "eastus", "regional_replica_count": 2, "storage_account_type": "Premium_LRS"},
                    {"name": "westeurope", "storage_account_type": "Standard_ZRS"},
                    {"name": "westus"},
                ]}),
                10.575,
            ),
            // Shallow: refers to its source, stores nothing of its own.
            (json!({"replication_mode": "Shallow", "target_region": [{"name": "eastus"}]}), 0.0),
        ];
        for (attrs, want) in cases {
            assert!((monthly(attrs, 30.0, &p) - want).abs() < 1e-9, "{attrs}: {} != {want}", monthly(attrs, 30.0, &p));
        }
    }

    #[test]
    fn a_shallow_version_costs_and_takes_nothing_to_replicate() {
        let change = |mode: &str| {
            let attrs = json!({"location": "eastus", "replication_mode": mode, "target_region": [{"name": "eastus"}]});
            ResourceChange {
                address: "azurerm_shared_image_version.v".into(),
                action: Action::Create,
                before: None,
                after: Some(Box::new(crate::state::ResourceState {
                    address: "azurerm_shared_image_version.v".into(),
                    mode: "managed".into(),
                    type_name: "azurerm_shared_image_version".into(),
                    name: "v".into(),
                    index: Json::Null,
                    provider: "azurerm".into(),
                    subscription_id: String::new(),
                    id: String::new(),
                    attributes: attrs.into(),
                    dependencies: Vec::new(),
                    status: "ready".into(),
                    sensitive: Vec::new(),
                })),
                after_unknown: Vec::new(),
                changes: Vec::new(),
                forbidden: Vec::new(),
                reason: None,
                source: None,
                timeouts: crate::model::Timeouts::default(),
                sensitive: Vec::new(),
                retention: false,
            }
        };
        let (full_cost, full_time) = estimate(&[Box::new(change("Full"))], &HashMap::new(), &SHIPPED);
        assert_eq!(full_cost.monthly_storage, 1.5); // 30 GB × 1 replica × 0.05
        assert!(full_time.total_seconds > 0.0);
        let (cost, time) = estimate(&[Box::new(change("Shallow"))], &HashMap::new(), &SHIPPED);
        assert_eq!((cost.monthly_storage, cost.one_time_egress, time.total_seconds), (0.0, 0.0, 0.0));
    }

    #[test]
    fn estimates_grow_with_size_regions_and_replicas() {
        let base = estimate_seconds(30.0, &[1, 1]);
        assert!(estimate_seconds(60.0, &[1, 1]) > base);
        assert!(estimate_seconds(30.0, &[1, 1, 1, 1, 1]) > base);
        assert!(estimate_seconds(30.0, &[3, 3]) > base);
        assert_eq!(duration_words(1380.0), "about 23 minutes");
        assert_eq!(duration_words(12240.0), "about 3.4 hours");
    }
}
