variable "index" {
  type = number
}

variable "gallery_name" {
  type = string
}

variable "resource_group_name" {
  type = string
}

resource "azurerm_shared_image" "this" {
  name                = "image-${var.index}"
  gallery_name        = var.gallery_name
  resource_group_name = var.resource_group_name
  location            = "eastus"
  os_type             = "Linux"

  identifier {
    publisher = "contoso"
    offer     = "nested"
    sku       = "sku-${var.index}"
  }
}

module "replicas" {
  source = "./modules/replicas"
  name   = azurerm_shared_image.this.name
}

output "definition" {
  value = "${azurerm_shared_image.this.name}/${module.replicas.note}"
}
