//! Superadmin pages (users, agencies, categories, the bot's texts, step targets, the
//! holiday calendar, WhatsApp) and the admins' canned replies. Handlers only read forms and
//! render; the changes, their checks and their audit events are in `services::admin`.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use wani_bares_domain::phone::PhoneNumber;
use wani_bares_domain::role::Role;
use wani_bares_domain::sla::{Clock, SlaTargets, Step, Target, Unit};
use wani_bares_domain::texts::TextKey;
use wani_bares_store::{agencies, canned, users};

use super::inbox::Choice;
use super::session::{Posted, WebStaff};
use super::{Chrome, Fields, PageError, fmt_date, fmt_time, page, render, see_other};
use crate::error::AppError;
use crate::services::admin::{self as svc, UserInput};
use crate::services::auth::Staff;
use crate::state::AppState;

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(|| async { see_other("/admin/pengguna") }))
        .route("/admin/pengguna", get(users_page).post(user_create))
        .route("/admin/pengguna/{id}", get(user_page).post(user_update))
        .route("/admin/pengguna/{id}/sandi", post(user_reset))
        .route("/admin/opd", get(agencies_page).post(agency_create))
        .route("/admin/opd/{id}", post(agency_update))
        .route(
            "/admin/kategori",
            get(categories_page).post(category_create),
        )
        .route("/admin/kategori/{id}", post(category_update))
        .route("/admin/teks", get(texts_page))
        .route("/admin/teks/{key}", get(text_page).post(text_save))
        .route("/admin/teks/{key}/reset", post(text_reset))
        .route("/admin/tenggat", get(targets_page).post(targets_save))
        .route("/admin/libur", get(holidays_page).post(holiday_add))
        .route("/admin/libur/{date}/hapus", post(holiday_remove))
        .route("/admin/whatsapp", get(whatsapp_page))
        .route("/admin/whatsapp/tes", post(whatsapp_test))
        .route("/balasan", get(canned_page).post(canned_create))
        .route("/balasan/{id}", post(canned_update))
        .route("/balasan/{id}/hapus", post(canned_delete))
}

/// The result of a form: what to tell the user.
struct Outcome {
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
}

impl Outcome {
    fn ok() -> Outcome {
        Outcome {
            status: StatusCode::OK,
            notice: None,
            error: None,
        }
    }

    fn notice(q: &HashMap<String, String>) -> Outcome {
        Outcome {
            notice: q.get("ok").and_then(|k| notice_text(k)).map(str::to_owned),
            ..Outcome::ok()
        }
    }

    fn failed(e: &AppError) -> Outcome {
        Outcome {
            status: e.status(),
            notice: None,
            error: Some(super::friendly(e)),
        }
    }
}

fn notice_text(key: &str) -> Option<&'static str> {
    Some(match key {
        "disimpan" => "Perubahan tersimpan.",
        "dibuat" => "Data baru tersimpan.",
        "dihapus" => "Data dihapus.",
        "reset" => "Teks dikembalikan ke bawaan.",
        _ => return None,
    })
}

/// Renders a page, or its form error, as the response.
fn fail_or(e: AppError) -> Result<Outcome, PageError> {
    match e {
        AppError::Internal(_) => Err(PageError(e)),
        e => Ok(Outcome::failed(&e)),
    }
}

// ---- Users

/// An account in the list.
#[derive(Clone, Debug)]
pub struct UserView {
    /// Id.
    pub id: i64,
    /// Login.
    pub username: String,
    /// Name.
    pub name: String,
    /// Role label.
    pub role_label: &'static str,
    /// Role string.
    pub role: String,
    /// Agency code.
    pub agency: Option<String>,
    /// WhatsApp number.
    pub wa: Option<String>,
    /// Active.
    pub active: bool,
    /// Locked after failed logins.
    pub locked: bool,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    chrome: Chrome,
    tab: &'static str,
    users: Vec<UserView>,
    roles: Vec<Choice>,
    agencies: Vec<Choice>,
    form: UserForm,
    notice: Option<String>,
    error: Option<String>,
    new_password: Option<(String, String)>,
}

/// The user form's values.
#[derive(Clone, Debug, Default)]
pub struct UserForm {
    /// Login.
    pub username: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: String,
    /// Agency.
    pub opd: String,
    /// WhatsApp.
    pub wa_number: String,
    /// Active.
    pub active: bool,
}

fn role_choices(selected: &str) -> Vec<Choice> {
    Role::ALL
        .iter()
        .map(|r| Choice {
            value: r.as_str().into(),
            label: r.label_id().into(),
            selected: r.as_str() == selected,
        })
        .collect()
}

async fn agency_choices(state: &AppState, selected: &str) -> Result<Vec<Choice>, AppError> {
    let mut r = state.store.reader().await?;
    Ok(agencies::list(&mut r.conn(), false)
        .await?
        .into_iter()
        .map(|a| Choice {
            selected: a.code == selected,
            label: if a.active {
                a.name
            } else {
                format!("{} (nonaktif)", a.name)
            },
            value: a.code,
        })
        .collect())
}

fn user_view(state: &AppState, u: users::User) -> UserView {
    UserView {
        role_label: Role::parse(&u.role).map_or("?", Role::label_id),
        locked: u.locked_until.is_some_and(|t| t > state.now_ms()),
        wa: u
            .wa_number
            .as_deref()
            .map(|n| PhoneNumber::parse(n).map_or_else(|_| n.to_owned(), |p| p.display())),
        id: u.id,
        username: u.username,
        name: u.name,
        role: u.role,
        agency: u.agency_code,
        active: u.active,
    }
}

async fn render_users(
    state: &AppState,
    staff: &Staff,
    out: Outcome,
    form: UserForm,
    new_password: Option<(String, String)>,
) -> Result<Response, PageError> {
    svc::require_superadmin(staff)?;
    let list = {
        let mut r = state.store.reader().await?;
        users::list(&mut r.conn()).await?
    };
    let chrome = Chrome::build(state, staff, "admin", None).await?;
    Ok(render(
        out.status,
        &UsersPage {
            chrome,
            tab: "pengguna",
            users: list.into_iter().map(|u| user_view(state, u)).collect(),
            roles: role_choices(&form.role),
            agencies: agency_choices(state, &form.opd).await?,
            form,
            notice: out.notice,
            error: out.error,
            new_password,
        },
    ))
}

async fn users_page(
    State(state): State<AppState>,
    WebStaff(staff): WebStaff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    render_users(
        &state,
        &staff,
        Outcome::notice(&q),
        UserForm {
            role: "admin".into(),
            active: true,
            ..UserForm::default()
        },
        None,
    )
    .await
}

fn user_form(f: &Fields) -> UserForm {
    UserForm {
        username: f.get("username").trim().to_owned(),
        name: f.get("name").trim().to_owned(),
        role: f.get("role").to_owned(),
        opd: f.get("opd").to_owned(),
        wa_number: f.get("wa_number").trim().to_owned(),
        active: f.checked("active"),
    }
}

fn user_input(form: &UserForm) -> UserInput {
    UserInput {
        username: form.username.clone(),
        name: form.name.clone(),
        role: form.role.clone(),
        opd: (form.role == "opd").then(|| form.opd.clone()),
        wa_number: Some(form.wa_number.clone()),
        active: form.active,
    }
}

async fn user_create(State(state): State<AppState>, posted: Posted) -> Result<Response, PageError> {
    let Posted { staff, form, .. } = posted;
    let mut values = user_form(&form);
    values.active = true;
    match svc::create_user(&state, &staff, &user_input(&values), form.get("password")).await {
        Ok((_, password)) => {
            let generated = form.get("password").trim().is_empty();
            render_users(
                &state,
                &staff,
                Outcome {
                    notice: Some(format!("Akun {} dibuat.", values.username)),
                    ..Outcome::ok()
                },
                UserForm {
                    role: "admin".into(),
                    active: true,
                    ..UserForm::default()
                },
                generated.then(|| (values.username.clone(), password)),
            )
            .await
        }
        Err(e) => render_users(&state, &staff, fail_or(e)?, values, None).await,
    }
}

#[derive(Template)]
#[template(path = "admin_user.html")]
struct UserPage {
    chrome: Chrome,
    tab: &'static str,
    user: UserView,
    roles: Vec<Choice>,
    agencies: Vec<Choice>,
    form: UserForm,
    notice: Option<String>,
    error: Option<String>,
    new_password: Option<String>,
}

async fn render_user(
    state: &AppState,
    staff: &Staff,
    id: i64,
    out: Outcome,
    form: Option<UserForm>,
    new_password: Option<String>,
) -> Result<Response, PageError> {
    svc::require_superadmin(staff)?;
    let user = {
        let mut r = state.store.reader().await?;
        users::by_id(&mut r.conn(), id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let form = form.unwrap_or_else(|| UserForm {
        username: user.username.clone(),
        name: user.name.clone(),
        role: user.role.clone(),
        opd: user.agency_code.clone().unwrap_or_default(),
        wa_number: user.wa_number.clone().unwrap_or_default(),
        active: user.active,
    });
    let chrome = Chrome::build(state, staff, "admin", None).await?;
    Ok(render(
        out.status,
        &UserPage {
            chrome,
            tab: "pengguna",
            user: user_view(state, user),
            roles: role_choices(&form.role),
            agencies: agency_choices(state, &form.opd).await?,
            form,
            notice: out.notice,
            error: out.error,
            new_password,
        },
    ))
}

async fn user_page(
    State(state): State<AppState>,
    WebStaff(staff): WebStaff,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    render_user(&state, &staff, id, Outcome::notice(&q), None, None).await
}

async fn user_update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted,
) -> Result<Response, PageError> {
    let Posted { staff, form, .. } = posted;
    let values = user_form(&form);
    match svc::update_user(&state, &staff, id, &user_input(&values)).await {
        Ok(()) => Ok(see_other(&format!("/admin/pengguna/{id}?ok=disimpan"))),
        Err(e) => render_user(&state, &staff, id, fail_or(e)?, Some(values), None).await,
    }
}

async fn user_reset(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted,
) -> Result<Response, PageError> {
    let Posted { staff, form, .. } = posted;
    match svc::reset_password(&state, &staff, id, form.get("password")).await {
        Ok(password) => {
            let shown = form.get("password").trim().is_empty().then_some(password);
            render_user(
                &state,
                &staff,
                id,
                Outcome {
                    notice: Some(
                        "Kata sandi direset; semua sesi pengguna ini diakhiri.".to_owned(),
                    ),
                    ..Outcome::ok()
                },
                None,
                shown,
            )
            .await
        }
        Err(e) => render_user(&state, &staff, id, fail_or(e)?, None, None).await,
    }
}

// ---- Agencies and categories

/// A row of the agencies or categories table.
#[derive(Clone, Debug)]
pub struct RefView {
    /// Id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind label (agencies).
    pub kind: &'static str,
    /// Active.
    pub active: bool,
}

#[derive(Template)]
#[template(path = "admin_refs.html")]
struct RefsPage {
    chrome: Chrome,
    tab: &'static str,
    title: &'static str,
    base: &'static str,
    with_kind: bool,
    rows: Vec<RefView>,
    notice: Option<String>,
    error: Option<String>,
    code: String,
    name: String,
}

async fn render_refs(
    state: &AppState,
    staff: &Staff,
    agencies_tab: bool,
    out: Outcome,
    code: String,
    name: String,
) -> Result<Response, PageError> {
    svc::require_superadmin(staff)?;
    let rows = {
        let mut r = state.store.reader().await?;
        if agencies_tab {
            agencies::list(&mut r.conn(), false)
                .await?
                .into_iter()
                .map(|a| RefView {
                    id: a.id,
                    kind: if a.kind == "kecamatan" {
                        "Kecamatan"
                    } else {
                        "OPD"
                    },
                    code: a.code,
                    name: a.name,
                    active: a.active,
                })
                .collect()
        } else {
            agencies::categories(&mut r.conn(), false)
                .await?
                .into_iter()
                .map(|k| RefView {
                    id: k.id,
                    kind: "",
                    code: k.code,
                    name: k.name,
                    active: k.active,
                })
                .collect()
        }
    };
    let chrome = Chrome::build(state, staff, "admin", None).await?;
    Ok(render(
        out.status,
        &RefsPage {
            chrome,
            tab: if agencies_tab { "opd" } else { "kategori" },
            title: if agencies_tab {
                "Perangkat daerah"
            } else {
                "Kategori aduan"
            },
            base: if agencies_tab {
                "/admin/opd"
            } else {
                "/admin/kategori"
            },
            with_kind: agencies_tab,
            rows,
            notice: out.notice,
            error: out.error,
            code,
            name,
        },
    ))
}

async fn agencies_page(
    State(state): State<AppState>,
    WebStaff(staff): WebStaff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    render_refs(
        &state,
        &staff,
        true,
        Outcome::notice(&q),
        String::new(),
        String::new(),
    )
    .await
}

async fn categories_page(
    State(state): State<AppState>,
    WebStaff(staff): WebStaff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    render_refs(
        &state,
        &staff,
        false,
        Outcome::notice(&q),
        String::new(),
        String::new(),
    )
    .await
}

async fn agency_create(
    State(state): State<AppState>,
    posted: Posted,
) -> Result<Response, PageError> {
    let Posted { staff, form, .. } = posted;
    let kind = form.opt("kind").unwrap_or("opd");
    match svc::create_agency(&state, &staff, form.get("code"), form.get("name"), kind).await {
        Ok(_) => Ok(see_other("/admin/opd?ok=dibuat")),
        Err(e) => {
            let out = fail_or(e)?;
            render_refs(
                &state,
                &staff,
                true,
                out,
                form.get("code").into(),
                form.get("name").into(),
            )
            .await
        }
    }
}

async fn agency_update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted,
) -> Result<Response, PageError> {
    let Posted { staff, form, .. } = posted;
    match svc::update_agency(&state, &staff, id, form.get("name"), form.checked("active")).await {
        Ok(()) => Ok(see_other("/admin/opd?ok=disimpan")),
        Err(e) => {
            let out = fail_or(e)?;
            render_refs(&state, &staff, true, out, String::new(), String::new()).await
        }
    }
}

async fn category_create(
    State(state): State<AppState>,
    posted: Posted,
) -> Result<Response, PageError> {
    let Posted { staff, form, .. } = posted;
    match svc::create_category(&state, &staff, form.get("code"), form.get("name")).await {
        Ok(_) => Ok(see_other("/admin/kategori?ok=dibuat")),
        Err(e) => {
            let out = fail_or(e)?;
            render_refs(
                &state,
                &staff,
                false,
                out,
                form.get("code").into(),
                form.get("name").into(),
            )
            .await
        }
    }
}

async fn category_update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted,
) -> Result<Response, PageError> {
    let Posted { staff, form, .. } = posted;
    match svc::update_category(&state, &staff, id, form.get("name"), form.checked("active")).await {
        Ok(()) => Ok(see_other("/admin/kategori?ok=disimpan")),
        Err(e) => {
            let out = fail_or(e)?;
            render_refs(&state, &staff, false, out, String::new(), String::new()).await
        }
    }
}

// ---- Bot texts

/// A bot text in the list.
#[derive(Clone, Debug)]
pub struct TextView {
    /// Key.
    pub key: &'static str,
    /// What it is for.
    pub description: &'static str,
    /// Placeholders.
    pub placeholders: String,
    /// The text now.
    pub text: String,
    /// The default.
    pub default_text: &'static str,
    /// Changed by a superadmin.
    pub overridden: bool,
    /// Limit.
    pub max: usize,
}

fn text_view(state: &AppState, key: TextKey) -> TextView {
    let texts = state.texts.snapshot();
    TextView {
        key: key.as_str(),
        description: key.description(),
        placeholders: key
            .placeholders()
            .iter()
            .map(|p| format!("{{{p}}}"))
            .collect::<Vec<_>>()
            .join(" "),
        text: texts.get(key).to_owned(),
        default_text: key.default_text(),
        overridden: texts.is_overridden(key),
        max: key.max_chars(),
    }
}

#[derive(Template)]
#[template(path = "admin_texts.html")]
struct TextsPage {
    chrome: Chrome,
    tab: &'static str,
    texts: Vec<TextView>,
    notice: Option<String>,
}

async fn texts_page(
    State(state): State<AppState>,
    WebStaff(staff): WebStaff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    svc::require_superadmin(&staff)?;
    let chrome = Chrome::build(&state, &staff, "admin", None).await?;
    Ok(page(&TextsPage {
        chrome,
        tab: "teks",
        texts: TextKey::ALL.iter().map(|k| text_view(&state, *k)).collect(),
        notice: Outcome::notice(&q).notice,
    }))
}

#[derive(Template)]
#[template(path = "admin_text.html")]
struct TextPage {
    chrome: Chrome,
    tab: &'static str,
    t: TextView,
    value: String,
    error: Option<String>,
}

async fn render_text(
    state: &AppState,
    staff: &Staff,
    key: &str,
    status: StatusCode,
    value: Option<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    svc::require_superadmin(staff)?;
    let key = TextKey::parse(key).map_err(|_| AppError::NotFound)?;
    let t = text_view(state, key);
    let chrome = Chrome::build(state, staff, "admin", None).await?;
    Ok(render(
        status,
        &TextPage {
            chrome,
            tab: "teks",
            value: value.unwrap_or_else(|| t.text.clone()),
            t,
            error,
        },
    ))
}

async fn text_page(
    State(state): State<AppState>,
    WebStaff(staff): WebStaff,
    Path(key): Path<String>,
) -> Result<Response, PageError> {
    render_text(&state, &staff, &key, StatusCode::OK, None, None).await
}

async fn text_save(
    State(state): State<AppState>,
    Path(key): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let Posted { staff, form, .. } = posted;
    match svc::set_text(&state, &staff, &key, form.get("text")).await {
        Ok(()) => Ok(see_other("/admin/teks?ok=disimpan")),
        Err(e) => {
            let out = fail_or(e)?;
            render_text(
                &state,
                &staff,
                &key,
                out.status,
                Some(form.get("text").to_owned()),
                out.error,
            )
            .await
        }
    }
}

async fn text_reset(
    State(state): State<AppState>,
    Path(key): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    svc::reset_text(&state, &posted.staff, &key).await?;
    Ok(see_other("/admin/teks?ok=reset"))
}

// ---- Step targets

/// One editable target.
#[derive(Clone, Debug)]
pub struct TargetRow {
    /// Field prefix, e.g. `sop.verification`.
    pub key: String,
    /// Label.
    pub label: String,
    /// Amount ("" for none).
    pub amount: String,
    /// `minutes` / `working_days`.
    pub unit: &'static str,
    /// `calendar` / `office`.
    pub clock: &'static str,
    /// May be left empty (no target on this layer).
    pub optional: bool,
}

fn unit_str(u: Unit) -> &'static str {
    match u {
        Unit::Minutes => "minutes",
        Unit::WorkingDays => "working_days",
    }
}

fn clock_str(c: Clock) -> &'static str {
    match c {
        Clock::Calendar => "calendar",
        Clock::Office => "office",
    }
}

fn target_row(key: String, label: String, t: Option<Target>, optional: bool) -> TargetRow {
    TargetRow {
        key,
        label,
        amount: t.map(|t| t.amount.to_string()).unwrap_or_default(),
        unit: t.map_or("minutes", |t| unit_str(t.unit)),
        clock: t.map_or("office", |t| clock_str(t.clock)),
        optional,
    }
}

fn target_rows(t: &SlaTargets) -> (Vec<TargetRow>, Vec<TargetRow>, Vec<TargetRow>) {
    let sop = Step::ALL
        .iter()
        .map(|s| {
            target_row(
                format!("sop.{}", s.as_str()),
                s.label_id().to_owned(),
                t.sop.get(s).copied(),
                true,
            )
        })
        .collect();
    let national = Step::ALL
        .iter()
        .map(|s| {
            target_row(
                format!("national.{}", s.as_str()),
                s.label_id().to_owned(),
                t.national.get(s).copied(),
                true,
            )
        })
        .collect();
    let question = vec![
        target_row(
            "question_answer".into(),
            "Jawaban atas pertanyaan (UU 14/2008)".into(),
            Some(t.question_answer),
            false,
        ),
        target_row(
            "question_extension".into(),
            "Perpanjangan jawaban pertanyaan".into(),
            Some(t.question_extension),
            false,
        ),
    ];
    (sop, national, question)
}

fn parse_target(form: &Fields, key: &str, label: &str) -> Result<Option<Target>, AppError> {
    let amount = form.get(&format!("{key}.amount")).trim().to_owned();
    if amount.is_empty() {
        return Ok(None);
    }
    let amount: u32 = amount
        .parse()
        .ok()
        .filter(|a| *a >= 1)
        .ok_or_else(|| AppError::Invalid(format!("{label}: jumlah harus angka bulat ≥ 1")))?;
    let unit = match form.get(&format!("{key}.unit")) {
        "working_days" => Unit::WorkingDays,
        _ => Unit::Minutes,
    };
    let clock = match form.get(&format!("{key}.clock")) {
        "calendar" => Clock::Calendar,
        _ => Clock::Office,
    };
    let max = match unit {
        Unit::Minutes => Target::MAX_MINUTES,
        Unit::WorkingDays => Target::MAX_WORKING_DAYS,
    };
    if amount > max {
        return Err(AppError::Invalid(format!(
            "{label}: paling banyak {max} untuk satuan ini"
        )));
    }
    Ok(Some(Target {
        amount,
        unit,
        clock,
    }))
}

fn targets_from(form: &Fields, current: &SlaTargets) -> Result<SlaTargets, AppError> {
    let mut t = current.clone();
    for s in Step::ALL {
        let label = s.label_id();
        match parse_target(form, &format!("sop.{}", s.as_str()), label)? {
            Some(x) => t.sop.insert(s, x),
            None => t.sop.remove(&s),
        };
        match parse_target(form, &format!("national.{}", s.as_str()), label)? {
            Some(x) => t.national.insert(s, x),
            None => t.national.remove(&s),
        };
    }
    t.question_answer = parse_target(form, "question_answer", "Jawaban pertanyaan")?
        .ok_or_else(|| AppError::Invalid("target jawaban pertanyaan wajib diisi".into()))?;
    t.question_extension = parse_target(form, "question_extension", "Perpanjangan")?
        .ok_or_else(|| AppError::Invalid("target perpanjangan wajib diisi".into()))?;
    Ok(t)
}

#[derive(Template)]
#[template(path = "admin_targets.html")]
struct TargetsPage {
    chrome: Chrome,
    tab: &'static str,
    sop: Vec<TargetRow>,
    national: Vec<TargetRow>,
    question: Vec<TargetRow>,
    notice: Option<String>,
    error: Option<String>,
}

async fn render_targets(
    state: &AppState,
    staff: &Staff,
    out: Outcome,
    shown: Option<SlaTargets>,
) -> Result<Response, PageError> {
    svc::require_superadmin(staff)?;
    let t = match shown {
        Some(t) => t,
        None => state.targets.read().await.clone(),
    };
    let (sop, national, question) = target_rows(&t);
    let chrome = Chrome::build(state, staff, "admin", None).await?;
    Ok(render(
        out.status,
        &TargetsPage {
            chrome,
            tab: "tenggat",
            sop,
            national,
            question,
            notice: out.notice,
            error: out.error,
        },
    ))
}

async fn targets_page(
    State(state): State<AppState>,
    WebStaff(staff): WebStaff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    render_targets(&state, &staff, Outcome::notice(&q), None).await
}

async fn targets_save(
    State(state): State<AppState>,
    posted: Posted,
) -> Result<Response, PageError> {
    let Posted { staff, form, .. } = posted;
    svc::require_superadmin(&staff)?;
    let current = state.targets.read().await.clone();
    let result = match targets_from(&form, &current) {
        Ok(t) => svc::set_targets(&state, &staff, &t).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other("/admin/tenggat?ok=disimpan")),
        Err(e) => render_targets(&state, &staff, fail_or(e)?, None).await,
    }
}

// ---- Holidays

/// A holiday.
#[derive(Clone, Debug)]
pub struct HolidayView {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// "17 Agu 2026".
    pub label: String,
    /// Name.
    pub name: String,
}

#[derive(Template)]
#[template(path = "admin_holidays.html")]
struct HolidaysPage {
    chrome: Chrome,
    tab: &'static str,
    holidays: Vec<HolidayView>,
    notice: Option<String>,
    error: Option<String>,
    date: String,
    name: String,
}

async fn render_holidays(
    state: &AppState,
    staff: &Staff,
    out: Outcome,
    date: String,
    name: String,
) -> Result<Response, PageError> {
    svc::require_superadmin(staff)?;
    let holidays = {
        let mut r = state.store.reader().await?;
        wani_bares_store::sla::holidays(&mut r.conn()).await?
    };
    let chrome = Chrome::build(state, staff, "admin", None).await?;
    Ok(render(
        out.status,
        &HolidaysPage {
            chrome,
            tab: "libur",
            holidays: holidays
                .into_iter()
                .map(|(d, n)| HolidayView {
                    label: d
                        .parse::<jiff::civil::Date>()
                        .map_or_else(|_| d.clone(), fmt_date),
                    date: d,
                    name: n,
                })
                .collect(),
            notice: out.notice,
            error: out.error,
            date,
            name,
        },
    ))
}

async fn holidays_page(
    State(state): State<AppState>,
    WebStaff(staff): WebStaff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    render_holidays(
        &state,
        &staff,
        Outcome::notice(&q),
        String::new(),
        String::new(),
    )
    .await
}

async fn holiday_add(State(state): State<AppState>, posted: Posted) -> Result<Response, PageError> {
    let Posted { staff, form, .. } = posted;
    match svc::add_holiday(&state, &staff, form.get("date"), form.get("name")).await {
        Ok(()) => Ok(see_other("/admin/libur?ok=dibuat")),
        Err(e) => {
            let out = fail_or(e)?;
            render_holidays(
                &state,
                &staff,
                out,
                form.get("date").into(),
                form.get("name").into(),
            )
            .await
        }
    }
}

async fn holiday_remove(
    State(state): State<AppState>,
    Path(date): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    svc::remove_holiday(&state, &posted.staff, &date).await?;
    Ok(see_other("/admin/libur?ok=dihapus"))
}

// ---- WhatsApp

#[derive(Template)]
#[template(path = "admin_whatsapp.html")]
struct WhatsappPage {
    chrome: Chrome,
    tab: &'static str,
    settings: Vec<(&'static str, String)>,
    result: Option<Result<Vec<(&'static str, String)>, String>>,
}

fn wa_settings(state: &AppState) -> Vec<(&'static str, String)> {
    let wa = &state.config.whatsapp;
    let set = |s: bool| if s { "terisi" } else { "BELUM DIISI" }.to_owned();
    vec![
        ("Alamat Graph API", wa.api_base.clone()),
        (
            "Phone number ID",
            if wa.phone_number_id.is_empty() {
                "BELUM DIISI".into()
            } else {
                wa.phone_number_id.clone()
            },
        ),
        ("Access token", set(!wa.access_token.is_empty())),
        (
            "App secret (tanda tangan webhook)",
            set(!wa.app_secret.is_empty()),
        ),
        ("Verify token", set(!wa.verify_token.is_empty())),
        ("Batas kirim per detik", wa.rate_per_second.to_string()),
        ("Template di luar 24 jam", wa.template_name.clone()),
        ("Bahasa template", wa.template_language.clone()),
        (
            "Template penilaian",
            if state.config.workflow.rating_template_name.is_empty() {
                "(memakai template umum)".into()
            } else {
                state.config.workflow.rating_template_name.clone()
            },
        ),
    ]
}

async fn whatsapp_page(
    State(state): State<AppState>,
    WebStaff(staff): WebStaff,
) -> Result<Response, PageError> {
    svc::require_superadmin(&staff)?;
    let chrome = Chrome::build(&state, &staff, "admin", None).await?;
    Ok(page(&WhatsappPage {
        chrome,
        tab: "whatsapp",
        settings: wa_settings(&state),
        result: None,
    }))
}

async fn whatsapp_test(
    State(state): State<AppState>,
    posted: Posted,
) -> Result<Response, PageError> {
    let staff = posted.staff;
    svc::require_superadmin(&staff)?;
    let result = match svc::test_connection(&state, &staff).await {
        Ok(c) => Ok(vec![
            (
                "Nomor",
                c.display_phone_number.unwrap_or_else(|| "—".into()),
            ),
            ("Nama bisnis", c.verified_name.unwrap_or_else(|| "—".into())),
            (
                "Peringkat kualitas",
                c.quality_rating.unwrap_or_else(|| "—".into()),
            ),
        ]),
        Err(e @ AppError::Internal(_)) => return Err(e.into()),
        Err(e) => Err(super::friendly(&e)),
    };
    let chrome = Chrome::build(&state, &staff, "admin", None).await?;
    Ok(page(&WhatsappPage {
        chrome,
        tab: "whatsapp",
        settings: wa_settings(&state),
        result: Some(result),
    }))
}

// ---- Canned replies (admins)

/// A canned reply.
#[derive(Clone, Debug)]
pub struct CannedRow {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// Created.
    pub created: String,
}

#[derive(Template)]
#[template(path = "canned.html")]
struct CannedPage {
    chrome: Chrome,
    rows: Vec<CannedRow>,
    notice: Option<String>,
    error: Option<String>,
    title: String,
    body: String,
}

async fn render_canned(
    state: &AppState,
    staff: &Staff,
    out: Outcome,
    title: String,
    body: String,
) -> Result<Response, PageError> {
    svc::require_admin(staff)?;
    let cal = state.calendar.read().await.clone();
    let rows = {
        let mut r = state.store.reader().await?;
        canned::list(&mut r.conn()).await?
    };
    let chrome = Chrome::build(state, staff, "canned", None).await?;
    Ok(render(
        out.status,
        &CannedPage {
            chrome,
            rows: rows
                .into_iter()
                .map(|c| CannedRow {
                    id: c.id,
                    created: fmt_time(&cal, c.created_at),
                    title: c.title,
                    body: c.body,
                })
                .collect(),
            notice: out.notice,
            error: out.error,
            title,
            body,
        },
    ))
}

async fn canned_page(
    State(state): State<AppState>,
    WebStaff(staff): WebStaff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    render_canned(
        &state,
        &staff,
        Outcome::notice(&q),
        String::new(),
        String::new(),
    )
    .await
}

async fn canned_create(
    State(state): State<AppState>,
    posted: Posted,
) -> Result<Response, PageError> {
    let Posted { staff, form, .. } = posted;
    match svc::create_canned(&state, &staff, form.get("title"), form.get("body")).await {
        Ok(_) => Ok(see_other("/balasan?ok=dibuat")),
        Err(e) => {
            let out = fail_or(e)?;
            render_canned(
                &state,
                &staff,
                out,
                form.get("title").into(),
                form.get("body").into(),
            )
            .await
        }
    }
}

async fn canned_update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted,
) -> Result<Response, PageError> {
    let Posted { staff, form, .. } = posted;
    match svc::update_canned(&state, &staff, id, form.get("title"), form.get("body")).await {
        Ok(()) => Ok(see_other("/balasan?ok=disimpan")),
        Err(e) => {
            let out = fail_or(e)?;
            render_canned(&state, &staff, out, String::new(), String::new()).await
        }
    }
}

async fn canned_delete(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted,
) -> Result<Response, PageError> {
    svc::delete_canned(&state, &posted.staff, id).await?;
    Ok(see_other("/balasan?ok=dihapus"))
}
