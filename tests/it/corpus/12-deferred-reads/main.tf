# Data sources that read what this configuration creates: read during apply, no cycle.
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "rg" {
  name     = "rg-reads"
  location = "northeurope"
}

resource "azurerm_shared_image_gallery" "g" {
  name                = "reads"
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_resource_group.rg.location
  description         = "read back after apply"
}

data "azurerm_shared_image_gallery" "same" {
  name                = azurerm_shared_image_gallery.g.name
  resource_group_name = azurerm_resource_group.rg.name
}

data "azurerm_resource_group" "same" {
  name = azurerm_resource_group.rg.name
}

output "unique_name" {
  value = data.azurerm_shared_image_gallery.same.unique_name
}

output "group_location" {
  value = data.azurerm_resource_group.same.location
}
