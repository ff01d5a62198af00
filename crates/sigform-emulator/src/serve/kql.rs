//! The subset of Kusto Query Language that Azure Resource Graph queries about galleries are
//! written in: a table (`Resources`, `ResourceContainers`), then `where` (comparisons `==`, `!=`,
//! `=~`, `!~`, `in`, `in~`, `!in`, `!in~`, `contains`, `startswith`, `endswith`, `has`, with
//! `and`, `or`, `not()` and parentheses), `project`, `project-away`, `extend` of a column,
//! `order by`/`sort by`, `top N by`, `limit`/`take`, and `summarize count() by COLUMNS`.
//! Columns are a row's top-level fields or dotted paths into it (`properties.osType`,
//! `tags.owner`, `tags['owner']`). Anything else is refused with ARM's `InvalidQuery`, naming
//! what is not supported — never answered wrongly. Pure: rows in, rows out.

use serde_json::{Map, Value as Json};
use std::cmp::Ordering;

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
    Project(Vec<(String, String)>),
    ProjectAway(Vec<String>),
    Order(Vec<(String, bool)>),
    Take(usize),
    Top(usize, Vec<(String, bool)>),
    Count { name: String, by: Vec<String> },
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
        } else if c.is_ascii_digit() {
            let start = i;
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
        while self.sym_is("[") {
            self.at += 1;
            match self.next() {
                Some(Token::Str(key)) => name = format!("{name}.{key}"),
                _ => return Err("expected a quoted key inside `[...]`".into()),
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

    fn stage(&mut self) -> Result<Stage, String> {
        let Some(Token::Word(op)) = self.next() else {
            self.at -= 1;
            return Err(format!("expected an operator after `|`, found {}", self.describe_next()));
        };
        match op.to_ascii_lowercase().as_str() {
            "where" => Ok(Stage::Where(self.expr()?)),
            "project" | "extend" => {
                let mut list = Vec::new();
                loop {
                    let first = self.column()?;
                    if self.sym_is("=") {
                        self.at += 1;
                        list.push((first, self.column()?));
                    } else {
                        list.push((first.rsplit('.').next().unwrap_or(&first).to_string(), first));
                    }
                    if !self.sym_is(",") {
                        break;
                    }
                    self.at += 1;
                }
                if op.eq_ignore_ascii_case("extend") {
                    let mut all = vec![("*".to_string(), "*".to_string())];
                    all.extend(list);
                    return Ok(Stage::Project(all));
                }
                Ok(Stage::Project(list))
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
                let mut name = "count_".to_string();
                if matches!(self.tokens.get(self.at + 1), Some(Token::Sym(s)) if s == "=") {
                    name = self.column()?;
                    self.at += 1;
                }
                self.expect_word("count")?;
                self.expect_sym("(")?;
                self.expect_sym(")")?;
                let mut by = Vec::new();
                if self.word_is("by") {
                    self.at += 1;
                    by.push(self.column()?);
                    while self.sym_is(",") {
                        self.at += 1;
                        by.push(self.column()?);
                    }
                }
                Ok(Stage::Count { name, by })
            }
            other => Err(format!(
                "the operator `{other}` is not supported (where, project, project-away, extend, order by, sort by, top, limit, take, summarize count())"
            )),
        }
    }
}

impl Query {
    /// The resource types (lower case) the query's first `where` limits it to, when that clause
    /// says nothing but `type ==`/`=~`/`in`/`in~` (joined by `or`): what the index may be cut to
    /// before rows are made (sigform's own query, and most gallery queries, start so).
    pub fn types(&self) -> Option<Vec<String>> {
        fn collect(e: &Expr, out: &mut Vec<String>) -> bool {
            match e {
                Expr::Or(a, b) => collect(a, out) && collect(b, out),
                Expr::Compare { column, op, values }
                    if column.eq_ignore_ascii_case("type") && matches!(op.as_str(), "==" | "=~" | "in" | "in~") =>
                {
                    out.extend(values.iter().map(|v| text(v).to_ascii_lowercase()));
                    true
                }
                _ => false,
            }
        }
        let Some(Stage::Where(e)) = self.stages.first() else { return None };
        let mut types = Vec::new();
        collect(e, &mut types).then_some(types)
    }
}

impl Query {
    /// Whether the query is its leading `type` clause and at most `order by id asc`: then its
    /// answer is the index cut to those types in id order, and only the page asked for need be
    /// made into rows (sigform's own refresh query, at 11,000 rows a page of 1,000 at a time).
    pub fn is_types_in_id_order(&self) -> bool {
        self.types().is_some()
            && match &self.stages[1..] {
                [] => true,
                [Stage::Order(order)] => order.len() == 1 && order[0].0.eq_ignore_ascii_case("id") && order[0].1,
                _ => false,
            }
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

/// The rows a query answers, from the rows of its table.
pub fn run(query: &Query, mut rows: Vec<Json>) -> Vec<Json> {
    for stage in &query.stages {
        rows = match stage {
            Stage::Where(e) => rows.into_iter().filter(|r| matches(e, r)).collect(),
            Stage::Project(columns) => rows
                .into_iter()
                .map(|r| {
                    let mut out = if columns.first().is_some_and(|(n, _)| n == "*") {
                        r.as_object().cloned().unwrap_or_default()
                    } else {
                        Map::new()
                    };
                    for (name, column) in columns.iter().filter(|(n, _)| n != "*") {
                        out.insert(name.clone(), get(&r, column).cloned().unwrap_or(Json::Null));
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
            Stage::Count { name, by } => {
                let mut groups: Vec<(Vec<Json>, u64)> = Vec::new();
                for r in &rows {
                    let key: Vec<Json> = by.iter().map(|c| get(r, c).cloned().unwrap_or(Json::Null)).collect();
                    match groups.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, n)) => *n += 1,
                        None => groups.push((key, 1)),
                    }
                }
                if by.is_empty() && groups.is_empty() {
                    groups.push((Vec::new(), 0));
                }
                groups
                    .into_iter()
                    .map(|(key, n)| {
                        let mut out = Map::new();
                        for (column, value) in by.iter().zip(key) {
                            out.insert(column.rsplit('.').next().unwrap_or(column).to_string(), value);
                        }
                        out.insert(name.clone(), serde_json::json!(n));
                        Json::Object(out)
                    })
                    .collect()
            }
        };
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rows() -> Vec<Json> {
        vec![
            json!({"id": "/s/1/g/a", "name": "a", "type": "microsoft.compute/galleries", "location": "eastus", "resourceGroup": "rg1", "tags": {"owner": "platform"}}),
            json!({"id": "/s/1/g/a/images/u", "name": "u", "type": "microsoft.compute/galleries/images", "location": "eastus", "resourceGroup": "rg1", "properties": {"osType": "Linux"}}),
            json!({"id": "/s/1/g/b", "name": "b", "type": "microsoft.compute/galleries", "location": "westeurope", "resourceGroup": "RG2"}),
        ]
    }

    fn names(query: &str) -> Vec<String> {
        let q = parse(query).unwrap_or_else(|e| panic!("{query}: {e}"));
        run(&q, rows()).iter().map(|r| text(r.get("name").unwrap_or(&Json::Null))).collect()
    }

    #[test]
    fn what_gallery_queries_are_written_in_is_answered() {
        let cases: &[(&str, &[&str])] = &[
            ("Resources", &["a", "u", "b"]),
            ("Resources | where type =~ 'Microsoft.Compute/galleries'", &["a", "b"]),
            ("resources | where type in~ ('microsoft.compute/galleries/images') | order by id asc", &["u"]),
            ("Resources | where type == 'microsoft.compute/galleries' and location == 'westeurope'", &["b"]),
            ("Resources | where resourceGroup =~ 'rg2' or name == 'u' | order by name asc", &["b", "u"]),
            ("Resources | where not(type startswith 'microsoft.compute/galleries/') | order by name desc", &["b", "a"]),
            ("Resources | where tags.owner == 'platform'", &["a"]),
            ("Resources | where tags['owner'] =~ 'PLATFORM'", &["a"]),
            ("Resources | where properties.osType == 'Linux' | project name, os = properties.osType", &["u"]),
            ("Resources | top 1 by name desc", &["u"]),
            ("Resources | order by name asc | limit 2", &["a", "b"]),
            ("Resources | where name !in ('a', 'b')", &["u"]),
            ("Resources | where id has 'images'", &["u"]),
            ("Resources | where id contains '/G/'", &["a", "u", "b"]),
        ];
        for (query, want) in cases {
            assert_eq!(names(query), *want, "{query}");
        }
    }

    #[test]
    fn a_leading_type_clause_cuts_the_index() {
        let types = |q: &str| parse(q).unwrap().types();
        assert_eq!(
            types("resources | where type in~ ('A', 'b') | order by id asc"),
            Some(vec!["a".to_string(), "b".to_string()])
        );
        assert_eq!(types("Resources | where type =~ 'x' or type == 'y'"), Some(vec!["x".into(), "y".into()]));
        assert_eq!(types("Resources | where type =~ 'x' and name == 'n'"), None);
        assert_eq!(types("Resources | project name"), None);
        assert!(parse("resources | where type in~ ('a') | order by id asc").unwrap().is_types_in_id_order());
        assert!(!parse("resources | where type in~ ('a') | order by id desc").unwrap().is_types_in_id_order());
        assert!(!parse("resources | where type in~ ('a') | take 3").unwrap().is_types_in_id_order());
    }

    #[test]
    fn counts_by_columns() {
        let q = parse("Resources | summarize count() by type | order by type asc").unwrap();
        assert_eq!(
            run(&q, rows()),
            vec![
                json!({"type": "microsoft.compute/galleries", "count_": 2}),
                json!({"type": "microsoft.compute/galleries/images", "count_": 1})
            ]
        );
        let q = parse("Resources | where location == 'nowhere' | summarize n = count()").unwrap();
        assert_eq!(run(&q, rows()), vec![json!({"n": 0})]);
        let q = parse("Resources | summarize count() by location | order by count_ desc").unwrap();
        assert_eq!(run(&q, rows())[0], json!({"location": "eastus", "count_": 2}));
    }

    #[test]
    fn what_is_not_supported_is_named() {
        let cases = [
            ("Resources | join kind=inner (Resources) on id", "`join`"),
            ("AuthorizationResources", "`AuthorizationResources`"),
            ("Resources | where name matches regex 'a'", "`matches`"),
            ("Resources | where name == 'a", "not closed"),
            ("Resources | summarize dcount(name)", "`count`"),
        ];
        for (query, want) in cases {
            let e = parse(query).expect_err(query);
            assert!(e.contains(want), "{query}: {e}");
        }
    }
}
