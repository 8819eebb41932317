//! The complaint page: the WhatsApp transcript both ways with its media, the identity
//! block (masked; revealed only after a reason is given, audited; never for agencies),
//! evidence, assignments, deadlines, ratings, internal notes, the timeline from the audit
//! trail, and the forms of the actions this user may take now (from
//! `Detail.allowed_actions`). Every action goes through `services::complaints::act`;
//! refusals come back on the page as a message with the form's text kept.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use wani_bares_domain::lifecycle::{Action, Status};
use wani_bares_domain::role::Role;
use wani_bares_domain::sla::{Holder, Step};
use wani_bares_store::complaints::Complaint;
use wani_bares_store::{agencies, canned};

use super::inbox::Choice;
use super::session::{Posted, WebStaff};
use super::{Chrome, Fields, PageError, fmt_time, page, render, see_other, urlencode};
use crate::error::AppError;
use crate::services::auth::Staff;
use crate::services::complaints::{self as svc, Detail};
use crate::state::AppState;

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/aduan/{ticket}", get(show))
        .route("/aduan/{ticket}/percakapan", get(transcript))
        .route("/aduan/{ticket}/disposisi", get(dispatch_form))
        .route("/aduan/{ticket}/aksi", post(act))
        .route("/aduan/{ticket}/identitas", post(reveal))
        .route("/aduan/{ticket}/catatan", post(note))
        .route("/aduan/{ticket}/klasifikasi", post(classify))
        .route("/lampiran/{id}", get(attachment))
}

// ---- View models

/// A file shown in the transcript or the evidence list.
#[derive(Clone, Debug)]
pub struct MediaView {
    /// Where to fetch it (None: not viewable).
    pub url: Option<String>,
    /// Show inline as an image.
    pub is_image: bool,
    /// Label.
    pub label: String,
}

/// A run of message text with WhatsApp's `*bold*` / `_italic_` applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seg {
    /// The text (escaped by the template).
    pub text: String,
    /// Between `*…*`.
    pub bold: bool,
    /// Between `_…_`.
    pub italic: bool,
}

/// Splits WhatsApp-formatted text into runs: a marker pair counts when it encloses
/// non-blank text on one line, as WhatsApp shows it. Everything stays text; the template
/// escapes it.
pub fn whatsapp_segments(text: &str) -> Vec<Seg> {
    fn closing(chars: &[char], from: usize, marker: char) -> Option<usize> {
        let first = *chars.get(from)?;
        if first.is_whitespace() || first == marker {
            return None;
        }
        let end = (from..chars.len())
            .take_while(|i| chars[*i] != '\n')
            .find(|i| chars[*i] == marker)?;
        (!chars[end - 1].is_whitespace()).then_some(end)
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<Seg> = Vec::new();
    let mut plain = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if (c == '*' || c == '_')
            && let Some(end) = closing(&chars, i + 1, c)
        {
            if !plain.is_empty() {
                out.push(Seg {
                    text: std::mem::take(&mut plain),
                    bold: false,
                    italic: false,
                });
            }
            out.push(Seg {
                text: chars[i + 1..end].iter().collect(),
                bold: c == '*',
                italic: c == '_',
            });
            i = end + 1;
            continue;
        }
        plain.push(c);
        i += 1;
    }
    if !plain.is_empty() {
        out.push(Seg {
            text: plain,
            bold: false,
            italic: false,
        });
    }
    out
}

/// One transcript line.
#[derive(Clone, Debug)]
pub struct LineView {
    /// From the citizen.
    pub incoming: bool,
    /// Text, as WhatsApp shows it.
    pub segs: Vec<Seg>,
    /// Text.
    pub text: String,
    /// When.
    pub at: String,
    /// Delivery state label (outbound).
    pub delivery: Option<&'static str>,
    /// Delivery failed.
    pub failed: bool,
    /// Delivery error.
    pub delivery_error: Option<String>,
    /// Media.
    pub media: Vec<MediaView>,
}

/// The current deadline of a step.
#[derive(Clone, Debug)]
pub struct DeadlineView {
    /// Step.
    pub step_label: String,
    /// Holder.
    pub holder: String,
    /// Due.
    pub due: String,
    /// National due.
    pub national_due: Option<String>,
    /// `on_time` / `due_soon` / `late`.
    pub badge: String,
    /// Badge label.
    pub badge_label: String,
}

/// A step record.
#[derive(Clone, Debug)]
pub struct StepView {
    /// Step.
    pub step_label: String,
    /// Holder.
    pub holder: String,
    /// Started.
    pub started: String,
    /// Due.
    pub due: String,
    /// Done.
    pub done: Option<String>,
    /// Outcome label.
    pub outcome: Option<&'static str>,
    /// Late.
    pub breached: bool,
}

/// An assignment.
#[derive(Clone, Debug)]
pub struct AssignView {
    /// Agency code.
    pub opd: String,
    /// Agency name.
    pub name: String,
    /// State.
    pub state: String,
    /// State label.
    pub state_label: &'static str,
    /// Dispatch note.
    pub note: Option<String>,
    /// Answer.
    pub answer: Option<String>,
    /// Follow-up.
    pub follow_up: Option<String>,
    /// Decline reason.
    pub decline_reason: Option<String>,
    /// Dispatched.
    pub dispatched: String,
    /// Answered.
    pub answered: Option<String>,
}

/// A timeline entry.
#[derive(Clone, Debug)]
pub struct HistView {
    /// When.
    pub at: String,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// Details.
    pub detail: Option<String>,
}

/// A rating.
#[derive(Clone, Debug)]
pub struct RatingView {
    /// Stars, e.g. "★★★★☆".
    pub stars: Option<String>,
    /// Stage label.
    pub stage: &'static str,
    /// Comment.
    pub comment: Option<String>,
    /// Asked.
    pub asked: String,
}

/// An internal note.
#[derive(Clone, Debug)]
pub struct NoteView {
    /// Author.
    pub author: String,
    /// Text.
    pub text: String,
    /// When.
    pub at: String,
}

/// The identity block.
#[derive(Clone, Debug)]
pub struct IdentityView {
    /// Hidden from this user entirely.
    pub confidential: bool,
    /// Shown in full.
    pub revealed: bool,
    /// Name.
    pub nama: Option<String>,
    /// NIK.
    pub nik: Option<String>,
    /// Address.
    pub alamat: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Valid NIK from outside Magetan.
    pub outside: bool,
    /// The KTP photo URL (with the reason, audited on every fetch).
    pub ktp_url: Option<String>,
}

/// A canned reply for the picker.
#[derive(Clone, Debug)]
pub struct CannedView {
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
}

/// What the forms show (the defaults, or what the user typed before an error).
#[derive(Clone, Debug, Default)]
pub struct Prefill {
    /// Completion request.
    pub message: String,
    /// Reject / decline reason.
    pub reason: String,
    /// Reply text.
    pub text: String,
    /// Dispatch note.
    pub note: String,
    /// Answer.
    pub answer: String,
    /// Follow-up.
    pub follow_up: String,
    /// Internal note.
    pub internal_note: String,
}

/// The complaint as the page shows it.
#[derive(Clone, Debug)]
pub struct View {
    /// Complaint id (for live updates).
    pub id: i64,
    /// Tracking number.
    pub ticket: String,
    /// Status.
    pub status: String,
    /// Status label.
    pub status_label: String,
    /// Closed.
    pub closed: bool,
    /// Kind label.
    pub kind_label: &'static str,
    /// Created.
    pub created: String,
    /// Status since.
    pub status_at: String,
    /// Category.
    pub category: Option<String>,
    /// Kecamatan.
    pub district: Option<String>,
    /// Summary.
    pub summary: String,
    /// Full text.
    pub text: String,
    /// Identity.
    pub identity: IdentityView,
    /// Transcript.
    pub transcript: Vec<LineView>,
    /// Evidence.
    pub evidence: Vec<MediaView>,
    /// Assignments.
    pub assignments: Vec<AssignView>,
    /// Current deadlines.
    pub deadlines: Vec<DeadlineView>,
    /// Step records.
    pub steps: Vec<StepView>,
    /// Timeline.
    pub history: Vec<HistView>,
    /// Ratings.
    pub ratings: Vec<RatingView>,
    /// Notes.
    pub notes: Vec<NoteView>,
    /// The reply sent.
    pub reply_text: Option<String>,
    /// Allowed actions.
    pub allowed: Vec<String>,
    /// Times reopened.
    pub reopened: i64,
    /// Related earlier complaint.
    pub related: Option<String>,
    /// Agencies with a pending assignment (code, name).
    pub pending: Vec<(String, String)>,
}

impl View {
    /// Whether an action is allowed now.
    pub fn can(&self, action: &str) -> bool {
        self.allowed.iter().any(|a| a == action)
    }
}

fn actor_label(actor: &str) -> String {
    match actor {
        "citizen" => "Pelapor".into(),
        "system" => "Sistem".into(),
        other => other.strip_prefix("user:").unwrap_or(other).to_owned(),
    }
}

fn action_label(action: &str) -> &str {
    match action {
        "submitted" => "Aduan terdaftar",
        "verify" => "Diverifikasi, diteruskan ke Kabid IKP",
        "request_completion" => "Pelapor diminta melengkapi",
        "reject" => "Ditolak",
        "forward" => "Diteruskan ke Kadis",
        "dispatch" => "Didisposisikan ke perangkat daerah",
        "answer" => "Dijawab perangkat daerah",
        "decline" => "Dikembalikan: bukan kewenangan",
        "pass_answer" => "Jawaban diteruskan",
        "send_reply" => "Jawaban dikirim ke pelapor",
        "citizen_completed" => "Pelapor melengkapi data",
        "withdraw" => "Dicabut (tidak dilengkapi)",
        "reopen" => "Dibuka kembali oleh pelapor",
        "note" => "Catatan internal ditambahkan",
        "classify" => "Klasifikasi diubah",
        "view_identity" => "Identitas pelapor dilihat",
        other => other,
    }
}

fn history_detail(action: &str, detail: Option<&str>) -> Option<String> {
    let d = detail?;
    let short = |s: &str| -> String {
        let t: String = s.chars().take(240).collect();
        if s.chars().count() > 240 {
            format!("{t}…")
        } else {
            t
        }
    };
    match serde_json::from_str::<Value>(d) {
        Ok(v) if v.is_object() => {
            let get = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
            if action == "dispatch" {
                let opds: Vec<String> = v
                    .get("opds")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                let note = get("note").filter(|n| !n.trim().is_empty());
                return Some(match note {
                    Some(n) => format!("Ke {}: {}", opds.join(", "), short(&n)),
                    None => format!("Ke {}", opds.join(", ")),
                });
            }
            get("reason")
                .or_else(|| get("message"))
                .or_else(|| get("answer"))
                .map(|s| short(&s))
        }
        Ok(_) => None,
        Err(_) => Some(short(d)),
    }
}

fn stars(n: i64) -> String {
    let n = n.clamp(0, 5) as usize;
    format!("{}{} {n}/5", "★".repeat(n), "☆".repeat(5 - n))
}

fn rating_stage(stage: &str) -> &'static str {
    match stage {
        "asked" => "Menunggu penilaian pelapor",
        "rated" => "Dinilai",
        "commented" => "Dinilai dan diberi komentar",
        "unresolved" => "Pelapor: belum selesai (dibuka kembali)",
        "unresolved_late" => "Pelapor: belum selesai (lewat batas waktu)",
        "expired" => "Selesai tanpa tanggapan",
        _ => "—",
    }
}

fn holder_label(h: &str) -> String {
    Holder::parse(h).map_or_else(|_| h.to_owned(), |h| h.label_id())
}

fn step_label(s: &str) -> String {
    Step::parse(s).map_or_else(|_| s.to_owned(), |s| s.label_id().to_owned())
}

fn assignment_state(s: &str) -> &'static str {
    match s {
        "pending" => "Menunggu jawaban",
        "answered" => "Sudah dijawab",
        "declined" => "Bukan kewenangan",
        _ => "—",
    }
}

fn delivery_label(d: Option<&str>) -> Option<&'static str> {
    Some(match d? {
        "queued" | "pending" => "menunggu dikirim",
        "sent" => "terkirim",
        "delivered" => "tersampaikan",
        "read" => "dibaca",
        "failed" => "gagal",
        "held" => "ditahan",
        _ => return None,
    })
}

async fn build_view(
    state: &AppState,
    complaint: &Complaint,
    d: Detail,
    reveal_reason: Option<&str>,
) -> View {
    let cal = state.calendar.read().await.clone();
    let t = |ms: i64| fmt_time(&cal, ms);
    let media_of = |id: i64| -> MediaView {
        match d.attachments.iter().find(|a| a.id == id) {
            Some(a) => {
                let viewable = a.state == "stored";
                let is_image = viewable
                    && matches!(
                        a.mime_type.as_deref(),
                        Some("image/jpeg" | "image/png" | "image/webp")
                    );
                let label = match (a.role.as_str(), a.kind.as_str()) {
                    ("ktp", _) => "Foto KTP".to_owned(),
                    (_, "image") => "Foto".to_owned(),
                    (_, "video") => "Video".to_owned(),
                    (_, "audio") => "Pesan suara".to_owned(),
                    (_, "document") => a.filename.clone().unwrap_or_else(|| "Dokumen".into()),
                    (_, "location") => "Lokasi".to_owned(),
                    (_, k) => k.to_owned(),
                };
                let label = match a.state.as_str() {
                    "pending" => format!("{label} (sedang diunduh)"),
                    "failed" => format!("{label} (gagal diunduh)"),
                    "purged" => format!("{label} (sudah dihapus sesuai masa simpan)"),
                    _ => label,
                };
                let url = viewable.then(|| match (a.role.as_str(), reveal_reason) {
                    ("ktp", Some(r)) => format!("/lampiran/{}?alasan={}", a.id, urlencode(r)),
                    _ => format!("/lampiran/{}", a.id),
                });
                MediaView {
                    url: if a.role == "ktp" && reveal_reason.is_none() {
                        None
                    } else {
                        url
                    },
                    is_image,
                    label,
                }
            }
            None => MediaView {
                url: None,
                is_image: false,
                label: "Foto KTP (tampilkan lewat tombol identitas)".into(),
            },
        }
    };
    let transcript = d
        .transcript
        .iter()
        .map(|l| LineView {
            incoming: l.direction == "in",
            segs: whatsapp_segments(&l.text),
            text: l.text.clone(),
            at: t(l.at),
            delivery: if l.direction == "in" {
                None
            } else {
                delivery_label(l.delivery.as_deref())
            },
            failed: l.delivery.as_deref() == Some("failed"),
            delivery_error: l.delivery_error.clone(),
            media: l.attachment_ids.iter().map(|id| media_of(*id)).collect(),
        })
        .collect();
    let evidence = d
        .attachments
        .iter()
        .filter(|a| a.role == "evidence")
        .map(|a| media_of(a.id))
        .collect();
    let ktp_url = match (d.identity.ktp_attachment_id, reveal_reason) {
        (Some(id), Some(r)) if d.identity.revealed => {
            Some(format!("/lampiran/{id}?alasan={}", urlencode(r)))
        }
        _ => None,
    };
    let identity = IdentityView {
        confidential: d.identity.confidential,
        revealed: d.identity.revealed,
        nama: d.identity.nama.clone(),
        nik: d.identity.nik.clone(),
        alamat: d.identity.alamat.clone(),
        phone: d.identity.phone.clone(),
        outside: d.identity.nik_outside_magetan,
        ktp_url,
    };
    let current_round = complaint.reopened_count;
    View {
        id: complaint.id,
        closed: d.status == Status::Closed.as_str(),
        kind_label: if d.kind == "pertanyaan" {
            "Pertanyaan"
        } else {
            "Aduan"
        },
        created: t(d.created_at),
        status_at: t(d.status_at),
        identity,
        transcript,
        evidence,
        pending: d
            .assignments
            .iter()
            .filter(|a| a.state == "pending" && a.round == current_round)
            .map(|a| (a.opd.clone(), a.name.clone()))
            .collect(),
        assignments: d
            .assignments
            .iter()
            .map(|a| AssignView {
                opd: a.opd.clone(),
                name: a.name.clone(),
                state: a.state.clone(),
                state_label: assignment_state(&a.state),
                note: a.note.clone().filter(|n| !n.trim().is_empty()),
                answer: a.answer.clone(),
                follow_up: a.follow_up.clone(),
                decline_reason: a.decline_reason.clone(),
                dispatched: t(a.dispatched_at),
                answered: a.answered_at.map(t),
            })
            .collect(),
        deadlines: d
            .deadlines
            .iter()
            .map(|x| DeadlineView {
                step_label: x.step_label.clone(),
                holder: holder_label(&x.holder),
                due: t(x.due_at),
                national_due: x.national_due_at.map(t),
                badge: x.badge.clone(),
                badge_label: x.badge_label.clone(),
            })
            .collect(),
        steps: d
            .steps
            .iter()
            .map(|s| StepView {
                step_label: step_label(&s.step),
                holder: holder_label(&s.holder),
                started: t(s.started_at),
                due: t(s.due_at),
                done: s.done_at.map(t),
                outcome: match s.outcome.as_deref() {
                    Some("met") => Some("Tepat waktu"),
                    Some("breached") => Some("Terlambat"),
                    _ => None,
                },
                breached: s.outcome.as_deref() == Some("breached"),
            })
            .collect(),
        history: d
            .history
            .iter()
            .map(|h| HistView {
                at: t(h.at),
                actor: actor_label(&h.actor),
                action: action_label(&h.action).to_owned(),
                detail: history_detail(&h.action, h.detail.as_deref()),
            })
            .collect(),
        ratings: d
            .ratings
            .iter()
            .map(|r| RatingView {
                stars: r.rating.map(stars),
                stage: rating_stage(&r.stage),
                comment: r.comment.clone(),
                asked: t(r.asked_at),
            })
            .collect(),
        notes: d
            .notes
            .iter()
            .map(|n| NoteView {
                author: n.author.clone(),
                text: n.text.clone(),
                at: t(n.at),
            })
            .collect(),
        ticket: d.ticket,
        status: d.status,
        status_label: d.status_label,
        category: d.category,
        district: d.district,
        summary: d.summary,
        text: d.text,
        reply_text: d.reply_text,
        allowed: d.allowed_actions,
        reopened: d.reopened_count,
        related: d.related_ticket,
    }
}

/// The completion request a form starts with: what is missing, politely.
fn completion_default(c: &Complaint) -> String {
    let identity: Option<Value> = c
        .identity_json
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok());
    let has = |k: &str| {
        identity
            .as_ref()
            .and_then(|v| v.get(k))
            .and_then(Value::as_str)
            .is_some_and(|s| !s.trim().is_empty())
    };
    let mut missing = Vec::new();
    if !has("nama") {
        missing.push("nama lengkap");
    }
    if !has("nik") {
        missing.push("NIK (16 angka pada KTP)");
    }
    if !has("alamat") {
        missing.push("alamat");
    }
    if c.ktp_attachment_id.is_none() {
        missing.push("foto KTP");
    }
    if missing.is_empty() {
        "Mohon lengkapi aduan Anda dengan lokasi yang lebih jelas (nama jalan, desa/kelurahan) \
         dan foto kondisi di lapangan, agar dapat segera kami tindak lanjuti."
            .into()
    } else {
        format!(
            "Mohon lengkapi aduan Anda dengan: {}. Balas pesan ini dengan data tersebut agar aduan dapat kami tindak lanjuti.",
            missing.join(", ")
        )
    }
}

// Template flags read best as plain booleans next to the data they gate.
#[allow(clippy::struct_excessive_bools)]
#[derive(Template)]
#[template(path = "complaint.html")]
struct ComplaintPage {
    chrome: Chrome,
    v: View,
    notice: Option<&'static str>,
    error: Option<String>,
    identity_error: Option<String>,
    prefill: Prefill,
    canned: Vec<CannedView>,
    categories: Vec<Choice>,
    districts: Vec<Choice>,
    can_classify: bool,
    can_note: bool,
    can_reveal: bool,
    superadmin: bool,
    changed: bool,
}

#[derive(Template)]
#[template(path = "transcript.html")]
struct TranscriptFragment {
    v: View,
    changed: bool,
}

#[derive(Template)]
#[template(path = "dispatch.html")]
struct DispatchPage {
    chrome: Chrome,
    v: View,
    error: Option<String>,
    note: String,
    opd_groups: Vec<(&'static str, Vec<AgencyChoice>)>,
}

/// An agency in the dispatch form.
#[derive(Clone, Debug)]
pub struct AgencyChoice {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Ticked.
    pub checked: bool,
    /// Already handling it.
    pub pending: bool,
}

fn notice_for(key: &str) -> Option<&'static str> {
    Some(match key {
        "verify" => "Aduan diverifikasi dan diteruskan ke Kepala Bidang IKP.",
        "request_completion" => "Permintaan kelengkapan dikirim ke pelapor melalui WhatsApp.",
        "reject" => "Aduan ditolak; alasannya dikirim ke pelapor.",
        "forward" => "Aduan diteruskan ke Kepala Dinas.",
        "dispatch" => "Aduan didisposisikan ke perangkat daerah.",
        "answer" => "Jawaban tersimpan dan diteruskan ke pimpinan.",
        "decline" => "Disposisi dikembalikan sebagai bukan kewenangan.",
        "pass_answer" => "Jawaban diteruskan.",
        "send_reply" => "Jawaban dikirim ke pelapor. Aduan selesai.",
        "note" => "Catatan internal tersimpan.",
        "classify" => "Klasifikasi tersimpan.",
        _ => return None,
    })
}

struct PageInput<'a> {
    notice: Option<&'static str>,
    error: Option<String>,
    identity_error: Option<String>,
    prefill: Option<Prefill>,
    reveal_reason: Option<&'a str>,
}

async fn complaint_page(
    state: &AppState,
    staff: &Staff,
    complaint: &Complaint,
    status: StatusCode,
    input: PageInput<'_>,
) -> Result<Response, AppError> {
    let revealed = input.reveal_reason.is_some();
    let d = svc::detail(state, staff, complaint, revealed).await?;
    let composed = d.composed_reply.clone().unwrap_or_default();
    let v = build_view(state, complaint, d, input.reveal_reason).await;
    let is_admin = matches!(staff.role, Role::Admin | Role::Superadmin);
    let (canned, categories, districts) = if is_admin {
        let mut r = state.store.reader().await?;
        let canned = canned::list(&mut r.conn())
            .await?
            .into_iter()
            .map(|c| CannedView {
                title: c.title,
                body: c.body,
            })
            .collect();
        let categories = agencies::categories(&mut r.conn(), true)
            .await?
            .into_iter()
            .map(|c| Choice {
                selected: v.category.as_deref() == Some(c.name.as_str()),
                value: c.code,
                label: c.name,
            })
            .collect();
        let districts = agencies::districts(&mut r.conn())
            .await?
            .into_iter()
            .map(|x| Choice {
                selected: v.district.as_deref() == Some(x.name.as_str()),
                value: x.code,
                label: x.name,
            })
            .collect();
        (canned, categories, districts)
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    let prefill = input.prefill.unwrap_or_else(|| Prefill {
        message: completion_default(complaint),
        text: composed,
        ..Prefill::default()
    });
    let chrome = Chrome::build(state, staff, "inbox", None).await?;
    Ok(render(
        status,
        &ComplaintPage {
            chrome,
            notice: input.notice,
            error: input.error,
            identity_error: input.identity_error,
            prefill,
            canned,
            categories,
            districts,
            can_classify: is_admin,
            can_note: staff.sees_all() && staff.role != Role::Viewer,
            can_reveal: (staff.sees_all() || state.config.security.opd_sees_identity)
                && !v.identity.revealed
                && !v.identity.confidential,
            superadmin: staff.role == Role::Superadmin,
            changed: false,
            v,
        },
    ))
}

async fn show(
    State(state): State<AppState>,
    WebStaff(staff): WebStaff,
    Path(ticket): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let complaint = svc::visible(&state, &staff, &ticket).await?;
    let notice = q.get("ok").and_then(|k| notice_for(k));
    Ok(complaint_page(
        &state,
        &staff,
        &complaint,
        StatusCode::OK,
        PageInput {
            notice,
            error: None,
            identity_error: None,
            prefill: None,
            reveal_reason: None,
        },
    )
    .await?)
}

async fn transcript(
    State(state): State<AppState>,
    WebStaff(staff): WebStaff,
    Path(ticket): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let complaint = svc::visible(&state, &staff, &ticket).await?;
    let d = svc::detail(&state, &staff, &complaint, false).await?;
    let v = build_view(&state, &complaint, d, None).await;
    let changed = q.get("status").is_some_and(|s| *s != v.status);
    Ok(page(&TranscriptFragment { v, changed }))
}

async fn dispatch_page(
    state: &AppState,
    staff: &Staff,
    complaint: &Complaint,
    status: StatusCode,
    error: Option<String>,
    form: Option<&Fields>,
) -> Result<Response, AppError> {
    let d = svc::detail(state, staff, complaint, false).await?;
    let v = build_view(state, complaint, d, None).await;
    if !v.can("dispatch") {
        return Err(AppError::Conflict(
            "aduan ini tidak dapat didisposisikan oleh Anda saat ini".into(),
        ));
    }
    let list = {
        let mut r = state.store.reader().await?;
        agencies::list(&mut r.conn(), true).await?
    };
    let ticked: Vec<&str> = form.map(|f| f.all("opds")).unwrap_or_default();
    let mut opd = Vec::new();
    let mut kec = Vec::new();
    for a in list {
        let choice = AgencyChoice {
            checked: ticked.contains(&a.code.as_str()),
            pending: v.pending.iter().any(|(c, _)| *c == a.code),
            code: a.code,
            name: a.name,
        };
        if a.kind == "kecamatan" {
            kec.push(choice);
        } else {
            opd.push(choice);
        }
    }
    let chrome = Chrome::build(state, staff, "inbox", None).await?;
    Ok(render(
        status,
        &DispatchPage {
            chrome,
            v,
            error,
            note: form.map(|f| f.get("note").to_owned()).unwrap_or_default(),
            opd_groups: vec![("Perangkat daerah", opd), ("Kecamatan", kec)],
        },
    ))
}

async fn dispatch_form(
    State(state): State<AppState>,
    WebStaff(staff): WebStaff,
    Path(ticket): Path<String>,
) -> Result<Response, PageError> {
    let complaint = svc::visible(&state, &staff, &ticket).await?;
    Ok(dispatch_page(&state, &staff, &complaint, StatusCode::OK, None, None).await?)
}

fn text_of(form: &Fields, name: &str) -> String {
    form.get(name).replace("\r\n", "\n")
}

/// Builds the domain action from the posted form (the same JSON shape as the API).
fn action_from(form: &Fields) -> Result<Action, AppError> {
    let name = form.get("action");
    let mut v = json!({ "action": name });
    match name {
        "verify" | "forward" | "pass_answer" => {}
        "request_completion" => v["message"] = json!(text_of(form, "message")),
        "reject" => v["reason"] = json!(text_of(form, "reason")),
        "send_reply" => {
            let text = text_of(form, "text");
            if !text.trim().is_empty() {
                v["text"] = json!(text);
            }
        }
        "dispatch" => {
            v["opds"] = json!(form.all("opds"));
            v["note"] = json!(text_of(form, "note"));
        }
        "answer" | "decline" => {
            if name == "answer" {
                v["answer"] = json!(text_of(form, "answer"));
                v["follow_up"] = json!(text_of(form, "follow_up"));
            } else {
                v["reason"] = json!(text_of(form, "reason"));
            }
            if let Some(opd) = form.opt("opd") {
                v["opd"] = json!(opd);
            }
        }
        _ => return Err(AppError::Invalid("aksi tidak dikenal".into())),
    }
    serde_json::from_value(v).map_err(|e| AppError::Invalid(format!("isian tidak lengkap: {e}")))
}

fn prefill_from(form: &Fields) -> Prefill {
    Prefill {
        message: text_of(form, "message"),
        reason: text_of(form, "reason"),
        text: text_of(form, "text"),
        note: text_of(form, "note"),
        answer: text_of(form, "answer"),
        follow_up: text_of(form, "follow_up"),
        internal_note: String::new(),
    }
}

async fn act(
    State(state): State<AppState>,
    Path(ticket): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let Posted { staff, form, .. } = posted;
    let complaint = svc::visible(&state, &staff, &ticket).await?;
    let name = form.get("action").to_owned();
    let result = match action_from(&form) {
        Ok(action) => svc::act(&state, &staff, &complaint.ticket, &action).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other(&format!(
            "/aduan/{}?ok={}",
            urlencode(&complaint.ticket),
            urlencode(&name)
        ))),
        Err(e @ AppError::Internal(_)) => Err(e.into()),
        Err(e) => {
            // A refusal: the page again, with the reason and what was typed.
            let complaint = svc::visible(&state, &staff, &ticket).await?;
            if name == "dispatch" {
                return Ok(dispatch_page(
                    &state,
                    &staff,
                    &complaint,
                    e.status(),
                    Some(super::friendly(&e)),
                    Some(&form),
                )
                .await
                .unwrap_or_else(|e2| PageError(e2).into_response()));
            }
            let mut prefill = prefill_from(&form);
            if prefill.message.is_empty() {
                prefill.message = completion_default(&complaint);
            }
            Ok(complaint_page(
                &state,
                &staff,
                &complaint,
                e.status(),
                PageInput {
                    notice: None,
                    error: Some(super::friendly(&e)),
                    identity_error: None,
                    prefill: Some(prefill),
                    reveal_reason: None,
                },
            )
            .await?)
        }
    }
}

async fn reveal(
    State(state): State<AppState>,
    Path(ticket): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let Posted { staff, form, .. } = posted;
    let complaint = svc::visible(&state, &staff, &ticket).await?;
    let reason = form.get("reason").trim().to_owned();
    match svc::reveal_identity(&state, &staff, &complaint, &reason).await {
        Ok(()) => Ok(complaint_page(
            &state,
            &staff,
            &complaint,
            StatusCode::OK,
            PageInput {
                notice: None,
                error: None,
                identity_error: None,
                prefill: None,
                reveal_reason: Some(&reason),
            },
        )
        .await?),
        Err(e @ AppError::Internal(_)) => Err(e.into()),
        Err(e) => Ok(complaint_page(
            &state,
            &staff,
            &complaint,
            e.status(),
            PageInput {
                notice: None,
                error: None,
                identity_error: Some(super::friendly(&e)),
                prefill: None,
                reveal_reason: None,
            },
        )
        .await?),
    }
}

async fn note(
    State(state): State<AppState>,
    Path(ticket): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let Posted { staff, form, .. } = posted;
    let complaint = svc::visible(&state, &staff, &ticket).await?;
    let text = text_of(&form, "text");
    match svc::add_note(&state, &staff, &complaint.ticket, &text).await {
        Ok(()) => Ok(see_other(&format!(
            "/aduan/{}?ok=note#catatan",
            urlencode(&complaint.ticket)
        ))),
        Err(e @ AppError::Internal(_)) => Err(e.into()),
        Err(e) => Ok(complaint_page(
            &state,
            &staff,
            &complaint,
            e.status(),
            PageInput {
                notice: None,
                error: Some(super::friendly(&e)),
                identity_error: None,
                prefill: Some(Prefill {
                    internal_note: text,
                    message: completion_default(&complaint),
                    ..Prefill::default()
                }),
                reveal_reason: None,
            },
        )
        .await?),
    }
}

async fn classify(
    State(state): State<AppState>,
    Path(ticket): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let Posted { staff, form, .. } = posted;
    let complaint = svc::visible(&state, &staff, &ticket).await?;
    let result = svc::classify(
        &state,
        &staff,
        &complaint.ticket,
        form.opt("category"),
        form.opt("district"),
        form.opt("summary"),
    )
    .await;
    match result {
        Ok(()) => Ok(see_other(&format!(
            "/aduan/{}?ok=classify",
            urlencode(&complaint.ticket)
        ))),
        Err(e @ AppError::Internal(_)) => Err(e.into()),
        Err(e) => Ok(complaint_page(
            &state,
            &staff,
            &complaint,
            e.status(),
            PageInput {
                notice: None,
                error: Some(super::friendly(&e)),
                identity_error: None,
                prefill: None,
                reveal_reason: None,
            },
        )
        .await?),
    }
}

async fn attachment(
    State(state): State<AppState>,
    WebStaff(staff): WebStaff,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let (att, bytes) =
        svc::attachment_bytes(&state, &staff, id, q.get("alasan").map(String::as_str)).await?;
    Ok(crate::http::api::file_response(&att, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dispatch_form_becomes_the_apis_dispatch_action() {
        let form = Fields(vec![
            ("action".into(), "dispatch".into()),
            ("opds".into(), "DPUPR".into()),
            ("opds".into(), "DINKES".into()),
            ("note".into(), "Mohon\r\nsegera".into()),
        ]);
        match action_from(&form) {
            Ok(Action::Dispatch { opds, note }) => {
                assert_eq!(opds.len(), 2);
                assert_eq!(note, "Mohon\nsegera");
            }
            other => panic!("{other:?}"),
        }
        let bad = Fields(vec![("action".into(), "withdraw".into())]);
        assert!(action_from(&bad).is_err());
    }

    #[test]
    fn whatsapp_bold_and_italic_become_runs() {
        let segs = whatsapp_segments("Nomor tiket: *WB-1* dan _miring_ 2 * 3 *x");
        let shown: Vec<(&str, bool, bool)> = segs
            .iter()
            .map(|s| (s.text.as_str(), s.bold, s.italic))
            .collect();
        assert_eq!(
            shown,
            [
                ("Nomor tiket: ", false, false),
                ("WB-1", true, false),
                (" dan ", false, false),
                ("miring", false, true),
                (" 2 * 3 *x", false, false),
            ]
        );
        assert_eq!(whatsapp_segments("a *b\nc* d").len(), 1);
    }

    #[test]
    fn timeline_details_are_short_and_readable() {
        assert_eq!(
            history_detail(
                "dispatch",
                Some(r#"{"action":"dispatch","opds":["DPUPR"],"note":""}"#)
            )
            .as_deref(),
            Some("Ke DPUPR")
        );
        assert_eq!(
            history_detail("view_identity", Some("cek KTP")).as_deref(),
            Some("cek KTP")
        );
    }
}
