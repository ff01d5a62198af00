//! One job on a worker thread: the cloud call, retried while the failure is transient, then the
//! operation polled to its end, then the resource read back for what the service computed.

use super::{Job, Options, Step};
use crate::cloud::{Cloud, CloudError, OperationStatus, RegionReplication};
use crate::model::schema::ResourceKind;
use std::time::Duration;

pub(super) fn run(
    cloud: &dyn Cloud,
    job: &Job,
    options: &Options,
    progress: &dyn Fn(Vec<RegionReplication>),
) -> Result<Option<serde_json::Value>, CloudError> {
    let operation = retry(options.retries, || match (job.step, &job.body) {
        (Step::Delete, _) => cloud.delete(&job.id),
        (_, Some(body)) => cloud.put(&job.id, body),
        (_, None) => Err(CloudError::new(
            400,
            "InvalidRequest",
            "a write without a body",
        )),
    })?;
    let skip_wait = job.kind == ResourceKind::ImageVersion
        && job.step != Step::Delete
        && !options.wait_for_replication;
    if !skip_wait {
        loop {
            match retry(options.retries, || cloud.poll(&operation))? {
                OperationStatus::Succeeded => break,
                OperationStatus::Failed(e) => return Err(e),
                OperationStatus::InProgress {
                    retry_after,
                    replication,
                } => {
                    if !replication.is_empty() {
                        progress(replication);
                    }
                    std::thread::sleep(
                        retry_after.clamp(Duration::from_millis(10), Duration::from_secs(2)),
                    );
                }
            }
        }
    }
    if job.step == Step::Delete {
        return Ok(None);
    }
    Ok(retry(options.retries, || cloud.get(&job.id))?.map(|r| r.attributes))
}

/// Retries transient failures with exponential backoff, honouring Retry-After.
fn retry<T>(
    retries: u32,
    mut call: impl FnMut() -> Result<T, CloudError>,
) -> Result<T, CloudError> {
    let mut attempt = 0;
    loop {
        match call() {
            Err(e) if e.is_transient() && attempt < retries => {
                let backoff = Duration::from_millis(100 * 2u64.pow(attempt.min(6)));
                let wait = e.retry_after_ms.map_or(backoff, Duration::from_millis);
                std::thread::sleep(wait.min(Duration::from_secs(30)));
                attempt += 1;
            }
            other => return other,
        }
    }
}
