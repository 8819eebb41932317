//! Live updates: `GET /live`, a Server-Sent Events stream per logged-in page.
//!
//! The stream carries only refresh hints, `event: refresh` with `data: {"c": <complaint id
//! or null>}`, never content: the page then re-fetches its queue counts, its list or the
//! transcript through the normal, scoped routes. Even a hint is sent only when the user
//! may see the complaint: an agency user gets hints for complaints dispatched to its
//! agency and nothing about new conversations. The stream ends when the service shuts
//! down, when the session ends (checked at every event) and after an hour (the browser's
//! `EventSource` reconnects by itself).

use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::Stream;
use tokio::sync::broadcast::error::RecvError;

use super::session::{WebStaff, session_staff};
use crate::services::auth::Staff;
use crate::state::{AppState, LiveEvent};

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/live", get(live))
}

const MAX_STREAM: Duration = Duration::from_hours(1);

struct Feed {
    state: AppState,
    headers: HeaderMap,
    staff: Staff,
    rx: tokio::sync::broadcast::Receiver<LiveEvent>,
    until: tokio::time::Instant,
    greeted: bool,
}

/// Whether `staff` may hear about this event; the complaint id to name.
async fn audience(state: &AppState, staff: &Staff, event: &LiveEvent) -> Option<Option<i64>> {
    let complaint = match event {
        LiveEvent::Message { complaint_id, .. } => *complaint_id,
        LiveEvent::Complaint { complaint_id, .. } => Some(*complaint_id),
    };
    if staff.sees_all() {
        return Some(complaint);
    }
    let (agency, id) = (staff.agency_id?, complaint?);
    let mut r = state.store.reader().await.ok()?;
    wani_bares_store::dashboard::assigned_to(&mut r.conn(), id, agency)
        .await
        .ok()?
        .then_some(Some(id))
}

fn hint(complaint: Option<i64>) -> Event {
    let data = match complaint {
        Some(id) => format!("{{\"c\":{id}}}"),
        None => "{\"c\":null}".to_owned(),
    };
    Event::default().event("refresh").data(data)
}

fn stream(feed: Feed) -> impl Stream<Item = Result<Event, Infallible>> {
    futures::stream::unfold(feed, |mut feed| async move {
        if !feed.greeted {
            feed.greeted = true;
            let hello = Event::default()
                .event("hello")
                .data("{}")
                .retry(Duration::from_secs(5));
            return Some((Ok(hello), feed));
        }
        loop {
            let received = tokio::select! {
                () = feed.state.shutdown.cancelled() => return None,
                () = tokio::time::sleep_until(feed.until) => return None,
                r = feed.rx.recv() => r,
            };
            let event = match received {
                Ok(e) => e,
                // Missed some: tell the page to refresh everything it shows.
                Err(RecvError::Lagged(_)) => {
                    if feed.staff.sees_all() {
                        return Some((Ok(hint(None)), feed));
                    }
                    continue;
                }
                Err(RecvError::Closed) => return None,
            };
            // The session may have ended (logout, disabled account, password change).
            session_staff(&feed.headers, &feed.state).await?;
            if let Some(complaint) = audience(&feed.state, &feed.staff, &event).await {
                return Some((Ok(hint(complaint)), feed));
            }
        }
    })
}

async fn live(
    State(state): State<AppState>,
    WebStaff(staff): WebStaff,
    headers: HeaderMap,
) -> Response {
    let feed = Feed {
        rx: state.live.subscribe(),
        until: tokio::time::Instant::now() + MAX_STREAM,
        state,
        headers,
        staff,
        greeted: false,
    };
    Sse::new(stream(feed))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(20)))
        .into_response()
}
