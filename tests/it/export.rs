//! `export`: the configuration of galleries made elsewhere — by hand, by another tool, in two
//! subscriptions, with role assignments at every scope and every attribute set — written so that
//! its plan only imports, and adopted with nothing left to change.

mod common;
use common::Test;

const SUB: &str = "00000000-0000-0000-0000-000000000000";
const OTHER: &str = "33333333-0000-4000-8000-000000000003";

/// A cloud made by a configuration that sets every attribute the schemas know, in two
/// subscriptions, with role assignments on a gallery, a definition and a version, and versions a
/// Packer pipeline published beside it.
const MADE_ELSEWHERE: &str = r#"
provider "azurerm" {
  features {}
}

provider "azurerm" {
  alias           = "other"
  subscription_id = "33333333-0000-4000-8000-000000000003"
  features {}
}

resource "azurerm_resource_group" "images" {
  name     = "rg-made-by-hand"
  location = "westeurope"
  tags     = { "cost center" = "42", team = "platform" }
}

resource "azurerm_image" "base" {
  name                = "base-2024"
  resource_group_name = azurerm_resource_group.images.name
  location            = azurerm_resource_group.images.location
  hyper_v_generation  = "V2"

  os_disk {
    os_type  = "Linux"
    os_state = "Generalized"
    blob_uri = "https://store.blob.core.windows.net/vhds/base.vhd"
    size_gb  = 64
  }
}

resource "azurerm_shared_image_gallery" "shared" {
  name                = "shared.images"
  resource_group_name = azurerm_resource_group.images.name
  location            = "northeurope"
  description         = "Made in the portal, \"quoted\" and $${literal}"
  tags                = { owner = "ops" }
}

resource "azurerm_shared_image" "full" {
  name                                = "ubuntu-cvm"
  gallery_name                        = azurerm_shared_image_gallery.shared.name
  resource_group_name                 = azurerm_resource_group.images.name
  location                            = azurerm_resource_group.images.location
  os_type                             = "Linux"
  hyper_v_generation                  = "V2"
  architecture                        = "x64"
  eula                                = "https://example.com/eula"
  privacy_statement_uri               = "https://example.com/privacy"
  release_note_uri                    = "https://example.com/notes"
  description                         = "confidential VMs"
  end_of_life_date                    = "2030-01-01T00:00:00Z"
  disk_types_not_allowed              = ["Standard_LRS"]
  confidential_vm_supported           = true
  accelerated_network_support_enabled = true
  disk_controller_type_nvme_enabled   = true
  min_recommended_vcpu_count          = 2
  max_recommended_vcpu_count          = 16
  min_recommended_memory_in_gb        = 4
  max_recommended_memory_in_gb        = 64
  tags                                = { tier = "gold" }

  identifier {
    publisher = "contoso"
    offer     = "ubuntu-cvm"
    sku       = "22_04-lts-cvm"
  }

  purchase_plan {
    name      = "plan"
    publisher = "contoso"
    product   = "ubuntu"
  }
}

resource "azurerm_shared_image_version" "first" {
  name                = "1.0.0"
  gallery_name        = azurerm_shared_image_gallery.shared.name
  image_name          = azurerm_shared_image.full.name
  resource_group_name = azurerm_resource_group.images.name
  location            = azurerm_resource_group.images.location
  managed_image_id    = azurerm_image.base.id
  exclude_from_latest = true
  end_of_life_date    = "2029-06-30T00:00:00Z"
  replication_mode    = "Full"
  tags                = { build = "123" }

  target_region {
    name                   = "westeurope"
    regional_replica_count = 2
    storage_account_type   = "Standard_ZRS"
  }

  target_region {
    name                        = "northeurope"
    regional_replica_count      = 1
    exclude_from_latest_enabled = true
  }
}

resource "azurerm_role_assignment" "on_gallery" {
  scope                = azurerm_shared_image_gallery.shared.id
  role_definition_name = "Reader"
  principal_id         = "aaaaaaaa-0000-4000-8000-000000000001"
  principal_type       = "Group"
  description          = "app teams"
}

resource "azurerm_role_assignment" "on_definition" {
  scope              = azurerm_shared_image.full.id
  role_definition_id = "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/85a2d0d9-2eba-4c9c-b355-11c2cc0788ab"
  principal_id       = "aaaaaaaa-0000-4000-8000-000000000002"
}

resource "azurerm_role_assignment" "on_version" {
  scope                = azurerm_shared_image_version.first.id
  role_definition_name = "Compute Gallery Image Reader"
  principal_id         = "aaaaaaaa-0000-4000-8000-000000000003"
}

resource "azurerm_resource_group" "other" {
  provider = azurerm.other
  name     = "rg-other"
  location = "eastus"
}

resource "azurerm_management_lock" "shared" {
  name       = "keep-shared"
  scope      = azurerm_shared_image_gallery.shared.id
  lock_level = "CanNotDelete"
  notes      = "in use"
}

resource "azurerm_shared_image_gallery" "other" {
  provider            = azurerm.other
  name                = "other_gallery"
  resource_group_name = azurerm_resource_group.other.name
  location            = azurerm_resource_group.other.location

  sharing {
    permission = "Groups"
  }
}
"#;

/// The cloud as MADE_ELSEWHERE and a Packer pipeline left it; the directory of the configuration
/// that made it (its emulator database is the cloud).
fn made_elsewhere() -> Test {
    let t = Test::new().config(MADE_ELSEWHERE);
    let dir = t.dir().to_str().unwrap().to_string();
    let out = Test::new().chdir(&dir).args(&["apply", "--auto-approve"]).run();
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let base = format!("/subscriptions/{SUB}/resourceGroups/rg-made-by-hand/providers/Microsoft.Compute");
    for version in ["1.1.0", "1.2.0", "2.0.0"] {
        Test::new()
            .chdir(&dir)
            .args(&[
                "emulator",
                "publish-version",
                &format!("{base}/galleries/shared.images/images/ubuntu-cvm/versions/{version}"),
                "--image",
                &format!("{base}/images/base-2024"),
                "--region",
                "westeurope=3",
                "--region",
                "northeurope",
            ])
            .status(0);
    }
    t
}

/// Exports into a fresh directory; the adopting configuration's runner.
fn export(t: &Test, extra: &[&str]) -> (tempfile::TempDir, impl Fn(&[&str]) -> common::Output) {
    let out_dir = tempfile::tempdir().unwrap();
    let target = out_dir.path().join("adopted");
    let mut args = vec!["export", "--out", target.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = Test::new().chdir(t.dir().to_str().unwrap()).args(&args).run();
    assert_eq!(out.code, 0, "export {extra:?}\n{}\n{}", out.stdout, out.stderr);
    let db = t.dir().join("state/emulator.db").to_str().unwrap().to_string();
    let dir = target.to_str().unwrap().to_string();
    (out_dir, move |args: &[&str]| Test::new().chdir(&dir).env("SIGFORM_EMULATOR_DB", &db).args(args).run())
}

fn adopt(run: &dyn Fn(&[&str]) -> common::Output, resources: usize) {
    let plan = run(&["plan"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    assert!(
        plan.stdout.contains(&format!("Plan: {resources} to import, 0 to add, 0 to change, 0 to destroy, 0 forbidden")),
        "{}",
        plan.stdout
    );
    for args in [&["fmt", "--check"][..], &["apply", "--auto-approve"], &["plan", "--detailed-exitcode"], &["drift"]] {
        let out = run(args);
        assert_eq!(out.code, 0, "sigform {args:?}\n{}\n{}", out.stdout, out.stderr);
    }
}

/// Everything, both forms: 2 resource groups, the image, 2 galleries, the definition, 4 versions
/// (one made here, three by Packer), 3 role assignments, a lock.
#[test]
fn every_attribute_and_scope_round_trips() {
    let t = made_elsewhere();
    let (_keep, run) = export(&t, &[]);
    adopt(&run, 14);

    let (_keep_flat, flat) = export(&t, &["--flat"]);
    adopt(&flat, 14);
}

/// The versions of a definition read as a table: one `for_each` block over a map, references
/// instead of literal names, and Azure's names made into addresses.
#[test]
fn versions_become_one_block_over_a_map() {
    let t = made_elsewhere();
    let out_dir = tempfile::tempdir().unwrap();
    let target = out_dir.path().join("adopted");
    Test::new().chdir(t.dir().to_str().unwrap()).args(&["export", "--out", target.to_str().unwrap()]).status(0);
    let versions = std::fs::read_to_string(target.join("versions.tf")).unwrap();
    assert!(versions.contains("for_each = local.ubuntu_cvm_versions"), "{versions}");
    assert!(versions.contains("\"2.0.0\" = {"), "{versions}");
    assert!(versions.contains("gallery_name        = azurerm_shared_image_gallery.shared_images.name"), "{versions}");
    assert!(versions.contains("managed_image_id    = azurerm_image.base_2024.id"), "{versions}");
    let main = std::fs::read_to_string(target.join("main.tf")).unwrap();
    assert!(
        main.contains("scope              = azurerm_shared_image_version.ubuntu_cvm[\"1.0.0\"].id")
            || main.contains("scope                = azurerm_shared_image_version.ubuntu_cvm[\"1.0.0\"].id"),
        "{main}"
    );
    assert!(main.contains("\"cost center\" = \"42\""), "{main}");
    assert!(main.contains(r#"\"quoted\" and $${literal}"#), "{main}");
    let providers = std::fs::read_to_string(target.join("providers.tf")).unwrap();
    assert!(providers.contains(&format!("subscription_id = \"{OTHER}\"")), "{providers}");
    let imports = std::fs::read_to_string(target.join("imports.tf")).unwrap();
    assert!(imports.contains("for_each = local.ubuntu_cvm_versions"), "{imports}");
}

/// Choosing what to export: one resource group, or one gallery; and never into a directory that
/// holds something unless told to.
#[test]
fn export_writes_only_what_was_chosen_and_only_where_it_may() {
    let t = made_elsewhere();
    let dir = t.dir().to_str().unwrap().to_string();
    let out_dir = tempfile::tempdir().unwrap();
    let target = out_dir.path().join("other");
    let gallery =
        format!("/subscriptions/{OTHER}/resourceGroups/rg-other/providers/Microsoft.Compute/galleries/other_gallery");
    Test::new().chdir(&dir).args(&["export", "--gallery", &gallery, "--out", target.to_str().unwrap()]).status(0);
    let main = std::fs::read_to_string(target.join("main.tf")).unwrap();
    assert!(main.contains("other_gallery") && !main.contains("shared.images"), "{main}");
    assert!(main.contains("permission = \"Groups\""), "{main}");

    let again =
        Test::new().chdir(&dir).args(&["export", "--gallery", &gallery, "--out", target.to_str().unwrap()]).run();
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains("is not empty") && again.stderr.contains("--force"), "{}", again.stderr);
    Test::new()
        .chdir(&dir)
        .args(&["export", "--resource-group", "rg-made-by-hand", "--out", target.to_str().unwrap(), "--force"])
        .status(0);
    let main = std::fs::read_to_string(target.join("main.tf")).unwrap();
    assert!(main.contains("shared.images") && !main.contains("other_gallery"), "{main}");
}

/// The examples, applied to a fresh cloud and exported: each export's plan only imports.
#[test]
fn the_examples_round_trip() {
    for example in ["quickstart", "multi-region", "modules"] {
        let t = Test::new().example(example);
        let dir = t.dir().to_str().unwrap().to_string();
        let out = Test::new().chdir(&dir).args(&["apply", "--auto-approve"]).run();
        assert_eq!(out.code, 0, "{example}\n{}\n{}", out.stdout, out.stderr);
        let resources = Test::new().chdir(&dir).args(&["state", "list"]).status(0).stdout.lines().count();
        let (_keep, run) = export(&t, &[]);
        adopt(&run, resources);
    }
}
