//! `plateau spatial load`: data.gouv.fr's geozones export, from a file or a URL, into the
//! registry of a store a server reads, idempotently; a bad file changes nothing.

use std::process::Output;

use axum::http::StatusCode;
use serde_json::json;

use crate::both;
use crate::cli::plateau;
use crate::common::remote::{FIXTURE_GEOLEVELS, FIXTURE_GEOZONES, RemoteSite};
use crate::common::{Backend, TestApp};

/// Runs `plateau spatial load` on the app's store.
async fn load(t: &TestApp, args: &[&str]) -> Output {
    let mut command = plateau();
    command
        .args(["spatial", "load"])
        .args(args)
        .args(t.storage_args());
    tokio::task::spawn_blocking(move || command.output().expect("the plateau binary runs"))
        .await
        .expect("the command ran")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

async fn spatial_load_reads_the_export_from_a_file(backend: Backend) {
    let t = TestApp::new(backend).await;
    let dir = tempfile::tempdir().expect("temporary dir");
    let zones = dir.path().join("zones.json");
    let levels = dir.path().join("levels.json");
    std::fs::write(&zones, FIXTURE_GEOZONES).unwrap();
    std::fs::write(&levels, FIXTURE_GEOLEVELS).unwrap();
    let zones = zones.display().to_string();
    let levels = levels.display().to_string();
    let shipped = t.store().count_geozones().await.unwrap();

    let output = load(&t, &[&zones, &levels]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("loaded 2 levels and 3 zones (1 deleted zones skipped)"),
        "{}",
        stdout(&output)
    );
    let r = t.get("/api/1/spatial/zone/fr:commune:13004/", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json,
        json!({"id": "fr:commune:13004", "type": "Feature", "properties": {
            "slug": "arles", "name": "Arles", "code": "13004",
            "uri": "http://id.insee.fr/geo/commune/13004", "level": "fr:commune"}})
    );
    let r = t.get("/api/1/spatial/zone/fr:commune:01001/", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "deleted zones are skipped");
    let r = t.get("/api/1/spatial/zone/fr:departement:13/", None).await;
    assert_eq!(
        r.json["properties"]["uri"],
        "http://id.insee.fr/geo/departement/13"
    );
    let served_levels = t.get("/api/1/spatial/levels/", None).await.json;
    let levels_served = served_levels.as_array().unwrap();
    assert_eq!(levels_served.len(), 12, "one new level, at the end");
    assert_eq!(
        levels_served[11],
        json!({"id": "fr:quartier", "name": "French district"})
    );
    assert_eq!(t.store().count_geozones().await.unwrap(), shipped + 2);
    // Loaded zones may be a dataset's coverage.
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let r = t
        .post(
            "/api/1/datasets/",
            Some(&key),
            json!({"title": "Arles", "description": "d",
                "spatial": {"zones": ["fr:commune:13004"], "granularity": "fr:quartier"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);

    // Again, with a file:// URL and without levels: nothing changes.
    let again = load(&t, &[&format!("file://{zones}")]).await;
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(t.store().count_geozones().await.unwrap(), shipped + 2);
    assert_eq!(
        t.get("/api/1/spatial/levels/", None).await.json,
        served_levels
    );

    // A bad file is refused whole, its fault named.
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"[{"_id": "fr:commune:99001", "nom": "Nouvelle", "codeINSEE": "99001", "level": "fr:commune"},
            {"_id": "fr:commune:99002", "codeINSEE": "99002", "level": "fr:commune"}]"#,
    )
    .unwrap();
    let refused = load(&t, &[&bad.display().to_string()]).await;
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("zone #2") && stderr(&refused).contains("\"nom\""),
        "{}",
        stderr(&refused)
    );
    let r = t.get("/api/1/spatial/zone/fr:commune:99001/", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "nothing written");
    let missing = load(&t, &["/no/such/file.json"]).await;
    assert!(!missing.status.success());
    assert!(stderr(&missing).contains("cannot open /no/such/file.json"));
}

async fn spatial_load_fetches_urls_through_the_outbound_client(backend: Backend) {
    let t = TestApp::new(backend).await;
    let remote = RemoteSite::start().await;
    let zones = remote.url("/geozones.json");
    let levels = remote.url("/geolevels.json");
    // Loopback is refused unless allowed, before anything is sent.
    let refused = load(&t, &[&zones]).await;
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("--allow-private-fetch"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(remote.requests(), 0);
    let output = load(&t, &["--allow-private-fetch", &zones, &levels]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(remote.requests(), 2);
    let r = t.get("/api/1/spatial/zones/suggest/?q=arles", None).await;
    assert_eq!(r.json[0]["id"], "fr:commune:13004");
    let failed = load(&t, &["--allow-private-fetch", &remote.url("/error")]).await;
    assert!(!failed.status.success());
    assert!(stderr(&failed).contains("HTTP 500"), "{}", stderr(&failed));
    let not_json = load(&t, &["--allow-private-fetch", &remote.url("/not-json")]).await;
    assert!(!not_json.status.success());
    assert!(
        stderr(&not_json).contains("not a JSON list of zones"),
        "{}",
        stderr(&not_json)
    );
}

both!(
    spatial_load_reads_the_export_from_a_file,
    spatial_load_fetches_urls_through_the_outbound_client,
);
