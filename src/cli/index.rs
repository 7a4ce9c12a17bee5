//! `plateau index rebuild | bench`: the search indexes, offline.

use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::api::datasets::search::parse_search;
use crate::config::StorageArgs;
use crate::search::datasets::Request;
use crate::search::{Search, Visibility};
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Rebuild the search indexes from the store (the server must be stopped: it holds the
    /// index; a server also rebuilds by itself an index that is missing or outdated).
    Rebuild(RebuildArgs),
    /// Time dataset searches straight on the index, without HTTP: the baseline of the search
    /// benchmarks. Each line of the file is the query string of a /api/2/datasets/search/ call.
    Bench(BenchArgs),
}

#[derive(Debug, Args)]
pub struct RebuildArgs {
    #[command(flatten)]
    storage: StorageArgs,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(flatten)]
    storage: StorageArgs,
    /// File of query strings, one per line (e.g. `q=eau+potable&format=csv`).
    #[arg(long)]
    queries: std::path::PathBuf,
    /// Passes over the file.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Count facets too, as /api/2/datasets/search/ does.
    #[arg(long)]
    facets: bool,
    /// Results per query.
    #[arg(long, default_value_t = 20)]
    page_size: usize,
    /// Also print the N queries that took the most time over all passes, with their share of
    /// the total time and their matches.
    #[arg(long, default_value_t = 0)]
    slowest: usize,
}

async fn open(storage: &StorageArgs) -> anyhow::Result<std::sync::Arc<Search>> {
    let store = Store::open(&storage.data_dir, storage.database_url.as_deref())
        .await
        .context("cannot open the store (check --data-dir / --database-url)")?;
    Search::open(&storage.data_dir.join("search"), store)
        .context("cannot open the search index (stop the server using this data dir first)")
}

pub async fn run(command: IndexCommand) -> anyhow::Result<()> {
    match command {
        IndexCommand::Rebuild(args) => {
            let search = open(&args.storage).await?;
            let bar = ProgressBar::new(0).with_style(
                ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, eta {eta})")
                    .expect("a valid template")
                    .progress_chars("=> "),
            );
            let started = Instant::now();
            let indexed = parking_lot::Mutex::new(Vec::<(String, u64)>::new());
            search
                .rebuild(&|kind, done, total| {
                    let mut indexed = indexed.lock();
                    match indexed.last_mut() {
                        Some((last, count)) if last == kind => *count = done,
                        _ => {
                            indexed.push((kind.to_owned(), done));
                            bar.reset();
                            bar.set_message(format!("indexing {kind}s"));
                        }
                    }
                    bar.set_length(total);
                    bar.set_position(done);
                })
                .await?;
            bar.finish_and_clear();
            let counts: Vec<String> = indexed
                .into_inner()
                .iter()
                .map(|(kind, count)| format!("{count} {kind}s"))
                .collect();
            println!(
                "indexed {} in {:.1} s",
                counts.join(", "),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        IndexCommand::Bench(args) => bench(args).await,
    }
}

async fn bench(args: BenchArgs) -> anyhow::Result<()> {
    let search = open(&args.storage).await?;
    anyhow::ensure!(
        search.datasets.is_ready(),
        "the index is not built: run `plateau index rebuild` first"
    );
    let text = std::fs::read_to_string(&args.queries)
        .with_context(|| format!("cannot read {}", args.queries.display()))?;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let queries = lines
        .iter()
        .map(|l| parse_search(l).map_err(|e| anyhow::anyhow!("{l}: {e}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    anyhow::ensure!(
        !queries.is_empty() && args.rounds > 0,
        "nothing to time: the file has no query or --rounds is 0"
    );
    let run = |query| {
        // Every pass counts every facet: a server keeps the counts of large sets, and the
        // passes repeat the same queries.
        search.datasets.facet_sets.clear();
        crate::search::datasets::search(
            &search.datasets,
            &Request {
                query,
                visibility: &Visibility::default(),
                offset: 0,
                limit: args.page_size,
                facets: args.facets,
                now: crate::domain::time::now(),
            },
        )
    };
    // The first search builds the per-segment tables that a server builds as it starts.
    run(&queries[0])?;
    let mut timings: Vec<Duration> = Vec::new();
    let mut totals: Vec<u64> = Vec::new();
    let mut per_query = vec![(Duration::ZERO, 0); queries.len()];
    for _ in 0..args.rounds {
        for (i, query) in queries.iter().enumerate() {
            let started = Instant::now();
            let page = run(query)?;
            let took = started.elapsed();
            timings.push(took);
            per_query[i] = (per_query[i].0 + took, page.total);
            totals.push(page.total);
        }
    }
    let spent = timings.iter().sum::<Duration>();
    let mean = spent.as_secs_f64() * 1000.0 / timings.len() as f64;
    timings.sort();
    totals.sort();
    let at = |p: f64| timings[((timings.len() - 1) as f64 * p) as usize].as_secs_f64() * 1000.0;
    let matched = |p: f64| totals[((totals.len() - 1) as f64 * p) as usize];
    println!(
        "{} searches (facets: {}): mean {mean:.2} ms, p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, \
         max {:.2} ms; matches p50 {}, p90 {}, p99 {}",
        timings.len(),
        args.facets,
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0),
        matched(0.5),
        matched(0.9),
        matched(0.99),
    );
    let mut slowest: Vec<usize> = (0..queries.len()).collect();
    slowest.sort_by_key(|i| std::cmp::Reverse(per_query[*i].0));
    for i in slowest.into_iter().take(args.slowest) {
        let (time, matches) = per_query[i];
        println!(
            "{:5.1} % {:8.2} ms  matches {:8}  {}",
            time.as_secs_f64() * 100.0 / spent.as_secs_f64(),
            time.as_secs_f64() * 1000.0 / args.rounds as f64,
            matches,
            lines[i],
        );
    }
    Ok(())
}
