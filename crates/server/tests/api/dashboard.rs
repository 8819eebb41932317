//! The staff dashboard over plain HTTP (issue: "Staff dashboard"): sessions, CSRF,
//! security headers, agency isolation in inboxes, search and the live feed, read-only
//! viewers, and the superadmin's pages.

use std::time::Duration;

use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use serde_json::json;

use crate::helpers::{TestApp, password_of};
use crate::on_each_backend;

/// `application/x-www-form-urlencoded` bodies (reqwest is built without its `form`
/// feature).
pub trait FormExt {
    fn form(self, pairs: &[(&str, &str)]) -> Self;
}

pub fn urlencoded(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

impl FormExt for reqwest::RequestBuilder {
    fn form(self, pairs: &[(&str, &str)]) -> Self {
        self.header("content-type", "application/x-www-form-urlencoded")
            .body(urlencoded(pairs))
    }
}

/// A logged-in browser, reduced to its cookie and the page's CSRF token.
pub struct Web {
    pub cookie: String,
    pub csrf: String,
}

fn set_cookies(h: &HeaderMap) -> Vec<String> {
    h.get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect()
}

fn cookie_value(h: &HeaderMap, name: &str) -> Option<String> {
    set_cookies(h).into_iter().find_map(|c| {
        let first = c.split(';').next()?.trim().to_owned();
        let (k, v) = first.split_once('=')?;
        (k == name && !v.is_empty()).then(|| v.to_owned())
    })
}

fn csrf_in(html: &str) -> String {
    regex_lite::Regex::new(r#"name="csrf" value="([^"]+)""#)
        .unwrap()
        .captures(html)
        .map_or_else(|| panic!("no csrf field in {html}"), |c| c[1].to_owned())
}

/// The login form: (double-submit cookie, hidden field).
async fn login_form(app: &TestApp) -> (String, String) {
    let r = app.http.get(app.url("/login")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let cookie = cookie_value(r.headers(), "wb_login_csrf").expect("login csrf cookie");
    let html = r.text().await.unwrap();
    (cookie, csrf_in(&html))
}

pub async fn web_login(app: &TestApp, username: &str) -> Web {
    let (cookie, field) = login_form(app).await;
    let r = app
        .http
        .post(app.url("/login"))
        .header("cookie", format!("wb_login_csrf={cookie}"))
        .form(&[
            ("csrf", field.as_str()),
            ("username", username),
            ("password", &password_of(username)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "login {username}");
    let session = cookie_value(r.headers(), "wb_session").expect("session cookie");
    let cookie = format!("wb_session={session}");
    let r = app
        .http
        .get(app.url("/akun"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csrf = csrf_in(&r.text().await.unwrap());
    Web { cookie, csrf }
}

impl Web {
    pub async fn get(&self, app: &TestApp, path: &str) -> (u16, String) {
        let r = app
            .http
            .get(app.url(path))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.text().await.unwrap())
    }

    pub async fn post(
        &self,
        app: &TestApp,
        path: &str,
        form: &[(&str, &str)],
    ) -> (u16, HeaderMap, String) {
        let mut fields: Vec<(&str, &str)> = vec![("csrf", self.csrf.as_str())];
        fields.extend_from_slice(form);
        let r = app
            .http
            .post(app.url(path))
            .header("cookie", &self.cookie)
            .form(&fields)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        (status, headers, r.text().await.unwrap())
    }
}

async fn complaint_id(app: &TestApp, ticket: &str) -> i64 {
    let mut r = app.state.store.reader().await.unwrap();
    wani_bares_store::complaints::by_ticket(&mut r.conn(), ticket)
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test]
async fn without_a_session_pages_redirect_to_login_and_writes_are_refused() {
    on_each_backend!(app => {
        let r = app.http.get(app.url("/")).send().await.unwrap();
        assert!(r.status() == 303 || r.status() == 302, "{}", r.status());
        assert_eq!(r.headers()[LOCATION], "/login");
        for path in [
            "/kotak/verifikasi", "/kotak/verifikasi/daftar", "/bagian/antrean", "/cari", "/cari/daftar?q=x",
            "/statistik", "/akun", "/outbox", "/balasan", "/admin/pengguna", "/admin/opd", "/admin/kategori",
            "/admin/teks", "/admin/tenggat", "/admin/libur", "/admin/whatsapp", "/admin/pengguna/1",
            "/aduan/WB-202611-0001", "/aduan/WB-202611-0001/percakapan", "/aduan/WB-202611-0001/disposisi",
            "/lampiran/1", "/live",
        ] {
            let r = app.http.get(app.url(path)).send().await.unwrap();
            assert_eq!(r.status(), 303, "GET {path}");
            let to = r.headers()[LOCATION].to_str().unwrap().to_owned();
            assert!(to.starts_with("/login"), "GET {path} → {to}");
        }
        for path in [
            "/logout", "/akun/sandi", "/aduan/WB-202611-0001/aksi", "/aduan/WB-202611-0001/identitas",
            "/aduan/WB-202611-0001/catatan", "/aduan/WB-202611-0001/klasifikasi", "/outbox/1/ulang",
            "/outbox/lepas-ditahan", "/balasan", "/balasan/1", "/balasan/1/hapus", "/admin/pengguna",
            "/admin/pengguna/1", "/admin/pengguna/1/sandi", "/admin/opd", "/admin/opd/1", "/admin/kategori",
            "/admin/kategori/1", "/admin/teks/intake_greeting", "/admin/teks/intake_greeting/reset",
            "/admin/tenggat", "/admin/libur", "/admin/libur/2026-12-25/hapus", "/admin/whatsapp/tes",
        ] {
            let r = app.http.post(app.url(path)).form(&[("x", "1")]).send().await.unwrap();
            assert!(r.status() == 401 || r.status() == 403, "POST {path}: {}", r.status());
        }
        // Static files need no session.
        let r = app.http.get(app.url("/static/app.css")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    });
}

#[tokio::test]
async fn a_login_without_the_forms_csrf_token_does_not_log_in() {
    on_each_backend!(app => {
        app.add_user("admin", "admin", None).await;
        let pw = password_of("admin");
        // No token at all.
        let r = app.http.post(app.url("/login"))
            .form(&[("username", "admin"), ("password", pw.as_str())])
            .send().await.unwrap();
        assert_ne!(r.status(), 303);
        assert!(cookie_value(r.headers(), "wb_session").is_none());
        // A field without its cookie, and a cookie with another field.
        let (cookie, field) = login_form(&app).await;
        let r = app.http.post(app.url("/login"))
            .form(&[("csrf", field.as_str()), ("username", "admin"), ("password", pw.as_str())])
            .send().await.unwrap();
        assert_eq!(r.status(), 403);
        assert!(cookie_value(r.headers(), "wb_session").is_none());
        let r = app.http.post(app.url("/login"))
            .header("cookie", format!("wb_login_csrf={cookie}"))
            .form(&[("csrf", "forged"), ("username", "admin"), ("password", pw.as_str())])
            .send().await.unwrap();
        assert_eq!(r.status(), 403);
        assert!(cookie_value(r.headers(), "wb_session").is_none());
        // A wrong password shows the message and sets no session.
        let (cookie, field) = login_form(&app).await;
        let r = app.http.post(app.url("/login"))
            .header("cookie", format!("wb_login_csrf={cookie}"))
            .form(&[("csrf", field.as_str()), ("username", "admin"), ("password", "salah-sekali-ini")])
            .send().await.unwrap();
        assert_eq!(r.status(), 401);
        assert!(cookie_value(r.headers(), "wb_session").is_none());
        assert!(r.text().await.unwrap().contains("kata sandi salah"));
        // The right token: a session cookie, HttpOnly and SameSite, not Secure over HTTP.
        let (cookie, field) = login_form(&app).await;
        let r = app.http.post(app.url("/login"))
            .header("cookie", format!("wb_login_csrf={cookie}"))
            .form(&[("csrf", field.as_str()), ("username", "admin"), ("password", pw.as_str()), ("next", "/cari")])
            .send().await.unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()[LOCATION], "/cari");
        let session = set_cookies(r.headers()).into_iter().find(|c| c.starts_with("wb_session=")).unwrap();
        assert!(session.contains("HttpOnly"), "{session}");
        assert!(session.contains("SameSite=Lax") || session.contains("SameSite=Strict"), "{session}");
        assert!(session.contains("Path=/"), "{session}");
        assert!(!session.contains("Secure"), "{session}");
        // A second login gets a different token (no fixation) and the page works with it.
        let a = web_login(&app, "admin").await;
        let b = web_login(&app, "admin").await;
        assert_ne!(a.cookie, b.cookie);
        let (status, html) = b.get(&app, "/").await;
        assert_eq!(status, 200);
        assert!(html.contains("Perlu verifikasi"));
        // Logout ends the session.
        let (status, _, _) = b.post(&app, "/logout", &[]).await;
        assert_eq!(status, 303);
        let r = app.http.get(app.url("/")).header("cookie", &b.cookie).send().await.unwrap();
        assert_eq!(r.status(), 303);
    });
}

#[tokio::test]
async fn the_session_cookie_is_secure_when_served_over_tls() {
    let app = crate::helpers::spawn(crate::helpers::Options {
        tweak: Some(Box::new(|c| c.security.secure_cookies = true)),
        ..crate::helpers::Options::on(crate::helpers::Backend::Sqlite)
    })
    .await;
    app.add_user("admin", "admin", None).await;
    let (cookie, field) = login_form(&app).await;
    let pw = password_of("admin");
    let r = app
        .http
        .post(app.url("/login"))
        .header("cookie", format!("wb_login_csrf={cookie}"))
        .form(&[
            ("csrf", field.as_str()),
            ("username", "admin"),
            ("password", pw.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let session = set_cookies(r.headers())
        .into_iter()
        .find(|c| c.starts_with("wb_session="))
        .unwrap();
    assert!(session.contains("; Secure"), "{session}");
    app.cleanup().await;
}

#[tokio::test]
async fn pages_carry_the_security_headers() {
    on_each_backend!(app => {
        let ticket = app.register_complaint("6281400000101", "Saluran air tersumbat di depan pasar").await;
        app.add_user("admin", "admin", None).await;
        let web = web_login(&app, "admin").await;
        for path in ["/login", "/", &format!("/aduan/{ticket}"), "/cari?q=saluran", "/static/app.js"] {
            let cookie = if path == "/login" { "" } else { web.cookie.as_str() };
            let r = app.http.get(app.url(path)).header("cookie", cookie).send().await.unwrap();
            assert_eq!(r.status(), 200, "{path}");
            let h = r.headers();
            let csp = h["content-security-policy"].to_str().unwrap();
            assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
            assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
            assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
            assert!(h.get("referrer-policy").is_some(), "{path}");
            if path != "/static/app.js" {
                assert_eq!(h["cache-control"], "no-store", "{path}");
                let html = r.text().await.unwrap();
                assert!(!html.contains("style=\""), "inline style on {path}");
                assert!(!regex_lite::Regex::new(r"<script>|<script [^>]*>[^<]").unwrap().is_match(&html), "inline script on {path}");
            }
        }
    });
}

#[tokio::test]
async fn an_agency_user_never_sees_another_agencys_complaint() {
    on_each_backend!(app => {
        let mine = app.register_complaint("6281400000111", "Jembatan kayu retak di dusun Krajan perlu perbaikan").await;
        let theirs = app.register_complaint("6281400000112", "Puskesmas pembantu tutup padahal jembatan sudah diperbaiki").await;
        let s = app.staff().await;
        for (ticket, opd) in [(&mine, "DPUPR"), (&theirs, "DINKES")] {
            app.act(&s.admin, ticket, &json!({"action": "verify"})).await;
            app.act(&s.kabid, ticket, &json!({"action": "forward"})).await;
            app.act(&s.kadis, ticket, &json!({"action": "dispatch", "opds": [opd], "note": "Mohon ditindaklanjuti"})).await;
        }
        let theirs_id = complaint_id(&app, &theirs).await;
        let mine_id = complaint_id(&app, &mine).await;
        let pupr = web_login(&app, "pupr").await;
        // The inbox (and its live fragment) and the queue count.
        for path in ["/", "/kotak/disposisi", "/kotak/disposisi/daftar"] {
            let (status, html) = pupr.get(&app, path).await;
            assert_eq!(status, 200, "{path}");
            assert!(html.contains(&mine), "{path} lists its own complaint");
            assert!(!html.contains(&theirs), "{path} leaks {theirs}");
        }
        let (_, bar) = pupr.get(&app, "/bagian/antrean").await;
        assert!(bar.contains("aria-label=\"1 aduan\""), "{bar}");
        // Other roles' queues do not exist for an agency.
        let (status, _) = pupr.get(&app, "/kotak/verifikasi").await;
        assert_eq!(status, 404);
        // Search: full text matching both, the other's ticket, filters.
        // (The search page repeats the query in its form: only the results count.)
        let results = |html: &str| -> String {
            html.split_once("id=\"hasil\"").map_or(html, |(_, r)| r).split("</ul>").next().unwrap_or("").to_owned()
        };
        for q in ["jembatan", "Puskesmas", theirs.as_str(), "diperbaiki"] {
            for path in [format!("/cari?q={q}"), format!("/cari/daftar?q={q}")] {
                let (status, html) = pupr.get(&app, &path).await;
                assert_eq!(status, 200, "{path}");
                assert!(!results(&html).contains(&theirs), "{path} leaks {theirs}");
                assert!(!html.contains("Puskesmas pembantu"), "{path} leaks the text");
            }
        }
        let (_, html) = pupr.get(&app, "/cari?q=jembatan").await;
        assert!(results(&html).contains(&mine), "full-text search finds its own complaint");
        for path in ["/cari?status=dispatched", "/cari?opd=DINKES", "/cari?from=2026-01-01&to=2027-12-31", "/cari?kind=aduan"] {
            let (status, html) = pupr.get(&app, path).await;
            assert_eq!(status, 200, "{path}");
            assert!(!html.contains(&theirs), "{path} leaks {theirs}");
        }
        // The admin's search does find it (the test searches what it claims to).
        let admin = web_login(&app, "admin").await;
        let (_, html) = admin.get(&app, "/cari?q=Puskesmas").await;
        assert!(results(&html).contains(&theirs));
        // The other's pages are "not found", not "forbidden".
        for path in [format!("/aduan/{theirs}"), format!("/aduan/{theirs}/percakapan"), format!("/aduan/{theirs}/disposisi")] {
            let (status, html) = pupr.get(&app, &path).await;
            assert_eq!(status, 404, "{path}");
            assert!(!html.contains("Puskesmas"));
        }
        let (status, _, _) = pupr.post(&app, &format!("/aduan/{theirs}/aksi"), &[("action", "answer"), ("answer", "x"), ("follow_up", "y")]).await;
        assert_eq!(status, 404);
        // Its own page hides the identity.
        let (status, html) = pupr.get(&app, &format!("/aduan/{mine}")).await;
        assert_eq!(status, 200);
        assert!(html.contains("dirahasiakan"));
        assert!(!html.contains("3520014108900001"));
        assert!(!html.contains("6281400000111"));

        // The live feed: a change to the other agency's complaint sends nothing; a change to
        // its own sends a hint naming only the id.
        let mut live = app.http.get(app.url("/live")).header("cookie", &pupr.cookie).send().await.unwrap();
        assert_eq!(live.status(), 200);
        assert!(live.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
        let hello = tokio::time::timeout(Duration::from_secs(5), live.chunk()).await.unwrap().unwrap().unwrap();
        assert!(String::from_utf8_lossy(&hello).contains("hello"));
        app.act(&s.dinkes, &theirs, &json!({"action": "answer", "answer": "Puskesmas buka lagi.", "follow_up": "Jadwal dipasang."})).await;
        app.act(&s.pupr, &mine, &json!({"action": "answer", "answer": "Jembatan diperbaiki.", "follow_up": "Minggu depan."})).await;
        let mut got = String::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while !got.contains(&format!("\"c\":{mine_id}")) {
            let chunk = tokio::time::timeout_at(deadline, live.chunk()).await.expect("a hint for its own complaint").unwrap().unwrap();
            got.push_str(&String::from_utf8_lossy(&chunk));
        }
        assert!(!got.contains(&format!("\"c\":{theirs_id}")), "{got}");
        assert!(!got.contains("Puskesmas") && !got.contains("Jembatan"), "hints carry no content: {got}");
    });
}

#[tokio::test]
async fn a_viewer_reads_but_cannot_act_and_writes_need_the_csrf_token() {
    on_each_backend!(app => {
        let ticket = app.register_complaint("6281400000121", "Lampu jalan mati di simpang empat Maospati").await;
        app.staff().await;
        let viewer = web_login(&app, "bupati").await;
        let (status, html) = viewer.get(&app, &format!("/aduan/{ticket}")).await;
        assert_eq!(status, 200);
        assert!(!html.contains("id=\"btn-verify\""), "no action buttons for a viewer");
        let (status, _, _) = viewer.post(&app, &format!("/aduan/{ticket}/aksi"), &[("action", "verify")]).await;
        assert_eq!(status, 403);
        let (status, _, _) = viewer.post(&app, &format!("/aduan/{ticket}/catatan"), &[("text", "catatan")]).await;
        assert_eq!(status, 403);
        let (status, _) = viewer.get(&app, "/admin/pengguna").await;
        assert_eq!(status, 403);
        let (status, _) = viewer.get(&app, "/outbox").await;
        assert_eq!(status, 403);

        let admin = web_login(&app, "admin").await;
        // Without the token, or with another session's token: refused, nothing changes.
        let r = app.http.post(app.url(&format!("/aduan/{ticket}/aksi")))
            .header("cookie", &admin.cookie)
            .form(&[("action", "verify")])
            .send().await.unwrap();
        assert_eq!(r.status(), 403);
        let r = app.http.post(app.url(&format!("/aduan/{ticket}/aksi")))
            .header("cookie", &admin.cookie)
            .form(&[("action", "verify"), ("csrf", viewer.csrf.as_str())])
            .send().await.unwrap();
        assert_eq!(r.status(), 403);
        let (_, html) = admin.get(&app, &format!("/aduan/{ticket}")).await;
        assert!(html.contains("Menunggu verifikasi"));
        // The header token works too (htmx requests).
        let r = app.http.post(app.url(&format!("/aduan/{ticket}/catatan")))
            .header("cookie", &admin.cookie)
            .header("x-csrf-token", &admin.csrf)
            .form(&[("text", "Sudah dicek via telepon")])
            .send().await.unwrap();
        assert_eq!(r.status(), 303);
        // A refused action is explained on the page and keeps what was typed.
        let (status, _, html) = admin.post(&app, &format!("/aduan/{ticket}/aksi"), &[("action", "reject"), ("reason", "   ")]).await;
        assert_eq!(status, 422, "{html}");
        assert!(html.contains("id=\"error\""));
        let (status, headers, _) = admin.post(&app, &format!("/aduan/{ticket}/aksi"), &[("action", "verify")]).await;
        assert_eq!(status, 303);
        assert!(headers[LOCATION].to_str().unwrap().contains("ok=verify"));
        let (_, html) = admin.get(&app, &format!("/aduan/{ticket}?ok=verify")).await;
        assert!(html.contains("Di Kabid IKP"));
        assert!(html.contains("Sudah dicek via telepon"));
        // Verifying twice: a conflict, shown as a message.
        let (status, _, html) = admin.post(&app, &format!("/aduan/{ticket}/aksi"), &[("action", "verify")]).await;
        assert_eq!(status, 409, "{html}");
    });
}

#[tokio::test]
async fn identity_is_revealed_only_with_a_reason_and_every_view_is_audited() {
    on_each_backend!(app => {
        let ticket = app.register_complaint("6281400000131", "Pohon tumbang menutup jalan desa").await;
        app.add_user("admin", "admin", None).await;
        let admin = web_login(&app, "admin").await;
        let (_, html) = admin.get(&app, &format!("/aduan/{ticket}")).await;
        assert!(!html.contains("3520014108900001"), "masked by default");
        let (status, _, html) = admin.post(&app, &format!("/aduan/{ticket}/identitas"), &[("reason", "ok")]).await;
        assert_eq!(status, 422);
        assert!(html.contains("alasan"));
        let (status, _, html) = admin.post(&app, &format!("/aduan/{ticket}/identitas"), &[("reason", "Verifikasi kecocokan KTP")]).await;
        assert_eq!(status, 200);
        assert!(html.contains("3520014108900001"));
        let ktp = regex_lite::Regex::new(r#"src="(/lampiran/\d+\?alasan=[^"]+)""#).unwrap()
            .captures(&html).map(|c| c[1].replace("&amp;", "&")).expect("the KTP photo link");
        let (status, _) = admin.get(&app, &ktp).await;
        assert_eq!(status, 200);
        let without_reason = ktp.split('?').next().unwrap().to_owned();
        let (status, _) = admin.get(&app, &without_reason).await;
        assert_eq!(status, 422);
        let mut r = app.state.store.reader().await.unwrap();
        let id = complaint_id(&app, &ticket).await;
        let views = wani_bares_store::audit::for_complaint(&mut r.conn(), id).await.unwrap()
            .into_iter().filter(|e| e.action == "view_identity").count();
        assert_eq!(views, 2, "the reveal and the photo");
    });
}

#[tokio::test]
async fn the_superadmin_manages_users_texts_targets_holidays_and_checks_whatsapp() {
    on_each_backend!(app => {
        app.add_user("super", "superadmin", None).await;
        app.add_user("admin", "admin", None).await;
        let sa = web_login(&app, "super").await;
        let admin = web_login(&app, "admin").await;
        let (status, _) = admin.get(&app, "/admin/pengguna").await;
        assert_eq!(status, 403);

        // A new agency user, who can log in with the given password.
        let pw = password_of("pupr2");
        let (status, _, html) = sa.post(&app, "/admin/pengguna", &[
            ("username", "pupr2"), ("name", "Operator PUPR"), ("role", "opd"), ("opd", "DPUPR"),
            ("wa_number", "0812-3456-7890"), ("password", pw.as_str()),
        ]).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("Operator PUPR"));
        let pupr2 = web_login(&app, "pupr2").await;
        // Without an agency: refused with a message.
        let (status, _, _) = sa.post(&app, "/admin/pengguna", &[("username", "x-opd"), ("name", "X"), ("role", "opd"), ("opd", "")]).await;
        assert_eq!(status, 422);
        // Disabling the user ends their session.
        let id = {
            let mut r = app.state.store.reader().await.unwrap();
            wani_bares_store::users::by_username(&mut r.conn(), "pupr2").await.unwrap().unwrap().id
        };
        let (status, _, _) = sa.post(&app, &format!("/admin/pengguna/{id}"), &[("name", "Operator PUPR"), ("role", "opd"), ("opd", "DPUPR"), ("wa_number", "")]).await;
        assert_eq!(status, 303);
        let (status, _) = pupr2.get(&app, "/").await;
        assert_eq!(status, 303);
        // The superadmin cannot lock themself out.
        let me = {
            let mut r = app.state.store.reader().await.unwrap();
            wani_bares_store::users::by_username(&mut r.conn(), "super").await.unwrap().unwrap().id
        };
        let (status, _, _) = sa.post(&app, &format!("/admin/pengguna/{me}"), &[("name", "Super"), ("role", "admin")]).await;
        assert_eq!(status, 422);
        // A reset password is shown once when generated.
        let (status, _, html) = sa.post(&app, &format!("/admin/pengguna/{id}/sandi"), &[("password", "")]).await;
        assert_eq!(status, 200);
        assert!(html.contains("class=\"secret\""));

        // Bot texts: an unknown placeholder is refused; a good text is used at once.
        let (status, _, html) = sa.post(&app, "/admin/teks/workflow_rejected", &[("text", "Maaf {nama}")]).await;
        assert_eq!(status, 422, "{html}");
        let (status, _, _) = sa.post(&app, "/admin/teks/workflow_rejected", &[("text", "Mohon maaf, aduan *{ticket}* tidak dapat kami proses: {reason}")]).await;
        assert_eq!(status, 303);
        assert!(app.state.texts.snapshot().get(wani_bares_domain::texts::TextKey::WorkflowRejected).starts_with("Mohon maaf"));

        // Targets: verification 20 office minutes.
        let (status, _, _) = sa.post(&app, "/admin/tenggat", &[
            ("sop.verification.amount", "20"), ("sop.verification.unit", "minutes"), ("sop.verification.clock", "office"),
            ("sop.opd_answer.amount", "3"), ("sop.opd_answer.unit", "working_days"), ("sop.opd_answer.clock", "office"),
            ("question_answer.amount", "10"), ("question_answer.unit", "working_days"), ("question_answer.clock", "office"),
            ("question_extension.amount", "7"), ("question_extension.unit", "working_days"), ("question_extension.clock", "office"),
        ]).await;
        assert_eq!(status, 303);
        let t = app.state.targets.read().await.clone();
        assert_eq!(t.sop[&wani_bares_domain::sla::Step::Verification].amount, 20);

        // Holidays reload the calendar.
        let (status, _, _) = sa.post(&app, "/admin/libur", &[("date", "2026-12-24"), ("name", "Cuti bersama Natal")]).await;
        assert_eq!(status, 303);
        let day: jiff::civil::Date = "2026-12-24".parse().unwrap();
        assert!(app.state.calendar.read().await.holiday_name(day).is_some());
        let (status, _, _) = sa.post(&app, "/admin/libur/2026-12-24/hapus", &[]).await;
        assert_eq!(status, 303);
        assert!(app.state.calendar.read().await.holiday_name(day).is_none());

        // Agencies and categories.
        let (status, _, _) = sa.post(&app, "/admin/opd", &[("code", "BRIDA"), ("name", "Badan Riset dan Inovasi Daerah"), ("kind", "opd")]).await;
        assert_eq!(status, 303);
        let (status, _, _) = sa.post(&app, "/admin/opd", &[("code", "BRIDA"), ("name", "Lagi"), ("kind", "opd")]).await;
        assert_eq!(status, 409);
        let (status, _, _) = sa.post(&app, "/admin/kategori", &[("code", "banjir"), ("name", "Banjir dan genangan")]).await;
        assert_eq!(status, 303);

        // Canned replies belong to admins.
        let (status, _, _) = admin.post(&app, "/balasan", &[("title", "Minta foto KTP"), ("body", "Mohon kirim foto KTP Anda.")]).await;
        assert_eq!(status, 303);
        let (_, html) = admin.get(&app, "/balasan").await;
        assert!(html.contains("Minta foto KTP"));

        // WhatsApp: the test button asks the Graph API about the number.
        wiremock::Mock::given(wiremock::matchers::method("GET"))
            .and(wiremock::matchers::path(format!("/v23.0/{}", crate::helpers::PHONE_NUMBER_ID)))
            .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(json!({
                "id": crate::helpers::PHONE_NUMBER_ID, "display_phone_number": "+62 812-3117-7772",
                "verified_name": "Wani Bares Magetan", "quality_rating": "GREEN"
            })))
            .mount(&app.graph).await;
        let (status, _, html) = sa.post(&app, "/admin/whatsapp/tes", &[]).await;
        assert_eq!(status, 200);
        assert!(html.contains("Koneksi berhasil") && html.contains("Wani Bares Magetan"), "{html}");

        // Every change is in the audit trail, by the superadmin.
        let mut r = app.state.store.reader().await.unwrap();
        let actions: Vec<String> = wani_bares_store::audit::recent(&mut r.conn(), 200).await.unwrap()
            .into_iter().filter(|e| e.actor == "user:super").map(|e| e.action).collect();
        for a in ["user_created", "user_updated", "password_reset", "text_changed", "sla_targets_changed", "holiday_added", "holiday_removed", "agency_created", "category_created", "wa_connection_test"] {
            assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
        }
    });
}

#[tokio::test]
async fn the_outbox_page_shows_failures_and_retries_them() {
    on_each_backend!(app => {
        app.add_user("admin", "admin", None).await;
        let now = app.state.now_ms();
        let (id, waiting) = {
            let mut tx = app.state.store.begin().await.unwrap();
            let mut ids = Vec::new();
            for phone in ["6281400000141", "6281400000142"] {
                ids.push(wani_bares_store::outbox::enqueue(&mut tx.conn(), &wani_bares_store::outbox::NewOutbox {
                    dedupe_key: None, citizen_id: None, user_id: None, complaint_id: None, message_id: None,
                    to_phone: Some(phone), to_bsuid: None, kind: "text",
                    payload_json: "{\"type\":\"text\",\"text\":\"x\"}", not_before: now + 86_400_000, now,
                }).await.unwrap().unwrap());
            }
            wani_bares_store::outbox::finish_failed(&mut tx.conn(), ids[0], "dead", "Recipient phone number not in allowed list", Some(131_030)).await.unwrap();
            tx.commit().await.unwrap();
            (ids[0], ids[1])
        };
        let admin = web_login(&app, "admin").await;
        let (status, html) = admin.get(&app, "/outbox").await;
        assert_eq!(status, 200);
        assert!(html.contains("131030") && html.contains("not in allowed list"), "{html}");
        assert!(!html.contains("6281400000141"), "numbers are masked");
        let (status, headers, _) = admin.post(&app, &format!("/outbox/{id}/ulang"), &[]).await;
        assert_eq!(status, 303, "{headers:?}");
        // A message still waiting for its first attempt is not "retried".
        let (status, _, html) = admin.post(&app, &format!("/outbox/{waiting}/ulang"), &[]).await;
        assert_eq!(status, 409, "{html}");
    });
}
