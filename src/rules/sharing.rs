//! SIG601: role assignments share galleries, definitions or versions, nothing else. (SIG602,
//! principals of another tenant, needs the directory and runs in the planner.)

use super::violation;
use crate::diagnostic::Diagnostic;
use crate::model::Desired;
use sigform_azure::arm_id::ArmId;
use sigform_azure::schema::ResourceKind;

pub(super) fn check(desired: &Desired, out: &mut Vec<Diagnostic>) {
    for inst in desired.resources.iter().filter(|i| i.kind() == ResourceKind::RoleAssignment) {
        let Some(scope) = inst.attrs.str("scope") else {
            continue;
        };
        let kind = ArmId::parse(scope).map(|p| p.kind);
        if !matches!(kind, Some(ResourceKind::Gallery | ResourceKind::ImageDefinition | ResourceKind::ImageVersion)) {
            let what = match kind {
                Some(ResourceKind::ResourceGroup) => "a resource group",
                Some(ResourceKind::ManagedImage) => "a managed image",
                _ => "not a gallery resource",
            };
            out.push(
                violation("SIG601", format!("role assignment scope \"{scope}\" is {what}"), inst.span_of("scope"))
                    .help("share a gallery, an image definition or an image version: scope = azurerm_shared_image_gallery.NAME.id"),
            );
        }
    }
}
