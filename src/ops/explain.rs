//! `explain`: look a rule up in the catalogue.

use crate::rules::{self, Rule};

#[derive(Debug, thiserror::Error)]
#[error("no rule {id}{}", suggestion.map(|s| format!("; did you mean {s}?")).unwrap_or_default())]
pub struct UnknownRule {
    pub id: String,
    pub suggestion: Option<&'static str>,
}

pub fn explain(id: &str) -> Result<&'static Rule, UnknownRule> {
    rules::find(id).ok_or_else(|| UnknownRule {
        id: id.to_string(),
        suggestion: crate::model::suggest(&id.to_uppercase(), rules::RULES.iter().map(|r| r.id)),
    })
}
