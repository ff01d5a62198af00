# A public community gallery, readers for a set of teams' groups.
provider "azurerm" {
  features {}
}

variable "reader_groups" {
  type    = set(string)
  default = ["0b3e6f1a-1111-4c2e-9a55-000000000001", "0b3e6f1a-1111-4c2e-9a55-000000000002"]
}

resource "azurerm_resource_group" "public" {
  name     = "rg-community-images"
  location = "westus2"
}

resource "azurerm_shared_image_gallery" "public" {
  name                = "contoso_community"
  resource_group_name = azurerm_resource_group.public.name
  location            = azurerm_resource_group.public.location
  description         = "Images we publish to everyone"

  sharing {
    permission = "Community"

    community_gallery {
      eula            = "https://contoso.example/eula"
      prefix          = "contoso"
      publisher_email = "images@contoso.example"
      publisher_uri   = "https://contoso.example"
    }
  }
}

resource "azurerm_role_assignment" "readers" {
  for_each = var.reader_groups

  scope                = azurerm_shared_image_gallery.public.id
  role_definition_name = "Compute Gallery Image Reader"
  principal_id         = each.value
  principal_type       = "Group"
}
