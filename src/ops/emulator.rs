//! `emulator ...`: act on the embedded cloud behind sigform's back, as a person in the portal or
//! another tool (Packer, the Azure CLI) would. Every change goes through the service's own rules.

use serde_json::{Value as Json, json};
use sigform_azure::arm_id::{self, ArmId};
use sigform_azure::cloud::{Body, Cloud, CloudError, CloudResource};
use sigform_azure::profiles::{self, ServiceProfile};
use sigform_azure::regions;
use sigform_azure::schema::{Mutability, ResourceKind};
use sigform_emulator::Emulator;
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error(transparent)]
    Cloud(#[from] CloudError),
    #[error("no resource {0} in the emulator")]
    NotFound(String),
    #[error("{0}")]
    Usage(String),
}

pub fn show(e: &Emulator, id: &str) -> Result<CloudResource, EmulatorError> {
    e.get(id)?.ok_or_else(|| EmulatorError::NotFound(id.to_string()))
}

fn tenant() -> String {
    std::env::var("ARM_TENANT_ID")
        .ok()
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| sigform_azure::resources::client_config::DEFAULT_TENANT.to_string())
}

/// What a PUT sends back: the attributes without what the service computes.
fn writable(r: &CloudResource) -> Json {
    let mut attrs = r.attributes.clone();
    if let (Some(schema), Some(map)) = (sigform_azure::resources::of_kind(r.kind), attrs.as_object_mut()) {
        for a in schema.attrs.iter().filter(|a| a.mutability == Mutability::Computed) {
            map.remove(a.name);
        }
    }
    attrs
}

/// `KEY=VALUE` with KEY an azurerm attribute path (`description`, `tags.owner`,
/// `target_region["eastus"].regional_replica_count`) and VALUE an HCL literal.
pub fn set(e: &Emulator, id: &str, assignments: &[String]) -> Result<CloudResource, EmulatorError> {
    let current = show(e, id)?;
    let mut attrs = writable(&current);
    for a in assignments {
        let (key, value) = a.split_once('=').ok_or_else(|| EmulatorError::Usage(format!("`{a}` is not KEY=VALUE")))?;
        let value = literal(value.trim())?;
        set_path(&mut attrs, key.trim(), value)?;
    }
    e.put(id, &Body { kind: current.kind, tenant: tenant(), attributes: attrs })?;
    show(e, id)
}

fn literal(text: &str) -> Result<Json, EmulatorError> {
    let expr = hcl::edit::parser::parse_expr(text)
        .map_err(|e| EmulatorError::Usage(format!("`{text}` is not an HCL value: {}", e.message())))?;
    let roots = crate::model::value::Map::default();
    let mut scope = crate::eval::expr::Scope::new(crate::config::FileId(0), &roots);
    match crate::eval::expr::eval(&expr, &mut scope) {
        Ok(v) if v.is_wholly_known() => Ok(v.to_json()),
        Ok(_) => Err(EmulatorError::Usage(format!("`{text}` is not a literal value"))),
        // A bare word (`eastus`) is taken as a string, as a shell user would expect.
        Err(_) if text.chars().all(|c| c.is_alphanumeric() || "_-.".contains(c)) => Ok(Json::String(text.to_string())),
        Err(e) => Err(EmulatorError::Usage(format!("`{text}`: {}", e.message))),
    }
}

fn set_path(attrs: &mut Json, path: &str, value: Json) -> Result<(), EmulatorError> {
    let bad = || EmulatorError::Usage(format!("cannot set `{path}`"));
    if let Some(open) = path.find('[') {
        let block = &path[..open];
        let close = path[open..].find(']').ok_or_else(bad)? + open;
        let key: String = serde_json::from_str(&path[open + 1..close]).map_err(|_| bad())?;
        let rest = path[close + 1..].strip_prefix('.').ok_or_else(bad)?;
        let list = attrs.get_mut(block).and_then(Json::as_array_mut).ok_or_else(bad)?;
        let item = list
            .iter_mut()
            .find(|b| b.get("name").and_then(Json::as_str).map(regions::normalize) == Some(regions::normalize(&key)))
            .ok_or_else(|| EmulatorError::Usage(format!("no {block} \"{key}\"")))?;
        item[rest] = value;
        return Ok(());
    }
    let mut node = attrs;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            node[*part] = value;
            return Ok(());
        }
        if !node.get(*part).is_some_and(Json::is_object) {
            node[*part] = json!({});
        }
        node = node.get_mut(*part).ok_or_else(bad)?;
    }
    Ok(())
}

pub fn delete(e: &Emulator, id: &str) -> Result<(), EmulatorError> {
    show(e, id)?;
    e.delete(id)?;
    Ok(())
}

/// A managed image as Packer or `az image create` leaves one; its resource group is created
/// when missing.
pub fn add_image(
    e: &Emulator,
    id: &str,
    os: &str,
    state: &str,
    size_gb: f64,
    hyper_v: &str,
    location: &str,
) -> Result<CloudResource, EmulatorError> {
    let parsed = ArmId::parse(id)
        .filter(|p| p.kind == ResourceKind::ManagedImage)
        .ok_or_else(|| EmulatorError::Usage(format!("{id} is not a managed image id")))?;
    ensure_group(e, &parsed, location)?;
    let attributes = json!({
        "name": parsed.names[0], "resource_group_name": parsed.resource_group, "location": location, "hyper_v_generation": hyper_v,
        "os_disk": [{"os_type": os, "os_state": state, "size_gb": size_gb}],
    });
    e.put(id, &Body { kind: ResourceKind::ManagedImage, tenant: tenant(), attributes })?;
    show(e, id)
}

/// The resource group of `parsed`, made in `location` when it is missing (as a portal user
/// making an image, a snapshot or an account in a new group would).
fn ensure_group(e: &Emulator, parsed: &ArmId, location: &str) -> Result<(), EmulatorError> {
    let rg = arm_id::resource_group(&parsed.subscription, &parsed.resource_group);
    if e.get(&rg)?.is_none() {
        e.put(
            &rg,
            &Body {
                kind: ResourceKind::ResourceGroup,
                tenant: tenant(),
                attributes: json!({"name": parsed.resource_group, "location": location}),
            },
        )?;
    }
    Ok(())
}

/// Add an OS disk snapshot, as `az snapshot create` leaves one: a version's `os_disk_snapshot_id`.
pub fn add_snapshot(
    e: &Emulator,
    id: &str,
    os: &str,
    size_gb: f64,
    hyper_v: &str,
    location: &str,
) -> Result<CloudResource, EmulatorError> {
    let parsed = ArmId::parse(id).filter(|p| p.kind == ResourceKind::Snapshot).ok_or_else(|| {
        EmulatorError::Usage(format!("{id} is not a snapshot id (…/providers/Microsoft.Compute/snapshots/NAME)"))
    })?;
    ensure_group(e, &parsed, location)?;
    let attributes = json!({
        "name": parsed.names[0], "resource_group_name": parsed.resource_group, "location": location,
        "os_type": os, "disk_size_gb": size_gb, "hyper_v_generation": hyper_v,
    });
    e.put(id, &Body { kind: ResourceKind::Snapshot, tenant: tenant(), attributes })?;
    show(e, id)
}

/// Add a VHD blob to a storage account (made in `location` when missing), as `az storage blob
/// upload` leaves one: a version's `blob_uri` with `storage_account_id`.
pub fn add_blob(
    e: &Emulator,
    account_id: &str,
    uri: &str,
    size_gb: f64,
    location: &str,
) -> Result<CloudResource, EmulatorError> {
    let parsed = ArmId::parse(account_id).filter(|p| p.kind == ResourceKind::StorageAccount).ok_or_else(|| {
        EmulatorError::Usage(format!(
            "{account_id} is not a storage account id (…/providers/Microsoft.Storage/storageAccounts/NAME)"
        ))
    })?;
    let account = parsed.names[0].to_ascii_lowercase();
    if sigform_azure::resources::storage_account::account_of_blob(uri).as_deref() != Some(account.as_str()) {
        return Err(EmulatorError::Usage(format!(
            "{uri} is not a blob of storage account {account} (https://{account}.blob.core.windows.net/CONTAINER/NAME.vhd)"
        )));
    }
    ensure_group(e, &parsed, location)?;
    let mut attributes = match e.get(account_id)? {
        Some(existing) => existing.attributes,
        None => json!({"name": parsed.names[0], "resource_group_name": parsed.resource_group, "location": location}),
    };
    attributes["blobs"][uri.to_ascii_lowercase()] = json!({"uri": uri, "size_gb": size_gb});
    e.put(account_id, &Body { kind: ResourceKind::StorageAccount, tenant: tenant(), attributes })?;
    show(e, account_id)
}

/// An image version published by another tool: in the image's location, to the given regions.
pub fn publish_version(
    e: &Emulator,
    id: &str,
    image: &str,
    regions_arg: &[String],
    extra: &PublishExtras,
) -> Result<CloudResource, EmulatorError> {
    let parsed = ArmId::parse(id)
        .filter(|p| p.kind == ResourceKind::ImageVersion)
        .ok_or_else(|| EmulatorError::Usage(format!("{id} is not an image version id")))?;
    let source = show(e, image)?;
    let location = source.location.clone().unwrap_or_default();
    let mut targets = Vec::new();
    for r in regions_arg {
        let (name, count) = match r.split_once('=') {
            Some((n, c)) => (
                n,
                Some(
                    c.parse::<u32>()
                        .map_err(|_| EmulatorError::Usage(format!("`{r}`: the replica count must be a number")))?,
                ),
            ),
            None => (r.as_str(), None),
        };
        let mut region = json!({"name": name});
        if let Some(c) = count {
            region["regional_replica_count"] = json!(c);
        }
        targets.push(region);
    }
    if targets.is_empty() {
        targets.push(json!({"name": location}));
    }
    let mut attributes = json!({
        "name": parsed.names[2], "gallery_name": parsed.names[0], "image_name": parsed.names[1],
        "resource_group_name": parsed.resource_group, "location": location, "managed_image_id": image, "target_region": targets,
    });
    if extra.allow_region_removal {
        attributes["deletion_of_replicated_locations_enabled"] = json!(true);
    }
    if !extra.tags.is_empty() {
        attributes["tags"] = json!(extra.tags);
    }
    e.put(id, &Body { kind: ResourceKind::ImageVersion, tenant: tenant(), attributes })?;
    if let Some(date) = &extra.published {
        let date = sigform_azure::timestamp::parse_rfc3339(date)
            .map(sigform_azure::timestamp::format_unix)
            .ok_or_else(|| EmulatorError::Usage(format!("--published {date}: not an RFC 3339 time")))?;
        e.set_published_date(id, &date)?;
    }
    show(e, id)
}

/// What else `emulator publish-version` may say about the version it publishes.
#[derive(Debug, Default)]
pub struct PublishExtras {
    /// `safetyProfile.allowDeletionOfReplicatedLocations`.
    pub allow_region_removal: bool,
    pub tags: BTreeMap<String, String>,
    /// When it was published (RFC 3339), instead of now.
    pub published: Option<String>,
}

/// Allow-lists a subscription for a restricted region; a subscription used for the first time
/// joins the caller's tenant (`ARM_TENANT_ID`, else the default one).
pub fn allowlist(e: &Emulator, subscription: &str, region: &str) -> Result<(), EmulatorError> {
    let tenant = std::env::var("ARM_TENANT_ID")
        .unwrap_or_else(|_| sigform_azure::resources::client_config::DEFAULT_TENANT.to_string());
    Ok(e.allowlist(subscription, &tenant, region)?)
}

/// A profile by name, or the error listing the known ones.
fn profile_named(name: &str) -> Result<&'static ServiceProfile, EmulatorError> {
    profiles::find(name).ok_or_else(|| {
        EmulatorError::Usage(format!(
            "unknown service profile \"{name}\"; the known ones are {}",
            profiles::names().join(", ")
        ))
    })
}

/// `emulator reset [--profile NAME]`: empties the cloud; the profile it emulates from now on.
pub fn reset(e: &Emulator, profile: Option<&str>) -> Result<&'static ServiceProfile, EmulatorError> {
    let chosen = profile.map(profile_named).transpose()?;
    e.reset(chosen)?;
    Ok(e.profile()?.unwrap_or(profiles::DEFAULT))
}

/// `emulator serve --profile NAME`: emulate that profile from now on.
pub fn set_profile(e: &Emulator, name: &str) -> Result<(), EmulatorError> {
    Ok(e.set_profile(profile_named(name)?)?)
}

/// `emulator register-feature SUBSCRIPTION [--feature F]`: the feature registered (by default
/// the first documented service's preview feature, the one profile 2018-06-01 requires).
pub fn register_feature(e: &Emulator, subscription: &str, feature: Option<&str>) -> Result<String, EmulatorError> {
    let feature = feature.unwrap_or(profiles::GALLERY_PREVIEW);
    e.register_feature(subscription, feature)?;
    Ok(feature.to_string())
}

/// A principal for `emulator add-principal`.
pub struct NewPrincipal<'a> {
    pub id: &'a str,
    pub tenant: &'a str,
    pub principal_type: &'a str,
    pub name: Option<&'a str>,
    /// Subscriptions it is given the Owner role on.
    pub owner_of: &'a [String],
    /// Built-in roles at scopes, as `ROLE=SCOPE`.
    pub grants: &'a [String],
    /// A client secret it signs in with.
    pub secret: Option<&'a str>,
    /// A PEM file with the certificate it signs client assertions with.
    pub certificate: Option<&'a std::path::Path>,
}

/// `emulator add-principal`: the principal in the directory, with its credentials and roles.
pub fn add_principal(e: &Emulator, p: &NewPrincipal) -> Result<(), EmulatorError> {
    if p.secret.is_some_and(str::is_empty) {
        return Err(EmulatorError::Usage("--secret must not be empty".into()));
    }
    let certificates = match p.certificate {
        None => Vec::new(),
        Some(path) => {
            let pem = std::fs::read(path)
                .map_err(|err| EmulatorError::Usage(format!("cannot read {}: {err}", path.display())))?;
            let found: Vec<Vec<u8>> = ureq::tls::parse_pem(&pem)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(c.der().to_vec()),
                    _ => None,
                })
                .collect();
            if found.is_empty() {
                return Err(EmulatorError::Usage(format!("{}: no PEM certificate in it", path.display())));
            }
            found
        }
    };
    let mut grants = Vec::new();
    for g in p.grants {
        let (role, scope) =
            g.split_once('=').filter(|(_, scope)| scope.starts_with("/subscriptions/")).ok_or_else(|| {
                EmulatorError::Usage(format!("--grant {g}: expected ROLE=SCOPE with a scope /subscriptions/…"))
            })?;
        let guid = sigform_azure::shape::built_in_role_guid(role).ok_or_else(|| {
            EmulatorError::Usage(format!("--grant {g}: `{role}` is not a built-in role the emulator knows"))
        })?;
        grants.push((guid, scope));
    }
    e.add_principal(p.id, p.tenant, p.principal_type, p.name)?;
    for (guid, scope) in grants {
        e.grant(p.id, scope, guid, p.tenant)?;
    }
    if let Some(secret) = p.secret {
        e.add_secret(p.id, secret)?;
    }
    for der in &certificates {
        e.add_certificate(p.id, der)?;
    }
    let owner = sigform_azure::shape::built_in_role_guid("Owner").expect("Owner is a built-in role");
    for subscription in p.owner_of {
        e.grant(p.id, &format!("/subscriptions/{subscription}"), owner, p.tenant)?;
    }
    Ok(())
}

/// `emulator add-federated-credential CLIENT --issuer URL --subject SUBJECT`: the tokens of that
/// issuer for that subject that the client may exchange for its own (workload identity).
pub fn add_federated_credential(
    e: &Emulator,
    client: &str,
    credential: &sigform_emulator::FederatedCredential,
) -> Result<(), EmulatorError> {
    if e.principal_tenant(client)?.is_none() {
        return Err(EmulatorError::Usage(format!(
            "no principal {client} in the emulator's directory: add it first with `sigform emulator add-principal`"
        )));
    }
    if credential.issuer.is_empty() || credential.subject.is_empty() {
        return Err(EmulatorError::Usage("--issuer and --subject must not be empty".into()));
    }
    Ok(e.add_federated_credential(client, credential)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_paths() {
        assert_eq!(literal("3").unwrap(), json!(3));
        assert_eq!(literal("\"x y\"").unwrap(), json!("x y"));
        assert_eq!(literal("eastus").unwrap(), json!("eastus"));
        assert_eq!(literal("true").unwrap(), json!(true));
        let mut attrs = json!({"target_region": [{"name": "East US", "regional_replica_count": 1}], "tags": {}});
        set_path(&mut attrs, "target_region[\"eastus\"].regional_replica_count", json!(4)).unwrap();
        set_path(&mut attrs, "tags.owner", json!("me")).unwrap();
        assert_eq!(attrs["target_region"][0]["regional_replica_count"], 4);
        assert_eq!(attrs["tags"]["owner"], "me");
        assert!(set_path(&mut attrs, "target_region[\"westus\"].x", json!(1)).is_err());
    }
}
