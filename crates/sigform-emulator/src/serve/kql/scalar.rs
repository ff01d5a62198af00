//! Scalar expressions: what `extend`, `project` and `summarize` compute per row — a column, a
//! literal, a call of one of the functions below, or an element of a dynamic value (`x[0]`,
//! `x['key']`). The functions are the ones gallery queries use to shape rows: `tolower`,
//! `toupper`, `tostring`, `strcat`, `split`, `pack`/`bag_pack`. Others are refused by name.

use super::{Parser, Token, get, text};
use serde_json::{Map, Value as Json};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Scalar {
    Column(String),
    Literal(Json),
    Call(Function, Vec<Scalar>),
    /// An element of an array (by position, negative from the end) or of a bag (by key).
    Element(Box<Scalar>, Json),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Function {
    ToLower,
    ToUpper,
    ToString,
    Strcat,
    Split,
    Pack,
}

impl Function {
    const ALL: [(&'static str, Function); 7] = [
        ("tolower", Function::ToLower),
        ("toupper", Function::ToUpper),
        ("tostring", Function::ToString),
        ("strcat", Function::Strcat),
        ("split", Function::Split),
        ("pack", Function::Pack),
        ("bag_pack", Function::Pack),
    ];

    fn named(name: &str) -> Option<Function> {
        Self::ALL.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, f)| *f)
    }

    /// Whether `n` arguments are what the function takes.
    fn takes(self, n: usize) -> bool {
        match self {
            Function::ToLower | Function::ToUpper | Function::ToString => n == 1,
            Function::Split => n == 2,
            Function::Strcat => n >= 1,
            Function::Pack => n.is_multiple_of(2),
        }
    }
}

impl Scalar {
    /// The scalar's value in a row (null where the row has no such column, as in Kusto).
    pub(super) fn eval(&self, row: &Json) -> Json {
        match self {
            Scalar::Column(path) => get(row, path).cloned().unwrap_or(Json::Null),
            Scalar::Literal(v) => v.clone(),
            Scalar::Element(of, at) => {
                let of = of.eval(row);
                let found = match (&of, at) {
                    (Json::Array(items), Json::Number(n)) => n.as_i64().and_then(|i| {
                        let i = if i < 0 { items.len() as i64 + i } else { i };
                        usize::try_from(i).ok().and_then(|i| items.get(i))
                    }),
                    (Json::Object(map), Json::String(key)) => map.get(key),
                    _ => None,
                };
                found.cloned().unwrap_or(Json::Null)
            }
            Scalar::Call(function, args) => {
                let values: Vec<Json> = args.iter().map(|a| a.eval(row)).collect();
                match function {
                    Function::ToLower => Json::String(text(&values[0]).to_lowercase()),
                    Function::ToUpper => Json::String(text(&values[0]).to_uppercase()),
                    Function::ToString => Json::String(text(&values[0])),
                    Function::Strcat => Json::String(values.iter().map(text).collect()),
                    Function::Split => {
                        let (whole, by) = (text(&values[0]), text(&values[1]));
                        if by.is_empty() {
                            return Json::Array(vec![Json::String(whole)]);
                        }
                        Json::Array(whole.split(by.as_str()).map(|s| Json::String(s.to_string())).collect())
                    }
                    Function::Pack => {
                        let mut bag = Map::new();
                        for pair in values.chunks(2) {
                            bag.insert(text(&pair[0]), pair[1].clone());
                        }
                        Json::Object(bag)
                    }
                }
            }
        }
    }

    /// The column name Kusto gives the scalar when the query names none: a column's path with
    /// `_` for `.` (`properties.osType` → `properties_osType`), a conversion's argument's name.
    pub(super) fn default_name(&self) -> Option<String> {
        match self {
            Scalar::Column(path) => Some(path.replace('.', "_")),
            Scalar::Call(Function::ToLower | Function::ToUpper | Function::ToString, args) => args[0].default_name(),
            _ => None,
        }
    }
}

impl Parser {
    /// A scalar expression: a literal, a call, or a column, each followed by any `[...]`.
    pub(super) fn scalar(&mut self) -> Result<Scalar, String> {
        let mut scalar = match (self.peek().cloned(), self.tokens.get(self.at + 1)) {
            (Some(Token::Str(_) | Token::Num(_)), _) => Scalar::Literal(self.value()?),
            (Some(Token::Word(w)), _) if w == "true" || w == "false" => Scalar::Literal(self.value()?),
            (Some(Token::Word(name)), Some(Token::Sym(open))) if open == "(" => {
                let function = Function::named(&name).ok_or_else(|| {
                    format!(
                        "the function `{name}` is not supported ({})",
                        Function::ALL.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                    )
                })?;
                self.at += 2;
                let mut args = Vec::new();
                if !self.sym_is(")") {
                    args.push(self.scalar()?);
                    while self.sym_is(",") {
                        self.at += 1;
                        args.push(self.scalar()?);
                    }
                }
                self.expect_sym(")")?;
                if !function.takes(args.len()) {
                    return Err(format!("`{name}` does not take {} argument(s)", args.len()));
                }
                Scalar::Call(function, args)
            }
            _ => Scalar::Column(self.column()?),
        };
        while self.sym_is("[") {
            self.at += 1;
            let at = match self.next() {
                Some(Token::Str(key)) => Json::String(key),
                Some(Token::Num(n)) if n.fract() == 0.0 => Json::from(n as i64),
                _ => return Err("expected a position or a quoted key inside `[...]`".into()),
            };
            self.expect_sym("]")?;
            scalar = Scalar::Element(Box::new(scalar), at);
        }
        Ok(scalar)
    }
}
