//! Sample complaints for the demo (`--sample N`): spread over the last three months, in
//! every state, with transcripts, classifications, dispatches, answers, ratings and
//! deadline records — made by the real services on a clock that walks through the past,
//! so the dashboard, the deadlines and the monthly report have something true to show.
//! The citizens are fictional (numbers 6285700…, NIKs generated in the valid format).

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use wani_bares_domain::intake::{Draft, Kind};
use wani_bares_domain::lifecycle::Action;
use wani_bares_domain::nik::Nik;
use wani_bares_domain::role::{Actor, OpdCode, Role};
use wani_bares_store::{citizens, complaints, messages, outbox, ratings, users};

use crate::app::BuildOptions;
use crate::clock::{Clock, SystemClock, TestClock};
use crate::config::Config;
use crate::services::workflow::{self, Who};
use crate::state::AppState;

/// (category code, agency code, complaint, answer, follow-up).
const TOPICS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "jalan_jembatan",
        "DPUPR",
        "Jalan desa rusak parah, banyak lubang di depan balai desa sejak tiga bulan lalu.",
        "Lokasi sudah disurvei oleh UPT Jalan dan Jembatan; kerusakan masuk daftar pemeliharaan rutin.",
        "Penambalan dijadwalkan minggu depan; warga diminta berhati-hati di ruas tersebut.",
    ),
    (
        "air_bersih",
        "PDAM",
        "Air PDAM tidak mengalir tiga hari di dusun kami.",
        "Terjadi kebocoran pipa transmisi; perbaikan sudah dilakukan petugas PDAM.",
        "Aliran normal kembali; pemeriksaan tekanan dilakukan selama seminggu.",
    ),
    (
        "lingkungan_sampah",
        "DLH",
        "Sampah di TPS dekat pasar tidak diangkut seminggu, bau menyengat.",
        "Armada pengangkut sempat rusak; jadwal pengangkutan sudah dipulihkan.",
        "Pengangkutan dua kali sehari selama sepekan untuk mengurai tumpukan.",
    ),
    (
        "penerangan_jalan",
        "DISHUB",
        "Lampu penerangan jalan di perempatan mati semua, rawan kecelakaan.",
        "Tim PJU sudah mengganti lampu dan memperbaiki panel.",
        "Pemeriksaan PJU di ruas tersebut masuk jadwal bulanan.",
    ),
    (
        "kesehatan",
        "DINKES",
        "Antrean di puskesmas sangat panjang, pasien lansia menunggu berjam-jam.",
        "Puskesmas menambah loket pendaftaran dan mendahulukan lansia.",
        "Pendaftaran daring dibuka mulai bulan depan.",
    ),
    (
        "pendidikan",
        "DISDIK",
        "Atap ruang kelas SD negeri bocor saat hujan.",
        "Sekolah sudah diusulkan untuk rehabilitasi ruang kelas.",
        "Perbaikan sementara dilakukan komite sekolah pekan ini.",
    ),
    (
        "adminduk",
        "DISDUKCAPIL",
        "Pengurusan KTP elektronik di kecamatan sudah dua bulan belum jadi.",
        "Blangko sudah tersedia; KTP-el dapat diambil di kecamatan.",
        "Pemohon dihubungi melalui nomor yang terdaftar.",
    ),
    (
        "bansos",
        "DINSOS",
        "Tetangga kami yang lansia tidak pernah menerima bantuan sosial.",
        "Data yang bersangkutan sudah diverifikasi dan diusulkan ke DTKS.",
        "Pendamping sosial akan berkunjung untuk verifikasi lapangan.",
    ),
];

const NAMES: &[&str] = &[
    "Siti Aminah",
    "Budi Santoso",
    "Sri Wahyuni",
    "Agus Salim",
    "Dewi Lestari",
    "Joko Susilo",
    "Rina Marlina",
    "Ahmad Fauzi",
    "Yuni Astuti",
    "Bambang Hartono",
];

/// The final state of the i-th sample complaint: most are closed.
fn target(i: usize) -> &'static str {
    const CYCLE: &[&str] = &[
        "closed",
        "closed",
        "dispatched",
        "closed",
        "submitted",
        "at_kabid",
        "closed",
        "answer_at_admin",
        "at_kadis",
        "closed",
        "incomplete",
        "answer_at_kadis",
        "rejected",
        "closed",
        "answer_at_kabid",
        "withdrawn",
    ];
    CYCLE[i % CYCLE.len()]
}

fn nik(i: usize) -> Nik {
    let district = 1 + (i % 18);
    let day = 1 + (i % 28);
    let female = i.is_multiple_of(2);
    let day = if female { day + 40 } else { day };
    let month = 1 + (i % 12);
    let year = 60 + (i % 40);
    let serial = 1 + (i % 9000);
    Nik::parse(&format!(
        "3520{district:02}{day:02}{month:02}{year:02}{serial:04}"
    ))
    .unwrap_or_else(|_| unreachable!("generated NIKs are valid"))
}

/// Seeds `count` sample complaints into the demo's database.
pub async fn seed(config: &Config, count: usize) -> anyhow::Result<()> {
    #[allow(clippy::disallowed_methods)] // The real now, to place the history before it.
    let real_now = SystemClock.now();
    let start = real_now - jiff::SignedDuration::from_hours(24 * 90);
    let clock = Arc::new(TestClock::frozen_at(start));
    let state = crate::app::build_state(
        config.clone(),
        clock.clone(),
        BuildOptions {
            demo: true,
            no_jobs: true,
        },
    )
    .await?;
    let who = |username: &str| {
        let state = state.clone();
        let username = username.to_owned();
        async move {
            let mut r = state.store.reader().await?;
            let u = users::by_username(&mut r.conn(), &username)
                .await?
                .ok_or_else(|| anyhow::anyhow!("demo user {username} missing"))?;
            let role = Role::parse(&u.role).map_err(|e| anyhow::anyhow!("{e}"))?;
            let opd = u
                .agency_code
                .as_deref()
                .and_then(|c| OpdCode::parse(c).ok());
            anyhow::Ok(Who {
                user_id: Some(u.id),
                label: format!("user:{username}"),
                actor: Actor::Staff { role, opd },
            })
        }
    };
    let admin = who("admin").await?;
    let kabid = who("kabid").await?;
    let kadis = who("kadis").await?;
    let span_ms = (real_now.as_millisecond() - start.as_millisecond() - 3 * 86_400_000).max(1);
    for i in 0..count {
        let created = Timestamp::from_millisecond(
            start.as_millisecond()
                + span_ms * i as i64 / count.max(1) as i64
                + ((i * 7919) % 3_600_000) as i64,
        )?;
        clock.set(created);
        let (category, opd, text, answer, follow_up) = TOPICS[i % TOPICS.len()];
        let name = NAMES[i % NAMES.len()];
        let phone = format!("628570000{:04}", i % 10_000);
        let final_state = target(i);
        let now = state.now_ms();
        let mut tx = state.store.begin().await?;
        let citizen =
            citizens::resolve(&mut tx.conn(), None, Some(&phone), Some(name), now).await?;
        messages::insert_inbound(
            &mut tx.conn(),
            &messages::NewInbound {
                citizen_id: citizen.id,
                wa_message_id: &format!("wamid.sample.{i}.{now}"),
                inbox_id: None,
                kind: "text",
                body_json: &serde_json::json!({"type": "text", "text": text}).to_string(),
                created_at: now,
                complaint_id: None,
            },
        )
        .await?;
        let district = [
            "Plaosan",
            "Maospati",
            "Bendo",
            "Magetan",
            "Parang",
            "Takeran",
            "Karangrejo",
            "Sukomoro",
        ][i % 8];
        let draft = Draft {
            kind: if i % 9 == 4 {
                Kind::Pertanyaan
            } else {
                Kind::Aduan
            },
            nama: Some(name.to_owned()),
            nik: Some(nik(i)),
            nik_outside_magetan: false,
            alamat: Some(format!(
                "Desa Contoh RT 0{} RW 0{}, Kec. {district}",
                1 + i % 5,
                1 + i % 3
            )),
            aduan: Some(format!("{text} (Kec. {district})")),
            ktp: None,
            evidence: Vec::new(),
            identity_from_profile: false,
        };
        let (complaint, _ticket) =
            crate::inbound::register(&state, &mut tx.conn(), &citizen, &draft, now).await?;
        tx.commit().await?;
        crate::services::complaints::classify_as_system(&state, complaint.id, category).await?;
        let mut steps: Vec<(Duration, &Who, Action)> = Vec::new();
        let minutes = |m: u64| Duration::from_secs(60 * m);
        let jitter = (i % 7) as u64;
        match final_state {
            "submitted" => {}
            "incomplete" | "withdrawn" => steps.push((
                minutes(4 + jitter),
                &admin,
                Action::RequestCompletion {
                    message: "Mohon lengkapi foto KTP dan lokasi yang lebih jelas.".into(),
                },
            )),
            "rejected" => steps.push((
                minutes(6 + jitter),
                &admin,
                Action::Reject {
                    reason: "Lokasi di luar wilayah Kabupaten Magetan.".into(),
                },
            )),
            _ => {
                steps.push((minutes(3 + jitter * 2), &admin, Action::Verify));
                if final_state != "at_kabid" {
                    steps.push((minutes(8 + jitter * 3), &kabid, Action::Forward));
                }
                if !matches!(final_state, "at_kabid" | "at_kadis") {
                    steps.push((
                        minutes(10 + jitter * 5),
                        &kadis,
                        Action::Dispatch {
                            opds: vec![OpdCode::parse(opd)?],
                            note: "Mohon ditindaklanjuti sesuai kewenangan.".into(),
                        },
                    ));
                }
            }
        }
        for (after, who, action) in steps {
            clock.advance(after);
            act(&state, complaint.id, who, &action).await?;
        }
        if matches!(
            final_state,
            "answer_at_kadis" | "answer_at_kabid" | "answer_at_admin" | "closed"
        ) {
            let opd_who = opd_user(&state, opd).await?;
            clock.advance(Duration::from_secs(3600 * (4 + 12 * (i as u64 % 8))));
            act(
                &state,
                complaint.id,
                &opd_who,
                &Action::Answer {
                    answer: answer.into(),
                    follow_up: follow_up.into(),
                    opd: None,
                },
            )
            .await?;
            if final_state != "answer_at_kadis" {
                clock.advance(minutes(12 + jitter * 4));
                act(&state, complaint.id, &kadis, &Action::PassAnswer).await?;
            }
            if matches!(final_state, "answer_at_admin" | "closed") {
                clock.advance(minutes(9 + jitter * 3));
                act(&state, complaint.id, &kabid, &Action::PassAnswer).await?;
            }
            if final_state == "closed" {
                clock.advance(minutes(5 + jitter * 2));
                act(
                    &state,
                    complaint.id,
                    &admin,
                    &Action::SendReply { text: None },
                )
                .await?;
                clock.advance(Duration::from_hours(1));
                rate(&state, complaint.id, i).await?;
            }
        }
        if final_state == "withdrawn" {
            clock.advance(Duration::from_hours(24 * 11));
            act(&state, complaint.id, &Who::system(), &Action::Withdraw).await?;
        }
    }
    let mut tx = state.store.begin().await?;
    let discarded =
        outbox::discard_pending_before(&mut tx.conn(), real_now.as_millisecond()).await?;
    tx.commit().await?;
    tracing::info!(count, discarded, "sample complaints created");
    state.store.close().await;
    Ok(())
}

async fn act(
    state: &AppState,
    complaint_id: i64,
    who: &Who,
    action: &Action,
) -> anyhow::Result<()> {
    let mut tx = state.store.begin().await?;
    let complaint = complaints::by_id(&mut tx.conn(), complaint_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("sample complaint vanished"))?;
    workflow::act(state, &mut tx.conn(), &complaint, who, action)
        .await
        .map_err(|e| anyhow::anyhow!("{} on {}: {e}", action.name(), complaint.ticket))?;
    tx.commit().await?;
    Ok(())
}

async fn opd_user(state: &AppState, code: &str) -> anyhow::Result<Who> {
    let opd = OpdCode::parse(code)?;
    let mut r = state.store.reader().await?;
    let agency = wani_bares_store::agencies::by_code(&mut r.conn(), code).await?;
    let user = match agency {
        Some(a) => users::with_role(&mut r.conn(), "opd", Some(a.id))
            .await?
            .into_iter()
            .next(),
        None => None,
    };
    Ok(Who {
        user_id: user.as_ref().map(|u| u.id),
        label: user.map_or_else(|| format!("opd:{code}"), |u| format!("user:{}", u.username)),
        actor: Actor::Staff {
            role: Role::Opd,
            opd: Some(opd),
        },
    })
}

async fn rate(state: &AppState, complaint_id: i64, i: usize) -> anyhow::Result<()> {
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    let complaint = complaints::by_id(&mut tx.conn(), complaint_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("vanished"))?;
    let Some(row) = ratings::for_complaint(&mut tx.conn(), complaint_id)
        .await?
        .into_iter()
        .find(|r| r.closing_no == complaint.closing_count)
    else {
        return Ok(());
    };
    if i % 5 != 3 {
        let score = [5, 4, 5, 3, 4, 5, 2][i % 7];
        ratings::answer(
            &mut tx.conn(),
            row.id,
            "asked",
            "rated",
            Some(score),
            Some(true),
            None,
            now,
        )
        .await?;
        if i.is_multiple_of(3) {
            ratings::answer(
                &mut tx.conn(),
                row.id,
                "rated",
                "commented",
                None,
                None,
                Some("Terima kasih, penanganannya cepat."),
                now,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
