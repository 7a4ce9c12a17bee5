//! `plateau serve --demo`: on an empty store, a small realistic catalogue (organizations, users,
//! datasets with remote and uploaded resources) so that a newcomer sees a living portal.
//!
//! The catalogue is created through the API itself (the real router, in process), so it passes
//! every validation a client's data would.

use anyhow::{Context, bail};
use axum::body::Body;
use axum::http::{Method, Request};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::api::state::AppState;
use crate::domain::secrets::generate_api_key;
use crate::domain::user::User;
use crate::domain::{ids, time};

const ORGANIZATIONS: &[(&str, &str, &str)] = &[
    (
        "Agence régionale de la qualité de l'air",
        "ARQA",
        "Surveille la qualité de l'air et publie ses mesures en continu.",
    ),
    (
        "Ville de Port-Clair",
        "",
        "Les données ouvertes de la ville : mobilité, budget, équipements publics.",
    ),
    (
        "Observatoire national des transports",
        "ONT",
        "Statistiques de fréquentation et d'offre de transport public.",
    ),
];

/// `(organization index, title, description, tags, frequency)`
const DATASETS: &[(usize, &str, &str, &[&str], &str)] = &[
    (
        0,
        "Mesures horaires de la qualité de l'air",
        "Concentrations horaires de NO2, PM10 et O3 relevées par les stations du réseau régional depuis 2015. Les valeurs sont validées chaque trimestre.",
        &["air", "pollution", "environnement"],
        "hourly",
    ),
    (
        0,
        "Épisodes de pollution",
        "Liste des épisodes de pollution déclenchés (information et alerte), avec leur durée et les polluants en cause.",
        &["air", "alerte"],
        "daily",
    ),
    (
        1,
        "Budget primitif de la ville",
        "Le budget primitif voté par le conseil municipal, par chapitre et par fonction, au format M57.",
        &["budget", "finances-publiques"],
        "annual",
    ),
    (
        1,
        "Stationnements vélo",
        "Emplacements et capacités des arceaux et abris vélos installés sur l'espace public de la ville.",
        &["velo", "mobilite", "stationnement"],
        "monthly",
    ),
    (
        2,
        "Fréquentation des gares",
        "Nombre annuel de voyageurs par gare, ventilé par type de service, depuis 2016.",
        &["transport", "train", "frequentation"],
        "annual",
    ),
    (
        2,
        "Offre de transport urbain",
        "Offre kilométrique et horaires théoriques des réseaux urbains, agrégés par agglomération.",
        &["transport", "bus", "gtfs"],
        "quarterly",
    ),
];

/// The spatial coverage of each organization's datasets (zones of the shipped registry); the
/// town is fictional, so its datasets name no zone.
const COVERAGE: &[Option<(&str, &str)>] = &[
    Some(("fr:region:84", "fr:commune")),
    None,
    Some(("country:fr", "fr:departement")),
];

/// Loads the demo catalogue unless the store already holds organizations or datasets.
/// Returns the demo administrator's email and API key when it loaded something.
pub async fn load(app: &AppState) -> anyhow::Result<Option<(String, String)>> {
    let counts = app.store.site_counts().await?;
    if counts.organizations > 0 || counts.datasets > 0 {
        return Ok(None);
    }
    let email = "demo@plateau.invalid".to_owned();
    let key = generate_api_key();
    let admin = match app.store.user_by_email(&email).await? {
        Some(user) => user,
        None => {
            app.store
                .create_user(demo_user(&email, "Camille", "Démo", true), None)
                .await?
        }
    };
    app.store
        .set_apikey_hash(&admin.id, Some(app.secret.hash_api_key(&key)), time::now())
        .await?;
    let editor = match app.store.user_by_email("editeur@plateau.invalid").await? {
        Some(user) => user,
        None => {
            app.store
                .create_user(
                    demo_user("editeur@plateau.invalid", "Dominique", "Éditeur", false),
                    None,
                )
                .await?
        }
    };

    let router = crate::api::router(app.clone());
    let call = |method: Method, path: String, body: Value| {
        let router = router.clone();
        let key = key.clone();
        async move {
            let request = Request::builder()
                .method(method.clone())
                .uri(&path)
                .header("X-API-KEY", key)
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .context("demo request")?;
            let response = router.oneshot(request).await.context("demo request")?;
            let status = response.status();
            let bytes = response
                .into_body()
                .collect()
                .await
                .context("demo response")?
                .to_bytes();
            if !status.is_success() {
                bail!(
                    "{method} {path} answered {status}: {}",
                    String::from_utf8_lossy(&bytes)
                );
            }
            Ok::<Value, anyhow::Error>(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
        }
    };

    let mut org_ids = Vec::new();
    for (name, acronym, description) in ORGANIZATIONS {
        let org = call(
            Method::POST,
            "/api/1/organizations/".into(),
            json!({"name": name, "acronym": acronym, "description": description}),
        )
        .await?;
        let id = org["id"].as_str().unwrap_or_default().to_owned();
        call(
            Method::POST,
            format!("/api/1/organizations/{id}/member/{}/", editor.id),
            json!({"role": "editor"}),
        )
        .await?;
        org_ids.push(id);
    }
    for (i, (org, title, description, tags, frequency)) in DATASETS.iter().enumerate() {
        let mut body = json!({
            "title": title, "description": description, "tags": tags, "frequency": frequency,
            "organization": org_ids[*org], "license": "lov2",
            "temporal_coverage": {"start": "2016-01-01", "end": "2025-12-31"},
        });
        if let Some((zone, granularity)) = COVERAGE[*org] {
            body["spatial"] = json!({"zones": [zone], "granularity": granularity});
        }
        let dataset = call(Method::POST, "/api/1/datasets/".into(), body).await?;
        let id = dataset["id"].as_str().unwrap_or_default().to_owned();
        call(
            Method::POST,
            format!("/api/1/datasets/{id}/resources/"),
            json!({"title": "Documentation", "type": "documentation", "filetype": "remote",
                   "url": format!("https://example.org/demo/{i}/documentation.pdf"), "format": "pdf"}),
        )
        .await?;
        upload_csv(&router, &key, &id, i).await?;
    }
    Ok(Some((email, key)))
}

/// Uploads a small generated CSV as a file resource, through the multipart upload endpoint.
async fn upload_csv(
    router: &axum::Router,
    key: &str,
    dataset_id: &str,
    seed: usize,
) -> anyhow::Result<()> {
    let mut csv = String::from("date;valeur\n");
    for day in 1..=28 {
        csv.push_str(&format!("2025-02-{day:02};{}\n", (day * (seed + 3)) % 97));
    }
    let boundary = "plateau-demo-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"donnees-{seed}.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    let request = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/1/datasets/{dataset_id}/upload/"))
        .header("X-API-KEY", key)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .context("demo upload")?;
    let response = router
        .clone()
        .oneshot(request)
        .await
        .context("demo upload")?;
    if !response.status().is_success() {
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .context("demo upload")?
            .to_bytes();
        bail!(
            "demo upload answered {status}: {}",
            String::from_utf8_lossy(&bytes)
        );
    }
    Ok(())
}

fn demo_user(email: &str, first_name: &str, last_name: &str, admin: bool) -> User {
    User {
        id: ids::object_id(),
        slug: String::new(),
        email: email.into(),
        first_name: first_name.into(),
        last_name: last_name.into(),
        about: None,
        website: None,
        avatar: None,
        avatar_thumbnail: None,
        roles: if admin { vec!["admin".into()] } else { vec![] },
        active: true,
        since: time::now(),
        last_login_at: None,
        deleted: None,
        followers: 0,
    }
}
