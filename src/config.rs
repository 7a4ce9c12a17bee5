//! Configuration: command-line flags with `PLATEAU_*` environment fallbacks, the only source.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::api::answers::Answer;
use crate::api::datasets::fragments::DatasetFragments;
use crate::api::organizations::fragments::OrganizationFragments;
use crate::outbound::AddressPolicy;

/// Where the portal keeps its data; shared by every command that touches the store.
#[derive(Debug, Clone, Args)]
pub struct StorageArgs {
    /// Directory holding the embedded database, uploaded files and the server secret.
    #[arg(long, env = "PLATEAU_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// PostgreSQL URL (postgres://user@host/db). Without it the store is SQLite in the data dir.
    #[arg(long, env = "PLATEAU_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Secret keying API-key hashes (hex or any string). Without it a secret is generated into
    /// `<data-dir>/secret.key` on first use; set it on every node of a multi-node deployment.
    #[arg(long, env = "PLATEAU_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// Where uploaded files are kept: `s3://BUCKET[/PREFIX]` for an S3-compatible bucket that
    /// several nodes share (endpoint and credentials from AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ALLOW_HTTP). Without it, `<data-dir>/files`.
    #[arg(long, env = "PLATEAU_FILES_URL", value_parser = crate::files::S3Location::parse)]
    pub files_url: Option<crate::files::S3Location>,
}

/// How `plateau serve` answers.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub storage: StorageArgs,
    /// Address to listen on.
    #[arg(long, env = "PLATEAU_LISTEN", default_value = "127.0.0.1:7000")]
    pub listen: String,
    /// Public base URL used in `uri`, `page` and pagination links (default: http://<listen>).
    #[arg(long, env = "PLATEAU_BASE_URL")]
    pub base_url: Option<String>,
    /// Refuse writes from everyone but sysadmins (423 Locked), for maintenance.
    #[arg(long, env = "PLATEAU_READ_ONLY")]
    pub read_only: bool,
    /// On an empty store, load a small demo catalogue (organizations, users, datasets with
    /// remote and uploaded resources) and log the demo administrator's API key.
    #[arg(long, env = "PLATEAU_DEMO")]
    pub demo: bool,
    /// Requests allowed per client (API key, else address) per rate-limit window; 0 disables.
    #[arg(long, env = "PLATEAU_RATE_LIMIT", default_value_t = 50_000)]
    pub rate_limit: u64,
    /// Length of the rate-limit window, in seconds.
    #[arg(long, env = "PLATEAU_RATE_LIMIT_WINDOW", default_value_t = 3600)]
    pub rate_limit_window: u64,
    /// Largest page_size a list accepts; larger values are answered with 400.
    #[arg(long, env = "PLATEAU_MAX_PAGE_SIZE", default_value_t = 1000)]
    pub max_page_size: i64,
    /// Largest accepted upload, in bytes.
    #[arg(long, env = "PLATEAU_MAX_UPLOAD_SIZE", default_value_t = 10 * 1024 * 1024)]
    pub max_upload_size: usize,
    /// Schema catalogue (schema.data.gouv.fr's `schemas.json` format) served by
    /// /datasets/schemas/: an http(s) URL, a path or a file:// URL, read at start and every
    /// hour. Without it, or until it can be read, the catalogue shipped with the binary is
    /// served; a failed refresh keeps the previous one.
    #[arg(long, env = "PLATEAU_SCHEMA_CATALOG_URL")]
    pub schema_catalog_url: Option<String>,
    /// Let outbound fetches (schema catalogue, later harvesting and link checks) reach
    /// loopback, private-network, link-local and other non-public addresses. Off by default,
    /// so no configured or user-given URL can reach services inside the server's network.
    #[arg(long, env = "PLATEAU_ALLOW_PRIVATE_FETCH")]
    pub allow_private_fetch: bool,
    /// Time allowed for one outbound fetch, connection to last byte, in seconds.
    #[arg(long, env = "PLATEAU_FETCH_TIMEOUT", default_value_t = 30)]
    pub fetch_timeout: u64,
    /// Memory kept for serialized dataset answers (`GET /datasets/{dataset}/`, v1 list
    /// items), in bytes; 0 turns the cache off. Other nodes' and the CLI's writes are seen
    /// within a second.
    #[arg(long, env = "PLATEAU_DATASET_CACHE_SIZE", default_value_t = <DatasetFragments as Answer>::DEFAULT_SIZE)]
    pub dataset_cache_size: usize,
    /// Address serving Prometheus metrics at `/metrics` (e.g. 127.0.0.1:9100), apart from the
    /// API; off by default. Requests by route and status, latencies, cache hit rates, the
    /// change-log lag of the search index and the dataset cache, store pool usage.
    #[arg(long, env = "PLATEAU_METRICS_LISTEN")]
    pub metrics_listen: Option<String>,
    /// Memory kept for serialized organization answers (`GET /organizations/{org}/`, v1 list
    /// items), in bytes, beside the datasets'; 0 turns the cache off. Other nodes' and the
    /// CLI's writes are seen within a second.
    #[arg(long, env = "PLATEAU_ORGANIZATION_CACHE_SIZE", default_value_t = <OrganizationFragments as Answer>::DEFAULT_SIZE)]
    pub organization_cache_size: usize,
}

/// The settings the HTTP layer needs at run time.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub base_url: String,
    pub read_only: bool,
    pub rate_limit: u64,
    pub rate_limit_window: u64,
    pub max_page_size: i64,
    pub max_upload_size: usize,
    /// The directory file store, or with `--files-url` where files are staged before upload.
    pub files_dir: PathBuf,
    /// Where the search indexes live.
    pub search_dir: PathBuf,
    /// Which addresses outbound fetches may reach.
    pub fetch_policy: AddressPolicy,
    /// Time allowed for one outbound fetch.
    pub fetch_timeout: Duration,
    /// Bytes of serialized dataset answers kept (0: none).
    pub dataset_cache_size: usize,
    /// Bytes of serialized organization answers kept (0: none).
    pub organization_cache_size: usize,
}

impl HttpSettings {
    pub fn from_args(args: &ServeArgs) -> Self {
        let base_url = args
            .base_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", args.listen))
            .trim_end_matches('/')
            .to_owned();
        HttpSettings {
            base_url,
            read_only: args.read_only,
            rate_limit: args.rate_limit,
            rate_limit_window: args.rate_limit_window.max(1),
            max_page_size: args.max_page_size.max(1),
            max_upload_size: args.max_upload_size,
            files_dir: args.storage.data_dir.join("files"),
            search_dir: args.storage.data_dir.join("search"),
            fetch_policy: if args.allow_private_fetch {
                AddressPolicy::AllowPrivate
            } else {
                AddressPolicy::PublicOnly
            },
            fetch_timeout: Duration::from_secs(args.fetch_timeout.max(1)),
            dataset_cache_size: args.dataset_cache_size,
            organization_cache_size: args.organization_cache_size,
        }
    }
}

/// Loads the API-key secret: the configured one, else the data dir's `secret.key`, created
/// (mode 0600) on first use.
pub fn load_secret(storage: &StorageArgs) -> anyhow::Result<crate::domain::secrets::ServerSecret> {
    use crate::domain::secrets::ServerSecret;
    if let Some(secret) = &storage.secret_key {
        anyhow::ensure!(
            secret.len() >= 32,
            "PLATEAU_SECRET_KEY must be at least 32 characters"
        );
        return Ok(ServerSecret::new(secret.as_bytes().to_vec()));
    }
    std::fs::create_dir_all(&storage.data_dir)?;
    let path = storage.data_dir.join("secret.key");
    if let Ok(hex_secret) = std::fs::read_to_string(&path) {
        if hex_secret.trim().is_empty() {
            // Another process is writing it right now.
            std::thread::sleep(std::time::Duration::from_millis(50));
            return load_secret(storage);
        }
        let bytes = hex::decode(hex_secret.trim()).map_err(|e| {
            anyhow::anyhow!(
                "{} is corrupt ({e}); restore it from a backup",
                path.display()
            )
        })?;
        return Ok(ServerSecret::new(bytes));
    }
    let secret = ServerSecret::generate();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(&path) {
        Ok(mut file) => {
            use std::io::Write;
            file.write_all(hex::encode(secret.as_bytes()).as_bytes())?;
            Ok(secret)
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_secret(storage),
        Err(e) => Err(anyhow::anyhow!("cannot write {}: {e}", path.display())),
    }
}
