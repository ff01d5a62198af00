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
        let o = &desired.settings.quota_overrides;
        let (rule, quota, noun, configured) = match inst.kind() {
            ResourceKind::Gallery => ("SIG401", q.galleries, "galleries", o.galleries.is_some()),
            ResourceKind::ImageDefinition => {
                ("SIG402", q.image_definitions, "image definitions", o.image_definitions.is_some())
            }
            ResourceKind::ImageVersion => ("SIG403", q.image_versions, "image versions", o.image_versions.is_some()),
            _ => continue,
        };
        // Whose quota it is: the configuration's, or the profile's default (named, since the
        // profiles' defaults differ tenfold).
        let whose = if configured {
            "the configured quota".to_string()
        } else {
            format!("service profile {}'s default quota", desired.settings.profile.name)
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
                        "more than {quota} {noun} in {} for subscription {} ({whose}): {} is number {}",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::tests::desired_under;

    /// Each quota at both ceilings, counted (not created): what already exists plus what the
    /// configuration declares, per subscription and region.
    #[test]
    fn quotas_are_counted_at_each_profiles_ceiling() {
        let kinds = [
            (ResourceKind::Gallery, "SIG401", 10, 100),
            (ResourceKind::ImageDefinition, "SIG402", 200, 1000),
            (ResourceKind::ImageVersion, "SIG403", 2000, 10000),
        ];
        for (profile, old) in [("2018-06-01", true), ("current", false)] {
            let desired = desired_under(profile);
            for (kind, rule, ceiling_2018, ceiling_today) in kinds {
                let ceiling = if old { ceiling_2018 } else { ceiling_today };
                let declared = desired.resources.iter().filter(|i| i.kind() == kind).count() as u64;
                let location = desired.resources.iter().find(|i| i.kind() == kind).and_then(|i| i.location()).unwrap();
                let key = |n| {
                    let mut e = Existing::default();
                    e.counts.insert(("00000000-0000-0000-0000-000000000000".into(), location.clone(), kind), n);
                    e
                };
                let fired = |n: u64| {
                    let mut out = Vec::new();
                    check(&desired, &key(n), &mut out);
                    out.iter().filter(|d| d.rule == rule).map(|d| d.message.clone()).collect::<Vec<_>>()
                };
                assert!(fired(ceiling - declared).is_empty(), "{profile} {rule}: exactly at the ceiling fits");
                let over = fired(ceiling - declared + 1);
                assert_eq!(over.len(), 1, "{profile} {rule}: one over the ceiling");
                assert!(over[0].contains(&format!("more than {ceiling} ")), "{}", over[0]);
                assert!(over[0].contains(&format!("service profile {profile}'s default quota")), "{}", over[0]);
            }
        }
    }
}
