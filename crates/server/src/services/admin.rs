//! What the superadmin (and, for canned replies and the outbox, the admin) changes from
//! the dashboard: staff accounts, agencies, categories, the bot's texts, the step targets,
//! the holiday calendar, canned replies, WhatsApp checks and outbox retries.
//!
//! Invariants: every change is checked for the caller's role here (not only in the web
//! layer); every change appends an audit event naming who did it (never a password or
//! personal data); changes that live in memory (texts, targets, calendar) are reloaded
//! right after the commit, so the next message or deadline uses them. A superadmin cannot
//! disable or demote their own account (so the office never locks itself out), and a
//! disabled account or a changed role ends every session of that user.

use wani_bares_domain::phone::PhoneNumber;
use wani_bares_domain::role::{OpdCode, Role};
use wani_bares_domain::sla::SlaTargets;
use wani_bares_domain::texts::TextKey;
use wani_bares_store::{Conn, agencies, audit, canned, notifications, outbox, sessions, settings};
use wani_bares_store::{sla, users};

use crate::error::AppError;
use crate::services::auth::{Staff, new_token};
use crate::services::passwords;
use crate::state::AppState;

/// Only a superadmin passes.
pub fn require_superadmin(staff: &Staff) -> Result<(), AppError> {
    if staff.role == Role::Superadmin {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "halaman ini hanya untuk superadmin".into(),
        ))
    }
}

/// Admins and the superadmin pass (canned replies, the outbox).
pub fn require_admin(staff: &Staff) -> Result<(), AppError> {
    if matches!(staff.role, Role::Admin | Role::Superadmin) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "halaman ini hanya untuk administrator".into(),
        ))
    }
}

async fn record(
    c: &mut Conn<'_>,
    staff: &Staff,
    action: &str,
    after: Option<&str>,
    detail: Option<&str>,
    now: i64,
) -> Result<(), AppError> {
    audit::append(
        c,
        &audit::NewEvent {
            at: now,
            actor_user_id: Some(staff.user_id),
            actor: &staff.label(),
            action,
            complaint_id: None,
            before: None,
            after,
            detail,
        },
    )
    .await?;
    Ok(())
}

fn invalid(msg: impl Into<String>) -> AppError {
    AppError::Invalid(msg.into())
}

fn clean_text(value: &str, what: &str, max: usize) -> Result<String, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(invalid(format!("{what} wajib diisi")));
    }
    if v.chars().count() > max {
        return Err(invalid(format!("{what} paling banyak {max} karakter")));
    }
    Ok(v.to_owned())
}

// ---- Staff accounts

/// An account as the superadmin fills it in.
#[derive(Clone, Debug, Default)]
pub struct UserInput {
    /// Login name (ignored on update).
    pub username: String,
    /// Display name.
    pub name: String,
    /// Role string.
    pub role: String,
    /// Agency code, for `opd` users.
    pub opd: Option<String>,
    /// WhatsApp number for notifications.
    pub wa_number: Option<String>,
    /// Active.
    pub active: bool,
}

async fn role_and_agency(
    c: &mut Conn<'_>,
    role: &str,
    opd: Option<&str>,
) -> Result<(Role, Option<i64>), AppError> {
    let role = Role::parse(role.trim()).map_err(|e| invalid(e.to_string()))?;
    let opd = opd.map(str::trim).filter(|o| !o.is_empty());
    let agency_id = match (role, opd) {
        (Role::Opd, Some(code)) => {
            let code = OpdCode::parse(code).map_err(|e| invalid(e.to_string()))?;
            let agency = agencies::by_code(c, code.as_str())
                .await?
                .ok_or_else(|| invalid(format!("perangkat daerah {code} tidak dikenal")))?;
            Some(agency.id)
        }
        (Role::Opd, None) => return Err(invalid("pengguna OPD harus memilih perangkat daerah")),
        (_, _) => None,
    };
    Ok((role, agency_id))
}

fn wa_number(input: Option<&str>) -> Result<Option<String>, AppError> {
    match input.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => Ok(Some(
            PhoneNumber::parse(n)
                .map_err(|e| invalid(format!("nomor WhatsApp tidak valid: {e}")))?
                .as_str()
                .to_owned(),
        )),
        None => Ok(None),
    }
}

/// A random password for a new or reset account, shown once to the superadmin.
pub fn generated_password() -> String {
    // 32 random bytes, base64url: take 16 characters (~96 bits), easy to type.
    new_token().chars().take(16).collect()
}

/// Creates an account. Returns the id and the password (the given one, or a generated
/// one when `password` is blank).
pub async fn create_user(
    state: &AppState,
    staff: &Staff,
    input: &UserInput,
    password: &str,
) -> Result<(i64, String), AppError> {
    require_superadmin(staff)?;
    let username = input.username.trim();
    if !crate::services::users::valid_username(username) {
        return Err(invalid(
            "nama pengguna 3–64 karakter: huruf, angka, titik, garis bawah atau tanda hubung",
        ));
    }
    let name = clean_text(&input.name, "Nama", 120)?;
    let password = if password.trim().is_empty() {
        generated_password()
    } else {
        password.to_owned()
    };
    let hash = passwords::hash(&password).map_err(|e| invalid(e.to_string()))?;
    let wa = wa_number(input.wa_number.as_deref())?;
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    let (role, agency_id) =
        role_and_agency(&mut tx.conn(), &input.role, input.opd.as_deref()).await?;
    let id = users::insert(
        &mut tx.conn(),
        &users::NewUser {
            username,
            name: &name,
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
            AppError::Conflict(format!("nama pengguna {username} sudah dipakai"))
        } else {
            e.into()
        }
    })?;
    record(
        &mut tx.conn(),
        staff,
        "user_created",
        Some(&format!("{username}:{}", role.as_str())),
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok((id, password))
}

/// Changes an account's name, role, agency, WhatsApp number and active flag. Disabling it
/// or changing its role or agency ends its sessions.
pub async fn update_user(
    state: &AppState,
    staff: &Staff,
    id: i64,
    input: &UserInput,
) -> Result<(), AppError> {
    require_superadmin(staff)?;
    let name = clean_text(&input.name, "Nama", 120)?;
    let wa = wa_number(input.wa_number.as_deref())?;
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    let before = users::by_id(&mut tx.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (role, agency_id) =
        role_and_agency(&mut tx.conn(), &input.role, input.opd.as_deref()).await?;
    if id == staff.user_id && (role != Role::Superadmin || !input.active) {
        return Err(invalid(
            "Anda tidak dapat menonaktifkan atau menurunkan peran akun Anda sendiri",
        ));
    }
    users::update(
        &mut tx.conn(),
        id,
        &name,
        role.as_str(),
        agency_id,
        wa.as_deref(),
        input.active,
    )
    .await?;
    let access_changed =
        !input.active || before.role != role.as_str() || before.agency_id != agency_id;
    if access_changed {
        sessions::revoke_all_for_user(&mut tx.conn(), id, now).await?;
    }
    let after = format!(
        "{}:{}:{}",
        before.username,
        role.as_str(),
        if input.active { "active" } else { "disabled" }
    );
    record(
        &mut tx.conn(),
        staff,
        "user_updated",
        Some(&after),
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a new password for an account (the given one, or a generated one when blank) and
/// ends its sessions; returns the password to hand over.
pub async fn reset_password(
    state: &AppState,
    staff: &Staff,
    id: i64,
    password: &str,
) -> Result<String, AppError> {
    require_superadmin(staff)?;
    let password = if password.trim().is_empty() {
        generated_password()
    } else {
        password.to_owned()
    };
    let hash = passwords::hash(&password).map_err(|e| invalid(e.to_string()))?;
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    let user = users::by_id(&mut tx.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    users::set_password(&mut tx.conn(), id, &hash, now).await?;
    sessions::revoke_all_for_user(&mut tx.conn(), id, now).await?;
    record(
        &mut tx.conn(),
        staff,
        "password_reset",
        Some(&user.username),
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(password)
}

// ---- Agencies and categories

/// Adds an agency (`kind`: `opd` or `kecamatan`).
pub async fn create_agency(
    state: &AppState,
    staff: &Staff,
    code: &str,
    name: &str,
    kind: &str,
) -> Result<i64, AppError> {
    require_superadmin(staff)?;
    let code = OpdCode::parse(code).map_err(|e| invalid(e.to_string()))?;
    let name = clean_text(name, "Nama perangkat daerah", 200)?;
    if !matches!(kind, "opd" | "kecamatan") {
        return Err(invalid("jenis harus opd atau kecamatan"));
    }
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    let id = agencies::insert(&mut tx.conn(), code.as_str(), &name, kind, now)
        .await
        .map_err(|e| {
            if e.is_conflict() {
                AppError::Conflict(format!("kode {code} sudah dipakai"))
            } else {
                e.into()
            }
        })?;
    record(
        &mut tx.conn(),
        staff,
        "agency_created",
        Some(code.as_str()),
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Renames or (de)activates an agency.
pub async fn update_agency(
    state: &AppState,
    staff: &Staff,
    id: i64,
    name: &str,
    active: bool,
) -> Result<(), AppError> {
    require_superadmin(staff)?;
    let name = clean_text(name, "Nama perangkat daerah", 200)?;
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    let agency = agencies::by_id(&mut tx.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    agencies::update(&mut tx.conn(), id, &name, active).await?;
    let after = format!(
        "{}:{}",
        agency.code,
        if active { "active" } else { "inactive" }
    );
    record(
        &mut tx.conn(),
        staff,
        "agency_updated",
        Some(&after),
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a complaint category (`code`: 2–40 of `a-z`, `0-9`, `_`, `-`).
pub async fn create_category(
    state: &AppState,
    staff: &Staff,
    code: &str,
    name: &str,
) -> Result<i64, AppError> {
    require_superadmin(staff)?;
    let code = code.trim().to_lowercase();
    if !(2..=40).contains(&code.len())
        || !code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-'))
    {
        return Err(invalid(
            "kode kategori 2–40 karakter: huruf kecil, angka, _ atau -",
        ));
    }
    let name = clean_text(name, "Nama kategori", 120)?;
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    let id = agencies::insert_category(&mut tx.conn(), &code, &name)
        .await
        .map_err(|e| {
            if e.is_conflict() {
                AppError::Conflict(format!("kode {code} sudah dipakai"))
            } else {
                e.into()
            }
        })?;
    record(
        &mut tx.conn(),
        staff,
        "category_created",
        Some(&code),
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Renames or (de)activates a category.
pub async fn update_category(
    state: &AppState,
    staff: &Staff,
    id: i64,
    name: &str,
    active: bool,
) -> Result<(), AppError> {
    require_superadmin(staff)?;
    let name = clean_text(name, "Nama kategori", 120)?;
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    agencies::update_category(&mut tx.conn(), id, &name, active).await?;
    let after = format!("{id}:{}", if active { "active" } else { "inactive" });
    record(
        &mut tx.conn(),
        staff,
        "category_updated",
        Some(&after),
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---- Bot texts

/// Replaces a bot text after checking its placeholders and length; the catalog is
/// reloaded at once.
pub async fn set_text(
    state: &AppState,
    staff: &Staff,
    key: &str,
    text: &str,
) -> Result<(), AppError> {
    require_superadmin(staff)?;
    let key = TextKey::parse(key).map_err(|_| AppError::NotFound)?;
    // Browsers send CR LF in textareas; WhatsApp wants LF.
    let text = text.replace("\r\n", "\n");
    key.check_template(&text)
        .map_err(|e| invalid(e.to_string()))?;
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    settings::set(&mut tx.conn(), &format!("text.{key}"), &text, now).await?;
    record(
        &mut tx.conn(),
        staff,
        "text_changed",
        Some(key.as_str()),
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    reload_texts(state).await
}

/// Puts a bot text back to its default.
pub async fn reset_text(state: &AppState, staff: &Staff, key: &str) -> Result<(), AppError> {
    require_superadmin(staff)?;
    let key = TextKey::parse(key).map_err(|_| AppError::NotFound)?;
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    settings::delete(&mut tx.conn(), &format!("text.{key}")).await?;
    record(
        &mut tx.conn(),
        staff,
        "text_reset",
        Some(key.as_str()),
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    reload_texts(state).await
}

async fn reload_texts(state: &AppState) -> Result<(), AppError> {
    let mut r = state.store.reader().await?;
    state.texts.load(&mut r.conn()).await?;
    Ok(())
}

// ---- Step targets

/// Saves the step targets (settings `sla.targets`) and uses them for new deadlines.
pub async fn set_targets(
    state: &AppState,
    staff: &Staff,
    targets: &SlaTargets,
) -> Result<(), AppError> {
    require_superadmin(staff)?;
    let json = serde_json::to_string(targets).map_err(|e| AppError::Internal(e.into()))?;
    // Round-trip through the validating deserializer (amounts within a year).
    let checked: SlaTargets =
        serde_json::from_str(&json).map_err(|e| invalid(format!("target tidak valid: {e}")))?;
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    settings::set(&mut tx.conn(), "sla.targets", &json, now).await?;
    record(
        &mut tx.conn(),
        staff,
        "sla_targets_changed",
        None,
        Some(&json),
        now,
    )
    .await?;
    tx.commit().await?;
    *state.targets.write().await = checked;
    Ok(())
}

// ---- Holidays

/// Adds (or renames) a holiday or *cuti bersama* day and reloads the calendar.
pub async fn add_holiday(
    state: &AppState,
    staff: &Staff,
    date: &str,
    name: &str,
) -> Result<(), AppError> {
    require_superadmin(staff)?;
    let date: jiff::civil::Date = date
        .trim()
        .parse()
        .map_err(|_| invalid("tanggal tidak valid (YYYY-MM-DD)"))?;
    let name = clean_text(name, "Nama hari libur", 120)?;
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    sla::add_holiday(&mut tx.conn(), &date.to_string(), &name).await?;
    record(
        &mut tx.conn(),
        staff,
        "holiday_added",
        Some(&date.to_string()),
        Some(&name),
        now,
    )
    .await?;
    tx.commit().await?;
    reload_calendar(state).await
}

/// Removes a holiday and reloads the calendar.
pub async fn remove_holiday(state: &AppState, staff: &Staff, date: &str) -> Result<(), AppError> {
    require_superadmin(staff)?;
    let date: jiff::civil::Date = date
        .trim()
        .parse()
        .map_err(|_| invalid("tanggal tidak valid (YYYY-MM-DD)"))?;
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    if !sla::remove_holiday(&mut tx.conn(), &date.to_string()).await? {
        return Err(AppError::NotFound);
    }
    record(
        &mut tx.conn(),
        staff,
        "holiday_removed",
        Some(&date.to_string()),
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    reload_calendar(state).await
}

async fn reload_calendar(state: &AppState) -> Result<(), AppError> {
    let cal = crate::app::load_calendar(&state.store, &state.config.timezone).await?;
    *state.calendar.write().await = cal;
    Ok(())
}

// ---- Canned replies

/// Adds a canned reply.
pub async fn create_canned(
    state: &AppState,
    staff: &Staff,
    title: &str,
    body: &str,
) -> Result<i64, AppError> {
    require_admin(staff)?;
    let title = clean_text(title, "Judul", 80)?;
    let body = clean_text(&body.replace("\r\n", "\n"), "Isi balasan", 4000)?;
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    let id = canned::insert(&mut tx.conn(), &title, &body, now).await?;
    record(
        &mut tx.conn(),
        staff,
        "canned_created",
        Some(&id.to_string()),
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes a canned reply.
pub async fn update_canned(
    state: &AppState,
    staff: &Staff,
    id: i64,
    title: &str,
    body: &str,
) -> Result<(), AppError> {
    require_admin(staff)?;
    let title = clean_text(title, "Judul", 80)?;
    let body = clean_text(&body.replace("\r\n", "\n"), "Isi balasan", 4000)?;
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    canned::update(&mut tx.conn(), id, &title, &body).await?;
    record(
        &mut tx.conn(),
        staff,
        "canned_updated",
        Some(&id.to_string()),
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a canned reply.
pub async fn delete_canned(state: &AppState, staff: &Staff, id: i64) -> Result<(), AppError> {
    require_admin(staff)?;
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    canned::delete(&mut tx.conn(), id).await?;
    record(
        &mut tx.conn(),
        staff,
        "canned_deleted",
        Some(&id.to_string()),
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---- WhatsApp and the outbox

/// What the Graph API said about our number.
#[derive(Clone, Debug, Default)]
pub struct ConnectionCheck {
    /// The number as users see it.
    pub display_phone_number: Option<String>,
    /// The approved business name.
    pub verified_name: Option<String>,
    /// Meta's quality rating.
    pub quality_rating: Option<String>,
}

/// Asks the Graph API about the configured number (token and id check). The attempt is
/// audited with its outcome.
pub async fn test_connection(state: &AppState, staff: &Staff) -> Result<ConnectionCheck, AppError> {
    require_superadmin(staff)?;
    let Some(graph) = state.graph.as_ref() else {
        return Err(AppError::Unavailable(
            "WhatsApp belum dikonfigurasi (WANI_BARES_WA_ACCESS_TOKEN dan WANI_BARES_WA_PHONE_NUMBER_ID)".into(),
        ));
    };
    let result = graph.check_connection().await;
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    let outcome = match &result {
        Ok(_) => "ok".to_owned(),
        Err(e) => e.to_string().chars().take(300).collect(),
    };
    record(
        &mut tx.conn(),
        staff,
        "wa_connection_test",
        Some(if result.is_ok() { "ok" } else { "failed" }),
        Some(&outcome),
        now,
    )
    .await?;
    tx.commit().await?;
    match result {
        Ok(info) => Ok(ConnectionCheck {
            display_phone_number: info.display_phone_number,
            verified_name: info.verified_name,
            quality_rating: info.quality_rating,
        }),
        Err(e) => Err(AppError::Unavailable(format!(
            "Koneksi ke WhatsApp gagal: {e}"
        ))),
    }
}

/// Puts a failed or held message back in the queue.
pub async fn retry_outbox(state: &AppState, staff: &Staff, id: i64) -> Result<(), AppError> {
    require_admin(staff)?;
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    let ok = outbox::requeue(&mut tx.conn(), id, now).await?;
    if !ok {
        return Err(AppError::Conflict(
            "pesan ini tidak dalam status gagal atau ditahan".into(),
        ));
    }
    record(
        &mut tx.conn(),
        staff,
        "outbox_retry",
        Some(&id.to_string()),
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    state.wake.outbox.notify_one();
    Ok(())
}

/// Sends every held message again (after the access token was renewed); returns how many.
pub async fn release_held(state: &AppState, staff: &Staff) -> Result<u64, AppError> {
    require_admin(staff)?;
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    let n = outbox::release_held(&mut tx.conn(), now).await?;
    record(
        &mut tx.conn(),
        staff,
        "outbox_release_held",
        Some(&n.to_string()),
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    state.wake.outbox.notify_one();
    Ok(n)
}

/// Open alerts (the 190 "token expired" alert and friends) for the admins' banner.
pub async fn open_alerts(state: &AppState) -> Result<Vec<notifications::Alert>, AppError> {
    let mut r = state.store.reader().await?;
    Ok(notifications::open_alerts(&mut r.conn()).await?)
}
