//! Satisfaction figures: the month's SKM (Survei Kepuasan Masyarakat) index and average
//! rating, overall and per agency, and the citizens' latest comments for admins. An
//! agency user sees the overall figures and its own agency's row only.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use wani_bares_domain::role::Role;

use super::session::WebStaff;
use super::{Chrome, PageError, fmt_time, page};
use crate::error::AppError;
use crate::services::satisfaction::{self, Satisfaction};
use crate::state::AppState;

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/statistik", get(show))
}

/// Figures of one group, formatted.
#[derive(Clone, Debug)]
pub struct Figures {
    /// Code (agencies) or "".
    pub code: String,
    /// Name.
    pub name: String,
    /// Ratings given.
    pub respondents: i64,
    /// Average, "4,25".
    pub average: String,
    /// SKM, "81,25".
    pub skm: String,
    /// SKM quality band (PermenPANRB 14/2017): A–D.
    pub band: &'static str,
    /// "Belum selesai" answers.
    pub unresolved: i64,
    /// No answer to the survey.
    pub no_response: i64,
}

fn decimal(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), |x| format!("{x:.2}").replace('.', ","))
}

/// The SKM quality band of PermenPANRB 14/2017 (converted index 25–100).
fn band(skm: Option<f64>) -> &'static str {
    match skm {
        Some(x) if x >= 88.31 => "A (Sangat baik)",
        Some(x) if x >= 76.61 => "B (Baik)",
        Some(x) if x >= 65.0 => "C (Kurang baik)",
        Some(_) => "D (Tidak baik)",
        None => "—",
    }
}

fn figures(code: &str, name: &str, s: &Satisfaction) -> Figures {
    Figures {
        code: code.to_owned(),
        name: name.to_owned(),
        respondents: s.respondents,
        average: decimal(s.average),
        skm: decimal(s.skm),
        band: band(s.skm),
        unresolved: s.unresolved,
        no_response: s.no_response,
    }
}

/// A comment.
#[derive(Clone, Debug)]
pub struct CommentView {
    /// Ticket.
    pub ticket: String,
    /// Rating.
    pub rating: Option<i64>,
    /// Text.
    pub comment: String,
    /// When.
    pub at: String,
}

#[derive(Template)]
#[template(path = "stats.html")]
struct StatsPage {
    chrome: Chrome,
    month: String,
    overall: Figures,
    agencies: Vec<Figures>,
    comments: Vec<CommentView>,
    show_comments: bool,
    error: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    WebStaff(staff): WebStaff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let cal = state.calendar.read().await.clone();
    let local = cal.local(state.clock.now());
    let this_month = format!("{:04}-{:02}", local.year(), local.month());
    let month = q
        .get("bulan")
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty())
        .unwrap_or(this_month);
    let (month_figures, error) = match satisfaction::month_stats(&state, &month).await {
        Ok(s) => (Some(s), None),
        Err(e @ AppError::Invalid(_)) => (None, Some(super::friendly(&e))),
        Err(e) => return Err(e.into()),
    };
    let overall = month_figures.as_ref().map_or_else(
        || figures("", "Semua aduan", &Satisfaction::default()),
        |s| figures("", "Semua aduan", &s.overall),
    );
    let agencies = month_figures
        .map(|s| {
            s.agencies
                .into_iter()
                .filter(|a| {
                    staff.sees_all()
                        || staff
                            .agency_code
                            .as_ref()
                            .is_some_and(|c| c.as_str() == a.code)
                })
                .map(|a| figures(&a.code, &a.name, &a.satisfaction))
                .collect()
        })
        .unwrap_or_default();
    let show_comments = matches!(staff.role, Role::Admin | Role::Superadmin);
    let comments = if show_comments {
        let mut r = state.store.reader().await?;
        wani_bares_store::ratings::comments(&mut r.conn(), 30)
            .await?
            .into_iter()
            .map(|c| CommentView {
                ticket: c.ticket,
                rating: c.rating,
                comment: c.comment.unwrap_or_default(),
                at: c.answered_at.map(|t| fmt_time(&cal, t)).unwrap_or_default(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let chrome = Chrome::build(&state, &staff, "stats", None).await?;
    Ok(page(&StatsPage {
        chrome,
        month,
        overall,
        agencies,
        comments,
        show_comments,
        error,
    }))
}
