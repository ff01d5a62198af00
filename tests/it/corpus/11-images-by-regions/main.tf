# Replication as a table: every image in every region of its tier, from setproduct and flatten.
provider "azurerm" {
  features {}
}

locals {
  tiers = {
    gold   = ["eastus", "westeurope", "southeastasia"]
    silver = ["eastus"]
  }
  images = {
    web = "gold"
    batch = "silver"
  }
  placements = { for pair in setproduct(keys(local.images), ["1.0.0"]) : "${pair[0]}-${pair[1]}" => {
    image   = pair[0]
    version = pair[1]
    regions = local.tiers[local.images[pair[0]]]
  } }
}

resource "azurerm_resource_group" "rg" {
  name     = "rg-tiers"
  location = "eastus"
}

resource "azurerm_shared_image_gallery" "g" {
  name                = "tiers"
  resource_group_name = azurerm_resource_group.rg.name
  location            = "eastus"
}

resource "azurerm_image" "src" {
  for_each = local.images

  name                = "${each.key}-src"
  resource_group_name = azurerm_resource_group.rg.name
  location            = "eastus"

  os_disk {
    os_type  = "Linux"
    os_state = "Generalized"
    size_gb  = 32
  }
}

resource "azurerm_shared_image" "img" {
  for_each = local.images

  name                = each.key
  gallery_name        = azurerm_shared_image_gallery.g.name
  resource_group_name = azurerm_resource_group.rg.name
  location            = "eastus"
  os_type             = "Linux"

  identifier {
    publisher = "contoso"
    offer     = each.key
    sku       = each.value
  }
}

resource "azurerm_shared_image_version" "v" {
  for_each = local.placements

  name                = each.value.version
  gallery_name        = azurerm_shared_image_gallery.g.name
  image_name          = azurerm_shared_image.img[each.value.image].name
  resource_group_name = azurerm_resource_group.rg.name
  location            = "eastus"
  managed_image_id    = azurerm_image.src[each.value.image].id

  dynamic "target_region" {
    for_each = toset(each.value.regions)
    content {
      name                   = target_region.value
      regional_replica_count = target_region.value == "eastus" ? 3 : 1
    }
  }
}

output "replica_regions" {
  value = { for k, v in local.placements : k => length(v.regions) }
}
