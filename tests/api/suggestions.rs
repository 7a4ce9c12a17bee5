//! Suggestions served from the search indexes: organizations, users, tags, resource formats
//! and mime types, by typed words (accents and case aside), following writes, never showing
//! what is deleted or private.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::common::{Backend, TestApp};
use crate::datasets::{create_dataset, dataset_path};

fn field_of(r: &crate::common::TestResponse, name: &str) -> Vec<String> {
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    r.json
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| v[name].as_str().unwrap().to_owned())
        .collect()
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn organization_suggestions_match_typed_words(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let r = t
        .post(
            "/api/1/organizations/",
            Some(&key),
            json!({"name": "Ministère de l'Intérieur", "acronym": "MININT", "description": "d"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let interior = r.json;
    let r = t
        .post(
            "/api/1/organizations/",
            Some(&key),
            json!({"name": "Ministre délégué", "description": "d"}),
        )
        .await;
    let minister = r.json;
    for (q, expected) in [
        (
            "minis",
            vec!["Ministre délégué", "Ministère de l'Intérieur"],
        ),
        ("MINISTÈRE int", vec!["Ministère de l'Intérieur"]),
        ("interieur", vec!["Ministère de l'Intérieur"]),
        ("minint", vec!["Ministère de l'Intérieur"]),
        ("deleg", vec!["Ministre délégué"]),
        // Only the last word may be incomplete.
        ("minis int", vec![]),
        ("terieur", vec![]),
    ] {
        let r = t
            .get(
                &format!("/api/1/organizations/suggest/?q={}", urlencode(q)),
                None,
            )
            .await;
        // Sorted by bytes: equally followed organizations come in any order.
        let mut names = field_of(&r, "name");
        names.sort();
        assert_eq!(names, expected, "q={q}");
    }
    // A rename and a deletion are followed.
    let path = format!("/api/1/organizations/{}/", minister["id"].as_str().unwrap());
    let r = t
        .put(&path, Some(&key), json!({"name": "Secrétariat d'État"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    let r = t
        .get("/api/1/organizations/suggest/?q=secretariat", None)
        .await;
    assert_eq!(field_of(&r, "name"), ["Secrétariat d'État"]);
    let r = t.get("/api/1/organizations/suggest/?q=deleg", None).await;
    assert_eq!(r.json, json!([]));
    let path = format!("/api/1/organizations/{}/", interior["id"].as_str().unwrap());
    assert_eq!(
        t.delete(&path, Some(&key)).await.status,
        StatusCode::NO_CONTENT
    );
    let r = t.get("/api/1/organizations/suggest/?q=minis", None).await;
    assert_eq!(r.json, json!([]));
    let r = t
        .get("/api/1/organizations/suggest/?size=0&q=a", None)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

async fn user_suggestions_match_typed_words(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, admin) = t.admin().await;
    let (ada, _) = t.user_with_key("Åda", "Lovelace", false).await;
    let (_, _) = t.user_with_key("Grace", "Hopper", false).await;
    for (q, expected) in [
        ("lov", vec!["Lovelace"]),
        ("ADA L", vec!["Lovelace"]),
        ("hop", vec!["Hopper"]),
        ("ada hop", vec![]),
    ] {
        let r = t
            .get(&format!("/api/1/users/suggest/?q={}", urlencode(q)), None)
            .await;
        assert_eq!(field_of(&r, "last_name"), expected, "q={q}");
    }
    let r = t.get("/api/1/users/suggest/?q=ada", None).await;
    assert_eq!(r.json[0]["email"], "***@example.org");
    let r = t.get("/api/1/users/suggest/?q=ada", Some(&admin)).await;
    assert!(
        !r.json[0]["email"].as_str().unwrap().starts_with("***"),
        "{:?}",
        r.json
    );
    // A rename and a deletion are followed.
    let path = format!("/api/1/users/{}/", ada.id);
    let r = t
        .put(&path, Some(&admin), json!({"last_name": "Byron"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    let r = t.get("/api/1/users/suggest/?q=byr", None).await;
    assert_eq!(field_of(&r, "last_name"), ["Byron"]);
    assert_eq!(
        t.delete(&path, Some(&admin)).await.status,
        StatusCode::NO_CONTENT
    );
    let r = t.get("/api/1/users/suggest/?q=byr", None).await;
    assert_eq!(r.json, json!([]));
}

fn dataset(title: &str, tags: &[&str], format: &str, mime: &str, private: bool) -> Value {
    json!({"title": title, "description": "d", "tags": tags, "private": private,
        "resources": [{"title": "r", "url": format!("https://example.org/x.{format}"),
                       "filetype": "remote", "format": format, "mime": mime}]})
}

async fn tag_format_and_mime_suggestions_come_from_public_datasets(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let public = create_dataset(
        &t,
        &key,
        dataset(
            "Lignes",
            &["transport-public", "energie"],
            "CSV",
            "text/csv",
            false,
        ),
    )
    .await;
    create_dataset(
        &t,
        &key,
        dataset(
            "Gares",
            &["transport"],
            "geojson",
            "application/geo+json",
            false,
        ),
    )
    .await;
    let draft = create_dataset(
        &t,
        &key,
        dataset(
            "Brouillon",
            &["secret-defense"],
            "xlsx",
            "application/vnd.ms-excel",
            true,
        ),
    )
    .await;
    let suggest = |what: &str, q: &str| {
        if what == "tags" {
            format!("/api/1/tags/suggest/?q={}", urlencode(q))
        } else {
            format!("/api/1/{what}/?q={}", urlencode(q))
        }
    };
    for (what, q, expected) in [
        ("tags", "trans", vec!["transport", "transport-public"]),
        ("tags", "PUBL", vec!["transport-public"]),
        ("tags", "énerg", vec!["energie"]),
        ("tags", "secret", vec![]),
        ("tags", "defense", vec![]),
        ("datasets/suggest/formats", "cs", vec!["csv"]),
        ("datasets/suggest/formats", "geo", vec!["geojson"]),
        ("datasets/suggest/formats", "xls", vec![]),
        ("datasets/suggest/mime", "text", vec!["text/csv"]),
        ("datasets/suggest/mime", "CSV", vec!["text/csv"]),
        (
            "datasets/suggest/mime",
            "json",
            vec!["application/geo+json"],
        ),
        ("datasets/suggest/mime", "ms-ex", vec![]),
    ] {
        let path = suggest(what, q);
        let r = t.get(&path, None).await;
        assert_eq!(field_of(&r, "text"), expected, "{path}");
    }
    let r = t.get("/api/1/tags/suggest/?q=t&size=1", None).await;
    assert_eq!(field_of(&r, "text"), ["transport"]);
    // Writes are followed: a deleted dataset's values go, a made-public one's come.
    assert_eq!(
        t.delete(&dataset_path(&public), Some(&key)).await.status,
        StatusCode::NO_CONTENT
    );
    let r = t.get(&suggest("tags", "trans"), None).await;
    assert_eq!(field_of(&r, "text"), ["transport"]);
    let r = t.get("/api/1/datasets/suggest/formats/?q=csv", None).await;
    assert_eq!(r.json, json!([]));
    let r = t
        .put(&dataset_path(&draft), Some(&key), json!({"private": false}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    let r = t.get(&suggest("tags", "secret"), None).await;
    assert_eq!(field_of(&r, "text"), ["secret-defense"]);
    let r = t.get("/api/1/datasets/suggest/mime/?q=excel", None).await;
    assert_eq!(field_of(&r, "text"), ["application/vnd.ms-excel"]);
    let r = t.get("/api/1/tags/suggest/", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["q"].is_array(), "{:?}", r.json);
}

both!(
    organization_suggestions_match_typed_words,
    user_suggestions_match_typed_words,
    tag_format_and_mime_suggestions_come_from_public_datasets,
);
