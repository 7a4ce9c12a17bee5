//! The `TestApp` builder: a fresh store (SQLite in a temporary dir, or a PostgreSQL database
//! created for the test and dropped after it, on the server `postgres.rs` finds or starts)
//! behind the real router.

#![allow(dead_code)]

pub mod postgres;
pub mod remote;
pub mod s3;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use plateau::api::answers::Answer;
use plateau::api::datasets::fragments::DatasetFragments;
use plateau::api::organizations::fragments::OrganizationFragments;
use plateau::api::state::AppState;
use plateau::config::HttpSettings;
use plateau::domain::secrets::{ServerSecret, generate_api_key};
use plateau::domain::user::User;
use plateau::domain::{ids, time};
use plateau::files::{FileStore, S3Location};
use plateau::outbound::AddressPolicy;
use plateau::search::Search;
use plateau::store::Store;

pub const BASE_URL: &str = "http://plateau.test";

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Expands `both!(my_test);` into `my_test::sqlite` and `my_test::postgres` tests, each calling
/// `async fn my_test(backend: Backend)`; the second is skipped without PostgreSQL.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::common::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if !$crate::common::postgres::available().await {
                    return;
                }
                super::$name($crate::common::Backend::Postgres).await
            }
        }
    )*};
}

/// Where a test app keeps its files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Files {
    /// `<data-dir>/files`.
    Directory,
    /// A bucket of the test S3 server, made for the test.
    S3,
}

/// Expands `each_store!(my_test);` into `my_test::sqlite`, `my_test::postgres` (directory
/// store) and `my_test::s3` (SQLite, files in a bucket; skipped without an S3 server), each
/// calling `async fn my_test(backend: Backend, files: Files)`.
#[macro_export]
macro_rules! each_store {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use $crate::common::{Backend, Files};
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(Backend::Sqlite, Files::Directory).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(Backend::Postgres, Files::Directory).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn s3() {
                if $crate::common::s3::server().is_some() {
                    super::$name(Backend::Sqlite, Files::S3).await
                }
            }
        }
    )*};
}

/// A PostgreSQL database that lives as long as the test.
pub struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                if let Ok((client, conn)) =
                    tokio_postgres::connect(&admin_url, tokio_postgres::NoTls).await
                {
                    tokio::spawn(conn);
                    let _ = client
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                }
            });
        })
        .join();
    }
}

/// Creates a PostgreSQL database for one test; returns its URL and the guard that drops it.
pub async fn create_pg_database() -> (String, PgDatabase) {
    let admin_url = postgres::admin_url().await.to_owned();
    let name = format!("plateau_test_{}", ids::object_id());
    let (client, conn) = tokio_postgres::connect(&admin_url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("connect to the tests' PostgreSQL at {admin_url}: {e}"));
    tokio::spawn(conn);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    let url = match admin_url.rfind('/') {
        Some(i) => format!("{}/{name}", &admin_url[..i]),
        None => panic!("PLATEAU_TEST_DATABASE_URL must end with /<database>"),
    };
    (url, PgDatabase { admin_url, name })
}

/// A user to create in the store: an active account with a unique email.
pub fn user_named(first_name: &str, last_name: &str, admin: bool) -> User {
    let email = format!(
        "{}.{}@example.org",
        first_name.to_lowercase(),
        ids::object_id()
    );
    User {
        id: ids::object_id(),
        slug: String::new(),
        email,
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

/// Settings a test may change before the app is built.
pub struct TestConfig {
    pub read_only: bool,
    pub rate_limit: u64,
    pub max_page_size: i64,
    pub max_upload_size: usize,
    /// Outbound fetches may reach 127.0.0.1 (where `RemoteSite` listens) unless a test
    /// checks the default policy.
    pub fetch_policy: AddressPolicy,
    /// Whether the search indexer runs; without it the indexes stay as while a first build
    /// is under way.
    pub indexing: bool,
    /// Bytes of serialized dataset answers kept (0: none).
    pub dataset_cache_size: usize,
    /// Bytes of serialized organization answers kept (0: none).
    pub organization_cache_size: usize,
    /// Where files are stored.
    pub files: Files,
}

impl Default for TestConfig {
    fn default() -> Self {
        TestConfig {
            read_only: false,
            rate_limit: 100_000,
            max_page_size: 1000,
            max_upload_size: 10 * 1024 * 1024,
            fetch_policy: AddressPolicy::AllowPrivate,
            indexing: true,
            dataset_cache_size: <DatasetFragments as Answer>::DEFAULT_SIZE,
            organization_cache_size: <OrganizationFragments as Answer>::DEFAULT_SIZE,
            files: Files::Directory,
        }
    }
}

/// The application under test.
pub struct TestApp {
    pub app: AppState,
    pub router: Router,
    pub backend: Backend,
    pub dir: tempfile::TempDir,
    indexing: bool,
    database_url: Option<String>,
    /// The bucket holding the files, with [`Files::S3`].
    pub bucket: Option<S3Location>,
    _pg: Option<PgDatabase>,
}

/// A response, with its body parsed as JSON when it is JSON.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub json: Value,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl TestApp {
    pub async fn new(backend: Backend) -> Self {
        Self::with_config(backend, TestConfig::default()).await
    }

    /// An app whose files are stored as `files` says.
    pub async fn with_files(backend: Backend, files: Files) -> Self {
        Self::with_config(
            backend,
            TestConfig {
                files,
                ..TestConfig::default()
            },
        )
        .await
    }

    pub async fn with_config(backend: Backend, config: TestConfig) -> Self {
        let dir = tempfile::tempdir().expect("temporary dir");
        let (store, pg, database_url) = match backend {
            Backend::Sqlite => (
                Store::open(dir.path(), None)
                    .await
                    .expect("open sqlite store"),
                None,
                None,
            ),
            Backend::Postgres => {
                let (url, guard) = create_pg_database().await;
                let store = Store::open(dir.path(), Some(&url))
                    .await
                    .expect("open postgres store");
                (store, Some(guard), Some(url))
            }
        };
        let settings = HttpSettings {
            base_url: BASE_URL.into(),
            read_only: config.read_only,
            rate_limit: config.rate_limit,
            rate_limit_window: 3600,
            max_page_size: config.max_page_size,
            max_upload_size: config.max_upload_size,
            files_dir: dir.path().join("files"),
            search_dir: dir.path().join("search"),
            fetch_policy: config.fetch_policy,
            fetch_timeout: std::time::Duration::from_secs(10),
            dataset_cache_size: config.dataset_cache_size,
            organization_cache_size: config.organization_cache_size,
        };
        let (files, bucket) = match config.files {
            Files::Directory => (
                FileStore::directory(settings.files_dir.clone(), BASE_URL.into()),
                None,
            ),
            Files::S3 => {
                let server = s3::server().expect("S3 tests check s3::server() first");
                let bucket = server.bucket().await;
                (
                    server.file_store(&bucket, dir.path(), BASE_URL),
                    Some(bucket),
                )
            }
        };
        Self::assemble(backend, dir, store, settings, files, config.indexing)
            .with_database(database_url, bucket, pg)
            .built()
            .await
    }

    /// The app of a store, its indexes and files under `dir`.
    fn assemble(
        backend: Backend,
        dir: tempfile::TempDir,
        store: Store,
        settings: HttpSettings,
        files: FileStore,
        indexing: bool,
    ) -> Self {
        let search =
            Search::open(&settings.search_dir, store.clone()).expect("open the search index");
        if indexing {
            search.start();
        }
        let app = AppState::with_files(
            store,
            settings,
            ServerSecret::new(b"a test secret of at least thirty-two bytes".to_vec()),
            Some(search),
            files,
        );
        app.start();
        let router = plateau::api::router(app.clone());
        TestApp {
            app,
            router,
            backend,
            dir,
            indexing,
            database_url: None,
            bucket: None,
            _pg: None,
        }
    }

    fn with_database(
        mut self,
        database_url: Option<String>,
        bucket: Option<S3Location>,
        pg: Option<PgDatabase>,
    ) -> Self {
        self.database_url = database_url;
        self.bucket = bucket;
        self._pg = pg;
        self
    }

    /// A second node of this deployment: a full app with its own data dir and search
    /// indexes, on the same database and the same bucket (or, with the directory store, the
    /// same files directory, as a shared filesystem would be).
    pub async fn another_app(&self) -> TestApp {
        let dir = tempfile::tempdir().expect("temporary dir");
        let store = self.another_node().await;
        let mut settings = self.app.settings.clone();
        settings.search_dir = dir.path().join("search");
        let files = match &self.bucket {
            Some(bucket) => s3::server()
                .expect("the first node's S3 server")
                .file_store(bucket, dir.path(), BASE_URL),
            None => FileStore::directory(settings.files_dir.clone(), BASE_URL.into()),
        };
        Self::assemble(self.backend, dir, store, settings, files, self.indexing)
            .with_database(self.database_url.clone(), self.bucket.clone(), None)
            .built()
            .await
    }

    /// Waits for the first build of the search indexes, as an operator waits for a new server
    /// to start: until then `/api/2/…/search/` answers 503 (and v1 lists use the database).
    async fn built(self) -> Self {
        if let Some(search) = self.app.search.as_ref().filter(|_| self.indexing) {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
            while ![&search.datasets, &search.organizations, &search.users]
                .iter()
                .all(|index| index.is_ready())
            {
                assert!(
                    std::time::Instant::now() < deadline,
                    "the search indexes are not built after 30 s"
                );
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        }
        self
    }

    pub fn store(&self) -> &Store {
        &self.app.store
    }

    /// Another handle on the same database, as another node or a CLI command opens it: its
    /// writes reach this app only through the change log.
    pub async fn another_node(&self) -> Store {
        Store::open(self.dir.path(), self.database_url.as_deref())
            .await
            .expect("open the store again")
    }

    /// Runs `sql` on this app's PostgreSQL database outside the store (to set up what no API
    /// call can, e.g. a sequence number taken and never committed).
    pub async fn raw_postgres(&self, sql: &str) {
        let url = self.database_url.as_deref().expect("a PostgreSQL test");
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .expect("connect to the test database");
        tokio::spawn(conn);
        client.batch_execute(sql).await.expect("raw SQL runs");
    }

    /// The `--data-dir` / `--database-url` flags naming this app's store, for a CLI command.
    pub fn storage_args(&self) -> Vec<String> {
        let mut args = vec![
            "--data-dir".to_owned(),
            self.dir.path().display().to_string(),
        ];
        if let Some(url) = &self.database_url {
            args.extend(["--database-url".to_owned(), url.clone()]);
        }
        args
    }

    /// Creates a user directly in the store and gives them an API key.
    pub async fn user_with_key(
        &self,
        first_name: &str,
        last_name: &str,
        admin: bool,
    ) -> (User, String) {
        let user = user_named(first_name, last_name, admin);
        let user = self
            .store()
            .create_user(user, None)
            .await
            .expect("create user");
        let key = generate_api_key();
        self.store()
            .set_apikey_hash(
                &user.id,
                Some(self.app.secret.hash_api_key(&key)),
                time::now(),
            )
            .await
            .expect("set api key");
        (user, key)
    }

    pub async fn admin(&self) -> (User, String) {
        self.user_with_key("Admin", "Istrator", true).await
    }

    /// Waits until the search indexes hold every change in the store, whoever wrote it: for
    /// writes of another node or of a CLI command, which this app's requests see within a
    /// second (its own writes they see at once).
    pub async fn sync_search(&self) {
        if let Some(search) = self.app.search.as_ref().filter(|_| self.indexing) {
            search.sync(std::time::Duration::from_secs(10)).await;
        }
    }

    /// Sends a request through the real router.
    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
        TestResponse {
            status,
            headers,
            body,
            json,
        }
    }

    /// A JSON request, optionally authenticated and with extra headers.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(key) = key {
            builder = builder.header("X-API-KEY", key);
        }
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let body = match body {
            Some(json) => {
                builder = builder.header("content-type", "application/json");
                Body::from(serde_json::to_vec(&json).expect("json"))
            }
            None => Body::empty(),
        };
        self.send(builder.body(body).expect("request")).await
    }

    pub async fn get(&self, path: &str, key: Option<&str>) -> TestResponse {
        self.call(Method::GET, path, key, None, &[]).await
    }

    pub async fn post(&self, path: &str, key: Option<&str>, body: Value) -> TestResponse {
        self.call(Method::POST, path, key, Some(body), &[]).await
    }

    pub async fn put(&self, path: &str, key: Option<&str>, body: Value) -> TestResponse {
        self.call(Method::PUT, path, key, Some(body), &[]).await
    }

    pub async fn patch(&self, path: &str, key: Option<&str>, body: Value) -> TestResponse {
        self.call(Method::PATCH, path, key, Some(body), &[]).await
    }

    pub async fn delete(&self, path: &str, key: Option<&str>) -> TestResponse {
        self.call(Method::DELETE, path, key, None, &[]).await
    }
}
