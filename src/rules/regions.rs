//! SIG201–SIG210: region names, where galleries can live, other clouds, allow-listed regions,
//! the source region among the targets, the image beside the version, one location for the
//! whole chain, zone-redundant storage only where there are zones, and shallow replication staying
//! at its source.

use super::violation;
use crate::diagnostic::{Diagnostic, Span};
use crate::model::{Desired, Instance, Settings};
use sigform_azure::arm_id;
use sigform_azure::regions::{self, Cloud};
use sigform_azure::schema::ResourceKind;

/// SIG202, naming the profile when the refusal is the profile's (and today's Azure differs).
fn gallery_region(location: &str, settings: &Settings, span: Span) -> Diagnostic {
    let place = regions::display(location);
    if settings.gallery_regions.is_some() {
        return violation("SIG202", format!("galleries cannot be created in {place}"), span).help(format!(
            "galleries can be created in: {} (the regions listed in sigform {{ gallery_regions = [...] }})",
            settings.gallery_regions_text()
        ));
    }
    let profile = settings.profile;
    let today = sigform_azure::profiles::CURRENT.gallery_region_allowed(location) && profile.name != "current";
    let message = if today {
        format!(
            "galleries cannot be created in {place} under service profile {}; Azure allows it today — see `sigform explain SIG202`",
            profile.name
        )
    } else {
        format!("galleries cannot be created in {place} under service profile {}", profile.name)
    };
    violation("SIG202", message, span).help(format!(
        "galleries can be created in: {} (or list your subscription's regions in sigform {{ gallery_regions = [...] }})",
        settings.gallery_regions_text()
    ))
}

pub(super) fn check(desired: &Desired, by_id: &crate::model::ById<'_>, out: &mut Vec<Diagnostic>) {
    for inst in &desired.resources {
        if let Some(location) = inst.attrs.str("location") {
            let span = inst.span_of("location");
            let settings = &desired.settings;
            if region(location, span.clone(), "location", settings, out)
                && inst.kind() == ResourceKind::Gallery
                && !settings.gallery_region_allowed(location)
            {
                out.push(gallery_region(location, settings, span));
            }
        }
        if !matches!(inst.kind(), ResourceKind::ImageVersion | ResourceKind::GalleryApplicationVersion) {
            if matches!(inst.kind(), ResourceKind::Gallery | ResourceKind::ImageDefinition) {
                same_location_as_parent(inst, by_id, out);
            }
            continue;
        }
        let mut targets = Vec::new();
        for block in inst.attrs.blocks("target_region") {
            if let Some(attr) = block.attrs.get("name")
                && let Some(name) = attr.value.as_str()
            {
                region(name, attr.span.clone(), "target region", &desired.settings, out);
                targets.push(regions::normalize(name));
            }
        }
        let all_known = inst.attrs.blocks("target_region").iter().all(|b| b.attrs.str("name").is_some());
        if let Some(location) = inst.attrs.str("location")
            && all_known
            && !targets.contains(&regions::normalize(location))
        {
            out.push(
                violation(
                    "SIG205",
                    format!(
                        "the source region {} is not one of the version's target regions",
                        regions::display(location)
                    ),
                    inst.span_of("location"),
                )
                .help(format!("add target_region {{ name = \"{}\" }}", regions::normalize(location))),
            );
        }
        if inst.kind() == ResourceKind::ImageVersion {
            image_in_location(inst, by_id, out);
            same_location_as_parent(inst, by_id, out);
        }
        zone_redundant_storage(inst, out);
        shallow_replication(inst, out);
    }
}

/// SIG209: zone-redundant replicas (`Standard_ZRS`, a region's own or the version-wide default)
/// only in regions with availability zones.
fn zone_redundant_storage(inst: &Instance, out: &mut Vec<Diagnostic>) {
    let version_wide = inst.attrs.str("storage_account_type");
    for block in inst.attrs.blocks("target_region") {
        let Some(name) = block.attrs.str("name") else { continue };
        let (storage, span) = match block.attrs.get("storage_account_type").filter(|a| !a.defaulted) {
            Some(a) => (a.value.as_str(), a.span.clone()),
            None => (version_wide, inst.span_of("storage_account_type")),
        };
        if storage == Some("Standard_ZRS")
            && regions::find(name).is_some_and(|r| r.cloud == Cloud::Public)
            && !regions::has_zones(name)
        {
            out.push(
                violation(
                    "SIG209",
                    format!("{} has no availability zones: its replicas cannot be Standard_ZRS", regions::display(name)),
                    span,
                )
                .help("store that region's replicas as Standard_LRS or Premium_LRS (storage_account_type in its target_region block)"),
            );
        }
    }
}

/// SIG210: a shallow-replicated version refers to its source instead of copying it, so it stays in
/// its source region, with one replica.
fn shallow_replication(inst: &Instance, out: &mut Vec<Diagnostic>) {
    if inst.attrs.str("replication_mode") != Some("Shallow") {
        return;
    }
    let location = inst.location();
    for block in inst.attrs.blocks("target_region") {
        let Some(name) = block.attrs.str("name") else { continue };
        if location.as_deref().is_some_and(|l| regions::normalize(name) != l) {
            out.push(
                violation(
                    "SIG210",
                    format!("a Shallow version is not replicated: {} is not its source region", regions::display(name)),
                    block.span.clone(),
                )
                .help("use replication_mode = \"Full\" to replicate it, or keep one target_region: the version's location"),
            );
        }
        if let Some(a) = block.attrs.get("regional_replica_count").filter(|a| a.value.as_f64().is_some_and(|n| n > 1.0))
        {
            out.push(violation("SIG210", "a Shallow version has one replica", a.span.clone()));
        }
    }
    if let Some(a) =
        inst.attrs.get("replica_count").filter(|a| !a.defaulted && a.value.as_f64().is_some_and(|n| n > 1.0))
    {
        out.push(violation("SIG210", "a Shallow version has one replica", a.span.clone()));
    }
}

/// SIG201/SIG203/SIG204 for one region name; true when it is a usable public region.
fn region(name: &str, span: Span, what: &str, settings: &Settings, out: &mut Vec<Diagnostic>) -> bool {
    let Some(region) = regions::find(name) else {
        let names = regions::REGIONS.iter().filter(|r| r.cloud == Cloud::Public).map(|r| r.name);
        let d = violation("SIG201", format!("unknown region \"{name}\" in {what}"), span);
        out.push(match crate::model::suggest(&regions::normalize(name), names) {
            Some(s) => d.help(format!("did you mean \"{s}\" ({})?", regions::display(s))),
            None => d,
        });
        return false;
    };
    if region.cloud != Cloud::Public {
        out.push(violation(
            "SIG203",
            format!(
                "{} belongs to {}; versions cannot be replicated across clouds",
                region.display,
                region.cloud.display()
            ),
            span,
        ));
        return false;
    }
    if settings.profile.allowlist_regions.contains(&region.name)
        && !settings.allowlisted_regions.iter().any(|r| r == region.name)
    {
        out.push(
            violation("SIG204", format!("{} needs the subscription to be allow-listed", region.display), span)
                .help(format!("once it is, add sigform {{ allowlisted_regions = [\"{}\"] }}", region.name)),
        );
        return false;
    }
    true
}

/// SIG206: the managed image a version is built from is in the version's location.
fn image_in_location(inst: &Instance, by_id: &crate::model::ById<'_>, out: &mut Vec<Diagnostic>) {
    let (Some(image_id), Some(location)) = (inst.attrs.str("managed_image_id"), inst.location()) else {
        return;
    };
    let Some(image) = by_id.get(&crate::fast_hash::Caseless(image_id)) else {
        return;
    };
    let Some(image_location) = image.location() else {
        return;
    };
    if image_location != location {
        out.push(
            violation(
                "SIG206",
                format!(
                    "managed image {} is in {}, but the version is in {}",
                    image.address,
                    regions::display(&image_location),
                    regions::display(&location)
                ),
                inst.span_of("managed_image_id"),
            )
            .help("a version is built from an image in its own location: copy the image, or move the version"),
        );
    }
}

/// SIG207: a gallery, definition or version in another location than its parent.
fn same_location_as_parent(inst: &Instance, by_id: &crate::model::ById<'_>, out: &mut Vec<Diagnostic>) {
    let Some(location) = inst.attrs.str("location") else {
        return;
    };
    let Some(parent) = inst
        .id
        .as_deref()
        .and_then(arm_id::parent_in)
        .and_then(|p| by_id.get(&crate::fast_hash::Caseless(&p)).copied())
    else {
        return;
    };
    let Some(parent_location) = parent.attrs.str("location") else {
        return;
    };
    if !regions::same(parent_location, location) {
        out.push(violation(
            "SIG207",
            format!(
                "{} is in {}, but its parent {} is in {}",
                inst.address,
                regions::display(&regions::normalize(location)),
                parent.address,
                regions::display(&regions::normalize(parent_location))
            ),
            inst.span_of("location"),
        ));
    }
}
