# Adopting what was made by hand: an import block for the managed image, then a gallery for it.
provider "azurerm" {
  features {}
}

import {
  to = azurerm_image.legacy
  id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-legacy/providers/Microsoft.Compute/images/legacy-base"
}

resource "azurerm_image" "legacy" {
  name                = "legacy-base"
  resource_group_name = "rg-legacy"
  location            = "eastus"
  hyper_v_generation  = "V2"

  os_disk {
    os_type  = "Linux"
    os_state = "Generalized"
    size_gb  = 40
  }
}

resource "azurerm_resource_group" "gallery" {
  name     = "rg-adopted"
  location = "eastus"
}

resource "azurerm_shared_image_gallery" "adopted" {
  name                = "adopted"
  resource_group_name = azurerm_resource_group.gallery.name
  location            = azurerm_resource_group.gallery.location
}
