//! Recovery: every intent left by a process that died between announcing a cloud
//! call and recording its result is settled by reading the cloud at its (deterministic) ARM id —
//! adopted into the state when the call happened, dropped when it did not. Nothing the tool
//! created is forgotten; nothing is created twice.

use crate::state::{Change, ResourceState, StateError, StateStore};
use sigform_azure::cloud::{Cloud, CloudError};

#[derive(Debug, thiserror::Error)]
pub enum RecoverError {
    #[error(transparent)]
    State(#[from] StateError),
    #[error("cannot settle an interrupted operation on {id}: {source}")]
    Cloud { id: String, source: CloudError },
}

/// What recovery did, one line per intent, for the user.
pub fn settle_intents(store: &mut dyn StateStore, cloud: &dyn Cloud) -> Result<Vec<String>, RecoverError> {
    let mut said = Vec::new();
    for intent in store.intents()? {
        let found = sigform_azure::cloud::wait_settled(cloud, &intent.arm_id, 5)
            .map_err(|source| RecoverError::Cloud { id: intent.arm_id.clone(), source })?;
        let record: Option<ResourceState> = serde_json::from_value(intent.body.clone()).ok();
        let mut changes = Vec::new();
        let retained = crate::plan::retention::is_retention_address(&intent.address);
        let line = match (intent.action.as_str(), found, record) {
            // Retention's changes are to versions the state does not hold: nothing to record.
            (action, found, _) if retained => format!(
                "{}: the interrupted retention {action} {}; retention records nothing",
                intent.address,
                if found.is_some() == (action == "delete") { "did not complete" } else { "completed" }
            ),
            ("delete", None, _) => {
                if store.snapshot()?.resource(&intent.address).is_some() {
                    changes.push(Change::Remove { action: "recovered delete".into(), address: intent.address.clone() });
                }
                format!("{}: the interrupted delete completed; removed from the state", intent.address)
            }
            ("delete", Some(_), _) => format!("{}: the interrupted delete did not happen; kept", intent.address),
            (_, Some(cloud_copy), Some(mut record)) => {
                record.attributes = cloud_copy.attributes.into();
                record.status =
                    if cloud_copy.provisioning_state == "Failed" { "failed".into() } else { "ready".into() };
                changes
                    .push(Change::Put { action: format!("recovered {}", intent.action), resource: Box::new(record) });
                format!("{}: the interrupted {} reached the cloud; recorded", intent.address, intent.action)
            }
            (_, None, _) => format!(
                "{}: the interrupted {} did not reach the cloud; nothing to record",
                intent.address, intent.action
            ),
            (_, Some(_), None) => format!(
                "{}: the interrupted {} cannot be recorded (no record in the intent); run `sigform import`",
                intent.address, intent.action
            ),
        };
        changes.push(Change::SettleIntent(intent.id));
        store.commit(&changes)?;
        said.push(line);
    }
    Ok(said)
}
