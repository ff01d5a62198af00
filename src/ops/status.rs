//! `status`: replication per version and region, read from the cloud for the versions the state
//! manages (or the one named).

use crate::state::Location;
use sigform_azure::cloud::{Cloud, CloudResource};

#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    #[error(transparent)]
    State(#[from] crate::state::StateError),
    #[error(transparent)]
    Cloud(#[from] sigform_azure::cloud::CloudError),
    #[error("no image version {0} in the state")]
    NoSuchVersion(String),
}

/// Each version's address and what the cloud says of it (`None`: not there any more).
pub fn status(
    state: &Location,
    cloud: &dyn Cloud,
    address: Option<&str>,
) -> Result<Vec<(String, Option<CloudResource>)>, StatusError> {
    let snap = super::state::snapshot(state)?;
    let versions: Vec<_> = snap
        .resources
        .iter()
        .filter(|r| r.type_name == "azurerm_shared_image_version")
        .filter(|r| address.is_none_or(|a| r.address == a))
        .collect();
    if let Some(a) = address
        && versions.is_empty()
    {
        return Err(StatusError::NoSuchVersion(a.to_string()));
    }
    let mut out = Vec::new();
    for v in versions {
        out.push((v.address.clone(), cloud.get(&v.id)?));
    }
    Ok(out)
}
