//! SIG301–SIG303: what a version is built from — exactly one source (a managed image, an OS disk
//! snapshot, or a VHD blob with its storage account); a managed image generalized, of the same
//! OS type and Hyper-V generation as its definition. And SIG003 for an image data source named
//! twice or not at all (`name` or `name_regex`).

use super::violation;
use crate::diagnostic::Diagnostic;
use crate::model::{Desired, Instance};
use sigform_azure::arm_id::{self, ArmId};
use sigform_azure::resources::{image_version, storage_account};
use sigform_azure::schema::ResourceKind;

pub(super) fn check(desired: &Desired, by_id: &crate::model::ById<'_>, out: &mut Vec<Diagnostic>) {
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
    for inst in desired.resources.iter().filter(|i| i.kind() == ResourceKind::ImageVersion) {
        if !one_source(inst, out) {
            continue;
        }
        let Some(attr) = inst.attrs.get("managed_image_id") else {
            continue;
        };
        let Some(image_id) = attr.value.as_str() else {
            continue;
        };
        let Some(image) = by_id.get(&crate::fast_hash::Caseless(image_id)) else {
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
        let definition = inst
            .id
            .as_deref()
            .and_then(arm_id::parent_in)
            .and_then(|p| by_id.get(&crate::fast_hash::Caseless(&p)).copied());
        if let Some(definition) = definition {
            mismatch(inst, image, definition, "os_type", disk.and_then(|d| d.str("os_type")), out);
            mismatch(inst, image, definition, "hyper_v_generation", image.attrs.str("hyper_v_generation"), out);
        }
    }
}

/// SIG302: exactly one source, of the right kind — a managed image, an OS disk snapshot, or a
/// VHD blob with the storage account holding it. True when the source is usable.
fn one_source(inst: &Instance, out: &mut Vec<Diagnostic>) -> bool {
    let written: Vec<&str> =
        image_version::SOURCES.into_iter().filter(|a| inst.attrs.get(a).is_some_and(|a| !a.value.is_null())).collect();
    let help = "managed_image_id = azurerm_image.NAME.id, os_disk_snapshot_id = a snapshot's id, or blob_uri with storage_account_id";
    match written.as_slice() {
        [] => {
            out.push(
                violation(
                    "SIG302",
                    format!("{} has no source: set managed_image_id, os_disk_snapshot_id or blob_uri", inst.address),
                    inst.span.clone(),
                )
                .help(help),
            );
            return false;
        }
        [_] => {}
        [_, second, ..] => {
            out.push(
                violation(
                    "SIG302",
                    format!("{} names {} sources: a version has exactly one", inst.address, written.len()),
                    inst.span_of(second),
                )
                .help(help),
            );
            return false;
        }
    }
    let mut kind_of = |attr: &str, kind: ResourceKind, shape: &str| {
        let Some(a) = inst.attrs.get(attr) else { return true };
        let Some(id) = a.value.as_str() else { return true };
        if ArmId::parse(id).map(|p| p.kind) == Some(kind) {
            return true;
        }
        out.push(
            violation("SIG302", format!("{attr} \"{id}\" is not the id of a {}", kind.facts().noun), a.span.clone())
                .help(format!("it looks like {shape}")),
        );
        false
    };
    let mut usable = kind_of(
        "managed_image_id",
        ResourceKind::ManagedImage,
        "/subscriptions/S/resourceGroups/RG/providers/Microsoft.Compute/images/NAME",
    );
    usable &= kind_of(
        "os_disk_snapshot_id",
        ResourceKind::Snapshot,
        "/subscriptions/S/resourceGroups/RG/providers/Microsoft.Compute/snapshots/NAME",
    );
    usable &= kind_of(
        "storage_account_id",
        ResourceKind::StorageAccount,
        "/subscriptions/S/resourceGroups/RG/providers/Microsoft.Storage/storageAccounts/NAME",
    );
    let has = |a: &str| inst.attrs.get(a).is_some_and(|a| !a.value.is_null());
    match (has("blob_uri"), has("storage_account_id")) {
        (true, false) => {
            out.push(violation(
                "SIG302",
                "blob_uri needs storage_account_id: the account that holds the blob",
                inst.span_of("blob_uri"),
            ));
            usable = false;
        }
        (false, true) => {
            out.push(violation(
                "SIG302",
                "storage_account_id goes with blob_uri only",
                inst.span_of("storage_account_id"),
            ));
            usable = false;
        }
        (true, true) => {
            let (Some(uri), Some(account_id)) = (inst.attrs.str("blob_uri"), inst.attrs.str("storage_account_id"))
            else {
                return usable;
            };
            let account = account_id.rsplit('/').next().unwrap_or("").to_ascii_lowercase();
            if storage_account::account_of_blob(uri).is_some_and(|a| a != account) {
                out.push(violation(
                    "SIG302",
                    format!(
                        "blob_uri is in storage account {}, but storage_account_id names {account}",
                        storage_account::account_of_blob(uri).unwrap_or_default()
                    ),
                    inst.span_of("blob_uri"),
                ));
                usable = false;
            } else if storage_account::account_of_blob(uri).is_none() {
                out.push(
                    violation("SIG302", format!("blob_uri \"{uri}\" is not a blob's URI"), inst.span_of("blob_uri"))
                        .help("it looks like https://ACCOUNT.blob.core.windows.net/CONTAINER/NAME.vhd"),
                );
                usable = false;
            }
        }
        (false, false) => {}
    }
    usable
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
