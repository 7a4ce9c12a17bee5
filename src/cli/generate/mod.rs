//! `plateau generate`: fills a store with a realistic synthetic catalogue for benchmarks and
//! demonstrations. Objects are written ten thousand per transaction through the store's bulk
//! loads, while the next ten thousand are being made, so a million datasets take minutes.

mod catalogue;
mod random;
mod text;
mod words;

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::IsTerminal;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use catalogue::Catalogue;
pub use catalogue::Plan;

use crate::config::StorageArgs;
use crate::domain::slug;
use crate::store::Store;
use crate::store::import::SlugKind;

/// Objects per transaction. Larger batches touch each page of the (randomly filled) indexes
/// fewer times per object: on SQLite, 100,000 datasets took 27 s in batches of 1,000, 13.5 s
/// in batches of 10,000 and 12.5 s in batches of 20,000, for twice the memory.
const BATCH: u64 = 10_000;

#[derive(Debug, Args)]
pub struct GenerateArgs {
    #[command(flatten)]
    storage: StorageArgs,
    /// Number of datasets to create.
    #[arg(long)]
    datasets: u64,
    /// Number of organizations [default: datasets / 100, at least 1].
    #[arg(long)]
    organizations: Option<u64>,
    /// Number of users [default: 3 per organization].
    #[arg(long)]
    users: Option<u64>,
    /// Seed of the generator: the same seed makes the same catalogue.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

impl GenerateArgs {
    fn plan(&self) -> anyhow::Result<Plan> {
        let organizations = self
            .organizations
            .unwrap_or_else(|| (self.datasets / 100).max(1));
        let users = self.users.unwrap_or(organizations * 3);
        if self.datasets > 0 && organizations == 0 && users == 0 {
            bail!("datasets need an owner: give --organizations or --users more than 0");
        }
        Ok(Plan {
            datasets: self.datasets,
            organizations,
            users,
            seed: self.seed,
        })
    }
}

/// How many objects a run wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Generated {
    pub datasets: u64,
    pub resources: u64,
    pub organizations: u64,
    pub users: u64,
}

pub async fn run(args: GenerateArgs) -> anyhow::Result<()> {
    let plan = args.plan()?;
    let store = Store::open(&args.storage.data_dir, args.storage.database_url.as_deref())
        .await
        .context("cannot open the store (check --data-dir / --database-url)")?;
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(plan.datasets).with_style(
            ProgressStyle::with_template(
                "{wide_bar} {human_pos}/{human_len} datasets, {elapsed} elapsed, {eta} left",
            )
            .expect("the progress template is valid"),
        )
    } else {
        ProgressBar::hidden()
    };
    let started = Instant::now();
    let generated = generate(&store, plan, |written| bar.set_position(written)).await?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "generated {} datasets, {} resources, {} organizations, {} users in {seconds:.1} s ({:.0} datasets/s)",
        generated.datasets,
        generated.resources,
        generated.organizations,
        generated.users,
        generated.datasets as f64 / seconds.max(1e-9),
    );
    Ok(())
}

/// Writes the catalogue of `plan` into `store`, beside what it holds: users, then organizations
/// with their members, then datasets with their resources. `progress` is told how many datasets
/// are written so far.
///
/// Slugs already taken get a `-1`, `-2`… suffix as everywhere else. The ids derive from the
/// seed, so running a seed twice on one store is refused before anything is written.
pub async fn generate(
    store: &Store,
    plan: Plan,
    mut progress: impl FnMut(u64),
) -> anyhow::Result<Generated> {
    store.tune_for_bulk_load()?;
    let catalogue = Catalogue::new(plan);
    let mut generated = Generated::default();

    let mut slugs = Slugs::taken(store, SlugKind::User).await?;
    let mut user_ids = Vec::with_capacity(plan.users as usize);
    for start in (0..plan.users).step_by(BATCH as usize) {
        let users: Vec<_> = (start..(start + BATCH).min(plan.users))
            .map(|i| {
                let mut user = catalogue.user(i);
                user.slug = slugs.claim(&slug::slugify(&user.full_name()));
                user
            })
            .collect();
        if start == 0 && store.user_by_id(&users[0].id).await?.is_some() {
            bail!(already_generated(plan.seed));
        }
        user_ids.extend(users.iter().map(|u| u.id.clone()));
        store.import_users(&users).await?;
        generated.users += users.len() as u64;
    }

    let mut slugs = Slugs::taken(store, SlugKind::Organization).await?;
    let mut org_ids = Vec::with_capacity(plan.organizations as usize);
    for start in (0..plan.organizations).step_by(BATCH as usize) {
        let organizations: Vec<_> = (start..(start + BATCH).min(plan.organizations))
            .map(|i| {
                let (mut org, members) = catalogue.organization(i, &user_ids);
                org.slug = slugs.claim(&slug::slugify(&org.name));
                (org, members)
            })
            .collect();
        if start == 0
            && store
                .organization_by_id(&organizations[0].0.id)
                .await?
                .is_some()
        {
            bail!(already_generated(plan.seed));
        }
        org_ids.extend(organizations.iter().map(|(o, _)| o.id.clone()));
        store.import_organizations(&organizations).await?;
        generated.organizations += organizations.len() as u64;
    }

    // Each batch is written by its own task while the next one is made; one at a time, so
    // that a failure stops the run after at most one more batch was made.
    let mut slugs = Slugs::taken(store, SlugKind::Dataset).await?;
    let mut writing: Option<tokio::task::JoinHandle<_>> = None;
    for start in (0..plan.datasets).step_by(BATCH as usize) {
        let datasets: Vec<_> = (start..(start + BATCH).min(plan.datasets))
            .map(|i| {
                let (mut dataset, resources) = catalogue.dataset(i, &org_ids, &user_ids);
                dataset.slug = slugs.claim(&dataset.slug);
                (dataset, resources)
            })
            .collect();
        if start == 0 && store.dataset_by_id(&datasets[0].0.id).await?.is_some() {
            bail!(already_generated(plan.seed));
        }
        generated.resources += datasets.iter().map(|(_, r)| r.len() as u64).sum::<u64>();
        if let Some(previous) = writing.take() {
            previous.await??;
            progress(start);
        }
        let store = store.clone();
        writing = Some(tokio::spawn(async move {
            store.import_datasets(&datasets).await
        }));
    }
    if let Some(last) = writing {
        last.await??;
    }
    store.analyze().await?;
    generated.datasets = plan.datasets;
    progress(plan.datasets);
    Ok(generated)
}

fn already_generated(seed: u64) -> String {
    format!(
        "the store already holds the catalogue of seed {seed}; generate appends, so choose another --seed"
    )
}

/// Slugs in use, kept as 64-bit hashes: a million take a few megabytes, and the rare collision
/// of two hashes only gives a slug a needless suffix.
struct Slugs {
    taken: HashSet<u64>,
    /// The next suffix to try for a base slug, so that the thousandth « liste-des-ecoles » is
    /// found without trying the 999 before it.
    next_suffix: HashMap<u64, usize>,
}

fn hash(slug: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    slug.hash(&mut hasher);
    hasher.finish()
}

impl Slugs {
    async fn taken(store: &Store, kind: SlugKind) -> anyhow::Result<Self> {
        let mut taken = HashSet::new();
        store
            .each_taken_slug(kind, |slug| {
                taken.insert(hash(slug));
            })
            .await?;
        Ok(Slugs {
            taken,
            next_suffix: HashMap::new(),
        })
    }

    /// A free slug for `base` (`base`, `base-1`, `base-2`…), now taken.
    fn claim(&mut self, base: &str) -> String {
        let key = hash(base);
        let mut n = self.next_suffix.get(&key).copied().unwrap_or(0);
        loop {
            let candidate = slug::candidate(base, n);
            n += 1;
            if self.taken.insert(hash(&candidate)) {
                self.next_suffix.insert(key, n);
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claimed_slugs_get_suffixes_past_taken_ones() {
        let mut slugs = Slugs {
            taken: ["eau-1"].iter().map(|s| hash(s)).collect(),
            next_suffix: HashMap::new(),
        };
        assert_eq!(slugs.claim("eau"), "eau");
        assert_eq!(slugs.claim("eau"), "eau-2");
        assert_eq!(slugs.claim("eau"), "eau-3");
        assert_eq!(slugs.claim(""), "object");
    }
}
