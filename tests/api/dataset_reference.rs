//! The reference lists of `/datasets/`: licenses, frequencies, resource types, extensions,
//! badges and schemas.

use axum::http::StatusCode;
use serde_json::{Value, json};

use std::time::{Duration, Instant};

use crate::both;
use crate::common::remote::RemoteSite;
use crate::common::{Backend, TestApp, TestConfig};
use plateau::api::datasets::reference::spawn_catalog_refresh;
use plateau::domain::license::License;
use plateau::outbound::AddressPolicy;
use plateau::store::Store;

fn ids(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|item| item[key].as_str().unwrap().to_owned())
        .collect()
}

async fn licenses_are_data_gouv_frs(backend: Backend) {
    let t = TestApp::new(backend).await;
    let r = t.get("/api/1/datasets/licenses/", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let ids = ids(&r.json, "id");
    assert_eq!(ids.len(), 12);
    for id in [
        "notspecified",
        "lov2",
        "fr-lo",
        "odc-odbl",
        "cc-by",
        "other-at",
    ] {
        assert!(ids.contains(&id.to_owned()), "{id}");
    }
    let lov2 = r
        .json
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "lov2")
        .unwrap();
    let mut keys: Vec<&str> = lov2
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "alternate_titles",
            "alternate_urls",
            "flags",
            "id",
            "maintainer",
            "title",
            "url"
        ]
    );
    assert_eq!(lov2["title"], "Licence Ouverte / Open Licence version 2.0");
    assert!(
        lov2["flags"]
            .as_array()
            .unwrap()
            .contains(&json!("okd_compliant"))
    );
    assert!(t.store().license_exists("lov2").await.unwrap());
    assert!(!t.store().license_exists("nope").await.unwrap());
}

async fn added_licenses_survive_a_restart(backend: Backend) {
    let t = TestApp::new(backend).await;
    let custom = License {
        id: "other-closed".into(),
        title: "Other (Not Open)".into(),
        url: None,
        alternate_urls: vec![],
        alternate_titles: vec![],
        maintainer: None,
        flags: vec!["generic".into()],
        active: true,
    };
    t.store().upsert_licenses(&[custom], 0).await.unwrap();
    // Replacing a shipped license keeps its place.
    let mut lov2 = t.store().license("lov2").await.unwrap().unwrap();
    lov2.maintainer = Some("Etalab".into());
    t.store().upsert_licenses(&[lov2], 0).await.unwrap();
    // Opening the store again (a restart) seeds nothing over the administrator's list.
    if backend == Backend::Sqlite {
        let reopened = Store::open(t.dir.path(), None).await.unwrap();
        assert_eq!(reopened.licenses().await.unwrap().len(), 13);
    }
    let r = t.get("/api/1/datasets/licenses/", None).await;
    let listed = ids(&r.json, "id");
    assert_eq!(listed.len(), 13);
    assert_eq!(listed.last().map(String::as_str), Some("other-closed"));
    assert_eq!(listed[4], "lov2");
    assert_eq!(r.json[4]["maintainer"], "Etalab");
}

async fn frequencies_resource_types_and_extensions(backend: Backend) {
    let t = TestApp::new(backend).await;
    let r = t.get("/api/1/datasets/frequencies/", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let frequencies = ids(&r.json, "id");
    assert_eq!(frequencies.len(), 40);
    assert!(frequencies.contains(&"unknown".to_owned()));
    assert!(r.json[0]["label"].is_string());

    let r = t.get("/api/1/datasets/resource_types/", None).await;
    assert_eq!(
        ids(&r.json, "id"),
        ["main", "documentation", "update", "api", "code", "other"]
    );
    assert_eq!(r.json[0], json!({"id": "main", "label": "Main file"}));

    let r = t.get("/api/1/datasets/extensions/", None).await;
    let extensions: Vec<&str> = r
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(extensions.windows(2).all(|w| w[0] < w[1]), "sorted");
    assert!(extensions.contains(&"csv") && extensions.contains(&"gz"));
    assert!(!extensions.contains(&"html"));
}

async fn badges_map_kinds_to_labels(backend: Backend) {
    let t = TestApp::new(backend).await;
    let r = t.get("/api/1/datasets/badges/", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let kinds: Vec<&String> = r.json.as_object().unwrap().keys().collect();
    assert_eq!(kinds, ["pivotal-data", "spd", "inspire", "hvd", "sl", "sr"]);
    assert_eq!(r.json["hvd"], "High value datasets");
}

async fn schemas_come_from_the_catalogue_without_datapackages(backend: Backend) {
    let t = TestApp::new(backend).await;
    let r = t.get("/api/1/datasets/schemas/", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        ids(&r.json, "name"),
        [
            "etalab/schema-irve-statique",
            "139bercy/format-commande-publique"
        ]
    );
    let irve = &r.json[0];
    assert_eq!(irve["schema_type"], "tableschema");
    assert_eq!(irve["versions"][0]["version_name"], "2.2.0");
    assert_eq!(irve["datapackage_name"], "etalab/schema-irve");
    // Fields the catalogue entry lacks are null, as uData marshals them.
    let bercy = &r.json[1];
    assert!(bercy.get("datapackage_title").is_some_and(Value::is_null));

    // A catalogue loaded from a file replaces the shipped one; a bad one keeps it.
    let path = t.dir.path().join("catalog.json");
    std::fs::write(
        &path,
        r#"{"schemas": [{"name": "x/y", "schema_type": "tableschema", "versions": []}]}"#,
    )
    .unwrap();
    t.app
        .schema_catalog
        .load_from("/nonexistent/catalog.json", &t.app.outbound)
        .await;
    assert_eq!(
        t.get("/api/1/datasets/schemas/", None)
            .await
            .json
            .as_array()
            .unwrap()
            .len(),
        2
    );
    t.app
        .schema_catalog
        .load_from(&format!("file://{}", path.display()), &t.app.outbound)
        .await;
    let r = t.get("/api/1/datasets/schemas/", None).await;
    assert_eq!(ids(&r.json, "name"), ["x/y"]);
}

async fn schema_catalogue_is_fetched_over_http(backend: Backend) {
    let site = RemoteSite::start().await;
    let t = TestApp::new(backend).await;
    let url = site.url("/schemas.json");
    assert!(t.app.schema_catalog.load_from(&url, &t.app.outbound).await);
    let r = t.get("/api/1/datasets/schemas/", None).await;
    assert_eq!(r.status, StatusCode::OK);
    // The datapackage of the served catalogue is not assignable, hence not listed.
    assert_eq!(ids(&r.json, "name"), ["remote/first", "remote/second"]);
    assert_eq!(r.json[0]["versions"][0]["version_name"], "1.0.0");
    assert_eq!(site.requests(), 1);
}

async fn a_failed_catalogue_fetch_keeps_the_current_one(backend: Backend) {
    let site = RemoteSite::start().await;
    let t = TestApp::new(backend).await;
    let catalog = &t.app.schema_catalog;
    assert!(
        catalog
            .load_from(&site.url("/schemas.json"), &t.app.outbound)
            .await
    );
    for path in ["/not-json", "/error", "/missing"] {
        assert!(!catalog.load_from(&site.url(path), &t.app.outbound).await);
    }
    site.serve_catalog(r#"{"schemas": []}"#);
    assert!(
        !catalog
            .load_from(&site.url("/schemas.json"), &t.app.outbound)
            .await
    );
    site.serve_catalog(r#"{"schemas": {"not": "a list"}}"#);
    assert!(
        !catalog
            .load_from(&site.url("/schemas.json"), &t.app.outbound)
            .await
    );
    let r = t.get("/api/1/datasets/schemas/", None).await;
    assert_eq!(ids(&r.json, "name"), ["remote/first", "remote/second"]);
}

async fn schema_catalogue_refresh_replaces_it_and_survives_failures(backend: Backend) {
    let site = RemoteSite::start().await;
    let t = TestApp::new(backend).await;
    let refresh = spawn_catalog_refresh(
        t.app.clone(),
        site.url("/schemas.json"),
        Duration::from_millis(50),
    );
    site.serve_catalog(r#"{"schemas": [{"name": "remote/third", "schema_type": "tableschema"}]}"#);
    let served = || async { ids(&t.get("/api/1/datasets/schemas/", None).await.json, "name") };
    let deadline = Instant::now() + Duration::from_secs(10);
    while served().await != ["remote/third"] {
        assert!(Instant::now() < deadline, "the catalogue was not refreshed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A refresh that reads garbage keeps the catalogue of the last good one.
    site.serve_catalog("<html>maintenance</html>");
    let failed_from = site.requests();
    while site.requests() < failed_from + 3 {
        assert!(Instant::now() < deadline, "the refresh stopped");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(served().await, ["remote/third"]);
    refresh.abort();
}

async fn default_policy_keeps_the_shipped_catalogue_without_connecting(backend: Backend) {
    let site = RemoteSite::start().await;
    let t = TestApp::with_config(
        backend,
        TestConfig {
            fetch_policy: AddressPolicy::PublicOnly,
            ..Default::default()
        },
    )
    .await;
    for url in [
        site.url("/schemas.json"),
        site.localhost_url("/schemas.json"),
    ] {
        assert!(!t.app.schema_catalog.load_from(&url, &t.app.outbound).await);
    }
    assert_eq!(site.connections(), 0);
    let r = t.get("/api/1/datasets/schemas/", None).await;
    assert_eq!(
        ids(&r.json, "name"),
        [
            "etalab/schema-irve-statique",
            "139bercy/format-commande-publique"
        ]
    );
}

both!(
    licenses_are_data_gouv_frs,
    added_licenses_survive_a_restart,
    frequencies_resource_types_and_extensions,
    badges_map_kinds_to_labels,
    schemas_come_from_the_catalogue_without_datapackages,
    schema_catalogue_is_fetched_over_http,
    a_failed_catalogue_fetch_keeps_the_current_one,
    schema_catalogue_refresh_replaces_it_and_survives_failures,
    default_policy_keeps_the_shipped_catalogue_without_connecting,
);
