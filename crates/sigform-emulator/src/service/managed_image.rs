//! Managed images (the source of versions): enumerated OS values and the default generation.
//! Nothing but tags changes after creation.

use super::{Context, invalid, one_of, set_default};
use serde_json::{Value as Json, json};
use sigform_azure::cloud::CloudError;

pub(super) const UPDATABLE: &[&str] = &[];

pub(super) fn check(attrs: &Json, _ctx: &Context) -> Result<(), CloudError> {
    let disk = attrs.get("os_disk").and_then(|d| d.get(0)).ok_or_else(|| invalid("os_disk is required"))?;
    one_of(disk, "os_type", &["Linux", "Windows"])?;
    one_of(disk, "os_state", &["Generalized", "Specialized"])
}

pub(super) fn fill(attrs: &mut Json) {
    set_default(attrs, "hyper_v_generation", json!("V1"));
}
