//! Image definitions: name and identifier rules, enumerated values, and the defaults the
//! service fills in. Updatable after creation: description, end-of-life date, the recommended
//! vCPU and memory ranges (and tags).

use super::{Context, TypeService, invalid, one_of, set_default, str_of};
use crate::Row;
use serde_json::{Value as Json, json};
use sigform_azure::cloud::CloudError;
use sigform_azure::names::definition_name_problem;

pub(super) struct ImageDefinition;

impl TypeService for ImageDefinition {
    fn updatable(&self) -> &'static [&'static str] {
        &["/properties/description", "/properties/endOfLifeDate", "/properties/recommended"]
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

fn fill_in(attrs: &mut Json) {
    set_default(attrs, "hyper_v_generation", json!("V1"));
    set_default(attrs, "architecture", json!("x64"));
    set_default(attrs, "specialized", json!(false));
}
