//! The periodic job: everything that happens because time passed. One instance runs it at
//! a time (a lease), and every action in it is idempotent, so a second run — or a second
//! instance after the lease moved — does nothing twice:
//! - abandoned intake drafts: one reminder, then expiry ([`wani_bares_domain::intake::on_timer`]);
//! - deadline reminders at 50 %, 80 % and 100 % of each step, then escalation (each level
//!   recorded once per step);
//! - incomplete complaints: one reminder at half the completion window, withdrawn at its end;
//! - rating questions nobody answered expire ("selesai tanpa tanggapan");
//! - KTP photos are deleted `workflow.ktp_retention_months` after their complaint ended;
//! - last month's reports are generated on `report.auto_day`;
//! - expired sessions are deleted.

use wani_bares_domain::intake::{self, ConversationState};
use wani_bares_domain::lifecycle::{Action, Queue, Status};
use wani_bares_domain::sla::{self, Holder, Layer, Level, RequestKind, Step};
use wani_bares_domain::texts::TextKey;
use wani_bares_store::{StoreError, citizens, complaints, leases, ratings, sessions};

use crate::channel::compose::{self, Outgoing};
use crate::channel::processor::AfterCommit;
use crate::services::workflow::{self, Who};
use crate::state::AppState;

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    /// Draft reminders and expiries.
    pub drafts: usize,
    /// Deadline reminders and escalations sent.
    pub reminders: usize,
    /// Incomplete complaints reminded or withdrawn.
    pub completions: usize,
    /// Rating questions expired.
    pub ratings_expired: u64,
}

fn instance_id() -> &'static str {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        format!(
            "{}-{}",
            std::process::id(),
            hex::encode(rand::random::<[u8; 4]>())
        )
    })
}

/// Runs every periodic task once (when this instance holds the lease).
pub async fn run_once(state: &AppState) -> anyhow::Result<Run> {
    let now = state.now_ms();
    {
        let mut tx = state.store.begin().await?;
        let ours = leases::try_acquire(&mut tx.conn(), "timers", instance_id(), now, now + 120_000)
            .await?;
        tx.commit().await?;
        if !ours {
            return Ok(Run::default());
        }
    }
    let mut run = Run {
        drafts: drafts(state).await?,
        reminders: deadlines(state).await?,
        completions: completions(state).await?,
        ..Run::default()
    };
    if let Err(e) = crate::services::privacy::purge_ktp(state).await {
        tracing::error!(error = %e, "KTP purge failed; retried on the next run");
    }
    if let Err(e) = crate::services::reports::scheduled(state).await {
        tracing::error!(error = %e, "scheduled monthly report failed; retried on the next run");
    }
    let window_ms = i64::from(state.config.workflow.reopen_window_days) * 86_400_000;
    let mut tx = state.store.begin().await?;
    run.ratings_expired = ratings::expire_asked(&mut tx.conn(), now - window_ms).await?;
    sessions::delete_stale(&mut tx.conn(), now - 86_400_000).await?;
    tx.commit().await?;
    if run.drafts + run.reminders + run.completions > 0 {
        state.wake.outbox.notify_one();
    }
    Ok(run)
}

/// Reminders and expiry of abandoned intake drafts.
pub async fn drafts(state: &AppState) -> Result<usize, StoreError> {
    let now = state.now_ms();
    let cfg = crate::inbound::intake_config(state);
    let mut tx = state.store.begin().await?;
    let due = citizens::due_timers(&mut tx.conn(), now, 100).await?;
    let mut done = 0;
    let mut after = AfterCommit::default();
    for id in due {
        let Some(citizen) = citizens::by_id(&mut tx.conn(), id).await? else {
            continue;
        };
        let conversation: ConversationState =
            serde_json::from_str(&citizen.conversation).unwrap_or_default();
        if let Some(outcome) = intake::on_timer(&conversation, state.clock.now(), &cfg) {
            crate::inbound::apply_outcome(
                state,
                &mut tx.conn(),
                &citizen,
                None,
                None,
                false,
                outcome,
                &mut after,
            )
            .await?;
            done += 1;
        } else {
            let next = conversation
                .next_timer(&cfg)
                .map(jiff::Timestamp::as_millisecond)
                .filter(|t| *t > now);
            citizens::save_conversation(&mut tx.conn(), id, &citizen.conversation, next).await?;
        }
    }
    tx.commit().await?;
    Ok(done)
}

fn queue_of(holder: &Holder) -> Option<Queue> {
    match holder {
        Holder::Admin => Some(Queue::Admin),
        Holder::Kabid => Some(Queue::Kabid),
        Holder::Kadis => Some(Queue::Kadis),
        Holder::Opd(code) => Some(Queue::Opd(code.clone())),
        Holder::Citizen | Holder::Bot => None,
    }
}

/// Deadline reminders (50 %, 80 %, 100 %) and escalation after a breach.
pub async fn deadlines(state: &AppState) -> Result<usize, StoreError> {
    let now = state.now_ms();
    let now_ts = state.clock.now();
    let targets = state.targets.read().await.clone();
    let cal = state.calendar.read().await.clone();
    let texts = state.texts.snapshot();
    let mut tx = state.store.begin().await?;
    let open = wani_bares_store::sla::open_started_before(&mut tx.conn(), now, 500).await?;
    let mut sent = 0;
    for rec in open {
        let (Ok(step), Ok(holder), Some(complaint_id)) = (
            Step::parse(&rec.step),
            Holder::parse(&rec.holder),
            rec.complaint_id,
        ) else {
            continue;
        };
        let Some(complaint) = complaints::by_id(&mut tx.conn(), complaint_id).await? else {
            continue;
        };
        let kind = if complaint.kind == "pertanyaan" {
            RequestKind::Question
        } else {
            RequestKind::Complaint
        };
        let Some(target) = targets.target(step, Layer::Sop, kind) else {
            continue;
        };
        let start = wani_bares_store::timestamp(rec.started_at);
        let due = wani_bares_store::timestamp(rec.due_at);
        let points = sla::reminder_points(start, due, &target, &cal);
        let already: Vec<Level> = wani_bares_store::sla::reminders_sent(&mut tx.conn(), rec.id)
            .await?
            .iter()
            .filter_map(|l| Level::ALL.into_iter().find(|x| x.as_str() == l))
            .collect();
        let levels = sla::due_reminders(points, now_ts, &already);
        for level in levels {
            if !wani_bares_store::sla::record_reminder(&mut tx.conn(), rec.id, level.as_str(), now)
                .await?
            {
                continue;
            }
            let due_text = intake::format_date_id(cal.local(due).date());
            let due_time = cal.local(due).time().strftime("%H:%M").to_string();
            let text = match level {
                Level::Due => format!(
                    "Terlambat: aduan {} melewati batas waktu langkah {} ({due_text} {due_time}).",
                    complaint.ticket,
                    step.label_id()
                ),
                _ => format!(
                    "Pengingat ({}): aduan {} langkah {} jatuh tempo {due_text} {due_time}.",
                    level.label_id(),
                    complaint.ticket,
                    step.label_id()
                ),
            };
            if let Some(queue) = queue_of(&holder) {
                let key = format!("sla:{}:{}", rec.id, level.as_str());
                if workflow::notify(
                    &mut tx.conn(),
                    &complaint,
                    &queue,
                    "reminder",
                    &text,
                    &format!("[Wani Bares] {text}"),
                    Some(&key),
                    now,
                )
                .await?
                {
                    sent += 1;
                }
            }
            if level == Level::Due {
                if let Some(up) = sla::escalation(step, &holder).and_then(|h| queue_of(&h))
                    && wani_bares_store::sla::record_reminder(
                        &mut tx.conn(),
                        rec.id,
                        "escalated",
                        now,
                    )
                    .await?
                {
                    let text = format!(
                        "Eskalasi: aduan {} terlambat pada {} (langkah {}).",
                        complaint.ticket,
                        holder.label_id(),
                        step.label_id()
                    );
                    let key = format!("sla:{}:escalated", rec.id);
                    if workflow::notify(
                        &mut tx.conn(),
                        &complaint,
                        &up,
                        "escalation",
                        &text,
                        &format!("[Wani Bares] {text}"),
                        Some(&key),
                        now,
                    )
                    .await?
                    {
                        sent += 1;
                    }
                }
                if state.config.workflow.notify_citizen_when_late
                    && step == Step::OpdAnswer
                    && let Some(citizen) =
                        citizens::by_id(&mut tx.conn(), complaint.citizen_id).await?
                    && (citizen.phone.is_some() || citizen.bsuid.is_some())
                {
                    let expected = rec
                        .national_due_at
                        .unwrap_or(rec.due_at + (rec.due_at - rec.started_at));
                    let expected = intake::format_date_id(
                        cal.local(wani_bares_store::timestamp(expected)).date(),
                    );
                    let msg = texts.render(
                        TextKey::SlaLateNotice,
                        &[("ticket", &complaint.ticket), ("expected", &expected)],
                    );
                    compose::enqueue(
                        &mut tx.conn(),
                        &crate::inbound::to_citizen(&citizen),
                        &Outgoing::Text(msg),
                        &compose::Options {
                            complaint_id: Some(complaint.id),
                            ticket: Some(&complaint.ticket),
                            dedupe_key: Some(format!("late:{}", rec.id)),
                            ..Default::default()
                        },
                        now,
                    )
                    .await?;
                }
            }
        }
    }
    tx.commit().await?;
    Ok(sent)
}

/// Incomplete complaints: one reminder at half the completion window, then withdrawal.
pub async fn completions(state: &AppState) -> Result<usize, StoreError> {
    let now = state.now_ms();
    let window = i64::from(state.config.workflow.completion_window_days) * 86_400_000;
    let texts = state.texts.snapshot();
    let mut tx = state.store.begin().await?;
    let mut done = 0;
    for (id, ticket, status_at, reminded) in complaints::in_status_since(
        &mut tx.conn(),
        Status::Incomplete.as_str(),
        now - window / 2,
        100,
    )
    .await?
    {
        let Some(complaint) = complaints::by_id(&mut tx.conn(), id).await? else {
            continue;
        };
        if status_at + window <= now {
            match workflow::act(
                state,
                &mut tx.conn(),
                &complaint,
                &Who::system(),
                &Action::Withdraw,
            )
            .await
            {
                Ok(_) => done += 1,
                Err(e) => tracing::warn!(complaint_id = id, error = %e, "withdrawal failed"),
            }
        } else if reminded.is_none()
            && complaints::mark_reminder_sent(&mut tx.conn(), id, now).await?
        {
            if let Some(citizen) = citizens::by_id(&mut tx.conn(), complaint.citizen_id).await?
                && (citizen.phone.is_some() || citizen.bsuid.is_some())
            {
                let days = ((status_at + window - now) / 86_400_000).max(1).to_string();
                let text = texts.render(
                    TextKey::CompletionReminder,
                    &[("ticket", &ticket), ("days", &days)],
                );
                compose::enqueue(
                    &mut tx.conn(),
                    &crate::inbound::to_citizen(&citizen),
                    &Outgoing::Text(text),
                    &compose::Options {
                        complaint_id: Some(id),
                        ticket: Some(&ticket),
                        dedupe_key: Some(format!("completion-reminder:{id}:{status_at}")),
                        ..Default::default()
                    },
                    now,
                )
                .await?;
            }
            done += 1;
        }
    }
    tx.commit().await?;
    Ok(done)
}
