//! Resource addresses as users type them (`--target`, `--replace`, `state mv`):
//! `TYPE.NAME`, `TYPE.NAME[0]`, `TYPE.NAME["key"]`, `data.TYPE.NAME`.

use crate::model::{Address, ConfigAddress, InstanceKey, Mode};

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("`{0}` is not a resource address (TYPE.NAME, TYPE.NAME[0] or TYPE.NAME[\"key\"])")]
pub struct BadAddress(pub String);

pub fn parse(text: &str) -> Result<Address, BadAddress> {
    let bad = || BadAddress(text.to_string());
    let (path, key) = match text.find('[') {
        Some(open) => {
            let inner = text[open..].strip_prefix('[').and_then(|s| s.strip_suffix(']')).ok_or_else(bad)?;
            let key = if let Some(quoted) = inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
                InstanceKey::Key(serde_json::from_str::<String>(&format!("\"{quoted}\"")).map_err(|_| bad())?)
            } else {
                InstanceKey::Index(inner.parse().map_err(|_| bad())?)
            };
            (&text[..open], key)
        }
        None => (text, InstanceKey::None),
    };
    let parts: Vec<&str> = path.split('.').collect();
    let (mode, type_name, name) = match parts.as_slice() {
        ["data", t, n] => (Mode::Data, *t, *n),
        [t, n] => (Mode::Managed, *t, *n),
        _ => return Err(bad()),
    };
    let ident = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if !ident(type_name) || !ident(name) {
        return Err(bad());
    }
    Ok(Address { resource: ConfigAddress { mode, type_name: type_name.to_string(), name: name.to_string() }, key })
}

/// The instance key as Terraform's JSON `index`: null, a number or a string.
pub fn index_json(key: &InstanceKey) -> serde_json::Value {
    match key {
        InstanceKey::None => serde_json::Value::Null,
        InstanceKey::Index(i) => serde_json::Value::from(*i),
        InstanceKey::Key(k) => serde_json::Value::String(k.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip() {
        for text in [
            "azurerm_shared_image.d",
            "azurerm_shared_image.d[3]",
            "azurerm_shared_image_version.v[\"1.0.0\"]",
            "data.azurerm_image.i",
        ] {
            assert_eq!(parse(text).unwrap().to_string(), text);
        }
        for bad in ["", "x", "a.b.c.d", "a.b[", "a.b[x]", "a.b[\"x]", "a..b"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
