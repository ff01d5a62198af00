# What a Packer pipeline's publish step looks like: the image Packer left behind, read by name,
# published as the next version of an existing definition.
provider "azurerm" {
  features {}
}

variable "image_name" {
  type    = string
  default = "ubuntu-20261130"
}

variable "version" {
  type    = string
  default = "2026.11.30"
}

data "azurerm_image" "packer" {
  name                = var.image_name
  resource_group_name = "rg-packer"
}

resource "azurerm_resource_group" "gallery" {
  name     = "rg-pipeline-gallery"
  location = data.azurerm_image.packer.location
}

resource "azurerm_shared_image_gallery" "pipeline" {
  name                = "pipeline"
  resource_group_name = azurerm_resource_group.gallery.name
  location            = azurerm_resource_group.gallery.location
}

resource "azurerm_shared_image" "ubuntu" {
  name                = "ubuntu"
  gallery_name        = azurerm_shared_image_gallery.pipeline.name
  resource_group_name = azurerm_resource_group.gallery.name
  location            = azurerm_resource_group.gallery.location
  os_type             = "Linux"
  hyper_v_generation  = "V2"

  identifier {
    publisher = "contoso"
    offer     = "ubuntu"
    sku       = "pipeline"
  }
}

resource "azurerm_shared_image_version" "build" {
  name                = var.version
  gallery_name        = azurerm_shared_image_gallery.pipeline.name
  image_name          = azurerm_shared_image.ubuntu.name
  resource_group_name = azurerm_resource_group.gallery.name
  location            = azurerm_resource_group.gallery.location
  managed_image_id    = data.azurerm_image.packer.id
  exclude_from_latest = false

  target_region {
    name                   = data.azurerm_image.packer.location
    regional_replica_count = 2
  }

  tags = {
    source_image = data.azurerm_image.packer.name
    build        = var.version
  }
}
