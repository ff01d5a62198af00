//! Retention (`sigform { retention { ... } }`): what a policy does with the versions of the
//! definitions it covers. Per definition, versions rank by semantic version, newest first; the
//! `keep_versions` newest stay as they are. Older ones shrink to their source region with one
//! replica (`older_regions = "source"`) or, once published longer ago than `delete_after`, are
//! deleted — as is a version past its end of life, whatever its rank, when `delete_after` allows.
//!
//! Safety, each held here: never the newest version of a definition; never a version the
//! configuration declares (reported instead: the configuration says what it looks like); never a
//! version a data source reads; never one that is protected by name or tag; never below one
//! region; versions published by other tools only with `include_unmanaged`. A decision depends
//! only on the cloud as it is, so a converged cloud plans nothing. Pure: no clock, no I/O.

use crate::model::RetentionPolicy;
use serde_json::{Value as Json, json};
use sigform_azure::names::parse_version;
use sigform_azure::prices::{PriceTable, monthly, regions_of};
use sigform_azure::{arm_id, regions};
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub use crate::model::RETENTION_BLOCK as BLOCK_NAME;

/// Whether an address is one of retention's.
pub fn is_retention_address(address: &str) -> bool {
    address.starts_with(&format!("azurerm_shared_image_version.{BLOCK_NAME}["))
}

/// A version as retention sees it: from the state (managed) or only from the cloud.
#[derive(Debug, Clone)]
pub struct SeenVersion {
    pub id: String,
    pub subscription: String,
    /// azurerm-shaped attributes (target regions, tags, published date, end of life, ...).
    pub attributes: Json,
    /// Its address when the state manages it.
    pub address: Option<String>,
    /// Whether the configuration declares it.
    pub declared: bool,
}

/// What the policy does to one version.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// To its source region with one replica: the attributes after.
    Shrink(Json),
    Delete,
}

#[derive(Debug, Clone)]
pub struct Decision {
    pub id: String,
    pub subscription: String,
    /// `gallery/definition/version`.
    pub name: String,
    pub before: Json,
    pub verdict: Verdict,
    /// Why, in words: "older than the 3 newest".
    pub reason: String,
    /// Monthly storage it saves (USD).
    pub saves: f64,
}

/// What the planner hands in.
pub struct RetentionInput<'a> {
    pub policies: &'a [RetentionPolicy],
    pub versions: Vec<SeenVersion>,
    /// Lower-cased ids of the definitions the configuration declares (what a policy without
    /// `definitions` or `galleries` covers).
    pub declared_definitions: BTreeSet<String>,
    /// Lower-cased ids of the versions data sources read.
    pub read_by_data_sources: BTreeSet<String>,
    /// Whether the service keeps replicated regions unless a version allows their removal.
    pub regions_guarded: bool,
    pub now_unix: i64,
    pub prices: &'a PriceTable,
    /// Source sizes (GB) by lower-cased id.
    pub sizes: &'a HashMap<String, f64>,
}

/// What retention decides, and what it reports instead of changing (declared versions outside
/// the policy, versions it cannot shrink).
#[derive(Debug, Default)]
pub struct Retention {
    pub decisions: Vec<Decision>,
    pub notes: Vec<String>,
}

/// Whether `name` matches `pattern`, where `*` is any run of characters and `?` one character.
pub fn glob(pattern: &str, name: &str) -> bool {
    fn go(p: &[u8], n: &[u8]) -> bool {
        match p.split_first() {
            None => n.is_empty(),
            Some((b'*', rest)) => (0..=n.len()).any(|i| go(rest, &n[i..])),
            Some((b'?', rest)) => !n.is_empty() && go(rest, &n[1..]),
            Some((c, rest)) => n.first() == Some(c) && go(rest, &n[1..]),
        }
    }
    go(pattern.as_bytes(), name.as_bytes())
}

fn text<'a>(attrs: &'a Json, key: &str) -> Option<&'a str> {
    attrs.get(key).and_then(Json::as_str)
}

/// The policy covering a definition: the first that names it (or its gallery), else the first
/// that names nothing, for the configuration's definitions.
fn policy_for<'a>(
    policies: &'a [RetentionPolicy],
    definition: &str,
    declared: &BTreeSet<String>,
) -> Option<&'a RetentionPolicy> {
    let gallery = arm_id::parent(definition).unwrap_or_default().to_ascii_lowercase();
    policies.iter().find(|p| match (&p.definitions, &p.galleries) {
        (None, None) => declared.contains(definition),
        (d, g) => {
            d.as_ref().is_some_and(|d| d.iter().any(|x| x == definition))
                || g.as_ref().is_some_and(|g| g.contains(&gallery))
        }
    })
}

/// `gallery/definition/version` of a version id.
fn short_name(id: &str) -> String {
    arm_id::ArmId::parse(id).map(|p| p.names.join("/")).unwrap_or_else(|| id.to_string())
}

pub fn decide(input: RetentionInput) -> Retention {
    let mut out = Retention::default();
    if input.policies.is_empty() {
        return out;
    }
    let mut by_definition: BTreeMap<String, Vec<&SeenVersion>> = BTreeMap::new();
    for v in &input.versions {
        if let Some(parent) = arm_id::parent(&v.id) {
            by_definition.entry(parent.to_ascii_lowercase()).or_default().push(v);
        }
    }
    for (definition, mut versions) in by_definition {
        let Some(policy) = policy_for(input.policies, &definition, &input.declared_definitions) else { continue };
        let name_of = |v: &SeenVersion| v.id.rsplit('/').next().unwrap_or_default().to_string();
        versions.retain(|v| parse_version(&name_of(v)).is_some());
        versions.sort_by_key(|v| std::cmp::Reverse(parse_version(&name_of(v))));
        let protected = |v: &SeenVersion| {
            let tagged = policy.protect_tags.iter().any(|(k, want)| {
                v.attributes.get("tags").and_then(|t| t.get(k)).and_then(Json::as_str) == Some(want.as_str())
            });
            tagged
                || input.read_by_data_sources.contains(&v.id.to_ascii_lowercase())
                || policy.protect_names.iter().any(|p| glob(p, &name_of(v)))
        };
        let ended = |v: &SeenVersion| {
            text(&v.attributes, "end_of_life_date")
                .and_then(sigform_azure::timestamp::parse_rfc3339)
                .is_some_and(|eol| eol <= input.now_unix)
        };
        let published =
            |v: &SeenVersion| text(&v.attributes, "published_date").and_then(sigform_azure::timestamp::parse_rfc3339);
        let deletable = |v: &SeenVersion| match (policy.delete_after, published(v)) {
            (Some(after), Some(at)) => at + after <= input.now_unix,
            _ => false,
        };
        // Whether the policy itself removes a version (in scope, not declared): one past its end
        // of life goes whatever its rank, and then does not count among the newest it keeps.
        let in_scope = |v: &SeenVersion| !v.declared && v.address.is_none() && policy.include_unmanaged;
        let goes_for_end_of_life: Vec<bool> = versions
            .iter()
            .enumerate()
            .map(|(i, v)| i > 0 && in_scope(v) && !protected(v) && ended(v) && deletable(v))
            .collect();
        let mut survivors = 0usize;
        for (i, v) in versions.iter().enumerate() {
            // Rank among what stays (the newest is rank 0, and never touched).
            let rank = if goes_for_end_of_life[i] {
                usize::MAX
            } else {
                survivors += 1;
                survivors - 1
            };
            if i == 0 || rank == 0 || protected(v) {
                continue;
            }
            let attrs = &v.attributes;
            let old = !goes_for_end_of_life[i] && rank >= policy.keep_versions as usize;
            let ended = ended(v);
            let published = published(v);
            let deletable = deletable(v);
            let source = text(attrs, "location").map(regions::normalize).unwrap_or_default();
            let targets = regions_of(attrs);
            let beyond_source = targets.iter().any(|(r, n, _)| *r != source || *n > 1);
            let (verdict, reason) = if (old || ended) && deletable {
                let why = if old {
                    format!("older than the {} newest", policy.keep_versions)
                } else {
                    "past its end of life".to_string()
                };
                let days = published.map_or(0, |at| (input.now_unix - at) / 86_400);
                (Verdict::Delete, format!("{why}, published {days} days ago"))
            } else if old && policy.older_regions_source && beyond_source {
                let removes_regions = targets.iter().any(|(r, _, _)| *r != source);
                let allowed = attrs.get("deletion_of_replicated_locations_enabled").and_then(Json::as_bool)
                    == Some(true)
                    || !input.regions_guarded;
                if removes_regions && !allowed && !v.declared && (v.address.is_some() || policy.include_unmanaged) {
                    out.notes.push(format!(
                        "{} is older than the {} newest but cannot shrink to its source region: its safety profile keeps the regions it was replicated to (deletion_of_replicated_locations_enabled is false); only delete_after can remove it",
                        short_name(&v.id),
                        policy.keep_versions
                    ));
                    continue;
                }
                let mut after = attrs.clone();
                let keep = attrs
                    .get("target_region")
                    .and_then(Json::as_array)
                    .and_then(|l| l.iter().find(|r| text(r, "name").map(regions::normalize) == Some(source.clone())))
                    .cloned()
                    .unwrap_or_else(|| json!({"name": source}));
                let mut keep = keep;
                keep["regional_replica_count"] = json!(1);
                after["target_region"] = json!([keep]);
                after["replica_count"] = json!(1);
                (Verdict::Shrink(after), format!("older than the {} newest", policy.keep_versions))
            } else {
                continue;
            };
            if v.declared {
                let what = match &verdict {
                    Verdict::Delete => "delete it".to_string(),
                    Verdict::Shrink(_) => "keep only its source region, one replica".to_string(),
                };
                out.notes.push(format!(
                    "{} ({}) is {reason}: the policy would {what}, but the configuration declares it — change its block instead",
                    v.address.as_deref().unwrap_or(&v.id),
                    short_name(&v.id)
                ));
                continue;
            }
            // Managed but no longer declared: the plan deletes it anyway. Published elsewhere:
            // only when the policy says so.
            if v.address.is_some() || !policy.include_unmanaged {
                continue;
            }
            let gb = sigform_azure::resources::image_version::source_id(attrs)
                .and_then(|s| input.sizes.get(&s.to_ascii_lowercase()))
                .copied()
                .unwrap_or(sigform_azure::prices::DEFAULT_IMAGE_GB);
            let after_cost = match &verdict {
                Verdict::Shrink(after) => monthly(after, gb, input.prices),
                Verdict::Delete => 0.0,
            };
            out.decisions.push(Decision {
                id: v.id.clone(),
                subscription: v.subscription.clone(),
                name: short_name(&v.id),
                before: attrs.clone(),
                verdict,
                reason,
                saves: monthly(attrs, gb, input.prices) - after_cost,
            });
        }
    }
    out
}

/// The plan's change for a decision: an update (shrink) or a delete of a version the state does
/// not hold, under retention's reserved address, with the reason.
pub fn change(d: Decision) -> super::ResourceChange {
    let address = format!("azurerm_shared_image_version.{BLOCK_NAME}[{}]", Json::String(d.name.clone()));
    let record = |attributes: Json| crate::state::ResourceState {
        address: address.clone(),
        mode: "managed".into(),
        type_name: "azurerm_shared_image_version".into(),
        name: BLOCK_NAME.into(),
        index: Json::String(d.name.clone()),
        provider: "azurerm".into(),
        subscription_id: d.subscription.clone(),
        id: d.id.clone(),
        attributes: attributes.into(),
        dependencies: Vec::new(),
        status: "ready".into(),
        sensitive: Vec::new(),
    };
    let (action, after, changes) = match &d.verdict {
        Verdict::Delete => (super::Action::Delete, None, Vec::new()),
        Verdict::Shrink(after) => {
            let map = |j: &Json| match crate::model::value::Value::from_json(j) {
                crate::model::value::Value::Map(m) => m,
                _ => crate::model::value::Map::default(),
            };
            let changes = super::diff::diff(
                &sigform_azure::resources::image_version::RESOURCE,
                &map(&d.before),
                &map(after),
                &[],
            );
            (super::Action::Update, Some(record(after.clone())), changes)
        }
    };
    super::ResourceChange {
        address: address.clone(),
        action,
        before: Some(Box::new(record(d.before.clone()))),
        after: after.map(Box::new),
        after_unknown: Vec::new(),
        changes,
        forbidden: Vec::new(),
        reason: Some(format!("retention: {}", d.reason)),
        source: None,
        timeouts: crate::model::Timeouts::default(),
        sensitive: Vec::new(),
        retention: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_767_225_600; // 2026-01-01
    const DAY: i64 = 86_400;

    fn policy() -> RetentionPolicy {
        RetentionPolicy {
            definitions: None,
            galleries: None,
            keep_versions: 2,
            older_regions_source: true,
            delete_after: Some(90 * DAY),
            include_unmanaged: true,
            protect_names: Vec::new(),
            protect_tags: BTreeMap::new(),
        }
    }

    const DEF: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/ubuntu";

    /// A version published `age` days ago, replicated to eastus (2 replicas) and westeurope.
    fn version(name: &str, age: i64) -> SeenVersion {
        let published = sigform_azure::timestamp::format_unix(NOW - age * DAY);
        SeenVersion {
            id: format!("{DEF}/versions/{name}"),
            subscription: "s".into(),
            attributes: json!({"location": "eastus", "published_date": published,
                "deletion_of_replicated_locations_enabled": true,
                "target_region": [{"name": "eastus", "regional_replica_count": 2}, {"name": "westeurope", "regional_replica_count": 1}]}),
            address: None,
            declared: false,
        }
    }

    fn run(policies: &[RetentionPolicy], versions: Vec<SeenVersion>, read: &[&str]) -> Retention {
        decide(RetentionInput {
            policies,
            versions,
            declared_definitions: [DEF.to_ascii_lowercase()].into(),
            read_by_data_sources: read.iter().map(|v| format!("{DEF}/versions/{v}").to_ascii_lowercase()).collect(),
            regions_guarded: true,
            now_unix: NOW,
            prices: &sigform_azure::prices::SHIPPED,
            sizes: &HashMap::new(),
        })
    }

    fn verdicts(r: &Retention) -> Vec<(String, &'static str)> {
        r.decisions
            .iter()
            .map(|d| {
                let v = d.name.rsplit('/').next().unwrap().to_string();
                (v, if d.verdict == Verdict::Delete { "delete" } else { "shrink" })
            })
            .collect()
    }

    #[test]
    fn the_newest_stay_older_shrink_and_the_oldest_go() {
        let versions = vec![
            version("1.0.0", 200),
            version("1.1.0", 100),
            version("1.2.0", 30),
            version("1.3.0", 10),
            version("1.10.0", 5),
        ];
        let r = run(&[policy()], versions, &[]);
        // 1.10.0 and 1.3.0 are the newest two (semantic, not string order); 1.2.0 shrinks;
        // 1.1.0 and 1.0.0 were published more than 90 days ago: deleted.
        assert_eq!(verdicts(&r), [("1.2.0".into(), "shrink"), ("1.1.0".into(), "delete"), ("1.0.0".into(), "delete")]);
        let shrink = r.decisions.iter().find(|d| d.name.ends_with("1.2.0")).unwrap();
        let Verdict::Shrink(after) = &shrink.verdict else { panic!() };
        assert_eq!(after["target_region"], json!([{"name": "eastus", "regional_replica_count": 1}]));
        // 30 GB: (2 + 1) replicas at $0.05 before, 1 after: $3.00 saved; a deletion saves all $4.50.
        assert!((shrink.saves - 3.0).abs() < 1e-9, "{}", shrink.saves);
        assert!((r.decisions[2].saves - 4.5).abs() < 1e-9);
    }

    #[test]
    fn safety_rules_hold() {
        let mut p = policy();
        p.keep_versions = 1;
        p.protect_names = vec!["1.1.*".into()];
        p.protect_tags = [("keep".to_string(), "true".to_string())].into();
        let mut tagged = version("1.2.0", 200);
        tagged.attributes["tags"] = json!({"keep": "true"});
        let mut declared = version("1.3.0", 200);
        declared.declared = true;
        declared.address = Some("azurerm_shared_image_version.v13".into());
        let mut managed = version("1.4.0", 200);
        managed.address = Some("azurerm_shared_image_version.gone".into());
        let mut guarded = version("1.6.0", 10);
        guarded.attributes["deletion_of_replicated_locations_enabled"] = json!(false);
        let versions = vec![
            version("1.0.0", 200), // read by a data source
            version("1.1.5", 200), // protected by name
            tagged,
            declared,
            managed,
            version("1.5.0", 200), // deleted
            guarded,
            version("9.0.0", 400), // the newest: never, however old
        ];
        let r = run(&[p.clone()], versions.clone(), &["1.0.0"]);
        assert_eq!(verdicts(&r), [("1.5.0".into(), "delete")]);
        assert!(
            r.notes.iter().any(|n| n.contains("azurerm_shared_image_version.v13") && n.contains("declares it")),
            "{:?}",
            r.notes
        );
        assert!(r.notes.iter().any(|n| n.contains("1.6.0") && n.contains("safety profile")), "{:?}", r.notes);
        // Published by other tools: only with include_unmanaged.
        p.include_unmanaged = false;
        assert!(run(&[p], versions, &["1.0.0"]).decisions.is_empty());
    }

    #[test]
    fn end_of_life_counts_only_when_delete_after_allows() {
        let mut p = policy();
        p.keep_versions = 5;
        let mut ended_long_ago = version("1.0.0", 200);
        ended_long_ago.attributes["end_of_life_date"] = json!("2025-06-01T00:00:00Z");
        let mut ended_recently = version("1.1.0", 10);
        ended_recently.attributes["end_of_life_date"] = json!("2025-12-01T00:00:00Z");
        let versions = vec![ended_long_ago, ended_recently, version("1.2.0", 1)];
        assert_eq!(verdicts(&run(&[p.clone()], versions.clone(), &[])), [("1.0.0".into(), "delete")]);
        p.delete_after = None;
        assert!(run(&[p], versions, &[]).decisions.is_empty());
    }

    #[test]
    fn a_converged_definition_plans_nothing() {
        let mut shrunk = version("1.0.0", 10);
        shrunk.attributes["target_region"] = json!([{"name": "eastus", "regional_replica_count": 1}]);
        let versions = vec![shrunk, version("1.1.0", 5), version("1.2.0", 1)];
        assert!(run(&[policy()], versions, &[]).decisions.is_empty());
    }

    #[test]
    fn policies_cover_what_they_name() {
        let mut other = policy();
        other.definitions = Some(vec!["/subscriptions/s/x".into()]);
        let versions = vec![version("1.0.0", 200), version("1.1.0", 100), version("1.2.0", 1)];
        assert!(run(&[other.clone()], versions.clone(), &[]).decisions.is_empty());
        other.definitions = None;
        other.galleries = Some(vec![arm_id::parent(DEF).unwrap().to_ascii_lowercase()]);
        assert_eq!(run(&[other], versions, &[]).decisions.len(), 1);
        assert!(glob("1.*", "1.2.3") && glob("?.0.0", "2.0.0") && !glob("1.*", "2.0.0"));
    }
}
