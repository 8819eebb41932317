//! The outbox worker: sends queued messages through the Graph API.
//!
//! - Claims due rows under a lease (a crashed process's rows come back after the lease).
//! - Paces sends: global rate and per-recipient pair limit ([`super::pacing`]).
//! - Outside the recipient's 24-hour window (from their last inbound message) a free-form
//!   message goes out as the configured approved template; a 131047 answer does the same.
//! - Transient and throttling errors: exponential backoff with jitter, then a dead letter.
//! - Permanent errors: dead letter, shown to staff, retryable by them.
//! - 190 (token expired): an alert for staff; the message is held (not lost), each
//!   message is tried once; the first successful send (or the next start, with a new
//!   token) releases every held message, and staff can retry by hand.
//! - Outcome unknown (timeout after the request left): recorded as `unknown`, never resent
//!   blindly; a status webhook carrying our `biz_opaque_callback_data` reconciles it.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, Notify};
use tokio_util::sync::CancellationToken;
use wani_bares_store::{Store, StoreError, citizens, messages, notifications, outbox, sla};
use wani_bares_whatsapp::client::{ErrorClass, GraphClient, SendError};
use wani_bares_whatsapp::outbound::{OutboundMessage, Recipient, Template};

use super::compose::Payload;
use super::pacing::Pacer;
use crate::clock::Clock;
use crate::config::WhatsappConfig;

/// Attempts before a transient failure becomes a dead letter.
const MAX_ATTEMPTS: i64 = 12;
/// Rows one pass claims: the in-flight window (what a crash may send twice).
pub const PASS_ROWS: i64 = 128;
/// Sends one pass runs at once: a pass takes at most two rounds of sends.
const PASS_CONCURRENCY: usize = 64;
/// How long a claimed row is ours. A pass finishes well within it (sends time out after
/// `request_timeout_seconds`, in at most two rounds); a row still `sending` after it
/// belongs to a process that died, and is sent again (the in-flight window).
const LEASE_MS: i64 = 30_000;
/// 24 hours in milliseconds.
const WINDOW_MS: i64 = 24 * 3600 * 1000;
/// The prefix of our `biz_opaque_callback_data`.
pub const CALLBACK_PREFIX: &str = "wb-outbox:";

/// The worker's shared state.
pub struct Sender {
    store: Store,
    clock: Arc<dyn Clock>,
    client: Option<GraphClient>,
    config: WhatsappConfig,
    pacer: Mutex<Pacer>,
    /// Wakes the worker when something was queued.
    pub wake: Arc<Notify>,
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    /// Rows claimed.
    pub claimed: usize,
    /// Rows sent.
    pub sent: usize,
}

impl Sender {
    /// A worker. Without a client (WhatsApp not configured) nothing is sent and rows wait.
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        client: Option<GraphClient>,
        config: WhatsappConfig,
        wake: Arc<Notify>,
    ) -> Sender {
        let pacer = Pacer::new(
            config.rate_per_second,
            config.pair_burst,
            Duration::from_secs(u64::from(config.pair_interval_seconds)),
        );
        Sender {
            store,
            clock,
            client,
            config,
            pacer: Mutex::new(pacer),
            wake,
        }
    }

    /// Runs until cancelled. At start, messages held after a 190 (expired token) go back
    /// to the queue: the token is configuration, so a start is when a new one arrives.
    pub async fn run(self: Arc<Self>, cancel: CancellationToken) {
        if self.client.is_some() {
            let now = self.clock.now().as_millisecond();
            let released = async {
                let mut tx = self.store.begin().await?;
                let n = outbox::release_held(&mut tx.conn(), now).await?;
                tx.commit().await?;
                Ok::<u64, StoreError>(n)
            }
            .await;
            match released {
                Ok(n) if n > 0 => {
                    tracing::info!(released = n, "held messages returned to the queue at start");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not release held messages"),
            }
        }
        let mut last_recovery = 0i64;
        loop {
            if cancel.is_cancelled() {
                return;
            }
            let now = self.clock.now().as_millisecond();
            if now - last_recovery > 10_000 {
                last_recovery = now;
                if let Err(e) = self.recover().await {
                    tracing::warn!(error = %e, "outbox lease recovery failed");
                }
            }
            let pass = match self.run_once().await {
                Ok(p) => p,
                Err(e) => {
                    tracing::error!(error = %e, "outbox pass failed");
                    Pass::default()
                }
            };
            if pass.claimed > 0 {
                continue;
            }
            let sleep = self.idle_wait().await;
            tokio::select! {
                () = cancel.cancelled() => return,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(sleep) => {}
            }
        }
    }

    async fn idle_wait(&self) -> Duration {
        let now = self.clock.now().as_millisecond();
        let next = async {
            let mut r = self.store.reader().await.ok()?;
            outbox::next_due(&mut r.conn()).await.ok().flatten()
        }
        .await;
        match next {
            Some(t) if t > now => Duration::from_millis(((t - now) as u64).min(1000)),
            Some(_) => Duration::from_millis(5),
            None => Duration::from_secs(1),
        }
    }

    /// Returns rows of a dead process to the queue.
    pub async fn recover(&self) -> Result<u64, StoreError> {
        let now = self.clock.now().as_millisecond();
        let mut tx = self.store.begin().await?;
        let n = outbox::recover_expired_leases(&mut tx.conn(), now).await?;
        tx.commit().await?;
        if n > 0 {
            tracing::warn!(
                rows = n,
                "outbox rows returned to the queue after an expired lease"
            );
        }
        Ok(n)
    }

    /// Claims and sends one batch of due rows.
    pub async fn run_once(&self) -> Result<Pass, StoreError> {
        let Some(client) = self.client.clone() else {
            return Ok(Pass::default());
        };
        let now = self.clock.now().as_millisecond();
        let mut tx = self.store.begin().await?;
        let rows = outbox::claim_due(&mut tx.conn(), now, now + LEASE_MS, PASS_ROWS).await?;
        tx.commit().await?;
        let claimed = rows.len();
        let mut tasks = tokio::task::JoinSet::new();
        let mut deferred = Vec::new();
        let mut sent = Vec::new();
        let mut retry = Vec::new();
        for row in rows {
            // A mark-read is an API call, not a message to the citizen: it is not paced.
            if row.kind != "mark_read" {
                let recipient = row
                    .to_phone
                    .clone()
                    .or_else(|| row.to_bsuid.clone())
                    .unwrap_or_default();
                let now = self.clock.now().as_millisecond();
                let paced = self.pacer.lock().await.try_take(&recipient, now);
                if let Err(at) = paced {
                    deferred.push((row.id, at));
                    continue;
                }
            }
            let this = SendJob {
                store: self.store.clone(),
                clock: self.clock.clone(),
                client: client.clone(),
                template_name: self.config.template_name.clone(),
                template_language: self.config.template_language.clone(),
            };
            tasks.spawn(async move { this.send(row).await });
            while tasks.len() >= PASS_CONCURRENCY {
                if let Some(done) = tasks.join_next().await {
                    Self::absorb(done, &mut sent, &mut retry);
                }
            }
        }
        while let Some(done) = tasks.join_next().await {
            Self::absorb(done, &mut sent, &mut retry);
        }
        // Successful sends and deferrals of the whole pass are recorded in one commit.
        let soon = self.clock.now().as_millisecond() + 1_000;
        deferred.extend(retry.into_iter().map(|id| (id, soon)));
        if !sent.is_empty() || !deferred.is_empty() {
            let done_at = self.clock.now().as_millisecond();
            let mut tx = self.store.begin().await?;
            for (id, at) in &deferred {
                outbox::defer(&mut tx.conn(), *id, *at).await?;
            }
            let mut resolved = false;
            for s in &sent {
                outbox::mark_sent(&mut tx.conn(), s.row_id, &s.wamid, s.used_template, done_at)
                    .await?;
                if let Some(mid) = s.message_id {
                    messages::mark_sent(&mut tx.conn(), mid, &s.wamid, &s.kind).await?;
                }
                if let Some(cid) = s.first_reply_of {
                    sla::finish_first_reply(&mut tx.conn(), cid, done_at).await?;
                }
            }
            if sent.iter().any(|s| s.kind != "mark_read") {
                resolved =
                    notifications::resolve_alert(&mut tx.conn(), "token_expired", done_at).await?;
                if resolved {
                    let released = outbox::release_held(&mut tx.conn(), done_at).await?;
                    tracing::info!(released, "access token works again; held messages released");
                }
            }
            tx.commit().await?;
            if resolved {
                self.wake.notify_one();
            }
            metrics::counter!("outbox_sent_total").increment(sent.len() as u64);
        }
        Ok(Pass {
            claimed,
            sent: sent.len(),
        })
    }

    fn absorb(
        done: Result<Result<Outcome, StoreError>, tokio::task::JoinError>,
        sent: &mut Vec<SentRecord>,
        retry: &mut Vec<i64>,
    ) {
        match done {
            Ok(Ok(Outcome::Sent(record))) => sent.push(record),
            Ok(Ok(Outcome::NotSent)) => {}
            Ok(Ok(Outcome::Retry(id))) => retry.push(id),
            Ok(Err(e)) => {
                tracing::error!(error = %e, "recording a send failure failed; the lease will return the row");
            }
            Err(e) => {
                tracing::error!(error = %e, "send task failed");
            }
        }
    }
}

/// A successful send, recorded with the others of its pass.
struct SentRecord {
    row_id: i64,
    wamid: String,
    used_template: bool,
    message_id: Option<i64>,
    kind: String,
    first_reply_of: Option<i64>,
}

enum Outcome {
    Sent(SentRecord),
    NotSent,
    /// Nothing left for Meta (the database could not be read first): back to the queue
    /// in a second instead of waiting for the lease.
    Retry(i64),
}

struct SendJob {
    store: Store,
    clock: Arc<dyn Clock>,
    client: GraphClient,
    template_name: String,
    template_language: String,
}

fn backoff_ms(attempts: i64, base_ms: i64, at_least_ms: i64) -> i64 {
    let exp = base_ms.saturating_mul(1i64 << (attempts.clamp(1, 12) - 1));
    let capped = exp.min(15 * 60 * 1000).max(at_least_ms);
    let jitter = 0.5 + rand::random::<f64>();
    (capped as f64 * jitter) as i64
}

impl SendJob {
    async fn window_open(&self, row: &outbox::Item, now: i64) -> Result<bool, StoreError> {
        let mut r = self.store.reader().await?;
        let citizen = match (row.citizen_id, row.to_phone.as_deref()) {
            (Some(id), _) => citizens::by_id(&mut r.conn(), id).await?,
            (None, Some(phone)) => citizens::by_phone(&mut r.conn(), phone).await?,
            (None, None) => None,
        };
        Ok(citizen
            .and_then(|c| c.last_inbound_at)
            .is_some_and(|t| now - t < WINDOW_MS))
    }

    fn template_for(&self, row: &outbox::Item, payload: &Payload) -> Option<serde_json::Value> {
        let fallback = payload.fallback.as_ref()?;
        let to = match (&row.to_phone, &row.to_bsuid) {
            (Some(p), _) => Recipient::Phone(p.clone()),
            (None, Some(b)) => Recipient::Bsuid(b.clone()),
            (None, None) => return None,
        };
        let (name, language, quick) = match &payload.template {
            Some(t) => (t.name.clone(), t.language.clone(), t.quick_replies.clone()),
            None => (
                self.template_name.clone(),
                self.template_language.clone(),
                Vec::new(),
            ),
        };
        let mut template =
            Template::new(name, language).body_params(fallback.params.iter().map(|p| {
                if p.trim().is_empty() {
                    "-".to_owned()
                } else {
                    p.clone()
                }
            }));
        if !quick.is_empty() {
            template = template.quick_reply_payloads(quick);
        }
        OutboundMessage::template(to, template)
            .ok()
            .map(|m| m.to_json())
    }

    async fn send(self, row: outbox::Item) -> Result<Outcome, StoreError> {
        let now = self.clock.now().as_millisecond();
        let payload: Payload = match serde_json::from_str(&row.payload_json) {
            Ok(p) => p,
            Err(e) => {
                self.finish(&row, "dead", &format!("unreadable payload: {e}"), None)
                    .await?;
                return Ok(Outcome::NotSent);
            }
        };
        if row.kind == "mark_read" {
            let id = payload
                .wire
                .get("message_id")
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            return match self.client.mark_read(id).await {
                Ok(()) => Ok(Outcome::Sent(SentRecord {
                    row_id: row.id,
                    wamid: id.to_owned(),
                    used_template: false,
                    message_id: None,
                    kind: row.kind.clone(),
                    first_reply_of: None,
                })),
                Err(e) => self.failed(&row, &payload, &e, false).await,
            };
        }
        let mut wire = payload.wire.clone();
        let mut used_template = row.used_template;
        let window_open = if !used_template && payload.fallback.is_some() && !payload.force_template
        {
            match self.window_open(&row, now).await {
                Ok(open) => open,
                Err(e) => {
                    tracing::warn!(outbox_id = row.id, error = %e, "could not read the 24-hour window; retried shortly");
                    return Ok(Outcome::Retry(row.id));
                }
            }
        } else {
            true
        };
        if !used_template
            && payload.fallback.is_some()
            && (payload.force_template || !window_open)
            && let Some(t) = self.template_for(&row, &payload)
        {
            wire = t;
            used_template = true;
        }
        if let Some(obj) = wire.as_object_mut() {
            obj.insert(
                "biz_opaque_callback_data".into(),
                serde_json::Value::String(format!("{CALLBACK_PREFIX}{}", row.id)),
            );
        }
        let started = std::time::Instant::now();
        let result = self.client.send_json(&wire).await;
        metrics::histogram!("graph_send_seconds").record(started.elapsed().as_secs_f64());
        match result {
            Ok(sent) => Ok(Outcome::Sent(SentRecord {
                row_id: row.id,
                wamid: sent.wamid,
                used_template,
                message_id: row.message_id,
                kind: if used_template {
                    "template".to_owned()
                } else {
                    row.kind.clone()
                },
                first_reply_of: if payload.first_reply {
                    row.citizen_id
                } else {
                    None
                },
            })),
            Err(e) => self.failed(&row, &payload, &e, used_template).await,
        }
    }

    async fn finish(
        &self,
        row: &outbox::Item,
        state: &str,
        error: &str,
        code: Option<i64>,
    ) -> Result<(), StoreError> {
        let mut tx = self.store.begin().await?;
        outbox::finish_failed(&mut tx.conn(), row.id, state, error, code).await?;
        if let Some(mid) = row.message_id {
            messages::set_delivery(&mut tx.conn(), mid, state, Some(error)).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn failed(
        &self,
        row: &outbox::Item,
        payload: &Payload,
        err: &SendError,
        used_template: bool,
    ) -> Result<Outcome, StoreError> {
        let now = self.clock.now().as_millisecond();
        let code = err.code();
        let text = err.to_string();
        let class = err.class();
        metrics::counter!("outbox_failures_total", "class" => format!("{class:?}")).increment(1);
        tracing::warn!(outbox_id = row.id, attempts = row.attempts, ?class, code, error = %text, "send failed");
        match class {
            ErrorClass::Retryable | ErrorClass::RateLimited => {
                if row.attempts >= MAX_ATTEMPTS {
                    self.finish(
                        row,
                        "dead",
                        &format!("gave up after {} attempts: {text}", row.attempts),
                        code,
                    )
                    .await?;
                    return Ok(Outcome::NotSent);
                }
                let (base, at_least) = if class == ErrorClass::RateLimited {
                    let hint = err.retry_after().map_or(0, |d| d.as_millis() as i64);
                    (5_000, hint)
                } else {
                    (1_000, 0)
                };
                let next = now + backoff_ms(row.attempts, base, at_least);
                let mut tx = self.store.begin().await?;
                outbox::retry_later(&mut tx.conn(), row.id, next, &text, code).await?;
                tx.commit().await?;
                Ok(Outcome::NotSent)
            }
            ErrorClass::ReEngagement => {
                let template = if used_template {
                    None
                } else {
                    self.template_for(row, payload)
                };
                if let Some(t) = template {
                    let mut p = payload.clone();
                    p.wire = t;
                    p.fallback = None;
                    let json = serde_json::to_string(&p)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    let mut tx = self.store.begin().await?;
                    outbox::replace_payload(&mut tx.conn(), row.id, "template", &json, now).await?;
                    tx.commit().await?;
                    tracing::info!(
                        outbox_id = row.id,
                        "outside the 24-hour window: sending the template instead"
                    );
                } else {
                    self.finish(row, "dead", &text, code).await?;
                }
                Ok(Outcome::NotSent)
            }
            ErrorClass::AuthExpired => {
                let mut tx = self.store.begin().await?;
                outbox::finish_failed(&mut tx.conn(), row.id, "held", &text, code).await?;
                notifications::raise_alert(
                    &mut tx.conn(),
                    "token_expired",
                    &format!("Token akses WhatsApp tidak berlaku (kode {}). Pesan ditahan sampai token diperbarui. {text}", code.unwrap_or(0)),
                    now,
                )
                .await?;
                tx.commit().await?;
                Ok(Outcome::NotSent)
            }
            ErrorClass::TemplateConfig => {
                let mut tx = self.store.begin().await?;
                outbox::finish_failed(&mut tx.conn(), row.id, "dead", &text, code).await?;
                notifications::raise_alert(
                    &mut tx.conn(),
                    "template_config",
                    &format!("Template WhatsApp bermasalah (kode {}): periksa nama, bahasa dan parameter template. {text}", code.unwrap_or(0)),
                    now,
                )
                .await?;
                tx.commit().await?;
                Ok(Outcome::NotSent)
            }
            ErrorClass::Permanent => {
                self.finish(row, "dead", &text, code).await?;
                Ok(Outcome::NotSent)
            }
            ErrorClass::Unknown => {
                self.finish(row, "unknown", &text, code).await?;
                Ok(Outcome::NotSent)
            }
        }
    }
}

/// Reconciles a status webhook with an outbox row whose send outcome was unknown (or that
/// is still marked sending): the status proves Meta accepted it.
pub async fn reconcile(
    c: &mut wani_bares_store::Conn<'_>,
    callback: &str,
    wamid: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let Some(id) = callback
        .strip_prefix(CALLBACK_PREFIX)
        .and_then(|s| s.parse::<i64>().ok())
    else {
        return Ok(false);
    };
    let Some(row) = outbox::by_id(c, id).await? else {
        return Ok(false);
    };
    if row.state != "unknown" && row.state != "sending" {
        return Ok(false);
    }
    outbox::mark_sent(c, id, wamid, row.used_template, now).await?;
    if let Some(mid) = row.message_id {
        messages::mark_sent(c, mid, wamid, &row.kind).await?;
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::backoff_ms;

    #[test]
    fn backoff_grows_is_capped_and_honours_a_hint() {
        let first = backoff_ms(1, 1000, 0);
        assert!((500..=1500).contains(&first), "{first}");
        let tenth = backoff_ms(10, 1000, 0);
        assert!((256_000..=768_000).contains(&tenth), "{tenth}");
        let huge = backoff_ms(12, 1_000_000, 0);
        assert!(huge <= 15 * 60 * 1000 * 3 / 2);
        assert!(backoff_ms(1, 1000, 60_000) >= 30_000);
    }
}
