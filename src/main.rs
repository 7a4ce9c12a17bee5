use clap::Parser;

// The request path allocates many small short-lived objects; mimalloc serves them with less
// contention between worker threads than the system allocator (measured in BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = plateau::cli::Cli::parse();
    if let Err(e) = plateau::cli::run(cli) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
