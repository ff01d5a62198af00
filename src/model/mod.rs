//! The evaluated configuration (`Desired`): resource instances with addresses, ARM ids, typed
//! attributes that remember where they were written, and the settings rules need.
//!
//! Everything downstream (rules, the planner, the applier) reads this, never the syntax.

pub mod address;
pub mod graph;
pub mod names;
pub mod value;

use crate::diagnostic::Span;
use serde::Serialize;
use sigform_azure::prices::{self, PriceTable};
use sigform_azure::profiles::{self, ServiceProfile};
use sigform_azure::regions;
use sigform_azure::schema::{ResourceKind, ResourceSchema};
use std::collections::BTreeMap;
use std::fmt;
use value::{Map as ValueMap, Value};

/// Which instance of a resource block: none, `[0]` (count) or `["key"]` (for_each).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InstanceKey {
    None,
    Index(u64),
    Key(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Managed,
    Data,
}

/// A resource block in the configuration: `azurerm_x.name` or `data.azurerm_x.name`, in the
/// root module or, behind its module path, in a module instance
/// (`module.images["linux"].azurerm_x.name`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConfigAddress {
    /// The module instance's path, `module.NAME[KEY]` steps joined by dots; empty in the root.
    pub module: String,
    pub mode: Mode,
    pub type_name: String,
    pub name: String,
}

impl ConfigAddress {
    /// A block of the root module.
    pub fn root(mode: Mode, type_name: impl Into<String>, name: impl Into<String>) -> ConfigAddress {
        ConfigAddress { module: String::new(), mode, type_name: type_name.into(), name: name.into() }
    }

    /// Whether the block is in the module at `path` or below it: a path ending in a call
    /// (`module.x`) covers every instance of it, one ending in a key (`module.x["k"]`) one
    /// instance; the root (`""`) holds every block.
    pub fn is_within(&self, path: &str) -> bool {
        if path.is_empty() {
            return true;
        }
        match self.module.strip_prefix(path) {
            Some("") => true,
            Some(rest) => rest.starts_with('.') || (rest.starts_with('[') && !path.ends_with(']')),
            None => false,
        }
    }
}

impl fmt::Display for ConfigAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.module.is_empty() {
            write!(f, "{}.", self.module)?;
        }
        if self.mode == Mode::Data {
            write!(f, "data.")?;
        }
        write!(f, "{}.{}", self.type_name, self.name)
    }
}

/// One instance: `azurerm_shared_image_version.v["1.0.0"]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Address {
    pub resource: ConfigAddress,
    pub key: InstanceKey,
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.resource)?;
        let mut key = String::new();
        address::push_key(&mut key, &self.key);
        f.write_str(&key)
    }
}

impl Serialize for Address {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// An attribute value and the place it was written (or the block, for a default).
#[derive(Debug, Clone, PartialEq)]
pub struct Attr {
    pub value: Value,
    pub span: Span,
    /// True when the value is the schema's default, not written by the user.
    pub defaulted: bool,
}

/// The evaluated body of a resource or of one nested block.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Attrs {
    pub values: names::Named<Attr>,
    pub blocks: names::Named<Vec<BlockInstance>>,
}

impl Attrs {
    pub fn get(&self, name: &str) -> Option<&Attr> {
        self.values.get(name)
    }

    /// The value if it is set and known (not null, not unknown).
    pub fn known(&self, name: &str) -> Option<&Value> {
        self.values.get(name).map(|a| &a.value).filter(|v| !v.is_null() && !v.is_unknown())
    }

    pub fn str(&self, name: &str) -> Option<&str> {
        self.known(name).and_then(Value::as_str)
    }

    pub fn num(&self, name: &str) -> Option<f64> {
        self.known(name).and_then(Value::as_f64)
    }

    pub fn bool(&self, name: &str) -> Option<bool> {
        self.known(name).and_then(Value::as_bool)
    }

    pub fn blocks(&self, name: &str) -> &[BlockInstance] {
        self.blocks.get(name).map_or(&[], Vec::as_slice)
    }

    /// The whole body as one object value, as references (`x.attr`, `x.block[0].attr`) see it.
    pub fn to_value(&self) -> ValueMap {
        let mut map: ValueMap = self.values.iter().map(|(k, a)| (k.clone(), a.value.clone())).collect();
        for (name, blocks) in &self.blocks {
            map.insert(name.clone(), Value::List(blocks.iter().map(|b| Value::Map(b.attrs.to_value())).collect()));
        }
        map
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct BlockInstance {
    pub span: Span,
    pub attrs: Attrs,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Lifecycle {
    pub prevent_destroy: bool,
    pub create_before_destroy: bool,
    /// `timeouts { create, update, delete }`: how long apply waits for each operation.
    pub timeouts: Timeouts,
    /// Attribute names; `["*"]` stands for `ignore_changes = all`.
    pub ignore_changes: Vec<String>,
}

/// `timeouts { ... }`, in seconds: how long apply waits for an operation before it stops waiting
/// (the operation goes on in Azure, and the next run settles it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Timeouts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete: Option<u64>,
}

impl Timeouts {
    pub fn is_empty(&self) -> bool {
        *self == Timeouts::default()
    }
}

/// A Go duration as Terraform writes them (`"60m"`, `"1h30m"`, `"-10m"`, `"1.5h"`, `"90s"`), in
/// seconds (fractional, signed); `None` when it is not one. `timeouts` and `timeadd()` read it.
pub fn parse_duration(text: &str) -> Option<f64> {
    let (sign, mut rest) = match text.trim().strip_prefix('-') {
        Some(r) => (-1.0, r),
        None => (1.0, text.trim().strip_prefix('+').unwrap_or(text.trim())),
    };
    if rest.is_empty() {
        return None;
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(rest.len());
        let number: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        total += number
            * match &rest[..unit_len] {
                "h" => 3600.0,
                "m" => 60.0,
                "s" => 1.0,
                "ms" => 0.001,
                "us" | "µs" => 0.000_001,
                "ns" => 0.000_000_001,
                _ => return None,
            };
        rest = &rest[unit_len..];
    }
    Some(sign * total)
}

/// One managed resource or data source instance.
#[derive(Debug, Clone)]
pub struct Instance {
    pub address: Address,
    pub schema: &'static ResourceSchema,
    /// `azurerm` or `azurerm.ALIAS`.
    pub provider: String,
    pub subscription_id: String,
    pub tenant_id: String,
    /// The deterministic ARM id; `None` when it depends on an unknown value.
    pub id: Option<String>,
    pub attrs: Attrs,
    /// The block header (`resource "TYPE" "NAME"`), where whole-resource diagnostics point.
    pub span: Span,
    pub lifecycle: Lifecycle,
    /// Resource blocks this one names in `depends_on` or refers to without an index.
    /// Shared among the instances that name the same block (see `eval::Shared`).
    pub depends_on: Vec<std::sync::Arc<ConfigAddress>>,
    /// Instances this one refers to by index (`azurerm_x.y["k"]`): precise edges, so that a
    /// thousand versions each naming its own definition do not each depend on all of them.
    pub references: Vec<std::sync::Arc<Address>>,
    /// A data source read during apply, and the managed resource it waits for.
    pub deferred_read: Option<String>,
    /// Top-level arguments and blocks whose values are sensitive (made of a sensitive variable):
    /// plans show "(sensitive value)" for them.
    pub sensitive: Vec<String>,
}

impl Instance {
    pub fn kind(&self) -> ResourceKind {
        self.schema.kind
    }

    /// The span of an attribute, or of the block when it is not written.
    pub fn span_of(&self, attr: &str) -> Span {
        self.attrs.get(attr).filter(|a| !a.defaulted).map_or_else(|| self.span.clone(), |a| a.span.clone())
    }

    /// The location, normalised to its region name when it is a known region.
    pub fn location(&self) -> Option<String> {
        self.attrs.str("location").map(regions::normalize)
    }
}

#[derive(Debug, Clone)]
pub struct Output {
    pub name: String,
    pub value: Value,
    pub sensitive: bool,
    pub description: Option<String>,
    pub span: Span,
}

/// `moved { from = module.old  to = module.new }`: every record in the module moves. Paths
/// with instance keys move one instance (`module.a` → `module.a[0]` when `count` is added);
/// without, every instance keeps its key.
#[derive(Debug, Clone)]
pub struct ModuleMove {
    pub from: String,
    pub to: String,
    pub span: Span,
}

/// `removed { from = ADDRESS  lifecycle { destroy = false } }`: what the state records of a
/// block (or of a module, every block in it) that the configuration no longer has.
#[derive(Debug, Clone)]
pub struct Removed {
    /// A block's address (`module.x.azurerm_y.z`), or a module's path (`module.x`).
    pub from: String,
    /// True when `from` is a module: every record inside it is meant.
    pub module: bool,
    /// False: the state forgets the records and the objects stay in Azure; true (Terraform's
    /// default): they are destroyed, as any resource gone from the configuration.
    pub destroy: bool,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Moved {
    pub from: Address,
    pub to: Address,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Import {
    pub to: Address,
    pub id: Value,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Provider {
    /// `azurerm` or `azurerm.ALIAS`.
    pub name: String,
    pub subscription_id: String,
    pub tenant_id: String,
    /// The credential arguments given (`use_oidc`, `client_id`, `client_secret`, …) as text, by
    /// azurerm's names; they sign the run in, taking precedence over the environment. Never
    /// written to a plan or the state.
    pub credentials: std::collections::BTreeMap<String, String>,
    /// `features { resource_group { prevent_deletion_if_contains_resources } }`: true (azurerm
    /// 4.x's default) refuses to delete a resource group that still holds resources.
    pub prevent_group_deletion_with_resources: bool,
    pub span: Option<Span>,
}

/// Quotas per subscription and region: the service profile's type.
pub use sigform_azure::profiles::Quotas;

/// Where the service profile was chosen: what messages name when they tell how to change it.
#[derive(Debug, Clone, PartialEq)]
pub enum ProfileChoice {
    /// Nothing chose one: `current`.
    Default,
    /// `sigform { service_profile = "..." }`, here.
    Configuration(Span),
    /// `SIGFORM_SERVICE_PROFILE` (which wins over the configuration).
    Environment,
}

/// Prices that override the shipped table (USD).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Prices {
    pub standard_lrs_gb_month: Option<f64>,
    pub standard_zrs_gb_month: Option<f64>,
    pub premium_lrs_gb_month: Option<f64>,
    pub egress_gb: Option<f64>,
    /// A JSON file with the same fields (relative to the working directory); the block's own
    /// values win over it.
    pub file: Option<String>,
}

/// The shipped prices with the configuration's self.
impl Prices {
    /// The shipped prices with these overrides.
    pub fn table(&self) -> PriceTable {
        PriceTable {
            date: if self.standard_lrs_gb_month.is_none()
                && self.standard_zrs_gb_month.is_none()
                && self.premium_lrs_gb_month.is_none()
                && self.egress_gb.is_none()
            {
                prices::SHIPPED.date
            } else {
                "configured"
            },
            standard_lrs_gb_month: self.standard_lrs_gb_month.unwrap_or(prices::SHIPPED.standard_lrs_gb_month),
            standard_zrs_gb_month: self.standard_zrs_gb_month.unwrap_or(prices::SHIPPED.standard_zrs_gb_month),
            premium_lrs_gb_month: self.premium_lrs_gb_month.unwrap_or(prices::SHIPPED.premium_lrs_gb_month),
            egress_gb: self.egress_gb.unwrap_or(prices::SHIPPED.egress_gb),
        }
    }
}

/// The `sigform { ... }` block: settings that are not azurerm's.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The service the rules check against (`sigform { service_profile }`, overridden by
    /// `SIGFORM_SERVICE_PROFILE`).
    pub profile: &'static ServiceProfile,
    pub profile_choice: ProfileChoice,
    /// Normalised region names where galleries can be created, when the configuration lists
    /// them (`sigform { gallery_regions }`); otherwise the profile says.
    pub gallery_regions: Option<Vec<String>>,
    /// Normalised region names the subscription is allow-listed for (SIG204).
    pub allowlisted_regions: Vec<String>,
    /// `sigform { quotas { ... } }`: what the subscription really has; unset ones are the
    /// profile's defaults (see `quotas()`).
    pub quota_overrides: QuotaOverrides,
    pub parallelism: u32,
    pub wait_for_replication: bool,
    pub keep_latest_in_all_regions: Option<u32>,
    pub prices: Prices,
    /// `sigform { retention { ... } }`: what to keep of the versions a gallery fills up with.
    pub retention: Vec<RetentionPolicy>,
}

/// The block name retention's changes are addressed under:
/// `azurerm_shared_image_version.sigform_retention["gallery/definition/version"]`. Reserved: a
/// configuration may not declare it.
pub const RETENTION_BLOCK: &str = "sigform_retention";

/// One `retention` block: which definitions it covers and what it keeps of their versions.
#[derive(Debug, Clone, PartialEq)]
pub struct RetentionPolicy {
    /// Lower-cased ids of the definitions it covers (`definitions = [...]`), or of the galleries
    /// whose definitions it covers (`galleries = [...]`); neither: every managed definition.
    pub definitions: Option<Vec<String>>,
    pub galleries: Option<Vec<String>>,
    /// The newest this many versions (by semantic version) stay as they are.
    pub keep_versions: u32,
    /// `older_regions = "source"`: older versions shrink to their source region, one replica.
    pub older_regions_source: bool,
    /// `delete_after`: older versions published longer ago than this (seconds) are deleted.
    pub delete_after: Option<i64>,
    /// Whether versions published by other tools are in scope.
    pub include_unmanaged: bool,
    /// `protect { names = [...] }`: versions whose names match one of these patterns (`*`, `?`)
    /// are never touched.
    pub protect_names: Vec<String>,
    /// `protect { tags = {...} }`: nor are versions carrying one of these tags.
    pub protect_tags: BTreeMap<String, String>,
}

/// Quotas the configuration states (`None`: the profile's default).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuotaOverrides {
    pub galleries: Option<u64>,
    pub image_definitions: Option<u64>,
    pub image_versions: Option<u64>,
}

impl Settings {
    /// The quotas the rules count against: the configured ones, else the profile's defaults.
    pub fn quotas(&self) -> Quotas {
        let d = self.profile.quotas;
        let o = &self.quota_overrides;
        Quotas {
            galleries: o.galleries.unwrap_or(d.galleries),
            image_definitions: o.image_definitions.unwrap_or(d.image_definitions),
            image_versions: o.image_versions.unwrap_or(d.image_versions),
        }
    }

    /// Whether galleries can be created in `region`: the configured list, else the profile's.
    pub fn gallery_region_allowed(&self, region: &str) -> bool {
        match &self.gallery_regions {
            Some(list) => list.contains(&regions::normalize(region)),
            None => self.profile.gallery_region_allowed(region),
        }
    }

    /// Where galleries can be created, for messages.
    pub fn gallery_regions_text(&self) -> String {
        match &self.gallery_regions {
            Some(list) => list.iter().map(|r| regions::display(r)).collect::<Vec<_>>().join(", "),
            None => self.profile.gallery_regions_text(),
        }
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            profile: profiles::DEFAULT,
            profile_choice: ProfileChoice::Default,
            gallery_regions: None,
            allowlisted_regions: Vec::new(),
            quota_overrides: QuotaOverrides::default(),
            parallelism: 10,
            wait_for_replication: true,
            keep_latest_in_all_regions: None,
            prices: Prices::default(),
            retention: Vec::new(),
        }
    }
}

/// What the configuration asks for: the output of `eval`.
#[derive(Debug, Clone, Default)]
pub struct Desired {
    pub resources: Vec<Instance>,
    pub data: Vec<Instance>,
    pub outputs: Vec<Output>,
    pub imports: Vec<Import>,
    /// `moved { from, to }`: records the state keeps under another address.
    pub moved: Vec<Moved>,
    /// `moved` blocks between modules (`from = module.a`, `to = module.b`).
    pub moved_modules: Vec<ModuleMove>,
    pub removed: Vec<Removed>,
    pub providers: Vec<Provider>,
    pub settings: Settings,
}

impl Desired {
    /// Managed resources and data sources.
    pub fn all_instances(&self) -> impl Iterator<Item = &Instance> {
        self.resources.iter().chain(self.data.iter())
    }

    /// Index of managed resources by lower-cased ARM id (ARM ids are case-insensitive).
    pub fn by_id(&self) -> ById<'_> {
        self.all_instances().filter_map(|i| i.id.as_deref().map(|id| (crate::fast_hash::Caseless(id), i))).collect()
    }
}

/// Instances by ARM id, in any case.
pub type ById<'a> = crate::fast_hash::FastMap<crate::fast_hash::Caseless<'a>, &'a Instance>;

/// The closest candidate to `word`, if close enough to be a plausible typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| (edit_distance(&word.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two
/// neighbouring characters (the commonest typo) each cost one.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_pick_close_words_only() {
        let words = ["location", "name", "resource_group_name", "tags"];
        assert_eq!(suggest("locaton", words), Some("location"));
        assert_eq!(suggest("nmae", words), Some("name"));
        assert_eq!(suggest("resource_group", words), None);
        assert_eq!(suggest("completely_different", words), None);
    }

    #[test]
    fn addresses_print_as_terraform_does() {
        let r = ConfigAddress::root(Mode::Managed, "azurerm_shared_image_version", "v");
        let a = Address { resource: r.clone(), key: InstanceKey::Key("1.0.0".into()) };
        assert_eq!(a.to_string(), "azurerm_shared_image_version.v[\"1.0.0\"]");
        let d = Address { resource: ConfigAddress { mode: Mode::Data, ..r.clone() }, key: InstanceKey::Index(2) };
        assert_eq!(d.to_string(), "data.azurerm_shared_image_version.v[2]");
        let m = ConfigAddress { module: "module.images[\"linux\"].module.gallery".into(), mode: Mode::Data, ..r };
        assert_eq!(m.to_string(), "module.images[\"linux\"].module.gallery.data.azurerm_shared_image_version.v");
    }

    #[test]
    fn module_paths_cover_their_instances_and_modules_below() {
        let at = |module: &str| ConfigAddress { module: module.into(), ..ConfigAddress::root(Mode::Managed, "t", "n") };
        for (module, path, within) in [
            ("", "", true),
            ("module.a", "", true),
            ("module.a", "module.a", true),
            ("module.a[0]", "module.a", true),
            ("module.a[0]", "module.a[0]", true),
            ("module.a[1]", "module.a[0]", false),
            ("module.a[0].module.b", "module.a", true),
            ("module.ab", "module.a", false),
            ("", "module.a", false),
        ] {
            assert_eq!(at(module).is_within(path), within, "{module} in {path}");
        }
    }
}
