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
    /// The whole system offline: dashboard, WhatsApp simulator, fake Graph API, users.
    Demo {
        /// Data folder (default: a new folder named wani-bares-demo-<time>).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Create N sample complaints over the last three months.
        #[arg(long, default_value_t = 0)]
        sample: usize,
    },
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
    /// The audit trail.
    Audit {
        /// What to do.
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Deadlines.
    Sla {
        /// What to do.
        #[command(subcommand)]
        action: SlaAction,
    },
    /// The monthly report to the Bupati.
    Report {
        /// What to do.
        #[command(subcommand)]
        action: ReportAction,
    },
    /// A citizen's personal data (UU 27/2022).
    Citizen {
        /// What to do.
        #[command(subcommand)]
        action: CitizenAction,
    },
    /// Encryption keys.
    Keys {
        /// What to do.
        #[command(subcommand)]
        action: KeysAction,
    },
    /// The office calendar.
    Calendar {
        /// What to do.
        #[command(subcommand)]
        action: CalendarAction,
    },
}

/// `audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Check the whole hash chain; names the first broken link and exits non-zero.
    Verify,
}

/// `sla` subcommands.
#[derive(Debug, Subcommand)]
pub enum SlaAction {
    /// Print when a step started at --from is due (RFC 3339, office timezone).
    Due {
        /// first_reply, verification, forward, opd_answer, answer_return or reply.
        #[arg(long)]
        step: String,
        /// The start, RFC 3339 (e.g. 2026-12-04T15:00:00+07:00).
        #[arg(long)]
        from: String,
        /// sop (default) or national.
        #[arg(long, default_value = "sop")]
        layer: String,
        /// aduan (default) or pertanyaan.
        #[arg(long, default_value = "aduan")]
        kind: String,
    },
}

/// `citizen` subcommands.
#[derive(Debug, Subcommand)]
pub enum CitizenAction {
    /// Print everything stored about a citizen as JSON.
    Export {
        /// Phone number (any form) or business-scoped user id.
        #[arg(long)]
        wa_id: String,
    },
    /// Erase a citizen's personal data (statistics and the audit chain stay valid).
    Erase {
        /// Phone number (any form) or business-scoped user id.
        #[arg(long)]
        wa_id: String,
    },
}

/// `keys` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeysAction {
    /// Add a new key to the keyring file and re-seal every value and file with it.
    Rotate,
    /// Re-seal every value and file with the current (last) key, e.g. after a new key was
    /// added to WANI_BARES_MASTER_KEY.
    Reseal,
}

/// `report` subcommands.
#[derive(Debug, Subcommand)]
pub enum ReportAction {
    /// Write the report of a month.
    Monthly {
        /// YYYY-MM.
        #[arg(long)]
        month: String,
        /// pdf, xlsx or csv.
        #[arg(long, default_value = "pdf")]
        format: String,
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
    },
}

/// `calendar` subcommands.
#[derive(Debug, Subcommand)]
pub enum CalendarAction {
    /// National holidays and cuti bersama.
    Holiday {
        /// What to do.
        #[command(subcommand)]
        action: HolidayAction,
    },
}

/// `calendar holiday` subcommands.
#[derive(Debug, Subcommand)]
pub enum HolidayAction {
    /// Add (or rename) a holiday.
    Add {
        /// YYYY-MM-DD.
        #[arg(long)]
        date: String,
        /// Its name.
        #[arg(long)]
        name: String,
    },
    /// List the holidays.
    List,
    /// Remove a holiday.
    Remove {
        /// YYYY-MM-DD.
        #[arg(long)]
        date: String,
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
    run_cli(Cli::parse())
}

/// Runs with explicit arguments (the benchmark starts the server this way).
pub fn main_with<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    run_cli(Cli::parse_from(args))
}

fn run_cli(cli: Cli) -> ExitCode {
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
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
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
        Command::Demo { data_dir, sample } => crate::demo::run(config, data_dir, sample).await,
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
        Command::Audit {
            action: AuditAction::Verify,
        } => {
            let store = open_store(&config).await?;
            let result = {
                let mut r = store.reader().await?;
                wani_bares_store::audit::verify(&mut r.conn()).await?
            };
            store.close().await;
            match result {
                wani_bares_store::audit::Verification::Intact(n) => {
                    println!("audit chain intact: {n} events");
                    Ok(())
                }
                wani_bares_store::audit::Verification::Broken { seq, reason } => {
                    bail!("audit chain broken at event {seq}: {reason}")
                }
            }
        }
        Command::Sla {
            action:
                SlaAction::Due {
                    step,
                    from,
                    layer,
                    kind,
                },
        } => {
            let step = wani_bares_domain::sla::Step::parse(&step)
                .map_err(|e| anyhow::anyhow!("invalid --step: {e}"))?;
            let start: jiff::Timestamp = from
                .parse()
                .map_err(|e| anyhow::anyhow!("invalid --from (RFC 3339 expected): {e}"))?;
            let layer = match layer.as_str() {
                "sop" => wani_bares_domain::sla::Layer::Sop,
                "national" => wani_bares_domain::sla::Layer::National,
                other => bail!("invalid --layer {other:?}: sop or national"),
            };
            let kind = match kind.as_str() {
                "aduan" => wani_bares_domain::sla::RequestKind::Complaint,
                "pertanyaan" => wani_bares_domain::sla::RequestKind::Question,
                other => bail!("invalid --kind {other:?}: aduan or pertanyaan"),
            };
            let store = open_store(&config).await?;
            seed_first_start(&store, clock.now().as_millisecond()).await?;
            let cal = crate::app::load_calendar(&store, &config.timezone).await?;
            let targets = crate::app::load_targets(&store).await?;
            store.close().await;
            let target = targets
                .target(step, layer, kind)
                .with_context(|| format!("step {} has no target on that layer", step.as_str()))?;
            let due = wani_bares_domain::sla::due(start, &target, &cal);
            println!(
                "{}",
                due.to_zoned_datetime(cal.tz().clone())
                    .strftime("%Y-%m-%dT%H:%M:%S%:z")
            );
            Ok(())
        }
        Command::Citizen { action } => {
            let state = crate::app::build_state(
                config,
                clock,
                BuildOptions {
                    demo: false,
                    no_jobs: true,
                },
            )
            .await?;
            let result = match action {
                CitizenAction::Export { wa_id } => {
                    crate::services::privacy::export(&state.store, &wa_id)
                        .await
                        .map(|v| {
                            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
                        })
                }
                CitizenAction::Erase { wa_id } => {
                    crate::services::privacy::erase(&state, &wa_id, "cli")
                        .await
                        .map(|n| {
                            println!("citizen erased; {n} complaint(s) anonymised");
                        })
                }
            };
            state.store.close().await;
            result
        }
        Command::Keys {
            action: KeysAction::Rotate,
        } => {
            if !config.master_key.is_empty() {
                bail!(
                    "the key comes from WANI_BARES_MASTER_KEY: rotate it there (give `id:key,id:key`, the new key last), then run `wani-bares keys reseal`"
                );
            }
            let id = wani_bares_store::vault::Vault::add_key_to_file(&config.data_dir)?;
            let state = crate::app::build_state(
                config,
                clock,
                BuildOptions {
                    demo: false,
                    no_jobs: true,
                },
            )
            .await?;
            let (values, files) = crate::services::privacy::reseal_everything(&state).await?;
            let now = state.now_ms();
            let mut tx = state.store.begin().await?;
            wani_bares_store::audit::append(
                &mut tx.conn(),
                &wani_bares_store::audit::NewEvent {
                    at: now,
                    actor_user_id: None,
                    actor: "cli",
                    action: "key_rotated",
                    complaint_id: None,
                    before: None,
                    after: Some(&format!("key:{id}")),
                    detail: Some(&format!("{values} values, {files} files re-sealed")),
                },
            )
            .await?;
            tx.commit().await?;
            state.store.close().await;
            println!(
                "new key {id} in use; {values} values and {files} files re-sealed (restart a running server to use it)"
            );
            Ok(())
        }
        Command::Keys {
            action: KeysAction::Reseal,
        } => {
            let state = crate::app::build_state(
                config,
                clock,
                BuildOptions {
                    demo: false,
                    no_jobs: true,
                },
            )
            .await?;
            let (values, files) = crate::services::privacy::reseal_everything(&state).await?;
            state.store.close().await;
            println!(
                "{values} values and {files} files re-sealed with key {}",
                state.store.vault().current_key_id()
            );
            Ok(())
        }
        Command::Report {
            action: ReportAction::Monthly { month, format, out },
        } => {
            let format: wani_bares_report::Format = format
                .parse()
                .map_err(|e| anyhow::anyhow!("invalid --format: {e}"))?;
            let state = crate::app::build_state(
                config,
                clock,
                BuildOptions {
                    demo: false,
                    no_jobs: true,
                },
            )
            .await?;
            let rendered = crate::services::reports::render(&state, &month, format)
                .await
                .with_context(|| format!("report for {month}"))?;
            std::fs::write(&out, &rendered.bytes)
                .with_context(|| format!("writing {}", out.display()))?;
            state.store.close().await;
            println!(
                "report {month} ({}) written to {} ({} bytes)",
                format.extension(),
                out.display(),
                rendered.bytes.len()
            );
            Ok(())
        }
        Command::Calendar {
            action: CalendarAction::Holiday { action },
        } => {
            let store = open_store(&config).await?;
            seed_first_start(&store, clock.now().as_millisecond()).await?;
            let result = holiday(&store, action).await;
            store.close().await;
            result
        }
    }
}

async fn holiday(store: &wani_bares_store::Store, action: HolidayAction) -> anyhow::Result<()> {
    let parse_date = |d: &str| -> anyhow::Result<jiff::civil::Date> {
        d.trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("invalid --date {d:?}: use YYYY-MM-DD"))
    };
    match action {
        HolidayAction::Add { date, name } => {
            let date = parse_date(&date)?;
            let name = name.trim();
            if name.is_empty() {
                bail!("invalid --name: must not be empty");
            }
            let mut tx = store.begin().await?;
            wani_bares_store::sla::add_holiday(&mut tx.conn(), &date.to_string(), name).await?;
            tx.commit().await?;
            println!("holiday {date} {name} saved");
        }
        HolidayAction::List => {
            let mut r = store.reader().await?;
            for (date, name) in wani_bares_store::sla::holidays(&mut r.conn()).await? {
                println!("{date}\t{name}");
            }
        }
        HolidayAction::Remove { date } => {
            let date = parse_date(&date)?;
            let mut tx = store.begin().await?;
            let removed =
                wani_bares_store::sla::remove_holiday(&mut tx.conn(), &date.to_string()).await?;
            tx.commit().await?;
            if !removed {
                bail!("no holiday on {date}");
            }
            println!("holiday {date} removed");
        }
    }
    Ok(())
}

async fn serve(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<()> {
    let app = App::build(config, clock, BuildOptions::default()).await?;
    tracing::info!(addr = %app.addr(), database = app.state.store.backend().as_str(), "Wani Bares is listening");
    cancel_on_signals(app.state.shutdown.clone());
    app.run().await
}
