# After a refactor: resources renamed and moved into a module, with the moved blocks left in
# place (they do nothing where the state never had the old addresses).
provider "azurerm" {
  features {}
}

moved {
  from = azurerm_resource_group.images
  to   = azurerm_resource_group.gallery
}

moved {
  from = azurerm_shared_image_gallery.main
  to   = module.gallery.azurerm_shared_image_gallery.this
}

resource "azurerm_resource_group" "gallery" {
  name     = "rg-refactored"
  location = "eastus"
}

module "gallery" {
  source              = "./gallery"
  resource_group_name = azurerm_resource_group.gallery.name
  location            = azurerm_resource_group.gallery.location
}
