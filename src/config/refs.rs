//! Which declarations an expression or a block refers to: `var.x`, `local.x`, `TYPE.NAME`,
//! `data.TYPE.NAME`, `module.NAME`. These become the edges that order evaluation and the resource graph.

use hcl::edit::expr::{Expression, Traversal, TraversalOperator};
use hcl::edit::structure::{Block, Body};
use hcl::edit::visit::{self, Visit};

/// A name an expression refers to, before we know whether it is declared.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reference {
    Variable(String),
    Local(String),
    Resource(String, String),
    Data(String, String),
    /// `module.NAME`: a module call's outputs.
    Module(String),
}

/// Names that are never references to declarations.
const NOT_DECLARATIONS: &[&str] = &["each", "count", "self", "path", "terraform"];

#[derive(Default)]
struct Collector {
    found: Vec<Reference>,
}

fn attr_name(op: Option<&hcl::edit::Decorated<TraversalOperator>>) -> Option<String> {
    match op.map(|o| o.value()) {
        Some(TraversalOperator::GetAttr(ident)) => Some(ident.value().as_str().to_string()),
        _ => None,
    }
}

impl Visit for Collector {
    fn visit_traversal(&mut self, node: &Traversal) {
        if let Expression::Variable(root) = &node.expr {
            let root = root.value().as_str();
            let ops = &node.operators;
            let first = attr_name(ops.first());
            match (root, first) {
                ("var", Some(name)) => self.found.push(Reference::Variable(name)),
                ("local", Some(name)) => self.found.push(Reference::Local(name)),
                ("module", Some(name)) => self.found.push(Reference::Module(name)),
                ("data", Some(type_name)) => {
                    if let Some(name) = attr_name(ops.get(1)) {
                        self.found.push(Reference::Data(type_name, name));
                    }
                }
                // `resource.TYPE.NAME`: Terraform's explicit form of `TYPE.NAME`.
                ("resource", Some(type_name)) => {
                    if let Some(name) = attr_name(ops.get(1)) {
                        self.found.push(Reference::Resource(type_name, name));
                    }
                }
                (root, Some(name)) if !NOT_DECLARATIONS.contains(&root) => {
                    self.found.push(Reference::Resource(root.to_string(), name));
                }
                _ => {}
            }
        }
        visit::visit_traversal(self, node);
    }
}

/// Whether an expression's value is sensitive: it reads something `marked` says is (a sensitive
/// variable, a local made of one) or calls `sensitive()`, outside any `nonsensitive()`. Terraform
/// carries the mark on values; following it through the syntax gives the same answer for what
/// configurations write (a value passed along, formatted, put in a map).
/// `marked` gets each reference and, for a resource's, the attribute read from it
/// (`azurerm_x.y[0].description` → `description`).
pub fn is_sensitive(expr: &Expression, marked: &dyn Fn(&Reference, Option<&str>) -> bool) -> bool {
    carries_mark(expr, marked, Some("sensitive"), "nonsensitive")
}

/// Whether an expression's value is ephemeral (Terraform 1.10): it reads an ephemeral variable or
/// a local made of one, outside any `ephemeralasnull()` (a function sigform does not have yet: a
/// call of it is an unknown function, so the exception never lets a value through).
pub fn is_ephemeral(expr: &Expression, marked: &dyn Fn(&Reference, Option<&str>) -> bool) -> bool {
    carries_mark(expr, marked, None, "ephemeralasnull")
}

/// Whether `expr` reads something `marked`, or calls `adds` (which marks its value), outside any
/// call of `clears` (which takes the mark off).
fn carries_mark(
    expr: &Expression,
    marked: &dyn Fn(&Reference, Option<&str>) -> bool,
    adds: Option<&str>,
    clears: &str,
) -> bool {
    struct Marks<'a> {
        marked: &'a dyn Fn(&Reference, Option<&str>) -> bool,
        adds: Option<&'a str>,
        clears: &'a str,
        found: bool,
    }
    impl Visit for Marks<'_> {
        fn visit_func_call(&mut self, call: &hcl::edit::expr::FuncCall) {
            let name = call.name.name.value().as_str();
            if name == self.clears {
                return;
            }
            if Some(name) == self.adds {
                self.found = true;
                return;
            }
            visit::visit_func_call(self, call);
        }

        fn visit_traversal(&mut self, node: &Traversal) {
            let mut c = Collector::default();
            c.visit_traversal(node);
            let attribute = attribute_read(node);
            if c.found.iter().any(|r| (self.marked)(r, attribute.as_deref())) {
                self.found = true;
            }
        }
    }
    let mut m = Marks { marked, adds, clears, found: false };
    m.visit_expr(expr);
    m.found
}

/// The attribute a resource reference reads: the first name after `TYPE.NAME` (and its index).
fn attribute_read(node: &Traversal) -> Option<String> {
    let Expression::Variable(root) = &node.expr else { return None };
    let skip = match root.value().as_str() {
        "data" | "resource" => 2,
        r if NOT_DECLARATIONS.contains(&r) || r == "var" || r == "local" || r == "module" => return None,
        _ => 1,
    };
    node.operators.iter().skip(skip).find_map(|op| match op.value() {
        TraversalOperator::GetAttr(a) => Some(a.value().as_str().to_string()),
        _ => None,
    })
}

pub fn in_expr(expr: &Expression) -> Vec<Reference> {
    let mut c = Collector::default();
    c.visit_expr(expr);
    c.found
}

pub fn in_body(body: &Body) -> Vec<Reference> {
    let mut c = Collector::default();
    c.visit_body(body);
    c.found
}

pub fn in_block(block: &Block) -> Vec<Reference> {
    in_body(&block.body)
}

/// `provider = azurerm.west` → "azurerm.west"; no provider argument → "azurerm".
pub fn provider_name(block: &Block) -> String {
    match block.body.get_attribute("provider") {
        None => "azurerm".into(),
        Some(a) => {
            let path = traversal_path(&a.value);
            if path.is_empty() { "azurerm.?".into() } else { path.join(".") }
        }
    }
}

/// `a.b.c` as ["a", "b", "c"]; empty for anything that is not a plain attribute path.
pub fn traversal_path(expr: &Expression) -> Vec<String> {
    match expr {
        Expression::Variable(v) => vec![v.value().as_str().to_string()],
        Expression::Traversal(t) => {
            let mut path = traversal_path(&t.expr);
            if path.is_empty() {
                return path;
            }
            for op in &t.operators {
                match op.value() {
                    TraversalOperator::GetAttr(n) => path.push(n.value().as_str().to_string()),
                    _ => return Vec::new(),
                }
            }
            path
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitivity_follows_references_and_the_mark_functions() {
        let marked = |r: &Reference, attr: Option<&str>| {
            matches!(r, Reference::Variable(v) if v == "secret")
                || matches!(r, Reference::Resource(t, n) if t == "azurerm_x" && n == "y") && attr == Some("description")
        };
        for (text, sensitive) in [
            ("var.secret", true),
            ("\"x-${var.secret}\"", true),
            ("{ a = [upper(var.secret)] }", true),
            ("nonsensitive(var.secret)", false),
            ("length(nonsensitive(var.secret)) + length(var.plain)", false),
            ("sensitive(\"literal\")", true),
            ("var.plain", false),
            ("azurerm_x.y.description", true),
            ("azurerm_x.y[0].description", true),
            ("resource.azurerm_x.y.description", true),
            ("azurerm_x.y.name", false),
        ] {
            let expr = hcl::edit::parser::parse_expr(text).unwrap();
            assert_eq!(is_sensitive(&expr, &marked), sensitive, "{text}");
        }
    }

    #[test]
    fn references_are_found_everywhere() {
        let body = hcl::edit::parser::parse_body(
            r#"
            a = var.x
            b = "${local.y}-${azurerm_shared_image_gallery.g.name}"
            c = [for r in data.azurerm_image.i.tags : r]
            e = resource.azurerm_resource_group.rg.name
            f = module.images["linux"].gallery_id
            dynamic "target_region" {
              for_each = var.regions
              content { name = each.key }
            }
            d = count.index
            "#,
        )
        .unwrap();
        let mut refs = in_body(&body);
        refs.sort();
        assert_eq!(
            refs,
            vec![
                Reference::Variable("regions".into()),
                Reference::Variable("x".into()),
                Reference::Local("y".into()),
                Reference::Resource("azurerm_resource_group".into(), "rg".into()),
                Reference::Resource("azurerm_shared_image_gallery".into(), "g".into()),
                Reference::Data("azurerm_image".into(), "i".into()),
                Reference::Module("images".into()),
            ]
        );
    }
}
