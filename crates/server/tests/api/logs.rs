//! No secret, token, NIK or phone number in the logs (issue: "Reliability and security").
//!
//! Runs the real binary (`wani-bares --log-format json serve`, `RUST_LOG=debug`, stderr to
//! a file) against a fake Graph API, walks a citizen through registration on signed
//! webhooks (a form with a NIK, from a phone number, a KTP photo), logs staff in through
//! the API and the dashboard (right and wrong passwords), uses the token, reveals the
//! identity, then stops the server with SIGTERM and reads every log line.

use std::io::Write as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wiremock::MockServer;

use crate::helpers::{image_body, mount_ok, text_body};

const BIN: &str = env!("CARGO_BIN_EXE_wani-bares");
const APP_SECRET: &str = "log-test-app-secret-7f3a9c";
const ACCESS_TOKEN: &str = "EAAGlogtestaccesstoken9d8e7f";
const VERIFY_TOKEN: &str = "log-test-verify-token-51b2";
const PHONE_NUMBER_ID: &str = crate::helpers::PHONE_NUMBER_ID;
const NIK: &str = "3520014108900001";
const PHONE: &str = "6281400007001";
const PASSWORD: &str = "kata-sandi-rahasia-log-42";
const WRONG_PASSWORD: &str = "salah-tapi-rahasia-juga-17";

/// Stops the server when the test ends, however it ends (by its process id).
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn command(dir: &std::path::Path, graph: &str, log: &std::fs::File) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.arg("--log-format")
        .arg("json")
        .env("RUST_LOG", "debug")
        .env("WANI_BARES_DATA_DIR", dir)
        .env("WANI_BARES_LISTEN", "127.0.0.1:0")
        .env("WANI_BARES_WA_API_BASE", format!("{graph}/v23.0"))
        .env("WANI_BARES_WA_PHONE_NUMBER_ID", PHONE_NUMBER_ID)
        .env("WANI_BARES_WA_ACCESS_TOKEN", ACCESS_TOKEN)
        .env("WANI_BARES_WA_APP_SECRET", APP_SECRET)
        .env("WANI_BARES_WA_VERIFY_TOKEN", VERIFY_TOKEN)
        .env_remove("WANI_BARES_DATABASE_URL")
        .env_remove("WANI_BARES_MASTER_KEY")
        .stdout(log.try_clone().unwrap())
        .stderr(log.try_clone().unwrap());
    cmd
}

fn signed(http: &reqwest::Client, base: &str, body: Vec<u8>) -> reqwest::RequestBuilder {
    // Signed with this test's own app secret (the harness's `sign` uses another).
    let header = wani_bares_whatsapp::signature::sign(APP_SECRET.as_bytes(), &body);
    http.post(format!("{base}/webhooks/whatsapp"))
        .header("content-type", "application/json")
        .header("X-Hub-Signature-256", header)
        .body(body)
}

/// Waits until the fake Graph API has received `n` sends to the citizen.
async fn wait_for_sends(graph: &MockServer, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let sent: Vec<Value> = graph
            .received_requests()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.method.as_str() == "POST" && r.url.path().ends_with("/messages"))
            .filter_map(|r| serde_json::from_slice::<Value>(&r.body).ok())
            .filter(|b| b.get("status").is_none() && b["to"] == PHONE)
            .collect();
        if sent.len() >= n {
            return sent;
        }
        assert!(
            Instant::now() < deadline,
            "expected {n} sends, got {sent:#?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn cookie_from(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            let (k, v) = c.split(';').next()?.split_once('=')?;
            (k.trim() == name && !v.is_empty()).then(|| v.to_owned())
        })
}

#[tokio::test]
async fn the_log_holds_no_secret_token_nik_phone_or_password() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let graph = MockServer::start().await;
    mount_ok(&graph).await;
    let log_path = dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();

    // A staff account, created by the CLI (the password on stdin).
    let mut add = command(dir.path(), &graph.uri(), &log)
        .args([
            "user",
            "add",
            "--username",
            "admin",
            "--role",
            "admin",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin
        .take()
        .unwrap()
        .write_all(PASSWORD.as_bytes())
        .unwrap();
    assert!(add.wait().unwrap().success(), "user add");

    let server = Server(
        command(dir.path(), &graph.uri(), &log)
            .arg("serve")
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_mins(1);
    let addr = loop {
        let text = std::fs::read_to_string(&log_path).unwrap_or_default();
        if let Some(addr) = text
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .find_map(|v| {
                // Events are flattened (`flatten_event`): fields sit beside the timestamp.
                (v["message"] == "Wani Bares is listening")
                    .then(|| v["addr"].as_str().map(str::to_owned))
                    .flatten()
            })
        {
            break addr;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not start:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let base = format!("http://{addr}");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    // Meta's handshake (the verify token is in the query string).
    let r = http.get(format!("{base}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=42")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    // A citizen registers a complaint: the one-shot form with the NIK, the KTP photo, YA.
    let form = format!(
        "Nama: Siti Aminah\nNIK: {NIK}\nAlamat: Desa Sidomukti RT 03 RW 05, Kec. Plaosan\nAduan: Jalan rusak parah di depan balai desa, nomor saya {PHONE}"
    );
    assert_eq!(
        signed(&http, &base, text_body(PHONE, &form))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let n = wait_for_sends(&graph, 1).await.len();
    assert_eq!(
        signed(&http, &base, image_body(PHONE, "media-ktp-log"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    wait_for_sends(&graph, n + 1).await;
    assert_eq!(
        signed(&http, &base, text_body(PHONE, "YA"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let re = regex_lite::Regex::new(r"WB-\d{6}-\d{4,}").unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let ticket = loop {
        let sent = wait_for_sends(&graph, 3).await;
        if let Some(t) = sent
            .iter()
            .find_map(|b| re.find(&b.to_string()).map(|m| m.as_str().to_owned()))
        {
            break t;
        }
        assert!(Instant::now() < deadline, "no tracking number in {sent:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // A bad signature and a poison body are logged too.
    let r = http
        .post(format!("{base}/webhooks/whatsapp"))
        .header("X-Hub-Signature-256", "sha256=00")
        .body(form.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        signed(&http, &base, format!("not json {NIK} {PHONE}").into_bytes())
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // Staff: a wrong password, then the right one; the token in use; the identity revealed.
    let r = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "admin", "password": WRONG_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let token = r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = http
        .get(format!("{base}/api/v1/complaints/{ticket}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = http
        .post(format!("{base}/api/v1/complaints/{ticket}/identity"))
        .bearer_auth(&token)
        .json(&json!({"reason": "verifikasi KTP pelapor"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.text().await.unwrap().contains(NIK),
        "the reveal works (so the NIK was there to leak)"
    );
    let r = http
        .get(format!("{base}/api/v1/complaints?q={NIK}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = http
        .get(format!("{base}/api/v1/complaints"))
        .bearer_auth("not-a-real-token-abcdef")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // The dashboard login (double-submit CSRF) and a page.
    let r = http.get(format!("{base}/login")).send().await.unwrap();
    let login_cookie = cookie_from(&r, "wb_login_csrf").unwrap();
    let html = r.text().await.unwrap();
    let csrf = regex_lite::Regex::new(r#"name="csrf" value="([^"]+)""#)
        .unwrap()
        .captures(&html)
        .unwrap()[1]
        .to_owned();
    let form_body = format!("csrf={csrf}&username=admin&password={PASSWORD}");
    let r = http
        .post(format!("{base}/login"))
        .header("cookie", format!("wb_login_csrf={login_cookie}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let session = cookie_from(&r, "wb_session").unwrap();
    let r = http
        .get(format!("{base}/aduan/{ticket}"))
        .header("cookie", format!("wb_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // SIGTERM, so the shutdown path logs too.
    let pid = server.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let mut server = server;
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.0.try_wait().unwrap().is_none() {
        assert!(
            Instant::now() < deadline,
            "the server did not stop on SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let text = std::fs::read_to_string(&log_path).unwrap();
    if let Ok(keep) = std::env::var("WANI_BARES_KEEP_TEST_LOG") {
        std::fs::write(keep, &text).unwrap();
    }
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let json_lines = lines
        .iter()
        .filter(|l| serde_json::from_str::<Value>(l).is_ok())
        .count();
    assert!(
        lines.len() > 50,
        "the debug log is not trivially empty: {} lines",
        lines.len()
    );
    assert!(json_lines * 10 >= lines.len() * 9, "the log is JSON lines");
    assert!(text.contains("SIGTERM"), "the shutdown was logged");
    let master_key =
        std::fs::read_to_string(dir.path().join("keys/master.key")).unwrap_or_default();
    let mut secrets: Vec<(&str, String)> = vec![
        ("the NIK", NIK.to_owned()),
        ("the NIK in groups", "3520 0141 0890 0001".to_owned()),
        ("the phone number", PHONE.to_owned()),
        ("the phone number, national", "081400007001".to_owned()),
        (
            "the phone number, national digits",
            "81400007001".to_owned(),
        ),
        ("the password", PASSWORD.to_owned()),
        ("the wrong password", WRONG_PASSWORD.to_owned()),
        ("the bearer token", token.clone()),
        ("the session cookie", session.clone()),
        ("the app secret", APP_SECRET.to_owned()),
        ("the access token", ACCESS_TOKEN.to_owned()),
        ("the verify token", VERIFY_TOKEN.to_owned()),
        ("the complainant's name", "Siti Aminah".to_owned()),
    ];
    if master_key.trim().len() >= 16 {
        secrets.push(("the master key", master_key.trim().to_owned()));
    }
    let mut leaks = Vec::new();
    for (what, secret) in &secrets {
        for line in lines.iter().filter(|l| l.contains(secret.as_str())) {
            leaks.push(format!("{what}: {line}"));
        }
    }
    assert!(
        leaks.is_empty(),
        "{} log lines leak:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
}
