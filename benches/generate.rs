//! Generates gallery configurations at a given scale (issue 8): `regions` × `galleries` per region
//! × `definitions` per gallery × `versions` per definition, plus a resource group and a managed
//! image per region. Two shapes: one block per resource (explicit), or `for_each` over maps.

use std::fmt::Write;

#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub regions: usize,
    pub galleries: usize,
    pub definitions: usize,
    pub versions: usize,
}

impl Scale {
    pub fn resources(&self) -> usize {
        self.regions * (2 + self.galleries * (1 + self.definitions * (1 + self.versions)))
    }
}

const REGIONS: &[&str] =
    &["eastus", "eastus2", "westus", "westeurope", "southcentralus", "canadacentral", "southeastasia", "westcentralus"];

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    Explicit,
    ForEach,
}

pub fn generate(scale: Scale, shape: Shape) -> String {
    match shape {
        Shape::Explicit => explicit(scale),
        Shape::ForEach => for_each(scale),
    }
}

fn explicit(s: Scale) -> String {
    let mut out = String::new();
    for r in &REGIONS[..s.regions] {
        let _ = write!(
            out,
            "resource \"azurerm_resource_group\" \"rg_{r}\" {{\n  name     = \"rg-{r}\"\n  location = \"{r}\"\n}}\n\n\
             resource \"azurerm_image\" \"img_{r}\" {{\n  name                = \"base\"\n  resource_group_name = azurerm_resource_group.rg_{r}.name\n  location            = \"{r}\"\n  os_disk {{\n    os_type  = \"Linux\"\n    os_state = \"Generalized\"\n    size_gb  = 30\n  }}\n}}\n\n"
        );
        for g in 0..s.galleries {
            let _ = write!(
                out,
                "resource \"azurerm_shared_image_gallery\" \"g_{r}_{g}\" {{\n  name                = \"g{g}_{r}\"\n  resource_group_name = azurerm_resource_group.rg_{r}.name\n  location            = \"{r}\"\n}}\n\n"
            );
            for d in 0..s.definitions {
                let _ = write!(
                    out,
                    "resource \"azurerm_shared_image\" \"d_{r}_{g}_{d}\" {{\n  name                = \"def{d}\"\n  gallery_name        = azurerm_shared_image_gallery.g_{r}_{g}.name\n  resource_group_name = azurerm_resource_group.rg_{r}.name\n  location            = \"{r}\"\n  os_type             = \"Linux\"\n  identifier {{\n    publisher = \"contoso\"\n    offer     = \"g{g}\"\n    sku       = \"def{d}\"\n  }}\n}}\n\n"
                );
                for v in 0..s.versions {
                    let _ = write!(
                        out,
                        "resource \"azurerm_shared_image_version\" \"v_{r}_{g}_{d}_{v}\" {{\n  name                = \"1.0.{v}\"\n  gallery_name        = azurerm_shared_image.d_{r}_{g}_{d}.gallery_name\n  image_name          = azurerm_shared_image.d_{r}_{g}_{d}.name\n  resource_group_name = azurerm_resource_group.rg_{r}.name\n  location            = \"{r}\"\n  managed_image_id    = azurerm_image.img_{r}.id\n  target_region {{\n    name = \"{r}\"\n  }}\n}}\n\n"
                    );
                }
            }
        }
    }
    out
}

fn for_each(s: Scale) -> String {
    let regions: Vec<String> = REGIONS[..s.regions].iter().map(|r| format!("\"{r}\"")).collect();
    format!(
        r#"locals {{
  regions     = [{regions}]
  galleries   = merge([for r in local.regions : {{ for g in range({g}) : "${{r}}-g${{g}}" => {{ region = r, name = "g${{g}}_${{r}}" }} }}]...)
  definitions = merge([for gk, g in local.galleries : {{ for d in range({d}) : "${{gk}}-d${{d}}" => {{ gallery = gk, region = g.region, name = "def${{d}}" }} }}]...)
  versions    = merge([for dk, d in local.definitions : {{ for v in range({v}) : "${{dk}}-1.0.${{v}}" => {{ definition = dk, region = d.region, name = "1.0.${{v}}" }} }}]...)
}}

resource "azurerm_resource_group" "rg" {{
  for_each = toset(local.regions)
  name     = "rg-${{each.key}}"
  location = each.key
}}

resource "azurerm_image" "img" {{
  for_each            = toset(local.regions)
  name                = "base"
  resource_group_name = azurerm_resource_group.rg[each.key].name
  location            = each.key
  os_disk {{
    os_type  = "Linux"
    os_state = "Generalized"
    size_gb  = 30
  }}
}}

resource "azurerm_shared_image_gallery" "g" {{
  for_each            = local.galleries
  name                = each.value.name
  resource_group_name = azurerm_resource_group.rg[each.value.region].name
  location            = each.value.region
}}

resource "azurerm_shared_image" "d" {{
  for_each            = local.definitions
  name                = each.value.name
  gallery_name        = azurerm_shared_image_gallery.g[each.value.gallery].name
  resource_group_name = azurerm_resource_group.rg[each.value.region].name
  location            = each.value.region
  os_type             = "Linux"
  identifier {{
    publisher = "contoso"
    offer     = each.value.gallery
    sku       = each.value.name
  }}
}}

resource "azurerm_shared_image_version" "v" {{
  for_each            = local.versions
  name                = each.value.name
  gallery_name        = azurerm_shared_image.d[each.value.definition].gallery_name
  image_name          = azurerm_shared_image.d[each.value.definition].name
  resource_group_name = azurerm_resource_group.rg[each.value.region].name
  location            = each.value.region
  managed_image_id    = azurerm_image.img[each.value.region].id
  target_region {{
    name = each.value.region
  }}
}}
"#,
        regions = regions.join(", "),
        g = s.galleries,
        d = s.definitions,
        v = s.versions
    )
}
