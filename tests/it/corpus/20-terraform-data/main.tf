# A build stamp kept with terraform_data; its output feeds tags, and a replacement trigger.
provider "azurerm" {
  features {}
}

variable "pipeline_run" {
  type    = string
  default = "run-20261202.3"
}

resource "terraform_data" "build" {
  input            = { run = var.pipeline_run, commit = "4f2a9c1" }
  triggers_replace = [var.pipeline_run]
}

resource "random_uuid" "correlation" {
  keepers = {
    run = var.pipeline_run
  }
}

resource "azurerm_resource_group" "rg" {
  name     = "rg-stamped"
  location = "eastus"
  tags = {
    run         = terraform_data.build.output.run
    commit      = terraform_data.build.output.commit
    correlation = random_uuid.correlation.result
  }
}
