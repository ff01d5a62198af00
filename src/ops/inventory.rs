//! `inventory`: reads the subscriptions the credentials can see (or those named) in bulk, as
//! refresh reads — lists and the resource index, never one read per resource — and the state,
//! for `plan::inventory` to list.

use crate::plan::inventory::{Filter, Inventory};
use crate::state::Location;
use sigform_azure::cloud::{Cloud, CloudError};
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error(transparent)]
    Cloud(#[from] CloudError),
    #[error(transparent)]
    State(#[from] crate::state::StateError),
}

pub struct Options {
    /// Lower case; empty: every subscription the credentials can see.
    pub subscriptions: Vec<String>,
    pub filter: Filter,
    /// The state that says what is managed; `None` for no state (nothing is managed).
    pub state: Option<Location>,
}

/// The inventory, and what the user should know about how the cloud was read.
pub fn inventory(cloud: &dyn Cloud, options: &Options) -> Result<(Inventory, Vec<String>), InventoryError> {
    let subscriptions = super::refresh::chosen_subscriptions(cloud, &options.subscriptions)?;
    let read = super::refresh::read_cloud(cloud, &subscriptions)?;
    let managed: BTreeMap<String, String> = match &options.state {
        Some(location) if location.exists()? => super::state::snapshot(location)?
            .resources
            .into_iter()
            .map(|r| (r.id.to_ascii_lowercase(), r.address))
            .collect(),
        _ => BTreeMap::new(),
    };
    let inventory = crate::plan::inventory::build(&read.resources, &managed, &options.filter, read.calls);
    Ok((inventory, read.warnings))
}
