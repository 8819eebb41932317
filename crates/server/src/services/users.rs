//! Staff accounts: creation with role and agency checks.

use anyhow::{Context, bail};
use wani_bares_domain::phone::PhoneNumber;
use wani_bares_domain::role::{OpdCode, Role};
use wani_bares_store::{Store, agencies, audit, users};

use super::passwords;

/// A new staff account.
#[derive(Debug)]
pub struct NewStaff<'a> {
    /// Login name.
    pub username: &'a str,
    /// Role string.
    pub role: &'a str,
    /// Agency code (opd role).
    pub opd: Option<&'a str>,
    /// Display name (defaults to the username).
    pub name: Option<&'a str>,
    /// WhatsApp number for notifications.
    pub wa_number: Option<&'a str>,
    /// Clear password (hashed here).
    pub password: &'a str,
}

/// Checks a login name: 3–64 of letters, digits, `.`, `_`, `-`.
pub fn valid_username(u: &str) -> bool {
    (3..=64).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Creates a staff account. An `opd` user needs an existing agency; other roles must not
/// name one.
pub async fn add(store: &Store, now: i64, s: &NewStaff<'_>) -> anyhow::Result<i64> {
    let role = Role::parse(s.role).map_err(|e| anyhow::anyhow!("invalid --role: {e}"))?;
    if !valid_username(s.username) {
        bail!("invalid --username: use 3–64 letters, digits, '.', '_' or '-'");
    }
    let wa = match s.wa_number {
        Some(n) if !n.trim().is_empty() => Some(
            PhoneNumber::parse(n)
                .map_err(|e| anyhow::anyhow!("invalid --wa-number: {e}"))?
                .as_str()
                .to_owned(),
        ),
        _ => None,
    };
    let hash = passwords::hash(s.password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut tx = store.begin().await?;
    let agency_id = match (role, s.opd) {
        (Role::Opd, Some(code)) => {
            let code = OpdCode::parse(code).map_err(|e| anyhow::anyhow!("invalid --opd: {e}"))?;
            let agency = agencies::by_code(&mut tx.conn(), code.as_str())
                .await?
                .with_context(|| {
                    format!(
                        "no agency with code {} (see GET /api/v1/opds)",
                        code.as_str()
                    )
                })?;
            Some(agency.id)
        }
        (Role::Opd, None) => bail!("an opd user needs --opd CODE"),
        (_, Some(_)) => bail!("--opd is only for role opd"),
        (_, None) => None,
    };
    let id = users::insert(
        &mut tx.conn(),
        &users::NewUser {
            username: s.username,
            name: s.name.unwrap_or(s.username),
            role: role.as_str(),
            agency_id,
            password_hash: &hash,
            wa_number: wa.as_deref(),
        },
        now,
    )
    .await
    .map_err(|e| {
        if e.is_conflict() {
            anyhow::anyhow!("username {} is taken", s.username)
        } else {
            e.into()
        }
    })?;
    audit::append(
        &mut tx.conn(),
        &audit::NewEvent {
            at: now,
            actor_user_id: None,
            actor: "system",
            action: "user_created",
            complaint_id: None,
            before: None,
            after: Some(&format!("{}:{}", s.username, role.as_str())),
            detail: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
