output "resource_id" {
  description = "The gallery's id."
  value       = azurerm_shared_image_gallery.this.id
}

output "name" {
  value = azurerm_shared_image_gallery.this.name
}

output "image_ids" {
  value = { for k, v in azurerm_shared_image.this : k => v.id }
}
