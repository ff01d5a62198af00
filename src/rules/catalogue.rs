//! The rule catalogue: stable ids, severities, one-line summaries and the
//! `explain` text citing the product fact behind each rule. SIG0xx are the language's own
//! checks (syntax, references, types), so every diagnostic has an id to look up.

use crate::diagnostic::Severity;
use Severity::{Error, Warning};

pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    /// Shown by `explain --list`.
    pub summary: &'static str,
    /// The product fact and what to do about it.
    pub explain: &'static str,
    /// Where it is checked: configuration alone, or the plan (state and cloud).
    pub stage: Stage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Config,
    Plan,
}

use Stage::{Config, Plan};

const fn rule(
    id: &'static str,
    severity: Severity,
    stage: Stage,
    summary: &'static str,
    explain: &'static str,
) -> Rule {
    Rule { id, severity, summary, explain, stage }
}

pub static RULES: &[Rule] = &[
    rule(
        "SIG001",
        Error,
        Config,
        "syntax error in a configuration or variables file",
        "The file is not valid HCL (the Terraform language). The diagnostic points at the first place the parser could not read; fix it and run again, as later mistakes may be hidden behind it.",
    ),
    rule(
        "SIG002",
        Error,
        Config,
        "unknown or unsupported block, argument or resource type",
        "sigform accepts the azurerm vocabulary for galleries, image definitions, image versions, managed images, resource groups and role assignments. A name it does not know is an error, never silently ignored: either a typo (the diagnostic suggests the closest name) or an azurerm feature sigform does not support yet, which it says so.",
    ),
    rule(
        "SIG003",
        Error,
        Config,
        "a required argument or block is missing, or a block appears too often",
        "Each resource type has required arguments (for example `location`) and blocks (an image definition's single `identifier`, at least one `target_region` per image version). Azure refuses a resource without them. Some come as one of two or in pairs, as azurerm has them: a role assignment names its role by role_definition_name or by role_definition_id (not both), and a `condition` comes with its `condition_version` (\"1.0\" or \"2.0\").",
    ),
    rule(
        "SIG004",
        Error,
        Config,
        "a value has the wrong type",
        "Values convert as in Terraform (\"3\" becomes 3 for a number, 3 becomes \"3\" for a string), but a list cannot become a string nor a word a number. Variable values are converted to the variable's declared `type`.",
    ),
    rule(
        "SIG005",
        Error,
        Config,
        "a reference names something that is not declared",
        "References (`var.x`, `local.x`, `TYPE.NAME.attr`, `data.TYPE.NAME.attr`) must name a declaration of this configuration and an attribute the resource type has. The diagnostic suggests the closest name.",
    ),
    rule(
        "SIG006",
        Error,
        Config,
        "a function call fails",
        "An unknown function, a wrong number or type of arguments, or a function that cannot produce a value for these arguments (an index out of range, a key that is not there). `try()` and `can()` turn such failures into fallbacks.",
    ),
    rule(
        "SIG007",
        Error,
        Config,
        "dependency cycle",
        "Resources, data sources, locals and outputs are evaluated in the order of their references, and resources are created parents first (resource group, gallery, definition, version). A cycle has no such order; the diagnostic names the cycle so one link can be removed.",
    ),
    rule(
        "SIG008",
        Error,
        Config,
        "a variable has no value, an undeclared variable is set, or a validation condition fails",
        "Every variable without a default needs a value from terraform.tfvars, *.auto.tfvars, --var-file, --var or TF_VAR_NAME (later sources win, in that order). A `validation` block's condition must hold for the value given; its error_message is shown.",
    ),
    rule(
        "SIG009",
        Error,
        Config,
        "declared twice",
        "A resource, data source, variable, local, output or argument may be declared only once.",
    ),
    rule(
        "SIG010",
        Error,
        Config,
        "count or for_each is invalid",
        "`count` is a whole number, `for_each` a map or a set of strings, and both must be known when planning: they decide which instances exist. Derive them from variables and locals, not from attributes Azure computes.",
    ),
    rule(
        "SIG011",
        Error,
        Plan,
        "a data source cannot be read from the cloud",
        "Data sources are read from the cloud when the configuration is planned. When the cloud does not answer — credentials refused (401, 403), a server error that outlasts the retries, an endpoint that cannot be reached — the diagnostic gives the cloud's own code and message, never \"no such resource\": a resource that does not exist is SIG005. A data source that reads a managed resource of the same configuration which does not exist yet is read during apply (the plan lists it under \"Read during apply\"); a managed resource whose arguments need such a read cannot be planned yet and says so with this rule.",
    ),
    rule(
        "SIG012",
        Error,
        Config,
        "a precondition fails",
        "A `precondition { condition, error_message }` in a resource's `lifecycle` or in an output is checked when planning, for each instance; a false condition stops the plan with the block's own error_message. A condition known only after apply holds until then. (`postcondition` is not supported yet and says so.)",
    ),
    rule(
        "SIG013",
        Warning,
        Config,
        "a check assertion fails",
        "A `check \"name\" { assert { condition, error_message } }` block states what should hold; as in Terraform, an assertion that does not is reported as a warning with its own error_message and stops nothing. An assertion known only after apply holds until then. A scoped `data` block inside a check is not supported yet and says so.",
    ),
    rule(
        "SIG014",
        Error,
        Config,
        "an ephemeral value is used where it would be recorded",
        "A variable with `ephemeral = true` (Terraform 1.10), and every local made of one, never goes into a plan or the state. Provider blocks may read it — a client secret, an OIDC token — and so may other locals; a resource, data source or output argument may not, as it would be recorded. A module argument made of one makes the module's variable ephemeral.",
    ),
    rule(
        "SIG101",
        Error,
        Config,
        "gallery name: letters, digits, periods, underscores; 1-80; no dashes",
        "Azure Compute Gallery names allow uppercase and lowercase letters, digits, periods and underscores, up to 80 characters. Dashes are not allowed (unlike in definition names); use an underscore or a period instead.",
    ),
    rule(
        "SIG102",
        Error,
        Config,
        "image definition name: letters, digits, hyphens, periods, underscores; 1-80",
        "Image definition names allow letters, digits, hyphens, periods and underscores, up to 80 characters.",
    ),
    rule(
        "SIG103",
        Error,
        Config,
        "version name is Major.Minor.Patch, each a 32-bit non-negative integer",
        "An image version's name has the form MajorVersion.MinorVersion.Patch, each part an integer within the range of a 32-bit integer, e.g. 1.0.0 or 2024.11.3.",
    ),
    rule(
        "SIG104",
        Error,
        Config,
        "identifier: publisher <=128, offer <=64, sku <=64 chars; may not end with '.'",
        "An image definition's identifier is publisher/offer/sku. Publisher is at most 128 characters, offer and sku at most 64, and none may end with a period.",
    ),
    rule(
        "SIG105",
        Error,
        Config,
        "recommended vCPU 1-80, memory 1-640 GB, min <= max",
        "An image definition may recommend a vCPU count (1 to 80) and memory (1 to 640 GB); a minimum must not exceed its maximum.",
    ),
    rule(
        "SIG106",
        Error,
        Config,
        "end_of_life_date is RFC 3339 (error); in the past (warning)",
        "end_of_life_date on a definition or version is a timestamp such as 2027-12-31T00:00:00Z. A date in the past is allowed by Azure but almost always a mistake: the image is already end-of-life when published.",
    ),
    rule(
        "SIG107",
        Error,
        Config,
        "replica counts 1-100",
        "replica_count (the version-wide default) and each target region's regional_replica_count are between 1 and 100. More replicas serve more concurrent VM creations; each costs storage.",
    ),
    rule(
        "SIG108",
        Error,
        Config,
        "storage_account_type is Standard_LRS, Premium_LRS or Standard_ZRS",
        "Replicas are stored as Standard_LRS, Premium_LRS or Standard_ZRS; the version's storage_account_type is the default for its target regions, each of which may name its own.",
    ),
    rule(
        "SIG109",
        Error,
        Config,
        "a target region appears twice",
        "Each region may be a target of a version once. Region names are compared normalised: \"South Central US\" and \"southcentralus\" are the same region.",
    ),
    rule(
        "SIG110",
        Error,
        Config,
        "os_type Linux/Windows, hyper_v_generation V1/V2, architecture x64/Arm64, replication_mode Full/Shallow",
        "An image definition (and a managed image) says its OS type (Linux or Windows), Hyper-V generation (V1 or V2) and architecture (x64 or Arm64); an image version's replication_mode is Full (every replica a full copy, the default) or Shallow (replicas refer to the source: quick, for testing).",
    ),
    rule(
        "SIG111",
        Error,
        Config,
        "one security type per image definition; security types and Arm64 only on Hyper-V generation V2",
        "An image definition says which VMs its images can start: trusted_launch_supported, trusted_launch_enabled, confidential_vm_supported or confidential_vm_enabled — at most one of them (azurerm refuses two). Each needs hyper_v_generation = \"V2\": trusted launch and confidential VMs boot with UEFI, which generation 1 images lack, and Azure refuses the definition; so does architecture = \"Arm64\". disk_types_not_allowed may hold Standard_LRS and Premium_LRS. All of these are fixed after creation except disk_types_not_allowed.",
    ),
    rule(
        "SIG201",
        Error,
        Config,
        "unknown region name",
        "A location or target region must be an Azure region, written as its name (eastus2) or display name (East US 2).",
    ),
    rule(
        "SIG202",
        Error,
        Config,
        "gallery location is not a region where galleries can be created",
        "Where galleries can be created depends on the service profile: the service as first documented (2018-06-01) offered eight regions; Azure today offers every public region. Versions may be replicated to every public region either way. If your subscription can create galleries elsewhere, list the regions in sigform { gallery_regions = [...] }.",
    ),
    rule(
        "SIG203",
        Error,
        Config,
        "target region belongs to another cloud (China, Germany, Government)",
        "Versions cannot be replicated across clouds: Azure China, Azure Germany and Azure Government are separate clouds from the public one. Publish a copy of the image in that cloud instead.",
    ),
    rule(
        "SIG204",
        Error,
        Config,
        "Australia Central / Central 2 need the subscription allow-listed",
        "Replicating to Australia Central and Australia Central 2 requires the subscription to be allow-listed by Microsoft first. Once it is, say so with sigform { allowlisted_regions = [\"australiacentral\"] }.",
    ),
    rule(
        "SIG205",
        Error,
        Config,
        "the version's location (source region) is not one of its target regions",
        "A version has one source region, its location, and the source region must also be one of its target regions. Add a target_region block for it.",
    ),
    rule(
        "SIG206",
        Error,
        Config,
        "the managed image is not in the version's location",
        "The managed image a version is built from must be in the same location as the version. Copy the image to that region, or set the version's location to the image's.",
    ),
    rule(
        "SIG207",
        Warning,
        Config,
        "resource group, gallery, definition and version are not all in one location",
        "Best practice is to keep the resource group, gallery, image definition and image version in the same location; a mismatch is allowed but complicates replication, cost and recovery.",
    ),
    rule(
        "SIG208",
        Error,
        Plan,
        "the subscription has not registered the preview feature the service profile requires",
        "The service as first documented (profile 2018-06-01) was a preview: every subscription registered the feature Microsoft.Compute/GalleryPreview (az feature register --namespace Microsoft.Compute --name GalleryPreview, then az provider register --namespace Microsoft.Compute) before it could create galleries, image definitions or versions. Azure today needs no such registration. plan asks the cloud for each subscription the configuration creates gallery resources in.",
    ),
    rule(
        "SIG209",
        Error,
        Config,
        "Standard_ZRS replicas in a region without availability zones",
        "Zone-redundant storage spreads a replica over a region's availability zones, so it exists only in regions that have them (East US, West Europe, ...; not West US or North Central US). A target region without zones takes Standard_LRS or Premium_LRS; the version's storage_account_type is the default for regions that do not name their own, so a version-wide Standard_ZRS needs every such region to have zones.",
    ),
    rule(
        "SIG210",
        Error,
        Config,
        "a Shallow version is replicated beyond its source region or to more than one replica",
        "replication_mode = \"Shallow\" makes a version that refers to its source instead of copying it: quick to publish, for testing in the source region. It has one target region, its location, with one replica. Replicate it with replication_mode = \"Full\" (the default), which is fixed at creation.",
    ),
    rule(
        "SIG301",
        Error,
        Config,
        "the source image is specialized; only generalized images can become versions",
        "Only generalized images (sysprepped or deprovisioned, os_state = \"Generalized\") can become versions of a generalized image definition; a specialized disk cannot.",
    ),
    rule(
        "SIG302",
        Error,
        Config,
        "a version needs exactly one source: managed_image_id, os_disk_snapshot_id, or blob_uri with storage_account_id",
        "An image version is built from exactly one source: a managed image (managed_image_id, /subscriptions/S/resourceGroups/RG/providers/Microsoft.Compute/images/NAME), a managed disk's snapshot (os_disk_snapshot_id, .../Microsoft.Compute/snapshots/NAME), or a VHD blob (blob_uri, https://ACCOUNT.blob.core.windows.net/CONTAINER/NAME.vhd) together with the storage account that holds it (storage_account_id, .../Microsoft.Storage/storageAccounts/ACCOUNT). Azure also wants the source in the version's location.",
    ),
    rule(
        "SIG303",
        Error,
        Config,
        "the source image's OS type or Hyper-V generation differs from its definition's",
        "A version's managed image must have the same OS type and Hyper-V generation as the image definition the version belongs to.",
    ),
    rule(
        "SIG401",
        Error,
        Plan,
        "more than the quota of galleries in one subscription and region",
        "The default quota of galleries per subscription per region is the service profile's (below); a subscription with another quota says so in sigform { quotas { galleries = N } }. Counts include what already exists in the cloud.",
    ),
    rule(
        "SIG402",
        Error,
        Plan,
        "more than the quota of image definitions in one subscription and region",
        "The default quota of image definitions per subscription per region is the service profile's (below); set sigform { quotas { image_definitions = N } } for another. Counts include what already exists in the cloud.",
    ),
    rule(
        "SIG403",
        Error,
        Plan,
        "more than the quota of image versions in one subscription and region",
        "The default quota of image versions per subscription per region is the service profile's (below); set sigform { quotas { image_versions = N } } for another. Counts include what already exists in the cloud.",
    ),
    rule(
        "SIG501",
        Error,
        Plan,
        "forbidden change: a fixed attribute differs from the existing resource",
        "Only some attributes can change after creation: a gallery's description; a definition's recommended vCPUs and memory, description and end-of-life date; a version's replica counts, target regions, exclude-from-latest and end-of-life date; tags everywhere. Changing anything else needs a new resource: ask for it with --replace ADDRESS.",
    ),
    rule(
        "SIG502",
        Error,
        Plan,
        "forbidden change: a gallery cannot move to another subscription",
        "A gallery cannot be moved to another subscription. Create a new gallery there and publish the versions again.",
    ),
    rule(
        "SIG503",
        Error,
        Plan,
        "delete blocked: the resource has children this configuration does not manage",
        "Azure refuses to delete a gallery that still holds definitions, or a definition that still holds versions. Some of these children are not managed by this configuration; delete or import them first.",
    ),
    rule(
        "SIG504",
        Error,
        Plan,
        "delete blocked by lifecycle { prevent_destroy = true }",
        "The resource is marked prevent_destroy. Remove the setting first if the delete is intended.",
    ),
    rule(
        "SIG505",
        Error,
        Plan,
        "create_before_destroy cannot replace a resource whose replacement has the same id",
        "lifecycle { create_before_destroy = true } asks for the new object before the old one goes. A gallery resource's ARM id is made of its names, so a replacement with the same names has the same id, and Azure cannot hold both: the create would fail. The plan refuses the replacement with this rule; remove create_before_destroy (the replacement then deletes first) or give the new resource another name. Without a replacement the setting changes nothing.",
    ),
    rule(
        "SIG506",
        Error,
        Plan,
        "a region a version was replicated to cannot be removed unless the version allows it",
        "Azure keeps an image version in every region it was replicated to unless the version's safety profile allows removing them: deletion_of_replicated_locations_enabled = true, which is fixed at creation (and false unless set). Removing a target_region from a version without it is refused by Azure; plan says so first. Set the flag on new versions that will leave regions later (older versions that step back to their source region, as in examples/multi-region), or replace the version with `--replace`. The first documented service (profile 2018-06-01) had no safety profile and removed a region when asked.",
    ),
    rule(
        "SIG507",
        Error,
        Plan,
        "a management lock refuses the change",
        "A management lock on a resource group, gallery, definition or version holds everything at and below its scope: CanNotDelete refuses deletes, ReadOnly refuses every write as well (ARM answers 409 ScopeLocked). plan reads the locks of every subscription it touches, Azure's and the configuration's, and refuses such a change before anything is applied. Remove the lock first — in the same plan when the configuration manages it — or leave the resource be.",
    ),
    rule(
        "SIG601",
        Error,
        Config,
        "a role assignment's scope is not a gallery, definition or version",
        "Galleries are shared through RBAC on the gallery, an image definition or an image version. Access on a gallery reaches its definitions and versions; on a definition, that definition and its versions; on a version, that version only.",
    ),
    rule(
        "SIG602",
        Error,
        Plan,
        "the principal is in another Azure AD tenant; sharing across tenants is not supported",
        "Galleries are shared with other subscriptions of the same Azure AD tenant through RBAC. Sharing with a principal of another tenant is not supported.",
    ),
    rule(
        "SIG603",
        Error,
        Config,
        "a gallery's sharing profile: permission, community gallery details, the service's support",
        "`sharing { permission }` is Private, Groups or Community. A community gallery (permission = \"Community\") publishes the gallery to every Azure user under a public name made of its prefix (5 to 16 letters and digits) and a suffix Azure adds; it needs `community_gallery { eula, prefix, publisher_email, publisher_uri }`, which no other permission takes. The sharing profile is fixed after creation, as in azurerm. The service as first documented (profile 2018-06-01) had no sharing beyond the tenant: there, only role assignments share a gallery.",
    ),
    rule(
        "SIG701",
        Warning,
        Config,
        "every version of a definition is excluded from latest: `latest` resolves to nothing",
        "A version with exclude_from_latest is skipped when a VM asks for the definition's latest version. If every version is excluded, deployments asking for `latest` fail.",
    ),
    rule(
        "SIG702",
        Warning,
        Config,
        "old versions are still replicated beyond their source region",
        "Replicas cost storage in every region. The product documentation suggests keeping only the newest versions in all regions and older ones in their source region; sigform { keep_latest_in_all_regions = N } sets N and turns this warning on. To act on the advice rather than be warned, state it as a policy — sigform { retention { keep_versions = 3, older_regions = \"source\", delete_after = \"90d\", include_unmanaged = true } } — and plan shows, before anything is touched, which older versions shrink to their source region with one replica and which are deleted, with the storage each saves per month (on the quickstart with five pipeline versions: $15.00 a month). It never touches the newest version, a declared version (it reports it), a version a data source reads, or a protected one.",
    ),
];

pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

/// The facts a rule checks that depend on the service profile, per profile (`explain` shows
/// them): `None` for a rule that is the same under every profile.
pub fn per_profile(id: &str) -> Option<Vec<(&'static str, String)>> {
    use sigform_azure::profiles::{PROFILES, ServiceProfile};
    let fact: fn(&ServiceProfile) -> String = match id.to_ascii_uppercase().as_str() {
        "SIG202" => |p| format!("galleries can be created in {}", p.gallery_regions_text()),
        "SIG204" => |p| {
            let list: Vec<String> = p.allowlist_regions.iter().map(|r| sigform_azure::regions::display(r)).collect();
            format!("allow-listing needed for {}", list.join(", "))
        },
        "SIG107" => |p| format!("replica counts 1–{} per region", p.max_replicas_per_region),
        "SIG401" => |p| format!("{} galleries per subscription per region", p.quotas.galleries),
        "SIG402" => |p| format!("{} image definitions per subscription per region", p.quotas.image_definitions),
        "SIG403" => |p| format!("{} image versions per subscription per region", p.quotas.image_versions),
        "SIG602" => |p| {
            if p.sharing_beyond_tenant {
                "RBAC within the tenant; beyond it, the gallery's sharing profile (groups of subscriptions and tenants, community galleries)".to_string()
            } else {
                "RBAC within the tenant only; no sharing beyond it".to_string()
            }
        },
        "SIG208" => |p| match p.required_feature {
            Some(f) => format!("each subscription registers Microsoft.Compute/{f} first"),
            None => "no feature to register".to_string(),
        },
        _ => return None,
    };
    Some(PROFILES.iter().map(|p| (p.name, fact(p))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_sorted_and_cover_the_design() {
        let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted);
        for id in [
            "SIG101", "SIG102", "SIG103", "SIG104", "SIG105", "SIG106", "SIG107", "SIG108", "SIG109", "SIG110",
            "SIG111", "SIG201", "SIG202", "SIG203", "SIG204", "SIG205", "SIG206", "SIG207", "SIG209", "SIG210",
            "SIG301", "SIG302", "SIG303", "SIG208", "SIG401", "SIG402", "SIG403", "SIG501", "SIG502", "SIG503",
            "SIG504", "SIG505", "SIG506", "SIG601", "SIG602", "SIG603", "SIG701", "SIG702",
        ] {
            assert!(find(id).is_some(), "{id} missing from the catalogue");
        }
        assert!(find("sig205").is_some());
    }
}
