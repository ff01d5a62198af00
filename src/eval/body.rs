//! Evaluates a resource (or nested block) body against its schema: attribute types and
//! defaults, nested and `dynamic` blocks, and the errors a Terraform user expects — unknown
//! arguments with "did you mean", "not supported yet" for azurerm arguments sigform lacks,
//! missing required arguments, too many blocks.

use super::expr::{Scope, eval, iterate};
use crate::diagnostic::{Diagnostic, Span};
use crate::model::value::{Map as ValueMap, Value};
use crate::model::{Attr, Attrs, BlockInstance};
use hcl::edit::Span as _;
use hcl::edit::structure::{Block, Body, Structure};
use sigform_azure::schema::{AttrSchema, AttrType, BlockSchema, Mutability};
use std::collections::BTreeMap;

/// What a body may contain.
pub struct BodySchema<'a> {
    pub attrs: &'a [AttrSchema],
    pub blocks: &'a [BlockSchema],
    pub unsupported: &'a [&'a str],
    /// Names the caller handles itself (meta-arguments such as `count` or `lifecycle`).
    pub meta: &'a [&'a str],
    /// What the body belongs to, for messages: `resource "azurerm_x"`, `block "target_region"`.
    pub owner: &'a str,
}

impl BodySchema<'_> {
    fn known_names(&self) -> impl Iterator<Item = &str> {
        self.attrs
            .iter()
            .filter(|a| a.mutability != Mutability::Computed)
            .map(|a| a.name)
            .chain(self.blocks.iter().map(|b| b.name))
            .chain(self.meta.iter().copied())
    }
}

/// The span from a block's type keyword to its last label: where block-level errors point.
pub fn header_span(scope: &Scope, block: &Block) -> Span {
    let start = block.ident.span().map_or(0, |r| r.start);
    let end = block.labels.last().and_then(|l| l.span()).or_else(|| block.ident.span()).map_or(start, |r| r.end);
    scope.span(start..end)
}

pub fn eval_body(
    body: &Body,
    schema: &BodySchema,
    header: &Span,
    scope: &mut Scope,
    diags: &mut Vec<Diagnostic>,
) -> Attrs {
    let mut attrs = Attrs::default();
    let mut block_spans: BTreeMap<&str, Vec<Span>> = BTreeMap::new();
    for structure in body.iter() {
        match structure {
            Structure::Attribute(attribute) => {
                let name = attribute.key.value().as_str();
                let key_span = scope.span_of(&attribute.key);
                if schema.meta.contains(&name) {
                    continue;
                }
                let Some(attr_schema) = schema.attrs.iter().find(|a| a.name == name) else {
                    // An azurerm argument sigform lacks is fine when it is not set: null means
                    // "not set", as in Terraform (modules pass null to every optional argument).
                    if schema.unsupported.contains(&name) && matches!(eval(&attribute.value, scope), Ok(Value::Null)) {
                        continue;
                    }
                    diags.push(unknown_name(schema, name, "argument", key_span));
                    continue;
                };
                if attr_schema.mutability == Mutability::Computed {
                    diags.push(
                        Diagnostic::error("SIG002", format!("`{name}` is set by Azure and cannot be written"))
                            .at(key_span)
                            .help("remove it; read it from the resource instead, e.g. `azurerm_x.name.id`"),
                    );
                    continue;
                }
                let value_span = scope.span_of(&attribute.value);
                if attrs.values.contains_key(name) {
                    diags.push(Diagnostic::error("SIG009", format!("argument `{name}` is set twice")).at(key_span));
                    continue;
                }
                let value = match eval(&attribute.value, scope) {
                    Ok(v) => v,
                    Err(e) => {
                        diags.push(e.into_diagnostic());
                        Value::Unknown
                    }
                };
                match convert(value, attr_schema.ty) {
                    Ok(Value::Null) => {}
                    Ok(value) => {
                        attrs.values.insert(name.to_string(), Attr { value, span: value_span, defaulted: false });
                    }
                    Err(message) => {
                        diags.push(Diagnostic::error("SIG004", format!("`{name}`: {message}")).at(value_span))
                    }
                }
            }
            Structure::Block(block) => {
                let ident = block.ident.value().as_str();
                let ident_span = scope.span_of(&block.ident);
                if ident == "dynamic" {
                    eval_dynamic(block, schema, scope, diags, &mut attrs, &mut block_spans);
                    continue;
                }
                if ident == "timeouts" && schema.meta.contains(&ident) {
                    // Evaluated here (it may use each and count), read by the resource.
                    let header = header_span(scope, block);
                    let instance = eval_block(&block.body, &sigform_azure::schema::TIMEOUTS, &header, scope, diags);
                    attrs.blocks.entry_or_default(ident).push(instance);
                    continue;
                }
                if schema.meta.contains(&ident) {
                    continue;
                }
                let Some(block_schema) = schema.blocks.iter().find(|b| b.name == ident) else {
                    diags.push(unknown_name(schema, ident, "block", ident_span));
                    continue;
                };
                if !block.labels.is_empty() {
                    diags.push(
                        Diagnostic::error("SIG002", format!("block `{ident}` takes no labels"))
                            .at(header_span(scope, block)),
                    );
                }
                let header = header_span(scope, block);
                let instance = eval_block(&block.body, block_schema, &header, scope, diags);
                block_spans.entry(block_schema.name).or_default().push(header);
                attrs.blocks.entry_or_default(ident).push(instance);
            }
        }
    }
    for attr_schema in schema.attrs {
        if attrs.values.contains_key(attr_schema.name) {
            continue;
        }
        if attr_schema.required {
            diags.push(
                Diagnostic::error(
                    "SIG003",
                    format!("missing required argument `{}` in {}", attr_schema.name, schema.owner),
                )
                .at(header.clone())
                .label(format!("`{}` is required here", attr_schema.name)),
            );
            continue;
        }
        if let Some(value) = crate::model::value::default_value(attr_schema.default) {
            attrs.values.insert(attr_schema.name.to_string(), Attr { value, span: header.clone(), defaulted: true });
        }
    }
    for block_schema in schema.blocks {
        let count = attrs.blocks(block_schema.name).len();
        let spans = block_spans.get(block_schema.name);
        if count < block_schema.min {
            diags.push(
                Diagnostic::error(
                    "SIG003",
                    format!(
                        "{} needs at least {} `{}` block{}",
                        schema.owner,
                        block_schema.min,
                        block_schema.name,
                        if block_schema.min == 1 { "" } else { "s" }
                    ),
                )
                .at(header.clone()),
            );
        } else if block_schema.max > 0 && count > block_schema.max {
            let extra = spans.and_then(|s| s.get(block_schema.max)).cloned();
            diags.push(
                Diagnostic::error(
                    "SIG003",
                    format!(
                        "{} takes at most {} `{}` block(s), found {count}",
                        schema.owner, block_schema.max, block_schema.name
                    ),
                )
                .at_opt(extra.or_else(|| Some(header.clone()))),
            );
        }
    }
    // Held until the plan is made: at the quota ceiling, 100,000 bodies' growing room.
    attrs.values.shrink_to_fit();
    attrs.blocks.shrink_to_fit();
    attrs
}

fn eval_block(
    body: &Body,
    block_schema: &BlockSchema,
    header: &Span,
    scope: &mut Scope,
    diags: &mut Vec<Diagnostic>,
) -> BlockInstance {
    let owner = format!("block `{}`", block_schema.name);
    let schema = BodySchema {
        attrs: block_schema.attrs,
        blocks: block_schema.blocks,
        unsupported: block_schema.unsupported,
        meta: &[],
        owner: &owner,
    };
    BlockInstance { span: header.clone(), attrs: eval_body(body, &schema, header, scope, diags) }
}

/// `dynamic "NAME" { for_each = ..., iterator = it, content { ... } }`.
fn eval_dynamic<'s>(
    block: &Block,
    schema: &BodySchema<'s>,
    scope: &mut Scope,
    diags: &mut Vec<Diagnostic>,
    attrs: &mut Attrs,
    block_spans: &mut BTreeMap<&'s str, Vec<Span>>,
) {
    let header = header_span(scope, block);
    let Some(label) = block.labels.first().map(|l| l.as_str().to_string()) else {
        diags.push(
            Diagnostic::error("SIG003", "a dynamic block needs a label: the block type it generates")
                .at(header)
                .help("write dynamic \"target_region\" { ... }"),
        );
        return;
    };
    let block_schema = schema.blocks.iter().find(|b| b.name == label);
    // `dynamic "timeouts"` is the meta block written dynamically: checked as the static one is.
    let timeouts = block_schema.is_none() && label == "timeouts" && schema.meta.contains(&"timeouts");
    // A block sigform lacks, generated zero times, sets nothing: as in Terraform, it is fine.
    let unsupported = block_schema.is_none() && !timeouts && schema.unsupported.contains(&label.as_str());
    if block_schema.is_none() && !timeouts && !unsupported {
        diags.push(unknown_name(schema, &label, "block", header));
        return;
    }
    let block_schema = block_schema.unwrap_or(&sigform_azure::schema::TIMEOUTS);
    let mut iterator = label.clone();
    let mut for_each = None;
    let mut content = None;
    for structure in block.body.iter() {
        match structure {
            Structure::Attribute(a) => match a.key.value().as_str() {
                "for_each" => for_each = Some(&a.value),
                "iterator" => match &a.value {
                    hcl::edit::expr::Expression::Variable(v) => iterator = v.value().as_str().to_string(),
                    other => diags
                        .push(Diagnostic::error("SIG004", "`iterator` must be a plain name").at(scope.span_of(other))),
                },
                "labels" => diags.push(
                    Diagnostic::error("SIG002", "`labels` is not used: the generated blocks take no labels")
                        .at(scope.span_of(&a.key)),
                ),
                other => diags.push(
                    Diagnostic::error("SIG002", format!("unknown argument `{other}` in a dynamic block"))
                        .at(scope.span_of(&a.key))
                        .help("a dynamic block takes for_each, iterator and a content block"),
                ),
            },
            Structure::Block(b) if b.ident.value().as_str() == "content" => content = Some(b),
            Structure::Block(b) => diags.push(
                Diagnostic::error(
                    "SIG002",
                    format!("unexpected block `{}` in a dynamic block", b.ident.value().as_str()),
                )
                .at(scope.span_of(&b.ident)),
            ),
        }
    }
    let (Some(for_each), Some(content)) = (for_each, content) else {
        diags.push(Diagnostic::error("SIG003", "a dynamic block needs `for_each` and a `content` block").at(header));
        return;
    };
    let collection = match eval(for_each, scope) {
        Ok(v) => v,
        Err(e) => {
            diags.push(e.into_diagnostic());
            return;
        }
    };
    let pairs = match iterate(&collection, scope.span_of(for_each)) {
        Ok(Some(pairs)) => pairs,
        Ok(None) => {
            // Unknown until apply: a block sigform lacks might be generated, so it cannot say yes.
            if unsupported {
                diags.push(unknown_name(schema, &label, "block", header));
            }
            return;
        }
        Err(e) => {
            diags.push(e.into_diagnostic());
            return;
        }
    };
    if unsupported {
        if !pairs.is_empty() {
            diags.push(unknown_name(schema, &label, "block", header));
        }
        return;
    }
    let content_header = header_span(scope, content);
    for (key, value) in pairs {
        // A set (a list from toset) iterates with the element as key, as Terraform does.
        let key = if collection.as_list().is_some() { value.clone() } else { key };
        scope.push(
            iterator.clone(),
            Value::Map(ValueMap::from([("key".to_string(), key), ("value".to_string(), value)])),
        );
        let instance = eval_block(&content.body, block_schema, &content_header, scope, diags);
        scope.pop();
        if timeouts {
            // Read by the resource, as the static block is.
            attrs.blocks.entry_or_default(&label).push(instance);
            continue;
        }
        block_spans.entry(block_schema.name).or_default().push(content_header.clone());
        attrs.blocks.entry_or_default(&label).push(instance);
    }
}

fn unknown_name(schema: &BodySchema, name: &str, what: &str, span: Span) -> Diagnostic {
    if schema.unsupported.contains(&name) {
        return Diagnostic::error("SIG002", format!("`{name}` is an azurerm {what} that sigform does not support yet"))
            .at(span)
            .help("remove it; sigform never ignores an argument silently");
    }
    let d = Diagnostic::error("SIG002", format!("unknown {what} `{name}` in {}", schema.owner)).at(span);
    match crate::model::suggest(name, schema.known_names()) {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None => d,
    }
}

/// Converts to an attribute's schema type as Terraform would, or says why not.
pub fn convert(value: Value, ty: AttrType) -> Result<Value, String> {
    if value.is_null() || value.is_unknown() {
        return Ok(value);
    }
    let want = match ty {
        AttrType::String => super::types::Type::String,
        AttrType::Number => super::types::Type::Number,
        AttrType::Bool => super::types::Type::Bool,
        AttrType::StringMap => super::types::Type::Map(Box::new(super::types::Type::String)),
        AttrType::StringSet => super::types::Type::Set(Box::new(super::types::Type::String)),
        AttrType::Any => super::types::Type::Any,
    };
    // A set's order means nothing: kept sorted, so that it compares as Azure's does.
    match super::types::convert(value, &want)? {
        Value::List(mut items) if ty == AttrType::StringSet => {
            items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            Ok(Value::List(items))
        }
        other => Ok(other),
    }
}
