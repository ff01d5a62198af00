resource "azurerm_shared_image_gallery" "g" {
  name = "g"
  resource_group_name = "rg"
  location = "eastus"
  count = "many"
}
