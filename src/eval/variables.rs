//! Input variables: declarations (`type`, `default`, `nullable`, `validation`), the values given
//! for them (later assignments win), type conversion, and validation conditions.

use super::body::header_span;
use super::expr::{Scope, eval};
use super::types::{self, Type};
use crate::config::vars::{Origin, RawValue, VarAssignment};
use crate::config::{FileId, Sources};
use crate::diagnostic::{Diagnostic, Span};
use crate::model::value::{Map as ValueMap, Value};
use hcl::edit::structure::{Block, Structure};
use std::collections::BTreeMap;

struct Declared<'a> {
    block: &'a Block,
    file: FileId,
    header: Span,
    ty: Type,
    default: Option<(Value, Span)>,
    nullable: bool,
    given: Option<&'a VarAssignment>,
}

/// The values of the declared variables, from `given` (lowest precedence first): the run's
/// variable values in the root, the call's arguments in a module (`call` is the module block's
/// header there, where a missing required argument is reported).
pub(super) fn evaluate(
    decls: &[(&Block, FileId)],
    given: &[VarAssignment],
    sources: &Sources,
    call: Option<&Span>,
    diags: &mut Vec<Diagnostic>,
) -> ValueMap {
    let empty = ValueMap::default();
    let mut declared: BTreeMap<String, Declared> = BTreeMap::new();
    for &(block, file) in decls {
        let mut scope = Scope::new(file, &empty);
        let header = header_span(&scope, block);
        let name = block.labels[0].as_str().to_string();
        if declared.contains_key(&name) {
            diags.push(Diagnostic::error("SIG009", format!("variable \"{name}\" is declared twice")).at(header));
            continue;
        }
        let mut d = Declared { block, file, header, ty: Type::Any, default: None, nullable: true, given: None };
        for s in block.body.iter() {
            match s {
                Structure::Attribute(a) => {
                    let key = a.key.value().as_str();
                    match key {
                        "type" => match types::parse(&a.value) {
                            Ok(t) => d.ty = t,
                            Err(message) => {
                                diags.push(Diagnostic::error("SIG004", message).at(scope.span_of(&a.value)))
                            }
                        },
                        "default" => match eval(&a.value, &mut scope) {
                            Ok(v) => d.default = Some((v, scope.span_of(&a.value))),
                            Err(e) => diags.push(e.into_diagnostic()),
                        },
                        "nullable" => d.nullable = !matches!(eval(&a.value, &mut scope), Ok(Value::Bool(false))),
                        "description" | "sensitive" | "ephemeral" => {}
                        other => diags.push(
                            Diagnostic::error("SIG002", format!("unknown argument `{other}` in variable \"{name}\""))
                                .at(scope.span_of(&a.key)),
                        ),
                    }
                }
                Structure::Block(b) => {
                    if b.ident.value().as_str() != "validation" {
                        diags.push(
                            Diagnostic::error(
                                "SIG002",
                                format!("unknown block `{}` in variable \"{name}\"", b.ident.value().as_str()),
                            )
                            .at(scope.span_of(&b.ident)),
                        );
                    }
                }
            }
        }
        declared.insert(name, d);
    }

    for assignment in given {
        match declared.get_mut(&assignment.name) {
            Some(d) => d.given = Some(assignment),
            None => match assignment.origin {
                Origin::Environment => {}
                Origin::ModuleArgument => {
                    let known: Vec<&str> = declared.keys().map(String::as_str).collect();
                    let d = Diagnostic::error(
                        "SIG002",
                        format!(
                            "unsupported argument `{}`: the module declares no variable \"{}\"",
                            assignment.name, assignment.name
                        ),
                    )
                    .at(assignment.span.clone());
                    diags.push(match crate::model::suggest(&assignment.name, known) {
                        Some(s) => d.help(format!("did you mean `{s}`?")),
                        None => d,
                    });
                }
                Origin::File => diags.push(
                    Diagnostic::warning(
                        "SIG008",
                        format!("a value is given for undeclared variable \"{}\"", assignment.name),
                    )
                    .at(assignment.span.clone())
                    .help("declare it with variable \"...\" {} or remove the assignment"),
                ),
                Origin::CommandLine => {
                    let known: Vec<&str> = declared.keys().map(String::as_str).collect();
                    let d =
                        Diagnostic::error("SIG008", format!("--var sets undeclared variable \"{}\"", assignment.name))
                            .at(assignment.span.clone());
                    diags.push(match crate::model::suggest(&assignment.name, known) {
                        Some(s) => d.help(format!("did you mean \"{s}\"?")),
                        None => d,
                    });
                }
            },
        }
    }

    let mut values = ValueMap::default();
    let mut value_spans = BTreeMap::new();
    for (name, d) in &declared {
        // A module argument of null leaves a non-nullable variable its default (Terraform).
        let given = d.given.filter(|g| {
            !(g.origin == Origin::ModuleArgument
                && !d.nullable
                && d.default.is_some()
                && matches!(&g.value, RawValue::Json(v) if v.is_null()))
        });
        let (raw, span) = match (given, &d.default) {
            (Some(given), _) => match given_value(given, &d.ty) {
                Ok(v) => (v, given.span.clone()),
                Err(e) => {
                    diags.push(e);
                    values.insert(name.clone(), Value::Unknown);
                    continue;
                }
            },
            (None, Some((v, span))) => (v.clone(), span.clone()),
            (None, None) => {
                diags.push(match call {
                    Some(call) => {
                        Diagnostic::error("SIG008", format!("the module call has no value for required variable \"{name}\""))
                            .at(call.clone())
                            .help(format!(
                                "add `{name} = ...` to the module block; the variable is declared in {}",
                                location(sources, &d.header)
                            ))
                    }
                    None => Diagnostic::error("SIG008", format!("no value for required variable \"{name}\""))
                        .at(d.header.clone())
                        .help(format!(
                            "set it in terraform.tfvars, with --var '{name}=...', or with TF_VAR_{name}; or give it a default"
                        )),
                });
                values.insert(name.clone(), Value::Unknown);
                continue;
            }
        };
        let value = match types::convert(raw, &d.ty) {
            Ok(v) => v,
            Err(message) => {
                diags.push(
                    Diagnostic::error("SIG004", format!("invalid value for variable \"{name}\": {message}"))
                        .at(span.clone()),
                );
                Value::Unknown
            }
        };
        if value.is_null() && !d.nullable {
            diags.push(Diagnostic::error("SIG008", format!("variable \"{name}\" must not be null")).at(span.clone()));
        }
        values.insert(name.clone(), value);
        value_spans.insert(name.clone(), span);
    }

    let roots = ValueMap::from([("var".to_string(), Value::Map(values.clone()))]);
    for (name, d) in &declared {
        let Some(span) = value_spans.get(name) else {
            continue;
        };
        if values.get(name).is_some_and(Value::is_unknown) {
            continue;
        }
        let mut scope = Scope::new(d.file, &roots);
        for validation in d.block.body.get_blocks("validation") {
            let condition = validation.body.get_attribute("condition");
            let message = validation.body.get_attribute("error_message");
            let (Some(condition), Some(message)) = (condition, message) else {
                diags.push(
                    Diagnostic::error("SIG003", "a validation block needs `condition` and `error_message`")
                        .at(header_span(&scope, validation)),
                );
                continue;
            };
            let passed = match eval(&condition.value, &mut scope) {
                Ok(Value::Bool(b)) => b,
                Ok(Value::Unknown) => true,
                Ok(other) => {
                    diags.push(
                        Diagnostic::error(
                            "SIG004",
                            format!("a validation condition must be true or false, not {}", other.type_name()),
                        )
                        .at(scope.span_of(&condition.value)),
                    );
                    true
                }
                Err(e) => {
                    diags.push(e.into_diagnostic());
                    true
                }
            };
            if !passed {
                let text = eval(&message.value, &mut scope)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_else(|| "the validation condition failed".into());
                diags.push(
                    Diagnostic::error("SIG008", format!("invalid value for variable \"{name}\": {text}"))
                        .at(span.clone())
                        .help(format!("the condition is at {}", location(sources, &scope.span_of(&condition.value)))),
                );
            }
        }
    }
    values
}

fn location(sources: &Sources, span: &Span) -> String {
    let (line, column) = sources.line_column(span.file, span.start());
    format!("{}:{line}:{column}", sources.name(span.file))
}

fn given_value(given: &VarAssignment, ty: &Type) -> Result<Value, Diagnostic> {
    let empty = ValueMap::default();
    match &given.value {
        RawValue::Json(v) => Ok(v.clone()),
        RawValue::Text(text) if ty.is_primitive() || *ty == Type::Any => Ok(Value::String(text.clone())),
        RawValue::Text(text) => {
            let expr = hcl::edit::parser::parse_expr(text).map_err(|e| {
                Diagnostic::error(
                    "SIG004",
                    format!(
                        "invalid value for variable \"{}\": {}",
                        given.name,
                        e.message().lines().next().unwrap_or("")
                    ),
                )
                .at(given.span.clone())
            })?;
            let mut scope = Scope::new(given.span.file, &empty);
            eval(&expr, &mut scope).map_err(|e| e.into_diagnostic())
        }
        RawValue::Expr(expr) => {
            let mut scope = Scope::new(given.span.file, &empty);
            eval(expr, &mut scope).map_err(|e| {
                Diagnostic::error("SIG004", format!("variable values must be literal: {}", e.message)).at(e.span)
            })
        }
    }
}
