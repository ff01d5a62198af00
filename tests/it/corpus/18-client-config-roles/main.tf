# Access for whoever deploys, by role definition id built from the subscription, and for groups.
provider "azurerm" {
  features {}
}

data "azurerm_client_config" "current" {}

locals {
  reader_role = "/subscriptions/${data.azurerm_client_config.current.subscription_id}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"
}

resource "azurerm_resource_group" "rg" {
  name     = "rg-access"
  location = "eastus"
}

resource "azurerm_shared_image_gallery" "g" {
  name                = "access"
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_resource_group.rg.location
}

resource "azurerm_role_assignment" "deployer" {
  scope                = azurerm_shared_image_gallery.g.id
  role_definition_name = "Compute Gallery Artifacts Publisher"
  principal_id         = data.azurerm_client_config.current.object_id
}

resource "azurerm_role_assignment" "auditors" {
  scope              = azurerm_shared_image_gallery.g.id
  role_definition_id = local.reader_role
  principal_id       = "6a0b7c1d-2222-4f3e-8d9c-000000000042"
  principal_type     = "Group"
  description        = "Auditors read every image"
}
