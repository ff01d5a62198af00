//! SIG101–SIG110: names, identifiers, recommendations, dates, replica counts, storage types and
//! enumerated values — everything decidable from one resource's own attributes.

use super::{RuleContext, violation};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{Attrs, Desired, Instance};
use sigform_azure::names::{definition_name_problem, gallery_name_problem, parse_version};
use sigform_azure::profiles::ServiceProfile;
use sigform_azure::regions;
use sigform_azure::schema::ResourceKind;
use sigform_azure::timestamp::parse_rfc3339;
use std::collections::HashMap;

pub(super) fn check(desired: &Desired, ctx: &RuleContext, out: &mut Vec<Diagnostic>) {
    for inst in &desired.resources {
        match inst.kind() {
            ResourceKind::Gallery => gallery_name(inst, out),
            ResourceKind::ImageDefinition => {
                definition_name(inst, out);
                identifier(inst, out);
                recommendations(inst, out);
                end_of_life(inst, ctx, out);
                enumerated(
                    &inst.attrs,
                    &[("os_type", OS_TYPES), ("hyper_v_generation", GENERATIONS), ("architecture", ARCHITECTURES)],
                    out,
                );
            }
            ResourceKind::ImageVersion => {
                if inst.address.resource.name == crate::model::RETENTION_BLOCK {
                    out.push(
                        violation(
                            "SIG004",
                            format!(
                                "`{}` is the name sigform's retention gives the versions it acts on",
                                inst.address.resource
                            ),
                            inst.span.clone(),
                        )
                        .help("give the block another name"),
                    );
                }
                version_name(inst, out);
                end_of_life(inst, ctx, out);
                replicas(inst, desired.settings.profile, out);
                storage_types(inst, out);
                duplicate_regions(inst, out);
                enumerated(&inst.attrs, &[("replication_mode", REPLICATION_MODES)], out);
            }
            ResourceKind::GalleryApplication => {
                end_of_life(inst, ctx, out);
                enumerated(&inst.attrs, &[("supported_os_type", OS_TYPES)], out);
            }
            ResourceKind::GalleryApplicationVersion => {
                version_name(inst, out);
                end_of_life(inst, ctx, out);
                storage_types(inst, out);
                duplicate_regions(inst, out);
            }
            ResourceKind::ManagedImage => {
                enumerated(&inst.attrs, &[("hyper_v_generation", GENERATIONS)], out);
                for disk in inst.attrs.blocks("os_disk") {
                    enumerated(&disk.attrs, &[("os_type", OS_TYPES), ("os_state", OS_STATES)], out);
                }
            }
            _ => {}
        }
    }
}

const OS_TYPES: &[&str] = &["Linux", "Windows"];
const GENERATIONS: &[&str] = &["V1", "V2"];
const ARCHITECTURES: &[&str] = &["x64", "Arm64"];
const OS_STATES: &[&str] = &["Generalized", "Specialized"];
const REPLICATION_MODES: &[&str] = &["Full", "Shallow"];
const STORAGE_TYPES: &[&str] = &["Standard_LRS", "Premium_LRS", "Standard_ZRS"];

fn gallery_name(inst: &Instance, out: &mut Vec<Diagnostic>) {
    let Some(name) = inst.attrs.str("name") else {
        return;
    };
    if let Some(problem) = gallery_name_problem(name) {
        let d = violation("SIG101", format!("gallery name \"{name}\" {problem}"), inst.span_of("name"));
        out.push(if name.contains('-') { d.help(format!("try \"{}\"", name.replace('-', "_"))) } else { d });
    }
}

fn definition_name(inst: &Instance, out: &mut Vec<Diagnostic>) {
    let Some(name) = inst.attrs.str("name") else {
        return;
    };
    if let Some(problem) = definition_name_problem(name) {
        out.push(violation("SIG102", format!("image definition name \"{name}\" {problem}"), inst.span_of("name")));
    }
}

fn version_name(inst: &Instance, out: &mut Vec<Diagnostic>) {
    let Some(name) = inst.attrs.str("name") else {
        return;
    };
    if !is_version(name) {
        out.push(
            violation("SIG103", format!("version name \"{name}\" is not Major.Minor.Patch"), inst.span_of("name"))
                .label("three whole numbers, e.g. 1.0.0; each at most 2147483647"),
        );
    }
}

fn is_version(name: &str) -> bool {
    parse_version(name).is_some()
}

fn identifier(inst: &Instance, out: &mut Vec<Diagnostic>) {
    for block in inst.attrs.blocks("identifier") {
        for (field, max) in [("publisher", 128), ("offer", 64), ("sku", 64)] {
            let Some(attr) = block.attrs.get(field) else {
                continue;
            };
            let Some(value) = attr.value.as_str() else {
                continue;
            };
            let len = value.chars().count();
            let problem = if len == 0 || len > max {
                Some(format!("is {len} characters long; 1 to {max} are allowed"))
            } else if value.ends_with('.') {
                Some("ends with a period, which is not allowed".to_string())
            } else {
                None
            };
            if let Some(problem) = problem {
                out.push(violation("SIG104", format!("identifier {field} \"{value}\" {problem}"), attr.span.clone()));
            }
        }
    }
}

fn recommendations(inst: &Instance, out: &mut Vec<Diagnostic>) {
    for (what, lo, hi, min_attr, max_attr, unit) in [
        ("vCPU count", 1.0, 80.0, "min_recommended_vcpu_count", "max_recommended_vcpu_count", ""),
        ("memory", 1.0, 640.0, "min_recommended_memory_in_gb", "max_recommended_memory_in_gb", " GB"),
    ] {
        let mut in_range = true;
        for attr in [min_attr, max_attr] {
            if let Some(n) = inst.attrs.num(attr)
                && !(lo..=hi).contains(&n)
            {
                in_range = false;
                out.push(violation(
                    "SIG105",
                    format!("recommended {what} `{attr}` = {n}{unit} is outside {lo}–{hi}{unit}"),
                    inst.span_of(attr),
                ));
            }
        }
        if let (Some(min), Some(max)) = (inst.attrs.num(min_attr), inst.attrs.num(max_attr))
            && in_range
            && min > max
        {
            out.push(violation(
                "SIG105",
                format!("`{min_attr}` ({min}) is greater than `{max_attr}` ({max})"),
                inst.span_of(min_attr),
            ));
        }
    }
}

fn end_of_life(inst: &Instance, ctx: &RuleContext, out: &mut Vec<Diagnostic>) {
    let Some(date) = inst.attrs.str("end_of_life_date") else {
        return;
    };
    match parse_rfc3339(date) {
        None => out.push(
            violation(
                "SIG106",
                format!("end_of_life_date \"{date}\" is not an RFC 3339 timestamp"),
                inst.span_of("end_of_life_date"),
            )
            .help("write it as 2027-12-31T00:00:00Z"),
        ),
        Some(t) if t < ctx.now_unix => {
            let mut d = violation(
                "SIG106",
                format!("end_of_life_date \"{date}\" is in the past"),
                inst.span_of("end_of_life_date"),
            );
            d.severity = Severity::Warning;
            out.push(d);
        }
        Some(_) => {}
    }
}

/// SIG107: replica counts within the profile's limit per region.
fn replicas(inst: &Instance, profile: &ServiceProfile, out: &mut Vec<Diagnostic>) {
    let max = f64::from(profile.max_replicas_per_region);
    let mut check = |attrs: &Attrs, name: &str| {
        if let Some(attr) = attrs.get(name)
            && let Some(n) = attr.value.as_f64()
            && (!(1.0..=max).contains(&n) || n.fract() != 0.0)
        {
            out.push(violation("SIG107", format!("`{name}` = {n} is outside 1–{max}"), attr.span.clone()));
        }
    };
    check(&inst.attrs, "replica_count");
    for region in inst.attrs.blocks("target_region") {
        check(&region.attrs, "regional_replica_count");
    }
}

fn storage_types(inst: &Instance, out: &mut Vec<Diagnostic>) {
    let mut check = |attrs: &Attrs| enumerated(attrs, &[("storage_account_type", STORAGE_TYPES)], out);
    check(&inst.attrs);
    for region in inst.attrs.blocks("target_region") {
        check(&region.attrs);
    }
}

fn enumerated(attrs: &Attrs, fields: &[(&str, &[&str])], out: &mut Vec<Diagnostic>) {
    for (field, allowed) in fields {
        let Some(attr) = attrs.get(field) else {
            continue;
        };
        let Some(value) = attr.value.as_str() else {
            continue;
        };
        if allowed.contains(&value) {
            continue;
        }
        let rule = if *field == "storage_account_type" { "SIG108" } else { "SIG110" };
        let d = violation(
            rule,
            format!("`{field}` is \"{value}\"; it must be one of {}", allowed.join(", ")),
            attr.span.clone(),
        );
        out.push(match allowed.iter().find(|a| a.eq_ignore_ascii_case(value)) {
            Some(s) => d.help(format!("did you mean \"{s}\"? (values are case-sensitive)")),
            None => d,
        });
    }
}

fn duplicate_regions(inst: &Instance, out: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<String, &str> = HashMap::new();
    for region in inst.attrs.blocks("target_region") {
        let Some(attr) = region.attrs.get("name") else {
            continue;
        };
        let Some(name) = attr.value.as_str() else {
            continue;
        };
        let normalized = regions::normalize(name);
        if let Some(first) = seen.get(&normalized) {
            out.push(violation(
                "SIG109",
                format!("target region \"{name}\" appears twice (first as \"{first}\")"),
                attr.span.clone(),
            ));
        } else {
            seen.insert(normalized, name);
        }
    }
}
