//! SIG701–SIG702: what `latest` resolves to, and old versions still replicated everywhere.

use super::violation;
use crate::diagnostic::Diagnostic;
use crate::model::{Desired, Instance};
use sigform_azure::names::parse_version;
use sigform_azure::schema::ResourceKind;
use sigform_azure::{arm_id, regions};
use std::collections::BTreeMap;

/// The monthly storage of a version's replicas outside its source region (USD, at the configured
/// or shipped prices).
fn savings(v: &Instance, source: &str, desired: &Desired, by_id: &crate::model::ById<'_>) -> f64 {
    use sigform_azure::prices::{DEFAULT_IMAGE_GB, monthly};
    let prices = desired.settings.prices.table();
    let gb = v
        .attrs
        .str("managed_image_id")
        .and_then(|id| by_id.get(&crate::fast_hash::Caseless(id)))
        .and_then(|image| image.attrs.blocks("os_disk").first()?.attrs.num("size_gb"))
        .unwrap_or(DEFAULT_IMAGE_GB);
    let mut attrs = crate::model::value::Value::Map(v.attrs.to_value()).to_json();
    if let Some(list) = attrs.get_mut("target_region").and_then(|l| l.as_array_mut()) {
        list.retain(|r| r.get("name").and_then(|n| n.as_str()).map(regions::normalize).as_deref() != Some(source));
    }
    monthly(&attrs, gb, &prices)
}

pub(super) fn check(desired: &Desired, by_id: &crate::model::ById<'_>, out: &mut Vec<Diagnostic>) {
    let mut by_definition: BTreeMap<String, Vec<&Instance>> = BTreeMap::new();
    for inst in desired.resources.iter().filter(|i| i.kind() == ResourceKind::ImageVersion) {
        if let Some(parent) = inst.id.as_deref().and_then(arm_id::parent_in) {
            by_definition.entry(parent.to_ascii_lowercase()).or_default().push(inst);
        }
    }
    for (definition_id, versions) in &by_definition {
        let excluded = |v: &&Instance| {
            v.attrs.bool("exclude_from_latest") == Some(true) || {
                let regions = v.attrs.blocks("target_region");
                !regions.is_empty() && regions.iter().all(|r| r.attrs.bool("exclude_from_latest_enabled") == Some(true))
            }
        };
        if versions.iter().all(excluded) {
            let definition = by_id.get(&crate::fast_hash::Caseless(definition_id));
            let span = definition.map_or_else(|| versions[0].span.clone(), |d| d.span.clone());
            let name = definition.map_or_else(|| definition_id.clone(), |d| d.address.to_string());
            out.push(violation(
                "SIG701",
                format!("every version of {name} is excluded from latest, so `latest` resolves to nothing"),
                span,
            ));
        }
        if let Some(keep) = desired.settings.keep_latest_in_all_regions {
            let mut sorted: Vec<(&Instance, (u32, u32, u32))> =
                versions.iter().filter_map(|v| Some((*v, parse_version(v.attrs.str("name")?)?))).collect();
            sorted.sort_by_key(|v| std::cmp::Reverse(v.1));
            for (v, _) in sorted.into_iter().skip(keep as usize) {
                let Some(source) = v.location() else { continue };
                let beyond: Vec<String> = v
                    .attrs
                    .blocks("target_region")
                    .iter()
                    .filter_map(|r| r.attrs.str("name"))
                    .filter(|n| regions::normalize(n) != source)
                    .map(regions::display)
                    .collect();
                if !beyond.is_empty() {
                    out.push(
                        violation(
                            "SIG702",
                            format!(
                                "{} is older than the newest {keep} but still replicated to {}",
                                v.address,
                                beyond.join(", ")
                            ),
                            v.span.clone(),
                        )
                        .help(format!(
                            "keep it only in its source region, {}: that saves about ${:.2} a month",
                            regions::display(&source),
                            savings(v, &source, desired, by_id)
                        )),
                    );
                }
            }
        }
    }
}
