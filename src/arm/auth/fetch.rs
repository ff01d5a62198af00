//! Getting a token from each source: Entra ID's client-credentials flow (with a secret, a
//! certificate-signed assertion, or a federated assertion fetched from the CI system), the
//! managed-identity endpoints, and the Azure CLI. Every failure says which source failed and
//! why, in the identity provider's own words, never with the secret.

use super::{Assertion, Login, ManagedEndpoint, PUBLIC_LOGIN, Source, TOKEN_EXCHANGE_AUDIENCE, Tokens, auth_error};
use serde_json::Value as Json;
use sigform_azure::cloud::CloudError;
use sigform_azure::shape::urlencode;
use std::time::Duration;

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn form(fields: &[(&str, &str)]) -> String {
    fields.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect::<Vec<_>>().join("&")
}

/// The first line of an error answer: `error_description`, `error`, or `message`.
fn reason(json: &Json) -> String {
    let why = json
        .get("error_description")
        .or_else(|| json.get("error"))
        .or_else(|| json.get("message"))
        .and_then(Json::as_str)
        .unwrap_or("no reason given");
    why.lines().next().unwrap_or(why).trim().to_string()
}

/// A number of seconds given as a number or a string.
fn seconds(v: Option<&Json>) -> Option<i64> {
    let v = v?;
    v.as_i64().or_else(|| v.as_str()?.trim().parse().ok())
}

/// What a token answer says: the token and how long it lasts.
fn token_of(json: &Json, what: &str) -> Result<(String, Duration), CloudError> {
    let token = json
        .get("access_token")
        .and_then(Json::as_str)
        .ok_or_else(|| auth_error(format!("{what} answered without an access_token")))?;
    let lifetime = seconds(json.get("expires_in"))
        .or_else(|| seconds(json.get("expires_on")).map(|at| at - sigform_azure::timestamp::now_unix()));
    Ok((token.to_string(), Duration::from_secs(lifetime.unwrap_or(300).max(0) as u64)))
}

fn read(mut response: ureq::http::Response<ureq::Body>) -> (u16, Json) {
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Json::Null))
}

impl Tokens {
    pub(super) fn fetch(&self, agent: &ureq::Agent, source: &Source) -> Result<(String, Duration), CloudError> {
        match source {
            // A given token is used as is for the run.
            Source::Static(token) => Ok((token.clone(), Duration::from_secs(24 * 3600))),
            Source::ClientSecret { login, secret, .. } => {
                self.client_credentials(agent, login, &[("client_secret", secret.as_str())])
            }
            Source::ClientCertificate { login, certificate } => {
                let audience = format!("{}/{}/oauth2/v2.0/token", self.authority(agent, login)?, login.tenant);
                let assertion = certificate.assertion(&login.client_id, &audience)?;
                self.client_credentials(
                    agent,
                    login,
                    &[("client_assertion_type", ASSERTION_TYPE), ("client_assertion", &assertion)],
                )
            }
            Source::WorkloadIdentity { login, assertion } => {
                let assertion = self.federated_assertion(agent, assertion)?;
                self.client_credentials(
                    agent,
                    login,
                    &[("client_assertion_type", ASSERTION_TYPE), ("client_assertion", &assertion)],
                )
            }
            Source::ManagedIdentity { endpoint, client_id } => self.managed_identity(agent, endpoint, client_id),
            Source::AzureCli => self.azure_cli(),
        }
    }

    /// The login endpoint: as configured, Azure's public one for Azure's public endpoint, else
    /// the `loginEndpoint` of the endpoint's cloud metadata (learned once).
    fn authority(&self, agent: &ureq::Agent, login: &Login) -> Result<String, CloudError> {
        if let Some(a) = &login.authority {
            return Ok(a.clone());
        }
        let mut learned = self.authority.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(a) = learned.as_ref() {
            return Ok(a.clone());
        }
        let authority = match super::ENVIRONMENTS.iter().find(|(_, arm, _)| *arm == self.resource) {
            Some((_, _, login)) => login.to_string(),
            None => discover_login(agent, &self.resource)?,
        };
        *learned = Some(authority.clone());
        Ok(authority)
    }

    fn client_credentials(
        &self,
        agent: &ureq::Agent,
        login: &Login,
        credential: &[(&str, &str)],
    ) -> Result<(String, Duration), CloudError> {
        let url = format!("{}/{}/oauth2/v2.0/token", self.authority(agent, login)?, login.tenant);
        let scope = format!("{}/.default", self.resource);
        let mut fields = vec![("grant_type", "client_credentials"), ("client_id", login.client_id.as_str())];
        fields.extend_from_slice(credential);
        fields.push(("scope", &scope));
        let response = agent
            .post(&url)
            .content_type("application/x-www-form-urlencoded")
            .send(&form(&fields))
            .map_err(|e| auth_error(format!("cannot reach the token endpoint {url}: {e}")))?;
        let (status, json) = read(response);
        if status != 200 {
            return Err(auth_error(format!(
                "the token endpoint refused client {} (HTTP {status}): {}",
                login.client_id,
                reason(&json)
            )));
        }
        token_of(&json, &format!("the token endpoint {url}"))
    }

    /// The federated assertion, fresh from its source (CI tokens live minutes, so each sign-in
    /// asks again).
    fn federated_assertion(&self, agent: &ureq::Agent, assertion: &Assertion) -> Result<String, CloudError> {
        let fetched =
            |what: &str, url: &str, result: Result<ureq::http::Response<ureq::Body>, ureq::Error>, key: &str| {
                let response = result.map_err(|e| auth_error(format!("cannot reach {what} at {url}: {e}")))?;
                let (status, json) = read(response);
                if status != 200 {
                    return Err(auth_error(format!("{what} refused (HTTP {status}): {}", reason(&json))));
                }
                json.get(key)
                    .and_then(Json::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| auth_error(format!("{what} answered without `{key}`")))
            };
        match assertion {
            Assertion::Given { token, .. } => Ok(token.clone()),
            Assertion::File { var, path } => std::fs::read_to_string(path)
                .map(|t| t.trim().to_string())
                .map_err(|e| auth_error(format!("cannot read the federated token file {var}={path}: {e}"))),
            Assertion::GitHub { url, request_token } => {
                let sep = if url.contains('?') { '&' } else { '?' };
                let full = format!("{url}{sep}audience={}", urlencode(TOKEN_EXCHANGE_AUDIENCE));
                let result = agent.get(&full).header("Authorization", &format!("Bearer {request_token}")).call();
                fetched("GitHub Actions' ID-token endpoint", strip_query(url), result, "value")
            }
            Assertion::AzurePipelines { url, access_token, service_connection } => {
                let sep = if url.contains('?') { '&' } else { '?' };
                let full = format!("{url}{sep}api-version=7.1&serviceConnectionId={}", urlencode(service_connection));
                let result = agent
                    .post(&full)
                    .header("Authorization", &format!("Bearer {access_token}"))
                    .content_type("application/json")
                    .send("");
                fetched("Azure Pipelines' ID-token endpoint", strip_query(url), result, "oidcToken")
            }
        }
    }

    fn managed_identity(
        &self,
        agent: &ureq::Agent,
        endpoint: &ManagedEndpoint,
        client_id: &Option<String>,
    ) -> Result<(String, Duration), CloudError> {
        let resource = urlencode(&self.resource);
        let client = client_id.as_ref().map(|c| format!("&client_id={}", urlencode(c))).unwrap_or_default();
        let (what, result) = match endpoint {
            ManagedEndpoint::AppService { url, header } => {
                let sep = if url.contains('?') { '&' } else { '?' };
                let full = format!("{url}{sep}api-version=2019-08-01&resource={resource}{client}");
                (
                    "the managed-identity endpoint (IDENTITY_ENDPOINT)",
                    agent.get(&full).header("X-IDENTITY-HEADER", header).call(),
                )
            }
            ManagedEndpoint::Imds { url } => {
                let sep = if url.contains('?') { '&' } else { '?' };
                let full = format!("{url}{sep}api-version=2018-02-01&resource={resource}{client}");
                ("the instance metadata service", agent.get(&full).header("Metadata", "true").call())
            }
        };
        let response = result.map_err(|e| {
            auth_error(format!("cannot reach {what}: {e} (is this running on Azure with a managed identity?)"))
        })?;
        let (status, json) = read(response);
        if status != 200 {
            return Err(auth_error(format!("{what} refused (HTTP {status}): {}", reason(&json))));
        }
        token_of(&json, what)
    }

    fn azure_cli(&self) -> Result<(String, Duration), CloudError> {
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
        let lifetime = seconds(json.get("expires_on")).map_or(300, |at| at - sigform_azure::timestamp::now_unix());
        Ok((token.to_string(), Duration::from_secs(lifetime.max(0) as u64)))
    }
}

fn strip_query(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

/// The login endpoint a cloud's metadata names (`/metadata/endpoints`, as `az cloud register`
/// reads it).
pub fn discover_login(agent: &ureq::Agent, endpoint: &str) -> Result<String, CloudError> {
    let url = format!("{endpoint}/metadata/endpoints?api-version=2022-09-01");
    let response = agent.get(&url).call().map_err(|e| {
        auth_error(format!(
            "cannot learn the login endpoint of {endpoint} from {url}: {e}; set AZURE_AUTHORITY_HOST \
             (Azure's public cloud: {PUBLIC_LOGIN})"
        ))
    })?;
    let (status, json) = read(response);
    let login =
        json.pointer("/authentication/loginEndpoint").and_then(Json::as_str).filter(|_| status == 200).ok_or_else(
            || {
                auth_error(format!(
                    "{url} answered HTTP {status} without authentication.loginEndpoint; set AZURE_AUTHORITY_HOST"
                ))
            },
        )?;
    Ok(login.trim_end_matches('/').to_string())
}
