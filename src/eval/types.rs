//! Variable type constraints (`string`, `list(string)`, `map(object({...}))`, `optional(...)`):
//! read as syntax, never evaluated, and used to convert and check variable values.

use crate::model::value::{Map as ValueMap, Value};
use hcl::edit::expr::{Expression, ObjectKey};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    Any,
    String,
    Number,
    Bool,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Tuple(Vec<Type>),
    Object(BTreeMap<String, ObjectField>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ObjectField {
    pub ty: Type,
    pub optional: bool,
    pub default: Option<Value>,
}

impl Type {
    /// Primitive types take `--var` and `TF_VAR_` values as raw strings; others parse them as HCL.
    pub fn is_primitive(&self) -> bool {
        matches!(self, Type::String | Type::Number | Type::Bool)
    }
}

/// Parses a type expression.
pub fn parse(expr: &Expression) -> Result<Type, String> {
    match expr {
        Expression::Variable(v) => match v.value().as_str() {
            "any" => Ok(Type::Any),
            "string" => Ok(Type::String),
            "number" => Ok(Type::Number),
            "bool" => Ok(Type::Bool),
            "list" | "set" | "map" => Ok(collection(v.value().as_str(), Type::Any)),
            other => Err(format!("unknown type `{other}`")),
        },
        Expression::Parenthesis(p) => parse(p.inner()),
        Expression::FuncCall(call) => {
            let name = call.name.name.value().as_str();
            let args: Vec<&Expression> = call.args.iter().collect();
            match (name, args.as_slice()) {
                ("list" | "set" | "map", [inner]) => Ok(collection(name, parse(inner)?)),
                ("tuple", [Expression::Array(items)]) => {
                    Ok(Type::Tuple(items.iter().map(parse).collect::<Result<_, _>>()?))
                }
                ("object", [Expression::Object(fields)]) => {
                    let mut out = BTreeMap::new();
                    for (key, value) in fields.iter() {
                        let key = match key {
                            ObjectKey::Ident(i) => i.value().as_str().to_string(),
                            ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                            ObjectKey::Expression(Expression::Variable(v)) => v.value().as_str().to_string(),
                            _ => {
                                return Err("object type attribute names must be identifiers".into());
                            }
                        };
                        out.insert(key, field(value.expr())?);
                    }
                    Ok(Type::Object(out))
                }
                _ => Err(format!("invalid type constraint `{name}(...)`")),
            }
        }
        _ => Err("a type constraint is a type name such as `string` or `list(string)`".into()),
    }
}

fn field(expr: &Expression) -> Result<ObjectField, String> {
    if let Expression::FuncCall(call) = expr
        && call.name.name.value().as_str() == "optional"
    {
        let args: Vec<&Expression> = call.args.iter().collect();
        let (ty, default) = match args.as_slice() {
            [ty] => (parse(ty)?, None),
            [ty, default] => (parse(ty)?, Some(literal(default)?)),
            _ => return Err("optional() takes a type and an optional default".into()),
        };
        return Ok(ObjectField { ty, optional: true, default });
    }
    Ok(ObjectField { ty: parse(expr)?, optional: false, default: None })
}

/// A default inside `optional(T, default)`: a constant expression.
fn literal(expr: &Expression) -> Result<Value, String> {
    let roots = ValueMap::default();
    let mut scope = super::expr::Scope::new(crate::config::FileId(0), &roots);
    super::expr::eval(expr, &mut scope).map_err(|e| e.message)
}

fn collection(name: &str, inner: Type) -> Type {
    match name {
        "list" => Type::List(Box::new(inner)),
        "set" => Type::Set(Box::new(inner)),
        _ => Type::Map(Box::new(inner)),
    }
}

/// Converts a value to a type as Terraform does, or says why it cannot.
pub fn convert(value: Value, ty: &Type) -> Result<Value, String> {
    if value.is_null() || value.is_unknown() {
        return Ok(value);
    }
    let mismatch = |v: &Value, want: &str| format!("expected {want}, found {}", v.type_name());
    match ty {
        Type::Any => Ok(value),
        // A string is already one (not copied: every string argument passes here).
        Type::String if matches!(value, Value::String(_)) => Ok(value),
        Type::String => value.to_string_lossless().map(Value::String).ok_or_else(|| mismatch(&value, "a string")),
        Type::Number => value.to_number().map(Value::Number).ok_or_else(|| match &value {
            Value::String(s) => format!("\"{s}\" is not a number"),
            v => mismatch(v, "a number"),
        }),
        Type::Bool => value.to_bool().map(Value::Bool).ok_or_else(|| match &value {
            Value::String(s) => format!("\"{s}\" is not a bool (true or false)"),
            v => mismatch(v, "a bool"),
        }),
        Type::List(inner) | Type::Set(inner) => {
            let Value::List(items) = value else {
                return Err(mismatch(&value, "a list"));
            };
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                let item = convert(item, inner).map_err(|e| format!("element {i}: {e}"))?;
                if !(matches!(ty, Type::Set(_)) && out.contains(&item)) {
                    out.push(item);
                }
            }
            Ok(Value::List(out))
        }
        Type::Tuple(types) => {
            let Value::List(items) = value else {
                return Err(mismatch(&value, "a tuple"));
            };
            if items.len() != types.len() {
                return Err(format!("expected a tuple of {} elements, found {}", types.len(), items.len()));
            }
            items
                .into_iter()
                .zip(types)
                .enumerate()
                .map(|(i, (v, t))| convert(v, t).map_err(|e| format!("element {i}: {e}")))
                .collect::<Result<_, _>>()
                .map(Value::List)
        }
        Type::Map(inner) => {
            let Value::Map(map) = value else {
                return Err(mismatch(&value, "a map"));
            };
            map.into_iter()
                .map(|(k, v)| convert(v, inner).map(|v| (k.clone(), v)).map_err(|e| format!("key \"{k}\": {e}")))
                .collect::<Result<_, _>>()
                .map(Value::Map)
        }
        Type::Object(fields) => {
            let Value::Map(mut map) = value else {
                return Err(mismatch(&value, "an object"));
            };
            let mut out = ValueMap::default();
            for (name, field) in fields {
                match map.remove(name) {
                    Some(v) if !v.is_null() => {
                        out.insert(
                            name.clone(),
                            convert(v, &field.ty).map_err(|e| format!("attribute \"{name}\": {e}"))?,
                        );
                    }
                    _ if field.optional => {
                        out.insert(name.clone(), field.default.clone().unwrap_or(Value::Null));
                    }
                    _ => return Err(format!("attribute \"{name}\" is required")),
                }
            }
            if let Some(extra) = map.keys().next() {
                return Err(format!("unexpected attribute \"{extra}\""));
            }
            Ok(Value::Map(out))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(src: &str) -> Type {
        parse(&hcl::edit::parser::parse_expr(src).unwrap()).unwrap()
    }

    fn val(src: &str) -> Value {
        let roots = ValueMap::default();
        super::super::expr::tests::eval_str(src, &roots).unwrap()
    }

    #[test]
    fn values_convert_to_their_declared_types() {
        let ok: &[(&str, &str, &str)] = &[
            ("number", "\"3\"", "3"),
            ("string", "3", "\"3\""),
            ("bool", "\"true\"", "true"),
            ("list(number)", "[\"1\", 2]", "[1, 2]"),
            ("set(string)", "[\"a\", \"a\"]", "[\"a\"]"),
            ("map(number)", "{a = \"1\"}", "{a = 1}"),
            ("object({name = string, count = optional(number, 1)})", "{name = \"x\"}", "{count = 1, name = \"x\"}"),
            ("tuple([string, number])", "[\"a\", \"2\"]", "[\"a\", 2]"),
            ("any", "{a = [1]}", "{a = [1]}"),
        ];
        for (t, v, want) in ok {
            let got = convert(val(v), &ty(t)).unwrap_or_else(|e| panic!("{t} {v}: {e}"));
            assert_eq!(got.to_string(), *want, "{t} {v}");
        }
        let bad: &[(&str, &str)] = &[
            ("number", "\"x\""),
            ("list(string)", "{a = 1}"),
            ("object({name = string})", "{}"),
            ("object({name = string})", "{name = \"a\", extra = 1}"),
            ("map(number)", "{a = \"b\"}"),
        ];
        for (t, v) in bad {
            assert!(convert(val(v), &ty(t)).is_err(), "{t} {v}");
        }
        assert!(parse(&hcl::edit::parser::parse_expr("strng").unwrap()).is_err());
    }
}
