//! `plateau license add | list`.

use anyhow::{Context, bail};
use clap::{Args, Subcommand};

use crate::config::StorageArgs;
use crate::domain::license::{License, parse_licenses};
use crate::domain::time;
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum LicenseCommand {
    /// Add or replace licenses, from a JSON file (a list shaped like GET /api/1/datasets/licenses/,
    /// or one license) or from flags.
    Add(AddArgs),
    /// Print every license as JSON, in listing order.
    List(ListArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[command(flatten)]
    storage: StorageArgs,
    /// JSON file of licenses; replaces the flags below.
    #[arg(long, conflicts_with_all = ["id", "title", "url", "maintainer", "flag"])]
    file: Option<std::path::PathBuf>,
    #[arg(long)]
    id: Option<String>,
    #[arg(long)]
    title: Option<String>,
    #[arg(long)]
    url: Option<String>,
    #[arg(long)]
    maintainer: Option<String>,
    /// A flag such as okd_compliant, domain_data, generic (repeatable).
    #[arg(long)]
    flag: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    storage: StorageArgs,
}

async fn open(storage: &StorageArgs) -> anyhow::Result<Store> {
    Store::open(&storage.data_dir, storage.database_url.as_deref())
        .await
        .context("cannot open the store (check --data-dir / --database-url)")
}

pub async fn run(command: LicenseCommand) -> anyhow::Result<()> {
    match command {
        LicenseCommand::Add(args) => {
            let licenses = match &args.file {
                Some(path) => {
                    let text = std::fs::read_to_string(path)
                        .with_context(|| format!("cannot read {}", path.display()))?;
                    parse_licenses(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
                }
                None => {
                    let (Some(id), Some(title)) = (args.id.clone(), args.title.clone()) else {
                        bail!("give --file, or --id and --title");
                    };
                    let license = License {
                        id,
                        title,
                        url: args.url.clone(),
                        alternate_urls: vec![],
                        alternate_titles: vec![],
                        maintainer: args.maintainer.clone(),
                        flags: args.flag.clone(),
                        active: true,
                    };
                    license.validate().map_err(anyhow::Error::msg)?;
                    vec![license]
                }
            };
            let store = open(&args.storage).await?;
            store.upsert_licenses(&licenses, time::now()).await?;
            for license in &licenses {
                println!("{}", license.id);
            }
            Ok(())
        }
        LicenseCommand::List(args) => {
            let store = open(&args.storage).await?;
            println!(
                "{}",
                serde_json::to_string_pretty(&store.licenses().await?)?
            );
            Ok(())
        }
    }
}
