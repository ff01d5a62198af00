//! The configuration of resources that exist: what `sigform export` writes for galleries made in
//! the portal, with `az sig` or by Packer. Each resource becomes a block named after its Azure
//! name, referring to the blocks it lives in (`gallery_name = azurerm_shared_image_gallery.x.name`)
//! instead of repeating literal names and ids, with an `import` block to adopt it. The versions of
//! a definition become one block with `for_each` over a map of version → settings (target regions
//! and replica counts as data), unless `flat`. What the service fills in by default is left out.
//! Pure: the records in, the files' text out (formatted as `sigform fmt` formats).

use serde_json::Value as Json;
use sigform_azure::cloud::CloudResource;
use sigform_azure::schema::{AttrSchema, AttrType, BlockSchema, Default, Mutability, ResourceKind};
use std::collections::{BTreeMap, BTreeSet};

pub struct Options {
    /// One block per version instead of a `for_each` per definition.
    pub flat: bool,
}

/// The files to write, by name, and how many resources they adopt.
#[derive(Debug, PartialEq)]
pub struct Exported {
    pub files: Vec<(String, String)>,
    pub resources: usize,
}

/// A Terraform identifier made of an Azure name: `ubuntu-22.04` → `ubuntu_22_04`.
pub fn identifier(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches('_').to_string();
    match out.chars().next() {
        None => "resource".to_string(),
        Some(c) if c.is_ascii_digit() => format!("r_{out}"),
        Some(_) => out,
    }
}

/// An HCL string literal: quotes, backslashes, newlines and template sequences escaped.
pub fn string(s: &str) -> String {
    let mut out = String::from("\"");
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A map key or object attribute name: bare when it is an identifier, quoted otherwise.
fn key(k: &str) -> String {
    let bare = k.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare { k.to_string() } else { string(k) }
}

/// A JSON value as an HCL expression.
pub fn literal(v: &Json) -> String {
    match v {
        Json::Null => "null".into(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        Json::String(s) => string(s),
        Json::Array(items) => format!("[{}]", items.iter().map(literal).collect::<Vec<_>>().join(", ")),
        Json::Object(map) => {
            if map.is_empty() {
                return "{}".into();
            }
            let inner: Vec<String> = map.iter().map(|(k, v)| format!("{} = {}", key(k), literal(v))).collect();
            format!("{{\n{}\n}}", inner.join("\n"))
        }
    }
}

fn is_default(a: &AttrSchema, v: &Json) -> bool {
    match a.default {
        Default::None => false,
        Default::Str(s) => v.as_str().is_some_and(|x| x.eq_ignore_ascii_case(s)),
        Default::Num(n) => v.as_f64() == Some(n),
        Default::Bool(b) => v.as_bool() == Some(b),
    }
}

/// Whether an attribute is written: what the user may set, present, not the default, and not
/// something the service fills in by itself (a role assignment's role is named once: by name when
/// Azure has one for it, else by id).
fn written(a: &AttrSchema, attrs: &Json) -> Option<Json> {
    if matches!(a.mutability, Mutability::Computed | Mutability::ClientOnly) || a.name == "id" {
        return None;
    }
    let v = attrs.get(a.name).filter(|v| !v.is_null())?;
    if is_default(a, v) || (a.ty == AttrType::StringMap && v.as_object().is_some_and(|m| m.is_empty())) {
        return None;
    }
    if v.as_array().is_some_and(|l| l.is_empty()) {
        return None;
    }
    if a.filled_by_service {
        let by_name = attrs.get("role_definition_name").is_some_and(|n| !n.is_null());
        let keep = a.name == "role_definition_name" || (a.name == "role_definition_id" && !by_name);
        if !keep {
            return None;
        }
    }
    Some(v.clone())
}

/// The body of one block of `schema`, from a record's object: `name = expression` lines (with
/// `refs` overriding values by attribute name), then the nested blocks.
fn body(attrs: &[AttrSchema], blocks: &[BlockSchema], value: &Json, refs: &BTreeMap<&str, String>) -> String {
    let mut out = String::new();
    for a in attrs {
        if let Some(expr) = refs.get(a.name) {
            out += &format!("{} = {expr}\n", a.name);
        } else if let Some(v) = written(a, value) {
            out += &format!("{} = {}\n", a.name, literal(&v));
        }
    }
    for b in blocks {
        for item in value.get(b.name).and_then(Json::as_array).into_iter().flatten() {
            if let Some((attr, absent)) = b.absent_when
                && item.get(attr).and_then(Json::as_str).is_some_and(|v| v.eq_ignore_ascii_case(absent))
            {
                continue;
            }
            out += &format!("\n{} {{\n{}}}\n", b.name, body(b.attrs, b.blocks, item, &BTreeMap::new()));
        }
    }
    out
}

/// Addresses given out so far, per type: names are made unique with `_2`, `_3`, ….
#[derive(Default)]
struct Names {
    taken: BTreeSet<String>,
    by_id: BTreeMap<String, String>,
}

impl Names {
    fn give(&mut self, type_name: &str, id: &str, name: &str) -> String {
        let base = identifier(name);
        let mut candidate = base.clone();
        let mut n = 2;
        while !self.taken.insert(format!("{type_name}.{candidate}")) {
            candidate = format!("{base}_{n}");
            n += 1;
        }
        let address = format!("{type_name}.{candidate}");
        self.by_id.insert(id.to_ascii_lowercase(), address.clone());
        address
    }

    fn of(&self, id: &str) -> Option<&String> {
        self.by_id.get(&id.to_ascii_lowercase())
    }
}

fn name_of(r: &CloudResource) -> &str {
    r.id.trim_end_matches('/').rsplit('/').next().unwrap_or("")
}

fn parent_id(r: &CloudResource) -> Option<String> {
    sigform_azure::arm_id::parent(&r.id)
}

/// The configuration of `resources` (every kind sigform manages; role assignments on galleries
/// and below).
pub fn export(resources: &[CloudResource], options: &Options) -> Result<Exported, String> {
    let mut sorted: Vec<&CloudResource> = resources.iter().collect();
    let order = |k: ResourceKind| ResourceKind::ALL.iter().position(|x| *x == k).unwrap_or(usize::MAX);
    sorted.sort_by_cached_key(|r| (order(r.kind), r.id.to_ascii_lowercase()));

    // Providers: the first subscription is the default one, the others aliases.
    let subscriptions: BTreeSet<String> = sorted.iter().map(|r| r.subscription.to_ascii_lowercase()).collect();
    let mut providers = String::new();
    let mut provider_of: BTreeMap<String, Option<String>> = BTreeMap::new();
    for (i, sub) in subscriptions.iter().enumerate() {
        if i == 0 {
            providers += &format!("provider \"azurerm\" {{\nfeatures {{}}\nsubscription_id = {}\n}}\n\n", string(sub));
            provider_of.insert(sub.clone(), None);
        } else {
            let alias = format!("s_{}", identifier(sub.split('-').next().unwrap_or(sub)));
            providers += &format!(
                "provider \"azurerm\" {{\nalias = {}\nfeatures {{}}\nsubscription_id = {}\n}}\n\n",
                string(&alias),
                string(sub)
            );
            provider_of.insert(sub.clone(), Some(alias));
        }
    }

    let mut names = Names::default();
    let mut main = String::new();
    let mut versions_tf = String::new();
    let mut imports = String::new();
    let mut locals = String::new();
    let mut count = 0;
    let by_id: BTreeMap<String, &CloudResource> = sorted.iter().map(|r| (r.id.to_ascii_lowercase(), *r)).collect();

    // Versions grouped by definition (the `for_each` form); in the flat form each is its own block.
    let mut versions_of: BTreeMap<String, Vec<&CloudResource>> = BTreeMap::new();
    for r in sorted.iter().filter(|r| r.kind == ResourceKind::ImageVersion) {
        versions_of.entry(parent_id(r).unwrap_or_default().to_ascii_lowercase()).or_default().push(r);
    }

    for r in &sorted {
        if r.kind == ResourceKind::ImageVersion && !options.flat {
            continue;
        }
        let Some(schema) = sigform_azure::resources::of_kind(r.kind) else { continue };
        let address = if r.kind == ResourceKind::RoleAssignment {
            let principal = r.attributes.get("principal_id").and_then(Json::as_str).unwrap_or("principal");
            let role = r.attributes.get("role_definition_name").and_then(Json::as_str).unwrap_or("role");
            names.give(schema.type_name, &r.id, &format!("{role}_{}", principal.split('-').next().unwrap_or(principal)))
        } else if r.kind == ResourceKind::ImageVersion {
            let definition =
                parent_id(r).and_then(|p| by_id.get(&p.to_ascii_lowercase()).map(|d| name_of(d).to_string()));
            names.give(schema.type_name, &r.id, &format!("{}_{}", definition.unwrap_or_default(), name_of(r)))
        } else {
            names.give(schema.type_name, &r.id, name_of(r))
        };
        let refs = references(r, &names, &by_id);
        let provider = provider_of.get(&r.subscription.to_ascii_lowercase()).cloned().flatten();
        let provider_line = provider.map(|a| format!("provider = azurerm.{a}\n")).unwrap_or_default();
        let label = address.split_once('.').map_or(address.as_str(), |(_, n)| n);
        let text = format!(
            "resource \"{}\" \"{label}\" {{\n{provider_line}{}}}\n\n",
            schema.type_name,
            body(schema.attrs, schema.blocks, &r.attributes, &refs)
        );
        if r.kind == ResourceKind::ImageVersion {
            versions_tf += &text;
        } else {
            main += &text;
        }
        imports += &format!("import {{\nto = {address}\nid = {}\n}}\n\n", string(&r.id));
        count += 1;
        // The definition's versions follow it, as one `for_each` block.
        if r.kind == ResourceKind::ImageDefinition
            && !options.flat
            && let Some(versions) = versions_of.get(&r.id.to_ascii_lowercase())
        {
            let (block, local, import) = versions_block(r, versions, &mut names, &by_id, &provider_line);
            versions_tf += &block;
            locals += &local;
            imports += &import;
            count += versions.len();
        }
    }
    // Role assignments come last in `ResourceKind::ALL`'s order, so every address they refer to
    // (a version of a `for_each` block by its key) has been given out.
    let mut files = vec![("providers.tf".to_string(), providers)];
    if !locals.is_empty() {
        files.push(("versions.tf".to_string(), format!("locals {{\n{locals}}}\n\n{versions_tf}")));
    } else if !versions_tf.is_empty() {
        files.push(("versions.tf".to_string(), versions_tf));
    }
    files.insert(1, ("main.tf".to_string(), main));
    files.push(("imports.tf".to_string(), imports));
    let mut formatted = Vec::new();
    for (name, text) in files {
        let mut text = super::format::format(text.trim_end()).map_err(|e| format!("{name}: {e:?}"))?;
        if !text.ends_with('\n') {
            text.push('\n');
        }
        formatted.push((name, text));
    }
    Ok(Exported { files: formatted, resources: count })
}

/// References to the blocks a resource lives in, by attribute.
fn references(
    r: &CloudResource,
    names: &Names,
    by_id: &BTreeMap<String, &CloudResource>,
) -> BTreeMap<&'static str, String> {
    let mut refs = BTreeMap::new();
    // Role assignments and locks name their scope, not their parents.
    let extension = sigform_azure::shape::extension_of(&r.id).is_some();
    // A child named by its parent's id (`gallery_id`) refers to the parent's block.
    if let sigform_azure::schema::IdShape::InResourceGroup { segments, .. } = &r.kind.facts().id
        && let Some(attr) = segments.iter().rev().map(|(_, a)| *a).find(|a| a.ends_with("_id"))
        && let Some(address) = parent_id(r).and_then(|p| names.of(&p))
    {
        refs.insert(attr, format!("{address}.id"));
    }
    let mut parent = parent_id(r);
    // Walk up: version → definition → gallery → resource group.
    while let Some(p) = parent {
        if let (Some(address), Some(found)) = (names.of(&p), by_id.get(&p.to_ascii_lowercase())) {
            let attr = match found.kind {
                ResourceKind::ResourceGroup => "resource_group_name",
                ResourceKind::Gallery => "gallery_name",
                ResourceKind::ImageDefinition => "image_name",
                _ => "",
            };
            if !attr.is_empty() && !extension {
                refs.entry(attr).or_insert(format!("{address}.name"));
            }
            if extension && !refs.contains_key("scope") {
                refs.insert("scope", format!("{address}.id"));
            }
            if found.kind == ResourceKind::ResourceGroup
                && !extension
                && r.location.as_deref().map(sigform_azure::regions::normalize)
                    == found.location.as_deref().map(sigform_azure::regions::normalize)
            {
                refs.insert("location", format!("{address}.location"));
            }
        }
        parent = sigform_azure::arm_id::parent(&p);
    }
    if let Some(image) = r.attributes.get("managed_image_id").and_then(Json::as_str)
        && let Some(address) = names.of(image)
    {
        refs.insert("managed_image_id", format!("{address}.id"));
    }
    refs
}

/// One `for_each` block for a definition's versions: the map of version → settings in `locals`,
/// the block reading it, and one `import` block over the same map.
fn versions_block(
    definition: &CloudResource,
    versions: &[&CloudResource],
    names: &mut Names,
    by_id: &BTreeMap<String, &CloudResource>,
    provider_line: &str,
) -> (String, String, String) {
    let schema = sigform_azure::resources::of_kind(ResourceKind::ImageVersion).expect("versions have a schema");
    let label = names.give(schema.type_name, &format!("{}/versions", definition.id), name_of(definition));
    let label = label.split_once('.').map_or(label.clone(), |(_, n)| n.to_string());
    let local = format!("{label}_versions");
    for v in versions {
        names.by_id.insert(v.id.to_ascii_lowercase(), format!("{}.{label}[{}]", schema.type_name, string(name_of(v))));
    }
    // What every version shares refers to its parents; the rest is per version, as data.
    let shared = references(versions[0], names, by_id);
    let per_version_refs: Vec<BTreeMap<&str, String>> = versions.iter().map(|v| references(v, names, by_id)).collect();
    let same_everywhere = |attr: &str| per_version_refs.iter().all(|r| r.get(attr) == shared.get(attr));
    let mut keys: Vec<&'static str> = Vec::new();
    for a in schema.attrs {
        if a.name == "name" || (shared.contains_key(a.name) && same_everywhere(a.name)) {
            continue;
        }
        let any = versions
            .iter()
            .enumerate()
            .any(|(i, v)| per_version_refs[i].contains_key(a.name) || written(a, &v.attributes).is_some());
        if any {
            keys.push(a.name);
        }
    }
    let block = &schema.blocks[0];
    let mut region_keys: Vec<&'static str> = Vec::new();
    for a in block.attrs {
        let any = versions.iter().any(|v| {
            v.attributes.get(block.name).and_then(Json::as_array).into_iter().flatten().any(|r| written(a, r).is_some())
        });
        if any {
            region_keys.push(a.name);
        }
    }
    // The map: "1.0.0" = { managed_image_id = …, target_region = [{ name = …, … }], … }.
    let mut map = String::new();
    for (i, v) in versions.iter().enumerate() {
        let mut fields = Vec::new();
        for k in &keys {
            let a = schema.attr(k).expect("a schema attribute");
            let expr = per_version_refs[i]
                .get(k)
                .cloned()
                .or_else(|| written(a, &v.attributes).map(|x| literal(&x)))
                .unwrap_or_else(|| "null".into());
            fields.push(format!("{k} = {expr}"));
        }
        let regions: Vec<String> = v
            .attributes
            .get(block.name)
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .map(|r| {
                let inner: Vec<String> = region_keys
                    .iter()
                    .map(|k| {
                        let a = block.attrs.iter().find(|a| a.name == *k).expect("a block attribute");
                        format!("{k} = {}", written(a, r).map_or("null".into(), |x| literal(&x)))
                    })
                    .collect();
                format!("{{\n{}\n}}", inner.join("\n"))
            })
            .collect();
        fields.push(format!("{} = [\n{}\n]", block.name, regions.join(",\n")));
        map += &format!("{} = {{\n{}\n}}\n", string(name_of(v)), fields.join("\n"));
    }
    let local_text = format!("{local} = {{\n{map}}}\n");
    let mut text = format!(
        "resource \"{}\" \"{label}\" {{\n{provider_line}for_each = local.{local}\n\nname = each.key\n",
        schema.type_name
    );
    for a in schema.attrs {
        if a.name == "name" {
            continue;
        }
        if keys.contains(&a.name) {
            text += &format!("{} = each.value.{}\n", a.name, a.name);
        } else if let Some(expr) = shared.get(a.name) {
            text += &format!("{} = {expr}\n", a.name);
        }
    }
    let content: Vec<String> = region_keys.iter().map(|k| format!("{k} = {}.value.{k}", block.name)).collect();
    text += &format!(
        "\ndynamic \"{0}\" {{\nfor_each = each.value.{0}\ncontent {{\n{1}\n}}\n}}\n}}\n\n",
        block.name,
        content.join("\n")
    );
    let import = format!(
        "import {{\nfor_each = local.{local}\nto = {}.{label}[each.key]\nid = {}\n}}\n\n",
        schema.type_name,
        string(&format!("{}/versions/${{each.key}}", definition.id)).replace("$${each.key}", "${each.key}")
    );
    (text, local_text, import)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_literals() {
        let cases = [
            ("ubuntu-22.04", "ubuntu_22_04"),
            ("rg-Golden.Images", "rg_golden_images"),
            ("1.0.0", "r_1_0_0"),
            ("--", "resource"),
        ];
        for (name, want) in cases {
            assert_eq!(identifier(name), want);
        }
        assert_eq!(string("a \"b\" ${x} %{y} \\"), r#""a \"b\" $${x} %%{y} \\""#);
        assert_eq!(literal(&serde_json::json!(30.0)), "30");
        assert_eq!(literal(&serde_json::json!(2.5)), "2.5");
        assert_eq!(key("team"), "team");
        assert_eq!(key("cost center"), "\"cost center\"");
    }
}
