//! The subset of Kusto Query Language that Azure Resource Graph queries about galleries are
//! written in: a table (`Resources`, `ResourceContainers`), then `where` (comparisons `==`, `!=`,
//! `=~`, `!~`, `in`, `in~`, `!in`, `!in~`, `contains`, `startswith`, `endswith`, `has`, with
//! `and`, `or`, `not()` and parentheses), `project` and `extend` of scalar expressions
//! (`scalar.rs`), `project-away`, `order by`/`sort by`, `top N by`, `limit`/`take`, and
//! `summarize` of `count()`, `make_list()` and `make_set()` by scalar expressions. Columns are a
//! row's top-level fields or dotted paths into it (`properties.osType`, `tags.owner`,
//! `tags['owner']`). Anything else is refused with ARM's `InvalidQuery`, naming what is not
//! supported — never answered wrongly. Pure: rows in, rows out.

mod scalar;

use scalar::Scalar;
use serde_json::{Map, Value as Json};
use std::cmp::Ordering;
use std::collections::HashMap;

/// Which table a query reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Table {
    Resources,
    ResourceContainers,
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Compare { column: String, op: String, values: Vec<Json> },
}

#[derive(Debug, Clone, PartialEq)]
enum Stage {
    Where(Expr),
    /// The named scalars, after the row's own columns when `keep` (`extend`).
    Project {
        keep: bool,
        columns: Vec<(String, Scalar)>,
    },
    ProjectAway(Vec<String>),
    Order(Vec<(String, bool)>),
    Take(usize),
    Top(usize, Vec<(String, bool)>),
    Summarize {
        aggregates: Vec<(String, Aggregate)>,
        by: Vec<(String, Scalar)>,
    },
}

#[derive(Debug, Clone, PartialEq)]
enum Aggregate {
    Count,
    /// Every value of the group, in row order (`make_list`), or each once (`make_set`).
    List {
        distinct: bool,
        of: Scalar,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub table: Table,
    stages: Vec<Stage>,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Str(String),
    Num(f64),
    Sym(String),
}

fn tokens(query: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = query.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' || c == '"' {
            let mut s = String::new();
            i += 1;
            while i < chars.len() && chars[i] != c {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    i += 1;
                }
                s.push(chars[i]);
                i += 1;
            }
            if i >= chars.len() {
                return Err("a string literal is not closed".into());
            }
            i += 1;
            out.push(Token::Str(s));
        } else if c.is_ascii_digit() || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            out.push(Token::Num(text.parse().map_err(|_| format!("`{text}` is not a number"))?));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            // Words keep dots and dashes (`properties.osType`, `project-away`) and `~` (`in~`).
            while i < chars.len() && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '.' | '-' | '~')) {
                i += 1;
            }
            out.push(Token::Word(chars[start..i].iter().collect()));
        } else if c == '!' && chars.get(i + 1).is_some_and(|n| n.is_alphabetic()) {
            // A negated word operator: `!in`, `!in~`, `!contains`.
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '~') {
                i += 1;
            }
            out.push(Token::Word(chars[start..i].iter().collect()));
        } else {
            let rest: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let sym = ["==", "!=", "=~", "!~"]
                .iter()
                .find(|s| rest.starts_with(**s))
                .map_or_else(|| c.to_string(), |s| s.to_string());
            if !matches!(sym.as_str(), "|" | "(" | ")" | "," | "=" | "[" | "]" | "==" | "!=" | "=~" | "!~") {
                return Err(format!("`{sym}` is not supported"));
            }
            i += sym.chars().count();
            out.push(Token::Sym(sym));
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn word_is(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(x)) if x.eq_ignore_ascii_case(w))
    }

    fn sym_is(&self, s: &str) -> bool {
        matches!(self.peek(), Some(Token::Sym(x)) if x == s)
    }

    fn expect_sym(&mut self, s: &str) -> Result<(), String> {
        if self.sym_is(s) {
            self.at += 1;
            Ok(())
        } else {
            Err(format!("expected `{s}`, found {}", self.describe_next()))
        }
    }

    fn expect_word(&mut self, w: &str) -> Result<(), String> {
        if self.word_is(w) {
            self.at += 1;
            Ok(())
        } else {
            Err(format!("expected `{w}`, found {}", self.describe_next()))
        }
    }

    fn describe_next(&self) -> String {
        match self.peek() {
            None => "the end of the query".into(),
            Some(Token::Word(w) | Token::Sym(w)) => format!("`{w}`"),
            Some(Token::Str(s)) => format!("'{s}'"),
            Some(Token::Num(n)) => format!("`{n}`"),
        }
    }

    /// A column: a name, a dotted path, or `tags['key']`.
    fn column(&mut self) -> Result<String, String> {
        let Some(Token::Word(mut name)) = self.next() else {
            self.at -= 1;
            return Err(format!("expected a column, found {}", self.describe_next()));
        };
        // `tags['key']` is a path; a position (`[0]`) is an element of a scalar (`scalar.rs`).
        while self.sym_is("[") && matches!(self.tokens.get(self.at + 1), Some(Token::Str(_))) {
            self.at += 1;
            if let Some(Token::Str(key)) = self.next() {
                name = format!("{name}.{key}");
            }
            self.expect_sym("]")?;
        }
        Ok(name)
    }

    fn value(&mut self) -> Result<Json, String> {
        match self.next() {
            Some(Token::Str(s)) => Ok(Json::String(s)),
            Some(Token::Num(n)) => Ok(serde_json::json!(n)),
            Some(Token::Word(w)) if w == "true" || w == "false" => Ok(Json::Bool(w == "true")),
            _ => {
                self.at -= 1;
                Err(format!("expected a literal value, found {}", self.describe_next()))
            }
        }
    }

    fn expr(&mut self) -> Result<Expr, String> {
        let mut left = self.conjunction()?;
        while self.word_is("or") {
            self.at += 1;
            left = Expr::Or(Box::new(left), Box::new(self.conjunction()?));
        }
        Ok(left)
    }

    fn conjunction(&mut self) -> Result<Expr, String> {
        let mut left = self.comparison()?;
        while self.word_is("and") {
            self.at += 1;
            left = Expr::And(Box::new(left), Box::new(self.comparison()?));
        }
        Ok(left)
    }

    fn comparison(&mut self) -> Result<Expr, String> {
        if self.sym_is("(") {
            self.at += 1;
            let e = self.expr()?;
            self.expect_sym(")")?;
            return Ok(e);
        }
        if self.word_is("not") {
            self.at += 1;
            self.expect_sym("(")?;
            let e = self.expr()?;
            self.expect_sym(")")?;
            return Ok(Expr::Not(Box::new(e)));
        }
        let column = self.column()?;
        let op = match self.next() {
            Some(Token::Sym(s)) if matches!(s.as_str(), "==" | "!=" | "=~" | "!~") => s,
            Some(Token::Word(w))
                if ["in", "in~", "!in", "!in~", "contains", "!contains", "startswith", "endswith", "has"]
                    .iter()
                    .any(|o| o.eq_ignore_ascii_case(&w)) =>
            {
                w.to_ascii_lowercase()
            }
            other => {
                return Err(format!(
                    "the operator {} is not supported (==, !=, =~, !~, in, in~, !in, !in~, contains, startswith, endswith, has)",
                    match other {
                        Some(Token::Word(w) | Token::Sym(w)) => format!("`{w}`"),
                        _ => "at the end".into(),
                    }
                ));
            }
        };
        let values = if matches!(op.as_str(), "in" | "in~" | "!in" | "!in~") {
            self.expect_sym("(")?;
            let mut list = vec![self.value()?];
            while self.sym_is(",") {
                self.at += 1;
                list.push(self.value()?);
            }
            self.expect_sym(")")?;
            list
        } else {
            vec![self.value()?]
        };
        Ok(Expr::Compare { column, op, values })
    }

    /// `COLUMN [asc|desc], ...` (descending unless `asc`, as Kusto orders).
    fn order_list(&mut self) -> Result<Vec<(String, bool)>, String> {
        let mut list = Vec::new();
        loop {
            let column = self.column()?;
            let ascending = if self.word_is("asc") {
                self.at += 1;
                true
            } else {
                if self.word_is("desc") {
                    self.at += 1;
                }
                false
            };
            list.push((column, ascending));
            if !self.sym_is(",") {
                return Ok(list);
            }
            self.at += 1;
        }
    }

    fn count(&mut self) -> Result<usize, String> {
        match self.next() {
            Some(Token::Num(n)) if n >= 0.0 && n.fract() == 0.0 => Ok(n as usize),
            _ => Err("expected a whole number of rows".into()),
        }
    }

    /// The `NAME` of `NAME = ...`, taken; nothing is taken when the next tokens are not that.
    fn assigned_name(&mut self) -> Option<String> {
        match (self.peek(), self.tokens.get(self.at + 1)) {
            (Some(Token::Word(name)), Some(Token::Sym(eq))) if eq == "=" => {
                let name = name.clone();
                self.at += 2;
                Some(name)
            }
            _ => None,
        }
    }

    /// `NAME = SCALAR`, or a scalar named as Kusto names it (`Column1` when nothing names it).
    fn named_scalar(&mut self, position: usize) -> Result<(String, Scalar), String> {
        if let Some(name) = self.assigned_name() {
            return Ok((name, self.scalar()?));
        }
        let scalar = self.scalar()?;
        Ok((scalar.default_name().unwrap_or_else(|| format!("Column{}", position + 1)), scalar))
    }

    /// `[NAME =] count()`, `make_list(SCALAR)` or `make_set(SCALAR)`, named as Kusto names them
    /// (`count_`, `list_name`, `set_name`).
    fn aggregate(&mut self) -> Result<(String, Aggregate), String> {
        let name = self.assigned_name();
        let function = match self.next() {
            Some(Token::Word(w)) => w.to_ascii_lowercase(),
            _ => {
                self.at -= 1;
                return Err(format!("expected an aggregation, found {}", self.describe_next()));
            }
        };
        self.expect_sym("(")?;
        let (aggregate, default) = match function.as_str() {
            "count" => (Aggregate::Count, "count_".to_string()),
            "make_list" | "make_set" => {
                let of = self.scalar()?;
                let distinct = function == "make_set";
                let prefix = if distinct { "set_" } else { "list_" };
                let default = format!("{prefix}{}", of.default_name().unwrap_or_default());
                (Aggregate::List { distinct, of }, default)
            }
            other => {
                return Err(format!("the aggregation `{other}` is not supported (count, make_list, make_set)"));
            }
        };
        self.expect_sym(")")?;
        Ok((name.unwrap_or(default), aggregate))
    }

    fn stage(&mut self) -> Result<Stage, String> {
        let Some(Token::Word(op)) = self.next() else {
            self.at -= 1;
            return Err(format!("expected an operator after `|`, found {}", self.describe_next()));
        };
        match op.to_ascii_lowercase().as_str() {
            "where" => Ok(Stage::Where(self.expr()?)),
            "project" | "extend" => {
                let mut columns = Vec::new();
                loop {
                    columns.push(self.named_scalar(columns.len())?);
                    if !self.sym_is(",") {
                        break;
                    }
                    self.at += 1;
                }
                Ok(Stage::Project { keep: op.eq_ignore_ascii_case("extend"), columns })
            }
            "project-away" => {
                let mut list = vec![self.column()?];
                while self.sym_is(",") {
                    self.at += 1;
                    list.push(self.column()?);
                }
                Ok(Stage::ProjectAway(list))
            }
            "order" | "sort" => {
                self.expect_word("by")?;
                Ok(Stage::Order(self.order_list()?))
            }
            "limit" | "take" => Ok(Stage::Take(self.count()?)),
            "top" => {
                let n = self.count()?;
                self.expect_word("by")?;
                Ok(Stage::Top(n, self.order_list()?))
            }
            "summarize" => {
                let mut aggregates = Vec::new();
                while !self.word_is("by") && self.peek().is_some() && !self.sym_is("|") {
                    aggregates.push(self.aggregate()?);
                    if !self.sym_is(",") {
                        break;
                    }
                    self.at += 1;
                }
                let mut by = Vec::new();
                if self.word_is("by") {
                    self.at += 1;
                    by.push(self.named_scalar(0)?);
                    while self.sym_is(",") {
                        self.at += 1;
                        by.push(self.named_scalar(by.len())?);
                    }
                }
                if aggregates.is_empty() && by.is_empty() {
                    return Err("`summarize` needs an aggregation or a `by`".into());
                }
                Ok(Stage::Summarize { aggregates, by })
            }
            other => Err(format!(
                "the operator `{other}` is not supported (where, project, project-away, extend, order by, sort by, top, limit, take, summarize)"
            )),
        }
    }
}

impl Query {
    /// The values (lower case) the query's first `where` pins `column` to with `==`, `=~`, `in`
    /// or `in~` — alone, joined by `or` with other pins of it, or `and`-ed with anything: a
    /// superset of what the query can answer, that the index may be cut to before rows are made
    /// (`None` when the clause does not pin the column).
    fn pinned(&self, column: &str) -> Option<Vec<String>> {
        fn pins(e: &Expr, column: &str) -> Option<Vec<String>> {
            match e {
                Expr::Or(a, b) => {
                    let mut both = pins(a, column)?;
                    both.extend(pins(b, column)?);
                    Some(both)
                }
                Expr::And(a, b) => match (pins(a, column), pins(b, column)) {
                    (Some(x), Some(y)) => Some(x.into_iter().filter(|v| y.contains(v)).collect()),
                    (one, other) => one.or(other),
                },
                Expr::Compare { column: c, op, values }
                    if c.eq_ignore_ascii_case(column) && matches!(op.as_str(), "==" | "=~" | "in" | "in~") =>
                {
                    Some(values.iter().map(|v| text(v).to_ascii_lowercase()).collect())
                }
                _ => None,
            }
        }
        let Some(Stage::Where(e)) = self.stages.first() else { return None };
        pins(e, column)
    }

    /// The resource types (lower case) the query can answer, when its first `where` says
    /// (sigform's own queries, and most gallery queries, start so).
    pub fn types(&self) -> Option<Vec<String>> {
        self.pinned("type")
    }

    /// The locations the query can answer, when its first `where` says.
    pub fn locations(&self) -> Option<Vec<String>> {
        self.pinned("location")
    }

    /// Whether the query is a `type` clause alone and at most `order by id asc`: then its
    /// answer is the index cut to those types in id order, and only the page asked for need be
    /// made into rows (sigform's own refresh query, at 11,000 rows a page of 1,000 at a time).
    pub fn is_types_in_id_order(&self) -> bool {
        fn only_types(e: &Expr) -> bool {
            match e {
                Expr::Or(a, b) => only_types(a) && only_types(b),
                Expr::Compare { column, op, .. } => {
                    column.eq_ignore_ascii_case("type") && matches!(op.as_str(), "==" | "=~" | "in" | "in~")
                }
                _ => false,
            }
        }
        matches!(self.stages.first(), Some(Stage::Where(e)) if only_types(e))
            && match &self.stages[1..] {
                [] => true,
                [Stage::Order(order)] => order.len() == 1 && order[0].0.eq_ignore_ascii_case("id") && order[0].1,
                _ => false,
            }
    }

    /// Whether the query summarizes: Resource Graph answers such a query's first page only.
    pub fn summarizes(&self) -> bool {
        self.stages.iter().any(|s| matches!(s, Stage::Summarize { .. }))
    }
}

/// Parses a query, or says what of it is not supported.
pub fn parse(query: &str) -> Result<Query, String> {
    let mut p = Parser { tokens: tokens(query)?, at: 0 };
    let table = match p.next() {
        Some(Token::Word(t)) if t.eq_ignore_ascii_case("resources") => Table::Resources,
        Some(Token::Word(t)) if t.eq_ignore_ascii_case("resourcecontainers") => Table::ResourceContainers,
        Some(Token::Word(t)) => {
            return Err(format!("the table `{t}` is not supported (Resources, ResourceContainers)"));
        }
        _ => return Err("a query starts with a table (Resources, ResourceContainers)".into()),
    };
    let mut stages = Vec::new();
    while p.peek().is_some() {
        p.expect_sym("|")?;
        stages.push(p.stage()?);
    }
    Ok(Query { table, stages })
}

/// A column's value in a row: a top-level field, or a dotted path (case-insensitive names).
fn get<'a>(row: &'a Json, column: &str) -> Option<&'a Json> {
    let mut at = row;
    for part in column.split('.') {
        let map = at.as_object()?;
        at = map.get(part).or_else(|| map.iter().find(|(k, _)| k.eq_ignore_ascii_case(part)).map(|(_, v)| v))?;
    }
    Some(at)
}

fn text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Null => String::new(),
        other => other.to_string(),
    }
}

fn matches(expr: &Expr, row: &Json) -> bool {
    match expr {
        Expr::And(a, b) => matches(a, row) && matches(b, row),
        Expr::Or(a, b) => matches(a, row) || matches(b, row),
        Expr::Not(e) => !matches(e, row),
        Expr::Compare { column, op, values } => {
            let have = get(row, column).map(text).unwrap_or_default();
            let lower = have.to_ascii_lowercase();
            let wanted: Vec<String> = values.iter().map(text).collect();
            let eq_ci = |w: &String| w.eq_ignore_ascii_case(&have);
            let numeric_eq =
                |w: &Json| get(row, column).and_then(Json::as_f64).zip(w.as_f64()).is_some_and(|(a, b)| a == b);
            match op.as_str() {
                "==" => wanted[0] == have || numeric_eq(&values[0]),
                "!=" => !(wanted[0] == have || numeric_eq(&values[0])),
                "=~" => eq_ci(&wanted[0]),
                "!~" => !eq_ci(&wanted[0]),
                "in" => wanted.contains(&have),
                "!in" => !wanted.contains(&have),
                "in~" => wanted.iter().any(eq_ci),
                "!in~" => !wanted.iter().any(eq_ci),
                "contains" => lower.contains(&wanted[0].to_ascii_lowercase()),
                "!contains" => !lower.contains(&wanted[0].to_ascii_lowercase()),
                "startswith" => lower.starts_with(&wanted[0].to_ascii_lowercase()),
                "endswith" => lower.ends_with(&wanted[0].to_ascii_lowercase()),
                // `has`: a whole term (split at anything not alphanumeric).
                "has" => {
                    let term = wanted[0].to_ascii_lowercase();
                    lower.split(|c: char| !c.is_alphanumeric()).any(|t| t == term)
                }
                _ => false,
            }
        }
    }
}

fn compare(a: &Json, b: &Json, order: &[(String, bool)]) -> Ordering {
    for (column, ascending) in order {
        let (x, y) = (get(a, column), get(b, column));
        let o = match (x.and_then(Json::as_f64), y.and_then(Json::as_f64)) {
            (Some(p), Some(q)) => p.partial_cmp(&q).unwrap_or(Ordering::Equal),
            _ => x.map(text).unwrap_or_default().cmp(&y.map(text).unwrap_or_default()),
        };
        let o = if *ascending { o } else { o.reverse() };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// One row per distinct value of the `by` scalars (in the order the groups are first met), with
/// the `by` columns first and then the aggregates; without `by`, one row even for no rows.
fn summarize(rows: &[Json], aggregates: &[(String, Aggregate)], by: &[(String, Scalar)]) -> Vec<Json> {
    struct Group {
        key: Vec<Json>,
        count: u64,
        lists: Vec<Vec<Json>>,
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let new_group = |key: Vec<Json>| Group { key, count: 0, lists: vec![Vec::new(); aggregates.len()] };
    for r in rows {
        let key: Vec<Json> = by.iter().map(|(_, scalar)| scalar.eval(r)).collect();
        let at = *index.entry(Json::Array(key.clone()).to_string()).or_insert_with(|| {
            groups.push(new_group(key));
            groups.len() - 1
        });
        let group = &mut groups[at];
        group.count += 1;
        for ((_, aggregate), list) in aggregates.iter().zip(&mut group.lists) {
            if let Aggregate::List { distinct, of } = aggregate {
                let value = of.eval(r);
                // Null values are not listed, as in Kusto; a set lists a value once.
                let skipped = value.is_null() || (*distinct && list.contains(&value));
                if !skipped {
                    list.push(value);
                }
            }
        }
    }
    if by.is_empty() && groups.is_empty() {
        groups.push(new_group(Vec::new()));
    }
    groups
        .into_iter()
        .map(|group| {
            let mut out = Map::new();
            for ((name, _), value) in by.iter().zip(group.key) {
                out.insert(name.clone(), value);
            }
            for ((name, aggregate), list) in aggregates.iter().zip(group.lists) {
                let value = match aggregate {
                    Aggregate::Count => serde_json::json!(group.count),
                    Aggregate::List { .. } => Json::Array(list),
                };
                out.insert(name.clone(), value);
            }
            Json::Object(out)
        })
        .collect()
}

/// The rows a query answers, from the rows of its table.
pub fn run(query: &Query, mut rows: Vec<Json>) -> Vec<Json> {
    for stage in &query.stages {
        rows = match stage {
            Stage::Where(e) => rows.into_iter().filter(|r| matches(e, r)).collect(),
            Stage::Project { keep, columns } => rows
                .into_iter()
                .map(|r| {
                    let values: Vec<Json> = columns.iter().map(|(_, scalar)| scalar.eval(&r)).collect();
                    let mut out = match r {
                        Json::Object(map) if *keep => map,
                        _ => Map::new(),
                    };
                    for ((name, _), value) in columns.iter().zip(values) {
                        out.insert(name.clone(), value);
                    }
                    Json::Object(out)
                })
                .collect(),
            Stage::ProjectAway(columns) => rows
                .into_iter()
                .map(|mut r| {
                    if let Some(map) = r.as_object_mut() {
                        map.retain(|k, _| !columns.iter().any(|c| c.eq_ignore_ascii_case(k)));
                    }
                    r
                })
                .collect(),
            Stage::Order(order) => {
                rows.sort_by(|a, b| compare(a, b, order));
                rows
            }
            Stage::Take(n) => rows.into_iter().take(*n).collect(),
            Stage::Top(n, order) => {
                rows.sort_by(|a, b| compare(a, b, order));
                rows.into_iter().take(*n).collect()
            }
            Stage::Summarize { aggregates, by } => summarize(&rows, aggregates, by),
        };
    }
    rows
}

#[cfg(test)]
mod tests;
