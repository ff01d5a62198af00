use super::*;
use serde_json::json;

fn rows() -> Vec<Json> {
    vec![
        json!({"id": "/s/1/g/a", "name": "a", "type": "microsoft.compute/galleries", "location": "eastus", "resourceGroup": "rg1", "tags": {"owner": "platform"}}),
        json!({"id": "/s/1/g/a/images/u", "name": "u", "type": "microsoft.compute/galleries/images", "location": "eastus", "resourceGroup": "rg1", "properties": {"osType": "Linux"}}),
        json!({"id": "/s/1/g/b", "name": "b", "type": "microsoft.compute/galleries", "location": "westeurope", "resourceGroup": "RG2"}),
    ]
}

fn names(query: &str) -> Vec<String> {
    let q = parse(query).unwrap_or_else(|e| panic!("{query}: {e}"));
    run(&q, rows()).iter().map(|r| text(r.get("name").unwrap_or(&Json::Null))).collect()
}

#[test]
fn what_gallery_queries_are_written_in_is_answered() {
    let cases: &[(&str, &[&str])] = &[
        ("Resources", &["a", "u", "b"]),
        ("Resources | where type =~ 'Microsoft.Compute/galleries'", &["a", "b"]),
        ("resources | where type in~ ('microsoft.compute/galleries/images') | order by id asc", &["u"]),
        ("Resources | where type == 'microsoft.compute/galleries' and location == 'westeurope'", &["b"]),
        ("Resources | where resourceGroup =~ 'rg2' or name == 'u' | order by name asc", &["b", "u"]),
        ("Resources | where not(type startswith 'microsoft.compute/galleries/') | order by name desc", &["b", "a"]),
        ("Resources | where tags.owner == 'platform'", &["a"]),
        ("Resources | where tags['owner'] =~ 'PLATFORM'", &["a"]),
        ("Resources | where properties.osType == 'Linux' | project name, os = properties.osType", &["u"]),
        ("Resources | top 1 by name desc", &["u"]),
        ("Resources | order by name asc | limit 2", &["a", "b"]),
        ("Resources | where name !in ('a', 'b')", &["u"]),
        ("Resources | where id has 'images'", &["u"]),
        ("Resources | where id contains '/G/'", &["a", "u", "b"]),
    ];
    for (query, want) in cases {
        assert_eq!(names(query), *want, "{query}");
    }
}

#[test]
fn a_leading_type_clause_cuts_the_index() {
    let types = |q: &str| parse(q).unwrap().types();
    assert_eq!(
        types("resources | where type in~ ('A', 'b') | order by id asc"),
        Some(vec!["a".to_string(), "b".to_string()])
    );
    assert_eq!(types("Resources | where type =~ 'x' or type == 'y'"), Some(vec!["x".into(), "y".into()]));
    assert_eq!(types("Resources | where type =~ 'x' and name == 'n'"), Some(vec!["x".into()]));
    assert_eq!(types("Resources | project name"), None);
    assert!(parse("resources | where type in~ ('a') | order by id asc").unwrap().is_types_in_id_order());
    assert!(!parse("resources | where type in~ ('a') | order by id desc").unwrap().is_types_in_id_order());
    assert!(!parse("resources | where type in~ ('a') | take 3").unwrap().is_types_in_id_order());
}

#[test]
fn counts_by_columns() {
    let q = parse("Resources | summarize count() by type | order by type asc").unwrap();
    assert_eq!(
        run(&q, rows()),
        vec![
            json!({"type": "microsoft.compute/galleries", "count_": 2}),
            json!({"type": "microsoft.compute/galleries/images", "count_": 1})
        ]
    );
    let q = parse("Resources | where location == 'nowhere' | summarize n = count()").unwrap();
    assert_eq!(run(&q, rows()), vec![json!({"n": 0})]);
    let q = parse("Resources | summarize count() by location | order by count_ desc").unwrap();
    assert_eq!(run(&q, rows())[0], json!({"location": "eastus", "count_": 2}));
}

#[test]
fn what_is_not_supported_is_named() {
    let cases = [
        ("Resources | join kind=inner (Resources) on id", "`join`"),
        ("AuthorizationResources", "`AuthorizationResources`"),
        ("Resources | where name matches regex 'a'", "`matches`"),
        ("Resources | where name == 'a", "not closed"),
        ("Resources | summarize dcount(name)", "`dcount`"),
        ("Resources | extend n = strlen(name)", "`strlen`"),
        ("Resources | extend n = tolower(name, id)", "`tolower` does not take 2"),
        ("Resources | summarize", "needs an aggregation"),
    ];
    for (query, want) in cases {
        let e = parse(query).expect_err(query);
        assert!(e.contains(want), "{query}: {e}");
    }
}

#[test]
fn extend_computes_scalars_and_names_them_as_kusto_does() {
    let q = parse(
        "Resources | where name == 'u' | extend parent = tolower(split(id, '/images/')[0]), last = split(id, '/')[-1], \
         both = strcat(name, '@', location), bag = pack('n', name, 'os', properties.osType), tostring(properties.osType) \
         | project parent, last, both, bag, properties_osType, missing = bag['nothing']",
    )
    .unwrap();
    assert_eq!(
        run(&q, rows()),
        vec![json!({
            "parent": "/s/1/g/a", "last": "u", "both": "u@eastus",
            "bag": {"n": "u", "os": "Linux"}, "properties_osType": "Linux", "missing": null
        })]
    );
}

#[test]
fn summarize_lists_each_group_in_row_order() {
    let q = parse(
        "Resources | extend region = toupper(location) | summarize names = make_list(name), make_set(type), count() by region \
         | order by region asc",
    )
    .unwrap();
    assert_eq!(
        run(&q, rows()),
        vec![
            json!({"region": "EASTUS", "names": ["a", "u"], "set_type": ["microsoft.compute/galleries", "microsoft.compute/galleries/images"], "count_": 2}),
            json!({"region": "WESTEUROPE", "names": ["b"], "set_type": ["microsoft.compute/galleries"], "count_": 1}),
        ]
    );
    // Null values are left out of lists; a grouping by a computed key.
    let q = parse("Resources | summarize list_os = make_list(properties.osType) by tolower(resourceGroup)").unwrap();
    assert_eq!(
        run(&q, rows()),
        vec![json!({"resourceGroup": "rg1", "list_os": ["Linux"]}), json!({"resourceGroup": "rg2", "list_os": []})]
    );
    assert!(q.summarizes() && !parse("Resources | take 1").unwrap().summarizes());
}

#[test]
fn the_leading_clause_pins_types_and_locations_through_and() {
    let q = parse("Resources | where type =~ 'A' and location =~ 'EastUS' | order by id asc").unwrap();
    assert_eq!(q.types(), Some(vec!["a".to_string()]));
    assert_eq!(q.locations(), Some(vec!["eastus".to_string()]));
    assert!(!q.is_types_in_id_order(), "the location clause must still be applied");
    let q = parse("Resources | where (type == 'a' or type == 'b') and type in~ ('b', 'c')").unwrap();
    assert_eq!(q.types(), Some(vec!["b".to_string()]));
    assert_eq!(parse("Resources | where type == 'a' or location == 'x'").unwrap().types(), None);
    assert_eq!(parse("Resources | where not(location == 'x')").unwrap().locations(), None);
}
