//! Language tests: each feature of the configuration language evaluated through the whole configuration
//! pipeline, on in-memory files.

use crate::config::Sources;
use crate::config::vars::{self, VarAssignment};
use crate::diagnostic::Diagnostic;
use crate::eval::Environment;
use crate::model::graph::DependencyGraph;
use crate::model::value::Value;
use crate::model::{Desired, Instance};
use crate::pipeline::check_configuration;
use crate::rules::RuleContext;

struct Run {
    desired: Desired,
    diagnostics: Vec<Diagnostic>,
    sources: Sources,
}

impl Run {
    fn errors(&self) -> Vec<String> {
        self.diagnostics.iter().filter(|d| d.is_error()).map(|d| format!("{} {}", d.rule, d.message)).collect()
    }

    fn clean(self) -> Run {
        assert!(self.diagnostics.is_empty(), "unexpected diagnostics: {:#?}", self.diagnostics);
        self
    }

    fn get(&self, address: &str) -> &Instance {
        self.desired.all_instances().find(|i| i.address.to_string() == address).unwrap_or_else(|| {
            let all: Vec<String> = self.desired.all_instances().map(|i| i.address.to_string()).collect();
            panic!("no {address} among {all:?}")
        })
    }

    fn output(&self, name: &str) -> &Value {
        &self.desired.outputs.iter().find(|o| o.name == name).expect("output").value
    }

    fn line_of(&self, d: &Diagnostic) -> usize {
        let s = d.span.as_ref().expect("place");
        self.sources.line_column(s.file, s.start()).0
    }
}

fn run_with(files: &[(&str, &str)], cli_vars: &[&str], env: &[(&str, &str)]) -> Run {
    let mut sources = Sources::new();
    for (name, text) in files.iter().filter(|(n, _)| n.ends_with(".tf")) {
        sources.add(*name, *text);
    }
    let mut assignments: Vec<VarAssignment> =
        vars::from_environment(&mut sources, env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    for (name, text) in files.iter().filter(|(n, _)| !n.ends_with(".tf")) {
        let id = sources.add(*name, *text);
        assignments.extend(vars::parse_file(&sources, id).expect("variables file parses"));
    }
    for v in cli_vars {
        assignments.push(vars::from_command_line(&mut sources, v).expect("NAME=VALUE"));
    }
    let environment = Environment { subscription_id: Some("sub-env".into()), ..Default::default() };
    let checked = check_configuration(
        &sources,
        &assignments,
        &environment,
        None,
        &RuleContext { now_unix: super::super::rules::tests::NOW },
    );
    Run { desired: checked.desired, diagnostics: checked.diagnostics, sources }
}

fn run(text: &str) -> Run {
    run_with(&[("main.tf", text)], &[], &[])
}

const RG: &str = r#"
resource "azurerm_resource_group" "rg" {
  name     = "rg"
  location = "eastus"
}
resource "azurerm_shared_image_gallery" "g" {
  name                = "gal"
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_resource_group.rg.location
}
resource "azurerm_image" "img" {
  name                = "img"
  resource_group_name = "rg"
  location            = "eastus"
  os_disk {
    os_type  = "Linux"
    os_state = "Generalized"
  }
}
"#;

fn with_rg(rest: &str) -> String {
    format!("{RG}{rest}")
}

#[test]
fn ids_are_deterministic_and_known_at_plan_time() {
    let r = run(&with_rg("output \"gid\" {\n  value = azurerm_shared_image_gallery.g.id\n}\n")).clean();
    assert_eq!(
        r.output("gid"),
        &Value::string("/subscriptions/sub-env/resourceGroups/rg/providers/Microsoft.Compute/galleries/gal")
    );
    assert_eq!(r.get("azurerm_resource_group.rg").id.as_deref(), Some("/subscriptions/sub-env/resourceGroups/rg"));
}

#[test]
fn count_and_count_index() {
    let r = run(&with_rg(
        r#"
resource "azurerm_shared_image" "d" {
  count               = 2
  name                = "def-${count.index}"
  gallery_name        = azurerm_shared_image_gallery.g.name
  resource_group_name = "rg"
  location            = "eastus"
  os_type             = "Linux"
  identifier {
    publisher = "p"
    offer     = "o"
    sku       = "s${count.index}"
  }
}
output "second" {
  value = azurerm_shared_image.d[1].name
}
output "all" {
  value = azurerm_shared_image.d[*].name
}
"#,
    ))
    .clean();
    assert_eq!(r.get("azurerm_shared_image.d[1]").attrs.str("name"), Some("def-1"));
    assert_eq!(r.output("second"), &Value::string("def-1"));
    assert_eq!(r.output("all").to_string(), "[\"def-0\", \"def-1\"]");
}

#[test]
fn for_each_over_maps_and_sets_with_dynamic_blocks() {
    let r = run(&with_rg(
        r#"
variable "regions" {
  type    = map(number)
  default = { "East US" = 2, westeurope = 1 }
}
resource "azurerm_shared_image" "d" {
  name                = "def"
  gallery_name        = "gal"
  resource_group_name = "rg"
  location            = "eastus"
  os_type             = "Linux"
  identifier {
    publisher = "p"
    offer     = "o"
    sku       = "s"
  }
}
resource "azurerm_shared_image_version" "v" {
  for_each            = toset(["1.0.0", "1.1.0"])
  name                = each.key
  gallery_name        = "gal"
  image_name          = azurerm_shared_image.d.name
  resource_group_name = "rg"
  location            = "eastus"
  managed_image_id    = azurerm_image.img.id
  dynamic "target_region" {
    for_each = var.regions
    iterator = r
    content {
      name                   = r.key
      regional_replica_count = r.value
    }
  }
}
output "ids" {
  value = { for k, v in azurerm_shared_image_version.v : k => v.name }
}
"#,
    ))
    .clean();
    let v = r.get("azurerm_shared_image_version.v[\"1.1.0\"]");
    let regions = v.attrs.blocks("target_region");
    assert_eq!(regions.len(), 2);
    assert_eq!(regions[0].attrs.str("name"), Some("East US"));
    assert_eq!(regions[0].attrs.num("regional_replica_count"), Some(2.0));
    assert_eq!(r.output("ids").to_string(), "{1.0.0 = \"1.0.0\", 1.1.0 = \"1.1.0\"}");
}

#[test]
fn provider_aliases_choose_the_subscription() {
    let r = run(&with_rg(
        r#"
provider "azurerm" {
  features {}
}
provider "azurerm" {
  alias           = "shared"
  subscription_id = "sub-shared"
  features {}
}
resource "azurerm_resource_group" "other" {
  provider = azurerm.shared
  name     = "rg2"
  location = "eastus"
}
"#,
    ))
    .clean();
    assert_eq!(r.get("azurerm_resource_group.other").subscription_id, "sub-shared");
    assert_eq!(r.get("azurerm_resource_group.rg").subscription_id, "sub-env");
    let bad = run(&with_rg(
        "resource \"azurerm_resource_group\" \"x\" {\n  provider = azurerm.nope\n  name = \"x\"\n  location = \"eastus\"\n}\n",
    ));
    assert!(bad.errors().iter().any(|e| e.contains("provider `azurerm.nope` is not configured")), "{:?}", bad.errors());
}

#[test]
fn locals_evaluate_in_dependency_order_and_cycles_are_named() {
    let r =
        run("locals {\n  b = \"${local.a}-b\"\n  a = upper(\"a\")\n}\noutput \"b\" {\n  value = local.b\n}\n").clean();
    assert_eq!(r.output("b"), &Value::string("A-b"));

    let cyclic = run("locals {\n  a = local.b\n  b = local.c\n  c = local.a\n}\n");
    let errors = cyclic.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("SIG007 dependency cycle: local.a → local.b → local.c → local.a"), "{errors:?}");
}

#[test]
fn implicit_parent_links_order_resources_even_with_plain_names() {
    let r = run(&with_rg(
        r#"
resource "azurerm_shared_image" "d" {
  name                = "def"
  gallery_name        = "gal"
  resource_group_name = "rg"
  location            = "eastus"
  os_type             = "Linux"
  identifier {
    publisher = "p"
    offer     = "o"
    sku       = "s"
  }
}
resource "azurerm_role_assignment" "ra" {
  scope                = "/subscriptions/sub-env/resourceGroups/rg/providers/Microsoft.Compute/galleries/gal/images/def"
  role_definition_name = "Reader"
  principal_id         = "p1"
}
"#,
    ))
    .clean();
    let (graph, diags) = DependencyGraph::build(&r.desired);
    assert!(diags.is_empty());
    let order: Vec<String> = graph.creation_order().unwrap().iter().map(|a| a.to_string()).collect();
    let pos = |a: &str| order.iter().position(|x| x == a).unwrap();
    assert!(pos("azurerm_resource_group.rg") < pos("azurerm_shared_image_gallery.g"));
    assert!(pos("azurerm_shared_image_gallery.g") < pos("azurerm_shared_image.d"), "{order:?}");
    assert!(pos("azurerm_shared_image.d") < pos("azurerm_role_assignment.ra"), "{order:?}");
    let dot = graph.to_dot();
    assert!(dot.contains("\"azurerm_shared_image.d\" -> \"azurerm_shared_image_gallery.g\""), "{dot}");
    // The role assignment's name is deterministic, so its id is known.
    let ra = r.get("azurerm_role_assignment.ra");
    assert!(ra.id.as_deref().unwrap().contains("/providers/Microsoft.Authorization/roleAssignments/"));
    assert_eq!(
        ra.id,
        run(&with_rg(&r.sources.text(crate::config::FileId(0))[RG.len()..])).get("azurerm_role_assignment.ra").id
    );
}

#[test]
fn a_cycle_through_implicit_links_is_found() {
    // The gallery's description refers to a definition, which lives in the gallery.
    let r = run(r#"
resource "azurerm_shared_image_gallery" "g" {
  name                = "gal"
  resource_group_name = "rg"
  location            = "eastus"
  description         = "holds ${azurerm_shared_image.d.name}"
}
resource "azurerm_shared_image" "d" {
  name                = "def"
  gallery_name        = "gal"
  resource_group_name = "rg"
  location            = "eastus"
  os_type             = "Linux"
  identifier {
    publisher = "p"
    offer     = "o"
    sku       = "s"
  }
}
"#);
    let errors = r.errors();
    assert!(
        errors.iter().any(|e| e.starts_with("SIG007") && e.contains("azurerm_shared_image_gallery.g")),
        "{errors:?}"
    );
}

#[test]
fn depends_on_lifecycle_and_timeouts() {
    let r = run(&with_rg(
        r#"
resource "azurerm_resource_group" "late" {
  name       = "late"
  location   = "eastus"
  depends_on = [azurerm_shared_image_gallery.g]
  lifecycle {
    prevent_destroy = true
    ignore_changes  = [tags]
  }
  timeouts {
    create = "2h"
  }
}
"#,
    ))
    .clean();
    let late = r.get("azurerm_resource_group.late");
    assert!(late.lifecycle.prevent_destroy);
    assert_eq!(late.lifecycle.ignore_changes, vec!["tags".to_string()]);
    assert!(late.depends_on.iter().any(|d| d.to_string() == "azurerm_shared_image_gallery.g"));
    // Instances naming the same block share one copy of its address.
    let two = run(&with_rg(
        "resource \"azurerm_shared_image_gallery\" \"h\" {\n  name                = \"h\"\n  resource_group_name = azurerm_resource_group.rg.name\n  location            = \"eastus\"\n}\n",
    ))
    .clean();
    let rg_of = |i: &Instance| i.depends_on.iter().find(|d| d.to_string() == "azurerm_resource_group.rg").cloned();
    let g = rg_of(two.get("azurerm_shared_image_gallery.g")).expect("g names rg");
    let h = rg_of(two.get("azurerm_shared_image_gallery.h")).expect("h names rg");
    assert!(std::sync::Arc::ptr_eq(&g, &h));
    let bad = run(&with_rg(
        "resource \"azurerm_resource_group\" \"x\" {\n  name = \"x\"\n  location = \"eastus\"\n  lifecycle {\n    ignore_changes = [colour]\n  }\n}\n",
    ));
    assert!(bad.errors().iter().any(|e| e.contains("`colour`")), "{:?}", bad.errors());
}

#[test]
fn try_and_can_catch_errors() {
    let r = run("variable \"m\" {\n  default = { a = 1 }\n}\noutput \"t\" {\n  value = try(var.m.b, var.m.a)\n}\noutput \"c\" {\n  value = can(var.m.b)\n}\n").clean();
    assert_eq!(r.output("t"), &Value::Number(1.0));
    assert_eq!(r.output("c"), &Value::Bool(false));
}

#[test]
fn data_sources_have_ids_and_client_config() {
    let r = run(r#"
data "azurerm_client_config" "current" {}
data "azurerm_image" "packer" {
  name                = "ubuntu"
  resource_group_name = "rg-packer"
}
output "sub" {
  value = data.azurerm_client_config.current.subscription_id
}
output "image" {
  value = data.azurerm_image.packer.id
}
output "image_location" {
  value = data.azurerm_image.packer.location
}
"#)
    .clean();
    assert_eq!(r.output("sub"), &Value::string("sub-env"));
    assert_eq!(
        r.output("image"),
        &Value::string("/subscriptions/sub-env/resourceGroups/rg-packer/providers/Microsoft.Compute/images/ubuntu")
    );
    assert_eq!(r.output("image_location"), &Value::Unknown, "computed attributes are known only from the cloud");
}

#[test]
fn variables_take_values_in_terraforms_order() {
    let files = [
        (
            "main.tf",
            "variable \"a\" {\n  type = number\n}\nvariable \"b\" {\n  default = \"default\"\n}\nvariable \"c\" {\n  type = list(string)\n}\noutput \"a\" {\n  value = var.a\n}\noutput \"b\" {\n  value = var.b\n}\noutput \"c\" {\n  value = var.c\n}\n",
        ),
        ("terraform.tfvars", "a = 1\nb = \"file\"\n"),
        ("x.auto.tfvars", "a = 2\n"),
    ];
    let r = run_with(&files, &["a=3", "c=[\"x\", \"y\"]"], &[("TF_VAR_b", "env"), ("TF_VAR_a", "0")]).clean();
    assert_eq!(r.output("a"), &Value::Number(3.0), "--var wins over files and environment");
    assert_eq!(r.output("b"), &Value::string("file"), "terraform.tfvars wins over TF_VAR_");
    assert_eq!(r.output("c").to_string(), "[\"x\", \"y\"]", "complex --var values parse as HCL");

    let r = run_with(&files[..1], &[], &[("TF_VAR_a", "5"), ("TF_VAR_c", "[]")]).clean();
    assert_eq!(r.output("a"), &Value::Number(5.0));
    assert_eq!(r.output("b"), &Value::string("default"));
}

#[test]
fn variable_errors_point_at_the_value() {
    let decl = "variable \"n\" {\n  type = number\n  validation {\n    condition     = var.n < 10\n    error_message = \"n must be below 10.\"\n  }\n}\nvariable \"required\" {}\n";
    let r = run_with(&[("main.tf", decl), ("terraform.tfvars", "n = 12\n")], &["required=x"], &[]);
    let errors = r.errors();
    assert_eq!(errors, vec!["SIG008 invalid value for variable \"n\": n must be below 10.".to_string()]);
    assert_eq!(r.sources.name(r.diagnostics[0].span.as_ref().unwrap().file), "terraform.tfvars");

    let r = run_with(&[("main.tf", decl)], &["n=ten", "nope=1"], &[]);
    let errors = r.errors();
    assert!(errors.iter().any(|e| e.starts_with("SIG004 invalid value for variable \"n\"")), "{errors:?}");
    assert!(errors.iter().any(|e| e.starts_with("SIG008 no value for required variable \"required\"")), "{errors:?}");
    assert!(errors.iter().any(|e| e.starts_with("SIG008 --var sets undeclared variable \"nope\"")), "{errors:?}");
}

#[test]
fn schema_errors_suggest_and_refuse_unsupported_features() {
    let r = run(&with_rg(
        r#"
resource "azurerm_shared_image_version" "v" {
  name                = "1.0.0"
  galery_name         = "gal"
  image_name          = "def"
  resource_group_name = "rg"
  location            = "eastus"
  id                  = "nope"
  target_region {
    name = "eastus"
  }
}
resource "azurerm_image" "z" {
  name                = "z"
  resource_group_name = "rg"
  location            = "eastus"
  zone_resilient      = true
}
resource "azurerm_shared_image_gallery_sharing" "s" {}
resource "azurerm_shared_imag" "t" {}
"#,
    ));
    let errors = r.errors();
    let has = |needle: &str| assert!(errors.iter().any(|e| e.contains(needle)), "{needle}: {errors:#?}");
    has("SIG002 unknown argument `galery_name`");
    has("SIG003 missing required argument `gallery_name`");
    has("SIG002 `zone_resilient` is an azurerm argument that sigform does not support yet");
    has("SIG002 `id` is set by Azure");
    has("SIG002 resource type `azurerm_shared_image_gallery_sharing` is not supported yet");
    has("SIG002 unknown resource type `azurerm_shared_imag`");
    let suggestion = r.diagnostics.iter().find(|d| d.message.contains("galery_name")).unwrap();
    assert_eq!(suggestion.help.as_deref(), Some("did you mean `gallery_name`?"));
    assert_eq!(r.line_of(suggestion), RG.lines().count() + 4);
}

#[test]
fn duplicates_and_bad_expansions() {
    let r = run(&format!(
        "{RG}{}",
        &RG[RG.find("resource \"azurerm_shared_image_gallery\"").unwrap()
            ..RG.find("resource \"azurerm_image\"").unwrap()]
    ));
    assert!(
        r.errors().iter().any(|e| e.starts_with("SIG009 `azurerm_shared_image_gallery.g` is declared twice")),
        "{:?}",
        r.errors()
    );

    let r = run(&with_rg(
        "resource \"azurerm_resource_group\" \"x\" {\n  count = azurerm_shared_image_gallery.g.unique_name == \"\" ? 1 : 0\n  name = \"x\"\n  location = \"eastus\"\n}\n",
    ));
    assert!(
        r.errors().iter().any(|e| e.starts_with("SIG010 `count` depends on values known only after apply")),
        "{:?}",
        r.errors()
    );
    let r = run(
        "resource \"azurerm_resource_group\" \"x\" {\n  for_each = [1, 2]\n  name = \"x\"\n  location = \"eastus\"\n}\n",
    );
    assert!(r.errors().iter().any(|e| e.starts_with("SIG010")), "{:?}", r.errors());
}

#[test]
fn imports_outputs_and_settings() {
    let r = run(&with_rg(
        r#"
import {
  to = azurerm_shared_image_gallery.g
  id = "/subscriptions/sub-env/resourceGroups/rg/providers/Microsoft.Compute/galleries/gal"
}
output "secret" {
  value     = "s3cret"
  sensitive = true
}
sigform {
  parallelism                = 4
  wait_for_replication       = false
  keep_latest_in_all_regions = 3
  quotas {
    galleries = 100
  }
  prices {
    egress_gb = 0.02
  }
}
"#,
    ))
    .clean();
    assert_eq!(r.desired.imports.len(), 1);
    assert_eq!(r.desired.imports[0].to.to_string(), "azurerm_shared_image_gallery.g");
    assert!(r.desired.outputs.iter().any(|o| o.name == "secret" && o.sensitive));
    let s = &r.desired.settings;
    assert_eq!((s.parallelism, s.wait_for_replication, s.keep_latest_in_all_regions), (4, false, Some(3)));
    assert_eq!(s.quotas().galleries, 100);
    assert_eq!(s.quotas().image_versions, 10000, "today's default where the configuration says nothing");
    assert_eq!(s.profile.name, "current");
    assert_eq!(s.prices.egress_gb, Some(0.02));

    let bad =
        run("import {\n  to = azurerm_shared_image_gallery.nope\n  id = \"x\"\n}\nsigform {\n  paralelism = 2\n}\n");
    let errors = bad.errors();
    assert!(errors.iter().any(|e| e.starts_with("SIG005 `to` must name a resource")), "{errors:?}");
    assert!(errors.iter().any(|e| e.starts_with("SIG002 unknown setting `paralelism`")), "{errors:?}");
}

#[test]
fn the_examples_validate_clean() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for example in ["quickstart", "multi-region"] {
        let mut files: Vec<(String, String)> = std::fs::read_dir(dir.join(example))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "tf" || e == "tfvars"))
            .map(|p| (p.file_name().unwrap().to_str().unwrap().to_string(), std::fs::read_to_string(&p).unwrap()))
            .collect();
        files.sort();
        let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
        let r = run_with(&refs, &[], &[]);
        assert!(r.diagnostics.is_empty(), "{example}: {:#?}", r.diagnostics);
    }
}

/// Blocks nobody refers to get no value in the scope (a memory saving at the quota ceiling);
/// they must still be planned, and every kind of reference must still find what it names.
#[test]
fn unreferenced_blocks_are_planned_and_referenced_ones_resolve() {
    let r = run(&with_rg(
        r#"
resource "azurerm_shared_image_gallery" "lonely" {
  count               = 2
  name                = "lonely${count.index}"
  resource_group_name = azurerm_resource_group.rg.name
  location            = "eastus"
}
resource "azurerm_shared_image_gallery" "named" {
  name                = "named"
  resource_group_name = "rg"
  location            = "eastus"
}
resource "azurerm_shared_image_gallery" "waited_for" {
  name                = "waited"
  resource_group_name = "rg"
  location            = "eastus"
  depends_on          = [azurerm_shared_image_gallery.named]
}
output "names" {
  value = [azurerm_shared_image_gallery.named.name, try(azurerm_shared_image_gallery.waited_for.location, "none")]
}
"#,
    ))
    .clean();
    assert_eq!(r.get("azurerm_shared_image_gallery.lonely[1]").attrs.str("name"), Some("lonely1"));
    assert_eq!(r.output("names"), &Value::List(vec![Value::string("named"), Value::string("eastus")]));
}

/// `try` and `can` catch what goes wrong in real functions and values, never a mistake in the
/// configuration: an unknown function or an undeclared name is an error inside them too (a
/// variable's validation once failed with its own message because `can(regex(...))` quietly
/// answered false while `regex` was unknown).
#[test]
fn try_and_can_do_not_swallow_mistakes() {
    let r = run(r#"
variable "gallery_name" {
  type    = string
  default = "golden_images"
  validation {
    condition     = can(regex("^[A-Za-z0-9_.]+$", var.gallery_name))
    error_message = "letters, digits, periods and underscores only"
  }
}
output "bad" {
  value = can(regex("^[0-9]+$", "abc"))
}
"#)
    .clean();
    assert_eq!(r.output("bad"), &Value::Bool(false), "a function failing on its input is caught");
    for (expr, wanted) in [
        ("can(regexx(\"a\", \"b\"))", "SIG006 unknown function `regexx`"),
        ("try(nosuchfunction(1), \"fallback\")", "SIG006 unknown function `nosuchfunction`"),
        ("can(var.undeclared)", "SIG005 `var` has no attribute `undeclared`"),
        ("try(local.nothing, 1)", "SIG005 `local` has no attribute `nothing`"),
    ] {
        let r = run(&format!("output \"o\" {{\n  value = {expr}\n}}\n"));
        let errors = r.errors();
        assert!(errors.iter().any(|e| e.starts_with(wanted)), "{expr}: {errors:?}");
    }
}

/// Modules and verified-module style configurations pass `null` to every optional argument:
/// `null` is "not set", also for azurerm arguments sigform does not support yet; a block sigform
/// lacks generated zero times, or a resource type it lacks with no instance, sets nothing.
#[test]
fn null_and_nothing_are_not_set() {
    let r = run(&with_rg(
        r#"
variable "purchase_plan" {
  type    = object({ name = string, publisher = string, product = string })
  default = null
}
variable "replication_mode" {
  type    = string
  default = null
}
resource "azurerm_shared_image" "def" {
  name                                = "def"
  gallery_name                        = azurerm_shared_image_gallery.g.name
  resource_group_name                 = "rg"
  location                            = "eastus"
  os_type                             = "Linux"
  trusted_launch_enabled              = null
  accelerated_network_support_enabled = null
  identifier {
    publisher = "p"
    offer     = "o"
    sku       = "s"
  }
  dynamic "purchase_plan" {
    for_each = var.purchase_plan == null ? [] : [var.purchase_plan]
    content {
      name = purchase_plan.value.name
    }
  }
}
resource "azurerm_storage_account" "unused" {
  count = 0
  name  = "x"
}
resource "azurerm_managed_disk" "also_unused" {
  for_each = {}
  name     = each.key
}
resource "azurerm_resource_group" "by_resource" {
  name     = "rg-two"
  location = resource.azurerm_resource_group.rg.location
}
resource "azurerm_shared_image_gallery" "timeouts" {
  name                = "gal2"
  resource_group_name = "rg"
  location            = "eastus"
  dynamic "timeouts" {
    for_each = [1]
    content {
      create = "30m"
    }
  }
}
output "unused" {
  value = length(azurerm_storage_account.unused)
}
"#,
    ))
    .clean();
    assert_eq!(r.get("azurerm_resource_group.by_resource").attrs.str("location"), Some("eastus"));
    assert_eq!(r.output("unused"), &Value::Number(0.0));
    let by_resource = r.get("azurerm_resource_group.by_resource");
    assert!(
        by_resource.depends_on.iter().any(|d| d.to_string() == "azurerm_resource_group.rg")
            || by_resource.references.iter().any(|d| d.to_string() == "azurerm_resource_group.rg"),
        "a resource. reference is a dependency: {:?} {:?}",
        by_resource.depends_on,
        by_resource.references
    );

    // Set to a value, or generated once, they are refused as before.
    let set = run(&with_rg(
        "resource \"azurerm_image\" \"z\" {\n  name = \"z\"\n  resource_group_name = \"rg\"\n  location = \"eastus\"\n  zone_resilient = true\n  os_disk {\n    os_type = \"Linux\"\n    os_state = \"Generalized\"\n  }\n}\n",
    ));
    assert!(
        set.errors()
            .iter()
            .any(|e| e.contains("`zone_resilient` is an azurerm argument that sigform does not support yet")),
        "{:?}",
        set.errors()
    );
    let once = run("resource \"azurerm_storage_account\" \"sa\" {\n  count = 1\n  name  = \"x\"\n}\n");
    assert!(
        once.errors().iter().any(|e| e.contains("`azurerm_storage_account` is not supported yet")),
        "{:?}",
        once.errors()
    );
}

/// Lifecycle settings do what they say or are refused: preconditions are checked per instance
/// with their own message; postcondition and replace_triggered_by are refused where written.
#[test]
fn preconditions_are_checked_and_unsupported_lifecycle_is_refused() {
    let text = |condition: &str| {
        with_rg(&format!(
            r#"
variable "regions" {{
  default = {{ a = "eastus", b = "westus" }}
}}
resource "azurerm_resource_group" "each" {{
  for_each = var.regions
  name     = "rg-${{each.key}}"
  location = each.value
  lifecycle {{
    precondition {{
      condition     = {condition}
      error_message = "region ${{each.value}} is not allowed here"
    }}
  }}
}}
output "o" {{
  value = 1
  precondition {{
    condition     = length(var.regions) > 1
    error_message = "two regions at least"
  }}
}}
"#
        ))
    };
    run(&text("each.value != \"northeurope\"")).clean();
    let failed = run(&text("each.value == \"eastus\""));
    assert_eq!(failed.errors(), vec!["SIG012 precondition failed: region westus is not allowed here"]);
    // Known only after apply: it cannot be checked yet, and holds until then.
    run(&text("azurerm_shared_image_gallery.g.unique_name != \"\"")).clean();

    let refused = run(&with_rg(
        "resource \"azurerm_resource_group\" \"x\" {\n  name = \"x\"\n  location = \"eastus\"\n  lifecycle {\n    replace_triggered_by = [azurerm_resource_group.rg]\n    postcondition {\n      condition = true\n      error_message = \"x\"\n    }\n  }\n}\n",
    ));
    let errors = refused.errors();
    assert!(errors.iter().any(|e| e == "SIG002 `replace_triggered_by` is not supported yet"), "{errors:?}");
    assert!(errors.iter().any(|e| e == "SIG002 `postcondition` is not supported yet"), "{errors:?}");
}

/// `timeouts` values are durations as Terraform writes them; anything else is refused where it
/// is written. Written or generated by `dynamic`, they reach the instance.
#[test]
fn timeouts_are_durations() {
    let r = run(&with_rg(
        "resource \"azurerm_resource_group\" \"t\" {\n  name = \"t\"\n  location = \"eastus\"\n  timeouts {\n    create = \"1h30m\"\n    delete = \"90s\"\n  }\n}\nresource \"azurerm_resource_group\" \"d\" {\n  name = \"d\"\n  location = \"eastus\"\n  dynamic \"timeouts\" {\n    for_each = [\"45m\"]\n    content {\n      update = timeouts.value\n    }\n  }\n}\n",
    ))
    .clean();
    let t = r.get("azurerm_resource_group.t").lifecycle.timeouts;
    assert_eq!((t.create, t.update, t.delete), (Some(5400), None, Some(90)));
    assert_eq!(r.get("azurerm_resource_group.d").lifecycle.timeouts.update, Some(2700));
    let bad = run(&with_rg(
        "resource \"azurerm_resource_group\" \"t\" {\n  name = \"t\"\n  location = \"eastus\"\n  timeouts {\n    create = \"soon\"\n  }\n}\n",
    ));
    assert_eq!(bad.errors(), vec!["SIG004 `create` = \"soon\" is not a duration"]);
    let read = run(&with_rg(
        "resource \"azurerm_resource_group\" \"t\" {\n  name = \"t\"\n  location = \"eastus\"\n  timeouts {\n    read = \"5m\"\n  }\n}\n",
    ));
    assert!(read.errors().is_empty());
    assert_eq!(read.diagnostics.len(), 1, "{:?}", read.diagnostics);
    assert!(read.diagnostics[0].message.starts_with("`read` has no effect"), "{:?}", read.diagnostics);
}

/// `plantimestamp()` is the plan's own time (the same in every call); `timestamp()` is known only
/// when applying, as in Terraform; both feed the date functions.
#[test]
fn plan_time_and_apply_time() {
    let r = run("output \"p\" {\n  value = plantimestamp()\n}\noutput \"day\" {\n  value = formatdate(\"YYYY-MM-DD\", plantimestamp())\n}\noutput \"t\" {\n  value = timestamp()\n}\noutput \"later\" {\n  value = timeadd(timestamp(), \"1h\")\n}\n")
        .clean();
    let p = r.output("p").as_str().expect("a string").to_string();
    assert!(sigform_azure::timestamp::parse_rfc3339(&p).is_some(), "{p}");
    assert_eq!(r.output("day"), &Value::string(&p[..10]));
    assert_eq!(r.output("t"), &Value::Unknown);
    assert_eq!(r.output("later"), &Value::Unknown);
}

/// `check` blocks: an assertion that does not hold is a warning with its own message (SIG013),
/// one that holds says nothing, a scoped data block is refused where it is written.
#[test]
fn check_blocks_warn() {
    let r = run(&with_rg(
        r#"
check "gallery_naming" {
  assert {
    condition     = length(azurerm_shared_image_gallery.g.name) > 5
    error_message = "gallery names should be longer than five characters"
  }
  assert {
    condition     = azurerm_resource_group.rg.location == "eastus"
    error_message = "never shown"
  }
}
"#,
    ));
    let found: Vec<(String, bool)> =
        r.diagnostics.iter().map(|d| (format!("{} {}", d.rule, d.message), d.is_error())).collect();
    assert_eq!(
        found,
        vec![(
            "SIG013 check \"gallery_naming\" failed: gallery names should be longer than five characters".to_string(),
            false
        )]
    );
    let scoped = run("check \"c\" {\n  data \"azurerm_resource_group\" \"rg\" {\n    name = \"x\"\n  }\n}\n");
    assert_eq!(scoped.errors(), vec!["SIG002 `data` blocks in a check are not supported yet"]);
}

/// An import block honours `to`, `id` and `for_each`; anything else (`provider`, `count`) is
/// refused where it is written, never ignored.
#[test]
fn import_blocks_refuse_what_they_do_not_honour() {
    let r = run(&with_rg(
        "import {\n  count = 1\n  provider = azurerm\n  to = azurerm_shared_image_gallery.g\n  id = \"x\"\n}\n",
    ));
    assert_eq!(
        r.errors(),
        vec![
            "SIG002 `count` in an import block is not supported",
            "SIG002 `provider` in an import block is not supported"
        ]
    );
}

/// A block with many instances is evaluated on several threads: its instances, their values and
/// their diagnostics come out in instance order all the same, with each one's own binding.
#[test]
fn many_instances_keep_their_order_their_binding_and_their_errors() {
    let text = r#"
locals {
  keys = { for i in range(300) : format("k%03d", (i * 7) % 300) => i }
}
resource "azurerm_resource_group" "rg" {
  for_each = local.keys
  name     = each.value == 250 || each.value == 100 ? ["x"][each.value] : "rg-${each.key}-${each.value}"
  location = "eastus"
}
output "names" {
  value = [for k, r in azurerm_resource_group.rg : r.name]
}
"#;
    let r = run(text);
    let errors = r.errors();
    assert_eq!(errors.len(), 2, "{errors:?}");
    // In instance (key) order: k100 holds 100 and k250 holds 250 (i * 7 % 300 = i for both).
    let lines: Vec<String> = r.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.message.clone()).collect();
    assert!(lines[0].contains("100") && lines[1].contains("250"), "{lines:?}");
    let keys: Vec<String> = r.desired.resources.iter().map(|i| i.address.to_string()).collect();
    assert_eq!(keys.len(), 300);
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "instances in key order");
    let k042 = r.get("azurerm_resource_group.rg[\"k042\"]");
    let value = (0..300).find(|i| (i * 7) % 300 == 42).unwrap();
    assert_eq!(k042.attrs.str("name"), Some(format!("rg-k042-{value}").as_str()));
}

/// Resource blocks are parsed again on their own when evaluated (`config::DeferredBlock`):
/// whatever they report points into the file, at the line and column of the mistake, in every
/// place a span is made (an expression, a block header, the provider argument, a type label),
/// and the evaluated attributes keep the file's spans.
#[test]
fn a_deferred_block_reports_at_its_place_in_the_file() {
    let text = format!(
        "{RG}\nlocals {{\n  n = 1\n}}\n\nresource \"azurerm_shared_image_gallery\" \"gx\" {{\n  name                = \"g\"\n  resource_group_name = azurerm_resource_group.rg.name\n  location            = \"eastus\"\n  description         = local.missing\n}}\n\nresource \"azurerm_shared_image_gallery\" \"hx\" {{\n  provider            = azurerm.nowhere\n  name                = \"h\"\n  resource_group_name = \"rg\"\n  location            = \"eastus\"\n}}\n\nresource \"azurerm_nothing_here\" \"x\" {{\n  count = 1\n}}\n"
    );
    let r = run(&text);
    let find = |rule: &str, says: &str| {
        r.diagnostics
            .iter()
            .find(|d| d.rule == rule && d.message.contains(says))
            .unwrap_or_else(|| panic!("no {rule} saying {says}: {:#?}", r.diagnostics))
    };
    let line = |needle: &str| text[..text.find(needle).unwrap()].matches('\n').count() + 1;
    let under = |d: &Diagnostic| &text[d.span.as_ref().expect("a place").range()];
    let missing = find("SIG005", "has no attribute `missing`");
    assert_eq!((r.line_of(missing), under(missing)), (line("local.missing"), "missing"));
    let provider = find("SIG005", "nowhere");
    assert_eq!((r.line_of(provider), under(provider)), (line("azurerm.nowhere"), "azurerm.nowhere"));
    let unsupported =
        r.diagnostics.iter().find(|d| d.message.contains("azurerm_nothing_here")).expect("unsupported type");
    assert_eq!(r.line_of(unsupported), line("resource \"azurerm_nothing_here\""));
    assert_eq!(under(unsupported), "\"azurerm_nothing_here\"");
    let rg = r.get("azurerm_resource_group.rg");
    let location = rg.attrs.get("location").expect("location");
    assert_eq!(&text[location.span.range()], "\"eastus\"");
    assert_eq!(&text[rg.span.range()], "resource \"azurerm_resource_group\" \"rg\"");
}

/// A name declared twice is SIG009 at the second declaration, naming the first's line, whatever
/// kind of declaration it is; the same type and name as a managed resource and as a data source
/// are two names, and references find each.
#[test]
fn every_kind_of_name_is_declared_once() {
    let twice = [
        ("locals {\n  a = 1\n}\nlocals {\n  a = 2\n}\n", "local.a", (2, 5)),
        ("output \"o\" {\n  value = 1\n}\noutput \"o\" {\n  value = 2\n}\n", "output.o", (1, 4)),
        (
            "provider \"azurerm\" {\n  alias = \"x\"\n}\nprovider \"azurerm\" {\n  alias = \"x\"\n}\n",
            "provider.azurerm.x",
            (1, 4),
        ),
        (
            "data \"azurerm_client_config\" \"c\" {}\ndata \"azurerm_client_config\" \"c\" {}\n",
            "data.azurerm_client_config.c",
            (1, 2),
        ),
    ];
    for (text, name, (first, line)) in twice {
        let r = run(text);
        let found: Vec<&Diagnostic> = r.diagnostics.iter().filter(|d| d.rule == "SIG009").collect();
        assert_eq!(found.len(), 1, "{name}: {:?}", r.errors());
        assert!(found[0].message.starts_with(&format!("`{name}` is declared twice")), "{:?}", found[0].message);
        assert_eq!(r.line_of(found[0]), line, "{name}");
        let help = format!("the first declaration is in main.tf at line {first}");
        assert_eq!(found[0].help.as_deref(), Some(help.as_str()), "{name}");
    }
    let both = run(&with_rg(
        r#"
data "azurerm_shared_image_gallery" "g" {
  name                = "other"
  resource_group_name = "rg"
}
output "names" {
  value = [azurerm_shared_image_gallery.g.name, data.azurerm_shared_image_gallery.g.name]
}
"#,
    ));
    assert!(!both.diagnostics.iter().any(|d| d.rule == "SIG009"), "{:?}", both.errors());
    let Value::List(names) = both.output("names") else { panic!("{:?}", both.output("names")) };
    assert_eq!(names[0], Value::string("gal"));
    assert_eq!(names[1], Value::string("other"));
}
