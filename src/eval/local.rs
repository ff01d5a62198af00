//! The values of state-only resources (`random_*`, `terraform_data`), decided when planning.
//!
//! Terraform leaves them "known after apply"; sigform decides them here, because a gallery named
//! with a random suffix has an ARM id made of that name, and the plan shows ids. A value once
//! recorded stays while the arguments that force a replacement (`keepers`, `length`, ...) stay;
//! when they change, a fresh value is drawn and the planner replaces the resource. Randomness
//! comes from the caller (`Environment::entropy`), stretched per address with SHA-256, so that
//! evaluation remains a function of its input.

use crate::model::value::{Map as ValueMap, Value};
use crate::model::{Attr, Instance};
use sha2::{Digest, Sha256};
use sigform_azure::schema::Mutability;

/// Gives a state-only resource its computed values: the recorded ones while its arguments are
/// unchanged, fresh ones otherwise; and its id.
pub(super) fn settle(instance: &mut Instance, recorded: Option<&ValueMap>, entropy: &[u8; 32]) {
    let schema = instance.schema;
    let configured = |name: &str| -> Value {
        let attr = schema.attr(name);
        instance
            .attrs
            .get(name)
            .map(|a| a.value.clone())
            .filter(|v| !v.is_null())
            .or_else(|| attr.and_then(|a| crate::model::value::default_value(a.default)))
            .unwrap_or(Value::Null)
    };
    let kept = recorded.filter(|rec| {
        schema.attrs.iter().filter(|a| a.mutability == Mutability::Fixed).all(|a| {
            let before = rec
                .get(a.name)
                .cloned()
                .filter(|v| !v.is_null())
                .or_else(|| crate::model::value::default_value(a.default))
                .unwrap_or(Value::Null);
            before == configured(a.name)
        })
    });
    if instance.attrs.values.values().any(|a| a.value.is_unknown()) {
        // An argument known only after apply: so is everything computed from it.
        return;
    }
    let computed: ValueMap = match kept {
        Some(rec) => schema
            .attrs
            .iter()
            .filter(|a| a.mutability == Mutability::Computed)
            .filter_map(|a| rec.get(a.name).map(|v| (a.name.to_string(), v.clone())))
            .collect(),
        None => {
            let mut stream = Stream::new(entropy, &instance.address.to_string());
            generate(schema.type_name, &configured, &mut stream)
        }
    };
    let mut computed = computed;
    // `terraform_data`'s output follows its input, updated in place.
    if schema.type_name == "terraform_data" {
        computed.insert("output".into(), configured("input"));
    }
    let span = instance.span.clone();
    for (name, value) in computed {
        instance.attrs.values.insert(name, Attr { value, span: span.clone(), defaulted: true });
    }
    instance.id = instance.attrs.str("id").map(str::to_string);
}

/// Fresh values for a type, from its configured arguments.
fn generate(type_name: &str, arg: &dyn Fn(&str) -> Value, stream: &mut Stream) -> ValueMap {
    let num = |name: &str| arg(name).as_f64().unwrap_or(0.0);
    let text = |name: &str| arg(name).as_str().map(str::to_string);
    let mut out = ValueMap::default();
    match type_name {
        "random_string" => {
            let result = random_string(stream, num("length").max(0.0) as usize, arg);
            out.insert("result".into(), Value::string(result.clone()));
            out.insert("id".into(), Value::string(result));
        }
        "random_id" => {
            let bytes: Vec<u8> = (0..num("byte_length").max(1.0) as usize).map(|_| stream.byte()).collect();
            let prefix = text("prefix").unwrap_or_default();
            let url = base64(&bytes, true);
            out.insert("b64_url".into(), Value::string(format!("{prefix}{url}")));
            out.insert("b64_std".into(), Value::string(format!("{prefix}{}", base64(&bytes, false))));
            out.insert("hex".into(), Value::string(format!("{prefix}{}", hex(&bytes))));
            out.insert("dec".into(), Value::string(format!("{prefix}{}", decimal(&bytes))));
            out.insert("id".into(), Value::string(url));
        }
        "random_integer" => {
            let (min, max) = (num("min") as i64, num("max") as i64);
            // A seed makes the choice repeatable, as in the random provider.
            let mut seeded;
            let stream = match text("seed") {
                Some(seed) => {
                    seeded = Stream::new(&[0; 32], &seed);
                    &mut seeded
                }
                None => stream,
            };
            let span = (max - min).max(0) as u64 + 1;
            let result = min + (stream.u64() % span) as i64;
            out.insert("result".into(), Value::Number(result as f64));
            out.insert("id".into(), Value::string(result.to_string()));
        }
        "random_pet" => {
            let length = num("length").max(1.0) as usize;
            let separator = text("separator").unwrap_or_else(|| "-".into());
            let mut words: Vec<String> = text("prefix").into_iter().collect();
            for i in 0..length {
                let list = if i + 1 == length { PETS } else { ADJECTIVES };
                words.push(list[stream.u64() as usize % list.len()].to_string());
            }
            out.insert("id".into(), Value::string(words.join(&separator)));
        }
        "random_uuid" | "terraform_data" => {
            let mut bytes = [0u8; 16];
            bytes.iter_mut().for_each(|b| *b = stream.byte());
            let uuid = uuid::Builder::from_random_bytes(bytes).into_uuid().to_string();
            if type_name == "random_uuid" {
                out.insert("result".into(), Value::string(uuid.clone()));
            }
            out.insert("id".into(), Value::string(uuid));
        }
        _ => {}
    }
    out
}

const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const NUMERIC: &str = "0123456789";
/// The random provider's default special characters.
const SPECIAL: &str = "!@#$%&*()-_=+[]{}<>:?";

/// `length` characters from the enabled sets, with at least the `min_*` of each.
fn random_string(stream: &mut Stream, length: usize, arg: &dyn Fn(&str) -> Value) -> String {
    let on = |name: &str| arg(name).as_bool().unwrap_or(true);
    let min = |name: &str| arg(name).as_f64().unwrap_or(0.0).max(0.0) as usize;
    let special = arg("override_special").as_str().map(str::to_string).unwrap_or_else(|| SPECIAL.to_string());
    let sets: Vec<(Vec<char>, usize)> = [
        (on("upper"), UPPER.to_string(), min("min_upper")),
        (on("lower"), LOWER.to_string(), min("min_lower")),
        (on("numeric"), NUMERIC.to_string(), min("min_numeric")),
        (on("special"), special, min("min_special")),
    ]
    .into_iter()
    .filter(|(enabled, chars, _)| *enabled && !chars.is_empty())
    .map(|(_, chars, min)| (chars.chars().collect(), min))
    .collect();
    let all: Vec<char> = sets.iter().flat_map(|(chars, _)| chars.iter().copied()).collect();
    if all.is_empty() {
        return String::new();
    }
    let mut out: Vec<char> = Vec::new();
    for (chars, min) in &sets {
        for _ in 0..*min {
            out.push(chars[stream.u64() as usize % chars.len()]);
        }
    }
    while out.len() < length {
        out.push(all[stream.u64() as usize % all.len()]);
    }
    // Shuffled, so that the minimums are not all at the front.
    for i in (1..out.len()).rev() {
        out.swap(i, stream.u64() as usize % (i + 1));
    }
    out.into_iter().collect()
}

/// SHA-256 in counter mode over the caller's entropy and the resource's address.
struct Stream {
    seed: Vec<u8>,
    counter: u64,
    buf: Vec<u8>,
}

impl Stream {
    fn new(entropy: &[u8; 32], address: &str) -> Stream {
        let mut seed = entropy.to_vec();
        seed.extend_from_slice(address.as_bytes());
        Stream { seed, counter: 0, buf: Vec::new() }
    }

    fn byte(&mut self) -> u8 {
        if self.buf.is_empty() {
            let mut h = Sha256::new();
            h.update(&self.seed);
            h.update(self.counter.to_le_bytes());
            self.counter += 1;
            self.buf = h.finalize().to_vec();
        }
        self.buf.pop().expect("refilled")
    }

    fn u64(&mut self) -> u64 {
        (0..8).fold(0u64, |acc, _| (acc << 8) | u64::from(self.byte()))
    }
}

fn base64(bytes: &[u8], url: bool) -> String {
    use base64::Engine;
    if url {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    } else {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes as one big-endian unsigned integer, in decimal.
fn decimal(bytes: &[u8]) -> String {
    let mut digits: Vec<u8> = vec![0];
    for &byte in bytes {
        let mut carry = u32::from(byte);
        for d in digits.iter_mut() {
            let v = u32::from(*d) * 256 + carry;
            *d = (v % 10) as u8;
            carry = v / 10;
        }
        while carry > 0 {
            digits.push((carry % 10) as u8);
            carry /= 10;
        }
    }
    digits.iter().rev().map(|d| char::from(b'0' + d)).collect()
}

const ADJECTIVES: &[&str] = &[
    "able", "amused", "brave", "bright", "calm", "charming", "clever", "cool", "crisp", "daring", "eager", "fair",
    "fine", "fit", "gentle", "glad", "golden", "grand", "happy", "helpful", "honest", "humble", "keen", "kind",
    "lively", "loyal", "lucky", "merry", "mighty", "modest", "neat", "nice", "noble", "patient", "polite", "proud",
    "quick", "quiet", "rapid", "ready", "sharp", "smart", "smooth", "steady", "sunny", "sure", "swift", "tidy", "true",
    "vivid", "warm", "wise",
];

const PETS: &[&str] = &[
    "alpaca", "badger", "beagle", "bison", "bobcat", "camel", "cat", "cheetah", "colt", "corgi", "crane", "dingo",
    "dog", "dolphin", "eagle", "falcon", "ferret", "finch", "fox", "gecko", "gopher", "hare", "hawk", "heron", "husky",
    "ibex", "jackal", "jaguar", "koala", "lemur", "lion", "llama", "lynx", "marten", "mink", "moose", "otter", "owl",
    "panda", "pony", "puma", "quail", "raven", "robin", "seal", "sheep", "sloth", "swan", "tiger", "toad", "trout",
    "wolf", "yak", "zebra",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_and_hex_read_the_bytes_as_one_number() {
        assert_eq!(decimal(&[0x01, 0x00]), "256");
        assert_eq!(decimal(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), u64::MAX.to_string());
        assert_eq!(hex(&[0x0a, 0xff]), "0aff");
    }

    #[test]
    fn strings_honour_their_sets_and_minimums() {
        let args = |name: &str| match name {
            "special" | "upper" => Value::Bool(false),
            "min_numeric" => Value::Number(3.0),
            _ => Value::Null,
        };
        for n in 0..20 {
            let mut stream = Stream::new(&[n; 32], "random_string.s");
            let s = random_string(&mut stream, 8, &args);
            assert_eq!(s.len(), 8);
            assert!(s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()), "{s}");
            assert!(s.chars().filter(char::is_ascii_digit).count() >= 3, "{s}");
        }
        // The same entropy and address give the same value; another address another.
        let draw = |address: &str| random_string(&mut Stream::new(&[7; 32], address), 12, &|_: &str| Value::Null);
        assert_eq!(draw("random_string.a"), draw("random_string.a"));
        assert_ne!(draw("random_string.a"), draw("random_string.b"));
    }
}
