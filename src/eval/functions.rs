//! The Terraform functions gallery configurations use, with Terraform's semantics.
//!
//! `try` and `can` are not here: they are special forms in `expr`. Any unknown argument makes
//! the result unknown, so a function never has to think about "known after apply".

use super::error::{EvalError, EvalResult};
use crate::diagnostic::Span;
use crate::model::value::{Map as ValueMap, Value, format_number};

/// Every function name `call` knows, for "did you mean" suggestions and documentation.
pub const NAMES: &[&str] = &[
    "abs",
    "abspath",
    "alltrue",
    "anytrue",
    "base64decode",
    "base64encode",
    "can",
    "ceil",
    "chomp",
    "coalesce",
    "coalescelist",
    "compact",
    "concat",
    "contains",
    "distinct",
    "element",
    "endswith",
    "file",
    "filebase64",
    "fileexists",
    "flatten",
    "floor",
    "format",
    "formatdate",
    "index",
    "join",
    "jsondecode",
    "jsonencode",
    "keys",
    "length",
    "lookup",
    "lower",
    "max",
    "merge",
    "min",
    "nonsensitive",
    "one",
    "plantimestamp",
    "range",
    "regex",
    "regexall",
    "replace",
    "reverse",
    "sensitive",
    "setproduct",
    "sha256",
    "slice",
    "sort",
    "split",
    "startswith",
    "strcontains",
    "substr",
    "sum",
    "templatefile",
    "timeadd",
    "timestamp",
    "title",
    "tobool",
    "tolist",
    "tomap",
    "tonumber",
    "toset",
    "tostring",
    "trim",
    "trimprefix",
    "trimspace",
    "trimsuffix",
    "try",
    "upper",
    "uuidv5",
    "values",
    "yamldecode",
    "yamlencode",
    "zipmap",
];

struct Args<'a> {
    name: &'a str,
    values: Vec<Value>,
    spans: &'a [Span],
    call: Span,
}

impl Args<'_> {
    fn span(&self, i: usize) -> Span {
        self.spans.get(i).cloned().unwrap_or_else(|| self.call.clone())
    }

    fn err(&self, i: usize, message: impl Into<String>) -> EvalError {
        EvalError::new("SIG006", self.span(i), format!("{}(): {}", self.name, message.into()))
    }

    fn arity(&self, min: usize, max: Option<usize>) -> Result<(), EvalError> {
        let n = self.values.len();
        let ok = n >= min && max.is_none_or(|m| n <= m);
        if ok {
            return Ok(());
        }
        let wanted = match max {
            Some(m) if m == min => format!("{min}"),
            Some(m) => format!("{min} to {m}"),
            None => format!("at least {min}"),
        };
        Err(EvalError::new(
            "SIG006",
            self.call.clone(),
            format!("{}() takes {wanted} argument(s), {n} given", self.name),
        ))
    }

    fn str(&self, i: usize) -> Result<String, EvalError> {
        self.values[i].to_string_lossless().ok_or_else(|| {
            self.err(i, format!("argument {} must be a string, not {}", i + 1, self.values[i].type_name()))
        })
    }

    fn num(&self, i: usize) -> Result<f64, EvalError> {
        self.values[i].to_number().ok_or_else(|| {
            self.err(i, format!("argument {} must be a number, not {}", i + 1, self.values[i].type_name()))
        })
    }

    fn int(&self, i: usize) -> Result<i64, EvalError> {
        let n = self.num(i)?;
        if n.fract() != 0.0 {
            return Err(self.err(i, format!("argument {} must be a whole number", i + 1)));
        }
        Ok(n as i64)
    }

    fn list(&self, i: usize) -> Result<&[Value], EvalError> {
        self.values[i].as_list().ok_or_else(|| {
            self.err(i, format!("argument {} must be a list, not {}", i + 1, self.values[i].type_name()))
        })
    }

    fn map(&self, i: usize) -> Result<&ValueMap, EvalError> {
        self.values[i]
            .as_map()
            .ok_or_else(|| self.err(i, format!("argument {} must be a map, not {}", i + 1, self.values[i].type_name())))
    }
}

pub fn call(name: &str, values: Vec<Value>, spans: &[Span], call_span: Span) -> EvalResult {
    let a = Args { name, values, spans, call: call_span };
    if !NAMES.contains(&name) {
        let err = EvalError::new("SIG006", a.call.clone(), format!("unknown function `{name}`")).uncatchable();
        return Err(match crate::model::suggest(name, NAMES.iter().copied()) {
            Some(s) => err.with_help(format!("did you mean `{s}`?")),
            None => err.with_help("see the README's list of supported functions"),
        });
    }
    if a.values.iter().any(|v| !v.is_wholly_known()) {
        return Ok(Value::Unknown);
    }
    match name {
        "length" => {
            a.arity(1, Some(1))?;
            Ok(Value::Number(match &a.values[0] {
                Value::String(s) => s.chars().count(),
                Value::List(l) => l.len(),
                Value::Map(m) => m.len(),
                other => {
                    return Err(a.err(0, format!("cannot take the length of a {}", other.type_name())));
                }
            } as f64))
        }
        "lower" => unary_str(&a, |s| s.to_lowercase()),
        "upper" => unary_str(&a, |s| s.to_uppercase()),
        "title" => unary_str(&a, title),
        "trimspace" => unary_str(&a, |s| s.trim().to_string()),
        "chomp" => unary_str(&a, |s| s.trim_end_matches(['\n', '\r']).to_string()),
        "tostring" => {
            a.arity(1, Some(1))?;
            match &a.values[0] {
                Value::Null => Ok(Value::Null),
                _ => a.str(0).map(Value::String),
            }
        }
        "tonumber" => {
            a.arity(1, Some(1))?;
            match &a.values[0] {
                Value::Null => Ok(Value::Null),
                _ => a.num(0).map(Value::Number),
            }
        }
        "tobool" => {
            a.arity(1, Some(1))?;
            match &a.values[0] {
                Value::Null => Ok(Value::Null),
                v => v.to_bool().map(Value::Bool).ok_or_else(|| a.err(0, format!("cannot convert {v} to bool"))),
            }
        }
        "tolist" => {
            a.arity(1, Some(1))?;
            a.list(0).map(|l| Value::List(l.to_vec()))
        }
        "toset" => {
            a.arity(1, Some(1))?;
            Ok(Value::List(distinct(a.list(0)?)))
        }
        "tomap" => {
            a.arity(1, Some(1))?;
            a.map(0).map(|m| Value::Map(m.clone()))
        }
        "format" => {
            a.arity(1, None)?;
            format(&a).map(Value::String)
        }
        "join" => {
            a.arity(2, None)?;
            let sep = a.str(0)?;
            let mut parts = Vec::new();
            for i in 1..a.values.len() {
                for (j, item) in a.list(i)?.iter().enumerate() {
                    parts.push(
                        item.to_string_lossless()
                            .ok_or_else(|| a.err(i, format!("element {j} is a {}, not a string", item.type_name())))?,
                    );
                }
            }
            Ok(Value::String(parts.join(&sep)))
        }
        "split" => {
            a.arity(2, Some(2))?;
            let sep = a.str(0)?;
            let s = a.str(1)?;
            if s.is_empty() {
                return Ok(Value::List(vec![]));
            }
            Ok(Value::List(s.split(sep.as_str()).map(Value::string).collect()))
        }
        "concat" => {
            let mut out = Vec::new();
            for i in 0..a.values.len() {
                out.extend_from_slice(a.list(i)?);
            }
            Ok(Value::List(out))
        }
        "merge" => {
            // Gathered first and made a map once: later arguments win, as collecting keeps them.
            let mut out = Vec::new();
            for (i, v) in a.values.iter().enumerate() {
                match v {
                    Value::Null => {}
                    Value::Map(m) => out.extend(m.iter().map(|(k, v)| (k.clone(), v.clone()))),
                    other => {
                        return Err(a.err(i, format!("arguments must be maps, not {}", other.type_name())));
                    }
                }
            }
            Ok(Value::Map(out.into_iter().collect()))
        }
        "lookup" => {
            a.arity(2, Some(3))?;
            let key = a.str(1)?;
            match a.map(0)?.get(&key) {
                Some(v) => Ok(v.clone()),
                None if a.values.len() == 3 => Ok(a.values[2].clone()),
                None => Err(a.err(1, format!("the map has no key \"{key}\" and no default was given"))),
            }
        }
        "keys" => {
            a.arity(1, Some(1))?;
            Ok(Value::List(a.map(0)?.keys().map(Value::string).collect()))
        }
        "values" => {
            a.arity(1, Some(1))?;
            Ok(Value::List(a.map(0)?.values().cloned().collect()))
        }
        "contains" => {
            a.arity(2, Some(2))?;
            Ok(Value::Bool(a.list(0)?.contains(&a.values[1])))
        }
        "element" => {
            a.arity(2, Some(2))?;
            let list = a.list(0)?;
            if list.is_empty() {
                return Err(a.err(0, "cannot take an element of an empty list"));
            }
            let i = a.int(1)?;
            if i < 0 {
                return Err(a.err(1, "the index must not be negative"));
            }
            Ok(list[i as usize % list.len()].clone())
        }
        "index" => {
            a.arity(2, Some(2))?;
            a.list(0)?
                .iter()
                .position(|v| v == &a.values[1])
                .map(|i| Value::Number(i as f64))
                .ok_or_else(|| a.err(1, "the value is not in the list"))
        }
        "flatten" => {
            a.arity(1, Some(1))?;
            let mut out = Vec::new();
            flatten(a.list(0)?, &mut out);
            Ok(Value::List(out))
        }
        "distinct" => {
            a.arity(1, Some(1))?;
            Ok(Value::List(distinct(a.list(0)?)))
        }
        "compact" => {
            a.arity(1, Some(1))?;
            Ok(Value::List(
                a.list(0)?.iter().filter(|v| !matches!(v, Value::Null) && v.as_str() != Some("")).cloned().collect(),
            ))
        }
        "coalesce" => {
            a.arity(1, None)?;
            a.values
                .iter()
                .find(|v| !v.is_null() && v.as_str() != Some(""))
                .cloned()
                .ok_or_else(|| a.err(0, "all arguments are null or empty"))
        }
        "coalescelist" => {
            a.arity(1, None)?;
            for i in 0..a.values.len() {
                if !a.list(i)?.is_empty() {
                    return Ok(a.values[i].clone());
                }
            }
            Err(a.err(0, "all lists are empty"))
        }
        "min" | "max" => {
            a.arity(1, None)?;
            let all_numbers = a.values.iter().all(|v| v.to_number().is_some());
            if all_numbers {
                let nums = (0..a.values.len()).map(|i| a.num(i)).collect::<Result<Vec<_>, _>>()?;
                let pick = if name == "min" { f64::min } else { f64::max };
                Ok(Value::Number(nums.into_iter().reduce(pick).expect("arity checked")))
            } else {
                Err(a.err(0, "all arguments must be numbers"))
            }
        }
        "sum" => {
            a.arity(1, Some(1))?;
            let mut total = 0.0;
            for v in a.list(0)? {
                total += v.to_number().ok_or_else(|| a.err(0, "every element must be a number"))?;
            }
            Ok(Value::Number(total))
        }
        "abs" => {
            a.arity(1, Some(1))?;
            Ok(Value::Number(a.num(0)?.abs()))
        }
        "ceil" => {
            a.arity(1, Some(1))?;
            Ok(Value::Number(a.num(0)?.ceil()))
        }
        "floor" => {
            a.arity(1, Some(1))?;
            Ok(Value::Number(a.num(0)?.floor()))
        }
        "replace" => {
            a.arity(3, Some(3))?;
            let (s, from, to) = (a.str(0)?, a.str(1)?, a.str(2)?);
            // A substring between slashes is a regular expression, as in Terraform; `$1` and
            // `${name}` in the replacement are its captures.
            if from.len() > 1 && from.starts_with('/') && from.ends_with('/') {
                let re = compile(&a, 1, &from[1..from.len() - 1])?;
                return Ok(Value::String(re.replace_all(&s, to.as_str()).into_owned()));
            }
            Ok(Value::String(s.replace(&from, &to)))
        }
        // Known only when applying, as in Terraform (it changes every second).
        "timestamp" => {
            a.arity(0, Some(0))?;
            Ok(Value::Unknown)
        }
        "timeadd" => {
            a.arity(2, Some(2))?;
            let time = timestamp_arg(&a, 0)?;
            let seconds = crate::model::parse_duration(&a.str(1)?)
                .map(|s| s.round() as i64)
                .ok_or_else(|| a.err(1, "the duration must be like \"1h30m\", \"-10m\" or \"90s\""))?;
            Ok(Value::String(sigform_azure::timestamp::format_unix(time + seconds)))
        }
        "formatdate" => {
            a.arity(2, Some(2))?;
            let time = timestamp_arg(&a, 1)?;
            formatdate(&a.str(0)?, time).map(Value::String).map_err(|m| a.err(0, m))
        }
        "regex" => {
            a.arity(2, Some(2))?;
            let (re, s) = (compile(&a, 0, &a.str(0)?)?, a.str(1)?);
            match re.captures(&s) {
                Some(captures) => Ok(match_value(&re, &captures)),
                None => Err(a.err(1, "the pattern did not match the string")),
            }
        }
        "regexall" => {
            a.arity(2, Some(2))?;
            let (re, s) = (compile(&a, 0, &a.str(0)?)?, a.str(1)?);
            Ok(Value::List(re.captures_iter(&s).map(|c| match_value(&re, &c)).collect()))
        }
        "base64encode" => {
            use base64::Engine;
            unary_str(&a, |s| base64::engine::general_purpose::STANDARD.encode(s))
        }
        "base64decode" => {
            use base64::Engine;
            a.arity(1, Some(1))?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(a.str(0)?.trim())
                .map_err(|e| a.err(0, format!("not valid base64: {e}")))?;
            String::from_utf8(bytes).map(Value::String).map_err(|_| a.err(0, "the decoded bytes are not UTF-8 text"))
        }
        "sha256" => {
            use sha2::Digest;
            unary_str(&a, |s| sha2::Sha256::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect())
        }
        "uuidv5" => {
            a.arity(2, Some(2))?;
            let namespace = match a.str(0)?.as_str() {
                "dns" => uuid::Uuid::NAMESPACE_DNS,
                "url" => uuid::Uuid::NAMESPACE_URL,
                "oid" => uuid::Uuid::NAMESPACE_OID,
                "x500" => uuid::Uuid::NAMESPACE_X500,
                other => uuid::Uuid::parse_str(other)
                    .map_err(|_| a.err(0, "the namespace must be dns, url, oid, x500 or a UUID"))?,
            };
            Ok(Value::String(uuid::Uuid::new_v5(&namespace, a.str(1)?.as_bytes()).to_string()))
        }
        "setproduct" => {
            a.arity(1, None)?;
            let mut product: Vec<Vec<Value>> = vec![Vec::new()];
            for i in 0..a.values.len() {
                let set = a.list(i)?;
                product = product
                    .into_iter()
                    .flat_map(|prefix| {
                        set.iter().map(move |item| {
                            let mut next = prefix.clone();
                            next.push(item.clone());
                            next
                        })
                    })
                    .collect();
            }
            Ok(Value::List(product.into_iter().map(Value::List).collect()))
        }
        "trim" => {
            a.arity(2, Some(2))?;
            let cut = a.str(1)?;
            Ok(Value::String(a.str(0)?.trim_matches(|c| cut.contains(c)).to_string()))
        }
        "trimprefix" => {
            a.arity(2, Some(2))?;
            let s = a.str(0)?;
            let p = a.str(1)?;
            Ok(Value::String(s.strip_prefix(p.as_str()).unwrap_or(&s).to_string()))
        }
        "trimsuffix" => {
            a.arity(2, Some(2))?;
            let s = a.str(0)?;
            let p = a.str(1)?;
            Ok(Value::String(s.strip_suffix(p.as_str()).unwrap_or(&s).to_string()))
        }
        "startswith" => {
            a.arity(2, Some(2))?;
            Ok(Value::Bool(a.str(0)?.starts_with(&a.str(1)?)))
        }
        "endswith" => {
            a.arity(2, Some(2))?;
            Ok(Value::Bool(a.str(0)?.ends_with(&a.str(1)?)))
        }
        "strcontains" => {
            a.arity(2, Some(2))?;
            Ok(Value::Bool(a.str(0)?.contains(&a.str(1)?)))
        }
        "substr" => {
            a.arity(3, Some(3))?;
            let chars: Vec<char> = a.str(0)?.chars().collect();
            let offset = a.int(1)?;
            let length = a.int(2)?;
            let start = if offset < 0 { chars.len() as i64 + offset } else { offset };
            if start < 0 || start as usize > chars.len() {
                return Err(a.err(1, "offset is out of range"));
            }
            let start = start as usize;
            let end = if length < 0 { chars.len() } else { (start + length as usize).min(chars.len()) };
            Ok(Value::String(chars[start..end].iter().collect()))
        }
        "range" => {
            a.arity(1, Some(3))?;
            let (start, limit, step) = match a.values.len() {
                1 => (0.0, a.num(0)?, 1.0),
                2 => (a.num(0)?, a.num(1)?, 1.0),
                _ => (a.num(0)?, a.num(1)?, a.num(2)?),
            };
            if step == 0.0 {
                return Err(a.err(2, "step must not be zero"));
            }
            let mut out = Vec::new();
            let mut x = start;
            while (step > 0.0 && x < limit) || (step < 0.0 && x > limit) {
                out.push(Value::Number(x));
                x += step;
                if out.len() > 1024 {
                    return Err(a.err(0, "more than 1024 elements"));
                }
            }
            Ok(Value::List(out))
        }
        "zipmap" => {
            a.arity(2, Some(2))?;
            let keys = a.list(0)?;
            let values = a.list(1)?;
            if keys.len() != values.len() {
                return Err(a.err(1, format!("{} keys but {} values", keys.len(), values.len())));
            }
            let mut out = Vec::with_capacity(keys.len());
            for (k, v) in keys.iter().zip(values) {
                let k = k.to_string_lossless().ok_or_else(|| a.err(0, "keys must be strings"))?;
                out.push((k, v.clone()));
            }
            Ok(Value::Map(out.into_iter().collect()))
        }
        "sort" => {
            a.arity(1, Some(1))?;
            let mut items = Vec::new();
            for v in a.list(0)? {
                items.push(v.to_string_lossless().ok_or_else(|| a.err(0, "every element must be a string"))?);
            }
            items.sort();
            Ok(Value::List(items.into_iter().map(Value::String).collect()))
        }
        "reverse" => {
            a.arity(1, Some(1))?;
            Ok(Value::List(a.list(0)?.iter().rev().cloned().collect()))
        }
        "slice" => {
            a.arity(3, Some(3))?;
            let list = a.list(0)?;
            let (from, to) = (a.int(1)?, a.int(2)?);
            if from < 0 || to < from || to as usize > list.len() {
                return Err(a.err(1, format!("indexes {from}..{to} are out of range for a list of {}", list.len())));
            }
            Ok(Value::List(list[from as usize..to as usize].to_vec()))
        }
        "one" => {
            a.arity(1, Some(1))?;
            match a.list(0)? {
                [] => Ok(Value::Null),
                [v] => Ok(v.clone()),
                more => Err(a.err(0, format!("the list has {} elements; one() wants at most one", more.len()))),
            }
        }
        "alltrue" | "anytrue" => {
            a.arity(1, Some(1))?;
            let mut bools = Vec::new();
            for v in a.list(0)? {
                bools.push(v.to_bool().ok_or_else(|| a.err(0, "every element must be a bool"))?);
            }
            Ok(Value::Bool(if name == "alltrue" { bools.iter().all(|b| *b) } else { bools.iter().any(|b| *b) }))
        }
        "jsonencode" => {
            a.arity(1, Some(1))?;
            Ok(Value::String(a.values[0].to_json().to_string()))
        }
        // The mark is followed through the syntax (`refs::is_sensitive`); the value is the value.
        "sensitive" | "nonsensitive" => {
            a.arity(1, Some(1))?;
            Ok(a.values[0].clone())
        }
        "yamlencode" => {
            a.arity(1, Some(1))?;
            Ok(Value::String(super::yaml::encode(&a.values[0])))
        }
        "yamldecode" => {
            a.arity(1, Some(1))?;
            let s = a.str(0)?;
            super::yaml::decode(&s).map_err(|e| a.err(0, format!("invalid YAML: {e}")))
        }
        "jsondecode" => {
            a.arity(1, Some(1))?;
            let s = a.str(0)?;
            serde_json::from_str::<serde_json::Value>(&s)
                .map(|j| Value::from_json(&j))
                .map_err(|e| a.err(0, format!("invalid JSON: {e}")))
        }
        other => unreachable!("function `{other}` is listed in NAMES but not implemented"),
    }
}

/// An RFC 3339 timestamp argument, in seconds since the Unix epoch.
fn timestamp_arg(a: &Args, i: usize) -> Result<i64, EvalError> {
    let text = a.str(i)?;
    sigform_azure::timestamp::parse_rfc3339(&text)
        .ok_or_else(|| a.err(i, format!("\"{text}\" is not an RFC 3339 timestamp (2026-01-31T12:00:00Z)")))
}

/// Terraform's `formatdate` in UTC: `YYYY YY MMMM MMM MM M DD D EEEE EEE hh h HH H AA aa mm m ss s
/// ZZZZZ ZZZZ ZZZ Z`, other letters refused, text in single quotes kept as written.
fn formatdate(spec: &str, time: i64) -> Result<String, String> {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const DAYS: [&str; 7] = ["Thursday", "Friday", "Saturday", "Sunday", "Monday", "Tuesday", "Wednesday"];
    let (y, mo, d, hh, mi, ss) = sigform_azure::timestamp::civil(time);
    let weekday = DAYS[time.div_euclid(86_400).rem_euclid(7) as usize];
    let hour12 = if hh % 12 == 0 { 12 } else { hh % 12 };
    let chars: Vec<char> = spec.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            let end = chars[i + 1..].iter().position(|&x| x == '\'').ok_or("an unterminated quoted literal")?;
            out.extend(&chars[i + 1..i + 1 + end]);
            i += end + 2;
            continue;
        }
        if !c.is_ascii_alphabetic() {
            out.push(c);
            i += 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|&&x| x == c).count();
        let token: String = std::iter::repeat_n(c, run).collect();
        let text = match token.as_str() {
            "YYYY" => format!("{y:04}"),
            "YY" => format!("{:02}", y.rem_euclid(100)),
            "MMMM" => MONTHS[(mo - 1) as usize].to_string(),
            "MMM" => MONTHS[(mo - 1) as usize][..3].to_string(),
            "MM" => format!("{mo:02}"),
            "M" => mo.to_string(),
            "DD" => format!("{d:02}"),
            "D" => d.to_string(),
            "EEEE" => weekday.to_string(),
            "EEE" => weekday[..3].to_string(),
            "hh" => format!("{hh:02}"),
            "h" => hh.to_string(),
            "HH" => format!("{hour12:02}"),
            "H" => hour12.to_string(),
            "AA" => if hh < 12 { "AM" } else { "PM" }.to_string(),
            "aa" => if hh < 12 { "am" } else { "pm" }.to_string(),
            "mm" => format!("{mi:02}"),
            "m" => mi.to_string(),
            "ss" => format!("{ss:02}"),
            "s" => ss.to_string(),
            "ZZZZZ" => "+00:00".to_string(),
            "ZZZZ" => "+0000".to_string(),
            "ZZZ" => "UTC".to_string(),
            "Z" => "Z".to_string(),
            other => {
                return Err(format!("`{other}` is not a date part formatdate() knows; quote literal text 'like this'"));
            }
        };
        out.push_str(&text);
        i += run;
    }
    Ok(out)
}

/// A regular expression in RE2 syntax, as Terraform's functions take it.
fn compile(a: &Args, i: usize, pattern: &str) -> Result<regex::Regex, EvalError> {
    regex::Regex::new(pattern).map_err(|e| a.err(i, format!("invalid regular expression: {e}")))
}

/// What one match is, as Terraform's regex() gives it: the matched text without capture groups,
/// a list of captures with unnamed groups, a map of captures with named ones (a group that did
/// not take part in the match is null).
fn match_value(re: &regex::Regex, captures: &regex::Captures) -> Value {
    let text = |m: Option<regex::Match>| m.map_or(Value::Null, |m| Value::string(m.as_str()));
    if re.captures_len() == 1 {
        return text(captures.get(0));
    }
    if re.capture_names().flatten().next().is_some() {
        return Value::Map(
            re.capture_names().flatten().map(|name| (name.to_string(), text(captures.name(name)))).collect(),
        );
    }
    Value::List((1..re.captures_len()).map(|i| text(captures.get(i))).collect())
}

fn unary_str(a: &Args, f: impl Fn(&str) -> String) -> EvalResult {
    a.arity(1, Some(1))?;
    Ok(Value::String(f(&a.str(0)?)))
}

fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut at_start = true;
    for c in s.chars() {
        if at_start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        at_start = !c.is_alphanumeric();
    }
    out
}

fn distinct(items: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(item) {
            out.push(item.clone());
        }
    }
    out
}

fn flatten(items: &[Value], out: &mut Vec<Value>) {
    for item in items {
        match item {
            Value::List(inner) => flatten(inner, out),
            other => out.push(other.clone()),
        }
    }
}

/// Terraform's `format`: verbs %s %d %f %v %q %t and %%, with flags, width and precision.
fn format(a: &Args) -> Result<String, EvalError> {
    let spec = a.str(0)?;
    let mut out = String::new();
    let mut next_arg = 1;
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            out.push('%');
            continue;
        }
        let mut flags = String::new();
        while let Some(&f) = chars.peek() {
            if "-+ 0#".contains(f) {
                flags.push(f);
                chars.next();
            } else {
                break;
            }
        }
        let mut width = String::new();
        while let Some(&d) = chars.peek().filter(|c| c.is_ascii_digit()) {
            width.push(d);
            chars.next();
        }
        let mut precision: Option<usize> = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = String::new();
            while let Some(&d) = chars.peek().filter(|c| c.is_ascii_digit()) {
                p.push(d);
                chars.next();
            }
            precision = Some(p.parse().unwrap_or(0));
        }
        let verb = chars.next().ok_or_else(|| a.err(0, "the format string ends in the middle of a verb"))?;
        if next_arg >= a.values.len() {
            return Err(a.err(0, format!("not enough arguments for the verb %{verb}")));
        }
        let i = next_arg;
        next_arg += 1;
        let v = &a.values[i];
        let body = match verb {
            's' | 'v' => match (verb, v) {
                ('v', Value::List(_) | Value::Map(_)) => v.to_json().to_string(),
                _ => {
                    let s = v
                        .to_string_lossless()
                        .ok_or_else(|| a.err(i, format!("%{verb} cannot format a {}", v.type_name())))?;
                    match precision {
                        Some(p) => s.chars().take(p).collect(),
                        None => s,
                    }
                }
            },
            'q' => serde_json::Value::String(a.str(i)?).to_string(),
            't' => v.to_bool().ok_or_else(|| a.err(i, "%t needs a bool"))?.to_string(),
            'd' => {
                let n = a.num(i)?;
                if n.fract() != 0.0 {
                    return Err(a.err(i, format!("%d needs a whole number, not {}", format_number(n))));
                }
                let s = format!("{}", n as i64);
                if flags.contains('+') && n >= 0.0 { format!("+{s}") } else { s }
            }
            'f' => {
                let n = a.num(i)?;
                let s = format!("{:.*}", precision.unwrap_or(6), n);
                if flags.contains('+') && n >= 0.0 { format!("+{s}") } else { s }
            }
            other => return Err(a.err(0, format!("unsupported format verb %{other}"))),
        };
        let width: usize = width.parse().unwrap_or(0);
        let pad = width.saturating_sub(body.chars().count());
        if flags.contains('-') {
            out.push_str(&body);
            out.extend(std::iter::repeat_n(' ', pad));
        } else if flags.contains('0') && matches!(verb, 'd' | 'f') {
            let (sign, digits) = match body.strip_prefix(['-', '+']) {
                Some(rest) => (&body[..1], rest),
                None => ("", body.as_str()),
            };
            out.push_str(sign);
            out.extend(std::iter::repeat_n('0', pad));
            out.push_str(digits);
        } else {
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str(&body);
        }
    }
    if next_arg < a.values.len() {
        return Err(a.err(next_arg, "too many arguments for the format string"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::expr::tests::eval_str;

    #[test]
    fn functions_match_terraform() {
        let cases: &[(&str, &str)] = &[
            ("length([1, 2, 3])", "3"),
            ("length(\"héllo\")", "5"),
            ("lower(\"AbC\")", "\"abc\""),
            ("upper(\"abc\")", "\"ABC\""),
            ("format(\"%s-%03d\", \"v\", 7)", "\"v-007\""),
            ("format(\"%.2f%%\", 12.345)", "\"12.35%\""),
            ("format(\"%q\", \"x\")", "\"\\\"x\\\"\""),
            ("format(\"%-4s|\", \"ab\")", "\"ab  |\""),
            ("join(\",\", [\"a\", \"b\"], [\"c\"])", "\"a,b,c\""),
            ("split(\",\", \"a,b\")", "[\"a\", \"b\"]"),
            ("concat([1], [2, 3])", "[1, 2, 3]"),
            ("merge({a = 1}, {b = 2}, {a = 3})", "{a = 3, b = 2}"),
            ("lookup({a = 1}, \"b\", 9)", "9"),
            ("keys({b = 1, a = 2})", "[\"a\", \"b\"]"),
            ("values({b = 1, a = 2})", "[2, 1]"),
            ("contains([\"x\"], \"x\")", "true"),
            ("element([\"a\", \"b\"], 3)", "\"b\""),
            ("flatten([[1, [2]], 3])", "[1, 2, 3]"),
            ("distinct([1, 1, 2])", "[1, 2]"),
            ("toset([\"b\", \"b\", \"a\"])", "[\"b\", \"a\"]"),
            ("tolist([1])", "[1]"),
            ("tomap({a = 1})", "{a = 1}"),
            ("tostring(5)", "\"5\""),
            ("tonumber(\"5\")", "5"),
            ("coalesce(\"\", null, \"x\")", "\"x\""),
            ("min(3, 1, 2)", "1"),
            ("max(3, 1, 2)", "3"),
            ("replace(\"a-b-c\", \"-\", \".\")", "\"a.b.c\""),
            ("replace(\"img-2024-v3\", \"/[0-9]+/\", \"N\")", "\"img-N-vN\""),
            ("replace(\"1.2.3\", \"/^(\\\\d+)\\\\.(\\\\d+)/\", \"$2.$1\")", "\"2.1.3\""),
            ("regex(\"[a-z]+\", \"123abc456\")", "\"abc\""),
            ("regex(\"^(\\\\d+)\\\\.(\\\\d+)\", \"10.20.30\")", "[\"10\", \"20\"]"),
            ("regex(\"(?P<major>\\\\d+)\\\\.(?P<minor>\\\\d+)\", \"1.2\")", "{major = \"1\", minor = \"2\"}"),
            ("regexall(\"[0-9]+\", \"a1b22c333\")", "[\"1\", \"22\", \"333\"]"),
            ("regexall(\"x\", \"abc\")", "[]"),
            ("length(regexall(\"^[a-z0-9_.]+$\", \"golden_images\")) > 0", "true"),
            ("base64encode(\"hello\")", "\"aGVsbG8=\""),
            ("base64decode(\"aGVsbG8=\")", "\"hello\""),
            ("sha256(\"abc\")", "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\""),
            ("uuidv5(\"dns\", \"www.example.com\")", "\"2ed6657d-e927-568b-95e1-2665a8aea6a2\""),
            ("setproduct([\"a\", \"b\"], [1, 2])", "[[\"a\", 1], [\"a\", 2], [\"b\", 1], [\"b\", 2]]"),
            ("timeadd(\"2026-01-31T23:30:00Z\", \"1h\")", "\"2026-02-01T00:30:00Z\""),
            ("timeadd(\"2026-03-01T00:00:00+01:00\", \"-90m\")", "\"2026-02-28T21:30:00Z\""),
            ("formatdate(\"YYYY.MM.DD\", \"2026-12-02T01:02:03Z\")", "\"2026.12.02\""),
            (
                "formatdate(\"EEE, DD MMM YYYY hh:mm:ss Z\", \"2026-12-02T01:02:03Z\")",
                "\"Wed, 02 Dec 2026 01:02:03 Z\"",
            ),
            ("formatdate(\"H:mm AA 'on' MMMM D\", \"2026-12-02T13:05:00Z\")", "\"1:05 PM on December 2\""),
            ("trimspace(\"  x \\n\")", "\"x\""),
            ("substr(\"hello\", 1, 3)", "\"ell\""),
            ("substr(\"hello\", -3, -1)", "\"llo\""),
            ("range(3)", "[0, 1, 2]"),
            ("range(1, 7, 2)", "[1, 3, 5]"),
            ("zipmap([\"a\", \"b\"], [1, 2])", "{a = 1, b = 2}"),
            ("sort([\"b\", \"a\"])", "[\"a\", \"b\"]"),
            ("one([])", "null"),
            ("jsondecode(jsonencode({a = [1]}))", "{a = [1]}"),
            ("yamldecode(yamlencode({a = [1, {b = true}]}))", "{a = [1, {b = true}]}"),
            ("yamlencode({regions = [\"eastus\"]})", "\"\\\"regions\\\":\\n- \\\"eastus\\\"\\n\""),
            ("title(\"east us\")", "\"East Us\""),
            ("startswith(\"eastus2\", \"east\")", "true"),
            ("slice([1, 2, 3], 1, 3)", "[2, 3]"),
            ("sum([1, 2.5])", "3.5"),
            ("alltrue([true, false])", "false"),
        ];
        let roots = crate::model::value::Map::default();
        for (src, want) in cases {
            match eval_str(src, &roots) {
                Ok(v) => assert_eq!(v.to_string(), *want, "{src}"),
                Err(e) => panic!("{src}: {}", e.message),
            }
        }
    }

    #[test]
    fn bad_calls_are_diagnosed() {
        let cases = [
            "length(1)",
            "lookup({}, \"x\")",
            "format(\"%d\", 1.5)",
            "format(\"%s %s\", 1)",
            "element([], 0)",
            "zipmap([\"a\"], [])",
            "lenght([1])",
            "replace(\"a\", \"/(/\", \"b\")",
            "regex(\"x\", \"abc\")",
            "base64decode(\"not base64!\")",
            "timeadd(\"yesterday\", \"1h\")",
            "timeadd(\"2026-01-01T00:00:00Z\", \"1 day\")",
            "formatdate(\"YYYY-QQ\", \"2026-01-01T00:00:00Z\")",
        ];
        let roots = crate::model::value::Map::default();
        for src in cases {
            let err = eval_str(src, &roots).expect_err(src);
            assert_eq!(err.rule, "SIG006", "{src}");
        }
        let err = eval_str("lenght([1])", &roots).unwrap_err();
        assert_eq!(err.help.as_deref(), Some("did you mean `length`?"));
    }
}
