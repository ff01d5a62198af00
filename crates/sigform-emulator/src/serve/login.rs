//! Sign-in on loopback, standing in for Entra ID and the managed-identity endpoints: the OAuth2
//! client-credentials flow (`POST /{tenant}/oauth2/v2.0/token`) with a client secret, a
//! certificate-signed client assertion or a federated assertion (workload identity: GitHub
//! Actions, AKS, Azure Pipelines); the managed-identity token endpoint in both protocols
//! (`GET /metadata/identity/oauth2/token`: App Service's `X-IDENTITY-HEADER`, IMDS's
//! `Metadata: true`); and an OIDC issuer for tests (`/oidc/token`), answering as GitHub Actions'
//! and Azure Pipelines' ID-token endpoints do.
//!
//! The tokens the emulator issues are JWTs signed with its own key (HS256, `kid`
//! `sigform-emulator`) and name the principal (`oid`), so ARM requests are authorized as that
//! principal. A token it did not issue is the owner of everything, as before principals existed.
//! Credentials are checked as Entra ID checks them, and refused with its error codes (AADSTS…).

use super::http::{self, Request, Response};
use super::{Server, error};
use crate::directory::{FederatedCredential, TOKEN_EXCHANGE_AUDIENCE, sha256_hex};
use serde_json::{Value as Json, json};
use sigform_azure::jwt::{self, Jwt};
use sigform_azure::resources::client_config::{DEFAULT_TENANT, EMULATOR_CALLER};
use sigform_azure::timestamp::{format_unix, now_rfc3339, now_unix};

/// The key id of tokens the emulator signs.
const KEY_ID: &str = "sigform-emulator";
/// GitHub Actions' issuer: the default of the test issuer.
pub const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";
const LIFETIME_S: i64 = 3599;

/// Who a request comes from.
pub(super) struct Caller {
    pub tenant: String,
    /// `None`: the owner of every subscription (a token the emulator did not issue, or its
    /// system-assigned identity).
    pub principal: Option<String>,
}

fn oauth_error(status: u16, code: &str, description: impl Into<String>) -> Response {
    let now = now_rfc3339();
    Response::json(
        status,
        &json!({"error": code, "error_description": format!("{}\r\nTimestamp: {now}", description.into()), "error_codes": []}),
    )
}

impl Server {
    fn hmac_key(&self) -> Result<&ring::hmac::Key, Response> {
        if let Some(key) = self.signing_key.get() {
            return Ok(key);
        }
        let key = self.emulator.signing_key().map_err(|e| super::arm_error(&e))?;
        Ok(self.signing_key.get_or_init(|| ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key)))
    }

    /// A token signed by the emulator.
    fn sign(&self, claims: &Json) -> Result<String, Response> {
        let key = self.hmac_key()?;
        Ok(jwt::encode(&json!({"alg": "HS256", "typ": "JWT", "kid": KEY_ID}), claims, |input| {
            ring::hmac::sign(key, input).as_ref().to_vec()
        }))
    }

    /// Whether `token` was signed by the emulator; `Some(false)` for one that claims to be and
    /// is not (tampered with).
    fn signed_here(&self, token: &Jwt) -> Result<Option<bool>, Response> {
        if token.header.get("kid").and_then(Json::as_str) != Some(KEY_ID) {
            return Ok(None);
        }
        let key = self.hmac_key()?;
        Ok(Some(ring::hmac::verify(key, token.signing_input.as_bytes(), &token.signature).is_ok()))
    }

    /// An access token for `principal` (`None`: the owner) in `tenant`, for `audience`.
    fn access_token(&self, tenant: &str, principal: Option<&str>, audience: &str) -> Result<(String, i64), Response> {
        if let Some(pinned) = &self.options.token {
            return Ok((pinned.clone(), now_unix() + LIFETIME_S));
        }
        let now = now_unix();
        let oid = principal.unwrap_or(EMULATOR_CALLER);
        let claims = json!({
            "aud": audience,
            "iss": format!("https://sts.windows.net/{tenant}/"),
            "iat": now, "nbf": now, "exp": now + LIFETIME_S,
            "tid": tenant,
            "oid": oid,
            "sub": oid,
            "appid": oid,
            "idtyp": "app",
            "sigform_owner": principal.is_none(),
        });
        Ok((self.sign(&claims)?, now + LIFETIME_S))
    }

    /// Who a bearer token speaks for: the principal of a token the emulator issued (checked:
    /// signature and expiry), else the owner.
    pub(super) fn caller(&self, token: &str) -> Result<Caller, Response> {
        let Some(parsed) = Jwt::parse(token) else {
            return Ok(Caller { tenant: super::tenant_of(token), principal: None });
        };
        match self.signed_here(&parsed)? {
            None => Ok(Caller { tenant: super::tenant_of(token), principal: None }),
            Some(false) => {
                Err(error(401, "InvalidAuthenticationTokenSignature", "The access token has an invalid signature."))
            }
            Some(true) => {
                let exp = parsed.time("exp").unwrap_or(0);
                if exp <= now_unix() {
                    return Err(error(
                        401,
                        "ExpiredAuthenticationToken",
                        format!(
                            "The access token expiry UTC time '{}' is earlier than current UTC time '{}'.",
                            format_unix(exp),
                            now_rfc3339()
                        ),
                    ));
                }
                let owner = parsed.claims.get("sigform_owner").and_then(Json::as_bool).unwrap_or(false);
                Ok(Caller {
                    tenant: parsed.claim("tid").unwrap_or(DEFAULT_TENANT).to_string(),
                    principal: if owner { None } else { parsed.claim("oid").map(str::to_ascii_lowercase) },
                })
            }
        }
    }

    /// Entra ID's client-credentials flow for the tenant in the path.
    pub(super) fn token(&self, request: &Request, tenant: &str) -> Response {
        match self.client_credentials(request, tenant) {
            Ok(r) | Err(r) => r,
        }
    }

    fn client_credentials(&self, request: &Request, path_tenant: &str) -> Result<Response, Response> {
        let form: Vec<(String, String)> = String::from_utf8_lossy(&request.body)
            .split('&')
            .filter_map(|p| p.split_once('=').map(|(k, v)| (http::decode(k), http::decode(v))))
            .collect();
        let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str()).unwrap_or("");
        let client_id = field("client_id").to_ascii_lowercase();
        if field("grant_type") != "client_credentials" || client_id.is_empty() {
            return Err(oauth_error(
                400,
                "invalid_request",
                "AADSTS900144: The request body must contain the following parameter: 'grant_type' \
                 (client_credentials) and 'client_id'.",
            ));
        }
        let registered_tenant = self.emulator.principal_tenant(&client_id).map_err(|e| super::arm_error(&e))?;
        let tenant = match path_tenant {
            "common" | "organizations" => registered_tenant.clone().unwrap_or_else(|| DEFAULT_TENANT.to_string()),
            t => t.to_string(),
        };
        if let Some(home) = &registered_tenant
            && !home.eq_ignore_ascii_case(&tenant)
        {
            return Err(oauth_error(
                400,
                "unauthorized_client",
                format!(
                    "AADSTS700016: Application with identifier '{client_id}' was not found in the directory '{tenant}'."
                ),
            ));
        }
        let scope = field("scope");
        let audience = scope.strip_suffix("/.default").unwrap_or(scope).to_string();
        let known = self.emulator.is_known_principal(&client_id).map_err(|e| super::arm_error(&e))?;
        if !field("client_secret").is_empty() {
            let secrets = self.emulator.secrets_of(&client_id).map_err(|e| super::arm_error(&e))?;
            let registered = registered_tenant.is_some();
            if (registered || !secrets.is_empty()) && !secrets.contains(&sha256_hex(field("client_secret").as_bytes()))
            {
                return Err(oauth_error(
                    401,
                    "invalid_client",
                    format!(
                        "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the \
                         request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."
                    ),
                ));
            }
            // A client the directory has never heard of signs in as the owner, as any bearer
            // token does: the emulator's behaviour before it had principals.
            let principal = known.then_some(client_id.as_str());
            return self.token_answer(&tenant, principal, &audience);
        }
        if field("client_assertion_type") == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
            let assertion = Jwt::parse(field("client_assertion"))
                .ok_or_else(|| oauth_error(400, "invalid_client", "AADSTS50027: JWT token is invalid or malformed."))?;
            if assertion.header.get("x5t").is_some() || assertion.header.get("x5t#S256").is_some() {
                self.check_certificate_assertion(&client_id, &assertion)?;
            } else {
                self.check_federated_assertion(&client_id, &assertion)?;
            }
            return self.token_answer(&tenant, Some(&client_id), &audience);
        }
        Err(oauth_error(
            401,
            "invalid_client",
            "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        ))
    }

    fn token_answer(&self, tenant: &str, principal: Option<&str>, audience: &str) -> Result<Response, Response> {
        let (token, _) = self.access_token(tenant, principal, audience)?;
        Ok(Response::json(
            200,
            &json!({"token_type": "Bearer", "expires_in": LIFETIME_S, "ext_expires_in": LIFETIME_S, "access_token": token}),
        ))
    }

    /// A client assertion signed with a certificate registered for the client: issuer and
    /// subject the client, an audience that is a token endpoint, within its lifetime, and a
    /// valid RS256 or PS256 signature by the certificate its `x5t` (or `x5t#S256`) names.
    fn check_certificate_assertion(&self, client_id: &str, assertion: &Jwt) -> Result<(), Response> {
        let invalid = |why: String| oauth_error(401, "invalid_client", why);
        if !assertion.claim("iss").is_some_and(|i| i.eq_ignore_ascii_case(client_id))
            || !assertion.claim("sub").is_some_and(|s| s.eq_ignore_ascii_case(client_id))
        {
            return Err(invalid(format!(
                "AADSTS700023: Client assertion issuer and subject must both be the client id '{client_id}'."
            )));
        }
        if !assertion.audiences().iter().any(|a| a.trim_end_matches('/').ends_with("/oauth2/v2.0/token")) {
            return Err(invalid(format!(
                "AADSTS700016: Invalid audience {:?} of the client assertion: it must be the token endpoint.",
                assertion.audiences()
            )));
        }
        check_lifetime(assertion)?;
        let wanted = |der: &[u8]| {
            let sha1 =
                jwt::base64url_encode(ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, der).as_ref());
            let sha256 = jwt::base64url_encode(ring::digest::digest(&ring::digest::SHA256, der).as_ref());
            let named = |k: &str| assertion.header.get(k).and_then(Json::as_str).map(|v| v.trim_end_matches('='));
            named("x5t") == Some(sha1.as_str()) || named("x5t#S256") == Some(sha256.as_str())
        };
        let certificates = self.emulator.certificates_of(client_id).map_err(|e| super::arm_error(&e))?;
        let Some(der) = certificates.iter().find(|der| wanted(der)) else {
            return Err(invalid(format!(
                "AADSTS700027: The certificate with identifier used to sign the client assertion is not \
                 registered on application '{client_id}'."
            )));
        };
        let algorithm: &dyn rustls::pki_types::SignatureVerificationAlgorithm =
            match assertion.header.get("alg").and_then(Json::as_str) {
                Some("RS256") => webpki::ring::RSA_PKCS1_2048_8192_SHA256,
                Some("PS256") => webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
                other => {
                    return Err(invalid(format!(
                        "AADSTS5002738: the client assertion's algorithm {other:?} is not supported (RS256 or PS256)."
                    )));
                }
            };
        let der = rustls::pki_types::CertificateDer::from(der.as_slice());
        let cert =
            webpki::EndEntityCert::try_from(&der).map_err(|e| invalid(format!("the registered certificate: {e}")))?;
        cert.verify_signature(algorithm, assertion.signing_input.as_bytes(), &assertion.signature)
            .map_err(|_| invalid("AADSTS700027: Client assertion contains an invalid signature.".into()))
    }

    /// A federated assertion (workload identity): audience `api://AzureADTokenExchange`, within
    /// its lifetime, its issuer and subject matching a federated credential of the client, and —
    /// when it comes from the emulator's own issuer — its signature valid. (Tokens of other
    /// issuers are not verified: that would need the issuer's keys from the network.)
    fn check_federated_assertion(&self, client_id: &str, assertion: &Jwt) -> Result<(), Response> {
        let invalid = |why: String| oauth_error(400, "invalid_client", why);
        if self.signed_here(assertion)? == Some(false) {
            return Err(invalid("AADSTS700027: Client assertion contains an invalid signature.".into()));
        }
        check_lifetime(assertion)?;
        let issuer = assertion.claim("iss").unwrap_or_default();
        let subject = assertion.claim("sub").unwrap_or_default();
        let audiences = assertion.audiences();
        let credentials = self.emulator.federated_credentials_of(client_id).map_err(|e| super::arm_error(&e))?;
        let matches = |c: &FederatedCredential| {
            c.issuer.trim_end_matches('/') == issuer.trim_end_matches('/')
                && c.subject == subject
                && audiences.contains(&c.audience)
        };
        if !credentials.iter().any(matches) {
            return Err(invalid(format!(
                "AADSTS70021: No matching federated identity record found for presented assertion. Assertion \
                 Issuer: '{issuer}'. Assertion Subject: '{subject}'. Assertion Audience: '{}'. The federated \
                 credentials of '{client_id}' must match issuer, subject and audience ({TOKEN_EXCHANGE_AUDIENCE}).",
                audiences.join(",")
            )));
        }
        Ok(())
    }

    /// The managed-identity endpoint, in App Service's protocol (`X-IDENTITY-HEADER`) and IMDS's
    /// (`Metadata: true`). Without `client_id` it is the emulator's system-assigned identity (the
    /// owner of every subscription); with one, a user-assigned identity the directory has.
    pub(super) fn managed_identity(&self, request: &Request) -> Response {
        match self.managed_identity_token(request) {
            Ok(r) | Err(r) => r,
        }
    }

    fn managed_identity_token(&self, request: &Request) -> Result<Response, Response> {
        let bad = |description: &str| {
            Response::json(400, &json!({"error": "invalid_request", "error_description": description}))
        };
        match (request.header("x-identity-header"), request.header("metadata")) {
            (Some(given), _) => {
                if self.options.identity_header.as_deref().is_some_and(|h| h != given) || given.is_empty() {
                    return Err(Response::json(
                        401,
                        &json!({"statusCode": 401, "message": "Unauthorized: the X-IDENTITY-HEADER is not this endpoint's."}),
                    ));
                }
            }
            (None, Some(m)) if m.eq_ignore_ascii_case("true") => {}
            _ => return Err(bad("Required metadata header not specified")),
        }
        let resource = request
            .query("resource")
            .filter(|r| !r.is_empty())
            .ok_or_else(|| bad("Required query variable 'resource' is missing"))?;
        if request.query("msi_res_id").or(request.query("mi_res_id")).is_some() {
            return Err(bad(
                "the emulator names user-assigned identities by client_id or object_id, not by resource id",
            ));
        }
        let wanted = request.query("client_id").or(request.query("object_id")).or(request.query("principal_id"));
        let (principal, tenant) = match wanted {
            None => (None, DEFAULT_TENANT.to_string()),
            Some(id) => {
                let id = id.to_ascii_lowercase();
                match self.emulator.principal_tenant(&id).map_err(|e| super::arm_error(&e))? {
                    Some(tenant) => (Some(id), tenant),
                    None => return Err(bad("Identity not found")),
                }
            }
        };
        let audience = resource.trim_end_matches('/');
        let (token, expires_on) = self.access_token(&tenant, principal.as_deref(), audience)?;
        Ok(Response::json(
            200,
            &json!({
                "access_token": token,
                "client_id": principal.as_deref().unwrap_or(EMULATOR_CALLER),
                "expires_in": LIFETIME_S.to_string(),
                "ext_expires_in": LIFETIME_S.to_string(),
                "expires_on": expires_on.to_string(),
                "not_before": now_unix().to_string(),
                "resource": resource,
                "token_type": "Bearer",
            }),
        ))
    }

    /// The tenant's OpenID configuration, naming this emulator's endpoints.
    pub(super) fn openid_configuration(&self, request: &Request, tenant: &str) -> Response {
        let base = format!("{}/{tenant}", self.base_url(request));
        Response::json(
            200,
            &json!({
                "issuer": format!("{base}/v2.0"),
                "token_endpoint": format!("{base}/oauth2/v2.0/token"),
                "authorization_endpoint": format!("{base}/oauth2/v2.0/authorize"),
                "device_authorization_endpoint": format!("{base}/oauth2/v2.0/devicecode"),
                "jwks_uri": format!("{base}/discovery/v2.0/keys"),
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "tenant_region_scope": null,
                "cloud_instance_name": "sigform-emulator",
            }),
        )
    }

    /// An OIDC issuer for tests: an ID token for `subject` (default: a GitHub repository's main
    /// branch) from `issuer` (default: GitHub Actions'), for `audience`, valid for `lifetime`
    /// seconds (default 300; 0 or less gives an expired one). Answers as GitHub Actions'
    /// (`{"value"}`) and Azure Pipelines' (`{"oidcToken"}`) endpoints, to any bearer token.
    pub(super) fn oidc_token(&self, request: &Request) -> Response {
        if request.header("authorization").is_none_or(|h| h.split_whitespace().nth(1).is_none()) {
            return Response::json(401, &json!({"message": "the request token is missing"}));
        }
        let now = now_unix();
        let lifetime: i64 = request.query("lifetime").and_then(|l| l.parse().ok()).unwrap_or(300);
        let claims = json!({
            "iss": request.query("issuer").unwrap_or(GITHUB_ISSUER),
            "sub": request.query("subject").unwrap_or("repo:example/gallery:ref:refs/heads/main"),
            "aud": request.query("audience").unwrap_or(TOKEN_EXCHANGE_AUDIENCE),
            "iat": now.min(now + lifetime),
            "nbf": now.min(now + lifetime) - 5,
            "exp": now + lifetime,
        });
        match self.sign(&claims) {
            Ok(token) => Response::json(200, &json!({"count": token.len(), "value": token, "oidcToken": token})),
            Err(r) => r,
        }
    }
}

/// Entra ID's check of an assertion's lifetime (five minutes of clock skew allowed).
fn check_lifetime(assertion: &Jwt) -> Result<(), Response> {
    let now = now_unix();
    let exp = assertion.time("exp").unwrap_or(0);
    let nbf = assertion.time("nbf").unwrap_or(i64::MIN);
    if exp + 300 < now || nbf - 300 > now {
        return Err(oauth_error(
            400,
            "invalid_client",
            format!(
                "AADSTS700024: Client assertion is not within its valid time range. Current time: {}, \
                 assertion valid until {}.",
                now_rfc3339(),
                format_unix(exp)
            ),
        ));
    }
    Ok(())
}
