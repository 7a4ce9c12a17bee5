//! Search: the v1 dataset list served from the index, `/api/2/datasets/search/` with facets,
//! relevance, French analysis, visibility, and the index following writes.

use axum::http::StatusCode;
use serde_json::json;

use crate::both;
use crate::common::{Backend, TestApp, TestConfig, TestResponse};
use crate::datasets::{create_dataset, dataset_path};
use crate::organizations::create_org;

fn titles(r: &TestResponse) -> Vec<String> {
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    r.json["data"]
        .as_array()
        .expect("a page")
        .iter()
        .map(|d| d["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn title_match_ranks_above_description_match(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    create_dataset(
        &t,
        &key,
        json!({"title": "Budget communal", "description": "Les transports de la ville."}),
    )
    .await;
    create_dataset(
        &t,
        &key,
        json!({"title": "Horaires des transports", "description": "Lignes de bus."}),
    )
    .await;
    create_dataset(
        &t,
        &key,
        json!({"title": "Population", "description": "Recensement."}),
    )
    .await;
    for path in [
        "/api/1/datasets/?q=transport",
        "/api/2/datasets/search/?q=transport",
    ] {
        let r = t.get(path, None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {:?}", r.json);
        assert_eq!(
            titles(&r),
            ["Horaires des transports", "Budget communal"],
            "{path}"
        );
        assert_eq!(r.json["total"], 2);
    }
}

async fn accents_plurals_elisions_and_typos_match(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    create_dataset(
        &t,
        &key,
        json!({"title": "Égalité femmes-hommes", "description": "Indicateurs."}),
    )
    .await;
    create_dataset(
        &t,
        &key,
        json!({"title": "Qualité de l'eau potable", "description": "Données des hôpitaux."}),
    )
    .await;
    for (q, expected) in [
        ("egalite", "Égalité femmes-hommes"),
        ("ÉGALITÉS", "Égalité femmes-hommes"),
        ("donnee", "Qualité de l'eau potable"),
        ("eaux", "Qualité de l'eau potable"),
        ("l'eau", "Qualité de l'eau potable"),
        ("hopital", "Qualité de l'eau potable"),
        ("qualite potable", "Qualité de l'eau potable"),
        // A typo.
        ("potabel", "Qualité de l'eau potable"),
    ] {
        let r = t
            .get(&format!("/api/1/datasets/?q={}", urlencode(q)), None)
            .await;
        assert_eq!(titles(&r), [expected], "q={q}");
    }
    // Words are AND-ed.
    let r = t.get("/api/1/datasets/?q=egalite+potable", None).await;
    assert_eq!(r.json["total"], 0);
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn private_and_deleted_datasets_stay_hidden(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, owner) = t.user_with_key("Ada", "Lovelace", false).await;
    let (_, other) = t.user_with_key("Bob", "Other", false).await;
    let (_, admin) = t.admin().await;
    create_dataset(
        &t,
        &owner,
        json!({"title": "Transport public", "description": "d"}),
    )
    .await;
    create_dataset(
        &t,
        &owner,
        json!({"title": "Transport brouillon", "description": "d", "private": true}),
    )
    .await;
    let deleted = create_dataset(
        &t,
        &owner,
        json!({"title": "Transport supprimé", "description": "d"}),
    )
    .await;
    assert_eq!(
        t.delete(&dataset_path(&deleted), Some(&owner)).await.status,
        StatusCode::NO_CONTENT
    );
    let r = t.get("/api/1/datasets/?q=transport", None).await;
    assert_eq!(titles(&r), ["Transport public"]);
    let r = t.get("/api/1/datasets/?q=transport", Some(&other)).await;
    assert_eq!(titles(&r), ["Transport public"]);
    let r = t
        .get("/api/2/datasets/search/?q=transport", Some(&owner))
        .await;
    assert_eq!(titles(&r), ["Transport public"]);
    let r = t
        .get("/api/1/datasets/?q=transport&sort=title", Some(&owner))
        .await;
    assert_eq!(
        titles(&r),
        [
            "Transport brouillon",
            "Transport public",
            "Transport supprimé"
        ]
    );
    let r = t
        .get("/api/1/datasets/?q=transport&private=true", Some(&admin))
        .await;
    assert_eq!(titles(&r), ["Transport brouillon"]);
}

async fn writes_are_followed_by_the_index(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let org = create_org(&t, &key, "Ville de Lyon").await;
    let d = create_dataset(
        &t,
        &key,
        json!({"title": "Pistes cyclables", "description": "d", "organization": org["id"]}),
    )
    .await;
    // The organization's name is searchable, and follows a rename.
    let r = t.get("/api/1/datasets/?q=lyon", None).await;
    assert_eq!(titles(&r), ["Pistes cyclables"]);
    let org_path = format!("/api/1/organizations/{}/", org["id"].as_str().unwrap());
    let r = t
        .put(
            &org_path,
            Some(&key),
            json!({"name": "Métropole de Grenoble"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(
        t.get("/api/1/datasets/?q=lyon", None).await.json["total"],
        0
    );
    let r = t.get("/api/1/datasets/?q=grenoble", None).await;
    assert_eq!(titles(&r), ["Pistes cyclables"]);
    // A new title, a resource format.
    let r = t
        .put(
            &dataset_path(&d),
            Some(&key),
            json!({"title": "Aménagements vélo"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        t.get("/api/1/datasets/?q=cyclable", None).await.json["total"],
        0
    );
    assert_eq!(
        titles(&t.get("/api/1/datasets/?q=velo", None).await),
        ["Aménagements vélo"]
    );
    let r = t
        .post(
            &format!("{}resources/", dataset_path(&d)),
            Some(&key),
            json!({"title": "Tracés GeoJSON", "url": "https://example.org/v.geojson",
                   "filetype": "remote", "format": "GeoJSON"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    assert_eq!(
        t.get("/api/1/datasets/?format=geojson", None).await.json["total"],
        1
    );
    assert_eq!(
        titles(&t.get("/api/1/datasets/?q=traces", None).await),
        ["Aménagements vélo"]
    );
}

async fn v2_search_filters_and_facets(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let org = create_org(&t, &key, "Santé publique").await;
    let specs = [
        ("Vaccination grippe", vec!["sante", "vaccin"], "csv", true),
        ("Vaccination covid", vec!["sante", "covid"], "json", true),
        ("Vaccination animaux", vec!["agriculture"], "pdf", false),
    ];
    for (title, tags, format, with_org) in specs {
        let mut body = json!({"title": title, "description": "d", "tags": tags, "license": "lov2",
            "resources": [{"title": "r", "url": format!("https://example.org/x.{format}"),
                           "filetype": "remote", "format": format}]});
        if with_org {
            body["organization"] = org["id"].clone();
        }
        create_dataset(&t, &key, body).await;
    }
    let r = t
        .get("/api/2/datasets/search/?q=vaccination&tag=sante", None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["total"], 2);
    let facets = &r.json["facets"];
    // The tag facet ignores the tag filter: all three datasets count.
    assert_eq!(facets["tag"][0], json!({"name": "all", "count": 3}));
    assert!(
        facets["tag"]
            .as_array()
            .unwrap()
            .contains(&json!({"name": "sante", "count": 2}))
    );
    // Other facets apply it.
    assert_eq!(facets["format"][0], json!({"name": "all", "count": 2}));
    assert_eq!(facets["format_family"][0]["count"], 2);
    let families: Vec<&str> = facets["format_family"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert!(families.contains(&"tabular") && families.contains(&"machine_readable"));
    assert!(
        facets["producer_type"]
            .as_array()
            .unwrap()
            .contains(&json!({"name": "not-specified", "count": 2}))
    );
    let org_key = format!("{}|Santé publique", org["id"].as_str().unwrap());
    assert!(
        facets["organization_id_with_name"]
            .as_array()
            .unwrap()
            .contains(&json!({"name": org_key, "count": 2}))
    );
    assert_eq!(
        facets["last_update"][1],
        json!({"name": "last_30_days", "count": 2})
    );
    // Repeated format values are alternatives; producer and family filters.
    let r = t
        .get("/api/2/datasets/search/?format=csv&format=pdf", None)
        .await;
    assert_eq!(r.json["total"], 2);
    let r = t
        .get("/api/2/datasets/search/?producer_type=user", None)
        .await;
    assert_eq!(titles(&r), ["Vaccination animaux"]);
    let r = t
        .get(
            "/api/2/datasets/search/?organization_name=sante&sort=-created",
            None,
        )
        .await;
    assert_eq!(titles(&r), ["Vaccination covid", "Vaccination grippe"]);
    let r = t
        .get(
            "/api/2/datasets/search/?format_family=documents&last_update_range=last_30_days",
            None,
        )
        .await;
    assert_eq!(titles(&r), ["Vaccination animaux"]);
    // v2 datasets link to their resources.
    assert_eq!(r.json["data"][0]["resources"]["total"], 1);
    assert_eq!(r.json["data"][0]["resources"]["rel"], "subsection");
    // Bad values are 400s naming the parameter.
    let r = t
        .get(
            "/api/2/datasets/search/?producer_type=alien&sort=nope",
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["producer_type"].is_array(), "{:?}", r.json);
    assert!(r.json["errors"]["sort"].is_array());
    let r = t
        .get("/api/2/datasets/search/?page=100&page_size=1000", None)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

async fn v1_sorts_and_filters_from_the_index(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    for (title, tags) in [
        ("Bravo", vec!["aaa", "bbb"]),
        ("Alpha", vec!["aaa"]),
        ("Charlie", vec!["bbb"]),
    ] {
        create_dataset(
            &t,
            &key,
            json!({"title": title, "description": "d", "tags": tags}),
        )
        .await;
    }
    let r = t.get("/api/1/datasets/?sort=title", None).await;
    assert_eq!(titles(&r), ["Alpha", "Bravo", "Charlie"]);
    let r = t.get("/api/1/datasets/?sort=-title", None).await;
    assert_eq!(titles(&r), ["Charlie", "Bravo", "Alpha"]);
    let r = t.get("/api/1/datasets/", None).await;
    assert_eq!(titles(&r), ["Charlie", "Alpha", "Bravo"]);
    let r = t.get("/api/1/datasets/?tag=aaa&tag=bbb", None).await;
    assert_eq!(titles(&r), ["Bravo"]);
    let r = t
        .get("/api/1/datasets/?page_size=2&page=2&sort=title", None)
        .await;
    assert_eq!(titles(&r), ["Charlie"]);
    assert_eq!(r.json["total"], 3);
}

async fn suggestions_match_word_prefixes(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    create_dataset(
        &t,
        &key,
        json!({"title": "Qualité de l'eau potable", "description": "d", "acronym": "QEP"}),
    )
    .await;
    create_dataset(
        &t,
        &key,
        json!({"title": "Qualité de l'air", "description": "d", "private": true}),
    )
    .await;
    for q in ["qual", "QUALITÉ pot", "qep", "eau"] {
        let r = t
            .get(
                &format!("/api/1/datasets/suggest/?q={}", urlencode(q)),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let titles: Vec<&str> = r
            .json
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["title"].as_str().unwrap())
            .collect();
        assert_eq!(titles, ["Qualité de l'eau potable"], "q={q}");
    }
    let r = t.get("/api/1/datasets/suggest/?q=potables", None).await;
    assert_eq!(r.json, json!([]));
}

/// Before a first build completes, lists and suggestions answer from the database and the v2
/// searches, which need the index, answer 503.
async fn searches_while_the_indexes_are_being_built(backend: Backend) {
    let config = TestConfig {
        indexing: false,
        ..TestConfig::default()
    };
    let t = TestApp::with_config(backend, config).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let org = create_org(&t, &key, "Ville de Lyon").await;
    create_dataset(
        &t,
        &key,
        json!({"title": "Qualité de l'eau", "description": "d", "organization": org["id"]}),
    )
    .await;
    assert_eq!(
        titles(&t.get("/api/1/datasets/?q=eau", None).await),
        ["Qualité de l'eau"]
    );
    let r = t.get("/api/1/datasets/suggest/?q=qualit", None).await;
    assert_eq!(r.json[0]["title"], "Qualité de l'eau", "{:?}", r.json);
    let r = t.get("/api/1/organizations/suggest/?q=lyon", None).await;
    assert_eq!(r.json[0]["name"], "Ville de Lyon", "{:?}", r.json);
    for path in [
        "/api/2/datasets/search/?q=eau",
        "/api/2/organizations/search/?q=lyon",
    ] {
        let r = t.get(path, None).await;
        assert_eq!(
            r.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{path}: {:?}",
            r.json
        );
        assert!(r.json["message"].is_string(), "{path}: {:?}", r.json);
    }
}

both!(
    searches_while_the_indexes_are_being_built,
    suggestions_match_word_prefixes,
    title_match_ranks_above_description_match,
    accents_plurals_elisions_and_typos_match,
    private_and_deleted_datasets_stay_hidden,
    writes_are_followed_by_the_index,
    v2_search_filters_and_facets,
    v1_sorts_and_filters_from_the_index,
);
