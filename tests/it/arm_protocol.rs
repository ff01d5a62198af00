//! The ARM client against ARM's contracts: paging, long-running operations, Retry-After, failed
//! operations, throttling, bad answers (scripted by a fake endpoint that records what it was
//! asked); and the served emulator against the client's credentials and ARM's request rules,
//! with request and response shapes from the Azure REST API specification's GalleryRP examples.

mod common;
use common::{Server, Test};
use serde_json::{Value as Json, json};
use sigform::arm::{ArmCloud, auth::Source};
use sigform_azure::cloud::{Body, Cloud, ListScope, OperationStatus};
use sigform_azure::schema::ResourceKind;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SUB: &str = "00000000-0000-0000-0000-000000000000";

/// A canned answer; `{base}` in headers and body becomes the fake endpoint's address.
struct Canned {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
}

fn answer(status: u16, body: &str) -> Canned {
    Canned { status, headers: Vec::new(), body: body.to_string() }
}

impl Canned {
    fn header(mut self, name: &'static str, value: &str) -> Canned {
        self.headers.push((name, value.to_string()));
        self
    }
}

/// A scripted endpoint: answers requests in order with the canned answers, recording each
/// request line and its Authorization header.
struct Fake {
    base: String,
    seen: Arc<Mutex<Vec<(String, String, Instant)>>>,
}

impl Fake {
    fn new(script: Vec<Canned>) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(script.into_iter().collect::<std::collections::VecDeque<_>>()));
        let (b, s) = (base.clone(), seen.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (base, seen, script) = (b.clone(), s.clone(), script.clone());
                std::thread::spawn(move || {
                    let mut writer = stream.try_clone().unwrap();
                    let mut reader = BufReader::new(stream);
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        let (mut length, mut auth) = (0, String::new());
                        loop {
                            let mut h = String::new();
                            reader.read_line(&mut h).unwrap();
                            if h.trim().is_empty() {
                                break;
                            }
                            let (k, v) = h.split_once(':').unwrap();
                            match k.to_ascii_lowercase().as_str() {
                                "content-length" => length = v.trim().parse().unwrap(),
                                "authorization" => auth = v.trim().to_string(),
                                _ => {}
                            }
                        }
                        let mut body = vec![0; length];
                        reader.read_exact(&mut body).unwrap();
                        // The request line, and the body after a newline when there is one.
                        let mut request = line.trim().to_string();
                        if !body.is_empty() {
                            request = format!("{request}\n{}", String::from_utf8_lossy(&body));
                        }
                        seen.lock().unwrap().push((request, auth, Instant::now()));
                        let Some(c) = script.lock().unwrap().pop_front() else {
                            return;
                        };
                        let body = c.body.replace("{base}", &base);
                        let mut head = format!("HTTP/1.1 {} X\r\nContent-Length: {}\r\n", c.status, body.len());
                        for (k, v) in &c.headers {
                            head.push_str(&format!("{k}: {}\r\n", v.replace("{base}", &base)));
                        }
                        head.push_str("\r\n");
                        writer.write_all(head.as_bytes()).unwrap();
                        writer.write_all(body.as_bytes()).unwrap();
                    }
                });
            }
        });
        Fake { base, seen }
    }

    fn client(&self) -> ArmCloud {
        ArmCloud::new(&self.base, Source::Static("t0ken".into()))
    }

    fn requests(&self) -> Vec<String> {
        self.seen.lock().unwrap().iter().map(|(l, _, _)| l.clone()).collect()
    }
}

fn rg(name: &str) -> Json {
    json!({"id": format!("/subscriptions/{SUB}/resourceGroups/{name}"), "name": name, "location": "eastus",
           "type": "Microsoft.Resources/resourceGroups", "properties": {"provisioningState": "Succeeded"}})
}

fn version_id() -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d/versions/1.0.0")
}

#[test]
fn lists_follow_next_link_across_pages() {
    let page1 = json!({"value": [rg("a"), rg("b")], "nextLink": format!("{{base}}/subscriptions/{SUB}/resourcegroups?api-version=2021-04-01&%24skiptoken=2")});
    let fake = Fake::new(vec![
        answer(200, &page1.to_string()),
        answer(200, &json!({"value": [rg("c")]}).to_string()),
        answer(200, r#"{"value": []}"#),
        answer(200, r#"{"value": []}"#),
    ]);
    let found = fake.client().list(&ListScope::Subscription(SUB.into())).unwrap();
    let names: Vec<&str> = found.iter().map(|r| r.attributes["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["a", "b", "c"]);
    let requests = fake.requests();
    assert_eq!(requests.len(), 4, "{requests:?}");
    assert!(requests[0].contains("/resourcegroups?api-version=2021-04-01"), "{requests:?}");
    assert!(requests[1].contains("skiptoken=2"), "{requests:?}");
    assert!(requests[2].contains("/providers/Microsoft.Compute/images?api-version="), "{requests:?}");
    assert!(requests[3].contains("/providers/Microsoft.Compute/galleries?api-version=2023-07-03"), "{requests:?}");
    assert!(fake.seen.lock().unwrap().iter().all(|(_, auth, _)| auth == "Bearer t0ken"));
}

/// A version row as Resource Graph answers it.
fn graph_version(definition: &str, version: &str, location: &str) -> Json {
    let id = format!("{definition}/versions/{version}");
    json!({"id": id, "name": version, "type": "microsoft.compute/galleries/images/versions",
    "location": location, "subscriptionId": SUB, "resourceGroup": "rg",
    "properties": {"provisioningState": "Succeeded", "publishingProfile": {"targetRegions": [{"name": "East US", "regionalReplicaCount": 1}]}}})
}

fn graph_definition(name: &str, location: &str) -> Json {
    json!({"id": format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/{name}"),
    "name": name, "type": "microsoft.compute/galleries/images", "location": location,
    "properties": {"osType": "Linux", "osState": "Generalized"}})
}

/// The queries a fake Resource Graph was sent, each checked for its subscription and page size.
fn graph_queries(fake: &Fake) -> Vec<(String, Json)> {
    fake.requests()
        .iter()
        .map(|r| {
            assert!(r.starts_with("POST /providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01 "), "{r}");
            let body: Json = serde_json::from_str(r.split_once('\n').unwrap().1).unwrap();
            assert_eq!(body["subscriptions"], json!([SUB]));
            assert_eq!(body["options"]["$top"], 1000);
            (body["query"].as_str().unwrap().to_string(), body["options"]["$skipToken"].clone())
        })
        .collect()
}

/// Resource Graph: one POST per page with the query, `$skipToken` carried to the next page, its
/// quota's 429 waited out as long as `x-ms-user-quota-resets-after` says; then the versions a
/// location at a time, one row per definition, and a location whose summary came back truncated
/// read again a row per version.
#[test]
fn resource_graph_queries_follow_skip_tokens_and_wait_for_the_quota() {
    let (east, west) = (graph_definition("d", "eastus"), graph_definition("w", "westeurope"));
    let (east_id, west_id) = (east["id"].as_str().unwrap(), west["id"].as_str().unwrap());
    let page1 = json!({"totalRecords": 2, "count": 1, "data": [east], "$skipToken": "opaque+/token=="});
    let page2 = json!({"totalRecords": 2, "count": 1, "data": [west]});
    let east_summary = json!({"totalRecords": 1, "count": 1, "resultTruncated": "false",
        "data": [{"definition": east_id.to_lowercase(), "versions": [graph_version(east_id, "1.0.0", "eastus"), graph_version(east_id, "1.0.1", "eastus")]}]});
    let west_summary = json!({"totalRecords": 2, "count": 1, "resultTruncated": "true",
        "data": [{"definition": west_id.to_lowercase(), "versions": [graph_version(west_id, "1.0.0", "westeurope")]}]});
    let west_rows = json!({"totalRecords": 1, "count": 1, "data": [graph_version(west_id, "2.0.0", "westeurope")]});
    let fake = Fake::new(vec![
        answer(200, &page1.to_string()),
        answer(429, r#"{"error": {"code": "RateLimiting", "message": "quota"}}"#)
            .header("x-ms-user-quota-remaining", "0")
            .header("x-ms-user-quota-resets-after", "00:00:01"),
        answer(200, &page2.to_string()),
        answer(200, &east_summary.to_string()),
        answer(200, &west_summary.to_string()),
        answer(200, &west_rows.to_string()),
    ]);
    let found = fake.client().list(&ListScope::Graph(SUB.into())).unwrap();
    let names: Vec<(ResourceKind, &str)> = found.iter().map(|r| (r.kind, r.id.rsplit('/').next().unwrap())).collect();
    use ResourceKind::{ImageDefinition as D, ImageVersion as V};
    assert_eq!(
        names,
        [(D, "d"), (D, "w"), (V, "1.0.0"), (V, "1.0.1"), (V, "2.0.0")],
        "the truncated summary is not used"
    );
    assert_eq!(found[2].attributes["target_region"][0]["name"], "East US");
    assert!(found[2].replication.is_empty(), "the index has no replication status");
    let others: Vec<ResourceKind> =
        sigform_azure::shape::INDEXED.iter().copied().filter(|k| *k != ResourceKind::ImageVersion).collect();
    let rows_query = sigform_azure::shape::graph_query(&others);
    let queries = graph_queries(&fake);
    assert_eq!(
        queries,
        [
            (rows_query.clone(), Json::Null),
            (rows_query.clone(), json!("opaque+/token==")),
            (rows_query, json!("opaque+/token==")),
            (sigform_azure::shape::graph_versions_query("eastus"), Json::Null),
            (sigform_azure::shape::graph_versions_query("westeurope"), Json::Null),
            (sigform_azure::shape::graph_query_in(&[V], "westeurope"), Json::Null),
        ]
    );
    let seen = fake.seen.lock().unwrap();
    assert!(seen[2].2 - seen[1].2 >= Duration::from_millis(950), "the retry came after {:?}", seen[2].2 - seen[1].2);
}

/// A Resource Graph that refuses the summary query (400) is asked a row per version, for that
/// location and every later one.
#[test]
fn a_refused_version_summary_falls_back_to_a_row_per_version() {
    let (east, west) = (graph_definition("d", "eastus"), graph_definition("w", "westeurope"));
    let (east_id, west_id) = (east["id"].as_str().unwrap(), west["id"].as_str().unwrap());
    let rows = |data: Json| json!({"totalRecords": 1, "count": 1, "data": data}).to_string();
    let fake = Fake::new(vec![
        answer(200, &rows(json!([east, west]))),
        answer(400, r#"{"error": {"code": "InvalidQuery", "message": "Query is invalid"}}"#),
        answer(200, &rows(json!([graph_version(east_id, "1.0.0", "eastus")]))),
        answer(200, &rows(json!([graph_version(west_id, "1.0.0", "westeurope")]))),
    ]);
    let found = fake.client().list(&ListScope::Graph(SUB.into())).unwrap();
    assert_eq!(found.iter().filter(|r| r.kind == ResourceKind::ImageVersion).count(), 2);
    let queries: Vec<String> = graph_queries(&fake).into_iter().map(|(q, _)| q).collect();
    assert_eq!(
        queries[1..],
        [
            sigform_azure::shape::graph_versions_query("eastus"),
            sigform_azure::shape::graph_query_in(&[ResourceKind::ImageVersion], "eastus"),
            sigform_azure::shape::graph_query_in(&[ResourceKind::ImageVersion], "westeurope"),
        ]
    );
}

/// An endpoint without Resource Graph answers 404: the error says so (refresh then walks the lists).
#[test]
fn an_endpoint_without_resource_graph_is_a_distinct_error() {
    let fake = Fake::new(vec![answer(404, r#"{"error": {"code": "NotFound", "message": "no"}}"#)]);
    let e = fake.client().list(&ListScope::Graph(SUB.into())).unwrap_err();
    assert_eq!((e.status, e.code.as_str()), (404, "ResourceGraphUnavailable"), "{e}");
    assert!(!e.is_transient());
}

#[test]
fn a_next_link_to_another_host_is_not_followed_with_credentials() {
    let page = json!({"value": [rg("a")], "nextLink": "http://attacker.example/steal"});
    let fake = Fake::new(vec![answer(200, &page.to_string())]);
    let e = fake.client().list(&ListScope::Subscription(SUB.into())).unwrap_err();
    assert_eq!(e.code, "UnexpectedLink", "{e}");
    assert_eq!(fake.requests().len(), 1);
}

#[test]
fn a_write_is_polled_through_azure_async_operation_at_the_pace_retry_after_asks() {
    let fake = Fake::new(vec![
        answer(201, &json!({"id": version_id(), "properties": {"provisioningState": "Creating"}}).to_string())
            .header("Azure-AsyncOperation", "{base}/operations/op1?api-version=2023-07-03")
            .header("Location", "{base}/operations/op1?monitor=true"),
        answer(200, r#"{"status": "InProgress"}"#).header("Retry-After", "7"),
        // The client reads the version for replication progress while it waits.
        answer(
            200,
            &json!({"id": version_id(), "properties": {"provisioningState": "Creating", "replicationStatus": {"aggregatedState": "InProgress",
                "summary": [{"region": "East US", "state": "Replicating", "progress": 40}]}}})
            .to_string(),
        ),
        answer(200, r#"{"status": "Succeeded"}"#),
    ]);
    let cloud = fake.client();
    let body = Body {
        kind: ResourceKind::ImageVersion,
        tenant: "t".into(),
        attributes: json!({"location": "eastus", "target_region": [{"name": "eastus"}]}),
    };
    let op = cloud.put(&version_id(), &body).unwrap();
    match cloud.poll(&op).unwrap() {
        OperationStatus::InProgress { retry_after, replication } => {
            assert_eq!(retry_after, Duration::from_secs(7), "Retry-After is honoured");
            assert_eq!(replication[0].region, "eastus");
            assert_eq!(replication[0].progress, 40);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(cloud.poll(&op).unwrap(), OperationStatus::Succeeded);
    let requests = fake.requests();
    assert!(requests[0].starts_with("PUT ") && requests[0].contains("api-version=2023-07-03"), "{requests:?}");
    assert!(requests[1].starts_with("GET /operations/op1"), "the async operation, not Location: {requests:?}");
    assert!(requests[2].contains("$expand=ReplicationStatus"), "{requests:?}");
}

#[test]
fn a_delete_with_only_location_is_polled_202_then_200() {
    let fake = Fake::new(vec![
        answer(202, "").header("Location", "{base}/monitor/1"),
        answer(202, "").header("Retry-After", "1"),
        answer(200, ""),
    ]);
    let cloud = fake.client();
    let id = format!("/subscriptions/{SUB}/resourceGroups/rg");
    let op = cloud.delete(&id).unwrap();
    assert!(
        matches!(cloud.poll(&op).unwrap(), OperationStatus::InProgress { retry_after, .. } if retry_after == Duration::from_secs(1))
    );
    assert_eq!(cloud.poll(&op).unwrap(), OperationStatus::Succeeded);
    assert_eq!(fake.requests()[1], "GET /monitor/1 HTTP/1.1");
}

#[test]
fn a_failed_operation_reports_the_services_error() {
    let fake = Fake::new(vec![
        answer(202, "").header("Azure-AsyncOperation", "{base}/operations/op2"),
        answer(
            200,
            r#"{"status": "Failed", "error": {"code": "ReplicationFailed", "message": "replication to westus failed"}}"#,
        ),
    ]);
    let cloud = fake.client();
    let op = cloud.delete(&version_id()).unwrap();
    match cloud.poll(&op).unwrap() {
        OperationStatus::Failed(e) => {
            assert_eq!(e.code, "ReplicationFailed");
            assert_eq!(e.message, "replication to westus failed");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn throttling_waits_as_long_as_retry_after_says_then_goes_on() {
    let fake = Fake::new(vec![
        answer(429, r#"{"error": {"code": "TooManyRequests", "message": "slow down"}}"#).header("Retry-After", "1"),
        answer(200, &rg("a").to_string()),
    ]);
    let found = fake.client().get(&format!("/subscriptions/{SUB}/resourceGroups/a")).unwrap().unwrap();
    assert_eq!(found.attributes["name"], "a");
    let seen = fake.seen.lock().unwrap();
    let waited = seen[1].2 - seen[0].2;
    assert!(waited >= Duration::from_millis(950), "the retry came after {waited:?}");
}

#[test]
fn not_found_is_none_and_service_errors_keep_their_codes() {
    let fake = Fake::new(vec![
        answer(404, r#"{"error": {"code": "ResourceNotFound", "message": "gone"}}"#),
        answer(
            409,
            r#"{"error": {"code": "PropertyChangeNotAllowed", "message": "Changing property 'osType' is not allowed.", "target": "osType"}}"#,
        ),
    ]);
    let cloud = fake.client();
    assert!(cloud.get(&version_id()).unwrap().is_none());
    let body =
        Body { kind: ResourceKind::ResourceGroup, tenant: "t".into(), attributes: json!({"location": "eastus"}) };
    let e = cloud.put(&format!("/subscriptions/{SUB}/resourceGroups/rg"), &body).unwrap_err();
    assert_eq!((e.status, e.code.as_str()), (409, "PropertyChangeNotAllowed"));
    assert!(!e.is_transient());
}

#[test]
fn html_pages_and_broken_json_are_clear_errors() {
    let fake = Fake::new(vec![
        answer(
            403,
            "<html><head><title>Blocked</title></head><body><h1>Request blocked by the proxy</h1></body></html>",
        ),
        answer(200, r#"{"value": [{"id": "#),
    ]);
    let cloud = fake.client();
    let e = cloud.get(&version_id()).unwrap_err();
    assert_eq!(e.code, "UnexpectedResponse");
    assert!(e.message.contains("HTTP 403") && e.message.contains("Request blocked by the proxy"), "{e}");
    assert!(!e.message.contains("<h1>"), "{e}");
    let e = cloud
        .list(&ListScope::Definition(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d".into(),
        ))
        .unwrap_err();
    assert_eq!(e.code, "UnexpectedResponse", "{e}");
    assert!(e.message.contains("something other than ARM JSON"), "{e}");
}

#[test]
fn an_expired_token_is_fetched_again_once_and_never_printed() {
    let fake = Fake::new(vec![
        answer(
            401,
            r#"{"error": {"code": "ExpiredAuthenticationToken", "message": "The access token expiry has passed."}}"#,
        ),
        answer(
            401,
            r#"{"error": {"code": "ExpiredAuthenticationToken", "message": "The access token expiry has passed."}}"#,
        ),
    ]);
    let e = fake.client().get(&version_id()).unwrap_err();
    assert_eq!(fake.requests().len(), 2, "one fresh attempt after a 401");
    assert_eq!(e.code, "ExpiredAuthenticationToken");
    assert!(e.message.contains("AZURE_ACCESS_TOKEN") && !e.message.contains("t0ken"), "{e}");
}

// ---- the served emulator -------------------------------------------------------------------

fn serve(t: &Test, extra: &[&str]) -> Server {
    Server::start(&t.dir().join("state/emulator.db"), &[], extra)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().new_agent()
}

fn call(method: &str, url: &str, body: Option<&Json>) -> (u16, Json, ureq::http::HeaderMap) {
    let agent = agent();
    let response = match (method, body) {
        ("PUT", Some(b)) => agent.put(url).header("Authorization", "Bearer x").send(b.to_string()),
        ("PATCH", Some(b)) => agent.patch(url).header("Authorization", "Bearer x").send(b.to_string()),
        ("POST", Some(b)) => agent.post(url).header("Authorization", "Bearer x").send(b.to_string()),
        ("HEAD", _) => agent.head(url).header("Authorization", "Bearer x").call(),
        ("DELETE", _) => agent.delete(url).header("Authorization", "Bearer x").call(),
        ("ANONYMOUS", _) => agent.get(url).call(),
        _ => agent.get(url).header("Authorization", "Bearer x").call(),
    };
    let mut response = response.unwrap();
    let headers = response.headers().clone();
    let text = response.body_mut().read_to_string().unwrap();
    (response.status().as_u16(), serde_json::from_str(&text).unwrap_or(Json::Null), headers)
}

/// The requests of GalleryRP's examples (Gallery_Create, GalleryImage_Create,
/// GalleryImageVersion_Create) are accepted, and the answers have ARM's shape.
#[test]
fn the_specification_examples_are_accepted_and_answered_in_shape() {
    let t = Test::new();
    let server = serve(&t, &[]);
    let base = format!("{}/subscriptions/{SUB}/resourceGroups/myResourceGroup", server.address);
    let (status, _, _) = call("PUT", &format!("{base}?api-version=2021-04-01"), Some(&json!({"location": "West US"})));
    assert_eq!(status, 201);
    let image =
        format!("/subscriptions/{SUB}/resourceGroups/myResourceGroup/providers/Microsoft.Compute/images/myImage");
    let image_body = json!({"location": "West US", "properties": {"storageProfile": {"osDisk": {"osType": "Windows", "osState": "Generalized",
        "blobUri": "https://mystorageaccount.blob.core.windows.net/osimages/osimage.vhd", "diskSizeGB": 10}}}});
    assert_eq!(call("PUT", &format!("{}{image}?api-version=2024-07-01", server.address), Some(&image_body)).0, 201);

    let gallery = format!("{base}/providers/Microsoft.Compute/galleries/myGalleryName");
    let (status, body, _) = call(
        "PUT",
        &format!("{gallery}?api-version=2023-07-03"),
        Some(&json!({"location": "West US", "properties": {"description": "This is the gallery description."}})),
    );
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["name"], "myGalleryName");
    assert_eq!(body["type"], "Microsoft.Compute/galleries");
    assert_eq!(body["properties"]["description"], "This is the gallery description.");
    assert!(body["properties"]["identifier"]["uniqueName"].as_str().unwrap().ends_with("-MYGALLERYNAME"), "{body}");
    assert_eq!(body["properties"]["provisioningState"], "Succeeded");

    let definition = format!("{gallery}/images/myGalleryImageName");
    let (status, body, _) = call(
        "PUT",
        &format!("{definition}?api-version=2023-07-03"),
        Some(
            &json!({"location": "West US", "properties": {"osType": "Windows", "osState": "Generalized", "hyperVGeneration": "V1",
            "identifier": {"publisher": "myPublisherName", "offer": "myOfferName", "sku": "mySkuName"}}}),
        ),
    );
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        body["properties"]["identifier"],
        json!({"publisher": "myPublisherName", "offer": "myOfferName", "sku": "mySkuName"})
    );
    assert_eq!(body["properties"]["architecture"], "x64", "the service fills the default");

    let version = format!("{definition}/versions/1.0.0");
    let (status, body, _) = call(
        "PUT",
        &format!("{version}?api-version=2022-03-03"),
        Some(&json!({"location": "West US", "properties": {
            "publishingProfile": {"targetRegions": [
                {"name": "West US", "regionalReplicaCount": 1, "storageAccountType": "Standard_LRS"},
                {"name": "East US", "regionalReplicaCount": 2, "storageAccountType": "Standard_ZRS"}]},
            "storageProfile": {"source": {"id": image}}}})),
    );
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["properties"]["publishingProfile"]["replicaCount"], 1, "{body}");
    let (status, body, _) = call("GET", &format!("{version}?api-version=2023-07-03&$expand=ReplicationStatus"), None);
    assert_eq!(status, 200);
    assert_eq!(body["id"], version.trim_start_matches(&server.address));
    assert_eq!(body["properties"]["replicationStatus"]["aggregatedState"], "Completed", "{body}");
    assert_eq!(body["properties"]["replicationStatus"]["summary"][1]["region"], "East US");
    assert_eq!(body["properties"]["publishingProfile"]["targetRegions"][1]["storageAccountType"], "Standard_ZRS");
    assert_eq!(body["properties"]["storageProfile"]["source"]["id"], image);
    let (status, body, _) = call("GET", &format!("{definition}/versions?api-version=2023-07-03"), None);
    assert_eq!(status, 200);
    assert_eq!(body["value"].as_array().unwrap().len(), 1);
}

#[test]
fn requests_without_api_version_or_a_token_are_refused_as_arm_does() {
    let t = Test::new();
    let server = serve(&t, &[]);
    let url = format!("{}/subscriptions/{SUB}/resourcegroups", server.address);
    let (status, body, _) = call("GET", &url, None);
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("MissingApiVersionParameter")));
    let (status, body, _) = call("GET", &format!("{url}?api-version=2016-01-01"), None);
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("InvalidApiVersionParameter")));
    let (status, body, _) = call("GET", &format!("{url}?api-version=2021-04-01"), None);
    assert_eq!((status, &body["value"]), (200, &json!([])));
    let mut response = agent().get(&format!("{url}?api-version=2021-04-01")).call().unwrap();
    assert_eq!(response.status().as_u16(), 401);
    let text = response.body_mut().read_to_string().unwrap();
    assert!(text.contains("AuthenticationFailed"), "{text}");
}

#[test]
fn a_pinned_token_is_required_and_never_echoed() {
    let t = Test::new().example("quickstart");
    let server = serve(&t, &["--token", "s3cret-pinned"]);
    let run = |token: &str| {
        Test::new()
            .chdir(t.dir().to_str().unwrap())
            .env("SIGFORM_CLOUD", "arm")
            .env("SIGFORM_ARM_ENDPOINT", &server.address)
            .env("AZURE_ACCESS_TOKEN", token)
            .arg("plan")
            .run()
    };
    let out = run("wrong-token");
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("InvalidAuthenticationToken"), "{}", out.stderr);
    assert!(!out.stderr.contains("wrong-token") && !out.stderr.contains("s3cret"), "{}", out.stderr);
    assert_eq!(run("s3cret-pinned").code, 0);
}

#[test]
fn credentials_come_from_a_service_principal_or_the_azure_cli() {
    let t = Test::new().example("quickstart");
    let server = serve(&t, &[]);
    let dir = t.dir().to_str().unwrap().to_string();
    let arm = |test: Test| test.chdir(&dir).env("SIGFORM_CLOUD", "arm").env("SIGFORM_ARM_ENDPOINT", &server.address);

    // Client credentials, against the emulator's token endpoint.
    let out = arm(Test::new())
        .env("AZURE_TENANT_ID", "72f988bf-86f1-41af-91ab-2d7cd011db47")
        .env("AZURE_CLIENT_ID", "app")
        .env("AZURE_CLIENT_SECRET", "very-secret-value")
        .env("AZURE_AUTHORITY_HOST", &server.address)
        .args(&["apply", "--auto-approve"])
        .status(0);
    assert!(!out.stdout.contains("very-secret-value") && !out.stderr.contains("very-secret-value"));
    // The token carried the tenant; the subscription joined it.
    let state: Json = serde_json::from_str(&Test::new().chdir(&dir).args(&["state", "pull"]).status(0).stdout).unwrap();
    assert!(state.to_string().contains("rg-golden-images"));

    // The Azure CLI, found on PATH.
    let bin = t.dir().join("fake-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let az = bin.join("az");
    std::fs::write(&az, "#!/bin/sh\necho '{\"accessToken\": \"from-az\", \"expires_on\": 4102444800}'\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out = arm(Test::new()).env("PATH", bin.to_str().unwrap()).args(&["plan", "--detailed-exitcode"]).status(0);
    assert!(out.stdout.contains("No changes"), "{}", out.stdout);

    // Nothing at all: a clear error naming every way to sign in.
    let out = arm(Test::new()).env("PATH", "/nonexistent").arg("plan").status(1);
    assert!(
        out.stderr.contains("no Azure credentials")
            && out.stderr.contains("AZURE_CLIENT_SECRET")
            && out.stderr.contains("az login"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_unreachable_endpoint_is_a_clear_error() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let out = Test::new()
        .example("quickstart")
        .env("SIGFORM_CLOUD", "arm")
        .env("SIGFORM_ARM_ENDPOINT", &address)
        .env("AZURE_ACCESS_TOKEN", "x")
        .arg("plan")
        .status(1);
    assert!(out.stderr.contains("ConnectionFailed") && out.stderr.contains(&address), "{}", out.stderr);
}

/// The multi-region example, applied, then checked with `drift` over ARM against a served
/// emulator started with `extra`: the report, the state, and the calls the emulator counted.
struct ServedDrift {
    report: Json,
    stderr: String,
    /// Standard error of a `plan` run after the drift check.
    plan_stderr: String,
    state: Json,
    before: Json,
    after: Json,
}

impl ServedDrift {
    fn run(extra: &[&str]) -> ServedDrift {
        let t = Test::new().example("multi-region").seeded();
        let dir = t.dir().to_str().unwrap().to_string();
        let server = serve(&t, extra);
        let json = |args: &[&str]| -> Json {
            serde_json::from_str(&Test::new().chdir(&dir).args(args).status(0).stdout).unwrap()
        };
        let before = json(&["emulator", "calls"]);
        let out = Test::new()
            .chdir(&dir)
            .env("SIGFORM_CLOUD", "arm")
            .env("SIGFORM_ARM_ENDPOINT", &server.address)
            .env("AZURE_ACCESS_TOKEN", "x")
            .args(&["drift", "--format", "json"])
            .status(0);
        let report: Json = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!((&report["drifted"], &report["deleted"]), (&json!([]), &json!([])), "{report}");
        let (state, after) = (json(&["state", "pull"]), json(&["emulator", "calls"]));
        let plan = Test::new()
            .chdir(&dir)
            .env("SIGFORM_CLOUD", "arm")
            .env("SIGFORM_ARM_ENDPOINT", &server.address)
            .env("AZURE_ACCESS_TOKEN", "x")
            .arg("plan")
            .status(0);
        ServedDrift { report, stderr: out.stderr, plan_stderr: plan.stderr, state, before, after }
    }

    /// Calls of one method during the drift check.
    fn delta(&self, method: &str) -> i64 {
        self.after[method].as_i64().unwrap_or(0) - self.before[method].as_i64().unwrap_or(0)
    }

    fn count(&self, type_name: &str) -> i64 {
        self.state["resources"].as_array().unwrap().iter().filter(|r| r["type"] == type_name).count() as i64
    }
}

#[test]
fn small_pages_give_the_same_plan_with_one_list_call_per_page() {
    let checked = ServedDrift::run(&["--page-size", "1"]);
    assert_eq!(checked.report["pending"], json!([]));
    assert!(!checked.stderr.contains("warning"), "{}", checked.stderr);
    // Resource Graph pages are queries; the rest are list pages.
    let (lists, queries) = (checked.delta("list"), checked.delta("query"));
    assert!(queries > 1, "definitions and versions come from the resource index, a page each: {queries}");
    let resources = checked.state["resources"].as_array().unwrap().len() as i64;
    // With one entry per page every resource costs a page (and each list one more, empty or last).
    assert!(lists + queries >= resources, "{lists} list calls and {queries} queries for {resources} resources");
}

/// At the served Resource Graph's full page size the versions come as one summary row per
/// definition: the definitions' query and one query for their one location — while with pages of
/// one (above) the summary comes back truncated and the versions are read a row each.
#[test]
fn the_served_refresh_reads_a_locations_versions_in_one_summary_query() {
    let checked = ServedDrift::run(&[]);
    assert_eq!(checked.report["pending"], json!([]));
    assert!(checked.count("azurerm_shared_image_version") > 1, "{}", checked.state);
    assert_eq!(checked.delta("query"), 2, "one query for the definitions, one for the versions of their location");
}

/// The served Resource Graph answers the client's query in pages, answers the KQL subset over
/// every resource, and refuses KQL outside it.
#[test]
fn the_served_resource_graph_pages_and_refuses_other_queries() {
    let t = Test::new().example("multi-region").seeded();
    let server = serve(&t, &["--page-size", "2"]);
    let url = format!("{}/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01", server.address);
    let query = sigform_azure::shape::graph_query(&[ResourceKind::ImageDefinition, ResourceKind::ImageVersion]);
    let mut ids = Vec::new();
    let mut options = json!({"$top": 1000});
    loop {
        let (status, page, _) =
            call("POST", &url, Some(&json!({"subscriptions": [SUB], "query": query, "options": options})));
        assert_eq!(status, 200, "{page}");
        assert!(page["count"].as_u64().unwrap() <= 2, "{page}");
        for row in page["data"].as_array().unwrap() {
            assert!(row["type"].as_str().unwrap().starts_with("microsoft.compute/galleries/images"), "{row}");
            assert_eq!(row["subscriptionId"], SUB);
            ids.push(row["id"].as_str().unwrap().to_string());
        }
        if options.get("$skipToken").is_none() {
            // A definition made while the pages are read is not in them: a skip token pages the
            // answer the first page came from, as Resource Graph's do.
            let first = page["data"][0].clone();
            let gallery = first["id"].as_str().unwrap().split("/images/").next().unwrap().to_string();
            let (status, made, _) = call(
                "PUT",
                &format!("{}{gallery}/images/made-while-paging?api-version=2023-07-03", server.address),
                Some(
                    &json!({"location": first["location"], "properties": {"osType": "Linux", "hyperVGeneration": "V2",
                    "identifier": {"publisher": "p", "offer": "o", "sku": "made-while-paging"}}}),
                ),
            );
            assert!(status == 200 || status == 201, "{made}");
        }
        match page["$skipToken"].as_str() {
            Some(token) => options["$skipToken"] = json!(token),
            None => break,
        }
    }
    assert!(!ids.iter().any(|id| id.ends_with("made-while-paging")), "{ids:?}");
    let (_, again, _) =
        call("POST", &url, Some(&json!({"subscriptions": [SUB], "query": query, "options": {"$top": 1000}})));
    assert_eq!(again["totalRecords"].as_u64(), Some(ids.len() as u64 + 1), "a new query sees it: {again}");
    // A token this service never gave, or gave for another query, is refused.
    let (status, body, _) = call(
        "POST",
        &url,
        Some(&json!({"subscriptions": [SUB], "query": query, "options": {"$skipToken": "emulator:999:2"}})),
    );
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("BadRequest")), "{body}");
    let state: Json =
        serde_json::from_str(&Test::new().chdir(t.dir().to_str().unwrap()).args(&["state", "pull"]).status(0).stdout)
            .unwrap();
    let indexed = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| matches!(r["type"].as_str(), Some("azurerm_shared_image" | "azurerm_shared_image_version")))
        .count();
    assert_eq!(ids.len(), indexed);
    let mut sorted = ids.clone();
    sorted.sort_by_key(|id| id.to_ascii_lowercase());
    assert_eq!(ids, sorted, "pages are in id order");

    // Other KQL of the subset is answered (galleries are in the index); the rest is refused by name.
    let (status, body, _) = call(
        "POST",
        &url,
        Some(
            &json!({"subscriptions": [SUB], "query": "Resources | where type =~ 'microsoft.compute/galleries' | summarize count()"}),
        ),
    );
    assert_eq!(status, 200, "{body}");
    assert!(body["data"][0]["count_"].as_u64().unwrap() >= 1, "{body}");
    // A summarizing query is answered its first page only, marked truncated, with no skip token
    // (as Resource Graph does): here the one row per definition holds that definition's versions.
    let summary = sigform_azure::shape::graph_versions_query("westeurope"); // the example's location
    let (status, body, _) =
        call("POST", &url, Some(&json!({"subscriptions": [SUB], "query": summary, "options": {"$top": 1}})));
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["count"].as_u64(), body["totalRecords"].as_u64()), (Some(1), Some(2)), "{body}");
    assert_eq!((&body["resultTruncated"], body.get("$skipToken")), (&json!("true"), None), "{body}");
    let listed: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| {
            let definition = row["definition"].as_str().unwrap();
            row["versions"].as_array().unwrap().iter().map(move |v| {
                let id = v["id"].as_str().unwrap();
                assert!(
                    id.to_ascii_lowercase().starts_with(&format!("{definition}/versions/")),
                    "{id} in {definition}"
                );
                id
            })
        })
        .collect();
    assert!(!listed.is_empty() && listed.iter().all(|id| ids.iter().any(|i| i == id)), "{listed:?}");
    let (status, body, _) =
        call("POST", &url, Some(&json!({"subscriptions": [SUB], "query": "resources | mv-expand tags"})));
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("InvalidQuery")), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("`mv-expand`"), "{body}");
    let (status, body, _) = call("POST", &url, Some(&json!({"query": query})));
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("BadRequest")), "{body}");
    let bare = url.split('?').next().unwrap();
    let (status, body, _) = call("POST", bare, Some(&json!({"subscriptions": [SUB], "query": query})));
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("MissingApiVersionParameter")), "{body}");
}

/// Against an endpoint without Resource Graph, refresh walks the lists (a call per gallery and
/// per definition) and comes to the same report.
#[test]
fn without_resource_graph_refresh_walks_the_lists() {
    let checked = ServedDrift::run(&["--no-resource-graph"]);
    // Why it is slower is said once per subscription, on standard error.
    assert_eq!(checked.stderr.matches("warning: reading subscription").count(), 1, "{}", checked.stderr);
    assert!(checked.stderr.contains("ResourceGraphUnavailable"), "{}", checked.stderr);
    assert_eq!(checked.plan_stderr.matches("warning: reading subscription").count(), 1, "{}", checked.plan_stderr);
    let (galleries, definitions) =
        (checked.count("azurerm_shared_image_gallery"), checked.count("azurerm_shared_image"));
    assert!(definitions > 0);
    assert_eq!((checked.delta("query"), checked.delta("get")), (0, 0));
    // Groups, images, galleries, locks and custom roles of the subscription; per gallery its
    // definitions, its applications and its role assignments; per definition its versions.
    assert_eq!(checked.delta("list"), 5 + 3 * galleries + definitions);
}

/// Garbage on the wire gets an ARM error or a closed connection, never a dead server.
#[test]
fn the_served_emulator_survives_garbage() {
    use std::io::{Read as _, Write as _};
    let t = Test::new();
    let server = serve(&t, &[]);
    let addr = server.address.trim_start_matches("http://").to_string();
    let big_header = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(100_000));
    let cases: Vec<Vec<u8>> = vec![
        b"\r\n\r\n".to_vec(),
        b"NONSENSE\r\n\r\n".to_vec(),
        b"GET /subscriptions HTTP/9.9\r\n\r\n".to_vec(),
        b"PUT /x HTTP/1.1\r\nContent-Length: nope\r\n\r\n".to_vec(),
        b"PUT /x HTTP/1.1\r\nContent-Length: 999999999999\r\n\r\n".to_vec(),
        b"PUT /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".to_vec(),
        big_header.into_bytes(),
        b"GET /%ff%fe/\xff\xfe HTTP/1.1\r\nAuthorization: Bearer x\r\n\r\n".to_vec(),
        format!("PUT /subscriptions/{SUB}/resourceGroups/rg?api-version=2021-04-01 HTTP/1.1\r\nAuthorization: Bearer x\r\nContent-Length: 9\r\n\r\n{{\"locat")
            .into_bytes(),
        format!("PUT /subscriptions/{SUB}/resourceGroups/rg?api-version=2021-04-01 HTTP/1.1\r\nAuthorization: Bearer x\r\nContent-Length: 2\r\n\r\n[]")
            .into_bytes(),
        format!("DELETE /subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/i/versions/1.0.0/extra?api-version=2023-07-03 HTTP/1.1\r\nAuthorization: Bearer x\r\n\r\n")
            .into_bytes(),
    ];
    for case in &cases {
        let mut stream = std::net::TcpStream::connect(&addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let _ = stream.write_all(case);
        let _ = stream.shutdown(std::net::Shutdown::Write);
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        if !answer.is_empty() {
            assert!(
                answer.starts_with("HTTP/1.1 4"),
                "{:?} got {answer:?}",
                String::from_utf8_lossy(&case[..case.len().min(60)])
            );
        }
    }
    // Still serving.
    let (status, body, _) =
        call("GET", &format!("{}/subscriptions/{SUB}/resourcegroups?api-version=2021-04-01", server.address), None);
    assert_eq!(status, 200, "{body}");
}

/// The first SIGTERM stops the server: it accepts nothing more, says so, and exits 0 (it used to
/// print the apply's "no new operations will start" and serve on).
#[test]
fn emulator_serve_stops_on_the_first_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sigform"))
        .arg("--emulator-db")
        .arg(dir.path().join("emulator.db"))
        .args(["emulator", "serve", "--listen", "127.0.0.1:0"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let address = line.split_whitespace().find(|w| w.starts_with("http://")).unwrap().trim_start_matches("http://");
    // It answers (a keep-alive connection stays open across the stop: idle, it holds nothing up).
    let mut idle = std::net::TcpStream::connect(address).unwrap();
    idle.write_all(b"GET /subscriptions?api-version=2022-12-01 HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).unwrap();
    assert!(first.starts_with(b"HTTP/1.1"), "{first:?}");
    let status = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let code = loop {
        if let Some(code) = child.try_wait().unwrap() {
            break code;
        }
        assert!(Instant::now() < deadline, "the server is still running 20 s after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert_eq!(code.code(), Some(0), "{err}");
    assert!(err.contains("Stopping: no new connections"), "{err}");
    assert!(!err.contains("no new operations will start"), "{err}");
    assert!(std::net::TcpStream::connect(address).is_err(), "nothing listens any more");
}

/// `emulator serve --profile 2018-06-01`: the first documented service behind ARM — galleries in
/// its regions only, and the preview feature registered through `Microsoft.Features` as
/// `az feature register` and `az provider register` do it.
#[test]
fn the_served_emulator_emulates_a_profile_and_registers_features() {
    let t = Test::new();
    let server = serve(&t, &["--profile", "2018-06-01"]);
    let base = &server.address;
    let sub = format!("{base}/subscriptions/{SUB}");
    let (status, _, _) = call("PUT", &format!("{sub}/resourceGroups/rg?api-version=2021-04-01"), Some(&rg("eastus")));
    assert!(matches!(status, 200 | 201), "{status}");
    let gallery = |name: &str, location: &str| {
        call(
            "PUT",
            &format!("{sub}/resourceGroups/rg/providers/Microsoft.Compute/galleries/{name}?api-version=2023-07-03"),
            Some(&json!({"location": location, "properties": {}})),
        )
    };
    let (status, body, _) = gallery("g", "eastus");
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("SubscriptionNotRegisteredForFeature")), "{body}");
    let feature = format!("{sub}/providers/Microsoft.Features/providers/Microsoft.Compute/features/GalleryPreview");
    let (status, body, _) = call("GET", &format!("{feature}?api-version=2021-07-01"), None);
    assert_eq!((status, body["properties"]["state"].as_str()), (200, Some("NotRegistered")), "{body}");
    let (status, body, _) = call("POST", &format!("{feature}/register?api-version=2021-07-01"), Some(&json!({})));
    assert_eq!((status, body["properties"]["state"].as_str()), (200, Some("Registered")), "{body}");
    assert_eq!(body["name"], "Microsoft.Compute/GalleryPreview");
    let (status, body, _) =
        call("POST", &format!("{sub}/providers/Microsoft.Compute/register?api-version=2021-04-01"), Some(&json!({})));
    assert_eq!((status, body["registrationState"].as_str()), (200, Some("Registered")), "{body}");
    let (status, body, _) = gallery("g", "eastus");
    assert!((200..=202).contains(&status), "{status} {body}");
    let (status, body, _) = gallery("north", "northeurope");
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("LocationNotAvailableForResourceType")), "{body}");
}

/// What Azure's own SDKs and CLI need of the served emulator: today's api-versions, HEAD
/// (`check_existence`, `az group exists`), PATCH (`begin_update`, `az sig update`) merged into
/// the resource with the fixed-property checks of a PUT, the `Location` header answering with the
/// resource once done, the subscriptions (`az login`), and the cloud's endpoints unauthenticated
/// (`az cloud register`).
#[test]
fn azures_own_clients_find_what_they_need() {
    let t = Test::new();
    let server = serve(&t, &[]);
    let (status, metadata, _) =
        call("ANONYMOUS", &format!("{}/metadata/endpoints?api-version=2022-09-01", server.address), None);
    assert_eq!(status, 200);
    assert_eq!(metadata["resourceManager"], format!("{}/", server.address));
    let (status, subscriptions, _) =
        call("GET", &format!("{}/subscriptions?api-version=2022-12-01", server.address), None);
    assert_eq!(status, 200, "{subscriptions}");
    assert_eq!(subscriptions["value"][0]["subscriptionId"], SUB);
    assert_eq!(subscriptions["value"][0]["state"], "Enabled");

    let base = format!("{}/subscriptions/{SUB}/resourceGroups/rg", server.address);
    assert_eq!(call("HEAD", &format!("{base}?api-version=2025-04-01"), None).0, 404);
    let (status, body, _) =
        call("GET", &format!("{base}/providers/Microsoft.Compute/galleries/none?api-version=2026-03-03"), None);
    assert_eq!((status, &body["error"]["code"]), (404, &json!("ResourceGroupNotFound")), "{body}");
    assert_eq!(call("PUT", &format!("{base}?api-version=2025-04-01"), Some(&json!({"location": "westus2"}))).0, 201);
    assert_eq!(call("HEAD", &format!("{base}?api-version=2025-04-01"), None).0, 204);
    let gallery = format!("{base}/providers/Microsoft.Compute/galleries/shared");
    let (status, body, headers) = call(
        "PUT",
        &format!("{gallery}?api-version=2026-03-03"),
        Some(&json!({"location": "westus2", "properties": {"description": "first"}})),
    );
    assert_eq!(status, 201, "today's api-version is accepted: {body}");
    assert_eq!(call("HEAD", &format!("{gallery}?api-version=2026-03-03"), None).0, 204);
    assert!(headers.get("location").is_none(), "done at once at time scale 0");
    let (status, body, _) = call(
        "PATCH",
        &format!("{gallery}?api-version=2026-03-03"),
        Some(&json!({"properties": {"description": "patched"}, "tags": {"team": "platform"}})),
    );
    assert_eq!(status, 200, "{body}");
    let (_, body, _) = call("GET", &format!("{gallery}?api-version=2026-03-03"), None);
    assert_eq!((&body["properties"]["description"], &body["tags"]["team"]), (&json!("patched"), &json!("platform")));
    assert_eq!(body["location"], "westus2", "what the patch leaves out stays");
    let (status, body, _) = call(
        "PATCH",
        &format!("{gallery}?api-version=2026-03-03"),
        Some(&json!({"properties": {"sharingProfile": {"permissions": "Groups"}}})),
    );
    assert_eq!((status, &body["error"]["code"]), (409, &json!("PropertyChangeNotAllowed")), "{body}");
    assert_eq!(
        call("GET", &format!("{gallery}?api-version=2027-01-01"), None).0,
        400,
        "an api-version from the future is not"
    );

    // Role definitions at the gallery's scope and by id (the CLI's preview api-version), and a
    // role assignment deleted at once, answered with itself.
    let definitions = format!("{gallery}/providers/Microsoft.Authorization/roleDefinitions");
    let (status, list, _) = call(
        "GET",
        &format!("{definitions}?api-version=2022-05-01-preview&$filter=roleName%20eq%20%27Reader%27"),
        None,
    );
    assert_eq!((status, list["value"].as_array().map(Vec::len)), (200, Some(1)), "{list}");
    let reader = list["value"][0]["id"].as_str().unwrap().to_string();
    let (status, one, _) = call(
        "GET",
        &format!("{definitions}/acdd72a7-3385-48ef-bd42-f606fba81ae7?api-version=2022-05-01-preview"),
        None,
    );
    assert_eq!((status, &one["properties"]["roleName"]), (200, &json!("Reader")), "{one}");
    let assignment =
        format!("{gallery}/providers/Microsoft.Authorization/roleAssignments/0f2c7a4e-1b7d-4f6e-9b0a-6f5d8e2c1a33");
    let (status, _, _) = call(
        "PUT",
        &format!("{assignment}?api-version=2022-04-01"),
        Some(
            &json!({"properties": {"roleDefinitionId": reader, "principalId": "11111111-2222-3333-4444-555555555555"}}),
        ),
    );
    assert_eq!(status, 201);
    let (status, deleted, headers) = call("DELETE", &format!("{assignment}?api-version=2022-04-01"), None);
    assert_eq!(status, 200, "{deleted}");
    assert!(headers.get("azure-asyncoperation").is_none());
    assert_eq!(deleted["properties"]["principalId"], "11111111-2222-3333-4444-555555555555");
    assert_eq!(call("GET", &format!("{assignment}?api-version=2022-04-01"), None).0, 404, "gone at once");
    // The JavaScript SDK puts a scope after the template's slash: `//subscriptions/…` is the same path.
    let doubled = format!("{}/{}", server.address, assignment.trim_start_matches(&server.address));
    assert!(doubled.contains("//subscriptions/"));
    let (status, _, _) = call(
        "PUT",
        &format!("{doubled}?api-version=2022-04-01"),
        Some(
            &json!({"properties": {"roleDefinitionId": reader, "principalId": "11111111-2222-3333-4444-555555555555"}}),
        ),
    );
    assert_eq!(status, 201);
    assert_eq!(call("GET", &format!("{assignment}?api-version=2022-04-01"), None).0, 200);

    // A PUT that leaves out what was fixed at creation leaves it as it is (`az sig image-version
    // update` sends `storageProfile: {}`); naming it changed is still refused.
    let definition = format!("{gallery}/images/ubuntu");
    let full = json!({"location": "westus2", "properties": {"osType": "Linux", "osState": "Generalized", "hyperVGeneration": "V2", "identifier": {"publisher": "p", "offer": "o", "sku": "s"}}});
    assert_eq!(call("PUT", &format!("{definition}?api-version=2026-03-03"), Some(&full)).0, 201);
    let (status, body, _) = call(
        "PUT",
        &format!("{definition}?api-version=2026-03-03"),
        Some(
            &json!({"location": "westus2", "properties": {"description": "only this", "identifier": {"publisher": "p", "offer": "o", "sku": "s"}}}),
        ),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (&body["properties"]["osType"], &body["properties"]["description"]),
        (&json!("Linux"), &json!("only this"))
    );
    let mut changed = full.clone();
    changed["properties"]["osType"] = json!("Windows");
    let (status, body, _) = call("PUT", &format!("{definition}?api-version=2026-03-03"), Some(&changed));
    assert_eq!((status, &body["error"]["code"]), (409, &json!("PropertyChangeNotAllowed")), "{body}");

    // MSAL (under the SDKs and the CLI) reads the tenant's OpenID configuration first.
    let (status, openid, _) =
        call("ANONYMOUS", &format!("{}/{SUB}/v2.0/.well-known/openid-configuration", server.address), None);
    assert_eq!(status, 200);
    assert_eq!(openid["token_endpoint"], format!("{}/{SUB}/oauth2/v2.0/token", server.address));

    // At a time scale where a write takes a while, `Location` answers 202 until it is done, then
    // the resource itself (clients that read the result from it print the resource).
    let slow = Test::new();
    let server = Server::start(
        &slow.dir().join("state/emulator.db"),
        &[("SIGFORM_EMULATOR_TIME_SCALE".into(), "20".into())],
        &[],
    );
    let base = format!("{}/subscriptions/{SUB}/resourceGroups/rg", server.address);
    call("PUT", &format!("{base}?api-version=2025-04-01"), Some(&json!({"location": "westus2"})));
    let gallery = format!("{base}/providers/Microsoft.Compute/galleries/slow");
    let (status, _, headers) = call(
        "PUT",
        &format!("{gallery}?api-version=2026-03-03"),
        Some(&json!({"location": "westus2", "properties": {}})),
    );
    assert_eq!(status, 201);
    let location =
        headers.get("location").and_then(|v| v.to_str().ok()).expect("a running write has a Location").to_string();
    let (status, _, _) = call("GET", &location, None);
    assert_eq!(status, 202, "while it runs");
    let started = std::time::Instant::now();
    loop {
        let (status, answer, _) = call("GET", &location, None);
        if status == 200 {
            assert_eq!(answer["id"], json!(gallery.trim_start_matches(&server.address)), "{answer}");
            assert_eq!(answer["properties"]["provisioningState"], "Succeeded");
            break;
        }
        assert_eq!(status, 202);
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "the write never finished");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// `emulator serve --tls`: https with a CA made at start and written beside the database; sigform
/// trusts it through SSL_CERT_FILE (as OpenSSL-based clients do), and answers' absolute URLs say
/// https; a client that does not trust the CA is refused.
#[test]
fn the_served_emulator_speaks_tls_with_its_own_ca() {
    let t = Test::new().example("quickstart");
    let server = serve(&t, &["--tls"]);
    assert!(server.address.starts_with("https://127.0.0.1:"), "{}", server.address);
    let ca = t.dir().join("state/emulator-ca.pem");
    assert!(std::fs::read_to_string(&ca).unwrap().contains("BEGIN CERTIFICATE"));

    let untrusting = agent()
        .get(format!("{}/subscriptions?api-version=2022-12-01", server.address))
        .header("Authorization", "Bearer x")
        .call();
    assert!(untrusting.is_err(), "a client without the CA cannot connect");

    let run = |args: &[&str]| {
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("sigform"))
            .arg("-C")
            .arg(t.dir())
            .args(["--cloud", "arm", "--arm-endpoint", &server.address])
            .args(args)
            .env_remove("SIGFORM_CLOUD")
            .env("AZURE_ACCESS_TOKEN", "tls-test")
            .env("SSL_CERT_FILE", &ca)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, out, err) = run(&["apply", "--auto-approve"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("Apply complete! Resources: 6 added"), "{out}");
    let (code, out, err) = run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}\n{err}");

    let (code, _, err) = {
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("sigform"))
            .arg("-C")
            .arg(t.dir())
            .args(["--cloud", "arm", "--arm-endpoint", &server.address, "plan"])
            .env("AZURE_ACCESS_TOKEN", "tls-test")
            .env("SSL_CERT_FILE", t.dir().join("main.tf"))
            .output()
            .unwrap();
        (out.status.code().unwrap_or(-1), String::new(), String::from_utf8_lossy(&out.stderr).to_string())
    };
    assert_ne!(code, 0);
    assert!(err.contains("SSL_CERT_FILE") && err.contains("no PEM certificate"), "{err}");
}
