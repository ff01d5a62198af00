//! Table-driven rule tests: each case edits a valid configuration so that it breaks one rule,
//! and marks the line where the diagnostic must point with `# expect: SIGxxx`. The harness
//! checks that exactly the expected rules fire, on exactly those lines.

use crate::config::Sources;
use crate::diagnostic::Severity;
use crate::eval::Environment;
use crate::pipeline::check_configuration;
use crate::rules::RuleContext;

/// 2026-01-01T00:00:00Z: a fixed "now" so end-of-life checks do not depend on the clock.
pub(crate) const NOW: i64 = 1_767_225_600;

pub(crate) const VALID: &str = r#"
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "rg" {
  name     = "rg-images"
  location = "eastus"
}

resource "azurerm_image" "img" {
  name                = "base"
  resource_group_name = azurerm_resource_group.rg.name
  location            = "eastus"
  hyper_v_generation  = "V2"
  os_disk {
    os_type  = "Linux"
    os_state = "Generalized"
    size_gb  = 30
  }
}

resource "azurerm_shared_image_gallery" "g" {
  name                = "gallery_one"
  resource_group_name = azurerm_resource_group.rg.name
  location            = "eastus"
}

resource "azurerm_shared_image" "def" {
  name                = "ubuntu"
  gallery_name        = azurerm_shared_image_gallery.g.name
  resource_group_name = azurerm_resource_group.rg.name
  location            = "eastus"
  os_type             = "Linux"
  hyper_v_generation  = "V2"
  end_of_life_date    = "2030-01-01T00:00:00Z"
  min_recommended_vcpu_count = 2
  max_recommended_vcpu_count = 8
  identifier {
    publisher = "contoso"
    offer     = "ubuntu"
    sku       = "22.04"
  }
}

resource "azurerm_shared_image_version" "v" {
  name                = "1.0.0"
  gallery_name        = azurerm_shared_image_gallery.g.name
  image_name          = azurerm_shared_image.def.name
  resource_group_name = azurerm_resource_group.rg.name
  location            = "eastus"
  managed_image_id    = azurerm_image.img.id
  replica_count       = 2
  deletion_of_replicated_locations_enabled = true
  target_region {
    name                   = "East US"
    regional_replica_count = 2
  }
  target_region {
    name = "westeurope"
  }
}

resource "azurerm_role_assignment" "reader" {
  scope                = azurerm_shared_image_gallery.g.id
  role_definition_name = "Reader"
  principal_id         = "11111111-1111-1111-1111-111111111111"
}
"#;

/// Runs the pipeline on `text` as `main.tf` and returns (rule, severity, line) of each diagnostic.
pub(crate) fn diagnose(text: &str) -> Vec<(&'static str, Severity, usize, String)> {
    diagnose_under(text, None)
}

/// The base configuration evaluated under `profile`.
pub(crate) fn desired_under(profile: &str) -> crate::model::Desired {
    let mut sources = Sources::new();
    sources.add("main.tf", VALID);
    let environment = Environment { service_profile: Some(profile.to_string()), ..Environment::default() };
    check_configuration(&sources, &[], &environment, None, &RuleContext { now_unix: NOW }).desired
}

/// As `diagnose`, with `SIGFORM_SERVICE_PROFILE` set to `profile`.
pub(crate) fn diagnose_under(text: &str, profile: Option<&str>) -> Vec<(&'static str, Severity, usize, String)> {
    let mut sources = Sources::new();
    sources.add("main.tf", text);
    let environment = Environment { service_profile: profile.map(str::to_string), ..Environment::default() };
    let checked = check_configuration(&sources, &[], &environment, None, &RuleContext { now_unix: NOW });
    checked
        .diagnostics
        .iter()
        .map(|d| {
            let span = d.span.as_ref().expect("every diagnostic has a place");
            let (line, _) = sources.line_column(span.file, span.start());
            (d.rule, d.severity, line, d.message.clone())
        })
        .collect()
}

/// `(rule, line)` pairs marked with `# expect: RULE` comments; `# expect-2018: RULE` marks what
/// only the first documented service refuses (reported as `RULE@2018`).
fn expectations(text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        for (marker, suffix) in [("# expect:", ""), ("# expect-2018:", "@2018")] {
            if let Some(pos) = line.find(marker) {
                for rule in line[pos + marker.len()..].split_whitespace() {
                    out.push((format!("{rule}{suffix}"), i + 1));
                }
            }
        }
    }
    out.sort();
    out
}

fn apply(edits: &[(&str, &str)]) -> String {
    let mut text = VALID.to_string();
    for (find, replace) in edits {
        assert!(text.contains(find), "the edit target {find:?} is not in the base configuration");
        text = text.replacen(find, replace, 1);
    }
    text
}

#[test]
fn the_base_configuration_is_clean() {
    assert_eq!(diagnose(VALID), vec![]);
}

#[test]
fn each_rule_fires_at_the_right_place() {
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)]);
    let cases: &[Case] = &[
        ("SIG101 dash", &[("\"gallery_one\"", "\"gallery-one\" # expect: SIG101")]),
        (
            "SIG101 length",
            &[(
                "\"gallery_one\"",
                "\"g23456789012345678901234567890123456789012345678901234567890123456789012345678901\" # expect: SIG101",
            )],
        ),
        ("SIG102", &[("name                = \"ubuntu\"", "name                = \"ubuntu 22\" # expect: SIG102")]),
        ("SIG103 two parts", &[("\"1.0.0\"", "\"1.0\" # expect: SIG103")]),
        ("SIG103 too big", &[("\"1.0.0\"", "\"1.0.2147483648\" # expect: SIG103")]),
        ("SIG103 letters", &[("\"1.0.0\"", "\"1.0.0-beta\" # expect: SIG103")]),
        ("SIG104 trailing period", &[("publisher = \"contoso\"", "publisher = \"contoso.\" # expect: SIG104")]),
        (
            "SIG104 long offer",
            &[(
                "offer     = \"ubuntu\"",
                "offer     = \"o1234567890123456789012345678901234567890123456789012345678901234\" # expect: SIG104",
            )],
        ),
        ("SIG105 range", &[("max_recommended_vcpu_count = 8", "max_recommended_vcpu_count = 81 # expect: SIG105")]),
        (
            "SIG105 min above max",
            &[("min_recommended_vcpu_count = 2", "min_recommended_vcpu_count = 9 # expect: SIG105")],
        ),
        ("SIG106 format", &[("\"2030-01-01T00:00:00Z\"", "\"2030-01-01\" # expect: SIG106")]),
        ("SIG106 past", &[("\"2030-01-01T00:00:00Z\"", "\"2020-01-01T00:00:00Z\" # expect: SIG106")]),
        ("SIG107 version-wide", &[("replica_count       = 2", "replica_count       = 101 # expect: SIG107")]),
        ("SIG107 regional", &[("regional_replica_count = 2", "regional_replica_count = 0 # expect: SIG107")]),
        (
            "SIG108",
            &[(
                "replica_count       = 2",
                "replica_count       = 2\n  storage_account_type = \"Premium_ZRS\" # expect: SIG108",
            )],
        ),
        ("SIG109", &[("name = \"westeurope\"", "name = \"East US\" # expect: SIG109")]),
        (
            "SIG209 region",
            &[(
                "name = \"westeurope\"",
                "name = \"westus\"\n    storage_account_type = \"Standard_ZRS\" # expect: SIG209",
            )],
        ),
        (
            "SIG209 version-wide",
            &[
                (
                    "replica_count       = 2",
                    "replica_count       = 2\n  storage_account_type = \"Standard_ZRS\" # expect: SIG209",
                ),
                ("name = \"westeurope\"", "name = \"westus\""),
            ],
        ),
        (
            "SIG209 zones",
            &[("name = \"westeurope\"", "name = \"westeurope\"\n    storage_account_type = \"Standard_ZRS\"")],
        ),
        (
            "SIG210",
            &[
                (
                    "replica_count       = 2",
                    "replication_mode    = \"Shallow\"\n  replica_count       = 2 # expect: SIG210",
                ),
                ("regional_replica_count = 2", "regional_replica_count = 2 # expect: SIG210"),
                (
                    "  target_region {\n    name = \"westeurope\"",
                    "  target_region { # expect: SIG210\n    name = \"westeurope\"",
                ),
            ],
        ),
        ("SIG110 os_type", &[("os_type             = \"Linux\"", "os_type             = \"linux\" # expect: SIG110")]),
        (
            "SIG110 architecture",
            &[(
                "hyper_v_generation  = \"V2\"\n  end_of_life_date",
                "hyper_v_generation  = \"V2\"\n  architecture = \"arm\" # expect: SIG110\n  end_of_life_date",
            )],
        ),
        (
            "SIG111 two security types",
            &[(
                "hyper_v_generation  = \"V2\"\n  end_of_life_date",
                "hyper_v_generation  = \"V2\"\n  trusted_launch_supported = true\n  confidential_vm_supported = true # expect: SIG111\n  end_of_life_date",
            )],
        ),
        (
            "SIG111 generation 1",
            &[(
                "hyper_v_generation  = \"V2\"\n  end_of_life_date",
                "hyper_v_generation  = \"V1\"\n  trusted_launch_enabled = true # expect: SIG111\n  end_of_life_date",
            )],
        ),
        (
            "SIG111 Arm64 on generation 1",
            &[(
                "hyper_v_generation  = \"V2\"\n  end_of_life_date",
                "hyper_v_generation  = \"V1\"\n  architecture = \"Arm64\" # expect: SIG111\n  end_of_life_date",
            )],
        ),
        (
            "SIG111 disk types",
            &[(
                "hyper_v_generation  = \"V2\"\n  end_of_life_date",
                "hyper_v_generation  = \"V2\"\n  disk_types_not_allowed = [\"Premium_ZRS\"] # expect: SIG111\n  end_of_life_date",
            )],
        ),
        (
            "SIG003 role named twice",
            &[(
                "  role_definition_name = \"Reader\"\n",
                "  role_definition_name = \"Reader\"\n  role_definition_id   = \"/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7\" # expect: SIG003\n",
            )],
        ),
        (
            "SIG003 condition alone",
            &[(
                "  role_definition_name = \"Reader\"\n",
                "  role_definition_name = \"Reader\"\n  condition = \"true\" # expect: SIG003\n",
            )],
        ),
        (
            "SIG603 permission",
            &[(
                "location            = \"eastus\"\n}\n\nresource \"azurerm_shared_image\"",
                "location            = \"eastus\"\n  sharing {\n    permission = \"Public\" # expect: SIG603\n  }\n}\n\nresource \"azurerm_shared_image\"",
            )],
        ),
        (
            "SIG603 prefix",
            &[(
                "location            = \"eastus\"\n}\n\nresource \"azurerm_shared_image\"",
                "location            = \"eastus\"\n  sharing {\n    permission = \"Community\" # expect-2018: SIG603\n    community_gallery {\n      eula            = \"https://contoso.example/eula\"\n      prefix          = \"co-nt\" # expect: SIG603\n      publisher_email = \"images@contoso.example\"\n      publisher_uri   = \"https://contoso.example\"\n    }\n  }\n}\n\nresource \"azurerm_shared_image\"",
            )],
        ),
        ("SIG201", &[("name = \"westeurope\"", "name = \"westeurop\" # expect: SIG201")]),
        (
            "SIG202",
            &[(
                "location            = \"eastus\"\n}\n\nresource \"azurerm_shared_image\"",
                "location            = \"northeurope\" # expect: SIG202 SIG207\n}\n\nresource \"azurerm_shared_image\"",
            )],
        ),
        ("SIG203", &[("name = \"westeurope\"", "name = \"chinaeast2\" # expect: SIG203")]),
        ("SIG204", &[("name = \"westeurope\"", "name = \"Australia Central\" # expect: SIG204")]),
        ("SIG205", &[("name                   = \"East US\"", "name                   = \"West US\"")]),
        (
            "SIG206",
            &[(
                "  location            = \"eastus\"\n  hyper_v_generation  = \"V2\"\n  os_disk",
                "  location            = \"westus\"\n  hyper_v_generation  = \"V2\"\n  os_disk",
            )],
        ),
        ("SIG301", &[("os_state = \"Generalized\"", "os_state = \"Specialized\"")]),
        ("SIG302 missing", &[("  managed_image_id    = azurerm_image.img.id\n", "")]),
        (
            "SIG302 not an image",
            &[(
                "managed_image_id    = azurerm_image.img.id",
                "managed_image_id    = azurerm_shared_image_gallery.g.id # expect: SIG302",
            )],
        ),
        (
            "SIG302 two sources",
            &[(
                "managed_image_id    = azurerm_image.img.id",
                "managed_image_id    = azurerm_image.img.id\n  os_disk_snapshot_id = \"/subscriptions/s/resourceGroups/rg-images/providers/Microsoft.Compute/snapshots/os\" # expect: SIG302",
            )],
        ),
        (
            "SIG302 a snapshot",
            &[(
                "managed_image_id    = azurerm_image.img.id",
                "os_disk_snapshot_id = \"/subscriptions/s/resourceGroups/rg-images/providers/Microsoft.Compute/snapshots/os\"",
            )],
        ),
        (
            "SIG302 not a snapshot",
            &[(
                "managed_image_id    = azurerm_image.img.id",
                "os_disk_snapshot_id = azurerm_image.img.id # expect: SIG302",
            )],
        ),
        (
            "SIG302 a blob",
            &[(
                "managed_image_id    = azurerm_image.img.id",
                "blob_uri           = \"https://imagesa.blob.core.windows.net/vhds/base.vhd\"\n  storage_account_id = \"/subscriptions/s/resourceGroups/rg-images/providers/Microsoft.Storage/storageAccounts/imagesa\"",
            )],
        ),
        (
            "SIG302 a blob without its account",
            &[(
                "managed_image_id    = azurerm_image.img.id",
                "blob_uri           = \"https://imagesa.blob.core.windows.net/vhds/base.vhd\" # expect: SIG302",
            )],
        ),
        (
            "SIG302 a blob in another account",
            &[(
                "managed_image_id    = azurerm_image.img.id",
                "blob_uri           = \"https://imagesa.blob.core.windows.net/vhds/base.vhd\" # expect: SIG302\n  storage_account_id = \"/subscriptions/s/resourceGroups/rg-images/providers/Microsoft.Storage/storageAccounts/other\"",
            )],
        ),
        (
            "SIG302 an account without a blob",
            &[(
                "managed_image_id    = azurerm_image.img.id",
                "managed_image_id    = azurerm_image.img.id\n  storage_account_id = \"/subscriptions/s/resourceGroups/rg-images/providers/Microsoft.Storage/storageAccounts/imagesa\" # expect: SIG302",
            )],
        ),
        ("SIG303", &[("os_type  = \"Linux\"", "os_type  = \"Windows\"")]),
        (
            "SIG004 reserved for retention",
            &[(
                "resource \"azurerm_shared_image_version\" \"v\" {",
                "resource \"azurerm_shared_image_version\" \"sigform_retention\" { # expect: SIG004",
            )],
        ),
        (
            "SIG601",
            &[(
                "scope                = azurerm_shared_image_gallery.g.id",
                "scope                = azurerm_resource_group.rg.id # expect: SIG601",
            )],
        ),
        ("SIG701", &[("replica_count       = 2", "replica_count       = 2\n  exclude_from_latest = true")]),
    ];
    // Cases whose diagnostic points at a line the edit does not touch: (case, rule, line text).
    let elsewhere: &[(&str, &str, &str)] = &[
        ("SIG202", "SIG207", "location            = \"eastus\"\n  os_type"),
        ("SIG205", "SIG205", "location            = \"eastus\"\n  managed_image_id"),
        ("SIG206", "SIG206", "managed_image_id    = azurerm_image.img.id"),
        ("SIG301", "SIG301", "managed_image_id    = azurerm_image.img.id"),
        ("SIG302 missing", "SIG302", "resource \"azurerm_shared_image_version\" \"v\""),
        ("SIG303", "SIG303", "managed_image_id    = azurerm_image.img.id"),
        ("SIG111 generation 1", "SIG303", "managed_image_id    = azurerm_image.img.id"),
        ("SIG111 Arm64 on generation 1", "SIG303", "managed_image_id    = azurerm_image.img.id"),
        ("SIG701", "SIG701", "resource \"azurerm_shared_image\" \"def\""),
    ];
    for (name, edits) in cases {
        let text = apply(edits);
        let mut want = expectations(&text);
        for (case, rule, line_text) in elsewhere {
            if case == name {
                let offset = text.find(line_text).unwrap_or_else(|| panic!("{name}: {line_text:?} not found"));
                want.push((rule.to_string(), text[..offset].matches('\n').count() + 1));
            }
        }
        want.sort();
        // Every seed rule fires under the first documented service; under today's Azure the
        // same, except that galleries may be created in every public region.
        for profile in ["2018-06-01", "current"] {
            let mut want: Vec<(String, usize)> = want
                .iter()
                .filter(|(rule, _)| profile == "2018-06-01" || (rule != "SIG202" && !rule.ends_with("@2018")))
                .map(|(rule, line)| (rule.trim_end_matches("@2018").to_string(), *line))
                .collect();
            want.sort();
            let got = diagnose_under(&text, Some(profile));
            let mut got_pairs: Vec<(String, usize)> = got.iter().map(|(r, _, l, _)| (r.to_string(), *l)).collect();
            got_pairs.sort();
            assert_eq!(got_pairs, want, "case {name} under {profile}: got {got:#?}");
        }
    }
}

/// The profile-dependent rules: each case refused under one profile and accepted under the other.
#[test]
fn profile_dependent_rules_differ_between_profiles() {
    // SIG202: a gallery in UK South.
    let uk = VALID.replace("\"eastus\"", "\"uksouth\"").replace("\"East US\"", "\"UK South\"");
    let old = diagnose_under(&uk, Some("2018-06-01"));
    assert_eq!(old.iter().map(|d| d.0).collect::<Vec<_>>(), vec!["SIG202"], "{old:#?}");
    assert!(
        old[0].3.contains("under service profile 2018-06-01; Azure allows it today — see `sigform explain SIG202`"),
        "{}",
        old[0].3
    );
    assert_eq!(diagnose_under(&uk, Some("current")), vec![]);
    assert_eq!(diagnose(&uk), vec![], "current is the default");

    // SIG401: galleries beyond the quota, counted (not created): 11 under 2018-06-01, 101 today.
    let galleries = |n: usize| {
        let mut text = VALID.to_string();
        for i in 0..n {
            text.push_str(&format!(
                "resource \"azurerm_shared_image_gallery\" \"extra{i}\" {{\n  name = \"extra{i}\"\n  resource_group_name = \"rg-images\"\n  location = \"East US\"\n}}\n"
            ));
        }
        text
    };
    let rules = |text: &str, profile: &str| -> Vec<&'static str> {
        diagnose_under(text, Some(profile)).iter().map(|d| d.0).collect()
    };
    assert_eq!(rules(&galleries(9), "2018-06-01"), Vec::<&str>::new(), "ten galleries fit");
    assert_eq!(rules(&galleries(10), "2018-06-01"), vec!["SIG401"]);
    assert_eq!(rules(&galleries(10), "current"), Vec::<&str>::new());
    assert_eq!(rules(&galleries(99), "current"), Vec::<&str>::new(), "a hundred galleries fit today");
    assert_eq!(rules(&galleries(100), "current"), vec!["SIG401"]);
    let message = &diagnose_under(&galleries(100), Some("current"))[0].3;
    assert!(message.contains("more than 100 galleries in East US"), "{message}");
}

/// `SIGFORM_SERVICE_PROFILE` wins over `sigform { service_profile }`; unknown names are located
/// errors that list the known ones.
#[test]
fn the_environment_selects_over_the_configuration() {
    let uk = VALID.replace("\"eastus\"", "\"uksouth\"").replace("\"East US\"", "\"UK South\"");
    let pinned = format!("{uk}\nsigform {{\n  service_profile = \"2018-06-01\"\n}}\n");
    assert_eq!(diagnose(&pinned).iter().map(|d| d.0).collect::<Vec<_>>(), vec!["SIG202"]);
    assert_eq!(diagnose_under(&pinned, Some("current")), vec![], "the environment wins");
    let today = format!("{uk}\nsigform {{\n  service_profile = \"current\"\n}}\n");
    assert_eq!(diagnose_under(&today, Some("2018-06-01")).iter().map(|d| d.0).collect::<Vec<_>>(), vec!["SIG202"]);

    let unknown = format!("{}\nsigform {{\n  service_profile = \"2019-03-01\"\n}}\n", VALID);
    let got = diagnose(&unknown);
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_eq!(got[0].0, "SIG004");
    assert_eq!(got[0].2, unknown.matches('\n').count() - 1, "at the setting's line");
    assert!(
        got[0].3.contains("unknown service profile \"2019-03-01\"; the known ones are current, 2018-06-01"),
        "{}",
        got[0].3
    );
}

#[test]
fn severities_follow_the_catalogue() {
    let past = apply(&[("\"2030-01-01T00:00:00Z\"", "\"2020-01-01T00:00:00Z\"")]);
    assert_eq!(diagnose(&past)[0].1, Severity::Warning, "an end-of-life date in the past warns");
    let bad = apply(&[("\"2030-01-01T00:00:00Z\"", "\"soon\"")]);
    assert_eq!(diagnose(&bad)[0].1, Severity::Error);
}

#[test]
fn allow_listing_and_gallery_regions_are_settings() {
    let text = apply(&[("name = \"westeurope\"", "name = \"australiacentral\"")]);
    assert_eq!(diagnose(&text)[0].0, "SIG204");
    let allowed = format!("{text}\nsigform {{\n  allowlisted_regions = [\"Australia Central\"]\n}}\n");
    assert_eq!(diagnose(&allowed), vec![]);

    // Under the first documented service, a subscription that could create galleries elsewhere
    // says so; under any profile, a list of its own narrows where galleries may go.
    let elsewhere = VALID.replace("\"eastus\"", "\"northeurope\"").replace("\"East US\"", "\"North Europe\"");
    assert!(diagnose_under(&elsewhere, Some("2018-06-01")).iter().any(|d| d.0 == "SIG202"));
    let allowed = format!("{elsewhere}\nsigform {{\n  gallery_regions = [\"northeurope\"]\n}}\n");
    assert_eq!(diagnose_under(&allowed, Some("2018-06-01")), vec![]);
    assert_eq!(diagnose(&elsewhere), vec![], "today galleries may be created in North Europe");
    let narrowed = format!("{elsewhere}\nsigform {{\n  gallery_regions = [\"westeurope\"]\n}}\n");
    assert!(diagnose(&narrowed).iter().any(|d| d.0 == "SIG202"));
}

#[test]
fn quotas_count_per_subscription_and_region() {
    let mut text = VALID.to_string();
    text.push_str("sigform {\n  quotas {\n    galleries = 2\n  }\n}\n");
    for i in 0..2 {
        text.push_str(&format!(
            "resource \"azurerm_shared_image_gallery\" \"extra{i}\" {{\n  name = \"extra{i}\"\n  resource_group_name = \"rg-images\"\n  location = \"East US\"\n}}\n"
        ));
    }
    let got = diagnose(&text);
    assert_eq!(got.iter().filter(|d| d.0 == "SIG401").count(), 1, "{got:?}");
    assert!(got.iter().any(|d| d.0 == "SIG401" && d.3.contains("number 3")), "{got:?}");

    // In another subscription (provider alias) the count starts again.
    let other = text.replacen(
        "resource \"azurerm_shared_image_gallery\" \"extra1\" {\n",
        "resource \"azurerm_shared_image_gallery\" \"extra1\" {\n  provider = azurerm.other\n",
        1,
    ) + "provider \"azurerm\" {\n  alias = \"other\"\n  subscription_id = \"22222222-2222-2222-2222-222222222222\"\n  features {}\n}\n";
    assert!(diagnose(&other).iter().all(|d| d.0 != "SIG401"), "{:?}", diagnose(&other));

    let versions = apply(&[("name                = \"1.0.0\"", "count = 3\n  name = \"1.0.${count.index}\"")])
        + "sigform {\n  quotas {\n    image_versions = 2\n  }\n}\n";
    assert!(diagnose(&versions).iter().any(|d| d.0 == "SIG403"), "{:?}", diagnose(&versions));
    let definitions = apply(&[("name                = \"ubuntu\"", "count = 3\n  name = \"ubuntu${count.index}\"")])
        .replace("azurerm_shared_image.def.name", "azurerm_shared_image.def[0].name")
        + "sigform {\n  quotas {\n    image_definitions = 2\n  }\n}\n";
    assert!(diagnose(&definitions).iter().any(|d| d.0 == "SIG402"), "{:?}", diagnose(&definitions));
}

#[test]
fn old_versions_replicated_everywhere_warn_when_asked() {
    let text = apply(&[(
        "name                = \"1.0.0\"",
        "for_each = toset([\"1.0.0\", \"1.1.0\", \"2.0.0\"])\n  name = each.key",
    )]) + "sigform {\n  keep_latest_in_all_regions = 2\n}\n";
    let got = diagnose(&text);
    let warnings: Vec<_> = got.iter().filter(|d| d.0 == "SIG702").collect();
    assert_eq!(warnings.len(), 1, "{got:?}");
    assert!(warnings[0].3.contains("[\"1.0.0\"]"), "{got:?}");
    assert_eq!(warnings[0].1, Severity::Warning);
}

#[test]
fn sig702_says_what_keeping_old_versions_at_home_would_save() {
    let text =
        apply(&[("name                = \"1.0.0\"", "for_each = toset([\"1.0.0\", \"2.0.0\"])\n  name = each.key")])
            + "sigform {\n  keep_latest_in_all_regions = 1\n}\n";
    let mut sources = Sources::new();
    sources.add("main.tf", text);
    let checked = check_configuration(&sources, &[], &Environment::default(), None, &RuleContext { now_unix: NOW });
    let warning = checked.diagnostics.iter().find(|d| d.rule == "SIG702").expect("SIG702");
    // The 30 GB image's West Europe replica (version-wide replica_count 2) at $0.05: 30 × 2 × 0.05.
    assert_eq!(
        warning.help.as_deref(),
        Some("keep it only in its source region, East US: that saves about $3.00 a month")
    );
}
