//! The region catalogue: Azure public regions with display names, the regions of the other
//! clouds (SIG203), where galleries can be created (SIG202) and which need allow-listing (SIG204).
//!
//! Users write `"South Central US"` or `"southcentralus"`; `normalize` makes them one.

/// Which cloud a region belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    Public,
    China,
    Germany,
    Government,
}

impl Cloud {
    pub fn display(self) -> &'static str {
        match self {
            Cloud::Public => "Azure public cloud",
            Cloud::China => "Azure China",
            Cloud::Germany => "Azure Germany",
            Cloud::Government => "Azure Government",
        }
    }
}

pub struct Region {
    pub name: &'static str,
    pub display: &'static str,
    pub cloud: Cloud,
}

const fn public(name: &'static str, display: &'static str) -> Region {
    Region { name, display, cloud: Cloud::Public }
}

const fn other(name: &'static str, display: &'static str, cloud: Cloud) -> Region {
    Region { name, display, cloud }
}

pub static REGIONS: &[Region] = &[
    public("australiacentral", "Australia Central"),
    public("australiacentral2", "Australia Central 2"),
    public("australiaeast", "Australia East"),
    public("australiasoutheast", "Australia Southeast"),
    public("austriaeast", "Austria East"),
    public("belgiumcentral", "Belgium Central"),
    public("brazilsouth", "Brazil South"),
    public("brazilsoutheast", "Brazil Southeast"),
    public("canadacentral", "Canada Central"),
    public("canadaeast", "Canada East"),
    public("centralindia", "Central India"),
    public("centralus", "Central US"),
    public("chilecentral", "Chile Central"),
    public("denmarkeast", "Denmark East"),
    public("eastasia", "East Asia"),
    public("eastus", "East US"),
    public("eastus2", "East US 2"),
    public("francecentral", "France Central"),
    public("francesouth", "France South"),
    public("germanynorth", "Germany North"),
    public("germanywestcentral", "Germany West Central"),
    public("indonesiacentral", "Indonesia Central"),
    public("israelcentral", "Israel Central"),
    public("italynorth", "Italy North"),
    public("japaneast", "Japan East"),
    public("japanwest", "Japan West"),
    public("jioindiacentral", "Jio India Central"),
    public("jioindiawest", "Jio India West"),
    public("koreacentral", "Korea Central"),
    public("koreasouth", "Korea South"),
    public("malaysiawest", "Malaysia West"),
    public("mexicocentral", "Mexico Central"),
    public("newzealandnorth", "New Zealand North"),
    public("northcentralus", "North Central US"),
    public("northeurope", "North Europe"),
    public("norwayeast", "Norway East"),
    public("norwaywest", "Norway West"),
    public("polandcentral", "Poland Central"),
    public("qatarcentral", "Qatar Central"),
    public("southafricanorth", "South Africa North"),
    public("southafricawest", "South Africa West"),
    public("southcentralus", "South Central US"),
    public("southeastasia", "Southeast Asia"),
    public("southindia", "South India"),
    public("spaincentral", "Spain Central"),
    public("swedencentral", "Sweden Central"),
    public("swedensouth", "Sweden South"),
    public("switzerlandnorth", "Switzerland North"),
    public("switzerlandwest", "Switzerland West"),
    public("uaecentral", "UAE Central"),
    public("uaenorth", "UAE North"),
    public("uksouth", "UK South"),
    public("ukwest", "UK West"),
    public("westcentralus", "West Central US"),
    public("westeurope", "West Europe"),
    public("westindia", "West India"),
    public("westus", "West US"),
    public("westus2", "West US 2"),
    public("westus3", "West US 3"),
    other("chinaeast", "China East", Cloud::China),
    other("chinaeast2", "China East 2", Cloud::China),
    other("chinaeast3", "China East 3", Cloud::China),
    other("chinanorth", "China North", Cloud::China),
    other("chinanorth2", "China North 2", Cloud::China),
    other("chinanorth3", "China North 3", Cloud::China),
    other("germanycentral", "Germany Central", Cloud::Germany),
    other("germanynortheast", "Germany Northeast", Cloud::Germany),
    other("usgovarizona", "US Gov Arizona", Cloud::Government),
    other("usgoviowa", "US Gov Iowa", Cloud::Government),
    other("usgovtexas", "US Gov Texas", Cloud::Government),
    other("usgovvirginia", "US Gov Virginia", Cloud::Government),
    other("usdodcentral", "US DoD Central", Cloud::Government),
    other("usdodeast", "US DoD East", Cloud::Government),
];

/// Where gallery creation was available when the service was first documented (api-version 2018-06-01). The `sigform { gallery_regions }`
/// setting replaces this list.
pub static GALLERY_REGIONS: &[&str] =
    &["westcentralus", "eastus2", "southcentralus", "southeastasia", "westeurope", "westus", "eastus", "canadacentral"];

/// Public regions with availability zones, where zone-redundant storage (`Standard_ZRS`) exists:
/// a version's replicas can be stored as ZRS only there (SIG209).
pub static ZONE_REGIONS: &[&str] = &[
    "australiaeast",
    "austriaeast",
    "belgiumcentral",
    "brazilsouth",
    "canadacentral",
    "centralindia",
    "centralus",
    "chilecentral",
    "denmarkeast",
    "eastasia",
    "eastus",
    "eastus2",
    "francecentral",
    "germanywestcentral",
    "indonesiacentral",
    "israelcentral",
    "italynorth",
    "japaneast",
    "japanwest",
    "koreacentral",
    "malaysiawest",
    "mexicocentral",
    "newzealandnorth",
    "northeurope",
    "norwayeast",
    "polandcentral",
    "qatarcentral",
    "southafricanorth",
    "southcentralus",
    "southeastasia",
    "spaincentral",
    "swedencentral",
    "switzerlandnorth",
    "uaenorth",
    "uksouth",
    "westeurope",
    "westus2",
    "westus3",
];

/// Whether a region has availability zones (and so zone-redundant storage).
pub fn has_zones(name: &str) -> bool {
    ZONE_REGIONS.contains(&normalize(name).as_str())
}

/// Regions a subscription must be allow-listed for (`sigform { allowlisted_regions }`).
pub static ALLOWLIST_REGIONS: &[&str] = &["australiacentral", "australiacentral2"];

/// `"East US 2"`, `"eastus2"` and `"east-us-2"` are the same region: `eastus2`.
pub fn normalize(name: &str) -> String {
    // The rules ask this of every resource's location, several times: ASCII (every region's
    // name) is done byte by byte.
    if name.is_ascii() { normal_bytes(name).map(char::from).collect() } else { normal_chars(name).collect() }
}

/// A name's characters as `normalize` keeps them: no blanks, `-` or `_`, in lower case.
fn normal_chars(name: &str) -> impl Iterator<Item = char> + '_ {
    name.chars().filter(|c| !c.is_whitespace() && *c != '-' && *c != '_').flat_map(char::to_lowercase)
}

/// The same of an ASCII name, byte by byte.
fn normal_bytes(name: &str) -> impl Iterator<Item = u8> + '_ {
    name.bytes().filter(|b| !char::from(*b).is_whitespace() && *b != b'-' && *b != b'_').map(|b| b.to_ascii_lowercase())
}

/// Whether two names are of the same region (`normalize` equal), without making either.
pub fn same(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() { normal_bytes(a).eq(normal_bytes(b)) } else { normal_chars(a).eq(normal_chars(b)) }
}

pub fn find(name: &str) -> Option<&'static Region> {
    // Normalized on the stack: no region's name is longer.
    let mut normal = [0u8; 64];
    if name.is_ascii() && name.len() <= normal.len() {
        let mut len = 0;
        for b in normal_bytes(name) {
            normal[len] = b;
            len += 1;
        }
        return REGIONS.iter().find(|r| r.name.as_bytes() == &normal[..len]);
    }
    let n = normalize(name);
    REGIONS.iter().find(|r| r.name == n)
}

/// The display name of a region, or the name as written when it is not in the catalogue.
pub fn display(name: &str) -> String {
    find(name).map_or_else(|| name.to_string(), |r| r.display.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise() {
        let cases = [
            ("East US 2", "eastus2"),
            ("eastus2", "eastus2"),
            ("South Central US", "southcentralus"),
            ("  West Europe ", "westeurope"),
            ("west_europe\u{0B}", "westeurope"),
        ];
        for (given, want) in cases {
            assert_eq!(normalize(given), want);
            assert!(find(given).is_some(), "{given}");
        }
        // Beyond ASCII, by characters (no region is named so; the name is kept as Azure would
        // not know it either).
        assert_eq!(normalize("Östra Sverige"), "östrasverige");
        assert!(find("Östra Sverige").is_none());
        assert!(same("East US 2", "eastus2") && same("ÖSTRA sverige", "östra-sverige"));
        assert!(!same("eastus", "eastus2") && !same("eastus2", "eastus"));
        assert_eq!(find(&format!("{}eastus", " ".repeat(70))).unwrap().name, "eastus");
        assert_eq!(find("chinaeast2").unwrap().cloud, Cloud::China);
        assert!(find("atlantis").is_none());
        assert!(has_zones("East US 2") && !has_zones("westus") && !has_zones("northcentralus"));
    }

    #[test]
    fn gallery_and_allowlist_regions_are_catalogued_public_regions() {
        for r in GALLERY_REGIONS.iter().chain(ALLOWLIST_REGIONS).chain(ZONE_REGIONS) {
            assert_eq!(find(r).map(|r| r.cloud), Some(Cloud::Public), "{r}");
        }
    }
}
