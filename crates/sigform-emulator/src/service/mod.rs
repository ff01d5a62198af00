//! The service's own rules, enforced by the emulator on every write exactly as Azure answers
//! them — so a planner bug cannot sneak a forbidden change through. Written from the service's
//! documentation, not from sigform's planner: the properties each type lets change after
//! creation are listed here per type as ARM property paths, independently of the facts crate's
//! azurerm schemas, so a wrong fixed/updatable flag on either side shows up as a disagreement.
//!
//! One module per resource type holds that type's validation, what the service fills in, and
//! which properties are updatable; this file holds what every write shares (quota, parent,
//! location, the fixed-property check).

mod gallery;
mod gallery_application;
mod image_definition;
mod image_version;
mod managed_image;
mod management_lock;
mod role_assignment;
mod role_definition;

pub(crate) use image_version::source_size_gb;

use super::Row;
use serde_json::{Value as Json, json};
use sigform_azure::arm_id::{self, ArmId};
use sigform_azure::cloud::CloudError;
use sigform_azure::profiles::ServiceProfile;
use sigform_azure::regions::{self, Cloud};
use sigform_azure::schema::ResourceKind;
use sigform_azure::shape;

pub(crate) fn invalid(message: impl Into<String>) -> CloudError {
    CloudError::new(400, "InvalidParameter", message)
}

pub(crate) fn str_of<'a>(attrs: &'a Json, key: &str) -> Option<&'a str> {
    attrs.get(key).and_then(Json::as_str)
}

/// What the write needs to know about the world.
pub struct Context<'a> {
    /// The service profile the emulator emulates: where galleries may go, quotas, features.
    pub profile: &'static ServiceProfile,
    /// Whether the subscription registered a preview feature.
    pub feature_registered: &'a dyn Fn(&str) -> bool,
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

/// One resource type's behaviour in the service: what it checks on a write, what it fills in,
/// and which of its ARM properties may change after creation. Each type's module implements it.
pub(crate) trait TypeService: Sync {
    /// ARM property paths that may change after creation (tags always may, on tracked types).
    fn updatable(&self) -> &'static [&'static str] {
        &[]
    }
    /// The type's own checks on a write (after the shared ones: quota, parent, location).
    fn check(&self, _attrs: &Json, _ctx: &Context) -> Result<(), CloudError> {
        Ok(())
    }
    /// What the service fills in on a write.
    fn fill(&self, _id: &str, _attrs: &mut Json, _existing: Option<&Row>) {}
}

/// A type the service keeps without rules of its own (resource groups).
struct Plain;
impl TypeService for Plain {}

/// The one registration point: each kind's behaviour.
fn service(kind: ResourceKind) -> &'static dyn TypeService {
    match kind {
        ResourceKind::Gallery => &gallery::Gallery,
        ResourceKind::ImageDefinition => &image_definition::ImageDefinition,
        ResourceKind::ImageVersion => &image_version::ImageVersion,
        ResourceKind::GalleryApplication => &gallery_application::GalleryApplication,
        ResourceKind::GalleryApplicationVersion => &gallery_application::GalleryApplicationVersion,
        ResourceKind::ManagedImage => &managed_image::ManagedImage,
        ResourceKind::RoleAssignment => &role_assignment::RoleAssignment,
        ResourceKind::ManagementLock => &management_lock::ManagementLock,
        ResourceKind::RoleDefinition => &role_definition::RoleDefinition,
        ResourceKind::ResourceGroup
        | ResourceKind::Snapshot
        | ResourceKind::StorageAccount
        | ResourceKind::ClientConfig
        | ResourceKind::Local => &Plain,
    }
}

pub fn check_put(kind: ResourceKind, attrs: &Json, ctx: &Context) -> Result<(), CloudError> {
    let parsed = ctx.parsed;
    if let Some(existing) = ctx.existing {
        if existing.state == "Deleting" {
            return Err(CloudError::new(409, "OperationNotAllowed", format!("{} is being deleted", existing.id)));
        }
        // A record written before the service filled a default in carries it now, as Azure's
        // own records do: a request that sends the default changes nothing.
        let mut before = existing.attributes.clone();
        service(kind).fill(&existing.id, &mut before, Some(existing));
        fixed_unchanged(kind, &before, attrs)?;
    } else if let Some(limit) = ctx.profile.quotas.of(kind)
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
    if let Some(feature) = ctx.profile.required_feature
        && matches!(kind, ResourceKind::Gallery | ResourceKind::ImageDefinition | ResourceKind::ImageVersion)
        && !(ctx.feature_registered)(feature)
    {
        return Err(CloudError::new(
            409,
            "SubscriptionNotRegisteredForFeature",
            format!(
                "Subscription {} is not registered for feature Microsoft.Compute/{feature} required to carry out the requested operation (az feature register --namespace Microsoft.Compute --name {feature}, then az provider register --namespace Microsoft.Compute).",
                parsed.subscription
            ),
        ));
    }
    if let Some(parent) = arm_id::parent(&id_of(parsed, kind))
        && kind != ResourceKind::RoleAssignment
        && kind != ResourceKind::ResourceGroup
    {
        match (ctx.lookup)(&parent) {
            Some(p) if p.state != "Deleting" => {}
            // ARM names a missing resource group as such.
            _ if shape::kind_of_id(&parent) == Some(ResourceKind::ResourceGroup) => {
                return Err(CloudError::new(
                    404,
                    "ResourceGroupNotFound",
                    format!("Resource group '{}' could not be found.", parsed.resource_group),
                ));
            }
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
    service(kind).check(attrs, ctx)
}

/// What the service fills in on write: defaults, each region's own replica count and storage
/// type, a gallery's unique name.
pub fn fill(kind: ResourceKind, id: &str, attrs: &mut Json, existing: Option<&Row>) {
    service(kind).fill(id, attrs, existing);
    attrs["id"] = json!(id);
}

/// Sets `key` when the request left it out.
pub(crate) fn set_default(attrs: &mut Json, key: &str, v: Json) {
    if attrs.get(key).is_none_or(Json::is_null) {
        attrs[key] = v;
    }
}

/// The canonical id of what a write names (empty for role assignments, whose ids hang off a scope).
pub(crate) fn id_of(parsed: &ArmId, kind: ResourceKind) -> String {
    ArmId { kind, ..parsed.clone() }.id().unwrap_or_default()
}

pub(crate) fn location_exists(name: &str) -> Result<(), CloudError> {
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

/// `key` (sigform's attribute) is one of `allowed`; the error names the property as ARM does
/// (`arm`, e.g. `properties.osType`), as the service's own messages do.
pub(crate) fn one_of(attrs: &Json, key: &str, arm: &str, allowed: &[&str]) -> Result<(), CloudError> {
    match str_of(attrs, key) {
        None => Ok(()),
        Some(v) if allowed.contains(&v) => Ok(()),
        Some(v) => Err(invalid(format!("{arm} '{v}' must be one of {}", allowed.join(", ")))),
    }
}

/// A PUT on an existing resource may not change what Azure fixes at creation. Compared as ARM
/// sees it: every property the request sends, outside the type's updatable ones, must equal the
/// stored one; a property the request leaves out stays as it is (ARM's PUT semantics for
/// properties the service keeps). The error names ARM's property path.
fn fixed_unchanged(kind: ResourceKind, before: &Json, after: &Json) -> Result<(), CloudError> {
    let wire = |attrs: &Json| {
        let role = attrs.get("role_definition_name").and_then(Json::as_str);
        let mut body = shape::request_body(kind, attrs, role);
        if kind == ResourceKind::RoleAssignment {
            body["properties"]["scope"] = attrs.get("scope").cloned().unwrap_or(Json::Null);
        }
        body
    };
    let (before, after) = (wire(before), wire(after));
    let updatable = service(kind).updatable();
    let mut leaves = Vec::new();
    collect_leaves(&after, String::new(), &mut leaves);
    for (pointer, value) in leaves {
        if pointer == "/tags" || pointer.starts_with("/tags/") || pointer == "/properties/provisioningState" {
            continue;
        }
        if updatable.iter().any(|u| pointer == *u || pointer.starts_with(&format!("{u}/"))) {
            continue;
        }
        let Some(old) = before.pointer(&pointer).filter(|v| !v.is_null()) else {
            // Not recorded before: the service filled nothing there, so setting it now is a change
            // only if the type has a default there that differs — the stored record carries
            // every default, so a missing value means "not set" on both sides.
            if value.is_null() {
                continue;
            }
            return Err(not_allowed(&pointer));
        };
        if !same(&pointer, old, value) {
            return Err(not_allowed(&pointer));
        }
    }
    if kind == ResourceKind::ImageVersion {
        image_version::regions_keep_storage(&before, &after)?;
    }
    Ok(())
}

fn not_allowed(pointer: &str) -> CloudError {
    let path = pointer.trim_start_matches('/').replace('/', ".");
    CloudError::new(409, "PropertyChangeNotAllowed", format!("Changing property '{path}' is not allowed."))
}

fn same(pointer: &str, old: &Json, new: &Json) -> bool {
    match (old, new) {
        (Json::String(a), Json::String(b)) if pointer == "/location" => regions::normalize(a) == regions::normalize(b),
        (Json::String(a), Json::String(b)) => a.eq_ignore_ascii_case(b),
        (Json::Number(a), Json::Number(b)) => a.as_f64() == b.as_f64(),
        _ => old == new,
    }
}

/// Every scalar (and every list, whole) of `json` with its JSON pointer.
fn collect_leaves<'a>(json: &'a Json, at: String, out: &mut Vec<(String, &'a Json)>) {
    match json {
        Json::Object(map) => {
            for (k, v) in map {
                collect_leaves(v, format!("{at}/{k}"), out);
            }
        }
        other => out.push((at, other)),
    }
}
