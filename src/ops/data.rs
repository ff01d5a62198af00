//! Data sources answered by the cloud: the resource their arguments name, read once each, and
//! `azurerm_shared_image_version` named `latest` resolved as Azure does — the highest version not
//! excluded from latest.

use crate::eval::DataResolver;
use crate::model::Instance;
use crate::model::value::Value;
use sigform_azure::arm_id;
use sigform_azure::cloud::{Cloud, ListScope};
use sigform_azure::schema::ResourceKind;
use std::collections::BTreeMap;

pub struct CloudData<'a>(pub &'a dyn Cloud);

fn as_map(json: &serde_json::Value) -> BTreeMap<String, Value> {
    match Value::from_json(json) {
        Value::Map(m) => m,
        _ => BTreeMap::new(),
    }
}

impl DataResolver for CloudData<'_> {
    fn provider_configured(&self, provider: &crate::model::Provider) -> Result<(), String> {
        self.0.sign_in_with(&provider.credentials).map_err(|e| format!("provider \"{}\": {}", provider.name, e.message))
    }

    /// A cloud failure is reported as what it is (`Err`), never as "no such resource".
    fn read(&self, instance: &Instance) -> Result<Option<BTreeMap<String, Value>>, String> {
        if instance.kind() == ResourceKind::ClientConfig {
            // Who the cloud is called as, known when planning (as Terraform knows it).
            let caller = self.0.caller_object_id().map_err(|e| e.to_string())?;
            return Ok(Some(caller.map(|oid| ("object_id".to_string(), Value::String(oid))).into_iter().collect()));
        }
        let Some(id) = instance.id.as_deref() else { return Ok(None) };
        if instance.kind() == ResourceKind::ImageVersion && instance.attrs.str("name") == Some("latest") {
            let Some(definition) = arm_id::parent(id) else { return Ok(None) };
            let versions =
                match sigform_azure::cloud::retry(5, || self.0.list(&ListScope::Definition(definition.clone()))) {
                    Ok(versions) => versions,
                    // The definition itself is not there: nothing is "latest".
                    Err(e) if e.status == 404 => return Ok(None),
                    Err(e) => return Err(e.to_string()),
                };
            let latest = versions
                .into_iter()
                .filter(|v| v.provisioning_state != "Deleting")
                .filter(|v| v.attributes.get("exclude_from_latest").and_then(|e| e.as_bool()) != Some(true))
                .filter_map(|v| {
                    let name = v.id.rsplit('/').next()?.to_string();
                    Some((sigform_azure::names::parse_version(&name)?, v))
                })
                .max_by_key(|(version, _)| *version);
            return Ok(latest.map(|(_, v)| as_map(&v.attributes)));
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
                read.entry(a.name.to_string()).or_insert(Value::Bool(false));
            }
            read
        }))
    }
}

/// Signs in with the credential arguments of the configuration's provider blocks, for the
/// commands that use the cloud without evaluating the configuration themselves (a saved plan's
/// apply, `status`). A configuration that cannot be evaluated now leaves the environment's
/// credentials in charge; a sign-in that fails says so at the first call that needs a token.
pub fn sign_in_from(load: &super::validate::Options, cloud: &dyn sigform_azure::cloud::Cloud) {
    if let Ok(loaded) = super::validate::load_evaluated(load, None, None) {
        for provider in &loaded.desired.providers {
            let _ = cloud.sign_in_with(&provider.credentials);
        }
    }
}
