//! The outbound HTTP client against a real server on 127.0.0.1: what the default policy
//! refuses (before any connection), body limits, statuses, redirects and timeouts.
//!
//! A redirect from a public server to a private IP cannot be set up here (every server a test
//! can start is private); the redirect check itself is unit-tested in `src/outbound/mod.rs`.

use std::time::Duration;

use serde_json::Value;

use crate::common::remote::{LARGE_BODY_BYTES, RemoteSite};
use plateau::outbound::{AddressPolicy, FetchError, MAX_REDIRECTS, Outbound};

fn client(policy: AddressPolicy) -> Outbound {
    Outbound::new(policy, "plateau-tests", Duration::from_secs(10))
}

const MAX: usize = 1024 * 1024;

#[tokio::test]
async fn default_policy_refuses_a_loopback_ip_without_connecting() {
    let site = RemoteSite::start().await;
    let outbound = client(AddressPolicy::PublicOnly);
    for url in [
        site.url("/schemas.json"),
        format!("http://[::1]:{}/schemas.json", site.addr.port()),
        format!("http://[::ffff:127.0.0.1]:{}/", site.addr.port()),
        format!("http://2130706433:{}/", site.addr.port()),
    ] {
        let error = outbound.get_bytes(&url, MAX).await.expect_err("refused");
        assert!(
            matches!(error, FetchError::Refused { .. }),
            "{url}: {error}"
        );
        let message = error.to_string();
        assert!(message.starts_with("refused to fetch http://"), "{message}");
        assert!(message.contains("is a loopback address"), "{message}");
        assert!(message.contains("--allow-private-fetch"), "{message}");
    }
    assert_eq!(site.connections(), 0);
}

#[tokio::test]
async fn default_policy_refuses_a_name_resolving_to_loopback_without_connecting() {
    let site = RemoteSite::start().await;
    let outbound = client(AddressPolicy::PublicOnly);
    let error = outbound
        .get_json::<Value>(&site.localhost_url("/schemas.json"), MAX)
        .await
        .expect_err("refused");
    let FetchError::Refused { reason, .. } = &error else {
        panic!("expected a refusal, got {error}");
    };
    assert!(reason.starts_with("localhost resolves to "), "{reason}");
    assert!(reason.contains("loopback"), "{reason}");
    assert_eq!(site.connections(), 0);
    assert_eq!(site.requests(), 0);
}

#[tokio::test]
async fn only_http_and_https_urls_are_fetched() {
    let outbound = client(AddressPolicy::AllowPrivate);
    for url in ["ftp://127.0.0.1/x", "file:///etc/passwd", "not a url"] {
        let error = outbound.get_bytes(url, MAX).await.expect_err("refused");
        assert!(
            matches!(error, FetchError::Refused { .. }),
            "{url}: {error}"
        );
    }
}

#[tokio::test]
async fn allowed_private_fetch_reads_json_and_names_localhost() {
    let site = RemoteSite::start().await;
    let outbound = client(AddressPolicy::AllowPrivate);
    for url in [
        site.url("/schemas.json"),
        site.localhost_url("/schemas.json"),
    ] {
        let catalog: Value = outbound.get_json(&url, MAX).await.expect("fetched");
        assert_eq!(catalog["schemas"][0]["name"], "remote/first");
    }
    assert_eq!(site.requests(), 2);
}

#[tokio::test]
async fn a_body_over_the_limit_is_too_large() {
    let site = RemoteSite::start().await;
    let outbound = client(AddressPolicy::AllowPrivate);
    // Announced by Content-Length, only seen while reading, and expanded by gzip.
    for path in ["/large", "/large-chunked", "/gzip"] {
        let error = outbound
            .get_bytes(&site.url(path), 1000)
            .await
            .expect_err("too large");
        assert!(
            matches!(
                error,
                FetchError::TooLarge {
                    max_bytes: 1000,
                    ..
                }
            ),
            "{path}: {error}"
        );
    }
    for path in ["/large", "/large-chunked", "/gzip"] {
        let body = outbound
            .get_bytes(&site.url(path), LARGE_BODY_BYTES)
            .await
            .expect("at the limit");
        assert_eq!(body.len(), LARGE_BODY_BYTES, "{path}");
        assert!(body.iter().all(|&b| b == b'x'), "{path}");
    }
}

#[tokio::test]
async fn an_error_status_is_an_http_error() {
    let site = RemoteSite::start().await;
    let error = client(AddressPolicy::AllowPrivate)
        .get_bytes(&site.url("/error"), MAX)
        .await
        .expect_err("500");
    assert!(
        matches!(error, FetchError::Http { status: 500, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("answered HTTP 500"));
}

#[tokio::test]
async fn a_body_that_is_not_json_is_invalid_json() {
    let site = RemoteSite::start().await;
    let error = client(AddressPolicy::AllowPrivate)
        .get_json::<Value>(&site.url("/not-json"), MAX)
        .await
        .expect_err("not JSON");
    assert!(matches!(error, FetchError::InvalidJson { .. }), "{error}");
}

#[tokio::test]
async fn redirects_are_followed_at_most_five_times() {
    let site = RemoteSite::start().await;
    let outbound = client(AddressPolicy::AllowPrivate);
    let catalog: Value = outbound
        .get_json(&site.url("/to-schemas"), MAX)
        .await
        .expect("redirect followed");
    assert_eq!(catalog["schemas"][1]["name"], "remote/second");
    let before = site.requests();
    let error = outbound
        .get_bytes(&site.url("/loop"), MAX)
        .await
        .expect_err("a redirect loop");
    assert!(
        error.to_string().contains("redirects more than 5 times"),
        "{error}"
    );
    assert_eq!(site.requests() - before, 1 + MAX_REDIRECTS);
}

#[tokio::test]
async fn a_slow_server_times_out() {
    let site = RemoteSite::start().await;
    let outbound = Outbound::new(
        AddressPolicy::AllowPrivate,
        "plateau-tests",
        Duration::from_millis(300),
    );
    let error = outbound
        .get_bytes(&site.url("/slow"), MAX)
        .await
        .expect_err("timed out");
    assert!(matches!(error, FetchError::Timeout { .. }), "{error}");
    assert!(error.to_string().contains("--fetch-timeout"), "{error}");
}

#[tokio::test]
async fn a_closed_port_is_a_network_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let error = client(AddressPolicy::AllowPrivate)
        .get_bytes(&format!("http://127.0.0.1:{port}/"), MAX)
        .await
        .expect_err("nothing listens");
    assert!(matches!(error, FetchError::Network { .. }), "{error}");
}
