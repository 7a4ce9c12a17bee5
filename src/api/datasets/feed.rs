//! `/datasets/recent.atom`: the latest public datasets as an Atom 1.0 feed, with the dataset
//! list's filters. An entry's summary is the description as written (text), its content the
//! description rendered to sanitised HTML.

use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use super::lists::{DatasetListQuery, tags_of};
use super::model::Owners;
use crate::api::error::ApiResult;
use crate::api::extract::{ApiQuery, Auth};
use crate::api::state::AppState;
use crate::domain::markdown::to_safe_html;
use crate::domain::time::{iso, now};
use crate::store::PageRequest;
use crate::store::datasets::Viewer;

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML readers turn a raw CR LF into LF; a reference keeps the CR.
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t') => {}
            c => out.push(c),
        }
    }
    out
}

/// The latest public datasets (the site's feed size, newest first unless sorted by
/// `last_update`), as Atom.
#[utoipa::path(get, path = "/datasets/recent.atom", operation_id = "recent_datasets_atom_feed", tag = "datasets",
    params(("tag" = Option<Vec<String>>, Query, description = "Only datasets with all these tags"),
        DatasetListQuery),
    responses((status = 200, description = "An Atom feed", content_type = "application/atom+xml"),
        (status = 400)))]
pub async fn recent_datasets_atom_feed(
    State(app): State<AppState>,
    uri: Uri,
    ApiQuery(query): ApiQuery<DatasetListQuery>,
) -> ApiResult<Response> {
    // The feed is public: it never shows what only the caller may see.
    let mut filter = query.filter(tags_of(&uri), &Auth::default())?;
    if !matches!(
        filter.sort.as_deref(),
        Some("created" | "-created" | "last_update" | "-last_update")
    ) {
        filter.sort = Some("-created".into());
    }
    let title = match (&filter.q, uri.query().is_some_and(|q| !q.is_empty())) {
        (Some(q), _) => format!("Datasets search: {q}"),
        (None, true) => "Filtered datasets".to_owned(),
        (None, false) => "Latest datasets".to_owned(),
    };
    let size = app
        .store
        .site_settings("plateau")
        .await
        .map(|s| s.feed_size)
        .unwrap_or(20);
    let datasets = app
        .store
        .list_datasets(
            &filter,
            &Viewer::default(),
            PageRequest {
                page: 1,
                page_size: size,
            },
        )
        .await?
        .items;
    let mut owners = Owners::default();
    owners
        .load(
            &app,
            datasets
                .iter()
                .map(|d| (d.owner.as_deref(), d.organization.as_deref())),
        )
        .await?;
    let updated = datasets
        .iter()
        .map(|d| d.last_modified)
        .max()
        .unwrap_or_else(now);
    let self_url = app.api_url("/datasets/recent.atom");
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">");
    xml.push_str(&format!(
        "<title>{}</title><id>{}</id><updated>{}</updated><link href=\"{}\" rel=\"alternate\"/>\
         <link href=\"{}\" rel=\"self\"/>",
        escape(&title),
        escape(&self_url),
        iso(updated),
        escape(&app.page_url("/datasets/")),
        escape(&self_url)
    ));
    for d in &datasets {
        let page = app.page_url(&format!("/datasets/{}/", d.id));
        let (author, author_url) = match owners.org(d.organization.as_deref()) {
            Some(org) => (
                org.name.clone(),
                app.page_url(&format!("/organizations/{}/", org.slug)),
            ),
            None => match owners.user(d.owner.as_deref()) {
                Some(user) => (
                    format!("{} {}", user.first_name, user.last_name),
                    app.page_url(&format!("/users/{}/", user.slug)),
                ),
                None => ("Unknown".to_owned(), app.page_url("/")),
            },
        };
        xml.push_str(&format!(
            "<entry><title>{}</title><link href=\"{}\" rel=\"alternate\"/><id>{}</id>\
             <published>{}</published><updated>{}</updated>\
             <author><name>{}</name><uri>{}</uri></author>\
             <summary type=\"text\">{}</summary><content type=\"html\">{}</content></entry>",
            escape(&d.title),
            escape(&page),
            escape(&page),
            iso(d.created_at),
            iso(d.last_modified),
            escape(&author),
            escape(&author_url),
            escape(&d.description),
            escape(&to_safe_html(&d.description)),
        ));
    }
    xml.push_str("</feed>");
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        xml,
    )
        .into_response())
}
