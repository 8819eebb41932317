//! Web security not covered by `dashboard.rs` (issue: "Reliability and security"): session
//! fixation, the session cookie's lifetime, argon2id parameters, lockout after failed
//! logins on the dashboard, the security headers on every kind of response. (CSRF on every
//! dashboard write and session expiry on every route: `matrix.rs`.)

use std::time::Duration;

use reqwest::header::{HeaderMap, SET_COOKIE};
use serde_json::json;

use crate::dashboard::{FormExt, web_login};
use crate::helpers::{TestApp, password_of};
use crate::on_each_backend;

fn cookie_value(h: &HeaderMap, name: &str) -> Option<String> {
    h.get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            let (k, v) = c.split(';').next()?.trim().split_once('=')?;
            (k == name && !v.is_empty()).then(|| v.to_owned())
        })
}

fn set_cookie_line(h: &HeaderMap, name: &str) -> Option<String> {
    h.get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// Logs in through the form carrying `cookie` (what the browser already had); returns the
/// response's headers and status.
async fn login_with(
    app: &TestApp,
    username: &str,
    password: &str,
    cookie: Option<&str>,
) -> (u16, HeaderMap, String) {
    let r = app.http.get(app.url("/login")).send().await.unwrap();
    let login_csrf = cookie_value(r.headers(), "wb_login_csrf").unwrap();
    let html = r.text().await.unwrap();
    let field = regex_lite::Regex::new(r#"name="csrf" value="([^"]+)""#)
        .unwrap()
        .captures(&html)
        .unwrap()[1]
        .to_owned();
    let mut cookies = format!("wb_login_csrf={login_csrf}");
    if let Some(c) = cookie {
        cookies.push_str("; ");
        cookies.push_str(c);
    }
    let r = app
        .http
        .post(app.url("/login"))
        .header("cookie", cookies)
        .form(&[
            ("csrf", field.as_str()),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.text().await.unwrap_or_default())
}

async fn page_status(app: &TestApp, cookie: &str) -> u16 {
    app.http
        .get(app.url("/akun"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_session_token_from_before_login_is_never_the_session_after_it() {
    on_each_backend!(app => {
        app.add_user("admin", "admin", None).await;
        app.add_user("mallory", "viewer", None).await;
        // A token planted by an attacker (never issued): the login issues its own, and the
        // planted one never authenticates.
        let planted = "wb_session=planted0123456789abcdefplanted0123456789abcdef";
        let (status, h, _) = login_with(&app, "admin", &password_of("admin"), Some(planted)).await;
        assert_eq!(status, 303);
        let issued = cookie_value(&h, "wb_session").unwrap();
        assert_ne!(format!("wb_session={issued}"), planted);
        assert_eq!(page_status(&app, planted).await, 303);
        assert_eq!(page_status(&app, &format!("wb_session={issued}")).await, 200);
        // The login form's double-submit cookie is cleared once used.
        let cleared = set_cookie_line(&h, "wb_login_csrf").expect("the login CSRF cookie is cleared");
        assert!(cleared.contains("Max-Age=0"), "{cleared}");
        // An attacker's own live session planted in a victim's browser: the victim's login
        // gets a new token and the attacker's session ends (nothing done as the victim can
        // be read through it).
        let attacker = web_login(&app, "mallory").await;
        let (status, h, _) = login_with(&app, "admin", &password_of("admin"), Some(&attacker.cookie)).await;
        assert_eq!(status, 303);
        let victim = format!("wb_session={}", cookie_value(&h, "wb_session").unwrap());
        assert_ne!(victim, attacker.cookie);
        assert_eq!(page_status(&app, &attacker.cookie).await, 303, "the planted session was ended");
        assert_eq!(page_status(&app, &victim).await, 200);
        // Logging out ends the session on the server, not only in the browser.
        let web = web_login(&app, "admin").await;
        let (status, h, _) = web.post(&app, "/logout", &[]).await;
        assert_eq!(status, 303);
        assert!(set_cookie_line(&h, "wb_session").is_some_and(|c| c.contains("Max-Age=0")), "{h:?}");
        assert_eq!(page_status(&app, &web.cookie).await, 303, "a copied cookie is worthless after logout");
        // A logged-out session is dead on the API too.
        let (status, _) = app.api_get(web.cookie.trim_start_matches("wb_session="), "/api/v1/me").await;
        assert_eq!(status, 401, "a dead dashboard session is no bearer token");
    });
}

#[tokio::test]
async fn the_session_cookie_lives_exactly_session_hours() {
    let app =
        crate::helpers::spawn(crate::helpers::Options::on(crate::helpers::Backend::Sqlite)).await;
    app.add_user("admin", "admin", None).await;
    let (status, h, _) = login_with(&app, "admin", &password_of("admin"), None).await;
    assert_eq!(status, 303);
    let line = set_cookie_line(&h, "wb_session").unwrap();
    let hours = i64::from(app.state.config.security.session_hours);
    let max_age: i64 = regex_lite::Regex::new(r"Max-Age=(\d+)")
        .unwrap()
        .captures(&line)
        .unwrap()[1]
        .parse()
        .unwrap();
    assert!(
        (hours * 3600 - 2..=hours * 3600).contains(&max_age),
        "{line}"
    );
    let r = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "admin", "password": password_of("admin")}))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = r.json().await.unwrap();
    let expires: jiff::Timestamp = body["expires_at"].as_str().unwrap().parse().unwrap();
    let lifetime = expires.as_second() - app.state.now_ms() / 1000;
    let want = i64::from(app.state.config.security.api_token_hours) * 3600;
    assert!(
        (want - 5..=want + 5).contains(&lifetime),
        "{lifetime} s, want {want}"
    );
    app.cleanup().await;
}

#[tokio::test]
async fn passwords_are_hashed_with_argon2id_at_owasp_parameters() {
    on_each_backend!(app => {
        app.add_user("admin", "admin", None).await;
        app.add_user("super", "superadmin", None).await;
        // Created by the superadmin in the dashboard, and changed by its owner.
        let sa = web_login(&app, "super").await;
        let (status, _, html) = sa.post(&app, "/admin/pengguna", &[("username", "kabid2"), ("name", "Kabid Dua"), ("role", "kabid"), ("password", "sandi-kabid-dua-panjang")]).await;
        assert!(status == 200 || status == 303, "{status}: {html}");
        let admin = web_login(&app, "admin").await;
        let (status, _, html) = admin.post(&app, "/akun/sandi", &[("current", &password_of("admin")), ("new", "sandi-baru-admin-123"), ("repeat", "sandi-baru-admin-123")]).await;
        assert!(status == 200 || status == 303, "{status}: {html}");
        let mut r = app.state.store.reader().await.unwrap();
        let mut hashes = Vec::new();
        for u in ["admin", "super", "kabid2"] {
            let user = wani_bares_store::users::by_username(&mut r.conn(), u).await.unwrap().unwrap();
            assert!(user.password_hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{u}: {}", user.password_hash);
            assert!(!user.password_hash.contains("sandi"), "{u}: no clear text");
            hashes.push(user.password_hash);
        }
        // Salted: the same password twice gives two hashes.
        let a = wani_bares::services::passwords::hash("sama-sama-saja-123").unwrap();
        let b = wani_bares::services::passwords::hash("sama-sama-saja-123").unwrap();
        assert_ne!(a, b);
        assert!(wani_bares::services::passwords::verify("sama-sama-saja-123", &a));
        assert!(!wani_bares::services::passwords::verify("sama-sama-saja-124", &a));
    });
}

#[tokio::test]
async fn the_dashboard_locks_an_account_after_repeated_failures_then_lets_it_in_again() {
    on_each_backend!(app => {
        app.add_user("admin", "admin", None).await;
        let sec = app.state.config.security.clone();
        let right = password_of("admin");
        let (status, _, html) = login_with(&app, "admin", "salah-pertama", None).await;
        assert_eq!(status, 401);
        assert!(html.contains("kata sandi salah"));
        for i in 1..sec.max_failed_logins {
            let (status, h, _) = login_with(&app, "admin", &format!("salah-ke-{i}"), None).await;
            assert!(status == 401 || status == 429, "attempt {i}: {status}");
            assert!(cookie_value(&h, "wb_session").is_none());
        }
        // Locked now: even the right password, on the dashboard and on the API.
        let (status, h, html) = login_with(&app, "admin", &right, None).await;
        assert!(status == 401 || status == 429, "{status}");
        assert!(cookie_value(&h, "wb_session").is_none(), "no session while locked");
        assert!(!html.contains(&right));
        let r = app.http.post(app.url("/api/v1/auth/login")).json(&json!({"username": "admin", "password": right})).send().await.unwrap();
        assert!(r.status() == 401 || r.status() == 429, "{}", r.status());
        // An unknown account looks the same as a wrong password (no account enumeration).
        let (status, _, html) = login_with(&app, "tidak-ada", "apa-saja-123", None).await;
        assert_eq!(status, 401);
        assert!(html.contains("kata sandi salah"));
        // After the lock: in again, and the counter starts over.
        app.clock.advance(Duration::from_secs(u64::from(sec.lockout_minutes) * 60 + 60));
        let (status, h, _) = login_with(&app, "admin", &right, None).await;
        assert_eq!(status, 303);
        assert!(cookie_value(&h, "wb_session").is_some());
        let (status, _, _) = login_with(&app, "admin", "salah-lagi-sekali", None).await;
        assert_eq!(status, 401);
        let (status, _, _) = login_with(&app, "admin", &right, None).await;
        assert_eq!(status, 303, "one failure after a success does not lock");
        let mut r = app.state.store.reader().await.unwrap();
        let actions: Vec<String> = wani_bares_store::audit::recent(&mut r.conn(), 100).await.unwrap().into_iter().map(|e| e.action).collect();
        assert!(actions.iter().filter(|a| *a == "login_failed").count() >= 6, "failed logins are audited: {actions:?}");
    });
}

#[tokio::test]
async fn every_kind_of_response_carries_the_security_headers() {
    on_each_backend!(app => {
        app.add_user("admin", "admin", None).await;
        let web = web_login(&app, "admin").await;
        let token = app.login("admin").await;
        let cases: Vec<(&str, reqwest::RequestBuilder)> = vec![
            ("a dashboard 404 page", app.http.get(app.url("/aduan/WB-209901-0001")).header("cookie", &web.cookie)),
            ("a redirect to login", app.http.get(app.url("/statistik"))),
            ("a 403 CSRF refusal", app.http.post(app.url("/balasan")).header("cookie", &web.cookie).form(&[("title", "x")])),
            ("an API 401", app.http.get(app.url("/api/v1/me"))),
            ("an API 200", app.http.get(app.url("/api/v1/me")).bearer_auth(&token)),
            ("an API 404", app.http.get(app.url("/api/v1/complaints/WB-209901-0001")).bearer_auth(&token)),
            ("a webhook 401", app.http.post(app.url("/webhooks/whatsapp")).body("{}")),
            ("healthz", app.http.get(app.url("/healthz"))),
            ("an unknown path", app.http.get(app.url("/tidak/ada"))),
            ("a 400 for a NUL", app.http.get(app.url("/cari?q=%00")).header("cookie", &web.cookie)),
        ];
        for (what, req) in cases {
            let r = req.send().await.unwrap();
            let h = r.headers();
            assert_eq!(h.get("x-content-type-options").map(|v| v.to_str().unwrap()), Some("nosniff"), "{what}");
            let csp = h.get("content-security-policy").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
            assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'self'"), "{what}: {csp:?}");
            assert!(h.get("referrer-policy").is_some(), "{what}");
            assert!(h.get("server").is_none_or(|v| !v.to_str().unwrap_or("").contains('/')), "{what}: no server version");
        }
        // Pages with personal data are not cached; logged-in API answers neither.
        let (status, _) = web.get(&app, "/").await;
        assert_eq!(status, 200);
        let r = app.http.get(app.url("/")).header("cookie", &web.cookie).send().await.unwrap();
        assert_eq!(r.headers()["cache-control"], "no-store");
    });
}
