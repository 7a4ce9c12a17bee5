//! `/contacts/`: contact points created, read, updated and deleted, their roles, the lists of an
//! organization's and a user's, and the contact points datasets refer to.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::common::{Backend, TestApp};
use crate::datasets::{create_dataset, dataset_path};
use crate::organizations::{add_member, create_org, org_path};
use plateau::domain::organization::OrgRole;

const CONTACTS: &str = "/api/1/contacts/";

/// Creates a contact point through the API as the holder of `key`.
async fn create_contact(t: &TestApp, key: &str, body: Value) -> Value {
    let r = t.post(CONTACTS, Some(key), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    r.json
}

fn contact_path(contact: &Value) -> String {
    format!("{CONTACTS}{}/", contact["id"].as_str().unwrap())
}

/// A GET with an `X-Fields` mask.
async fn get_masked(t: &TestApp, path: &str, mask: &str) -> Value {
    let r = t
        .call(Method::GET, path, None, None, &[("X-Fields", mask)])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {:?}", r.json);
    r.json
}

fn keys(object: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = object
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

async fn creating_needs_a_caller_who_becomes_the_owner(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (user, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let body = json!({"name": "Service des eaux", "email": "eaux@example.org",
        "contact_form": "https://example.org/contact", "role": "contact"});
    let r = t.post(CONTACTS, None, body.clone()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let contact = create_contact(&t, &key, body).await;
    assert_eq!(
        keys(&contact),
        ["contact_form", "email", "id", "name", "role"],
        "uData's default mask"
    );
    assert_eq!(contact["name"], "Service des eaux");
    assert_eq!(contact["email"], "eaux@example.org");
    assert_eq!(contact["contact_form"], "https://example.org/contact");
    assert_eq!(contact["role"], "contact");
    let shown = get_masked(&t, &contact_path(&contact), "id,owner,organization").await;
    assert_eq!(shown["owner"]["id"], user.id.as_str());
    assert_eq!(shown["organization"], Value::Null);
    let all = get_masked(&t, &contact_path(&contact), "*").await;
    assert_eq!(all["owner"]["slug"], "ada-lovelace");
    assert_eq!(all["name"], "Service des eaux");
    let r = t
        .post(
            CONTACTS,
            Some(&key),
            json!({"name": "Someone", "role": "contact",
            "email": "a@b.fr", "owner": "5f0000000000000000000000"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.json);
    assert!(r.json["errors"]["owner"].is_array(), "{:?}", r.json);
}

async fn a_contact_needs_an_email_or_a_contact_form(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    create_contact(
        &t,
        &key,
        json!({"name": "By form", "contact_form": "https://example.org/form", "role": "contact"}),
    )
    .await;
    create_contact(
        &t,
        &key,
        json!({"name": "By mail", "email": "mail@example.org", "role": "contact"}),
    )
    .await;
    for body in [
        json!({"name": "Nobody", "role": "contact"}),
        json!({"name": "Nobody", "role": "contact", "email": "", "contact_form": null}),
    ] {
        let r = t.post(CONTACTS, Some(&key), body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            r.json["message"],
            "At least an email or a contact form is required for a contact point"
        );
        assert!(r.json["errors"]["email"].is_array(), "{:?}", r.json);
    }
    let roles = t.get(&format!("{CONTACTS}roles/"), None).await.json;
    for role in roles.as_array().unwrap() {
        let id = role["id"].as_str().unwrap();
        if id != "contact" {
            let body = json!({"name": format!("As {id}"), "role": id});
            let contact = create_contact(&t, &key, body).await;
            assert_eq!(contact["email"], Value::Null);
            assert_eq!(contact["contact_form"], Value::Null);
        }
    }
    let mine = t.get("/api/1/users/ada-lovelace/contacts/", None).await;
    assert_eq!(mine.json["total"], 12);
}

async fn invalid_fields_are_400_by_field(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let valid = json!({"name": "N", "email": "n@example.org", "role": "contact"});
    let with = |extra: Value| {
        let mut body = valid.clone();
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    for (body, field) in [
        (with(json!({"email": "not-an-email"})), "email"),
        (with(json!({"contact_form": "not a url"})), "contact_form"),
        (with(json!({"name": ""})), "name"),
        (with(json!({"name": null})), "name"),
        (with(json!({"name": "Visit www.spam.io"})), "name"),
        (with(json!({"name": "n".repeat(256)})), "name"),
        (with(json!({"name": 3})), "name"),
        (json!({"name": "N", "email": "n@example.org"}), "role"),
        (with(json!({"role": null})), "role"),
        (with(json!({"role": "boss"})), "role"),
        (
            with(json!({"organization": "5f0000000000000000000000"})),
            "organization",
        ),
        (json!(["not", "an", "object"]), "__all__"),
    ] {
        let r = t.post(CONTACTS, Some(&key), body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {:?}", r.json);
        assert!(
            r.json["errors"][field].is_array(),
            "{body} should fail on {field}: {:?}",
            r.json
        );
        assert!(r.json["message"].is_string());
    }
    let mine = t.get("/api/1/users/ada-lovelace/contacts/", None).await;
    assert_eq!(mine.json["total"], 0, "nothing half-written");
    let r = t.call(Method::POST, CONTACTS, Some(&key), None, &[]).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

async fn a_duplicate_answers_the_existing_one(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let body = json!({"name": "Dup", "contact_form": "https://example.org/f", "role": "contact"});
    let first = create_contact(&t, &key, body.clone()).await;
    let r = t.post(CONTACTS, Some(&key), body.clone()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["id"], first["id"]);
    // An empty email is no email: still the same contact point.
    let mut same = body.clone();
    same["email"] = json!("");
    let r = t.post(CONTACTS, Some(&key), same).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["id"], first["id"]);
    let mut other_role = body.clone();
    other_role["role"] = json!("publisher");
    create_contact(&t, &key, other_role).await;
    // The same values owned by someone else are another contact point.
    let (_, other_key) = t.user_with_key("Grace", "Hopper", false).await;
    let theirs = create_contact(&t, &other_key, body).await;
    assert_ne!(theirs["id"], first["id"]);
    let mine = t.get("/api/1/users/ada-lovelace/contacts/", None).await;
    assert_eq!(mine.json["total"], 2);
}

async fn creating_for_an_organization_needs_membership(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (user, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let (_, other_key) = t.user_with_key("Grace", "Hopper", false).await;
    let org_a = create_org(&t, &other_key, "Org A").await;
    add_member(&t, org_a["id"].as_str().unwrap(), &user.id, OrgRole::Editor).await;
    let body = json!({"name": "Accueil", "contact_form": "https://example.org/f", "role": "contact",
        "organization": org_a["id"]});
    let contact = create_contact(&t, &key, body.clone()).await;
    let r = t.post(CONTACTS, Some(&key), body.clone()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["id"], contact["id"]);
    let shown = get_masked(&t, &contact_path(&contact), "owner,organization").await;
    assert_eq!(shown["owner"], Value::Null);
    assert_eq!(shown["organization"]["id"], org_a["id"]);
    assert_eq!(shown["organization"]["name"], "Org A");

    let org_b = create_org(&t, &other_key, "Org B").await;
    let mut for_b = body.clone();
    for_b["organization"] = org_b["id"].clone();
    let r = t.post(CONTACTS, Some(&key), for_b.clone()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["organization"].is_array(), "{:?}", r.json);
    let list = t.get(&format!("{}contacts/", org_path(&org_b)), None).await;
    assert_eq!(list.json["total"], 0);
    add_member(&t, org_b["id"].as_str().unwrap(), &user.id, OrgRole::Editor).await;
    let in_b = create_contact(&t, &key, for_b).await;
    assert_ne!(in_b["id"], contact["id"]);
    // Sysadmins create for any organization; the object form of a reference is read too.
    let (_, admin) = t.admin().await;
    let r = t
        .post(
            CONTACTS,
            Some(&admin),
            json!({"name": "Admin made", "role": "publisher",
            "organization": {"id": org_b["id"]}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    let list = t.get(&format!("{}contacts/", org_path(&org_b)), None).await;
    assert_eq!(list.json["total"], 2);
}

async fn roles_are_listed(backend: Backend) {
    let t = TestApp::new(backend).await;
    let r = t.get(&format!("{CONTACTS}roles/"), None).await;
    assert_eq!(r.status, StatusCode::OK);
    let roles = r.json.as_array().unwrap();
    assert_eq!(roles.len(), 11);
    assert_eq!(roles[0], json!({"id": "contact", "label": "Contact"}));
    assert!(roles.contains(&json!({"id": "rightsHolder", "label": "Rights Holder"})));
}

async fn reading_is_public_and_unknown_is_404(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let contact = create_contact(
        &t,
        &key,
        json!({"name": "Lecture", "email": "l@example.org", "role": "contact"}),
    )
    .await;
    let r = t.get(&contact_path(&contact), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json, contact);
    for missing in ["5f0000000000000000000000", "not-an-id"] {
        let r = t.get(&format!("{CONTACTS}{missing}/"), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{missing}");
        assert_eq!(r.json["message"], "Contact point not found");
        let r = t
            .put(&format!("{CONTACTS}{missing}/"), Some(&key), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{missing}");
        let r = t.delete(&format!("{CONTACTS}{missing}/"), Some(&key)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{missing}");
    }
    let r = t
        .call(
            Method::GET,
            &contact_path(&contact),
            None,
            None,
            &[("X-Fields", "id,name")],
        )
        .await;
    assert_eq!(r.json, json!({"id": contact["id"], "name": "Lecture"}));
}

async fn only_the_owner_or_the_organization_edits(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (owner, owner_key) = t.user_with_key("Ada", "Lovelace", false).await;
    let (editor, editor_key) = t.user_with_key("Ed", "Itor", false).await;
    let (_, stranger_key) = t.user_with_key("Str", "Anger", false).await;
    let (_, admin_key) = t.admin().await;
    let org = create_org(&t, &owner_key, "Org").await;
    let org_id = org["id"].as_str().unwrap();
    add_member(&t, org_id, &editor.id, OrgRole::Editor).await;
    let of_org = create_contact(
        &t,
        &owner_key,
        json!({"name": "Org desk", "email": "desk@example.org", "role": "contact",
            "organization": org_id}),
    )
    .await;
    let path = contact_path(&of_org);
    let r = t
        .put(&path, None, json!({"email": "anon@example.org"}))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = t
        .put(
            &path,
            Some(&stranger_key),
            json!({"email": "x@example.org"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(t.get(&path, None).await.json["email"], "desk@example.org");
    let r = t
        .put(
            &path,
            Some(&editor_key),
            json!({"email": "new.email@example.org"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["email"], "new.email@example.org");
    assert_eq!(
        r.json["name"], "Org desk",
        "absent fields keep their values"
    );
    let r = t
        .put(&path, Some(&admin_key), json!({"name": "Renamed by admin"}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(t.get(&path, None).await.json["name"], "Renamed by admin");

    // A user's own contact point: only them (and sysadmins), not their organizations' members.
    let own = create_contact(
        &t,
        &owner_key,
        json!({"name": "Mine", "email": "me@example.org", "role": "contact"}),
    )
    .await;
    let own_path = contact_path(&own);
    let r = t
        .put(&own_path, Some(&editor_key), json!({"name": "Theirs"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t.delete(&own_path, Some(&editor_key)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t
        .put(
            &own_path,
            Some(&owner_key),
            json!({"role": "creator", "email": null}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["email"], Value::Null);
    assert_eq!(r.json["role"], "creator");
    let shown = get_masked(&t, &own_path, "owner").await;
    assert_eq!(shown, json!({"owner": shown["owner"].clone()}));
    assert_eq!(shown["owner"]["id"], owner.id.as_str());
}

async fn updates_are_validated_and_cannot_duplicate(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let (_, other_key) = t.user_with_key("Grace", "Hopper", false).await;
    let a = create_contact(
        &t,
        &key,
        json!({"name": "A", "email": "a@example.org", "role": "contact"}),
    )
    .await;
    let b = create_contact(
        &t,
        &key,
        json!({"name": "B", "email": "b@example.org", "role": "contact"}),
    )
    .await;
    let path = contact_path(&a);
    for (body, field) in [
        (json!({"email": "nope"}), "email"),
        (json!({"name": ""}), "name"),
        (json!({"role": "boss"}), "role"),
        (json!({"email": null}), "email"),
        (json!({"contact_form": "ftp//x"}), "contact_form"),
        (json!({"owner": "5f0000000000000000000000"}), "owner"),
    ] {
        let r = t.put(&path, Some(&key), body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {:?}", r.json);
        assert!(r.json["errors"][field].is_array(), "{body}: {:?}", r.json);
    }
    let org = create_org(&t, &key, "Org").await;
    let r = t
        .put(&path, Some(&key), json!({"organization": org["id"]}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "ownership is not changed here"
    );
    assert!(r.json["errors"]["organization"].is_array());
    let r = t
        .put(
            &path,
            Some(&key),
            json!({"name": "B", "email": "b@example.org"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json["errors"]["__all__"][0],
        "An existing contact point already exists with these informations."
    );
    assert_eq!(t.get(&path, None).await.json, a, "left unchanged");
    // Saving a contact point as it is is not a duplicate of itself.
    let r = t.put(&path, Some(&key), a.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json, a);
    // Someone else's contact point may hold the same values.
    let theirs = create_contact(
        &t,
        &other_key,
        json!({"name": "C", "email": "c@example.org", "role": "contact"}),
    )
    .await;
    let r = t
        .put(
            &contact_path(&theirs),
            Some(&other_key),
            json!({"name": "B", "email": "b@example.org"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(t.get(&contact_path(&b), None).await.json, b);
}

async fn deleting_is_for_editors_and_is_final(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, owner_key) = t.user_with_key("Ada", "Lovelace", false).await;
    let (editor, editor_key) = t.user_with_key("Ed", "Itor", false).await;
    let (_, stranger_key) = t.user_with_key("Str", "Anger", false).await;
    let org = create_org(&t, &owner_key, "Org").await;
    let org_id = org["id"].as_str().unwrap();
    add_member(&t, org_id, &editor.id, OrgRole::Editor).await;
    let contact = create_contact(
        &t,
        &owner_key,
        json!({"name": "Desk", "email": "desk@example.org", "role": "contact",
            "organization": org_id}),
    )
    .await;
    let path = contact_path(&contact);
    assert_eq!(t.delete(&path, None).await.status, StatusCode::UNAUTHORIZED);
    let r = t.delete(&path, Some(&stranger_key)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(t.get(&path, None).await.status, StatusCode::OK);
    let r = t.delete(&path, Some(&editor_key)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(t.get(&path, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        t.delete(&path, Some(&editor_key)).await.status,
        StatusCode::NOT_FOUND
    );
    let list = t.get(&format!("{}contacts/", org_path(&org)), None).await;
    assert_eq!(list.json["total"], 0);
    // The same values can be created again.
    let body = json!({"name": "Desk", "email": "desk@example.org", "role": "contact",
        "organization": org_id});
    create_contact(&t, &owner_key, body).await;
}

async fn organization_and_user_lists_are_paginated(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let org = create_org(&t, &key, "Org").await;
    let mut created = Vec::new();
    for i in 0..3 {
        let contact = create_contact(
            &t,
            &key,
            json!({"name": format!("Org contact {i}"), "role": "publisher",
                "organization": org["id"]}),
        )
        .await;
        created.push(contact);
    }
    for i in 0..2 {
        create_contact(
            &t,
            &key,
            json!({"name": format!("Own contact {i}"), "role": "creator"}),
        )
        .await;
    }
    let contacts = format!("{}contacts/", org_path(&org));
    let r = t.get(&format!("{contacts}?page_size=2"), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["total"], 3);
    assert_eq!(r.json["page_size"], 2);
    assert_eq!(r.json["data"], json!([created[0], created[1]]));
    assert!(
        r.json["next_page"]
            .as_str()
            .unwrap()
            .ends_with("contacts/?page_size=2&page=2")
    );
    let r = t.get(&format!("{contacts}?page_size=2&page=2"), None).await;
    assert_eq!(r.json["data"], json!([created[2]]));
    assert_eq!(r.json["next_page"], Value::Null);
    let r = t.get(&format!("{contacts}?page_size=2&page=3"), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = t.get(&format!("{contacts}?page_size=0"), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let by_slug = t.get("/api/1/organizations/org/contacts/", None).await;
    assert_eq!(by_slug.json["total"], 3);
    let masked = get_masked(&t, &contacts, "data{id,organization},total").await;
    assert_eq!(masked["total"], 3);
    assert_eq!(masked["data"][0]["organization"]["id"], org["id"]);
    assert_eq!(keys(&masked["data"][0]), ["id", "organization"]);

    let r = t.get("/api/1/users/ada-lovelace/contacts/", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json["total"], 2,
        "the user's own, not their organizations'"
    );
    assert_eq!(r.json["data"][0]["name"], "Own contact 0");
    assert_eq!(
        keys(&r.json["data"][0]),
        ["contact_form", "email", "id", "name", "role"]
    );
    let masked = get_masked(&t, "/api/1/users/ada-lovelace/contacts/", "id,owner").await;
    assert_eq!(masked["data"][1]["owner"]["slug"], "ada-lovelace");
    let r = t
        .get("/api/1/users/ada-lovelace/contacts/?page=2", None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn organization_suggestions_match_name_email_or_form(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let org = create_org(&t, &key, "Org").await;
    let other = create_org(&t, &key, "Other").await;
    let in_org = |name: &str, email: Option<&str>, form: Option<&str>, org: &Value| {
        json!({"name": name, "email": email, "contact_form": form, "role": "contact",
            "organization": org["id"]})
    };
    let eau = create_contact(
        &t,
        &key,
        in_org("Service de l'Eau", Some("accueil@ville.fr"), None, &org),
    )
    .await;
    let sig = create_contact(
        &t,
        &key,
        in_org(
            "Cellule SIG",
            None,
            Some("https://carto.example.org/eau-form"),
            &org,
        ),
    )
    .await;
    let mail = create_contact(
        &t,
        &key,
        in_org("Standard", Some("eau@ville.fr"), None, &org),
    )
    .await;
    create_contact(
        &t,
        &key,
        in_org("Eau ailleurs", Some("x@y.fr"), None, &other),
    )
    .await;
    let suggest = format!("{}contacts/suggest/", org_path(&org));
    let ids = |r: &Value| -> Vec<Value> {
        r.as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].clone())
            .collect()
    };
    let r = t.get(&format!("{suggest}?q=EAU"), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        ids(&r.json),
        vec![eau["id"].clone(), sig["id"].clone(), mail["id"].clone()]
    );
    assert_eq!(
        keys(&r.json[0]),
        ["contact_form", "email", "id", "name", "role"]
    );
    let r = t.get(&format!("{suggest}?q=c%C3%A9llule"), None).await;
    assert_eq!(ids(&r.json), vec![sig["id"].clone()], "accents aside");
    let r = t.get(&format!("{suggest}?q=ville.fr&size=1"), None).await;
    assert_eq!(ids(&r.json), vec![eau["id"].clone()]);
    let r = t.get(&format!("{suggest}?q=nothing"), None).await;
    assert_eq!(r.json, json!([]));
    let r = t
        .call(
            Method::GET,
            &format!("{suggest}?q=sig"),
            None,
            None,
            &[("X-Fields", "name,organization{name}")],
        )
        .await;
    assert_eq!(
        r.json,
        json!([{"name": "Cellule SIG", "organization": {"name": "Org"}}])
    );
    for query in ["", "?q=x&size=0"] {
        let r = t.get(&format!("{suggest}{query}"), None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}");
    }
}

async fn datasets_refer_to_contact_points_by_id(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (user, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let (_, other_key) = t.user_with_key("Grace", "Hopper", false).await;
    let mine = create_contact(
        &t,
        &key,
        json!({"name": "Me", "email": "me@example.org", "role": "contact"}),
    )
    .await;
    let publisher = create_contact(&t, &key, json!({"name": "Pub", "role": "publisher"})).await;
    let theirs = create_contact(
        &t,
        &other_key,
        json!({"name": "Them", "email": "them@example.org", "role": "contact"}),
    )
    .await;
    let org = create_org(&t, &key, "Org").await;
    let of_org = create_contact(
        &t,
        &key,
        json!({"name": "Desk", "email": "desk@example.org", "role": "contact",
            "organization": org["id"]}),
    )
    .await;
    let d = create_dataset(
        &t,
        &key,
        json!({"title": "Eau", "description": "d",
            "contact_points": [mine["id"], {"id": publisher["id"]}]}),
    )
    .await;
    assert_eq!(d["owner"]["id"], user.id.as_str());
    assert_eq!(d["contact_points"], json!([mine, publisher]));
    let r = t.get(&dataset_path(&d), None).await;
    assert_eq!(r.json["contact_points"], json!([mine, publisher]));
    let r = t.get("/api/1/datasets/", None).await;
    assert_eq!(
        r.json["data"][0]["contact_points"],
        json!([mine, publisher])
    );
    let r = t.get("/api/2/datasets/search/", None).await;
    assert_eq!(
        r.json["data"][0]["contact_points"],
        json!([mine, publisher])
    );
    // A contact point changed is served changed.
    let r = t
        .put(
            &contact_path(&mine),
            Some(&key),
            json!({"name": "Me again"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = t.get(&dataset_path(&d), None).await;
    assert_eq!(r.json["contact_points"][0]["name"], "Me again");

    let base = json!({"title": "Refused", "description": "d"});
    let with = |points: Value| {
        let mut body = base.clone();
        body["contact_points"] = points;
        body
    };
    for (points, message) in [
        (
            json!(["5f0000000000000000000000"]),
            "Unknown identifiers: 5f0000000000000000000000",
        ),
        (json!(["not-an-id"]), "Unsupported identifier: not-an-id"),
        (
            json!([mine["id"], theirs["id"]]),
            "Wrong contact point id or contact point ownership mismatch",
        ),
        (
            json!([of_org["id"]]),
            "Wrong contact point id or contact point ownership mismatch",
        ),
        (json!([3]), "Expecting a list of identifiers."),
    ] {
        let r = t
            .post("/api/1/datasets/", Some(&key), with(points.clone()))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{points}: {:?}", r.json);
        assert_eq!(r.json["errors"]["contact_points"][0], message, "{points}");
    }
    let r = t.get("/api/1/users/ada-lovelace/contacts/", None).await;
    assert_eq!(r.json["total"], 2);
    assert_eq!(t.get("/api/1/datasets/", None).await.json["total"], 1);

    // An organization's dataset takes the organization's contact points, not its members'.
    let org_dataset = create_dataset(
        &t,
        &key,
        json!({"title": "Org data", "description": "d", "organization": org["id"],
            "contact_points": [of_org["id"]]}),
    )
    .await;
    assert_eq!(org_dataset["contact_points"][0]["id"], of_org["id"]);
    let r = t
        .put(
            &dataset_path(&org_dataset),
            Some(&key),
            json!({"contact_points": [mine["id"]]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["contact_points"].is_array());
    let r = t
        .put(
            &dataset_path(&d),
            Some(&key),
            json!({"contact_points": [publisher["id"]]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["contact_points"], json!([publisher]));
    // An empty list changes nothing (uData's ModelList ignores it); null clears.
    let r = t
        .put(&dataset_path(&d), Some(&key), json!({"contact_points": []}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["contact_points"], json!([publisher]));
    let r = t
        .put(
            &dataset_path(&d),
            Some(&key),
            json!({"contact_points": null}),
        )
        .await;
    assert_eq!(r.json["contact_points"], json!([]));
}

async fn a_deleted_contact_point_leaves_the_datasets(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let kept = create_contact(&t, &key, json!({"name": "Kept", "role": "creator"})).await;
    let gone = create_contact(
        &t,
        &key,
        json!({"name": "Gone", "email": "gone@example.org", "role": "contact"}),
    )
    .await;
    let d = create_dataset(
        &t,
        &key,
        json!({"title": "Eau", "description": "d", "contact_points": [gone["id"], kept["id"]]}),
    )
    .await;
    let r = t.delete(&contact_path(&gone), Some(&key)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = t.get(&dataset_path(&d), None).await;
    assert_eq!(r.json["contact_points"], json!([kept]));
    let r = t.get("/api/1/datasets/", None).await;
    assert_eq!(r.json["data"][0]["contact_points"], json!([kept]));
    let r = t
        .put(
            &dataset_path(&d),
            Some(&key),
            json!({"title": "Eau potable"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["contact_points"], json!([kept]));
    // Sending back what is served is accepted.
    let served = r.json["contact_points"].clone();
    let r = t
        .put(
            &dataset_path(&d),
            Some(&key),
            json!({"contact_points": served}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["contact_points"], json!([kept]));
}

async fn served_datasets_follow_their_contact_points(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let contact = create_contact(
        &t,
        &key,
        json!({"name": "Accueil", "email": "accueil@example.org", "role": "contact"}),
    )
    .await;
    let d = create_dataset(
        &t,
        &key,
        json!({"title": "Eau", "description": "d", "contact_points": [contact["id"]]}),
    )
    .await;
    // Served once, so that the answers are kept by the dataset cache.
    for _ in 0..2 {
        let r = t.get(&dataset_path(&d), None).await;
        assert_eq!(r.json["contact_points"][0]["name"], "Accueil");
        let r = t.get("/api/1/datasets/", None).await;
        assert_eq!(r.json["data"][0]["contact_points"][0]["name"], "Accueil");
    }
    let r = t
        .put(
            &contact_path(&contact),
            Some(&key),
            json!({"name": "Standard", "email": "accueil@example.org", "role": "contact"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    let r = t.get(&dataset_path(&d), None).await;
    assert_eq!(r.json["contact_points"][0]["name"], "Standard");
    let r = t.get("/api/1/datasets/", None).await;
    assert_eq!(r.json["data"][0]["contact_points"][0]["name"], "Standard");
    let r = t.delete(&contact_path(&contact), Some(&key)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = t.get(&dataset_path(&d), None).await;
    assert_eq!(r.json["contact_points"], json!([]));
}

async fn the_spec_describes_contact_points(backend: Backend) {
    let t = TestApp::new(backend).await;
    let spec = t.get("/api/1/swagger.json", None).await.json;
    let model = &spec["components"]["schemas"]["ContactPoint"]["properties"];
    for field in [
        "id",
        "name",
        "email",
        "contact_form",
        "role",
        "owner",
        "organization",
    ] {
        assert!(model[field].is_object(), "{field}: {model}");
    }
    assert!(spec["paths"]["/contacts/{contact_point}/"]["delete"].is_object());
    let page = &spec["components"]["schemas"]["ContactPointPage"]["properties"]["data"];
    assert_eq!(page["items"]["$ref"], "#/components/schemas/ContactPoint");
}

both!(
    creating_needs_a_caller_who_becomes_the_owner,
    a_contact_needs_an_email_or_a_contact_form,
    invalid_fields_are_400_by_field,
    a_duplicate_answers_the_existing_one,
    creating_for_an_organization_needs_membership,
    roles_are_listed,
    reading_is_public_and_unknown_is_404,
    only_the_owner_or_the_organization_edits,
    updates_are_validated_and_cannot_duplicate,
    deleting_is_for_editors_and_is_final,
    organization_and_user_lists_are_paginated,
    organization_suggestions_match_name_email_or_form,
    datasets_refer_to_contact_points_by_id,
    a_deleted_contact_point_leaves_the_datasets,
    served_datasets_follow_their_contact_points,
    the_spec_describes_contact_points,
);
