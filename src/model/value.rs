//! `Value`: the dynamic values of the configuration language, with Terraform's conversions.
//!
//! Lists, tuples and sets are all `List`; maps and objects are all `Map` (key-ordered, as
//! Terraform orders them). `Unknown` is a value only the cloud can tell ("known after apply");
//! every operation on it yields `Unknown`, so checks simply skip it.

use serde::{Serialize, Serializer};
use std::fmt;

/// A map or object's attributes: a vector sorted by key (`Named`). A `BTreeMap` gave each map a
/// node of eleven slots, over 600 bytes for the two entries of `each` or the three of a
/// `for_each` value; at the quota ceiling there are tens of thousands of each.
pub type Map = super::names::Named<Value>;

#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Value>),
    Map(Map),
    Unknown,
}

impl Value {
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// The type word Terraform uses in messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Map(_) => "map",
            Value::Unknown => "unknown",
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// True when no part of the value is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(items) => items.iter().all(Value::is_wholly_known),
            Value::Map(map) => map.values().all(Value::is_wholly_known),
            _ => true,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(map) => Some(map),
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_map().and_then(|m| m.get(key))
    }

    /// Terraform's implicit conversion to string: numbers and bools convert, others do not.
    pub fn to_string_lossless(&self) -> Option<String> {
        match self {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(format_number(*n)),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Terraform's implicit conversion to number: strings that parse convert.
    pub fn to_number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            Value::String(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
            _ => None,
        }
    }

    /// Terraform's implicit conversion to bool: "true" and "false" convert.
    pub fn to_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s == "true" => Some(true),
            Value::String(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null | Value::Unknown => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => number_to_json(*n),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::List(items) => serde_json::Value::Array(items.iter().map(Value::to_json).collect()),
            Value::Map(map) => serde_json::Value::Object(map.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
        }
    }

    /// As `to_json`, moving the strings instead of copying them.
    pub fn into_json(self) -> serde_json::Value {
        match self {
            Value::String(s) => serde_json::Value::String(s),
            Value::List(items) => serde_json::Value::Array(items.into_iter().map(Value::into_json).collect()),
            Value::Map(map) => serde_json::Value::Object(map.into_iter().map(|(k, v)| (k, v.into_json())).collect()),
            other => other.to_json(),
        }
    }

    pub fn from_json(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(0.0)),
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(items) => Value::List(items.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(map) => {
                Value::Map(map.iter().map(|(k, v)| (k.clone(), Value::from_json(v))).collect())
            }
        }
    }
}

fn number_to_json(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        serde_json::Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

/// Whole numbers print without a fraction, as Terraform prints them.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 9.0e15 { format!("{}", n as i64) } else { format!("{n}") }
}

/// As `to_json` would serialize, without building the tree first (a record's attributes are
/// written this way: keys come sorted from the map, numbers as `number_to_json` writes them).
impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null | Value::Unknown => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => serializer.serialize_i64(*n as i64),
            Value::Number(n) if n.is_finite() => serializer.serialize_f64(*n),
            Value::Number(_) => serializer.serialize_unit(),
            Value::String(s) => serializer.serialize_str(s),
            Value::List(items) => serializer.collect_seq(items),
            Value::Map(map) => serializer.collect_map(map.iter()),
        }
    }
}

/// What `from_json` makes of the same JSON, read straight from its text: a record's attributes
/// become a `Value` without a `serde_json` tree in between.
impl<'de> serde::Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_none<E>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
                Ok(Value::Bool(b))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
                Ok(Value::Number(n as f64))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
                Ok(Value::Number(n as f64))
            }
            fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
                Ok(Value::Number(n))
            }
            fn visit_str<E>(self, s: &str) -> Result<Value, E> {
                Ok(Value::String(s.to_string()))
            }
            fn visit_string<E>(self, s: String) -> Result<Value, E> {
                Ok(Value::String(s))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Value::List(items))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut entries: A) -> Result<Value, A::Error> {
                let mut map = Vec::with_capacity(entries.size_hint().unwrap_or(0));
                while let Some(entry) = entries.next_entry::<String, Value>()? {
                    map.push(entry);
                }
                Ok(Value::Map(map.into_iter().collect()))
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

/// HCL-literal rendering, used in messages and plans.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => write!(f, "null"),
            Value::Unknown => write!(f, "(known after apply)"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{}", format_number(*n)),
            Value::String(s) => write!(f, "{}", serde_json::Value::String(s.clone())),
            Value::List(items) => {
                write!(f, "[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{item}")?;
                }
                write!(f, "]")
            }
            Value::Map(map) => {
                write!(f, "{{")?;
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{k} = {v}")?;
                }
                write!(f, "}}")
            }
        }
    }
}

/// A schema default as a value.
pub fn default_value(default: sigform_azure::schema::Default) -> Option<Value> {
    match default {
        sigform_azure::schema::Default::None => None,
        sigform_azure::schema::Default::Str(s) => Some(Value::string(s)),
        sigform_azure::schema::Default::Num(n) => Some(Value::Number(n)),
        sigform_azure::schema::Default::Bool(b) => Some(Value::Bool(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Straight from and to text is the same as through a `serde_json` tree.
    #[test]
    fn json_text_round_trips_as_through_a_tree() {
        let texts = [
            r#"null"#,
            r#"{"a":1,"b":[true,null,-2.5,1e300,12345678901234567890],"c":{"z":"ç","a":{}},"a":2}"#,
            r#"[[],{},"",0,-0,0.1,9007199254740993]"#,
        ];
        for text in texts {
            let tree: serde_json::Value = serde_json::from_str(text).unwrap();
            let direct: Value = serde_json::from_str(text).unwrap();
            assert_eq!(direct, Value::from_json(&tree), "{text}");
            assert_eq!(serde_json::to_string(&direct).unwrap(), serde_json::to_string(&direct.to_json()).unwrap());
        }
        let odd = Value::List(vec![Value::Number(f64::NAN), Value::Unknown, Value::Number(1e16), Value::Number(-3.0)]);
        assert_eq!(serde_json::to_string(&odd).unwrap(), serde_json::to_string(&odd.to_json()).unwrap());
        let many = Value::Map((0..100).rev().map(|i| (format!("k{i}"), Value::Number(i as f64))).collect());
        assert_eq!(serde_json::to_string(&many).unwrap(), serde_json::to_string(&many.to_json()).unwrap());
    }

    #[test]
    fn conversions_follow_terraform() {
        type Case<'a> = (Value, Option<&'a str>, Option<f64>, Option<bool>);
        let cases: &[Case] = &[
            (Value::Number(3.0), Some("3"), Some(3.0), None),
            (Value::Number(2.5), Some("2.5"), Some(2.5), None),
            (Value::string("7"), Some("7"), Some(7.0), None),
            (Value::string("true"), Some("true"), None, Some(true)),
            (Value::Bool(false), Some("false"), None, Some(false)),
            (Value::Null, None, None, None),
            (Value::List(vec![]), None, None, None),
        ];
        for (value, s, n, b) in cases {
            assert_eq!(value.to_string_lossless().as_deref(), *s, "{value:?}");
            assert_eq!(value.to_number(), *n, "{value:?}");
            assert_eq!(value.to_bool(), *b, "{value:?}");
        }
    }

    #[test]
    fn json_round_trip_keeps_integers() {
        let v = Value::Map(Map::from([
            ("a".to_string(), Value::Number(1.0)),
            ("b".to_string(), Value::List(vec![Value::string("x"), Value::Bool(true)])),
        ]));
        assert_eq!(v.to_json().to_string(), r#"{"a":1,"b":["x",true]}"#);
        assert_eq!(Value::from_json(&v.to_json()), v);
    }
}
