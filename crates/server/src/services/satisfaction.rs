//! Closing the loop with the citizen (SP4N-LAPOR!-style): after the final answer the
//! citizen is asked whether the problem is solved and to rate the handling 1–5 (a list
//! message; typed digits work too; outside the 24-hour window an approved template with
//! quick replies). "Belum selesai" within the reopen period reopens the complaint with the
//! citizen's words as the reason; after it, the citizen is asked to send a new complaint,
//! which is linked to the old one. A rating may be followed by one comment. Questions
//! nobody answers expire ("selesai tanpa tanggapan") and never count as satisfied.
//!
//! The SKM (Survei Kepuasan Masyarakat) figure converts the average 1–5 rating to the
//! 25–100 scale: `25 + (avg − 1) × 18.75` (1 → 25, 5 → 100).

use serde::Serialize;
use wani_bares_domain::intake::Inbound;
use wani_bares_domain::lifecycle::{Action, Status};
use wani_bares_domain::texts::TextKey;
use wani_bares_store::citizens::Citizen;
use wani_bares_store::complaints::Complaint;
use wani_bares_store::{Conn, StoreError, complaints, messages, ratings};

use crate::channel::compose::{self, Outgoing, TemplateChoice};
use crate::channel::processor::AfterCommit;
use crate::services::workflow::{self, Who};
use crate::state::{AppState, LiveEvent};

/// How long after a rating one free text is taken as its comment.
const COMMENT_WINDOW_MS: i64 = 3600 * 1000;

/// What the citizen answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A score 1–5 (the problem is considered solved).
    Rate(i64),
    /// Not solved, with the citizen's words.
    Unresolved(String),
}

/// Reads an answer from a button, a list row or typed text.
pub fn parse_answer(input: &Inbound) -> Option<Answer> {
    match input {
        Inbound::Button { id, title } => match id.strip_prefix("rate:") {
            Some("unresolved") => Some(Answer::Unresolved(title.clone())),
            Some(n) => n
                .parse()
                .ok()
                .filter(|n| (1..=5).contains(n))
                .map(Answer::Rate),
            None => parse_text(title),
        },
        Inbound::Text(t) => parse_text(t),
        _ => None,
    }
}

fn parse_text(text: &str) -> Option<Answer> {
    let t = text.trim().trim_end_matches(['.', '!', ' ']).to_lowercase();
    if let Ok(n) = t.parse::<i64>()
        && (1..=5).contains(&n)
    {
        return Some(Answer::Rate(n));
    }
    let stars = t.chars().filter(|c| *c == '⭐').count();
    if stars > 0
        && t.chars()
            .all(|c| c == '⭐' || c.is_whitespace() || c == '\u{fe0f}')
    {
        return Some(Answer::Rate(stars.min(5) as i64));
    }
    if t.starts_with("belum selesai")
        || t.starts_with("belum beres")
        || t == "belum"
        || t.starts_with("tidak selesai")
    {
        return Some(Answer::Unresolved(text.trim().to_owned()));
    }
    None
}

fn looks_like_command(text: &str) -> bool {
    let first = text.split_whitespace().next().unwrap_or("").to_uppercase();
    matches!(
        first.as_str(),
        "STATUS"
            | "CEK"
            | "BARU"
            | "MENU"
            | "BANTUAN"
            | "BATAL"
            | "TANYA"
            | "ADUAN"
            | "YA"
            | "UBAH"
    ) || text.lines().filter(|l| l.contains(':')).count() >= 2
}

/// Asks the rating question for the closing that is happening now.
pub async fn ask(
    state: &AppState,
    c: &mut Conn<'_>,
    complaint: &Complaint,
    citizen: &Citizen,
    now: i64,
) -> Result<(), StoreError> {
    let closing_no = complaint.closing_count + 1;
    if !ratings::ask(c, complaint.id, closing_no, now).await? {
        return Ok(());
    }
    let texts = state.texts.snapshot();
    let body = texts.render(TextKey::RatingQuestion, &[("ticket", &complaint.ticket)]);
    let rows = vec![
        (
            "rate:5".to_owned(),
            "5 - Sangat puas".to_owned(),
            "Masalah selesai, sangat puas".to_owned(),
        ),
        (
            "rate:4".to_owned(),
            "4 - Puas".to_owned(),
            "Masalah selesai, puas".to_owned(),
        ),
        (
            "rate:3".to_owned(),
            "3 - Cukup".to_owned(),
            "Masalah selesai, cukup puas".to_owned(),
        ),
        (
            "rate:2".to_owned(),
            "2 - Kurang puas".to_owned(),
            "Masalah selesai, kurang puas".to_owned(),
        ),
        (
            "rate:1".to_owned(),
            "1 - Tidak puas".to_owned(),
            "Masalah selesai, tidak puas".to_owned(),
        ),
        (
            "rate:unresolved".to_owned(),
            "Belum selesai".to_owned(),
            "Masalah belum terselesaikan".to_owned(),
        ),
    ];
    let wa = &state.config.whatsapp;
    let template =
        (!state.config.workflow.rating_template_name.is_empty()).then(|| TemplateChoice {
            name: state.config.workflow.rating_template_name.clone(),
            language: wa.template_language.clone(),
            quick_replies: vec![
                "rate:5".into(),
                "rate:4".into(),
                "rate:3".into(),
                "rate:2".into(),
                "rate:1".into(),
                "rate:unresolved".into(),
            ],
        });
    compose::enqueue(
        c,
        &crate::inbound::to_citizen(citizen),
        &Outgoing::List {
            body,
            button: "Beri nilai".into(),
            rows,
        },
        &compose::Options {
            complaint_id: Some(complaint.id),
            ticket: Some(&complaint.ticket),
            dedupe_key: Some(format!("rating:{}:{closing_no}", complaint.id)),
            template,
            ..Default::default()
        },
        now,
    )
    .await?;
    Ok(())
}

async fn reply(
    state: &AppState,
    c: &mut Conn<'_>,
    citizen: &Citizen,
    complaint_id: i64,
    ticket: &str,
    text: String,
    now: i64,
) -> Result<(), StoreError> {
    let _ = state;
    compose::enqueue(
        c,
        &crate::inbound::to_citizen(citizen),
        &Outgoing::Text(text),
        &compose::Options {
            complaint_id: Some(complaint_id),
            ticket: Some(ticket),
            ..Default::default()
        },
        now,
    )
    .await?;
    Ok(())
}

/// Takes the citizen's message if it answers an open rating question (or comments on a
/// fresh rating). Returns true when the message was consumed.
pub async fn handle(
    state: &AppState,
    c: &mut Conn<'_>,
    citizen: &Citizen,
    message_id: i64,
    input: &Inbound,
    after: &mut AfterCommit,
) -> Result<bool, StoreError> {
    let Some(open) = ratings::latest_for_citizen(c, citizen.id, &["asked", "rated"]).await? else {
        return Ok(false);
    };
    let now = state.now_ms();
    let texts = state.texts.snapshot();
    let window_ms = i64::from(state.config.workflow.reopen_window_days) * 24 * 3600 * 1000;
    if open.stage == "rated" {
        let fresh = open
            .answered_at
            .is_some_and(|t| now - t < COMMENT_WINDOW_MS);
        if let Inbound::Text(t) = input
            && fresh
            && !looks_like_command(t)
            && parse_answer(input).is_none()
        {
            let comment: String = t.trim().chars().take(2000).collect();
            if ratings::answer(
                c,
                open.id,
                "rated",
                "commented",
                None,
                None,
                Some(&comment),
                now,
            )
            .await?
            {
                messages::set_complaint(c, message_id, open.complaint_id).await?;
                reply(
                    state,
                    c,
                    citizen,
                    open.complaint_id,
                    &open.ticket,
                    texts.render(TextKey::RatingCommentThanks, &[]),
                    now,
                )
                .await?;
                after.outbox = true;
                return Ok(true);
            }
        }
        return Ok(false);
    }
    let Some(answer) = parse_answer(input) else {
        return Ok(false);
    };
    let Some(complaint) = complaints::by_id(c, open.complaint_id).await? else {
        return Ok(false);
    };
    messages::set_complaint(c, message_id, complaint.id).await?;
    after.outbox = true;
    match answer {
        Answer::Rate(n) => {
            ratings::answer(c, open.id, "asked", "rated", Some(n), Some(true), None, now).await?;
            reply(
                state,
                c,
                citizen,
                complaint.id,
                &complaint.ticket,
                texts.render(
                    TextKey::RatingThanks,
                    &[("ticket", &complaint.ticket), ("rating", &n.to_string())],
                ),
                now,
            )
            .await?;
        }
        Answer::Unresolved(reason) => {
            let in_time = complaint.status == Status::Closed.as_str()
                && complaint.closed_at.is_some_and(|t| now - t <= window_ms);
            let reopened = if in_time {
                let action = Action::Reopen {
                    reason: if reason.trim().is_empty() {
                        "Pelapor menyatakan masalah belum selesai".into()
                    } else {
                        reason.clone()
                    },
                    received_at: state.clock.now(),
                };
                match workflow::act(state, c, &complaint, &Who::citizen(), &action).await {
                    Ok(_) => true,
                    Err(e) => {
                        tracing::info!(complaint_id = complaint.id, error = %e, "reopen refused");
                        false
                    }
                }
            } else {
                false
            };
            if reopened {
                ratings::answer(
                    c,
                    open.id,
                    "asked",
                    "unresolved",
                    None,
                    Some(false),
                    Some(&reason),
                    now,
                )
                .await?;
                after.live.push(LiveEvent::Complaint {
                    complaint_id: complaint.id,
                    status: "submitted".into(),
                });
            } else {
                ratings::answer(
                    c,
                    open.id,
                    "asked",
                    "unresolved_late",
                    None,
                    Some(false),
                    Some(&reason),
                    now,
                )
                .await?;
                let days = state.config.workflow.reopen_window_days.to_string();
                reply(
                    state,
                    c,
                    citizen,
                    complaint.id,
                    &complaint.ticket,
                    texts.render(
                        TextKey::RatingReopenLate,
                        &[("ticket", &complaint.ticket), ("days", &days)],
                    ),
                    now,
                )
                .await?;
            }
        }
    }
    Ok(true)
}

/// Satisfaction figures for one group (an agency, or everything).
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Satisfaction {
    /// Ratings given.
    pub respondents: i64,
    /// Average 1–5.
    pub average: Option<f64>,
    /// SKM index, 25–100.
    pub skm: Option<f64>,
    /// Citizens who said "belum selesai".
    pub unresolved: i64,
    /// Questions nobody answered ("selesai tanpa tanggapan").
    pub no_response: i64,
}

/// The SKM index for an average 1–5 rating.
pub fn skm(average: f64) -> f64 {
    25.0 + (average - 1.0) * 18.75
}

impl Satisfaction {
    /// Adds one rating row.
    pub fn add(&mut self, r: &ratings::Rating) {
        match r.stage.as_str() {
            "expired" => self.no_response += 1,
            "unresolved" | "unresolved_late" => self.unresolved += 1,
            _ => {}
        }
        if let Some(n) = r.rating {
            let total = self.average.unwrap_or(0.0) * self.respondents as f64 + n as f64;
            self.respondents += 1;
            let avg = total / self.respondents as f64;
            self.average = Some((avg * 100.0).round() / 100.0);
            self.skm = Some((skm(avg) * 100.0).round() / 100.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_from_buttons_digits_stars_and_words() {
        let b = |id: &str| Inbound::Button {
            id: id.into(),
            title: "x".into(),
        };
        assert_eq!(parse_answer(&b("rate:5")), Some(Answer::Rate(5)));
        assert_eq!(parse_answer(&b("rate:9")), None);
        assert!(matches!(
            parse_answer(&b("rate:unresolved")),
            Some(Answer::Unresolved(_))
        ));
        assert_eq!(
            parse_answer(&Inbound::Text(" 4. ".into())),
            Some(Answer::Rate(4))
        );
        assert_eq!(
            parse_answer(&Inbound::Text("⭐⭐⭐".into())),
            Some(Answer::Rate(3))
        );
        assert_eq!(parse_answer(&Inbound::Text("6".into())), None);
        assert_eq!(
            parse_answer(&Inbound::Text("Belum selesai, jalannya masih rusak".into())),
            Some(Answer::Unresolved(
                "Belum selesai, jalannya masih rusak".into()
            ))
        );
        assert_eq!(
            parse_answer(&Inbound::Text("jalan rusak lagi".into())),
            None
        );
    }

    #[test]
    fn skm_maps_one_to_twenty_five_and_five_to_a_hundred() {
        assert!((skm(1.0) - 25.0).abs() < 1e-9);
        assert!((skm(5.0) - 100.0).abs() < 1e-9);
        assert!((skm(3.0) - 62.5).abs() < 1e-9);
    }
}

/// Satisfaction of a month, overall and per agency (an agency counts the ratings of the
/// complaints it answered).
#[derive(Clone, Debug, Serialize)]
pub struct MonthStats {
    /// `YYYY-MM`.
    pub month: String,
    /// Everything.
    pub overall: Satisfaction,
    /// Per agency, by code.
    pub agencies: Vec<AgencyStats>,
}

/// One agency's figures.
#[derive(Clone, Debug, Serialize)]
pub struct AgencyStats {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Figures.
    #[serde(flatten)]
    pub satisfaction: Satisfaction,
}

/// Computes a month's satisfaction from the rating questions asked in it.
pub async fn month_stats(
    state: &AppState,
    month: &str,
) -> Result<MonthStats, crate::error::AppError> {
    let cal = state.calendar.read().await.clone();
    let (from, to) =
        crate::services::month_range(&cal, month).map_err(crate::error::AppError::Invalid)?;
    let mut r = state.store.reader().await?;
    let rows = ratings::asked_between(&mut r.conn(), from, to).await?;
    let mut overall = Satisfaction::default();
    let mut per: std::collections::BTreeMap<String, AgencyStats> =
        std::collections::BTreeMap::new();
    for row in &rows {
        overall.add(row);
        let mut answered: Vec<wani_bares_store::assignments::Assignment> =
            wani_bares_store::assignments::for_complaint(&mut r.conn(), row.complaint_id)
                .await?
                .into_iter()
                .filter(|a| a.state == "answered")
                .collect();
        answered.sort_by(|a, b| a.agency_code.cmp(&b.agency_code));
        answered.dedup_by(|a, b| a.agency_code == b.agency_code);
        for a in answered {
            per.entry(a.agency_code.clone())
                .or_insert_with(|| AgencyStats {
                    code: a.agency_code.clone(),
                    name: a.agency_name.clone(),
                    satisfaction: Satisfaction::default(),
                })
                .satisfaction
                .add(row);
        }
    }
    Ok(MonthStats {
        month: month.trim().to_owned(),
        overall,
        agencies: per.into_values().collect(),
    })
}
