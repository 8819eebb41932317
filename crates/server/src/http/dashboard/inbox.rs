//! Role inboxes and search.
//!
//! A role's queues (the SOP's desks): admin "Perlu verifikasi" (`submitted`) and "Siap
//! dikirim ke pelapor" (`answer_at_admin`); Kabid "Menunggu Kabid" (`at_kabid`) and
//! "Jawaban masuk" (`answer_at_kabid`); Kadis "Menunggu Kadis" (`at_kadis`), "Disposisi
//! OPD" (`dispatched`, to add agencies or watch them) and "Jawaban masuk"
//! (`answer_at_kadis`); an agency "Disposisi OPD" (its own pending assignments only);
//! superadmin and viewer every queue. Lists are newest first with keyset pagination
//! (`before_id`), so a page costs the same at a million complaints; counts are per-status
//! index counts, or the agency's pending assignments. Every list goes through
//! `services::complaints::list`, which applies the agency scope.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use wani_bares_domain::lifecycle::Status;
use wani_bares_domain::role::Role;
use wani_bares_domain::sla::{self as dsla, Badge, Layer, RequestKind, Step};
use wani_bares_store::agencies;
use wani_bares_store::complaints::{ListFilter, ListItem};

use super::session::WebStaff;
use super::{Chrome, PageError, QueueLink, fmt_time, page, urlencode};
use crate::error::AppError;
use crate::services::auth::Staff;
use crate::services::complaints as svc;
use crate::state::AppState;

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/kotak/{slug}", get(queue_page))
        .route("/kotak/{slug}/daftar", get(queue_rows))
        .route("/bagian/antrean", get(queue_bar))
        .route("/cari", get(search_page))
        .route("/cari/daftar", get(search_rows))
}

/// One work queue.
#[derive(Clone, Copy, Debug)]
pub struct QueueDef {
    /// URL slug.
    pub slug: &'static str,
    /// Label.
    pub label: &'static str,
    /// What it holds, for the page header.
    pub hint: &'static str,
    /// Statuses (empty for an agency's queue).
    pub statuses: &'static [&'static str],
    /// The agency's pending assignments instead of statuses.
    pub agency_pending: bool,
}

const VERIFY: QueueDef = QueueDef {
    slug: "verifikasi",
    label: "Perlu verifikasi",
    hint: "Aduan baru: periksa kelengkapan identitas, foto KTP dan isi aduan.",
    statuses: &["submitted"],
    agency_pending: false,
};
const KABID: QueueDef = QueueDef {
    slug: "kabid",
    label: "Menunggu Kabid",
    hint: "Aduan terverifikasi yang menunggu diteruskan Kepala Bidang IKP.",
    statuses: &["at_kabid"],
    agency_pending: false,
};
const KADIS: QueueDef = QueueDef {
    slug: "kadis",
    label: "Menunggu Kadis",
    hint: "Aduan yang menunggu disposisi Kepala Dinas ke perangkat daerah.",
    statuses: &["at_kadis"],
    agency_pending: false,
};
const DISPATCHED: QueueDef = QueueDef {
    slug: "disposisi",
    label: "Disposisi OPD",
    hint: "Aduan yang sedang ditangani perangkat daerah.",
    statuses: &["dispatched"],
    agency_pending: false,
};
const AGENCY: QueueDef = QueueDef {
    slug: "disposisi",
    label: "Disposisi OPD",
    hint: "Aduan yang didisposisikan ke perangkat daerah Anda dan menunggu jawaban.",
    statuses: &[],
    agency_pending: true,
};
const ANSWERS_KABID: QueueDef = QueueDef {
    slug: "jawaban",
    label: "Jawaban masuk",
    hint: "Jawaban perangkat daerah yang menunggu diteruskan ke Administrator.",
    statuses: &["answer_at_kabid"],
    agency_pending: false,
};
const ANSWERS_KADIS: QueueDef = QueueDef {
    slug: "jawaban",
    label: "Jawaban masuk",
    hint: "Jawaban perangkat daerah yang menunggu diteruskan ke Kepala Bidang IKP.",
    statuses: &["answer_at_kadis"],
    agency_pending: false,
};
const ANSWERS_ALL: QueueDef = QueueDef {
    slug: "jawaban",
    label: "Jawaban masuk",
    hint: "Jawaban perangkat daerah di meja Kadis atau Kabid.",
    statuses: &["answer_at_kadis", "answer_at_kabid"],
    agency_pending: false,
};
const SEND: QueueDef = QueueDef {
    slug: "kirim",
    label: "Siap dikirim ke pelapor",
    hint: "Jawaban yang sudah diteruskan pimpinan dan siap dikirim ke pelapor.",
    statuses: &["answer_at_admin"],
    agency_pending: false,
};

/// The queues of a role, in SOP order.
pub fn queues_for(role: Role) -> Vec<QueueDef> {
    match role {
        Role::Admin => vec![VERIFY, SEND],
        Role::Kabid => vec![KABID, ANSWERS_KABID],
        Role::Kadis => vec![KADIS, DISPATCHED, ANSWERS_KADIS],
        Role::Opd => vec![AGENCY],
        Role::Superadmin | Role::Viewer => {
            vec![VERIFY, KABID, KADIS, DISPATCHED, ANSWERS_ALL, SEND]
        }
    }
}

async fn queue_count(state: &AppState, staff: &Staff, q: &QueueDef) -> Result<i64, AppError> {
    let mut r = state.store.reader().await?;
    if q.agency_pending {
        let Some(agency) = staff.agency_id else {
            return Ok(0);
        };
        return Ok(
            wani_bares_store::dashboard::pending_for_agency_count(&mut r.conn(), agency).await?,
        );
    }
    let mut n = 0;
    for s in q.statuses {
        n += wani_bares_store::complaints::count_in_status(&mut r.conn(), s).await?;
    }
    Ok(n)
}

/// The queue bar of a staff member: each queue with its count.
pub async fn queue_links(
    state: &AppState,
    staff: &Staff,
    active: Option<&str>,
) -> Result<Vec<QueueLink>, AppError> {
    let mut out = Vec::new();
    for q in queues_for(staff.role) {
        out.push(QueueLink {
            slug: q.slug,
            label: q.label,
            count: queue_count(state, staff, &q).await?,
            active: active == Some(q.slug),
        });
    }
    Ok(out)
}

/// A complaint card in a list.
#[derive(Clone, Debug)]
pub struct Row {
    /// Tracking number.
    pub ticket: String,
    /// Status label.
    pub status_label: &'static str,
    /// Status (CSS class).
    pub status: String,
    /// `Aduan` / `Pertanyaan`.
    pub kind_label: &'static str,
    /// Created.
    pub created: String,
    /// Status since.
    pub status_at: String,
    /// Category.
    pub category: Option<String>,
    /// Kecamatan.
    pub district: Option<String>,
    /// Summary.
    pub summary: String,
    /// Agencies.
    pub opds: String,
    /// Deadline badge: (css class, label).
    pub badge: Option<(&'static str, &'static str)>,
    /// Due (formatted).
    pub due: Option<String>,
}

fn rank(b: Badge) -> u8 {
    match b {
        Badge::OnTime => 0,
        Badge::DueSoon => 1,
        Badge::Late => 2,
    }
}

/// Turns list items into cards with their current deadline badge (one query for all).
pub async fn rows(
    state: &AppState,
    staff: &Staff,
    items: Vec<ListItem>,
) -> Result<Vec<Row>, AppError> {
    let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    let records = {
        let mut r = state.store.reader().await?;
        wani_bares_store::sla::open_for(&mut r.conn(), &ids).await?
    };
    let targets = state.targets.read().await.clone();
    let cal = state.calendar.read().await.clone();
    let now = state.clock.now();
    let own_holder = staff.agency_code.as_ref().map(|c| format!("opd:{c}"));
    let kinds: HashMap<i64, &str> = items.iter().map(|i| (i.id, i.kind.as_str())).collect();
    let mut worst: HashMap<i64, (Badge, i64)> = HashMap::new();
    for rec in &records {
        let Some(cid) = rec.complaint_id else {
            continue;
        };
        if !staff.sees_all() && own_holder.as_deref() != Some(rec.holder.as_str()) {
            continue;
        }
        let Ok(step) = Step::parse(&rec.step) else {
            continue;
        };
        let kind = if kinds.get(&cid) == Some(&"pertanyaan") {
            RequestKind::Question
        } else {
            RequestKind::Complaint
        };
        let start = wani_bares_store::timestamp(rec.started_at);
        let due = wani_bares_store::timestamp(rec.due_at);
        let badge = targets
            .target(step, Layer::Sop, kind)
            .map_or(Badge::OnTime, |t| {
                dsla::badge_from_points(now, dsla::reminder_points(start, due, &t, &cal))
            });
        let entry = worst.entry(cid).or_insert((badge, rec.due_at));
        if rank(badge) > rank(entry.0) || (badge == entry.0 && rec.due_at < entry.1) {
            *entry = (badge, rec.due_at);
        }
    }
    Ok(items
        .into_iter()
        .map(|i| {
            let b = worst.get(&i.id).copied();
            Row {
                status_label: Status::parse(&i.status).map_or("?", Status::staff_label_id),
                kind_label: if i.kind == "pertanyaan" {
                    "Pertanyaan"
                } else {
                    "Aduan"
                },
                created: fmt_time(&cal, i.created_at),
                status_at: fmt_time(&cal, i.status_at),
                summary: if staff.sees_all() {
                    i.summary.clone()
                } else {
                    crate::inbound::mask_identity_numbers(&i.summary)
                },
                opds: i.opds.join(", "),
                badge: b.map(|(b, _)| (b.as_str(), b.label_id())),
                due: b.map(|(_, due)| fmt_time(&cal, due)),
                ticket: i.ticket,
                status: i.status,
                category: i.category,
                district: i.district,
            }
        })
        .collect())
}

const PAGE: i64 = 30;

fn queue_def(staff: &Staff, slug: &str) -> Result<QueueDef, AppError> {
    queues_for(staff.role)
        .into_iter()
        .find(|q| q.slug == slug)
        .ok_or(AppError::NotFound)
}

async fn queue_items(
    state: &AppState,
    staff: &Staff,
    q: &QueueDef,
    before: Option<i64>,
) -> Result<(Vec<Row>, Option<i64>), AppError> {
    let mut filter = ListFilter {
        limit: PAGE,
        before_id: before,
        statuses: q.statuses.iter().map(|s| (*s).to_owned()).collect(),
        ..ListFilter::default()
    };
    if q.agency_pending {
        filter.pending_for_agency = Some(staff.agency_id.unwrap_or(-1));
    }
    let items = svc::list(state, staff, filter).await?;
    let next = (items.len() as i64 == PAGE)
        .then(|| items.last().map(|i| i.id))
        .flatten();
    Ok((rows(state, staff, items).await?, next))
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    chrome: Chrome,
    queue: QueueDef,
    rows: Vec<Row>,
    more: Option<(String, String)>,
    first_page: bool,
    refresh_url: String,
}

#[derive(Template)]
#[template(path = "rows.html")]
struct RowsFragment {
    rows: Vec<Row>,
    more: Option<(String, String)>,
    first_page: bool,
}

#[derive(Template)]
#[template(path = "queues.html")]
struct QueueBar {
    chrome: Chrome,
}

fn cursor(q: &HashMap<String, String>) -> Result<Option<i64>, AppError> {
    match q.get("sebelum").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| AppError::Invalid("penanda halaman tidak valid".into())),
        None => Ok(None),
    }
}

async fn home(
    State(state): State<AppState>,
    WebStaff(staff): WebStaff,
) -> Result<Response, PageError> {
    let q = queues_for(staff.role)
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    render_queue(&state, &staff, q, None).await
}

async fn queue_page(
    State(state): State<AppState>,
    WebStaff(staff): WebStaff,
    Path(slug): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let def = queue_def(&staff, &slug)?;
    render_queue(&state, &staff, def, cursor(&q)?).await
}

async fn render_queue(
    state: &AppState,
    staff: &Staff,
    def: QueueDef,
    before: Option<i64>,
) -> Result<Response, PageError> {
    let (rows, next) = queue_items(state, staff, &def, before).await?;
    let chrome = Chrome::build(state, staff, "inbox", Some(def.slug)).await?;
    Ok(page(&InboxPage {
        chrome,
        more: more_links(def.slug, next),
        first_page: before.is_none(),
        refresh_url: format!("/kotak/{}/daftar", def.slug),
        queue: def,
        rows,
    }))
}

async fn queue_rows(
    State(state): State<AppState>,
    WebStaff(staff): WebStaff,
    Path(slug): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let def = queue_def(&staff, &slug)?;
    let before = cursor(&q)?;
    let (rows, next) = queue_items(&state, &staff, &def, before).await?;
    Ok(page(&RowsFragment {
        rows,
        more: more_links(def.slug, next),
        first_page: before.is_none(),
    }))
}

fn more_links(slug: &str, next: Option<i64>) -> Option<(String, String)> {
    next.map(|n| {
        (
            format!("/kotak/{slug}?sebelum={n}"),
            format!("/kotak/{slug}/daftar?sebelum={n}"),
        )
    })
}

async fn queue_bar(
    State(state): State<AppState>,
    WebStaff(staff): WebStaff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let active = q.get("aktif").map(String::as_str);
    let chrome = Chrome::build(&state, &staff, "inbox", active).await?;
    Ok(page(&QueueBar { chrome }))
}

// ---- Search

/// An option of a select.
#[derive(Clone, Debug)]
pub struct Choice {
    /// Value.
    pub value: String,
    /// Label.
    pub label: String,
    /// Selected.
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    chrome: Chrome,
    q: String,
    from: String,
    to: String,
    statuses: Vec<Choice>,
    agencies: Vec<Choice>,
    categories: Vec<Choice>,
    kinds: Vec<Choice>,
    show_agencies: bool,
    searched: bool,
    error: Option<String>,
    rows: Vec<Row>,
    more: Option<(String, String)>,
    first_page: bool,
}

const SEARCH_KEYS: [&str; 7] = ["q", "status", "opd", "category", "from", "to", "kind"];

fn search_query(q: &HashMap<String, String>) -> String {
    SEARCH_KEYS
        .iter()
        .filter_map(|k| {
            q.get(*k)
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", urlencode(v)))
        })
        .collect::<Vec<_>>()
        .join("&")
}

async fn search_results(
    state: &AppState,
    staff: &Staff,
    q: &HashMap<String, String>,
) -> Result<(Vec<Row>, Option<(String, String)>), AppError> {
    let mut params: HashMap<String, String> = q
        .iter()
        .filter(|(k, _)| SEARCH_KEYS.contains(&k.as_str()) || k.as_str() == "cursor")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    params.insert("limit".into(), PAGE.to_string());
    let filter = crate::http::api::filter_from(state, &params).await?;
    let items = svc::list(state, staff, filter).await?;
    let next = (items.len() as i64 == PAGE)
        .then(|| items.last().map(|i| i.id))
        .flatten();
    let query = search_query(q);
    let sep = if query.is_empty() { "" } else { "&" };
    let more = next.map(|n| {
        (
            format!("/cari?{query}{sep}cursor={n}"),
            format!("/cari/daftar?{query}{sep}cursor={n}"),
        )
    });
    Ok((rows(state, staff, items).await?, more))
}

async fn search_page(
    State(state): State<AppState>,
    WebStaff(staff): WebStaff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let get = |k: &str| q.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let searched = SEARCH_KEYS
        .iter()
        .any(|k| q.get(*k).is_some_and(|v| !v.trim().is_empty()));
    let (rows, more, error) = if searched {
        match search_results(&state, &staff, &q).await {
            Ok((r, m)) => (r, m, None),
            Err(e @ AppError::Invalid(_)) => (Vec::new(), None, Some(super::friendly(&e))),
            Err(e) => return Err(e.into()),
        }
    } else {
        (Vec::new(), None, None)
    };
    let (agency_list, category_list) = {
        let mut r = state.store.reader().await?;
        (
            agencies::list(&mut r.conn(), false).await?,
            agencies::categories(&mut r.conn(), false).await?,
        )
    };
    let status = get("status");
    let opd = get("opd").to_uppercase();
    let category = get("category");
    let kind = get("kind");
    let chrome = Chrome::build(&state, &staff, "search", None).await?;
    Ok(page(&SearchPage {
        chrome,
        q: get("q"),
        from: get("from"),
        to: get("to"),
        statuses: Status::ALL
            .iter()
            .map(|s| Choice {
                value: s.as_str().into(),
                label: s.staff_label_id().into(),
                selected: status == s.as_str(),
            })
            .collect(),
        agencies: agency_list
            .into_iter()
            .map(|a| Choice {
                selected: opd == a.code,
                label: a.name,
                value: a.code,
            })
            .collect(),
        categories: category_list
            .into_iter()
            .map(|c| Choice {
                selected: category == c.code,
                label: c.name,
                value: c.code,
            })
            .collect(),
        kinds: [("aduan", "Aduan"), ("pertanyaan", "Pertanyaan")]
            .into_iter()
            .map(|(v, l)| Choice {
                value: v.into(),
                label: l.into(),
                selected: kind == v,
            })
            .collect(),
        show_agencies: staff.sees_all(),
        searched,
        error,
        rows,
        more,
        first_page: !q.contains_key("cursor"),
    }))
}

async fn search_rows(
    State(state): State<AppState>,
    WebStaff(staff): WebStaff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let (rows, more) = search_results(&state, &staff, &q).await?;
    Ok(page(&RowsFragment {
        rows,
        more,
        first_page: !q.contains_key("cursor"),
    }))
}
