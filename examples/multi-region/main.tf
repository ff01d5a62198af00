# Several images in one gallery, for_each over a map, with `dynamic "target_region"`: the newest
# version of each image goes to every replica region; older versions stay in their source region
# only, as the product documentation suggests to save storage.

terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
  }
}

provider "azurerm" {
  features {}
}

sigform {
  keep_latest_in_all_regions = 1
}

locals {
  prefix = "img-${var.environment}"

  # One entry per (image, version), keyed "image/version".
  versions = merge([
    for image, spec in var.images : {
      for i, v in spec.versions : "${image}/${v}" => {
        image   = image
        version = v
        newest  = i == length(spec.versions) - 1
      }
    }
  ]...)

  common_tags = {
    environment = var.environment
    managed_by  = "sigform"
  }
}

resource "azurerm_resource_group" "gallery" {
  name     = "rg-${local.prefix}"
  location = var.location
  tags     = local.common_tags
}

resource "azurerm_shared_image_gallery" "gallery" {
  name                = replace("${local.prefix}_gallery", "-", "_")
  resource_group_name = azurerm_resource_group.gallery.name
  location            = azurerm_resource_group.gallery.location
  tags                = local.common_tags
}

resource "azurerm_image" "source" {
  for_each = local.versions

  name                = "${each.value.image}-${each.value.version}"
  resource_group_name = azurerm_resource_group.gallery.name
  location            = var.location
  hyper_v_generation  = var.images[each.value.image].hyper_v

  os_disk {
    os_type  = var.images[each.value.image].os_type
    os_state = "Generalized"
    size_gb  = var.images[each.value.image].image_gib
  }
}

resource "azurerm_shared_image" "image" {
  for_each = var.images

  name                = each.key
  gallery_name        = azurerm_shared_image_gallery.gallery.name
  resource_group_name = azurerm_resource_group.gallery.name
  location            = azurerm_resource_group.gallery.location
  os_type             = each.value.os_type
  hyper_v_generation  = each.value.hyper_v

  identifier {
    publisher = "contoso"
    offer     = each.value.offer
    sku       = each.value.sku
  }

  tags = local.common_tags
}

resource "azurerm_shared_image_version" "version" {
  for_each = local.versions

  name                = each.value.version
  gallery_name        = azurerm_shared_image_gallery.gallery.name
  image_name          = azurerm_shared_image.image[each.value.image].name
  resource_group_name = azurerm_resource_group.gallery.name
  location            = var.location
  managed_image_id    = azurerm_image.source[each.key].id

  # A version steps back to its source region when a newer one arrives: Azure allows removing
  # regions it was replicated to only when this was set at creation (SIG506 otherwise).
  deletion_of_replicated_locations_enabled = true

  # The source region is always a target; the newest version also goes everywhere else.
  target_region {
    name                   = var.location
    regional_replica_count = 1
  }

  dynamic "target_region" {
    for_each = each.value.newest ? var.replica_regions : {}
    iterator = region
    content {
      name                   = region.key
      regional_replica_count = region.value
    }
  }

  tags = local.common_tags
}

output "newest_versions" {
  value = { for k, v in local.versions : v.image => azurerm_shared_image_version.version[k].id if v.newest }
}
