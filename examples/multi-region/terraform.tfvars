replica_regions = {
  "East US"          = 2
  "South Central US" = 1
  "Southeast Asia"   = 1
}

images = {
  ubuntu-2204 = {
    os_type  = "Linux"
    offer    = "ubuntu-hardened"
    sku      = "22.04"
    versions = ["1.0.0", "1.1.0", "1.2.0"]
  }
  windows-2022 = {
    os_type   = "Windows"
    offer     = "windows-server-hardened"
    sku       = "2022-datacenter"
    hyper_v   = "V1"
    versions  = ["2024.10.1", "2024.11.1"]
    image_gib = 127
  }
}
