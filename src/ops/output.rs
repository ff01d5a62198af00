//! `output`: the outputs the state recorded at the last apply, all or one by name.

use crate::state::{Location, OutputState, StateError};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error(transparent)]
    State(#[from] StateError),
    #[error("no output named {name}{}", suggestion.as_ref().map(|s| format!("; did you mean {s}?")).unwrap_or_default())]
    NoSuchOutput { name: String, suggestion: Option<String> },
}

/// Every output, or the one named.
pub fn outputs(state: &Location, name: Option<&str>) -> Result<Vec<OutputState>, OutputError> {
    let outputs = super::state::outputs(state)?;
    let Some(name) = name else { return Ok(outputs) };
    match outputs.iter().position(|o| o.name == name) {
        Some(i) => Ok(vec![outputs[i].clone()]),
        None => Err(OutputError::NoSuchOutput {
            name: name.to_string(),
            suggestion: crate::model::suggest(name, outputs.iter().map(|o| o.name.as_str())).map(str::to_string),
        }),
    }
}
