//! The one HTTP client of the server for everything it fetches from elsewhere (the schema
//! catalogue, geozone exports; later harvested catalogues and link checks), safe by default.
//!
//! Every address the client connects to is checked against the [`AddressPolicy`]: hostnames
//! by the resolver, after resolution, so a name pointing at a private address (or changing to
//! one between two lookups) cannot get past it; IP literals, which reqwest never resolves,
//! before sending and on every redirect. System proxies are ignored, since a proxy would
//! resolve names where the check cannot see them. Bodies are read up to a limit, never
//! buffered beyond it.

pub mod address;

use std::error::Error as StdError;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::redirect;
use serde::de::DeserializeOwned;
use url::{Host, Url};

pub use address::{AddressPolicy, NonPublic};

/// Redirects followed before a fetch fails.
pub const MAX_REDIRECTS: usize = 5;

/// Time allowed to open a connection (TCP and TLS).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a fetch failed; the messages say what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The URL or an address it leads to is not allowed; nothing was sent to it.
    #[error("refused to fetch {url}: {reason}")]
    Refused { url: String, reason: String },
    /// The remote server answered with a status other than 2xx.
    #[error("{url} answered HTTP {status}; check the URL, or retry later if the server is down")]
    Http { url: String, status: u16 },
    /// The body is longer than the caller accepts.
    #[error("{url} sent more than {max_bytes} bytes, the most accepted here")]
    TooLarge { url: String, max_bytes: usize },
    /// No complete answer within the time allowed (`--fetch-timeout`).
    #[error("fetching {url} took longer than {timeout:?}; retry later or raise --fetch-timeout")]
    Timeout { url: String, timeout: Duration },
    /// The connection failed: DNS, TCP, TLS or HTTP protocol.
    #[error("cannot fetch {url}: {message}")]
    Network { url: String, message: String },
    /// The body is not the JSON expected.
    #[error("{url} did not send the JSON expected: {message}")]
    InvalidJson { url: String, message: String },
}

/// Why the client will not send a request, carried through reqwest's errors from the resolver
/// and the redirect policy.
#[derive(Debug, thiserror::Error)]
enum Refusal {
    #[error("only http and https URLs can be fetched")]
    Scheme,
    #[error("{ip} is {kind}; {ALLOW_HINT}")]
    Address { ip: IpAddr, kind: NonPublic },
    #[error("{host} resolves to {ip}, {kind}; {ALLOW_HINT}")]
    Resolved {
        host: String,
        ip: IpAddr,
        kind: NonPublic,
    },
    #[error("it redirects to {to}, and {reason}")]
    Redirect { to: String, reason: Box<Refusal> },
    #[error("it redirects more than {MAX_REDIRECTS} times")]
    TooManyRedirects,
}

const ALLOW_HINT: &str =
    "start Plateau with --allow-private-fetch (PLATEAU_ALLOW_PRIVATE_FETCH=true) to allow it";

/// The outbound HTTP client: one per server, shared (connections are pooled). Cheap to clone.
#[derive(Clone)]
pub struct Outbound {
    client: reqwest::Client,
    policy: AddressPolicy,
    timeout: Duration,
}

impl Outbound {
    /// A client that connects only where `policy` allows, sends `user_agent`, and gives each
    /// fetch `timeout` from connecting to the end of the body.
    pub fn new(policy: AddressPolicy, user_agent: &str, timeout: Duration) -> Self {
        let builder = || {
            reqwest::Client::builder()
                .user_agent(user_agent)
                .no_proxy()
                .dns_resolver(CheckedResolver { policy })
                .redirect(redirect::Policy::custom(move |attempt| {
                    let visited = attempt.previous().len();
                    match redirect_refusal(policy, attempt.url(), visited) {
                        Some(refusal) => attempt.error(refusal),
                        None => attempt.follow(),
                    }
                }))
                .connect_timeout(CONNECT_TIMEOUT)
                .timeout(timeout)
        };
        let client = builder().build().unwrap_or_else(|error| {
            // A system without CA certificates (a bare container): keep the server up; plain
            // HTTP works and HTTPS fetches fail with an unknown-issuer error.
            tracing::warn!(
                error = %source_chain(&error),
                "no usable CA certificates on this system: HTTPS fetches will fail \
                 (install the ca-certificates package)"
            );
            builder()
                .tls_certs_only([])
                .build()
                .expect("a client without root certificates needs no system resource")
        });
        Outbound {
            client,
            policy,
            timeout,
        }
    }

    /// Which addresses this client may reach.
    pub fn policy(&self) -> AddressPolicy {
        self.policy
    }

    /// GETs `url` and returns its body, failing with [`FetchError::TooLarge`] as soon as more
    /// than `max_bytes` arrive (counted after decompression).
    pub async fn get_bytes(&self, url: &str, max_bytes: usize) -> Result<Vec<u8>, FetchError> {
        let refused = |reason: String| FetchError::Refused {
            url: url.to_owned(),
            reason,
        };
        let target = Url::parse(url).map_err(|e| refused(format!("not a valid URL ({e})")))?;
        if let Some(refusal) = target_refusal(self.policy, &target) {
            return Err(refused(refusal.to_string()));
        }
        let mut response = self
            .client
            .get(target)
            .send()
            .await
            .map_err(|e| self.failure(url, e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(FetchError::Http {
                url: url.to_owned(),
                status: status.as_u16(),
            });
        }
        let too_large = || FetchError::TooLarge {
            url: url.to_owned(),
            max_bytes,
        };
        let announced = response.content_length().unwrap_or(0);
        if announced > u64::try_from(max_bytes).unwrap_or(u64::MAX) {
            return Err(too_large());
        }
        let mut body = Vec::with_capacity(usize::try_from(announced).unwrap_or(0));
        while let Some(chunk) = response.chunk().await.map_err(|e| self.failure(url, e))? {
            if body.len() + chunk.len() > max_bytes {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// GETs `url` and reads its body (at most `max_bytes`) as JSON.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        url: &str,
        max_bytes: usize,
    ) -> Result<T, FetchError> {
        let body = self.get_bytes(url, max_bytes).await?;
        serde_json::from_slice(&body).map_err(|e| FetchError::InvalidJson {
            url: url.to_owned(),
            message: e.to_string(),
        })
    }

    /// Reads what `location` names, at most `max_bytes`: an `http(s)` URL is fetched (as
    /// [`Outbound::get_bytes`]), a `file://` URL or any other text is a local path. The error
    /// says what to do about it.
    pub async fn read_location(&self, location: &str, max_bytes: usize) -> Result<Vec<u8>, String> {
        match location.split_once("://") {
            Some(("http" | "https", _)) => self
                .get_bytes(location, max_bytes)
                .await
                .map_err(|e| e.to_string()),
            Some(("file", path)) => read_file(path, max_bytes).await,
            Some((scheme, _)) => Err(format!(
                "unsupported URL scheme {scheme}: give an http(s) URL, a file:// URL or a path"
            )),
            None => read_file(location, max_bytes).await,
        }
    }

    fn failure(&self, url: &str, error: reqwest::Error) -> FetchError {
        let url = url.to_owned();
        if let Some(refusal) = find_in_chain::<Refusal>(&error) {
            return FetchError::Refused {
                url,
                reason: refusal.to_string(),
            };
        }
        if error.is_timeout() {
            return FetchError::Timeout {
                url,
                timeout: self.timeout,
            };
        }
        // reqwest's own message only repeats the URL; the causes say what went wrong.
        let message = match error.source() {
            Some(cause) => source_chain(cause),
            None => error.to_string(),
        };
        FetchError::Network { url, message }
    }
}

/// Why `url` may not be requested: a scheme other than http(s), or an IP-literal host the
/// policy refuses. Hostnames are left to the resolver.
fn target_refusal(policy: AddressPolicy, url: &Url) -> Option<Refusal> {
    if !matches!(url.scheme(), "http" | "https") {
        return Some(Refusal::Scheme);
    }
    let ip = match url.host()? {
        Host::Domain(_) => return None,
        Host::Ipv4(v4) => IpAddr::V4(v4),
        Host::Ipv6(v6) => IpAddr::V6(v6),
    };
    policy.refusal(ip).map(|kind| Refusal::Address { ip, kind })
}

/// Why a redirect to `next` may not be followed, `visited` URLs (the first request included)
/// into the fetch.
fn redirect_refusal(policy: AddressPolicy, next: &Url, visited: usize) -> Option<Refusal> {
    if visited > MAX_REDIRECTS {
        return Some(Refusal::TooManyRedirects);
    }
    target_refusal(policy, next).map(|reason| Refusal::Redirect {
        to: next.to_string(),
        reason: Box::new(reason),
    })
}

/// A local file, at most `max_bytes`.
async fn read_file(path: &str, max_bytes: usize) -> Result<Vec<u8>, String> {
    use tokio::io::AsyncReadExt;
    let file = tokio::fs::File::open(path)
        .await
        .map_err(|e| format!("cannot open {path}: {e}"))?;
    let mut document = Vec::new();
    file.take(max_bytes as u64 + 1)
        .read_to_end(&mut document)
        .await
        .map_err(|e| format!("cannot read {path}: {e}"))?;
    if document.len() > max_bytes {
        return Err(format!(
            "{path} is larger than {max_bytes} bytes, the most accepted"
        ));
    }
    Ok(document)
}

/// Resolves hostnames with the system resolver (through tokio) and keeps only the addresses
/// the policy allows, so the connection can only go to those.
struct CheckedResolver {
    policy: AddressPolicy,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut refused = None;
            let allowed: Vec<SocketAddr> = resolved
                .into_iter()
                .filter(|address| match policy.refusal(address.ip()) {
                    Some(kind) => {
                        refused.get_or_insert((address.ip(), kind));
                        false
                    }
                    None => true,
                })
                .collect();
            match (allowed.is_empty(), refused) {
                (true, Some((ip, kind))) => {
                    Err(Box::new(Refusal::Resolved { host, ip, kind }) as _)
                }
                _ => Ok(Box::new(allowed.into_iter()) as Addrs),
            }
        })
    }
}

fn find_in_chain<'a, T: StdError + 'static>(error: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(found) = error.downcast_ref::<T>() {
            return Some(found);
        }
        current = error.source();
    }
    None
}

/// An error with its causes, `outer: inner: root` (reqwest's own message rarely says why).
fn source_chain(error: &(dyn StdError + 'static)) -> String {
    let mut message = error.to_string();
    let mut current = error.source();
    while let Some(cause) = current {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        current = cause.source();
    }
    message
}

/// The user agent of outbound requests: the software and where to find the portal.
pub fn user_agent(base_url: &str) -> String {
    format!("Plateau/{} (+{base_url})", env!("CARGO_PKG_VERSION"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).expect("a test URL")
    }

    #[test]
    fn only_http_and_https_are_fetched() {
        for text in [
            "ftp://example.org/x",
            "file:///etc/passwd",
            "gopher://example.org/",
        ] {
            assert!(matches!(
                target_refusal(AddressPolicy::AllowPrivate, &url(text)),
                Some(Refusal::Scheme)
            ));
        }
        assert!(target_refusal(AddressPolicy::PublicOnly, &url("https://example.org/")).is_none());
    }

    #[test]
    fn ip_literals_are_checked_in_every_spelling() {
        for text in [
            "http://127.0.0.1/",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://0177.0.0.1/",
            "http://[::1]:8080/",
            "http://[::ffff:127.0.0.1]/",
            "http://169.254.169.254/latest/meta-data/",
            "http://0.0.0.0:7000/",
        ] {
            let refusal = target_refusal(AddressPolicy::PublicOnly, &url(text));
            assert!(
                matches!(refusal, Some(Refusal::Address { .. })),
                "{text} must be refused"
            );
            assert!(target_refusal(AddressPolicy::AllowPrivate, &url(text)).is_none());
        }
        assert!(target_refusal(AddressPolicy::PublicOnly, &url("http://8.8.8.8/")).is_none());
    }

    #[test]
    fn redirect_to_a_private_ip_is_refused() {
        let refusal = redirect_refusal(AddressPolicy::PublicOnly, &url("http://10.0.0.1/x"), 1)
            .expect("refused");
        assert_eq!(
            refusal.to_string(),
            "it redirects to http://10.0.0.1/x, and 10.0.0.1 is a private-network address; \
             start Plateau with --allow-private-fetch (PLATEAU_ALLOW_PRIVATE_FETCH=true) to allow it"
        );
        assert!(
            redirect_refusal(AddressPolicy::PublicOnly, &url("https://[fd00::1]/"), 1).is_some()
        );
        assert!(
            redirect_refusal(AddressPolicy::PublicOnly, &url("ftp://example.org/"), 1).is_some()
        );
        assert!(
            redirect_refusal(AddressPolicy::PublicOnly, &url("https://example.org/"), 1).is_none()
        );
        assert!(
            redirect_refusal(AddressPolicy::AllowPrivate, &url("http://10.0.0.1/"), 1).is_none()
        );
    }

    #[test]
    fn a_sixth_redirect_is_refused() {
        let next = url("https://example.org/");
        assert!(redirect_refusal(AddressPolicy::PublicOnly, &next, MAX_REDIRECTS).is_none());
        assert!(matches!(
            redirect_refusal(AddressPolicy::PublicOnly, &next, MAX_REDIRECTS + 1),
            Some(Refusal::TooManyRedirects)
        ));
    }
}
