//! `plateau serve`.

use std::net::SocketAddr;

use anyhow::Context;

use crate::api::datasets::reference;
use crate::api::{self, state::AppState};
use crate::config::{HttpSettings, ServeArgs, load_secret};
use crate::files::FileStore;
use crate::files::chunks as upload_chunks;
use crate::search::Search;
use crate::store::Store;

pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let _log_writer = init_logging();
    if args.metrics_listen.is_some() {
        // Before anything registers its metrics: what is created earlier records nothing.
        crate::metrics::install();
    }
    let store = Store::open(&args.storage.data_dir, args.storage.database_url.as_deref())
        .await
        .context("cannot open the store (check --data-dir / --database-url)")?;
    let secret = load_secret(&args.storage)?;
    let settings = HttpSettings::from_args(&args);
    tracing::info!(backend = store.backend_name(), listen = %args.listen, base_url = %settings.base_url, "starting");
    let search = Search::open(&settings.search_dir, store.clone())
        .context("cannot open the search index (is another server using this data dir?)")?;
    search.start();
    let files = FileStore::configured(
        args.storage.files_url.as_ref(),
        settings.files_dir.clone(),
        settings.base_url.clone(),
    )
    .context("invalid --files-url configuration")?;
    files.check().await.with_context(|| {
        format!(
            "cannot reach the file store {} (check --files-url and the AWS_* variables)",
            files.describe()
        )
    })?;
    tracing::info!(files = %files.describe(), "file store");
    let app = AppState::with_files(store, settings, secret, Some(search), files);
    app.start();
    if let Some(location) = &args.schema_catalog_url {
        app.schema_catalog.load_from(location, &app.outbound).await;
        reference::spawn_catalog_refresh(
            app.clone(),
            location.clone(),
            reference::CATALOG_REFRESH_INTERVAL,
        );
    }
    spawn_upload_purge(app.clone());
    if let Some(addr) = &args.metrics_listen {
        api::metrics::listen(addr, app.clone()).await?;
    }
    if args.demo {
        match super::demo::load(&app)
            .await
            .context("loading the demo catalogue failed")?
        {
            Some((email, key)) => tracing::info!(
                admin = %email,
                api_key = %key,
                "demo catalogue loaded: use this key in X-API-KEY to try writes"
            ),
            None => tracing::info!("the store is not empty: demo catalogue not loaded"),
        }
    }
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {} (is another server running there?)",
                args.listen
            )
        })?;
    axum::serve(
        listener,
        api::router(app).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    tracing::info!("stopped");
    Ok(())
}

/// Purges unfinished chunked uploads and stale staging files at start, then every hour.
fn spawn_upload_purge(app: AppState) {
    tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            match app
                .files
                .purge_stale_uploads(upload_chunks::MAX_RETENTION)
                .await
            {
                Ok(0) => {}
                Ok(removed) => tracing::info!(removed, "purged stale uploads"),
                Err(e) => tracing::warn!(error = %e, "could not purge stale uploads"),
            }
        }
    });
}

/// Structured logs on stderr: text by default, JSON lines with PLATEAU_LOG_FORMAT=json;
/// the level comes from PLATEAU_LOG (e.g. `warn` to drop per-request lines). Lines are written
/// by a background thread, so requests never wait on stderr; keep the returned guard alive to
/// flush them at exit.
fn init_logging() -> tracing_appender::non_blocking::WorkerGuard {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PLATEAU_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .finish(std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    let result = if std::env::var("PLATEAU_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    if let Err(e) = result {
        eprintln!("logging already initialised: {e}");
    }
    guard
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
