//! `access`: who can deploy what, and through which assignment — the effective grants of the role
//! assignments the state manages, optionally for one principal.

use crate::plan::access::{Grant, effective};
use crate::state::{Location, StateError};

pub fn access(state: &Location, principal: Option<&str>) -> Result<Vec<Grant>, StateError> {
    let snap = super::state::snapshot(state)?;
    let records: Vec<&crate::state::ResourceState> = snap.resources.iter().collect();
    Ok(effective(&records)
        .into_iter()
        .filter(|g| principal.is_none_or(|p| g.principal_id.eq_ignore_ascii_case(p)))
        .collect())
}
