//! How long things take, in seconds, calibrated on what users report: galleries and definitions
//! in seconds to a minute; a version tens of minutes for a small image to a few regions, hours
//! for a large image to many regions. The emulator runs its simulated time on this model, and
//! plans estimate replication with it, so the estimate and the emulator agree.

use crate::schema::ResourceKind;

/// Regions replicate this many at a time.
const CONCURRENT_REGIONS: usize = 4;

/// Simulated seconds for a create (versions: see `version_regions`).
/// (ARM writes resource groups and role assignments synchronously.)
pub fn create_seconds(kind: ResourceKind) -> f64 {
    match kind {
        ResourceKind::ResourceGroup => 0.0,
        ResourceKind::ManagedImage | ResourceKind::Snapshot | ResourceKind::StorageAccount => 20.0,
        ResourceKind::Gallery => 30.0,
        ResourceKind::ImageDefinition | ResourceKind::GalleryApplication => 15.0,
        ResourceKind::RoleAssignment
        | ResourceKind::ManagementLock
        | ResourceKind::RoleDefinition
        | ResourceKind::Local => 0.0,
        ResourceKind::ImageVersion | ResourceKind::GalleryApplicationVersion | ResourceKind::ClientConfig => 10.0,
    }
}

pub fn update_seconds(kind: ResourceKind) -> f64 {
    match kind {
        ResourceKind::Local
        | ResourceKind::RoleAssignment
        | ResourceKind::ManagementLock
        | ResourceKind::RoleDefinition => 0.0,
        ResourceKind::ImageVersion => 60.0,
        _ => 10.0,
    }
}

pub fn delete_seconds(kind: ResourceKind) -> f64 {
    match kind {
        ResourceKind::RoleAssignment
        | ResourceKind::ManagementLock
        | ResourceKind::RoleDefinition
        | ResourceKind::Local => 0.0,
        ResourceKind::Gallery => 20.0,
        ResourceKind::ImageVersion => 60.0,
        ResourceKind::ImageDefinition => 10.0,
        _ => 5.0,
    }
}

/// One region's replication time: a fixed setup plus the copy, slower with more replicas.
pub fn region_seconds(image_gb: f64, replicas: u32) -> f64 {
    300.0 + image_gb * 30.0 * (1.0 + 0.25 * f64::from(replicas.saturating_sub(1)))
}

/// (start offset, duration) per region, in the order given: regions replicate
/// `CONCURRENT_REGIONS` at a time, each batch after the previous one.
pub fn version_regions(image_gb: f64, replicas: &[u32]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(replicas.len());
    let mut batch_start = 0.0;
    for batch in replicas.chunks(CONCURRENT_REGIONS) {
        let durations: Vec<f64> = batch.iter().map(|r| region_seconds(image_gb, *r)).collect();
        for d in &durations {
            out.push((batch_start, *d));
        }
        batch_start += durations.iter().cloned().fold(0.0, f64::max);
    }
    out
}

/// The estimated replication time of a version to `replicas` new regions (one count per region).
pub fn estimate_seconds(image_gb: f64, replicas: &[u32]) -> f64 {
    version_regions(image_gb, replicas).iter().map(|(start, duration)| start + duration).fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(gb: f64, replicas: &[u32]) -> f64 {
        version_regions(gb, replicas).iter().map(|(s, d)| s + d).fold(0.0, f64::max)
    }

    #[test]
    fn durations_match_what_users_report() {
        let small = total(30.0, &[1, 1, 1]);
        assert!((600.0..3600.0).contains(&small), "a small image to three regions takes tens of minutes: {small}");
        let large = total(127.0, &[3; 12]);
        assert!(large > 3.0 * 3600.0, "a large image to a dozen regions takes hours: {large}");
        assert!(create_seconds(ResourceKind::Gallery) <= 60.0);
    }
}
