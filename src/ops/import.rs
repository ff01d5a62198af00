//! `import ADDR ID`: adopt an existing resource into the state, recorded as the cloud has it, so
//! the next plan shows how the configuration differs from it (and what Azure would forbid).

use super::validate::Options as LoadOptions;
use super::workdir::WorkdirError;
use crate::config::Sources;
use crate::diagnostic::Diagnostic;
use crate::model::Instance;
use crate::state::{Change, Location, ResourceState, StateError};
use sigform_azure::cloud::{Cloud, CloudError};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Workdir(#[from] WorkdirError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Cloud(#[from] CloudError),
    #[error(transparent)]
    Address(#[from] crate::model::address::BadAddress),
    #[error("{0} is not declared in the configuration: write its resource block first, then import")]
    NotDeclared(String),
    #[error("{0} is already in the state")]
    AlreadyManaged(String),
    #[error("no resource {0} in the cloud")]
    NotFound(String),
    #[error("{address} is a {expected}, but {id} is a {found:?}")]
    WrongKind { address: String, expected: &'static str, id: String, found: sigform_azure::schema::ResourceKind },
    #[error("the configuration of {address} describes {configured}, not {id}")]
    OtherId { address: String, configured: String, id: String },
}

pub enum Imported {
    Invalid { sources: Sources, diagnostics: Vec<Diagnostic> },
    Done(Box<ResourceState>),
}

/// The record of the resource at `id` in the cloud, adopted as the configuration's `inst`: what
/// `sigform import` commits and `import` blocks plan. It must exist, be of the instance's type and
/// be the object the configuration describes.
pub fn adopt(inst: &Instance, cloud: &dyn Cloud, id: &str) -> Result<ResourceState, ImportError> {
    let address = inst.address.to_string();
    let found =
        sigform_azure::cloud::retry(5, || cloud.get(id))?.ok_or_else(|| ImportError::NotFound(id.to_string()))?;
    if found.kind != inst.kind() {
        return Err(ImportError::WrongKind {
            address,
            expected: inst.schema.type_name,
            id: id.to_string(),
            found: found.kind,
        });
    }
    if let Some(configured) = &inst.id
        && !configured.eq_ignore_ascii_case(&found.id)
    {
        return Err(ImportError::OtherId { address, configured: configured.clone(), id: found.id });
    }
    let mut record = crate::plan::record::record(inst);
    record.id = found.id;
    record.attributes = found.attributes.into();
    record.subscription_id = found.subscription;
    Ok(record)
}

pub fn import(
    load: &LoadOptions,
    state: &Location,
    cloud: &dyn Cloud,
    address: &str,
    id: &str,
) -> Result<Imported, ImportError> {
    let loaded = super::validate::load_with(load, Some(&super::data::CloudData(cloud)))?;
    if loaded.has_errors() {
        return Ok(Imported::Invalid { sources: loaded.sources, diagnostics: loaded.diagnostics });
    }
    let wanted = crate::model::address::parse(address)?.to_string();
    let inst = loaded
        .desired
        .resources
        .iter()
        .find(|i| i.address.to_string() == wanted)
        .ok_or_else(|| ImportError::NotDeclared(wanted.clone()))?;
    let record = adopt(inst, cloud, id)?;

    let mut store = state.open(true)?;
    let lock = crate::state::acquire(store.as_mut(), "import")?;
    let result = (|| -> Result<(), ImportError> {
        if store.snapshot()?.resource(&wanted).is_some() {
            return Err(ImportError::AlreadyManaged(wanted.clone()));
        }
        store.commit(&[Change::Put { action: "import".into(), resource: Box::new(record.clone()) }])?;
        Ok(())
    })();
    let unlocked = store.unlock(&lock.id);
    result?;
    unlocked?;
    Ok(Imported::Done(Box::new(record)))
}
