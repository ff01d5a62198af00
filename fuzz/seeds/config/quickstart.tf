# Quickstart: one gallery with one image definition and one version, replicated to three
# regions, shared read-only with a team. Runs as is against the embedded emulator.

provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "images" {
  name     = "rg-golden-images"
  location = "East US"
}

# The managed image Packer (or `sigform emulator add-image`) leaves behind.
resource "azurerm_image" "ubuntu" {
  name                = "ubuntu-2204-base"
  resource_group_name = azurerm_resource_group.images.name
  location            = azurerm_resource_group.images.location
  hyper_v_generation  = "V2"

  os_disk {
    os_type  = "Linux"
    os_state = "Generalized"
    blob_uri = "https://packerstore.blob.core.windows.net/images/ubuntu-2204.vhd"
    size_gb  = 30
  }
}

resource "azurerm_shared_image_gallery" "main" {
  name                = "golden_images"
  resource_group_name = azurerm_resource_group.images.name
  location            = azurerm_resource_group.images.location
  description         = "Hardened base images for every team"

  tags = {
    owner = "platform"
  }
}

resource "azurerm_shared_image" "ubuntu" {
  name                = "ubuntu-22.04"
  gallery_name        = azurerm_shared_image_gallery.main.name
  resource_group_name = azurerm_resource_group.images.name
  location            = azurerm_resource_group.images.location
  os_type             = "Linux"
  hyper_v_generation  = "V2"

  identifier {
    publisher = "contoso"
    offer     = "ubuntu-hardened"
    sku       = "22.04-lts"
  }
}

resource "azurerm_shared_image_version" "v1" {
  name                = "1.0.0"
  gallery_name        = azurerm_shared_image_gallery.main.name
  image_name          = azurerm_shared_image.ubuntu.name
  resource_group_name = azurerm_resource_group.images.name
  location            = azurerm_resource_group.images.location
  managed_image_id    = azurerm_image.ubuntu.id

  target_region {
    name                   = "East US"
    regional_replica_count = 2
  }

  target_region {
    name                   = "West Europe"
    regional_replica_count = 1
  }

  target_region {
    name                   = "South Central US"
    regional_replica_count = 1
    storage_account_type   = "Standard_ZRS"
  }
}

# Everyone in the app team may deploy any image of the gallery.
resource "azurerm_role_assignment" "app_team_reader" {
  scope                = azurerm_shared_image_gallery.main.id
  role_definition_name = "Reader"
  principal_id         = "11111111-2222-3333-4444-555555555555"
  principal_type       = "Group"
}

output "latest_version_id" {
  value = azurerm_shared_image_version.v1.id
}
