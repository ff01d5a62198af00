variable "name" {
  type = string
}

output "note" {
  value = "replicas-for-${var.name}"
}
