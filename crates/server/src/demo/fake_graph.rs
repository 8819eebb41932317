//! The demo's in-process stand-in for Meta's Graph API, on its own loopback port: it
//! accepts `POST /{version}/{phone_number_id}/messages` exactly like the Cloud API (the
//! outbox worker cannot tell the difference), records every message for the simulator,
//! serves media (`GET /{version}/{media_id}` then the file URL) and sends the `sent`,
//! `delivered` and `read` status webhooks back, signed, like Meta does.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::net::TcpListener;

/// A message the fake API accepted.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Recorded {
    /// Sequence number (for polling).
    pub seq: u64,
    /// Meta's id we handed out.
    pub wamid: String,
    /// Phone or BSUID it went to.
    pub to: String,
    /// The request body.
    pub body: Value,
    /// When (unix ms).
    pub at: i64,
}

#[derive(Default)]
struct Inner {
    messages: Vec<Recorded>,
    media: HashMap<String, (String, Vec<u8>)>,
    next: u64,
}

/// Shared state of the fake API.
#[derive(Clone)]
pub struct FakeGraph {
    inner: Arc<Mutex<Inner>>,
    /// Base URL including the version, e.g. `http://127.0.0.1:41234/v23.0`.
    pub api_base: String,
    /// Where to send status webhooks, and the secret to sign them with.
    webhook: Arc<Mutex<Option<(String, String, String)>>>,
}

impl FakeGraph {
    /// Starts the fake API on a free loopback port.
    pub async fn start() -> anyhow::Result<FakeGraph> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let fake = FakeGraph {
            inner: Arc::default(),
            api_base: format!("http://{addr}/v23.0"),
            webhook: Arc::default(),
        };
        let app = Router::new()
            .route("/v23.0/{phone}/messages", post(messages))
            .route("/v23.0/{id}", get(media_info))
            .route("/files/{id}", get(media_file))
            .with_state(fake.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "fake Graph API stopped");
            }
        });
        Ok(fake)
    }

    /// Where status webhooks go: (url, app secret, our phone number id).
    pub fn set_webhook(&self, url: String, secret: String, phone_number_id: String) {
        *self
            .webhook
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some((url, secret, phone_number_id));
    }

    /// Adds a media file; returns its id.
    pub fn add_media(&self, mime: &str, bytes: Vec<u8>) -> String {
        let mut g = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        g.next += 1;
        let id = format!("demo-media-{}", g.next);
        g.media.insert(id.clone(), (mime.to_owned(), bytes));
        id
    }

    /// Messages after `after`, optionally only to `to`.
    pub fn messages(&self, after: u64, to: Option<&str>) -> Vec<Recorded> {
        let g = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        g.messages
            .iter()
            .filter(|m| m.seq > after && to.is_none_or(|t| m.to == t))
            .cloned()
            .collect()
    }
}

async fn messages(
    State(fake): State<FakeGraph>,
    Path(_phone): Path<String>,
    body: Bytes,
) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, axum::Json(json!({"error": {"message": "Invalid JSON", "type": "OAuthException", "code": 100, "fbtrace_id": "demo"}}))).into_response();
    };
    if body.get("status").and_then(Value::as_str) == Some("read") {
        return axum::Json(json!({"success": true})).into_response();
    }
    let to = body
        .get("to")
        .or_else(|| body.get("recipient"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let (wamid, seq) = {
        let mut g = fake
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        g.next += 1;
        let seq = g.next;
        let wamid = format!("wamid.demo.{seq}");
        #[allow(clippy::disallowed_methods)] // The demo's fake Meta stamps like Meta: wall clock.
        let at = jiff::Timestamp::now().as_millisecond();
        g.messages.push(Recorded {
            seq,
            wamid: wamid.clone(),
            to: to.clone(),
            body: body.clone(),
            at,
        });
        if g.messages.len() > 10_000 {
            g.messages.drain(..1_000);
        }
        (wamid, seq)
    };
    let hook = fake
        .webhook
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    if let Some((url, secret, phone_id)) = hook {
        let wamid2 = wamid.clone();
        let to2 = to.clone();
        let callback = body.get("biz_opaque_callback_data").cloned();
        tokio::spawn(async move {
            for status in ["sent", "delivered", "read"] {
                tokio::time::sleep(std::time::Duration::from_millis(if status == "read" {
                    1500
                } else {
                    300
                }))
                .await;
                #[allow(clippy::disallowed_methods)]
                let ts = jiff::Timestamp::now().as_second().to_string();
                let mut st =
                    json!({"id": wamid2, "status": status, "timestamp": ts, "recipient_id": to2});
                if let (Some(obj), Some(cb)) = (st.as_object_mut(), &callback) {
                    obj.insert("biz_opaque_callback_data".into(), cb.clone());
                }
                let payload = json!({"object": "whatsapp_business_account", "entry": [{"id": "DEMO-WABA", "changes": [{"field": "messages", "value": {
                    "messaging_product": "whatsapp", "metadata": {"display_phone_number": "6281231177772", "phone_number_id": phone_id}, "statuses": [st]}}]}]});
                let raw = serde_json::to_vec(&payload).unwrap_or_default();
                let sig = wani_bares_whatsapp::signature::sign(secret.as_bytes(), &raw);
                let _ = reqwest::Client::new()
                    .post(&url)
                    .header("X-Hub-Signature-256", sig)
                    .header("content-type", "application/json")
                    .body(raw)
                    .send()
                    .await;
            }
        });
    }
    let _ = seq;
    axum::Json(json!({"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}], "messages": [{"id": wamid}]})).into_response()
}

async fn media_info(State(fake): State<FakeGraph>, Path(id): Path<String>) -> Response {
    use sha2::Digest;
    let g = fake
        .inner
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let Some((mime, bytes)) = g.media.get(&id) else {
        return (StatusCode::NOT_FOUND, axum::Json(json!({"error": {"message": "Unknown media", "type": "OAuthException", "code": 100, "fbtrace_id": "demo"}}))).into_response();
    };
    let base = fake.api_base.trim_end_matches("/v23.0");
    axum::Json(json!({
        "url": format!("{base}/files/{id}"), "mime_type": mime, "sha256": hex::encode(sha2::Sha256::digest(bytes)),
        "file_size": bytes.len(), "id": id, "messaging_product": "whatsapp"
    }))
    .into_response()
}

async fn media_file(State(fake): State<FakeGraph>, Path(id): Path<String>) -> Response {
    let g = fake
        .inner
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match g.media.get(&id) {
        Some((mime, bytes)) => {
            ([(header::CONTENT_TYPE, mime.clone())], bytes.clone()).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
