//! Which certificate authorities the ARM client trusts: Mozilla's roots built in, the system's
//! certificate store as well (where a company installs its TLS-inspection CA), and an extra
//! bundle from `SSL_CERT_FILE` (or `REQUESTS_CA_BUNDLE`, Python's name) — a corporate proxy's
//! CA, or the one `emulator serve --tls` writes. Unlike OpenSSL, the extra bundle adds to the
//! roots instead of replacing them, so pointing it at one CA never cuts off Azure itself.

use sigform_azure::cloud::CloudError;
use ureq::tls::{Certificate, PemItem};

/// Where Linux distributions and the BSDs keep the system's bundle (as OpenSSL's builds look).
const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/tls/cacert.pem",
    "/etc/ssl/cert.pem",
    "/usr/local/share/certs/ca-root-nss.crt",
];

/// Where the roots came from, for `-v`.
#[derive(Debug, Default)]
pub struct Roots {
    pub certificates: Vec<Certificate<'static>>,
    pub system: Option<String>,
    pub extra: Option<String>,
}

fn certificates(pem: &[u8]) -> Vec<Certificate<'static>> {
    ureq::tls::parse_pem(pem)
        .filter_map(|item| match item {
            Ok(PemItem::Certificate(c)) => Some(c.to_owned()),
            _ => None,
        })
        .collect()
}

/// The roots the variables and the system give, built-in ones first.
pub fn roots_from_env() -> Result<Roots, CloudError> {
    let mut roots = Roots::built_in();
    if let Some((path, found)) =
        SYSTEM_BUNDLES.iter().find_map(|p| std::fs::read(p).ok().map(|pem| (*p, certificates(&pem))))
    {
        roots.certificates.extend(found);
        roots.system = Some(path.to_string());
    }
    if let Some((var, path)) = ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|p| !p.is_empty()).map(|p| (*v, p)))
    {
        let bad = |why: String| CloudError::new(400, "InvalidCaBundle", format!("{var}={path}: {why}"));
        let pem = std::fs::read(&path).map_err(|e| bad(e.to_string()))?;
        let found = certificates(&pem);
        if found.is_empty() {
            return Err(bad("no PEM certificate in it".into()));
        }
        roots.certificates.extend(found);
        roots.extra = Some(format!("{var}={path}"));
    }
    Ok(roots)
}

impl Roots {
    /// The TLS settings of an agent that trusts these roots.
    pub fn tls(&self) -> ureq::tls::TlsConfig {
        ureq::tls::TlsConfig::builder().root_certs(ureq::tls::RootCerts::new_with_certs(&self.certificates)).build()
    }

    /// Mozilla's roots, as sigform carries them.
    pub fn built_in() -> Roots {
        Roots {
            certificates: webpki_root_certs::TLS_SERVER_ROOT_CERTS
                .iter()
                .map(|c| Certificate::from_der(c.as_ref()).to_owned())
                .collect(),
            ..Roots::default()
        }
    }

    pub fn describe(&self) -> String {
        let mut parts = vec!["the built-in roots".to_string()];
        parts.extend(self.system.as_ref().map(|s| format!("the system's ({s})")));
        parts.extend(self.extra.clone());
        parts.join(", ")
    }
}
