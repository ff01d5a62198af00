# A resource handed over to another team's configuration: forgotten, not destroyed.
provider "azurerm" {
  features {}
}

removed {
  from = azurerm_shared_image_gallery.handed_over

  lifecycle {
    destroy = false
  }
}

resource "azurerm_resource_group" "rg" {
  name     = "rg-kept"
  location = "eastus"
}
