//! Citizens: the people who write to the line. A citizen is keyed by the WhatsApp
//! business-scoped user id (BSUID) when Meta sends one, with the normalised phone number as
//! an alias; never by phone alone (since 2026 users may have a username and no number).
//! Their identity (name, NIK, address) is kept sealed, and only with their consent.
//! The intake conversation state (JSON from the domain crate) lives on the same row.

use crate::{Conn, Millis, StoreError};

/// A citizen row. `identity` is opened from the sealed column.
#[derive(Clone, Debug)]
pub struct Citizen {
    /// Row id.
    pub id: i64,
    /// Business-scoped user id.
    pub bsuid: Option<String>,
    /// Normalised phone number (digits with country code).
    pub phone: Option<String>,
    /// WhatsApp profile name.
    pub profile_name: Option<String>,
    /// Last inbound message time (opens the 24-hour window).
    pub last_inbound_at: Option<Millis>,
    /// Saved identity JSON (opened), present only with consent.
    pub identity: Option<String>,
    /// `unknown`, `granted` or `declined`.
    pub consent: String,
    /// Intake conversation state JSON (empty when none; sealed at rest: a draft holds the
    /// NIK the citizen typed).
    pub conversation: String,
    /// When the conversation's timer (reminder/expiry) is due.
    pub timer_due_at: Option<Millis>,
    /// Set once the citizen's data was erased.
    pub erased_at: Option<Millis>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    bsuid: Option<String>,
    phone: Option<String>,
    profile_name: Option<String>,
    last_inbound_at: Option<i64>,
    identity_enc: Option<Vec<u8>>,
    consent: String,
    conversation_enc: Option<Vec<u8>>,
    timer_due_at: Option<i64>,
    erased_at: Option<i64>,
}

const SELECT: &str =
    "SELECT id, bsuid, phone, profile_name, last_inbound_at, identity_enc, consent,
    conversation_enc, timer_due_at, erased_at FROM citizens";

fn open(c: &Conn<'_>, row: Row) -> Result<Citizen, StoreError> {
    let identity = match row.identity_enc {
        Some(sealed) => Some(c.vault().open_str(&sealed)?),
        None => None,
    };
    let conversation = match row.conversation_enc {
        Some(sealed) => c.vault().open_str(&sealed)?,
        None => String::new(),
    };
    Ok(Citizen {
        id: row.id,
        bsuid: row.bsuid,
        phone: row.phone,
        profile_name: row.profile_name,
        last_inbound_at: row.last_inbound_at,
        identity,
        consent: row.consent,
        conversation,
        timer_due_at: row.timer_due_at,
        erased_at: row.erased_at,
    })
}

/// Finds a citizen by id.
pub async fn by_id(c: &mut Conn<'_>, id: i64) -> Result<Option<Citizen>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1"));
    let row: Option<Row> = on_conn!(c, c => sqlx::query_as(sql).bind(id).fetch_optional(c).await)?;
    row.map(|r| open(c, r)).transpose()
}

/// Finds a citizen by BSUID.
pub async fn by_bsuid(c: &mut Conn<'_>, bsuid: &str) -> Result<Option<Citizen>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE bsuid = $1"));
    let row: Option<Row> =
        on_conn!(c, c => sqlx::query_as(sql).bind(bsuid).fetch_optional(c).await)?;
    row.map(|r| open(c, r)).transpose()
}

/// Finds a citizen by normalised phone number.
pub async fn by_phone(c: &mut Conn<'_>, phone: &str) -> Result<Option<Citizen>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE phone = $1"));
    let row: Option<Row> =
        on_conn!(c, c => sqlx::query_as(sql).bind(phone).fetch_optional(c).await)?;
    row.map(|r| open(c, r)).transpose()
}

/// Finds or creates the citizen for an inbound message and records the contact time.
///
/// Lookup order: BSUID, then phone. A citizen found by one key learns the other (the
/// phone becomes an alias of the BSUID) unless another citizen already holds it. Must run
/// inside a write transaction.
pub async fn resolve(
    c: &mut Conn<'_>,
    bsuid: Option<&str>,
    phone: Option<&str>,
    profile_name: Option<&str>,
    inbound_at: Millis,
) -> Result<Citizen, StoreError> {
    if bsuid.is_none() && phone.is_none() {
        return Err(StoreError::Corrupt(
            "a citizen needs a BSUID or a phone number".into(),
        ));
    }
    let mut found = None;
    if let Some(b) = bsuid {
        found = by_bsuid(c, b).await?;
    }
    if found.is_none()
        && let Some(p) = phone
    {
        found = by_phone(c, p).await?;
    }
    let id = if let Some(existing) = found {
        if existing.bsuid.is_none()
            && let Some(b) = bsuid
        {
            on_conn!(c, c => sqlx::query("UPDATE citizens SET bsuid = $2 WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM citizens WHERE bsuid = $2)")
                .bind(existing.id).bind(b).execute(c).await.map(|r| r.rows_affected()))?;
        }
        if existing.phone.is_none()
            && let Some(p) = phone
        {
            on_conn!(c, c => sqlx::query("UPDATE citizens SET phone = $2 WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM citizens WHERE phone = $2)")
                .bind(existing.id).bind(p).execute(c).await.map(|r| r.rows_affected()))?;
        }
        on_conn!(c, c => sqlx::query(
            "UPDATE citizens SET last_inbound_at = CASE WHEN last_inbound_at IS NULL OR last_inbound_at < $2 THEN $2 ELSE last_inbound_at END,
                 profile_name = COALESCE($3, profile_name) WHERE id = $1",
        )
        .bind(existing.id)
        .bind(inbound_at)
        .bind(profile_name)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        existing.id
    } else {
        let (id,): (i64,) = on_conn!(c, c => sqlx::query_as(
            "INSERT INTO citizens (bsuid, phone, profile_name, last_inbound_at, consent, created_at)
             VALUES ($1, $2, $3, $4, 'unknown', $4) RETURNING id",
        )
        .bind(bsuid)
        .bind(phone)
        .bind(profile_name)
        .bind(inbound_at)
        .fetch_one(c)
        .await)?;
        id
    };
    by_id(c, id).await?.ok_or(StoreError::NotFound)
}

/// Stores the conversation state and its next timer.
pub async fn save_conversation(
    c: &mut Conn<'_>,
    id: i64,
    state_json: &str,
    timer_due_at: Option<Millis>,
) -> Result<(), StoreError> {
    let sealed = (!state_json.is_empty()).then(|| c.vault().seal_str(state_json));
    on_conn!(c, c => sqlx::query("UPDATE citizens SET conversation_enc = $2, timer_due_at = $3 WHERE id = $1")
        .bind(id)
        .bind(sealed)
        .bind(timer_due_at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Saves (sealed) or clears the identity and records the consent answer.
pub async fn save_identity(
    c: &mut Conn<'_>,
    id: i64,
    identity_json: Option<&str>,
    consent: &str,
) -> Result<(), StoreError> {
    let sealed = identity_json.map(|j| c.vault().seal_str(j));
    on_conn!(c, c => sqlx::query("UPDATE citizens SET identity_enc = $2, consent = $3 WHERE id = $1")
        .bind(id)
        .bind(sealed)
        .bind(consent)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Citizens whose conversation timer is due at `now`, oldest first.
pub async fn due_timers(c: &mut Conn<'_>, now: Millis, limit: i64) -> Result<Vec<i64>, StoreError> {
    let rows: Vec<(i64,)> = on_conn!(c, c => sqlx::query_as(
        "SELECT id FROM citizens WHERE timer_due_at IS NOT NULL AND timer_due_at <= $1 ORDER BY timer_due_at LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Erases a citizen's personal data: identity, profile name, phone and BSUID are
/// replaced; the row stays so that statistics and the audit chain stay valid.
pub async fn erase(c: &mut Conn<'_>, id: i64, now: Millis) -> Result<(), StoreError> {
    let done = on_conn!(c, c => sqlx::query(
        "UPDATE citizens SET identity_enc = NULL, profile_name = NULL, phone = NULL, bsuid = NULL,
             consent = 'declined', conversation_enc = NULL, timer_due_at = NULL, erased_at = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
