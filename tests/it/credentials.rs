//! Credentials as CI pipelines have them, end to end: the real binary with `--cloud arm` against
//! `sigform emulator serve --tls` (its CA passed by SSL_CERT_FILE), signing in by each path of
//! the credential chain — GitHub Actions OIDC, AKS workload identity, managed identity in both
//! protocols, Terraform's ARM_* variables with a secret and with a certificate — and the
//! emulator authorizing each request as the principal the token names.
//!
//! Every output of every run, and the state and emulator databases, are searched for the test
//! secrets and for anything shaped like a token: none may appear.

mod common;
use common::{Server, Test};
use sigform_azure::schema::ResourceKind;
use std::cell::RefCell;
use std::path::PathBuf;

const ZERO: &str = "00000000-0000-0000-0000-000000000000";
const SECRET: &str = "s3cret-for-tests-0xC0FFEE";
const GITHUB_REQUEST_TOKEN: &str = "gh-request-token-0xFEED";
const IDENTITY_HEADER: &str = "identity-header-0xBEEF";
const PIPELINE: &str = "51f0a0aa-0000-4000-8000-00000000c1c1";
const GITHUB_SUBJECT: &str = "repo:contoso/golden-images:ref:refs/heads/main";
const GALLERY: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-golden-images/providers/Microsoft.Compute/galleries/golden_images";

struct Cloud {
    t: Test,
    server: Server,
    ca: PathBuf,
    /// Every output so far, and the federated tokens handed out: searched at the end.
    seen: RefCell<Vec<String>>,
    tokens: RefCell<Vec<String>>,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Cloud {
    fn new() -> Cloud {
        let t = Test::new().example("quickstart");
        let server =
            Server::start(&t.dir().join("state/emulator.db"), &[], &["--tls", "--identity-header", IDENTITY_HEADER]);
        let ca = t.dir().join("state/emulator-ca.pem");
        Cloud { t, server, ca, seen: RefCell::new(Vec::new()), tokens: RefCell::new(Vec::new()) }
    }

    /// The served emulator's managed-identity endpoint (App Service's `IDENTITY_ENDPOINT`).
    fn identity_endpoint(&self) -> String {
        format!("{}/metadata/identity/oauth2/token", self.server.address)
    }

    /// `sigform --cloud arm` against the served emulator with only these credential variables.
    fn sigform(&self, env: &[(&str, &str)], args: &[&str]) -> Run {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("sigform"));
        cmd.arg("-C").arg(self.t.dir()).args(["--cloud", "arm", "--arm-endpoint", &self.server.address]).args(args);
        for (k, _) in std::env::vars() {
            let credential = ["ARM_", "AZURE_", "SIGFORM_", "ACTIONS_", "IDENTITY_", "SYSTEM_", "TF_VAR_"];
            if credential.iter().any(|p| k.starts_with(p)) || k == "REQUESTS_CA_BUNDLE" {
                cmd.env_remove(k);
            }
        }
        cmd.env("SSL_CERT_FILE", &self.ca).env("NO_COLOR", "1").env("SIGFORM_EMULATOR_TIME_SCALE", "0");
        // No Azure CLI to fall back on: each test names its one source.
        cmd.env("ARM_USE_CLI", "false");
        cmd.envs(env.iter().copied());
        let out = cmd.output().expect("sigform runs");
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        self.seen.borrow_mut().push(format!("{}\n{}", run.stdout, run.stderr));
        run
    }

    fn ok(&self, env: &[(&str, &str)], args: &[&str]) -> Run {
        let run = self.sigform(env, args);
        assert_eq!(run.code, 0, "sigform {args:?}\n{}\n{}", run.stdout, run.stderr);
        run
    }

    fn refused(&self, env: &[(&str, &str)], args: &[&str], wanted: &[&str]) -> Run {
        let run = self.sigform(env, args);
        assert_eq!(run.code, 1, "sigform {args:?} should fail\n{}\n{}", run.stdout, run.stderr);
        let said = format!("{}\n{}", run.stdout, run.stderr);
        for w in wanted {
            assert!(said.contains(w), "`{w}` not in:\n{said}");
        }
        run
    }

    /// `sigform emulator ...` on the served database.
    fn emulator(&self, args: &[&str]) {
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("sigform"))
            .arg("-C")
            .arg(self.t.dir())
            .arg("emulator")
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "emulator {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn agent(&self) -> ureq::Agent {
        let pem = std::fs::read(&self.ca).unwrap();
        let roots: Vec<ureq::tls::Certificate<'static>> = ureq::tls::parse_pem(&pem)
            .filter_map(|i| match i {
                Ok(ureq::tls::PemItem::Certificate(c)) => Some(c.to_owned()),
                _ => None,
            })
            .collect();
        ureq::Agent::config_builder()
            .tls_config(
                ureq::tls::TlsConfig::builder().root_certs(ureq::tls::RootCerts::new_with_certs(&roots)).build(),
            )
            .http_status_as_error(false)
            .build()
            .new_agent()
    }

    /// An ID token from the emulator's test issuer.
    fn id_token(&self, query: &str) -> String {
        let mut answer = self
            .agent()
            .get(format!("{}/oidc/token?{query}", self.server.address))
            .header("Authorization", "Bearer anything")
            .call()
            .unwrap();
        let json: serde_json::Value = serde_json::from_str(&answer.body_mut().read_to_string().unwrap()).unwrap();
        let token = json["value"].as_str().unwrap().to_string();
        self.tokens.borrow_mut().push(token.clone());
        token
    }

    /// An access token for a service principal with a secret, straight from the token endpoint.
    fn access_token(&self, client: &str, secret: &str) -> String {
        let body = format!(
            "grant_type=client_credentials&client_id={client}&client_secret={secret}&scope=https%3A%2F%2Fmanagement.azure.com%2F.default"
        );
        let mut answer = self
            .agent()
            .post(format!("{}/{ZERO}/oauth2/v2.0/token", self.server.address))
            .content_type("application/x-www-form-urlencoded")
            .send(&body)
            .unwrap();
        let json: serde_json::Value = serde_json::from_str(&answer.body_mut().read_to_string().unwrap()).unwrap();
        json["access_token"].as_str().unwrap_or_else(|| panic!("no token: {json}")).to_string()
    }

    /// An ARM call with a bearer token: (status, body).
    fn call(&self, method: &str, path: &str, token: &str, body: Option<&str>) -> (u16, String) {
        let url = format!("{}{path}?api-version=2024-03-03", self.server.address);
        let agent = self.agent();
        let bearer = format!("Bearer {token}");
        let answer = match (method, body) {
            ("PUT", Some(b)) => {
                agent.put(&url).header("Authorization", &bearer).content_type("application/json").send(b)
            }
            ("POST", Some(b)) => {
                agent.post(&url).header("Authorization", &bearer).content_type("application/json").send(b)
            }
            _ => agent.get(&url).header("Authorization", &bearer).call(),
        };
        let mut answer = answer.unwrap();
        (answer.status().as_u16(), answer.body_mut().read_to_string().unwrap())
    }

    /// Neither the secrets nor any token appear in what sigform printed or stored.
    fn assert_nothing_leaked(&self) {
        let mut secrets: Vec<String> =
            [SECRET, GITHUB_REQUEST_TOKEN, IDENTITY_HEADER].iter().map(|s| s.to_string()).collect();
        secrets.extend(self.tokens.borrow().iter().cloned());
        let mut places: Vec<(String, String)> =
            self.seen.borrow().iter().enumerate().map(|(i, s)| (format!("output {i}"), s.clone())).collect();
        for db in ["state/sigform.db", "state/emulator.db", "state/emulator.db-wal"] {
            if let Ok(bytes) = std::fs::read(self.t.dir().join(db)) {
                places.push((db.to_string(), String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
        for (place, text) in &places {
            for secret in &secrets {
                assert!(!text.contains(secret.as_str()), "a secret or token in {place}");
            }
            // A JWT's header starts `{"` = `eyJ`; the state holds none.
            if !place.starts_with("state/emulator") {
                assert!(!text.contains("eyJ"), "something shaped like a token in {place}");
            }
        }
    }
}

/// GitHub Actions with `permissions: id-token: write`: no secret, only Terraform's variables and
/// the runner's ID-token endpoint. Apply, an empty plan, a clean drift.
#[test]
fn github_actions_oidc_applies_plans_and_drifts() {
    let c = Cloud::new();
    c.emulator(&["add-principal", PIPELINE, "--tenant", ZERO, "--type", "ServicePrincipal", "--owner", ZERO]);
    c.emulator(&[
        "add-federated-credential",
        PIPELINE,
        "--issuer",
        sigform_emulator::serve::GITHUB_ISSUER,
        "--subject",
        GITHUB_SUBJECT,
    ]);
    let url = format!("{}/oidc/token?subject={GITHUB_SUBJECT}", c.server.address);
    let env = [
        ("ARM_USE_OIDC", "true"),
        ("ARM_CLIENT_ID", PIPELINE),
        ("ARM_TENANT_ID", ZERO),
        ("ARM_SUBSCRIPTION_ID", ZERO),
        ("ACTIONS_ID_TOKEN_REQUEST_URL", url.as_str()),
        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", GITHUB_REQUEST_TOKEN),
    ];
    let run = c.ok(&env, &["-v", "apply", "--auto-approve"]);
    assert!(run.stdout.contains("Apply complete! Resources: 6 added"), "{}", run.stdout);
    assert!(
        run.stderr.contains(&format!(
            "credentials from workload identity federation (GitHub Actions' ID token) for client {PIPELINE}"
        )),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("SSL_CERT_FILE="), "-v names the trusted bundle: {}", run.stderr);
    c.ok(&env, &["plan", "--detailed-exitcode"]);
    c.ok(&env, &["drift"]);

    // Azure Pipelines: the service connection's ID token, fetched with the job's access token.
    let pipelines_subject = "sc://contoso/images/gallery-connection";
    c.emulator(&[
        "add-federated-credential",
        PIPELINE,
        "--issuer",
        "https://vstoken.dev.azure.com/contoso",
        "--subject",
        pipelines_subject,
    ]);
    let request_uri = format!(
        "{}/oidc/token?issuer=https://vstoken.dev.azure.com/contoso&subject={pipelines_subject}",
        c.server.address
    );
    let azure_pipelines = [
        ("ARM_USE_OIDC", "true"),
        ("ARM_CLIENT_ID", PIPELINE),
        ("ARM_TENANT_ID", ZERO),
        ("ARM_OIDC_AZURE_SERVICE_CONNECTION_ID", "gallery-connection"),
        ("SYSTEM_OIDCREQUESTURI", request_uri.as_str()),
        ("SYSTEM_ACCESSTOKEN", GITHUB_REQUEST_TOKEN),
    ];
    let run = c.ok(&azure_pipelines, &["-v", "drift"]);
    assert!(
        run.stderr.contains("Azure Pipelines' ID token of service connection gallery-connection"),
        "{}",
        run.stderr
    );

    // GitLab: the job's ID token handed over in ARM_OIDC_TOKEN.
    let gitlab = c.id_token(&format!("subject={GITHUB_SUBJECT}"));
    let given = [
        ("ARM_USE_OIDC", "true"),
        ("ARM_CLIENT_ID", PIPELINE),
        ("ARM_TENANT_ID", ZERO),
        ("ARM_OIDC_TOKEN", gitlab.as_str()),
    ];
    c.ok(&given, &["drift"]);

    // Another repository's token is not this pipeline's.
    let other = format!("{}/oidc/token?subject=repo:someone/else:ref:refs/heads/main", c.server.address);
    let mut wrong = env;
    wrong[4] = ("ACTIONS_ID_TOKEN_REQUEST_URL", other.as_str());
    c.refused(&wrong, &["drift"], &["AADSTS70021", "repo:someone/else"]);
    c.assert_nothing_leaked();
}

/// AKS workload identity: the token file the platform mounts, the SDKs' variable names. Wrong
/// audience, expired, unregistered and tampered assertions are refused with Entra ID's codes.
#[test]
fn workload_identity_token_files_and_refused_assertions() {
    let c = Cloud::new();
    let issuer = "https://westeurope.oic.prod-aks.azure.com/tenant/cluster/";
    let subject = "system:serviceaccount:images:drift";
    c.emulator(&["add-principal", PIPELINE, "--tenant", ZERO, "--owner", ZERO]);
    c.emulator(&["add-federated-credential", PIPELINE, "--issuer", issuer, "--subject", subject]);
    let file = c.t.dir().join("azure-identity-token");
    let with_token = |query: &str| {
        std::fs::write(&file, c.id_token(query)).unwrap();
    };
    let env = [
        ("AZURE_FEDERATED_TOKEN_FILE", file.to_str().unwrap()),
        ("AZURE_CLIENT_ID", PIPELINE),
        ("AZURE_TENANT_ID", ZERO),
        ("AZURE_SUBSCRIPTION_ID", ZERO),
    ];
    with_token(&format!("issuer={issuer}&subject={subject}"));
    c.ok(&env, &["apply", "--auto-approve"]);
    c.ok(&env, &["drift"]);

    with_token(&format!("issuer={issuer}&subject={subject}&audience=api://SomethingElse"));
    c.refused(&env, &["drift"], &["AADSTS70021", "api://SomethingElse"]);
    with_token(&format!("issuer={issuer}&subject={subject}&lifetime=-900"));
    c.refused(&env, &["drift"], &["AADSTS700024"]);
    with_token(&format!("issuer={issuer}&subject=system:serviceaccount:images:other"));
    c.refused(&env, &["drift"], &["AADSTS70021"]);
    // A token whose claims were edited after signing.
    let good = c.id_token(&format!("issuer={issuer}&subject={subject}"));
    let parts: Vec<&str> = good.split('.').collect();
    let claims = sigform_azure::jwt::claims(&good).unwrap();
    let mut forged = claims.clone();
    forged["exp"] = serde_json::json!(claims["exp"].as_i64().unwrap() + 86_400);
    let forged_claims = sigform_azure::jwt::base64url_encode(forged.to_string().as_bytes());
    std::fs::write(&file, format!("{}.{forged_claims}.{}", parts[0], parts[2])).unwrap();
    c.refused(&env, &["drift"], &["AADSTS700027", "invalid signature"]);
    c.assert_nothing_leaked();
}

/// Managed identity: App Service's endpoint and header (the system-assigned identity, an owner of
/// every subscription), and IMDS with a user-assigned identity named by its client id.
#[test]
fn managed_identity_in_both_protocols() {
    let c = Cloud::new();
    let endpoint = c.identity_endpoint();
    let app_service = [("IDENTITY_ENDPOINT", endpoint.as_str()), ("IDENTITY_HEADER", IDENTITY_HEADER)];
    let run = c.ok(&app_service, &["-v", "apply", "--auto-approve"]);
    assert!(run.stderr.contains("credentials from the system-assigned managed identity"), "{}", run.stderr);

    let wrong_header = [("IDENTITY_ENDPOINT", endpoint.as_str()), ("IDENTITY_HEADER", "not-it")];
    c.refused(&wrong_header, &["plan"], &["managed-identity endpoint", "401"]);

    let user_assigned = "6d1e0f55-1111-4222-8333-944445555666";
    let imds = [
        ("ARM_USE_MSI", "true"),
        ("ARM_CLIENT_ID", user_assigned),
        ("AZURE_POD_IDENTITY_AUTHORITY_HOST", c.server.address.as_str()),
    ];
    c.refused(&imds, &["plan"], &["Identity not found"]);
    c.emulator(&["add-principal", user_assigned, "--tenant", ZERO, "--type", "ServicePrincipal", "--owner", ZERO]);
    let run = c.ok(&imds, &["-v", "plan", "--detailed-exitcode"]);
    assert!(run.stderr.contains(&format!("the user-assigned managed identity {user_assigned}")), "{}", run.stderr);
    c.ok(&imds, &["drift"]);
    c.assert_nothing_leaked();
}

/// A Terraform pipeline's variables, unchanged: ARM_CLIENT_SECRET, then ARM_CLIENT_CERTIFICATE_PATH
/// (the service principal's certificate signs a client assertion).
#[test]
fn terraform_arm_variables_with_a_secret_and_with_a_certificate() {
    let c = Cloud::new();
    let certificate = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/fixtures/client-certificate.pem");
    c.emulator(&[
        "add-principal",
        PIPELINE,
        "--tenant",
        ZERO,
        "--type",
        "ServicePrincipal",
        "--owner",
        ZERO,
        "--secret",
        SECRET,
        "--certificate",
        certificate.to_str().unwrap(),
    ]);
    let secret = [
        ("ARM_CLIENT_ID", PIPELINE),
        ("ARM_TENANT_ID", ZERO),
        ("ARM_SUBSCRIPTION_ID", ZERO),
        ("ARM_CLIENT_SECRET", SECRET),
    ];
    c.ok(&secret, &["apply", "--auto-approve"]);
    let mut wrong = secret;
    wrong[3] = ("ARM_CLIENT_SECRET", "not-the-secret");
    c.refused(&wrong, &["plan"], &["AADSTS7000215", "credentials from a client secret (ARM_CLIENT_SECRET)"]);

    let by_certificate = [
        ("ARM_CLIENT_ID", PIPELINE),
        ("ARM_TENANT_ID", ZERO),
        ("ARM_CLIENT_CERTIFICATE_PATH", certificate.to_str().unwrap()),
    ];
    let run = c.ok(&by_certificate, &["-v", "plan", "--detailed-exitcode"]);
    assert!(run.stderr.contains("credentials from a client certificate"), "{}", run.stderr);
    c.ok(&by_certificate, &["drift"]);
    // The same certificate is not another application's.
    let stranger = "0badc0de-0000-4000-8000-000000000000";
    c.emulator(&["add-principal", stranger, "--tenant", ZERO, "--owner", ZERO]);
    let mut not_registered = by_certificate;
    not_registered[0] = ("ARM_CLIENT_ID", stranger);
    c.refused(&not_registered, &["plan"], &["AADSTS700027"]);
    c.assert_nothing_leaked();
}

/// Authorization per principal: Reader on the subscription plans but cannot apply (ARM's 403,
/// naming the action); Reader on the gallery alone reads the gallery but not its resource group,
/// and Resource Graph shows it only what it may read; a principal that role assignments made
/// through ARM name (the quickstart's app team) is held to them.
#[test]
fn each_principal_may_do_what_its_roles_permit() {
    let c = Cloud::new();
    let endpoint = c.identity_endpoint();
    let owner = [("IDENTITY_ENDPOINT", endpoint.as_str()), ("IDENTITY_HEADER", IDENTITY_HEADER)];
    c.ok(&owner, &["apply", "--auto-approve"]);

    let reader = "7eade700-0000-4000-8000-000000000001";
    c.emulator(&[
        "add-principal",
        reader,
        "--tenant",
        ZERO,
        "--secret",
        SECRET,
        "--grant",
        &format!("Reader=/subscriptions/{ZERO}"),
    ]);
    let as_reader = [("ARM_CLIENT_ID", reader), ("ARM_TENANT_ID", ZERO), ("ARM_CLIENT_SECRET", SECRET)];
    c.ok(&as_reader, &["plan", "--detailed-exitcode"]);
    std::fs::write(
        c.t.dir().join("main.tf"),
        c.t.read("main.tf").replace("owner = \"platform\"", "owner = \"platform-team\""),
    )
    .unwrap();
    c.refused(
        &as_reader,
        &["apply", "--auto-approve"],
        &["AuthorizationFailed", "Microsoft.Compute/galleries/write", reader, "a client secret (ARM_CLIENT_SECRET)"],
    );
    // The refused update was not recorded as done: the owner still has it to apply.
    let run = c.ok(&owner, &["apply", "--auto-approve"]);
    assert!(run.stdout.contains("1 changed"), "{}", run.stdout);

    let gallery_reader = "7eade700-0000-4000-8000-000000000002";
    c.emulator(&[
        "add-principal",
        gallery_reader,
        "--tenant",
        ZERO,
        "--secret",
        SECRET,
        "--grant",
        &format!("Reader={GALLERY}"),
    ]);
    c.refused(
        &[("ARM_CLIENT_ID", gallery_reader), ("ARM_TENANT_ID", ZERO), ("ARM_CLIENT_SECRET", SECRET)],
        &["plan"],
        &["AuthorizationFailed", "Microsoft.Resources/subscriptions/resourceGroups/read"],
    );
    let token = c.access_token(gallery_reader, SECRET);
    assert_eq!(c.call("GET", GALLERY, &token, None).0, 200);
    let (status, body) = c.call(
        "PUT",
        &format!("{GALLERY}/images/rogue"),
        &token,
        Some(r#"{"location": "eastus", "properties": {"osType": "Linux", "osState": "Generalized", "identifier": {"publisher": "p", "offer": "o", "sku": "s"}}}"#),
    );
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("Microsoft.Compute/galleries/images/write"), "{body}");
    // Resource Graph answers only what the caller may read.
    let kinds = [ResourceKind::ImageDefinition, ResourceKind::ImageVersion];
    let query =
        serde_json::json!({"subscriptions": [ZERO], "query": sigform_azure::shape::graph_query(&kinds)}).to_string();
    let graph = "/providers/Microsoft.ResourceGraph/resources";
    let (status, body) = c.call("POST", graph, &token, Some(&query));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("ubuntu-22.04") && body.contains("\"totalRecords\":2"), "{body}");
    let elsewhere = "7eade700-0000-4000-8000-000000000003";
    c.emulator(&[
        "add-principal",
        elsewhere,
        "--tenant",
        ZERO,
        "--secret",
        SECRET,
        "--grant",
        &format!("Reader={GALLERY}/images/another"),
    ]);
    let (status, body) = c.call("POST", graph, &c.access_token(elsewhere, SECRET), Some(&query));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"totalRecords\":0"), "{body}");

    // The quickstart gives its app team Reader on the gallery through ARM; that principal signs
    // in (the directory never heard of it, so any secret will do) and is held to that role.
    let app_team = "11111111-2222-3333-4444-555555555555";
    let token = c.access_token(app_team, "whatever");
    assert_eq!(c.call("GET", &format!("{GALLERY}/images/ubuntu-22.04"), &token, None).0, 200);
    let (status, body) = c.call(
        "GET",
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-golden-images",
        &token,
        None,
    );
    assert_eq!(status, 403, "{body}");
    c.assert_nothing_leaked();
}

/// The drift job of `examples/ci/github-actions-drift.yml`, as written: its job environment (the
/// repository's variables filled in) plus what the runner sets with `id-token: write` — and no
/// secret — signs in by OIDC and finds the cloud as the configuration says.
#[test]
fn the_github_actions_example_signs_in_without_a_secret() {
    let workflow = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ci/github-actions-drift.yml"),
    )
    .unwrap();
    let doc = &yaml_rust2::YamlLoader::load_from_str(&workflow).unwrap()[0];
    assert_eq!(doc["permissions"]["id-token"].as_str(), Some("write"), "the workflow may ask for an ID token");
    let job_env = doc["jobs"]["drift"]["env"].as_hash().expect("the job's env");
    let c = Cloud::new();
    c.emulator(&["add-principal", PIPELINE, "--tenant", ZERO, "--owner", ZERO]);
    c.emulator(&[
        "add-federated-credential",
        PIPELINE,
        "--issuer",
        sigform_emulator::serve::GITHUB_ISSUER,
        "--subject",
        GITHUB_SUBJECT,
    ]);
    let filled: Vec<(String, String)> = job_env
        .iter()
        .map(|(k, v)| {
            let name = k.as_str().unwrap().to_string();
            let value = v.as_str().map(str::to_string).unwrap_or_default();
            assert!(!value.contains("secrets.") || name == "SIGFORM_STATE", "{name} comes from a secret: {value}");
            let value = match value.as_str() {
                "${{ vars.ARM_CLIENT_ID }}" => PIPELINE.to_string(),
                v if v.starts_with("${{") => ZERO.to_string(),
                v => v.to_string(),
            };
            (name, value)
        })
        .filter(|(name, _)| name != "SIGFORM_STATE" && name != "SIGFORM_CLOUD")
        .collect();
    let url = format!("{}/oidc/token?subject={GITHUB_SUBJECT}", c.server.address);
    let mut env: Vec<(&str, &str)> = filled.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    env.push(("ACTIONS_ID_TOKEN_REQUEST_URL", &url));
    env.push(("ACTIONS_ID_TOKEN_REQUEST_TOKEN", GITHUB_REQUEST_TOKEN));
    c.ok(&env, &["apply", "--auto-approve"]);
    let run = c.ok(&env, &["-v", "drift"]);
    assert!(run.stderr.contains("workload identity federation (GitHub Actions' ID token)"), "{}", run.stderr);
    c.assert_nothing_leaked();
}

/// The provider block's credential arguments sign in, over the environment, as in azurerm: a
/// configuration that says `use_oidc = true` and names its client needs only the runner's
/// variables. Secrets given there (from a sensitive variable) are never printed or stored.
#[test]
fn the_provider_block_signs_in() {
    let c = Cloud::new();
    c.emulator(&["add-principal", PIPELINE, "--tenant", ZERO, "--owner", ZERO, "--secret", SECRET]);
    c.emulator(&[
        "add-federated-credential",
        PIPELINE,
        "--issuer",
        sigform_emulator::serve::GITHUB_ISSUER,
        "--subject",
        GITHUB_SUBJECT,
    ]);
    let main = c.t.read("main.tf").replace(
        "provider \"azurerm\" {\n  features {}\n}",
        &format!(
            "variable \"client_secret\" {{\n  type      = string\n  default   = null\n  sensitive = true\n}}\n\n\
             provider \"azurerm\" {{\n  features {{}}\n  use_oidc      = var.client_secret == null\n  client_id     = \"{PIPELINE}\"\n  tenant_id     = \"{ZERO}\"\n  client_secret = var.client_secret\n}}"
        ),
    );
    assert!(main.contains("use_oidc"), "the quickstart's provider block was replaced");
    std::fs::write(c.t.dir().join("main.tf"), main).unwrap();
    let url = format!("{}/oidc/token?subject={GITHUB_SUBJECT}", c.server.address);
    let runner =
        [("ACTIONS_ID_TOKEN_REQUEST_URL", url.as_str()), ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", GITHUB_REQUEST_TOKEN)];
    let run = c.ok(&runner, &["-v", "apply", "--auto-approve"]);
    assert!(run.stderr.contains("workload identity federation (GitHub Actions' ID token)"), "{}", run.stderr);
    c.ok(&runner, &["drift"]);
    // A saved plan is applied signed in the same way (the plan file holds no credentials: the
    // configuration it was made from is read again).
    std::fs::write(
        c.t.dir().join("main.tf"),
        c.t.read("main.tf").replace("owner = \"platform\"", "owner = \"images\""),
    )
    .unwrap();
    c.ok(&runner, &["plan", "--out", "tags.plan"]);
    let run = c.ok(&runner, &["apply", "tags.plan"]);
    assert!(run.stdout.contains("1 changed"), "{}", run.stdout);

    // A secret from a sensitive variable, through the block.
    let by_secret = [("TF_VAR_client_secret", SECRET)];
    let run = c.ok(&by_secret, &["-v", "plan", "--detailed-exitcode"]);
    assert!(run.stderr.contains("a client secret (ARM_CLIENT_SECRET)"), "{}", run.stderr);
    let wrong = [("TF_VAR_client_secret", "not-the-secret")];
    c.refused(&wrong, &["plan"], &["AADSTS7000215"]);
    c.assert_nothing_leaked();
}
