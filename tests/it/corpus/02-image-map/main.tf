# An image factory's shape: images as a map of objects with optional attributes, versions
# flattened from it, regions from a variable, `dynamic "target_region"`.
terraform {
  required_version = ">= 1.5"
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
  }
}

provider "azurerm" {
  features {}
}

variable "location" {
  type    = string
  default = "eastus2"
}

variable "replica_regions" {
  type = map(object({
    replicas     = optional(number, 1)
    storage_type = optional(string, "Standard_LRS")
  }))
  default = {
    eastus2    = {}
    westus3    = { replicas = 2 }
    northeurope = { storage_type = "Standard_ZRS" }
  }
}

variable "images" {
  type = map(object({
    os_type      = optional(string, "Linux")
    architecture = optional(string, "x64")
    sku          = string
    versions     = list(string)
    eol          = optional(string)
  }))
  default = {
    "ubuntu-2404" = { sku = "24.04", versions = ["2026.11.1", "2026.11.2"] }
    "ubuntu-2404-arm" = { sku = "24.04-arm", architecture = "Arm64", versions = ["2026.11.2"] }
    "win-2025" = { os_type = "Windows", sku = "2025-dc", versions = ["2026.10.3"], eol = "2030-01-01T00:00:00Z" }
  }
}

locals {
  versions = merge([
    for image, spec in var.images : {
      for v in spec.versions : "${image}@${v}" => { image = image, version = v, os_type = spec.os_type }
    }
  ]...)
}

resource "azurerm_resource_group" "factory" {
  name     = "rg-image-factory"
  location = var.location
}

resource "azurerm_shared_image_gallery" "factory" {
  name                = "factory"
  resource_group_name = azurerm_resource_group.factory.name
  location            = var.location
}

resource "azurerm_shared_image" "this" {
  for_each = var.images

  name                = each.key
  gallery_name        = azurerm_shared_image_gallery.factory.name
  resource_group_name = azurerm_resource_group.factory.name
  location            = var.location
  os_type             = each.value.os_type
  hyper_v_generation  = "V2"
  architecture        = each.value.architecture
  end_of_life_date    = each.value.eol

  identifier {
    publisher = "contoso"
    offer     = "factory"
    sku       = each.value.sku
  }
}

resource "azurerm_image" "build" {
  for_each = local.versions

  name                = replace("${each.key}", "@", "-")
  resource_group_name = azurerm_resource_group.factory.name
  location            = var.location
  hyper_v_generation  = "V2"

  os_disk {
    os_type  = each.value.os_type
    os_state = "Generalized"
    size_gb  = each.value.os_type == "Windows" ? 127 : 30
  }
}

resource "azurerm_shared_image_version" "this" {
  for_each = local.versions

  name                                     = each.value.version
  gallery_name                             = azurerm_shared_image_gallery.factory.name
  image_name                               = azurerm_shared_image.this[each.value.image].name
  resource_group_name                      = azurerm_resource_group.factory.name
  location                                 = var.location
  managed_image_id                         = azurerm_image.build[each.key].id
  deletion_of_replicated_locations_enabled = true

  dynamic "target_region" {
    for_each = var.replica_regions
    content {
      name                   = target_region.key
      regional_replica_count = target_region.value.replicas
      storage_account_type   = target_region.value.storage_type
    }
  }
}

output "version_ids" {
  value = { for k, v in azurerm_shared_image_version.this : k => v.id }
}
