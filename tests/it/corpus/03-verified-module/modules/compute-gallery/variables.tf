variable "name" {
  type        = string
  description = "The name of the gallery."
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_.]{1,80}$", var.name))
    error_message = "The name must be letters, digits, periods and underscores."
  }
}

variable "resource_group_name" {
  type = string
}

variable "location" {
  type = string
}

variable "description" {
  type    = string
  default = null
}

variable "tags" {
  type    = map(string)
  default = null
}

variable "enable_telemetry" {
  type     = bool
  default  = true
  nullable = false
}

variable "shared_image_definitions" {
  type = map(object({
    name    = string
    os_type = string
    identifier = object({
      publisher = string
      offer     = string
      sku       = string
    })
    hyper_v_generation       = optional(string, "V1")
    trusted_launch_supported = optional(bool)
    description              = optional(string)
    end_of_life_date         = optional(string)
  }))
  default  = {}
  nullable = false
}

variable "role_assignments" {
  type = map(object({
    role_definition_id_or_name = string
    principal_id               = string
    description                = optional(string, null)
  }))
  default  = {}
  nullable = false
}
