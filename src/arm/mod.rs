//! `--cloud arm`: the `Cloud` over the Azure Resource Manager REST API, with a small blocking HTTP
//! client (ureq) — the applier's worker threads already give the concurrency, so no async runtime.
//!
//! It follows ARM's contracts: `api-version` on every call, `value`/`nextLink` paging (never
//! sending the token to another host), long-running operations polled through
//! `Azure-AsyncOperation` (else `Location`, else the resource's own `provisioningState`) at the
//! pace `Retry-After` asks for, ARM error bodies turned into `CloudError`s with their codes, and
//! ARM's request limits kept on the client side so a large refresh paces itself.
//! The endpoint is `https://management.azure.com` unless `--arm-endpoint`/`SIGFORM_ARM_ENDPOINT`
//! says otherwise (a sovereign cloud, or `sigform emulator serve`).

pub mod auth;
pub mod trust;

use serde_json::Value as Json;
use sigform_azure::cloud::{
    Body, Cloud, CloudError, CloudResource, ListScope, Operation, OperationStatus, RegionReplication, subscription_of,
};
use sigform_azure::limits::{Buckets, Class};
use sigform_azure::schema::ResourceKind;
use sigform_azure::shape;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

pub const DEFAULT_ENDPOINT: &str = "https://management.azure.com";

/// The api-version of `Microsoft.Features` (preview feature registration).
const FEATURES_API_VERSION: &str = "2021-07-01";

/// What `-v` is told when the provider block changes how the run signs in.
type SignInNotice = Box<dyn Fn(&str) + Send + Sync>;

pub struct ArmCloud {
    endpoint: String,
    /// Which roots the client trusts, for `-v`.
    trusted: String,
    /// The provider block's credential arguments, once the configuration gave them.
    provider_credentials: Mutex<Option<std::collections::BTreeMap<String, String>>>,
    /// Told how the run signs in when the provider block changes it (`-v`).
    on_sign_in: Option<SignInNotice>,
    agent: ureq::Agent,
    tokens: auth::Tokens,
    /// `None` when `SIGFORM_ARM_CLIENT_LIMITS=off` (an endpoint without ARM's limits).
    limits: Option<Buckets>,
    /// Role definition ids by name, for roles that are not built in (looked up once each).
    roles: Mutex<HashMap<String, String>>,
}

/// An answer from ARM.
struct Reply {
    status: u16,
    async_operation: Option<String>,
    location: Option<String>,
    retry_after: Option<Duration>,
    body: String,
}

impl Reply {
    fn json(&self, endpoint: &str) -> Result<Json, CloudError> {
        if self.body.trim().is_empty() {
            return Ok(Json::Null);
        }
        serde_json::from_str(&self.body).map_err(|_| not_arm(self.status, endpoint, &self.body))
    }
}

/// An answer that is not ARM's JSON: an HTML error page from a proxy, a truncated body.
fn not_arm(status: u16, endpoint: &str, body: &str) -> CloudError {
    let text: String = strip_tags(body).split_whitespace().collect::<Vec<_>>().join(" ");
    let excerpt: String = text.chars().take(160).collect();
    CloudError::new(
        if status >= 400 { status } else { 502 },
        "UnexpectedResponse",
        format!("{endpoint} answered HTTP {status} with something other than ARM JSON: {excerpt:?}"),
    )
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// `Retry-After` (seconds, or an HTTP date we treat as "soon"), preferring the millisecond
/// headers Azure's SDKs read first.
fn retry_after(headers: &ureq::http::HeaderMap) -> Option<Duration> {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(ms) = get("retry-after-ms").or_else(|| get("x-ms-retry-after-ms")).and_then(|v| v.parse::<u64>().ok()) {
        return Some(Duration::from_millis(ms));
    }
    if let Some(v) = get("retry-after") {
        return Some(v.parse::<u64>().map_or(Duration::from_secs(5), Duration::from_secs));
    }
    // Resource Graph says when its quota window resets instead, as hh:mm:ss.
    get("x-ms-user-quota-resets-after").and_then(|v| {
        let mut seconds = 0u64;
        for part in v.split(':') {
            seconds = seconds * 60 + part.trim().parse::<f64>().ok()? as u64;
        }
        Some(Duration::from_secs(seconds.max(1)))
    })
}

fn kind_of(id: &str) -> Result<ResourceKind, CloudError> {
    shape::kind_of_id(id)
        .ok_or_else(|| CloudError::new(400, "InvalidResourceId", format!("{id} is not a resource sigform manages")))
}

/// Operation handles: how to learn that the operation finished.
const DONE: &str = "done:";
const ASYNC: &str = "async:";
const LOCATION: &str = "location:";
const RESOURCE: &str = "resource:";

impl ArmCloud {
    /// The client for `endpoint` (or the default), with credentials from the environment.
    /// Without an endpoint: the one of `ARM_METADATA_HOSTNAME`'s cloud metadata, or of
    /// `ARM_ENVIRONMENT`, else Azure's public cloud.
    pub fn from_env(endpoint: Option<&str>) -> Result<ArmCloud, CloudError> {
        let roots = trust::roots_from_env()?;
        let vars = auth::ProcessEnv;
        let endpoint = match endpoint {
            Some(e) => e.to_string(),
            None => {
                match (auth::Vars::get(&vars, "ARM_METADATA_HOSTNAME"), auth::Vars::get(&vars, "ARM_ENVIRONMENT")) {
                    (Some(host), _) => resource_manager_of(&host, &roots)?,
                    (None, Some(name)) => auth::environment(&name)?.1.to_string(),
                    (None, None) => DEFAULT_ENDPOINT.to_string(),
                }
            }
        };
        let endpoint = endpoint.trim_end_matches('/').to_string();
        if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
            return Err(CloudError::new(400, "InvalidEndpoint", format!("`{endpoint}` is not an http(s) URL")));
        }
        // Without credentials in the environment the provider block may still give some: the
        // error waits for the first call that needs a token.
        let source = auth::Source::from_env();
        Ok(ArmCloud::with_roots(&endpoint, source, roots))
    }

    /// The client with these credentials, trusting the built-in roots.
    pub fn new(endpoint: &str, source: auth::Source) -> ArmCloud {
        ArmCloud::with_roots(endpoint, Ok(source), trust::Roots::built_in())
    }

    /// The client with these credentials, trusting these roots.
    pub fn with_roots(endpoint: &str, source: Result<auth::Source, CloudError>, roots: trust::Roots) -> ArmCloud {
        let config = ureq::Agent::config_builder()
            .tls_config(roots.tls())
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(120)))
            .max_redirects(0)
            .user_agent(concat!("sigform/", env!("CARGO_PKG_VERSION")))
            .build();
        ArmCloud {
            endpoint: endpoint.trim_end_matches('/').to_string(),
            trusted: roots.describe(),
            provider_credentials: Mutex::new(None),
            on_sign_in: None,
            agent: config.new_agent(),
            tokens: auth::Tokens::new(source, endpoint),
            limits: (!matches!(std::env::var("SIGFORM_ARM_CLIENT_LIMITS").as_deref(), Ok("off" | "0" | "false")))
                .then(Buckets::default),
            roles: Mutex::new(HashMap::new()),
        }
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Calls `notify` with `describe()` whenever the provider block changes how the run signs in.
    pub fn on_sign_in(mut self, notify: impl Fn(&str) + Send + Sync + 'static) -> ArmCloud {
        self.on_sign_in = Some(Box::new(notify));
        self
    }

    /// Where the client signs in and what it trusts (never a secret), for `-v`.
    pub fn describe(&self) -> String {
        format!(
            "ARM endpoint {}; credentials from {}; trusting {}",
            self.endpoint,
            self.tokens.describe(),
            self.trusted
        )
    }

    fn url(&self, path: &str, api_version: &str) -> String {
        let sep = if path.contains('?') { '&' } else { '?' };
        format!("{}{path}{sep}api-version={api_version}", self.endpoint)
    }

    /// One call, retried here rather than by the caller so that a list of several calls or pages
    /// never starts over: throttling (429) for up to ten minutes at the pace Retry-After asks,
    /// transient failures (5xx, a dropped connection) four times with exponential backoff — both
    /// with jitter, so parallel workers do not retry in step. ARM's writes are idempotent PUTs and
    /// DELETEs, so repeating one whose answer was lost is safe.
    fn send(&self, method: &str, url: &str, body: Option<&Json>) -> Result<Reply, CloudError> {
        let deadline = std::time::Instant::now() + Duration::from_secs(600);
        let mut failures = 0u32;
        loop {
            let jitter = |d: Duration| d + d.mul_f64((uuid::Uuid::new_v4().as_u128() % 1000) as f64 / 5000.0);
            match self.send_once(method, url, body) {
                Err(e) if e.status == 429 && std::time::Instant::now() < deadline => {
                    let wait = e.retry_after_ms.map_or(Duration::from_secs(1), Duration::from_millis);
                    std::thread::sleep(jitter(wait.clamp(Duration::from_millis(10), Duration::from_secs(60))));
                }
                Err(e) if e.is_transient() && e.status != 429 && failures < 4 => {
                    let backoff = Duration::from_millis(200 * 2u64.pow(failures));
                    std::thread::sleep(jitter(e.retry_after_ms.map_or(backoff, Duration::from_millis)));
                    failures += 1;
                }
                Err(mut e) => {
                    e.retries_exhausted = e.is_transient();
                    return Err(e);
                }
                ok => return ok,
            }
        }
    }

    /// One attempt: waits for the client-side bucket, sends with a bearer token, and turns what
    /// comes back into a `Reply` or a `CloudError` (2xx and 404 are replies; the rest are errors).
    fn send_once(&self, method: &str, url: &str, body: Option<&Json>) -> Result<Reply, CloudError> {
        if !url.starts_with(&self.endpoint) {
            return Err(CloudError::new(
                502,
                "UnexpectedLink",
                format!("the service pointed at {url}, outside {}; not following it with credentials", self.endpoint),
            ));
        }
        let class = if url.to_ascii_lowercase().contains("/providers/microsoft.resourcegraph/") {
            Class::Graph
        } else if method == "GET" {
            Class::Read
        } else {
            Class::Write
        };
        if let Some(limits) = &self.limits {
            limits.acquire(&subscription_of(url), class);
        }
        let mut refreshed = false;
        loop {
            let token = self.tokens.token(&self.agent)?;
            let bearer = format!("Bearer {token}");
            let result = match (method, body) {
                ("PUT" | "POST", Some(b)) => {
                    let request = if method == "PUT" { self.agent.put(url) } else { self.agent.post(url) };
                    request.header("Authorization", &bearer).content_type("application/json").send(b.to_string())
                }
                ("DELETE", _) => self.agent.delete(url).header("Authorization", &bearer).call(),
                _ => self.agent.get(url).header("Authorization", &bearer).call(),
            };
            let mut response = result
                .map_err(|e| CloudError::new(503, "ConnectionFailed", format!("{method} {}: {e}", strip_query(url))))?;
            let headers = response.headers();
            let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
            let mut reply = Reply {
                status: response.status().as_u16(),
                async_operation: header("azure-asyncoperation"),
                location: header("location"),
                retry_after: retry_after(headers),
                body: String::new(),
            };
            reply.body = response.body_mut().with_config().limit(64 << 20).read_to_string().map_err(|e| {
                CloudError::new(
                    503,
                    "ConnectionFailed",
                    format!("{method} {}: reading the answer: {e}", strip_query(url)),
                )
            })?;
            if reply.status == 401 && !refreshed {
                // An expired or revoked token: fetch a fresh one once.
                self.tokens.invalidate();
                refreshed = true;
                continue;
            }
            if (200..300).contains(&reply.status) || reply.status == 404 {
                return Ok(reply);
            }
            return Err(self.error(&reply));
        }
    }

    /// ARM's error body `{"error": {"code", "message", ...}}` as a `CloudError`.
    fn error(&self, reply: &Reply) -> CloudError {
        let json: Json = match serde_json::from_str(&reply.body) {
            Ok(j) => j,
            Err(_) => {
                let mut e = not_arm(reply.status, &self.endpoint, &reply.body);
                e.retry_after_ms = reply.retry_after.map(|d| d.as_millis() as u64);
                return e;
            }
        };
        let error = json.get("error").unwrap_or(&json);
        let code = error.get("code").and_then(Json::as_str).unwrap_or("UnknownError");
        let message = error.get("message").and_then(Json::as_str).unwrap_or("no message");
        let mut e = CloudError::new(reply.status, code, message);
        if reply.status == 401 || reply.status == 403 {
            e.message = format!("{message} (credentials from {})", self.tokens.describe());
        }
        e.retry_after_ms = reply.retry_after.map(|d| d.as_millis() as u64);
        e
    }

    /// Every page of a list call.
    fn list_all(&self, first: &str) -> Result<Vec<Json>, CloudError> {
        let mut out = Vec::new();
        let mut url = Some(first.to_string());
        let mut pages = 0;
        while let Some(next) = url.take() {
            pages += 1;
            if pages > 10_000 {
                return Err(CloudError::new(502, "UnexpectedResponse", "more than 10,000 pages: nextLink loops"));
            }
            let reply = self.send("GET", &next, None)?;
            if reply.status == 404 {
                return Ok(out);
            }
            let json = reply.json(&self.endpoint)?;
            let values = json.get("value").and_then(Json::as_array).ok_or_else(|| {
                CloudError::new(
                    502,
                    "UnexpectedResponse",
                    format!("a list answer without `value` from {}", strip_query(&next)),
                )
            })?;
            out.extend(values.iter().cloned());
            url = json.get("nextLink").and_then(Json::as_str).filter(|l| !l.is_empty()).map(str::to_string);
        }
        Ok(out)
    }

    /// Every resource of `kinds` in `subscription` from Resource Graph. Image versions are read a
    /// location at a time, one row per definition (`shape::graph_versions_query`): at today's
    /// quota ceiling that is 5 queries for 50,000 versions instead of 50 pages, inside the Graph
    /// quota's burst of 15. A location whose summary Resource Graph truncates (more definitions
    /// than a page), or refuses, is read a row per version instead. The locations are those of the
    /// definitions read first: a version lives in its definition's location. An endpoint without
    /// Resource Graph answers 404 (`ResourceGraphUnavailable`: the caller walks the lists instead).
    fn graph(&self, subscription: &str, kinds: &[ResourceKind]) -> Result<Vec<CloudResource>, CloudError> {
        let others: Vec<ResourceKind> = kinds.iter().copied().filter(|k| *k != ResourceKind::ImageVersion).collect();
        if others.len() == kinds.len() {
            return self.graph_pages(subscription, &shape::graph_query(kinds));
        }
        let mut out = self.graph_pages(subscription, &shape::graph_query(&others))?;
        let locations: std::collections::BTreeSet<String> = out
            .iter()
            .filter(|r| r.kind == ResourceKind::ImageDefinition)
            .filter_map(|r| r.location.as_deref().map(sigform_azure::regions::normalize))
            .collect();
        let mut summaries = true;
        for location in locations {
            if summaries {
                match self.graph_versions(subscription, &location)? {
                    Summary::Versions(versions) => {
                        out.extend(versions);
                        continue;
                    }
                    Summary::Truncated => {}
                    Summary::Refused => summaries = false,
                }
            }
            let query = shape::graph_query_in(&[ResourceKind::ImageVersion], &location);
            out.extend(self.graph_pages(subscription, &query)?);
        }
        Ok(out)
    }

    /// One location's versions from its summary query: the answer's first page is all of it.
    fn graph_versions(&self, subscription: &str, location: &str) -> Result<Summary, CloudError> {
        let json = match self.graph_query(subscription, &shape::graph_versions_query(location), None) {
            Ok(json) => json,
            // A Resource Graph that does not answer the summary (its KQL, its size).
            Err(e) if e.status == 400 => return Ok(Summary::Refused),
            Err(e) => return Err(e),
        };
        let rows = graph_rows(&json)?;
        let total = json.get("totalRecords").and_then(Json::as_u64).unwrap_or(0);
        let truncated = matches!(json.get("resultTruncated"), Some(Json::String(t)) if t.eq_ignore_ascii_case("true"))
            || json.get("resultTruncated") == Some(&Json::Bool(true));
        if truncated || (rows.len() as u64) < total || json.get("$skipToken").is_some_and(|t| !t.is_null()) {
            return Ok(Summary::Truncated);
        }
        let mut out = Vec::new();
        for row in rows {
            let versions = row.get("versions").and_then(Json::as_array).ok_or_else(|| {
                CloudError::new(502, "UnexpectedResponse", "a Resource Graph summary row without `versions`")
            })?;
            for version in versions {
                out.push(self.parse(version, None)?);
            }
        }
        Ok(Summary::Versions(out))
    }

    /// Every page of a Resource Graph query, a row each.
    fn graph_pages(&self, subscription: &str, query: &str) -> Result<Vec<CloudResource>, CloudError> {
        let mut out = Vec::new();
        let mut skip_token: Option<String> = None;
        for _ in 0..10_000 {
            let json = self.graph_query(subscription, query, skip_token.as_deref())?;
            for row in graph_rows(&json)? {
                out.push(self.parse(row, None)?);
            }
            skip_token = json.get("$skipToken").and_then(Json::as_str).filter(|t| !t.is_empty()).map(str::to_string);
            if skip_token.is_none() {
                return Ok(out);
            }
        }
        Err(CloudError::new(502, "UnexpectedResponse", "more than 10,000 pages: $skipToken loops"))
    }

    /// One page of a Resource Graph query (pages of 1,000 rows, the most it gives).
    fn graph_query(&self, subscription: &str, query: &str, skip_token: Option<&str>) -> Result<Json, CloudError> {
        let url = self.url("/providers/Microsoft.ResourceGraph/resources", shape::GRAPH_API_VERSION);
        let mut options = serde_json::json!({"$top": 1000, "resultFormat": "objectArray"});
        if let Some(token) = skip_token {
            options["$skipToken"] = Json::String(token.to_string());
        }
        let body = serde_json::json!({"subscriptions": [subscription], "query": query, "options": options});
        let reply = self.send("POST", &url, Some(&body))?;
        if reply.status == 404 {
            return Err(CloudError::new(
                404,
                "ResourceGraphUnavailable",
                format!("{} does not answer Azure Resource Graph queries", self.endpoint),
            ));
        }
        if reply.status != 200 {
            return Err(self.error(&reply));
        }
        reply.json(&self.endpoint)
    }

    fn parse(&self, json: &Json, requested: Option<&str>) -> Result<CloudResource, CloudError> {
        let role_name = |definition: &str| -> Option<String> {
            shape::built_in_role_name(definition).map(str::to_string).or_else(|| {
                {
                    let roles = self.roles.lock().unwrap_or_else(|p| p.into_inner());
                    if let Some((name, _)) = roles.iter().find(|(_, id)| id.eq_ignore_ascii_case(definition)) {
                        return Some(name.clone());
                    }
                }
                // A custom role: its definition says its name (one read per role, remembered).
                let reply = self
                    .send("GET", &self.url(definition, shape::api_version(ResourceKind::RoleDefinition)), None)
                    .ok()?;
                if reply.status != 200 {
                    return None;
                }
                let name = reply.json(&self.endpoint).ok()?.pointer("/properties/roleName")?.as_str()?.to_string();
                self.roles.lock().unwrap_or_else(|p| p.into_inner()).insert(name.clone(), definition.to_string());
                Some(name)
            })
        };
        shape::resource_at(json, requested, &role_name)
            .map_err(|e| CloudError::new(502, "UnexpectedResponse", format!("{} answered {e}", self.endpoint)))
    }

    /// The role definition id for a role name: built-in roles from the table, others looked up.
    fn role_definition(&self, subscription: &str, name: &str) -> Result<String, CloudError> {
        if let Some(guid) = shape::built_in_role_guid(name) {
            return Ok(shape::role_definition_id(subscription, guid));
        }
        if let Some(id) = self.roles.lock().unwrap_or_else(|p| p.into_inner()).get(name) {
            return Ok(id.clone());
        }
        let filter = shape::urlencode(&format!("roleName eq '{name}'"));
        let url = self.url(
            &format!(
                "/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions?$filter={filter}"
            ),
            shape::api_version(ResourceKind::RoleAssignment),
        );
        let found = self.list_all(&url)?;
        let id = found.first().and_then(|d| d.get("id")).and_then(Json::as_str).ok_or_else(|| {
            CloudError::new(400, "RoleDefinitionDoesNotExist", format!("no role definition is named `{name}`"))
        })?;
        self.roles.lock().unwrap_or_else(|p| p.into_inner()).insert(name.to_string(), id.to_string());
        Ok(id.to_string())
    }

    /// The handle for an operation ARM accepted.
    fn operation(&self, reply: &Reply, id: &str) -> Operation {
        let handle = if let Some(url) = &reply.async_operation {
            format!("{ASYNC}{url}")
        } else if reply.status == 202
            && let Some(url) = &reply.location
        {
            format!("{LOCATION}{url}")
        } else if reply.status == 202 || self.in_progress(reply) {
            RESOURCE.to_string()
        } else {
            DONE.to_string()
        };
        Operation { id: handle, resource_id: id.to_string() }
    }

    fn in_progress(&self, reply: &Reply) -> bool {
        let json: Json = serde_json::from_str(&reply.body).unwrap_or(Json::Null);
        matches!(
            json.pointer("/properties/provisioningState").and_then(Json::as_str),
            Some("Creating" | "Updating" | "Deleting" | "Accepted" | "Migrating")
        )
    }

    /// Replication progress while a version's operation runs (one read of the version).
    fn progress(&self, operation: &Operation) -> Vec<RegionReplication> {
        if shape::kind_of_id(&operation.resource_id) != Some(ResourceKind::ImageVersion) {
            return Vec::new();
        }
        self.get(&operation.resource_id).ok().flatten().map(|r| r.replication).unwrap_or_default()
    }
}

/// What a location's version summary gave.
enum Summary {
    Versions(Vec<CloudResource>),
    /// More than the first page: read that location a row per version.
    Truncated,
    /// Resource Graph refused the query: read every location a row per version.
    Refused,
}

/// The rows of a Resource Graph answer.
fn graph_rows(json: &Json) -> Result<&Vec<Json>, CloudError> {
    json.get("data")
        .and_then(Json::as_array)
        .ok_or_else(|| CloudError::new(502, "UnexpectedResponse", "a Resource Graph answer without `data` rows"))
}

fn strip_query(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

/// The resource manager a cloud's metadata names (`ARM_METADATA_HOSTNAME`, as azurerm reads it).
fn resource_manager_of(host: &str, roots: &trust::Roots) -> Result<String, CloudError> {
    let base = if host.contains("://") { host.to_string() } else { format!("https://{host}") };
    let url = format!("{}/metadata/endpoints?api-version=2022-09-01", base.trim_end_matches('/'));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .tls_config(roots.tls())
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .new_agent();
    let bad = |why: String| CloudError::new(400, "InvalidEndpoint", format!("ARM_METADATA_HOSTNAME={host}: {why}"));
    let mut response = agent.get(&url).call().map_err(|e| bad(format!("cannot read {url}: {e}")))?;
    let text = response.body_mut().read_to_string().unwrap_or_default();
    let json: Json = serde_json::from_str(&text).unwrap_or(Json::Null);
    json.get("resourceManager")
        .and_then(Json::as_str)
        .map(|e| e.trim_end_matches('/').to_string())
        .ok_or_else(|| bad(format!("{url} names no resourceManager")))
}

impl Cloud for ArmCloud {
    fn signs_in(&self) -> bool {
        true
    }

    /// The provider block's credential arguments over the environment's variables; a block
    /// without any leaves the environment's choice as it was. Two provider blocks (aliases) that
    /// name different credentials are refused: the run signs in once.
    fn sign_in_with(&self, settings: &std::collections::BTreeMap<String, String>) -> Result<(), CloudError> {
        let mut given = self.provider_credentials.lock().unwrap_or_else(|p| p.into_inner());
        match given.as_ref() {
            Some(first) if first == settings => return Ok(()),
            Some(first) if !first.is_empty() || !settings.is_empty() => {
                return Err(CloudError::new(
                    400,
                    "ConflictingCredentials",
                    "provider blocks name different credentials; sigform signs in once per run (give them the same ones, or set them in the environment)",
                ));
            }
            _ => {}
        }
        *given = Some(settings.clone());
        if settings.is_empty() {
            return Ok(());
        }
        let overlay = auth::Overlay { settings, env: &auth::ProcessEnv };
        let source = auth::Source::from_vars(&overlay, &|program| auth::on_path(program));
        let failed = source.as_ref().err().cloned();
        self.tokens.set_source(source);
        if let Some(notify) = &self.on_sign_in {
            notify(&self.describe());
        }
        failed.map_or(Ok(()), Err)
    }

    /// The `oid` claim of the access token (Entra ID tokens are JWTs): who the calls are made as.
    fn caller_object_id(&self) -> Result<Option<String>, CloudError> {
        let token = self.tokens.token(&self.agent)?;
        let claims = sigform_azure::jwt::claims(&token);
        Ok(claims.and_then(|c| c.get("oid").and_then(Json::as_str).map(str::to_string)))
    }

    fn visible_subscriptions(&self) -> Result<Vec<String>, CloudError> {
        let listed = self.list_all(&self.url("/subscriptions", "2022-12-01"))?;
        let mut ids: Vec<String> = listed
            .iter()
            .filter_map(|s| s.get("subscriptionId").and_then(Json::as_str))
            .map(str::to_ascii_lowercase)
            .collect();
        ids.sort();
        ids.dedup();
        Ok(ids)
    }

    fn subscription(&self, id: &str) -> Result<Option<Json>, CloudError> {
        let reply = self.send("GET", &self.url(&format!("/subscriptions/{id}"), "2022-12-01"), None)?;
        if reply.status == 404 {
            return Ok(None);
        }
        if reply.status != 200 {
            return Err(self.error(&reply));
        }
        Ok(Some(reply.json(&self.endpoint)?))
    }

    /// Asks `Microsoft.Features`; a feature Azure does not know (404) is one it cannot say about.
    fn feature_registered(&self, subscription: &str, feature: &str) -> Result<Option<bool>, CloudError> {
        let path = format!(
            "/subscriptions/{subscription}/providers/Microsoft.Features/providers/Microsoft.Compute/features/{feature}"
        );
        let reply = self.send("GET", &self.url(&path, FEATURES_API_VERSION), None)?;
        if reply.status == 404 {
            return Ok(None);
        }
        if reply.status != 200 {
            return Err(self.error(&reply));
        }
        let json = reply.json(&self.endpoint)?;
        Ok(Some(json.pointer("/properties/state").and_then(Json::as_str) == Some("Registered")))
    }

    fn get(&self, id: &str) -> Result<Option<CloudResource>, CloudError> {
        let kind = kind_of(id)?;
        let mut url = self.url(id, shape::api_version(kind));
        if kind == ResourceKind::ImageVersion {
            url.push_str("&$expand=ReplicationStatus");
        }
        let reply = self.send("GET", &url, None)?;
        if reply.status == 404 {
            return Ok(None);
        }
        Ok(Some(self.parse(&reply.json(&self.endpoint)?, Some(id))?))
    }

    fn list(&self, scope: &ListScope) -> Result<Vec<CloudResource>, CloudError> {
        let urls = match scope {
            ListScope::Graph(s) => {
                return self.graph(s, &shape::INDEXED);
            }
            ListScope::Subscription(s) => vec![
                self.url(
                    &format!("/subscriptions/{s}/resourcegroups"),
                    shape::api_version(ResourceKind::ResourceGroup),
                ),
                self.url(
                    &format!("/subscriptions/{s}/providers/Microsoft.Compute/images"),
                    shape::api_version(ResourceKind::ManagedImage),
                ),
                self.url(
                    &format!("/subscriptions/{s}/providers/Microsoft.Compute/galleries"),
                    shape::api_version(ResourceKind::Gallery),
                ),
            ],
            ListScope::Gallery(id) => vec![
                self.url(&format!("{id}/images"), shape::api_version(ResourceKind::ImageDefinition)),
                self.url(&format!("{id}/applications"), shape::api_version(ResourceKind::GalleryApplication)),
            ],
            ListScope::Definition(id) => {
                vec![self.url(&format!("{id}/versions"), shape::api_version(ResourceKind::ImageVersion))]
            }
            ListScope::RoleAssignments(scope) => vec![self.url(
                &format!("{scope}/providers/Microsoft.Authorization/roleAssignments"),
                shape::api_version(ResourceKind::RoleAssignment),
            )],
            ListScope::Locks(scope) => vec![self.url(
                &format!("{scope}/providers/Microsoft.Authorization/locks"),
                shape::api_version(ResourceKind::ManagementLock),
            )],
            ListScope::RoleDefinitions(scope) => vec![format!(
                "{}&$filter={}",
                self.url(
                    &format!("{scope}/providers/Microsoft.Authorization/roleDefinitions"),
                    shape::api_version(ResourceKind::RoleDefinition),
                ),
                shape::urlencode("type eq 'CustomRole'")
            )],
        };
        let mut out = Vec::new();
        for url in urls {
            for item in self.list_all(&url)? {
                out.push(self.parse(&item, None)?);
            }
        }
        if let ListScope::RoleAssignments(scope) | ListScope::Locks(scope) | ListScope::RoleDefinitions(scope) = scope {
            // ARM also lists the assignments inherited from above the scope; the trait asks for
            // those at the scope and below it.
            let prefix = format!("{}/", scope.trim_end_matches('/').to_ascii_lowercase());
            out.retain(|r| r.id.to_ascii_lowercase().starts_with(&prefix));
        }
        Ok(out)
    }

    fn put(&self, id: &str, body: &Body) -> Result<Operation, CloudError> {
        let kind = kind_of(id)?;
        let given_id = body
            .attributes
            .get("role_definition_id")
            .and_then(Json::as_str)
            .filter(|_| kind == ResourceKind::RoleAssignment);
        let role = match body.attributes.get("role_definition_name").and_then(Json::as_str) {
            // A role definition id is sent as written.
            _ if given_id.is_some() => given_id.map(str::to_string),
            Some(name) if kind == ResourceKind::RoleAssignment => {
                let subscription = body
                    .attributes
                    .get("scope")
                    .and_then(Json::as_str)
                    .map(subscription_of)
                    .unwrap_or_else(|| subscription_of(id));
                Some(self.role_definition(&subscription, name)?)
            }
            _ => None,
        };
        let request = shape::request_body(kind, &body.attributes, role.as_deref());
        let reply = self.send("PUT", &self.url(id, shape::api_version(kind)), Some(&request))?;
        if reply.status == 404 {
            return Err(self.error(&reply));
        }
        Ok(self.operation(&reply, id))
    }

    fn delete(&self, id: &str) -> Result<Operation, CloudError> {
        let kind = kind_of(id)?;
        let reply = self.send("DELETE", &self.url(id, shape::api_version(kind)), None)?;
        if reply.status == 404 || reply.status == 204 {
            return Ok(Operation { id: DONE.into(), resource_id: id.to_string() });
        }
        Ok(self.operation(&reply, id))
    }

    fn poll(&self, operation: &Operation) -> Result<OperationStatus, CloudError> {
        let wait = |reply: &Reply| reply.retry_after.unwrap_or(Duration::from_secs(5));
        if let Some(url) = operation.id.strip_prefix(ASYNC) {
            let reply = self.send("GET", url, None)?;
            if reply.status == 404 {
                return Err(CloudError::new(404, "OperationNotFound", format!("{} is gone", strip_query(url))));
            }
            let json = reply.json(&self.endpoint)?;
            return Ok(match json.get("status").and_then(Json::as_str).unwrap_or("InProgress") {
                s if s.eq_ignore_ascii_case("Succeeded") => OperationStatus::Succeeded,
                s if s.eq_ignore_ascii_case("Failed") || s.eq_ignore_ascii_case("Canceled") => {
                    let error = json.get("error").cloned().unwrap_or(Json::Null);
                    OperationStatus::Failed(CloudError::new(
                        500,
                        error.get("code").and_then(Json::as_str).unwrap_or("OperationFailed"),
                        error.get("message").and_then(Json::as_str).unwrap_or("the operation failed"),
                    ))
                }
                _ => OperationStatus::InProgress { retry_after: wait(&reply), replication: self.progress(operation) },
            });
        }
        if let Some(url) = operation.id.strip_prefix(LOCATION) {
            let reply = self.send("GET", url, None)?;
            return Ok(match reply.status {
                202 => OperationStatus::InProgress { retry_after: wait(&reply), replication: self.progress(operation) },
                _ => OperationStatus::Succeeded,
            });
        }
        if operation.id.starts_with(RESOURCE) {
            return Ok(match self.get(&operation.resource_id)? {
                None => OperationStatus::Succeeded,
                Some(r) => match r.provisioning_state.as_str() {
                    "Failed" => OperationStatus::Failed(CloudError::new(
                        500,
                        "OperationFailed",
                        format!("{} is in provisioning state Failed", r.id),
                    )),
                    "Creating" | "Updating" | "Deleting" | "Accepted" | "Migrating" => {
                        OperationStatus::InProgress { retry_after: Duration::from_secs(2), replication: r.replication }
                    }
                    _ => OperationStatus::Succeeded,
                },
            });
        }
        Ok(OperationStatus::Succeeded)
    }
}
