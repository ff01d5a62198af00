//! Image definitions: name and identifier rules, enumerated values, the security type (one, on
//! generation 2 only), and the defaults the service fills in. Updatable after creation:
//! description, release notes, end-of-life date, the recommended vCPU and memory ranges, the
//! disallowed disk types (and tags).

use super::{Context, TypeService, invalid, one_of, set_default, str_of};
use crate::Row;
use serde_json::{Value as Json, json};
use sigform_azure::cloud::CloudError;
use sigform_azure::names::definition_name_problem;

pub(super) struct ImageDefinition;

impl TypeService for ImageDefinition {
    fn updatable(&self) -> &'static [&'static str] {
        &[
            "/properties/description",
            "/properties/releaseNoteUri",
            "/properties/endOfLifeDate",
            "/properties/recommended",
            "/properties/disallowed",
        ]
    }

    fn check(&self, attrs: &Json, ctx: &Context) -> Result<(), CloudError> {
        check_write(attrs, ctx)
    }

    fn fill(&self, _id: &str, attrs: &mut Json, _existing: Option<&Row>) {
        fill_in(attrs)
    }
}

fn check_write(attrs: &Json, ctx: &Context) -> Result<(), CloudError> {
    let name = ctx.parsed.names.get(1).map(String::as_str).unwrap_or("");
    if let Some(problem) = definition_name_problem(name) {
        return Err(invalid(format!("image definition name '{name}' {problem}")));
    }
    one_of(attrs, "os_type", "properties.osType", &["Linux", "Windows"])?;
    one_of(attrs, "hyper_v_generation", "properties.hyperVGeneration", &["V1", "V2"])?;
    one_of(attrs, "architecture", "properties.architecture", &["x64", "Arm64"])?;
    let security: Vec<&str> = sigform_azure::resources::image_definition::SECURITY_TYPES
        .iter()
        .copied()
        .filter(|a| attrs.get(*a).and_then(Json::as_bool) == Some(true))
        .collect();
    if security.len() > 1 {
        return Err(invalid("an image definition has at most one SecurityType feature"));
    }
    if !security.is_empty() && str_of(attrs, "hyper_v_generation").unwrap_or("V1") != "V2" {
        return Err(invalid("the SecurityType feature is supported for HyperVGeneration V2 images only"));
    }
    if str_of(attrs, "architecture") == Some("Arm64") && str_of(attrs, "hyper_v_generation").unwrap_or("V1") != "V2" {
        return Err(invalid("Arm64 images must be HyperVGeneration V2"));
    }
    for disk_type in attrs.get("disk_types_not_allowed").and_then(Json::as_array).into_iter().flatten() {
        if !matches!(disk_type.as_str(), Some("Standard_LRS" | "Premium_LRS")) {
            return Err(invalid(format!("disallowed disk type {disk_type} is not a disk type")));
        }
    }
    let identifier = attrs.get("identifier").and_then(|i| i.get(0)).ok_or_else(|| invalid("identifier is required"))?;
    for (field, max) in [("publisher", 128), ("offer", 64), ("sku", 64)] {
        let v = str_of(identifier, field).unwrap_or("");
        if v.is_empty() || v.chars().count() > max || v.ends_with('.') {
            return Err(invalid(format!("identifier {field} '{v}' is invalid")));
        }
    }
    Ok(())
}

fn fill_in(attrs: &mut Json) {
    set_default(attrs, "hyper_v_generation", json!("V1"));
    set_default(attrs, "architecture", json!("x64"));
    set_default(attrs, "specialized", json!(false));
}
