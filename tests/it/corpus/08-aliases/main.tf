# Two subscriptions: images built in one, shared from a gallery in another.
provider "azurerm" {
  features {}
}

provider "azurerm" {
  alias           = "shared"
  subscription_id = "22222222-2222-2222-2222-222222222222"
  features {}
}

resource "azurerm_resource_group" "build" {
  name     = "rg-build"
  location = "eastus"
}

resource "azurerm_image" "build" {
  name                = "build-1"
  resource_group_name = azurerm_resource_group.build.name
  location            = azurerm_resource_group.build.location

  os_disk {
    os_type  = "Linux"
    os_state = "Generalized"
    size_gb  = 30
  }
}

resource "azurerm_resource_group" "shared" {
  provider = azurerm.shared
  name     = "rg-shared-images"
  location = "eastus"
}

resource "azurerm_shared_image_gallery" "shared" {
  provider            = azurerm.shared
  name                = "shared"
  resource_group_name = azurerm_resource_group.shared.name
  location            = azurerm_resource_group.shared.location
}

resource "azurerm_shared_image" "base" {
  provider            = azurerm.shared
  name                = "base"
  gallery_name        = azurerm_shared_image_gallery.shared.name
  resource_group_name = azurerm_resource_group.shared.name
  location            = azurerm_resource_group.shared.location
  os_type             = "Linux"

  identifier {
    publisher = "contoso"
    offer     = "base"
    sku       = "1"
  }
}

resource "azurerm_shared_image_version" "base" {
  provider            = azurerm.shared
  name                = "1.0.0"
  gallery_name        = azurerm_shared_image_gallery.shared.name
  image_name          = azurerm_shared_image.base.name
  resource_group_name = azurerm_resource_group.shared.name
  location            = azurerm_resource_group.shared.location
  managed_image_id    = azurerm_image.build.id

  target_region {
    name = "eastus"
  }
}
