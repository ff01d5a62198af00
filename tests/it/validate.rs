//! `sigform validate` through the binary.

#[macro_use]
mod common;
use common::Test;

const BROKEN: &str = r#"resource "azurerm_shared_image_gallery" "g" {
  name                = "my-gallery"
  resource_group_name = "rg"
  location            = "East US"
  descripton          = "typo"
}

resource "azurerm_shared_image_version" "v" {
  name                = "1.0"
  gallery_name        = "my-gallery"
  image_name          = "img"
  resource_group_name = "rg"
  location            = "East US"
  managed_image_id    = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/i"

  target_region {
    name                   = "westus"
    regional_replica_count = 0
  }
}
"#;

#[test]
fn the_examples_validate() {
    for example in ["quickstart", "multi-region", "modules"] {
        let out = Test::new().example(example).arg("validate").status(0);
        assert!(out.stdout.starts_with("Success! The configuration is valid"), "{}", out.stdout);
    }
}

#[test]
fn every_mistake_is_reported_at_once_with_its_place() {
    let out = Test::new().config(BROKEN).arg("validate").status(1);
    assert!(out.stdout.is_empty());
    snapshot!("validate_broken", out.filtered(&out.stderr));
}

#[test]
fn json_diagnostics_carry_rule_file_line_and_column() {
    let out = Test::new().config(BROKEN).args(&["validate", "--json"]).status(1);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON array");
    let items = json.as_array().unwrap();
    let rules: Vec<&str> = items.iter().map(|d| d["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["SIG101", "SIG002", "SIG103", "SIG205", "SIG107"]);
    let first = &items[0];
    assert_eq!(first["severity"], "error");
    assert_eq!(first["file"], "main.tf");
    assert_eq!(first["line"], 2);
    assert_eq!(first["column"], 25);
    assert!(first["message"].as_str().unwrap().contains("my-gallery"));

    let clean = Test::new().example("quickstart").args(&["validate", "--json"]).status(0);
    assert_eq!(clean.stdout.trim(), "[]");
}

#[test]
fn syntax_errors_point_at_the_exact_place() {
    let out = Test::new()
        .config("resource \"azurerm_resource_group\" \"rg\" {\n  name = \"rg\"\n  location = \n}\n")
        .args(&["validate", "--json"])
        .status(1);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json[0]["rule"], "SIG001");
    assert_eq!((json[0]["line"].as_u64(), json[0]["column"].as_u64()), (Some(3), Some(14)), "{json}");
    let human = Test::new().config("locals {\n  a = [1, 2\n}\n").arg("validate").status(1);
    snapshot!("validate_syntax_error", human.filtered(&human.stderr));
}

#[test]
fn variables_follow_command_line_order_and_precedence() {
    let config = "variable \"loc\" {}\nresource \"azurerm_resource_group\" \"rg\" {\n  name     = \"rg\"\n  location = var.loc\n}\n";
    let base = || {
        Test::new()
            .config(config)
            .file("terraform.tfvars", "loc = \"from-tfvars\"\n")
            .file("extra.tfvars", "loc = \"from-var-file\"\n")
            .env("TF_VAR_loc", "from-env")
            .args(&["validate", "--json"])
    };
    let region = |t: Test| {
        let out = t.status(1);
        let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        json[0]["message"].as_str().unwrap().to_string()
    };
    assert!(region(base()).contains("from-tfvars"));
    assert!(region(base().args(&["--var", "loc=from-var", "--var-file", "extra.tfvars"])).contains("from-var-file"));
    assert!(region(base().args(&["--var-file", "extra.tfvars", "--var", "loc=from-var"])).contains("from-var"));
    let only_env = Test::new().config(config).env("TF_VAR_loc", "eastus").arg("validate").status(0);
    assert!(only_env.stdout.contains("1 resources"), "{}", only_env.stdout);
}

#[test]
fn a_missing_directory_or_configuration_is_an_error_not_a_panic() {
    let empty = Test::new().arg("validate").status(1);
    assert!(empty.stderr.contains("no configuration files (*.tf)"), "{}", empty.stderr);
    let missing = Test::new().chdir("/nonexistent/sigform").arg("validate").status(1);
    assert!(missing.stderr.starts_with("error: cannot read"), "{}", missing.stderr);
    let usage = Test::new().args(&["validate", "--bogus"]).status(1);
    assert!(usage.stderr.contains("--bogus"), "{}", usage.stderr);
    Test::new().arg("--help").status(0);
}

#[test]
fn warnings_alone_do_not_fail() {
    let config =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/quickstart/main.tf")).unwrap().replace(
            "location            = azurerm_resource_group.images.location\n  os_type",
            "location            = \"West US\"\n  os_type",
        );
    let out = Test::new().config(&config).arg("validate").status(0);
    assert!(out.stderr.contains("SIG207"), "{}", out.stderr);
    assert!(out.stdout.contains("warning"), "{}", out.stdout);
}

#[test]
fn every_malformed_configuration_gets_a_located_diagnostic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/malformed");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 10);
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let t = Test::new();
        std::fs::write(t.dir().join("main.tf"), &bytes).unwrap();
        let out = t.args(&["validate", "--json"]).status(1);
        let json: serde_json::Value =
            serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{}: {e}: {}", path.display(), out.stdout));
        let errors: Vec<&serde_json::Value> =
            json.as_array().unwrap().iter().filter(|d| d["severity"] == "error").collect();
        assert!(!errors.is_empty(), "{}", path.display());
        for e in errors {
            assert_eq!(e["file"], "main.tf", "{}: {e}", path.display());
            assert!(e["line"].as_u64().unwrap() >= 1 && e["column"].as_u64().unwrap() >= 1, "{}: {e}", path.display());
            assert!(e["rule"].as_str().unwrap().starts_with("SIG"), "{}: {e}", path.display());
        }
    }
}

/// The file functions read the working directory: `file`, `filebase64`, `fileexists`,
/// `templatefile` (a template that sees only its variables and the functions) and `abspath`; a
/// missing file is an error at the call, with the path.
#[test]
fn file_functions_read_the_working_directory() {
    let config = r#"
locals {
  image = { name = "ubuntu", version = "22.04" }
}
output "description" {
  value = trimspace(file("texts/description.txt"))
}
output "encoded" {
  value = filebase64("texts/description.txt")
}
output "exists" {
  value = [fileexists("texts/description.txt"), fileexists("texts/nothing.txt")]
}
output "rendered" {
  value = templatefile("templates/tags.tpl", { name = local.image.name, regions = ["eastus", "westus"] })
}
output "absolute" {
  value = abspath("texts")
}
"#;
    let t = Test::new()
        .config(config)
        .file("texts/description.txt", "Hardened Ubuntu\n")
        .file("templates/tags.tpl", "image=${upper(name)};%{ for r in regions }${r},%{ endfor }");
    let out = t.args(&["plan", "--refresh=false", "--json"]).status(0);
    let plan: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let outputs = &plan["planned_values"]["outputs"];
    let value = |name: &str| outputs[name]["value"].clone();
    assert_eq!(value("description"), "Hardened Ubuntu");
    assert_eq!(value("encoded"), "SGFyZGVuZWQgVWJ1bnR1Cg==");
    assert_eq!(value("exists"), serde_json::json!([true, false]));
    assert_eq!(value("rendered"), "image=UBUNTU;eastus,westus,");
    assert!(value("absolute").as_str().unwrap().ends_with("/texts"), "{}", value("absolute"));

    let missing = Test::new().config("output \"x\" {\n  value = file(\"nope.txt\")\n}\n").arg("validate").status(1);
    assert!(missing.stderr.contains("SIG006"), "{}", missing.stderr);
    assert!(missing.stderr.contains("file(\"nope.txt\")"), "{}", missing.stderr);
}

/// Each mistake a module call can hold is reported where it is written, with its rule.
#[test]
fn module_mistakes_are_located() {
    let main = r#"module "registry" {
  source  = "Azure/avm-res-compute-gallery/azurerm"
  version = "0.2.0"
}

module "gallery" {
  source   = "./modules/gallery"
  locaton  = "westeurope"
}

module "missing" {
  source = "./modules/nowhere"
}

module "loop" {
  source = "./modules/loop"
}
"#;
    let gallery = r#"variable "name" {
  type = string
}

variable "location" {
  type    = string
  default = "westeurope"
}

provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "rg" {
  name     = var.name
  location = var.location
}
"#;
    let looping = "module \"again\" {\n  source = \"../loop\"\n}\n";
    let out = Test::new()
        .config(main)
        .file("modules/gallery/main.tf", gallery)
        .file("modules/loop/main.tf", looping)
        .args(&["validate", "--json"])
        .status(1);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON array");
    let found: Vec<String> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}:{}:{} {}",
                d["rule"].as_str().unwrap(),
                d["file"].as_str().unwrap(),
                d["line"],
                d["column"],
                d["message"].as_str().unwrap()
            )
        })
        .collect();
    for (rule, place, what) in [
        ("SIG002", "main.tf:2:13", "is not a local directory"),
        ("SIG002", "main.tf:8:14", "unsupported argument `locaton`"),
        ("SIG008", "main.tf:6:1", "no value for required variable \"name\""),
        ("SIG002", "modules/gallery/main.tf:10:1", "belong in the root module"),
        ("SIG005", "main.tf:12:12", "no configuration files (*.tf) in modules/nowhere"),
        ("SIG007", "modules/loop/main.tf:2:12", "a module cannot call itself"),
    ] {
        let wanted = format!("{rule} {place} ");
        assert!(found.iter().any(|f| f.starts_with(&wanted) && f.contains(what)), "{wanted}{what}:\n{found:#?}");
    }
}

/// A registry module `terraform init` installed runs from `.terraform/modules`, with `version`,
/// and so do the local modules inside it; one the manifest lacks is a located error.
#[test]
fn modules_terraform_init_installed_are_used() {
    let main = r#"module "gallery" {
  source  = "contoso/compute-gallery/azurerm"
  version = "~> 1.2"

  name     = "shared_images"
  location = "westeurope"
}

module "not_installed" {
  source = "contoso/other/azurerm"
}

output "gallery" {
  value = module.gallery.gallery_name
}
"#;
    let manifest = r#"{"Modules":[
  {"Key":"","Source":"","Dir":"."},
  {"Key":"gallery","Source":"registry.terraform.io/contoso/compute-gallery/azurerm","Version":"1.2.3","Dir":".terraform/modules/gallery"},
  {"Key":"gallery.group","Source":"./modules/group","Dir":".terraform/modules/gallery/modules/group"}
]}"#;
    let module = r#"variable "name" {
  type = string
}

variable "location" {
  type = string
}

module "group" {
  source   = "./modules/group"
  name     = "rg-${var.name}"
  location = var.location
}

resource "azurerm_shared_image_gallery" "this" {
  name                = var.name
  resource_group_name = module.group.name
  location            = var.location
}

output "gallery_name" {
  value = azurerm_shared_image_gallery.this.name
}
"#;
    let group = r#"variable "name" {
  type = string
}

variable "location" {
  type = string
}

resource "azurerm_resource_group" "this" {
  name     = var.name
  location = var.location
}

output "name" {
  value = azurerm_resource_group.this.name
}
"#;
    let t = Test::new()
        .config(main)
        .file(".terraform/modules/modules.json", manifest)
        .file(".terraform/modules/gallery/main.tf", module)
        .file(".terraform/modules/gallery/modules/group/main.tf", group);
    let out = Test::new().chdir(t.dir().to_str().unwrap()).args(&["validate", "--json"]).status(1);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON array");
    let errors = json.as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!((errors[0]["rule"].as_str(), errors[0]["line"].as_u64()), (Some("SIG002"), Some(10)));
    assert!(errors[0]["help"].as_str().unwrap_or_default().contains("no module \"not_installed\""), "{errors:#?}");

    let text = t.read("main.tf");
    let fixed = &text[..text.find("module \"not_installed\"").unwrap()];
    std::fs::write(
        t.dir().join("main.tf"),
        format!("{fixed}output \"gallery\" {{\n  value = module.gallery.gallery_name\n}}\n"),
    )
    .unwrap();
    let plan = Test::new().chdir(t.dir().to_str().unwrap()).arg("plan").status(0);
    assert!(
        plan.stdout.contains("# module.gallery.module.group.azurerm_resource_group.this will be created"),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("+ gallery = \"shared_images\""), "{}", plan.stdout);
}

/// `ephemeral = true` (Terraform 1.10): the provider block may read the variable (a secret to
/// sign in with) and so may locals; a resource or an output argument made of it is refused where
/// it is written, as it would be recorded in the plan and the state.
#[test]
fn ephemeral_variables_may_sign_in_but_are_never_recorded() {
    let base = r#"
variable "client_secret" {
  type      = string
  default   = "s3cret"
  ephemeral = true
}

locals {
  secret_again = "${var.client_secret}-again"
}

provider "azurerm" {
  features {}
  client_secret = local.secret_again
}

resource "azurerm_resource_group" "rg" {
  name     = "rg-ephemeral"
  location = "eastus"
}
"#;
    Test::new().config(base).arg("validate").status(0);

    let in_resource = base.replace(
        "  location = \"eastus\"\n}",
        "  location = \"eastus\"\n  tags     = { note = local.secret_again }\n}",
    );
    let out = Test::new().config(&in_resource).arg("validate").status(1);
    assert!(out.stderr.contains("SIG014") && out.stderr.contains("`tags` reads an ephemeral value"), "{}", out.stderr);
    assert!(out.stderr.contains("main.tf:"), "located: {}", out.stderr);

    let in_output = format!("{base}\noutput \"leak\" {{\n  value = var.client_secret\n}}\n");
    let out = Test::new().config(&in_output).arg("validate").status(1);
    assert!(out.stderr.contains("SIG014") && out.stderr.contains("an output"), "{}", out.stderr);
}
