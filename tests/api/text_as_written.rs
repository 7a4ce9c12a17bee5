//! Stored text comes back byte for byte (uData's `Markdown` field is a plain string): in a
//! read, a v1 list, an `/api/2/` search item and after a client's GET-then-PUT. Only the Atom
//! feed's `content`, which Plateau renders to HTML itself, is sanitised.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::common::{Backend, TestApp};
use crate::datasets::{create_dataset, dataset_path};
use crate::organizations::org_path;

/// Markdown as a user may write it: markup, entities, unicode, CRLF, trailing spaces.
const MARKDOWN: &str = "A & <b>bold</b> <script>alert(1)</script>\r\n\r\n\
    # Été ☀️ naïve — 東京 😀  \r\n\
    a line with trailing spaces   \n\
    <img src=x onerror=alert(2)> [link](javascript:alert(3)) \"quoted\" 'apos' &amp; &lt;\t\n  ";

/// A one-line text for the fields trimmed on input (titles, names), as uData's string fields.
const LINE: &str = "A & <b>bold</b> <script>alert(1)</script> Été 東京 \"q\" &amp; x";

fn ok(r: crate::common::TestResponse) -> Value {
    assert!(r.status.is_success(), "{}: {:?}", r.status, r.json);
    r.json
}

/// The item of `list` (a `data` array) whose `id` is `id`.
fn item<'a>(list: &'a Value, id: &Value) -> &'a Value {
    list["data"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["id"] == *id))
        .unwrap_or_else(|| panic!("{id} is not in {list}"))
}

async fn dataset_and_resource_text_comes_back_as_written(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let d = create_dataset(
        &t,
        &key,
        json!({"title": LINE, "description": MARKDOWN, "description_short": LINE}),
    )
    .await;
    let path = dataset_path(&d);
    let r = t
        .post(
            &format!("{path}resources/"),
            Some(&key),
            json!({"title": LINE, "description": MARKDOWN, "filetype": "remote",
                "url": "https://example.org/a.csv"}),
        )
        .await;
    let resource = ok(r);
    let resource_path = format!("{path}resources/{}/", resource["id"].as_str().unwrap());
    let as_written = |d: &Value, context: &str| {
        assert_eq!(d["title"], LINE, "{context}");
        assert_eq!(d["description"], MARKDOWN, "{context}");
        assert_eq!(d["description_short"], LINE, "{context}");
    };
    as_written(&d, "the created answer");
    assert_eq!(resource["title"], LINE);
    assert_eq!(resource["description"], MARKDOWN);
    let read = ok(t.get(&path, None).await);
    as_written(&read, "GET");
    assert_eq!(read["resources"][0]["description"], MARKDOWN);
    assert_eq!(
        ok(t.get(&resource_path, None).await)["description"],
        MARKDOWN
    );
    let list = ok(t.get("/api/1/datasets/", None).await);
    as_written(item(&list, &d["id"]), "the v1 list");
    assert_eq!(
        item(&list, &d["id"])["resources"][0]["description"],
        MARKDOWN
    );
    let search = ok(t.get("/api/2/datasets/search/", None).await);
    as_written(item(&search, &d["id"]), "the v2 search");

    let put = ok(t.put(&path, Some(&key), read).await);
    as_written(&put, "the PUT answer");
    let again = ok(t.get(&path, None).await);
    as_written(&again, "GET after GET-then-PUT");
    let resource = ok(t.get(&resource_path, None).await);
    let put = ok(t.put(&resource_path, Some(&key), resource).await);
    assert_eq!(put["description"], MARKDOWN);
    assert_eq!(put["title"], LINE);
    let again = ok(t.get(&path, None).await);
    assert_eq!(again["resources"][0]["description"], MARKDOWN);
}

async fn organization_text_comes_back_as_written(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let org = ok(t
        .post(
            "/api/1/organizations/",
            Some(&key),
            json!({"name": LINE, "description": MARKDOWN}),
        )
        .await);
    let path = org_path(&org);
    let as_written = |o: &Value, context: &str| {
        assert_eq!(o["name"], LINE, "{context}");
        assert_eq!(o["description"], MARKDOWN, "{context}");
    };
    as_written(&org, "the created answer");
    let read = ok(t.get(&path, None).await);
    as_written(&read, "GET");
    as_written(
        item(&ok(t.get("/api/1/organizations/", None).await), &org["id"]),
        "the v1 list",
    );
    as_written(
        item(
            &ok(t.get("/api/2/organizations/search/", None).await),
            &org["id"],
        ),
        "the v2 search",
    );
    as_written(&ok(t.put(&path, Some(&key), read).await), "the PUT answer");
    as_written(&ok(t.get(&path, None).await), "GET after GET-then-PUT");
    let d = create_dataset(
        &t,
        &key,
        json!({"title": "T", "description": "d", "organization": org["id"]}),
    )
    .await;
    assert_eq!(d["organization"]["name"], LINE);
}

async fn user_about_comes_back_as_written(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (user, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let (_, admin) = t.admin().await;
    let mut me = ok(t.get("/api/1/me/", Some(&key)).await);
    me["about"] = json!(MARKDOWN);
    me["first_name"] = json!(LINE);
    let put = ok(t.put("/api/1/me/", Some(&key), me).await);
    let as_written = |u: &Value, context: &str| {
        assert_eq!(u["about"], MARKDOWN, "{context}");
        assert_eq!(u["first_name"], LINE, "{context}");
    };
    as_written(&put, "the PUT answer");
    let profile = format!("/api/1/users/{}/", user.id);
    as_written(&ok(t.get(&profile, None).await), "GET");
    as_written(
        item(
            &ok(t.get("/api/1/users/", Some(&admin)).await),
            &json!(user.id),
        ),
        "the v1 list",
    );
    let me = ok(t.get("/api/1/me/", Some(&key)).await);
    as_written(&me, "GET /me/");
    as_written(
        &ok(t.put("/api/1/me/", Some(&key), me).await),
        "the PUT answer of GET-then-PUT",
    );
    as_written(&ok(t.get(&profile, None).await), "GET after GET-then-PUT");
}

async fn community_resource_and_contact_point_text_comes_back_as_written(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let d = create_dataset(&t, &key, json!({"title": "T", "description": "d"})).await;
    let community = ok(t
        .post(
            "/api/1/datasets/community_resources/",
            Some(&key),
            json!({"title": LINE, "description": MARKDOWN, "filetype": "remote",
                "url": "https://example.org/b.csv", "dataset": {"id": d["id"]}}),
        )
        .await);
    let path = format!(
        "/api/1/datasets/community_resources/{}/",
        community["id"].as_str().unwrap()
    );
    let as_written = |c: &Value, context: &str| {
        assert_eq!(c["title"], LINE, "{context}");
        assert_eq!(c["description"], MARKDOWN, "{context}");
    };
    as_written(&community, "the created answer");
    let read = ok(t.get(&path, None).await);
    as_written(&read, "GET");
    let list = ok(t
        .get(
            &format!(
                "/api/1/datasets/community_resources/?dataset={}",
                d["id"].as_str().unwrap()
            ),
            None,
        )
        .await);
    as_written(item(&list, &community["id"]), "the v1 list");
    as_written(&ok(t.put(&path, Some(&key), read).await), "the PUT answer");
    as_written(&ok(t.get(&path, None).await), "GET after GET-then-PUT");

    let contact = ok(t
        .post(
            "/api/1/contacts/",
            Some(&key),
            json!({"name": LINE, "email": "eaux@example.org", "role": "contact"}),
        )
        .await);
    assert_eq!(contact["name"], LINE);
    let path = format!("/api/1/contacts/{}/", contact["id"].as_str().unwrap());
    let read = ok(t.get(&path, None).await);
    assert_eq!(read["name"], LINE);
    assert_eq!(ok(t.put(&path, Some(&key), read).await)["name"], LINE);
    assert_eq!(ok(t.get(&path, None).await)["name"], LINE);
}

/// The text of the one `<tag …>…</tag>` element of `xml`, unescaped.
fn element_text(xml: &str, tag: &str) -> String {
    let start = xml
        .find(&format!("<{tag} "))
        .unwrap_or_else(|| panic!("no <{tag}> in {xml}"));
    let body = &xml[start..];
    let open_end = body.find('>').expect("the start tag ends") + 1;
    let close = body
        .find(&format!("</{tag}>"))
        .unwrap_or_else(|| panic!("<{tag}> does not end in {xml}"));
    body[open_end..close]
        .replace("&#13;", "\r")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

async fn atom_content_is_sanitised_html_and_summary_the_text_as_written(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    create_dataset(&t, &key, json!({"title": LINE, "description": MARKDOWN})).await;
    let r = t.get("/api/1/datasets/recent.atom", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let xml = String::from_utf8(r.body).expect("UTF-8");
    assert!(!xml.contains("<script"), "{xml}");
    assert!(xml.contains("<content type=\"html\">"), "{xml}");
    let html = element_text(&xml, "content");
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("alert(1)"), "{html}");
    assert!(!html.contains("onerror"), "{html}");
    assert!(!html.contains("javascript:"), "{html}");
    assert!(html.contains("<b>bold</b>"), "{html}");
    assert!(html.contains("<h1>Été ☀️ naïve — 東京 😀</h1>"), "{html}");
    assert_eq!(element_text(&xml, "summary"), MARKDOWN);
}

both!(
    dataset_and_resource_text_comes_back_as_written,
    organization_text_comes_back_as_written,
    user_about_comes_back_as_written,
    community_resource_and_contact_point_text_comes_back_as_written,
    atom_content_is_sanitised_html_and_summary_the_text_as_written,
);
