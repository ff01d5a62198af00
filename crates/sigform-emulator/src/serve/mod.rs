//! `sigform emulator serve`: the emulator's model behind HTTP, speaking Azure Resource Manager for
//! resource groups, managed images, galleries, image definitions and versions, and role
//! assignments — so the ARM client is tested for real on loopback and any Azure SDK or tool can be
//! pointed at the emulator.
//!
//! ARM's contracts, as the client relies on them: `api-version` required and checked per
//! provider; bearer tokens required (any non-empty one, or exactly `--token`); bodies in ARM's
//! shape (`shape.rs`); lists with `value` and `nextLink`; writes answered 200/201/202 with
//! `Azure-AsyncOperation` and `Location` and an operation status resource; ARM error bodies;
//! 429 with `Retry-After` from the throttling buckets; injected faults as 500s, 429s and
//! connections dropped without an answer. A token endpoint (`/{tenant}/oauth2/v2.0/token`) stands
//! in for Entra ID's client-credentials flow.

// The server's request log goes to standard error: the one place in the library crates that prints.
#![allow(clippy::print_stderr)]

mod authorize;
mod graph;
pub mod http;
mod kql;
mod login;
pub mod tls;

pub use login::GITHUB_ISSUER;

use crate::{Emulator, LOST_RESPONSE};
use http::{Request, Response};
use serde_json::{Value as Json, json};
use sigform_azure::cloud::{Body, Cloud, CloudError, CloudResource, ListScope, Operation, OperationStatus};
use sigform_azure::jwt;
use sigform_azure::schema::ResourceKind;
use sigform_azure::shape;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

pub struct Options {
    /// Only this bearer token is accepted (default: any non-empty one).
    pub token: Option<String>,
    /// Entries per list page.
    pub page_size: usize,
    /// Print one line per request to standard error (method, path, status, milliseconds).
    pub log: bool,
    /// Answer Azure Resource Graph queries (`POST /providers/Microsoft.ResourceGraph/resources`).
    pub resource_graph: bool,
    /// Serve https with this configuration (`--tls`); plain http without.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// The managed-identity endpoint's `X-IDENTITY-HEADER` (App Service's `IDENTITY_HEADER`);
    /// any non-empty one when not given.
    pub identity_header: Option<String>,
}

/// Binds `listen` and serves until `stop` is set (the first Ctrl-C or SIGTERM): then it accepts
/// nothing more, finishes the requests in flight (for up to 30 seconds) and returns. `ready` gets
/// the bound address first.
pub fn serve(
    emulator: Emulator,
    listen: &str,
    options: Options,
    stop: &AtomicBool,
    ready: impl FnOnce(&str),
) -> std::io::Result<()> {
    let listener = TcpListener::bind(listen)?;
    let address = listener.local_addr()?.to_string();
    ready(&address);
    let tls = options.tls.clone();
    let server = Arc::new(Server {
        emulator,
        options,
        signing_key: std::sync::OnceLock::new(),
        graph_snapshots: Default::default(),
    });
    http::serve(
        listener,
        Arc::new(move |r: &Request| {
            let started = std::time::Instant::now();
            let response = server.handle(r);
            if server.options.log {
                let status = match &response {
                    Response::Answer { status, .. } => status.to_string(),
                    Response::Drop => "dropped".into(),
                };
                eprintln!("{} {} {status} {} ms", r.method, r.path, started.elapsed().as_millis());
            }
            response
        }),
        stop,
        std::time::Duration::from_secs(30),
        tls,
    )
}

struct Server {
    emulator: Emulator,
    options: Options,
    /// The key tokens are signed with, read from the database at the first use: it never changes
    /// once made.
    signing_key: std::sync::OnceLock<ring::hmac::Key>,
    /// Resource Graph answers with pages still to fetch (`graph.rs`).
    graph_snapshots: std::sync::Mutex<graph::Snapshots>,
}

fn arm_error(e: &CloudError) -> Response {
    let mut r = Response::json(e.status, &json!({"error": {"code": e.code, "message": e.message, "details": []}}));
    if let Some(ms) = e.retry_after_ms {
        r = r
            .with_header("Retry-After", ms.div_ceil(1000).max(1).to_string())
            .with_header("retry-after-ms", ms.to_string());
    }
    r
}

fn error(status: u16, code: &str, message: impl Into<String>) -> Response {
    arm_error(&CloudError::new(status, code, message))
}

/// The oldest api-version each provider accepts; newer dated versions are accepted up to the
/// newest stable one sigform knows of.
/// (Today's SDKs and CLI send 2026-03-03 for galleries, 2026-04-01 for images, and
/// 2022-05-01-preview for role definitions.)
fn api_versions(provider: &str) -> (&'static str, &'static str) {
    match provider {
        "microsoft.compute" => ("2018-06-01", "2026-04-01"),
        "microsoft.authorization" => ("2015-07-01", "2022-05-01"),
        "microsoft.resourcegraph" => ("2019-04-01", "2024-04-01"),
        "microsoft.features" => ("2015-12-01", "2021-07-01"),
        _ => ("2016-06-01", "2025-04-01"),
    }
}

fn check_api_version(request: &Request, provider: &str) -> Result<(), Response> {
    let Some(version) = request.query("api-version") else {
        return Err(error(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    };
    let (oldest, newest) = api_versions(provider);
    let date = version.strip_suffix("-preview").unwrap_or(version);
    let well_formed = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    if !well_formed || date < oldest || date > newest {
        return Err(error(
            400,
            "InvalidApiVersionParameter",
            format!(
                "The api-version '{version}' is invalid. The supported versions for {provider} are {oldest} to {newest}."
            ),
        ));
    }
    Ok(())
}

/// The tenant a token speaks for: the `tid` claim of a JWT, else the default tenant.
fn tenant_of(token: &str) -> String {
    jwt::claims(token)
        .and_then(|claims| claims.get("tid").and_then(Json::as_str).map(str::to_string))
        .unwrap_or_else(|| sigform_azure::resources::client_config::DEFAULT_TENANT.to_string())
}

/// An unsigned token of JWT shape carrying the tenant and the owner's object id: a token the
/// emulator did not issue, which it accepts as the owner of every subscription (as `--token`).
pub fn emulator_token(tenant: &str) -> String {
    jwt::encode(
        &json!({"alg": "none", "typ": "JWT"}),
        &json!({"tid": tenant, "oid": sigform_azure::resources::client_config::EMULATOR_CALLER, "aud": "sigform-emulator"}),
        |_| Vec::new(),
    )
}

/// A request body that must be a JSON object.
fn json_body(request: &Request) -> Result<Json, Response> {
    let body: Json = serde_json::from_slice(&request.body).map_err(|e| {
        error(
            400,
            "InvalidRequestContent",
            format!("The request content was invalid and could not be deserialized: {e}"),
        )
    })?;
    if !body.is_object() {
        return Err(error(400, "InvalidRequestContent", "The request content must be a JSON object."));
    }
    Ok(body)
}

/// RFC 7396 JSON merge patch: objects merge, null removes, anything else replaces.
fn merge_patch(target: &mut Json, patch: &Json) {
    let Json::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = json!({});
    }
    let map = target.as_object_mut().expect("made an object");
    for (k, v) in patch {
        if v.is_null() {
            map.remove(k);
        } else {
            merge_patch(map.entry(k.clone()).or_insert(Json::Null), v);
        }
    }
}

/// What a role-definitions route answers: the list, or the one asked for by id (if it exists).
struct RoleDefinitions {
    list: Response,
    value: Option<Response>,
}

/// How a path splits into (lower-cased) segments.
fn segments(path: &str) -> Vec<String> {
    path.trim_matches('/').split('/').map(str::to_ascii_lowercase).collect()
}

impl Server {
    fn handle(&self, request: &Request) -> Response {
        let segs = segments(&request.path);
        if request.method == "POST" && segs.len() == 4 && segs[1] == "oauth2" && segs[3] == "token" {
            return self.token(request, &segs[0]);
        }
        // Entra ID's OpenID configuration, which MSAL (under the SDKs and the CLI) reads first.
        if request.method == "GET"
            && ((segs.len() == 4 && segs[1] == "v2.0" && segs[2] == ".well-known" && segs[3] == "openid-configuration")
                || (segs.len() == 3 && segs[1] == ".well-known" && segs[2] == "openid-configuration"))
        {
            return self.openid_configuration(request, request.path.trim_matches('/').split('/').next().unwrap_or(""));
        }
        if request.method == "GET" && segs == ["metadata", "identity", "oauth2", "token"] {
            return self.managed_identity(request);
        }
        if matches!(request.method.as_str(), "GET" | "POST") && segs == ["oidc", "token"] {
            return self.oidc_token(request);
        }
        // The cloud's endpoints, unauthenticated as ARM has them (`az cloud register --endpoint-resource-manager`).
        if request.method == "GET" && segs == ["metadata", "endpoints"] {
            return self.cloud_metadata(request);
        }
        let token = match request.header("authorization").and_then(|h| h.strip_prefix("Bearer ")).map(str::trim) {
            Some(t) if !t.is_empty() => t.to_string(),
            _ => {
                return error(
                    401,
                    "AuthenticationFailed",
                    "Authentication failed. The 'Authorization' header is missing.",
                )
                .with_header("WWW-Authenticate", "Bearer authorization_uri=\"https://login.microsoftonline.com/\"");
            }
        };
        if let Some(pinned) = &self.options.token
            && *pinned != token
        {
            return error(401, "InvalidAuthenticationToken", "The access token is invalid.");
        }
        let caller = match self.caller(&token) {
            Ok(c) => c,
            Err(r) => return r,
        };
        if let Err(r) = self.authorize(request, &segs, &caller) {
            return r;
        }
        match crate::as_caller(caller.principal.as_deref(), || self.route(request, &segs, &caller)) {
            Ok(r) | Err(r) => r,
        }
    }

    /// A preview feature of a resource provider, as `Microsoft.Features` answers it; `register`
    /// registers it (at once: the emulator has no approval queue).
    fn feature(
        &self,
        subscription: &str,
        namespace: &str,
        feature: &str,
        register: bool,
    ) -> Result<Response, Response> {
        if !namespace.eq_ignore_ascii_case("microsoft.compute") {
            return Err(error(404, "FeatureNotFound", format!("The feature '{feature}' could not be found.")));
        }
        if register {
            self.emulator.register_feature(subscription, feature).map_err(|e| arm_error(&e))?;
        }
        let registered = self.emulator.is_feature_registered(subscription, feature).map_err(|e| arm_error(&e))?;
        Ok(Response::json(
            200,
            &json!({
                "id": format!("/subscriptions/{subscription}/providers/Microsoft.Features/providers/Microsoft.Compute/features/{feature}"),
                "name": format!("Microsoft.Compute/{feature}"),
                "type": "Microsoft.Features/providers/features",
                "properties": {"state": if registered { "Registered" } else { "NotRegistered" }},
            }),
        ))
    }

    fn route(&self, request: &Request, segs: &[String], caller: &login::Caller) -> Result<Response, Response> {
        let tenant = caller.tenant.as_str();
        let method = request.method.as_str();
        let s: Vec<&str> = segs.iter().map(String::as_str).collect();
        let not_found = || error(404, "NotFound", format!("No HTTP resource was found that matches {}.", request.path));
        if s == ["providers", "microsoft.resourcegraph", "resources"] && method == "POST" && self.options.resource_graph
        {
            check_api_version(request, "microsoft.resourcegraph")?;
            return self.graph(request, caller);
        }
        if s == ["subscriptions"] && method == "GET" {
            check_api_version(request, "microsoft.resources")?;
            let access = self.access(caller)?;
            let mut value = Vec::new();
            for id in self.emulator.subscriptions().map_err(|e| arm_error(&e))? {
                if access.has_role_in(&id) {
                    value.push(crate::subscription_json(&id, tenant));
                }
            }
            return Ok(Response::json(200, &json!({"value": value})));
        }
        if s.len() == 2 && s[0] == "subscriptions" && method == "GET" {
            check_api_version(request, "microsoft.resources")?;
            let id = request.path.trim_matches('/').split('/').nth(1).unwrap_or_default();
            // ARM answers a subscription the caller cannot see as one that does not exist.
            let known = self.emulator.subscriptions().map_err(|e| arm_error(&e))?;
            if !known.iter().any(|s| s.eq_ignore_ascii_case(id)) || !self.access(caller)?.has_role_in(id) {
                return Err(error(404, "SubscriptionNotFound", format!("The subscription '{id}' could not be found.")));
            }
            return Ok(Response::json(200, &crate::subscription_json(id, tenant)));
        }
        if s.len() < 2 || s[0] != "subscriptions" {
            return Err(not_found());
        }
        // The path's segments as sent (ids keep their casing), and the id made of the first `n`.
        let parts: Vec<&str> = request.path.trim_matches('/').split('/').collect();
        let prefix = |n: usize| format!("/{}", parts[..n].join("/"));
        let subscription = parts[1].to_string();
        // Preview features (`az feature register`) and provider registration (`az provider register`).
        match &s[2..] {
            ["providers", "microsoft.features", "providers", namespace, "features", feature, rest @ ..]
                if rest.is_empty() || rest == ["register"] =>
            {
                check_api_version(request, "microsoft.features")?;
                let register = rest == ["register"];
                if register != (method == "POST") || (!register && method != "GET") {
                    return Err(not_found());
                }
                return self.feature(&subscription, namespace, parts[7], register);
            }
            ["providers", _, "register"] if method == "POST" => {
                check_api_version(request, "microsoft.resources")?;
                return Ok(Response::json(
                    200,
                    &json!({
                        "id": format!("/subscriptions/{subscription}/providers/{}", parts[3]),
                        "namespace": parts[3],
                        "registrationState": "Registered",
                        "resourceTypes": [],
                    }),
                ));
            }
            _ => {}
        }
        // Subscription-level lists and the operation status resource.
        match &s[2..] {
            ["resourcegroups"] => {
                check_api_version(request, "microsoft.resources")?;
                return self.list(request, ListScope::Subscription(subscription), ResourceKind::ResourceGroup, None);
            }
            ["providers", "microsoft.compute", "images"] | ["providers", "microsoft.compute", "galleries"] => {
                check_api_version(request, "microsoft.compute")?;
                let kind = if s[4] == "images" { ResourceKind::ManagedImage } else { ResourceKind::Gallery };
                return self.list(request, ListScope::Subscription(subscription), kind, None);
            }
            ["resourcegroups", _, "providers", "microsoft.compute", "images" | "galleries"] if method == "GET" => {
                check_api_version(request, "microsoft.compute")?;
                let kind = if s[6] == "images" { ResourceKind::ManagedImage } else { ResourceKind::Gallery };
                let group = parts[3].to_ascii_lowercase();
                return self.list(request, ListScope::Subscription(subscription), kind, Some(group));
            }
            ["providers", "microsoft.compute", "locations", _, "operations", _] => {
                check_api_version(request, "microsoft.compute")?;
                let id = parts[parts.len() - 1];
                // `Location` (monitor=true) answers as ARM's location header does: 202 while
                // running, then the result — the resource itself — or the error.
                if request.query("monitor").is_some_and(|m| m.eq_ignore_ascii_case("true")) {
                    return self.operation_result(id);
                }
                return self.operation_status(id);
            }
            _ => {}
        }
        // Role definitions at any scope (`{scope}/providers/Microsoft.Authorization/roleDefinitions[/{id}]`):
        // the built-in ones, whose ids are the same everywhere.
        // Custom role definitions are resources of their own (written, read and deleted there).
        if let Some(pos) = s.windows(3).position(|w| w == ["providers", "microsoft.authorization", "roledefinitions"]) {
            check_api_version(request, "microsoft.authorization")?;
            return match s.len() - pos {
                3 if method == "GET" => Ok(self.role_definitions(request, &subscription, None)?.list),
                4 if method == "GET" && shape::built_in_role_name(parts[pos + 3]).is_some() => {
                    self.role_definitions(request, &subscription, Some(parts[pos + 3]))?.value.ok_or_else(not_found)
                }
                4 => match self.resource(request, ResourceKind::RoleDefinition, tenant) {
                    Err(_) if method == "GET" => Err(error(
                        404,
                        "RoleDefinitionDoesNotExist",
                        format!("The role definition '{}' does not exist.", parts[pos + 3]),
                    )),
                    answer => answer,
                },
                _ => Err(not_found()),
            };
        }
        // Role assignments: {scope}/providers/Microsoft.Authorization/roleAssignments[/{name}].
        if let Some(pos) = s.windows(3).position(|w| w == ["providers", "microsoft.authorization", "roleassignments"]) {
            check_api_version(request, "microsoft.authorization")?;
            let scope = prefix(pos);
            return match s.len() - pos {
                3 if method == "GET" => {
                    self.list(request, ListScope::RoleAssignments(scope), ResourceKind::RoleAssignment, None)
                }
                4 => self.resource(request, ResourceKind::RoleAssignment, tenant),
                _ => Err(not_found()),
            };
        }
        // Locks: {scope}/providers/Microsoft.Authorization/locks[/{name}].
        if let Some(pos) = s.windows(3).position(|w| w == ["providers", "microsoft.authorization", "locks"]) {
            check_api_version(request, "microsoft.authorization")?;
            let scope = prefix(pos);
            return match s.len() - pos {
                3 if method == "GET" => self.list(request, ListScope::Locks(scope), ResourceKind::ManagementLock, None),
                4 => self.resource(request, ResourceKind::ManagementLock, tenant),
                _ => Err(not_found()),
            };
        }
        check_api_version(request, if s.len() <= 4 { "microsoft.resources" } else { "microsoft.compute" })?;
        // Lists below a gallery and a definition.
        if method == "GET" && s.len() == 9 && s[6] == "galleries" && s[8] == "images" {
            return self.list(request, ListScope::Gallery(prefix(8)), ResourceKind::ImageDefinition, None);
        }
        if method == "GET" && s.len() == 11 && s[6] == "galleries" && s[8] == "images" && s[10] == "versions" {
            return self.list(request, ListScope::Definition(prefix(10)), ResourceKind::ImageVersion, None);
        }
        // A gallery's VM applications and an application's versions.
        if method == "GET" && s.len() == 9 && s[6] == "galleries" && s[8] == "applications" {
            return self.list(request, ListScope::Gallery(prefix(8)), ResourceKind::GalleryApplication, None);
        }
        if method == "GET" && s.len() == 11 && s[8] == "applications" && s[10] == "versions" {
            return self.list(
                request,
                ListScope::Definition(prefix(10)),
                ResourceKind::GalleryApplicationVersion,
                None,
            );
        }
        match shape::kind_of_id(&request.path) {
            Some(kind) => self.resource(request, kind, tenant),
            None => Err(not_found()),
        }
    }

    fn list(
        &self,
        request: &Request,
        scope: ListScope,
        kind: ResourceKind,
        group: Option<String>,
    ) -> Result<Response, Response> {
        let all = self.emulator.list(&scope).map_err(|e| arm_error(&e))?;
        let matching: Vec<&CloudResource> = all
            .iter()
            .filter(|r| r.kind == kind && r.provisioning_state != "Deleting")
            .filter(|r| {
                group.as_ref().is_none_or(|g| r.id.split('/').nth(4).is_some_and(|rg| rg.eq_ignore_ascii_case(g)))
            })
            .collect();
        let skip: usize = request.query("$skiptoken").and_then(|t| t.parse().ok()).unwrap_or(0);
        let page = self.options.page_size.max(1);
        let value: Vec<Json> = matching.iter().skip(skip).take(page).map(|r| shape::response(r, false)).collect();
        let mut body = json!({"value": value});
        if skip + page < matching.len() {
            let mut query: Vec<String> = request
                .query
                .iter()
                .filter(|(k, _)| !k.eq_ignore_ascii_case("$skiptoken"))
                .map(|(k, v)| format!("{}={}", sigform_azure::shape::urlencode(k), sigform_azure::shape::urlencode(v)))
                .collect();
            query.push(format!("%24skiptoken={}", skip + page));
            let base = self.base_url(request);
            body["nextLink"] = json!(format!("{base}{}?{}", request.path, query.join("&")));
        }
        Ok(Response::json(200, &body))
    }

    /// The built-in role definitions (`$filter=roleName eq '...'`), or the one with id `guid`.
    fn role_definitions(
        &self,
        request: &Request,
        subscription: &str,
        guid: Option<&str>,
    ) -> Result<RoleDefinitions, Response> {
        let wanted = request
            .query("$filter")
            .and_then(|f| f.split_once("roleName eq '"))
            .map(|(_, rest)| rest.trim_end_matches('\'').to_string());
        let as_json = |name: &str, guid: &str| {
            json!({
                "id": shape::role_definition_id(subscription, guid),
                "name": guid,
                "type": "Microsoft.Authorization/roleDefinitions",
                "properties": {"roleName": name, "type": "BuiltInRole", "assignableScopes": ["/"]}
            })
        };
        if let Some(guid) = guid {
            let found = shape::BUILT_IN_ROLES.iter().find(|(_, g)| g.eq_ignore_ascii_case(guid));
            return Ok(RoleDefinitions {
                list: Response::empty(404),
                value: found.map(|(n, g)| Response::json(200, &as_json(n, g))),
            });
        }
        let only_custom = request.query("$filter").is_some_and(|f| f.contains("type eq 'CustomRole'"));
        let mut value: Vec<Json> = shape::BUILT_IN_ROLES
            .iter()
            .filter(|_| !only_custom)
            .filter(|(name, _)| wanted.as_deref().is_none_or(|w| w.eq_ignore_ascii_case(name)))
            .map(|(name, guid)| as_json(name, guid))
            .collect();
        for custom in self.emulator.role_definitions(subscription).map_err(|e| arm_error(&e))? {
            let name = custom.attributes.get("name").and_then(Json::as_str).unwrap_or_default();
            if wanted.as_deref().is_none_or(|w| w.eq_ignore_ascii_case(name)) {
                let mut arm = shape::response(&custom, false);
                arm["properties"]["type"] = json!("CustomRole");
                value.push(arm);
            }
        }
        Ok(RoleDefinitions { list: Response::json(200, &json!({"value": value})), value: None })
    }

    fn resource(&self, request: &Request, kind: ResourceKind, tenant: &str) -> Result<Response, Response> {
        let id = request.path.trim_end_matches('/').to_string();
        match request.method.as_str() {
            "GET" => {
                let expand = request.query("$expand").is_some_and(|e| e.eq_ignore_ascii_case("ReplicationStatus"));
                match self.emulator.get(&id).map_err(|e| arm_error(&e))? {
                    Some(r) => Ok(Response::json(200, &shape::response(&r, expand))),
                    None => Err(self.not_found(&id, kind)?),
                }
            }
            "HEAD" => match self.emulator.get(&id).map_err(|e| arm_error(&e))? {
                Some(_) => Ok(Response::empty(204)),
                None => Ok(Response::empty(404)),
            },
            "PUT" => {
                let body = json_body(request)?;
                self.write(request, kind, tenant, &id, body)
            }
            // A partial update: the request merged into the resource as it is (JSON merge patch),
            // then written as a PUT of the whole would be — with the same fixed-property checks.
            "PATCH"
                if !matches!(
                    kind,
                    ResourceKind::RoleAssignment | ResourceKind::ManagementLock | ResourceKind::RoleDefinition
                ) =>
            {
                let patch = json_body(request)?;
                let Some(current) = self.emulator.get(&id).map_err(|e| arm_error(&e))? else {
                    return Err(error(
                        404,
                        "ResourceNotFound",
                        format!("The Resource '{id}' under resource group was not found."),
                    ));
                };
                let mut body = shape::response(&current, false);
                merge_patch(&mut body, &patch);
                self.write(request, kind, tenant, &id, body)
            }
            "DELETE" => {
                let Some(resource) = self.emulator.peek(&id).map_err(|e| arm_error(&e))? else {
                    return Ok(Response::empty(204));
                };
                let op = self.emulator.delete(&id).map_err(|e| self.fault(e))?;
                // ARM deletes a role assignment at once (the emulator takes no time for it) and
                // answers with it.
                if matches!(
                    kind,
                    ResourceKind::RoleAssignment | ResourceKind::ManagementLock | ResourceKind::RoleDefinition
                ) {
                    return Ok(Response::json(200, &shape::response(&resource, false)));
                }
                Ok(self.with_operation(request, Response::empty(202), &op, &resource))
            }
            other => Err(error(405, "MethodNotAllowed", format!("{other} is not supported on {id}"))),
        }
    }

    /// A PUT of `body` (or a PATCH merged into one): the resource as the service answers a write.
    fn write(
        &self,
        request: &Request,
        kind: ResourceKind,
        tenant: &str,
        id: &str,
        body: Json,
    ) -> Result<Response, Response> {
        // Custom roles matter to role assignments only: no read of them for any other write.
        let custom = if kind == ResourceKind::RoleAssignment {
            let subscription = sigform_azure::cloud::subscription_of(id);
            self.emulator.role_definitions(&subscription).map_err(|e| arm_error(&e))?
        } else {
            Vec::new()
        };
        let role_name = |definition: &str| {
            shape::built_in_role_name(definition).map(str::to_string).or_else(|| {
                let guid = definition.rsplit('/').next()?;
                custom
                    .iter()
                    .find(|d| d.id.rsplit('/').next().is_some_and(|g| g.eq_ignore_ascii_case(guid)))
                    .and_then(|d| d.attributes.get("name")?.as_str().map(str::to_string))
            })
        };
        if kind == ResourceKind::RoleAssignment {
            let definition = body.pointer("/properties/roleDefinitionId").and_then(Json::as_str).unwrap_or("");
            if role_name(definition).is_none() {
                return Err(error(
                    400,
                    "RoleDefinitionDoesNotExist",
                    format!("The specified role definition with ID '{definition}' does not exist."),
                ));
            }
        }
        let mut attributes = shape::attributes(kind, id, &body, &role_name);
        if let Some(map) = attributes.as_object_mut() {
            map.remove("id");
        }
        let existing = self.emulator.peek(id).map_err(|e| arm_error(&e))?;
        let existed = existing.is_some();
        // A PUT that leaves out a property fixed at creation leaves it as it is, as ARM does
        // (`az sig image-version update` sends `storageProfile: {}`); one that names it, changed,
        // is refused by the service's own check.
        if let (Some(existing), Some(schema), Some(map)) =
            (&existing, sigform_azure::resources::of_kind(kind), attributes.as_object_mut())
        {
            for attr in schema.attrs.iter().filter(|a| a.mutability == sigform_azure::schema::Mutability::Fixed) {
                if map.get(attr.name).is_none_or(Json::is_null)
                    && let Some(value) = existing.attributes.get(attr.name).filter(|v| !v.is_null())
                {
                    map.insert(attr.name.to_string(), value.clone());
                }
            }
        }
        let op =
            self.emulator.put(id, &Body { kind, tenant: tenant.to_string(), attributes }).map_err(|e| self.fault(e))?;
        let now = self.emulator.peek(id).map_err(|e| arm_error(&e))?;
        let Some(resource) = now else { return Ok(Response::empty(200)) };
        let response = Response::json(if existed { 200 } else { 201 }, &shape::response(&resource, false));
        Ok(match resource.provisioning_state.as_str() {
            "Creating" | "Updating" => self.with_operation(request, response, &op, &resource),
            _ => response,
        })
    }

    /// ARM's 404 for a missing resource: `ResourceGroupNotFound` when its group is missing too.
    fn not_found(&self, id: &str, kind: ResourceKind) -> Result<Response, Response> {
        let group = sigform_azure::arm_id::ArmId::parse(id).filter(|_| kind != ResourceKind::ResourceGroup);
        if let Some(group) = group {
            let group_id = sigform_azure::arm_id::resource_group(&group.subscription, &group.resource_group);
            if self.emulator.peek(&group_id).map_err(|e| arm_error(&e))?.is_none() {
                return Ok(error(
                    404,
                    "ResourceGroupNotFound",
                    format!("Resource group '{}' could not be found.", group.resource_group),
                ));
            }
        }
        Ok(error(404, "ResourceNotFound", format!("The Resource '{id}' under resource group was not found.")))
    }

    /// What ARM's `Location` header answers: 202 while the operation runs; then the error, or the
    /// resource it wrote (200), or nothing once a delete is done (204).
    fn operation_result(&self, id: &str) -> Result<Response, Response> {
        let Some(op) = self.emulator.operation(id).map_err(|e| arm_error(&e))? else {
            return Err(error(404, "OperationNotFound", format!("The operation '{id}' was not found.")));
        };
        match self.emulator.poll(&op).map_err(|e| arm_error(&e))? {
            OperationStatus::InProgress { retry_after, .. } => {
                let ms = retry_after.as_millis() as u64;
                Ok(Response::empty(202)
                    .with_header("Retry-After", ms.div_ceil(1000).max(1).to_string())
                    .with_header("retry-after-ms", ms.to_string()))
            }
            OperationStatus::Failed(e) => Err(arm_error(&CloudError::new(400, &e.code, e.message))),
            OperationStatus::Succeeded => match self.emulator.get(&op.resource_id).map_err(|e| arm_error(&e))? {
                Some(resource) => Ok(Response::json(200, &shape::response(&resource, false))),
                None => Ok(Response::empty(204)),
            },
        }
    }

    /// The cloud's endpoints as `/metadata/endpoints` lists them, all pointing at this emulator
    /// (its token endpoint answers logins).
    fn cloud_metadata(&self, request: &Request) -> Response {
        let endpoint = self.base_url(request);
        Response::json(
            200,
            &json!({
                "name": "SigformEmulator",
                "resourceManager": format!("{endpoint}/"),
                "authentication": {
                    "loginEndpoint": format!("{endpoint}/"),
                    "audiences": [format!("{endpoint}/"), "https://management.core.windows.net/"],
                    "tenant": "common",
                    "identityProvider": "AAD",
                },
                "graph": format!("{endpoint}/"),
                "portal": format!("{endpoint}/"),
                "suffixes": {"storage": "core.windows.net", "keyVaultDns": "vault.azure.net"},
                "batch": format!("{endpoint}/"),
                "gallery": format!("{endpoint}/"),
                "sqlManagement": format!("{endpoint}/"),
                "media": format!("{endpoint}/"),
                "vmImageAliasDoc": "",
                "activeDirectoryDataLake": "",
                "microsoftGraphResourceId": format!("{endpoint}/"),
            }),
        )
    }

    /// The scheme and host the client used: what absolute URLs in answers start with.
    fn base_url(&self, request: &Request) -> String {
        let scheme = if self.options.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", request.header("host").unwrap_or("127.0.0.1"))
    }

    /// An injected lost response becomes a dropped connection, as on a real network.
    fn fault(&self, e: CloudError) -> Response {
        if e.code == LOST_RESPONSE { Response::Drop } else { arm_error(&e) }
    }

    fn with_operation(
        &self,
        request: &Request,
        response: Response,
        op: &Operation,
        resource: &CloudResource,
    ) -> Response {
        let endpoint = self.base_url(request);
        let location = resource.location.as_deref().map(sigform_azure::regions::normalize).unwrap_or("global".into());
        let subscription = resource.id.split('/').nth(2).unwrap_or("");
        let url = format!(
            "/subscriptions/{subscription}/providers/Microsoft.Compute/locations/{location}/operations/{}?api-version=2023-07-03",
            op.id
        );
        response
            .with_header("Azure-AsyncOperation", format!("{endpoint}{url}"))
            .with_header("Location", format!("{endpoint}{url}&monitor=true"))
            .with_header("Retry-After", "1")
            .with_header("retry-after-ms", "20")
    }

    fn operation_status(&self, id: &str) -> Result<Response, Response> {
        let Some(op) = self.emulator.operation(id).map_err(|e| arm_error(&e))? else {
            return Err(error(404, "OperationNotFound", format!("The operation '{id}' was not found.")));
        };
        let status = self.emulator.poll(&op).map_err(|e| arm_error(&e))?;
        Ok(match status {
            OperationStatus::Succeeded => Response::json(200, &json!({"name": id, "status": "Succeeded"})),
            OperationStatus::Failed(e) => Response::json(
                200,
                &json!({"name": id, "status": "Failed", "error": {"code": e.code, "message": e.message}}),
            ),
            OperationStatus::InProgress { retry_after, .. } => {
                let ms = retry_after.as_millis() as u64;
                Response::json(200, &json!({"name": id, "status": "InProgress"}))
                    .with_header("Retry-After", ms.div_ceil(1000).max(1).to_string())
                    .with_header("retry-after-ms", ms.to_string())
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_their_tenant() {
        let t = emulator_token("72f988bf-86f1-41af-91ab-2d7cd011db47");
        assert_eq!(tenant_of(&t), "72f988bf-86f1-41af-91ab-2d7cd011db47");
        assert_eq!(tenant_of("opaque-token"), sigform_azure::resources::client_config::DEFAULT_TENANT);
    }
}
