//! What `emulator` and `status` say: resources as JSON, replication lines, and the one-line
//! confirmations of changes made behind the tool's back.

use serde_json::{Value as Json, json};
use sigform_azure::cloud::CloudResource;
use sigform_azure::profiles::ServiceProfile;
use sigform_azure::regions;

/// `emulator list --json`: id, type, location, properties.
pub fn json_view(r: &CloudResource) -> Json {
    let type_name = sigform_azure::resources::of_kind(r.kind).map_or("unknown", |s| s.type_name);
    json!({
        "id": r.id, "type": type_name, "location": r.location, "provisioning_state": r.provisioning_state,
        "properties": r.attributes, "replication": r.replication,
    })
}

/// A version's replication, for `status`.
pub fn replication_line(r: &CloudResource) -> String {
    let regions: Vec<String> =
        r.replication.iter().map(|x| format!("{} {} {}%", regions::display(&x.region), x.state, x.progress)).collect();
    format!("{}: {}", r.provisioning_state, regions.join(", "))
}

/// `status`: one line per version.
pub fn status(versions: &[(String, Option<CloudResource>)]) -> String {
    versions
        .iter()
        .map(|(address, found)| match found {
            Some(r) => format!("{address}: {}\n", replication_line(r)),
            None => format!("{address}: not found in the cloud (deleted outside sigform?)\n"),
        })
        .collect()
}

pub fn updated(r: &CloudResource) -> String {
    format!("Updated {} ({}).", r.id, r.provisioning_state)
}

pub fn deleting(id: &str) -> String {
    format!("Deleting {id}.")
}

pub fn added_image(r: &CloudResource) -> String {
    format!("Added managed image {} in {}.", r.id, r.location.as_deref().unwrap_or_default())
}

pub fn added_snapshot(r: &CloudResource) -> String {
    format!("Added snapshot {} in {}.", r.id, r.location.as_deref().unwrap_or_default())
}

pub fn added_blob(uri: &str, account: &CloudResource) -> String {
    format!(
        "Added blob {uri} to storage account {} in {}.",
        account.id,
        account.location.as_deref().unwrap_or_default()
    )
}

pub fn added_principal(principal_type: &str, id: &str, tenant: &str) -> String {
    format!("Added {principal_type} {id} in tenant {tenant}.")
}

pub fn added_federated_credential(client: &str, issuer: &str, subject: &str, audience: &str) -> String {
    format!("{client} may now exchange tokens of {issuer} for subject {subject} (audience {audience}).")
}

pub fn publishing(r: &CloudResource) -> String {
    format!("Publishing {} ({}).", r.id, replication_line(r))
}

pub fn allowlisted(subscription: &str, region: &str) -> String {
    format!("Subscription {subscription} is allow-listed for {region}.")
}

pub fn reset(profile: &ServiceProfile) -> String {
    format!("The embedded cloud is empty; it emulates service profile {} ({}).", profile.name, profile.title)
}

pub fn feature_registered(subscription: &str, feature: &str) -> String {
    format!("Subscription {subscription} has registered Microsoft.Compute/{feature}.")
}
