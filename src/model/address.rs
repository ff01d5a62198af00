//! Resource addresses as users type them (`--target`, `--replace`, `state mv`, `moved`):
//! `TYPE.NAME`, `TYPE.NAME[0]`, `TYPE.NAME["key"]`, `data.TYPE.NAME`, each behind the path of
//! the module instance that holds it (`module.images["linux"].TYPE.NAME`).

use crate::model::{Address, ConfigAddress, InstanceKey, Mode};

#[derive(Debug, thiserror::Error, PartialEq)]
#[error(
    "`{0}` is not a resource address (TYPE.NAME, TYPE.NAME[0] or TYPE.NAME[\"key\"], after module.NAME. for a module's)"
)]
pub struct BadAddress(pub String);

/// One step of an address: a name and the key that may follow it.
struct Step<'a> {
    name: &'a str,
    key: InstanceKey,
}

/// Splits at the dots between steps (not inside `["..."]`), reading each step's key.
fn steps(text: &str) -> Option<Vec<Step<'_>>> {
    let ident = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        let name = &rest[..end];
        if !ident(name) {
            return None;
        }
        rest = &rest[end..];
        let mut key = InstanceKey::None;
        if let Some(after) = rest.strip_prefix('[') {
            rest = if let Some(quoted) = after.strip_prefix('"') {
                // The closing quote is the first one not escaped.
                let mut close = None;
                let mut escaped = false;
                for (i, c) in quoted.char_indices() {
                    match c {
                        _ if escaped => escaped = false,
                        '\\' => escaped = true,
                        '"' => {
                            close = Some(i);
                            break;
                        }
                        _ => {}
                    }
                }
                let close = close?;
                let tail = quoted[close + 1..].strip_prefix(']')?;
                key = InstanceKey::Key(serde_json::from_str::<String>(&format!("\"{}\"", &quoted[..close])).ok()?);
                tail
            } else {
                let close = after.find(']')?;
                key = InstanceKey::Index(after[..close].parse().ok()?);
                &after[close + 1..]
            };
        }
        out.push(Step { name, key });
        if rest.is_empty() {
            return Some(out);
        }
        rest = rest.strip_prefix('.')?;
    }
}

pub fn parse(text: &str) -> Result<Address, BadAddress> {
    let bad = || BadAddress(text.to_string());
    let steps = steps(text).ok_or_else(bad)?;
    let mut module = String::new();
    let mut i = 0;
    while steps.len() - i > 2 && steps[i].name == "module" && steps[i].key == InstanceKey::None {
        let call = &steps[i + 1];
        if !module.is_empty() {
            module.push('.');
        }
        module.push_str(&format!("module.{}", call.name));
        push_key(&mut module, &call.key);
        i += 2;
    }
    let (mode, type_name, name, key) = match &steps[i..] {
        [d, t, n] if d.name == "data" && d.key == InstanceKey::None && t.key == InstanceKey::None => {
            (Mode::Data, t.name, n.name, n.key.clone())
        }
        [t, n] if t.key == InstanceKey::None && t.name != "module" => (Mode::Managed, t.name, n.name, n.key.clone()),
        _ => return Err(bad()),
    };
    Ok(Address {
        resource: ConfigAddress { module, mode, type_name: type_name.to_string(), name: name.to_string() },
        key,
    })
}

/// A module instance path or module call as users write it (`module.a`, `module.a["k"].module.b`),
/// printed canonically.
pub fn parse_module(text: &str) -> Result<String, BadAddress> {
    let bad = || BadAddress(text.to_string());
    let steps = steps(text).ok_or_else(bad)?;
    if steps.is_empty() || steps.len() % 2 != 0 {
        return Err(bad());
    }
    let mut out = String::new();
    for pair in steps.chunks(2) {
        if pair[0].name != "module" || pair[0].key != InstanceKey::None {
            return Err(bad());
        }
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(&format!("module.{}", pair[1].name));
        push_key(&mut out, &pair[1].key);
    }
    Ok(out)
}

/// Appends an instance key as addresses print it: `[0]`, `["key"]`.
pub fn push_key(out: &mut String, key: &InstanceKey) {
    match key {
        InstanceKey::None => {}
        InstanceKey::Index(i) => out.push_str(&format!("[{i}]")),
        InstanceKey::Key(k) => out.push_str(&format!("[{}]", serde_json::Value::String(k.clone()))),
    }
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
            "module.images.azurerm_shared_image.d",
            "module.images[\"linux\"].module.gallery.data.azurerm_image.i[0]",
            "module.images[2].azurerm_shared_image_version.v[\"1.0.0\"]",
            "module.x.azurerm_shared_image.d[\"a.b[c]\\\"\"]",
        ] {
            assert_eq!(parse(text).unwrap().to_string(), text);
        }
        for bad in [
            "",
            "x",
            "a.b.c.d",
            "a.b[",
            "a.b[x]",
            "a.b[\"x]",
            "a..b",
            "module.x",
            "module.x[0].a",
            "module[0].x.a.b",
            "a[0].b",
            "data.a[0].b",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        for (text, module) in [
            ("module.a", "module.a"),
            ("module.a[0]", "module.a[0]"),
            ("module.a[\"k\"].module.b", "module.a[\"k\"].module.b"),
        ] {
            assert_eq!(parse_module(text).unwrap(), module);
        }
        for bad in ["module", "module.a.b", "a.b", "module.a.azurerm_x.y", "data.module.a"] {
            assert!(parse_module(bad).is_err(), "{bad}");
        }
    }
}
