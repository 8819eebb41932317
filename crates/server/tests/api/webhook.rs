//! The WhatsApp webhook: verification, signatures, the durable inbox, exactly-once
//! processing, sending through the outbox with retries and the template fallback, media.

use std::time::Duration;

use serde_json::json;
use wani_bares_store::{attachments, inbox, messages};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::{
    self, Backend, Options, PHONE_NUMBER_ID, VERIFY_TOKEN, sample, samples_dir, sign, text_body,
};
use crate::on_each_backend;

#[tokio::test]
async fn the_verification_handshake_answers_the_challenge_only_with_the_right_token() {
    on_each_backend!(app => {
        let ok = app.http.get(app.url(&format!("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1158201444"))).send().await.unwrap();
        assert_eq!(ok.status(), 200);
        assert_eq!(ok.text().await.unwrap(), "1158201444");
        let bad = app.http.get(app.url("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1")).send().await.unwrap();
        assert_eq!(bad.status(), 403);
        let none = app.http.get(app.url("/webhooks/whatsapp")).send().await.unwrap();
        assert_eq!(none.status(), 403);
    });
}

#[tokio::test]
async fn unsigned_or_wrongly_signed_bodies_get_401_and_store_nothing() {
    on_each_backend!(app => {
        let body = sample("inbound-text.json");
        let unsigned = app.http.post(app.url("/webhooks/whatsapp")).body(body.clone()).send().await.unwrap();
        assert_eq!(unsigned.status(), 401);
        let wrong = app.http.post(app.url("/webhooks/whatsapp"))
            .header("X-Hub-Signature-256", "sha256=0000000000000000000000000000000000000000000000000000000000000000")
            .body(body.clone()).send().await.unwrap();
        assert_eq!(wrong.status(), 401);
        let other_body = app.http.post(app.url("/webhooks/whatsapp"))
            .header("X-Hub-Signature-256", sign(b"something else"))
            .body(body).send().await.unwrap();
        assert_eq!(other_body.status(), 401);
        let mut r = app.state.store.inbox_reader().await.unwrap();
        assert_eq!(inbox::counts(&mut r.conn()).await.unwrap(), (0, 0, 0));
        drop(r);
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(app.sent().await.is_empty());
    });
}

#[tokio::test]
async fn every_sample_is_accepted_and_processed_without_poison() {
    // The samples share one sender: lift the per-citizen pacing so the test does not wait.
    on_each_backend!(|b| Options { tweak: Some(Box::new(|c| c.whatsapp.pair_burst = 1000)), ..Options::on(b) }, app => {
        let mut names: Vec<String> = std::fs::read_dir(samples_dir()).unwrap()
            .chain(std::fs::read_dir(samples_dir().join("derived")).unwrap())
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .filter_map(|p| {
                let text = std::fs::read_to_string(&p).ok()?;
                text.contains("whatsapp_business_account").then(|| p.strip_prefix(samples_dir()).unwrap().display().to_string())
            })
            .collect();
        names.sort();
        assert!(names.len() >= 35, "{names:?}");
        for name in &names {
            let r = app.post_webhook(&sample(name)).await;
            assert_eq!(r.status(), 200, "{name}");
        }
        app.settle().await;
        let mut r = app.state.store.inbox_reader().await.unwrap();
        let (pending, done, poison) = inbox::counts(&mut r.conn()).await.unwrap();
        assert_eq!((pending, poison), (0, 0), "every sample is a valid notification");
        assert_eq!(done as usize, names.len());
    });
}

#[tokio::test]
async fn a_signed_body_that_does_not_parse_is_kept_as_poison_and_answered_200() {
    on_each_backend!(app => {
        for body in [&b"not json at all"[..], br#"{"object":"page","entry":[]}"#, &[0xff, 0xfe, 0x00][..]] {
            let r = app.post_webhook(body).await;
            assert_eq!(r.status(), 200);
        }
        app.settle().await;
        let mut r = app.state.store.inbox_reader().await.unwrap();
        let poison = inbox::poison(&mut r.conn(), 10).await.unwrap();
        assert_eq!(poison.len(), 3);
        assert!(poison.iter().any(|p| p.body == b"not json at all"));
        assert!(poison.iter().all(|p| p.error.is_some()));
    });
}

#[tokio::test]
async fn a_body_above_the_limit_gets_413() {
    on_each_backend!(app => {
        let big = vec![b' '; 8 * 1024 * 1024];
        let r = app.http.post(app.url("/webhooks/whatsapp"))
            .header("X-Hub-Signature-256", sign(&big))
            .body(big).send().await.unwrap();
        assert_eq!(r.status(), 413);
        let health = app.http.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(health.status(), 200);
    });
}

#[tokio::test]
async fn a_new_citizen_gets_exactly_one_reply_even_when_the_post_arrives_twenty_times_at_once() {
    on_each_backend!(app => {
        let body = text_body("6281234500001", "halo");
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let http = app.http.clone();
            let url = app.url("/webhooks/whatsapp");
            let body = body.clone();
            tasks.push(tokio::spawn(async move {
                http.post(url).header("X-Hub-Signature-256", sign(&body)).body(body).send().await.unwrap().status()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), 200);
        }
        let sent = app.wait_for_sent_to("6281234500001", 1, Duration::from_secs(2)).await;
        app.settle().await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(app.sent_to("6281234500001").await.len(), 1, "{sent:#?}");
        assert!(sent[0].text().contains("Wani Bares"));
        // The same message id in a different body (Meta's retry with other formatting).
        let again = String::from_utf8(body).unwrap().replace("\"entry\"", "\"entry\" ");
        app.post_webhook_ok(again.as_bytes()).await;
        app.settle().await;
        assert_eq!(app.sent_to("6281234500001").await.len(), 1);
    });
}

#[tokio::test]
async fn three_new_citizens_in_one_post_get_three_replies() {
    on_each_backend!(app => {
        let msg = |from: &str, id: &str| json!({"from": from, "id": id, "timestamp": "1793757600", "type": "text", "text": {"body": "halo"}});
        let body = serde_json::to_vec(&json!({
            "object": "whatsapp_business_account",
            "entry": [{"id": "W", "changes": [{"field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "1", "phone_number_id": PHONE_NUMBER_ID},
                "contacts": [{"wa_id": "6281111111101", "profile": {"name": "A"}}, {"wa_id": "6281111111102", "profile": {"name": "B"}}, {"wa_id": "6281111111103", "profile": {"name": "C"}}],
                "messages": [msg("6281111111101", "wamid.a1"), msg("6281111111102", "wamid.b1"), msg("6281111111103", "wamid.c1")]
            }}]}]
        })).unwrap();
        app.post_webhook_ok(&body).await;
        for n in ["6281111111101", "6281111111102", "6281111111103"] {
            app.wait_for_sent_to(n, 1, Duration::from_secs(2)).await;
        }
        app.settle().await;
        assert_eq!(app.sent().await.len(), 3);
    });
}

#[tokio::test]
async fn a_citizen_without_a_phone_number_is_answered_by_user_id() {
    on_each_backend!(app => {
        let body = String::from_utf8(sample("inbound-bsuid-only-no-from.json")).unwrap().replace("PHONE_NUMBER_ID", PHONE_NUMBER_ID);
        app.post_webhook_ok(body.as_bytes()).await;
        app.settle().await;
        let sent = app.sent().await;
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].body["recipient"], "BSUID_123");
        assert!(sent[0].body.get("to").is_none());
    });
}

#[tokio::test]
async fn indonesian_number_forms_are_one_citizen() {
    on_each_backend!(app => {
        app.say("6281234500009", "halo").await;
        for form in ["081234500009", "+62 812-3450-0009"] {
            let body = text_body(form, "Nama: Budi Santoso");
            app.post_webhook_ok(&body).await;
        }
        app.settle().await;
        let mut r = app.state.store.reader().await.unwrap();
        let c = wani_bares_store::citizens::by_phone(&mut r.conn(), "6281234500009").await.unwrap().unwrap();
        let lines = messages::for_citizen(&mut r.conn(), c.id, 0, 100).await.unwrap();
        assert_eq!(lines.iter().filter(|m| m.direction == "in").count(), 3);
    });
}

#[tokio::test]
async fn graph_500_then_200_delivers_the_reply_once() {
    on_each_backend!(|b| Options { graph_ok: false, ..Options::on(b) }, app => {
        Mock::given(method("POST")).and(path(format!("/v23.0/{PHONE_NUMBER_ID}/messages")))
            .and(wiremock::matchers::body_partial_json(json!({"type": "text"})))
            .respond_with(ResponseTemplate::new(500).set_body_json(json!({"error": {"message": "Service temporarily unavailable", "type": "OAuthException", "code": 2, "fbtrace_id": "x"}})))
            .up_to_n_times(1)
            .expect(1)
            .mount(&app.graph).await;
        helpers::mount_ok(&app.graph).await;
        app.post_webhook_ok(&text_body("6281234500002", "halo")).await;
        let deadline = std::time::Instant::now() + Duration::from_secs(6);
        loop {
            let delivered = app.sent_to("6281234500002").await.len();
            if delivered >= 2 || std::time::Instant::now() > deadline { break; }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        app.settle().await;
        // Two attempts reached the fake API (the 500 and the success): one delivery.
        let all = app.sent_to("6281234500002").await;
        assert_eq!(all.len(), 2, "{all:#?}");
        let mut r = app.state.store.reader().await.unwrap();
        let rows = wani_bares_store::outbox::in_states(&mut r.conn(), &["sent"], 10).await.unwrap();
        assert!(rows.iter().any(|o| o.to_phone.as_deref() == Some("6281234500002") && o.attempts == 2 && o.kind != "mark_read"));
    });
}

#[tokio::test]
async fn throttling_130429_is_retried_after_a_backoff() {
    on_each_backend!(|b| Options { graph_ok: false, ..Options::on(b) }, app => {
        Mock::given(method("POST")).and(path(format!("/v23.0/{PHONE_NUMBER_ID}/messages")))
            .and(wiremock::matchers::body_partial_json(json!({"type": "text"})))
            .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": {"message": "Rate limit hit", "type": "OAuthException", "code": 130_429, "fbtrace_id": "x"}})).insert_header("retry-after", "1"))
            .up_to_n_times(1)
            .mount(&app.graph).await;
        helpers::mount_ok(&app.graph).await;
        let start = std::time::Instant::now();
        app.post_webhook_ok(&text_body("6281234500003", "halo")).await;
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let mut ok_at = None;
        while std::time::Instant::now() < deadline {
            let sent = app.sent_to("6281234500003").await;
            if sent.len() >= 2 {
                ok_at = Some(start.elapsed());
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let waited = ok_at.expect("the reply is delivered after the backoff");
        assert!(waited >= Duration::from_millis(500), "{waited:?}");
    });
}

#[tokio::test]
async fn outside_the_window_131047_sends_the_template_instead() {
    on_each_backend!(|b| Options { graph_ok: false, ..Options::on(b) }, app => {
        Mock::given(method("POST")).and(path(format!("/v23.0/{PHONE_NUMBER_ID}/messages")))
            .and(wiremock::matchers::body_partial_json(json!({"type": "text"})))
            .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": {"message": "Re-engagement message", "type": "OAuthException", "code": 131_047, "fbtrace_id": "x"}})))
            .mount(&app.graph).await;
        helpers::mount_ok(&app.graph).await;
        app.post_webhook_ok(&text_body("6281234500004", "halo")).await;
        let sent = app.wait_for_sent_to("6281234500004", 2, Duration::from_secs(3)).await;
        assert_eq!(sent[0].kind(), "text");
        assert_eq!(sent[1].kind(), "template");
        assert_eq!(sent[1].body["template"]["name"], "wani_bares_pemberitahuan");
        assert_eq!(sent[1].body["template"]["language"]["code"], "id");
        app.settle().await;
        assert_eq!(app.sent_to("6281234500004").await.len(), 2);
    });
}

#[tokio::test]
async fn an_inbound_image_is_downloaded_and_never_stored_in_clear() {
    on_each_backend!(app => {
        app.say("6281234500005", "halo").await;
        app.send_image("6281234500005", "media-ktp-1").await;
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            let mut r = app.state.store.reader().await.unwrap();
            let due = attachments::due_downloads(&mut r.conn(), i64::MAX, 10).await.unwrap();
            let failed = attachments::failed(&mut r.conn(), 10).await.unwrap();
            assert!(failed.is_empty(), "{failed:#?}");
            if due.is_empty() {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "download did not finish");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let bytes = helpers::media_bytes("media-ktp-1");
        let needle = &bytes[..24];
        for file in app.data_files() {
            let content = std::fs::read(&file).unwrap();
            assert!(!content.windows(needle.len()).any(|w| w == needle), "{} holds the photo in clear", file.display());
        }
        let stored = app.data_files().into_iter().filter(|p| p.extension().is_some_and(|e| e == "bin")).count();
        assert_eq!(stored, 1, "one sealed file in the media store");
        let mut r = app.state.store.reader().await.unwrap();
        let c = wani_bares_store::citizens::by_phone(&mut r.conn(), "6281234500005").await.unwrap().unwrap();
        let lines = messages::for_citizen(&mut r.conn(), c.id, 0, 10).await.unwrap();
        let image = lines.iter().find(|m| m.kind == "image").unwrap();
        let att = &attachments::for_message(&mut r.conn(), image.id).await.unwrap()[0];
        assert_eq!(att.state, "stored");
        assert_eq!(att.size_bytes, Some(bytes.len() as i64));
    });
}

#[tokio::test]
async fn statuses_move_delivery_forward_only_and_dedupe() {
    on_each_backend!(app => {
        let sent = app.say("6281234500006", "halo").await;
        assert_eq!(sent.len(), 1);
        let mut r = app.state.store.reader().await.unwrap();
        let c = wani_bares_store::citizens::by_phone(&mut r.conn(), "6281234500006").await.unwrap().unwrap();
        let out = messages::for_citizen(&mut r.conn(), c.id, 0, 10).await.unwrap().into_iter().find(|m| m.direction == "out").unwrap();
        drop(r);
        let wamid = out.wa_message_id.clone().unwrap();
        let status = |s: &str, ts: &str| serde_json::to_vec(&json!({"object": "whatsapp_business_account", "entry": [{"id": "W", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp", "metadata": {"display_phone_number": "1", "phone_number_id": PHONE_NUMBER_ID},
            "statuses": [{"id": wamid, "status": s, "timestamp": ts, "recipient_id": "6281234500006"}]}}]}]})).unwrap();
        app.post_webhook_ok(&status("read", "1793757700")).await;
        app.post_webhook_ok(&status("delivered", "1793757650")).await;
        app.post_webhook_ok(&status("read", "1793757700")).await;
        app.settle().await;
        let mut r = app.state.store.reader().await.unwrap();
        let out = messages::for_citizen(&mut r.conn(), c.id, 0, 10).await.unwrap().into_iter().find(|m| m.direction == "out").unwrap();
        assert_eq!(out.delivery.as_deref(), Some("read"));
    });
}

#[tokio::test]
async fn a_message_for_another_business_number_is_not_answered() {
    on_each_backend!(app => {
        let body = String::from_utf8(text_body("6281234500007", "halo")).unwrap().replace(PHONE_NUMBER_ID, "9999999999");
        app.post_webhook_ok(body.as_bytes()).await;
        app.settle().await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(app.sent().await.is_empty());
    });
}

#[tokio::test]
async fn without_whatsapp_credentials_the_webhook_answers_503_so_meta_retries() {
    let app = helpers::spawn(Options {
        tweak: Some(Box::new(|c| {
            c.whatsapp.app_secret = wani_bares::config::Secret::default();
        })),
        ..Options::on(Backend::Sqlite)
    })
    .await;
    let r = app.post_webhook(&sample("inbound-text.json")).await;
    assert_eq!(r.status(), 503);
    app.cleanup().await;
}
