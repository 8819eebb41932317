//! The command line: `serve`, `migrate`, `user add`, `backup`, and the operations
//! commands of later issues. Exit codes: 0 success, 1 failure (message on stderr), 2 bad
//! usage (clap).

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::app::{App, BuildOptions, cancel_on_signals, open_store, seed_first_start};
use crate::clock::{Clock, SystemClock};
use crate::config::{Config, LogFormat};

/// Wani Bares — layanan pengaduan masyarakat Kabupaten Magetan lewat WhatsApp.
#[derive(Debug, Parser)]
#[command(name = "wani-bares", version, about)]
pub struct Cli {
    /// TOML configuration file (environment variables WANI_BARES_* override it).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Log format: text or json.
    #[arg(long, global = true, value_name = "FORMAT")]
    pub log_format: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the service (HTTP, webhook, jobs) until SIGTERM/SIGINT.
    Serve,
    /// Apply database migrations and the first-start seed, then exit.
    Migrate,
    /// Manage staff accounts.
    User {
        /// What to do.
        #[command(subcommand)]
        action: UserAction,
    },
    /// Write a consistent copy of the SQLite database while the service runs.
    Backup {
        /// The new file to write (must not exist).
        #[arg(long)]
        out: PathBuf,
    },
}

/// `user` subcommands.
#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Add a staff account; the password is read from standard input.
    Add {
        /// Login name.
        #[arg(long)]
        username: String,
        /// superadmin, admin, kabid, kadis, opd or viewer.
        #[arg(long)]
        role: String,
        /// Agency code (required for role opd).
        #[arg(long)]
        opd: Option<String>,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
        /// WhatsApp number for queue notifications.
        #[arg(long)]
        wa_number: Option<String>,
        /// Read the password from standard input (required).
        #[arg(long)]
        password_stdin: bool,
    },
}

/// Entry point used by `main`.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("wani-bares: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wani-bares: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,sqlx=warn,hyper=warn,tower_http=info")
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

fn load_config(cli: &Cli) -> anyhow::Result<Config> {
    let mut config = Config::load(cli.config.as_deref())?;
    if let Some(f) = &cli.log_format {
        config.log_format = match f.as_str() {
            "json" => LogFormat::Json,
            "text" => LogFormat::Text,
            other => bail!("invalid value for --log-format: {other:?} is not text or json"),
        };
    }
    Ok(config)
}

/// Runs a parsed command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = load_config(&cli)?;
    init_logging(config.log_format);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    match cli.command {
        Command::Serve => serve(config, clock).await,
        Command::Migrate => {
            let store = open_store(&config).await?;
            seed_first_start(&store, clock.now().as_millisecond()).await?;
            store.close().await;
            println!("database is up to date");
            Ok(())
        }
        Command::User { action } => match action {
            UserAction::Add {
                username,
                role,
                opd,
                name,
                wa_number,
                password_stdin,
            } => {
                if !password_stdin {
                    bail!(
                        "--password-stdin is required: the password is read from standard input, never from the command line"
                    );
                }
                let mut password = String::new();
                std::io::stdin()
                    .read_to_string(&mut password)
                    .context("reading the password")?;
                let password = password.trim_end_matches(['\n', '\r']);
                let store = open_store(&config).await?;
                seed_first_start(&store, clock.now().as_millisecond()).await?;
                let id = crate::services::users::add(
                    &store,
                    clock.now().as_millisecond(),
                    &crate::services::users::NewStaff {
                        username: &username,
                        role: &role,
                        opd: opd.as_deref(),
                        name: name.as_deref(),
                        wa_number: wa_number.as_deref(),
                        password,
                    },
                )
                .await?;
                store.close().await;
                println!("user {username} created (id {id}, role {role})");
                Ok(())
            }
        },
        Command::Backup { out } => {
            let store = open_store(&config).await?;
            store.backup_to(&out).await?;
            store.close().await;
            println!("backup written to {}", out.display());
            Ok(())
        }
    }
}

async fn serve(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<()> {
    let app = App::build(config, clock, BuildOptions::default()).await?;
    tracing::info!(addr = %app.addr(), database = app.state.store.backend().as_str(), "Wani Bares is listening");
    cancel_on_signals(app.state.shutdown.clone());
    app.run().await
}
