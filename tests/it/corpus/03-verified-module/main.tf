# A verified-module style call: every optional argument passed, most as null; maps of objects
# for the children; role assignments by map key.
provider "azurerm" {
  features {}
}

data "azurerm_client_config" "current" {}

resource "azurerm_resource_group" "this" {
  name     = "rg-avm-gallery"
  location = "swedencentral"
}

module "gallery" {
  source = "./modules/compute-gallery"

  name                = "avm_gallery"
  resource_group_name = azurerm_resource_group.this.name
  location            = azurerm_resource_group.this.location
  description         = null
  tags                = null
  enable_telemetry    = false

  shared_image_definitions = {
    linux = {
      name   = "linux-base"
      os_type = "Linux"
      identifier = {
        publisher = "contoso"
        offer     = "linux"
        sku       = "base"
      }
      hyper_v_generation       = "V2"
      trusted_launch_supported = true
      description              = null
      end_of_life_date         = null
    }
  }

  role_assignments = {
    me = {
      role_definition_id_or_name = "Compute Gallery Artifacts Publisher"
      principal_id               = data.azurerm_client_config.current.object_id
    }
  }
}

output "resource_id" {
  value = module.gallery.resource_id
}
