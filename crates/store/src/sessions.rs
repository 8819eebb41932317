//! Login sessions for the dashboard (cookie) and the API (bearer token). Only a hash of
//! the token is stored, so a copy of the database does not let anyone log in. Sessions
//! expire and can be revoked.

use crate::{Conn, Millis, StoreError};

/// A live session joined with its user.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Session {
    /// Row id.
    pub id: i64,
    /// The user.
    pub user_id: i64,
    /// `web` or `api`.
    pub kind: String,
    /// Per-session CSRF token for dashboard forms.
    pub csrf_token: String,
    /// Expiry.
    pub expires_at: Millis,
}

/// Creates a session.
pub async fn insert(
    c: &mut Conn<'_>,
    token_hash: &str,
    user_id: i64,
    kind: &str,
    csrf_token: &str,
    now: Millis,
    expires_at: Millis,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = on_conn!(c, c => sqlx::query_as(
        "INSERT INTO sessions (token_hash, user_id, kind, csrf_token, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(kind)
    .bind(csrf_token)
    .bind(now)
    .bind(expires_at)
    .fetch_one(c)
    .await)?;
    Ok(id)
}

/// The live (unexpired, unrevoked) session for a token hash, if any, of an active user.
pub async fn live(
    c: &mut Conn<'_>,
    token_hash: &str,
    now: Millis,
) -> Result<Option<Session>, StoreError> {
    let row = on_conn!(c, c => sqlx::query_as(
        "SELECT s.id, s.user_id, s.kind, s.csrf_token, s.expires_at FROM sessions s
         JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.active",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(c)
    .await)?;
    Ok(row)
}

/// Revokes one session (logout).
pub async fn revoke(c: &mut Conn<'_>, id: i64, now: Millis) -> Result<(), StoreError> {
    on_conn!(c, c => sqlx::query("UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
        .bind(id)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Revokes every session of a user (password change, disable).
pub async fn revoke_all_for_user(
    c: &mut Conn<'_>,
    user_id: i64,
    now: Millis,
) -> Result<u64, StoreError> {
    let done = on_conn!(c, c => sqlx::query(
        "UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
    )
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done)
}

/// Deletes sessions that expired or were revoked before `before`.
pub async fn delete_stale(c: &mut Conn<'_>, before: Millis) -> Result<u64, StoreError> {
    let done = on_conn!(c, c => sqlx::query(
        "DELETE FROM sessions WHERE expires_at < $1 OR revoked_at < $1",
    )
    .bind(before)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done)
}
