//! What every handler can reach: the store, the settings, the secret and shared services.

use std::ops::Deref;
use std::sync::Arc;

use crate::api::answers::{self, AnswerCache};
use crate::api::datasets::fragments::DatasetFragments;
use crate::api::datasets::reference::SchemaCatalog;
use crate::api::organizations::fragments::OrganizationFragments;
use crate::api::ratelimit::RateLimiter;
use crate::api::site::SiteMetricsCache;
use crate::api::spatial::coverage::CoverageCache;
use crate::config::HttpSettings;
use crate::domain::secrets::ServerSecret;
use crate::files::FileStore;
use crate::outbound::{self, Outbound};
use crate::search::Search;
use crate::store::Store;

/// The application as handlers see it. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<App>);

pub struct App {
    pub store: Store,
    pub settings: HttpSettings,
    pub secret: ServerSecret,
    pub limiter: RateLimiter,
    pub files: FileStore,
    pub site_metrics: SiteMetricsCache,
    /// The zones of each level with their dataset counts, computed at most once a minute.
    pub spatial_coverage: CoverageCache,
    /// The schema catalogue (`/datasets/schemas/`): shipped, or loaded at start and refreshed.
    pub schema_catalog: SchemaCatalog,
    /// The search indexes; absent in CLI commands, which answer from the database.
    pub search: Option<Arc<Search>>,
    /// The HTTP client for everything fetched from elsewhere.
    pub outbound: Outbound,
    /// Serialized dataset answers; serves nothing until started ([`AppState::start`]).
    pub dataset_cache: Arc<AnswerCache<DatasetFragments>>,
    /// Serialized organization answers; serves nothing until started.
    pub organization_cache: Arc<AnswerCache<OrganizationFragments>>,
}

impl AppState {
    /// The application with the directory file store (`settings.files_dir`).
    pub fn new(
        store: Store,
        settings: HttpSettings,
        secret: ServerSecret,
        search: Option<Arc<Search>>,
    ) -> Self {
        let files = FileStore::directory(settings.files_dir.clone(), settings.base_url.clone());
        Self::with_files(store, settings, secret, search, files)
    }

    /// The application with the given file store (e.g. a bucket shared by several nodes).
    pub fn with_files(
        store: Store,
        settings: HttpSettings,
        secret: ServerSecret,
        search: Option<Arc<Search>>,
        files: FileStore,
    ) -> Self {
        let limiter = RateLimiter::new(settings.rate_limit, settings.rate_limit_window);
        let outbound = Outbound::new(
            settings.fetch_policy,
            &outbound::user_agent(&settings.base_url),
            settings.fetch_timeout,
        );
        let dataset_cache = Arc::new(AnswerCache::new(settings.dataset_cache_size));
        let organization_cache = Arc::new(AnswerCache::new(settings.organization_cache_size));
        AppState(Arc::new(App {
            store,
            settings,
            secret,
            limiter,
            files,
            site_metrics: SiteMetricsCache::default(),
            spatial_coverage: CoverageCache::default(),
            schema_catalog: SchemaCatalog::default(),
            search,
            outbound,
            dataset_cache,
            organization_cache,
        }))
    }

    /// Starts what a serving application runs beside requests: the answer caches' following
    /// of the store's writes.
    pub fn start(&self) {
        answers::follow(
            &self.store,
            vec![self.dataset_cache.clone(), self.organization_cache.clone()],
        );
    }
}

impl Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}

impl App {
    /// Absolute URL of an API path (`/organizations/x/` → `<base>/api/1/organizations/x/`).
    pub fn api_url(&self, path: &str) -> String {
        format!("{}/api/1{path}", self.settings.base_url)
    }

    /// Absolute URL of a web page of the portal.
    pub fn page_url(&self, path: &str) -> String {
        format!("{}{path}", self.settings.base_url)
    }
}
