//! `emulator serve --tls`: https on loopback, as Azure's SDKs and CLI insist on for bearer tokens.
//! A certificate authority and a server certificate for `localhost`, `127.0.0.1` and `::1` are
//! made at start (nothing to install, nothing kept); the CA's PEM is written where the caller
//! asks, for `SSL_CERT_FILE` / `REQUESTS_CA_BUNDLE` / `NODE_EXTRA_CA_CERTS`.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;

/// The server's TLS configuration and the CA that signed its certificate.
pub struct Tls {
    pub config: Arc<rustls::ServerConfig>,
    /// The CA certificate, PEM: what clients must trust.
    pub ca_pem: String,
}

/// Makes a CA and a server certificate for the loopback names, signed by it.
pub fn make() -> Result<Tls, String> {
    let err = |e: rcgen::Error| format!("cannot make the emulator's certificate: {e}");
    let ca_key = KeyPair::generate().map_err(err)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "sigform emulator CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca_cert = ca.self_signed(&ca_key).map_err(err)?;
    let issuer = Issuer::new(ca, ca_key);

    let key = KeyPair::generate().map_err(err)?;
    let mut server = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string(), "::1".to_string()])
        .map_err(err)?;
    server.distinguished_name.push(DnType::CommonName, "sigform emulator");
    let cert = server.signed_by(&key, &issuer).map_err(err)?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone(), ca_cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .map_err(|e| format!("cannot use the emulator's certificate: {e}"))?;
    Ok(Tls { config: Arc::new(config), ca_pem: ca_cert.pem() })
}
