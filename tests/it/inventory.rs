//! `inventory`: every gallery, definition and version across subscriptions, in all formats, with
//! the managed/unmanaged and stale filters and the totals against the quotas.

mod common;
use common::Test;
use serde_json::Value as Json;

const SUB: &str = "00000000-0000-0000-0000-000000000000";
const OTHER: &str = "22222222-0000-4000-8000-000000000002";

/// The quickstart, plus a second subscription through a provider alias with a definition past its
/// end of life and without versions, plus a version another tool published.
fn two_subscriptions() -> Test {
    let t = Test::new().example("quickstart").file(
        "other.tf",
        &format!(
            r#"
provider "azurerm" {{
  alias           = "other"
  subscription_id = "{OTHER}"
  features {{}}
}}

resource "azurerm_resource_group" "other" {{
  provider = azurerm.other
  name     = "rg-other"
  location = "westeurope"
}}

resource "azurerm_shared_image_gallery" "other" {{
  provider            = azurerm.other
  name                = "other_gallery"
  resource_group_name = azurerm_resource_group.other.name
  location            = azurerm_resource_group.other.location
}}

resource "azurerm_shared_image" "retired" {{
  provider            = azurerm.other
  name                = "retired"
  gallery_name        = azurerm_shared_image_gallery.other.name
  resource_group_name = azurerm_resource_group.other.name
  location            = azurerm_resource_group.other.location
  os_type             = "Linux"
  hyper_v_generation  = "V2"
  end_of_life_date    = "2024-01-01T00:00:00Z"

  identifier {{
    publisher = "contoso"
    offer     = "retired"
    sku       = "1"
  }}
}}
"#
        ),
    );
    let dir = t.dir().to_str().unwrap().to_string();
    Test::new().chdir(&dir).args(&["apply", "--auto-approve"]).status(0);
    let base = format!("/subscriptions/{SUB}/resourceGroups/rg-golden-images/providers/Microsoft.Compute");
    Test::new()
        .chdir(&dir)
        .args(&[
            "emulator",
            "publish-version",
            &format!("{base}/galleries/golden_images/images/ubuntu-22.04/versions/0.9.0"),
            "--image",
            &format!("{base}/images/ubuntu-2204-base"),
            "--region",
            "eastus",
            "--region",
            "westus=2",
        ])
        .status(0);
    t
}

#[test]
fn every_gallery_resource_across_subscriptions_in_every_format() {
    let t = two_subscriptions();
    let out = Test::new().chdir(t.dir().to_str().unwrap()).args(&["inventory"]).status(0);
    let table = &out.stdout;
    for wanted in [
        &format!("Subscription {SUB}"),
        &format!("Subscription {OTHER}"),
        "golden_images/ubuntu-22.04/1.0.0",
        "azurerm_shared_image_version.v1",
        "other_gallery/retired",
        "past its end of life (2024-01-01T00:00:00Z); no versions",
        "Totals against the quotas of service profile current",
        "2/10000",
    ] {
        assert!(table.contains(wanted), "`{wanted}` not in:\n{table}");
    }

    let out = Test::new().chdir(t.dir().to_str().unwrap()).args(&["inventory", "--format", "json"]).status(0);
    let json: Json = serde_json::from_str(&out.stdout).unwrap();
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 6, "2 galleries, 2 definitions, 2 versions: {rows:#?}");
    let unmanaged: Vec<&str> =
        rows.iter().filter(|r| r["managed_by"].is_null()).map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(unmanaged, ["golden_images/ubuntu-22.04/0.9.0"]);
    let v1 = rows.iter().find(|r| r["name"] == "golden_images/ubuntu-22.04/1.0.0").unwrap();
    assert_eq!(v1["regions"].as_array().unwrap().len(), 3);
    assert_eq!(v1["size_gb"], 30.0);
    assert!(v1["monthly_usd"].as_f64().unwrap() > 0.0);

    let out =
        Test::new().chdir(t.dir().to_str().unwrap()).args(&["inventory", "--format", "csv", "--unmanaged"]).status(0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", out.stdout);
    assert!(lines[0].starts_with("subscription,resource_group,kind,name,"));
    assert!(
        lines[1].contains("golden_images/ubuntu-22.04/0.9.0")
            && lines[1].contains("eastus:1:Standard_LRS;westus:2:Standard_LRS")
    );

    let out =
        Test::new().chdir(t.dir().to_str().unwrap()).args(&["inventory", "--format", "json", "--managed"]).status(0);
    let json: Json = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["rows"].as_array().unwrap().len(), 5);
    assert!(json["rows"].as_array().unwrap().iter().all(|r| r["managed_by"].is_string()));

    let out =
        Test::new().chdir(t.dir().to_str().unwrap()).args(&["inventory", "--stale", "--format", "json"]).status(0);
    let json: Json = serde_json::from_str(&out.stdout).unwrap();
    let stale: Vec<&str> = json["rows"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(stale, ["other_gallery/retired"]);

    let out = Test::new()
        .chdir(t.dir().to_str().unwrap())
        .args(&["inventory", "--subscription", OTHER, "--format", "json"])
        .status(0);
    let json: Json = serde_json::from_str(&out.stdout).unwrap();
    assert!(json["rows"].as_array().unwrap().iter().all(|r| r["subscription"] == OTHER), "{json}");
    assert_eq!(json["totals"].as_array().unwrap().len(), 1);
}
