//! Image definitions: name and identifier rules, enumerated values, and the defaults the
//! service fills in. Updatable after creation: description, end-of-life date, the recommended
//! vCPU and memory ranges (and tags).

use super::{Context, invalid, one_of, set_default, str_of};
use serde_json::{Value as Json, json};
use sigform_azure::cloud::CloudError;
use sigform_azure::names::definition_name_problem;

pub(super) const UPDATABLE: &[&str] =
    &["/properties/description", "/properties/endOfLifeDate", "/properties/recommended"];

pub(super) fn check(attrs: &Json, ctx: &Context) -> Result<(), CloudError> {
    let name = ctx.parsed.names.get(1).map(String::as_str).unwrap_or("");
    if let Some(problem) = definition_name_problem(name) {
        return Err(invalid(format!("image definition name '{name}' {problem}")));
    }
    one_of(attrs, "os_type", &["Linux", "Windows"])?;
    one_of(attrs, "hyper_v_generation", &["V1", "V2"])?;
    one_of(attrs, "architecture", &["x64", "Arm64"])?;
    let identifier = attrs.get("identifier").and_then(|i| i.get(0)).ok_or_else(|| invalid("identifier is required"))?;
    for (field, max) in [("publisher", 128), ("offer", 64), ("sku", 64)] {
        let v = str_of(identifier, field).unwrap_or("");
        if v.is_empty() || v.chars().count() > max || v.ends_with('.') {
            return Err(invalid(format!("identifier {field} '{v}' is invalid")));
        }
    }
    Ok(())
}

pub(super) fn fill(attrs: &mut Json) {
    set_default(attrs, "hyper_v_generation", json!("V1"));
    set_default(attrs, "architecture", json!("x64"));
    set_default(attrs, "specialized", json!(false));
}
