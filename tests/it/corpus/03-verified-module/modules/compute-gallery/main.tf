locals {
  role_definition_resource_substring = "/providers/Microsoft.Authorization/roleDefinitions"
}

resource "azurerm_shared_image_gallery" "this" {
  name                = var.name
  resource_group_name = var.resource_group_name
  location            = var.location
  description         = var.description
  tags                = var.tags
}

resource "azurerm_shared_image" "this" {
  for_each = var.shared_image_definitions

  name                     = each.value.name
  gallery_name             = azurerm_shared_image_gallery.this.name
  resource_group_name      = var.resource_group_name
  location                 = var.location
  os_type                  = each.value.os_type
  hyper_v_generation       = each.value.hyper_v_generation
  trusted_launch_supported = each.value.trusted_launch_supported
  description              = each.value.description
  end_of_life_date         = each.value.end_of_life_date
  tags                     = var.tags

  identifier {
    publisher = each.value.identifier.publisher
    offer     = each.value.identifier.offer
    sku       = each.value.identifier.sku
  }
}

resource "azurerm_role_assignment" "this" {
  for_each = var.role_assignments

  scope                = azurerm_shared_image_gallery.this.id
  principal_id         = each.value.principal_id
  role_definition_id   = strcontains(lower(each.value.role_definition_id_or_name), lower(local.role_definition_resource_substring)) ? each.value.role_definition_id_or_name : null
  role_definition_name = strcontains(lower(each.value.role_definition_id_or_name), lower(local.role_definition_resource_substring)) ? null : each.value.role_definition_id_or_name
  description          = each.value.description
}
