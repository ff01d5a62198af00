//! `yamlencode` and `yamldecode`, as Terraform has them: YAML 1.2 block style out, with keys
//! sorted and strings double-quoted (`"a": "b"`, sequences at their key's indentation); in, one
//! document whose scalars keep their implied types. Image factories keep their image lists in
//! YAML files (`yamldecode(file("images.yaml"))`) and cloud-init in `yamlencode`.

use crate::model::value::{Map as ValueMap, Value, format_number};
use yaml_rust2::{Yaml, YamlLoader};

/// The YAML text of a known value.
pub fn encode(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Map(m) if !m.is_empty() => map(m, 0, &mut out),
        Value::List(l) if !l.is_empty() => list(l, 0, &mut out),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

fn scalar(value: &Value) -> String {
    match value {
        Value::Null | Value::Unknown => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format_number(*n),
        Value::String(s) => quoted(s),
        Value::Map(_) => "{}".into(),
        Value::List(_) => "[]".into(),
    }
}

/// A double-quoted YAML scalar: quotes, backslashes and control characters escaped.
fn quoted(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

fn is_block(value: &Value) -> bool {
    matches!(value, Value::Map(m) if !m.is_empty()) || matches!(value, Value::List(l) if !l.is_empty())
}

fn map(m: &ValueMap, indent: usize, out: &mut String) {
    for (k, v) in m {
        out.push_str(&" ".repeat(indent));
        out.push_str(&quoted(k));
        out.push(':');
        match v {
            Value::Map(inner) if !inner.is_empty() => {
                out.push('\n');
                map(inner, indent + 2, out);
            }
            // A sequence under a key starts at the key's own indentation.
            Value::List(items) if !items.is_empty() => {
                out.push('\n');
                list(items, indent, out);
            }
            other => {
                out.push(' ');
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
    }
}

fn list(items: &[Value], indent: usize, out: &mut String) {
    for item in items {
        if is_block(item) {
            // The item's block two further in, its first line led by the dash.
            let mut inner = String::new();
            match item {
                Value::Map(m) => map(m, indent + 2, &mut inner),
                Value::List(l) => list(l, indent + 2, &mut inner),
                _ => unreachable!("is_block"),
            }
            out.push_str(&" ".repeat(indent));
            out.push_str("- ");
            out.push_str(&inner[indent + 2..]);
        } else {
            out.push_str(&" ".repeat(indent));
            out.push_str("- ");
            out.push_str(&scalar(item));
            out.push('\n');
        }
    }
}

/// The value of a YAML document; an empty text is null. More than one document, keys that are
/// not scalars, and numbers Terraform cannot hold are errors.
pub fn decode(text: &str) -> Result<Value, String> {
    let documents = YamlLoader::load_from_str(text).map_err(|e| e.to_string())?;
    match documents.as_slice() {
        [] => Ok(Value::Null),
        [one] => convert(one),
        _ => Err("only one YAML document is allowed".into()),
    }
}

fn convert(yaml: &Yaml) -> Result<Value, String> {
    Ok(match yaml {
        Yaml::Null => Value::Null,
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Integer(i) => Value::Number(*i as f64),
        Yaml::Real(text) => Value::Number(real(text)?),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Array(items) => Value::List(items.iter().map(convert).collect::<Result<_, _>>()?),
        Yaml::Hash(entries) => {
            let mut out = ValueMap::default();
            for (k, v) in entries {
                let key = match k {
                    Yaml::String(s) => s.clone(),
                    Yaml::Integer(i) => i.to_string(),
                    Yaml::Boolean(b) => b.to_string(),
                    Yaml::Real(r) => r.clone(),
                    Yaml::Null => "null".into(),
                    _ => return Err("a mapping key must be a scalar".into()),
                };
                out.insert(key, convert(v)?);
            }
            Value::Map(out)
        }
        Yaml::Alias(_) | Yaml::BadValue => return Err("an alias to an unknown anchor".into()),
    })
}

fn real(text: &str) -> Result<f64, String> {
    match text.trim_start_matches('+').parse::<f64>() {
        Ok(n) if n.is_finite() => Ok(n),
        _ => Err(format!("{text} is not a number Terraform can hold")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(json: &str) -> Value {
        Value::from_json(&serde_json::from_str(json).unwrap())
    }

    #[test]
    fn encoding_follows_terraforms_layout() {
        for (value, yaml) in [
            (r#"{"a": "b", "c": "d"}"#, "\"a\": \"b\"\n\"c\": \"d\"\n"),
            (r#"{"foo": [1, 2, 3], "bar": "baz"}"#, "\"bar\": \"baz\"\n\"foo\":\n- 1\n- 2\n- 3\n"),
            (
                r#"{"foo": [1, {"a": "b", "c": "d"}, 3], "bar": "baz"}"#,
                "\"bar\": \"baz\"\n\"foo\":\n- 1\n- \"a\": \"b\"\n  \"c\": \"d\"\n- 3\n",
            ),
            (
                r#"{"a": {"b": {"c": true}}, "e": {}, "l": []}"#,
                "\"a\":\n  \"b\":\n    \"c\": true\n\"e\": {}\n\"l\": []\n",
            ),
            (r#"[[1, 2], null, "x\ny"]"#, "- - 1\n  - 2\n- null\n- \"x\\ny\"\n"),
            (r#""plain""#, "\"plain\"\n"),
            (r#"1.5"#, "1.5\n"),
        ] {
            assert_eq!(encode(&v(value)), yaml, "{value}");
        }
    }

    #[test]
    fn decoding_keeps_implied_types_and_round_trips() {
        let text = "images:\n  ubuntu:\n    versions: ['1.0.0', 1.1]\n    replicas: 2\n    enabled: yes\n    eol: ~\n  win: {sku: 2022}\n";
        let decoded = decode(text).unwrap();
        assert_eq!(
            decoded,
            v(
                r#"{"images": {"ubuntu": {"versions": ["1.0.0", 1.1], "replicas": 2, "enabled": "yes", "eol": null}, "win": {"sku": 2022}}}"#
            )
        );
        assert_eq!(decode(&encode(&decoded)).unwrap(), decoded);
        assert_eq!(decode("").unwrap(), Value::Null);
        assert!(decode("a: 1\n---\nb: 2\n").is_err());
        assert!(decode("a: [1\n").is_err());
        assert!(decode("? [1, 2]\n: x\n").is_err());
    }
}
