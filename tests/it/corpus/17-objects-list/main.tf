# A list of objects keyed by name, lookups with defaults, try() around optional fields.
provider "azurerm" {
  features {}
}

variable "definitions" {
  type = list(object({
    name      = string
    sku       = string
    os        = optional(string)
    recommend = optional(map(number), {})
  }))
  default = [
    { name = "ubuntu-lts", sku = "lts" },
    { name = "windows-core", sku = "core", os = "Windows", recommend = { vcpu_min = 2, vcpu_max = 8 } },
  ]
}

locals {
  by_name = { for d in var.definitions : d.name => d }
}

resource "azurerm_resource_group" "rg" {
  name     = "rg-objects"
  location = "eastus"
}

resource "azurerm_shared_image_gallery" "g" {
  name                = "objects"
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_resource_group.rg.location
}

resource "azurerm_shared_image" "d" {
  for_each = local.by_name

  name                       = each.key
  gallery_name               = azurerm_shared_image_gallery.g.name
  resource_group_name        = azurerm_resource_group.rg.name
  location                   = azurerm_resource_group.rg.location
  os_type                    = coalesce(each.value.os, "Linux")
  min_recommended_vcpu_count = lookup(each.value.recommend, "vcpu_min", null)
  max_recommended_vcpu_count = try(each.value.recommend["vcpu_max"], null)

  identifier {
    publisher = "contoso"
    offer     = split("-", each.key)[0]
    sku       = each.value.sku
  }
}
