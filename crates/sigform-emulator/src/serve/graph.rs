//! Azure Resource Graph's query API (`POST /providers/Microsoft.ResourceGraph/resources`): the
//! resource index of the subscriptions asked about, cut to what the caller may read, answered in
//! the KQL subset of `kql/` and paged with `$skipToken`. A query that summarizes is answered its
//! first page only, marked `resultTruncated` when there was more (Resource Graph documents
//! `summarize` as "first page only"): a client must not page through one.
//!
//! A query's whole answer is made once, at its first page, and kept as a snapshot that its skip
//! token names: the further pages are cut from it. Paging is therefore consistent while the
//! resources change (a skip token that were an offset into a fresh answer would skip or repeat
//! rows), and a page costs its own rows, not the whole index again (55 pages of a 55,000-row
//! index took 0.6 s each when every page re-ran the query). Every page still counts against the
//! Graph quota, as in Azure.

use super::http::{Request, Response};
use super::{Server, arm_error, error, kql, login};
use serde_json::Value as Json;
use sigform_azure::schema::ResourceKind;
use sigform_azure::shape;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How many answers with pages still to fetch are kept, in how many bytes of rows, and for how
/// long: enough for a few clients paging at once through a cloud at today's quota ceiling (one
/// answer of 55,000 rows is about 70 MB); an abandoned query's answer goes when it is the oldest
/// or expires.
const KEPT: usize = 8;
const KEPT_BYTES: usize = 256 << 20;
const KEPT_FOR: Duration = Duration::from_secs(600);

/// The answers of queries whose further pages are still to be fetched.
#[derive(Default)]
pub(super) struct Snapshots {
    next: u64,
    kept: VecDeque<Snapshot>,
}

struct Snapshot {
    id: u64,
    bytes: usize,
    /// Who asked what: a token is honoured only for the same caller, subscriptions and query.
    asker: String,
    made: Instant,
    /// The answer's rows, each already JSON.
    rows: Arc<Vec<String>>,
}

impl Snapshots {
    fn keep(&mut self, asker: String, rows: Arc<Vec<String>>) -> u64 {
        let now = Instant::now();
        self.kept.retain(|s| now.duration_since(s.made) < KEPT_FOR);
        let bytes = rows.iter().map(String::len).sum();
        while self.kept.len() >= KEPT || (!self.kept.is_empty() && self.bytes() + bytes > KEPT_BYTES) {
            self.kept.pop_front();
        }
        self.next += 1;
        self.kept.push_back(Snapshot { id: self.next, bytes, asker, made: now, rows });
        self.next
    }

    fn bytes(&self) -> usize {
        self.kept.iter().map(|s| s.bytes).sum()
    }

    fn find(&self, id: u64, asker: &str) -> Option<Arc<Vec<String>>> {
        self.kept.iter().find(|s| s.id == id && s.asker == asker).map(|s| Arc::clone(&s.rows))
    }

    fn forget(&mut self, id: u64) {
        self.kept.retain(|s| s.id != id);
    }
}

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
        let options = body.get("options").cloned().unwrap_or(Json::Null);
        let top = options.get("$top").and_then(Json::as_u64).unwrap_or(1000).clamp(1, 1000) as usize;
        let page = top.min(self.options.page_size.max(1));
        let token = match options.get("$skipToken").and_then(Json::as_str) {
            None => None,
            Some(t) => Some(
                t.strip_prefix("emulator:")
                    .and_then(|rest| rest.split_once(':'))
                    .and_then(|(id, skip)| Some((id.parse::<u64>().ok()?, skip.parse::<usize>().ok()?)))
                    .ok_or_else(|| bad(format!("`{t}` is not a skip token this service gave")))?,
            ),
        };
        let asker = format!(
            "{}|{}|{}|{page}|{text}",
            caller.tenant,
            caller.principal.as_deref().unwrap_or(""),
            subscriptions.join(",")
        );
        let (rows, skip, snapshot) = match token {
            Some((id, skip)) => {
                let rows = self.graph_snapshots.lock().unwrap_or_else(|p| p.into_inner()).find(id, &asker).ok_or_else(
                    || {
                        error(
                            400,
                            "BadRequest",
                            "the skip token has expired or belongs to another query; run the query again from its first page",
                        )
                    },
                )?;
                for subscription in &subscriptions {
                    self.emulator.graph_page(subscription).map_err(|e| arm_error(&e))?;
                }
                (rows, skip, Some(id))
            }
            None => (Arc::new(self.graph_answer(&query, &subscriptions, caller)?), 0, None),
        };
        let total = rows.len();
        let end = (skip + page).min(total);
        let data = rows.get(skip..end).unwrap_or_default();
        // Resource Graph pages a summarizing query's answer no further: its first page is all
        // there is, marked truncated when the answer had more rows.
        let truncated = query.summarizes() && end < total;
        let next = if end < total && !truncated {
            let id = match snapshot {
                Some(id) => id,
                None => self.graph_snapshots.lock().unwrap_or_else(|p| p.into_inner()).keep(asker, Arc::clone(&rows)),
            };
            Some(format!("emulator:{id}:{end}"))
        } else {
            if let Some(id) = snapshot {
                self.graph_snapshots.lock().unwrap_or_else(|p| p.into_inner()).forget(id);
            }
            None
        };
        // The rows are JSON already: the answer is written around them.
        let mut body = format!(r#"{{"totalRecords":{total},"count":{},"data":["#, data.len());
        for (i, row) in data.iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            body.push_str(row);
        }
        body.push_str(&format!(r#"],"facets":[],"resultTruncated":"{truncated}""#));
        if let Some(token) = next {
            body.push_str(&format!(r#","$skipToken":{}"#, Json::String(token)));
        }
        body.push('}');
        Ok(Response::json_text(200, body))
    }

    /// A query's whole answer, each row as JSON: the rows of the asked-for types in every
    /// subscription, cut to what the caller may read, in id order or as the query orders them.
    fn graph_answer(
        &self,
        query: &kql::Query,
        subscriptions: &[String],
        caller: &login::Caller,
    ) -> Result<Vec<String>, Response> {
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
        // Rows are made only of what the query's leading `type` clause can match.
        let wanted = query.types();
        let kinds: Vec<ResourceKind> = kinds
            .iter()
            .copied()
            .filter(|k| wanted.as_ref().is_none_or(|t| t.contains(&shape::arm_type(*k).to_ascii_lowercase())))
            .collect();
        // ... and of the locations it can match (a superset: its `where` still decides).
        let locations = query.locations();
        let access = self.access(caller)?;
        let mut found = Vec::new();
        for subscription in subscriptions.iter().filter(|_| !kinds.is_empty()) {
            let rows =
                self.emulator.query_index(subscription, &kinds, locations.as_deref()).map_err(|e| arm_error(&e))?;
            for row in rows {
                // Resource Graph answers only what the caller may read.
                if access.can_read(&row.id, row.kind) {
                    found.push(row);
                }
            }
        }
        found.sort_by_cached_key(|r| r.id.to_ascii_lowercase());
        let rows: Vec<Json> = if query.is_types_in_id_order() {
            found.iter().map(shape::graph_row).collect()
        } else {
            kql::run(query, found.iter().map(shape::graph_row).collect())
        };
        Ok(rows.iter().map(Json::to_string).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: usize, size: usize) -> Arc<Vec<String>> {
        Arc::new(vec!["x".repeat(size); n])
    }

    #[test]
    fn answers_are_kept_within_their_count_and_bytes_for_their_asker() {
        let mut kept = Snapshots::default();
        let first = kept.keep("a".into(), rows(2, 10));
        assert_eq!(kept.find(first, "a").map(|r| r.len()), Some(2));
        assert!(kept.find(first, "b").is_none(), "another asker's token");
        for _ in 0..KEPT {
            kept.keep("a".into(), rows(1, 10));
        }
        assert!(kept.find(first, "a").is_none(), "the oldest goes past {KEPT} answers");
        let big = kept.keep("a".into(), rows(2, KEPT_BYTES / 2));
        assert_eq!(kept.kept.len(), 1, "room is made for an answer of half the bytes allowed");
        let bigger = kept.keep("a".into(), rows(1, KEPT_BYTES / 2));
        assert!(kept.find(big, "a").is_none() && kept.find(bigger, "a").is_some());
        kept.forget(bigger);
        assert!(kept.kept.is_empty());
    }
}
