//! `sigform output [NAME] [--json]`.

use super::{CliResult, Global};
use crate::exit::ExitStatus;
use crate::render::plan::hcl;

pub fn run(global: &Global, name: Option<&str>, json: bool) -> CliResult {
    let outputs = crate::ops::state::outputs(&global.state_location()?)?;
    match name {
        Some(name) => {
            let Some(o) = outputs.iter().find(|o| o.name == name) else {
                let hint = crate::model::suggest(name, outputs.iter().map(|o| o.name.as_str()))
                    .map(|s| format!("; did you mean {s}?"))
                    .unwrap_or_default();
                return Err(format!("no output named {name}{hint}").into());
            };
            // Asking for one output by name is asking to see it, sensitive or not (as Terraform does).
            println!("{}", if json { o.value.to_string() } else { hcl(&o.value) });
        }
        None if json => {
            let map: serde_json::Map<String, serde_json::Value> = outputs
                .iter()
                .map(|o| (o.name.clone(), serde_json::json!({"sensitive": o.sensitive, "value": o.value})))
                .collect();
            println!("{}", serde_json::Value::Object(map));
        }
        None => {
            for o in &outputs {
                let v = if o.sensitive { "(sensitive value)".to_string() } else { hcl(&o.value) };
                println!("{} = {v}", o.name);
            }
        }
    }
    Ok(ExitStatus::Success)
}
