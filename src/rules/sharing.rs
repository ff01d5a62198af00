//! SIG601: role assignments share galleries, definitions or versions, nothing else. (SIG602,
//! principals of another tenant, needs the directory and runs in the planner.) And what azurerm
//! checks of an assignment's arguments (SIG003): the role named once, by name or by id; a
//! `condition` with its `condition_version`. SIG603: a gallery's sharing profile — a known
//! permission, a community gallery exactly when the permission is `Community`, its name prefix
//! as Azure takes it, and sharing beyond the tenant only where the service profile has it.

use super::violation;
use crate::diagnostic::Diagnostic;
use crate::model::Desired;
use sigform_azure::arm_id::ArmId;
use sigform_azure::resources::gallery::PERMISSIONS;
use sigform_azure::schema::ResourceKind;

pub(super) fn check(desired: &Desired, out: &mut Vec<Diagnostic>) {
    for inst in desired.resources.iter().filter(|i| i.kind() == ResourceKind::Gallery) {
        for sharing in inst.attrs.blocks("sharing") {
            sharing_profile(desired, &sharing.attrs, &sharing.span, out);
        }
    }
    for inst in desired.resources.iter().filter(|i| i.kind() == ResourceKind::RoleAssignment) {
        let set = |name: &str| inst.attrs.get(name).is_some_and(|a| !a.value.is_null() && !a.defaulted);
        match (set("role_definition_name"), set("role_definition_id")) {
            (false, false) => out.push(violation(
                "SIG003",
                format!("{} names no role: set role_definition_name or role_definition_id", inst.address),
                inst.span.clone(),
            )),
            (true, true) => out.push(violation(
                "SIG003",
                "role_definition_name and role_definition_id cannot both be set: the role is named once",
                inst.span_of("role_definition_id"),
            )),
            _ => {}
        }
        for (given, needs) in [("condition", "condition_version"), ("condition_version", "condition")] {
            if set(given) && !set(needs) {
                out.push(violation("SIG003", format!("`{given}` needs `{needs}`"), inst.span_of(given)));
            }
        }
        if let Some(version) = inst.attrs.str("condition_version")
            && !matches!(version, "1.0" | "2.0")
        {
            out.push(violation(
                "SIG003",
                format!("condition_version is \"{version}\"; it must be \"1.0\" or \"2.0\""),
                inst.span_of("condition_version"),
            ));
        }
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

/// SIG603 for one `sharing` block.
fn sharing_profile(
    desired: &Desired,
    sharing: &crate::model::Attrs,
    span: &crate::diagnostic::Span,
    out: &mut Vec<Diagnostic>,
) {
    let Some(permission) = sharing.get("permission") else { return };
    let Some(value) = permission.value.as_str() else { return };
    if !PERMISSIONS.contains(&value) {
        out.push(violation(
            "SIG603",
            format!("sharing permission is \"{value}\"; it must be one of {}", PERMISSIONS.join(", ")),
            permission.span.clone(),
        ));
        return;
    }
    let community = sharing.blocks("community_gallery");
    match (value, community.first()) {
        ("Community", None) => out.push(violation(
            "SIG603",
            "a community gallery needs its `community_gallery { eula, prefix, publisher_email, publisher_uri }`",
            span.clone(),
        )),
        ("Community", Some(c)) => {
            if let Some(prefix) = c.attrs.get("prefix")
                && let Some(text) = prefix.value.as_str()
                && (!(5..=16).contains(&text.len()) || !text.chars().all(|ch| ch.is_ascii_alphanumeric()))
            {
                out.push(violation(
                    "SIG603",
                    format!("community gallery prefix \"{text}\" must be 5 to 16 letters and digits"),
                    prefix.span.clone(),
                ));
            }
        }
        (_, Some(c)) => out.push(violation(
            "SIG603",
            format!("`community_gallery` belongs to permission = \"Community\", not \"{value}\""),
            c.span.clone(),
        )),
        _ => {}
    }
    let profile = desired.settings.profile;
    if value != "Private" && !profile.sharing_beyond_tenant {
        out.push(
            violation(
                "SIG603",
                format!(
                    "service profile {} has no sharing beyond the tenant: a gallery shares with `{value}` only in a service that has the sharing profile",
                    profile.name
                ),
                permission.span.clone(),
            )
            .help("share with role assignments within the tenant, or use the current service profile"),
        );
    }
}
