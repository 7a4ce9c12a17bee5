//! `plateau generate`: a synthetic catalogue written through the store's bulk imports is served
//! by the API like any other, and a seed always makes the same one.

use axum::http::StatusCode;
use serde_json::Value;

use crate::both;
use crate::common::{Backend, TestApp};
use plateau::cli::generate::{Plan, generate};

fn plan(datasets: u64, seed: u64) -> Plan {
    Plan {
        datasets,
        organizations: 10,
        users: 30,
        seed,
    }
}

async fn total(t: &TestApp, query: &str, key: Option<&str>) -> i64 {
    let r = t
        .get(&format!("/api/1/datasets/?page_size=1{query}"), key)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {:?}", r.json);
    r.json["total"].as_i64().expect("a total")
}

async fn generated_catalogue_is_served_by_the_api(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, admin) = t.admin().await;
    let mut reported = Vec::new();
    let generated = generate(t.store(), plan(300, 7), |n| reported.push(n))
        .await
        .expect("generated");
    assert_eq!(
        (generated.datasets, generated.organizations, generated.users),
        (300, 10, 30)
    );
    assert!((600..=1200).contains(&generated.resources), "{generated:?}");
    assert_eq!(reported.last(), Some(&300));

    let all = total(&t, "", Some(&admin)).await;
    let private = total(&t, "&private=true", Some(&admin)).await;
    let archived = total(&t, "&archived=true", Some(&admin)).await;
    let deleted = total(&t, "&deleted=true", Some(&admin)).await;
    let public = total(
        &t,
        "&private=false&archived=false&deleted=false",
        Some(&admin),
    )
    .await;
    assert_eq!(all, 300);
    assert_eq!(total(&t, "", None).await, public);
    // About 2 %, 1 % and 1 % of 300: a few each, never a large share.
    assert!(private + archived + deleted > 0);
    for hidden in [private, archived, deleted] {
        assert!(hidden < 20, "{private} {archived} {deleted}");
    }
    assert!(public >= 300 - private - archived - deleted);

    let r = t.get("/api/1/organizations/?page_size=1", None).await;
    assert_eq!(r.json["total"], 10);

    let page = t.get("/api/1/datasets/?page_size=100", None).await;
    let listed = page.json["data"].as_array().expect("a page");
    let with_resources = listed
        .iter()
        .find(|d| {
            d["organization"].is_object()
                && d["resources"].as_array().is_some_and(|r| !r.is_empty())
        })
        .expect("an organization's dataset with resources");
    let r = t
        .get(
            &format!(
                "/api/1/datasets/{}/",
                with_resources["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let resources = r.json["resources"].as_array().expect("resources");
    assert!(!resources.is_empty() && resources.len() <= 12);
    assert!(resources.iter().all(|r| r["filetype"] == "remote"
        && r["url"].as_str().is_some_and(|u| u.starts_with("https://"))));
    let org = r.json["organization"]["id"]
        .as_str()
        .expect("an organization");
    let r = t.get(&format!("/api/1/organizations/{org}/"), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.json["members"].as_array().expect("members").is_empty());
}

/// Titles and ids of every dataset, oldest first, as a sysadmin lists them.
async fn catalogue(t: &TestApp, key: &str) -> Vec<(String, String)> {
    let r = t
        .get("/api/1/datasets/?page_size=1000&sort=created", Some(key))
        .await;
    r.json["data"]
        .as_array()
        .expect("a page")
        .iter()
        .map(|d: &Value| {
            (
                d["title"].as_str().unwrap().to_owned(),
                d["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn a_seed_makes_the_same_catalogue_once_per_store(backend: Backend) {
    let first = TestApp::new(backend).await;
    let second = TestApp::new(backend).await;
    let (_, key_first) = first.admin().await;
    let (_, key_second) = second.admin().await;
    for t in [&first, &second] {
        generate(t.store(), plan(100, 3), |_| {})
            .await
            .expect("generated");
    }
    let titles = catalogue(&first, &key_first).await;
    assert_eq!(titles.len(), 100);
    assert_eq!(titles, catalogue(&second, &key_second).await);

    // The same seed again is refused before anything is written; another one appends, and
    // titles met again get suffixed slugs.
    let refused = generate(first.store(), plan(100, 3), |_| {}).await;
    assert!(refused.unwrap_err().to_string().contains("another --seed"));
    assert_eq!(total(&first, "", Some(&key_first)).await, 100);
    let appended = generate(first.store(), plan(100, 4), |_| {})
        .await
        .expect("appended");
    assert_eq!(
        (appended.datasets, appended.organizations, appended.users),
        (100, 10, 30)
    );
    assert_eq!(total(&first, "", Some(&key_first)).await, 200);
    let r = first
        .get("/api/1/datasets/?page_size=1000", Some(&key_first))
        .await;
    let mut slugs: Vec<&str> = r.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["slug"].as_str().unwrap())
        .collect();
    slugs.sort();
    slugs.dedup();
    assert_eq!(slugs.len(), 200);
}

both!(
    generated_catalogue_is_served_by_the_api,
    a_seed_makes_the_same_catalogue_once_per_store
);
