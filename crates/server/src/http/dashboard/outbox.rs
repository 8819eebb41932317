//! The outbox page (admins): messages that failed for good (`dead`), whose fate is unknown
//! (`unknown`), that are held (the access token expired: Graph API error 190) or still
//! waiting, with the reason and a retry button; the open alerts on top.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use wani_bares_store::{notifications, outbox};

use super::session::{Posted, WebStaff};
use super::{Chrome, PageError, fmt_time, page, see_other};
use crate::services::admin as svc;
use crate::state::AppState;

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/outbox", get(show))
        .route("/outbox/{id}/ulang", post(retry))
        .route("/outbox/lepas-ditahan", post(release))
}

/// One row.
#[derive(Clone, Debug)]
pub struct OutView {
    /// Row id.
    pub id: i64,
    /// State.
    pub state: String,
    /// State label.
    pub state_label: &'static str,
    /// To whom (masked).
    pub to: String,
    /// Kind.
    pub kind: String,
    /// Attempts.
    pub attempts: i64,
    /// Reason.
    pub error: Option<String>,
    /// Queued.
    pub created: String,
    /// Next attempt.
    pub next_attempt: String,
    /// Complaint ticket.
    pub ticket: Option<String>,
    /// Can be retried.
    pub retryable: bool,
}

#[derive(Template)]
#[template(path = "outbox.html")]
struct OutboxPage {
    chrome: Chrome,
    counts: Vec<(&'static str, i64)>,
    alerts: Vec<(String, String)>,
    rows: Vec<OutView>,
    notice: Option<String>,
    held: i64,
}

fn state_label(s: &str) -> &'static str {
    match s {
        "dead" => "Gagal",
        "unknown" => "Tidak pasti",
        "held" => "Ditahan",
        "pending" => "Menunggu",
        "sending" => "Sedang dikirim",
        "sent" => "Terkirim",
        _ => "—",
    }
}

async fn show(
    State(state): State<AppState>,
    WebStaff(staff): WebStaff,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Result<Response, PageError> {
    svc::require_admin(&staff)?;
    let cal = state.calendar.read().await.clone();
    let mut r = state.store.reader().await?;
    let states = ["dead", "unknown", "held", "pending"];
    let mut counts = Vec::new();
    for s in states {
        counts.push((
            state_label(s),
            wani_bares_store::dashboard::outbox_count_in_state(&mut r.conn(), s).await?,
        ));
    }
    let held = counts.get(2).map_or(0, |c| c.1);
    let items = outbox::in_states(&mut r.conn(), &states, 200).await?;
    let ids: Vec<i64> = {
        let mut v: Vec<i64> = items.iter().filter_map(|i| i.complaint_id).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let tickets: std::collections::HashMap<i64, String> =
        wani_bares_store::dashboard::tickets_of(&mut r.conn(), &ids)
            .await?
            .into_iter()
            .collect();
    let alerts = notifications::open_alerts(&mut r.conn())
        .await?
        .into_iter()
        .map(|a| (a.message, fmt_time(&cal, a.created_at)))
        .collect();
    drop(r);
    let rows = items
        .into_iter()
        .map(|o| OutView {
            id: o.id,
            state_label: state_label(&o.state),
            retryable: matches!(o.state.as_str(), "dead" | "unknown" | "held"),
            to: match (o.user_id, o.to_phone.as_deref()) {
                (Some(_), _) => "Petugas".to_owned(),
                (None, Some(p)) => wani_bares_domain::phone::PhoneNumber::parse(p)
                    .map_or_else(|_| "—".to_owned(), |p| p.masked()),
                (None, None) => "Pelapor (BSUID)".to_owned(),
            },
            kind: o.kind,
            attempts: o.attempts,
            error: match (o.last_error_code, o.last_error) {
                (Some(code), Some(e)) => Some(format!("[{code}] {e}")),
                (None, Some(e)) => Some(e),
                (Some(code), None) => Some(format!("kode {code}")),
                (None, None) => None,
            },
            created: fmt_time(&cal, o.created_at),
            next_attempt: fmt_time(&cal, o.next_attempt_at),
            ticket: o.complaint_id.and_then(|id| tickets.get(&id).cloned()),
            state: o.state,
        })
        .collect();
    let notice = match q.get("ok").map(String::as_str) {
        Some("ulang") => Some("Pesan dimasukkan kembali ke antrean kirim.".to_owned()),
        Some(n) => n
            .strip_prefix("lepas-")
            .and_then(|n| n.parse::<u64>().ok())
            .map(|n| format!("{n} pesan yang ditahan dikirim ulang.")),
        _ => None,
    };
    let chrome = Chrome::build(&state, &staff, "outbox", None).await?;
    Ok(page(&OutboxPage {
        chrome,
        counts,
        alerts,
        rows,
        notice,
        held,
    }))
}

async fn retry(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted,
) -> Result<Response, PageError> {
    svc::retry_outbox(&state, &posted.staff, id).await?;
    Ok(see_other("/outbox?ok=ulang"))
}

async fn release(State(state): State<AppState>, posted: Posted) -> Result<Response, PageError> {
    let n = svc::release_held(&state, &posted.staff).await?;
    Ok(see_other(&format!("/outbox?ok=lepas-{n}")))
}
