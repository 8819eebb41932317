//! The access-control matrix (issue: "Reliability and security").
//!
//! (a) Every role × every workflow action × every complaint state through
//! `POST /api/v1/complaints/{ticket}/actions`. One complaint per state is built through the
//! real path (WhatsApp registration, then API actions; `withdrawn` by letting the completion
//! window pass and running the timer). The expected status comes from the rules:
//! visibility (an agency sees only complaints dispatched to it: 404 otherwise), then the
//! API's own refusals (system-only actions and viewers: 403), then
//! `wani_bares_domain::lifecycle::apply` on the same case and actor (Forbidden 403,
//! NotAllowed 409, NotYourAssignment 404, Invalid 422, success 200). The set of successes is
//! also checked against an explicit table written from the SOP, and the detail's
//! `allowed_actions` against what the probes found.
//!
//! Probes that fail change nothing, so they all run on the one complaint of their state
//! (and the test checks it stayed in that state). A probe the rules expect to succeed runs
//! on a fresh copy of that state from a pool built up front, so no probe sees another's
//! effect.
//!
//! (b) Every route of the HTTP routers (declared in `src/http/{health,webhook,api}.rs` and
//! `src/http/dashboard/*.rs`; the test reads those files and fails when a route is not in
//! [`ROUTES`], and when the OpenAPI document lists a path that is not) with no session, an
//! expired one, a forged one and a role that may not use it: a dashboard read redirects to
//! `/login`, the API and every write answer 401/403 (404 for a complaint the role cannot
//! see); never 200, never 500. Every dashboard write also refuses a missing or foreign CSRF
//! token.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use futures::future::join_all;
use serde_json::{Value, json};
use wani_bares_domain::lifecycle::{
    self, Action, AssignmentView, Case, Dispatcher, Status, TransitionError,
};
use wani_bares_domain::role::{Actor, OpdCode, Role};

use crate::dashboard::{FormExt, Web, web_login};
use crate::helpers::{Staff, TestApp, image_body, text_body};
use crate::on_each_backend;

// ---------------------------------------------------------------------------------------
// (a) role × action × state

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Superadmin,
    Admin,
    Kabid,
    Kadis,
    /// An `opd` user of the agency the complaints are dispatched to (DPUPR).
    OpdDispatched,
    /// An `opd` user of another agency (DINKES).
    OpdOther,
    Viewer,
}

const EVERYONE: [Who; 7] = [
    Who::Superadmin,
    Who::Admin,
    Who::Kabid,
    Who::Kadis,
    Who::OpdDispatched,
    Who::OpdOther,
    Who::Viewer,
];

impl Who {
    fn token(self, s: &Staff) -> &str {
        match self {
            Who::Superadmin => &s.superadmin,
            Who::Admin => &s.admin,
            Who::Kabid => &s.kabid,
            Who::Kadis => &s.kadis,
            Who::OpdDispatched => &s.pupr,
            Who::OpdOther => &s.dinkes,
            Who::Viewer => &s.viewer,
        }
    }

    fn actor(self) -> Actor {
        let code = |c: &str| OpdCode::parse(c).unwrap();
        match self {
            Who::Superadmin => Actor::staff(Role::Superadmin, None),
            Who::Admin => Actor::staff(Role::Admin, None),
            Who::Kabid => Actor::staff(Role::Kabid, None),
            Who::Kadis => Actor::staff(Role::Kadis, None),
            Who::OpdDispatched => Actor::staff(Role::Opd, Some(code("DPUPR"))),
            Who::OpdOther => Actor::staff(Role::Opd, Some(code("DINKES"))),
            Who::Viewer => Actor::staff(Role::Viewer, None),
        }
        .unwrap()
    }

    /// The role column of [`SUCCESSES`].
    fn column(self) -> &'static str {
        match self {
            Who::Superadmin => "superadmin",
            Who::Admin => "admin",
            Who::Kabid => "kabid",
            Who::Kadis => "kadis",
            Who::OpdDispatched => "opd",
            Who::OpdOther => "opd-other",
            Who::Viewer => "viewer",
        }
    }
}

const STATES: [Status; 11] = [
    Status::Submitted,
    Status::Incomplete,
    Status::AtKabid,
    Status::AtKadis,
    Status::Dispatched,
    Status::AnswerAtKadis,
    Status::AnswerAtKabid,
    Status::AnswerAtAdmin,
    Status::Closed,
    Status::Rejected,
    Status::Withdrawn,
];

/// One valid body per action (the `action` values are the API's contract).
fn bodies() -> Vec<Value> {
    vec![
        json!({"action": "verify"}),
        json!({"action": "request_completion", "message": "Mohon kirim foto lokasi."}),
        json!({"action": "reject", "reason": "Di luar kewenangan pemerintah daerah."}),
        json!({"action": "send_reply", "text": "Terima kasih, aduan sudah ditangani."}),
        json!({"action": "forward"}),
        json!({"action": "pass_answer"}),
        json!({"action": "dispatch", "opds": ["DPUPR"], "note": "Mohon ditindaklanjuti"}),
        json!({"action": "answer", "answer": "Sudah diperbaiki.", "follow_up": "Dipantau tiap minggu."}),
        json!({"action": "decline", "reason": "Bukan kewenangan kami."}),
        json!({"action": "citizen_completed"}),
        json!({"action": "withdraw"}),
        json!({"action": "reopen", "reason": "Belum selesai", "received_at": "2026-11-04T03:00:00Z"}),
    ]
}

/// What succeeds, written from the SOP (not from the code): (state, role, action). The
/// superadmin may do everything any other role may; `opd` is the dispatched agency.
const SUCCESSES: &[(&str, &str, &str)] = &[
    ("submitted", "admin", "verify"),
    ("submitted", "admin", "request_completion"),
    ("submitted", "admin", "reject"),
    ("incomplete", "admin", "reject"),
    ("at_kabid", "kabid", "forward"),
    ("at_kadis", "kadis", "dispatch"),
    ("dispatched", "opd", "answer"),
    ("dispatched", "opd", "decline"),
    ("answer_at_kadis", "kadis", "pass_answer"),
    ("answer_at_kabid", "kabid", "pass_answer"),
    ("answer_at_admin", "admin", "send_reply"),
];

/// The case `apply` sees for a complaint built by [`path_to`].
fn case_of(status: Status) -> Case {
    let dpupr = OpdCode::parse("DPUPR").unwrap();
    let mut case = Case::new(status);
    match status {
        Status::Dispatched => {
            case.assignments = vec![AssignmentView::pending(dpupr)];
            case.dispatched_by = Some(Dispatcher::Kadis);
        }
        Status::AnswerAtKadis | Status::AnswerAtKabid | Status::AnswerAtAdmin | Status::Closed => {
            case.assignments = vec![AssignmentView::answered(
                dpupr,
                "Sudah diperbaiki.",
                "Dipantau tiap minggu.",
            )];
            case.dispatched_by = Some(Dispatcher::Kadis);
            if status == Status::Closed {
                case.closed_at = Some("2026-11-04T02:30:00Z".parse().unwrap());
            }
        }
        _ => {}
    }
    case
}

/// Whether the role sees a complaint in this state at all (agencies: only once dispatched
/// to them, `services::complaints::visible`).
fn visible(who: Who, status: Status) -> bool {
    match who {
        Who::OpdOther => false,
        Who::OpdDispatched => matches!(
            status,
            Status::Dispatched
                | Status::AnswerAtKadis
                | Status::AnswerAtKabid
                | Status::AnswerAtAdmin
                | Status::Closed
        ),
        _ => true,
    }
}

/// The status the rules give, and the state a success leads to.
fn expected(
    status: Status,
    who: Who,
    body: &Value,
    opts: lifecycle::WorkflowOptions,
) -> (u16, Option<Status>) {
    if !visible(who, status) {
        return (404, None);
    }
    let action: Action = serde_json::from_value(body.clone()).unwrap();
    if matches!(
        action,
        Action::CitizenCompleted | Action::Withdraw | Action::Reopen { .. }
    ) || who == Who::Viewer
    {
        return (403, None);
    }
    match lifecycle::apply(&case_of(status), &action, &who.actor(), &opts) {
        Ok(t) => (200, Some(t.to)),
        Err(TransitionError::Forbidden { .. }) => (403, None),
        Err(TransitionError::NotAllowed { .. } | TransitionError::ReopenWindowPassed { .. }) => {
            (409, None)
        }
        Err(TransitionError::NotYourAssignment) => (404, None),
        Err(TransitionError::Invalid(_)) => (422, None),
    }
}

/// The API actions that bring a new (submitted) complaint to `status`.
fn path_to(status: Status) -> Vec<(Who, Value)> {
    let verify = (Who::Admin, json!({"action": "verify"}));
    let forward = (Who::Kabid, json!({"action": "forward"}));
    let dispatch = (
        Who::Kadis,
        json!({"action": "dispatch", "opds": ["DPUPR"], "note": "Mohon ditindaklanjuti"}),
    );
    let answer = (
        Who::OpdDispatched,
        json!({"action": "answer", "answer": "Sudah diperbaiki.", "follow_up": "Dipantau tiap minggu."}),
    );
    let kadis_pass = (Who::Kadis, json!({"action": "pass_answer"}));
    let kabid_pass = (Who::Kabid, json!({"action": "pass_answer"}));
    let reply = (Who::Admin, json!({"action": "send_reply"}));
    let incomplete = (
        Who::Admin,
        json!({"action": "request_completion", "message": "Mohon kirim foto lokasi."}),
    );
    let full = [
        verify, forward, dispatch, answer, kadis_pass, kabid_pass, reply,
    ];
    let n = match status {
        Status::Submitted => 0,
        Status::AtKabid => 1,
        Status::AtKadis => 2,
        Status::Dispatched => 3,
        Status::AnswerAtKadis => 4,
        Status::AnswerAtKabid => 5,
        Status::AnswerAtAdmin => 6,
        Status::Closed => 7,
        Status::Incomplete | Status::Withdrawn => return vec![incomplete],
        Status::Rejected => {
            return vec![(
                Who::Admin,
                json!({"action": "reject", "reason": "Bukan aduan."}),
            )];
        }
    };
    full[..n].to_vec()
}

/// Registers one complaint per phone through WhatsApp, all at once (form, KTP photo,
/// "YA"); returns the tickets in order.
async fn register_many(app: &TestApp, phones: &[String]) -> Vec<String> {
    for p in phones {
        let form = format!(
            "Nama: Siti Aminah\nNIK: 3520014108900001\nAlamat: Desa Sidomukti RT 03 RW 05, Kec. Plaosan\nAduan: Jalan rusak di depan rumah nomor {p}, mohon diperbaiki"
        );
        app.post_webhook_ok(&text_body(p, &form)).await;
    }
    app.settle().await;
    for p in phones {
        app.post_webhook_ok(&image_body(p, &format!("media-{p}")))
            .await;
    }
    app.settle().await;
    for p in phones {
        app.post_webhook_ok(&text_body(p, "YA")).await;
    }
    app.settle().await;
    let re = regex_lite::Regex::new(r"WB-\d{6}-\d{4,}").unwrap();
    let mut tickets = Vec::new();
    for p in phones {
        let sent = app.sent_to(p).await;
        let t = sent
            .iter()
            .rev()
            .find_map(|s| re.find(&s.text()).map(|m| m.as_str().to_owned()))
            .unwrap_or_else(|| panic!("no ticket for {p}: {sent:#?}"));
        tickets.push(t);
    }
    tickets
}

async fn status_of(app: &TestApp, s: &Staff, ticket: &str) -> String {
    let (code, d) = app
        .api_get(&s.superadmin, &format!("/api/v1/complaints/{ticket}"))
        .await;
    assert_eq!(code, 200, "{ticket}: {d}");
    d["status"].as_str().unwrap().to_owned()
}

async fn probe(app: &TestApp, token: &str, ticket: &str, body: &Value) -> (u16, Value) {
    app.api_post(token, &format!("/api/v1/complaints/{ticket}/actions"), body)
        .await
}

#[tokio::test]
async fn every_role_action_and_state_gets_the_status_the_rules_say() {
    on_each_backend!(app => {
        let started = std::time::Instant::now();
        let s = app.staff().await;
        let opts = wani_bares::services::workflow::options(&app.state);
        let bodies = bodies();
        let name = |b: &Value| b["action"].as_str().unwrap().to_owned();

        // The plan: what each probe should get; successes need their own copy.
        let mut plan: BTreeMap<(usize, Who, usize), (u16, Option<Status>)> = BTreeMap::new();
        let mut copies = vec![0_usize; STATES.len()];
        for (si, &status) in STATES.iter().enumerate() {
            for who in EVERYONE {
                for (ai, body) in bodies.iter().enumerate() {
                    let e = expected(status, who, body, opts);
                    if e.0 == 200 {
                        copies[si] += 1;
                    }
                    plan.insert((si, who, ai), e);
                }
            }
        }
        // The successes agree with the table written from the SOP.
        let found: BTreeSet<(String, String, String)> = plan.iter()
            .filter(|(_, e)| e.0 == 200)
            .map(|((si, who, ai), _)| (STATES[*si].as_str().to_owned(), who.column().to_owned(), name(&bodies[*ai])))
            .collect();
        let table: BTreeSet<(String, String, String)> = SUCCESSES.iter()
            .flat_map(|(st, role, a)| [(st.to_string(), role.to_string(), a.to_string()), (st.to_string(), "superadmin".to_owned(), a.to_string())])
            .collect();
        assert_eq!(found, table, "the rules and the SOP table disagree");

        // One complaint per state plus the copies, registered at once.
        let total: usize = STATES.len() + copies.iter().sum::<usize>();
        let phones: Vec<String> = (0..total).map(|i| format!("6281455{:06}", i + 1)).collect();
        let mut pool = register_many(&app, &phones).await.into_iter();
        let mut base: Vec<String> = Vec::new();
        let mut spare: Vec<Vec<String>> = Vec::new();
        for (si, &status) in STATES.iter().enumerate() {
            let mut group = Vec::new();
            for _ in 0..=copies[si] {
                let t = pool.next().unwrap();
                for (who, body) in path_to(status) {
                    app.act(who.token(&s), &t, &body).await;
                }
                group.push(t);
            }
            base.push(group.remove(0));
            spare.push(group);
        }
        let built = started.elapsed();

        // `withdrawn` last: its clock jump ends every session, so everything else first.
        let mut failures: Vec<String> = Vec::new();
        let mut probes = 0;
        let mut s = s;
        for (si, &status) in STATES.iter().enumerate() {
            if status == Status::Withdrawn {
                let window = u64::from(app.state.config.workflow.completion_window_days) + 1;
                app.clock.advance(Duration::from_secs(window * 86_400));
                wani_bares::timers::completions(&app.state).await.unwrap();
                s = Staff {
                    superadmin: app.login("super").await,
                    admin: app.login("admin").await,
                    kabid: app.login("kabid").await,
                    kadis: app.login("kadis").await,
                    pupr: app.login("pupr").await,
                    dinkes: app.login("dinkes").await,
                    viewer: app.login("bupati").await,
                };
            }
            let ticket = &base[si];
            assert_eq!(status_of(&app, &s, ticket).await, status.as_str(), "{ticket} was built for {status}");
            // Refusals, concurrently: none of them changes anything.
            let refusals: Vec<(Who, usize, u16)> = plan.iter()
                .filter(|((i, _, _), e)| *i == si && e.0 != 200)
                .map(|((_, who, ai), e)| (*who, *ai, e.0))
                .collect();
            let results = join_all(refusals.iter().map(|(who, ai, _)| probe(&app, who.token(&s), ticket, &bodies[*ai]))).await;
            for ((who, ai, want), (got, body)) in refusals.iter().zip(results) {
                probes += 1;
                if got != *want {
                    failures.push(format!("{status} × {who:?} × {}: expected {want}, got {got} {body}", name(&bodies[*ai])));
                }
            }
            assert_eq!(status_of(&app, &s, ticket).await, status.as_str(), "a refused probe changed {ticket}");
            // allowed_actions in the detail: what the role may do here (role and state
            // allow it; input not judged), i.e. the probes that got 200 or 422.
            for who in EVERYONE {
                if !visible(who, status) {
                    continue;
                }
                let (code, d) = app.api_get(who.token(&s), &format!("/api/v1/complaints/{ticket}")).await;
                assert_eq!(code, 200);
                let listed: BTreeSet<String> = d["allowed_actions"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_owned()).collect();
                let may: BTreeSet<String> = plan.iter()
                    .filter(|((i, w, _), e)| *i == si && *w == who && (e.0 == 200 || e.0 == 422))
                    .map(|((_, _, ai), _)| name(&bodies[*ai]))
                    .collect();
                if listed != may {
                    failures.push(format!("{status} × {who:?}: allowed_actions {listed:?}, probes allow {may:?}"));
                }
            }
            // Successes, each on its own copy.
            for ((_, who, ai), (_, to)) in plan.iter().filter(|((i, _, _), e)| *i == si && e.0 == 200) {
                let copy = spare[si].pop().unwrap();
                let (got, d) = probe(&app, who.token(&s), &copy, &bodies[*ai]).await;
                probes += 1;
                let to = to.unwrap().as_str();
                if got != 200 || d["status"] != to {
                    failures.push(format!("{status} × {who:?} × {}: expected 200 → {to}, got {got} {}", name(&bodies[*ai]), d["status"]));
                }
            }
        }
        assert!(failures.is_empty(), "{} of {probes} probes disagree with the rules:\n{}", failures.len(), failures.join("\n"));
        assert_eq!(probes, STATES.len() * EVERYONE.len() * bodies.len());
        eprintln!("matrix: {probes} probes, complaints built in {built:?}, total {:?}", started.elapsed());
    });
}

// ---------------------------------------------------------------------------------------
// (b) every route × no session, expired session, forged session, wrong role

/// Who may not use a route, and what they get.
#[derive(Clone, Copy, Debug)]
enum Guard {
    /// No session needed (by design; see the comment on the route).
    Public,
    /// Every staff role may use it.
    AnyStaff,
    /// This role is refused with this status.
    Refuses(Who, u16),
}

/// Every route of the routers: (method, path as declared, path to probe, guard). `{T}` is
/// a complaint dispatched to DPUPR, `{A}` its KTP photo, `{U}` a user id.
const ROUTES: &[(&str, &str, &str, Guard)] = &[
    // src/http/health.rs: probes for the load balancer and Prometheus (keep /metrics off
    // the public internet at the reverse proxy: it counts, it holds no personal data).
    ("GET", "/healthz", "/healthz", Guard::Public),
    ("GET", "/metrics", "/metrics", Guard::Public),
    // src/http/webhook.rs: Meta's handshake (verify token) and signed events.
    (
        "GET",
        "/webhooks/whatsapp",
        "/webhooks/whatsapp",
        Guard::Public,
    ),
    (
        "POST",
        "/webhooks/whatsapp",
        "/webhooks/whatsapp",
        Guard::Public,
    ),
    // src/http/api.rs
    (
        "GET",
        "/api/v1/openapi.json",
        "/api/v1/openapi.json",
        Guard::Public,
    ),
    (
        "POST",
        "/api/v1/auth/login",
        "/api/v1/auth/login",
        Guard::Public,
    ),
    (
        "POST",
        "/api/v1/auth/logout",
        "/api/v1/auth/logout",
        Guard::AnyStaff,
    ),
    ("GET", "/api/v1/me", "/api/v1/me", Guard::AnyStaff),
    ("GET", "/api/v1/opds", "/api/v1/opds", Guard::AnyStaff),
    (
        "GET",
        "/api/v1/categories",
        "/api/v1/categories",
        Guard::AnyStaff,
    ),
    (
        "GET",
        "/api/v1/districts",
        "/api/v1/districts",
        Guard::AnyStaff,
    ),
    (
        "GET",
        "/api/v1/complaints",
        "/api/v1/complaints",
        Guard::AnyStaff,
    ),
    (
        "GET",
        "/api/v1/complaints/{ticket}",
        "/api/v1/complaints/{T}",
        Guard::Refuses(Who::OpdOther, 404),
    ),
    (
        "PATCH",
        "/api/v1/complaints/{ticket}",
        "/api/v1/complaints/{T}",
        Guard::Refuses(Who::Kabid, 403),
    ),
    (
        "POST",
        "/api/v1/complaints/{ticket}/actions",
        "/api/v1/complaints/{T}/actions",
        Guard::Refuses(Who::Viewer, 403),
    ),
    (
        "POST",
        "/api/v1/complaints/{ticket}/notes",
        "/api/v1/complaints/{T}/notes",
        Guard::Refuses(Who::OpdDispatched, 403),
    ),
    (
        "POST",
        "/api/v1/complaints/{ticket}/identity",
        "/api/v1/complaints/{T}/identity",
        Guard::Refuses(Who::OpdDispatched, 403),
    ),
    (
        "GET",
        "/api/v1/attachments/{id}",
        "/api/v1/attachments/{A}?reason=cek%20KTP%20pelapor",
        Guard::Refuses(Who::OpdOther, 404),
    ),
    (
        "POST",
        "/api/v1/attachments/{id}/retry",
        "/api/v1/attachments/{A}/retry",
        Guard::Refuses(Who::Kabid, 403),
    ),
    (
        "GET",
        "/api/v1/stats/satisfaction",
        "/api/v1/stats/satisfaction",
        Guard::AnyStaff,
    ),
    (
        "GET",
        "/api/v1/reports",
        "/api/v1/reports",
        Guard::Refuses(Who::OpdDispatched, 403),
    ),
    (
        "GET",
        "/api/v1/reports/monthly",
        "/api/v1/reports/monthly?month=2026-10&format=csv",
        Guard::Refuses(Who::OpdDispatched, 403),
    ),
    (
        "GET",
        "/api/v1/reports/{id}",
        "/api/v1/reports/1",
        Guard::Refuses(Who::OpdDispatched, 403),
    ),
    (
        "GET",
        "/api/v1/notifications",
        "/api/v1/notifications",
        Guard::AnyStaff,
    ),
    (
        "GET",
        "/api/v1/outbox",
        "/api/v1/outbox",
        Guard::Refuses(Who::Kabid, 403),
    ),
    (
        "POST",
        "/api/v1/outbox/{id}/retry",
        "/api/v1/outbox/1/retry",
        Guard::Refuses(Who::Kabid, 403),
    ),
    // src/http/dashboard/assets.rs: embedded CSS/JS/icons.
    ("GET", "/static/{name}", "/static/app.css", Guard::Public),
    ("GET", "/favicon.ico", "/favicon.ico", Guard::Public),
    // src/http/dashboard/session.rs: the login form (double-submit CSRF cookie).
    ("GET", "/login", "/login", Guard::Public),
    ("POST", "/login", "/login", Guard::Public),
    ("POST", "/logout", "/logout", Guard::AnyStaff),
    ("GET", "/akun", "/akun", Guard::AnyStaff),
    ("POST", "/akun/sandi", "/akun/sandi", Guard::AnyStaff),
    // src/http/dashboard/inbox.rs
    ("GET", "/", "/", Guard::AnyStaff),
    (
        "GET",
        "/kotak/{slug}",
        "/kotak/verifikasi",
        Guard::Refuses(Who::OpdDispatched, 404),
    ),
    (
        "GET",
        "/kotak/{slug}/daftar",
        "/kotak/verifikasi/daftar",
        Guard::Refuses(Who::OpdDispatched, 404),
    ),
    ("GET", "/bagian/antrean", "/bagian/antrean", Guard::AnyStaff),
    ("GET", "/cari", "/cari?q=jalan", Guard::AnyStaff),
    (
        "GET",
        "/cari/daftar",
        "/cari/daftar?q=jalan",
        Guard::AnyStaff,
    ),
    // src/http/dashboard/live.rs
    ("GET", "/live", "/live", Guard::AnyStaff),
    // src/http/dashboard/stats.rs
    ("GET", "/statistik", "/statistik", Guard::AnyStaff),
    // src/http/dashboard/complaint.rs
    (
        "GET",
        "/aduan/{ticket}",
        "/aduan/{T}",
        Guard::Refuses(Who::OpdOther, 404),
    ),
    (
        "GET",
        "/aduan/{ticket}/percakapan",
        "/aduan/{T}/percakapan",
        Guard::Refuses(Who::OpdOther, 404),
    ),
    (
        "GET",
        "/aduan/{ticket}/disposisi",
        "/aduan/{T}/disposisi",
        Guard::Refuses(Who::OpdOther, 404),
    ),
    (
        "POST",
        "/aduan/{ticket}/aksi",
        "/aduan/{T}/aksi",
        Guard::Refuses(Who::Viewer, 403),
    ),
    (
        "POST",
        "/aduan/{ticket}/identitas",
        "/aduan/{T}/identitas",
        Guard::Refuses(Who::OpdDispatched, 403),
    ),
    (
        "POST",
        "/aduan/{ticket}/catatan",
        "/aduan/{T}/catatan",
        Guard::Refuses(Who::Viewer, 403),
    ),
    (
        "POST",
        "/aduan/{ticket}/klasifikasi",
        "/aduan/{T}/klasifikasi",
        Guard::Refuses(Who::Kabid, 403),
    ),
    (
        "GET",
        "/lampiran/{id}",
        "/lampiran/{A}?alasan=cek%20KTP%20pelapor",
        Guard::Refuses(Who::OpdOther, 404),
    ),
    // src/http/dashboard/reports.rs: the monthly report, not for agencies.
    (
        "GET",
        "/laporan",
        "/laporan",
        Guard::Refuses(Who::OpdDispatched, 403),
    ),
    (
        "GET",
        "/laporan/unduh",
        "/laporan/unduh?bulan=2026-10&format=csv",
        Guard::Refuses(Who::OpdDispatched, 403),
    ),
    (
        "GET",
        "/laporan/{id}",
        "/laporan/1",
        Guard::Refuses(Who::OpdDispatched, 403),
    ),
    // src/http/dashboard/outbox.rs
    ("GET", "/outbox", "/outbox", Guard::Refuses(Who::Kabid, 403)),
    (
        "POST",
        "/outbox/{id}/ulang",
        "/outbox/1/ulang",
        Guard::Refuses(Who::Kabid, 403),
    ),
    (
        "POST",
        "/outbox/lepas-ditahan",
        "/outbox/lepas-ditahan",
        Guard::Refuses(Who::Kabid, 403),
    ),
    // src/http/dashboard/admin.rs: canned replies (admins), the rest superadmin only.
    (
        "GET",
        "/balasan",
        "/balasan",
        Guard::Refuses(Who::Kabid, 403),
    ),
    (
        "POST",
        "/balasan",
        "/balasan",
        Guard::Refuses(Who::Kabid, 403),
    ),
    (
        "POST",
        "/balasan/{id}",
        "/balasan/1",
        Guard::Refuses(Who::Kabid, 403),
    ),
    (
        "POST",
        "/balasan/{id}/hapus",
        "/balasan/1/hapus",
        Guard::Refuses(Who::Kabid, 403),
    ),
    ("GET", "/admin", "/admin", Guard::AnyStaff),
    (
        "GET",
        "/admin/pengguna",
        "/admin/pengguna",
        Guard::Refuses(Who::Admin, 403),
    ),
    (
        "POST",
        "/admin/pengguna",
        "/admin/pengguna",
        Guard::Refuses(Who::Admin, 403),
    ),
    (
        "GET",
        "/admin/pengguna/{id}",
        "/admin/pengguna/{U}",
        Guard::Refuses(Who::Admin, 403),
    ),
    (
        "POST",
        "/admin/pengguna/{id}",
        "/admin/pengguna/{U}",
        Guard::Refuses(Who::Admin, 403),
    ),
    (
        "POST",
        "/admin/pengguna/{id}/sandi",
        "/admin/pengguna/{U}/sandi",
        Guard::Refuses(Who::Admin, 403),
    ),
    (
        "GET",
        "/admin/opd",
        "/admin/opd",
        Guard::Refuses(Who::Admin, 403),
    ),
    (
        "POST",
        "/admin/opd",
        "/admin/opd",
        Guard::Refuses(Who::Admin, 403),
    ),
    (
        "POST",
        "/admin/opd/{id}",
        "/admin/opd/1",
        Guard::Refuses(Who::Admin, 403),
    ),
    (
        "GET",
        "/admin/kategori",
        "/admin/kategori",
        Guard::Refuses(Who::Admin, 403),
    ),
    (
        "POST",
        "/admin/kategori",
        "/admin/kategori",
        Guard::Refuses(Who::Admin, 403),
    ),
    (
        "POST",
        "/admin/kategori/{id}",
        "/admin/kategori/1",
        Guard::Refuses(Who::Admin, 403),
    ),
    (
        "GET",
        "/admin/teks",
        "/admin/teks",
        Guard::Refuses(Who::Admin, 403),
    ),
    (
        "GET",
        "/admin/teks/{key}",
        "/admin/teks/intake_greeting",
        Guard::Refuses(Who::Admin, 403),
    ),
    (
        "POST",
        "/admin/teks/{key}",
        "/admin/teks/intake_greeting",
        Guard::Refuses(Who::Admin, 403),
    ),
    (
        "POST",
        "/admin/teks/{key}/reset",
        "/admin/teks/intake_greeting/reset",
        Guard::Refuses(Who::Admin, 403),
    ),
    (
        "GET",
        "/admin/tenggat",
        "/admin/tenggat",
        Guard::Refuses(Who::Admin, 403),
    ),
    (
        "POST",
        "/admin/tenggat",
        "/admin/tenggat",
        Guard::Refuses(Who::Admin, 403),
    ),
    (
        "GET",
        "/admin/libur",
        "/admin/libur",
        Guard::Refuses(Who::Admin, 403),
    ),
    (
        "POST",
        "/admin/libur",
        "/admin/libur",
        Guard::Refuses(Who::Admin, 403),
    ),
    (
        "POST",
        "/admin/libur/{date}/hapus",
        "/admin/libur/2026-12-25/hapus",
        Guard::Refuses(Who::Admin, 403),
    ),
    (
        "GET",
        "/admin/whatsapp",
        "/admin/whatsapp",
        Guard::Refuses(Who::Admin, 403),
    ),
    (
        "POST",
        "/admin/whatsapp/tes",
        "/admin/whatsapp/tes",
        Guard::Refuses(Who::Admin, 403),
    ),
];

/// The `(method, path)` pairs declared in the routers' source files.
fn declared_routes() -> BTreeSet<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http");
    let mut files: Vec<std::path::PathBuf> = ["health.rs", "webhook.rs", "api.rs"]
        .iter()
        .map(|f| dir.join(f))
        .collect();
    files.extend(
        std::fs::read_dir(dir.join("dashboard"))
            .unwrap()
            .flatten()
            .map(|e| e.path()),
    );
    let route = regex_lite::Regex::new(
        r#"\.route\(\s*"([^"]+)",\s*((?:[a-z]+\((?:[^()]|\([^()]*\))*\)\.?)+)"#,
    )
    .unwrap();
    let method = regex_lite::Regex::new(r"(?:^|\.)(get|post|patch|put|delete)\(").unwrap();
    let mut out = BTreeSet::new();
    for file in files {
        let src = std::fs::read_to_string(&file).unwrap();
        for c in route.captures_iter(&src) {
            for m in method.captures_iter(&c[2]) {
                out.insert((m[1].to_uppercase(), c[1].to_owned()));
            }
        }
    }
    out
}

#[tokio::test]
async fn the_route_list_is_complete() {
    let declared = declared_routes();
    assert!(
        declared.len() >= 60,
        "the route scan found {} routes: {declared:?}",
        declared.len()
    );
    let listed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p, _, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    let missing: Vec<_> = declared.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "routes not in the access matrix: {missing:?}"
    );
    let stale: Vec<_> = listed.difference(&declared).collect();
    assert!(
        stale.is_empty(),
        "the matrix lists routes that no longer exist: {stale:?}"
    );
    // Every path the OpenAPI document describes is in the matrix.
    let doc: Value = serde_json::from_str(wani_bares::http::openapi::DOCUMENT).unwrap();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for m in ops
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| ["get", "post", "patch", "put", "delete"].contains(&k.as_str()))
        {
            assert!(
                listed.contains(&(m.to_uppercase(), path.clone())),
                "OpenAPI {m} {path} is not in the access matrix"
            );
        }
    }
}

/// A request as the route table describes it, with an optional identity.
enum Cred<'a> {
    None,
    Bearer(&'a str),
    Web(&'a Web),
    /// A session cookie without a CSRF token.
    CookieOnly(&'a str),
}

async fn call(app: &TestApp, method: &str, path: &str, cred: &Cred<'_>) -> (u16, String) {
    let url = app.url(path);
    let mut req = match method {
        "GET" => app.http.get(url),
        "POST" => app.http.post(url),
        "PATCH" => app.http.patch(url),
        _ => unreachable!("{method}"),
    };
    let api = path.starts_with("/api/");
    req = match cred {
        Cred::None => req,
        Cred::Bearer(t) => req.bearer_auth(t),
        Cred::Web(w) => req.header("cookie", &w.cookie),
        Cred::CookieOnly(c) => req.header("cookie", *c),
    };
    if method != "GET" {
        req = if api {
            req.json(&json!({"action": "verify", "text": "catatan", "reason": "alasan yang cukup panjang", "summary": "ringkas"}))
        } else {
            let mut form: Vec<(&str, &str)> = vec![
                ("action", "verify"),
                ("text", "catatan"),
                ("reason", "alasan yang cukup panjang"),
                ("title", "Judul"),
                ("body", "Isi"),
                ("name", "Nama"),
                ("code", "KODE"),
                ("date", "2026-12-25"),
                ("username", "u"),
                ("password", "sandi-baru-yang-panjang"),
                ("role", "viewer"),
            ];
            if let Cred::Web(w) = cred {
                form.push(("csrf", w.csrf.as_str()));
            }
            req.form(&form)
        };
    }
    let r = tokio::time::timeout(Duration::from_secs(10), req.send())
        .await
        .unwrap()
        .unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    // `/live` is a stream: read no body.
    if path == "/live" || status == 303 {
        return (status, location);
    }
    (status, r.text().await.unwrap_or_default())
}

fn login_redirect_or_refusal(method: &str, path: &str, got: (u16, String)) -> Result<(), String> {
    let api = path.starts_with("/api/");
    let (status, rest) = got;
    if method == "GET" && !api {
        let to_login =
            rest.starts_with("/login") || (path == "/admin" && rest == "/admin/pengguna");
        if status == 303 && to_login {
            return Ok(());
        }
        return Err(format!(
            "expected a redirect to /login, got {status} → {rest}"
        ));
    }
    if status == 401 || status == 403 {
        return Ok(());
    }
    Err(format!("expected 401/403, got {status}"))
}

fn fill(path: &str, ticket: &str, attachment: i64, user: i64) -> String {
    path.replace("{T}", ticket)
        .replace("{A}", &attachment.to_string())
        .replace("{U}", &user.to_string())
}

#[tokio::test]
async fn every_route_refuses_no_session_an_expired_one_and_the_wrong_role() {
    on_each_backend!(app => {
        let ticket = app.register_complaint("6281455900001", "Jalan berlubang di depan balai desa Bendo").await;
        let s = app.staff().await;
        app.act(&s.admin, &ticket, &json!({"action": "verify"})).await;
        app.act(&s.kabid, &ticket, &json!({"action": "forward"})).await;
        app.act(&s.kadis, &ticket, &json!({"action": "dispatch", "opds": ["DPUPR"], "note": ""})).await;
        let (_, d) = app.api_post(&s.admin, &format!("/api/v1/complaints/{ticket}/identity"), &json!({"reason": "cek KTP pelapor"})).await;
        let ktp = d["identity"]["ktp_attachment_id"].as_i64().expect("the KTP photo's id");
        let user = {
            let mut r = app.state.store.reader().await.unwrap();
            wani_bares_store::users::by_username(&mut r.conn(), "bupati").await.unwrap().unwrap().id
        };
        let mut web: BTreeMap<Who, Web> = BTreeMap::new();
        for (who, name) in [(Who::Superadmin, "super"), (Who::Admin, "admin"), (Who::Kabid, "kabid"), (Who::OpdDispatched, "pupr"), (Who::OpdOther, "dinkes"), (Who::Viewer, "bupati")] {
            web.insert(who, web_login(&app, name).await);
        }
        let mut failures = Vec::new();
        let protected: Vec<_> = ROUTES.iter().filter(|r| !matches!(r.3, Guard::Public)).collect();

        // No session, and a forged one.
        for (method, declared, path, _) in &protected {
            let path = fill(path, &ticket, ktp, user);
            for cred in [Cred::None, Cred::Bearer("forged-token-123"), Cred::CookieOnly("wb_session=forged-token-123")] {
                if let Err(e) = login_redirect_or_refusal(method, &path, call(&app, method, &path, &cred).await) {
                    failures.push(format!("{method} {declared} without a live session: {e}"));
                }
            }
        }
        // The wrong role, with a live session (and the CSRF token for dashboard writes).
        for (method, declared, path, guard) in &protected {
            let Guard::Refuses(who, want) = guard else { continue };
            let path = fill(path, &ticket, ktp, user);
            let cred = if path.starts_with("/api/") { Cred::Bearer(who.token(&s)) } else { Cred::Web(&web[who]) };
            let (got, body) = call(&app, method, &path, &cred).await;
            if got != *want {
                failures.push(format!("{method} {declared} as {who:?}: expected {want}, got {got} {}", body.chars().take(200).collect::<String>()));
            }
        }
        // Every dashboard write refuses a missing or another session's CSRF token, even for
        // the superadmin, who may do everything.
        let sa = &web[&Who::Superadmin];
        let other = &web[&Who::Admin];
        for (method, declared, path, _) in &protected {
            if *method != "POST" || path.starts_with("/api/") {
                continue;
            }
            let path = fill(path, &ticket, ktp, user);
            let (got, _) = call(&app, method, &path, &Cred::CookieOnly(&sa.cookie)).await;
            if got != 403 {
                failures.push(format!("{method} {declared} without a CSRF token: {got}"));
            }
            let foreign = Web { cookie: sa.cookie.clone(), csrf: other.csrf.clone() };
            let (got, _) = call(&app, method, &path, &Cred::Web(&foreign)).await;
            if got != 403 {
                failures.push(format!("{method} {declared} with another session's CSRF token: {got}"));
            }
        }
        let (_, d) = app.api_get(&s.superadmin, &format!("/api/v1/complaints/{ticket}")).await;
        assert_eq!(d["status"], "dispatched", "no refused request changed the complaint");

        // Expired: past both lifetimes, every session and token is refused.
        let hours = u64::from(app.state.config.security.session_hours.max(app.state.config.security.api_token_hours)) + 1;
        app.clock.advance(Duration::from_secs(hours * 3600));
        for (method, declared, path, _) in &protected {
            let path = fill(path, &ticket, ktp, user);
            let cred = if path.starts_with("/api/") { Cred::Bearer(&s.superadmin) } else { Cred::Web(sa) };
            if let Err(e) = login_redirect_or_refusal(method, &path, call(&app, method, &path, &cred).await) {
                failures.push(format!("{method} {declared} with an expired session: {e}"));
            }
        }
        // The dashboard session alone expires after `session_hours` (shorter than the API's).
        assert!(failures.is_empty(), "{} refusals went wrong:\n{}", failures.len(), failures.join("\n"));

        // The public routes are public on purpose.
        let (status, _) = call(&app, "GET", "/healthz", &Cred::None).await;
        assert_eq!(status, 200);
        let (status, _) = call(&app, "POST", "/webhooks/whatsapp", &Cred::None).await;
        assert_eq!(status, 401, "an unsigned webhook");
        let (status, _) = call(&app, "GET", "/webhooks/whatsapp", &Cred::None).await;
        assert_eq!(status, 403, "a handshake without the verify token");
    });
}

#[tokio::test]
async fn a_dashboard_session_ends_after_session_hours_while_an_api_token_lives_on() {
    let app =
        crate::helpers::spawn(crate::helpers::Options::on(crate::helpers::Backend::Sqlite)).await;
    app.add_user("admin", "admin", None).await;
    let web = web_login(&app, "admin").await;
    let token = app.login("admin").await;
    let sec = app.state.config.security.clone();
    assert!(
        sec.session_hours < sec.api_token_hours,
        "{} < {}",
        sec.session_hours,
        sec.api_token_hours
    );
    app.clock.advance(Duration::from_secs(
        u64::from(sec.session_hours) * 3600 - 60,
    ));
    let (status, _) = web.get(&app, "/").await;
    assert_eq!(status, 200, "a minute before the end");
    app.clock.advance(Duration::from_mins(2));
    let r = app
        .http
        .get(app.url("/"))
        .header("cookie", &web.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login");
    let (status, _, _) = web
        .post(&app, "/balasan", &[("title", "x"), ("body", "y")])
        .await;
    assert_eq!(status, 401);
    let (status, _) = app.api_get(&token, "/api/v1/me").await;
    assert_eq!(status, 200, "the API token lives for api_token_hours");
    app.clock.advance(Duration::from_secs(
        u64::from(sec.api_token_hours - sec.session_hours) * 3600,
    ));
    let (status, _) = app.api_get(&token, "/api/v1/me").await;
    assert_eq!(status, 401);
    app.cleanup().await;
}
