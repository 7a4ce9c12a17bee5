//! A real S3-compatible server for the tests: moto's standalone server (`pip install
//! 'moto[server]'`), found on PATH or at `PLATEAU_TEST_MOTO_SERVER`, started once per test
//! binary on a free port, with a bucket per test. Without it the S3 tests are skipped (one
//! line says how to enable them); under `CI=true` a missing server is a failure. A watchdog
//! process kills the server when the test binary exits, since statics are never dropped.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use object_store::aws::AmazonS3Builder;
use plateau::files::{FileStore, S3Location, S3Store};

const HOW_TO_ENABLE: &str = "install moto's server (pip install 'moto[server]') or set \
                             PLATEAU_TEST_MOTO_SERVER to its moto_server binary";

/// The running server.
pub struct S3Server {
    pub endpoint: String,
}

static SERVER: OnceLock<Option<S3Server>> = OnceLock::new();

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// The server, started on first use; `None` (the test skips) when there is none to start.
/// Under `CI=true`, no server is a test failure.
pub fn server() -> Option<&'static S3Server> {
    let server = SERVER
        .get_or_init(|| {
            let started = find_binary().map(|binary| start(&binary));
            if started.is_none() && !in_ci() {
                // Straight to stderr, past the test harness's capture: one line per binary.
                let _ = writeln!(
                    std::io::stderr(),
                    "S3 tests skipped: no moto_server found; to run them, {HOW_TO_ENABLE}"
                );
            }
            started
        })
        .as_ref();
    assert!(
        server.is_some() || !in_ci(),
        "CI=true: the S3 tests need an S3 server; {HOW_TO_ENABLE}"
    );
    server
}

fn find_binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PLATEAU_TEST_MOTO_SERVER") {
        return Some(PathBuf::from(path));
    }
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join("moto_server"))
        .find(|candidate| candidate.is_file())
}

#[allow(clippy::zombie_processes)]
fn start(binary: &Path) -> S3Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let mut child = {
        use std::os::unix::process::CommandExt;
        Command::new(binary)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()))
    };
    // The watchdog: once this process is gone, kill the server's process group. It outlives
    // this process by design, so it is never waited for.
    let watchdog = format!(
        "while kill -0 {parent} 2>/dev/null; do sleep 1; done; kill -- -{child} 2>/dev/null",
        parent = std::process::id(),
        child = child.id()
    );
    Command::new("sh")
        .args(["-c", &watchdog])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the S3 server's watchdog");
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{} exited at start: {status}", binary.display());
        }
        assert!(
            Instant::now() < deadline,
            "{} did not listen within 60 s",
            binary.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    S3Server {
        endpoint: format!("http://127.0.0.1:{port}"),
    }
}

impl S3Server {
    /// A new, empty bucket.
    pub async fn bucket(&self) -> S3Location {
        let bucket = format!("plateau-test-{}", plateau::domain::ids::object_id());
        let response = reqwest::Client::new()
            .put(format!("{}/{bucket}", self.endpoint))
            .send()
            .await
            .expect("the S3 server answers");
        assert!(
            response.status().is_success(),
            "create bucket: {}",
            response.status()
        );
        S3Location {
            bucket,
            prefix: "portal".into(),
        }
    }

    /// What the `AWS_*` variables would say to reach the server.
    pub fn builder(&self) -> AmazonS3Builder {
        AmazonS3Builder::new()
            .with_endpoint(&self.endpoint)
            .with_allow_http(true)
            .with_region("us-east-1")
            .with_access_key_id("test")
            .with_secret_access_key("test")
    }

    /// The same, as environment variables for a `plateau` command.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ALLOW_HTTP", "true".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ACCESS_KEY_ID", "test".into()),
            ("AWS_SECRET_ACCESS_KEY", "test".into()),
        ]
    }

    /// A file store on `bucket`, staging in `local_dir`.
    pub fn file_store(&self, bucket: &S3Location, local_dir: &Path, base_url: &str) -> FileStore {
        let s3 = S3Store::new(bucket, self.builder()).expect("an S3 store");
        FileStore::object_storage(s3, local_dir.to_owned(), base_url.to_owned())
    }
}
