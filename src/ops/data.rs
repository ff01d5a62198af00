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
    fn read(&self, instance: &Instance) -> Option<BTreeMap<String, Value>> {
        if instance.kind() == ResourceKind::ClientConfig {
            return Some(BTreeMap::new());
        }
        let id = instance.id.as_deref()?;
        if instance.kind() == ResourceKind::ImageVersion && instance.attrs.str("name") == Some("latest") {
            let definition = arm_id::parent(id)?;
            let versions =
                sigform_azure::cloud::retry(5, || self.0.list(&ListScope::Definition(definition.clone()))).ok()?;
            let latest = versions
                .into_iter()
                .filter(|v| v.provisioning_state != "Deleting")
                .filter(|v| v.attributes.get("exclude_from_latest").and_then(|e| e.as_bool()) != Some(true))
                .filter_map(|v| {
                    let name = v.id.rsplit('/').next()?.to_string();
                    Some((sigform_azure::names::parse_version(&name)?, v))
                })
                .max_by_key(|(version, _)| *version)?;
            return Some(as_map(&latest.1.attributes));
        }
        let found = sigform_azure::cloud::retry(5, || self.0.get(id)).ok()??;
        Some(as_map(&found.attributes))
    }
}
