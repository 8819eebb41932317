//! `ingest`: webhook ingestion and first reply against the real server.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use wani_bares::app::{App, BuildOptions};
use wani_bares::clock::SystemClock;
use wani_bares::config::{Config, Secret};

use crate::load::{self, Shot};
use crate::{baseline, fake, percentile, r2};

/// Arguments.
#[derive(clap::Args)]
pub struct Args {
    /// Webhooks to send (N/2 new citizens, each sending two messages).
    #[arg(long, default_value_t = 20_000)]
    messages: usize,
    /// Requests per second (default: as fast as possible).
    #[arg(long)]
    rate: Option<f64>,
    /// Connections in flight.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Database (default: SQLite in a temp dir).
    #[arg(long)]
    database_url: Option<String>,
}

const APP_SECRET: &str = "bench-app-secret";
const PHONE_ID: &str = "1000000000";

fn body(from: &str, id: &str, text: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"object": "whatsapp_business_account", "entry": [{"id": "BENCH", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "6281231177772", "phone_number_id": PHONE_ID},
        "contacts": [{"profile": {"name": "Warga"}, "wa_id": from}],
        "messages": [{"from": from, "id": id, "timestamp": "1793757600", "type": "text", "text": {"body": text}}]
    }}]}]}))
    .unwrap_or_default()
}

/// Runs the benchmark; returns the JSON line.
pub async fn run(args: Args) -> anyhow::Result<serde_json::Value> {
    let n = args.messages.max(2);
    let citizens = n / 2;
    let dir = tempfile::tempdir()?;
    let run_id = hex::encode(rand::random::<[u8; 3]>());
    // Bodies: first messages of every citizen, then their second messages.
    let mut shots = Vec::with_capacity(n);
    let mut phones = Vec::with_capacity(citizens);
    for i in 0..n {
        let c = i % citizens;
        let phone = format!("6289{c:09}");
        if i < citizens {
            phones.push(phone.clone());
        }
        let text = if i < citizens {
            "Jalan di desa saya rusak parah sejak bulan lalu"
        } else {
            "Siti Aminah"
        };
        let raw = body(&phone, &format!("wamid.bench.{run_id}.{i}"), text);
        let signature = wani_bares_whatsapp::signature::sign(APP_SECRET.as_bytes(), &raw);
        shots.push(Shot {
            body: raw.into(),
            signature,
        });
    }
    let shots = Arc::new(shots);

    eprintln!("baseline: null HTTP handler…");
    let null_http = baseline::null_http(shots.clone(), args.concurrency).await?;
    eprintln!("baseline: SQLite inserts…");
    let vault = wani_bares_store::vault::Vault::ephemeral();
    let rows: Vec<(String, Vec<u8>)> = shots
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("{i:064}"), vault.seal(&s.body)))
        .collect();
    let single = baseline::sqlite_inserts(dir.path(), &rows, 1, Duration::from_secs(5)).await?;
    let batched = baseline::sqlite_inserts(dir.path(), &rows, 100, Duration::from_secs(5)).await?;

    eprintln!("server: starting…");
    let (api_base, record) = fake::start().await?;
    let data_dir = dir.path().join("server");
    let mut config = Config::for_data_dir(&data_dir);
    config.listen = "127.0.0.1:0".parse()?;
    if let Some(url) = &args.database_url {
        config.database_url = Secret::new(url.clone());
    }
    config.whatsapp.api_base = api_base;
    config.whatsapp.phone_number_id = PHONE_ID.into();
    config.whatsapp.access_token = Secret::new("bench-token");
    config.whatsapp.app_secret = Secret::new(APP_SECRET);
    config.whatsapp.verify_token = Secret::new("bench");
    // Meta's highest throughput tier; every bench citizen writes twice within a second.
    config.whatsapp.rate_per_second = 1000;
    config.whatsapp.pair_burst = 100;
    config.report.auto_day = 0;
    let app = App::build(config, Arc::new(SystemClock), BuildOptions::default()).await?;
    let url = format!("http://{}/webhooks/whatsapp", app.addr());
    let state = app.state.clone();
    let server = tokio::spawn(app.run());

    eprintln!("load: {n} webhooks from {citizens} citizens…");
    // Queue depths, sampled every 100 ms: which stage falls behind (for BENCHMARKS.md).
    let probe_state = state.clone();
    let probing = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let still = probing.clone();
    let probe = tokio::spawn(async move {
        let (mut inbox_peak, mut outbox_peak) = (0i64, 0i64);
        while still.load(std::sync::atomic::Ordering::Relaxed) {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if let Ok(mut r) = probe_state.store.inbox_reader().await
                && let Ok(n) = wani_bares_store::inbox::pending_count(&mut r.conn()).await
            {
                inbox_peak = inbox_peak.max(n);
            }
            if let Ok(mut r) = probe_state.store.reader().await
                && let Ok(n) = wani_bares_store::outbox::pending_count(&mut r.conn()).await
            {
                outbox_peak = outbox_peak.max(n);
            }
        }
        (inbox_peak, outbox_peak)
    });
    let (outcomes, wall) = load::fire(&url, shots.clone(), args.rate, args.concurrency).await;
    let acked: Vec<&load::Outcome> = outcomes.iter().filter(|o| o.status == 200).collect();
    let acked_per_s = acked.len() as f64 / wall.as_secs_f64();
    let mut ack_ms: Vec<f64> = acked
        .iter()
        .map(|o| o.latency.as_secs_f64() * 1000.0)
        .collect();
    ack_ms.sort_by(f64::total_cmp);

    eprintln!("waiting for every first reply…");
    let deadline = Instant::now() + Duration::from_mins(5);
    while record.greeted() < citizens && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Let the second messages and the remaining work finish too (a slow backend gets
    // minutes: "lost" must count what is lost, not what is late).
    let settle = Instant::now() + Duration::from_mins(5);
    loop {
        let mut r = state.store.inbox_reader().await?;
        let pending = wani_bares_store::inbox::pending_count(&mut r.conn()).await?;
        drop(r);
        if pending == 0 || Instant::now() > settle {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    probing.store(false, std::sync::atomic::Ordering::Relaxed);
    let (inbox_peak, outbox_peak) = probe.await.unwrap_or_default();
    let received = record.snapshot();
    let mut first_ms = Vec::with_capacity(citizens);
    let mut without_one_greeting = 0usize;
    for (i, phone) in phones.iter().enumerate() {
        let got = received.get(phone);
        if let Some(at) = got.and_then(|g| g.first_at) {
            first_ms.push(
                at.saturating_duration_since(outcomes[i].started)
                    .as_secs_f64()
                    * 1000.0,
            );
        }
        if got.map_or(0, |g| g.greetings) != 1 {
            without_one_greeting += 1;
        }
    }
    first_ms.sort_by(f64::total_cmp);
    // Acknowledged messages that are not stored and processed.
    let stored_in = {
        let mut r = state.store.inbox_reader().await?;
        let (pending, done, poison) = wani_bares_store::inbox::counts(&mut r.conn()).await?;
        (pending, done, poison)
    };
    let processed = count_inbound(&state).await?;
    let acked_ids = acked.len() as i64;
    let lost_messages = (acked_ids - processed).max(0) as usize;
    let lost = lost_messages + without_one_greeting;
    state.shutdown.cancel();
    let _ = server.await;

    let mut table = HashMap::new();
    table.insert("acked_per_s", r2(acked_per_s));
    eprintln!();
    eprintln!(
        "== ingest: {n} webhooks, {citizens} new citizens, concurrency {}, rate {}",
        args.concurrency,
        args.rate.map_or("max".into(), |r| format!("{r}/s"))
    );
    eprintln!(
        "database            : {}",
        args.database_url.as_deref().map_or(
            "SQLite (temp dir, WAL, synchronous=FULL)",
            |_| "PostgreSQL (synchronous_commit=on)"
        )
    );
    eprintln!(
        "acknowledged        : {} of {n} in {:.2} s = {:.0}/s",
        acked.len(),
        wall.as_secs_f64(),
        acked_per_s
    );
    eprintln!(
        "ack latency ms      : p50 {:.2}  p99 {:.2}  max {:.2}",
        percentile(&ack_ms, 50.0),
        percentile(&ack_ms, 99.0),
        ack_ms.last().copied().unwrap_or(0.0)
    );
    eprintln!(
        "first reply ms      : p50 {:.1}  p99 {:.1}  (n = {})",
        percentile(&first_ms, 50.0),
        percentile(&first_ms, 99.0),
        first_ms.len()
    );
    eprintln!(
        "inbox               : pending {} done {} poison {}; inbound messages stored {processed}",
        stored_in.0, stored_in.1, stored_in.2
    );
    eprintln!(
        "queues (peak)       : inbox pending {inbox_peak}, outbox pending {outbox_peak} (sampled every 100 ms)"
    );
    eprintln!(
        "lost                : {lost} (messages {lost_messages}, citizens without exactly one first reply {without_one_greeting})"
    );
    eprintln!(
        "baseline null HTTP  : {null_http:.0}/s   (ratio acked/null {:.2})",
        acked_per_s / null_http.max(1.0)
    );
    eprintln!(
        "baseline inserts    : {single:.0}/s one per commit (ratio acked/inserts {:.2})",
        acked_per_s / single.max(1.0)
    );
    eprintln!("baseline batched    : {batched:.0} rows/s, 100 per commit");
    Ok(json!({
        "acked_per_s": r2(acked_per_s),
        "ack_p50_ms": r2(percentile(&ack_ms, 50.0)),
        "ack_p99_ms": r2(percentile(&ack_ms, 99.0)),
        "ack_max_ms": r2(ack_ms.last().copied().unwrap_or(0.0)),
        "first_reply_p50_ms": r2(percentile(&first_ms, 50.0)),
        "first_reply_p99_ms": r2(percentile(&first_ms, 99.0)),
        "lost": lost,
        "baseline_inserts_per_s": r2(single),
        "baseline_batched_rows_per_s": r2(batched),
        "baseline_null_http_per_s": r2(null_http),
        "messages": n,
        "acked": acked.len(),
    }))
}

async fn count_inbound(state: &wani_bares::state::AppState) -> anyhow::Result<i64> {
    let mut r = state.store.reader().await?;
    Ok(wani_bares_store::messages::count_inbound(&mut r.conn()).await?)
}
