//! Galleries: where the service lets them be created, their name rules, their sharing profile
//! (a community gallery with its publisher's details; none beyond the tenant where the service
//! profile has no sharing profile), and the unique name it gives each one. Updatable after
//! creation: the description (and tags).

use super::{Context, TypeService, invalid, str_of};
use crate::Row;
use serde_json::{Value as Json, json};
use sigform_azure::cloud::CloudError;
use sigform_azure::names::gallery_name_problem;
use sigform_azure::regions;

pub(super) struct Gallery;

impl TypeService for Gallery {
    fn updatable(&self) -> &'static [&'static str] {
        &["/properties/description"]
    }

    fn check(&self, attrs: &Json, ctx: &Context) -> Result<(), CloudError> {
        check_write(attrs, ctx)
    }

    fn fill(&self, id: &str, attrs: &mut Json, existing: Option<&Row>) {
        fill_in(id, attrs, existing)
    }
}

fn check_write(attrs: &Json, ctx: &Context) -> Result<(), CloudError> {
    let name = ctx.parsed.names.first().map(String::as_str).unwrap_or("");
    if let Some(problem) = gallery_name_problem(name) {
        return Err(invalid(format!("gallery name '{name}' {problem}")));
    }
    if let Some(sharing) = attrs.get("sharing").and_then(|s| s.get(0)) {
        let permission = str_of(sharing, "permission").unwrap_or("");
        if !sigform_azure::resources::gallery::PERMISSIONS.contains(&permission) {
            return Err(invalid(format!("sharing permission '{permission}' is not one of Private, Groups, Community")));
        }
        let community = sharing.get("community_gallery").and_then(|c| c.get(0));
        match (permission, community) {
            ("Community", None) => {
                return Err(invalid("a Community sharing profile needs communityGalleryInfo"));
            }
            ("Community", Some(info)) => {
                let prefix = str_of(info, "prefix").unwrap_or("");
                if !(5..=16).contains(&prefix.len()) || !prefix.chars().all(|c| c.is_ascii_alphanumeric()) {
                    return Err(invalid(format!("publicNamePrefix '{prefix}' must be 5 to 16 letters and digits")));
                }
            }
            (_, Some(_)) => return Err(invalid("communityGalleryInfo is only for the Community permission")),
            _ => {}
        }
        if permission != "Private" && !ctx.profile.sharing_beyond_tenant {
            return Err(CloudError::new(
                400,
                "InvalidParameter",
                format!(
                    "sharing profile permission '{permission}' is not available in this service (profile {})",
                    ctx.profile.name
                ),
            ));
        }
    }
    let location = str_of(attrs, "location").unwrap_or("");
    if !ctx.profile.gallery_region_allowed(location) {
        return Err(CloudError::new(
            400,
            "LocationNotAvailableForResourceType",
            format!(
                "The provided location '{}' is not available for resource type 'Microsoft.Compute/galleries'. List of available regions for the resource type is '{}'.",
                regions::normalize(location),
                ctx.profile.gallery_regions_text()
            ),
        ));
    }
    Ok(())
}

/// The unique name is given once, at creation, and kept; so is a community gallery's public
/// name: its prefix and a suffix of the service's.
fn fill_in(id: &str, attrs: &mut Json, existing: Option<&Row>) {
    if let Some(info) = attrs.pointer_mut("/sharing/0/community_gallery/0")
        && info.get("name").is_none_or(Json::is_null)
    {
        let kept = existing.and_then(|e| e.attributes.pointer("/sharing/0/community_gallery/0/name")).cloned();
        let prefix = info.get("prefix").and_then(Json::as_str).unwrap_or("community").to_string();
        let suffix = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, id.to_ascii_lowercase().as_bytes());
        info["name"] = kept.filter(|v| !v.is_null()).unwrap_or_else(|| json!(format!("{prefix}-{suffix}")));
    }
    let unique =
        existing.and_then(|e| e.attributes.get("unique_name").cloned()).filter(|v| !v.is_null()).unwrap_or_else(|| {
            let name = id.rsplit('/').next().unwrap_or("").to_uppercase();
            let prefix =
                &uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, id.to_ascii_lowercase().as_bytes()).to_string()[..8];
            json!(format!("{prefix}-{name}"))
        });
    attrs["unique_name"] = unique;
}
