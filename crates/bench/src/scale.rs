//! `scale`: seeds N complaints with realistic transcripts, assignments, deadline records
//! and audit history over 12 months (one month holds a tenth of them), then starts the
//! real server as a child process on that database and measures, through the JSON API,
//! the inbox list, a filtered list, full-text search and the complaint page (p50/p95 over
//! many requests), the monthly report of the largest month, and the server's peak RSS.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::RngExt;
use serde_json::{Value, json};
use wani_bares_store::vault::Vault;
use wani_bares_store::{
    ConnectOptions, Store, agencies, assignments, audit, citizens, complaints, messages, seed, sla,
    users,
};

use crate::{percentile, r2};

/// Arguments.
#[derive(clap::Args)]
pub struct Args {
    /// Complaints to seed.
    #[arg(long, default_value_t = 100_000)]
    complaints: usize,
    /// Database (default: SQLite in a temp dir).
    #[arg(long)]
    database_url: Option<String>,
    /// Requests per measured query kind.
    #[arg(long, default_value_t = 300)]
    requests: usize,
    /// Keep the seeded data directory here instead of a temporary one, to inspect query
    /// plans afterwards. If it already holds a database seeded by this command with the
    /// same `--complaints`, seeding is skipped and the measurements run on it (its schema is
    /// migrated to the current one first).
    #[arg(long)]
    keep: Option<std::path::PathBuf>,
}

const WORDS: &[&str] = &[
    "jalan",
    "rusak",
    "berlubang",
    "air",
    "PDAM",
    "mati",
    "sampah",
    "menumpuk",
    "lampu",
    "penerangan",
    "puskesmas",
    "antrean",
    "sekolah",
    "atap",
    "bocor",
    "KTP",
    "bantuan",
    "sosial",
    "jembatan",
    "banjir",
    "selokan",
    "pasar",
    "parkir",
    "liar",
    "pungutan",
    "izin",
    "usaha",
    "pupuk",
    "irigasi",
    "sawah",
    "pohon",
    "tumbang",
    "kabel",
    "listrik",
    "sinyal",
    "internet",
    "kecamatan",
    "desa",
    "dusun",
    "balai",
    "posyandu",
    "ambulans",
    "rumah",
    "sakit",
];
const TOPICS: &[(&str, &str)] = &[
    ("jalan_jembatan", "DPUPR"),
    ("air_bersih", "PDAM"),
    ("lingkungan_sampah", "DLH"),
    ("penerangan_jalan", "DISHUB"),
    ("kesehatan", "DINKES"),
    ("pendidikan", "DISDIK"),
    ("adminduk", "DISDUKCAPIL"),
    ("bansos", "DINSOS"),
];
const DISTRICTS: &[&str] = &[
    "Plaosan",
    "Maospati",
    "Bendo",
    "Magetan",
    "Parang",
    "Takeran",
    "Karangrejo",
    "Sukomoro",
    "Barat",
    "Panekan",
];

fn sentence(rng: &mut impl rand::Rng, n: usize) -> String {
    (0..n)
        .map(|_| WORDS[rng.random_range(0..WORDS.len())])
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs the benchmark; returns the JSON line.
pub async fn run(args: Args) -> anyhow::Result<Value> {
    let dir = tempfile::tempdir()?;
    let data_dir = match &args.keep {
        Some(keep) => keep.clone(),
        None => dir.path().join("server"),
    };
    std::fs::create_dir_all(&data_dir)?;
    let url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("wani-bares.db").display()));
    let vault = Arc::new(Vault::load_or_create(&data_dir, None)?);
    let store = Store::open(&ConnectOptions::new(url.clone()), vault).await?;
    let t = Instant::now();
    let reuse = args.keep.is_some() && {
        let mut r = store.reader().await?;
        users::by_username(&mut r.conn(), "bench").await?.is_some()
    };
    let (largest_month, tickets) = if reuse {
        eprintln!(
            "reusing the {} complaints seeded in {}",
            args.complaints,
            data_dir.display()
        );
        existing_tickets(args.complaints)
    } else {
        eprintln!("seeding {} complaints over 12 months…", args.complaints);
        seed_data(&store, args.complaints).await?
    };
    let seed_s = t.elapsed().as_secs_f64();
    store.close().await;
    eprintln!("seeded in {seed_s:.0} s; starting the server…");

    // No scheduled monthly reports during the measurement: on a seeded database the
    // first start would generate last month's three reports while requests are timed.
    let config_path = dir.path().join("bench.toml");
    std::fs::write(&config_path, "[report]\nauto_day = 0\n")?;
    let port = free_port()?;
    let exe = std::env::current_exe()?;
    let child = std::process::Command::new(exe)
        .arg("serve-internal")
        .env("WANI_BARES_DATA_DIR", &data_dir)
        .env("WANI_BARES_DATABASE_URL", &url)
        .env("WANI_BARES_LISTEN", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "error")
        .env("WANI_BARES_BENCH_CONFIG", &config_path)
        .stdout(std::process::Stdio::null())
        .spawn()?;
    // Killed on every way out, errors included.
    let child = KillOnDrop(child);
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let up = Instant::now();
    while http
        .get(format!("{base}/healthz"))
        .send()
        .await
        .map(|r| r.status().is_success())
        .ok()
        != Some(true)
    {
        anyhow::ensure!(
            up.elapsed() < Duration::from_mins(2),
            "the server did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let token: String = {
        let r: Value = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"username": "bench", "password": "bench-password-123"}))
            .send()
            .await?
            .json()
            .await?;
        r["token"].as_str().unwrap_or_default().to_owned()
    };
    anyhow::ensure!(!token.is_empty(), "login failed");
    let get = |path: String| {
        let http = http.clone();
        let token = token.clone();
        let base = base.clone();
        async move {
            let t = Instant::now();
            let r = http
                .get(format!("{base}{path}"))
                .bearer_auth(token)
                .send()
                .await?;
            let ok = r.status().is_success();
            let _ = r.bytes().await?;
            anyhow::ensure!(ok, "{path} failed");
            anyhow::Ok(t.elapsed().as_secs_f64() * 1000.0)
        }
    };
    let mut rng = rand::rng();
    let mut measure = async |name: &str,
                             make: &mut dyn FnMut(&mut rand::rngs::ThreadRng) -> String|
           -> anyhow::Result<(f64, f64)> {
        let mut v = Vec::with_capacity(args.requests);
        for _ in 0..args.requests {
            let path = make(&mut rng);
            v.push(get(path).await?);
        }
        v.sort_by(f64::total_cmp);
        let (p50, p95) = (percentile(&v, 50.0), percentile(&v, 95.0));
        eprintln!(
            "{name:<22} p50 {p50:>7.2} ms   p95 {p95:>7.2} ms   ({} requests)",
            v.len()
        );
        Ok((p50, p95))
    };
    eprintln!();
    eprintln!(
        "== scale: {} complaints ({}), largest month {largest_month}",
        args.complaints,
        if args.database_url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    let list = measure("inbox list", &mut |_| {
        "/api/v1/complaints?status=submitted&limit=50".to_owned()
    })
    .await?;
    let filter = measure("filtered list", &mut |rng| {
        let (cat, opd) = TOPICS[rng.random_range(0..TOPICS.len())];
        format!("/api/v1/complaints?status=closed&opd={opd}&category={cat}&from={largest_month}-01&limit=50")
    })
    .await?;
    let search = measure("full-text search", &mut |rng| {
        format!(
            "/api/v1/complaints?q={}&limit=50",
            WORDS[rng.random_range(0..WORDS.len())]
        )
    })
    .await?;
    let detail = measure("complaint page", &mut |rng| {
        format!(
            "/api/v1/complaints/{}",
            tickets[rng.random_range(0..tickets.len())]
        )
    })
    .await?;
    let mut report = Vec::new();
    for format in ["pdf", "xlsx", "csv"] {
        let ms = get(format!(
            "/api/v1/reports/monthly?month={largest_month}&format={format}"
        ))
        .await?;
        eprintln!(
            "report {format:<4} {largest_month}     {:>7.2} s",
            ms / 1000.0
        );
        report.push(ms / 1000.0);
    }
    let report_s = report.iter().copied().fold(0.0, f64::max);
    let rss_mb = peak_rss_mb(child.0.id()).unwrap_or(0.0);
    eprintln!("server peak RSS        {rss_mb:.1} MB");
    drop(child);
    Ok(json!({
        "list_p95_ms": r2(list.1), "filter_p95_ms": r2(filter.1), "search_p95_ms": r2(search.1), "detail_p95_ms": r2(detail.1),
        "list_p50_ms": r2(list.0), "filter_p50_ms": r2(filter.0), "search_p50_ms": r2(search.0), "detail_p50_ms": r2(detail.0),
        "report_s": r2(report_s), "report_pdf_s": r2(report[0]), "report_xlsx_s": r2(report[1]), "report_csv_s": r2(report[2]),
        "rss_mb": r2(rss_mb), "complaints": args.complaints, "seed_s": r2(seed_s),
    }))
}

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> anyhow::Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

/// VmHWM (peak resident set) of a process, in MB.
fn peak_rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Seeds the data; returns the largest month (`YYYY-MM`) and a sample of tickets.
/// Months: December 2025 … November 2026; June 2026 (index 6) holds a tenth of everything.
fn plan(n: usize) -> (Vec<(i16, i8)>, Vec<usize>, usize) {
    let months: Vec<(i16, i8)> = (0..12)
        .map(|i| if i == 0 { (2025, 12) } else { (2026, i as i8) })
        .collect();
    let largest = 6usize;
    let per_month: Vec<usize> = (0..months.len())
        .map(|i| {
            if i == largest {
                n / 10
            } else {
                (n - n / 10) / 11
            }
        })
        .collect();
    (months, per_month, largest)
}

/// The largest month and a sample of tracking numbers of a database seeded earlier.
fn existing_tickets(n: usize) -> (String, Vec<String>) {
    let (months, per_month, largest) = plan(n);
    let mut rng = rand::rng();
    let tickets = (0..5_000)
        .map(|_| {
            let i = rng.random_range(0..months.len());
            let (y, m) = months[i];
            let seq = rng.random_range(1..=per_month[i].max(1));
            format!("WB-{y:04}{m:02}-{seq:04}")
        })
        .collect();
    let (y, m) = months[largest];
    (format!("{y:04}-{m:02}"), tickets)
}

async fn seed_data(store: &Store, n: usize) -> anyhow::Result<(String, Vec<String>)> {
    let mut tx = store.begin().await?;
    seed::seed_reference_data(&mut tx.conn(), 0).await?;
    let pw = wani_bares::services::passwords::hash("bench-password-123")
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    users::insert(
        &mut tx.conn(),
        &users::NewUser {
            username: "bench",
            name: "Bench",
            role: "admin",
            agency_id: None,
            password_hash: &pw,
            wa_number: None,
        },
        0,
    )
    .await?;
    let mut agency_ids = std::collections::HashMap::new();
    for (_, code) in TOPICS {
        agency_ids.insert(
            *code,
            agencies::by_code(&mut tx.conn(), code)
                .await?
                .map_or(0, |a| a.id),
        );
    }
    let cats = agencies::categories(&mut tx.conn(), false).await?;
    let cat_id: std::collections::HashMap<&str, i64> = TOPICS
        .iter()
        .map(|(c, _)| (*c, cats.iter().find(|k| k.code == *c).map_or(0, |k| k.id)))
        .collect();
    tx.commit().await?;

    let (months, per_month, largest) = plan(n);
    let mut rng = rand::rng();
    let mut tickets = Vec::new();
    let mut citizen_ids: Vec<i64> = Vec::new();
    let mut done = 0usize;
    let started = Instant::now();
    for (mi, (y, m)) in months.iter().enumerate() {
        let start = jiff::civil::date(*y, *m, 1).to_datetime(jiff::civil::Time::midnight());
        let start_ms = jiff::tz::offset(7).to_timestamp(start)?.as_millisecond();
        let days = if *m == 2 {
            28
        } else if [4, 6, 9, 11].contains(m) {
            30
        } else {
            31
        };
        let count = per_month[mi];
        let mut seq = 0i64;
        let mut tx = store.begin().await?;
        for k in 0..count {
            let created = start_ms + rng.random_range(0..days * 86_400_000i64);
            let citizen = if citizen_ids.len() < 16 || rng.random_range(0..3) > 0 {
                let phone = format!("6287{:09}", citizen_ids.len());
                let c =
                    citizens::resolve(&mut tx.conn(), None, Some(&phone), Some("Warga"), created)
                        .await?;
                citizen_ids.push(c.id);
                c.id
            } else {
                citizen_ids[rng.random_range(0..citizen_ids.len())]
            };
            seq += 1;
            let ticket = format!("WB-{y:04}{m:02}-{seq:04}");
            let (cat, opd) = TOPICS[rng.random_range(0..TOPICS.len())];
            let district = DISTRICTS[rng.random_range(0..DISTRICTS.len())];
            let text = format!(
                "{} di Kec. {district}, {}",
                sentence(&mut rng, 8),
                sentence(&mut rng, 6)
            );
            let status = match rng.random_range(0..100) {
                0..=79 => "closed",
                80..=84 => "submitted",
                85..=88 => "dispatched",
                89..=91 => "at_kabid",
                92..=93 => "at_kadis",
                94..=95 => "answer_at_admin",
                96..=97 => "rejected",
                _ => "withdrawn",
            };
            let id = complaints::insert(
                &mut tx.conn(),
                &complaints::NewComplaint {
                    ticket: &ticket,
                    kind: "aduan",
                    status: "submitted",
                    citizen_id: citizen,
                    channel: "whatsapp",
                    category_id: cat_id.get(cat).copied(),
                    district_code: None,
                    identity_json: Some(
                        r#"{"nama":"Warga","nik":"3520014108900001","alamat":"Desa Contoh"}"#,
                    ),
                    nik_masked: Some("352001********01"),
                    nik_outside_magetan: false,
                    ktp_attachment_id: None,
                    text: &text,
                    summary: &text,
                    related_complaint_id: None,
                    now: created,
                },
            )
            .await?;
            for (j, dir) in ["in", "out", "in", "out"].iter().enumerate() {
                let body = json!({"type": "text", "text": if *dir == "in" { text.clone() } else { "Terima kasih, aduan Anda kami catat.".to_owned() }}).to_string();
                if *dir == "in" {
                    messages::insert_inbound(
                        &mut tx.conn(),
                        &messages::NewInbound {
                            citizen_id: citizen,
                            wa_message_id: &format!("wamid.scale.{mi}.{k}.{j}"),
                            inbox_id: None,
                            kind: "text",
                            body_json: &body,
                            created_at: created + j as i64 * 60_000,
                            complaint_id: Some(id),
                        },
                    )
                    .await?;
                } else {
                    messages::insert_outbound(
                        &mut tx.conn(),
                        &messages::NewOutbound {
                            citizen_id: Some(citizen),
                            user_id: None,
                            complaint_id: Some(id),
                            kind: "text",
                            body_json: &body,
                            created_at: created + j as i64 * 60_000,
                        },
                    )
                    .await?;
                }
            }
            let mut t = created;
            let mut history: Vec<(&str, &str, &str)> = vec![("submitted", "", "submitted")];
            sla::start(
                &mut tx.conn(),
                Some(id),
                Some(citizen),
                "verification",
                "admin",
                t,
                t + 300_000,
                Some(t + 3 * 86_400_000),
            )
            .await?;
            if status != "submitted" {
                t += rng.random_range(60_000..1_800_000);
                sla::finish(&mut tx.conn(), id, "verification", None, t).await?;
                match status {
                    "rejected" => history.push(("reject", "submitted", "rejected")),
                    "withdrawn" => {
                        history.push(("request_completion", "submitted", "incomplete"));
                        history.push(("withdraw", "incomplete", "withdrawn"));
                    }
                    _ => {
                        history.push(("verify", "submitted", "at_kabid"));
                        if status != "at_kabid" {
                            history.push(("forward", "at_kabid", "at_kadis"));
                        }
                        if !matches!(status, "at_kabid" | "at_kadis") {
                            history.push(("dispatch", "at_kadis", "dispatched"));
                            let a = assignments::insert(
                                &mut tx.conn(),
                                id,
                                0,
                                agency_ids[opd],
                                Some("Mohon ditindaklanjuti"),
                                None,
                                t,
                            )
                            .await?;
                            sla::start(
                                &mut tx.conn(),
                                Some(id),
                                Some(citizen),
                                "opd_answer",
                                &format!("opd:{opd}"),
                                t,
                                t + 3 * 86_400_000,
                                Some(t + 5 * 86_400_000),
                            )
                            .await?;
                            if matches!(status, "closed" | "answer_at_admin") {
                                t += rng.random_range(3_600_000..6 * 86_400_000);
                                assignments::answer(
                                    &mut tx.conn(),
                                    a,
                                    "Sudah ditindaklanjuti oleh tim lapangan.",
                                    "Pemantauan berkala.",
                                    None,
                                    t,
                                )
                                .await?;
                                sla::finish(&mut tx.conn(), id, "opd_answer", None, t).await?;
                                history.push(("answer", "dispatched", "answer_at_kadis"));
                                history.push(("pass_answer", "answer_at_kadis", "answer_at_kabid"));
                                history.push(("pass_answer", "answer_at_kabid", "answer_at_admin"));
                                if status == "closed" {
                                    history.push(("send_reply", "answer_at_admin", "closed"));
                                }
                            }
                        }
                    }
                }
            }
            let mut from = "submitted";
            for (i, (action, _before, after)) in history.iter().enumerate() {
                let at = created + i as i64 * 600_000;
                audit::append(
                    &mut tx.conn(),
                    &audit::NewEvent {
                        at,
                        actor_user_id: None,
                        actor: "system",
                        action,
                        complaint_id: Some(id),
                        before: (i > 0).then_some(from),
                        after: Some(after),
                        detail: None,
                    },
                )
                .await?;
                if i > 0 {
                    let stamp = match *after {
                        "at_kabid" => complaints::Stamp::Verified,
                        "dispatched" => complaints::Stamp::Dispatched,
                        "answer_at_kadis" => complaints::Stamp::Answered,
                        "closed" => complaints::Stamp::Closed,
                        "rejected" => complaints::Stamp::Rejected,
                        "withdrawn" => complaints::Stamp::Withdrawn,
                        _ => complaints::Stamp::None,
                    };
                    complaints::set_status(&mut tx.conn(), id, from, after, stamp, at).await?;
                }
                from = after;
            }
            if tickets.len() < 5_000 || rng.random_range(0..200) == 0 {
                tickets.push(ticket);
            }
            done += 1;
            if done.is_multiple_of(2_000) {
                tx.commit().await?;
                tx = store.begin().await?;
                if done.is_multiple_of(50_000) {
                    // Fresh planner statistics as the tables grow (PostgreSQL here runs
                    // without autovacuum; SQLite never analyses by itself).
                    store.optimize().await?;
                    eprintln!(
                        "  {done} complaints ({:.0}/s)",
                        done as f64 / started.elapsed().as_secs_f64()
                    );
                }
            }
        }
        complaints::next_ticket_seq(&mut tx.conn(), &format!("{y:04}{m:02}")).await?;
        tx.commit().await?;
    }
    let (y, m) = months[largest];
    Ok((format!("{y:04}-{m:02}"), tickets))
}
