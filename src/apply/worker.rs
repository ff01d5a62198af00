//! One job on a worker thread: the cloud call, retried while the failure is transient, then the
//! operation polled to its end, then the resource read back for what the service computed. After
//! a failure the cloud is read to settle what really happened.

use super::{Job, Options, Step};
use sigform_azure::cloud::{Cloud, CloudError, ListScope, OperationStatus, RegionReplication};
use sigform_azure::cloud::{retry, wait_settled};
use sigform_azure::schema::ResourceKind;
use std::time::Duration;

/// How a job ended.
pub(super) enum Done {
    /// The resource as the cloud now has it (none after a delete).
    Ok(Option<serde_json::Value>),
    /// The call failed; `exists` is the resource when it was left behind anyway (a create whose
    /// replication failed), so that it is recorded rather than orphaned.
    Failed { error: CloudError, exists: Option<serde_json::Value> },
    /// Stopped waiting because of an interrupt; the operation goes on in the cloud.
    Interrupted,
    /// Stopped waiting at the resource's `timeouts`; the operation goes on in the cloud.
    TimedOut(CloudError),
}

pub(super) fn run(cloud: &dyn Cloud, job: &Job, options: &Options, progress: &dyn Fn(Vec<RegionReplication>)) -> Done {
    // State-only resources (`random_*`, `terraform_data`): nothing to ask the cloud; the record
    // the plan made is the whole of it.
    if job.kind == ResourceKind::Local {
        return Done::Ok(None);
    }
    match attempt(cloud, job, options, progress) {
        Ok(v) => Done::Ok(v),
        Err(_) if super::interrupted() => Done::Interrupted,
        Err(error) if error.code == TIMED_OUT => Done::TimedOut(error),
        Err(error) => settle(cloud, job, options, error),
    }
}

fn attempt(
    cloud: &dyn Cloud,
    job: &Job,
    options: &Options,
    progress: &dyn Fn(Vec<RegionReplication>),
) -> Result<Option<serde_json::Value>, CloudError> {
    if job.step == Step::Delete && job.kind == ResourceKind::ResourceGroup {
        refuse_nonempty_group(cloud, job, options)?;
    }
    let operation = retry(options.retries, || match (job.step, &job.body) {
        (Step::Delete, _) => cloud.delete(&job.id),
        (_, Some(body)) => cloud.put(&job.id, body),
        (_, None) => Err(CloudError::new(400, "InvalidRequest", "a write without a body")),
    })?;
    let skip_wait = job.kind == ResourceKind::ImageVersion && job.step != Step::Delete && !options.wait_for_replication;
    let started = std::time::Instant::now();
    if !skip_wait {
        loop {
            if let Some(deadline) = job.deadline
                && started.elapsed() >= deadline
            {
                return Err(CloudError::new(
                    408,
                    TIMED_OUT,
                    format!(
                        "timed out after {} waiting to {} (timeouts {{ {} }}); the operation goes on in Azure, and the next run records how it ended",
                        words(deadline),
                        job.step.as_str(),
                        job.step.as_str()
                    ),
                ));
            }
            match retry(options.retries, || cloud.poll(&operation))? {
                OperationStatus::Succeeded => break,
                OperationStatus::Failed(e) => return Err(e),
                OperationStatus::InProgress { .. } if super::interrupted() => {
                    return Err(CloudError::new(499, "Interrupted", "interrupted while waiting"));
                }
                OperationStatus::InProgress { retry_after, replication } => {
                    if !replication.is_empty() {
                        progress(replication);
                    }
                    std::thread::sleep(retry_after.clamp(Duration::from_millis(10), Duration::from_secs(2)));
                }
            }
        }
    }
    if job.step == Step::Delete {
        return Ok(None);
    }
    Ok(retry(options.retries, || cloud.get(&job.id))?.map(|r| r.attributes))
}

/// The error code of a wait that ran past the resource's `timeouts`.
const TIMED_OUT: &str = "OperationTimedOut";

fn words(d: Duration) -> String {
    let s = d.as_secs();
    match (s / 3600, s % 3600 / 60, s % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, m, _) => format!("{h}h{m}m"),
    }
}

/// After a failure, the cloud says what really happened: a lost response may hide a write that
/// went through, and a failed create may have left a resource behind.
/// Azure deletes a resource group with everything in it; azurerm 4.x refuses to unless its
/// provider says `prevent_deletion_if_contains_resources = false`, and so does sigform: by now
/// every resource of the group that the plan deletes is gone, so whatever is left (a version
/// Packer published, a gallery made in the portal) would go with the group unasked.
fn refuse_nonempty_group(cloud: &dyn Cloud, job: &Job, options: &Options) -> Result<(), CloudError> {
    let subscription = sigform_azure::cloud::subscription_of(&job.id);
    if options.nonempty_group_deletion.contains(&subscription) {
        return Ok(());
    }
    let prefix = format!("{}/", job.id.to_ascii_lowercase());
    let listed = retry(options.retries, || cloud.list(&ListScope::Subscription(subscription.clone())))?;
    let left: Vec<String> =
        listed.into_iter().filter(|r| r.id.to_ascii_lowercase().starts_with(&prefix)).map(|r| r.id).collect();
    if left.is_empty() {
        return Ok(());
    }
    Err(CloudError::new(
        409,
        "ResourceGroupNotEmpty",
        format!(
            "the resource group still holds {} resource(s) this plan does not delete ({}{}); Azure would delete them with it. \
             Delete or import them, or set `features {{ resource_group {{ prevent_deletion_if_contains_resources = false }} }}` in the provider",
            left.len(),
            left.iter().take(3).cloned().collect::<Vec<_>>().join(", "),
            if left.len() > 3 { ", …" } else { "" }
        ),
    ))
}

fn settle(cloud: &dyn Cloud, job: &Job, options: &Options, error: CloudError) -> Done {
    let Ok(found) = wait_settled(cloud, &job.id, options.retries) else {
        return Done::Failed { error, exists: None };
    };
    match (job.step, found) {
        (Step::Delete, None) => Done::Ok(None),
        (Step::Create | Step::Update, Some(r))
            if r.provisioning_state == "Succeeded"
                && job.body.as_ref().is_some_and(|b| same_request(job.kind, &b.attributes, &r.attributes)) =>
        {
            Done::Ok(Some(r.attributes))
        }
        (Step::Create, Some(r)) if r.provisioning_state == "Failed" => {
            Done::Failed { error, exists: Some(r.attributes) }
        }
        _ => Done::Failed { error, exists: None },
    }
}

/// Whether what the cloud holds is what was asked for: everything sent is there as sent — the
/// service may add to blocks and lists of blocks (computed values) but a map such as `tags`, a
/// scalar, or a block's sent fields must match. (A refused tags-only update must not pass for
/// done.)
fn same_request(kind: ResourceKind, sent: &serde_json::Value, held: &serde_json::Value) -> bool {
    let maps: Vec<&str> = sigform_azure::resources::of_kind(kind)
        .map(|schema| {
            schema.attrs.iter().filter(|a| a.ty == sigform_azure::schema::AttrType::StringMap).map(|a| a.name).collect()
        })
        .unwrap_or_default();
    match (sent.as_object(), held.as_object()) {
        (Some(sent), Some(held)) => sent.iter().all(|(k, v)| match held.get(k) {
            // A map is what was sent, no more: the service adds nothing to `tags`.
            Some(h) if maps.contains(&k.as_str()) => v == h,
            Some(h) => holds(v, h),
            None => v.is_null(),
        }),
        _ => false,
    }
}

/// Whether `held` holds everything of `sent` (objects may have more; lists in any order).
fn holds(sent: &serde_json::Value, held: &serde_json::Value) -> bool {
    use serde_json::Value as Json;
    match (sent, held) {
        (Json::Object(sent), Json::Object(held)) => sent.iter().all(|(k, v)| match held.get(k) {
            Some(h) => holds(v, h),
            None => v.is_null(),
        }),
        // Lists of blocks may come back in another order.
        (Json::Array(sent), Json::Array(held)) => {
            sent.len() == held.len() && sent.iter().all(|s| held.iter().any(|h| holds(s, h)))
        }
        (sent, held) => sent == held,
    }
}

#[cfg(test)]
mod tests {
    use super::same_request;
    use serde_json::json;
    use sigform_azure::schema::ResourceKind;

    #[test]
    fn the_cloud_holds_what_was_sent_only_when_every_sent_value_is_there() {
        let held = json!({"name": "g", "tags": {"owner": "a"}, "target_region": [{"name": "eastus", "regional_replica_count": 1, "storage_account_type": "Standard_LRS"}, {"name": "westus", "regional_replica_count": 2}]});
        let cases = [
            (json!({"name": "g"}), true),
            (json!({"tags": {"owner": "a"}}), true),
            (json!({"tags": {"owner": "b"}}), false),
            (json!({"tags": {"owner": "a", "cost": "x"}}), false),
            (json!({"tags": {}}), false),
            (
                json!({"target_region": [{"name": "westus", "regional_replica_count": 2}, {"name": "eastus", "regional_replica_count": 1}]}),
                true,
            ),
            (
                json!({"target_region": [{"name": "westus", "regional_replica_count": 3}, {"name": "eastus", "regional_replica_count": 1}]}),
                false,
            ),
            (json!({"target_region": [{"name": "eastus", "regional_replica_count": 1}]}), false),
            (json!({"description": null}), true),
        ];
        for (sent, want) in cases {
            assert_eq!(same_request(ResourceKind::ImageVersion, &sent, &held), want, "{sent}");
        }
    }
}
