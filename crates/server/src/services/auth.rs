//! Logins and sessions. A session token is 32 random bytes (base64url) given to the client
//! once; the database keeps only its SHA-256, so a copy of the database cannot log anyone
//! in. Sessions expire (dashboard: `security.session_hours`, API: `api_token_hours`) and
//! are revoked on logout, password change or when the account is disabled.
//!
//! Brute force: an account locks for `lockout_minutes` after `max_failed_logins`
//! consecutive failures; an address that fails too often is throttled in memory. An
//! unknown username costs the same time as a known one. Every login attempt is audited
//! (without the password).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use base64::Engine;
use sha2::{Digest, Sha256};
use wani_bares_domain::role::{OpdCode, Role};
use wani_bares_store::{Store, StoreError, audit, sessions, users};

use super::passwords;

/// A logged-in staff member, as every handler sees them.
#[derive(Clone, Debug)]
pub struct Staff {
    /// User id.
    pub user_id: i64,
    /// Login name.
    pub username: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Agency of an `opd` user.
    pub agency_id: Option<i64>,
    /// Its code.
    pub agency_code: Option<OpdCode>,
    /// The session.
    pub session_id: i64,
    /// The session's CSRF token (dashboard forms).
    pub csrf: String,
}

impl Staff {
    /// `user:<username>` for the audit trail.
    pub fn label(&self) -> String {
        format!("user:{}", self.username)
    }

    /// The domain actor.
    pub fn actor(&self) -> wani_bares_domain::role::Actor {
        wani_bares_domain::role::Actor::Staff {
            role: self.role,
            opd: self.agency_code.clone(),
        }
    }

    /// Who acts, for the workflow service.
    pub fn who(&self) -> crate::services::workflow::Who {
        crate::services::workflow::Who {
            user_id: Some(self.user_id),
            label: self.label(),
            actor: self.actor(),
        }
    }

    /// True for roles that see every complaint.
    pub fn sees_all(&self) -> bool {
        self.role != Role::Opd
    }
}

/// Why a login failed.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Wrong username or password (deliberately not saying which).
    #[error("nama pengguna atau kata sandi salah")]
    Invalid,
    /// The account is locked after too many failures.
    #[error("akun dikunci sementara karena terlalu banyak percobaan gagal; coba lagi nanti")]
    Locked,
    /// This address tried too often.
    #[error("terlalu banyak percobaan; coba lagi beberapa menit lagi")]
    Throttled,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A successful login.
#[derive(Clone, Debug)]
pub struct LoginOk {
    /// The token to give the client (cookie value or bearer token).
    pub token: String,
    /// The user's role.
    pub role: Role,
    /// When it expires (unix ms).
    pub expires_at: i64,
    /// The staff member.
    pub staff: Staff,
}

/// Failures per address in the last window, for throttling.
#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<IpAddr, Vec<i64>>>,
}

const THROTTLE_WINDOW_MS: i64 = 15 * 60 * 1000;
const THROTTLE_MAX: usize = 20;

impl Throttle {
    fn blocked(&self, ip: IpAddr, now: i64) -> bool {
        let mut map = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let list = map.entry(ip).or_default();
        list.retain(|t| now - t < THROTTLE_WINDOW_MS);
        list.len() >= THROTTLE_MAX
    }

    fn fail(&self, ip: IpAddr, now: i64) {
        let mut map = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entry(ip).or_default().push(now);
        if map.len() > 10_000 {
            map.retain(|_, v| v.iter().any(|t| now - t < THROTTLE_WINDOW_MS));
        }
    }
}

/// Hex SHA-256 of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new random token.
pub fn new_token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// Settings of logins.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// Failures before lockout.
    pub max_failures: i64,
    /// Lockout duration (ms).
    pub lockout_ms: i64,
    /// Session lifetime (ms).
    pub lifetime_ms: i64,
}

/// Checks credentials and opens a session of `kind` (`web` or `api`).
pub async fn login(
    store: &Store,
    throttle: &Throttle,
    policy: Policy,
    username: &str,
    password: &str,
    kind: &str,
    ip: IpAddr,
    now: i64,
) -> Result<LoginOk, LoginError> {
    if throttle.blocked(ip, now) {
        return Err(LoginError::Throttled);
    }
    let user = {
        let mut r = store.reader().await?;
        users::by_username(&mut r.conn(), username.trim()).await?
    };
    let mut tx = store.begin().await?;
    let outcome = match user {
        None => {
            passwords::verify_dummy(password);
            Err(LoginError::Invalid)
        }
        Some(u) if !u.active => {
            passwords::verify_dummy(password);
            Err(LoginError::Invalid)
        }
        Some(u) if u.locked_until.is_some_and(|t| t > now) => Err(LoginError::Locked),
        Some(u) => {
            if passwords::verify(password, &u.password_hash) {
                users::record_successful_login(&mut tx.conn(), u.id).await?;
                Ok(u)
            } else {
                let n = users::record_failed_login(
                    &mut tx.conn(),
                    u.id,
                    policy.max_failures,
                    now + policy.lockout_ms,
                )
                .await?;
                if n >= policy.max_failures {
                    Err(LoginError::Locked)
                } else {
                    Err(LoginError::Invalid)
                }
            }
        }
    };
    let user_label = format!("user:{}", username.chars().take(64).collect::<String>());
    match outcome {
        Ok(u) => {
            let role = Role::parse(&u.role).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let token = new_token();
            let csrf = new_token();
            let expires_at = now + policy.lifetime_ms;
            let session_id = sessions::insert(
                &mut tx.conn(),
                &token_hash(&token),
                u.id,
                kind,
                &csrf,
                now,
                expires_at,
            )
            .await?;
            audit::append(
                &mut tx.conn(),
                &audit::NewEvent {
                    at: now,
                    actor_user_id: Some(u.id),
                    actor: &user_label,
                    action: "login",
                    complaint_id: None,
                    before: None,
                    after: Some(kind),
                    detail: None,
                },
            )
            .await?;
            tx.commit().await?;
            let staff = Staff {
                user_id: u.id,
                username: u.username,
                name: u.name,
                role,
                agency_id: u.agency_id,
                agency_code: u.agency_code.and_then(|c| OpdCode::parse(&c).ok()),
                session_id,
                csrf,
            };
            Ok(LoginOk {
                token,
                role,
                expires_at,
                staff,
            })
        }
        Err(e) => {
            throttle.fail(ip, now);
            audit::append(
                &mut tx.conn(),
                &audit::NewEvent {
                    at: now,
                    actor_user_id: None,
                    actor: &user_label,
                    action: "login_failed",
                    complaint_id: None,
                    before: None,
                    after: Some(kind),
                    detail: Some(&e.to_string()),
                },
            )
            .await?;
            tx.commit().await?;
            metrics::counter!("login_failures_total").increment(1);
            Err(e)
        }
    }
}

/// The staff member behind a token, if the session is live.
pub async fn authenticate(
    store: &Store,
    token: &str,
    now: i64,
) -> Result<Option<Staff>, StoreError> {
    if token.is_empty() || token.len() > 200 {
        return Ok(None);
    }
    let mut r = store.reader().await?;
    let Some(session) = sessions::live(&mut r.conn(), &token_hash(token), now).await? else {
        return Ok(None);
    };
    let Some(u) = users::by_id(&mut r.conn(), session.user_id).await? else {
        return Ok(None);
    };
    let Ok(role) = Role::parse(&u.role) else {
        return Ok(None);
    };
    Ok(Some(Staff {
        user_id: u.id,
        username: u.username,
        name: u.name,
        role,
        agency_id: u.agency_id,
        agency_code: u.agency_code.and_then(|c| OpdCode::parse(&c).ok()),
        session_id: session.id,
        csrf: session.csrf_token,
    }))
}

/// Ends a session.
pub async fn logout(store: &Store, staff: &Staff, now: i64) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    sessions::revoke(&mut tx.conn(), staff.session_id, now).await?;
    audit::append(
        &mut tx.conn(),
        &audit::NewEvent {
            at: now,
            actor_user_id: Some(staff.user_id),
            actor: &staff.label(),
            action: "logout",
            complaint_id: None,
            before: None,
            after: None,
            detail: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Changes a password after checking the current one; every session of the user ends.
pub async fn change_password(
    store: &Store,
    staff: &Staff,
    current: &str,
    new: &str,
    now: i64,
) -> Result<(), String> {
    let user = {
        let mut r = store.reader().await.map_err(|e| e.to_string())?;
        users::by_id(&mut r.conn(), staff.user_id)
            .await
            .map_err(|e| e.to_string())?
    }
    .ok_or("akun tidak ditemukan")?;
    if !passwords::verify(current, &user.password_hash) {
        return Err("kata sandi lama salah".into());
    }
    let hash = passwords::hash(new).map_err(|e| e.to_string())?;
    let mut tx = store.begin().await.map_err(|e| e.to_string())?;
    users::set_password(&mut tx.conn(), staff.user_id, &hash, now)
        .await
        .map_err(|e| e.to_string())?;
    sessions::revoke_all_for_user(&mut tx.conn(), staff.user_id, now)
        .await
        .map_err(|e| e.to_string())?;
    audit::append(
        &mut tx.conn(),
        &audit::NewEvent {
            at: now,
            actor_user_id: Some(staff.user_id),
            actor: &staff.label(),
            action: "password_changed",
            complaint_id: None,
            before: None,
            after: None,
            detail: None,
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    Ok(())
}
