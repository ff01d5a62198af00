//! Attribute paths as plans write them (`target_region[0].name`, `tags["owner"]`), taken apart
//! into segments: names and map keys as strings, list indexes as numbers.

use serde_json::{Value as Json, json};

/// `target_region["eastus"].name` → ["target_region", "eastus", "name"]; `a[0]` → ["a", 0].
pub fn segments(path: &str) -> Vec<Json> {
    let mut out = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']').unwrap_or(after.len());
            let inner = &after[..end];
            out.push(inner.parse::<u64>().map_or_else(|_| json!(inner.trim_matches('"')), |n| json!(n)));
            rest = after.get(end + 1..).unwrap_or("");
        } else {
            let rest_trim = rest.strip_prefix('.').unwrap_or(rest);
            let end = rest_trim.find(['.', '[']).unwrap_or(rest_trim.len());
            out.push(json!(&rest_trim[..end]));
            rest = &rest_trim[end..];
        }
    }
    out
}
