//! Staff accounts. Passwords arrive here already hashed (argon2id, in the server); the
//! store never sees a clear password. Failed logins are counted per account for lockout.

use crate::{Conn, Millis, StoreError};

/// A staff account with its agency code (for `opd` users).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct User {
    /// Row id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Display name.
    pub name: String,
    /// One of `superadmin`, `admin`, `kabid`, `kadis`, `opd`, `viewer`.
    pub role: String,
    /// The agency of an `opd` user.
    pub agency_id: Option<i64>,
    /// The agency's code.
    pub agency_code: Option<String>,
    /// PHC-format argon2id hash.
    pub password_hash: String,
    /// WhatsApp number for queue notifications, normalised digits.
    pub wa_number: Option<String>,
    /// Disabled accounts cannot log in.
    pub active: bool,
    /// Consecutive failed logins.
    pub failed_logins: i64,
    /// Locked until this time after too many failures.
    pub locked_until: Option<Millis>,
    /// When the password was last set.
    pub password_changed_at: Millis,
}

const SELECT: &str = "SELECT u.id, u.username, u.name, u.role, u.agency_id, a.code AS agency_code,
    u.password_hash, u.wa_number, u.active, u.failed_logins, u.locked_until, u.password_changed_at
    FROM users u LEFT JOIN agencies a ON a.id = u.agency_id";

/// A new account.
#[derive(Clone, Debug)]
pub struct NewUser<'a> {
    /// Login name (unique).
    pub username: &'a str,
    /// Display name.
    pub name: &'a str,
    /// Role string.
    pub role: &'a str,
    /// Agency for `opd` users.
    pub agency_id: Option<i64>,
    /// argon2id hash.
    pub password_hash: &'a str,
    /// Optional WhatsApp number.
    pub wa_number: Option<&'a str>,
}

/// Creates an account; a taken username is [`StoreError::Conflict`].
pub async fn insert(c: &mut Conn<'_>, user: &NewUser<'_>, now: Millis) -> Result<i64, StoreError> {
    let (id,): (i64,) = on_conn!(c, c => sqlx::query_as(
        "INSERT INTO users (username, name, role, agency_id, password_hash, wa_number, active,
             failed_logins, created_at, password_changed_at)
         VALUES ($1, $2, $3, $4, $5, $6, TRUE, 0, $7, $7) RETURNING id",
    )
    .bind(user.username)
    .bind(user.name)
    .bind(user.role)
    .bind(user.agency_id)
    .bind(user.password_hash)
    .bind(user.wa_number)
    .bind(now)
    .fetch_one(c)
    .await)?;
    Ok(id)
}

/// Finds an account by login name.
pub async fn by_username(c: &mut Conn<'_>, username: &str) -> Result<Option<User>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE u.username = $1"));
    let row = on_conn!(c, c => sqlx::query_as(sql).bind(username).fetch_optional(c).await)?;
    Ok(row)
}

/// Finds an account by id.
pub async fn by_id(c: &mut Conn<'_>, id: i64) -> Result<Option<User>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE u.id = $1"));
    let row = on_conn!(c, c => sqlx::query_as(sql).bind(id).fetch_optional(c).await)?;
    Ok(row)
}

/// Every account, by role then name.
pub async fn list(c: &mut Conn<'_>) -> Result<Vec<User>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY u.role, u.name"));
    let rows = on_conn!(c, c => sqlx::query_as(sql).fetch_all(c).await)?;
    Ok(rows)
}

/// Active accounts holding `role` (and, for `opd`, belonging to `agency_id`).
pub async fn with_role(
    c: &mut Conn<'_>,
    role: &str,
    agency_id: Option<i64>,
) -> Result<Vec<User>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE u.active AND u.role = $1 AND ($2 IS NULL OR u.agency_id = $2) ORDER BY u.id"
    ));
    let rows = on_conn!(c, c => sqlx::query_as(sql).bind(role).bind(agency_id).fetch_all(c).await)?;
    Ok(rows)
}

/// Changes role, agency, name, WhatsApp number and active flag.
pub async fn update(
    c: &mut Conn<'_>,
    id: i64,
    name: &str,
    role: &str,
    agency_id: Option<i64>,
    wa_number: Option<&str>,
    active: bool,
) -> Result<(), StoreError> {
    let done = on_conn!(c, c => sqlx::query(
        "UPDATE users SET name = $2, role = $3, agency_id = $4, wa_number = $5, active = $6 WHERE id = $1",
    )
    .bind(id)
    .bind(name)
    .bind(role)
    .bind(agency_id)
    .bind(wa_number)
    .bind(active)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Sets a new password hash and clears the lockout.
pub async fn set_password(
    c: &mut Conn<'_>,
    id: i64,
    hash: &str,
    now: Millis,
) -> Result<(), StoreError> {
    let done = on_conn!(c, c => sqlx::query(
        "UPDATE users SET password_hash = $2, password_changed_at = $3, failed_logins = 0, locked_until = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(hash)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Counts a failed login; locks the account until `lock_until` once `max_failures` is
/// reached. Returns the new count.
pub async fn record_failed_login(
    c: &mut Conn<'_>,
    id: i64,
    max_failures: i64,
    lock_until: Millis,
) -> Result<i64, StoreError> {
    let (count,): (i64,) = on_conn!(c, c => sqlx::query_as(
        "UPDATE users SET failed_logins = failed_logins + 1,
             locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END
         WHERE id = $1 RETURNING failed_logins",
    )
    .bind(id)
    .bind(max_failures)
    .bind(lock_until)
    .fetch_one(c)
    .await)?;
    Ok(count)
}

/// Clears the failure count after a successful login.
pub async fn record_successful_login(c: &mut Conn<'_>, id: i64) -> Result<(), StoreError> {
    on_conn!(c, c => sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
