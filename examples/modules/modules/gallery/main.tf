# A gallery, and read access for the principals that deploy its images.

variable "name" {
  type = string
}

variable "resource_group_name" {
  type = string
}

variable "location" {
  type = string
}

variable "description" {
  type     = string
  default  = "Images built by the platform team"
  nullable = false
}

variable "readers" {
  description = "Object ids of the principals that may read every image of the gallery."
  type        = set(string)
  default     = []
}

resource "azurerm_shared_image_gallery" "this" {
  name                = var.name
  resource_group_name = var.resource_group_name
  location            = var.location
  description         = var.description
}

resource "azurerm_role_assignment" "reader" {
  for_each = var.readers

  scope                = azurerm_shared_image_gallery.this.id
  role_definition_name = "Reader"
  principal_id         = each.value
}

output "name" {
  value = azurerm_shared_image_gallery.this.name
}

output "id" {
  value = azurerm_shared_image_gallery.this.id
}
