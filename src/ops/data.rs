//! Data sources answered by the cloud: the resource their arguments name, read once each, and
//! `azurerm_shared_image_version` named `latest` resolved as Azure does — the highest version not
//! excluded from latest.

use crate::eval::DataResolver;
use crate::model::Instance;
use crate::model::value::{Map as ValueMap, Value};
use sigform_azure::arm_id;
use sigform_azure::cloud::{Cloud, ListScope};
use sigform_azure::schema::ResourceKind;
use std::collections::BTreeMap;

pub struct CloudData<'a>(pub &'a dyn Cloud);

/// A list data source's `tags_filter`: the tags what it lists must carry.
fn tags_filter(instance: &Instance) -> BTreeMap<String, String> {
    match instance.attrs.known("tags_filter") {
        Some(Value::Map(m)) => m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect(),
        _ => BTreeMap::new(),
    }
}

/// Whether attributes carry every tag of `filter`.
fn has_tags(attributes: &serde_json::Value, filter: &BTreeMap<String, String>) -> bool {
    let tags = attributes.get("tags");
    filter.iter().all(|(k, want)| tags.and_then(|t| t.get(k)).and_then(|t| t.as_str()) == Some(want.as_str()))
}

fn as_map(json: &serde_json::Value) -> ValueMap {
    match Value::from_json(json) {
        Value::Map(m) => m,
        _ => ValueMap::default(),
    }
}

impl DataResolver for CloudData<'_> {
    fn provider_configured(&self, provider: &crate::model::Provider) -> Result<(), String> {
        self.0.sign_in_with(&provider.credentials).map_err(|e| format!("provider \"{}\": {}", provider.name, e.message))
    }

    /// A cloud failure is reported as what it is (`Err`), never as "no such resource".
    fn read(&self, instance: &Instance) -> Result<Option<ValueMap>, String> {
        if instance.schema.type_name == "azurerm_subscription" {
            return self.subscription(instance);
        }
        if instance.kind() == ResourceKind::RoleDefinition {
            return self.role_definition(instance);
        }
        if instance.schema.type_name == "azurerm_images" {
            let Some(id) = instance.id.as_deref() else { return Ok(None) };
            return self.images_of(instance, id);
        }
        if instance.kind() == ResourceKind::ClientConfig {
            // Who the cloud is called as, known when planning (as Terraform knows it).
            let caller = self.0.caller_object_id().map_err(|e| e.to_string())?;
            return Ok(Some(caller.map(|oid| ("object_id".to_string(), Value::String(oid))).into_iter().collect()));
        }
        let Some(id) = instance.id.as_deref() else { return Ok(None) };
        if instance.schema.type_name == "azurerm_shared_image_versions" {
            return self.versions_of(instance, id);
        }
        if instance.schema.type_name == "azurerm_image" && instance.attrs.str("name").is_none() {
            return self.image_by_regex(instance, id);
        }
        let wanted = instance.attrs.str("name");
        if instance.kind() == ResourceKind::ImageVersion && matches!(wanted, Some("latest" | "recent")) {
            let Some(definition) = arm_id::parent(id) else { return Ok(None) };
            let versions =
                match sigform_azure::cloud::retry(5, || self.0.list(&ListScope::Definition(definition.clone()))) {
                    Ok(versions) => versions,
                    // The definition itself is not there: nothing is "latest".
                    Err(e) if e.status == 404 => return Ok(None),
                    Err(e) => return Err(e.to_string()),
                };
            let versions = versions.into_iter().filter(|v| v.provisioning_state != "Deleting");
            let chosen = if wanted == Some("recent") {
                // The one published last, as azurerm reads it (exclude-from-latest aside).
                versions
                    .filter_map(|v| {
                        let date = v.attributes.get("published_date")?.as_str()?;
                        Some(((sigform_azure::timestamp::parse_rfc3339(date)?, date.to_string()), v))
                    })
                    .max_by(|(a, _), (b, _)| a.cmp(b))
                    .map(|(_, v)| v)
            } else {
                let mut eligible = versions
                    .filter(|v| v.attributes.get("exclude_from_latest").and_then(|e| e.as_bool()) != Some(true));
                if instance.attrs.bool("sort_versions_by_semver") == Some(true) {
                    eligible
                        .filter_map(|v| {
                            let name = v.id.rsplit('/').next()?.to_string();
                            Some((sigform_azure::names::parse_version(&name)?, v))
                        })
                        .max_by_key(|(version, _)| *version)
                        .map(|(_, v)| v)
                } else {
                    // azurerm takes the last version of the list as the service returns it.
                    eligible.next_back()
                }
            };
            return Ok(chosen.map(|v| as_map(&v.attributes)));
        }
        let found = sigform_azure::cloud::retry(5, || self.0.get(id)).map_err(|e| e.to_string())?;
        // A gallery's data source also names its image definitions (one list call).
        let image_names = match (&found, instance.kind()) {
            (Some(_), ResourceKind::Gallery) => {
                let definitions = sigform_azure::cloud::retry(5, || self.0.list(&ListScope::Gallery(id.to_string())))
                    .map_err(|e| e.to_string())?;
                let mut names: Vec<Value> = definitions
                    .iter()
                    .filter(|d| d.provisioning_state != "Deleting")
                    .filter_map(|d| d.id.rsplit('/').next().map(Value::string))
                    .collect();
                names.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
                Some(Value::List(names))
            }
            _ => None,
        };
        Ok(found.map(|r| {
            let mut read = as_map(&r.attributes);
            if let Some(names) = image_names {
                read.insert("image_names".into(), names);
            }
            // A flag the cloud does not report (an image definition's features) is false, as
            // azurerm's data source has it, never null.
            for a in instance.schema.attrs.iter().filter(|a| a.ty == sigform_azure::schema::AttrType::Bool) {
                read.entry_or_insert_with(a.name, || Value::Bool(false));
            }
            read
        }))
    }
}

impl CloudData<'_> {
    /// `azurerm_role_definition`: a built-in role (from the table every cloud shares) or a custom
    /// one (from the cloud), by `role_definition_id` (a GUID or a full id) or by `name`, at
    /// `scope` (the provider's subscription when not given).
    fn role_definition(&self, instance: &Instance) -> Result<Option<ValueMap>, String> {
        let scope = instance
            .attrs
            .str("scope")
            .map_or_else(|| format!("/subscriptions/{}", instance.subscription_id), str::to_string);
        let subscription = sigform_azure::cloud::subscription_of(&scope);
        let wanted_guid =
            instance.attrs.str("role_definition_id").and_then(|i| i.rsplit('/').next()).map(str::to_string);
        let wanted_name = instance.attrs.str("name");
        let list = |l: &[&str]| Value::List(l.iter().map(|s| Value::string(*s)).collect());
        let built_in = sigform_azure::shape::BUILT_IN_ROLES.iter().find(|(name, guid)| {
            wanted_guid.as_deref().map_or_else(
                || wanted_name.is_some_and(|w| w.eq_ignore_ascii_case(name)),
                |g| g.eq_ignore_ascii_case(guid),
            )
        });
        let mut read = ValueMap::default();
        if let Some((name, guid)) = built_in {
            let (actions, not_actions) = sigform_azure::rbac::built_in_permissions(guid).unwrap_or((&[], &[]));
            let mut permission = ValueMap::default();
            permission.insert("actions".to_string(), list(actions));
            permission.insert("not_actions".to_string(), list(not_actions));
            permission.insert("data_actions".to_string(), Value::List(Vec::new()));
            permission.insert("not_data_actions".to_string(), Value::List(Vec::new()));
            read.insert("name".into(), Value::string(*name));
            read.insert("role_definition_id".into(), Value::string(*guid));
            read.insert("id".into(), Value::string(sigform_azure::shape::role_definition_id(&subscription, guid)));
            read.insert("type".into(), Value::string("BuiltInRole"));
            read.insert("description".into(), Value::string(format!("the built-in role {name}")));
            read.insert("permissions".into(), Value::List(vec![Value::Map(permission)]));
            read.insert("assignable_scopes".into(), list(&["/"]));
            return Ok(Some(read));
        }
        let custom = sigform_azure::cloud::retry(5, || self.0.list(&ListScope::RoleDefinitions(scope.clone())))
            .map_err(|e| e.to_string())?;
        let found = custom.into_iter().find(|d| {
            let name = d.attributes.get("name").and_then(serde_json::Value::as_str).unwrap_or_default();
            wanted_guid.as_deref().map_or_else(
                || wanted_name.is_some_and(|w| w.eq_ignore_ascii_case(name)),
                |g| d.id.rsplit('/').next().is_some_and(|id| id.eq_ignore_ascii_case(g)),
            )
        });
        Ok(found.map(|d| {
            let mut attributes = d.attributes.clone();
            // Every list of the permissions is there, empty when the role names none.
            let mut permission = attributes.pointer("/permissions/0").cloned().unwrap_or(serde_json::json!({}));
            for k in ["actions", "not_actions", "data_actions", "not_data_actions"] {
                if permission.get(k).is_none_or(serde_json::Value::is_null) {
                    permission[k] = serde_json::json!([]);
                }
            }
            attributes["permissions"] = serde_json::json!([permission]);
            let mut read = as_map(&attributes);
            read.insert("type".into(), Value::string("CustomRole"));
            read.insert("id".into(), Value::string(d.id.clone()));
            read.remove("role_definition_resource_id");
            read
        }))
    }

    /// `azurerm_subscription`: the subscription as ARM describes it.
    fn subscription(&self, instance: &Instance) -> Result<Option<ValueMap>, String> {
        let Some(id) = instance.attrs.str("subscription_id") else { return Ok(None) };
        let Some(found) = sigform_azure::cloud::retry(5, || self.0.subscription(id)).map_err(|e| e.to_string())? else {
            return Ok(None);
        };
        let text = |pointer: &str| found.pointer(pointer).and_then(serde_json::Value::as_str).map(Value::string);
        let mut read = ValueMap::default();
        for (attr, pointer) in [
            ("display_name", "/displayName"),
            ("tenant_id", "/tenantId"),
            ("state", "/state"),
            ("location_placement_id", "/subscriptionPolicies/locationPlacementId"),
            ("quota_id", "/subscriptionPolicies/quotaId"),
            ("spending_limit", "/subscriptionPolicies/spendingLimit"),
        ] {
            read.insert(attr.to_string(), text(pointer).unwrap_or(Value::Null));
        }
        let tags = found.get("tags").filter(|t| t.is_object()).cloned().unwrap_or(serde_json::json!({}));
        read.insert("tags".into(), Value::from_json(&tags));
        read.insert("subscription_id".into(), Value::string(id.to_ascii_lowercase()));
        read.insert("id".into(), Value::string(format!("/subscriptions/{}", id.to_ascii_lowercase())));
        Ok(Some(read))
    }

    /// `azurerm_images`: the managed images of a resource group (`group` is its id) whose tags
    /// include `tags_filter`, in name order; none found is an error, as in azurerm.
    fn images_of(&self, instance: &Instance, group: &str) -> Result<Option<ValueMap>, String> {
        let subscription = sigform_azure::cloud::subscription_of(group);
        let listed = sigform_azure::cloud::retry(5, || self.0.list(&ListScope::Subscription(subscription.clone())))
            .map_err(|e| e.to_string())?;
        let filter = tags_filter(instance);
        let prefix = format!("{}/", group.to_ascii_lowercase());
        let mut images: Vec<serde_json::Value> = listed
            .into_iter()
            .filter(|r| r.kind == ResourceKind::ManagedImage && r.provisioning_state != "Deleting")
            .filter(|r| r.id.to_ascii_lowercase().starts_with(&prefix))
            .filter(|r| has_tags(&r.attributes, &filter))
            .map(|r| {
                let a = &r.attributes;
                serde_json::json!({
                    "name": r.id.rsplit('/').next().unwrap_or_default(),
                    "location": r.location,
                    "zone_resilient": false,
                    "os_disk": a.get("os_disk").cloned().unwrap_or(serde_json::json!([])),
                    "data_disk": [],
                    "tags": a.get("tags").filter(|t| !t.is_null()).cloned().unwrap_or(serde_json::json!({})),
                })
            })
            .collect();
        if images.is_empty() {
            return Err(format!("no images found in {group} (azurerm's data source fails the same way)"));
        }
        images.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
        let mut read = ValueMap::default();
        read.insert("images".to_string(), Value::from_json(&serde_json::Value::Array(images)));
        read.insert("id".to_string(), Value::string(group));
        Ok(Some(read))
    }

    /// `azurerm_image` with `name_regex`: the images of the resource group (`group` is its id)
    /// whose names match, in name order — descending with `sort_descending` — the first one; no
    /// match is no such resource.
    fn image_by_regex(&self, instance: &Instance, group: &str) -> Result<Option<ValueMap>, String> {
        let Some(pattern) = instance.attrs.str("name_regex") else {
            return Err("set `name` or `name_regex`".into());
        };
        let regex = regex::Regex::new(pattern)
            .map_err(|e| format!("name_regex `{pattern}` is not a regular expression: {e}"))?;
        let subscription = sigform_azure::cloud::subscription_of(group);
        let listed = sigform_azure::cloud::retry(5, || self.0.list(&ListScope::Subscription(subscription.clone())))
            .map_err(|e| e.to_string())?;
        let prefix = format!("{}/", group.to_ascii_lowercase());
        let mut images: Vec<_> = listed
            .into_iter()
            .filter(|r| r.kind == ResourceKind::ManagedImage && r.provisioning_state != "Deleting")
            .filter(|r| r.id.to_ascii_lowercase().starts_with(&prefix))
            .filter(|r| r.id.rsplit('/').next().is_some_and(|name| regex.is_match(name)))
            .collect();
        images.sort_by_cached_key(|r| r.id.rsplit('/').next().unwrap_or_default().to_string());
        if instance.attrs.get("sort_descending").is_some_and(|a| a.value == Value::Bool(true)) {
            images.reverse();
        }
        Ok(images.into_iter().next().map(|r| {
            let mut read = as_map(&r.attributes);
            read.insert("name".into(), Value::string(r.id.rsplit('/').next().unwrap_or_default()));
            read.insert("id".into(), Value::string(&r.id));
            read
        }))
    }

    /// `azurerm_shared_image_versions`: the definition's versions (those whose tags include
    /// `tags_filter`), lowest version first, one list call. Like azurerm's, a definition without
    /// any is an error; a definition that is not there is no such resource.
    fn versions_of(&self, instance: &Instance, definition: &str) -> Result<Option<ValueMap>, String> {
        let versions =
            match sigform_azure::cloud::retry(5, || self.0.list(&ListScope::Definition(definition.to_string()))) {
                Ok(v) => v,
                Err(e) if e.status == 404 => return Ok(None),
                Err(e) => return Err(e.to_string()),
            };
        let filter = tags_filter(instance);
        let mut found: Vec<_> = versions
            .into_iter()
            .filter(|v| v.provisioning_state != "Deleting")
            .filter(|v| has_tags(&v.attributes, &filter))
            .map(|v| {
                let a = &v.attributes;
                let name = v.id.rsplit('/').next().unwrap_or_default().to_string();
                let regions: Vec<serde_json::Value> = a
                    .get("target_region")
                    .and_then(serde_json::Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|r| {
                        serde_json::json!({
                            "name": r.get("name"),
                            "regional_replica_count": r.get("regional_replica_count"),
                            "storage_account_type": r.get("storage_account_type").cloned().unwrap_or_else(|| a.get("storage_account_type").cloned().unwrap_or(serde_json::json!("Standard_LRS"))),
                        })
                    })
                    .collect();
                let image = serde_json::json!({
                    "name": name,
                    "id": v.id,
                    "location": v.location,
                    "managed_image_id": a.get("managed_image_id"),
                    "exclude_from_latest": a.get("exclude_from_latest").and_then(serde_json::Value::as_bool).unwrap_or(false),
                    "tags": a.get("tags").filter(|t| !t.is_null()).cloned().unwrap_or(serde_json::json!({})),
                    "target_region": regions,
                });
                (sigform_azure::names::parse_version(&name), image)
            })
            .collect();
        if found.is_empty() {
            return Err(format!("no image versions found in {definition} (azurerm's data source fails the same way)"));
        }
        found.sort_by_key(|(version, _)| *version);
        let images = serde_json::Value::Array(found.into_iter().map(|(_, image)| image).collect());
        let mut read = ValueMap::default();
        read.insert("images".to_string(), Value::from_json(&images));
        read.insert("id".to_string(), Value::string(definition));
        Ok(Some(read))
    }
}

/// Signs in with the credential arguments of the configuration's provider blocks, for the
/// commands that use the cloud without evaluating the configuration themselves (a saved plan's
/// apply, `status`). A configuration that cannot be evaluated now leaves the environment's
/// credentials in charge; a sign-in that fails says so at the first call that needs a token.
pub fn sign_in_from(load: &super::validate::Options, cloud: &dyn sigform_azure::cloud::Cloud) {
    // The embedded emulator signs nobody in: no evaluation for it.
    if !cloud.signs_in() {
        return;
    }
    if let Ok(loaded) = super::validate::load_evaluated(load, None, None) {
        for provider in &loaded.desired.providers {
            let _ = cloud.sign_in_with(&provider.credentials);
        }
    }
}
