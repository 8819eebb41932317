//! A fast fake Graph API for the benchmark: answers every send with a new message id and
//! records, per recipient, when the first message arrived and how many greetings (first
//! replies) it got.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use serde_json::{Value, json};

/// What one recipient received.
#[derive(Clone, Debug, Default)]
pub struct Received {
    /// When the first message arrived.
    pub first_at: Option<Instant>,
    /// Greetings received.
    pub greetings: u32,
    /// All messages.
    pub messages: u32,
}

/// The fake's record.
#[derive(Clone, Default)]
pub struct Record {
    inner: Arc<Mutex<(u64, HashMap<String, Received>)>>,
}

impl Record {
    /// A snapshot.
    pub fn snapshot(&self) -> HashMap<String, Received> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .1
            .clone()
    }

    /// How many recipients got at least one greeting.
    pub fn greeted(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .1
            .values()
            .filter(|r| r.greetings > 0)
            .count()
    }
}

/// The greeting's opening words (every first reply starts with the same sentence).
pub const GREETING: &str = "terima kasih telah menghubungi";

async fn messages(State(rec): State<Record>, body: Bytes) -> axum::Json<Value> {
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if v.get("status").and_then(Value::as_str) == Some("read") {
        return axum::Json(json!({"success": true}));
    }
    let to = v
        .get("to")
        .or_else(|| v.get("recipient"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let text = v
        .pointer("/text/body")
        .or_else(|| v.pointer("/interactive/body/text"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let greeting = text.contains(GREETING);
    let mut g = rec
        .inner
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    g.0 += 1;
    let n = g.0;
    let entry = g.1.entry(to.clone()).or_default();
    entry.first_at.get_or_insert_with(Instant::now);
    entry.messages += 1;
    if greeting {
        entry.greetings += 1;
    }
    axum::Json(
        json!({"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}], "messages": [{"id": format!("wamid.bench.{n}")}]}),
    )
}

/// Starts the fake on a free port; returns (API base with version, record).
pub async fn start() -> anyhow::Result<(String, Record)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let record = Record::default();
    let app = Router::new()
        .route("/v23.0/{phone}/messages", post(messages))
        .with_state(record.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((format!("http://{addr}/v23.0"), record))
}
