//! SIG208: the first documented service (profile 2018-06-01) required each subscription to
//! register the preview feature `Microsoft.Compute/GalleryPreview` before any gallery resource
//! could be created. Which subscriptions have not is the cloud's to say; the planner asks and
//! hands the answer here.

use super::violation;
use crate::diagnostic::Diagnostic;
use crate::model::Desired;
use sigform_azure::schema::ResourceKind;
use std::collections::BTreeSet;

/// The kinds the feature gates.
pub fn needs_feature(kind: ResourceKind) -> bool {
    matches!(kind, ResourceKind::Gallery | ResourceKind::ImageDefinition | ResourceKind::ImageVersion)
}

/// One error per unregistered subscription, at its first gallery resource.
pub(crate) fn check(desired: &Desired, unregistered: &BTreeSet<String>, out: &mut Vec<Diagnostic>) {
    let profile = desired.settings.profile;
    let Some(feature) = profile.required_feature else { return };
    let mut reported = BTreeSet::new();
    for inst in desired.resources.iter().filter(|i| needs_feature(i.kind())) {
        let subscription = inst.subscription_id.to_ascii_lowercase();
        if !unregistered.contains(&subscription) || !reported.insert(subscription.clone()) {
            continue;
        }
        out.push(
            violation(
                "SIG208",
                format!(
                    "subscription {} has not registered Microsoft.Compute/{feature}, which service profile {} requires before any gallery resource is created ({} is the first here)",
                    inst.subscription_id, profile.name, inst.address
                ),
                inst.span.clone(),
            )
            .help(format!(
                "az feature register --namespace Microsoft.Compute --name {feature}, then az provider register --namespace Microsoft.Compute (the embedded cloud: sigform emulator register-feature {})",
                inst.subscription_id
            )),
        );
    }
}
