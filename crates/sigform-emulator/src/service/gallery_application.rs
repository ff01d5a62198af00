//! VM applications and their versions: an application supports Linux or Windows; a version
//! is Major.Minor.Patch, its package a URL, its target regions known, public, each once, the
//! source region among them, with 1 to 10 replicas each. Updatable as the service documents:
//! an application's descriptive fields; a version's regions, health check, end of life and
//! exclude-from-latest (its regions may always be removed: the service keeps no safety profile
//! for them that azurerm does not open).

use super::{Context, TypeService, invalid, location_exists, one_of, set_default, str_of};
use crate::Row;
use serde_json::{Value as Json, json};
use sigform_azure::cloud::CloudError;
use sigform_azure::names::parse_version;
use sigform_azure::regions;
use sigform_azure::resources::gallery_application::OS_TYPES;

pub(super) struct GalleryApplication;

impl TypeService for GalleryApplication {
    fn updatable(&self) -> &'static [&'static str] {
        &[
            "/properties/description",
            "/properties/endOfLifeDate",
            "/properties/eula",
            "/properties/privacyStatementUri",
            "/properties/releaseNoteUri",
        ]
    }

    fn check(&self, attrs: &Json, _ctx: &Context) -> Result<(), CloudError> {
        if str_of(attrs, "supported_os_type").is_none() {
            return Err(invalid("an application needs properties.supportedOSType"));
        }
        one_of(attrs, "supported_os_type", "properties.supportedOSType", &OS_TYPES)
    }
}

pub(super) struct GalleryApplicationVersion;

impl TypeService for GalleryApplicationVersion {
    fn updatable(&self) -> &'static [&'static str] {
        &[
            "/properties/publishingProfile/targetRegions",
            "/properties/publishingProfile/enableHealthCheck",
            "/properties/publishingProfile/endOfLifeDate",
            "/properties/publishingProfile/excludeFromLatest",
        ]
    }

    fn check(&self, attrs: &Json, ctx: &Context) -> Result<(), CloudError> {
        let name = ctx.parsed.names.get(2).map(String::as_str).unwrap_or("");
        if parse_version(name).is_none() {
            return Err(invalid(format!("version name '{name}' is not Major.Minor.Patch with 32-bit integers")));
        }
        let media = attrs.pointer("/source/0/media_link").and_then(Json::as_str).unwrap_or("");
        if !(media.starts_with("https://") || media.starts_with("http://")) {
            return Err(invalid("properties.publishingProfile.source.mediaLink must be an http(s) URL"));
        }
        if attrs.pointer("/manage_action/0/install").and_then(Json::as_str).is_none_or(str::is_empty)
            || attrs.pointer("/manage_action/0/remove").and_then(Json::as_str).is_none_or(str::is_empty)
        {
            return Err(invalid("properties.publishingProfile.manageActions needs install and remove"));
        }
        let location = str_of(attrs, "location").unwrap_or("");
        let mut seen = Vec::new();
        for r in attrs.get("target_region").and_then(Json::as_array).into_iter().flatten() {
            let region = str_of(r, "name").unwrap_or("");
            location_exists(region)?;
            let n = regions::normalize(region);
            if seen.contains(&n) {
                return Err(invalid(format!("target region {region} appears twice")));
            }
            seen.push(n);
            if let Some(c) = r.get("regional_replica_count").and_then(Json::as_f64)
                && !(1.0..=10.0).contains(&c)
            {
                return Err(invalid(format!("regional replica count {c} is outside 1-10")));
            }
            one_of(
                r,
                "storage_account_type",
                "properties.publishingProfile.targetRegions[].storageAccountType",
                &["Standard_LRS", "Premium_LRS", "Standard_ZRS"],
            )?;
        }
        if seen.is_empty() {
            return Err(invalid("a version needs at least one target region"));
        }
        if !seen.contains(&regions::normalize(location)) {
            return Err(invalid(format!(
                "the source region {} must be one of the target regions",
                regions::display(location)
            )));
        }
        Ok(())
    }

    fn fill(&self, _id: &str, attrs: &mut Json, _existing: Option<&Row>) {
        set_default(attrs, "enable_health_check", json!(false));
        set_default(attrs, "exclude_from_latest", json!(false));
        if let Some(list) = attrs.get_mut("target_region").and_then(Json::as_array_mut) {
            for r in list {
                set_default(r, "exclude_from_latest", json!(false));
                set_default(r, "storage_account_type", json!("Standard_LRS"));
            }
        }
    }
}
