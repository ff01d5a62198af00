resource "azurerm_resource_group" {
}
