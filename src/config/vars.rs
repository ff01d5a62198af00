//! Values for input variables, from wherever Terraform takes them: `TF_VAR_*`, `terraform.tfvars`,
//! `*.auto.tfvars`, `--var-file` and `--var`. The caller lists them lowest precedence first;
//! evaluation lets later assignments win.

use super::{FileId, Sources, syntax_diagnostic};
use crate::diagnostic::{Diagnostic, Span};
use crate::model::value::Value;
use hcl::edit::Span as _;
use hcl::edit::expr::Expression;
use hcl::edit::structure::Structure;

#[derive(Debug, Clone)]
pub enum RawValue {
    /// An HCL expression from a `.tfvars` file.
    Expr(Expression),
    /// A string from `--var` or `TF_VAR_`: used as is for primitive types, parsed as HCL otherwise.
    Text(String),
    /// A value already evaluated: from a `.tfvars.json` file, or a module call's argument.
    Json(Value),
}

#[derive(Debug, Clone)]
pub struct VarAssignment {
    pub name: String,
    pub value: RawValue,
    /// Where the value was given, for diagnostics.
    pub span: Span,
    /// `TF_VAR_` values for undeclared variables are ignored silently, as Terraform does;
    /// a `.tfvars` file's are warned about; `--var`'s are errors.
    pub origin: Origin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Environment,
    File,
    CommandLine,
    /// An argument of a `module` block, for the module's variable of that name.
    ModuleArgument,
}

/// Reads the assignments of a `.tfvars` (HCL) or `.tfvars.json` file already in `sources`.
pub fn parse_file(sources: &Sources, file: FileId) -> Result<Vec<VarAssignment>, Diagnostic> {
    let text = sources.text(file);
    if sources.name(file).ends_with(".json") {
        let json: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| Diagnostic::error("SIG001", format!("invalid JSON: {e}")).at(Span::new(file, 0..0)))?;
        let serde_json::Value::Object(map) = json else {
            return Err(
                Diagnostic::error("SIG001", "a .tfvars.json file must hold one JSON object").at(Span::new(file, 0..0))
            );
        };
        return Ok(map
            .into_iter()
            .map(|(name, v)| VarAssignment {
                name,
                value: RawValue::Json(Value::from_json(&v)),
                span: Span::new(file, 0..0),
                origin: Origin::File,
            })
            .collect());
    }
    let body = hcl::edit::parser::parse_body(text).map_err(|e| syntax_diagnostic(sources, file, &e))?;
    let mut out = Vec::new();
    for structure in body.iter() {
        match structure {
            Structure::Attribute(attr) => out.push(VarAssignment {
                name: attr.key.value().as_str().to_string(),
                value: RawValue::Expr(attr.value.clone()),
                span: Span::new(file, attr.value.span().unwrap_or(0..0)),
                origin: Origin::File,
            }),
            Structure::Block(block) => {
                return Err(Diagnostic::error(
                    "SIG002",
                    format!("blocks are not allowed in a variables file (found `{}`)", block.ident.value().as_str()),
                )
                .at(Span::new(file, block.ident.span().unwrap_or(0..0)))
                .help("a variables file holds only assignments: name = value"));
            }
        }
    }
    Ok(out)
}

/// `--var NAME=VALUE`: the value becomes a pseudo-file so diagnostics can quote it.
pub fn from_command_line(sources: &mut Sources, arg: &str) -> Result<VarAssignment, Diagnostic> {
    let Some((name, value)) = arg.split_once('=') else {
        let file = sources.add("<command line>", format!("--var {arg}"));
        return Err(Diagnostic::error("SIG008", format!("--var \"{arg}\" is not NAME=VALUE"))
            .at(Span::new(file, 0..arg.len() + 6))
            .help("write it as --var 'name=value'"));
    };
    let name = name.trim().to_string();
    let file = sources.add(format!("<--var {name}>"), value);
    Ok(VarAssignment {
        name,
        value: RawValue::Text(value.to_string()),
        span: Span::new(file, 0..value.len()),
        origin: Origin::CommandLine,
    })
}

/// `TF_VAR_name=value` environment variables.
pub fn from_environment(sources: &mut Sources, env: impl IntoIterator<Item = (String, String)>) -> Vec<VarAssignment> {
    let mut vars: Vec<(String, String)> = env
        .into_iter()
        .filter_map(|(k, v)| k.strip_prefix("TF_VAR_").map(|n| (n.to_string(), v)))
        .filter(|(n, _)| !n.is_empty())
        .collect();
    vars.sort();
    vars.into_iter()
        .map(|(name, value)| {
            let file = sources.add(format!("<env TF_VAR_{name}>"), value.clone());
            VarAssignment {
                name,
                span: Span::new(file, 0..value.len()),
                value: RawValue::Text(value),
                origin: Origin::Environment,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tfvars_files_yield_assignments_with_places() {
        let mut sources = Sources::new();
        let f = sources.add("terraform.tfvars", "region = \"eastus\"\nreplicas = 2\n");
        let vars = parse_file(&sources, f).unwrap();
        assert_eq!(vars.len(), 2);
        assert_eq!(vars[1].name, "replicas");
        assert_eq!(sources.line_column(f, vars[1].span.start()), (2, 12));

        let bad = sources.add("bad.tfvars", "x {\n}\n");
        assert_eq!(parse_file(&sources, bad).unwrap_err().rule, "SIG002");
        let json = sources.add("a.tfvars.json", r#"{"n": 1}"#);
        assert!(matches!(parse_file(&sources, json).unwrap()[0].value, RawValue::Json(Value::Number(_))));
    }

    #[test]
    fn command_line_and_environment_values() {
        let mut sources = Sources::new();
        let v = from_command_line(&mut sources, "region=West Europe").unwrap();
        assert_eq!(v.name, "region");
        assert!(matches!(&v.value, RawValue::Text(t) if t == "West Europe"));
        assert!(from_command_line(&mut sources, "novalue").is_err());
        let env = from_environment(
            &mut sources,
            [("TF_VAR_b".to_string(), "2".to_string()), ("PATH".to_string(), "/bin".to_string())],
        );
        assert_eq!(env.len(), 1);
        assert_eq!(env[0].origin, Origin::Environment);
    }
}
