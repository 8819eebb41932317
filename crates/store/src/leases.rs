//! Job leases: a periodic job that must run on one instance at a time takes a named lease
//! until a deadline. A lease is taken when free, expired, or already ours.

use crate::{Conn, Millis, StoreError};

/// Takes or renews the lease `name` for `holder` until `until`; false when another holder
/// has it.
pub async fn try_acquire(
    c: &mut Conn<'_>,
    name: &str,
    holder: &str,
    now: Millis,
    until: Millis,
) -> Result<bool, StoreError> {
    let done = on_conn!(c, c => sqlx::query(
        "INSERT INTO job_leases (name, holder, lease_until) VALUES ($1, $2, $4)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
         WHERE job_leases.lease_until < $3 OR job_leases.holder = excluded.holder",
    )
    .bind(name)
    .bind(holder)
    .bind(now)
    .bind(until)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Gives the lease up.
pub async fn release(c: &mut Conn<'_>, name: &str, holder: &str) -> Result<(), StoreError> {
    on_conn!(c, c => sqlx::query("DELETE FROM job_leases WHERE name = $1 AND holder = $2")
        .bind(name)
        .bind(holder)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
