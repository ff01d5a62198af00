//! Where the bearer token for ARM comes from: a credential chain tried in a fixed, documented
//! order, reading the Azure SDKs' variable names (`AZURE_*`) and Terraform's azurerm ones
//! (`ARM_*`) with the same meaning as there — the `ARM_*` name first when both are set (a
//! Terraform pipeline's variables are the ones meant for a Terraform-class tool):
//!
//! 1. a given token: `AZURE_ACCESS_TOKEN`;
//! 2. a client secret: tenant, client id and `*_CLIENT_SECRET`;
//! 3. a client certificate: tenant, client id and `*_CLIENT_CERTIFICATE_PATH` (PEM);
//! 4. workload identity federation: tenant, client id and a client assertion from
//!    `AZURE_FEDERATED_TOKEN_FILE` (AKS), or — with `ARM_USE_OIDC=true`, as azurerm asks — from
//!    `ARM_OIDC_TOKEN`, `ARM_OIDC_TOKEN_FILE_PATH`, GitHub Actions' ID-token endpoint
//!    (`ACTIONS_ID_TOKEN_REQUEST_URL`/`_TOKEN`, or `ARM_OIDC_REQUEST_URL`/`_TOKEN`) or Azure
//!    Pipelines' (`ARM_OIDC_AZURE_SERVICE_CONNECTION_ID`, `SYSTEM_ACCESSTOKEN`, `SYSTEM_OIDCREQUESTURI`);
//! 5. managed identity: App Service's `IDENTITY_ENDPOINT` + `IDENTITY_HEADER` when set, or with
//!    `ARM_USE_MSI=true` the VM's instance metadata service (`ARM_MSI_ENDPOINT`, or
//!    `AZURE_POD_IDENTITY_AUTHORITY_HOST` as the SDKs read it); a client id names a
//!    user-assigned identity;
//! 6. the signed-in Azure CLI, unless `ARM_USE_CLI=false`.
//!
//! The login endpoint is `AZURE_AUTHORITY_HOST`, else the one of `ARM_ENVIRONMENT` (public,
//! usgovernment, china), else — for an endpoint other than Azure's public one — the
//! `loginEndpoint` of the endpoint's `/metadata/endpoints` (a sovereign cloud, the emulator).
//! Tokens are cached until a minute before they expire. Secrets, assertions and tokens never
//! appear in messages or `Debug` output: only which source was used.

mod certificate;
mod fetch;

use sigform_azure::cloud::CloudError;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub use certificate::ClientCertificate;

/// Azure's public login endpoint.
pub const PUBLIC_LOGIN: &str = "https://login.microsoftonline.com";
/// The audience Entra ID requires of a federated assertion.
const TOKEN_EXCHANGE_AUDIENCE: &str = "api://AzureADTokenExchange";
/// The instance metadata service of an Azure VM.
const IMDS: &str = "http://169.254.169.254";

/// The clouds `ARM_ENVIRONMENT` names: (name, resource manager, login endpoint).
pub const ENVIRONMENTS: &[(&str, &str, &str)] = &[
    ("public", "https://management.azure.com", PUBLIC_LOGIN),
    ("usgovernment", "https://management.usgovcloudapi.net", "https://login.microsoftonline.us"),
    ("china", "https://management.chinacloudapi.cn", "https://login.chinacloudapi.cn"),
];

/// Where a service principal signs in: the tenant, and the login endpoint (`None`: learned
/// from the ARM endpoint's metadata at the first sign-in).
#[derive(Debug, Clone)]
pub struct Login {
    pub authority: Option<String>,
    pub tenant: String,
    pub client_id: String,
}

/// Where a federated client assertion comes from.
pub enum Assertion {
    /// A file that a platform keeps fresh (AKS: `AZURE_FEDERATED_TOKEN_FILE`), read at each sign-in.
    File { var: &'static str, path: String },
    /// A token given in a variable (`ARM_OIDC_TOKEN`).
    Given { var: &'static str, token: String },
    /// GitHub Actions' ID-token endpoint.
    GitHub { url: String, request_token: String },
    /// Azure Pipelines' ID-token endpoint for a service connection.
    AzurePipelines { url: String, access_token: String, service_connection: String },
}

/// Where a managed identity's token comes from.
pub enum ManagedEndpoint {
    /// App Service, Functions, Container Apps: `IDENTITY_ENDPOINT` with `IDENTITY_HEADER`.
    AppService { url: String, header: String },
    /// A VM's instance metadata service, at this token URL.
    Imds { url: String },
}

pub enum Source {
    Static(String),
    ClientSecret { login: Login, var: &'static str, secret: String },
    ClientCertificate { login: Login, certificate: Box<ClientCertificate> },
    WorkloadIdentity { login: Login, assertion: Assertion },
    ManagedIdentity { endpoint: ManagedEndpoint, client_id: Option<String> },
    AzureCli,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let who = |l: &Login| format!("client {} in tenant {}", l.client_id, l.tenant);
        match self {
            Source::Static(_) => write!(f, "a given token (AZURE_ACCESS_TOKEN)"),
            Source::ClientSecret { login, var, .. } => write!(f, "a client secret ({var}) of {}", who(login)),
            Source::ClientCertificate { login, certificate } => {
                write!(f, "a client certificate ({}) of {}", certificate.describe(), who(login))
            }
            Source::WorkloadIdentity { login, assertion } => {
                let from = match assertion {
                    Assertion::File { var, path } => format!("the token file {var}={path}"),
                    Assertion::Given { var, .. } => format!("the token in {var}"),
                    Assertion::GitHub { .. } => "GitHub Actions' ID token".into(),
                    Assertion::AzurePipelines { service_connection, .. } => {
                        format!("Azure Pipelines' ID token of service connection {service_connection}")
                    }
                };
                write!(f, "workload identity federation ({from}) for {}", who(login))
            }
            Source::ManagedIdentity { endpoint, client_id } => {
                let at = match endpoint {
                    ManagedEndpoint::AppService { url, .. } => format!("IDENTITY_ENDPOINT {url}"),
                    ManagedEndpoint::Imds { url } => format!("the instance metadata service {url}"),
                };
                match client_id {
                    Some(id) => write!(f, "the user-assigned managed identity {id} ({at})"),
                    None => write!(f, "the system-assigned managed identity ({at})"),
                }
            }
            Source::AzureCli => write!(f, "the Azure CLI (az account get-access-token)"),
        }
    }
}

/// Reads variables: the process environment, or a table in tests.
pub trait Vars {
    fn get(&self, name: &str) -> Option<String>;
}

pub struct ProcessEnv;

impl Vars for ProcessEnv {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
    }
}

fn no_credentials(message: impl Into<String>) -> CloudError {
    CloudError::new(401, "NoCredentials", message)
}

/// The first of `names` that is set, with its name.
fn first(vars: &dyn Vars, names: &[&'static str]) -> Option<(&'static str, String)> {
    names.iter().find_map(|n| vars.get(n).map(|v| (*n, v)))
}

fn flag(vars: &dyn Vars, name: &str) -> Option<bool> {
    vars.get(name).map(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes"))
}

/// The login endpoint the variables choose, if they do.
pub fn authority_from(vars: &dyn Vars) -> Result<Option<String>, CloudError> {
    if let Some(host) = vars.get("AZURE_AUTHORITY_HOST") {
        let host = if host.contains("://") { host } else { format!("https://{host}") };
        return Ok(Some(host.trim_end_matches('/').to_string()));
    }
    match vars.get("ARM_ENVIRONMENT") {
        None => Ok(None),
        Some(name) => environment(&name).map(|(_, _, login)| Some(login.to_string())),
    }
}

/// A cloud by its `ARM_ENVIRONMENT` name.
pub fn environment(name: &str) -> Result<&'static (&'static str, &'static str, &'static str), CloudError> {
    let wanted = name.to_ascii_lowercase();
    let wanted = match wanted.as_str() {
        "azurecloud" | "azurepubliccloud" => "public",
        "azureusgovernment" | "azureusgovernmentcloud" => "usgovernment",
        "azurechinacloud" => "china",
        other => other,
    };
    ENVIRONMENTS.iter().find(|(n, _, _)| *n == wanted).ok_or_else(|| {
        CloudError::new(
            400,
            "UnknownEnvironment",
            format!("ARM_ENVIRONMENT={name} is not a cloud sigform knows: public, usgovernment or china"),
        )
    })
}

impl Source {
    /// The first source the process environment offers.
    pub fn from_env() -> Result<Source, CloudError> {
        Source::from_vars(&ProcessEnv, &|program| on_path(program))
    }

    /// The first source `vars` offer, in the documented order; `has_program` says whether a
    /// program (the Azure CLI) is on the PATH.
    pub fn from_vars(vars: &dyn Vars, has_program: &dyn Fn(&str) -> bool) -> Result<Source, CloudError> {
        if let Some(token) = vars.get("AZURE_ACCESS_TOKEN") {
            return Ok(Source::Static(token));
        }
        let tenant = first(vars, &["ARM_TENANT_ID", "AZURE_TENANT_ID"]).map(|(_, v)| v);
        let client_id = first(vars, &["ARM_CLIENT_ID", "AZURE_CLIENT_ID"]).map(|(_, v)| v);
        let authority = authority_from(vars)?;
        let login = match (&tenant, &client_id) {
            (Some(tenant), Some(client_id)) => {
                Some(Login { authority: authority.clone(), tenant: tenant.clone(), client_id: client_id.clone() })
            }
            _ => None,
        };
        if let Some(login) = &login {
            if let Some((var, secret)) = first(vars, &["ARM_CLIENT_SECRET", "AZURE_CLIENT_SECRET"]) {
                return Ok(Source::ClientSecret { login: login.clone(), var, secret });
            }
            if let Some((var, path)) = first(vars, &["ARM_CLIENT_CERTIFICATE_PATH", "AZURE_CLIENT_CERTIFICATE_PATH"]) {
                if let Some((password_var, _)) =
                    first(vars, &["ARM_CLIENT_CERTIFICATE_PASSWORD", "AZURE_CLIENT_CERTIFICATE_PASSWORD"])
                {
                    return Err(no_credentials(format!(
                        "{password_var} is set: sigform reads an unencrypted PEM certificate and key from {var}; \
                         convert the file (e.g. `openssl pkcs12 -in FILE -nodes -out client.pem`) and unset {password_var}"
                    )));
                }
                let certificate = ClientCertificate::load(var, &path)?;
                return Ok(Source::ClientCertificate { login: login.clone(), certificate: Box::new(certificate) });
            }
            if let Some(assertion) = assertion_from(vars)? {
                return Ok(Source::WorkloadIdentity { login: login.clone(), assertion });
            }
        } else if flag(vars, "ARM_USE_OIDC") == Some(true) || vars.get("AZURE_FEDERATED_TOKEN_FILE").is_some() {
            return Err(no_credentials(
                "workload identity federation needs the tenant and the client id: set AZURE_TENANT_ID \
                 (or ARM_TENANT_ID) and AZURE_CLIENT_ID (or ARM_CLIENT_ID)",
            ));
        }
        if let Some(endpoint) = managed_endpoint_from(vars) {
            return Ok(Source::ManagedIdentity { endpoint, client_id });
        }
        if flag(vars, "ARM_USE_CLI") != Some(false) && has_program("az") {
            return Ok(Source::AzureCli);
        }
        Err(no_credentials(
            "no Azure credentials: set AZURE_ACCESS_TOKEN; or a tenant and client id (ARM_TENANT_ID and \
             ARM_CLIENT_ID, or AZURE_TENANT_ID and AZURE_CLIENT_ID) with a client secret (ARM_CLIENT_SECRET or \
             AZURE_CLIENT_SECRET), a client certificate (ARM_CLIENT_CERTIFICATE_PATH) or a federated token \
             (AZURE_FEDERATED_TOKEN_FILE, or ARM_USE_OIDC=true in CI); or ARM_USE_MSI=true on Azure; or sign in \
             with `az login`",
        ))
    }
}

/// A federated assertion's source, when the variables name one.
fn assertion_from(vars: &dyn Vars) -> Result<Option<Assertion>, CloudError> {
    if let Some(path) = vars.get("AZURE_FEDERATED_TOKEN_FILE") {
        return Ok(Some(Assertion::File { var: "AZURE_FEDERATED_TOKEN_FILE", path }));
    }
    if flag(vars, "ARM_USE_OIDC") != Some(true) && flag(vars, "ARM_USE_AKS_WORKLOAD_IDENTITY") != Some(true) {
        return Ok(None);
    }
    if let Some(token) = vars.get("ARM_OIDC_TOKEN") {
        return Ok(Some(Assertion::Given { var: "ARM_OIDC_TOKEN", token }));
    }
    if let Some(path) = vars.get("ARM_OIDC_TOKEN_FILE_PATH") {
        return Ok(Some(Assertion::File { var: "ARM_OIDC_TOKEN_FILE_PATH", path }));
    }
    if let Some(service_connection) = vars.get("ARM_OIDC_AZURE_SERVICE_CONNECTION_ID") {
        let (Some(url), Some(access_token)) = (vars.get("SYSTEM_OIDCREQUESTURI"), vars.get("SYSTEM_ACCESSTOKEN"))
        else {
            return Err(no_credentials(
                "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID is set but SYSTEM_OIDCREQUESTURI or SYSTEM_ACCESSTOKEN is \
                 not: map the pipeline's System.AccessToken into the step's environment",
            ));
        };
        return Ok(Some(Assertion::AzurePipelines { url, access_token, service_connection }));
    }
    let url = first(vars, &["ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL"]);
    let request_token = first(vars, &["ARM_OIDC_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"]);
    if let (Some((_, url)), Some((_, request_token))) = (url, request_token) {
        return Ok(Some(Assertion::GitHub { url, request_token }));
    }
    Err(no_credentials(
        "ARM_USE_OIDC=true but no ID token: set ARM_OIDC_TOKEN or ARM_OIDC_TOKEN_FILE_PATH, or run in GitHub \
         Actions with `permissions: id-token: write` (ACTIONS_ID_TOKEN_REQUEST_URL), or in Azure Pipelines \
         with ARM_OIDC_AZURE_SERVICE_CONNECTION_ID",
    ))
}

/// The managed-identity endpoint, when the variables say to use one.
fn managed_endpoint_from(vars: &dyn Vars) -> Option<ManagedEndpoint> {
    let use_msi = flag(vars, "ARM_USE_MSI");
    if use_msi == Some(false) {
        return None;
    }
    if let (Some(url), Some(header)) = (vars.get("IDENTITY_ENDPOINT"), vars.get("IDENTITY_HEADER")) {
        return Some(ManagedEndpoint::AppService { url, header });
    }
    if use_msi != Some(true) {
        return None;
    }
    let url = vars.get("ARM_MSI_ENDPOINT").unwrap_or_else(|| {
        let host = vars.get("AZURE_POD_IDENTITY_AUTHORITY_HOST").unwrap_or_else(|| IMDS.to_string());
        format!("{}/metadata/identity/oauth2/token", host.trim_end_matches('/'))
    });
    Some(ManagedEndpoint::Imds { url })
}

/// Whether `program` is on the PATH.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// Provider-block settings (azurerm's argument names) over the environment: what the
/// configuration says wins, as in azurerm.
pub struct Overlay<'a> {
    pub settings: &'a std::collections::BTreeMap<String, String>,
    pub env: &'a dyn Vars,
}

/// azurerm's provider arguments and the variables that mean the same.
const ARGUMENT_VARIABLES: &[(&str, &str)] = &[
    ("tenant_id", "ARM_TENANT_ID"),
    ("client_id", "ARM_CLIENT_ID"),
    ("client_secret", "ARM_CLIENT_SECRET"),
    ("client_certificate_path", "ARM_CLIENT_CERTIFICATE_PATH"),
    ("client_certificate_password", "ARM_CLIENT_CERTIFICATE_PASSWORD"),
    ("use_cli", "ARM_USE_CLI"),
    ("use_msi", "ARM_USE_MSI"),
    ("use_oidc", "ARM_USE_OIDC"),
    ("use_aks_workload_identity", "ARM_USE_AKS_WORKLOAD_IDENTITY"),
    ("oidc_token", "ARM_OIDC_TOKEN"),
    ("oidc_token_file_path", "ARM_OIDC_TOKEN_FILE_PATH"),
    ("oidc_request_url", "ARM_OIDC_REQUEST_URL"),
    ("oidc_request_token", "ARM_OIDC_REQUEST_TOKEN"),
    ("ado_pipeline_service_connection_id", "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID"),
    ("msi_endpoint", "ARM_MSI_ENDPOINT"),
];

impl Vars for Overlay<'_> {
    fn get(&self, name: &str) -> Option<String> {
        let from_block = ARGUMENT_VARIABLES.iter().find(|(_, v)| *v == name).and_then(|(arg, _)| {
            self.settings.get(*arg).cloned().or_else(|| {
                // `client_id_file_path`, `client_secret_file_path`: the value is the file's content.
                let path = self.settings.get(&format!("{arg}_file_path"))?;
                std::fs::read_to_string(path).ok().map(|t| t.trim().to_string())
            })
        });
        // A provider-block setting hides the AZURE_* name of the same thing too.
        let hidden = ARGUMENT_VARIABLES.iter().any(|(arg, v)| {
            v.strip_prefix("ARM_").is_some_and(|rest| name == format!("AZURE_{rest}"))
                && self.settings.contains_key(*arg)
        });
        from_block.filter(|v| !v.is_empty()).or_else(|| if hidden { None } else { self.env.get(name) })
    }
}

/// A source (or why there is none yet) and its cached token.
pub struct Tokens {
    source: Mutex<Result<std::sync::Arc<Source>, CloudError>>,
    /// The ARM endpoint: the token's audience, and where an unknown login endpoint is learned.
    resource: String,
    /// The login endpoint, once learned.
    authority: Mutex<Option<String>>,
    cached: Mutex<Option<(String, Instant)>>,
}

pub(crate) fn auth_error(message: impl Into<String>) -> CloudError {
    CloudError::new(401, "AuthenticationFailed", message)
}

impl Tokens {
    /// Tokens from `source`; when it is an error, every call fails with it until a source is
    /// set (the configuration's provider block may supply one).
    pub fn new(source: Result<Source, CloudError>, endpoint: &str) -> Tokens {
        Tokens {
            source: Mutex::new(source.map(std::sync::Arc::new)),
            resource: endpoint.trim_end_matches('/').to_string(),
            authority: Mutex::new(None),
            cached: Mutex::new(None),
        }
    }

    /// Signs in another way from now on.
    pub fn set_source(&self, source: Result<Source, CloudError>) {
        *self.source.lock().unwrap_or_else(|p| p.into_inner()) = source.map(std::sync::Arc::new);
        self.invalidate();
    }

    fn current(&self) -> Result<std::sync::Arc<Source>, CloudError> {
        self.source.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Which source the tokens come from (never a secret).
    pub fn describe(&self) -> String {
        match self.current() {
            Ok(source) => format!("{source:?}"),
            Err(_) => "no source yet".to_string(),
        }
    }

    /// A token valid for at least another minute.
    pub fn token(&self, agent: &ureq::Agent) -> Result<String, CloudError> {
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((token, expires)) = cached.as_ref()
            && *expires > Instant::now() + Duration::from_secs(60)
        {
            return Ok(token.clone());
        }
        let source = self.current()?;
        let (token, lifetime) = self.fetch(agent, &source).map_err(|mut e| {
            e.message = format!("{} (credentials from {})", e.message, self.describe());
            e
        })?;
        *cached = Some((token.clone(), Instant::now() + lifetime));
        Ok(token)
    }

    /// Forgets the cached token (after a 401, the next call fetches a new one).
    pub fn invalidate(&self) {
        *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

#[cfg(test)]
mod tests;
