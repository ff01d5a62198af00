//! The emulator's directory, as Entra ID holds it for a tenant: principals, the credentials they
//! sign in with (a client secret, a certificate, federated identity credentials), the role
//! assignments made outside ARM's gallery scopes (`add-principal --owner`), and the key the
//! emulator signs its own tokens with. Stored beside the resources so that `emulator
//! add-principal` and a running `emulator serve` see the same directory.
//!
//! Secrets are kept as SHA-256 digests, never as given.

use crate::{Cached, Emulator, db_error, kind_str};
use rusqlite::{OptionalExtension, params};
use serde_json::Value as Json;
use sigform_azure::cloud::CloudError;
use sigform_azure::schema::ResourceKind;

/// The audience Entra ID requires of a federated client assertion.
pub const TOKEN_EXCHANGE_AUDIENCE: &str = "api://AzureADTokenExchange";

pub(crate) const SCHEMA: &str = r#"
-- A principal's ways to sign in: kind `secret` (SHA-256 of the secret, hex), `certificate`
-- (the certificate, DER in hex), `federated` (JSON: issuer, subject, audience).
CREATE TABLE IF NOT EXISTS credentials (
    principal TEXT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (principal, kind, value)
);
-- Role assignments at scopes the emulator's ARM does not manage (a subscription), by role id.
CREATE TABLE IF NOT EXISTS grants (
    principal TEXT NOT NULL,
    scope TEXT NOT NULL,
    role TEXT NOT NULL,
    PRIMARY KEY (principal, scope, role)
);
"#;

/// A federated identity credential: which tokens of which issuer a principal may exchange.
#[derive(Debug, Clone, PartialEq)]
pub struct FederatedCredential {
    pub issuer: String,
    pub subject: String,
    pub audience: String,
}

/// A role a principal holds at a scope.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    pub scope: String,
    /// The role definition's guid.
    pub role: String,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn unhex(s: &str) -> Option<Vec<u8>> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

impl Emulator {
    /// Registers a principal in the directory (another tenant's principals cannot be granted access).
    pub fn add_principal(&self, id: &str, tenant: &str, kind: &str, name: Option<&str>) -> Result<(), CloudError> {
        self.with(|c| {
            c.execute_cached(
                "INSERT OR REPLACE INTO principals (id, tenant, type, name) VALUES (?1, ?2, ?3, ?4)",
                params![id.to_ascii_lowercase(), tenant, kind, name],
            )
            .map_err(db_error)?;
            Ok(())
        })
    }

    /// The tenant of a registered principal.
    pub fn principal_tenant(&self, id: &str) -> Result<Option<String>, CloudError> {
        self.with(|c| {
            c.query_row_cached("SELECT tenant FROM principals WHERE id = ?1", [id.to_ascii_lowercase()], |r| r.get(0))
                .optional()
                .map_err(db_error)
        })
    }

    fn add_credential(&self, principal: &str, kind: &str, value: &str) -> Result<(), CloudError> {
        self.with(|c| {
            c.execute_cached(
                "INSERT OR IGNORE INTO credentials (principal, kind, value) VALUES (?1, ?2, ?3)",
                params![principal.to_ascii_lowercase(), kind, value],
            )
            .map_err(db_error)?;
            Ok(())
        })
    }

    fn credentials(&self, principal: &str, kind: &str) -> Result<Vec<String>, CloudError> {
        self.with(|c| {
            let mut stmt =
                c.prepare("SELECT value FROM credentials WHERE principal = ?1 AND kind = ?2").map_err(db_error)?;
            let rows = stmt
                .query_map(params![principal.to_ascii_lowercase(), kind], |r| r.get::<_, String>(0))
                .map_err(db_error)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(db_error)
        })
    }

    /// Adds a client secret a principal may sign in with.
    pub fn add_secret(&self, principal: &str, secret: &str) -> Result<(), CloudError> {
        self.add_credential(principal, "secret", &sha256_hex(secret.as_bytes()))
    }

    /// Adds a certificate (DER) a principal may sign client assertions with.
    pub fn add_certificate(&self, principal: &str, der: &[u8]) -> Result<(), CloudError> {
        self.add_credential(principal, "certificate", &hex(der))
    }

    pub fn add_federated_credential(
        &self,
        principal: &str,
        credential: &FederatedCredential,
    ) -> Result<(), CloudError> {
        let value = serde_json::json!({
            "issuer": credential.issuer,
            "subject": credential.subject,
            "audience": credential.audience,
        });
        self.add_credential(principal, "federated", &value.to_string())
    }

    /// The digests of the secrets a principal may sign in with.
    pub fn secrets_of(&self, principal: &str) -> Result<Vec<String>, CloudError> {
        self.credentials(principal, "secret")
    }

    pub fn certificates_of(&self, principal: &str) -> Result<Vec<Vec<u8>>, CloudError> {
        Ok(self.credentials(principal, "certificate")?.iter().filter_map(|h| unhex(h)).collect())
    }

    pub fn federated_credentials_of(&self, principal: &str) -> Result<Vec<FederatedCredential>, CloudError> {
        Ok(self
            .credentials(principal, "federated")?
            .iter()
            .filter_map(|v| serde_json::from_str::<Json>(v).ok())
            .map(|v| {
                let s = |k: &str| v.get(k).and_then(Json::as_str).unwrap_or_default().to_string();
                FederatedCredential { issuer: s("issuer"), subject: s("subject"), audience: s("audience") }
            })
            .collect())
    }

    /// Grants `role` (a role definition guid) to a principal at `scope` outside ARM's gallery
    /// scopes — `add-principal --owner SUBSCRIPTION`.
    /// The subscription is made, in `tenant`, if the emulator has not seen it yet.
    pub fn grant(&self, principal: &str, scope: &str, role: &str, tenant: &str) -> Result<(), CloudError> {
        self.with(|c| {
            if let Some(subscription) = scope.trim_start_matches('/').split('/').nth(1) {
                crate::ensure_subscription(c, subscription, tenant)?;
            }
            c.execute_cached(
                "INSERT OR IGNORE INTO grants (principal, scope, role) VALUES (?1, ?2, ?3)",
                params![principal.to_ascii_lowercase(), scope.trim_end_matches('/'), role.to_ascii_lowercase()],
            )
            .map_err(db_error)?;
            Ok(())
        })
    }

    /// Every role the principal holds: the directory's grants and the role assignments made
    /// through ARM that name it.
    pub fn grants_of(&self, principal: &str) -> Result<Vec<Grant>, CloudError> {
        let principal = principal.to_ascii_lowercase();
        self.with(|c| {
            let mut out = Vec::new();
            let mut stmt = c.prepare("SELECT scope, role FROM grants WHERE principal = ?1").map_err(db_error)?;
            let rows =
                stmt.query_map([&principal], |r| Ok(Grant { scope: r.get(0)?, role: r.get(1)? })).map_err(db_error)?;
            for row in rows {
                out.push(row.map_err(db_error)?);
            }
            let mut stmt = c
                .prepare("SELECT attributes FROM resources WHERE kind = ?1 AND state <> 'Deleting'")
                .map_err(db_error)?;
            let rows = stmt
                .query_map([kind_str(ResourceKind::RoleAssignment)], |r| r.get::<_, String>(0))
                .map_err(db_error)?;
            for row in rows {
                let attrs: Json = serde_json::from_str(&row.map_err(db_error)?).unwrap_or(Json::Null);
                let text = |k: &str| attrs.get(k).and_then(Json::as_str).unwrap_or_default();
                if text("principal_id").eq_ignore_ascii_case(&principal) {
                    let role = text("role_definition_id").rsplit('/').next().unwrap_or_default().to_ascii_lowercase();
                    out.push(Grant { scope: text("scope").to_string(), role });
                }
            }
            Ok(out)
        })
    }

    /// Whether any role assignment names the principal (it then speaks for itself, not as the owner).
    pub fn is_known_principal(&self, principal: &str) -> Result<bool, CloudError> {
        Ok(self.principal_tenant(principal)?.is_some() || !self.grants_of(principal)?.is_empty())
    }

    /// The key the emulator signs its tokens with: made once, kept in the database so that every
    /// process serving the same emulator accepts the others' tokens.
    pub fn signing_key(&self) -> Result<Vec<u8>, CloudError> {
        self.with(|c| {
            let existing: Option<String> = c
                .query_row("SELECT value FROM settings WHERE name = 'signing_key'", [], |r| r.get(0))
                .optional()
                .map_err(db_error)?;
            if let Some(key) = existing.and_then(|k| unhex(&k)) {
                return Ok(key);
            }
            let mut key = [0u8; 32];
            ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut key)
                .map_err(|_| CloudError::new(500, "InternalServerError", "no randomness for a signing key"))?;
            // Another process may have made one meanwhile: the first one written wins.
            c.execute_cached("INSERT OR IGNORE INTO settings (name, value) VALUES ('signing_key', ?1)", [hex(&key)])
                .map_err(db_error)?;
            let kept: String = c
                .query_row("SELECT value FROM settings WHERE name = 'signing_key'", [], |r| r.get(0))
                .map_err(db_error)?;
            Ok(unhex(&kept).unwrap_or(key.to_vec()))
        })
    }
}
