//! The cloud: one interface (`Cloud`) that the planner's refresh and the applier talk to, shaped
//! after Azure Resource Manager so that the REST client can implement it unchanged: resources
//! are named by ARM id, writes return an operation to poll, list calls exist per parent, errors
//! carry ARM's codes, and throttling carries Retry-After.
//!
//! Bodies and resources use the azurerm attribute shape (what the state records); the ARM
//! client maps that to and from ARM's `properties` JSON.

use crate::profiles::ServiceProfile;
use crate::schema::ResourceKind;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A resource as the service returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CloudResource {
    pub id: String,
    pub kind: ResourceKind,
    pub subscription: String,
    pub location: Option<String>,
    /// azurerm-shaped attributes, with what the service fills in (defaults, computed values).
    pub attributes: serde_json::Value,
    /// Creating, Updating, Deleting, Succeeded or Failed.
    pub provisioning_state: String,
    /// Per target region, for image versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replication: Vec<RegionReplication>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionReplication {
    pub region: String,
    /// Replicating, Completed or Failed.
    pub state: String,
    pub progress: u8,
}

/// What a write asks for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Body {
    pub kind: ResourceKind,
    /// The caller's tenant: a subscription used for the first time joins it.
    pub tenant: String,
    pub attributes: serde_json::Value,
}

/// A long-running operation to poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    pub id: String,
    pub resource_id: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum OperationStatus {
    InProgress {
        /// When to ask again.
        retry_after: Duration,
        /// Per-region progress for image versions.
        replication: Vec<RegionReplication>,
    },
    Succeeded,
    Failed(CloudError),
}

/// Which list call: ARM lists per subscription and per parent resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListScope {
    /// Resource groups, managed images and galleries of a subscription.
    Subscription(String),
    /// The image definitions of a gallery.
    Gallery(String),
    /// The versions of an image definition.
    Definition(String),
    /// Role assignments at a scope (and below it).
    RoleAssignments(String),
    /// Management locks at a scope (and below it).
    Locks(String),
    /// Custom role definitions at a scope (and below it).
    RoleDefinitions(String),
    /// Every image definition and image version of a subscription, from the resource index
    /// (Azure Resource Graph): a few paged queries instead of one list call per definition. The
    /// index trails ARM by seconds (at times minutes) and carries no replication status: what it
    /// disagrees on with the state must be confirmed with a read.
    Graph(String),
}

/// An ARM error: HTTP status, ARM error code, message; Retry-After for throttling.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[error("{code}: {message}")]
pub struct CloudError {
    pub status: u16,
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub retry_after_ms: Option<u64>,
    /// The client behind the `Cloud` already retried this as often as it should be (the ARM
    /// client retries each HTTP call itself): callers must not multiply the retries.
    #[serde(default)]
    pub retries_exhausted: bool,
}

impl CloudError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> CloudError {
        CloudError {
            status,
            code: code.to_string(),
            message: message.into(),
            retry_after_ms: None,
            retries_exhausted: false,
        }
    }

    /// Worth trying again: throttling and transient server errors.
    pub fn is_transient(&self) -> bool {
        !self.retries_exhausted && (self.status == 429 || self.status >= 500)
    }
}

/// The subscription (lower case) an ARM id or a management URL belongs to.
pub fn subscription_of(id_or_url: &str) -> String {
    let mut parts = id_or_url.split('/').skip_while(|p| !p.eq_ignore_ascii_case("subscriptions"));
    parts.nth(1).unwrap_or("").split('?').next().unwrap_or("").to_ascii_lowercase()
}

/// Which service a cloud is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CloudProfile {
    /// Azure itself (Azure Resource Manager): the service as it is today, `current`.
    Azure,
    /// An emulator of that profile.
    Emulated(&'static ServiceProfile),
}

pub trait Cloud: Send + Sync {
    /// Which service this is. An emulator that has not chosen a profile yet takes `wanted` and
    /// keeps it.
    fn service_profile(&self, wanted: &'static ServiceProfile) -> Result<CloudProfile, CloudError> {
        let _ = wanted;
        Ok(CloudProfile::Azure)
    }

    /// Whether `subscription` registered the preview feature `Microsoft.Compute/{feature}`;
    /// `None` where the cloud cannot say.
    fn feature_registered(&self, subscription: &str, feature: &str) -> Result<Option<bool>, CloudError> {
        let _ = (subscription, feature);
        Ok(None)
    }

    /// The object id of the principal the cloud is called as (`data "azurerm_client_config"`'s
    /// `object_id`); `None` where the cloud cannot say.
    fn caller_object_id(&self) -> Result<Option<String>, CloudError> {
        Ok(None)
    }

    /// The subscriptions the caller can see (`GET /subscriptions`), lower case: what `inventory`
    /// and `export` read when not told which.
    fn visible_subscriptions(&self) -> Result<Vec<String>, CloudError> {
        Ok(Vec::new())
    }

    /// A subscription as ARM's `GET /subscriptions/{id}` answers it (`displayName`, `state`,
    /// `tenantId`, `subscriptionPolicies`, ...); `None` when the cloud does not know it.
    fn subscription(&self, id: &str) -> Result<Option<serde_json::Value>, CloudError> {
        let _ = id;
        Ok(None)
    }

    /// The credential arguments of the configuration's provider block (azurerm's names:
    /// `use_oidc`, `client_id`, …), which take precedence over the environment's, as in azurerm.
    /// Called once the provider is evaluated, before the cloud is first asked anything that
    /// needs a token. A cloud without sign-in (the embedded emulator) has nothing to do.
    fn sign_in_with(&self, settings: &std::collections::BTreeMap<String, String>) -> Result<(), CloudError> {
        let _ = settings;
        Ok(())
    }

    /// Whether the cloud signs in at all (so the provider block's credentials matter to it).
    fn signs_in(&self) -> bool {
        false
    }

    /// `Ok(None)` for 404.
    fn get(&self, id: &str) -> Result<Option<CloudResource>, CloudError>;
    fn list(&self, scope: &ListScope) -> Result<Vec<CloudResource>, CloudError>;
    /// Creates or replaces (fixed attributes may not change: 409 PropertyChangeNotAllowed).
    fn put(&self, id: &str, body: &Body) -> Result<Operation, CloudError>;
    fn delete(&self, id: &str) -> Result<Operation, CloudError>;
    fn poll(&self, operation: &Operation) -> Result<OperationStatus, CloudError>;
}

/// Calls `call`, retrying what is worth retrying: throttling (429) for as long as it takes within
/// ten minutes, honouring Retry-After; transient server errors (5xx) up to `retries` times with
/// exponential backoff.
pub fn retry<T>(retries: u32, mut call: impl FnMut() -> Result<T, CloudError>) -> Result<T, CloudError> {
    let deadline = std::time::Instant::now() + Duration::from_secs(600);
    let mut failures = 0;
    loop {
        match call() {
            Err(e) if e.status == 429 && !e.retries_exhausted && std::time::Instant::now() < deadline => {
                let wait = e.retry_after_ms.map_or(Duration::from_secs(1), Duration::from_millis);
                std::thread::sleep(wait.clamp(Duration::from_millis(10), Duration::from_secs(60)));
            }
            Err(e) if e.is_transient() && failures < retries => {
                let backoff = Duration::from_millis(100 * 2u64.pow(failures.min(6)));
                std::thread::sleep(
                    e.retry_after_ms.map_or(backoff, Duration::from_millis).min(Duration::from_secs(30)),
                );
                failures += 1;
            }
            other => return other,
        }
    }
}

/// Reads a resource until no operation is running on it (operations go on in the cloud after the
/// client that started them stopped waiting, as in Azure). `None`: it does not exist.
pub fn wait_settled(cloud: &dyn Cloud, id: &str, retries: u32) -> Result<Option<CloudResource>, CloudError> {
    for _ in 0..100_000 {
        match retry(retries, || cloud.get(id))? {
            Some(r) if matches!(r.provisioning_state.as_str(), "Creating" | "Updating" | "Deleting") => {
                std::thread::sleep(Duration::from_millis(50));
            }
            other => return Ok(other),
        }
    }
    Err(CloudError::new(504, "Timeout", format!("{id} did not settle")))
}
