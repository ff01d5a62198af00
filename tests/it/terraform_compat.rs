//! Configurations written for Terraform's azurerm provider validate without edits: the
//! provider documentation's own examples for the resources sigform manages.

mod common;
use common::Test;

const AZURERM_DOCS: &str = r#"
terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "=4.1.0"
    }
  }
}

provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "example" {
  name     = "example-resources"
  location = "West Europe"
}

resource "azurerm_shared_image_gallery" "example" {
  name                = "example_image_gallery"
  resource_group_name = azurerm_resource_group.example.name
  location            = azurerm_resource_group.example.location
  description         = "Shared images and things."

  tags = {
    Hello = "There"
    World = "Example"
  }
}

resource "azurerm_shared_image" "example" {
  name                = "my-image"
  gallery_name        = azurerm_shared_image_gallery.example.name
  resource_group_name = azurerm_resource_group.example.name
  location            = azurerm_resource_group.example.location
  os_type             = "Linux"

  identifier {
    publisher = "PublisherName"
    offer     = "OfferName"
    sku       = "ExampleSku"
  }
}

data "azurerm_image" "existing" {
  name                = "search-api"
  resource_group_name = "packerimages"
}

data "azurerm_shared_image" "existing" {
  name                = "existing-image"
  gallery_name        = "existing_gallery"
  resource_group_name = "existing-resources"
}

resource "azurerm_shared_image_version" "example" {
  name                = "0.0.1"
  gallery_name        = data.azurerm_shared_image.existing.gallery_name
  image_name          = data.azurerm_shared_image.existing.name
  resource_group_name = data.azurerm_shared_image.existing.resource_group_name
  location            = data.azurerm_shared_image.existing.location
  managed_image_id    = data.azurerm_image.existing.id

  target_region {
    name                   = data.azurerm_shared_image.existing.location
    regional_replica_count = 5
    storage_account_type   = "Standard_LRS"
  }
}

data "azurerm_client_config" "current" {}

resource "azurerm_role_assignment" "example" {
  scope                = azurerm_shared_image_gallery.example.id
  role_definition_name = "Reader"
  principal_id         = data.azurerm_client_config.current.object_id
}
"#;

#[test]
fn the_azurerm_documentation_examples_validate_as_is() {
    let out = Test::new().config(AZURERM_DOCS).arg("validate").status(0);
    assert!(out.stdout.contains("5 resources"), "{}", out.stdout);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
}

#[test]
fn a_packer_pipeline_with_count_and_splat_validates() {
    let config = r#"
variable "build_numbers" {
  type    = list(number)
  default = [41, 42]
}

locals {
  regions = ["eastus", "eastus2", "westus"]
}

resource "azurerm_shared_image_version" "build" {
  count               = length(var.build_numbers)
  name                = format("1.0.%d", var.build_numbers[count.index])
  gallery_name        = "golden"
  image_name          = "ubuntu"
  resource_group_name = "rg-images"
  location            = "eastus"
  managed_image_id    = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-packer/providers/Microsoft.Compute/images/ubuntu-${var.build_numbers[count.index]}"
  exclude_from_latest = count.index < length(var.build_numbers) - 1

  dynamic "target_region" {
    for_each = local.regions
    content {
      name                   = target_region.value
      regional_replica_count = target_region.value == "eastus" ? 2 : 1
    }
  }

  timeouts {
    create = "2h"
  }
}

output "version_ids" {
  value = azurerm_shared_image_version.build[*].id
}
"#;
    Test::new().config(config).arg("validate").status(0);
}
