//! SIG111: an image definition's security type and features, as azurerm and Azure check them:
//! at most one security type (trusted launch supported or enabled, confidential VM supported or
//! enabled — azurerm's `ConflictsWith`), a security type only on a Hyper-V generation V2
//! definition (Azure refuses it on V1), an Arm64 image only on V2 (Arm64 VMs boot with UEFI), and
//! disallowed disk types that Azure knows.

use super::violation;
use crate::diagnostic::Diagnostic;
use crate::model::Desired;
use sigform_azure::resources::image_definition::SECURITY_TYPES;
use sigform_azure::schema::ResourceKind;

/// Disk types an image definition can disallow.
const DISK_TYPES: &[&str] = &["Standard_LRS", "Premium_LRS"];

pub(crate) fn check(desired: &Desired, out: &mut Vec<Diagnostic>) {
    for inst in desired.resources.iter().filter(|i| i.kind() == ResourceKind::ImageDefinition) {
        let set: Vec<&str> = SECURITY_TYPES.iter().copied().filter(|a| inst.attrs.bool(a) == Some(true)).collect();
        if set.len() > 1 {
            let span = inst.attrs.get(set[1]).map_or(inst.span.clone(), |a| a.span.clone());
            out.push(violation(
                "SIG111",
                format!("`{}` and `{}` cannot both be set: an image definition has one security type", set[0], set[1]),
                span,
            ));
        }
        if let Some(first) = set.first()
            && inst.attrs.str("hyper_v_generation").unwrap_or("V1") != "V2"
        {
            let span = inst.attrs.get(first).map_or(inst.span.clone(), |a| a.span.clone());
            out.push(
                violation(
                    "SIG111",
                    format!("`{first}` needs hyper_v_generation = \"V2\"; Azure refuses a security type on a generation 1 image"),
                    span,
                )
                .help("set hyper_v_generation = \"V2\" (generation 2 images boot with UEFI, which trusted launch and confidential VMs need)"),
            );
        }
        if let Some(arch) = inst.attrs.get("architecture").filter(|a| a.value.as_str() == Some("Arm64"))
            && inst.attrs.str("hyper_v_generation").unwrap_or("V1") != "V2"
        {
            out.push(
                violation(
                    "SIG111",
                    "architecture = \"Arm64\" needs hyper_v_generation = \"V2\"; Azure has no generation 1 Arm64 images",
                    arch.span.clone(),
                )
                .help("set hyper_v_generation = \"V2\""),
            );
        }
        if let Some(attr) = inst.attrs.get("disk_types_not_allowed")
            && let Some(items) = attr.value.as_list()
        {
            for item in items.iter().filter_map(|v| v.as_str()).filter(|v| !DISK_TYPES.contains(v)) {
                out.push(violation(
                    "SIG111",
                    format!("`disk_types_not_allowed` holds \"{item}\"; it may hold {}", DISK_TYPES.join(" and ")),
                    attr.span.clone(),
                ));
            }
        }
    }
}
