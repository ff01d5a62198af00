variable "location" {
  type        = string
  description = "Source region of every image, and home of the gallery."
  default     = "westeurope"
}

variable "replica_regions" {
  type        = map(number)
  description = "Regions the newest versions are replicated to, with their replica counts."
}

variable "images" {
  description = "Image definitions and the versions published for each."
  type = map(object({
    os_type   = string
    offer     = string
    sku       = string
    hyper_v   = optional(string, "V2")
    versions  = list(string)
    image_gib = optional(number, 30)
  }))

  validation {
    condition     = alltrue([for k, v in var.images : contains(["Linux", "Windows"], v.os_type)])
    error_message = "os_type must be Linux or Windows."
  }
}

variable "environment" {
  type    = string
  default = "prod"
}
