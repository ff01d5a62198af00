//! SIG301–SIG303: what a version is built from — one managed image, generalized, of the same
//! OS type and Hyper-V generation as its definition. And SIG003 for an image data source named
//! twice or not at all (`name` or `name_regex`).

use super::violation;
use crate::diagnostic::Diagnostic;
use crate::model::{Desired, Instance};
use sigform_azure::arm_id::{self, ArmId};
use sigform_azure::schema::ResourceKind;

pub(super) fn check(desired: &Desired, out: &mut Vec<Diagnostic>) {
    // An image data source names its image once: by `name` or by `name_regex` (SIG003).
    for inst in desired.data.iter().filter(|i| i.schema.type_name == "azurerm_image") {
        let set = |name: &str| inst.attrs.get(name).is_some_and(|a| !a.value.is_null() && !a.defaulted);
        match (set("name"), set("name_regex")) {
            (false, false) => out.push(violation(
                "SIG003",
                format!("{} names no image: set name or name_regex", inst.address),
                inst.span.clone(),
            )),
            (true, true) => out.push(violation(
                "SIG003",
                "name and name_regex cannot both be set: the image is named once",
                inst.span_of("name_regex"),
            )),
            _ => {}
        }
    }
    let by_id = desired.by_id();
    for inst in desired.resources.iter().filter(|i| i.kind() == ResourceKind::ImageVersion) {
        let Some(attr) = inst.attrs.get("managed_image_id") else {
            out.push(
                violation("SIG302", format!("{} has no source: set managed_image_id", inst.address), inst.span.clone())
                    .help("sigform builds versions from managed images: managed_image_id = azurerm_image.NAME.id"),
            );
            continue;
        };
        let Some(image_id) = attr.value.as_str() else {
            continue;
        };
        if ArmId::parse(image_id).map(|p| p.kind) != Some(ResourceKind::ManagedImage) {
            out.push(
                violation(
                    "SIG302",
                    format!("managed_image_id \"{image_id}\" is not the id of a managed image"),
                    attr.span.clone(),
                )
                .help("it looks like /subscriptions/S/resourceGroups/RG/providers/Microsoft.Compute/images/NAME"),
            );
            continue;
        }
        let Some(image) = by_id.get(&image_id.to_ascii_lowercase()) else {
            continue;
        };
        let disk = image.attrs.blocks("os_disk").first().map(|b| &b.attrs);
        if disk.and_then(|d| d.str("os_state")) == Some("Specialized") {
            out.push(violation(
                "SIG301",
                format!("{} is specialized; only generalized images can become versions", image.address),
                attr.span.clone(),
            ));
        }
        let definition =
            inst.id.as_deref().and_then(arm_id::parent).and_then(|p| by_id.get(&p.to_ascii_lowercase()).copied());
        if let Some(definition) = definition {
            mismatch(inst, image, definition, "os_type", disk.and_then(|d| d.str("os_type")), out);
            mismatch(inst, image, definition, "hyper_v_generation", image.attrs.str("hyper_v_generation"), out);
        }
    }
}

fn mismatch(
    version: &Instance,
    image: &Instance,
    definition: &Instance,
    attr: &str,
    image_value: Option<&str>,
    out: &mut Vec<Diagnostic>,
) {
    let (Some(image_value), Some(def_value)) = (image_value, definition.attrs.str(attr)) else {
        return;
    };
    if !image_value.eq_ignore_ascii_case(def_value) {
        out.push(violation(
            "SIG303",
            format!(
                "{} has {attr} {image_value}, but its definition {} has {def_value}",
                image.address, definition.address
            ),
            version.span_of("managed_image_id"),
        ));
    }
}
