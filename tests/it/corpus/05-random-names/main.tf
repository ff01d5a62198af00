# Names with a random suffix, a region picked at random, image definitions from a YAML file.
terraform {
  required_providers {
    azurerm = { source = "hashicorp/azurerm" }
    random  = { source = "hashicorp/random" }
  }
}

provider "azurerm" {
  features {}
}

resource "random_string" "suffix" {
  length  = 5
  special = false
  upper   = false
}

resource "random_integer" "region" {
  min = 0
  max = length(local.regions) - 1
}

locals {
  regions = ["eastus", "westus3", "uksouth"]
  region  = local.regions[random_integer.region.result]
  images  = yamldecode(file("${path.module}/images.yaml")).images
}

resource "azurerm_resource_group" "rg" {
  name     = "rg-gallery-${random_string.suffix.result}"
  location = local.region
}

resource "azurerm_shared_image_gallery" "g" {
  name                = "gallery${random_string.suffix.result}"
  resource_group_name = azurerm_resource_group.rg.name
  location            = local.region
}

resource "azurerm_shared_image" "from_yaml" {
  for_each = local.images

  name                = each.key
  gallery_name        = azurerm_shared_image_gallery.g.name
  resource_group_name = azurerm_resource_group.rg.name
  location            = local.region
  os_type             = each.value.os
  hyper_v_generation  = "V2"

  identifier {
    publisher = "contoso"
    offer     = each.key
    sku       = each.value.sku
  }
}

output "gallery" {
  value = azurerm_shared_image_gallery.g.name
}
