//! Fault injection: bursts of Graph API errors (5xx, throttling, slow answers, 131047,
//! 190, timeouts), Meta unreachable, SQLite locked by another process, PostgreSQL
//! connections dropped mid-run. Nothing is lost, failures are visible, recovery is
//! automatic.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wani_bares_store::{inbox, messages, outbox};
use wiremock::matchers::{method, path};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

use crate::helpers::{self, Backend, GraphResponder, Options, PHONE_NUMBER_ID, text_body};
use crate::on_each_backend;

fn graph_error(code: i64, message: &str) -> Value {
    json!({"error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "fault"}})
}

/// Answers the first `bad` message sends with a rotating set of failures, then succeeds.
struct Flaky {
    seen: AtomicUsize,
    bad: usize,
    ok: GraphResponder,
}

impl Respond for Flaky {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        if body.get("status").and_then(Value::as_str) == Some("read") {
            return ResponseTemplate::new(200).set_body_json(json!({"success": true}));
        }
        let n = self.seen.fetch_add(1, Ordering::SeqCst);
        if n >= self.bad {
            return self.ok.respond(req);
        }
        match n % 4 {
            0 => ResponseTemplate::new(503)
                .set_body_json(graph_error(2, "Service temporarily unavailable")),
            1 => ResponseTemplate::new(429)
                .set_body_json(graph_error(130_429, "Rate limit hit"))
                .insert_header("retry-after", "1"),
            2 => ResponseTemplate::new(400)
                .set_body_json(graph_error(131_000, "Something went wrong")),
            _ => self.ok.respond(req).set_delay(Duration::from_millis(800)),
        }
    }
}

async fn wait_until<F: AsyncFn() -> bool>(what: &str, timeout: Duration, check: F) {
    let deadline = Instant::now() + timeout;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_burst_of_errors_and_slow_answers_delays_replies_but_loses_none() {
    on_each_backend!(|b| Options { graph_ok: false, ..Options::on(b) }, app => {
        Mock::given(method("POST")).and(path(format!("/v23.0/{PHONE_NUMBER_ID}/messages")))
            .respond_with(Flaky { seen: AtomicUsize::new(0), bad: 16, ok: GraphResponder::default() })
            .mount(&app.graph).await;
        let citizens: Vec<String> = (0..10).map(|i| format!("62819000000{i:02}")).collect();
        for c in &citizens {
            app.post_webhook_ok(&text_body(c, "halo")).await;
        }
        for c in &citizens {
            let c = c.clone();
            let app = &app;
            wait_until("every citizen's reply", Duration::from_secs(30), async || {
                app.sent_to(&c).await.iter().filter(|m| m.text().contains("Wani Bares")).count() >= 1
            }).await;
        }
        let app_ref = &app;
        wait_until("the outbox to drain (backoffs included)", Duration::from_mins(1), async || {
            let mut r = app_ref.state.store.reader().await.unwrap();
            outbox::pending_count(&mut r.conn()).await.unwrap() == 0
        }).await;
        let mut r = app.state.store.reader().await.unwrap();
        assert_eq!(messages::count_inbound(&mut r.conn()).await.unwrap(), 10);
        let failed = outbox::in_states(&mut r.conn(), &["dead", "unknown", "held"], 50).await.unwrap();
        assert!(failed.is_empty(), "transient errors are retried, not dead-lettered: {failed:#?}");
    });
}

#[tokio::test]
async fn an_expired_token_raises_an_alert_holds_messages_and_a_retry_delivers_them() {
    on_each_backend!(|b| Options { graph_ok: false, ..Options::on(b) }, app => {
        Mock::given(method("POST")).and(path(format!("/v23.0/{PHONE_NUMBER_ID}/messages")))
            .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::from_slice::<Value>(&helpers::sample("error-190-access-token-expired.json")).unwrap()))
            .up_to_n_times(2)
            .mount(&app.graph).await;
        helpers::mount_ok(&app.graph).await;
        app.add_user("admin", "admin", None).await;
        let token = app.login("admin").await;
        app.post_webhook_ok(&text_body("6281900000101", "halo")).await;
        let app_ref = &app;
        wait_until("the alert", Duration::from_secs(10), async || {
            let (_, v) = app_ref.api_get(&token, "/api/v1/outbox?state=held").await;
            v["alerts"].as_array().is_some_and(|a| !a.is_empty())
        }).await;
        let (_, v) = app.api_get(&token, "/api/v1/outbox?state=held").await;
        assert_eq!(v["alerts"][0]["kind"], "token_expired");
        let held: Vec<i64> = v["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
        assert!(!held.is_empty(), "{v}");
        for id in held {
            let (status, _) = app.api_post(&token, &format!("/api/v1/outbox/{id}/retry"), &json!({})).await;
            assert_eq!(status, 204);
        }
        wait_until("the reply after the retry", Duration::from_secs(30), async || {
            app_ref.sent_to("6281900000101").await.iter().any(|m| m.text().contains("Wani Bares"))
        }).await;
        let cleared = async || {
            let (_, v) = app_ref.api_get(&token, "/api/v1/outbox").await;
            v["alerts"].as_array().is_some_and(Vec::is_empty)
        };
        wait_until("the alert to clear", Duration::from_secs(30), cleared).await;
    });
}

#[tokio::test]
async fn a_send_that_times_out_is_not_resent_blindly_and_its_status_reconciles_it() {
    on_each_backend!(|b| Options { graph_ok: false, ..Options::on(b) }, app => {
        Mock::given(method("POST")).and(path(format!("/v23.0/{PHONE_NUMBER_ID}/messages")))
            .and(wiremock::matchers::body_partial_json(json!({"type": "text"})))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"messages": [{"id": "wamid.late"}]})).set_delay(Duration::from_secs(5)))
            .mount(&app.graph).await;
        helpers::mount_ok(&app.graph).await;
        app.post_webhook_ok(&text_body("6281900000201", "halo")).await;
        let app_ref = &app;
        let mut id = None;
        wait_until("the unknown outcome", Duration::from_secs(15), async || {
            let mut r = app_ref.state.store.reader().await.unwrap();
            !outbox::in_states(&mut r.conn(), &["unknown"], 10).await.unwrap().is_empty()
        }).await;
        {
            let mut r = app.state.store.reader().await.unwrap();
            let rows = outbox::in_states(&mut r.conn(), &["unknown"], 10).await.unwrap();
            id = id.or(Some(rows[0].id));
            assert_eq!(rows[0].attempts, 1);
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
        let attempts = app.sent_to("6281900000201").await.len();
        assert_eq!(attempts, 1, "not resent blindly");
        // Meta's status webhook carries our callback data: the send is confirmed.
        let status = serde_json::to_vec(&json!({"object": "whatsapp_business_account", "entry": [{"id": "W", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp", "metadata": {"display_phone_number": "1", "phone_number_id": PHONE_NUMBER_ID},
            "statuses": [{"id": "wamid.late", "status": "delivered", "timestamp": "1793757700", "recipient_id": "6281900000201",
                          "biz_opaque_callback_data": format!("wb-outbox:{}", id.unwrap())}]}}]}]})).unwrap();
        app.post_webhook_ok(&status).await;
        app.settle().await;
        let mut r = app.state.store.reader().await.unwrap();
        let row = outbox::by_id(&mut r.conn(), id.unwrap()).await.unwrap().unwrap();
        assert_eq!((row.state.as_str(), row.wa_message_id.as_deref()), ("sent", Some("wamid.late")));
    });
}

#[tokio::test]
async fn when_meta_is_unreachable_replies_wait_and_go_out_once_it_is_back() {
    // The Graph API's port has nobody listening at first.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let app = helpers::spawn(Options {
        tweak: Some(Box::new(move |c| {
            c.whatsapp.api_base = format!("http://{addr}/v23.0");
        })),
        ..Options::on(Backend::Sqlite)
    })
    .await;
    app.post_webhook_ok(&text_body("6281900000301", "halo"))
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    {
        let mut r = app.state.store.reader().await.unwrap();
        let pending = outbox::in_states(&mut r.conn(), &["pending"], 10)
            .await
            .unwrap();
        assert!(
            pending
                .iter()
                .any(|o| o.attempts >= 1 && o.last_error.is_some()),
            "{pending:#?}"
        );
    }
    // Meta comes back on the same address.
    let listener = std::net::TcpListener::bind(addr).unwrap();
    let graph = wiremock::MockServer::builder()
        .listener(listener)
        .start()
        .await;
    helpers::mount_ok(&graph).await;
    app.state.wake.outbox.notify_one();
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let got = graph
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .any(|r| {
                String::from_utf8_lossy(&r.body).contains("6281900000301")
                    && !String::from_utf8_lossy(&r.body).contains("\"read\"")
            });
        if got {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the reply never went out after Meta came back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.cleanup().await;
}

#[tokio::test]
async fn sqlite_locked_by_another_process_delays_work_but_loses_nothing() {
    let app = helpers::spawn(Options::on(Backend::Sqlite)).await;
    let db = app.dir.path().join("wani-bares.db");
    // Another process holds the write lock of the main database for two seconds.
    let url = format!("sqlite://{}", db.display());
    let holder = tokio::spawn(async move {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut conn)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_secs(2)).await;
        sqlx::query("COMMIT").execute(&mut conn).await.unwrap();
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let start = Instant::now();
    for i in 0..5 {
        app.post_webhook_ok(&text_body(&format!("62819000004{i:02}"), "halo"))
            .await;
    }
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "webhooks are acknowledged while the main database is locked: the inbox is its own file"
    );
    holder.await.unwrap();
    for i in 0..5 {
        app.wait_for_sent_to(&format!("62819000004{i:02}"), 1, Duration::from_secs(15))
            .await;
    }
    // Now the inbox file itself is locked for a second: acknowledgements wait, then pass.
    let inbox_url = format!("sqlite://{}", wani_bares_store::inbox_path(&db).display());
    let holder = tokio::spawn(async move {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&inbox_url).await.unwrap();
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut conn)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_secs(1)).await;
        sqlx::query("COMMIT").execute(&mut conn).await.unwrap();
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    app.post_webhook_ok(&text_body("6281900000499", "halo"))
        .await;
    holder.await.unwrap();
    app.wait_for_sent_to("6281900000499", 1, Duration::from_secs(15))
        .await;
    let mut r = app.state.store.inbox_reader().await.unwrap();
    assert_eq!(inbox::counts(&mut r.conn()).await.unwrap().2, 0);
    drop(r);
    app.cleanup().await;
}

#[tokio::test]
async fn postgresql_connections_dropped_mid_run_recover_without_loss() {
    let Some(base) = wani_bares_store::testing::postgres_base_url() else {
        eprintln!("PostgreSQL not configured (WANI_BARES_TEST_POSTGRES_URL): skipped");
        return;
    };
    let app = helpers::spawn(Options::on(Backend::Postgres(base.clone()))).await;
    let db: (String,) = {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(app.state.config.database_url.expose())
            .await
            .unwrap();
        sqlx::query_as("SELECT current_database()")
            .fetch_one(&mut c)
            .await
            .unwrap()
    };
    let sent = Arc::new(AtomicUsize::new(0));
    let load = {
        let (base_url, sent) = (app.base.clone(), sent.clone());
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut acked = Vec::new();
            for i in 0..60 {
                let phone = format!("62819000005{i:02}");
                let body = text_body(&phone, "halo");
                // Meta retries what was not acknowledged; so does this loop.
                for _ in 0..50 {
                    let ok = http
                        .post(format!("{base_url}/webhooks/whatsapp"))
                        .header("X-Hub-Signature-256", helpers::sign(&body))
                        .body(body.clone())
                        .send()
                        .await
                        .is_ok_and(|r| r.status() == 200);
                    if ok {
                        acked.push(phone);
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                sent.fetch_add(1, Ordering::SeqCst);
            }
            acked
        })
    };
    while sent.load(Ordering::SeqCst) < 20 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Every server connection to our database is killed, as a PostgreSQL restart would.
    {
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect(&base).await.unwrap();
        sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()")
            .bind(&db.0)
            .execute(&mut admin)
            .await
            .unwrap();
    }
    let acked = load.await.unwrap();
    assert_eq!(acked.len(), 60);
    for phone in &acked {
        app.wait_for_sent_to(phone, 1, Duration::from_secs(30))
            .await;
    }
    let mut r = app.state.store.reader().await.unwrap();
    assert_eq!(messages::count_inbound(&mut r.conn()).await.unwrap(), 60);
    drop(r);
    app.cleanup().await;
}
