//! `inventory`: the rows as a table for people, JSON for programs, CSV for spreadsheets; and
//! the totals against the quotas.

use crate::plan::inventory::{Inventory, Region, Row};

fn regions(regions: &[Region]) -> String {
    regions
        .iter()
        .map(|r| {
            let storage = r.storage_account_type.trim_start_matches("Standard_").trim_start_matches("Premium_");
            let premium = if r.storage_account_type.starts_with("Premium") { " premium" } else { "" };
            format!("{}×{} {storage}{premium}", r.name, r.replicas)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn money(usd: Option<f64>) -> String {
    usd.map(|v| format!("${v:.2}")).unwrap_or_default()
}

/// Left-aligned columns, as wide as their widest cell.
fn columns(rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..rows.first().map_or(0, Vec::len))
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        out += cells.join("  ").trim_end();
        out.push('\n');
    }
    out
}

pub fn table(inventory: &Inventory) -> String {
    if inventory.rows.is_empty() {
        return "No galleries, image definitions or versions match.\n".to_string();
    }
    let mut out = String::new();
    let mut subscriptions: Vec<&str> = inventory.rows.iter().map(|r| r.subscription.as_str()).collect();
    subscriptions.dedup();
    for sub in subscriptions {
        out += &format!("Subscription {sub}\n");
        let mut cells = vec![
            [
                "KIND",
                "NAME",
                "RESOURCE GROUP",
                "LOCATION",
                "REGIONS",
                "STATE",
                "END OF LIFE",
                "MANAGED BY",
                "PER MONTH",
                "STALE",
            ]
            .map(str::to_string)
            .to_vec(),
        ];
        for r in inventory.rows.iter().filter(|r| r.subscription == sub) {
            cells.push(vec![
                r.kind.to_string(),
                r.name.clone(),
                r.resource_group.clone(),
                r.location.clone(),
                regions(&r.regions),
                r.state.clone(),
                r.end_of_life.clone().unwrap_or_default(),
                r.managed_by.clone().unwrap_or_else(|| "-".into()),
                money(r.monthly_usd),
                r.stale.join("; "),
            ]);
        }
        out += &columns(&cells);
        out.push('\n');
    }
    out += &format!("Totals against the quotas of service profile {}:\n", inventory.profile);
    let mut cells = vec![
        ["SUBSCRIPTION", "REGION", "GALLERIES", "DEFINITIONS", "VERSIONS", "PER MONTH"].map(str::to_string).to_vec(),
    ];
    for t in &inventory.totals {
        let of = |n: u64, q: u64| format!("{n}/{q} ({:.0}%)", 100.0 * n as f64 / q.max(1) as f64);
        cells.push(vec![
            t.subscription.clone(),
            t.region.clone(),
            of(t.galleries, t.quota_galleries),
            of(t.image_definitions, t.quota_image_definitions),
            of(t.image_versions, t.quota_image_versions),
            money(Some(t.monthly_usd)),
        ]);
    }
    out += &columns(&cells);
    out
}

pub fn json(inventory: &Inventory) -> String {
    serde_json::to_string_pretty(inventory).expect("the inventory serializes")
}

/// A CSV field, quoted when it must be (RFC 4180).
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

pub fn csv(inventory: &Inventory) -> String {
    let header = "subscription,resource_group,kind,name,location,target_regions,state,size_gb,end_of_life,exclude_from_latest,managed_by,monthly_usd,stale,id";
    let mut out = format!("{header}\n");
    for r in &inventory.rows {
        let Row { subscription, resource_group, kind, name, location, state, .. } = r;
        let target: Vec<String> =
            r.regions.iter().map(|g| format!("{}:{}:{}", g.name, g.replicas, g.storage_account_type)).collect();
        let cells = [
            subscription.clone(),
            resource_group.clone(),
            kind.to_string(),
            name.clone(),
            location.clone(),
            target.join(";"),
            state.clone(),
            r.size_gb.map(|s| s.to_string()).unwrap_or_default(),
            r.end_of_life.clone().unwrap_or_default(),
            r.exclude_from_latest.map(|b| b.to_string()).unwrap_or_default(),
            r.managed_by.clone().unwrap_or_default(),
            r.monthly_usd.map(|v| format!("{v:.2}")).unwrap_or_default(),
            r.stale.join("; "),
            r.id.clone(),
        ];
        out += &cells.iter().map(|c| field(c)).collect::<Vec<_>>().join(",");
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn csv_fields_are_quoted_when_they_must_be() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
