//! `plateau spatial load`: the geozone registry from the geozones export data.gouv.fr
//! publishes (the files `udata spatial load` reads).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::StorageArgs;
use crate::domain::geozone::{GeoZone, parse_levels, parse_zones};
use crate::domain::time;
use crate::outbound::{AddressPolicy, Outbound};
use crate::store::Store;

/// Largest geozones export accepted (data.gouv.fr's, all French communes included, is a few
/// tens of megabytes).
const MAX_EXPORT_BYTES: usize = 512 * 1024 * 1024;

/// Zones written per transaction.
const BATCH: usize = 1000;

#[derive(Debug, Subcommand)]
pub enum SpatialCommand {
    /// Load geozones (and optionally their levels) into the registry, creating or replacing
    /// each zone by id: running it again with the same file changes nothing. Works while
    /// `serve` runs on the same store.
    ///
    /// GEOZONES is data.gouv.fr's geozones export (dataset "Zones géographiques", resource
    /// "Zones <year> (json)"): a JSON list of {"_id", "nom", "codeINSEE", "level", "uri",
    /// "is_deleted"}; deleted zones are skipped. LEVELS is its levels file ("Niveaux <year>
    /// (json)"): a JSON list of {"id", "label", "admin_level"}; without it the levels are left
    /// as they are. Each is a path, a file:// URL or an http(s) URL.
    Load(LoadArgs),
}

#[derive(Debug, Args)]
pub struct LoadArgs {
    #[command(flatten)]
    storage: StorageArgs,
    /// The geozones export: a path, a file:// URL or an http(s) URL.
    geozones: String,
    /// The levels file: a path, a file:// URL or an http(s) URL.
    levels: Option<String>,
    /// Let URLs reach loopback, private-network and other non-public addresses.
    #[arg(long, env = "PLATEAU_ALLOW_PRIVATE_FETCH")]
    allow_private_fetch: bool,
    /// Time allowed to fetch each URL, connection to last byte, in seconds.
    #[arg(long, env = "PLATEAU_FETCH_TIMEOUT", default_value_t = 300)]
    fetch_timeout: u64,
}

pub async fn run(command: SpatialCommand) -> anyhow::Result<()> {
    match command {
        SpatialCommand::Load(args) => load(args).await,
    }
}

async fn load(args: LoadArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let outbound = Outbound::new(
        if args.allow_private_fetch {
            AddressPolicy::AllowPrivate
        } else {
            AddressPolicy::PublicOnly
        },
        &format!("Plateau/{} (spatial load)", env!("CARGO_PKG_VERSION")),
        Duration::from_secs(args.fetch_timeout.max(1)),
    );
    let read = |location: &str| {
        let outbound = outbound.clone();
        let location = location.to_owned();
        async move {
            outbound
                .read_location(&location, MAX_EXPORT_BYTES)
                .await
                .map_err(|e| anyhow::anyhow!("cannot read {location}: {e}"))
        }
    };
    // Both files are read and checked before anything is written.
    let levels = match &args.levels {
        Some(location) => Some(
            parse_levels(&read(location).await?).map_err(|e| anyhow::anyhow!("{location}: {e}"))?,
        ),
        None => None,
    };
    let file = parse_zones(&read(&args.geozones).await?)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.geozones))?;
    let store = Store::open(&args.storage.data_dir, args.storage.database_url.as_deref())
        .await
        .context("cannot open the store (check --data-dir / --database-url)")?;
    if let Some(levels) = &levels {
        store.upsert_geolevels(levels, time::now()).await?;
    }
    let bar = progress_bar(file.zones.len());
    for batch in file.zones.chunks(BATCH) {
        store.upsert_geozones(batch, time::now()).await?;
        bar.inc(batch.len() as u64);
    }
    bar.finish_and_clear();
    warn_unknown_levels(&store, &file.zones).await?;
    let levels = match &levels {
        Some(levels) => format!("{} levels and ", levels.len()),
        None => String::new(),
    };
    println!(
        "loaded {levels}{} zones ({} deleted zones skipped); the registry holds {} zones ({:.1} s)",
        file.zones.len(),
        file.deleted,
        store.count_geozones().await?,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn progress_bar(zones: usize) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    ProgressBar::new(zones as u64).with_style(
        ProgressStyle::with_template("loading zones [{bar:40}] {pos}/{len} ({per_sec}, eta {eta})")
            .expect("a valid template")
            .progress_chars("=> "),
    )
}

/// Zones whose level is not in the registry still load, but cannot be a dataset's granularity
/// and sort last in suggestions: say so.
async fn warn_unknown_levels(store: &Store, zones: &[GeoZone]) -> anyhow::Result<()> {
    let known: Vec<String> = store.geolevels().await?.into_iter().map(|l| l.id).collect();
    let mut unknown: Vec<&str> = zones
        .iter()
        .map(|z| z.level.as_str())
        .filter(|level| !known.iter().any(|k| k == level))
        .collect();
    unknown.sort_unstable();
    unknown.dedup();
    if !unknown.is_empty() {
        eprintln!(
            "warning: zones of unknown levels were loaded ({}); load the levels file too \
             (`plateau spatial load GEOZONES LEVELS`)",
            unknown.join(", ")
        );
    }
    Ok(())
}
