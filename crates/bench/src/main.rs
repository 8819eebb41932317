//! `wani-bares-bench`: measures Wani Bares against the limits of the machine it runs on,
//! in the same run. Every command prints human-readable tables and, as its LAST line of
//! standard output, one JSON object (the field names are a contract).
//!
//! - `ingest`: the real server (SQLite in a temp dir unless `--database-url`) with a fake
//!   Graph API; N signed webhooks from N/2 new citizens; ack latency, first-reply latency,
//!   lost messages; baselines: raw SQLite inserts one per commit and 100 per commit on the
//!   same disk with the same durability, and the same load against a do-nothing handler on
//!   the same HTTP stack.
//! - `scale`: N complaints over 12 months; list, filter, search and detail latency through
//!   the API, the monthly report of the largest month, and the server's peak RSS.

mod baseline;
mod fake;
mod ingest;
mod load;
mod scale;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "wani-bares-bench", about = "Benchmarks for Wani Bares")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Webhook ingestion and first reply.
    Ingest(ingest::Args),
    /// Dashboard/API queries and the monthly report at scale.
    Scale(scale::Args),
    /// (internal) Runs the server; `scale` starts it as a child to measure its memory.
    #[command(hide = true)]
    ServeInternal,
}

fn main() -> anyhow::Result<()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "error".into()),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let cli = Cli::parse();
    if matches!(cli.command, Command::ServeInternal) {
        // The scale command hands over a configuration file that turns off background
        // work it does not measure (the scheduled monthly reports).
        let mut args = vec!["wani-bares".to_owned()];
        if let Ok(path) = std::env::var("WANI_BARES_BENCH_CONFIG") {
            args.extend(["--config".to_owned(), path]);
        }
        args.push("serve".to_owned());
        let code = wani_bares::cli::main_with(args);
        std::process::exit(i32::from(code != std::process::ExitCode::SUCCESS));
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let json = rt.block_on(async {
        match cli.command {
            Command::Ingest(a) => ingest::run(a).await,
            Command::Scale(a) => scale::run(a).await,
            Command::ServeInternal => unreachable!("handled above"),
        }
    })?;
    println!("{json}");
    Ok(())
}

/// The q-th percentile (0–100) of sorted values, nearest rank.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

/// Rounds to two decimals for the JSON.
pub fn r2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert!((percentile(&v, 50.0) - 50.0).abs() < f64::EPSILON);
        assert!((percentile(&v, 99.0) - 99.0).abs() < f64::EPSILON);
        assert!((percentile(&v, 100.0) - 100.0).abs() < f64::EPSILON);
        assert!(percentile(&[], 50.0).abs() < f64::EPSILON);
    }
}
