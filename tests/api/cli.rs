//! The `plateau` binary: `user create` and `user api-key` on the store of a running server,
//! which sees their changes on its next request.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::both;
use crate::common::remote::RemoteSite;
use crate::common::{Backend, create_pg_database};

const BIN: &str = env!("CARGO_BIN_EXE_plateau");

/// A `plateau` command with no configuration leaking in from the environment.
pub(crate) fn plateau() -> Command {
    let mut command = Command::new(BIN);
    for var in [
        "PLATEAU_DATA_DIR",
        "PLATEAU_DATABASE_URL",
        "PLATEAU_SECRET_KEY",
        "PLATEAU_BASE_URL",
        "PLATEAU_LISTEN",
        "PLATEAU_READ_ONLY",
        "PLATEAU_SCHEMA_CATALOG_URL",
        "PLATEAU_ALLOW_PRIVATE_FETCH",
        "PLATEAU_FETCH_TIMEOUT",
        "PLATEAU_METRICS_LISTEN",
        "PLATEAU_FILES_URL",
    ] {
        command.env_remove(var);
    }
    command
}

fn run(args: &[&str]) -> Output {
    plateau()
        .args(args)
        .output()
        .expect("the plateau binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A `plateau serve` child process, killed when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(storage: &[String]) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = plateau()
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(storage)
            .env("PLATEAU_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("plateau serve starts");
        let server = Server { child, port };
        let deadline = Instant::now() + Duration::from_secs(30);
        while server.get("/health", None).0 != 200 {
            assert!(Instant::now() < deadline, "the server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// A plain HTTP/1.1 GET: status and JSON body (status 0 when nothing answers).
    fn get(&self, path: &str, key: Option<&str>) -> (u16, Value) {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return (0, Value::Null);
        };
        let key_header = key
            .map(|k| format!("X-API-KEY: {k}\r\n"))
            .unwrap_or_default();
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{key_header}Connection: close\r\n\r\n"
        );
        if stream.write_all(request.as_bytes()).is_err() {
            return (0, Value::Null);
        }
        let mut raw = Vec::new();
        if stream.read_to_end(&mut raw).is_err() {
            return (0, Value::Null);
        }
        let text = String::from_utf8_lossy(&raw);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let chunked = head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked");
        let body = if chunked {
            dechunk(body)
        } else {
            body.to_owned()
        };
        (status, serde_json::from_str(&body).unwrap_or(Value::Null))
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

fn storage_args(dir: &Path, database_url: Option<&str>) -> Vec<String> {
    let mut args = vec!["--data-dir".to_owned(), dir.display().to_string()];
    if let Some(url) = database_url {
        args.extend(["--database-url".to_owned(), url.to_owned()]);
    }
    args
}

async fn cli_manages_users_of_a_running_server(backend: Backend) {
    let dir = tempfile::tempdir().expect("temporary dir");
    let (url, _pg) = match backend {
        Backend::Sqlite => (None, None),
        Backend::Postgres => {
            let (url, guard) = create_pg_database().await;
            (Some(url), Some(guard))
        }
    };
    let storage = storage_args(dir.path(), url.as_deref());
    tokio::task::spawn_blocking(move || {
        let server = Server::start(&storage);
        let with_storage = |args: &[&str]| -> Output {
            plateau()
                .args(args)
                .args(&storage)
                .output()
                .expect("the plateau binary runs")
        };
        let created = with_storage(&[
            "user",
            "create",
            "--email",
            "ada@example.org",
            "--first-name",
            "Ada",
            "--last-name",
            "Lovelace",
            "--admin",
        ]);
        assert!(created.status.success(), "{}", stderr(&created));
        let user: Value = serde_json::from_str(&stdout(&created)).expect("the user as JSON");
        assert_eq!(user["first_name"], "Ada");
        assert_eq!(user["last_name"], "Lovelace");
        assert_eq!(user["email"], "ada@example.org");
        assert_eq!(user["roles"], serde_json::json!(["admin"]));
        let id = user["id"].as_str().expect("an id").to_owned();
        let (status, served) = server.get(&format!("/api/1/users/{id}/"), None);
        assert_eq!(status, 200, "{served:?}");
        assert_eq!(served["first_name"], "Ada");
        assert_eq!(served["slug"], "ada-lovelace");

        let issued = with_storage(&["user", "api-key", "--email", "ada@example.org"]);
        assert!(issued.status.success(), "{}", stderr(&issued));
        let printed = stdout(&issued);
        let key = printed.trim();
        assert_eq!(printed.lines().count(), 1, "only the key: {printed:?}");
        assert_eq!(key.len(), 43);
        let (status, me) = server.get("/api/1/me/", Some(key));
        assert_eq!(status, 200, "{me:?}");
        assert_eq!(me["email"], "ada@example.org");
        assert!(me["apikey"].is_null());

        let reissued = with_storage(&["user", "api-key", "--email", "ada@example.org"]);
        let new_key = stdout(&reissued).trim().to_owned();
        assert_eq!(server.get("/api/1/me/", Some(key)).0, 401, "replaced");
        assert_eq!(server.get("/api/1/me/", Some(&new_key)).0, 200);
        assert_eq!(server.get("/api/1/users/", Some(&new_key)).0, 200, "admin");

        let duplicate = with_storage(&[
            "user",
            "create",
            "--email",
            "ada@example.org",
            "--first-name",
            "Other",
            "--last-name",
            "Person",
        ]);
        assert!(!duplicate.status.success());
        assert!(
            stderr(&duplicate).contains("already exists"),
            "{}",
            stderr(&duplicate)
        );
        let unknown = with_storage(&["user", "api-key", "--email", "nobody@example.org"]);
        assert!(!unknown.status.success());
        assert!(stderr(&unknown).contains("no user with email"));
        let invalid = with_storage(&[
            "user",
            "create",
            "--email",
            "not-an-email",
            "--first-name",
            "A",
            "--last-name",
            "B",
        ]);
        assert!(!invalid.status.success());
        assert!(stderr(&invalid).contains("--email"), "{}", stderr(&invalid));
    })
    .await
    .expect("the CLI scenario ran");
}

#[test]
fn help_describes_the_commands() {
    let help = run(&["--help"]);
    assert!(help.status.success());
    assert!(stdout(&help).contains("serve"));
    assert!(stdout(&help).contains("user"));
    let help = run(&["user", "--help"]);
    assert!(help.status.success());
    assert!(stdout(&help).contains("api-key"));
    let help = run(&["user", "create", "--help"]);
    assert!(help.status.success());
    for flag in [
        "--email",
        "--first-name",
        "--last-name",
        "--admin",
        "--data-dir",
    ] {
        assert!(stdout(&help).contains(flag), "{flag}");
    }
    let missing = run(&["user", "create"]);
    assert!(!missing.status.success());
    assert!(stderr(&missing).contains("--email"));
}

both!(cli_manages_users_of_a_running_server);

#[test]
fn cli_adds_and_lists_licenses() {
    let dir = tempfile::tempdir().expect("temporary dir");
    let data_dir = dir.path().display().to_string();
    let file = dir.path().join("licenses.json");
    std::fs::write(
        &file,
        r#"[{"id": "other-closed", "title": "Other (Not Open)", "flags": ["generic"]}]"#,
    )
    .expect("write licenses");
    let file = file.display().to_string();
    let added = run(&["license", "add", "--data-dir", &data_dir, "--file", &file]);
    assert!(added.status.success(), "{}", stderr(&added));
    assert_eq!(stdout(&added).trim(), "other-closed");
    let added = run(&[
        "license",
        "add",
        "--data-dir",
        &data_dir,
        "--id",
        "cc-by-4.0",
        "--title",
        "Creative Commons Attribution 4.0",
        "--flag",
        "okd_compliant",
    ]);
    assert!(added.status.success(), "{}", stderr(&added));
    let refused = run(&[
        "license",
        "add",
        "--data-dir",
        &data_dir,
        "--id",
        "a b",
        "--title",
        "x",
    ]);
    assert!(!refused.status.success());
    let listed = run(&["license", "list", "--data-dir", &data_dir]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    let licenses: Value = serde_json::from_str(&stdout(&listed)).expect("JSON");
    let ids: Vec<&str> = licenses
        .as_array()
        .expect("a list")
        .iter()
        .map(|l| l["id"].as_str().expect("an id"))
        .collect();
    assert_eq!(ids.len(), 14);
    assert_eq!(ids[ids.len() - 2..], ["other-closed", "cc-by-4.0"]);
}

/// The names `/datasets/schemas/` lists on a server started with `args`.
fn served_schema_names(args: Vec<String>) -> Vec<String> {
    let server = Server::start(&args);
    let (status, schemas) = server.get("/api/1/datasets/schemas/", None);
    assert_eq!(status, 200);
    schemas
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|schema| schema["name"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_fetches_the_schema_catalogue_when_private_fetch_is_allowed() {
    let site = RemoteSite::start().await;
    let dir = tempfile::tempdir().expect("temporary dir");
    let mut args = storage_args(dir.path(), None);
    args.extend(["--schema-catalog-url".to_owned(), site.url("/schemas.json")]);

    let default_policy = args.clone();
    let names = tokio::task::spawn_blocking(move || served_schema_names(default_policy))
        .await
        .expect("the server ran");
    assert_eq!(
        names,
        [
            "etalab/schema-irve-statique",
            "139bercy/format-commande-publique"
        ]
    );
    assert_eq!(site.connections(), 0);

    args.push("--allow-private-fetch".to_owned());
    let names = tokio::task::spawn_blocking(move || served_schema_names(args))
        .await
        .expect("the server ran");
    assert_eq!(names, ["remote/first", "remote/second"]);
    assert_eq!(site.requests(), 1);
}
