//! A record's attributes, kept as the compact JSON text they are stored as.
//!
//! Why text and not a `serde_json::Value`: at the quota ceiling a state holds 55,000 records of
//! about 20 attributes each. As `serde_json` trees they took ~3.8 KB a record (a `BTreeMap` node
//! is over 600 bytes even for the two entries of a `target_region`), ~200 MB in all and most of a
//! no-op plan's peak; as text they take the ~800 bytes they have in the state file. Reading the
//! state is then a validation instead of building trees, and each reader parses what it reads
//! when it reads it, on whatever core it runs on, and lets it go.
//!
//! The text is always canonical — what `serde_json` writes for a `Value`: no whitespace, object
//! keys sorted — so that two records hold equal attributes exactly when their texts are equal.
//! Every way in keeps that: from a `Value`, by serializing it; from a file (plan files, `state
//! push`), by parsing and serializing again; from sigform's own state rows, which only ever hold
//! what this type wrote, by validating the JSON.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// Canonical compact JSON text; `null` when empty.
#[derive(Clone)]
pub struct Attributes(Box<RawValue>);

/// Canonical text: equal attributes, equal text.
impl PartialEq for Attributes {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text()
    }
}

impl Eq for Attributes {}

impl Attributes {
    /// The attributes of `value`.
    pub fn from_value(value: &serde_json::Value) -> Self {
        Attributes::of(value)
    }

    /// The attributes `value` serializes to, written straight to text. Only for what serializes
    /// canonically: maps with sorted keys, as `serde_json` and the language's values have.
    pub fn of(value: &impl Serialize) -> Self {
        let text = serde_json::to_string(value).expect("attributes serialize");
        Attributes(RawValue::from_string(text).expect("serde_json writes JSON"))
    }

    /// Attributes from text sigform itself wrote as `Attributes` (a state row): validated, not
    /// re-written. Text from anywhere else goes through `Deserialize`, which makes it canonical.
    pub fn from_stored(text: String) -> Result<Self, serde_json::Error> {
        RawValue::from_string(text).map(Attributes)
    }

    /// The JSON text.
    pub fn text(&self) -> &str {
        self.0.get()
    }

    /// The attributes as a `serde_json` tree, parsed now: keep it only as long as it is needed.
    pub fn value(&self) -> serde_json::Value {
        serde_json::from_str(self.text()).expect("attributes hold valid JSON")
    }

    /// The attributes as a language value (what references see), read straight from the text.
    pub fn to_model(&self) -> crate::model::value::Value {
        serde_json::from_str(self.text()).expect("attributes hold valid JSON")
    }

    /// One top-level attribute, parsed now (`None` when absent or when this is not an object).
    /// Only that value is built: the others are read past (the apply order asks every record
    /// for its image, the plan's text every change for its id and name).
    pub fn get(&self, name: &str) -> Option<serde_json::Value> {
        self.only(&[name]).remove(name)
    }

    /// The named top-level attributes, parsed now, as an object of those present (empty when
    /// this is not an object). Only they are built: the others are read past (the cost of a
    /// plan of creates reads a handful of every version's attributes).
    pub fn only(&self, names: &[&str]) -> serde_json::Map<String, serde_json::Value> {
        struct Named<'n>(&'n [&'n str]);
        impl<'de> serde::de::Visitor<'de> for Named<'_> {
            type Value = serde_json::Map<String, serde_json::Value>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("attributes")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut entries: A) -> Result<Self::Value, A::Error> {
                let mut found = serde_json::Map::new();
                while let Some(key) = entries.next_key::<std::borrow::Cow<'de, str>>()? {
                    if self.0.contains(&&*key) {
                        let value = entries.next_value()?;
                        found.insert(key.into_owned(), value);
                    } else {
                        entries.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
                Ok(found)
            }
            // Not an object: no attribute (as a record's attributes are only ever an object or null).
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Default::default())
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Default::default())
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Default::default())
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Default::default())
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Default::default())
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Default::default())
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut items: A) -> Result<Self::Value, A::Error> {
                while items.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Default::default())
            }
        }
        let mut reader = serde_json::Deserializer::from_str(self.text());
        serde::Deserializer::deserialize_any(&mut reader, Named(names)).expect("attributes hold valid JSON")
    }

    /// A top-level string attribute, parsed now.
    pub fn get_str(&self, name: &str) -> Option<String> {
        match self.get(name)? {
            serde_json::Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A top-level boolean attribute.
    pub fn get_bool(&self, name: &str) -> Option<bool> {
        self.get(name)?.as_bool()
    }

    /// Whether the attributes are an object (a record read back from the cloud always is).
    pub fn is_object(&self) -> bool {
        self.text().starts_with('{')
    }

    /// Changes the attributes through their tree, and keeps the result.
    pub fn edit<R>(&mut self, change: impl FnOnce(&mut serde_json::Value) -> R) -> R {
        let mut value = self.value();
        let result = change(&mut value);
        *self = Attributes::from_value(&value);
        result
    }

    /// Sets one top-level attribute (the attributes become an object if they were not one).
    pub fn set(&mut self, name: &str, value: serde_json::Value) {
        self.edit(|attrs| {
            if !attrs.is_object() {
                *attrs = serde_json::Value::Object(serde_json::Map::new());
            }
            attrs[name] = value;
        });
    }
}

impl Default for Attributes {
    fn default() -> Self {
        Attributes::from_value(&serde_json::Value::Null)
    }
}

impl From<serde_json::Value> for Attributes {
    fn from(value: serde_json::Value) -> Self {
        Attributes::from_value(&value)
    }
}

impl From<&serde_json::Value> for Attributes {
    fn from(value: &serde_json::Value) -> Self {
        Attributes::from_value(value)
    }
}

impl std::fmt::Debug for Attributes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text())
    }
}

impl Serialize for Attributes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde_json::Value::deserialize(deserializer).map(|v| Attributes::from_value(&v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equal_attributes_have_equal_text_whatever_their_source_looked_like() {
        let a = Attributes::from(json!({"b": [1, {"y": 2, "x": null}], "a": "s"}));
        let b: Attributes = serde_json::from_str("{ \"a\" : \"s\",\n  \"b\": [1, {\"x\": null, \"y\": 2}] }").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.text(), r#"{"a":"s","b":[1,{"x":null,"y":2}]}"#);
        let stored = Attributes::from_stored(a.text().to_string()).unwrap();
        assert_eq!(stored, a);
        assert!(Attributes::from_stored("{\"a\":".into()).is_err());
    }

    #[test]
    fn reading_and_editing() {
        let mut a = Attributes::from(json!({"name": "n", "flag": true, "n": 3}));
        assert!(a.is_object());
        assert_eq!(a.get_str("name").as_deref(), Some("n"));
        assert_eq!(a.get_str("n"), None);
        assert_eq!(a.get_bool("flag"), Some(true));
        assert_eq!(a.get("missing"), None);
        let nested = Attributes::from(json!({"a": {"n": [1, {"x": "y"}]}, "b": "c\\\"d", "n": 1}));
        assert_eq!(nested.get("a"), Some(json!({"n": [1, {"x": "y"}]})));
        assert_eq!(nested.get("b"), Some(json!("c\\\"d")));
        assert_eq!(Attributes::from(json!([1, 2])).get("a"), None);
        // Some of them: what is named and present, nested values whole, the rest left out.
        let some = nested.only(&["a", "n", "absent"]);
        assert_eq!(serde_json::Value::Object(some), json!({"a": {"n": [1, {"x": "y"}]}, "n": 1}));
        assert!(Attributes::from(json!("text")).only(&["a"]).is_empty());
        a.set("name", json!("m"));
        assert_eq!(a.value(), json!({"name": "m", "flag": true, "n": 3}));
        let mut empty = Attributes::default();
        assert_eq!(empty.text(), "null");
        assert!(!empty.is_object());
        assert_eq!(empty.get("x"), None);
        empty.set("x", json!(1));
        assert_eq!(empty.value(), json!({"x": 1}));
    }

    /// In a plan file or `state show -json` the attributes are the JSON value, not a string.
    #[test]
    fn serializes_as_the_value_itself() {
        let a = Attributes::from(json!({"k": [1, 2]}));
        assert_eq!(serde_json::to_string(&a).unwrap(), r#"{"k":[1,2]}"#);
        assert_eq!(serde_json::to_value(json!({"values": a.value()})).unwrap()["values"], json!({"k": [1, 2]}));
        assert_eq!(serde_json::to_value(&a).unwrap(), json!({"k": [1, 2]}));
    }
}
