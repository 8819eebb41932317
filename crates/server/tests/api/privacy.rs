//! Personal data (UU 27/2022): nothing readable at rest, export and erasure, key rotation,
//! KTP purge, and backup/restore under load.

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use wani_bares_store::vault::Vault;
use wani_bares_store::{ConnectOptions, Store, attachments, audit, complaints};

use crate::helpers::{self, Backend, Options, media_bytes, spawn};
use crate::on_each_backend;

const NIK: &[u8] = b"3520014108900001";

async fn downloads_done(app: &helpers::TestApp) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let mut r = app.state.store.reader().await.unwrap();
        if attachments::due_downloads(&mut r.conn(), i64::MAX, 10)
            .await
            .unwrap()
            .is_empty()
        {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "downloads did not finish"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn cli(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_wani-bares"))
        .args(args)
        .env("WANI_BARES_DATA_DIR", dir)
        .output()
        .unwrap()
}

async fn stop(app: &helpers::TestApp) {
    app.state.shutdown.cancel();
    tokio::time::sleep(Duration::from_millis(100)).await;
    app.state.store.close().await;
}

#[tokio::test]
async fn no_file_under_the_data_dir_holds_the_nik_or_the_ktp_photo_in_clear() {
    let app = spawn(Options::on(Backend::Sqlite)).await;
    let ticket = app
        .register_complaint(
            "6281600000001",
            "Jalan rusak di depan SDN 2 sejak lama, NIK saya 3520014108900001",
        )
        .await;
    downloads_done(&app).await;
    // Staff look at it, an agency answers: more rows, more chances to leak.
    let s = app.staff().await;
    app.act(&s.admin, &ticket, &serde_json::json!({"action": "verify"}))
        .await;
    let photo = media_bytes("media-6281600000001");
    let needle = &photo[..24];
    // Before and after a checkpoint: the WAL and the database file.
    for pass in 0..2 {
        for file in app.data_files() {
            let content = std::fs::read(&file).unwrap();
            assert!(
                !content.windows(NIK.len()).any(|w| w == NIK),
                "pass {pass}: {} holds the NIK in clear",
                file.display()
            );
            assert!(
                !content.windows(needle.len()).any(|w| w == needle),
                "pass {pass}: {} holds the KTP photo in clear",
                file.display()
            );
        }
        stop(&app).await;
    }
    app.cleanup().await;
}

#[tokio::test]
async fn a_citizen_can_be_exported_and_erased_and_statistics_and_the_audit_chain_survive() {
    let app = spawn(Options::on(Backend::Sqlite)).await;
    let ticket = app
        .register_complaint(
            "6281600000002",
            "Air PDAM tidak mengalir tiga hari di Dusun Krajan",
        )
        .await;
    downloads_done(&app).await;
    let dir = app.dir.path().to_path_buf();
    stop(&app).await;

    let out = cli(&dir, &["citizen", "export", "--wa-id", "0816-0000-0002"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let export: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(export["complaints"][0]["ticket"], ticket.as_str());
    assert_eq!(
        export["complaints"][0]["identity"]["nik"],
        "3520014108900001"
    );
    assert!(
        export["complaints"][0]["transcript"]
            .as_array()
            .unwrap()
            .len()
            >= 3
    );

    let out = cli(&dir, &["citizen", "erase", "--wa-id", "+62 816-0000-0002"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again = cli(&dir, &["citizen", "export", "--wa-id", "6281600000002"]);
    assert!(!again.status.success(), "the citizen is gone");
    let verify = cli(&dir, &["audit", "verify"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );

    let vault = Arc::new(Vault::load_or_create(&dir, None).unwrap());
    let store = Store::open(
        &ConnectOptions::new(format!("sqlite://{}", dir.join("wani-bares.db").display())),
        vault,
    )
    .await
    .unwrap();
    let mut r = store.reader().await.unwrap();
    let c = complaints::by_ticket(&mut r.conn(), &ticket)
        .await
        .unwrap()
        .expect("the complaint row stays for statistics");
    assert_eq!(c.status, "submitted");
    assert!(c.identity_json.is_none() && c.nik_masked.is_none() && c.ktp_attachment_id.is_none());
    assert!(!c.text.contains("PDAM"));
    let events = audit::recent(&mut r.conn(), 5).await.unwrap();
    assert!(events.iter().any(|e| e.action == "citizen_erased"));
    drop(r);
    store.close().await;
    let media: Vec<_> = walk(&dir.join("media"));
    assert!(media.is_empty(), "the photos are deleted: {media:?}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[tokio::test]
async fn keys_rotate_and_old_data_stays_readable() {
    let app = spawn(Options::on(Backend::Sqlite)).await;
    let ticket = app
        .register_complaint(
            "6281600000003",
            "Lampu jalan mati di depan pasar sejak seminggu",
        )
        .await;
    downloads_done(&app).await;
    let dir = app.dir.path().to_path_buf();
    stop(&app).await;
    let out = cli(&dir, &["keys", "rotate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let keyring = std::fs::read_to_string(Vault::key_file(&dir)).unwrap();
    assert_eq!(keyring.lines().count(), 2);
    let vault = Arc::new(Vault::load_or_create(&dir, None).unwrap());
    assert_eq!(vault.current_key_id(), 2);
    let store = Store::open(
        &ConnectOptions::new(format!("sqlite://{}", dir.join("wani-bares.db").display())),
        vault.clone(),
    )
    .await
    .unwrap();
    let mut r = store.reader().await.unwrap();
    let c = complaints::by_ticket(&mut r.conn(), &ticket)
        .await
        .unwrap()
        .unwrap();
    assert!(c.identity_json.unwrap().contains("3520014108900001"));
    // Everything is now sealed with key 2: a vault with only key 2 opens it all.
    let only_new = keyring.lines().nth(1).unwrap().to_owned();
    let vault2 = Arc::new(Vault::load_or_create(&dir, Some(&only_new)).unwrap());
    drop(r);
    store.close().await;
    let store2 = Store::open(
        &ConnectOptions::new(format!("sqlite://{}", dir.join("wani-bares.db").display())),
        vault2.clone(),
    )
    .await
    .unwrap();
    let mut r = store2.reader().await.unwrap();
    let c = complaints::by_ticket(&mut r.conn(), &ticket)
        .await
        .unwrap()
        .unwrap();
    let att = attachments::by_id(&mut r.conn(), c.ktp_attachment_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    let media = wani_bares_store::media::MediaStore::new(&dir, vault2);
    assert_eq!(
        media
            .get(att.storage_key.as_deref().unwrap())
            .await
            .unwrap(),
        media_bytes("media-6281600000003")
    );
    drop(r);
    store2.close().await;
}

#[tokio::test]
async fn ktp_photos_are_purged_after_the_retention_period() {
    on_each_backend!(app => {
        let ticket = app.register_complaint("6281600000004", "Sampah menumpuk di TPS dekat pasar sejak seminggu").await;
        downloads_done(&app).await;
        let s = app.staff().await;
        app.act(&s.admin, &ticket, &serde_json::json!({"action": "reject", "reason": "Sudah ditangani oleh desa."})).await;
        let mut r = app.state.store.reader().await.unwrap();
        let c = complaints::by_ticket(&mut r.conn(), &ticket).await.unwrap().unwrap();
        let ktp = c.ktp_attachment_id.unwrap();
        drop(r);
        assert_eq!(wani_bares::services::privacy::purge_ktp(&app.state).await.unwrap(), 0, "not yet");
        app.clock.advance(Duration::from_hours(9360));
        assert_eq!(wani_bares::services::privacy::purge_ktp(&app.state).await.unwrap(), 1);
        let mut r = app.state.store.reader().await.unwrap();
        let att = attachments::by_id(&mut r.conn(), ktp).await.unwrap().unwrap();
        assert_eq!(att.state, "purged");
        assert!(att.storage_key.is_none());
    });
}

#[tokio::test]
async fn a_backup_taken_under_load_restores_with_its_counts_and_the_audit_chain() {
    let app = spawn(Options::on(Backend::Sqlite)).await;
    for i in 0..3 {
        app.register_complaint(
            &format!("628160000010{i}"),
            "Jalan berlubang di depan balai desa sejak tiga bulan",
        )
        .await;
    }
    let before = {
        let mut r = app.state.store.reader().await.unwrap();
        complaints::list(
            &mut r.conn(),
            &complaints::ListFilter {
                limit: 500,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .len()
    };
    // Load while the backup runs.
    let load = {
        let base = app.base.clone();
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            for i in 0..150 {
                let body = helpers::text_body(&format!("62816001{i:05}"), "halo");
                let _ = http
                    .post(format!("{base}/webhooks/whatsapp"))
                    .header("X-Hub-Signature-256", helpers::sign(&body))
                    .body(body)
                    .send()
                    .await;
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let out = app.dir.path().join("backup.db");
    app.state.store.backup_to(&out).await.unwrap();
    load.await.unwrap();
    // Restore into a new data dir: the database, its inbox, the media and the key.
    let restored = tempfile::tempdir().unwrap();
    std::fs::copy(&out, restored.path().join("wani-bares.db")).unwrap();
    std::fs::copy(
        wani_bares_store::inbox_path(&out),
        wani_bares_store::inbox_path(&restored.path().join("wani-bares.db")),
    )
    .unwrap();
    std::fs::create_dir_all(restored.path().join("keys")).unwrap();
    std::fs::copy(
        Vault::key_file(app.dir.path()),
        Vault::key_file(restored.path()),
    )
    .unwrap();
    let vault = Arc::new(Vault::load_or_create(restored.path(), None).unwrap());
    let store = Store::open(
        &ConnectOptions::new(format!(
            "sqlite://{}",
            restored.path().join("wani-bares.db").display()
        )),
        vault,
    )
    .await
    .unwrap();
    let mut r = store.reader().await.unwrap();
    let after = complaints::list(
        &mut r.conn(),
        &complaints::ListFilter {
            limit: 500,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(after.len(), before, "every complaint is in the backup");
    for item in &after {
        let c = complaints::by_ticket(&mut r.conn(), &item.ticket)
            .await
            .unwrap()
            .unwrap();
        assert!(
            c.identity_json.unwrap().contains("3520014108900001"),
            "sealed data opens with the copied key"
        );
    }
    assert!(
        matches!(audit::verify(&mut r.conn()).await.unwrap(), audit::Verification::Intact(n) if n > 0)
    );
    drop(r);
    store.close().await;
    let verify = cli(restored.path(), &["audit", "verify"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    app.cleanup().await;
}
