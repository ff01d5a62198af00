# Validations, preconditions, check blocks and a templatefile description.
provider "azurerm" {
  features {}
}

variable "environment" {
  type    = string
  default = "prod"

  validation {
    condition     = contains(["dev", "test", "prod"], var.environment)
    error_message = "environment must be dev, test or prod."
  }
}

variable "teams" {
  type    = list(string)
  default = ["web", "data"]
}

locals {
  common_tags = {
    environment = var.environment
    managed_by  = "terraform"
  }
  gallery_name = "images_${var.environment}"
}

resource "azurerm_resource_group" "rg" {
  name     = "rg-images-${var.environment}"
  location = "eastus"
  tags     = local.common_tags
}

resource "azurerm_shared_image_gallery" "g" {
  name                = local.gallery_name
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_resource_group.rg.location
  description         = templatefile("${path.module}/templates/description.tftpl", { teams = var.teams, owner = "platform" })
  tags                = merge(local.common_tags, { purpose = "golden-images" })

  lifecycle {
    precondition {
      condition     = length(local.gallery_name) <= 80
      error_message = "gallery names are at most 80 characters."
    }
  }
}

check "tags_complete" {
  assert {
    condition     = alltrue([for k in ["environment", "managed_by"] : contains(keys(azurerm_shared_image_gallery.g.tags), k)])
    error_message = "every gallery carries the common tags."
  }
}

output "description" {
  value = azurerm_shared_image_gallery.g.description
}
