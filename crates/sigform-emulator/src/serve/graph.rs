//! Azure Resource Graph's query API (`POST /providers/Microsoft.ResourceGraph/resources`): the
//! resource index of the subscriptions asked about, cut to what the caller may read, answered in
//! the KQL subset of `kql.rs` and paged with `$skipToken`.

use super::http::{Request, Response};
use super::{Server, arm_error, error, kql, login};
use serde_json::{Value as Json, json};
use sigform_azure::schema::ResourceKind;
use sigform_azure::shape;

impl Server {
    /// Azure Resource Graph's query API, for the queries the client sends: rows of the requested
    /// types from every subscription asked for, at most `$top` (and at most 1,000) per page, the
    /// rest behind `$skipToken`. Each page is a query against the Graph quota.
    pub(super) fn graph(&self, request: &Request, caller: &login::Caller) -> Result<Response, Response> {
        let bad = |message: String| error(400, "BadRequest", message);
        let body: Json =
            serde_json::from_slice(&request.body).map_err(|e| bad(format!("the request body is not JSON: {e}")))?;
        let subscriptions: Vec<String> = body
            .get("subscriptions")
            .and_then(Json::as_array)
            .map(|list| list.iter().filter_map(Json::as_str).map(str::to_string).collect())
            .filter(|list: &Vec<String>| !list.is_empty())
            .ok_or_else(|| bad("`subscriptions` must list at least one subscription".into()))?;
        let text = body.get("query").and_then(Json::as_str).unwrap_or("");
        let query = kql::parse(text).map_err(|why| {
            error(
                400,
                "InvalidQuery",
                format!("Query is invalid: {why}. The emulator answers a subset of KQL; the query was `{text}`."),
            )
        })?;
        let kinds: &[ResourceKind] = match query.table {
            kql::Table::Resources => &[
                ResourceKind::ManagedImage,
                ResourceKind::Gallery,
                ResourceKind::ImageDefinition,
                ResourceKind::ImageVersion,
                ResourceKind::GalleryApplication,
                ResourceKind::GalleryApplicationVersion,
                ResourceKind::Snapshot,
                ResourceKind::StorageAccount,
            ],
            kql::Table::ResourceContainers => &[ResourceKind::ResourceGroup],
        };
        let options = body.get("options").cloned().unwrap_or(Json::Null);
        let top = options.get("$top").and_then(Json::as_u64).unwrap_or(1000).clamp(1, 1000) as usize;
        let page = top.min(self.options.page_size.max(1));
        let skip: usize = match options.get("$skipToken").and_then(Json::as_str) {
            None => 0,
            Some(t) => t
                .strip_prefix("emulator:")
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| bad(format!("`{t}` is not a skip token this service gave")))?,
        };
        let access = self.access(caller)?;
        let mut found = Vec::new();
        for subscription in &subscriptions {
            // Rows are made only of what the query's leading `type` clause can match.
            let wanted = query.types();
            let kinds: Vec<ResourceKind> = kinds
                .iter()
                .copied()
                .filter(|k| wanted.as_ref().is_none_or(|t| t.contains(&shape::arm_type(*k).to_ascii_lowercase())))
                .collect();
            if kinds.is_empty() {
                continue;
            }
            for row in self.emulator.query_index(subscription, &kinds).map_err(|e| arm_error(&e))? {
                // Resource Graph answers only what the caller may read.
                if access.can_read(&row.id, row.kind) {
                    found.push(row);
                }
            }
        }
        found.sort_by_cached_key(|r| r.id.to_ascii_lowercase());
        let (total, data): (usize, Vec<Json>) = if query.is_types_in_id_order() {
            (found.len(), found.iter().skip(skip).take(page).map(shape::graph_row).collect())
        } else {
            let rows = kql::run(&query, found.iter().map(shape::graph_row).collect());
            (rows.len(), rows.into_iter().skip(skip).take(page).collect())
        };
        let mut answer = json!({
            "totalRecords": total,
            "count": data.len(),
            "data": data,
            "facets": [],
            "resultTruncated": "false",
        });
        if skip + page < total {
            answer["$skipToken"] = json!(format!("emulator:{}", skip + page));
        }
        Ok(Response::json(200, &answer))
    }
}
