//! The store contract: every store function behaves the same on SQLite and PostgreSQL.
//! Each test runs on a fresh SQLite file and, when `WANI_BARES_TEST_POSTGRES_URL` is set
//! (always in `.ci/run`), on a fresh PostgreSQL database too.

// Test code: a failed unwrap is a failed test with its location.
#![allow(clippy::unwrap_used, clippy::match_wildcard_for_single_variants)]

use std::sync::Arc;

use wani_bares_store::{
    Backend, ConnectOptions, Store, StoreError, agencies, assignments, attachments, audit,
    citizens, complaints, inbox, leases, messages, notifications, outbox, ratings, seed, sessions,
    settings, sla, testing, users, vault::Vault,
};

struct Fixture {
    store: Store,
    url: String,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl Fixture {
    async fn cleanup(self) {
        self.store.close().await;
        if let Some((base, url)) = self.pg {
            testing::drop_postgres_database(&base, &url).await;
        }
    }
}

async fn fixtures() -> Vec<Fixture> {
    let mut out = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store = Store::open(
        &ConnectOptions::new(url.clone()),
        Arc::new(Vault::ephemeral()),
    )
    .await
    .unwrap();
    out.push(Fixture {
        store,
        url,
        _dir: Some(dir),
        pg: None,
    });
    if let Some(base) = testing::postgres_base_url() {
        let url = testing::fresh_postgres_database(&base)
            .await
            .expect("WANI_BARES_TEST_POSTGRES_URL is set but PostgreSQL is unreachable");
        let store = Store::open(
            &ConnectOptions::new(url.clone()),
            Arc::new(Vault::ephemeral()),
        )
        .await
        .unwrap();
        out.push(Fixture {
            store,
            url: url.clone(),
            _dir: None,
            pg: Some((base, url)),
        });
    }
    out
}

/// Runs the body once per backend.
macro_rules! on_every_backend {
    ($store:ident => $body:block) => {
        on_every_backend!($store, _url => $body)
    };
    ($store:ident, $url:ident => $body:block) => {
        for fixture in fixtures().await {
            let $store = fixture.store.clone();
            let $url = fixture.url.clone();
            let backend = $store.backend();
            let result = tokio::spawn(async move { $body }).await;
            fixture.cleanup().await;
            if let Err(e) = result {
                panic!("on {backend:?}: {e}");
            }
        }
    };
}

async fn citizen(store: &Store, phone: &str) -> i64 {
    let mut tx = store.begin().await.unwrap();
    let c = citizens::resolve(&mut tx.conn(), None, Some(phone), Some("Budi"), 1_000)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    c.id
}

async fn complaint(store: &Store, citizen_id: i64, ticket: &str, text: &str, now: i64) -> i64 {
    let mut tx = store.begin().await.unwrap();
    let id = complaints::insert(
        &mut tx.conn(),
        &complaints::NewComplaint {
            ticket,
            kind: "aduan",
            status: "submitted",
            citizen_id,
            channel: "whatsapp",
            category_id: None,
            district_code: None,
            identity_json: Some(r#"{"nama":"Budi","nik":"3520014108900001"}"#),
            nik_masked: Some("352001********01"),
            nik_outside_magetan: false,
            ktp_attachment_id: None,
            text,
            summary: text,
            related_complaint_id: None,
            now,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn the_reference_data_is_seeded_once_and_edits_stick() {
    on_every_backend!(store => {
        let mut tx = store.begin().await.unwrap();
        assert!(seed::seed_reference_data(&mut tx.conn(), 1).await.unwrap());
        tx.commit().await.unwrap();
        let mut r = store.reader().await.unwrap();
        let all = agencies::list(&mut r.conn(), false).await.unwrap();
        assert_eq!(all.len(), seed::AGENCIES.len() + 18);
        assert!(all.iter().any(|a| a.code == "DPUPR"));
        assert!(all.iter().any(|a| a.code == "KEC-PLAOSAN" && a.kind == "kecamatan"));
        assert_eq!(agencies::districts(&mut r.conn()).await.unwrap().len(), 18);
        drop(r);
        let mut tx = store.begin().await.unwrap();
        let pupr = agencies::by_code(&mut tx.conn(), "DPUPR").await.unwrap().unwrap();
        agencies::update(&mut tx.conn(), pupr.id, "Dinas PUPR", false).await.unwrap();
        assert!(!seed::seed_reference_data(&mut tx.conn(), 2).await.unwrap());
        tx.commit().await.unwrap();
        let mut r = store.reader().await.unwrap();
        let pupr = agencies::by_code(&mut r.conn(), "DPUPR").await.unwrap().unwrap();
        assert_eq!((pupr.name.as_str(), pupr.active), ("Dinas PUPR", false));
        assert!(agencies::list(&mut r.conn(), true).await.unwrap().iter().all(|a| a.code != "DPUPR"));
    });
}

#[tokio::test]
async fn fifty_concurrent_creations_get_fifty_distinct_tracking_numbers() {
    on_every_backend!(store => {
        let cid = citizen(&store, "6281234567890").await;
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = store.begin().await.unwrap();
                let seq = complaints::next_ticket_seq(&mut tx.conn(), "202611").await.unwrap();
                let ticket = format!("WB-202611-{seq:04}");
                complaints::insert(&mut tx.conn(), &complaints::NewComplaint {
                    ticket: &ticket, kind: "aduan", status: "submitted", citizen_id: cid,
                    channel: "whatsapp", category_id: None, district_code: None,
                    identity_json: None, nik_masked: None, nik_outside_magetan: false,
                    ktp_attachment_id: None, text: "x", summary: "x",
                    related_complaint_id: None, now: 5,
                }).await.unwrap();
                tx.commit().await.unwrap();
                ticket
            }));
        }
        let mut tickets = Vec::new();
        for t in tasks {
            tickets.push(t.await.unwrap());
        }
        tickets.sort();
        tickets.dedup();
        assert_eq!(tickets.len(), 50);
        assert_eq!(tickets.first().unwrap(), "WB-202611-0001");
        assert_eq!(tickets.last().unwrap(), "WB-202611-0050");
        let mut tx = store.begin().await.unwrap();
        assert_eq!(complaints::next_ticket_seq(&mut tx.conn(), "202612").await.unwrap(), 1);
    });
}

#[tokio::test]
async fn a_citizen_is_found_by_bsuid_or_phone_and_learns_the_other_key() {
    on_every_backend!(store => {
        let mut tx = store.begin().await.unwrap();
        let a = citizens::resolve(&mut tx.conn(), Some("US.1"), None, Some("A"), 10).await.unwrap();
        let b = citizens::resolve(&mut tx.conn(), Some("US.1"), Some("628111"), None, 20).await.unwrap();
        assert_eq!(a.id, b.id);
        assert_eq!(b.phone.as_deref(), Some("628111"));
        assert_eq!(b.profile_name.as_deref(), Some("A"));
        assert_eq!(b.last_inbound_at, Some(20));
        let c = citizens::resolve(&mut tx.conn(), None, Some("628111"), None, 15).await.unwrap();
        assert_eq!(c.id, a.id);
        assert_eq!(c.last_inbound_at, Some(20), "an older message does not move the window back");
        let err = citizens::resolve(&mut tx.conn(), None, None, None, 1).await.unwrap_err();
        assert!(matches!(err, StoreError::Corrupt(_)));
        citizens::save_identity(&mut tx.conn(), a.id, Some(r#"{"nik":"3520014108900001"}"#), "granted").await.unwrap();
        citizens::save_conversation(&mut tx.conn(), a.id, "{\"s\":1}", Some(99)).await.unwrap();
        tx.commit().await.unwrap();
        let mut r = store.reader().await.unwrap();
        let got = citizens::by_id(&mut r.conn(), a.id).await.unwrap().unwrap();
        assert_eq!(got.identity.as_deref(), Some(r#"{"nik":"3520014108900001"}"#));
        assert_eq!(got.consent, "granted");
        assert_eq!(citizens::due_timers(&mut r.conn(), 100, 10).await.unwrap(), vec![a.id]);
        assert!(citizens::due_timers(&mut r.conn(), 98, 10).await.unwrap().is_empty());
    });
}

#[tokio::test]
async fn the_inbox_stores_a_body_once_and_claims_it_for_processing() {
    on_every_backend!(store => {
        let mut tx = store.inbox_begin().await.unwrap();
        let ev = inbox::NewEvent { sha256: "abc", body: b"{\"x\":1}", received_at: 5 };
        assert_eq!(inbox::insert_batch(&mut tx.conn(), &[ev.clone(), ev.clone()]).await.unwrap(), 1);
        tx.commit().await.unwrap();
        let mut tx = store.inbox_begin().await.unwrap();
        let claimed = inbox::claim_pending(&mut tx.conn(), 10).await.unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].body, b"{\"x\":1}");
        inbox::mark_poison(&mut tx.conn(), claimed[0].id, "bad json", 6).await.unwrap();
        tx.commit().await.unwrap();
        let mut r = store.inbox_reader().await.unwrap();
        assert_eq!(inbox::counts(&mut r.conn()).await.unwrap(), (0, 0, 1));
        let poison = inbox::poison(&mut r.conn(), 10).await.unwrap();
        assert_eq!(poison[0].error.as_deref(), Some("bad json"));
        drop(r);
        let mut tx = store.inbox_begin().await.unwrap();
        assert!(inbox::requeue(&mut tx.conn(), claimed[0].id).await.unwrap());
        let again = inbox::claim_pending(&mut tx.conn(), 10).await.unwrap();
        inbox::mark_done(&mut tx.conn(), again[0].id, 7).await.unwrap();
        tx.commit().await.unwrap();
        let mut r = store.inbox_reader().await.unwrap();
        assert_eq!(inbox::pending_count(&mut r.conn()).await.unwrap(), 0);
    });
}

#[tokio::test]
async fn a_message_id_is_stored_once_and_statuses_only_move_forward() {
    on_every_backend!(store => {
        let cid = citizen(&store, "628222").await;
        let mut tx = store.begin().await.unwrap();
        let m = messages::NewInbound { citizen_id: cid, wa_message_id: "wamid.1", inbox_id: None,
            kind: "text", body_json: "{\"body\":\"halo\"}", created_at: 1, complaint_id: None };
        assert!(messages::insert_inbound(&mut tx.conn(), &m).await.unwrap().is_some());
        assert!(messages::insert_inbound(&mut tx.conn(), &m).await.unwrap().is_none());
        let out = messages::insert_outbound(&mut tx.conn(), &messages::NewOutbound { citizen_id: Some(cid),
            user_id: None, complaint_id: None, kind: "text", body_json: "{}", created_at: 2 }).await.unwrap();
        messages::mark_sent(&mut tx.conn(), out, "wamid.out", "text").await.unwrap();
        let read = messages::StatusUpdate { wa_message_id: "wamid.out", status: "read", rank: 3, at: 5, error_code: None, error_title: None };
        let delivered = messages::StatusUpdate { status: "delivered", rank: 2, at: 4, ..read.clone() };
        assert!(messages::apply_status(&mut tx.conn(), &read).await.unwrap());
        assert!(messages::apply_status(&mut tx.conn(), &delivered).await.unwrap());
        assert!(!messages::apply_status(&mut tx.conn(), &read).await.unwrap());
        tx.commit().await.unwrap();
        let mut r = store.reader().await.unwrap();
        let lines = messages::for_citizen(&mut r.conn(), cid, 0, 50).await.unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].body_json, "{\"body\":\"halo\"}");
        assert_eq!(lines[1].delivery.as_deref(), Some("read"));
        assert!(messages::exists(&mut r.conn(), "wamid.1").await.unwrap());
    });
}

#[tokio::test]
async fn the_outbox_dedupes_leases_and_recovers_rows_of_a_dead_process() {
    on_every_backend!(store => {
        let cid = citizen(&store, "628333").await;
        let new = |key: &'static str| outbox::NewOutbox { dedupe_key: Some(key), citizen_id: Some(cid), user_id: None,
            complaint_id: None, message_id: None, to_phone: Some("628333"), to_bsuid: None, kind: "text",
            payload_json: "{\"t\":1}", not_before: 10, now: 10 };
        let mut tx = store.begin().await.unwrap();
        let a = outbox::enqueue(&mut tx.conn(), &new("k1")).await.unwrap().unwrap();
        assert!(outbox::enqueue(&mut tx.conn(), &new("k1")).await.unwrap().is_none());
        let b = outbox::enqueue(&mut tx.conn(), &new("k2")).await.unwrap().unwrap();
        assert!(outbox::claim_due(&mut tx.conn(), 9, 100, 10).await.unwrap().is_empty());
        let claimed = outbox::claim_due(&mut tx.conn(), 10, 100, 10).await.unwrap();
        assert_eq!(claimed.iter().map(|i| i.id).collect::<Vec<_>>(), vec![a, b]);
        assert_eq!(claimed[0].payload_json, "{\"t\":1}");
        assert_eq!(claimed[0].attempts, 1);
        assert!(outbox::claim_due(&mut tx.conn(), 10, 100, 10).await.unwrap().is_empty());
        outbox::mark_sent(&mut tx.conn(), a, "wamid.a", false, 11).await.unwrap();
        assert_eq!(outbox::recover_expired_leases(&mut tx.conn(), 101).await.unwrap(), 1);
        let again = outbox::claim_due(&mut tx.conn(), 101, 200, 10).await.unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].attempts, 2);
        outbox::finish_failed(&mut tx.conn(), b, "dead", "131026: undeliverable", Some(131_026)).await.unwrap();
        tx.commit().await.unwrap();
        let mut r = store.reader().await.unwrap();
        let dead = outbox::in_states(&mut r.conn(), &["dead"], 10).await.unwrap();
        assert_eq!(dead[0].last_error_code, Some(131_026));
        assert_eq!(outbox::by_wa_message_id(&mut r.conn(), "wamid.a").await.unwrap().unwrap().id, a);
        drop(r);
        let mut tx = store.begin().await.unwrap();
        assert!(outbox::requeue(&mut tx.conn(), b, 300).await.unwrap());
        assert!(!outbox::requeue(&mut tx.conn(), a, 300).await.unwrap(), "a sent row is not requeued");
        tx.commit().await.unwrap();
        let mut r = store.reader().await.unwrap();
        assert_eq!(outbox::pending_count(&mut r.conn()).await.unwrap(), 1);
    });
}

#[tokio::test]
async fn the_audit_chain_verifies_and_names_the_first_edited_event() {
    on_every_backend!(store, url => {
        let mut tx = store.begin().await.unwrap();
        for i in 0..5 {
            audit::append(&mut tx.conn(), &audit::NewEvent { at: i, actor_user_id: None, actor: "system",
                action: "verify", complaint_id: Some(1), before: Some("submitted"), after: Some("at_kabid"),
                detail: None }).await.unwrap();
        }
        tx.commit().await.unwrap();
        let mut r = store.reader().await.unwrap();
        assert_eq!(audit::verify(&mut r.conn()).await.unwrap(), audit::Verification::Intact(5));
        drop(r);
        let sql = "UPDATE audit_events SET after = 'closed' WHERE seq = 3";
        match store.backend() {
            Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
                sqlx::query(sql).execute(&pool).await.unwrap();
                pool.close().await;
            }
            Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&url).await.unwrap();
                sqlx::query(sql).execute(&pool).await.unwrap();
                pool.close().await;
            }
        }
        let mut r = store.reader().await.unwrap();
        match audit::verify(&mut r.conn()).await.unwrap() {
            audit::Verification::Broken { seq, .. } => assert_eq!(seq, 3),
            other => panic!("{other:?}"),
        }
    });
}

#[tokio::test]
async fn concurrent_audit_appends_never_fork_the_chain() {
    on_every_backend!(store => {
        let mut tasks = Vec::new();
        for i in 0..20 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = store.begin().await.unwrap();
                audit::append(&mut tx.conn(), &audit::NewEvent { at: i, actor_user_id: None, actor: "system",
                    action: "x", complaint_id: None, before: None, after: None, detail: None }).await.unwrap();
                tx.commit().await.unwrap();
            }));
        }
        for t in tasks { t.await.unwrap(); }
        let mut r = store.reader().await.unwrap();
        assert_eq!(audit::verify(&mut r.conn()).await.unwrap(), audit::Verification::Intact(20));
    });
}

#[tokio::test]
async fn complaints_list_filter_search_and_change_status_optimistically() {
    on_every_backend!(store => {
        let mut tx = store.begin().await.unwrap();
        seed::seed_reference_data(&mut tx.conn(), 1).await.unwrap();
        tx.commit().await.unwrap();
        let cid = citizen(&store, "628444").await;
        let a = complaint(&store, cid, "WB-202611-0001", "Jalan rusak parah di Desa Sukamaju", 100).await;
        let b = complaint(&store, cid, "WB-202611-0002", "Lampu jalan mati sejak seminggu", 200).await;
        let c3 = complaint(&store, cid, "WB-202612-0001", "Air PDAM keruh", 300).await;
        let mut tx = store.begin().await.unwrap();
        assert!(complaints::set_status(&mut tx.conn(), a, "submitted", "at_kabid", complaints::Stamp::Verified, 150).await.unwrap());
        assert!(!complaints::set_status(&mut tx.conn(), a, "submitted", "rejected", complaints::Stamp::Rejected, 151).await.unwrap());
        let pupr = agencies::by_code(&mut tx.conn(), "DPUPR").await.unwrap().unwrap();
        let dinkes = agencies::by_code(&mut tx.conn(), "DINKES").await.unwrap().unwrap();
        let asg = assignments::insert(&mut tx.conn(), b, 0, pupr.id, Some("segera"), None, 210).await.unwrap();
        tx.commit().await.unwrap();
        // A violated constraint aborts a PostgreSQL transaction, so it gets its own.
        let mut tx = store.begin().await.unwrap();
        assert!(assignments::insert(&mut tx.conn(), b, 0, pupr.id, None, None, 211).await.unwrap_err().is_conflict());
        tx.rollback().await.unwrap();

        let mut r = store.reader().await.unwrap();
        let got = complaints::by_ticket(&mut r.conn(), "WB-202611-0001").await.unwrap().unwrap();
        assert_eq!((got.status.as_str(), got.verified_at), ("at_kabid", Some(150)));
        assert_eq!(got.identity_json.as_deref(), Some(r#"{"nama":"Budi","nik":"3520014108900001"}"#));
        let all = complaints::list(&mut r.conn(), &complaints::ListFilter { limit: 50, ..Default::default() }).await.unwrap();
        assert_eq!(all.iter().map(|i| i.id).collect::<Vec<_>>(), vec![c3, b, a]);
        let page2 = complaints::list(&mut r.conn(), &complaints::ListFilter { limit: 2, before_id: Some(b), ..Default::default() }).await.unwrap();
        assert_eq!(page2.iter().map(|i| i.id).collect::<Vec<_>>(), vec![a]);
        let search = complaints::list(&mut r.conn(), &complaints::ListFilter { q: Some("jalan".into()), limit: 50, ..Default::default() }).await.unwrap();
        assert_eq!(search.iter().map(|i| i.id).collect::<Vec<_>>(), vec![b, a]);
        let prefix = complaints::list(&mut r.conn(), &complaints::ListFilter { q: Some("keru".into()), limit: 50, ..Default::default() }).await.unwrap();
        assert_eq!(prefix.iter().map(|i| i.id).collect::<Vec<_>>(), vec![c3]);
        let hostile = complaints::list(&mut r.conn(), &complaints::ListFilter { q: Some("\" OR 1=1; DROP TABLE complaints; --".into()), limit: 50, ..Default::default() }).await.unwrap();
        assert!(hostile.is_empty());
        let by_agency = complaints::list(&mut r.conn(), &complaints::ListFilter { visible_to_agency: Some(pupr.id), limit: 50, ..Default::default() }).await.unwrap();
        assert_eq!(by_agency.len(), 1);
        assert_eq!(by_agency[0].opds, vec!["DPUPR".to_string()]);
        assert!(complaints::list(&mut r.conn(), &complaints::ListFilter { visible_to_agency: Some(dinkes.id), limit: 50, ..Default::default() }).await.unwrap().is_empty());
        let statuses = complaints::list(&mut r.conn(), &complaints::ListFilter { statuses: vec!["at_kabid".into(), "closed".into()], limit: 50, ..Default::default() }).await.unwrap();
        assert_eq!(statuses.len(), 1);
        let dated = complaints::list(&mut r.conn(), &complaints::ListFilter { from: Some(150), to: Some(300), limit: 50, ..Default::default() }).await.unwrap();
        assert_eq!(dated.iter().map(|i| i.id).collect::<Vec<_>>(), vec![b]);
        let open = complaints::open_for_citizen(&mut r.conn(), cid).await.unwrap();
        assert_eq!(open.len(), 3);
        let counts = complaints::count_by_status(&mut r.conn(), None).await.unwrap();
        assert!(counts.contains(&("submitted".to_string(), 2)));
        drop(r);
        let mut tx = store.begin().await.unwrap();
        assert!(assignments::answer(&mut tx.conn(), asg, "Sudah diperbaiki", "Perbaikan 3 hari", None, 400).await.unwrap());
        assert!(!assignments::answer(&mut tx.conn(), asg, "lagi", "lagi", None, 401).await.unwrap());
        tx.commit().await.unwrap();
    });
}

#[tokio::test]
async fn deadline_reminders_are_recorded_once_per_level() {
    on_every_backend!(store => {
        let cid = citizen(&store, "628555").await;
        let k = complaint(&store, cid, "WB-202611-0009", "x", 1).await;
        let mut tx = store.begin().await.unwrap();
        let s = sla::start(&mut tx.conn(), Some(k), None, "opd_answer", "opd:DPUPR", 0, 100, Some(500)).await.unwrap();
        assert!(sla::record_reminder(&mut tx.conn(), s, "due", 101).await.unwrap());
        assert!(!sla::record_reminder(&mut tx.conn(), s, "due", 102).await.unwrap());
        assert_eq!(sla::open_started_before(&mut tx.conn(), 10, 10).await.unwrap().len(), 1);
        assert_eq!(sla::finish(&mut tx.conn(), k, "opd_answer", Some("opd:DPUPR"), 150).await.unwrap(), 1);
        tx.commit().await.unwrap();
        let mut r = store.reader().await.unwrap();
        let recs = sla::for_complaint(&mut r.conn(), k).await.unwrap();
        assert_eq!(recs[0].outcome.as_deref(), Some("breached"));
        assert_eq!(sla::reminders_sent(&mut r.conn(), s).await.unwrap(), vec!["due".to_string()]);
    });
}

#[tokio::test]
async fn users_sessions_settings_leases_notifications_and_ratings_work() {
    on_every_backend!(store => {
        let mut tx = store.begin().await.unwrap();
        seed::seed_reference_data(&mut tx.conn(), 1).await.unwrap();
        let pupr = agencies::by_code(&mut tx.conn(), "DPUPR").await.unwrap().unwrap();
        let uid = users::insert(&mut tx.conn(), &users::NewUser { username: "pupr", name: "Petugas PUPR", role: "opd",
            agency_id: Some(pupr.id), password_hash: "$argon2id$x", wa_number: Some("628777") }, 1).await.unwrap();
        assert_eq!(users::record_failed_login(&mut tx.conn(), uid, 2, 999).await.unwrap(), 1);
        assert_eq!(users::record_failed_login(&mut tx.conn(), uid, 2, 999).await.unwrap(), 2);
        let sid = sessions::insert(&mut tx.conn(), "hash1", uid, "api", "csrf", 10, 100).await.unwrap();
        settings::set(&mut tx.conn(), "text.greeting", "Halo", 1).await.unwrap();
        settings::set(&mut tx.conn(), "text.greeting", "Halo!", 2).await.unwrap();
        assert!(!settings::set_default(&mut tx.conn(), "text.greeting", "x", 3).await.unwrap());
        assert!(leases::try_acquire(&mut tx.conn(), "job", "a", 0, 100).await.unwrap());
        assert!(!leases::try_acquire(&mut tx.conn(), "job", "b", 50, 150).await.unwrap());
        assert!(leases::try_acquire(&mut tx.conn(), "job", "b", 101, 200).await.unwrap());
        let n = notifications::NewNotification { role: Some("opd"), agency_id: Some(pupr.id), user_id: None,
            complaint_id: None, kind: "queue", text: "Disposisi baru", dedupe_key: Some("q:1"), now: 5 };
        assert!(notifications::insert(&mut tx.conn(), &n).await.unwrap().is_some());
        assert!(notifications::insert(&mut tx.conn(), &n).await.unwrap().is_none());
        assert!(notifications::raise_alert(&mut tx.conn(), "token_expired", "190", 1).await.unwrap());
        assert!(!notifications::raise_alert(&mut tx.conn(), "token_expired", "190 again", 2).await.unwrap());
        tx.commit().await.unwrap();
        let mut tx = store.begin().await.unwrap();
        assert!(users::insert(&mut tx.conn(), &users::NewUser { username: "pupr", name: "x", role: "admin",
            agency_id: None, password_hash: "h", wa_number: None }, 1).await.unwrap_err().is_conflict());
        tx.rollback().await.unwrap();
        let mut r = store.reader().await.unwrap();
        let u = users::by_username(&mut r.conn(), "pupr").await.unwrap().unwrap();
        assert_eq!((u.agency_code.as_deref(), u.failed_logins, u.locked_until), (Some("DPUPR"), 2, Some(999)));
        assert_eq!(sessions::live(&mut r.conn(), "hash1", 50).await.unwrap().unwrap().id, sid);
        assert!(sessions::live(&mut r.conn(), "hash1", 100).await.unwrap().is_none());
        assert_eq!(settings::get(&mut r.conn(), "text.greeting").await.unwrap().as_deref(), Some("Halo!"));
        assert_eq!(settings::with_prefix(&mut r.conn(), "text.").await.unwrap().len(), 1);
        assert_eq!(notifications::for_user(&mut r.conn(), uid, "opd", Some(pupr.id), 0, 10).await.unwrap().len(), 1);
        assert_eq!(notifications::open_alerts(&mut r.conn()).await.unwrap()[0].message, "190 again");
        drop(r);
        let mut tx = store.begin().await.unwrap();
        sessions::revoke(&mut tx.conn(), sid, 20).await.unwrap();
        assert!(sessions::live(&mut tx.conn(), "hash1", 30).await.unwrap().is_none());
        let cid = citizens::resolve(&mut tx.conn(), None, Some("62899"), None, 1).await.unwrap().id;
        tx.commit().await.unwrap();
        let k = complaint(&store, cid, "WB-202611-0077", "x", 1).await;
        let mut tx = store.begin().await.unwrap();
        assert!(ratings::ask(&mut tx.conn(), k, 1, 5).await.unwrap());
        assert!(!ratings::ask(&mut tx.conn(), k, 1, 6).await.unwrap());
        let open = ratings::latest_for_citizen(&mut tx.conn(), cid, &["asked"]).await.unwrap().unwrap();
        assert!(ratings::answer(&mut tx.conn(), open.id, "asked", "rated", Some(5), Some(true), None, 7).await.unwrap());
        assert!(!ratings::answer(&mut tx.conn(), open.id, "asked", "rated", Some(1), Some(true), None, 8).await.unwrap());
        assert!(ratings::answer(&mut tx.conn(), open.id, "rated", "commented", None, None, Some("mantap"), 9).await.unwrap());
        let got = &ratings::for_complaint(&mut tx.conn(), k).await.unwrap()[0];
        assert_eq!((got.rating, got.resolved, got.comment.as_deref(), got.stage.as_str()), (Some(5), Some(true), Some("mantap"), "commented"));
        assert_eq!(ratings::given_between(&mut tx.conn(), 0, 100).await.unwrap().len(), 1);
        let att = attachments::insert(&mut tx.conn(), &attachments::NewAttachment { citizen_id: cid, complaint_id: Some(k),
            message_id: None, role: "ktp", kind: "image", wa_media_id: Some("m1"), mime_type: Some("image/jpeg"),
            sha256: None, filename: None, caption: None, meta: None, now: 1 }).await.unwrap();
        assert_eq!(attachments::due_downloads(&mut tx.conn(), 1, 10).await.unwrap().len(), 1);
        attachments::mark_attempt_failed(&mut tx.conn(), att, "500", Some(50)).await.unwrap();
        assert!(attachments::due_downloads(&mut tx.conn(), 10, 10).await.unwrap().is_empty());
        attachments::mark_attempt_failed(&mut tx.conn(), att, "gone", None).await.unwrap();
        assert_eq!(attachments::failed(&mut tx.conn(), 10).await.unwrap().len(), 1);
        tx.commit().await.unwrap();
    });
}

#[tokio::test]
async fn a_backup_copy_opens_with_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Arc::new(Vault::ephemeral());
    let url = format!("sqlite://{}", dir.path().join("a.db").display());
    let store = Store::open(&ConnectOptions::new(url), vault.clone())
        .await
        .unwrap();
    let cid = citizen(&store, "628666").await;
    complaint(&store, cid, "WB-202611-0001", "x", 1).await;
    let out = dir.path().join("backup.db");
    store.backup_to(&out).await.unwrap();
    assert!(
        store.backup_to(&out).await.is_err(),
        "an existing file is never overwritten"
    );
    let copy = Store::open(
        &ConnectOptions::new(format!("sqlite://{}", out.display())),
        vault,
    )
    .await
    .unwrap();
    let mut r = copy.reader().await.unwrap();
    assert!(
        complaints::by_ticket(&mut r.conn(), "WB-202611-0001")
            .await
            .unwrap()
            .is_some()
    );
}
