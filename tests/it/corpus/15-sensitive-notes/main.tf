# A sensitive input carried into descriptions; only what is safe is shown.
provider "azurerm" {
  features {}
}

variable "internal_contact" {
  type      = string
  sensitive = true
  default   = "secops-oncall@contoso.example"
}

resource "azurerm_resource_group" "rg" {
  name     = "rg-sensitive"
  location = "eastus"
}

resource "azurerm_shared_image_gallery" "g" {
  name                = "sensitive"
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_resource_group.rg.location
  description         = "Escalations: ${var.internal_contact}"
}

output "contact_domain" {
  value = nonsensitive(split("@", var.internal_contact)[1])
}

output "description" {
  value     = azurerm_shared_image_gallery.g.description
  sensitive = true
}
