# Conditional creation with count, lifecycle settings, timeouts, splats.
provider "azurerm" {
  features {}
}

variable "publish" {
  type    = bool
  default = true
}

variable "with_windows" {
  type    = bool
  default = false
}

resource "azurerm_resource_group" "rg" {
  name     = "rg-conditional"
  location = "centralus"

  lifecycle {
    ignore_changes = [tags]
  }
}

resource "azurerm_shared_image_gallery" "g" {
  count = var.publish ? 1 : 0

  name                = "conditional"
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_resource_group.rg.location

  timeouts {
    create = "30m"
    delete = "1h"
  }
}

resource "azurerm_shared_image" "windows" {
  count = var.publish && var.with_windows ? 1 : 0

  name                = "windows"
  gallery_name        = azurerm_shared_image_gallery.g[0].name
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_resource_group.rg.location
  os_type             = "Windows"

  identifier {
    publisher = "contoso"
    offer     = "windows"
    sku       = "2022"
  }
}

resource "azurerm_shared_image" "linux" {
  count = var.publish ? 2 : 0

  name                = "linux-${count.index}"
  gallery_name        = azurerm_shared_image_gallery.g[0].name
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_resource_group.rg.location
  os_type             = "Linux"

  identifier {
    publisher = "contoso"
    offer     = "linux"
    sku       = "v${count.index}"
  }

  lifecycle {
    create_before_destroy = false
    prevent_destroy       = false
  }
}

output "gallery_ids" {
  value = azurerm_shared_image_gallery.g[*].id
}

output "linux_names" {
  value = azurerm_shared_image.linux[*].name
}

output "windows" {
  value = one(azurerm_shared_image.windows[*].id)
}
