//! What happens when a citizen's message arrives (called by the processor inside its
//! transaction, once per message id):
//!
//! 1. The citizen is found or created (BSUID first, phone as alias) and their 24-hour
//!    window is renewed.
//! 2. The message joins the transcript; a message id already stored ends here (exactly
//!    once). The message is marked as read. Media become attachments to download.
//! 3. An answer to the satisfaction question is taken by [`crate::services::satisfaction`].
//! 4. Otherwise the intake conversation ([`wani_bares_domain::intake`]) decides; its
//!    commands are carried out here (register a complaint, answer STATUS, attach a message
//!    to a complaint being handled — which also brings an `incomplete` complaint back to
//!    `submitted`) and its replies are queued in the outbox.

use jiff::Timestamp;
use serde_json::json;
use wani_bares_domain::intake::{
    self, AttachmentRef, Command, Consent, ConversationState, Draft, Inbound, IntakeConfig,
    IntakeContext, Kind, MediaKind, Outcome, Reply, SavedIdentity, StatusLine,
};
use wani_bares_domain::lifecycle::{self, Action, Status};
use wani_bares_domain::phone::{Bsuid, PhoneNumber};
use wani_bares_domain::texts::TextKey;
use wani_bares_domain::ticket::Ticket;
use wani_bares_store::citizens::Citizen;
use wani_bares_store::complaints::NewComplaint;
use wani_bares_store::{
    Conn, StoreError, agencies, attachments, audit, citizens, complaints, messages, outbox, sla,
};
use wani_bares_whatsapp::webhook::{
    Content, InboundMessage, InteractiveReply, Media, StatusUpdate,
};

use crate::channel::compose::{self, Outgoing};
use crate::channel::processor::AfterCommit;
use crate::services::workflow::{self, Who};
use crate::state::{AppState, LiveEvent};

/// The intake timing from the configuration.
pub fn intake_config(state: &AppState) -> IntakeConfig {
    let w = &state.config.workflow;
    IntakeConfig {
        reminder_after: jiff::SignedDuration::from_hours(i64::from(w.draft_reminder_hours)),
        expire_after: jiff::SignedDuration::from_hours(i64::from(w.draft_expiry_hours)),
    }
}

fn store_err(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

/// The recipient fields of a citizen.
pub fn to_citizen(citizen: &Citizen) -> compose::To<'_> {
    compose::To {
        citizen_id: Some(citizen.id),
        user_id: None,
        phone: citizen.phone.as_deref(),
        bsuid: citizen.bsuid.as_deref(),
    }
}

/// Handles one inbound message; false when it was a duplicate or had no sender.
pub async fn handle_message(
    state: &AppState,
    c: &mut Conn<'_>,
    inbox_id: i64,
    msg: &InboundMessage,
    after: &mut AfterCommit,
) -> Result<bool, StoreError> {
    let now = state.now_ms();
    let bsuid = msg
        .from_user_id
        .as_deref()
        .and_then(|b| Bsuid::parse(b).ok())
        .map(|b| b.as_str().to_owned());
    let phone = msg
        .from
        .as_deref()
        .or(msg.contact_wa_id.as_deref())
        .and_then(|p| PhoneNumber::parse(p).ok())
        .map(|p| p.as_str().to_owned());
    if bsuid.is_none() && phone.is_none() {
        tracing::warn!(wamid = %msg.id, "message without a usable sender (no from, no user id) skipped");
        return Ok(false);
    }
    // The 24-hour window runs from when the citizen wrote; we use our receive time (at
    // most seconds later); if Meta disagrees it answers 131047 and the template goes out.
    let citizen = citizens::resolve(
        c,
        bsuid.as_deref(),
        phone.as_deref(),
        msg.profile_name.as_deref(),
        now,
    )
    .await?;
    let (kind, body_json) = transcript_of(&msg.content);
    let message_id = messages::insert_inbound(
        c,
        &messages::NewInbound {
            citizen_id: citizen.id,
            wa_message_id: &msg.id,
            inbox_id: Some(inbox_id),
            kind,
            body_json: &body_json,
            created_at: msg.timestamp.saturating_mul(1000),
            complaint_id: None,
        },
    )
    .await?;
    let Some(message_id) = message_id else {
        tracing::debug!(wamid = %msg.id, "duplicate message ignored");
        return Ok(false);
    };
    metrics::counter!("inbound_messages_total", "type" => kind).increment(1);
    // The read receipt is sent after the commit (see `processor::send_read_receipts`).
    after.mark_read.push(msg.id.clone());
    after.outbox = true;
    after.live.push(LiveEvent::Message {
        citizen_id: citizen.id,
        complaint_id: None,
    });

    if let Content::System {
        new_wa_id: Some(new),
        ..
    } = &msg.content
    {
        if let Ok(p) = PhoneNumber::parse(new) {
            tracing::info!(
                citizen_id = citizen.id,
                "citizen changed number; the new number becomes their alias"
            );
            let _ =
                citizens::resolve(c, citizen.bsuid.as_deref(), Some(p.as_str()), None, now).await;
        }
        return Ok(true);
    }

    let Some(inbound) = to_inbound(c, &citizen, message_id, &msg.content, now, after).await? else {
        return Ok(true);
    };
    if crate::services::satisfaction::handle(state, c, &citizen, message_id, &inbound, after)
        .await?
    {
        return Ok(true);
    }
    converse(
        state,
        c,
        &citizen,
        Some(message_id),
        Some(&msg.id),
        &inbound,
        after,
    )
    .await?;
    Ok(true)
}

/// The transcript form of a message: (type, JSON).
fn transcript_of(content: &Content) -> (&'static str, String) {
    let media = |t: &'static str, m: &Media| {
        (t, json!({"type": t, "caption": m.caption, "filename": m.filename, "mime_type": m.mime_type}).to_string())
    };
    match content {
        Content::Text { body } => ("text", json!({"type": "text", "text": body}).to_string()),
        Content::Image(m) => media("image", m),
        Content::Video(m) => media("video", m),
        Content::Audio { media: m, .. } => media("audio", m),
        Content::Document(m) => media("document", m),
        Content::Sticker { .. } => ("sticker", json!({"type": "sticker"}).to_string()),
        Content::Location { latitude, longitude, name, address, .. } => (
            "location",
            json!({"type": "location", "latitude": latitude, "longitude": longitude, "name": name, "address": address}).to_string(),
        ),
        Content::Contacts(list) => (
            "contacts",
            json!({"type": "contacts", "names": list.iter().map(|c| c.name.clone()).collect::<Vec<_>>()}).to_string(),
        ),
        Content::Interactive(InteractiveReply::ButtonReply { id, title } | InteractiveReply::ListReply { id, title, .. }) => {
            ("interactive", json!({"type": "interactive", "text": title, "id": id}).to_string())
        }
        Content::Button { payload, text } => ("button", json!({"type": "button", "text": text, "id": payload}).to_string()),
        Content::Reaction { emoji, .. } => ("reaction", json!({"type": "reaction", "text": emoji}).to_string()),
        Content::Edit { content, .. } => {
            let (_, inner) = transcript_of(content);
            ("edit", json!({"type": "edit", "edited": serde_json::from_str::<serde_json::Value>(&inner).unwrap_or_default()}).to_string())
        }
        Content::System { body, .. } => ("system", json!({"type": "system", "text": body}).to_string()),
        Content::Unsupported { .. } => ("unsupported", json!({"type": "unsupported"}).to_string()),
        Content::Unknown { type_name, .. } => ("unknown", json!({"type": "unknown", "original_type": type_name}).to_string()),
    }
}

async fn new_attachment(
    c: &mut Conn<'_>,
    citizen: &Citizen,
    message_id: i64,
    kind: &str,
    media: Option<&Media>,
    meta: Option<String>,
    now: i64,
) -> Result<AttachmentRef, StoreError> {
    let id = attachments::insert(
        c,
        &attachments::NewAttachment {
            citizen_id: citizen.id,
            complaint_id: None,
            message_id: Some(message_id),
            role: "evidence",
            kind,
            wa_media_id: media.map(|m| m.id.as_str()),
            mime_type: media.and_then(|m| m.mime_type.as_deref()),
            sha256: media.and_then(|m| m.sha256.as_deref()),
            filename: media.and_then(|m| m.filename.as_deref()),
            caption: media.and_then(|m| m.caption.as_deref()),
            meta: meta.as_deref(),
            now,
        },
    )
    .await?;
    Ok(AttachmentRef(id))
}

/// Turns a WhatsApp message into the intake machine's input (creating attachments).
async fn to_inbound(
    c: &mut Conn<'_>,
    citizen: &Citizen,
    message_id: i64,
    content: &Content,
    now: i64,
    after: &mut AfterCommit,
) -> Result<Option<Inbound>, StoreError> {
    let media_inbound = |kind: MediaKind, att: AttachmentRef, m: &Media| Inbound::Media {
        kind,
        attachment: att,
        caption: m.caption.clone(),
    };
    Ok(Some(match content {
        Content::Text { body } => Inbound::Text(body.clone()),
        Content::Image(m)
        | Content::Video(m)
        | Content::Document(m)
        | Content::Audio { media: m, .. } => {
            let (kind, name) = match content {
                Content::Image(_) => (MediaKind::Image, "image"),
                Content::Video(_) => (MediaKind::Video, "video"),
                Content::Document(_) => (MediaKind::Document, "document"),
                _ => (MediaKind::Audio, "audio"),
            };
            let att = new_attachment(c, citizen, message_id, name, Some(m), None, now).await?;
            after.media = true;
            media_inbound(kind, att, m)
        }
        Content::Location {
            latitude,
            longitude,
            name,
            address,
            ..
        } => {
            let meta = json!({"latitude": latitude, "longitude": longitude, "name": name, "address": address}).to_string();
            let att =
                new_attachment(c, citizen, message_id, "location", None, Some(meta), now).await?;
            Inbound::Location { attachment: att }
        }
        Content::Sticker { .. } => Inbound::Sticker,
        Content::Contacts(_) => Inbound::Contacts,
        Content::Interactive(
            InteractiveReply::ButtonReply { id, title }
            | InteractiveReply::ListReply { id, title, .. },
        ) => Inbound::Button {
            id: id.clone(),
            title: title.clone(),
        },
        Content::Button { payload, text } => Inbound::Button {
            id: payload.clone().or_else(|| text.clone()).unwrap_or_default(),
            title: text.clone().unwrap_or_default(),
        },
        Content::Reaction { .. } => Inbound::Reaction,
        Content::Edit { content, .. } => match content.as_ref() {
            Content::Text { body } => Inbound::Text(body.clone()),
            _ => Inbound::Unsupported,
        },
        Content::System { .. } => return Ok(None),
        Content::Unsupported { .. } | Content::Unknown { .. } => Inbound::Unsupported,
    }))
}

fn parse_consent(s: &str) -> Consent {
    match s {
        "granted" => Consent::Granted,
        "declined" => Consent::Declined,
        _ => Consent::Unknown,
    }
}

fn consent_str(c: Consent) -> &'static str {
    match c {
        Consent::Granted => "granted",
        Consent::Declined => "declined",
        Consent::Unknown => "unknown",
    }
}

/// Builds the intake context for a citizen.
async fn context(
    c: &mut Conn<'_>,
    citizen: &Citizen,
    now: Timestamp,
) -> Result<IntakeContext, StoreError> {
    let consent = parse_consent(&citizen.consent);
    let saved_identity = match (&citizen.identity, consent) {
        (Some(json), Consent::Granted) => serde_json::from_str::<SavedIdentity>(json).ok(),
        _ => None,
    };
    let open_complaints = complaints::open_for_citizen(c, citizen.id)
        .await?
        .into_iter()
        .filter_map(|(_, t, _, _)| Ticket::parse(&t).ok())
        .collect();
    Ok(IntakeContext {
        now,
        saved_identity,
        consent,
        open_complaints,
        profile_name: citizen.profile_name.clone(),
    })
}

/// Runs the intake machine on one input and carries out its outcome.
pub async fn converse(
    state: &AppState,
    c: &mut Conn<'_>,
    citizen: &Citizen,
    message_id: Option<i64>,
    wamid: Option<&str>,
    inbound: &Inbound,
    after: &mut AfterCommit,
) -> Result<(), StoreError> {
    let now_ts = state.clock.now();
    let conversation: ConversationState = if citizen.conversation.is_empty() {
        ConversationState::default()
    } else {
        serde_json::from_str(&citizen.conversation).unwrap_or_default()
    };
    let ctx = context(c, citizen, now_ts).await?;
    let outcome = intake::handle(&conversation, inbound, &ctx);
    let was_idle = conversation.draft().is_none();
    apply_outcome(
        state, c, citizen, message_id, wamid, was_idle, outcome, after,
    )
    .await
}

/// Carries out an intake outcome: state, commands, replies.
pub async fn apply_outcome(
    state: &AppState,
    c: &mut Conn<'_>,
    citizen: &Citizen,
    message_id: Option<i64>,
    wamid: Option<&str>,
    was_idle: bool,
    outcome: Outcome,
    after: &mut AfterCommit,
) -> Result<(), StoreError> {
    let now = state.now_ms();
    let cfg = intake_config(state);
    let state_json = serde_json::to_string(&outcome.state).map_err(store_err)?;
    let timer = outcome
        .state
        .next_timer(&cfg)
        .map(Timestamp::as_millisecond);
    citizens::save_conversation(c, citizen.id, &state_json, timer).await?;

    let texts = state.texts.snapshot();
    let mut first_messages: Vec<(Outgoing, Option<i64>, Option<String>)> = Vec::new();
    let mut completion_done = false;
    for command in &outcome.commands {
        match command {
            Command::Register { draft, reply } => {
                let (complaint, ticket) = register(state, c, citizen, draft, now).await?;
                after.live.push(LiveEvent::Complaint {
                    complaint_id: complaint.id,
                    status: "submitted".into(),
                });
                let r = intake::registered_reply(*reply, &ticket);
                first_messages.push((
                    outgoing(&texts.reply(&r), &r),
                    Some(complaint.id),
                    Some(ticket.to_string()),
                ));
            }
            Command::Status { ticket } => {
                let lines = status_lines(state, c, citizen, ticket.as_ref()).await?;
                let r = intake::status_reply(ticket.as_ref(), &lines);
                first_messages.push((outgoing(&texts.reply(&r), &r), None, None));
            }
            Command::AttachToComplaint { ticket } => {
                if let Some(done) =
                    attach(state, c, citizen, message_id, ticket, now, after).await?
                {
                    completion_done = true;
                    first_messages.push((
                        Outgoing::Text(texts.render(
                            TextKey::CompletionReceived,
                            &[("ticket", &ticket.to_string())],
                        )),
                        Some(done),
                        Some(ticket.to_string()),
                    ));
                }
            }
            Command::SaveIdentity { consent, identity } => {
                let json = match (consent, identity) {
                    (Consent::Granted, Some(id)) => {
                        Some(serde_json::to_string(id).map_err(store_err)?)
                    }
                    _ => None,
                };
                citizens::save_identity(c, citizen.id, json.as_deref(), consent_str(*consent))
                    .await?;
            }
            Command::DiscardAttachments { attachments: refs } => {
                for r in refs {
                    attachments::set_role(c, r.0, "discarded").await?;
                }
            }
        }
    }
    let mut out = first_messages;
    for reply in &outcome.replies {
        if completion_done && reply.has(TextKey::AttachedToComplaint) {
            continue;
        }
        out.push((outgoing(&texts.reply(reply), reply), None, None));
    }
    if out.is_empty() {
        return Ok(());
    }
    let starts_conversation = was_idle && !sla::has_open_first_reply(c, citizen.id).await?;
    if starts_conversation {
        let targets = state.targets.read().await.clone();
        let cal = state.calendar.read().await.clone();
        let due = targets
            .target(
                wani_bares_domain::sla::Step::FirstReply,
                wani_bares_domain::sla::Layer::Sop,
                wani_bares_domain::sla::RequestKind::Complaint,
            )
            .map_or(now, |t| {
                wani_bares_domain::sla::due(wani_bares_store::timestamp(now), &t, &cal)
                    .as_millisecond()
            });
        sla::start(
            c,
            None,
            Some(citizen.id),
            "first_reply",
            "bot",
            now,
            due,
            None,
        )
        .await?;
    }
    for (i, (what, complaint_id, ticket)) in out.iter().enumerate() {
        compose::enqueue(
            c,
            &to_citizen(citizen),
            what,
            &compose::Options {
                complaint_id: *complaint_id,
                ticket: ticket.as_deref(),
                dedupe_key: wamid.map(|w| format!("reply:{w}:{i}")),
                first_reply: starts_conversation && i == 0,
                reply_to: None,
                template: None,
            },
            now,
        )
        .await?;
    }
    after.outbox = true;
    Ok(())
}

/// An intake reply as an outgoing message.
fn outgoing(body: &str, reply: &Reply) -> Outgoing {
    if !reply.buttons.is_empty() {
        Outgoing::Buttons {
            body: body.to_owned(),
            buttons: reply
                .buttons
                .iter()
                .map(|b| (b.id.clone(), b.title.clone()))
                .collect(),
        }
    } else if let Some(list) = &reply.list {
        Outgoing::List {
            body: body.to_owned(),
            button: list.button.clone(),
            rows: list
                .rows
                .iter()
                .map(|r| (r.id.clone(), r.title.clone(), r.description.clone()))
                .collect(),
        }
    } else {
        Outgoing::Text(body.to_owned())
    }
}

/// Masks long digit runs (NIK, KK numbers) inside free text: identity numbers belong in the
/// sealed identity, not in searchable text. Runs of 15 or more digits (spaces, dots and
/// dashes between digits allowed) keep their first 4 and last 2 digits.
pub fn mask_identity_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        let mut digits = 0;
        let mut j = i;
        while j < chars.len() {
            if chars[j].is_ascii_digit() {
                digits += 1;
                end = j + 1;
                j += 1;
            } else if matches!(chars[j], ' ' | '.' | '-')
                && j + 1 < chars.len()
                && chars[j + 1].is_ascii_digit()
            {
                j += 1;
            } else {
                break;
            }
        }
        let run = &chars[start..end];
        if digits >= 15 {
            let mut seen = 0;
            for ch in run {
                if ch.is_ascii_digit() {
                    seen += 1;
                    out.push(if seen <= 4 || seen > digits - 2 {
                        *ch
                    } else {
                        '*'
                    });
                } else {
                    out.push(*ch);
                }
            }
        } else {
            out.extend(run.iter());
        }
        i = end;
    }
    out
}

/// The kecamatan named in a text as "kec. X" or "kecamatan X", if any.
pub fn district_in(text: &str, districts: &[agencies::District]) -> Option<String> {
    let lower = text.to_lowercase();
    for d in districts {
        let name = d.name.to_lowercase();
        for prefix in ["kecamatan ", "kec. ", "kec ", "kec."] {
            if let Some(pos) = lower.find(&format!("{prefix}{name}")) {
                let end = pos + prefix.len() + name.len();
                if lower[end..]
                    .chars()
                    .next()
                    .is_none_or(|ch| !ch.is_alphanumeric())
                {
                    return Some(d.code.clone());
                }
            }
        }
    }
    None
}

/// Allocates the next tracking number for the month of `now` in the office timezone.
pub async fn allocate_ticket(
    state: &AppState,
    c: &mut Conn<'_>,
    now: i64,
) -> Result<Ticket, StoreError> {
    let local = state
        .calendar
        .read()
        .await
        .local(wani_bares_store::timestamp(now));
    let month_key = format!("{:04}{:02}", local.year(), local.month());
    let seq = complaints::next_ticket_seq(c, &month_key).await?;
    Ticket::new(
        local.year(),
        local.month(),
        u32::try_from(seq).unwrap_or(u32::MAX),
    )
    .map_err(store_err)
}

/// Registers a complaint from a complete draft: ticket, sealed identity, attachments,
/// transcript, the admin's verification clock and queue, the audit event. (The demo's
/// sample data uses it too.)
pub async fn register(
    state: &AppState,
    c: &mut Conn<'_>,
    citizen: &Citizen,
    draft: &Draft,
    now: i64,
) -> Result<(complaints::Complaint, Ticket), StoreError> {
    let ticket = allocate_ticket(state, c, now).await?;
    let identity = draft
        .identity()
        .map(|i| json!({"nama": i.nama, "nik": i.nik.as_str(), "alamat": i.alamat}).to_string());
    let text = mask_identity_numbers(draft.aduan.as_deref().unwrap_or_default());
    let summary = compose::excerpt(&text, 160);
    let districts = agencies::districts(c).await?;
    let district = district_in(
        &format!("{text}\n{}", draft.alamat.as_deref().unwrap_or_default()),
        &districts,
    );
    let related = match complaints::last_closed_for_citizen(c, citizen.id).await? {
        Some((id, ..)) => wani_bares_store::ratings::for_complaint(c, id)
            .await?
            .iter()
            .any(|r| r.stage == "unresolved_late")
            .then_some(id),
        None => None,
    };
    let kind = match draft.kind {
        Kind::Aduan => "aduan",
        Kind::Pertanyaan => "pertanyaan",
    };
    let ticket_text = ticket.to_string();
    let id = complaints::insert(
        c,
        &NewComplaint {
            ticket: &ticket_text,
            kind,
            status: Status::Submitted.as_str(),
            citizen_id: citizen.id,
            channel: "whatsapp",
            category_id: None,
            district_code: district.as_deref(),
            identity_json: identity.as_deref(),
            nik_masked: draft
                .nik
                .as_ref()
                .map(wani_bares_domain::nik::Nik::masked)
                .as_deref(),
            nik_outside_magetan: draft.nik_outside_magetan,
            ktp_attachment_id: draft.ktp.map(|r| r.0),
            text: &text,
            summary: &summary,
            related_complaint_id: related,
            now,
        },
    )
    .await?;
    if let Some(ktp) = draft.ktp {
        attachments::set_role(c, ktp.0, "ktp").await?;
    }
    let ids: Vec<i64> = draft.attachments().iter().map(|r| r.0).collect();
    attachments::set_complaint(c, &ids, id).await?;
    messages::attach_conversation(c, citizen.id, 0, id).await?;
    sla::link_first_reply(c, citizen.id, id, 0).await?;
    let complaint = complaints::by_id(c, id)
        .await?
        .ok_or(StoreError::NotFound)?;
    audit::append(
        c,
        &audit::NewEvent {
            at: now,
            actor_user_id: None,
            actor: "citizen",
            action: "submitted",
            complaint_id: Some(id),
            before: None,
            after: Some(Status::Submitted.as_str()),
            detail: Some(if draft.nik_outside_magetan {
                "nik_outside_magetan"
            } else {
                ""
            })
            .filter(|s| !s.is_empty()),
        },
    )
    .await?;
    workflow::run_effects(
        state,
        c,
        &complaint,
        &Who::citizen(),
        &lifecycle::submission_effects(),
        now,
    )
    .await
    .map_err(store_err)?;
    metrics::counter!("complaints_registered_total", "kind" => kind).increment(1);
    Ok((complaint, ticket))
}

/// The lines of a STATUS answer.
async fn status_lines(
    state: &AppState,
    c: &mut Conn<'_>,
    citizen: &Citizen,
    asked: Option<&Ticket>,
) -> Result<Vec<StatusLine>, StoreError> {
    let texts = state.texts.snapshot();
    let cal = state.calendar.read().await.clone();
    let line = |ticket: &str, status: &str, at: i64| -> Option<StatusLine> {
        let ticket = Ticket::parse(ticket).ok()?;
        let status = Status::parse(status).ok()?;
        Some(StatusLine {
            ticket,
            step: texts.get(TextKey::status_step(status)).to_owned(),
            since: intake::format_date_id(cal.local(wani_bares_store::timestamp(at)).date()),
        })
    };
    Ok(match asked {
        Some(t) => match complaints::by_ticket(c, &t.to_string()).await? {
            Some(k) if k.citizen_id == citizen.id => line(&k.ticket, &k.status, k.status_at)
                .into_iter()
                .collect(),
            _ => Vec::new(),
        },
        None => complaints::open_for_citizen(c, citizen.id)
            .await?
            .iter()
            .filter_map(|(_, t, s, at)| line(t, s, *at))
            .collect(),
    })
}

/// Attaches a message to a complaint being handled; an `incomplete` complaint goes back
/// to `submitted` (the citizen completed it). Returns the complaint id when that happened.
async fn attach(
    state: &AppState,
    c: &mut Conn<'_>,
    citizen: &Citizen,
    message_id: Option<i64>,
    ticket: &Ticket,
    now: i64,
    after: &mut AfterCommit,
) -> Result<Option<i64>, StoreError> {
    let Some(complaint) = complaints::by_ticket(c, &ticket.to_string()).await? else {
        return Ok(None);
    };
    if complaint.citizen_id != citizen.id {
        return Ok(None);
    }
    if let Some(mid) = message_id {
        messages::set_complaint(c, mid, complaint.id).await?;
        let atts: Vec<i64> = attachments::for_message(c, mid)
            .await?
            .iter()
            .map(|a| a.id)
            .collect();
        attachments::set_complaint(c, &atts, complaint.id).await?;
        if complaint.ktp_attachment_id.is_none()
            && let Some(first_image) = attachments::for_message(c, mid)
                .await?
                .iter()
                .find(|a| a.kind == "image")
        {
            attachments::set_role(c, first_image.id, "ktp").await?;
            complaints::set_identity(
                c,
                complaint.id,
                None,
                None,
                complaint.nik_outside_magetan,
                Some(first_image.id),
            )
            .await?;
        }
    }
    after.live.push(LiveEvent::Message {
        citizen_id: citizen.id,
        complaint_id: Some(complaint.id),
    });
    if complaint.status == Status::Incomplete.as_str() {
        if let Some(mid) = message_id
            && let Some(m) = messages::for_complaint(c, complaint.id)
                .await?
                .into_iter()
                .find(|m| m.id == mid)
            && let Ok(v) = serde_json::from_str::<serde_json::Value>(&m.body_json)
            && let Some(t) = v.get("text").and_then(|t| t.as_str())
        {
            let extra = format!(
                "\n\n[Kelengkapan dari pelapor] {}",
                mask_identity_numbers(t)
            );
            complaints::append_text(c, complaint.id, &extra, now).await?;
        }
        match workflow::act(
            state,
            c,
            &complaint,
            &Who::citizen(),
            &Action::CitizenCompleted,
        )
        .await
        {
            Ok(_) => {
                after.live.push(LiveEvent::Complaint {
                    complaint_id: complaint.id,
                    status: "submitted".into(),
                });
                return Ok(Some(complaint.id));
            }
            Err(e) => {
                tracing::warn!(complaint_id = complaint.id, error = %e, "completion not applied");
            }
        }
    }
    Ok(None)
}

/// A `failed` status with 131047 (outside the 24-hour window) for a free-form message we
/// sent: send the approved template instead.
pub async fn handle_failed_status(
    _state: &AppState,
    c: &mut Conn<'_>,
    status: &StatusUpdate,
    after: &mut AfterCommit,
) -> Result<(), StoreError> {
    if status.status.as_str() != "failed" || !status.errors.iter().any(|e| e.code == 131_047) {
        return Ok(());
    }
    let Some(row) = outbox::by_wa_message_id(c, &status.id).await? else {
        return Ok(());
    };
    if row.used_template {
        return Ok(());
    }
    let Ok(mut payload) = serde_json::from_str::<compose::Payload>(&row.payload_json) else {
        return Ok(());
    };
    if payload.fallback.is_none() {
        return Ok(());
    }
    payload.force_template = true;
    let json = serde_json::to_string(&payload).map_err(store_err)?;
    let key = format!("template-after-131047:{}", status.id);
    let queued = outbox::enqueue(
        c,
        &outbox::NewOutbox {
            dedupe_key: Some(&key),
            citizen_id: row.citizen_id,
            user_id: row.user_id,
            complaint_id: row.complaint_id,
            message_id: row.message_id,
            to_phone: row.to_phone.as_deref(),
            to_bsuid: row.to_bsuid.as_deref(),
            kind: "template",
            payload_json: &json,
            not_before: 0,
            now: 0,
        },
    )
    .await?;
    if queued.is_some() {
        tracing::info!(wamid = %status.id, "delivery failed outside the 24-hour window: the template is queued");
        after.outbox = true;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_numbers_in_text_are_masked_and_short_numbers_kept() {
        assert_eq!(
            mask_identity_numbers("NIK saya 3520014108900001 ya"),
            "NIK saya 3520**********01 ya"
        );
        assert_eq!(
            mask_identity_numbers("3520 0141 0890 0001"),
            "3520 **** **** **01"
        );
        assert_eq!(
            mask_identity_numbers("RT 03/RW 05, sejak 2024, hub 081234567890"),
            "RT 03/RW 05, sejak 2024, hub 081234567890"
        );
        assert_eq!(mask_identity_numbers(""), "");
        assert_eq!(
            mask_identity_numbers("🙏 3520014108900001🙏"),
            "🙏 3520**********01🙏"
        );
    }

    #[test]
    fn a_kecamatan_is_found_only_when_named_as_one() {
        let d = vec![
            agencies::District {
                code: "35.20.07".into(),
                name: "Plaosan".into(),
            },
            agencies::District {
                code: "35.20.12".into(),
                name: "Barat".into(),
            },
        ];
        assert_eq!(
            district_in("Jalan rusak di Desa Sidomukti, Kec. Plaosan", &d).as_deref(),
            Some("35.20.07")
        );
        assert_eq!(district_in("di sebelah barat pasar", &d), None);
        assert_eq!(
            district_in("kecamatan barat", &d).as_deref(),
            Some("35.20.12")
        );
        assert_eq!(district_in("kec plaosanxyz", &d), None);
    }
}
