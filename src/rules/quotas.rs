//! SIG401–SIG403: galleries, definitions and versions per subscription and region, against the
//! quotas of `sigform { quotas { ... } }`. The planner adds what already exists in the cloud.

use super::violation;
use crate::diagnostic::Diagnostic;
use crate::model::Desired;
use sigform_azure::regions;
use sigform_azure::schema::ResourceKind;
use std::collections::BTreeMap;

/// Resources that exist outside this configuration, per (lower-cased subscription, normalised
/// region, kind).
#[derive(Debug, Default)]
pub struct Existing {
    pub counts: BTreeMap<(String, String, ResourceKind), u64>,
}

pub(crate) fn check(desired: &Desired, existing: &Existing, out: &mut Vec<Diagnostic>) {
    let q = desired.settings.quotas();
    let mut counts: BTreeMap<(String, String, ResourceKind), u64> = existing.counts.clone();
    for inst in &desired.resources {
        let (rule, quota, noun) = match inst.kind() {
            ResourceKind::Gallery => ("SIG401", q.galleries, "galleries"),
            ResourceKind::ImageDefinition => ("SIG402", q.image_definitions, "image definitions"),
            ResourceKind::ImageVersion => ("SIG403", q.image_versions, "image versions"),
            _ => continue,
        };
        let Some(location) = inst.location() else {
            continue;
        };
        let n = counts.entry((inst.subscription_id.to_ascii_lowercase(), location.clone(), inst.kind())).or_insert(0);
        *n += 1;
        if *n == quota + 1 {
            out.push(
                violation(
                    rule,
                    format!(
                        "more than {quota} {noun} in {} for subscription {}: {} is number {}",
                        regions::display(&location),
                        inst.subscription_id,
                        inst.address,
                        *n
                    ),
                    inst.span_of("location"),
                )
                .help("ask Azure for a higher quota and set it in sigform { quotas { ... } }, or spread the resources over regions"),
            );
        }
    }
}
