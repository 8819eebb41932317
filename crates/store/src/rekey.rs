//! Key rotation for sealed columns: re-seals every value not sealed with the vault's
//! current key, in batches, so a rotation can run while the service runs.

use crate::vault::Vault;
use crate::{Conn, StoreError};

/// Every sealed column: (table, id column, sealed column).
pub const SEALED_COLUMNS: &[(&str, &str, &str)] = &[
    ("inbox", "id", "body_enc"),
    ("messages", "id", "body_enc"),
    ("citizens", "id", "identity_enc"),
    ("citizens", "id", "conversation_enc"),
    ("complaints", "id", "identity_enc"),
    ("outbox", "id", "payload_enc"),
];

/// Re-seals one column; returns how many values changed.
pub async fn reseal_column(
    c: &mut Conn<'_>,
    table: &str,
    id_col: &str,
    col: &str,
    batch: i64,
) -> Result<u64, StoreError> {
    if !SEALED_COLUMNS.contains(&(table, id_col, col)) {
        return Err(StoreError::Config(format!(
            "{table}.{col} is not a sealed column"
        )));
    }
    let current = c.vault().current_key_id();
    let select = format!(
        "SELECT {id_col}, {col} FROM {table} WHERE {id_col} > $1 AND {col} IS NOT NULL ORDER BY {id_col} LIMIT $2"
    );
    let update = format!("UPDATE {table} SET {col} = $2 WHERE {id_col} = $1");
    let mut changed = 0;
    let mut after = 0i64;
    loop {
        let rows: Vec<(i64, Vec<u8>)> = on_conn!(c, c => sqlx::query_as(sqlx::AssertSqlSafe(select.clone()))
            .bind(after)
            .bind(batch)
            .fetch_all(c)
            .await)?;
        if rows.is_empty() {
            return Ok(changed);
        }
        for (id, sealed) in rows {
            after = id;
            if Vault::sealed_key_id(&sealed) == Some(current) {
                continue;
            }
            let plain = c.vault().open(&sealed)?;
            let resealed = c.vault().seal(&plain);
            on_conn!(c, c => sqlx::query(sqlx::AssertSqlSafe(update.clone()))
                .bind(id)
                .bind(resealed)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
            changed += 1;
        }
    }
}
