//! Building and running the service: open the store (migrations, first-start seed), load
//! the calendar and texts, start the inbox writer and the jobs, bind the listener. Tests
//! build the same [`App`] on port 0 with a fresh data dir and a [`crate::clock::TestClock`].

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::{RwLock, broadcast};
use tokio_util::sync::CancellationToken;
use wani_bares_domain::calendar::{OfficeCalendar, parse_timezone, seed_holidays_2026};
use wani_bares_domain::sla::SlaTargets;
use wani_bares_store::media::MediaStore;
use wani_bares_store::vault::Vault;
use wani_bares_store::{ConnectOptions, Store, seed, settings, sla};
use wani_bares_whatsapp::client::{AccessToken, GraphClient, GraphConfig};

use crate::channel::inbox::InboxWriter;
use crate::channel::sender::Sender;
use crate::clock::Clock;
use crate::config::Config;
use crate::jobs;
use crate::state::{AppState, Inner, Wakers};
use crate::texts::TextCatalog;

/// Options beyond the configuration.
#[derive(Clone, Copy, Debug, Default)]
pub struct BuildOptions {
    /// Mount the WhatsApp simulator (the `demo` command only).
    pub demo: bool,
    /// Start the background jobs (tests that drive jobs by hand turn this off).
    pub no_jobs: bool,
}

/// A built, bound, not yet running service.
pub struct App {
    /// The shared state.
    pub state: AppState,
    listener: TcpListener,
}

/// Opens the store for a configuration: vault, connection, migrations.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create the data dir {}", config.data_dir.display()))?;
    let master = (!config.master_key.is_empty()).then(|| config.master_key.expose());
    let vault =
        Vault::load_or_create(&config.data_dir, master).context("loading the master key")?;
    let store = Store::open(
        &ConnectOptions::new(config.database_url.expose()),
        Arc::new(vault),
    )
    .await
    .context("opening the database")?;
    Ok(store)
}

/// Seeds what must be present after the first start (agencies, districts, categories,
/// the 2026 holidays). Runs once; later edits stick.
pub async fn seed_first_start(store: &Store, now: i64) -> anyhow::Result<()> {
    let mut tx = store.begin().await?;
    seed::seed_reference_data(&mut tx.conn(), now).await?;
    if settings::set_default(&mut tx.conn(), "seed.holidays", "2026", now).await? {
        for (date, name) in seed_holidays_2026() {
            sla::add_holiday(&mut tx.conn(), &date.to_string(), name).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Loads the office calendar from the timezone and the holidays table.
pub async fn load_calendar(store: &Store, timezone: &str) -> anyhow::Result<OfficeCalendar> {
    let tz = parse_timezone(timezone).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut cal = OfficeCalendar::new(tz);
    let mut r = store.reader().await?;
    for (date, name) in sla::holidays(&mut r.conn()).await? {
        if let Ok(d) = date.parse() {
            cal.add_holiday(d, name);
        }
    }
    Ok(cal)
}

/// Loads the deadline targets: the superadmin's (settings `sla.targets`) or the defaults.
pub async fn load_targets(store: &Store) -> anyhow::Result<SlaTargets> {
    let mut r = store.reader().await?;
    Ok(match settings::get(&mut r.conn(), "sla.targets").await? {
        Some(json) => serde_json::from_str(&json).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "stored deadline targets unreadable; using the defaults");
            SlaTargets::defaults()
        }),
        None => SlaTargets::defaults(),
    })
}

/// Builds the shared state without listening or starting jobs (the CLI's one-shot
/// commands use it too): store, first-start seed, calendar, targets, texts, inbox writer.
pub async fn build_state(
    config: Config,
    clock: Arc<dyn Clock>,
    opts: BuildOptions,
) -> anyhow::Result<AppState> {
    let _ = crate::metrics::handle();
    let store = open_store(&config).await?;
    let now = clock.now().as_millisecond();
    seed_first_start(&store, now).await?;
    let calendar = load_calendar(&store, &config.timezone).await?;
    let targets = load_targets(&store).await?;
    let texts = TextCatalog::default();
    {
        let mut r = store.reader().await?;
        texts.load(&mut r.conn()).await?;
    }
    let media = MediaStore::new(&config.data_dir, store.vault().clone());
    let graph = graph_client(&config)?;
    let wake = Wakers::default();
    let inbox = InboxWriter::start(store.clone(), clock.clone(), wake.inbox.clone());
    let (live, _) = broadcast::channel(1024);
    Ok(AppState(Arc::new(Inner {
        config,
        store,
        media,
        clock,
        graph,
        inbox,
        wake,
        calendar: RwLock::new(calendar),
        targets: RwLock::new(targets),
        texts,
        live,
        throttle: crate::services::auth::Throttle::default(),
        demo: opts.demo,
        shutdown: CancellationToken::new(),
    })))
}

fn graph_client(config: &Config) -> anyhow::Result<Option<GraphClient>> {
    let wa = &config.whatsapp;
    if wa.access_token.is_empty() || wa.phone_number_id.is_empty() {
        tracing::warn!(
            "WhatsApp is not configured (WANI_BARES_WA_ACCESS_TOKEN / WANI_BARES_WA_PHONE_NUMBER_ID): messages wait in the outbox"
        );
        return Ok(None);
    }
    let mut gc = GraphConfig::new(
        wa.api_base.clone(),
        wa.phone_number_id.clone(),
        AccessToken::new(wa.access_token.expose()),
    );
    gc.timeout = Duration::from_secs(wa.request_timeout_seconds.max(1));
    Ok(Some(
        GraphClient::new(gc).map_err(|e| anyhow::anyhow!("{e}"))?,
    ))
}

impl App {
    /// Builds the service: opens the store, seeds, starts the inbox writer and binds.
    pub async fn build(
        config: Config,
        clock: Arc<dyn Clock>,
        opts: BuildOptions,
    ) -> anyhow::Result<App> {
        let listen = config.listen;
        let listener = TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        let state = build_state(config, clock, opts).await?;
        if !opts.no_jobs {
            App::start_jobs(&state);
        }
        Ok(App { state, listener })
    }

    fn start_jobs(state: &AppState) {
        let sender = Arc::new(Sender::new(
            state.store.clone(),
            state.clock.clone(),
            state.graph.clone(),
            state.config.whatsapp.clone(),
            state.wake.outbox.clone(),
        ));
        tokio::spawn(sender.run(state.shutdown.clone()));
        jobs::spawn_all(state);
    }

    /// The bound address (port 0 becomes a real port).
    pub fn addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| unreachable!("a bound listener has an address"))
    }

    /// Serves until the state's shutdown token is cancelled, then drains.
    pub async fn run(self) -> anyhow::Result<()> {
        self.run_with(axum::Router::new()).await
    }

    /// Like [`App::run`], with extra routes (the demo's simulator).
    pub async fn run_with(self, extra: axum::Router) -> anyhow::Result<()> {
        let state = self.state.clone();
        let router = crate::http::router_with(state.clone(), extra);
        let token = state.shutdown.clone();
        axum::serve(
            self.listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move { token.cancelled().await })
        .await
        .context("serving HTTP")?;
        state.store.close().await;
        Ok(())
    }
}

/// Cancels `token` on SIGINT or SIGTERM.
pub fn cancel_on_signals(token: CancellationToken) {
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => tracing::info!("SIGINT: shutting down"),
            () = term => tracing::info!("SIGTERM: shutting down"),
        }
        token.cancel();
    });
}
