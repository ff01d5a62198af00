//! Evaluates one HCL expression (from `hcl::edit`, so with spans) to a `Value`.
//!
//! Our own evaluator rather than `hcl::eval`, for three reasons: every error must carry the
//! exact span of the sub-expression at fault; values may be `Unknown` (known after apply) and
//! must flow through operators and functions; and `try`/`can` are special forms that must catch
//! an error in their argument, which a call-by-value function interface cannot do.

use super::functions;
use crate::config::{FileId, Origin};
use crate::diagnostic::Span;
use crate::model::value::{Map as ValueMap, Value};
use hcl::edit::expr::{BinaryOperator, Expression, ForExpr, FuncCall, ObjectKey, TraversalOperator, UnaryOperator};
use hcl::edit::template::{Directive, Element, Template};
use std::collections::BTreeMap;

pub use super::error::{EvalError, EvalResult};

/// The names an expression can see: the global roots (`var`, `local`, resource types, `data`,
/// ...) and a stack of local bindings (`each`, `count`, for-expression and iterator variables).
pub struct Scope<'a> {
    pub file: FileId,
    /// Where the syntax tree's offsets start in `file` (see `Origin`).
    offset: usize,
    roots: &'a ValueMap,
    /// The files `file()`, `templatefile()` and friends read (none: they are not available).
    files: Option<&'a dyn super::FileSource>,
    bindings: Vec<(String, Value)>,
    /// Resource instances (or whole resource blocks, with no key) the evaluated expressions
    /// read: the precise dependencies of what is being evaluated.
    pub touched: Vec<Touched>,
}

/// A resource a reference reached: `TYPE.NAME` (or `data.TYPE.NAME`) and, when the reference
/// indexed it, the instance key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Touched {
    pub data: bool,
    pub type_name: String,
    pub name: String,
    pub key: Option<crate::model::InstanceKey>,
}

/// Roots that are never resources.
const NOT_RESOURCES: &[&str] = &["var", "local", "path", "terraform", "each", "count", "self"];

impl<'a> Scope<'a> {
    /// A scope for the syntax tree at `origin` (a file, or a block parsed on its own).
    pub fn new(origin: impl Into<Origin>, roots: &'a ValueMap) -> Scope<'a> {
        let Origin { file, offset } = origin.into();
        Scope { file, offset, roots, files: None, bindings: Vec::new(), touched: Vec::new() }
    }

    /// Where this scope's syntax tree starts.
    pub fn origin(&self) -> Origin {
        Origin { file: self.file, offset: self.offset }
    }

    /// The same scope, able to read files through `files`.
    pub fn with_files(mut self, files: Option<&'a dyn super::FileSource>) -> Scope<'a> {
        self.files = files;
        self
    }

    pub fn push(&mut self, name: impl Into<String>, value: Value) {
        self.bindings.push((name.into(), value));
    }

    pub fn pop(&mut self) {
        self.bindings.pop();
    }

    fn lookup(&self, name: &str) -> Option<&Value> {
        self.bindings.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v).or_else(|| self.roots.get(name))
    }

    pub fn span_of(&self, expr: &impl hcl::edit::Span) -> Span {
        self.span(expr.span().unwrap_or(0..0))
    }

    /// The span of `range` of this scope's syntax tree, in its file.
    pub fn span(&self, range: std::ops::Range<usize>) -> Span {
        Span::new(self.file, range.start + self.offset..range.end + self.offset)
    }

    fn names(&self) -> Vec<&str> {
        let roots = self.roots.keys().map(String::as_str).filter(|n| !n.starts_with('@'));
        self.bindings.iter().map(|(n, _)| n.as_str()).chain(roots).collect()
    }
}

pub fn eval(expr: &Expression, scope: &mut Scope) -> EvalResult {
    let span = || scope.span_of(expr);
    match expr {
        Expression::Null(_) => Ok(Value::Null),
        Expression::Bool(b) => Ok(Value::Bool(*b.value())),
        Expression::Number(n) => Ok(Value::Number(n.value().as_f64().unwrap_or(0.0))),
        Expression::String(s) => Ok(Value::String(s.value().clone())),
        Expression::Array(array) => {
            let mut items = Vec::with_capacity(array.len());
            for item in array.iter() {
                items.push(eval(item, scope)?);
            }
            Ok(Value::List(items))
        }
        Expression::Object(object) => {
            let mut entries = Vec::with_capacity(object.len());
            for (key, value) in object.iter() {
                let key = match key {
                    ObjectKey::Ident(ident) => ident.value().as_str().to_string(),
                    ObjectKey::Expression(key_expr) => {
                        // `(var.x) = 1` and `"${x}" = 1` are evaluated; a bare name is literal.
                        match key_expr {
                            Expression::Variable(v) => v.value().as_str().to_string(),
                            other => match eval(other, scope)? {
                                Value::Unknown => return Ok(Value::Unknown),
                                k => k.to_string_lossless().ok_or_else(|| {
                                    EvalError::new(
                                        "SIG004",
                                        scope.span_of(other),
                                        format!("object key must be a string, not {}", k.type_name()),
                                    )
                                })?,
                            },
                        }
                    }
                };
                entries.push((key, eval(value.expr(), scope)?));
            }
            Ok(Value::Map(entries.into_iter().collect()))
        }
        Expression::StringTemplate(template) => {
            let mut out = String::new();
            for element in template.iter() {
                if !render_element(element, scope, &mut out)? {
                    return Ok(Value::Unknown);
                }
            }
            Ok(Value::String(out))
        }
        Expression::HeredocTemplate(heredoc) => {
            let mut out = String::new();
            if !render_template(&heredoc.template, scope, &mut out)? {
                return Ok(Value::Unknown);
            }
            Ok(Value::String(out))
        }
        Expression::Parenthesis(inner) => eval(inner.inner(), scope),
        Expression::Variable(name) => {
            let name = name.value().as_str();
            match scope.lookup(name) {
                Some(v) => Ok(v.clone()),
                None => Err(undeclared(name, span(), scope)),
            }
        }
        Expression::Conditional(cond) => {
            let c = eval(&cond.cond_expr, scope)?;
            match c {
                Value::Unknown => Ok(Value::Unknown),
                other => match other.to_bool() {
                    Some(true) => eval(&cond.true_expr, scope),
                    Some(false) => eval(&cond.false_expr, scope),
                    None => Err(EvalError::new(
                        "SIG004",
                        scope.span_of(&cond.cond_expr),
                        format!("condition must be a bool, not {}", other.type_name()),
                    )),
                },
            }
        }
        Expression::FuncCall(call) => eval_call(call, scope, span()),
        Expression::Traversal(traversal) => {
            // A traversal from a global root walks it by reference: cloning a whole resource
            // type's instances for every `azurerm_x.y[k].attr` would make evaluation quadratic.
            if let Expression::Variable(v) = &traversal.expr {
                let name = v.value().as_str();
                let binding = scope.bindings.iter().rev().find(|(n, _)| n == name).map(|(_, value)| value);
                // `each.value.name`, `count.index`: a bound value's attributes, reached by
                // reference (cloning the whole `each` for every argument was a tenth of the
                // allocations of a for_each plan at the quota ceiling).
                if let Some(found) = binding.and_then(|value| attributes_of(value, &traversal.operators)) {
                    return Ok(found);
                }
                let bound = binding.is_some();
                if !bound && let Some(root) = scope.roots.get(name) {
                    return walk_root(root, name, &traversal.operators, scope);
                }
                // `resource.TYPE.NAME` is `TYPE.NAME` (Terraform's explicit form).
                if !bound
                    && name == "resource"
                    && let Some(TraversalOperator::GetAttr(t)) = traversal.operators.first().map(|o| o.value())
                {
                    let type_name = t.value().as_str();
                    return match scope.roots.get(type_name) {
                        Some(root) => walk_root(root, type_name, &traversal.operators[1..], scope),
                        None => Err(undeclared(type_name, scope.span_of(&traversal.expr), scope)),
                    };
                }
            }
            let base = eval(&traversal.expr, scope)?;
            let path = traversal_root_name(&traversal.expr);
            apply_operators(base, &traversal.operators, scope, path)
        }
        Expression::UnaryOp(op) => {
            let v = eval(&op.expr, scope)?;
            if v.is_unknown() {
                return Ok(Value::Unknown);
            }
            match op.operator.value() {
                UnaryOperator::Neg => v
                    .to_number()
                    .map(|n| Value::Number(-n))
                    .ok_or_else(|| type_error(scope.span_of(&op.expr), "number", &v)),
                UnaryOperator::Not => {
                    v.to_bool().map(|b| Value::Bool(!b)).ok_or_else(|| type_error(scope.span_of(&op.expr), "bool", &v))
                }
            }
        }
        Expression::BinaryOp(op) => {
            let lhs = eval(&op.lhs_expr, scope)?;
            let rhs = eval(&op.rhs_expr, scope)?;
            binary(*op.operator.value(), lhs, rhs, scope.span_of(&op.lhs_expr), scope.span_of(&op.rhs_expr))
        }
        Expression::ForExpr(for_expr) => eval_for(for_expr, scope),
    }
}

/// What a chain of attribute operators reaches in `value` (a clone of it alone), when every step
/// finds its attribute; `None` for anything else (the general walk says why, or goes further).
fn attributes_of(value: &Value, operators: &[hcl::edit::Decorated<TraversalOperator>]) -> Option<Value> {
    let mut at = value;
    for op in operators {
        let TraversalOperator::GetAttr(ident) = op.value() else { return None };
        at = at.as_map()?.get(ident.value().as_str())?;
    }
    Some(at.clone())
}

/// Walks a global root by reference through attribute and index operators, cloning only what is
/// reached, and records which resource instance the reference touched.
fn walk_root<'a>(
    root: &'a Value,
    root_name: &str,
    operators: &[hcl::edit::Decorated<TraversalOperator>],
    scope: &mut Scope<'a>,
) -> EvalResult {
    let mut value = root;
    // Resource references: TYPE.NAME[key] or data.TYPE.NAME[key].
    let data = root_name == "data";
    let skip = usize::from(data);
    let is_resource = !NOT_RESOURCES.contains(&root_name);
    let name_at = |i: usize| match operators.get(i).map(|o| o.value()) {
        Some(TraversalOperator::GetAttr(n)) => Some(n.value().as_str().to_string()),
        _ => None,
    };
    let mut touched = if is_resource {
        let (type_name, name) = if data { (name_at(0), name_at(1)) } else { (Some(root_name.to_string()), name_at(0)) };
        type_name.zip(name).map(|(type_name, name)| Touched { data, type_name, name, key: None })
    } else {
        None
    };
    for (i, op) in operators.iter().enumerate() {
        let next = match op.value() {
            TraversalOperator::GetAttr(ident) => {
                let name = ident.value().as_str();
                match value {
                    Value::Map(m) => m.get(name),
                    _ => None,
                }
            }
            TraversalOperator::Index(index_expr) => {
                let index = eval(index_expr, scope)?;
                if i == skip + 1
                    && let Some(t) = touched.as_mut()
                {
                    t.key = match &index {
                        Value::Number(n) if n.fract() == 0.0 && *n >= 0.0 => {
                            Some(crate::model::InstanceKey::Index(*n as u64))
                        }
                        Value::String(k) => Some(crate::model::InstanceKey::Key(k.clone())),
                        _ => None,
                    };
                }
                match (value, &index) {
                    (Value::Map(m), k) => k.to_string_lossless().and_then(|k| m.get(&k)),
                    (Value::List(items), Value::Number(n)) if n.fract() == 0.0 && *n >= 0.0 => items.get(*n as usize),
                    _ => None,
                }
            }
            _ => None,
        };
        match next {
            Some(v) => value = v,
            None => {
                // The path so far, for messages (made only here: a walk that succeeds needs none).
                let mut path = root_name.to_string();
                for op in &operators[..i] {
                    match op.value() {
                        TraversalOperator::GetAttr(ident) => {
                            path.push('.');
                            path.push_str(ident.value().as_str());
                        }
                        _ => path.push_str("[..]"),
                    }
                }
                // An undeclared variable or local is a mistake in the configuration, which
                // `try` and `can` do not swallow (as in Terraform).
                if i == 0 && matches!(root_name, "var" | "local") {
                    return apply_operators(value.clone(), &operators[i..], scope, path)
                        .map_err(EvalError::uncatchable);
                }
                // Splats, unknowns and errors: the general (cloning) walk from here, which also
                // produces the precise error message.
                if let Some(t) = touched.take() {
                    scope.touched.push(t);
                }
                return apply_operators(value.clone(), &operators[i..], scope, path);
            }
        }
    }
    if let Some(t) = touched {
        scope.touched.push(t);
    }
    Ok(value.clone())
}

/// Functions that read files, through the scope's `FileSource`.
const FILE_FUNCTIONS: &[&str] = &["abspath", "file", "filebase64", "fileexists", "templatefile"];

fn file_function(name: &str, call: &FuncCall, scope: &mut Scope, span: Span) -> EvalResult {
    let wanted = if name == "templatefile" { 2 } else { 1 };
    if call.args.len() != wanted {
        return Err(EvalError::new(
            "SIG006",
            span,
            format!("{name}() takes {wanted} argument(s), {} given", call.args.len()),
        ));
    }
    let mut args = Vec::new();
    for arg in call.args.iter() {
        args.push(eval(arg, scope)?);
    }
    if args.iter().any(|a| !a.is_wholly_known()) {
        return Ok(Value::Unknown);
    }
    let Some(path) = args[0].as_str().map(str::to_string) else {
        return Err(EvalError::new("SIG006", span, format!("{name}(): the path must be a string")));
    };
    let Some(files) = scope.files else {
        return Err(EvalError::new("SIG006", span, format!("{name}() cannot read files here")));
    };
    let fail = |message: String| EvalError::new("SIG006", span.clone(), format!("{name}(\"{path}\"): {message}"));
    match name {
        "abspath" => Ok(Value::String(files.absolute(&path))),
        "fileexists" => Ok(Value::Bool(files.exists(&path))),
        "filebase64" => {
            use base64::Engine;
            let bytes = files.read(&path).map_err(fail)?;
            Ok(Value::String(base64::engine::general_purpose::STANDARD.encode(bytes)))
        }
        "file" => {
            let bytes = files.read(&path).map_err(fail)?;
            String::from_utf8(bytes).map(Value::String).map_err(|_| fail("not UTF-8 text; use filebase64()".into()))
        }
        _ => {
            let text =
                String::from_utf8(files.read(&path).map_err(fail)?).map_err(|_| fail("not UTF-8 text".into()))?;
            let Value::Map(vars) = args[1].clone() else {
                return Err(fail("the variables must be an object or a map".into()));
            };
            let template =
                hcl::edit::parser::parse_template(&text).map_err(|e| fail(format!("not a template: {e}")))?;
            // The template sees its variables and the functions, nothing of the configuration.
            let mut inner = Scope::new(scope.file, &vars).with_files(scope.files);
            let mut out = String::new();
            match render_template(&template, &mut inner, &mut out) {
                Ok(true) => Ok(Value::String(out)),
                Ok(false) => Ok(Value::Unknown),
                Err(e) => Err(fail(e.message)),
            }
        }
    }
}

/// The root that holds the plan's time for `plantimestamp()`: not a name anyone can write.
pub const PLAN_TIMESTAMP: &str = "@plantimestamp";

fn traversal_root_name(expr: &Expression) -> String {
    match expr {
        Expression::Variable(v) => v.value().as_str().to_string(),
        _ => "value".to_string(),
    }
}

fn undeclared(name: &str, span: Span, scope: &Scope) -> EvalError {
    let err = EvalError::new("SIG005", span, format!("unknown name `{name}`")).uncatchable();
    let err = if name.starts_with("azurerm_") {
        EvalError { message: format!("reference to undeclared resource type `{name}`"), ..err }
    } else {
        err
    };
    match crate::model::suggest(name, scope.names()) {
        Some(s) => err.with_help(format!("did you mean `{s}`?")),
        None => err,
    }
}

fn type_error(span: Span, wanted: &str, got: &Value) -> EvalError {
    EvalError::new("SIG004", span, format!("expected a {wanted}, found {}", got.type_name()))
}

/// Appends one template element; returns false when the result is unknown.
fn render_element(element: &Element, scope: &mut Scope, out: &mut String) -> Result<bool, EvalError> {
    match element {
        Element::Literal(s) => {
            out.push_str(s.value());
            Ok(true)
        }
        Element::Interpolation(interp) => {
            let v = eval(&interp.expr, scope)?;
            match v {
                Value::Unknown => Ok(false),
                Value::Null => Err(EvalError::new(
                    "SIG004",
                    scope.span_of(&interp.expr),
                    "cannot include a null value in a string template",
                )),
                other => match other.to_string_lossless() {
                    Some(s) => {
                        out.push_str(&s);
                        Ok(true)
                    }
                    None => Err(EvalError::new(
                        "SIG004",
                        scope.span_of(&interp.expr),
                        format!("cannot include a {} in a string template", other.type_name()),
                    )),
                },
            }
        }
        Element::Directive(directive) => match directive.as_ref() {
            Directive::If(if_dir) => {
                let c = eval(&if_dir.if_expr.cond_expr, scope)?;
                match c {
                    Value::Unknown => Ok(false),
                    other => match other.to_bool() {
                        Some(true) => render_template(&if_dir.if_expr.template, scope, out),
                        Some(false) => match &if_dir.else_expr {
                            Some(e) => render_template(&e.template, scope, out),
                            None => Ok(true),
                        },
                        None => Err(type_error(scope.span_of(&if_dir.if_expr.cond_expr), "bool", &other)),
                    },
                }
            }
            Directive::For(for_dir) => {
                let f = &for_dir.for_expr;
                let collection = eval(&f.collection_expr, scope)?;
                let Some(pairs) = iterate(&collection, scope.span_of(&f.collection_expr))? else {
                    return Ok(false);
                };
                for (k, v) in pairs {
                    let mut pushed = 0;
                    if let Some(key_var) = &f.key_var {
                        scope.push(key_var.value().as_str(), k);
                        pushed += 1;
                    }
                    scope.push(f.value_var.value().as_str(), v);
                    pushed += 1;
                    let ok = render_template(&f.template, scope, out);
                    for _ in 0..pushed {
                        scope.pop();
                    }
                    if !ok? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
        },
    }
}

fn render_template(template: &Template, scope: &mut Scope, out: &mut String) -> Result<bool, EvalError> {
    for element in template.iter() {
        if !render_element(element, scope, out)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Key/value pairs of a collection, as `for` sees them; `None` when the collection is unknown.
pub fn iterate(collection: &Value, span: Span) -> Result<Option<Vec<(Value, Value)>>, EvalError> {
    match collection {
        Value::Unknown => Ok(None),
        Value::List(items) => {
            Ok(Some(items.iter().enumerate().map(|(i, v)| (Value::Number(i as f64), v.clone())).collect()))
        }
        Value::Map(map) => Ok(Some(map.iter().map(|(k, v)| (Value::String(k.clone()), v.clone())).collect())),
        other => Err(EvalError::new("SIG004", span, format!("cannot iterate over a {}", other.type_name()))),
    }
}

fn eval_for(f: &ForExpr, scope: &mut Scope) -> EvalResult {
    let collection = eval(&f.intro.collection_expr, scope)?;
    let Some(pairs) = iterate(&collection, scope.span_of(&f.intro.collection_expr))? else {
        return Ok(Value::Unknown);
    };
    let mut list = Vec::new();
    // Keyed results are collected, then sorted once (a map made by inserting one key at a time
    // is quadratic at tens of thousands of keys). A key given twice is refused when it comes,
    // as a map filled in order refuses it: found by its hash, confirmed by the keys themselves.
    let mut keyed: Vec<(String, Value)> = Vec::new();
    let mut seen: crate::fast_hash::FastSet<u64> = Default::default();
    let mut grouped: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (k, v) in pairs {
        let mut pushed = 0;
        if let Some(key_var) = &f.intro.key_var {
            scope.push(key_var.value().as_str(), k);
            pushed += 1;
        }
        scope.push(f.intro.value_var.value().as_str(), v);
        pushed += 1;
        let result = for_body(f, scope);
        for _ in 0..pushed {
            scope.pop();
        }
        match result? {
            ForItem::Skip => {}
            ForItem::Unknown => return Ok(Value::Unknown),
            ForItem::Value(v) => list.push(v),
            ForItem::Keyed(key, v, key_span) => {
                if f.grouping {
                    grouped.entry(key).or_default().push(v);
                } else {
                    let hash = std::hash::BuildHasher::hash_one(seen.hasher(), key.as_str());
                    if !seen.insert(hash) && keyed.iter().any(|(k, _)| *k == key) {
                        return Err(EvalError::new(
                            "SIG004",
                            key_span,
                            format!("duplicate object key \"{key}\" in for expression"),
                        )
                        .with_help("add `...` after the value expression to group values by key"));
                    }
                    keyed.push((key, v));
                }
            }
        }
    }
    if f.key_expr.is_some() {
        if f.grouping {
            Ok(Value::Map(grouped.into_iter().map(|(k, v)| (k, Value::List(v))).collect()))
        } else {
            Ok(Value::Map(keyed.into_iter().collect()))
        }
    } else {
        Ok(Value::List(list))
    }
}

enum ForItem {
    Skip,
    Unknown,
    Value(Value),
    Keyed(String, Value, Span),
}

fn for_body(f: &ForExpr, scope: &mut Scope) -> Result<ForItem, EvalError> {
    if let Some(cond) = &f.cond {
        match eval(&cond.expr, scope)? {
            Value::Unknown => return Ok(ForItem::Unknown),
            c => match c.to_bool() {
                Some(false) => return Ok(ForItem::Skip),
                Some(true) => {}
                None => return Err(type_error(scope.span_of(&cond.expr), "bool", &c)),
            },
        }
    }
    let value = eval(&f.value_expr, scope)?;
    match &f.key_expr {
        None => Ok(ForItem::Value(value)),
        Some(key_expr) => {
            let key = eval(key_expr, scope)?;
            if key.is_unknown() {
                return Ok(ForItem::Unknown);
            }
            let span = scope.span_of(key_expr);
            let key = key.to_string_lossless().ok_or_else(|| type_error(span.clone(), "string", &key))?;
            Ok(ForItem::Keyed(key, value, span))
        }
    }
}

fn apply_operators(
    mut value: Value,
    operators: &[hcl::edit::Decorated<TraversalOperator>],
    scope: &mut Scope,
    mut path: String,
) -> EvalResult {
    let mut i = 0;
    while i < operators.len() {
        let op = operators[i].value();
        let op_span = scope.span_of(&operators[i]);
        match op {
            TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                let rest_end = if matches!(op, TraversalOperator::AttrSplat(_)) {
                    operators[i + 1..]
                        .iter()
                        .position(|o| !matches!(o.value(), TraversalOperator::GetAttr(_)))
                        .map_or(operators.len(), |p| i + 1 + p)
                } else {
                    operators.len()
                };
                let rest = &operators[i + 1..rest_end];
                let items = match value {
                    Value::Unknown => return Ok(Value::Unknown),
                    Value::Null => Vec::new(),
                    Value::List(items) => items,
                    other => vec![other],
                };
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(apply_operators(item, rest, scope, format!("{path}[*]"))?);
                }
                value = Value::List(out);
                i = rest_end;
                continue;
            }
            TraversalOperator::GetAttr(ident) => {
                let name = ident.value().as_str();
                let name_span = scope.span_of(ident);
                value = get_attr(value, name, &path, name_span)?;
                path = format!("{path}.{name}");
            }
            TraversalOperator::Index(index_expr) => {
                let index = eval(index_expr, scope)?;
                let index_span = scope.span_of(index_expr);
                value = index_value(value, &index, &path, index_span)?;
                path = format!("{path}[{index}]");
            }
            TraversalOperator::LegacyIndex(n) => {
                let index = Value::Number(*n.value() as f64);
                value = index_value(value, &index, &path, op_span)?;
                path = format!("{path}[{index}]");
            }
        }
        i += 1;
    }
    Ok(value)
}

fn get_attr(value: Value, name: &str, path: &str, span: Span) -> EvalResult {
    match value {
        Value::Unknown => Ok(Value::Unknown),
        Value::Map(mut map) => match map.remove(name) {
            Some(v) => Ok(v),
            None => {
                let err = EvalError::new(
                    "SIG005",
                    span,
                    format!("`{path}` has no attribute `{name}`"),
                );
                Err(match crate::model::suggest(name, map.keys().map(String::as_str)) {
                    Some(s) => err.with_help(format!("did you mean `{s}`?")),
                    None => err,
                })
            }
        },
        Value::Null => Err(EvalError::new(
            "SIG005",
            span,
            format!("cannot read attribute `{name}` of `{path}`, which is null"),
        )),
        Value::List(_) => Err(EvalError::new(
            "SIG005",
            span,
            format!("`{path}` is a list: it has no attribute `{name}`"),
        )
        .with_help(format!(
            "index it first (`{path}[0].{name}`, or `{path}[\"key\"].{name}` for for_each), or use a splat: `{path}[*].{name}`"
        ))),
        other => Err(EvalError::new(
            "SIG005",
            span,
            format!("`{path}` is a {}: it has no attribute `{name}`", other.type_name()),
        )),
    }
}

fn index_value(value: Value, index: &Value, path: &str, span: Span) -> EvalResult {
    if index.is_unknown() {
        return Ok(Value::Unknown);
    }
    match value {
        Value::Unknown => Ok(Value::Unknown),
        Value::List(mut items) => {
            let n = index.to_number().filter(|n| n.fract() == 0.0 && *n >= 0.0).ok_or_else(|| {
                EvalError::new("SIG004", span.clone(), format!("a list index must be a whole number, not {index}"))
            })? as usize;
            if n < items.len() {
                Ok(items.swap_remove(n))
            } else {
                Err(EvalError::new(
                    "SIG005",
                    span,
                    format!("index {n} is out of range for `{path}`, which has {} elements", items.len()),
                ))
            }
        }
        Value::Map(mut map) => {
            let key = index
                .to_string_lossless()
                .ok_or_else(|| EvalError::new("SIG004", span.clone(), "a map key must be a string"))?;
            match map.remove(&key) {
                Some(v) => Ok(v),
                None => {
                    let err = EvalError::new("SIG005", span, format!("`{path}` has no element with key \"{key}\""));
                    Err(match crate::model::suggest(&key, map.keys().map(String::as_str)) {
                        Some(s) => err.with_help(format!("did you mean \"{s}\"?")),
                        None => err,
                    })
                }
            }
        }
        other => Err(EvalError::new("SIG004", span, format!("cannot index `{path}`, a {}", other.type_name()))),
    }
}

fn binary(op: BinaryOperator, lhs: Value, rhs: Value, lspan: Span, rspan: Span) -> EvalResult {
    use BinaryOperator::*;
    if lhs.is_unknown() || rhs.is_unknown() {
        return Ok(Value::Unknown);
    }
    match op {
        Eq => Ok(Value::Bool(values_equal(&lhs, &rhs))),
        NotEq => Ok(Value::Bool(!values_equal(&lhs, &rhs))),
        And | Or => {
            let l = lhs.to_bool().ok_or_else(|| type_error(lspan, "bool", &lhs))?;
            let r = rhs.to_bool().ok_or_else(|| type_error(rspan, "bool", &rhs))?;
            Ok(Value::Bool(if op == And { l && r } else { l || r }))
        }
        _ => {
            let l = lhs.to_number().ok_or_else(|| type_error(lspan, "number", &lhs))?;
            let r = rhs.to_number().ok_or_else(|| type_error(rspan.clone(), "number", &rhs))?;
            Ok(match op {
                Less => Value::Bool(l < r),
                LessEq => Value::Bool(l <= r),
                Greater => Value::Bool(l > r),
                GreaterEq => Value::Bool(l >= r),
                Plus => Value::Number(l + r),
                Minus => Value::Number(l - r),
                Mul => Value::Number(l * r),
                Div | Mod if r == 0.0 => {
                    return Err(EvalError::new("SIG004", rspan, "division by zero"));
                }
                Div => Value::Number(l / r),
                Mod => Value::Number(l % r),
                Eq | NotEq | And | Or => unreachable!("handled above"),
            })
        }
    }
}

/// Terraform compares values without conversion: `1 == "1"` is false.
fn values_equal(a: &Value, b: &Value) -> bool {
    a == b
}

fn eval_call(call: &FuncCall, scope: &mut Scope, span: Span) -> EvalResult {
    let name = call.name.name.value().as_str();
    if call.name.is_namespaced() {
        return Err(EvalError::new(
            "SIG006",
            span,
            format!(
                "provider-defined functions are not supported yet (`{}::{}`)",
                call.name.namespace.iter().map(|n| n.value().as_str()).collect::<Vec<_>>().join("::"),
                name
            ),
        )
        .uncatchable());
    }
    if FILE_FUNCTIONS.contains(&name) {
        return file_function(name, call, scope, span);
    }
    match name {
        // The plan's own time, the same for every call in one plan.
        "plantimestamp" => {
            if !call.args.is_empty() {
                return Err(EvalError::new("SIG006", span, "plantimestamp() takes no arguments"));
            }
            Ok(scope.roots.get(PLAN_TIMESTAMP).cloned().unwrap_or(Value::Unknown))
        }
        // Special forms: the argument's error is the answer, not a failure.
        "try" => {
            if call.args.is_empty() {
                return Err(EvalError::new("SIG006", span, "try() needs at least one argument"));
            }
            let mut last = None;
            for arg in call.args.iter() {
                match eval(arg, scope) {
                    Ok(v) if v.is_wholly_known() => return Ok(v),
                    Ok(_) => return Ok(Value::Unknown),
                    Err(e) if !e.catchable => return Err(e),
                    Err(e) => last = Some(e),
                }
            }
            let last = last.expect("at least one argument");
            Err(EvalError::new(
                "SIG006",
                span,
                format!("no expression given to try() could be evaluated; the last failed with: {}", last.message),
            ))
        }
        "can" => {
            if call.args.len() != 1 {
                return Err(EvalError::new("SIG006", span, "can() takes exactly one argument"));
            }
            match eval(call.args.get(0).expect("one argument"), scope) {
                Ok(v) if v.is_wholly_known() => Ok(Value::Bool(true)),
                Ok(_) => Ok(Value::Unknown),
                Err(e) if !e.catchable => Err(e),
                Err(_) => Ok(Value::Bool(false)),
            }
        }
        _ => {
            let mut args = Vec::with_capacity(call.args.len());
            let mut spans = Vec::with_capacity(call.args.len());
            for arg in call.args.iter() {
                args.push(eval(arg, scope)?);
                spans.push(scope.span_of(arg));
            }
            if call.args.expand_final() {
                match args.pop() {
                    Some(Value::List(items)) => {
                        let last = spans.pop().unwrap_or(span.clone());
                        for item in items {
                            args.push(item);
                            spans.push(last.clone());
                        }
                    }
                    Some(Value::Unknown) => return Ok(Value::Unknown),
                    Some(other) => {
                        return Err(type_error(spans.pop().unwrap_or(span), "list", &other));
                    }
                    None => {}
                }
            }
            functions::call(name, args, &spans, span)
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Evaluates `src` with `roots`; the helper the function tests share.
    pub(crate) fn eval_str(src: &str, roots: &ValueMap) -> EvalResult {
        let expr = hcl::edit::parser::parse_expr(src).expect("test expression parses");
        let mut scope = Scope::new(FileId(0), roots);
        eval(&expr, &mut scope)
    }

    fn ok(src: &str) -> Value {
        eval_str(src, &roots()).unwrap_or_else(|e| panic!("{src}: {}", e.message))
    }

    fn roots() -> ValueMap {
        let var = Value::Map(ValueMap::from([
            ("regions".to_string(), Value::List(vec![Value::string("eastus"), Value::string("westus")])),
            ("n".to_string(), Value::Number(2.0)),
            ("unknown".to_string(), Value::Unknown),
            ("none".to_string(), Value::Null),
        ]));
        ValueMap::from([("var".to_string(), var)])
    }

    #[test]
    fn expressions_evaluate_as_terraform_does() {
        let cases: &[(&str, &str)] = &[
            ("1 + 2 * 3", "7"),
            ("\"a-${var.n}\"", "\"a-2\""),
            ("var.n > 1 ? \"big\" : \"small\"", "\"big\""),
            ("[for r in var.regions : upper(r)]", "[\"EASTUS\", \"WESTUS\"]"),
            ("{for i, r in var.regions : r => i}", "{eastus = 0, westus = 1}"),
            ("[for r in var.regions : r if r != \"eastus\"]", "[\"westus\"]"),
            ("{for r in [\"a\", \"b\", \"a\"] : r => 1...}", "{a = [1, 1], b = [1]}"),
            ("var.regions[1]", "\"westus\""),
            ("[{a = 1}, {a = 2}][*].a", "[1, 2]"),
            ("!true || false", "false"),
            ("\"%{ for r in var.regions }${r};%{ endfor }\"", "\"eastus;westus;\""),
            ("\"%{ if var.n == 2 }two%{ else }other%{ endif }\"", "\"two\""),
            ("try(var.none.x, \"fallback\")", "\"fallback\""),
            ("can(var.regions[5])", "false"),
            ("can(var.regions[0])", "true"),
            ("var.unknown + 1", "(known after apply)"),
            ("\"x${var.unknown}\"", "(known after apply)"),
            ("1 == \"1\"", "false"),
            ("-var.n", "-2"),
            ("max([3, 7, 1]...)", "7"),
        ];
        for (src, want) in cases {
            let got = eval_str(src, &roots());
            match got {
                Ok(v) => assert_eq!(v.to_string(), *want, "{src}"),
                Err(e) => panic!("{src}: {}", e.message),
            }
        }
        assert_eq!(ok("{ a = 1 }.a"), Value::Number(1.0));
    }

    #[test]
    fn errors_carry_the_span_of_the_culprit() {
        let cases: &[(&str, &str, &str)] = &[
            ("var.regionz", "SIG005", "regionz"),
            ("vra.x", "SIG005", "vra"),
            ("var.regions[9]", "SIG005", "9"),
            ("1 + \"a\"", "SIG004", "\"a\""),
            ("nosuch(1)", "SIG006", "nosuch(1)"),
            ("var.none.x", "SIG005", "x"),
        ];
        for (src, rule, culprit) in cases {
            let err = eval_str(src, &roots()).expect_err(src);
            assert_eq!(err.rule, *rule, "{src}: {}", err.message);
            assert_eq!(&src[err.span.range()], *culprit, "{src}: {}", err.message);
        }
        let err = eval_str("var.regionz", &roots()).unwrap_err();
        assert_eq!(err.help.as_deref(), Some("did you mean `regions`?"));
    }

    /// A `for` expression's keyed results are sorted once at the end: a key given twice is
    /// still refused when it comes (before a later item is evaluated); objects and many keys in
    /// any order come out in key order.
    #[test]
    fn keyed_for_results_are_ordered_and_duplicates_refused() {
        let err = eval_str("{for k in [\"z\", \"b\", \"a\", \"b\", \"z\"] : k => 1}", &roots()).unwrap_err();
        assert_eq!(err.rule, "SIG004");
        assert!(err.message.contains("duplicate object key \"b\""), "{}", err.message);
        // Refused at the duplicate: the item after it, which would fail, is not evaluated.
        let err = eval_str("{for k in [\"a\", \"a\", \"x\"] : k => k == \"x\" ? [][1] : 1}", &roots()).unwrap_err();
        assert!(err.message.contains("duplicate object key \"a\""), "{}", err.message);
        let many = ok("{for i in range(100) : format(\"k%03d\", (i * 37) % 100) => i}");
        let keys: Vec<&String> = many.as_map().unwrap().keys().collect();
        assert_eq!(keys.len(), 100);
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(many.get("k037"), Some(&Value::Number(1.0)));
        assert_eq!(ok("{ b = 1, a = 2, (\"c\") = 3 }").to_string(), "{a = 2, b = 1, c = 3}");
    }
}
