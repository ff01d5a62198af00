//! `plan`: load and check the configuration, read the state, diff, and optionally save the plan.

use super::validate::Options as LoadOptions;
use super::workdir::WorkdirError;
use crate::config::Sources;
use crate::diagnostic::{self, Diagnostic, DiagnosticRecord};
use crate::model::{Address, Desired};
use crate::plan::{self, Plan, PlanInput};
use crate::state::{Location, Snapshot, StateError};
use std::path::{Path, PathBuf};

use super::recorded::RecordedState;

pub struct Options {
    pub load: LoadOptions,
    pub state: Location,
    pub destroy: bool,
    /// Only read the cloud: the plan records drift in the state and changes nothing else.
    pub refresh_only: bool,
    /// Plan without `sigform { retention }`.
    pub no_retention: bool,
    pub targets: Vec<String>,
    pub replace: Vec<String>,
    pub out: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Workdir(#[from] WorkdirError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Address(#[from] crate::model::address::BadAddress),
    #[error("{flag} {address}: no such resource in the configuration or the state{}", suggestion.as_ref().map(|s| format!("; did you mean {s}?")).unwrap_or_default())]
    UnknownAddress { flag: &'static str, address: String, suggestion: Option<String> },
    #[error("--replace {0}: it does not exist yet, so there is nothing to replace")]
    NothingToReplace(String),
    #[error("cannot write the plan to {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("cannot use the price file {path}: {reason}")]
    PriceFile { path: PathBuf, reason: String },
    #[error("refresh failed: {0}")]
    Cloud(#[from] sigform_azure::cloud::CloudError),
    #[error(transparent)]
    Profile(#[from] super::profile::ProfileError),
}

pub enum Planned {
    /// The configuration has errors: no plan.
    Invalid { sources: Sources, diagnostics: Vec<Diagnostic> },
    Plan {
        sources: Sources,
        diagnostics: Vec<Diagnostic>,
        plan: Box<Plan>,
        /// About how the cloud was read, for standard error.
        warnings: Vec<String>,
    },
}

/// Where a working directory keeps its state unless told otherwise.
pub fn default_state_path(dir: &Path) -> PathBuf {
    dir.join("state").join("sigform.db")
}

/// Plans; with a cloud, refreshes first (in bulk) so that what was deleted outside sigform is
/// planned again and blocked deletes see the children nobody manages.
pub fn plan(options: &Options, cloud: Option<&dyn sigform_azure::cloud::Cloud>) -> Result<Planned, PlanError> {
    let data = cloud.map(super::data::CloudData);
    let recorded = RecordedState::new(&options.state);
    let loaded = super::validate::load_evaluated(
        &options.load,
        data.as_ref().map(|d| d as &dyn crate::eval::DataResolver),
        Some(&recorded),
    )?;
    let super::validate::Loaded { sources, desired, diagnostics } = loaded;
    let context = crate::rules::RuleContext { now_unix: options.load.now_unix };
    // The rules run alongside the state read and, without a refresh (whose quota check needs
    // their verdict first), alongside the planning: at the quota ceiling each takes a while.
    let mut desired = desired;
    let compared = std::thread::scope(|scope| {
        let rules = scope.spawn(|| crate::rules::check(&desired, &context));
        // The plan binds to the configuration's hash: a pass over every byte (28 MB at the quota
        // ceiling), done beside the state read instead of after it.
        let hash = scope.spawn(|| config_hash(&sources));
        let verdict = Verdict { diagnostics, rules: Some(rules) };
        plan_with(options, cloud, &sources, &desired, verdict, recorded, hash)
    });
    // The rules are done with the configuration: the plan is finished with its instances taken
    // by value, each freed as its record is made (see `plan::Compared::finish`).
    let instances = std::mem::take(&mut desired.resources);
    crate::parallel::drop_elsewhere(desired);
    let Comparison { diagnostics, compared, warnings } = match compared? {
        Stage::Compared(compared) => *compared,
        Stage::Invalid(diagnostics) => return Ok(Planned::Invalid { sources, diagnostics }),
    };
    let records = diagnostics.iter().map(|d| DiagnosticRecord::new(d, &sources)).collect();
    let plan = compared.finish(plan::Instances::Owned(instances), records);
    if let Some(path) = &options.out {
        save(&plan, path)?;
    }
    Ok(Planned::Plan { sources, diagnostics, plan: Box::new(plan), warnings })
}

/// How far `plan_with` got: a configuration with errors (its diagnostics), or the changes
/// compared with the rules' verdict in (all that is left is `Compared::finish`).
enum Stage {
    Invalid(Vec<Diagnostic>),
    Compared(Box<Comparison>),
}

/// The changes compared, and what is said beside them.
struct Comparison {
    diagnostics: Vec<Diagnostic>,
    compared: plan::Compared,
    warnings: Vec<String>,
}

/// The diagnostics so far, and the rules' once they are in.
struct Verdict<'scope> {
    diagnostics: Vec<Diagnostic>,
    rules: Option<std::thread::ScopedJoinHandle<'scope, Vec<Diagnostic>>>,
}

impl Verdict<'_> {
    /// Waits for the rules; whether there are errors.
    fn settle(&mut self) -> bool {
        if let Some(rules) = self.rules.take() {
            let found = rules.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            diagnostic::merge(&mut self.diagnostics, found);
        }
        diagnostic::has_errors(&self.diagnostics)
    }
}

fn plan_with(
    options: &Options,
    cloud: Option<&dyn sigform_azure::cloud::Cloud>,
    sources: &Sources,
    desired: &Desired,
    mut verdict: Verdict,
    recorded: RecordedState,
    hash: std::thread::ScopedJoinHandle<String>,
) -> Result<Stage, PlanError> {
    if diagnostic::has_errors(&verdict.diagnostics) {
        verdict.settle();
        return Ok(Stage::Invalid(verdict.diagnostics));
    }
    // The state: read already if evaluation needed a value Azure computed, else now.
    let recorded = recorded.into_snapshot();
    // A configuration with errors is reported before anything else goes wrong.
    if (cloud.is_some() || recorded.is_err()) && verdict.settle() {
        return Ok(Stage::Invalid(verdict.diagnostics));
    }
    let mut recorded = recorded?;
    // `import` blocks: what the state does not hold yet is read from the cloud and planned as if
    // recorded; apply records it first.
    let imported = match import_blocks(cloud, &mut recorded, desired) {
        Ok(imported) => imported,
        Err(found) => {
            diagnostic::merge(&mut verdict.diagnostics, found);
            verdict.settle();
            return Ok(Stage::Invalid(verdict.diagnostics));
        }
    };
    let mut drift = crate::plan::drift::Drift::default();
    let mut warnings = Vec::new();
    // Image sizes the cloud knows, for cost and replication time.
    let mut cloud_sizes: std::collections::HashMap<String, f64> = std::collections::HashMap::new();
    let mut unmanaged_versions = Vec::new();
    let (prior, observed) = match cloud {
        Some(cloud) => {
            // The cloud must be the service the configuration is checked against.
            let settings = &desired.settings;
            let selected_by = super::profile::describe_choice(&settings.profile_choice, Some(sources));
            // Said at once: it matters most when the plan then stops.
            for warning in super::profile::check(cloud, settings.profile, &selected_by)? {
                crate::notice::warn(&warning);
            }
            // The first documented service wanted a preview feature registered first (SIG208).
            let unregistered = unregistered_subscriptions(cloud, desired)?;
            if !unregistered.is_empty() {
                let mut found = Vec::new();
                crate::rules::features::check(desired, &unregistered, &mut found);
                let diagnostics = &mut verdict.diagnostics;
                diagnostic::merge(diagnostics, found);
                if diagnostic::has_errors(diagnostics) {
                    verdict.settle();
                    return Ok(Stage::Invalid(verdict.diagnostics));
                }
            }
            let mut r = super::refresh::refresh(cloud, &recorded, desired)?;
            // Quotas count what exists in the cloud, managed here or not (so a quota is checked against what is really there).
            let existing = unmanaged_counts(&r, desired);
            if !existing.counts.is_empty() {
                let mut quota = Vec::new();
                crate::rules::quotas::check(desired, &existing, &mut quota);
                let diagnostics = &mut verdict.diagnostics;
                diagnostics.retain(|d| !matches!(d.rule, "SIG401" | "SIG402" | "SIG403"));
                diagnostics.extend(quota);
                diagnostic::sort(diagnostics);
                if diagnostic::has_errors(diagnostics) {
                    return Ok(Stage::Invalid(verdict.diagnostics));
                }
            }
            cloud_sizes.extend(
                r.resources.iter().filter_map(|(id, r)| Some((id.clone(), crate::plan::image_size(&r.attributes)?))),
            );
            let prior = r.prior(recorded);
            // What is left with its attributes is what the state does not manage; only retention
            // reads it.
            unmanaged_versions = r
                .resources
                .values()
                .filter(|_| !desired.settings.retention.is_empty())
                .filter(|c| c.kind == sigform_azure::schema::ResourceKind::ImageVersion)
                .filter(|c| c.provisioning_state != "Deleting" && c.attributes.is_object())
                .map(|c| crate::plan::retention::SeenVersion {
                    id: c.id.clone(),
                    subscription: c.subscription.clone(),
                    attributes: c.attributes.clone(),
                    address: None,
                    declared: false,
                })
                .collect();
            drift = r.drift;
            warnings.extend(r.warnings);
            (prior, Some(r.observed))
        }
        None => (recorded, None),
    };
    let chosen = addresses("--target", &options.targets, desired, &prior)
        .and_then(|targets| Ok((targets, addresses("--replace", &options.replace, desired, &prior)?)));
    let (targets, replace) = match chosen {
        Err(_) if verdict.settle() => return Ok(Stage::Invalid(verdict.diagnostics)),
        chosen => chosen?,
    };
    for r in &replace {
        if prior.resource(&r.to_string()).is_none() {
            return Err(PlanError::NothingToReplace(r.to_string()));
        }
    }
    let plan_options = plan::Options {
        destroy: options.destroy,
        targets,
        replace,
        refresh_only: options.refresh_only,
        no_retention: options.no_retention,
    };
    let prices = prices_with_file(&desired.settings.prices, &options.load.dir)?.table();
    let compared = plan::compare(PlanInput {
        desired,
        prior,
        observed,
        options: &plan_options,
        config_hash: hash.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        sources: Some(sources),
        drift,
        cloud_image_sizes: cloud_sizes,
        prices,
        created: sigform_azure::timestamp::now_rfc3339(),
        imported,
        unmanaged_versions,
    });
    // The rules' verdict comes in once the changes are compared: an error there means no plan.
    if verdict.settle() {
        return Ok(Stage::Invalid(verdict.diagnostics));
    }
    Ok(Stage::Compared(Box::new(Comparison { diagnostics: verdict.diagnostics, compared, warnings })))
}

/// The configured prices, completed from `prices { file = "..." }` when given.
fn prices_with_file(prices: &crate::model::Prices, dir: &Path) -> Result<crate::model::Prices, PlanError> {
    let Some(file) = &prices.file else { return Ok(prices.clone()) };
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| PlanError::PriceFile { path: path.clone(), reason: e.to_string() })?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| PlanError::PriceFile { path: path.clone(), reason: format!("not a JSON price table: {e}") })?;
    let get = |k: &str| json.get(k).and_then(|v| v.as_f64());
    Ok(crate::model::Prices {
        standard_lrs_gb_month: prices.standard_lrs_gb_month.or(get("standard_lrs_gb_month")),
        standard_zrs_gb_month: prices.standard_zrs_gb_month.or(get("standard_zrs_gb_month")),
        premium_lrs_gb_month: prices.premium_lrs_gb_month.or(get("premium_lrs_gb_month")),
        egress_gb: prices.egress_gb.or(get("egress_gb")),
        file: prices.file.clone(),
    })
}

/// The subscriptions with gallery resources in the configuration that have not registered the
/// preview feature the selected profile requires (where the cloud can say).
fn unregistered_subscriptions(
    cloud: &dyn sigform_azure::cloud::Cloud,
    desired: &Desired,
) -> Result<std::collections::BTreeSet<String>, PlanError> {
    let mut out = std::collections::BTreeSet::new();
    let Some(feature) = desired.settings.profile.required_feature else { return Ok(out) };
    let subscriptions: std::collections::BTreeSet<String> = desired
        .resources
        .iter()
        .filter(|i| crate::rules::features::needs_feature(i.kind()))
        .map(|i| i.subscription_id.to_ascii_lowercase())
        .collect();
    for subscription in subscriptions {
        if cloud.feature_registered(&subscription, feature)? == Some(false) {
            out.insert(subscription);
        }
    }
    Ok(out)
}

/// The records `import` blocks adopt: each `to` the state does not hold yet, read from the cloud
/// at its `id` and added to `recorded` (as `sigform import` would record it). The addresses
/// adopted, or the diagnostics of those that cannot be.
fn import_blocks(
    cloud: Option<&dyn sigform_azure::cloud::Cloud>,
    recorded: &mut Snapshot,
    desired: &Desired,
) -> Result<Vec<(String, String)>, Vec<Diagnostic>> {
    let mut adopted = Vec::new();
    let mut problems = Vec::new();
    for import in &desired.imports {
        let address = import.to.to_string();
        if recorded.resource(&address).is_some() {
            continue; // already managed: the block has done its work
        }
        let fail = |message: String| Diagnostic::error("SIG005", message).at(import.span.clone());
        let Some(id) = import.id.as_str() else {
            problems.push(fail(format!("import to {address}: `id` must be known when planning")));
            continue;
        };
        let Some(cloud) = cloud else {
            problems.push(
                fail(format!("import to {address}: the resource is read from the cloud; plan with the refresh"))
                    .help("drop --refresh=false"),
            );
            continue;
        };
        let Some(inst) = desired.resources.iter().find(|i| i.address.to_string() == address) else {
            problems.push(fail(format!("import to {address}: the configuration does not declare it")));
            continue;
        };
        let record = match super::import::adopt(inst, cloud, id) {
            Ok(record) => record,
            Err(super::import::ImportError::Cloud(e)) => {
                problems.push(Diagnostic::error("SIG011", format!("import to {address}: {e}")).at(import.span.clone()));
                continue;
            }
            Err(e) => {
                problems.push(fail(format!("import to {address}: {e}")));
                continue;
            }
        };
        let found_id = record.id.clone();
        recorded.resources.push(record);
        adopted.push((address, found_id));
    }
    if problems.is_empty() { Ok(adopted) } else { Err(problems) }
}

/// Galleries, definitions and versions the cloud has that this configuration does not declare,
/// per subscription, region and kind.
fn unmanaged_counts(r: &super::refresh::Refreshed, desired: &Desired) -> crate::rules::quotas::Existing {
    let declared: std::collections::HashSet<String> =
        desired.resources.iter().filter_map(|i| i.id.as_ref().map(|id| id.to_ascii_lowercase())).collect();
    let mut existing = crate::rules::quotas::Existing::default();
    for (id, res) in &r.resources {
        if declared.contains(id) || res.provisioning_state == "Deleting" {
            continue;
        }
        let kind = res.kind;
        if !matches!(
            kind,
            sigform_azure::schema::ResourceKind::Gallery
                | sigform_azure::schema::ResourceKind::ImageDefinition
                | sigform_azure::schema::ResourceKind::ImageVersion
        ) {
            continue;
        }
        let Some(location) = res.location.as_deref() else { continue };
        *existing
            .counts
            .entry((res.subscription.clone(), sigform_azure::regions::normalize(location), kind))
            .or_insert(0) += 1;
    }
    existing
}

fn addresses(
    flag: &'static str,
    given: &[String],
    desired: &Desired,
    prior: &Snapshot,
) -> Result<Vec<Address>, PlanError> {
    // Every address as text, at the quota ceiling 55,000 of them: only when one is given.
    if given.is_empty() {
        return Ok(Vec::new());
    }
    let known = plan::known_addresses(desired, prior);
    let mut out = Vec::new();
    for text in given {
        let address = crate::model::address::parse(text)?;
        let whole_block = address.key == crate::model::InstanceKey::None;
        let exists = known
            .iter()
            .any(|k| *k == address.to_string() || (whole_block && k.starts_with(&format!("{}[", address.resource))));
        if !exists {
            let suggestion = crate::model::suggest(text, known.iter().map(String::as_str)).map(str::to_string);
            return Err(PlanError::UnknownAddress { flag, address: text.clone(), suggestion });
        }
        out.push(address);
    }
    Ok(out)
}

/// FNV-1a over every source's name and text: detects that a saved plan's configuration changed.
pub fn config_hash(sources: &Sources) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (_, file) in sources.iter() {
        for byte in file.name.bytes().chain([0u8]).chain(file.text.bytes()).chain([0u8]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// Writes a plan file atomically: beside, then renamed.
pub fn save(plan: &Plan, path: &Path) -> Result<(), PlanError> {
    let text = crate::plan::file::to_text(plan);
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text)
        .and_then(|_| {
            crate::state::restrict_permissions(&tmp);
            std::fs::rename(&tmp, path)
        })
        .map_err(|source| PlanError::Write { path: path.to_path_buf(), source })
}

#[derive(Debug, thiserror::Error)]
pub enum LoadPlanError {
    #[error("cannot read the plan file {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path} {source}")]
    Refused { path: PathBuf, source: crate::plan::file::PlanFileError },
}

/// Reads a plan file and checks it whole (format, checksum, shape) before anyone uses it.
pub fn load(path: &Path) -> Result<Plan, LoadPlanError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| LoadPlanError::Io { path: path.to_path_buf(), source })?;
    crate::plan::file::from_text(&text).map_err(|source| LoadPlanError::Refused { path: path.to_path_buf(), source })
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum StalePlan {
    #[error("stale plan: it was made for another state (lineage {planned}, this state is {actual}); make a new plan")]
    OtherState { planned: String, actual: String },
    #[error(
        "stale plan: the state has changed since the plan was made (serial {planned}, now {actual}); make a new plan"
    )]
    Moved { planned: u64, actual: u64 },
}

/// A saved plan applies only to the state it was made against, unchanged since.
pub fn check_fresh(plan: &Plan, state: &Snapshot) -> Result<(), StalePlan> {
    // A plan made before the state existed binds to "no state": it applies to a new, empty one.
    let fresh_state = state.serial == 0 && state.resources.is_empty();
    if !(plan.lineage.is_empty() && fresh_state) && plan.lineage != state.lineage {
        return Err(StalePlan::OtherState { planned: plan.lineage.clone(), actual: state.lineage.clone() });
    }
    if plan.serial != state.serial {
        return Err(StalePlan::Moved { planned: plan.serial, actual: state.serial });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_for(lineage: &str, serial: u64) -> Plan {
        Plan::empty(lineage, serial)
    }

    fn state(lineage: &str, serial: u64) -> Snapshot {
        Snapshot { lineage: lineage.into(), serial, resources: vec![], outputs: vec![] }
    }

    #[test]
    fn saved_plans_bind_to_lineage_and_serial() {
        assert_eq!(check_fresh(&plan_for("a", 3), &state("a", 3)), Ok(()));
        assert!(matches!(check_fresh(&plan_for("a", 3), &state("b", 3)), Err(StalePlan::OtherState { .. })));
        assert!(matches!(
            check_fresh(&plan_for("a", 3), &state("a", 4)),
            Err(StalePlan::Moved { planned: 3, actual: 4 })
        ));
        assert_eq!(
            check_fresh(&plan_for("", 0), &state("new", 0)),
            Ok(()),
            "a plan made before any state applies to a new one"
        );
        assert!(check_fresh(&plan_for("", 0), &state("new", 1)).is_err());
    }
}
