# Modules calling modules, with count on a call and a provider passed by name.
provider "azurerm" {
  features {}
}

provider "azurerm" {
  alias = "images"
  features {}
}

resource "azurerm_resource_group" "rg" {
  name     = "rg-nested"
  location = "eastus"
}

resource "azurerm_shared_image_gallery" "g" {
  name                = "nested"
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_resource_group.rg.location
}

module "region" {
  source = "./modules/region"
  count  = 2

  providers = {
    azurerm = azurerm.images
  }

  index               = count.index
  gallery_name        = azurerm_shared_image_gallery.g.name
  resource_group_name = azurerm_resource_group.rg.name
}

output "definitions" {
  value = module.region[*].definition
}
