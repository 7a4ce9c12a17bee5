use clap::Parser;

fn main() {
    let cli = plateau::cli::Cli::parse();
    if let Err(e) = plateau::cli::run(cli) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
