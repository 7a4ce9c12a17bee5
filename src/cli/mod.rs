//! The `plateau` command line: one binary for the server and its administration.

pub mod demo;
mod files;
pub mod generate;
mod index;
mod license;
mod serve;
mod spatial;
mod user;

use clap::{Parser, Subcommand};

/// Plateau: an open-data portal server, a drop-in replacement for uData (data.gouv.fr).
///
/// Every flag can also be set with the PLATEAU_* environment variable shown in its help.
#[derive(Debug, Parser)]
#[command(name = "plateau", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the portal's HTTP server (creates and migrates the store on first start).
    Serve(crate::config::ServeArgs),
    /// Manage user accounts (works while `serve` runs on the same store).
    #[command(subcommand)]
    User(user::UserCommand),
    /// Manage the licenses datasets may use (works while `serve` runs on the same store).
    #[command(subcommand)]
    License(license::LicenseCommand),
    /// Load the geozone registry (levels and zones datasets' spatial coverage names) from
    /// data.gouv.fr's geozones export (works while `serve` runs on the same store).
    #[command(subcommand)]
    Spatial(spatial::SpatialCommand),
    /// Move stored files between stores (`files migrate --to s3://…`).
    #[command(subcommand)]
    Files(files::FilesCommand),
    /// Rebuild or benchmark the search indexes.
    #[command(subcommand)]
    Index(index::IndexCommand),
    /// Fill the store with a synthetic catalogue, for benchmarks (appends to what is there).
    ///
    /// Makes users, organizations (public services, local authorities, companies, associations,
    /// with their badges and members) and datasets with remote resources: French titles,
    /// descriptions and tags whose words follow a Zipf law, licenses, frequencies, temporal and
    /// spatial coverage, dates from 2013 to 2026, long-tailed view, follower and reuse counters;
    /// about 3 % of datasets owned by users, 2 % private, 1 % archived, 1 % deleted. The same
    /// seed makes the same catalogue.
    ///
    /// Everything is added beside what the store already holds: slugs already taken get a
    /// suffix, and a seed already used on this store is refused (use another --seed). Users get
    /// no password nor API key. Follower counters are synthetic: the first real follow of an
    /// object recounts them from its actual followers.
    Generate(generate::GenerateArgs),
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Command::Serve(args) => runtime.block_on(serve::serve(args)),
        Command::User(command) => runtime.block_on(user::run(command)),
        Command::License(command) => runtime.block_on(license::run(command)),
        Command::Spatial(command) => runtime.block_on(spatial::run(command)),
        Command::Files(command) => runtime.block_on(files::run(command)),
        Command::Index(command) => runtime.block_on(index::run(command)),
        Command::Generate(args) => runtime.block_on(generate::run(args)),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
