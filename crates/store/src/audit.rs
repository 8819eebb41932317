//! The audit trail: append-only, hash-chained events. Each event's hash is
//! `SHA-256(prev_hash ‖ "\n" ‖ canonical JSON of its fields)`, the first event chaining from
//! 64 zeros. Appends are serialised (SQLite's single writer; a transaction-scoped advisory
//! lock on PostgreSQL) so the chain never forks. [`verify`] walks the whole chain and names
//! the first broken link. Events hold no personal data (identity views record who and why,
//! not what), so erasing a citizen never breaks the chain.

use sha2::{Digest, Sha256};

use crate::{Backend, Conn, Millis, StoreError};

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const ADVISORY_LOCK: i64 = 0x0057_4241_5544_4954; // "WBAUDIT"

/// A new event.
#[derive(Clone, Debug)]
pub struct NewEvent<'a> {
    /// When.
    pub at: Millis,
    /// The staff user, if any.
    pub actor_user_id: Option<i64>,
    /// A readable actor: `user:<username>`, `citizen`, `system`.
    pub actor: &'a str,
    /// What happened: an action name (`verify`), `login`, `view_identity`, …
    pub action: &'a str,
    /// The complaint concerned.
    pub complaint_id: Option<i64>,
    /// State before (e.g. a status).
    pub before: Option<&'a str>,
    /// State after.
    pub after: Option<&'a str>,
    /// Details (JSON or text): a reason, a note.
    pub detail: Option<&'a str>,
}

/// A stored event.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize)]
pub struct Event {
    /// Position in the chain (1-based).
    pub seq: i64,
    /// When.
    pub at: Millis,
    /// Staff user id.
    pub actor_user_id: Option<i64>,
    /// Actor.
    pub actor: String,
    /// Action.
    pub action: String,
    /// Complaint.
    pub complaint_id: Option<i64>,
    /// Before.
    pub before: Option<String>,
    /// After.
    pub after: Option<String>,
    /// Detail.
    pub detail: Option<String>,
    /// Previous event's hash.
    pub prev_hash: String,
    /// This event's hash.
    pub hash: String,
}

fn hash_of(
    prev: &str,
    seq: i64,
    at: Millis,
    actor_user_id: Option<i64>,
    actor: &str,
    action: &str,
    complaint_id: Option<i64>,
    before: Option<&str>,
    after: Option<&str>,
    detail: Option<&str>,
) -> String {
    let canonical = serde_json::json!([
        seq,
        at,
        actor_user_id,
        actor,
        action,
        complaint_id,
        before,
        after,
        detail
    ])
    .to_string();
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(canonical.as_bytes());
    hex::encode(h.finalize())
}

/// Appends an event to the chain inside the current write transaction.
pub async fn append(c: &mut Conn<'_>, e: &NewEvent<'_>) -> Result<i64, StoreError> {
    if c.backend() == Backend::Postgres {
        on_conn!(c, c => sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(ADVISORY_LOCK).execute(c).await.map(|r| r.rows_affected()))?;
    }
    let last: Option<(i64, String)> = on_conn!(c, c => sqlx::query_as(
        "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
    )
    .fetch_optional(c)
    .await)?;
    let (seq, prev) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_owned()),
    };
    let hash = hash_of(
        &prev,
        seq,
        e.at,
        e.actor_user_id,
        e.actor,
        e.action,
        e.complaint_id,
        e.before,
        e.after,
        e.detail,
    );
    on_conn!(c, c => sqlx::query(
        "INSERT INTO audit_events (seq, at, actor_user_id, actor, action, complaint_id, before, after, detail, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(seq)
    .bind(e.at)
    .bind(e.actor_user_id)
    .bind(e.actor)
    .bind(e.action)
    .bind(e.complaint_id)
    .bind(e.before)
    .bind(e.after)
    .bind(e.detail)
    .bind(&prev)
    .bind(&hash)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(seq)
}

const SELECT: &str = "SELECT seq, at, actor_user_id, actor, action, complaint_id, before, after, detail, prev_hash, hash FROM audit_events";

/// The events of a complaint, in order (its timeline).
pub async fn for_complaint(c: &mut Conn<'_>, complaint_id: i64) -> Result<Vec<Event>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE complaint_id = $1 ORDER BY seq"));
    let rows = on_conn!(c, c => sqlx::query_as(sql).bind(complaint_id).fetch_all(c).await)?;
    Ok(rows)
}

/// The most recent events (all complaints), newest first.
pub async fn recent(c: &mut Conn<'_>, limit: i64) -> Result<Vec<Event>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY seq DESC LIMIT $1"));
    let rows = on_conn!(c, c => sqlx::query_as(sql).bind(limit).fetch_all(c).await)?;
    Ok(rows)
}

/// Events with `action` between `[from, to)` (report input: status history).
pub async fn with_actions_between(
    c: &mut Conn<'_>,
    from: Millis,
    to: Millis,
) -> Result<Vec<Event>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE at >= $1 AND at < $2 AND complaint_id IS NOT NULL ORDER BY seq"
    ));
    let rows = on_conn!(c, c => sqlx::query_as(sql).bind(from).bind(to).fetch_all(c).await)?;
    Ok(rows)
}

/// Result of walking the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verification {
    /// Every link holds; the number of events.
    Intact(i64),
    /// The first event whose stored hash or link does not match.
    Broken {
        /// Its position.
        seq: i64,
        /// What is wrong.
        reason: String,
    },
}

/// Walks the whole chain in order and checks every link.
pub async fn verify(c: &mut Conn<'_>) -> Result<Verification, StoreError> {
    let mut prev = GENESIS.to_owned();
    let mut expected_seq = 1;
    let mut after = 0i64;
    loop {
        let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE seq > $1 ORDER BY seq LIMIT 5000"));
        let rows: Vec<Event> =
            on_conn!(c, c => sqlx::query_as(sql).bind(after).fetch_all(c).await)?;
        if rows.is_empty() {
            return Ok(Verification::Intact(expected_seq - 1));
        }
        for e in rows {
            if e.seq != expected_seq {
                return Ok(Verification::Broken {
                    seq: expected_seq,
                    reason: format!("event {expected_seq} is missing (next is {})", e.seq),
                });
            }
            if e.prev_hash != prev {
                return Ok(Verification::Broken {
                    seq: e.seq,
                    reason: "its prev_hash does not match the previous event".into(),
                });
            }
            let recomputed = hash_of(
                &prev,
                e.seq,
                e.at,
                e.actor_user_id,
                &e.actor,
                &e.action,
                e.complaint_id,
                e.before.as_deref(),
                e.after.as_deref(),
                e.detail.as_deref(),
            );
            if recomputed != e.hash {
                return Ok(Verification::Broken {
                    seq: e.seq,
                    reason: "its content does not match its hash (edited)".into(),
                });
            }
            prev = e.hash;
            after = e.seq;
            expected_seq += 1;
        }
    }
}
