# Modules: a gallery module and an image module called once per image with for_each, the way a
# platform team organises its image factory. Runs as is against the embedded emulator.

provider "azurerm" {
  features {}
}

variable "location" {
  type    = string
  default = "westeurope"
}

variable "images" {
  description = "Image definitions, each with its versions and where they are replicated."
  type = map(object({
    os_type  = string
    offer    = string
    sku      = string
    versions = map(list(string))
    replicas = optional(number, 1)
    eol_date = optional(string)
  }))
  default = {
    ubuntu = {
      os_type  = "Linux"
      offer    = "ubuntu-hardened"
      sku      = "22.04-lts"
      versions = { "1.0.0" = ["westeurope", "northeurope"], "1.1.0" = ["westeurope"] }
      replicas = 2
    }
    windows = {
      os_type  = "Windows"
      offer    = "windows-hardened"
      sku      = "2022-datacenter"
      versions = { "2.0.0" = ["westeurope"] }
    }
  }
}

resource "azurerm_resource_group" "images" {
  name     = "rg-image-factory"
  location = var.location
}

module "gallery" {
  source = "./modules/gallery"

  name                = "image_factory"
  resource_group_name = azurerm_resource_group.images.name
  location            = azurerm_resource_group.images.location
  description         = null # the module's default
  readers             = ["33333333-3333-3333-3333-333333333333"]
}

module "image" {
  source   = "./modules/image"
  for_each = var.images

  name                = each.key
  gallery_name        = module.gallery.name
  resource_group_name = azurerm_resource_group.images.name
  location            = azurerm_resource_group.images.location
  os_type             = each.value.os_type
  offer               = each.value.offer
  sku                 = each.value.sku
  versions            = each.value.versions
  replica_count       = each.value.replicas
  end_of_life_date    = each.value.eol_date
}

output "gallery_id" {
  value = module.gallery.id
}

output "versions" {
  value = { for name, image in module.image : name => image.version_ids }
}
