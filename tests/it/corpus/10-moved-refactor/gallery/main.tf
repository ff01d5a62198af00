variable "resource_group_name" {
  type = string
}

variable "location" {
  type = string
}

moved {
  from = azurerm_shared_image_gallery.old
  to   = azurerm_shared_image_gallery.this
}

resource "azurerm_shared_image_gallery" "this" {
  name                = "refactored"
  resource_group_name = var.resource_group_name
  location            = var.location
}
