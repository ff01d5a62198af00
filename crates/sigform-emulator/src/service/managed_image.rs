//! Managed images (the source of versions): enumerated OS values and the default generation.
//! Nothing but tags changes after creation.

use super::{Context, TypeService, invalid, one_of, set_default};
use crate::Row;
use serde_json::{Value as Json, json};
use sigform_azure::cloud::CloudError;

pub(super) struct ManagedImage;

impl TypeService for ManagedImage {
    fn updatable(&self) -> &'static [&'static str] {
        &[]
    }

    fn check(&self, attrs: &Json, ctx: &Context) -> Result<(), CloudError> {
        check_write(attrs, ctx)
    }

    fn fill(&self, _id: &str, attrs: &mut Json, _existing: Option<&Row>) {
        fill_in(attrs)
    }
}

fn check_write(attrs: &Json, _ctx: &Context) -> Result<(), CloudError> {
    let disk = attrs
        .get("os_disk")
        .and_then(|d| d.get(0))
        .ok_or_else(|| invalid("properties.storageProfile.osDisk is required"))?;
    one_of(disk, "os_type", "properties.storageProfile.osDisk.osType", &["Linux", "Windows"])?;
    one_of(disk, "os_state", "properties.storageProfile.osDisk.osState", &["Generalized", "Specialized"])
}

fn fill_in(attrs: &mut Json) {
    set_default(attrs, "hyper_v_generation", json!("V1"));
}
