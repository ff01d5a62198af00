//! `output`: one output's value (shown even when sensitive: asking by name is asking to see it, as
//! Terraform does), or all of them with sensitive values hidden; as HCL or JSON.

use super::plan::hcl;
use crate::state::OutputState;

pub fn one(o: &OutputState, json: bool) -> String {
    if json { o.value.to_string() } else { hcl(&o.value) }
}

pub fn all(outputs: &[OutputState], json: bool) -> String {
    if json {
        let map: serde_json::Map<String, serde_json::Value> = outputs
            .iter()
            .map(|o| (o.name.clone(), serde_json::json!({"sensitive": o.sensitive, "value": o.value})))
            .collect();
        return format!("{}\n", serde_json::Value::Object(map));
    }
    outputs
        .iter()
        .map(|o| {
            let v = if o.sensitive { crate::plan::drift::SENSITIVE.to_string() } else { hcl(&o.value) };
            format!("{} = {v}\n", o.name)
        })
        .collect()
}
