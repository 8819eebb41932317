//! Reading and acting on complaints for staff, with the access rules in one place:
//! - an `opd` user sees only complaints dispatched to its agency; anything else is "not
//!   found" (never "forbidden"), so a denied request does not reveal that a complaint
//!   exists;
//! - the complainant's identity (name, NIK, address, phone) and the KTP photo are shown
//!   to Kominfo staff only on request with a reason, and every such view is audited;
//!   agencies never see them (PermenPANRB: the complainant stays confidential), unless
//!   the office turns `security.opd_sees_identity` on;
//! - a `viewer` reads, never acts.

use serde::Serialize;
use serde_json::Value;
use wani_bares_domain::lifecycle::{self, Action, Status, TransitionError};
use wani_bares_domain::role::Role;
use wani_bares_domain::sla::{self as dsla, Badge, Layer, RequestKind, Step};
use wani_bares_store::complaints::{Complaint, ListFilter, ListItem};
use wani_bares_store::{
    agencies, assignments, attachments, audit, citizens, complaints, messages, ratings, sla,
};

use crate::error::AppError;
use crate::services::auth::Staff;
use crate::services::workflow::{self, WorkflowError};
use crate::state::{AppState, LiveEvent};

/// Finds a complaint this staff member may see, or 404.
pub async fn visible(state: &AppState, staff: &Staff, ticket: &str) -> Result<Complaint, AppError> {
    let mut r = state.store.reader().await?;
    let complaint = complaints::by_ticket(&mut r.conn(), ticket.trim())
        .await?
        .ok_or(AppError::NotFound)?;
    if staff.sees_all() {
        return Ok(complaint);
    }
    let Some(agency) = staff.agency_id else {
        return Err(AppError::NotFound);
    };
    let assigned = assignments::for_complaint(&mut r.conn(), complaint.id)
        .await?
        .iter()
        .any(|a| a.agency_id == agency);
    if assigned {
        Ok(complaint)
    } else {
        Err(AppError::NotFound)
    }
}

/// Applies the visibility rule of a staff member to a list filter.
pub fn scope(staff: &Staff, filter: &mut ListFilter) {
    if !staff.sees_all() {
        filter.visible_to_agency = Some(staff.agency_id.unwrap_or(-1));
    }
}

/// One line of the transcript as shown.
#[derive(Clone, Debug, Serialize)]
pub struct TranscriptLine {
    /// Row id.
    pub id: i64,
    /// `in` (citizen) or `out` (bot or staff).
    pub direction: String,
    /// Message type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Readable text (identity numbers masked for agencies).
    pub text: String,
    /// When (unix ms).
    pub at: i64,
    /// Delivery state of outbound messages.
    pub delivery: Option<String>,
    /// Delivery error.
    pub delivery_error: Option<String>,
    /// Attachments of this message.
    pub attachment_ids: Vec<i64>,
}

/// Attachment metadata.
#[derive(Clone, Debug, Serialize)]
pub struct AttachmentInfo {
    /// Id (for download).
    pub id: i64,
    /// `ktp` or `evidence`.
    pub role: String,
    /// Kind.
    pub kind: String,
    /// MIME type.
    pub mime_type: Option<String>,
    /// Size.
    pub size_bytes: Option<i64>,
    /// `pending`, `stored`, `failed`, `purged`.
    pub state: String,
    /// File name.
    pub filename: Option<String>,
    /// Caption.
    pub caption: Option<String>,
    /// Location etc.
    pub meta: Option<Value>,
    /// Download error.
    pub last_error: Option<String>,
}

/// An assignment as shown.
#[derive(Clone, Debug, Serialize)]
pub struct AssignmentInfo {
    /// Agency code.
    pub opd: String,
    /// Agency name.
    pub name: String,
    /// `pending`, `answered`, `declined`.
    pub state: String,
    /// Dispatch note.
    pub note: Option<String>,
    /// Answer.
    pub answer: Option<String>,
    /// Follow-up.
    pub follow_up: Option<String>,
    /// Decline reason.
    pub decline_reason: Option<String>,
    /// Dispatched.
    pub dispatched_at: i64,
    /// Answered or declined.
    pub answered_at: Option<i64>,
    /// Round (reopenings start a new one).
    pub round: i64,
}

/// A history entry (the audit trail of the complaint).
#[derive(Clone, Debug, Serialize)]
pub struct HistoryEntry {
    /// When.
    pub at: i64,
    /// Who (`user:…`, `citizen`, `system`).
    pub actor: String,
    /// What.
    pub action: String,
    /// Status before.
    pub before: Option<String>,
    /// Status after.
    pub after: Option<String>,
    /// Details.
    pub detail: Option<String>,
}

/// The current deadline.
#[derive(Clone, Debug, Serialize)]
pub struct Deadline {
    /// Step name.
    pub step: String,
    /// Step label.
    pub step_label: String,
    /// Holder.
    pub holder: String,
    /// Started.
    pub started_at: i64,
    /// Due on the SOP clock.
    pub due_at: i64,
    /// Due on the national clock.
    pub national_due_at: Option<i64>,
    /// `on_time`, `due_soon` or `late`.
    pub badge: String,
    /// Badge label.
    pub badge_label: String,
}

/// A step record as shown (per complaint and step: start, due, done, outcome).
#[derive(Clone, Debug, Serialize)]
pub struct StepInfo {
    /// Step.
    pub step: String,
    /// Holder.
    pub holder: String,
    /// Started.
    pub started_at: i64,
    /// Due.
    pub due_at: i64,
    /// Done.
    pub done_at: Option<i64>,
    /// `met` / `breached`.
    pub outcome: Option<String>,
    /// Minutes taken.
    pub minutes_taken: Option<i64>,
}

/// The complainant as a staff member may see them.
#[derive(Clone, Debug, Serialize)]
pub struct Identity {
    /// Shown in full (after an audited request) or masked.
    pub revealed: bool,
    /// Hidden from agencies entirely.
    pub confidential: bool,
    /// Name.
    pub nama: Option<String>,
    /// NIK (masked unless revealed).
    pub nik: Option<String>,
    /// Address.
    pub alamat: Option<String>,
    /// Phone (masked unless revealed).
    pub phone: Option<String>,
    /// NIK valid but not from Magetan.
    pub nik_outside_magetan: bool,
    /// The KTP photo attachment (shown only when revealed).
    pub ktp_attachment_id: Option<i64>,
}

/// Everything about one complaint for the API and the dashboard.
#[derive(Clone, Debug, Serialize)]
pub struct Detail {
    /// Tracking number.
    pub ticket: String,
    /// Status.
    pub status: String,
    /// Status label for staff.
    pub status_label: String,
    /// `aduan` / `pertanyaan`.
    pub kind: String,
    /// Channel.
    pub channel: String,
    /// Created.
    pub created_at: i64,
    /// Status since.
    pub status_at: i64,
    /// Category.
    pub category: Option<String>,
    /// Category id.
    pub category_id: Option<i64>,
    /// Kecamatan.
    pub district: Option<String>,
    /// District code.
    pub district_code: Option<String>,
    /// Summary.
    pub summary: String,
    /// Full text.
    pub text: String,
    /// The complainant.
    pub identity: Identity,
    /// Transcript.
    pub transcript: Vec<TranscriptLine>,
    /// Attachments.
    pub attachments: Vec<AttachmentInfo>,
    /// Assignments (all rounds).
    pub assignments: Vec<AssignmentInfo>,
    /// Codes of the agencies (current round, not declined).
    pub opds: Vec<String>,
    /// The audit trail.
    pub history: Vec<HistoryEntry>,
    /// Current deadline(s).
    pub deadlines: Vec<Deadline>,
    /// The first current deadline (shortcut).
    pub deadline: Option<Deadline>,
    /// All step records.
    pub steps: Vec<StepInfo>,
    /// What this user may do now.
    pub allowed_actions: Vec<String>,
    /// The reply sent to the citizen.
    pub reply_text: Option<String>,
    /// The default reply composed from the answers (for `send_reply`).
    pub composed_reply: Option<String>,
    /// Ratings.
    pub ratings: Vec<ratings::Rating>,
    /// Times reopened.
    pub reopened_count: i64,
    /// Related earlier complaint.
    pub related_ticket: Option<String>,
    /// Internal notes.
    pub notes: Vec<Note>,
}

/// An internal note.
#[derive(Clone, Debug, Serialize)]
pub struct Note {
    /// Author.
    pub author: String,
    /// Text.
    pub text: String,
    /// When.
    pub at: i64,
}

/// Identity numbers in free text are masked unless the identity was revealed (audited)
/// to a member of staff allowed to see it.
fn mask_unless(revealed: bool, text: &str) -> String {
    if revealed {
        text.to_owned()
    } else {
        crate::inbound::mask_identity_numbers(text)
    }
}

fn line_text(v: &Value) -> String {
    let get = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    match v.get("type").and_then(Value::as_str).unwrap_or("") {
        "text" | "interactive" | "button" | "system" | "reaction" => {
            get("text").unwrap_or_default()
        }
        "buttons" => {
            let buttons: Vec<String> = v
                .get("buttons")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|b| b.as_str().map(|s| format!("[{s}]")))
                        .collect()
                })
                .unwrap_or_default();
            format!("{}\n{}", get("text").unwrap_or_default(), buttons.join(" "))
        }
        "list" => {
            let rows: Vec<String> = v
                .get("rows")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|b| b.as_str().map(|s| format!("• {s}")))
                        .collect()
                })
                .unwrap_or_default();
            format!("{}\n{}", get("text").unwrap_or_default(), rows.join("\n"))
        }
        "image" | "video" | "audio" | "document" => get("caption")
            .or_else(|| get("filename"))
            .unwrap_or_default(),
        "location" => format!(
            "📍 {} {}",
            v.get("latitude").map(Value::to_string).unwrap_or_default(),
            v.get("longitude").map(Value::to_string).unwrap_or_default()
        ),
        "edit" => v
            .get("edited")
            .map(line_text)
            .map(|t| format!("(diedit) {t}"))
            .unwrap_or_default(),
        "unsupported" | "unknown" => "(jenis pesan tidak didukung)".into(),
        _ => String::new(),
    }
}

fn status_label(status: &str) -> String {
    Status::parse(status).map_or_else(|_| status.to_owned(), |s| s.staff_label_id().to_owned())
}

/// Builds the detail of a complaint this staff member may see.
pub async fn detail(
    state: &AppState,
    staff: &Staff,
    complaint: &Complaint,
    revealed: bool,
) -> Result<Detail, AppError> {
    let opd_sees_identity = state.config.security.opd_sees_identity;
    let revealed = revealed && (staff.sees_all() || opd_sees_identity);
    let mut r = state.store.reader().await?;
    let c = &mut r.conn();
    let msgs = messages::for_complaint(c, complaint.id).await?;
    let atts = attachments::for_complaint(c, complaint.id).await?;
    // The WhatsApp conversation carries the complainant's name, NIK and address (the
    // intake questions and the bot's summary), so agencies do not see it unless the office
    // lets them see identities: they get the complaint text and the evidence.
    let transcript_hidden = !staff.sees_all() && !state.config.security.opd_sees_identity;
    let mut transcript = Vec::new();
    for m in msgs {
        if transcript_hidden {
            break;
        }
        if m.direction == "out" && m.user_id.is_some() {
            continue; // notifications to officials are not part of the citizen's conversation
        }
        if m.delivery.as_deref() == Some("duplicate") {
            continue;
        }
        let v: Value = serde_json::from_str(&m.body_json).unwrap_or(Value::Null);
        transcript.push(TranscriptLine {
            id: m.id,
            direction: m.direction,
            kind: v
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or(&m.kind)
                .to_owned(),
            text: mask_unless(revealed, &line_text(&v)),
            at: m.created_at,
            delivery: m.delivery,
            delivery_error: m.delivery_error,
            attachment_ids: atts
                .iter()
                .filter(|a| a.message_id == Some(m.id) && (staff.sees_all() || a.role != "ktp"))
                .map(|a| a.id)
                .collect(),
        });
    }
    let show_ktp = revealed;
    let attachments: Vec<AttachmentInfo> = atts
        .iter()
        .filter(|a| a.role != "discarded")
        .filter(|a| a.role != "ktp" || show_ktp)
        .map(|a| AttachmentInfo {
            id: a.id,
            role: a.role.clone(),
            kind: a.kind.clone(),
            mime_type: a.mime_type.clone(),
            size_bytes: a.size_bytes,
            state: a.state.clone(),
            filename: a.filename.clone(),
            caption: a.caption.clone(),
            meta: a.meta.as_deref().and_then(|m| serde_json::from_str(m).ok()),
            last_error: a.last_error.clone(),
        })
        .collect();
    let all_assignments = assignments::for_complaint(c, complaint.id).await?;
    let (case, round) = workflow::load_case(c, complaint)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let opds: Vec<String> = round
        .iter()
        .filter(|a| a.state != "declined")
        .map(|a| a.agency_code.clone())
        .collect();
    let history = audit::for_complaint(c, complaint.id)
        .await?
        .into_iter()
        .map(|e| HistoryEntry {
            at: e.at,
            actor: e.actor,
            action: e.action,
            before: e.before,
            after: e.after,
            detail: if staff.sees_all() { e.detail } else { None },
        })
        .collect();
    let records = sla::for_complaint(c, complaint.id).await?;
    let targets = state.targets.read().await.clone();
    let cal = state.calendar.read().await.clone();
    let now = state.clock.now();
    let kind = if complaint.kind == "pertanyaan" {
        RequestKind::Question
    } else {
        RequestKind::Complaint
    };
    let deadlines: Vec<Deadline> = records
        .iter()
        .filter(|s| s.done_at.is_none())
        .filter(|s| {
            staff.sees_all()
                || staff
                    .agency_code
                    .as_ref()
                    .is_some_and(|code| s.holder == format!("opd:{code}"))
        })
        .filter_map(|s| {
            let step = Step::parse(&s.step).ok()?;
            let start = wani_bares_store::timestamp(s.started_at);
            let due = wani_bares_store::timestamp(s.due_at);
            let badge = match targets.target(step, Layer::Sop, kind) {
                Some(t) => {
                    dsla::badge_from_points(now, dsla::reminder_points(start, due, &t, &cal))
                }
                None => Badge::OnTime,
            };
            Some(Deadline {
                step: s.step.clone(),
                step_label: step.label_id().to_owned(),
                holder: s.holder.clone(),
                started_at: s.started_at,
                due_at: s.due_at,
                national_due_at: s.national_due_at,
                badge: badge.as_str().to_owned(),
                badge_label: badge.label_id().to_owned(),
            })
        })
        .collect();
    let steps = records
        .iter()
        .map(|s| StepInfo {
            step: s.step.clone(),
            holder: s.holder.clone(),
            started_at: s.started_at,
            due_at: s.due_at,
            done_at: s.done_at,
            outcome: s.outcome.clone(),
            minutes_taken: s.done_at.map(|d| (d - s.started_at) / 60_000),
        })
        .collect();
    let citizen = citizens::by_id(c, complaint.citizen_id).await?;
    let identity_json: Option<Value> = complaint
        .identity_json
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok());
    let confidential = !staff.sees_all() && !opd_sees_identity;
    let get = |k: &str| {
        identity_json
            .as_ref()
            .and_then(|v| v.get(k))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let phone = citizen.as_ref().and_then(|c| c.phone.clone());
    let identity = if confidential {
        Identity {
            revealed: false,
            confidential: true,
            nama: None,
            nik: None,
            alamat: None,
            phone: None,
            nik_outside_magetan: false,
            ktp_attachment_id: None,
        }
    } else if revealed {
        Identity {
            revealed: true,
            confidential: false,
            nama: get("nama"),
            nik: get("nik"),
            alamat: get("alamat"),
            phone: phone
                .as_deref()
                .and_then(|p| wani_bares_domain::phone::PhoneNumber::parse(p).ok())
                .map(|p| p.display())
                .or(phone.clone()),
            nik_outside_magetan: complaint.nik_outside_magetan,
            ktp_attachment_id: complaint.ktp_attachment_id,
        }
    } else {
        Identity {
            revealed: false,
            confidential: false,
            nama: get("nama"),
            nik: complaint.nik_masked.clone(),
            alamat: None,
            phone: phone
                .as_deref()
                .and_then(|p| wani_bares_domain::phone::PhoneNumber::parse(p).ok())
                .map(|p| p.masked()),
            nik_outside_magetan: complaint.nik_outside_magetan,
            ktp_attachment_id: None,
        }
    };
    let allowed_actions = if staff.role == Role::Viewer {
        Vec::new()
    } else {
        lifecycle::allowed_actions(&case, &staff.actor(), &workflow::options(state))
            .into_iter()
            .map(str::to_owned)
            .collect()
    };
    let composed_reply = lifecycle::compose_reply(&case.assignments);
    let ratings = ratings::for_complaint(c, complaint.id).await?;
    let related_ticket = match complaint.related_complaint_id {
        Some(id) => complaints::by_id(c, id).await?.map(|k| k.ticket),
        None => None,
    };
    let notes = if staff.sees_all() {
        notes_for(c, complaint.id).await?
    } else {
        Vec::new()
    };
    Ok(Detail {
        ticket: complaint.ticket.clone(),
        status: complaint.status.clone(),
        status_label: status_label(&complaint.status),
        kind: complaint.kind.clone(),
        channel: complaint.channel.clone(),
        created_at: complaint.created_at,
        status_at: complaint.status_at,
        category: complaint.category_name.clone(),
        category_id: complaint.category_id,
        district: complaint.district_name.clone(),
        district_code: complaint.district_code.clone(),
        summary: mask_unless(revealed, &complaint.summary),
        text: mask_unless(revealed, &complaint.text),
        identity,
        transcript,
        attachments,
        assignments: all_assignments
            .into_iter()
            .map(|a| AssignmentInfo {
                opd: a.agency_code,
                name: a.agency_name,
                state: a.state,
                note: a.note,
                answer: a.answer,
                follow_up: a.follow_up,
                decline_reason: a.decline_reason,
                dispatched_at: a.created_at,
                answered_at: a.answered_at,
                round: a.round,
            })
            .collect(),
        opds,
        history,
        deadline: deadlines.first().cloned(),
        deadlines,
        steps,
        allowed_actions,
        reply_text: complaint.reply_text.clone(),
        composed_reply,
        ratings,
        reopened_count: complaint.reopened_count,
        related_ticket,
        notes,
    })
}

async fn notes_for(
    c: &mut wani_bares_store::Conn<'_>,
    complaint_id: i64,
) -> Result<Vec<Note>, AppError> {
    Ok(wani_bares_store::notes::for_complaint(c, complaint_id)
        .await?
        .into_iter()
        .map(|(author, text, at)| Note { author, text, at })
        .collect())
}

/// Maps a workflow refusal to HTTP.
pub fn workflow_error(e: WorkflowError) -> AppError {
    match e {
        WorkflowError::Refused(TransitionError::Forbidden { .. }) => {
            AppError::Forbidden(e.to_string())
        }
        WorkflowError::Refused(TransitionError::NotAllowed { .. }) | WorkflowError::Concurrent => {
            AppError::Conflict(e.to_string())
        }
        WorkflowError::Refused(TransitionError::NotYourAssignment) => AppError::NotFound,
        WorkflowError::Refused(TransitionError::Invalid(msg)) => AppError::Invalid(msg),
        WorkflowError::Refused(other @ TransitionError::ReopenWindowPassed { .. }) => {
            AppError::Conflict(other.to_string())
        }
        WorkflowError::Store(s) => s.into(),
        WorkflowError::Corrupt(msg) => AppError::Internal(anyhow::anyhow!(msg)),
    }
}

/// Applies an action as a staff member; returns the complaint afterwards.
pub async fn act(
    state: &AppState,
    staff: &Staff,
    ticket: &str,
    action: &Action,
) -> Result<Complaint, AppError> {
    let complaint = visible(state, staff, ticket).await?;
    if staff.role == Role::Viewer {
        return Err(AppError::Forbidden(
            "peran viewer hanya dapat membaca".into(),
        ));
    }
    let mut tx = state.store.begin().await?;
    let transition = workflow::act(state, &mut tx.conn(), &complaint, &staff.who(), action)
        .await
        .map_err(workflow_error)?;
    tx.commit().await?;
    state.wake.outbox.notify_one();
    state.publish(LiveEvent::Complaint {
        complaint_id: complaint.id,
        status: transition.to.as_str().to_owned(),
    });
    let mut r = state.store.reader().await?;
    complaints::by_id(&mut r.conn(), complaint.id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Shows the full identity, recording who looked and why.
pub async fn reveal_identity(
    state: &AppState,
    staff: &Staff,
    complaint: &Complaint,
    reason: &str,
) -> Result<(), AppError> {
    if !staff.sees_all() && !state.config.security.opd_sees_identity {
        return Err(AppError::Forbidden(
            "identitas pelapor dirahasiakan dari perangkat daerah".into(),
        ));
    }
    let reason = reason.trim();
    if reason.chars().count() < 5 {
        return Err(AppError::Invalid(
            "sebutkan alasan melihat identitas (minimal 5 karakter)".into(),
        ));
    }
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    audit::append(
        &mut tx.conn(),
        &audit::NewEvent {
            at: now,
            actor_user_id: Some(staff.user_id),
            actor: &staff.label(),
            action: "view_identity",
            complaint_id: Some(complaint.id),
            before: None,
            after: None,
            detail: Some(&reason.chars().take(500).collect::<String>()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An attachment's bytes for a staff member: evidence for anyone who sees the complaint;
/// the KTP photo only with a reason (audited) and never for agencies.
pub async fn attachment_bytes(
    state: &AppState,
    staff: &Staff,
    id: i64,
    reason: Option<&str>,
) -> Result<(attachments::Attachment, Vec<u8>), AppError> {
    let att = {
        let mut r = state.store.reader().await?;
        attachments::by_id(&mut r.conn(), id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let Some(complaint_id) = att.complaint_id else {
        return Err(AppError::NotFound);
    };
    let complaint = {
        let mut r = state.store.reader().await?;
        complaints::by_id(&mut r.conn(), complaint_id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let complaint = visible(state, staff, &complaint.ticket).await?;
    if att.role == "ktp" {
        reveal_identity(state, staff, &complaint, reason.unwrap_or("")).await?;
    }
    let Some(key) = att.storage_key.as_deref() else {
        return Err(AppError::NotFound);
    };
    let bytes = state.media.get(key).await?;
    Ok((att, bytes))
}

/// Lists complaints for a staff member.
pub async fn list(
    state: &AppState,
    staff: &Staff,
    mut filter: ListFilter,
) -> Result<Vec<ListItem>, AppError> {
    scope(staff, &mut filter);
    let mut r = state.store.reader().await?;
    Ok(complaints::list(&mut r.conn(), &filter).await?)
}

/// Sets category, kecamatan and summary (admin).
pub async fn classify(
    state: &AppState,
    staff: &Staff,
    ticket: &str,
    category: Option<&str>,
    district: Option<&str>,
    summary: Option<&str>,
) -> Result<(), AppError> {
    if !matches!(staff.role, Role::Admin | Role::Superadmin) {
        return Err(AppError::Forbidden(
            "hanya admin yang dapat mengklasifikasi aduan".into(),
        ));
    }
    let complaint = visible(state, staff, ticket).await?;
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    let category_id = match category.map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => Some(
            agencies::categories(&mut tx.conn(), false)
                .await?
                .into_iter()
                .find(|k| k.code == code || k.id.to_string() == code)
                .ok_or_else(|| AppError::Invalid(format!("kategori {code} tidak dikenal")))?
                .id,
        ),
        None => complaint.category_id,
    };
    let district_code = match district.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => Some(
            agencies::districts(&mut tx.conn())
                .await?
                .into_iter()
                .find(|x| x.code == d || x.name.eq_ignore_ascii_case(d))
                .ok_or_else(|| AppError::Invalid(format!("kecamatan {d} tidak dikenal")))?
                .code,
        ),
        None => complaint.district_code.clone(),
    };
    let summary = summary
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| crate::inbound::mask_identity_numbers(&s.chars().take(300).collect::<String>()))
        .unwrap_or(complaint.summary.clone());
    complaints::classify(
        &mut tx.conn(),
        complaint.id,
        category_id,
        district_code.as_deref(),
        &summary,
        now,
    )
    .await?;
    let detail = serde_json::json!({"category_id": category_id, "district": district_code, "summary": summary}).to_string();
    audit::append(
        &mut tx.conn(),
        &audit::NewEvent {
            at: now,
            actor_user_id: Some(staff.user_id),
            actor: &staff.label(),
            action: "classify",
            complaint_id: Some(complaint.id),
            before: None,
            after: None,
            detail: Some(&detail),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Adds an internal note (Kominfo staff).
pub async fn add_note(
    state: &AppState,
    staff: &Staff,
    ticket: &str,
    text: &str,
) -> Result<(), AppError> {
    if !staff.sees_all() || staff.role == Role::Viewer {
        return Err(AppError::Forbidden(
            "catatan internal hanya untuk petugas Kominfo".into(),
        ));
    }
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 4000 {
        return Err(AppError::Invalid(
            "catatan kosong atau terlalu panjang".into(),
        ));
    }
    let complaint = visible(state, staff, ticket).await?;
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    wani_bares_store::notes::insert(&mut tx.conn(), complaint.id, staff.user_id, text, now).await?;
    audit::append(
        &mut tx.conn(),
        &audit::NewEvent {
            at: now,
            actor_user_id: Some(staff.user_id),
            actor: &staff.label(),
            action: "note",
            complaint_id: Some(complaint.id),
            before: None,
            after: None,
            detail: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a complaint's category without a staff member (the demo's sample data).
pub async fn classify_as_system(
    state: &AppState,
    complaint_id: i64,
    category_code: &str,
) -> Result<(), AppError> {
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    let complaint = complaints::by_id(&mut tx.conn(), complaint_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let category = agencies::categories(&mut tx.conn(), false)
        .await?
        .into_iter()
        .find(|k| k.code == category_code)
        .map(|k| k.id);
    complaints::classify(
        &mut tx.conn(),
        complaint.id,
        category,
        complaint.district_code.as_deref(),
        &complaint.summary,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
