//! What gallery storage and replication cost: the shipped list prices per storage type and for
//! inter-region transfer, and a version's monthly storage from its target regions. Billing, as
//! documented: no charge for the service; storage for every replica in every region; egress for
//! copying from the source region to each other target region.

use crate::regions;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// Prices in USD.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PriceTable {
    /// When the shipped figures were taken.
    pub date: &'static str,
    pub standard_lrs_gb_month: f64,
    pub standard_zrs_gb_month: f64,
    pub premium_lrs_gb_month: f64,
    pub egress_gb: f64,
}

/// Approximate list prices (USD) of snapshot-backed replica storage per GB-month and of
/// inter-region data transfer within a continent, East US, as of the date given. Override them
/// in `sigform { prices { ... } }` with your agreement's figures.
pub const SHIPPED: PriceTable = PriceTable {
    date: "2026-11",
    standard_lrs_gb_month: 0.05,
    standard_zrs_gb_month: 0.0625,
    premium_lrs_gb_month: 0.12,
    egress_gb: 0.02,
};

/// The image size assumed when nothing says it (Azure's default OS disk for Linux images).
pub const DEFAULT_IMAGE_GB: f64 = 30.0;

impl PriceTable {
    /// The price per GB-month of a storage type.
    pub fn storage(&self, storage_type: &str) -> f64 {
        match storage_type {
            "Standard_ZRS" => self.standard_zrs_gb_month,
            "Premium_LRS" => self.premium_lrs_gb_month,
            _ => self.standard_lrs_gb_month,
        }
    }
}

/// A version's target regions: (normalised name, replicas, storage type), with the version-wide
/// values filling what a region does not say.
pub fn regions_of(attrs: &Json) -> Vec<(String, u32, String)> {
    let replicas = attrs.get("replica_count").and_then(Json::as_f64).unwrap_or(1.0) as u32;
    let storage = attrs.get("storage_account_type").and_then(Json::as_str).unwrap_or("Standard_LRS").to_string();
    attrs
        .get("target_region")
        .and_then(Json::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|r| {
                    let name = regions::normalize(r.get("name")?.as_str()?);
                    let n = r.get("regional_replica_count").and_then(Json::as_f64).map_or(replicas, |n| n as u32);
                    let s =
                        r.get("storage_account_type").and_then(Json::as_str).map_or(storage.clone(), str::to_string);
                    Some((name, n, s))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a version is shallow-replicated: it refers to its source instead of copying it, so
/// it stores no replica of its own and copies nothing between regions.
pub fn is_shallow(attrs: &Json) -> bool {
    attrs.get("replication_mode").and_then(Json::as_str) == Some("Shallow")
}

/// Monthly storage of a version (USD): nothing for a shallow one.
pub fn monthly(attrs: &Json, image_gb: f64, prices: &PriceTable) -> f64 {
    if is_shallow(attrs) {
        return 0.0;
    }
    regions_of(attrs).iter().map(|(_, n, s)| image_gb * f64::from(*n) * prices.storage(s)).sum()
}
