//! The service's own rules, enforced by the emulator on every write exactly as Azure answers
//! them — so a planner bug cannot sneak a forbidden change through.

use super::Row;
use crate::cloud::CloudError;
use crate::model::arm_id::ArmId;
use crate::model::regions::{self, ALLOWLIST_REGIONS, Cloud, GALLERY_REGIONS};
use crate::model::schema::{self, ResourceKind};
use crate::model::value::Value;
use crate::rules::names::{definition_name_problem, gallery_name_problem, parse_version};
use serde_json::Value as Json;
use std::collections::BTreeMap;

fn invalid(message: impl Into<String>) -> CloudError {
    CloudError::new(400, "InvalidParameter", message)
}

fn str_of<'a>(attrs: &'a Json, key: &str) -> Option<&'a str> {
    attrs.get(key).and_then(Json::as_str)
}

/// What the write needs to know about the world.
pub struct Context<'a> {
    pub parsed: &'a ArmId,
    pub existing: Option<&'a Row>,
    /// Looks a resource up by id.
    pub lookup: &'a dyn Fn(&str) -> Option<Row>,
    /// Resources of this kind already in the subscription and region (for quotas).
    pub count_in_region: &'a dyn Fn(ResourceKind, &str) -> u64,
    pub allowlisted: &'a [String],
    pub principal_tenant: &'a dyn Fn(&str) -> Option<String>,
    pub subscription_tenant: &'a str,
}

/// Quotas per subscription and region (DESIGN.md §1's defaults).
fn quota(kind: ResourceKind) -> Option<u64> {
    match kind {
        ResourceKind::Gallery => Some(10),
        ResourceKind::ImageDefinition => Some(200),
        ResourceKind::ImageVersion => Some(2000),
        _ => None,
    }
}

pub fn check_put(kind: ResourceKind, attrs: &Json, ctx: &Context) -> Result<(), CloudError> {
    let parsed = ctx.parsed;
    if let Some(existing) = ctx.existing {
        if existing.state == "Deleting" {
            return Err(CloudError::new(409, "OperationNotAllowed", format!("{} is being deleted", existing.id)));
        }
        fixed_unchanged(kind, &existing.attributes, attrs)?;
    } else if let Some(limit) = quota(kind)
        && let Some(location) = str_of(attrs, "location")
        && (ctx.count_in_region)(kind, &regions::normalize(location)) >= limit
    {
        return Err(CloudError::new(
            409,
            "QuotaExceeded",
            format!(
                "the subscription has reached its quota of {limit} for this resource type in {}",
                regions::display(location)
            ),
        ));
    }
    if let Some(parent) = crate::model::arm_id::parent(&id_of(parsed, attrs, kind))
        && kind != ResourceKind::RoleAssignment
        && kind != ResourceKind::ResourceGroup
    {
        match (ctx.lookup)(&parent) {
            Some(p) if p.state != "Deleting" => {}
            _ => {
                return Err(CloudError::new(
                    404,
                    "ParentResourceNotFound",
                    format!("the parent resource {parent} was not found"),
                ));
            }
        }
    }
    if let Some(location) = str_of(attrs, "location") {
        location_exists(location)?;
    }
    match kind {
        ResourceKind::Gallery => {
            let name = parsed.names.first().map(String::as_str).unwrap_or("");
            if let Some(problem) = gallery_name_problem(name) {
                return Err(invalid(format!("gallery name '{name}' {problem}")));
            }
            let location = str_of(attrs, "location").unwrap_or("");
            if !GALLERY_REGIONS.contains(&regions::normalize(location).as_str()) {
                return Err(CloudError::new(
                    400,
                    "LocationNotAvailableForResourceType",
                    format!("galleries cannot be created in {location}"),
                ));
            }
        }
        ResourceKind::ImageDefinition => {
            let name = parsed.names.get(1).map(String::as_str).unwrap_or("");
            if let Some(problem) = definition_name_problem(name) {
                return Err(invalid(format!("image definition name '{name}' {problem}")));
            }
            one_of(attrs, "os_type", &["Linux", "Windows"])?;
            one_of(attrs, "hyper_v_generation", &["V1", "V2"])?;
            one_of(attrs, "architecture", &["x64", "Arm64"])?;
            let identifier =
                attrs.get("identifier").and_then(|i| i.get(0)).ok_or_else(|| invalid("identifier is required"))?;
            for (field, max) in [("publisher", 128), ("offer", 64), ("sku", 64)] {
                let v = str_of(identifier, field).unwrap_or("");
                if v.is_empty() || v.chars().count() > max || v.ends_with('.') {
                    return Err(invalid(format!("identifier {field} '{v}' is invalid")));
                }
            }
        }
        ResourceKind::ImageVersion => version(attrs, ctx)?,
        ResourceKind::ManagedImage => {
            let disk = attrs.get("os_disk").and_then(|d| d.get(0)).ok_or_else(|| invalid("os_disk is required"))?;
            one_of(disk, "os_type", &["Linux", "Windows"])?;
            one_of(disk, "os_state", &["Generalized", "Specialized"])?;
        }
        ResourceKind::RoleAssignment => role_assignment(attrs, ctx)?,
        ResourceKind::ResourceGroup | ResourceKind::ClientConfig => {}
    }
    Ok(())
}

fn id_of(parsed: &ArmId, _attrs: &Json, kind: ResourceKind) -> String {
    let s = &parsed.subscription;
    let rg = &parsed.resource_group;
    let n = &parsed.names;
    use crate::model::arm_id as a;
    match kind {
        ResourceKind::ResourceGroup => a::resource_group(s, rg),
        ResourceKind::ManagedImage => a::image(s, rg, &n[0]),
        ResourceKind::Gallery => a::gallery(s, rg, &n[0]),
        ResourceKind::ImageDefinition => a::image_definition(s, rg, &n[0], &n[1]),
        ResourceKind::ImageVersion => a::image_version(s, rg, &n[0], &n[1], &n[2]),
        ResourceKind::RoleAssignment | ResourceKind::ClientConfig => String::new(),
    }
}

fn location_exists(name: &str) -> Result<(), CloudError> {
    match regions::find(name) {
        Some(r) if r.cloud == Cloud::Public => Ok(()),
        Some(r) => Err(invalid(format!(
            "{} belongs to {}: resources cannot be placed or replicated across clouds",
            r.display,
            r.cloud.display()
        ))),
        None => Err(CloudError::new(
            400,
            "LocationNotAvailableForResourceType",
            format!("the location '{name}' is not available"),
        )),
    }
}

fn one_of(attrs: &Json, key: &str, allowed: &[&str]) -> Result<(), CloudError> {
    match str_of(attrs, key) {
        None => Ok(()),
        Some(v) if allowed.contains(&v) => Ok(()),
        Some(v) => Err(invalid(format!("{key} '{v}' must be one of {}", allowed.join(", ")))),
    }
}

fn version(attrs: &Json, ctx: &Context) -> Result<(), CloudError> {
    let name = ctx.parsed.names.get(2).map(String::as_str).unwrap_or("");
    if parse_version(name).is_none() {
        return Err(invalid(format!("version name '{name}' is not Major.Minor.Patch with 32-bit integers")));
    }
    let location = str_of(attrs, "location").unwrap_or("");
    let image_id =
        str_of(attrs, "managed_image_id").ok_or_else(|| invalid("a version needs a source: managed_image_id"))?;
    let image = (ctx.lookup)(image_id).ok_or_else(|| invalid(format!("the source image {image_id} was not found")))?;
    if image.kind != ResourceKind::ManagedImage {
        return Err(invalid(format!("{image_id} is not a managed image")));
    }
    let image_location = image.location.clone().unwrap_or_default();
    if regions::normalize(&image_location) != regions::normalize(location) {
        return Err(invalid(format!(
            "the source image is in {}, but the version is in {}: they must be in the same location",
            regions::display(&image_location),
            regions::display(location)
        )));
    }
    let disk = image.attributes.get("os_disk").and_then(|d| d.get(0)).cloned().unwrap_or(Json::Null);
    if str_of(&disk, "os_state") == Some("Specialized") {
        return Err(invalid("the source image is specialized; only generalized images can become versions"));
    }
    let definition_id =
        crate::model::arm_id::parent(&id_of(ctx.parsed, attrs, ResourceKind::ImageVersion)).unwrap_or_default();
    if let Some(def) = (ctx.lookup)(&definition_id) {
        let pairs = [
            ("os_type", str_of(&disk, "os_type")),
            ("hyper_v_generation", str_of(&image.attributes, "hyper_v_generation").or(Some("V1"))),
        ];
        for (key, image_value) in pairs {
            let def_value = str_of(&def.attributes, key).unwrap_or(if key == "hyper_v_generation" { "V1" } else { "" });
            if let Some(iv) = image_value
                && !iv.eq_ignore_ascii_case(def_value)
            {
                return Err(invalid(format!(
                    "the source image's {key} ({iv}) differs from the image definition's ({def_value})"
                )));
            }
        }
    }
    let regions_list = attrs.get("target_region").and_then(Json::as_array).cloned().unwrap_or_default();
    if regions_list.is_empty() {
        return Err(invalid("a version needs at least one target region"));
    }
    let mut seen = Vec::new();
    for r in &regions_list {
        let name = str_of(r, "name").unwrap_or("");
        location_exists(name)?;
        let n = regions::normalize(name);
        if ALLOWLIST_REGIONS.contains(&n.as_str()) && !ctx.allowlisted.contains(&n) {
            return Err(CloudError::new(
                403,
                "SubscriptionNotAllowListed",
                format!("replicating to {} needs the subscription to be allow-listed", regions::display(name)),
            ));
        }
        if seen.contains(&n) {
            return Err(invalid(format!("target region {name} appears twice")));
        }
        seen.push(n);
        if let Some(c) = r.get("regional_replica_count").and_then(Json::as_f64)
            && !(1.0..=100.0).contains(&c)
        {
            return Err(invalid(format!("regional replica count {c} is outside 1-100")));
        }
        one_of(r, "storage_account_type", &["Standard_LRS", "Premium_LRS", "Standard_ZRS"])?;
    }
    if !seen.contains(&regions::normalize(location)) {
        return Err(invalid(format!(
            "the source region {} must be one of the target regions",
            regions::display(location)
        )));
    }
    if let Some(c) = attrs.get("replica_count").and_then(Json::as_f64)
        && !(1.0..=100.0).contains(&c)
    {
        return Err(invalid(format!("replica count {c} is outside 1-100")));
    }
    one_of(attrs, "storage_account_type", &["Standard_LRS", "Premium_LRS", "Standard_ZRS"])
}

fn role_assignment(attrs: &Json, ctx: &Context) -> Result<(), CloudError> {
    let scope = str_of(attrs, "scope").unwrap_or("");
    let kind = ArmId::parse(scope).map(|p| p.kind);
    if !matches!(kind, Some(ResourceKind::Gallery | ResourceKind::ImageDefinition | ResourceKind::ImageVersion)) {
        return Err(invalid(format!("the scope {scope} is not a gallery, image definition or image version")));
    }
    if (ctx.lookup)(scope).is_none() {
        return Err(CloudError::new(404, "ResourceNotFound", format!("the scope {scope} was not found")));
    }
    let principal = str_of(attrs, "principal_id").unwrap_or("");
    if let Some(tenant) = (ctx.principal_tenant)(principal)
        && !tenant.eq_ignore_ascii_case(ctx.subscription_tenant)
    {
        return Err(CloudError::new(
            400,
            "CrossTenantPrincipalNotSupported",
            format!(
                "principal {principal} belongs to tenant {tenant}; galleries are shared only within the subscription's tenant {} (SIG602)",
                ctx.subscription_tenant
            ),
        ));
    }
    Ok(())
}

/// A PUT on an existing resource may not change what Azure fixes at creation.
fn fixed_unchanged(kind: ResourceKind, before: &Json, after: &Json) -> Result<(), CloudError> {
    let Some(schema) = schema::RESOURCES.iter().find(|s| s.kind == kind) else {
        return Ok(());
    };
    let as_map = |j: &Json| match Value::from_json(j) {
        Value::Map(m) => m,
        _ => BTreeMap::new(),
    };
    let changes = crate::plan::diff::diff(schema, &as_map(before), &as_map(after), &[]);
    match changes.iter().find(|c| c.fixed) {
        Some(c) => Err(CloudError::new(
            409,
            "PropertyChangeNotAllowed",
            format!("changing property '{}' is not allowed", c.path),
        )),
        None => Ok(()),
    }
}
