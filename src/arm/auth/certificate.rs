//! A service principal's client certificate (`AZURE_CLIENT_CERTIFICATE_PATH`): a PEM file with
//! the certificate and its unencrypted RSA private key, as the Azure SDKs read it. Each sign-in
//! sends a client assertion — a JWT naming the client as issuer and subject and the token
//! endpoint as audience, signed RS256 by the key, with the certificate's SHA-1 (`x5t`) and
//! SHA-256 (`x5t#S256`) thumbprints so Entra ID knows which certificate to check it with.

use super::auth_error;
use serde_json::json;
use sigform_azure::cloud::CloudError;
use sigform_azure::jwt;

pub struct ClientCertificate {
    path: String,
    der: Vec<u8>,
    key: ring::rsa::KeyPair,
}

fn unusable(var: &str, path: &str, why: impl std::fmt::Display) -> CloudError {
    CloudError::new(401, "NoCredentials", format!("{var}={path}: {why}"))
}

impl ClientCertificate {
    /// Reads and checks the file now, so that a bad file stops the run before any call.
    pub fn load(var: &str, path: &str) -> Result<ClientCertificate, CloudError> {
        let bytes = std::fs::read(path).map_err(|e| unusable(var, path, e))?;
        if bytes.first() == Some(&0x30) {
            return Err(unusable(
                var,
                path,
                "a PKCS#12 (.pfx) file; sigform reads PEM: convert it with `openssl pkcs12 -in FILE -nodes -out client.pem`",
            ));
        }
        use rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
        let der = CertificateDer::pem_slice_iter(&bytes)
            .find_map(Result::ok)
            .map(|c| c.to_vec())
            .ok_or_else(|| unusable(var, path, "no PEM certificate in it"))?;
        let key = match PrivateKeyDer::from_pem_slice(&bytes) {
            Ok(PrivateKeyDer::Pkcs8(k)) => ring::rsa::KeyPair::from_pkcs8(k.secret_pkcs8_der()),
            Ok(PrivateKeyDer::Pkcs1(k)) => ring::rsa::KeyPair::from_der(k.secret_pkcs1_der()),
            Ok(_) => {
                return Err(unusable(
                    var,
                    path,
                    "the private key is not an RSA key (Entra ID signs in with RSA certificates)",
                ));
            }
            Err(_) => {
                return Err(unusable(
                    var,
                    path,
                    "no unencrypted PEM private key in it (an encrypted key needs converting with openssl)",
                ));
            }
        }
        .map_err(|e| unusable(var, path, format!("the RSA private key is not usable: {e}")))?;
        Ok(ClientCertificate { path: path.to_string(), der, key })
    }

    /// The file and the certificate's SHA-1 thumbprint, as the portal shows it.
    pub fn describe(&self) -> String {
        let sha1 = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &self.der);
        let thumbprint: String = sha1.as_ref().iter().map(|b| format!("{b:02X}")).collect();
        format!("{}, thumbprint {thumbprint}", self.path)
    }

    /// A client assertion for `client_id` at the token endpoint `audience`, valid ten minutes.
    pub fn assertion(&self, client_id: &str, audience: &str) -> Result<String, CloudError> {
        let thumbprint = |alg: &'static ring::digest::Algorithm| {
            jwt::base64url_encode(ring::digest::digest(alg, &self.der).as_ref())
        };
        let header = json!({
            "alg": "RS256",
            "typ": "JWT",
            "x5t": thumbprint(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY),
            "x5t#S256": thumbprint(&ring::digest::SHA256),
        });
        let now = sigform_azure::timestamp::now_unix();
        let claims = json!({
            "aud": audience,
            "iss": client_id,
            "sub": client_id,
            "jti": uuid::Uuid::new_v4().to_string(),
            "nbf": now,
            "iat": now,
            "exp": now + 600,
        });
        let mut failed = false;
        let token = jwt::encode(&header, &claims, |input| {
            let mut signature = vec![0; self.key.public().modulus_len()];
            if self
                .key
                .sign(&ring::signature::RSA_PKCS1_SHA256, &ring::rand::SystemRandom::new(), input, &mut signature)
                .is_err()
            {
                failed = true;
            }
            signature
        });
        if failed {
            return Err(auth_error(format!("cannot sign a client assertion with {}", self.path)));
        }
        Ok(token)
    }
}
