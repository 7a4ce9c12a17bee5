//! `/users/`: the sysadmin's list and CRUD, public profiles, avatars, roles, suggestions and
//! contacts. Followers are in `user_followers.rs`.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;

use crate::both;
use crate::common::{Backend, Files, TestApp};
use crate::each_store;
use crate::fixtures::{organization, png, upload};
use plateau::domain::{ids, time};

async fn list_users_is_for_sysadmins(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, admin) = t.admin().await;
    let (_, key) = t.user_with_key("Jane", "Doe", false).await;
    assert_eq!(
        t.get("/api/1/users/", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = t.get("/api/1/users/", Some(&key)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        r.json["message"],
        "You do not have the permission to modify that object."
    );
    let r = t.get("/api/1/users/", Some(&admin)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["total"], 2);
    assert_eq!(r.json["page"], 1);
    assert_eq!(r.json["page_size"], 20);
    assert!(r.json["next_page"].is_null());
    let jane = &r.json["data"][0];
    assert_eq!(jane["first_name"], "Jane");
    assert!(jane["email"].as_str().unwrap().starts_with("jane."));
    for field in [
        "id",
        "slug",
        "avatar",
        "avatar_thumbnail",
        "website",
        "about",
        "roles",
        "active",
        "organizations",
        "since",
        "last_login_at",
        "uri",
        "page",
    ] {
        assert!(jane.get(field).is_some(), "{field} missing");
    }
    assert_eq!(
        jane["metrics"],
        json!({"datasets": 0, "reuses": 0, "dataservices": 0, "following": 0, "followers": 0})
    );
}

async fn list_users_filters_sorts_and_paginates(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, admin) = t.admin().await;
    let (gone, _) = t.user_with_key("Zoé", "Gone", false).await;
    t.user_with_key("Zoé", "Martin", false).await;
    t.user_with_key("Albert", "Camus", false).await;
    t.store().delete_user(&gone, time::now()).await.unwrap();
    let r = t.get("/api/1/users/?q=zoe", Some(&admin)).await;
    assert_eq!(
        r.json["total"], 1,
        "deleted users are not listed: {:?}",
        r.json
    );
    assert_eq!(r.json["data"][0]["last_name"], "Martin");
    let r = t
        .get("/api/1/users/?sort=first_name&page_size=1", Some(&admin))
        .await;
    assert_eq!(r.json["total"], 3);
    assert_eq!(r.json["data"][0]["first_name"], "Admin");
    assert_eq!(
        r.json["next_page"],
        "http://plateau.test/api/1/users/?sort=first_name&page_size=1&page=2"
    );
    let r = t
        .get(
            "/api/1/users/?sort=-first_name&page_size=1&page=2",
            Some(&admin),
        )
        .await;
    assert_eq!(r.json["data"][0]["first_name"], "Albert");
    assert!(r.json["previous_page"].is_string());
    for sort in ["followers", "-created", "datasets", "-views"] {
        let r = t
            .get(&format!("/api/1/users/?sort={sort}"), Some(&admin))
            .await;
        assert_eq!(r.status, StatusCode::OK, "sort={sort}");
    }
    let r = t.get("/api/1/users/?sort=email", Some(&admin)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["sort"].is_array());
    for bad in [
        "page_size=0",
        "page_size=abc",
        "page=-1",
        "page_size=100000",
    ] {
        let r = t.get(&format!("/api/1/users/?{bad}"), Some(&admin)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    let r = t.get("/api/1/users/?page=9", Some(&admin)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn x_fields_masks_users_inside_the_envelope(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, admin) = t.admin().await;
    let r = t
        .call(
            Method::GET,
            "/api/1/users/",
            Some(&admin),
            None,
            &[("X-Fields", "id,first_name,metrics{followers}")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["total"], 1);
    let user = r.json["data"][0].as_object().unwrap();
    assert_eq!(user.len(), 3);
    assert_eq!(r.json["data"][0]["metrics"], json!({"followers": 0}));
}

async fn sysadmin_creates_a_user(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, admin) = t.admin().await;
    let body = json!({"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org",
        "about": "Analyst", "website": "https://ada.example.org", "roles": ["admin"],
        "password": "not accepted here", "slug": "ignored"});
    let r = t.post("/api/1/users/", Some(&admin), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    assert_eq!(r.json["slug"], "ada-lovelace");
    assert_eq!(r.json["email"], "ada@example.org");
    assert_eq!(r.json["roles"], json!(["admin"]));
    assert_eq!(r.json["active"], true);
    assert_eq!(r.json["organizations"], json!([]));
    assert_eq!(
        r.json["uri"],
        "http://plateau.test/api/1/users/ada-lovelace/"
    );
    let id = r.json["id"].as_str().unwrap().to_owned();
    assert!(t.store().password_hash(&id).await.unwrap().is_none());
    let r = t.get(&format!("/api/1/users/{id}/"), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["about"], "Analyst");
    // The same name gets the next free slug.
    let r = t
        .post(
            "/api/1/users/",
            Some(&admin),
            json!({"first_name": "Ada", "last_name": "Lovelace", "email": "ada2@example.org"}),
        )
        .await;
    assert_eq!(r.json["slug"], "ada-lovelace-1");
}

async fn creating_a_user_validates_by_field(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, admin) = t.admin().await;
    let (_, key) = t.user_with_key("Jane", "Doe", false).await;
    let valid = json!({"first_name": "A", "last_name": "B", "email": "a@example.org"});
    assert_eq!(
        t.post("/api/1/users/", None, valid.clone()).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        t.post("/api/1/users/", Some(&key), valid.clone())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = t.post("/api/1/users/", Some(&admin), json!({})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    for field in ["first_name", "last_name", "email"] {
        assert!(r.json["errors"][field].is_array(), "{field}: {:?}", r.json);
    }
    let cases = [
        (json!({"email": "not-an-email"}), "email"),
        (
            json!({"first_name": "See https://spam.example"}),
            "first_name",
        ),
        (json!({"last_name": "x".repeat(256)}), "last_name"),
        (json!({"website": "ftp://nope"}), "website"),
        (json!({"roles": ["wizard"]}), "roles"),
        (json!({"roles": "admin"}), "roles"),
        (json!({"active": "yes"}), "active"),
        (json!({"first_name": 42}), "first_name"),
    ];
    for (change, field) in cases {
        let mut body = valid.clone();
        body.as_object_mut()
            .unwrap()
            .extend(change.as_object().unwrap().clone());
        let r = t.post("/api/1/users/", Some(&admin), body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{field}");
        assert!(r.json["errors"][field].is_array(), "{field}: {:?}", r.json);
    }
    assert_eq!(
        t.post("/api/1/users/", Some(&admin), valid.clone())
            .await
            .status,
        StatusCode::CREATED
    );
    let mut duplicate = valid.clone();
    duplicate["email"] = json!("A@Example.org");
    let r = t.post("/api/1/users/", Some(&admin), duplicate).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["email"].is_array(), "{:?}", r.json);
    let malformed = Request::builder()
        .method(Method::POST)
        .uri("/api/1/users/")
        .header("X-API-KEY", &admin)
        .header("content-type", "application/json")
        .body(Body::from("{\"first_name\": "))
        .unwrap();
    assert_eq!(t.send(malformed).await.status, StatusCode::BAD_REQUEST);
    let r = t
        .call(
            Method::POST,
            "/api/1/users/",
            Some(&admin),
            None,
            &[("content-type", "text/plain")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

async fn profiles_are_public_by_id_or_slug(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, admin) = t.admin().await;
    let (jane, key) = t.user_with_key("Jane", "Doe", false).await;
    let org = organization(&t, "Ministère des Tests", &jane.id).await;
    let r = t.get(&format!("/api/1/users/{}/", jane.id), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["slug"], "jane-doe");
    assert!(r.json["email"].is_null(), "anonymous sees no email");
    assert!(r.json["last_login_at"].is_null());
    assert_eq!(r.json["organizations"][0]["id"], org);
    assert_eq!(r.json["organizations"][0]["class"], "Organization");
    assert_eq!(r.json["organizations"][0]["slug"], "ministere-des-tests");
    let r = t.get("/api/1/users/jane-doe/", Some(&key)).await;
    assert_eq!(r.json["id"], jane.id);
    assert!(
        r.json["email"].is_null(),
        "as in uData, the owner sees their email on /me/"
    );
    let r = t.get("/api/1/users/jane-doe/", Some(&admin)).await;
    assert_eq!(r.json["email"], jane.email);
    let r = t
        .get("/api/1/users/Jane%20Doe/contacts/?page=1", None)
        .await;
    assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        r.header("location"),
        Some("http://plateau.test/api/1/users/jane-doe/contacts/?page=1")
    );
    let r = t.get("/api/1/users/nobody/", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.json["message"].is_string());
    let r = t
        .get(&format!("/api/1/users/{}/", ids::object_id()), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A deleted organization is not listed.
    let mut deleted = t.store().organization_by_id(&org).await.unwrap().unwrap();
    t.store()
        .delete_organization(&mut deleted, time::now())
        .await
        .unwrap();
    let r = t.get("/api/1/users/jane-doe/", None).await;
    assert_eq!(r.json["organizations"], json!([]));
}

async fn inactive_and_deleted_users_are_gone_except_for_sysadmins(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, admin) = t.admin().await;
    let (_, key) = t.user_with_key("Any", "One", false).await;
    let (sleepy, _) = t.user_with_key("Sleepy", "User", false).await;
    let r = t
        .put(
            &format!("/api/1/users/{}/", sleepy.id),
            Some(&admin),
            json!({"active": false}),
        )
        .await;
    assert_eq!(r.json["active"], false);
    let path = format!("/api/1/users/{}/", sleepy.id);
    let r = t.get(&path, Some(&key)).await;
    assert_eq!(r.status, StatusCode::GONE);
    assert_eq!(r.json["message"], "User is not active");
    assert_eq!(t.get(&path, Some(&admin)).await.status, StatusCode::OK);
    let (gone, _) = t.user_with_key("Gone", "User", false).await;
    let r = t
        .delete(&format!("/api/1/users/{}/", gone.id), Some(&admin))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let path = format!("/api/1/users/{}/", gone.id);
    assert_eq!(t.get(&path, None).await.status, StatusCode::GONE);
    let r = t.get(&path, Some(&admin)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["first_name"], "DELETED");
    assert_eq!(r.json["email"], format!("{}@deleted", gone.id));
    assert_eq!(r.json["slug"], format!("deleted-{}", gone.id));
    // The name-made slug went with the name.
    assert_eq!(
        t.get("/api/1/users/gone-user/", None).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn sysadmin_updates_a_user(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, admin) = t.admin().await;
    let (jane, key) = t.user_with_key("Jane", "Doe", false).await;
    t.user_with_key("Other", "Person", false).await;
    let path = format!("/api/1/users/{}/", jane.id);
    let body = json!({"first_name": "Janet"});
    assert_eq!(
        t.put(&path, None, body.clone()).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        t.put(&path, Some(&key), body.clone()).await.status,
        StatusCode::FORBIDDEN
    );
    // What GET returned can be sent back whole.
    let mut whole = t.get(&path, Some(&admin)).await.json;
    whole["first_name"] = json!("Janet");
    whole["roles"] = json!(["admin"]);
    whole["website"] = json!("https://janet.example.org");
    let r = t.put(&path, Some(&admin), whole).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["first_name"], "Janet");
    assert_eq!(r.json["last_name"], "Doe");
    assert_eq!(r.json["roles"], json!(["admin"]));
    assert_eq!(r.json["slug"], "jane-doe", "users' slugs never change");
    assert_eq!(
        t.get("/api/1/users/", Some(&key)).await.status,
        StatusCode::OK,
        "the new role applies at once"
    );
    let r = t.put(&path, Some(&admin), json!({"roles": []})).await;
    assert_eq!(r.json["roles"], json!([]));
    let r = t.put(&path, Some(&admin), json!({"roles": ["root"]})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["roles"].is_array());
    let r = t.put(&path, Some(&admin), json!({"website": "foo"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["website"].is_array());
    let r = t.put(&path, Some(&admin), json!({"first_name": ""})).await;
    assert!(r.json["errors"]["first_name"].is_array());
    let other_email = format!("other.{}@example.org", ids::object_id());
    let r = t
        .put(&path, Some(&admin), json!({"email": other_email}))
        .await;
    assert_eq!(r.json["email"], other_email);
    let (taken, _) = t.user_with_key("Taken", "Address", false).await;
    let r = t
        .put(&path, Some(&admin), json!({"email": taken.email}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["email"].is_array());
    t.delete(&path, Some(&admin)).await;
    let r = t
        .put(&path, Some(&admin), json!({"first_name": "Back"}))
        .await;
    assert_eq!(r.status, StatusCode::GONE);
}

async fn sysadmin_deletes_a_user_but_not_themself(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (me, admin) = t.admin().await;
    let (jane, key) = t.user_with_key("Jane", "Doe", false).await;
    let (other, other_key) = t.user_with_key("Other", "Person", false).await;
    let org = organization(&t, "Shared", &jane.id).await;
    t.store()
        .add_member(
            &org,
            &other.id,
            plateau::domain::organization::OrgRole::Editor,
            time::now(),
        )
        .await
        .unwrap();
    let path = format!("/api/1/users/{}/", jane.id);
    assert_eq!(t.delete(&path, None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        t.delete(&path, Some(&other_key)).await.status,
        StatusCode::FORBIDDEN
    );
    let r = t
        .delete(&format!("/api/1/users/{}/", me.id), Some(&admin))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.json["message"].as_str().unwrap().contains("me"));
    let r = t
        .delete(
            &format!("{path}?no_mail=true&delete_comments=false&send_legal_notice=1"),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(r.body.is_empty());
    assert_eq!(t.delete(&path, Some(&admin)).await.status, StatusCode::GONE);
    assert_eq!(
        t.get("/api/1/me/", Some(&key)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let members = t.store().members_of(&org).await.unwrap();
    assert_eq!(members.len(), 1, "memberships go with the account");
    assert_eq!(members[0].1.id, other.id);
}

async fn a_deleted_user_no_longer_counts_among_followers(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, admin) = t.admin().await;
    let (_, owner_key) = t.user_with_key("Ada", "Lovelace", false).await;
    let (jane, key) = t.user_with_key("Jane", "Doe", false).await;
    let d = crate::datasets::create_dataset(
        &t,
        &owner_key,
        json!({"title": "Eau", "description": "d"}),
    )
    .await;
    let dataset = crate::datasets::dataset_path(&d);
    let r = t
        .post(&format!("{dataset}followers/"), Some(&key), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    assert_eq!(t.get(&dataset, None).await.json["metrics"]["followers"], 1);
    let r = t
        .delete(&format!("/api/1/users/{}/", jane.id), Some(&admin))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(t.get(&dataset, None).await.json["metrics"]["followers"], 0);
}

async fn sysadmin_uploads_an_avatar(backend: Backend, files: Files) {
    let t = TestApp::with_files(backend, files).await;
    let (_, admin) = t.admin().await;
    let (jane, key) = t.user_with_key("Jane", "Doe", false).await;
    let path = format!("/api/1/users/{}/avatar/", jane.id);
    let r = t.send(upload(&path, None, &png(10, 10), None)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = t.send(upload(&path, Some(&key), &png(10, 10), None)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t
        .send(upload(
            &path,
            Some(&admin),
            &png(640, 480),
            Some("0,0,300,300"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["success"], true);
    let image = r.json["image"].as_str().unwrap().to_owned();
    let profile = t
        .get(&format!("/api/1/users/{}/", jane.id), None)
        .await
        .json;
    assert_eq!(profile["avatar"], image);
    let thumbnail = profile["avatar_thumbnail"].as_str().unwrap().to_owned();
    let served = t
        .get(thumbnail.strip_prefix("http://plateau.test").unwrap(), None)
        .await;
    assert_eq!(served.status, StatusCode::OK);
    let decoded = image::load_from_memory(&served.body).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (500, 500));
    // A new avatar replaces the old files.
    let r = t
        .send(upload(&path, Some(&admin), &png(20, 20), None))
        .await;
    assert_ne!(r.json["image"], image);
    let old = t
        .get(image.strip_prefix("http://plateau.test").unwrap(), None)
        .await;
    assert_eq!(old.status, StatusCode::NOT_FOUND);
    let r = t
        .send(upload(&path, Some(&admin), b"GIF89a not accepted", None))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["file"].is_array());
    let r = t.post(&path, Some(&admin), json!({"file": "x"})).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let r = t
        .send(upload(
            &format!("/api/1/users/{}/avatar/", ids::object_id()),
            Some(&admin),
            &png(10, 10),
            None,
        ))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn contacts_roles_and_suggestions(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, admin) = t.admin().await;
    let (jane, _) = t.user_with_key("Jane", "Doe", false).await;
    let (_, _) = t.user_with_key("Janet", "Doering", false).await;
    let (gone, _) = t.user_with_key("Jane", "Gone", false).await;
    t.store().delete_user(&gone, time::now()).await.unwrap();
    let r = t.get("/api/1/users/jane-doe/contacts/", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json,
        json!({"data": [], "page": 1, "page_size": 20, "total": 0, "next_page": null, "previous_page": null})
    );
    assert_eq!(
        t.get("/api/1/users/nobody/contacts/", None).await.status,
        StatusCode::NOT_FOUND
    );
    let r = t.get("/api/1/users/roles/", None).await;
    assert_eq!(r.json, json!([{"name": "admin"}]));
    let r = t.get("/api/1/users/suggest/?q=Jan%C3%A9%20D", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let suggestions = r.json.as_array().unwrap();
    assert_eq!(suggestions.len(), 1, "{suggestions:?}");
    assert_eq!(suggestions[0]["id"], jane.id);
    assert_eq!(suggestions[0]["slug"], "jane-doe");
    assert_eq!(suggestions[0]["email"], "***@example.org");
    assert!(suggestions[0]["avatar_url"].is_null());
    let r = t
        .get("/api/1/users/suggest/?q=doe&size=1", Some(&admin))
        .await;
    let suggestions = r.json.as_array().unwrap();
    assert_eq!(suggestions.len(), 1);
    assert!(
        suggestions[0]["email"]
            .as_str()
            .unwrap()
            .starts_with("janet.")
    );
    let r = t.get("/api/1/users/suggest/?q=jane", None).await;
    assert_eq!(r.json.as_array().unwrap().len(), 2, "deleted excluded");
    let r = t.get("/api/1/users/suggest/", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["q"].is_array());
    for size in ["0", "21", "abc", "-1"] {
        let r = t
            .get(&format!("/api/1/users/suggest/?q=a&size={size}"), None)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "size={size}");
        assert!(
            r.json["errors"]["size"][0]
                .as_str()
                .unwrap()
                .contains("between 1 and 20")
        );
    }
}

both!(
    list_users_is_for_sysadmins,
    list_users_filters_sorts_and_paginates,
    x_fields_masks_users_inside_the_envelope,
    sysadmin_creates_a_user,
    creating_a_user_validates_by_field,
    profiles_are_public_by_id_or_slug,
    inactive_and_deleted_users_are_gone_except_for_sysadmins,
    sysadmin_updates_a_user,
    sysadmin_deletes_a_user_but_not_themself,
    a_deleted_user_no_longer_counts_among_followers,
    contacts_roles_and_suggestions
);
each_store!(sysadmin_uploads_an_avatar);
