//! Where the bearer token for ARM comes from, in the order Azure's own tools try them:
//! `AZURE_ACCESS_TOKEN` as given; the client-credentials flow of a service principal
//! (`AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`, against `AZURE_AUTHORITY_HOST`,
//! default `https://login.microsoftonline.com`); or the signed-in Azure CLI
//! (`az account get-access-token`). Tokens are cached until shortly before they expire.
//! Secrets and tokens never appear in messages or `Debug` output.

use serde_json::Value as Json;
use sigform_azure::cloud::CloudError;
use sigform_azure::shape::urlencode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub enum Source {
    Static(String),
    ClientCredentials { authority: String, tenant: String, client_id: String, secret: String },
    AzureCli,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Static(_) => write!(f, "AZURE_ACCESS_TOKEN"),
            Source::ClientCredentials { tenant, client_id, .. } => {
                write!(f, "client credentials (tenant {tenant}, client {client_id})")
            }
            Source::AzureCli => write!(f, "Azure CLI"),
        }
    }
}

impl Source {
    /// The first source the environment offers.
    pub fn from_env() -> Result<Source, CloudError> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        if let Some(token) = var("AZURE_ACCESS_TOKEN") {
            return Ok(Source::Static(token.trim().to_string()));
        }
        if let (Some(tenant), Some(client_id), Some(secret)) =
            (var("AZURE_TENANT_ID"), var("AZURE_CLIENT_ID"), var("AZURE_CLIENT_SECRET"))
        {
            let authority = var("AZURE_AUTHORITY_HOST").unwrap_or_else(|| "https://login.microsoftonline.com".into());
            return Ok(Source::ClientCredentials {
                authority: authority.trim_end_matches('/').to_string(),
                tenant,
                client_id,
                secret,
            });
        }
        if which("az") {
            return Ok(Source::AzureCli);
        }
        Err(CloudError::new(
            401,
            "NoCredentials",
            "no Azure credentials: set AZURE_ACCESS_TOKEN, or AZURE_TENANT_ID, AZURE_CLIENT_ID and \
             AZURE_CLIENT_SECRET for a service principal, or sign in with `az login`",
        ))
    }
}

fn which(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// A source and its cached token.
pub struct Tokens {
    source: Source,
    /// The token's audience: the ARM endpoint.
    resource: String,
    cached: Mutex<Option<(String, Instant)>>,
}

fn auth_error(message: impl Into<String>) -> CloudError {
    CloudError::new(401, "AuthenticationFailed", message)
}

impl Tokens {
    pub fn new(source: Source, endpoint: &str) -> Tokens {
        Tokens { source, resource: endpoint.trim_end_matches('/').to_string(), cached: Mutex::new(None) }
    }

    pub fn describe(&self) -> String {
        format!("{:?}", self.source)
    }

    /// A token valid for at least another minute.
    pub fn token(&self, agent: &ureq::Agent) -> Result<String, CloudError> {
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((token, expires)) = cached.as_ref()
            && *expires > Instant::now() + Duration::from_secs(60)
        {
            return Ok(token.clone());
        }
        let (token, lifetime) = self.fetch(agent)?;
        *cached = Some((token.clone(), Instant::now() + lifetime));
        Ok(token)
    }

    /// Forgets the cached token (after a 401, the next call fetches a new one).
    pub fn invalidate(&self) {
        *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    fn fetch(&self, agent: &ureq::Agent) -> Result<(String, Duration), CloudError> {
        match &self.source {
            // A given token is used as is for the run.
            Source::Static(token) => Ok((token.clone(), Duration::from_secs(24 * 3600))),
            Source::ClientCredentials { authority, tenant, client_id, secret } => {
                let url = format!("{authority}/{tenant}/oauth2/v2.0/token");
                let form = [
                    ("grant_type", "client_credentials"),
                    ("client_id", client_id.as_str()),
                    ("client_secret", secret.as_str()),
                    ("scope", &format!("{}/.default", self.resource)),
                ];
                let body: String =
                    form.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect::<Vec<_>>().join("&");
                let mut reply = agent
                    .post(&url)
                    .content_type("application/x-www-form-urlencoded")
                    .send(&body)
                    .map_err(|e| auth_error(format!("cannot reach the token endpoint {url}: {e}")))?;
                let status = reply.status().as_u16();
                let text = reply.body_mut().read_to_string().unwrap_or_default();
                let json: Json = serde_json::from_str(&text).unwrap_or(Json::Null);
                if status != 200 {
                    let why = json
                        .get("error_description")
                        .or_else(|| json.get("error"))
                        .and_then(Json::as_str)
                        .unwrap_or("no reason given");
                    return Err(auth_error(format!(
                        "the token endpoint refused client {client_id} (HTTP {status}): {}",
                        why.lines().next().unwrap_or(why)
                    )));
                }
                let token = json
                    .get("access_token")
                    .and_then(Json::as_str)
                    .ok_or_else(|| auth_error(format!("the token endpoint {url} answered without an access_token")))?;
                let lifetime = json.get("expires_in").and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()));
                Ok((token.to_string(), Duration::from_secs(lifetime.unwrap_or(300))))
            }
            Source::AzureCli => {
                let out = std::process::Command::new("az")
                    .args(["account", "get-access-token", "--resource", &format!("{}/", self.resource), "-o", "json"])
                    .output()
                    .map_err(|e| auth_error(format!("cannot run `az`: {e}")))?;
                if !out.status.success() {
                    let err = String::from_utf8_lossy(&out.stderr);
                    return Err(auth_error(format!(
                        "`az account get-access-token` failed (run `az login`): {}",
                        err.trim().lines().next().unwrap_or("")
                    )));
                }
                let json: Json = serde_json::from_slice(&out.stdout)
                    .map_err(|_| auth_error("`az account get-access-token` printed something other than JSON"))?;
                let token = json
                    .get("accessToken")
                    .and_then(Json::as_str)
                    .ok_or_else(|| auth_error("`az account get-access-token` printed no accessToken"))?;
                let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
                let lifetime = json
                    .get("expires_on")
                    .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()))
                    .map_or(300, |at| at.saturating_sub(now));
                Ok((token.to_string(), Duration::from_secs(lifetime)))
            }
        }
    }
}
