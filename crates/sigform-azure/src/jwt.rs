//! JSON Web Tokens as Entra ID and OIDC issuers use them: `header.claims.signature`, each part
//! base64url without padding. Only the shape lives here; who signs and who checks (the ARM
//! client's certificate assertions, the emulator's tokens) is decided where the keys are.

use serde_json::Value as Json;

/// A token split into its parts.
#[derive(Debug, Clone)]
pub struct Jwt {
    pub header: Json,
    pub claims: Json,
    /// `header.claims`, the bytes the signature covers.
    pub signing_input: String,
    pub signature: Vec<u8>,
}

impl Jwt {
    /// The parts of a token of JWT shape, or `None` for anything else (an opaque token).
    pub fn parse(token: &str) -> Option<Jwt> {
        let mut parts = token.trim().split('.');
        let (header, claims, signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let decode_json = |s: &str| serde_json::from_slice::<Json>(&base64url_decode(s)?).ok();
        Some(Jwt {
            header: decode_json(header)?,
            claims: decode_json(claims)?,
            signing_input: format!("{header}.{claims}"),
            signature: base64url_decode(signature)?,
        })
    }

    pub fn claim(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Json::as_str)
    }

    /// A numeric date claim (`exp`, `nbf`, `iat`), in seconds since the epoch.
    pub fn time(&self, name: &str) -> Option<i64> {
        let v = self.claims.get(name)?;
        v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)).or_else(|| v.as_str()?.parse().ok())
    }

    /// The audiences: `aud` as a string or a list.
    pub fn audiences(&self) -> Vec<String> {
        match self.claims.get("aud") {
            Some(Json::String(s)) => vec![s.clone()],
            Some(Json::Array(list)) => list.iter().filter_map(Json::as_str).map(str::to_string).collect(),
            _ => Vec::new(),
        }
    }
}

/// A token of `header` and `claims`, signed by `sign` over `header.claims`.
pub fn encode(header: &Json, claims: &Json, sign: impl FnOnce(&[u8]) -> Vec<u8>) -> String {
    let input = format!(
        "{}.{}",
        base64url_encode(header.to_string().as_bytes()),
        base64url_encode(claims.to_string().as_bytes())
    );
    let signature = sign(input.as_bytes());
    format!("{input}.{}", base64url_encode(&signature))
}

/// The claims of a token of JWT shape, signature unchecked (what a client reads of its own token).
pub fn claims(token: &str) -> Option<Json> {
    let part = token.trim().split('.').nth(1)?;
    serde_json::from_slice(&base64url_decode(part)?).ok()
}

/// Base64url (or standard base64) to bytes, padding optional.
pub fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    Some(out)
}

/// Bytes to base64url without padding.
pub fn base64url_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tokens_round_trip() {
        let token =
            encode(&json!({"alg": "none"}), &json!({"aud": ["a", "b"], "exp": 5, "sub": "x"}), |_| b"sig".to_vec());
        let jwt = Jwt::parse(&token).expect("parses");
        assert_eq!(jwt.audiences(), ["a", "b"]);
        assert_eq!(jwt.time("exp"), Some(5));
        assert_eq!(jwt.claim("sub"), Some("x"));
        assert_eq!(jwt.signature, b"sig");
        assert!(Jwt::parse("opaque").is_none());
        for n in 0..8 {
            let bytes: Vec<u8> = (0..n).map(|i| i * 37).collect();
            assert_eq!(base64url_decode(&base64url_encode(&bytes)), Some(bytes));
        }
    }
}
