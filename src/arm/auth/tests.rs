//! Which source the variables choose, in the documented order.

use super::*;
use std::collections::HashMap;

struct Table(HashMap<&'static str, &'static str>);

impl Vars for Table {
    fn get(&self, name: &str) -> Option<String> {
        self.0.get(name).map(|v| v.to_string()).filter(|v| !v.is_empty())
    }
}

fn chosen(vars: &[(&'static str, &'static str)], az: bool) -> Result<String, String> {
    let table = Table(vars.iter().copied().collect());
    Source::from_vars(&table, &|_| az).map(|s| format!("{s:?}")).map_err(|e| e.message)
}

/// Variables, whether `az` is on the PATH, and what the description must say.
type Case = (Vec<(&'static str, &'static str)>, bool, &'static str);

const SP: &[(&str, &str)] = &[("ARM_TENANT_ID", "t1"), ("ARM_CLIENT_ID", "c1")];

fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    SP.iter().chain(extra).copied().collect()
}

#[test]
fn the_chain_takes_the_first_source_the_variables_offer() {
    let cases: Vec<Case> = vec![
        (vec![("AZURE_ACCESS_TOKEN", "x")], true, "a given token"),
        (with(&[("ARM_CLIENT_SECRET", "s")]), true, "a client secret (ARM_CLIENT_SECRET) of client c1 in tenant t1"),
        (
            vec![
                ("AZURE_TENANT_ID", "t2"),
                ("AZURE_CLIENT_ID", "c2"),
                ("AZURE_CLIENT_SECRET", "s"),
                ("ARM_TENANT_ID", "t1"),
            ],
            false,
            "client c2 in tenant t1",
        ),
        (
            with(&[("AZURE_FEDERATED_TOKEN_FILE", "/var/run/token")]),
            true,
            "the token file AZURE_FEDERATED_TOKEN_FILE=/var/run/token",
        ),
        (with(&[("ARM_USE_OIDC", "true"), ("ARM_OIDC_TOKEN", "jwt")]), true, "the token in ARM_OIDC_TOKEN"),
        (with(&[("ARM_USE_OIDC", "true"), ("ARM_OIDC_TOKEN_FILE_PATH", "/t")]), true, "ARM_OIDC_TOKEN_FILE_PATH=/t"),
        (
            with(&[
                ("ARM_USE_OIDC", "true"),
                ("ACTIONS_ID_TOKEN_REQUEST_URL", "https://gh/x"),
                ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "r"),
            ]),
            true,
            "GitHub Actions' ID token",
        ),
        (
            with(&[
                ("ARM_USE_OIDC", "true"),
                ("ARM_OIDC_AZURE_SERVICE_CONNECTION_ID", "sc"),
                ("SYSTEM_OIDCREQUESTURI", "https://dev/x"),
                ("SYSTEM_ACCESSTOKEN", "a"),
            ]),
            true,
            "Azure Pipelines' ID token of service connection sc",
        ),
        // Without ARM_USE_OIDC, GitHub's variables alone do not choose federation (azurerm's rule).
        (
            with(&[("ACTIONS_ID_TOKEN_REQUEST_URL", "https://gh/x"), ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "r")]),
            true,
            "the Azure CLI",
        ),
        (
            vec![("IDENTITY_ENDPOINT", "http://localhost:42/msi"), ("IDENTITY_HEADER", "h")],
            true,
            "the system-assigned managed identity (IDENTITY_ENDPOINT http://localhost:42/msi)",
        ),
        (
            with(&[("ARM_USE_MSI", "true")]),
            true,
            "the user-assigned managed identity c1 (the instance metadata service http://169.254.169.254/metadata/identity/oauth2/token)",
        ),
        (
            vec![("ARM_USE_MSI", "true"), ("AZURE_POD_IDENTITY_AUTHORITY_HOST", "https://127.0.0.1:9/")],
            true,
            "the instance metadata service https://127.0.0.1:9/metadata/identity/oauth2/token",
        ),
        (
            vec![("IDENTITY_ENDPOINT", "http://x"), ("IDENTITY_HEADER", "h"), ("ARM_USE_MSI", "false")],
            true,
            "the Azure CLI",
        ),
        (vec![], true, "the Azure CLI"),
    ];
    for (vars, az, want) in cases {
        let got = chosen(&vars, az).unwrap_or_else(|e| panic!("{vars:?}: {e}"));
        assert!(got.contains(want), "{vars:?}: got {got:?}, want {want:?}");
    }
}

#[test]
fn incomplete_or_contradictory_settings_are_refused_with_what_to_set() {
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![], "no Azure credentials"),
        (vec![("ARM_USE_CLI", "false")], "no Azure credentials"),
        (vec![("ARM_USE_OIDC", "true"), ("ARM_OIDC_TOKEN", "jwt")], "needs the tenant and the client id"),
        (with(&[("ARM_USE_OIDC", "true")]), "ARM_USE_OIDC=true but no ID token"),
        (with(&[("ARM_USE_OIDC", "true"), ("ARM_OIDC_AZURE_SERVICE_CONNECTION_ID", "sc")]), "SYSTEM_ACCESSTOKEN"),
        (
            with(&[("ARM_CLIENT_CERTIFICATE_PATH", "/c.pfx"), ("ARM_CLIENT_CERTIFICATE_PASSWORD", "p")]),
            "ARM_CLIENT_CERTIFICATE_PASSWORD is set",
        ),
        (
            with(&[("ARM_CLIENT_CERTIFICATE_PATH", "/nonexistent/c.pem")]),
            "ARM_CLIENT_CERTIFICATE_PATH=/nonexistent/c.pem",
        ),
        (vec![("ARM_ENVIRONMENT", "mars"), ("AZURE_ACCESS_TOKEN", "")], "not a cloud sigform knows"),
    ];
    for (vars, want) in cases {
        let got = chosen(&vars, false).expect_err("refused");
        assert!(got.contains(want), "{vars:?}: got {got:?}, want {want:?}");
        assert!(!got.contains("jwt"), "a token in a message: {got}");
    }
}

#[test]
fn the_login_endpoint_follows_the_authority_host_or_the_environment() {
    let t = |vars: &[(&'static str, &'static str)]| authority_from(&Table(vars.iter().copied().collect())).unwrap();
    assert_eq!(t(&[]), None);
    assert_eq!(
        t(&[("AZURE_AUTHORITY_HOST", "login.microsoftonline.us/")]).as_deref(),
        Some("https://login.microsoftonline.us")
    );
    assert_eq!(t(&[("ARM_ENVIRONMENT", "china")]).as_deref(), Some("https://login.chinacloudapi.cn"));
    assert_eq!(t(&[("ARM_ENVIRONMENT", "AzureUSGovernment")]).as_deref(), Some("https://login.microsoftonline.us"));
}
