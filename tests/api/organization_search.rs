//! `/api/2/organizations/search/` and the v1 organization list served from the organization
//! index: relevance, French analysis, filters, sorts, facets, paging and deleted organizations.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::common::{BASE_URL, Backend, TestApp, TestResponse};
use crate::datasets::{create_dataset, dataset_path};

async fn org(t: &TestApp, key: &str, body: Value) -> Value {
    let r = t.post("/api/1/organizations/", Some(key), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    r.json
}

fn names(r: &TestResponse) -> Vec<String> {
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    r.json["data"]
        .as_array()
        .expect("a page")
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_owned())
        .collect()
}

fn org_path(org: &Value) -> String {
    format!("/api/1/organizations/{}/", org["id"].as_str().unwrap())
}

async fn name_match_ranks_above_description_match(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    org(
        &t,
        &key,
        json!({"name": "Mairie de Lyon", "description": "Les transports de la ville."}),
    )
    .await;
    org(
        &t,
        &key,
        json!({"name": "Régie des transports", "description": "Bus et tramways."}),
    )
    .await;
    org(
        &t,
        &key,
        json!({"name": "Météo locale", "description": "Prévisions.", "acronym": "MTL"}),
    )
    .await;
    for path in [
        "/api/2/organizations/search/?q=transport",
        "/api/1/organizations/?q=transport",
    ] {
        let r = t.get(path, None).await;
        assert_eq!(
            names(&r),
            ["Régie des transports", "Mairie de Lyon"],
            "{path}"
        );
        assert_eq!(r.json["total"], 2, "{path}");
    }
    for q in [
        "meteo",
        "M%C3%89T%C3%89O",
        "previsions",
        "mtl",
        "regie+transports",
    ] {
        let r = t
            .get(&format!("/api/2/organizations/search/?q={q}"), None)
            .await;
        let expected = if q.starts_with("regie") {
            "Régie des transports"
        } else {
            "Météo locale"
        };
        assert_eq!(names(&r), [expected], "q={q}");
    }
    // Words are AND-ed.
    let r = t
        .get("/api/2/organizations/search/?q=meteo+lyon", None)
        .await;
    assert_eq!(r.json["total"], 0);
}

async fn filters_sorts_and_facets(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let (_, admin) = t.admin().await;
    let (_, fan) = t.user_with_key("Fan", "Follower", false).await;
    let state = org(
        &t,
        &key,
        json!({"name": "Agence d'État", "description": "d"}),
    )
    .await;
    let club = org(
        &t,
        &key,
        json!({"name": "Club sportif", "description": "d"}),
    )
    .await;
    let shop = org(&t, &key, json!({"name": "Boutique", "description": "d"})).await;
    let r = t
        .post(
            &format!("{}badges/", org_path(&state)),
            Some(&admin),
            json!({"kind": "public-service"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    t.post(
        &format!("{}badges/", org_path(&club)),
        Some(&admin),
        json!({"kind": "association"}),
    )
    .await;
    let r = t
        .post(
            &format!("{}followers/", org_path(&shop)),
            Some(&fan),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    // The club publishes two public datasets and a private one, the shop one.
    let mut club_datasets = Vec::new();
    for (title, private) in [("Licenciés", false), ("Matchs", false), ("Brouillon", true)] {
        let body = json!({"title": title, "description": "d", "organization": club["id"], "private": private});
        club_datasets.push(create_dataset(&t, &key, body).await);
    }
    create_dataset(
        &t,
        &key,
        json!({"title": "Ventes", "description": "d", "organization": shop["id"]}),
    )
    .await;

    let search = "/api/2/organizations/search/";
    let r = t.get(&format!("{search}?badge=public-service"), None).await;
    assert_eq!(names(&r), ["Agence d'État"]);
    let r = t
        .get(&format!("{search}?producer_type=association"), None)
        .await;
    assert_eq!(names(&r), ["Club sportif"]);
    let r = t
        .get(&format!("{search}?producer_type=not-specified"), None)
        .await;
    assert_eq!(names(&r), ["Boutique"]);
    // As uData's search service, the producer type facet counts what the text matches, before
    // any filter.
    for filters in [
        "producer_type=not-specified",
        "badge=public-service&producer_type=association",
    ] {
        let r = t.get(&format!("{search}?{filters}"), None).await;
        let facet = &r.json["facets"]["producer_type"];
        assert_eq!(facet[0], json!({"name": "all", "count": 3}), "{facet:?}");
        for value in ["public-service", "association", "not-specified"] {
            assert!(
                facet
                    .as_array()
                    .unwrap()
                    .contains(&json!({"name": value, "count": 1})),
                "{value}: {facet:?}"
            );
        }
    }
    let r = t
        .get(
            &format!("{search}?q=club&producer_type=not-specified"),
            None,
        )
        .await;
    assert_eq!(r.json["total"], 0);
    assert_eq!(
        r.json["facets"]["producer_type"],
        json!([{"name": "all", "count": 1}, {"name": "association", "count": 1}])
    );
    let r = t.get(&format!("{search}?sort=-datasets"), None).await;
    assert_eq!(names(&r), ["Club sportif", "Boutique", "Agence d'État"]);
    assert_eq!(r.json["data"][0]["metrics"]["datasets"], 2);
    let r = t.get(&format!("{search}?sort=-followers"), None).await;
    assert_eq!(names(&r)[0], "Boutique");
    let r = t.get(&format!("{search}?sort=created"), None).await;
    assert_eq!(names(&r), ["Agence d'État", "Club sportif", "Boutique"]);
    let r = t.get(search, None).await;
    assert_eq!(names(&r), ["Boutique", "Club sportif", "Agence d'État"]);
    // A dataset write moves its organization's count.
    for d in &club_datasets[..2] {
        assert_eq!(
            t.delete(&dataset_path(d), Some(&key)).await.status,
            StatusCode::NO_CONTENT
        );
    }
    let r = t.get(&format!("{search}?sort=-datasets"), None).await;
    assert_eq!(names(&r)[0], "Boutique");
    // The v1 list sorts the same way.
    let r = t.get("/api/1/organizations/?sort=-datasets", None).await;
    assert_eq!(names(&r)[0], "Boutique");

    // Bad values are 400s naming the parameter.
    let r = t
        .get(&format!("{search}?sort=last_modified&badge=alien"), None)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["sort"].is_array(), "{:?}", r.json);
    assert!(r.json["errors"]["badge"].is_array(), "{:?}", r.json);
    let r = t.get(&format!("{search}?producer_type=user"), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["producer_type"].is_array());
}

async fn pages_are_capped_and_linked(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    for name in ["Alpha", "Bravo", "Charlie"] {
        org(&t, &key, json!({"name": name, "description": "d"})).await;
    }
    let search = "/api/2/organizations/search/";
    let r = t
        .get(&format!("{search}?sort=created&page=2&page_size=1"), None)
        .await;
    assert_eq!(names(&r), ["Bravo"]);
    assert_eq!(r.json["total"], 3);
    assert_eq!(r.json["page"], 2);
    assert_eq!(r.json["page_size"], 1);
    assert_eq!(
        r.json["next_page"],
        format!("{BASE_URL}/api/2/organizations/search/?sort=created&page=3&page_size=1")
    );
    assert!(r.json["previous_page"].is_string());
    let r = t
        .get(&format!("{search}?page=100&page_size=1000"), None)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.json);
    let r = t.get(&format!("{search}?page_size=0"), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["page_size"].is_array(), "{:?}", r.json);
    let r = t.get(&format!("{search}?page=abc"), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

async fn deleted_organizations_are_never_found(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let kept = org(
        &t,
        &key,
        json!({"name": "Observatoire actif", "description": "d"}),
    )
    .await;
    let gone = org(
        &t,
        &key,
        json!({"name": "Observatoire fermé", "description": "d"}),
    )
    .await;
    let r = t
        .get("/api/2/organizations/search/?q=observatoire", None)
        .await;
    assert_eq!(r.json["total"], 2);
    assert_eq!(
        t.delete(&org_path(&gone), Some(&key)).await.status,
        StatusCode::NO_CONTENT
    );
    for path in [
        "/api/2/organizations/search/?q=observatoire",
        "/api/2/organizations/search/",
        "/api/1/organizations/?q=observatoire",
        "/api/1/organizations/",
    ] {
        let r = t.get(path, Some(&key)).await;
        assert_eq!(names(&r), ["Observatoire actif"], "{path}");
        assert_eq!(r.json["total"], 1, "{path}");
    }
    let r = t.get("/api/1/organizations/suggest/?q=observ", None).await;
    assert_eq!(r.json.as_array().unwrap().len(), 1, "{:?}", r.json);
    assert_eq!(r.json[0]["id"], kept["id"]);
}

both!(
    name_match_ranks_above_description_match,
    filters_sorts_and_facets,
    pages_are_capped_and_linked,
    deleted_organizations_are_never_found,
);
