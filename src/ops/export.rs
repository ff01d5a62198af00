//! `export`: writes the configuration of galleries that exist — made in the portal, with `az sig`,
//! by Packer — so that sigform can adopt them: read the cloud in bulk (as refresh reads), choose
//! what to export (every gallery, or those of one resource group, or the galleries named; with
//! their definitions, versions and role assignments, the managed images their versions come from,
//! and the resource groups all of them live in), and write `config::export`'s files into an
//! empty directory.

use sigform_azure::cloud::{Cloud, CloudError, CloudResource};
use sigform_azure::schema::ResourceKind;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Cloud(#[from] CloudError),
    #[error("{0}")]
    Usage(String),
    #[error("cannot write {path}: {error}")]
    Write { path: String, error: std::io::Error },
}

pub struct Options {
    /// Lower case; empty: every subscription the credentials can see.
    pub subscriptions: Vec<String>,
    /// Only the galleries of this resource group (any subscription).
    pub resource_group: Option<String>,
    /// Only these galleries (ids).
    pub galleries: Vec<String>,
    pub out: PathBuf,
    pub flat: bool,
    /// Write into a directory that is not empty (files of the same names are replaced).
    pub force: bool,
}

pub struct Exported {
    pub files: Vec<PathBuf>,
    pub resources: usize,
    pub warnings: Vec<String>,
}

/// What to export of what was read: the chosen galleries and everything in them, the managed
/// images their versions come from, and the resource groups of all of those.
pub fn select(read: &BTreeMap<String, CloudResource>, options: &Options) -> Vec<CloudResource> {
    let wanted_gallery = |r: &CloudResource| {
        let in_group = options
            .resource_group
            .as_ref()
            .is_none_or(|g| r.id.split('/').nth(4).is_some_and(|rg| rg.eq_ignore_ascii_case(g)));
        let named = options.galleries.is_empty() || options.galleries.iter().any(|g| g.eq_ignore_ascii_case(&r.id));
        in_group && named
    };
    let galleries: Vec<String> = read
        .values()
        .filter(|r| r.kind == ResourceKind::Gallery && wanted_gallery(r))
        .map(|r| format!("{}/", r.id.to_ascii_lowercase()))
        .collect();
    let mut chosen: BTreeMap<String, CloudResource> = BTreeMap::new();
    for (id, r) in read {
        let inside = galleries.iter().any(|g| id.starts_with(g.as_str()) || format!("{id}/") == *g);
        if inside && r.kind != ResourceKind::ResourceGroup {
            chosen.insert(id.clone(), r.clone());
        }
    }
    let images: BTreeSet<String> = chosen
        .values()
        .filter_map(|r| r.attributes.get("managed_image_id").and_then(serde_json::Value::as_str))
        .map(str::to_ascii_lowercase)
        .collect();
    for id in images {
        if let Some(image) = read.get(&id) {
            chosen.insert(id, image.clone());
        }
    }
    let groups: BTreeSet<String> = chosen
        .values()
        .filter_map(|r| {
            let p = sigform_azure::arm_id::ArmId::parse(&r.id)?;
            Some(sigform_azure::arm_id::resource_group(&p.subscription, &p.resource_group).to_ascii_lowercase())
        })
        .collect();
    for id in groups {
        if let Some(group) = read.get(&id) {
            chosen.insert(id, group.clone());
        }
    }
    chosen.into_values().collect()
}

pub fn export(cloud: &dyn Cloud, options: &Options) -> Result<Exported, ExportError> {
    if options.out.is_dir()
        && !options.force
        && std::fs::read_dir(&options.out).map(|mut d| d.next().is_some()).unwrap_or(false)
    {
        return Err(ExportError::Usage(format!(
            "{} is not empty: export writes a new configuration (--force writes into it anyway)",
            options.out.display()
        )));
    }
    let subscriptions = super::refresh::chosen_subscriptions(cloud, &options.subscriptions)?;
    let read = super::refresh::read_cloud(cloud, &subscriptions)?;
    let chosen = select(&read.resources, options);
    if chosen.is_empty() {
        return Err(ExportError::Usage("nothing to export: no gallery matches".into()));
    }
    let exported = crate::config::export::export(&chosen, &crate::config::export::Options { flat: options.flat })
        .map_err(ExportError::Usage)?;
    std::fs::create_dir_all(&options.out)
        .map_err(|error| ExportError::Write { path: options.out.display().to_string(), error })?;
    let mut files = Vec::new();
    for (name, text) in &exported.files {
        let path = options.out.join(name);
        std::fs::write(&path, text).map_err(|error| ExportError::Write { path: path.display().to_string(), error })?;
        files.push(path);
    }
    Ok(Exported { files, resources: exported.resources, warnings: read.warnings })
}
