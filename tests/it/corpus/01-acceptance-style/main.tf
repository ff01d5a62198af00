# The shape of the provider's own acceptance configurations: one of each, literal names.
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "test" {
  name     = "acctestRG-compute-240101"
  location = "West Europe"
}

resource "azurerm_image" "test" {
  name                = "acctestimg240101"
  location            = azurerm_resource_group.test.location
  resource_group_name = azurerm_resource_group.test.name
  hyper_v_generation  = "V2"

  os_disk {
    os_type  = "Linux"
    os_state = "Generalized"
    blob_uri = "https://acctestsa.blob.core.windows.net/vhds/osdisk.vhd"
    size_gb  = 30
    caching  = "None"
  }
}

resource "azurerm_shared_image_gallery" "test" {
  name                = "acctestsig240101"
  resource_group_name = azurerm_resource_group.test.name
  location            = azurerm_resource_group.test.location
  description         = "Shared images and things."

  tags = {
    Hello = "There"
    World = "Example"
  }
}

resource "azurerm_shared_image" "test" {
  name                     = "acctestimg240101"
  gallery_name             = azurerm_shared_image_gallery.test.name
  resource_group_name      = azurerm_resource_group.test.name
  location                 = azurerm_resource_group.test.location
  os_type                  = "Linux"
  hyper_v_generation       = "V2"
  trusted_launch_supported = true
  release_note_uri         = "https://release.notes.example/v1"

  identifier {
    publisher = "AccTesPublisher240101"
    offer     = "AccTesOffer240101"
    sku       = "AccTesSku240101"
  }
}

resource "azurerm_shared_image_version" "test" {
  name                = "0.0.1"
  gallery_name        = azurerm_shared_image.test.gallery_name
  image_name          = azurerm_shared_image.test.name
  resource_group_name = azurerm_shared_image.test.resource_group_name
  location            = azurerm_shared_image.test.location
  managed_image_id    = azurerm_image.test.id
  replication_mode    = "Full"

  target_region {
    name                   = azurerm_shared_image.test.location
    regional_replica_count = 1
    storage_account_type   = "Standard_LRS"
  }
}
