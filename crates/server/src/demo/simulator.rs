//! The WhatsApp simulator (demo only; never mounted by `serve`): a chat page where a
//! person plays one or several citizens. What they type goes through the REAL signed
//! webhook (built in Meta's format, signed with the app secret, POSTed over HTTP to
//! `/webhooks/whatsapp`); what the bot answers comes back through the real outbox and the
//! fake Graph API. A side panel shows the WhatsApp notifications officials would get.

use std::sync::{Arc, Mutex};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::fake_graph::FakeGraph;
use crate::error::AppError;
use crate::http::api::ApiJson;

/// The sample KTP photo (a specimen, see demo/README.md).
pub const SAMPLE_KTP: &[u8] = include_bytes!("../../demo/contoh-ktp.jpg");

/// What the simulator needs.
#[derive(Clone)]
pub struct Sim {
    /// The fake Graph API.
    pub graph: FakeGraph,
    /// Our webhook URL.
    pub webhook_url: String,
    /// The app secret to sign with.
    pub app_secret: String,
    /// Our phone number id.
    pub phone_number_id: String,
    /// Officials' numbers (name, role, number).
    pub officials: Arc<Vec<(String, String, String)>>,
    sent: Arc<Mutex<Vec<Value>>>,
    http: reqwest::Client,
}

impl Sim {
    /// A simulator posting to `webhook_url`.
    pub fn new(
        graph: FakeGraph,
        webhook_url: String,
        app_secret: String,
        phone_number_id: String,
        officials: Vec<(String, String, String)>,
    ) -> Sim {
        Sim {
            graph,
            webhook_url,
            app_secret,
            phone_number_id,
            officials: Arc::new(officials),
            sent: Arc::default(),
            http: reqwest::Client::new(),
        }
    }

    fn next_id() -> String {
        format!("wamid.sim.{}", hex::encode(rand::random::<[u8; 8]>()))
    }

    /// Posts one citizen message through the signed webhook; returns the HTTP status.
    async fn deliver(
        &self,
        from: &str,
        name: &str,
        message: Value,
        shown: Value,
    ) -> Result<u16, AppError> {
        #[allow(clippy::disallowed_methods)]
        // The simulated phone stamps like WhatsApp: wall clock.
        let now = jiff::Timestamp::now();
        let mut msg =
            json!({"from": from, "id": Self::next_id(), "timestamp": now.as_second().to_string()});
        if let (Some(obj), Some(extra)) = (msg.as_object_mut(), message.as_object()) {
            for (k, v) in extra {
                obj.insert(k.clone(), v.clone());
            }
        }
        let body = json!({"object": "whatsapp_business_account", "entry": [{"id": "DEMO-WABA", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "6281231177772", "phone_number_id": self.phone_number_id},
            "contacts": [{"profile": {"name": name}, "wa_id": from}],
            "messages": [msg]
        }}]}]});
        let raw = serde_json::to_vec(&body).map_err(|e| AppError::Internal(e.into()))?;
        let sig = wani_bares_whatsapp::signature::sign(self.app_secret.as_bytes(), &raw);
        let resp = self
            .http
            .post(&self.webhook_url)
            .header("X-Hub-Signature-256", sig)
            .header("content-type", "application/json")
            .body(raw)
            .send()
            .await
            .map_err(|e| AppError::Unavailable(format!("webhook: {e}")))?;
        let status = resp.status().as_u16();
        let mut log = self
            .sent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let seq = log.len() as u64 + 1;
        let mut entry =
            json!({"seq": seq, "from": from, "at": now.as_millisecond(), "webhook_status": status});
        if let (Some(obj), Some(extra)) = (entry.as_object_mut(), shown.as_object()) {
            for (k, v) in extra {
                obj.insert(k.clone(), v.clone());
            }
        }
        log.push(entry);
        Ok(status)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "simulator.html")]
struct Page {
    officials: Vec<(String, String, String)>,
}

/// Routes.
pub fn router(sim: Sim) -> Router {
    Router::new()
        .route("/simulator", get(page))
        .route("/simulator/assets/simulator.js", get(js))
        .route("/simulator/assets/simulator.css", get(css))
        .route("/simulator/assets/contoh-ktp.jpg", get(ktp))
        .route("/simulator/api/send", post(send))
        .route("/simulator/api/photo", post(photo))
        .route("/simulator/api/tap", post(tap))
        .route("/simulator/api/messages", get(messages))
        .route("/simulator/api/officials", get(officials))
        .with_state(sim)
}

async fn page(State(sim): State<Sim>) -> Page {
    Page {
        officials: sim.officials.as_ref().clone(),
    }
}

async fn js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../../templates/simulator.js"),
    )
        .into_response()
}

async fn css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../../templates/simulator.css"),
    )
        .into_response()
}

async fn ktp() -> Response {
    ([(header::CONTENT_TYPE, "image/jpeg")], SAMPLE_KTP).into_response()
}

fn check_from(from: &str) -> Result<String, AppError> {
    wani_bares_domain::phone::PhoneNumber::parse(from)
        .map(|p| p.as_str().to_owned())
        .map_err(|e| AppError::Invalid(format!("nomor: {e}")))
}

#[derive(Deserialize)]
struct SendBody {
    from: String,
    #[serde(default)]
    name: String,
    text: String,
}

async fn send(
    State(sim): State<Sim>,
    ApiJson(b): ApiJson<SendBody>,
) -> Result<Json<Value>, AppError> {
    let from = check_from(&b.from)?;
    if b.text.trim().is_empty() {
        return Err(AppError::Invalid("pesan kosong".into()));
    }
    let status = sim
        .deliver(
            &from,
            &b.name,
            json!({"type": "text", "text": {"body": b.text}}),
            json!({"type": "text", "text": b.text}),
        )
        .await?;
    Ok(Json(json!({"webhook_status": status})))
}

#[derive(Deserialize)]
struct PhotoBody {
    from: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    caption: Option<String>,
}

async fn photo(
    State(sim): State<Sim>,
    ApiJson(b): ApiJson<PhotoBody>,
) -> Result<Json<Value>, AppError> {
    use sha2::Digest;
    let from = check_from(&b.from)?;
    let id = sim.graph.add_media("image/jpeg", SAMPLE_KTP.to_vec());
    let mut image = json!({"id": id, "mime_type": "image/jpeg", "sha256": hex::encode(sha2::Sha256::digest(SAMPLE_KTP))});
    if let (Some(c), Some(obj)) = (
        b.caption.as_ref().filter(|c| !c.trim().is_empty()),
        image.as_object_mut(),
    ) {
        obj.insert("caption".into(), json!(c));
    }
    let status = sim
        .deliver(
            &from,
            &b.name,
            json!({"type": "image", "image": image}),
            json!({"type": "image", "text": b.caption.unwrap_or_default()}),
        )
        .await?;
    Ok(Json(json!({"webhook_status": status})))
}

#[derive(Deserialize)]
struct TapBody {
    from: String,
    #[serde(default)]
    name: String,
    id: String,
    title: String,
    #[serde(default)]
    list: bool,
}

async fn tap(
    State(sim): State<Sim>,
    ApiJson(b): ApiJson<TapBody>,
) -> Result<Json<Value>, AppError> {
    let from = check_from(&b.from)?;
    let interactive = if b.list {
        json!({"type": "list_reply", "list_reply": {"id": b.id, "title": b.title}})
    } else {
        json!({"type": "button_reply", "button_reply": {"id": b.id, "title": b.title}})
    };
    let status = sim
        .deliver(
            &from,
            &b.name,
            json!({"type": "interactive", "interactive": interactive}),
            json!({"type": "tap", "text": b.title}),
        )
        .await?;
    Ok(Json(json!({"webhook_status": status})))
}

async fn messages(
    State(sim): State<Sim>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Result<Json<Value>, AppError> {
    let phone = check_from(q.get("phone").map_or("", String::as_str))?;
    let after_out: u64 = q.get("after_out").and_then(|a| a.parse().ok()).unwrap_or(0);
    let after_in: u64 = q.get("after_in").and_then(|a| a.parse().ok()).unwrap_or(0);
    let outbound = sim.graph.messages(after_out, Some(&phone));
    let inbound: Vec<Value> = sim
        .sent
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .iter()
        .filter(|m| m["from"] == phone && m["seq"].as_u64().unwrap_or(0) > after_in)
        .cloned()
        .collect();
    Ok(Json(json!({"outbound": outbound, "inbound": inbound})))
}

async fn officials(
    State(sim): State<Sim>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Json<Value> {
    let after: u64 = q.get("after").and_then(|a| a.parse().ok()).unwrap_or(0);
    let numbers: Vec<&str> = sim.officials.iter().map(|(_, _, n)| n.as_str()).collect();
    let list: Vec<Value> = sim
        .graph
        .messages(after, None)
        .into_iter()
        .filter(|m| numbers.contains(&m.to.as_str()))
        .map(|m| {
            let who = sim
                .officials
                .iter()
                .find(|(_, _, n)| *n == m.to)
                .map(|(name, role, _)| format!("{name} ({role})"))
                .unwrap_or_default();
            json!({"seq": m.seq, "to": who, "body": m.body, "at": m.at})
        })
        .collect();
    Json(json!(list))
}
