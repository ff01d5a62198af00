resource "azurerm_shared_image_version" "v" {
  name = "1.0.0"
  gallery_name = "g"
  image_name = "i"
  resource_group_name = "rg"
  location = "eastus"
  target_region {
    name = 42
    regional_replica_count = "lots"
  }
}
