locals {
  a = <<EOT
no end
