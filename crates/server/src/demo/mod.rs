//! `wani-bares demo`: the whole system offline in one command. SQLite in a data dir, the
//! Magetan agencies, one user per role with generated passwords, an in-process fake Graph
//! API, the WhatsApp simulator at `/simulator`, optional sample complaints, and the real
//! server, webhook, outbox and jobs in between.

pub mod fake_graph;
pub mod sample;
pub mod simulator;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use wani_bares_store::users;

use crate::app::{App, BuildOptions, cancel_on_signals};
use crate::clock::{Clock, SystemClock};
use crate::config::{Config, Secret};

/// The demo's phone number id at the fake Graph API.
pub const PHONE_NUMBER_ID: &str = "100000000000001";

/// What the demo keeps in `<data dir>/demo.json` so a rerun reuses its logins.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DemoFile {
    /// The webhook app secret.
    pub app_secret: String,
    /// The verify token.
    pub verify_token: String,
    /// (username, role, password, agency, WhatsApp number).
    pub users: Vec<DemoUser>,
}

/// One demo login.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DemoUser {
    /// Login name.
    pub username: String,
    /// Role.
    pub role: String,
    /// Password.
    pub password: String,
    /// Agency (opd).
    pub opd: Option<String>,
    /// WhatsApp number for notifications.
    pub wa_number: Option<String>,
    /// Display name.
    pub name: String,
}

fn password() -> String {
    // Readable, 16 characters from an alphabet without look-alikes.
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let bytes = rand::random::<[u8; 16]>();
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

fn new_demo_file() -> DemoFile {
    let user =
        |username: &str, role: &str, opd: Option<&str>, wa: Option<&str>, name: &str| DemoUser {
            username: username.into(),
            role: role.into(),
            password: password(),
            opd: opd.map(str::to_owned),
            wa_number: wa.map(str::to_owned),
            name: name.into(),
        };
    DemoFile {
        app_secret: hex::encode(rand::random::<[u8; 16]>()),
        verify_token: hex::encode(rand::random::<[u8; 8]>()),
        users: vec![
            user(
                "superadmin",
                "superadmin",
                None,
                None,
                "Super Admin Kominfo",
            ),
            user(
                "admin",
                "admin",
                None,
                Some("6281100000001"),
                "Admin Wani Bares",
            ),
            user("kabid", "kabid", None, Some("6281100000002"), "Kabid IKP"),
            user(
                "kadis",
                "kadis",
                None,
                Some("6281100000003"),
                "Kadis Kominfo",
            ),
            user(
                "pupr",
                "opd",
                Some("DPUPR"),
                Some("6281100000004"),
                "Petugas Dinas PUPR",
            ),
            user("bupati", "viewer", None, None, "Kantor Bupati"),
        ],
    }
}

/// Runs the demo until Ctrl-C.
pub async fn run(
    mut config: Config,
    data_dir: Option<PathBuf>,
    sample_count: usize,
) -> anyhow::Result<()> {
    let data_dir = data_dir.unwrap_or_else(|| {
        #[allow(clippy::disallowed_methods)] // Only to name the folder.
        let now = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::system());
        PathBuf::from(format!("wani-bares-demo-{}", now.strftime("%Y%m%d-%H%M%S")))
    });
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    let demo_path = data_dir.join("demo.json");
    let (demo, fresh) = match std::fs::read_to_string(&demo_path) {
        Ok(text) => (
            serde_json::from_str::<DemoFile>(&text).context("demo.json is unreadable")?,
            false,
        ),
        Err(_) => (new_demo_file(), true),
    };
    let graph = fake_graph::FakeGraph::start().await?;
    let listen = config.listen;
    let mut cfg = Config::for_data_dir(&data_dir);
    cfg.listen = listen;
    cfg.log_format = config.log_format;
    cfg.timezone = std::mem::take(&mut config.timezone);
    cfg.whatsapp.api_base = graph.api_base.clone();
    cfg.whatsapp.phone_number_id = PHONE_NUMBER_ID.into();
    cfg.whatsapp.access_token = Secret::new("demo-access-token");
    cfg.whatsapp.app_secret = Secret::new(demo.app_secret.clone());
    cfg.whatsapp.verify_token = Secret::new(demo.verify_token.clone());
    // One person plays several citizens quickly: no per-citizen pacing in the demo.
    cfg.whatsapp.pair_burst = 1000;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    if fresh {
        let state = crate::app::build_state(
            cfg.clone(),
            clock.clone(),
            BuildOptions {
                demo: true,
                no_jobs: true,
            },
        )
        .await?;
        create_users(&state, &demo).await?;
        state.store.close().await;
        let text = serde_json::to_string_pretty(&demo)?;
        std::fs::write(&demo_path, text).context("writing demo.json")?;
    }
    if sample_count > 0 {
        println!("Membuat {sample_count} aduan contoh (tiga bulan terakhir)…");
        sample::seed(&cfg, sample_count).await?;
    }
    let app = App::build(
        cfg,
        clock,
        BuildOptions {
            demo: true,
            no_jobs: false,
        },
    )
    .await
    .with_context(|| {
        format!("cannot start on {listen} (set WANI_BARES_LISTEN to another address)")
    })?;
    let addr = app.addr();
    let base = format!("http://{addr}");
    graph.set_webhook(
        format!("{base}/webhooks/whatsapp"),
        demo.app_secret.clone(),
        PHONE_NUMBER_ID.into(),
    );
    let officials = demo
        .users
        .iter()
        .filter_map(|u| {
            u.wa_number
                .clone()
                .map(|n| (u.name.clone(), u.role.clone(), n))
        })
        .collect();
    let sim = simulator::Sim::new(
        graph,
        format!("{base}/webhooks/whatsapp"),
        demo.app_secret.clone(),
        PHONE_NUMBER_ID.into(),
        officials,
    );
    print_banner(&base, &data_dir, &demo);
    cancel_on_signals(app.state.shutdown.clone());
    app.run_with(simulator::router(sim)).await?;
    println!(
        "Demo dihentikan. Data tersimpan di {} (jalankan lagi dengan --data-dir untuk melanjutkan).",
        data_dir.display()
    );
    Ok(())
}

async fn create_users(state: &crate::state::AppState, demo: &DemoFile) -> anyhow::Result<()> {
    for u in &demo.users {
        let exists = {
            let mut r = state.store.reader().await?;
            users::by_username(&mut r.conn(), &u.username)
                .await?
                .is_some()
        };
        if exists {
            continue;
        }
        crate::services::users::add(
            &state.store,
            state.now_ms(),
            &crate::services::users::NewStaff {
                username: &u.username,
                role: &u.role,
                opd: u.opd.as_deref(),
                name: Some(&u.name),
                wa_number: u.wa_number.as_deref(),
                password: &u.password,
            },
        )
        .await?;
    }
    Ok(())
}

fn print_banner(base: &str, data_dir: &std::path::Path, demo: &DemoFile) {
    println!();
    println!("=====================================================================");
    println!(" Wani Bares — demo berjalan (tekan Ctrl-C untuk berhenti)");
    println!("=====================================================================");
    println!(" Dasbor petugas : {base}/login");
    println!(" Simulator WA   : {base}/simulator");
    println!(" API (OpenAPI)  : {base}/api/v1/openapi.json");
    println!(" Kesehatan      : {base}/healthz");
    println!(" Data           : {}", data_dir.display());
    println!("---------------------------------------------------------------------");
    println!(" Pengguna     Peran       Kata sandi         Keterangan");
    for u in &demo.users {
        let note = match (&u.opd, &u.wa_number) {
            (Some(opd), _) => format!("perangkat daerah {opd}"),
            (None, Some(n)) => format!("notifikasi WA ke {n}"),
            _ => String::new(),
        };
        println!(
            " {:<12} {:<11} {:<18} {}",
            u.username, u.role, u.password, note
        );
    }
    println!("=====================================================================");
    println!();
}
