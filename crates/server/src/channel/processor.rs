//! The inbox processor: turns stored webhook bodies into effects, exactly once.
//!
//! Each pass claims the oldest pending bodies in one write transaction and handles each in
//! a savepoint: a body that fails (a bug, a bad row) is rolled back alone and retried a few
//! times before it becomes poison, without blocking the rest. A body that does not parse
//! (signed, but not a WhatsApp notification) becomes poison at once: kept for staff,
//! never lost. Inside a body every entry, change, message and status is handled; a message
//! is processed once because its id is stored in the same transaction as its effects
//! (`messages.wa_message_id` is unique), so redelivery by Meta — even twenty concurrent
//! copies of one POST — does nothing the second time.

use wani_bares_store::{Conn, StoreError, inbox, messages};

use wani_bares_whatsapp::webhook::{self, Event};

use crate::state::{AppState, LiveEvent};

/// Failures before a body that keeps failing becomes poison.
const MAX_BODY_ATTEMPTS: i64 = 5;
/// Bodies per transaction. Small batches keep the first reply fast under a flood
/// (measured in BENCHMARKS.md: 16 beat 32 and 64 on first-reply latency at 1,000/s).
const BATCH: i64 = 16;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    /// Bodies handled.
    pub bodies: usize,
    /// New messages processed.
    pub messages: usize,
    /// Statuses applied.
    pub statuses: usize,
    /// Bodies that became poison.
    pub poison: usize,
}

/// Effects to announce after commit.
#[derive(Default)]
pub struct AfterCommit {
    /// Dashboard events.
    pub live: Vec<LiveEvent>,
    /// The outbox got rows.
    pub outbox: bool,
    /// Media to download.
    pub media: bool,
    /// Inbound message ids to mark as read on WhatsApp.
    pub mark_read: Vec<String>,
}

/// What became of one body.
enum Mark {
    Done,
    Poison(String),
    Failed(String),
}

/// Processes one batch of pending bodies. Returns what it did.
///
/// On PostgreSQL the bodies are claimed (`FOR UPDATE SKIP LOCKED`), processed and marked
/// in one transaction. On SQLite the inbox is its own file: the bodies are read, processed
/// and committed in the main database, then marked in the inbox; a crash in between makes
/// the next pass process them again, which changes nothing (message ids and statuses are
/// deduplicated in the main transaction).
pub async fn run_once(state: &AppState) -> Result<Pass, StoreError> {
    let mut pass = Pass::default();
    let mut after = AfterCommit::default();
    if state.store.separate_inbox() {
        let events = {
            let mut r = state.store.inbox_reader().await?;
            inbox::pending(&mut r.conn(), BATCH).await?
        };
        if events.is_empty() {
            return Ok(pass);
        }
        let mut tx = state.store.begin().await?;
        let marks = process(state, &mut tx, &events, &mut after, &mut pass).await?;
        tx.commit().await?;
        let mut itx = state.store.inbox_begin().await?;
        apply_marks(state, &mut itx, &marks, &mut pass).await?;
        itx.commit().await?;
    } else {
        let mut tx = state.store.begin().await?;
        let events = inbox::claim_pending(&mut tx.conn(), BATCH).await?;
        let marks = process(state, &mut tx, &events, &mut after, &mut pass).await?;
        apply_marks(state, &mut tx, &marks, &mut pass).await?;
        tx.commit().await?;
    }
    if after.outbox {
        state.wake.outbox.notify_one();
    }
    if after.media {
        state.wake.media.notify_one();
    }
    send_read_receipts(state, std::mem::take(&mut after.mark_read));
    for e in after.live {
        state.publish(e);
    }
    metrics::counter!("inbox_processed_total").increment(pass.bodies as u64);
    Ok(pass)
}

/// Marks processed messages as read (the citizen's blue ticks), after the commit and off
/// the processor's path. A read receipt is not a message: it does not go through the
/// outbox (which would double its rows and writes under a flood), is not retried, and one
/// lost to a crash or an error only leaves grey ticks until our reply arrives. Failures
/// are counted (`mark_read_failed_total`) and logged at debug level.
fn send_read_receipts(state: &AppState, ids: Vec<String>) {
    let Some(graph) = state.graph.clone() else {
        return;
    };
    if ids.is_empty() {
        return;
    }
    tokio::spawn(async move {
        let mut tasks = tokio::task::JoinSet::new();
        for id in ids {
            let graph = graph.clone();
            tasks.spawn(async move { (graph.mark_read(&id).await, id) });
            while tasks.len() >= 16 {
                if let Some(done) = tasks.join_next().await {
                    count_receipt(done);
                }
            }
        }
        while let Some(done) = tasks.join_next().await {
            count_receipt(done);
        }
    });
}

fn count_receipt<E: std::fmt::Display>(
    done: Result<(Result<(), E>, String), tokio::task::JoinError>,
) {
    match done {
        Ok((Ok(()), _)) => metrics::counter!("mark_read_sent_total").increment(1),
        Ok((Err(e), id)) => {
            metrics::counter!("mark_read_failed_total").increment(1);
            tracing::debug!(wamid = %id, error = %e, "read receipt not sent");
        }
        Err(e) => tracing::debug!(error = %e, "read receipt task failed"),
    }
}

async fn process(
    state: &AppState,
    tx: &mut wani_bares_store::Tx,
    events: &[inbox::Event],
    after: &mut AfterCommit,
    pass: &mut Pass,
) -> Result<Vec<(i64, Mark)>, StoreError> {
    let mut marks = Vec::with_capacity(events.len());
    for ev in events {
        pass.bodies += 1;
        let notification = match webhook::parse(&ev.body) {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(inbox_id = ev.id, error = %e, "webhook body does not parse: kept as poison");
                marks.push((ev.id, Mark::Poison(e.to_string())));
                continue;
            }
        };
        tx.savepoint().await?;
        let result =
            handle_notification(state, &mut tx.conn(), ev.id, &notification, after, pass).await;
        match result {
            Ok(()) => {
                tx.release_savepoint().await?;
                marks.push((ev.id, Mark::Done));
            }
            Err(e) => {
                tx.rollback_to_savepoint().await?;
                tracing::error!(inbox_id = ev.id, error = %e, "processing a webhook body failed");
                marks.push((ev.id, Mark::Failed(e.to_string())));
            }
        }
    }
    Ok(marks)
}

async fn apply_marks(
    state: &AppState,
    tx: &mut wani_bares_store::Tx,
    marks: &[(i64, Mark)],
    pass: &mut Pass,
) -> Result<(), StoreError> {
    let now = state.now_ms();
    for (id, mark) in marks {
        match mark {
            Mark::Done => inbox::mark_done(&mut tx.conn(), *id, now).await?,
            Mark::Poison(reason) => {
                inbox::mark_poison(&mut tx.conn(), *id, reason, now).await?;
                pass.poison += 1;
            }
            Mark::Failed(reason) => {
                if inbox::record_failure(&mut tx.conn(), *id, reason, MAX_BODY_ATTEMPTS, now)
                    .await?
                {
                    pass.poison += 1;
                }
            }
        }
    }
    Ok(())
}

async fn handle_notification(
    state: &AppState,
    c: &mut Conn<'_>,
    inbox_id: i64,
    notification: &webhook::Notification,
    after: &mut AfterCommit,
    pass: &mut Pass,
) -> Result<(), StoreError> {
    let our_number = state.config.whatsapp.phone_number_id.as_str();
    for event in &notification.events {
        if let Some(routing) = event.routing()
            && !our_number.is_empty()
            && routing.phone_number_id != our_number
        {
            tracing::warn!(phone_number_id = %routing.phone_number_id, "event for another business number ignored (kept in the inbox)");
            continue;
        }
        match event {
            Event::Message(msg) => {
                if crate::inbound::handle_message(state, c, inbox_id, msg, after).await? {
                    pass.messages += 1;
                }
            }
            Event::Status(status) => {
                let applied = messages::apply_status(
                    c,
                    &messages::StatusUpdate {
                        wa_message_id: &status.id,
                        status: status.status.as_str(),
                        rank: i64::from(status.status.rank()),
                        at: status.timestamp.saturating_mul(1000),
                        error_code: status.errors.first().map(|e| e.code),
                        error_title: status.errors.first().and_then(|e| e.title.as_deref()),
                    },
                )
                .await?;
                if let Some(cb) = &status.biz_opaque_callback_data
                    && crate::channel::sender::reconcile(c, cb, &status.id, state.now_ms()).await?
                {
                    tracing::info!(wamid = %status.id, "a send with an unknown outcome was confirmed by its status");
                }
                if applied {
                    pass.statuses += 1;
                    crate::inbound::handle_failed_status(state, c, status, after).await?;
                }
            }
            Event::Error { error, .. } => {
                tracing::warn!(code = error.code, title = ?error.title, "WhatsApp reported an error in a webhook");
            }
            Event::Malformed { reason, .. } => {
                tracing::warn!(inbox_id, %reason, "a malformed item inside a webhook body was skipped (the body is kept)");
            }
            Event::Ignored { field, .. } => {
                tracing::debug!(%field, "webhook change ignored");
            }
        }
    }
    Ok(())
}
