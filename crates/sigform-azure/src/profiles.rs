//! Service profiles: which Azure Compute Gallery the rules and the emulator model. The service
//! has changed since it was first documented; both the first documented service and Azure today
//! hold, as data, and a configuration (or `SIGFORM_SERVICE_PROFILE`) chooses one.
//!
//! - `2018-06-01`: the service as first documented with api-version 2018-06-01 — galleries in
//!   eight regions only, 10 galleries / 200 definitions / 2,000 versions per subscription per
//!   region, no sharing beyond the tenant's RBAC, and a preview feature (`GalleryPreview`) every
//!   subscription had to register before it could create gallery resources.
//! - `current` (the default): Azure today. Sources, as published in Microsoft's product
//!   documentation ("Store and share resources in an Azure Compute Gallery", sections "Regional
//!   support" and "Limits"; "Share images using a community gallery"; "Share using a direct
//!   shared gallery"): galleries, definitions and versions can be created in every public region;
//!   Australia Central and Australia Central 2 still need the subscription allow-listed; the
//!   default limits are 100 galleries, 1,000 image definitions and 10,000 image versions per
//!   subscription per region; sharing beyond the tenant is done with the gallery's sharing
//!   profile (groups of subscriptions and tenants, or a community gallery), not with role
//!   assignments to another tenant's principals.

use crate::regions::{self, Cloud};
use crate::schema::ResourceKind;

/// Where galleries can be created.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GalleryRegions {
    /// Only these (normalised names).
    Listed(&'static [&'static str]),
    /// Every region of the public cloud.
    AllPublic,
}

/// Default quotas per subscription per region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quotas {
    pub galleries: u64,
    pub image_definitions: u64,
    pub image_versions: u64,
}

impl Quotas {
    /// The quota of a kind (galleries, image definitions, image versions), if it has one.
    pub fn of(&self, kind: ResourceKind) -> Option<u64> {
        match kind {
            ResourceKind::Gallery => Some(self.galleries),
            ResourceKind::ImageDefinition => Some(self.image_definitions),
            ResourceKind::ImageVersion => Some(self.image_versions),
            _ => None,
        }
    }
}

/// One version of the service, as the rules and the emulator model it.
#[derive(Debug, PartialEq)]
pub struct ServiceProfile {
    /// `2018-06-01` or `current`.
    pub name: &'static str,
    /// One line on what it is.
    pub title: &'static str,
    pub gallery_regions: GalleryRegions,
    /// Regions a subscription must be allow-listed for before versions can be replicated there.
    pub allowlist_regions: &'static [&'static str],
    pub quotas: Quotas,
    /// The largest replica count of one target region (and of the version-wide default).
    pub max_replicas_per_region: u32,
    /// Whether a gallery can be shared beyond its tenant (the sharing profile: groups, community).
    pub sharing_beyond_tenant: bool,
    /// The preview feature a subscription had to register before creating gallery resources
    /// (`Microsoft.Compute/GalleryPreview`), if any.
    pub required_feature: Option<&'static str>,
    /// Whether a version keeps the regions it was replicated to unless its safety profile allows
    /// removing them (`allowDeletionOfReplicatedLocations`, false by default): Azure today; the
    /// first documented service had no safety profile and removed a region when asked.
    pub replicated_regions_guarded: bool,
}

impl ServiceProfile {
    /// Whether galleries can be created in `region` (any spelling).
    pub fn gallery_region_allowed(&self, region: &str) -> bool {
        let name = regions::normalize(region);
        match self.gallery_regions {
            GalleryRegions::Listed(list) => list.contains(&name.as_str()),
            GalleryRegions::AllPublic => regions::find(&name).is_some_and(|r| r.cloud == Cloud::Public),
        }
    }

    /// The regions galleries can be created in, for messages ("every public region" when all).
    pub fn gallery_regions_text(&self) -> String {
        match self.gallery_regions {
            GalleryRegions::Listed(list) => list.iter().map(|r| regions::display(r)).collect::<Vec<_>>().join(", "),
            GalleryRegions::AllPublic => "every public region".to_string(),
        }
    }
}

/// The preview feature of the first documented service.
pub const GALLERY_PREVIEW: &str = "GalleryPreview";

pub static V2018_06_01: ServiceProfile = ServiceProfile {
    name: "2018-06-01",
    title: "the service as first documented (api-version 2018-06-01, preview)",
    gallery_regions: GalleryRegions::Listed(regions::GALLERY_REGIONS),
    allowlist_regions: regions::ALLOWLIST_REGIONS,
    quotas: Quotas { galleries: 10, image_definitions: 200, image_versions: 2000 },
    max_replicas_per_region: 100,
    sharing_beyond_tenant: false,
    required_feature: Some(GALLERY_PREVIEW),
    replicated_regions_guarded: false,
};

pub static CURRENT: ServiceProfile = ServiceProfile {
    name: "current",
    title: "Azure Compute Gallery today",
    gallery_regions: GalleryRegions::AllPublic,
    allowlist_regions: regions::ALLOWLIST_REGIONS,
    quotas: Quotas { galleries: 100, image_definitions: 1000, image_versions: 10000 },
    max_replicas_per_region: 100,
    sharing_beyond_tenant: true,
    required_feature: None,
    replicated_regions_guarded: true,
};

/// Every profile, the default first.
pub static PROFILES: &[&ServiceProfile] = &[&CURRENT, &V2018_06_01];

/// The profile chosen when nothing chooses one.
pub static DEFAULT: &ServiceProfile = &CURRENT;

/// The profile of that name.
pub fn find(name: &str) -> Option<&'static ServiceProfile> {
    PROFILES.iter().copied().find(|p| p.name == name)
}

/// The known names, for messages.
pub fn names() -> Vec<&'static str> {
    PROFILES.iter().map(|p| p.name).collect()
}

/// The facts that differ between profiles, as (fact, value per profile in `PROFILES` order):
/// what the README's table shows and `explain` prints.
pub fn differences() -> Vec<(&'static str, Vec<String>)> {
    let each = |f: &dyn Fn(&ServiceProfile) -> String| PROFILES.iter().map(|p| f(p)).collect::<Vec<_>>();
    vec![
        ("Regions where galleries can be created", each(&|p| p.gallery_regions_text())),
        ("Galleries per subscription per region", each(&|p| p.quotas.galleries.to_string())),
        ("Image definitions per subscription per region", each(&|p| p.quotas.image_definitions.to_string())),
        ("Image versions per subscription per region", each(&|p| p.quotas.image_versions.to_string())),
        (
            "Sharing beyond the tenant",
            each(&|p| if p.sharing_beyond_tenant { "sharing profile (groups, community)" } else { "no" }.to_string()),
        ),
        (
            "Removing a region a version was replicated to",
            each(&|p| {
                if p.replicated_regions_guarded {
                    "only with deletion_of_replicated_locations_enabled"
                } else {
                    "allowed"
                }
                .to_string()
            }),
        ),
        (
            "Preview feature to register first",
            each(&|p| p.required_feature.map_or("none".to_string(), |f| format!("Microsoft.Compute/{f}"))),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profiles_say_what_they_say() {
        assert_eq!(DEFAULT.name, "current");
        assert_eq!(find("2018-06-01"), Some(&V2018_06_01));
        assert_eq!(find("2019-03-01"), None);
        assert!(V2018_06_01.gallery_region_allowed("East US") && !V2018_06_01.gallery_region_allowed("UK South"));
        assert!(CURRENT.gallery_region_allowed("uksouth") && CURRENT.gallery_region_allowed("Central US"));
        assert!(!CURRENT.gallery_region_allowed("chinaeast2"), "another cloud");
        assert!(!CURRENT.gallery_region_allowed("atlantis"));
        assert_eq!(V2018_06_01.quotas.galleries * 10, CURRENT.quotas.galleries);
        for (_, values) in differences() {
            assert_eq!(values.len(), PROFILES.len());
            assert_ne!(values[0], values[1], "a listed difference differs");
        }
    }
}
