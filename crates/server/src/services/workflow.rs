//! The SOP workflow as a service: builds the domain [`Case`] from the store, asks
//! [`lifecycle::apply`] whether an action is allowed, and carries out the transition and
//! its effects (assignments, messages to the citizen and to officials, deadline records,
//! the audit event) in the caller's transaction. The status change is optimistic: if
//! someone else moved the complaint first, nothing is written and the caller gets
//! [`WorkflowError::Concurrent`].

use jiff::Timestamp;
use wani_bares_domain::lifecycle::{
    self, Action, AgencyAnswer, AssignmentState, AssignmentView, Case, CitizenNotice, Dispatcher,
    Effect, Queue, Status, Transition, TransitionError,
};
use wani_bares_domain::role::{Actor, OpdCode};
use wani_bares_domain::sla::{self, Holder, Layer, RequestKind, Step};
use wani_bares_domain::texts::TextKey;
use wani_bares_domain::ticket::Ticket;
use wani_bares_store::complaints::{Complaint, Stamp};
use wani_bares_store::{
    Conn, StoreError, agencies, assignments, audit, citizens, complaints, notifications, users,
};

use crate::channel::compose::{self, Outgoing};
use crate::state::AppState;

/// Who acts.
#[derive(Clone, Debug)]
pub struct Who {
    /// The staff user, if any.
    pub user_id: Option<i64>,
    /// `user:<username>`, `citizen` or `system`.
    pub label: String,
    /// The domain actor.
    pub actor: Actor,
}

impl Who {
    /// The citizen.
    pub fn citizen() -> Who {
        Who {
            user_id: None,
            label: "citizen".into(),
            actor: Actor::Citizen,
        }
    }

    /// A job.
    pub fn system() -> Who {
        Who {
            user_id: None,
            label: "system".into(),
            actor: Actor::System,
        }
    }
}

/// Why an action did not happen.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    /// The domain refused it.
    #[error(transparent)]
    Refused(#[from] TransitionError),
    /// The complaint changed meanwhile.
    #[error("aduan baru saja diubah oleh petugas lain; muat ulang lalu coba lagi")]
    Concurrent,
    /// A stored value did not parse.
    #[error("corrupt data: {0}")]
    Corrupt(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The workflow options from the configuration.
pub fn options(state: &AppState) -> lifecycle::WorkflowOptions {
    lifecycle::WorkflowOptions {
        kabid_dispatches: state.config.workflow.kabid_dispatches,
        reopen_window_days: state.config.workflow.reopen_window_days,
    }
}

fn ts(ms: i64) -> Timestamp {
    wani_bares_store::timestamp(ms)
}

fn status_of(c: &Complaint) -> Result<Status, WorkflowError> {
    Status::parse(&c.status).map_err(|e| WorkflowError::Corrupt(e.to_string()))
}

/// The complaint as the domain sees it, with the current round's assignments.
pub async fn load_case(
    c: &mut Conn<'_>,
    complaint: &Complaint,
) -> Result<(Case, Vec<assignments::Assignment>), WorkflowError> {
    let all = assignments::for_complaint(c, complaint.id).await?;
    let round: Vec<assignments::Assignment> = all
        .into_iter()
        .filter(|a| a.round == complaint.reopened_count)
        .collect();
    let mut views = Vec::new();
    for a in &round {
        let opd =
            OpdCode::parse(&a.agency_code).map_err(|e| WorkflowError::Corrupt(e.to_string()))?;
        let state = match a.state.as_str() {
            "answered" => AssignmentState::Answered,
            "declined" => AssignmentState::Declined,
            _ => AssignmentState::Pending,
        };
        views.push(AssignmentView {
            opd,
            state,
            opd_name: Some(a.agency_name.clone()),
            answer: match (&a.answer, &a.follow_up) {
                (Some(answer), follow_up) => Some(AgencyAnswer {
                    answer: answer.clone(),
                    follow_up: follow_up.clone().unwrap_or_default(),
                }),
                _ => None,
            },
        });
    }
    let dispatched_by = match complaint.dispatched_by.as_deref() {
        Some("kabid") => Some(Dispatcher::Kabid),
        Some("kadis") => Some(Dispatcher::Kadis),
        _ => None,
    };
    let case = Case {
        status: status_of(complaint)?,
        assignments: views,
        dispatched_by,
        closed_at: complaint.closed_at.map(ts),
    };
    Ok((case, round))
}

fn stamp_for(from: Status, to: Status, action: &Action) -> Stamp {
    match (from, to, action) {
        (_, _, Action::Reopen { .. }) => Stamp::Reopened,
        (Status::Submitted, Status::AtKabid, _) => Stamp::Verified,
        (_, Status::Dispatched, _) if from != Status::Dispatched => Stamp::Dispatched,
        (_, Status::AnswerAtKadis | Status::AnswerAtKabid, _) if from == Status::Dispatched => {
            Stamp::Answered
        }
        (_, Status::Closed, _) => Stamp::Closed,
        (_, Status::Rejected, _) => Stamp::Rejected,
        (_, Status::Withdrawn, _) => Stamp::Withdrawn,
        _ => Stamp::None,
    }
}

/// Applies `action` to `complaint` inside the caller's transaction. On success the
/// complaint's status, assignments, messages, deadline records and audit trail are all
/// written; the caller commits.
pub async fn act(
    state: &AppState,
    c: &mut Conn<'_>,
    complaint: &Complaint,
    who: &Who,
    action: &Action,
) -> Result<Transition, WorkflowError> {
    let (case, _) = load_case(c, complaint).await?;
    let transition = lifecycle::apply(&case, action, &who.actor, &options(state))?;
    let now = state.now_ms();
    let stamp = stamp_for(transition.from, transition.to, action);
    let moved = if transition.from == transition.to && stamp == Stamp::None {
        // Same status (e.g. one answer while others are pending): still guard against a
        // concurrent change by touching the row only if the status is what we read.
        complaints::set_status(
            c,
            complaint.id,
            transition.from.as_str(),
            transition.to.as_str(),
            Stamp::None,
            now,
        )
        .await?
    } else {
        complaints::set_status(
            c,
            complaint.id,
            transition.from.as_str(),
            transition.to.as_str(),
            stamp,
            now,
        )
        .await?
    };
    if !moved {
        return Err(WorkflowError::Concurrent);
    }
    if let Action::SendReply { .. } = action {
        for effect in &transition.effects {
            if let Effect::NotifyCitizen(CitizenNotice::Reply { text }) = effect {
                complaints::set_reply_text(c, complaint.id, text).await?;
            }
        }
    }
    run_effects(state, c, complaint, who, &transition.effects, now).await?;
    let detail = serde_json::to_string(action).ok();
    audit::append(
        c,
        &audit::NewEvent {
            at: now,
            actor_user_id: who.user_id,
            actor: &who.label,
            action: action.name(),
            complaint_id: Some(complaint.id),
            before: Some(transition.from.as_str()),
            after: Some(transition.to.as_str()),
            detail: detail.as_deref(),
        },
    )
    .await?;
    Ok(transition)
}

/// Carries out effects for a complaint (also used at registration with
/// [`lifecycle::submission_effects`]).
pub async fn run_effects(
    state: &AppState,
    c: &mut Conn<'_>,
    complaint: &Complaint,
    who: &Who,
    effects: &[Effect],
    now: i64,
) -> Result<(), WorkflowError> {
    let ticket =
        Ticket::parse(&complaint.ticket).map_err(|e| WorkflowError::Corrupt(e.to_string()))?;
    for effect in effects {
        match effect {
            Effect::CreateAssignments { opds, note } => {
                for code in opds {
                    let agency = agencies::by_code(c, code.as_str()).await?.ok_or_else(|| {
                        TransitionError::Invalid(format!("perangkat daerah {code} tidak dikenal"))
                    })?;
                    if !agency.active {
                        return Err(TransitionError::Invalid(format!(
                            "perangkat daerah {code} tidak aktif"
                        ))
                        .into());
                    }
                    let note = (!note.trim().is_empty()).then_some(note.as_str());
                    assignments::insert(
                        c,
                        complaint.id,
                        complaint.reopened_count,
                        agency.id,
                        note,
                        who.user_id,
                        now,
                    )
                    .await?;
                }
            }
            Effect::SetDispatcher(d) => {
                complaints::set_dispatcher(c, complaint.id, d.as_str()).await?;
            }
            Effect::AssignmentAnswered {
                opd,
                answer,
                follow_up,
            } => {
                let id = pending_assignment(c, complaint, opd).await?;
                assignments::answer(c, id, answer, follow_up, who.user_id, now).await?;
            }
            Effect::AssignmentDeclined { opd, reason } => {
                let id = pending_assignment(c, complaint, opd).await?;
                assignments::decline(c, id, reason, who.user_id, now).await?;
            }
            Effect::NotifyCitizen(notice) => {
                notify_citizen(state, c, complaint, &ticket, notice, now).await?;
            }
            Effect::NotifyQueue(queue) => {
                notify_queue(state, c, complaint, queue, now).await?;
            }
            Effect::StepStarted { step, holder } => {
                start_step(state, c, complaint, *step, holder, now).await?;
            }
            Effect::StepFinished { step, holder } => {
                wani_bares_store::sla::finish(
                    c,
                    complaint.id,
                    step.as_str(),
                    Some(&holder.to_string()),
                    now,
                )
                .await?;
            }
            Effect::CountReopen => {}
        }
    }
    Ok(())
}

async fn pending_assignment(
    c: &mut Conn<'_>,
    complaint: &Complaint,
    opd: &OpdCode,
) -> Result<i64, WorkflowError> {
    assignments::for_complaint(c, complaint.id)
        .await?
        .into_iter()
        .find(|a| a.state == "pending" && a.agency_code == opd.as_str())
        .map(|a| a.id)
        .ok_or(WorkflowError::Refused(TransitionError::NotYourAssignment))
}

/// Starts a deadline record for `step` held by `holder`, due per the configured targets
/// and the office calendar.
pub async fn start_step(
    state: &AppState,
    c: &mut Conn<'_>,
    complaint: &Complaint,
    step: Step,
    holder: &Holder,
    now: i64,
) -> Result<(), WorkflowError> {
    let kind = if complaint.kind == "pertanyaan" {
        RequestKind::Question
    } else {
        RequestKind::Complaint
    };
    let targets = state.targets.read().await.clone();
    let cal = state.calendar.read().await;
    let start = ts(now);
    let due = targets
        .target(step, Layer::Sop, kind)
        .map_or(i64::MAX, |t| sla::due(start, &t, &cal).as_millisecond());
    let national = targets
        .target(step, Layer::National, kind)
        .map(|t| sla::due(start, &t, &cal).as_millisecond());
    drop(cal);
    wani_bares_store::sla::start(
        c,
        Some(complaint.id),
        Some(complaint.citizen_id),
        step.as_str(),
        &holder.to_string(),
        now,
        due,
        national,
    )
    .await?;
    Ok(())
}

/// Sends the citizen a workflow message.
async fn notify_citizen(
    state: &AppState,
    c: &mut Conn<'_>,
    complaint: &Complaint,
    ticket: &Ticket,
    notice: &CitizenNotice,
    now: i64,
) -> Result<(), WorkflowError> {
    let Some(citizen) = citizens::by_id(c, complaint.citizen_id).await? else {
        return Ok(());
    };
    if citizen.phone.is_none() && citizen.bsuid.is_none() {
        tracing::warn!(
            complaint_id = complaint.id,
            "the citizen's contact was erased: no WhatsApp message"
        );
        return Ok(());
    }
    let texts = state.texts.snapshot();
    let (key, params) = TextKey::citizen_notice(notice, ticket);
    let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let text = texts.render(key, &params);
    compose::enqueue(
        c,
        &compose::To {
            citizen_id: Some(citizen.id),
            user_id: None,
            phone: citizen.phone.as_deref(),
            bsuid: citizen.bsuid.as_deref(),
        },
        &Outgoing::Text(text),
        &compose::Options {
            complaint_id: Some(complaint.id),
            ticket: Some(&complaint.ticket),
            ..Default::default()
        },
        now,
    )
    .await?;
    if matches!(notice, CitizenNotice::Reply { .. }) {
        crate::services::satisfaction::ask(state, c, complaint, &citizen, now).await?;
    }
    Ok(())
}

/// A queue's name for staff.
pub fn queue_label(queue: &Queue) -> String {
    match queue {
        Queue::Admin => "Perlu verifikasi / Siap dikirim (Admin)".into(),
        Queue::Kabid => "Kepala Bidang IKP".into(),
        Queue::Kadis => "Kepala Dinas Kominfo".into(),
        Queue::Opd(code) => format!("Disposisi {code}"),
    }
}

/// The audience of a queue: (role, agency id).
pub async fn audience(
    c: &mut Conn<'_>,
    queue: &Queue,
) -> Result<(&'static str, Option<i64>), StoreError> {
    Ok(match queue {
        Queue::Admin => ("admin", None),
        Queue::Kabid => ("kabid", None),
        Queue::Kadis => ("kadis", None),
        Queue::Opd(code) => (
            "opd",
            agencies::by_code(c, code.as_str()).await?.map(|a| a.id),
        ),
    })
}

/// Tells a queue's members: a dashboard notification always, WhatsApp to those with a
/// number configured. `dedupe_key` makes a job's notification appear once.
pub async fn notify(
    c: &mut Conn<'_>,
    complaint: &Complaint,
    queue: &Queue,
    kind: &str,
    text: &str,
    wa_text: &str,
    dedupe_key: Option<&str>,
    now: i64,
) -> Result<bool, StoreError> {
    let (role, agency_id) = audience(c, queue).await?;
    let inserted = notifications::insert(
        c,
        &notifications::NewNotification {
            role: Some(role),
            agency_id,
            user_id: None,
            complaint_id: Some(complaint.id),
            kind,
            text,
            dedupe_key,
            now,
        },
    )
    .await?;
    if inserted.is_none() {
        return Ok(false);
    }
    for user in users::with_role(c, role, agency_id).await? {
        let Some(number) = user.wa_number.as_deref() else {
            continue;
        };
        compose::enqueue(
            c,
            &compose::To {
                citizen_id: None,
                user_id: Some(user.id),
                phone: Some(number),
                bsuid: None,
            },
            &Outgoing::Text(wa_text.to_owned()),
            &compose::Options {
                complaint_id: Some(complaint.id),
                ticket: Some(&complaint.ticket),
                dedupe_key: dedupe_key.map(|k| format!("{k}:wa:{}", user.id)),
                ..Default::default()
            },
            now,
        )
        .await?;
    }
    Ok(true)
}

/// Something landed in a queue.
pub async fn notify_queue(
    state: &AppState,
    c: &mut Conn<'_>,
    complaint: &Complaint,
    queue: &Queue,
    now: i64,
) -> Result<(), WorkflowError> {
    let label = queue_label(queue);
    let text = format!("Aduan {} masuk antrean {label}.", complaint.ticket);
    let texts = state.texts.snapshot();
    let wa_text = texts.render(
        TextKey::OfficialNewItem,
        &[("ticket", &complaint.ticket), ("queue", &label)],
    );
    notify(c, complaint, queue, "queue", &text, &wa_text, None, now).await?;
    Ok(())
}
