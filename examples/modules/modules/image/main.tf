# One image definition, the managed images its versions are made from, and its versions.

variable "name" {
  type = string
}

variable "gallery_name" {
  type = string
}

variable "resource_group_name" {
  type = string
}

variable "location" {
  type = string
}

variable "os_type" {
  type = string
}

variable "offer" {
  type = string
}

variable "sku" {
  type = string
}

variable "versions" {
  description = "Version name => the regions it is replicated to (the first is the source's)."
  type        = map(list(string))
}

variable "replica_count" {
  type    = number
  default = 1
}

variable "end_of_life_date" {
  type    = string
  default = null
}

resource "azurerm_shared_image" "this" {
  name                = var.name
  gallery_name        = var.gallery_name
  resource_group_name = var.resource_group_name
  location            = var.location
  os_type             = var.os_type
  hyper_v_generation  = "V2"
  end_of_life_date    = var.end_of_life_date

  identifier {
    publisher = "contoso"
    offer     = var.offer
    sku       = var.sku
  }
}

# What the image pipeline leaves behind, one per version.
resource "azurerm_image" "build" {
  for_each = var.versions

  name                = "${var.name}-${each.key}"
  resource_group_name = var.resource_group_name
  location            = var.location
  hyper_v_generation  = "V2"

  os_disk {
    os_type  = var.os_type
    os_state = "Generalized"
    blob_uri = "https://imagebuilds.blob.core.windows.net/vhds/${var.name}-${each.key}.vhd"
    size_gb  = 64
  }
}

resource "azurerm_shared_image_version" "this" {
  for_each = var.versions

  name                = each.key
  gallery_name        = var.gallery_name
  image_name          = azurerm_shared_image.this.name
  resource_group_name = var.resource_group_name
  location            = var.location
  managed_image_id    = azurerm_image.build[each.key].id

  dynamic "target_region" {
    for_each = each.value
    content {
      name                   = target_region.value
      regional_replica_count = var.replica_count
    }
  }
}

output "version_ids" {
  value = { for name, version in azurerm_shared_image_version.this : name => version.id }
}
