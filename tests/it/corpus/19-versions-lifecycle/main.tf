# Versions with end of life computed from a release date, one kept out of latest, tags ignored.
provider "azurerm" {
  features {}
}

variable "releases" {
  type = map(object({
    released = string
    latest   = bool
  }))
  default = {
    "1.0.0" = { released = "2026-01-15T00:00:00Z", latest = false }
    "1.1.0" = { released = "2026-06-01T00:00:00Z", latest = true }
  }
}

resource "azurerm_resource_group" "rg" {
  name     = "rg-lifecycle"
  location = "eastus"
}

resource "azurerm_image" "src" {
  name                = "lifecycle-src"
  resource_group_name = azurerm_resource_group.rg.name
  location            = "eastus"

  os_disk {
    os_type  = "Linux"
    os_state = "Generalized"
    size_gb  = 30
  }
}

resource "azurerm_shared_image_gallery" "g" {
  name                = "lifecycle"
  resource_group_name = azurerm_resource_group.rg.name
  location            = "eastus"
}

resource "azurerm_shared_image" "d" {
  name                = "app"
  gallery_name        = azurerm_shared_image_gallery.g.name
  resource_group_name = azurerm_resource_group.rg.name
  location            = "eastus"
  os_type             = "Linux"

  identifier {
    publisher = "contoso"
    offer     = "app"
    sku       = "1"
  }
}

resource "azurerm_shared_image_version" "v" {
  for_each = var.releases

  name                = each.key
  gallery_name        = azurerm_shared_image_gallery.g.name
  image_name          = azurerm_shared_image.d.name
  resource_group_name = azurerm_resource_group.rg.name
  location            = "eastus"
  managed_image_id    = azurerm_image.src.id
  exclude_from_latest = !each.value.latest
  end_of_life_date    = timeadd(each.value.released, "17520h")
  tags                = { released = formatdate("YYYY-MM-DD", each.value.released) }

  target_region {
    name = "eastus"
  }

  lifecycle {
    ignore_changes = [tags]
  }
}
