//! The `plateau` command line: one binary for the server and its administration.

pub mod demo;
mod index;
mod license;
mod serve;
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
    /// Rebuild or benchmark the search indexes.
    #[command(subcommand)]
    Index(index::IndexCommand),
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
        Command::Index(command) => runtime.block_on(index::run(command)),
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
