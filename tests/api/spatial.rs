//! `/spatial/`: levels, granularities, zones as GeoJSON, suggestions, the datasets of a zone and
//! the coverage of a level, on the shipped registry; datasets' `spatial` checked against it.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::common::{BASE_URL, Backend, TestApp};
use crate::datasets::{create_dataset, dataset_path};
use plateau::cli::generate::{Plan, generate};
use plateau::domain::geozone::{GeoLevel, GeoZone};
use plateau::domain::time;

fn ids(answer: &Value) -> Vec<String> {
    answer
        .as_array()
        .expect("a list")
        .iter()
        .map(|item| item["id"].as_str().expect("an id").to_owned())
        .collect()
}

fn feature_ids(collection: &Value) -> Vec<String> {
    ids(&collection["features"])
}

fn dataset(title: &str, zones: &[&str]) -> Value {
    json!({"title": title, "description": "d",
        "spatial": {"zones": zones, "granularity": "fr:commune"}})
}

async fn levels_and_granularities_list_the_registry(backend: Backend) {
    let t = TestApp::new(backend).await;
    let r = t.get("/api/1/spatial/levels/", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let levels = ids(&r.json);
    assert_eq!(levels.len(), 11);
    assert_eq!(
        &levels[..4],
        ["country-group", "country", "country-subset", "fr:region"]
    );
    assert_eq!(
        r.json[3],
        json!({"id": "fr:region", "name": "French region"})
    );
    let r = t.get("/api/1/spatial/granularities/", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let granularities = ids(&r.json);
    assert_eq!(granularities.len(), levels.len() + 2);
    assert_eq!(&granularities[..levels.len()], &levels[..]);
    assert_eq!(r.json[11], json!({"id": "poi", "name": "POI"}));
    assert_eq!(r.json[12], json!({"id": "other", "name": "Other"}));
}

async fn zone_is_a_feature_and_unknown_zones_are_404(backend: Backend) {
    let t = TestApp::new(backend).await;
    let r = t.get("/api/1/spatial/zone/fr:departement:2A/", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json,
        json!({"id": "fr:departement:2A", "type": "Feature", "properties": {
            "slug": "corse-du-sud", "name": "Corse-du-Sud", "code": "2A", "uri": null,
            "level": "fr:departement"}})
    );
    // Older GeoIDs: a validity suffix, another case.
    let r = t
        .get("/api/1/spatial/zone/fr:region:93@2016-01-01/", None)
        .await;
    assert_eq!(r.json["properties"]["name"], "Provence-Alpes-Côte d'Azur");
    let r = t.get("/api/1/spatial/zone/COUNTRY:FR/", None).await;
    assert_eq!(r.json["id"], "country:fr");
    for unknown in ["fr:region:99", "nowhere", "fr:departement"] {
        let r = t
            .get(&format!("/api/1/spatial/zone/{unknown}/"), None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{unknown}");
        assert!(r.json["message"].is_string());
    }
    let r = t
        .get("/api/1/spatial/zone/fr:region:99/datasets/", None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn zones_are_a_feature_collection_in_the_order_asked(backend: Backend) {
    let t = TestApp::new(backend).await;
    let r = t
        .get(
            "/api/1/spatial/zones/fr:region:93,country:fr,fr:departement:13/",
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["type"], "FeatureCollection");
    assert_eq!(
        feature_ids(&r.json),
        ["fr:region:93", "country:fr", "fr:departement:13"]
    );
    let feature = &r.json["features"][1];
    assert_eq!(feature["type"], "Feature");
    assert_eq!(
        feature["geometry"],
        json!({"type": null, "coordinates": null})
    );
    assert_eq!(
        feature["properties"],
        json!({"slug": "france", "name": "France", "code": "fr", "uri": null, "level": "country"})
    );
    let r = t.get("/api/1/spatial/zones/fr:region:11/", None).await;
    assert_eq!(feature_ids(&r.json), ["fr:region:11"]);
    let r = t
        .get("/api/1/spatial/zones/fr:region:11,fr:region:99/", None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        r.json["message"].as_str().unwrap().contains("fr:region:99"),
        "{:?}",
        r.json
    );
}

async fn suggestions_match_name_code_and_id_largest_levels_first(backend: Backend) {
    let t = TestApp::new(backend).await;
    let suggest = |query: &'static str| {
        let t = &t;
        async move {
            let r = t
                .get(&format!("/api/1/spatial/zones/suggest/?{query}"), None)
                .await;
            assert_eq!(r.status, StatusCode::OK, "{query}: {:?}", r.json);
            r.json
        }
    };
    // Regions (admin level 40) before départements (60), shorter names first in a level.
    let found = suggest("q=loire").await;
    assert_eq!(
        ids(&found),
        [
            "fr:region:52",
            "fr:region:24",
            "fr:departement:42",
            "fr:departement:45",
            "fr:departement:43",
            "fr:departement:37",
            "fr:departement:49",
            "fr:departement:71",
            "fr:departement:44",
        ]
    );
    assert_eq!(
        found[0],
        json!({"id": "fr:region:52", "name": "Pays de la Loire", "code": "52",
            "level": "fr:region", "uri": null})
    );
    assert_eq!(ids(&suggest("q=loire&size=3").await).len(), 3);
    assert_eq!(ids(&suggest("q=loire&size=50").await).len(), 9);
    // Case and accents aside; by code; by id.
    assert_eq!(ids(&suggest("q=ILE-DE").await), ["fr:region:11"]);
    assert_eq!(
        ids(&suggest("q=réunion").await),
        ["fr:region:04", "fr:departement:974"]
    );
    assert_eq!(ids(&suggest("q=2a").await), ["fr:departement:2A"]);
    assert_eq!(ids(&suggest("q=country:fr").await), ["country:fr"]);
    assert_eq!(suggest("q=xxxxxx").await, json!([]));
    let r = t.get("/api/1/spatial/zones/suggest/", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["q"].is_array());
    let r = t
        .get("/api/1/spatial/zones/suggest/?q=loire&size=0", None)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // Admin levels order the levels, whatever their ids; a zone of an unknown level is last.
    let now = time::now();
    t.store()
        .upsert_geolevels(
            &[GeoLevel {
                id: "fr:epci".into(),
                name: "French intermunicipal (EPCI)".into(),
                admin_level: Some(68),
            }],
            now,
        )
        .await
        .unwrap();
    let zone = |id: &str, level: &str, name: &str| GeoZone {
        id: id.into(),
        slug: name.to_lowercase(),
        name: name.into(),
        code: id.rsplit(':').next().unwrap().into(),
        level: level.into(),
        uri: None,
    };
    t.store()
        .upsert_geozones(
            &[
                zone("zz:paris", "zz", "Paris"),
                zone("fr:epci:200054781", "fr:epci", "Métropole du Grand Paris"),
            ],
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        ids(&suggest("q=paris").await),
        ["fr:departement:75", "fr:epci:200054781", "zz:paris"]
    );
}

async fn zone_datasets_are_its_visible_datasets(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let path = "/api/1/spatial/zone/fr:region:93/datasets/";
    assert_eq!(t.get(path, None).await.json, json!([]));
    let mut created = Vec::new();
    for title in ["First", "Second", "Third"] {
        created.push(create_dataset(&t, &key, dataset(title, &["fr:region:93"])).await);
    }
    let mut private = dataset("Draft", &["fr:region:93"]);
    private["private"] = json!(true);
    create_dataset(&t, &key, private).await;
    let archived = create_dataset(&t, &key, dataset("Archived", &["fr:region:93"])).await;
    let r = t
        .put(
            &dataset_path(&archived),
            Some(&key),
            json!({"archived": "2024-01-01T00:00:00"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    let deleted = create_dataset(&t, &key, dataset("Deleted", &["fr:region:93"])).await;
    assert_eq!(
        t.delete(&dataset_path(&deleted), Some(&key)).await.status,
        StatusCode::NO_CONTENT
    );
    create_dataset(&t, &key, dataset("Elsewhere", &["fr:region:11"])).await;

    let r = t.get(path, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let expected: Vec<String> = created
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids(&r.json), expected, "oldest first");
    let slug = created[0]["slug"].as_str().unwrap();
    assert_eq!(
        r.json[0],
        json!({"class": "Dataset", "id": created[0]["id"], "title": "First", "acronym": null,
            "uri": format!("{BASE_URL}/api/1/datasets/{slug}/"),
            "page": format!("{BASE_URL}/datasets/{slug}/")})
    );
    assert_eq!(
        ids(&t.get(&format!("{path}?size=2"), None).await.json).len(),
        2
    );
    let r = t.get(&format!("{path}?dynamic=1&size=2"), None).await;
    assert_eq!(ids(&r.json).len(), 2);
    for bad in ["size=0", "size=x", "dynamic=maybe"] {
        let r = t.get(&format!("{path}?{bad}"), None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    // A dataset moved to another zone, or made private, leaves the zone.
    let r = t
        .put(
            &dataset_path(&created[0]),
            Some(&key),
            json!({"spatial": {"zones": ["fr:region:11"]}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    let r = t
        .put(
            &dataset_path(&created[1]),
            Some(&key),
            json!({"private": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(ids(&t.get(path, None).await.json), expected[2..]);
    let r = t
        .get("/api/1/spatial/zone/fr:region:11/datasets/", None)
        .await;
    assert_eq!(ids(&r.json).len(), 2);
    // Restored to public, it covers the zone again.
    t.put(
        &dataset_path(&created[1]),
        Some(&key),
        json!({"private": false}),
    )
    .await;
    assert_eq!(ids(&t.get(path, None).await.json), expected[1..]);
}

async fn coverage_counts_visible_datasets_by_zone(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    for i in 0..3 {
        create_dataset(
            &t,
            &key,
            dataset(&format!("Marseille {i}"), &["fr:departement:13"]),
        )
        .await;
    }
    for i in 0..2 {
        create_dataset(
            &t,
            &key,
            dataset(
                &format!("Paris {i}"),
                &["fr:departement:75", "fr:departement:13"],
            ),
        )
        .await;
    }
    let mut private = dataset("Draft", &["fr:departement:75"]);
    private["private"] = json!(true);
    create_dataset(&t, &key, private).await;

    let r = t.get("/api/1/spatial/coverage/fr:departement/", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["type"], "FeatureCollection");
    let features = r.json["features"].as_array().unwrap();
    assert_eq!(features.len(), 101);
    assert_eq!(features[0]["id"], "fr:departement:01", "by code");
    let count = |id: &str| {
        features
            .iter()
            .find(|f| f["id"] == id)
            .map(|f| f["properties"]["datasets"].clone())
    };
    assert_eq!(count("fr:departement:13"), Some(json!(5)));
    assert_eq!(count("fr:departement:75"), Some(json!(2)));
    assert_eq!(count("fr:departement:01"), Some(json!(0)));
    let paris = features
        .iter()
        .find(|f| f["id"] == "fr:departement:75")
        .unwrap();
    assert_eq!(
        paris,
        &json!({"id": "fr:departement:75", "type": "Feature",
            "geometry": {"type": null, "coordinates": null},
            "properties": {"name": "Paris", "code": "75", "uri": null, "datasets": 2}})
    );
    // Counts are kept a minute; a forgotten coverage is computed again.
    create_dataset(&t, &key, dataset("Paris 3", &["fr:departement:75"])).await;
    t.app.spatial_coverage.invalidate();
    let r = t.get("/api/1/spatial/coverage/fr:departement/", None).await;
    let paris = r.json["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "fr:departement:75")
        .unwrap()
        .clone();
    assert_eq!(paris["properties"]["datasets"], 3);

    let r = t.get("/api/1/spatial/coverage/fr:iris/", None).await;
    assert_eq!(r.json, json!({"type": "FeatureCollection", "features": []}));
    let r = t.get("/api/1/spatial/coverage/fr:planet/", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn datasets_name_known_zones_and_granularities(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let square = json!([[[0, 0], [0, 1], [1, 1], [0, 0]]]);
    let cases = [
        json!({"zones": ["fr:region:99"]}),
        json!({"zones": ["fr:region:93", "nowhere"]}),
        json!({"zones": ["fr:region:93"], "geom": {"type": "MultiPolygon", "coordinates": [square]}}),
        json!({"granularity": "fr:planet"}),
    ];
    for spatial in cases {
        let r = t
            .post(
                "/api/1/datasets/",
                Some(&key),
                json!({"title": "t", "description": "d", "spatial": spatial}),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{spatial}: {:?}", r.json);
        assert!(r.json["errors"]["spatial"].is_array(), "{:?}", r.json);
    }
    let r = t
        .post(
            "/api/1/datasets/",
            Some(&key),
            json!({"title": "t", "description": "d",
                "spatial": {"zones": ["fr:region:93", "fr:region:98", "fr:region:99"]}}),
        )
        .await;
    assert_eq!(
        r.json["errors"]["spatial"],
        json!(["Unknown geoid(s): fr:region:98, fr:region:99"])
    );
    let total = t.get("/api/1/datasets/", None).await.json["total"].clone();
    assert_eq!(total, 0, "nothing created");

    // Older GeoID forms name the zone, which is then stored by its id.
    let d = create_dataset(
        &t,
        &key,
        json!({"title": "t", "description": "d",
            "spatial": {"zones": ["FR/Region/93", "fr:departement:2a@2019-01-01"],
                "granularity": "poi"}}),
    )
    .await;
    assert_eq!(
        d["spatial"]["zones"],
        json!(["fr:region:93", "fr:departement:2A"])
    );
    assert_eq!(d["spatial"]["granularity"], "poi");
    let d = create_dataset(
        &t,
        &key,
        json!({"title": "g", "description": "d",
            "spatial": {"geom": {"type": "MultiPolygon", "coordinates": [square]},
                "granularity": "other"}}),
    )
    .await;
    assert_eq!(d["spatial"]["zones"], json!([]));

    // Updates are checked the same way and leave the dataset as it was.
    let r = t
        .put(
            &dataset_path(&d),
            Some(&key),
            json!({"spatial": {"zones": ["fr:commune:75056"]}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["spatial"].is_array());
    let r = t
        .put(
            &dataset_path(&d),
            Some(&key),
            json!({"spatial": {"zones": ["country:fr"], "granularity": "fr:chateau"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = t.get(&dataset_path(&d), None).await;
    assert_eq!(r.json["spatial"]["granularity"], "other");
    let r = t
        .put(
            &dataset_path(&d),
            Some(&key),
            json!({"spatial": {"zones": ["country:fr"], "granularity": "country"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["spatial"]["zones"], json!(["country:fr"]));
    assert_eq!(r.json["spatial"]["geom"], Value::Null);
}

async fn generated_and_demo_datasets_name_shipped_zones(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, admin) = t.admin().await;
    let plan = Plan {
        datasets: 200,
        organizations: 5,
        users: 10,
        seed: 3,
    };
    generate(t.store(), plan, |_| {}).await.expect("generated");
    let r = t.get("/api/1/datasets/?page_size=200", Some(&admin)).await;
    let mut zones: Vec<String> = r.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| {
            d["spatial"]["zones"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|zone| zone.as_str().unwrap().to_owned())
        .collect();
    zones.sort();
    zones.dedup();
    assert!(zones.len() > 10, "{zones:?}");
    let r = t
        .get(&format!("/api/1/spatial/zones/{}/", zones.join(",")), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);

    let t = TestApp::new(backend).await;
    plateau::cli::demo::load(&t.app)
        .await
        .unwrap()
        .expect("loaded");
    let r = t
        .get("/api/1/spatial/zone/country:fr/datasets/", None)
        .await;
    assert_eq!(ids(&r.json).len(), 2);
}

both!(
    levels_and_granularities_list_the_registry,
    zone_is_a_feature_and_unknown_zones_are_404,
    zones_are_a_feature_collection_in_the_order_asked,
    suggestions_match_name_code_and_id_largest_levels_first,
    zone_datasets_are_its_visible_datasets,
    coverage_counts_visible_datasets_by_zone,
    datasets_name_known_zones_and_granularities,
    generated_and_demo_datasets_name_shipped_zones,
);
