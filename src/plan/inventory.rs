//! The inventory of the galleries: one row per gallery, image definition and version of what
//! the cloud holds — where it is, how it replicates, what it costs a month, which address of the
//! state manages it — with what is stale pointed out, and the totals per subscription and region
//! against the service profile's quotas. Pure: `ops::inventory` reads the cloud and the state.

use serde::Serialize;
use sigform_azure::cloud::CloudResource;
use sigform_azure::profiles::ServiceProfile;
use sigform_azure::schema::ResourceKind;
use std::collections::BTreeMap;

/// Which rows to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Managed {
    All,
    /// Only what this state manages.
    Managed,
    /// Only what it does not.
    Unmanaged,
}

/// What to list.
pub struct Filter {
    pub managed: Managed,
    /// Only rows with something stale about them.
    pub stale: bool,
    /// The service profile whose quotas the totals are measured against.
    pub profile: &'static ServiceProfile,
    /// Now, in seconds since the epoch (end-of-life dates are compared with it).
    pub now_unix: i64,
}

/// One target region of a version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Region {
    pub name: String,
    pub replicas: u32,
    pub storage_account_type: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub subscription: String,
    pub resource_group: String,
    /// `gallery`, `image definition`, `image version`.
    pub kind: &'static str,
    /// The name inside its gallery: `gallery`, `gallery/definition`, `gallery/definition/1.0.0`.
    pub name: String,
    pub id: String,
    pub location: String,
    pub regions: Vec<Region>,
    /// The provisioning state as the service reports it (`Failed` when replication failed).
    pub state: String,
    /// A version's size in GB (its source image's; `None` where nothing says it).
    pub size_gb: Option<f64>,
    pub end_of_life: Option<String>,
    pub exclude_from_latest: Option<bool>,
    /// The address this state manages it at, if it does.
    pub managed_by: Option<String>,
    /// A version's storage per month (USD) at the shipped prices; the default image size stands in
    /// where the size is unknown.
    pub monthly_usd: Option<f64>,
    /// Why it is stale; empty when it is not.
    pub stale: Vec<String>,
}

/// Counts of one subscription and region against the profile's quotas.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    pub subscription: String,
    pub region: String,
    pub galleries: u64,
    pub image_definitions: u64,
    pub image_versions: u64,
    pub quota_galleries: u64,
    pub quota_image_definitions: u64,
    pub quota_image_versions: u64,
    pub monthly_usd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inventory {
    pub profile: &'static str,
    pub rows: Vec<Row>,
    pub totals: Vec<Totals>,
    /// Bulk calls made.
    pub calls: usize,
}

const KINDS: [(ResourceKind, &str); 3] = [
    (ResourceKind::Gallery, "gallery"),
    (ResourceKind::ImageDefinition, "image definition"),
    (ResourceKind::ImageVersion, "image version"),
];

fn text(r: &CloudResource, key: &str) -> Option<String> {
    r.attributes.get(key).and_then(serde_json::Value::as_str).filter(|s| !s.is_empty()).map(str::to_string)
}

/// The rows' name: the path inside the resource group after the provider.
fn name_in_gallery(id: &str) -> String {
    let parts: Vec<&str> = id.split('/').collect();
    // /subscriptions/S/resourceGroups/RG/providers/Microsoft.Compute/galleries/G[/images/D[/versions/V]]
    parts.iter().skip(8).step_by(2).copied().collect::<Vec<_>>().join("/")
}

/// The inventory of `resources` (by lower-cased id, as the bulk read returns them); `managed`
/// maps lower-cased ids to the addresses the state records them at.
pub fn build(
    resources: &BTreeMap<String, CloudResource>,
    managed: &BTreeMap<String, String>,
    filter: &Filter,
    calls: usize,
) -> Inventory {
    let options = filter;
    let size_of = |image_id: &str| {
        resources.get(&image_id.to_ascii_lowercase()).and_then(|r| crate::plan::image_size(&r.attributes))
    };
    let mut rows = Vec::new();
    for (id, r) in resources {
        let Some((_, kind)) = KINDS.iter().find(|(k, _)| *k == r.kind) else { continue };
        let regions: Vec<Region> = if r.kind == ResourceKind::ImageVersion {
            sigform_azure::prices::regions_of(&r.attributes)
                .into_iter()
                .map(|(name, replicas, storage)| Region { name, replicas, storage_account_type: storage })
                .collect()
        } else {
            Vec::new()
        };
        let size_gb = sigform_azure::resources::image_version::source_id(&r.attributes).and_then(size_of);
        let monthly_usd = (r.kind == ResourceKind::ImageVersion).then(|| {
            let gb = size_gb.unwrap_or(sigform_azure::prices::DEFAULT_IMAGE_GB);
            sigform_azure::prices::monthly(&r.attributes, gb, &sigform_azure::prices::SHIPPED)
        });
        let location = r.location.as_deref().map(sigform_azure::regions::normalize).unwrap_or_default();
        let exclude_from_latest = if r.kind == ResourceKind::ImageVersion {
            Some(r.attributes.get("exclude_from_latest").and_then(serde_json::Value::as_bool).unwrap_or(false))
        } else {
            None
        };
        let end_of_life = text(r, "end_of_life_date");
        let mut stale = Vec::new();
        if let Some(eol) = &end_of_life
            && sigform_azure::timestamp::parse_rfc3339(eol).is_some_and(|t| t < options.now_unix)
        {
            stale.push(format!("past its end of life ({eol})"));
        }
        if r.kind == ResourceKind::ImageDefinition {
            let prefix = format!("{id}/versions/");
            if !resources.keys().any(|other| other.starts_with(&prefix)) {
                stale.push("no versions".to_string());
            }
        }
        if exclude_from_latest == Some(true) && regions.iter().any(|g| g.name != location) {
            stale.push("excluded from latest but replicated beyond its source region".to_string());
        }
        if r.provisioning_state == "Failed" {
            stale.push("replication failed".to_string());
        }
        rows.push(Row {
            subscription: r.subscription.to_ascii_lowercase(),
            resource_group: r.id.split('/').nth(4).unwrap_or_default().to_string(),
            kind,
            name: name_in_gallery(&r.id),
            id: r.id.clone(),
            location,
            regions,
            state: r.provisioning_state.clone(),
            size_gb,
            end_of_life,
            exclude_from_latest,
            managed_by: managed.get(id).cloned(),
            monthly_usd,
            stale,
        });
    }
    let totals = totals(&rows, options.profile);
    rows.retain(|row| match options.managed {
        Managed::All => true,
        Managed::Managed => row.managed_by.is_some(),
        Managed::Unmanaged => row.managed_by.is_none(),
    });
    if options.stale {
        rows.retain(|row| !row.stale.is_empty());
    }
    Inventory { profile: options.profile.name, rows, totals, calls }
}

/// Counts per subscription and region (a gallery's and a definition's region is where they were
/// made; a version counts where its definition is), before any filter: quotas count everything.
fn totals(rows: &[Row], profile: &ServiceProfile) -> Vec<Totals> {
    let mut by: BTreeMap<(String, String), Totals> = BTreeMap::new();
    for row in rows {
        let t = by.entry((row.subscription.clone(), row.location.clone())).or_insert_with(|| Totals {
            subscription: row.subscription.clone(),
            region: row.location.clone(),
            galleries: 0,
            image_definitions: 0,
            image_versions: 0,
            quota_galleries: profile.quotas.galleries,
            quota_image_definitions: profile.quotas.image_definitions,
            quota_image_versions: profile.quotas.image_versions,
            monthly_usd: 0.0,
        });
        match row.kind {
            "gallery" => t.galleries += 1,
            "image definition" => t.image_definitions += 1,
            _ => t.image_versions += 1,
        }
        t.monthly_usd += row.monthly_usd.unwrap_or(0.0);
    }
    by.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::name_in_gallery;

    #[test]
    fn rows_are_named_inside_their_gallery() {
        let g = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/gal";
        assert_eq!(name_in_gallery(g), "gal");
        assert_eq!(name_in_gallery(&format!("{g}/images/ubuntu")), "gal/ubuntu");
        assert_eq!(name_in_gallery(&format!("{g}/images/ubuntu/versions/1.0.0")), "gal/ubuntu/1.0.0");
    }
}
