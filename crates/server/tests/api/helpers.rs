//! The black-box test harness: a real server on port 0 with a fresh database (SQLite, and
//! PostgreSQL when `WANI_BARES_TEST_POSTGRES_URL` is set), a fake Graph API (wiremock) on
//! loopback and a test clock that starts at a fixed instant.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wani_bares::app::{App, BuildOptions};
use wani_bares::clock::TestClock;
use wani_bares::config::{Config, Secret};
use wani_bares::state::AppState;
use wani_bares_store::testing;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const PHONE_NUMBER_ID: &str = "1122334455667";
pub const APP_SECRET: &str = "test_app_secret_123";
pub const VERIFY_TOKEN: &str = "verify-me";
pub const ACCESS_TOKEN: &str = "EAAG-test-token";

/// Wednesday 4 November 2026, 09:00 WIB.
pub const START: &str = "2026-11-04T02:00:00Z";

pub fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../whatsapp/tests/fixtures/wa-samples")
}

pub fn sample(name: &str) -> Vec<u8> {
    std::fs::read(samples_dir().join(name)).unwrap_or_else(|e| panic!("sample {name}: {e}"))
}

/// Answers sends with unique message ids, mark-reads with success.
#[derive(Default)]
pub struct GraphResponder {
    counter: AtomicU64,
}

impl Respond for GraphResponder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        if body.get("status").and_then(Value::as_str) == Some("read") {
            return ResponseTemplate::new(200).set_body_json(json!({"success": true}));
        }
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        let to = body.get("to").and_then(Value::as_str).unwrap_or("");
        ResponseTemplate::new(200).set_body_json(json!({
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to}],
            "messages": [{"id": format!("wamid.fake.{n}")}]
        }))
    }
}

/// A change to the configuration before the app is built.
pub type Tweak = Box<dyn FnOnce(&mut Config) + Send>;

pub enum Backend {
    Sqlite,
    Postgres(String),
}

pub fn backends() -> Vec<Backend> {
    let mut out = vec![Backend::Sqlite];
    if let Some(base) = testing::postgres_base_url() {
        out.push(Backend::Postgres(base));
    }
    out
}

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub graph: MockServer,
    pub clock: Arc<TestClock>,
    pub http: reqwest::Client,
    pub dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

pub struct Options {
    pub backend: Backend,
    /// Mount the default success responder on the fake Graph API.
    pub graph_ok: bool,
    pub tweak: Option<Tweak>,
    pub demo: bool,
}

impl Options {
    pub fn on(backend: Backend) -> Options {
        Options {
            backend,
            graph_ok: true,
            tweak: None,
            demo: false,
        }
    }
}

pub async fn spawn(opts: Options) -> TestApp {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_test_writer()
        .try_init();
    let dir = tempfile::tempdir().unwrap();
    let graph = MockServer::start().await;
    if opts.graph_ok {
        mount_ok(&graph).await;
    }
    let mut config = Config::for_data_dir(dir.path());
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.whatsapp.api_base = format!("{}/v23.0", graph.uri());
    config.whatsapp.phone_number_id = PHONE_NUMBER_ID.into();
    config.whatsapp.access_token = Secret::new(ACCESS_TOKEN);
    config.whatsapp.app_secret = Secret::new(APP_SECRET);
    config.whatsapp.verify_token = Secret::new(VERIFY_TOKEN);
    config.whatsapp.request_timeout_seconds = 2;
    // Scheduled monthly reports would be generated at every start (the test clock is
    // past the 1st): off, except in the test that wants them.
    config.report.auto_day = 0;
    let pg = match &opts.backend {
        Backend::Sqlite => None,
        Backend::Postgres(base) => {
            let url = testing::fresh_postgres_database(base)
                .await
                .expect("WANI_BARES_TEST_POSTGRES_URL is set but PostgreSQL is unreachable");
            config.database_url = Secret::new(url.clone());
            Some((base.clone(), url))
        }
    };
    if let Some(tweak) = opts.tweak {
        tweak(&mut config);
    }
    let clock = Arc::new(TestClock::starting_at(START.parse().unwrap()));
    let app = App::build(
        config,
        clock.clone(),
        BuildOptions {
            demo: opts.demo,
            no_jobs: false,
        },
    )
    .await
    .expect("the app builds");
    let base = format!("http://{}", app.addr());
    let state = app.state.clone();
    tokio::spawn(app.run());
    TestApp {
        base,
        state,
        graph,
        clock,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        dir,
        pg,
    }
}

pub async fn mount_ok(graph: &MockServer) {
    let files_base = graph.uri();
    Mock::given(method("POST"))
        .and(path(format!("/v23.0/{PHONE_NUMBER_ID}/messages")))
        .respond_with(GraphResponder {
            counter: AtomicU64::new(0),
        })
        .mount(graph)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(r"^/v23\.0/media-[A-Za-z0-9_-]+$"))
        .respond_with(move |req: &Request| {
            let id = req.url.path().rsplit('/').next().unwrap_or("").to_owned();
            let bytes = media_bytes(&id);
            let uri = format!("{files_base}/files/{id}");
            ResponseTemplate::new(200).set_body_json(json!({
                "url": uri, "mime_type": "image/jpeg",
                "sha256": hex_sha256(&bytes), "file_size": bytes.len(), "id": id,
                "messaging_product": "whatsapp"
            }))
        })
        .mount(graph)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(r"^/files/media-[A-Za-z0-9_-]+$"))
        .respond_with(|req: &Request| {
            let id = req.url.path().rsplit('/').next().unwrap_or("").to_owned();
            ResponseTemplate::new(200)
                .set_body_bytes(media_bytes(&id))
                .insert_header("content-type", "image/jpeg")
        })
        .mount(graph)
        .await;
}

/// The fake file behind a media id: recognisable bytes.
pub fn media_bytes(id: &str) -> Vec<u8> {
    let mut v = b"\xFF\xD8\xFF\xE0JFIF-test-photo-".to_vec();
    v.extend_from_slice(id.as_bytes());
    v.extend_from_slice(&[0xAB; 64]);
    v
}

pub fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

pub fn sign(body: &[u8]) -> String {
    wani_bares_whatsapp::signature::sign(APP_SECRET.as_bytes(), body)
}

static MSG_COUNTER: AtomicU64 = AtomicU64::new(1);

/// A webhook body with one text message from `from` (a phone number).
pub fn text_body(from: &str, text: &str) -> Vec<u8> {
    let n = MSG_COUNTER.fetch_add(1, Ordering::SeqCst);
    message_body(
        from,
        &json!({"type": "text", "text": {"body": text}}),
        &format!("wamid.in.{n}.{}", rand_suffix()),
    )
}

pub fn rand_suffix() -> String {
    hex::encode(rand::random::<[u8; 6]>())
}

/// A webhook body with one message of any content.
pub fn message_body(from: &str, content: &Value, wamid: &str) -> Vec<u8> {
    let mut msg = json!({"from": from, "id": wamid, "timestamp": "1793757600"});
    if let (Some(obj), Some(c)) = (msg.as_object_mut(), content.as_object()) {
        for (k, v) in c {
            obj.insert(k.clone(), v.clone());
        }
    }
    serde_json::to_vec(&json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA1", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "6281231177772", "phone_number_id": PHONE_NUMBER_ID},
            "contacts": [{"profile": {"name": "Warga"}, "wa_id": from}],
            "messages": [msg]
        }}]}]
    }))
    .unwrap()
}

pub fn image_body(from: &str, media_id: &str) -> Vec<u8> {
    let n = MSG_COUNTER.fetch_add(1, Ordering::SeqCst);
    let bytes = media_bytes(media_id);
    message_body(
        from,
        &json!({"type": "image", "image": {"id": media_id, "mime_type": "image/jpeg", "sha256": hex_sha256(&bytes)}}),
        &format!("wamid.img.{n}.{}", rand_suffix()),
    )
}

pub fn button_body(from: &str, id: &str, title: &str) -> Vec<u8> {
    let n = MSG_COUNTER.fetch_add(1, Ordering::SeqCst);
    message_body(
        from,
        &json!({"type": "interactive", "interactive": {"type": "button_reply", "button_reply": {"id": id, "title": title}}}),
        &format!("wamid.btn.{n}.{}", rand_suffix()),
    )
}

/// An outbound request the fake Graph API received.
#[derive(Debug, Clone)]
pub struct Sent {
    pub body: Value,
}

impl Sent {
    pub fn to(&self) -> Option<&str> {
        self.body
            .get("to")
            .or_else(|| self.body.get("recipient"))
            .and_then(Value::as_str)
    }
    pub fn kind(&self) -> &str {
        self.body.get("type").and_then(Value::as_str).unwrap_or("")
    }
    /// The readable text (text body, interactive body, or template parameters).
    pub fn text(&self) -> String {
        let b = &self.body;
        if let Some(t) = b.pointer("/text/body").and_then(Value::as_str) {
            return t.to_owned();
        }
        if let Some(t) = b.pointer("/interactive/body/text").and_then(Value::as_str) {
            return t.to_owned();
        }
        if let Some(params) = b
            .pointer("/template/components/0/parameters")
            .and_then(Value::as_array)
        {
            return params
                .iter()
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join(" | ");
        }
        String::new()
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn post_webhook(&self, body: &[u8]) -> reqwest::Response {
        self.http
            .post(self.url("/webhooks/whatsapp"))
            .header("content-type", "application/json")
            .header("X-Hub-Signature-256", sign(body))
            .body(body.to_vec())
            .send()
            .await
            .unwrap()
    }

    pub async fn post_webhook_ok(&self, body: &[u8]) {
        let r = self.post_webhook(body).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    }

    /// Everything the fake Graph API was asked to send (not mark-reads, not media).
    pub async fn sent(&self) -> Vec<Sent> {
        self.graph
            .received_requests()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.method.as_str() == "POST" && r.url.path().ends_with("/messages"))
            .filter_map(|r| serde_json::from_slice::<Value>(&r.body).ok())
            .filter(|b| b.get("status").and_then(Value::as_str) != Some("read"))
            .map(|body| Sent { body })
            .collect()
    }

    pub async fn sent_to(&self, to: &str) -> Vec<Sent> {
        self.sent()
            .await
            .into_iter()
            .filter(|s| s.to() == Some(to))
            .collect()
    }

    /// Waits until `count` messages went to `to` (or panics after `timeout`).
    pub async fn wait_for_sent_to(&self, to: &str, count: usize, timeout: Duration) -> Vec<Sent> {
        let deadline = Instant::now() + timeout;
        loop {
            let got = self.sent_to(to).await;
            if got.len() >= count {
                return got;
            }
            if Instant::now() > deadline {
                panic!(
                    "expected {count} messages to {to} within {timeout:?}, got {}: {:#?}",
                    got.len(),
                    got
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until the pipeline is idle: inbox processed and outbox drained.
    pub async fn settle(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let mut r = self.state.store.reader().await.unwrap();
            let mut ir = self.state.store.inbox_reader().await.unwrap();
            let inbox = wani_bares_store::inbox::pending_count(&mut ir.conn())
                .await
                .unwrap();
            let outbox = wani_bares_store::outbox::pending_count(&mut r.conn())
                .await
                .unwrap();
            let sending = wani_bares_store::outbox::counts(&mut r.conn())
                .await
                .unwrap()
                .into_iter()
                .find(|(s, _)| s == "sending")
                .map_or(0, |x| x.1);
            drop(r);
            if inbox == 0 && outbox == 0 && sending == 0 {
                tokio::time::sleep(Duration::from_millis(50)).await;
                return;
            }
            assert!(
                Instant::now() < deadline,
                "pipeline did not settle: inbox {inbox}, outbox {outbox}, sending {sending}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Sends a citizen's text and waits for the replies to settle; returns the new messages to them.
    pub async fn say(&self, from: &str, text: &str) -> Vec<Sent> {
        let before = self.sent_to(from).await.len();
        self.post_webhook_ok(&text_body(from, text)).await;
        self.settle().await;
        self.sent_to(from).await.split_off(before)
    }

    pub async fn send_image(&self, from: &str, media_id: &str) -> Vec<Sent> {
        let before = self.sent_to(from).await.len();
        self.post_webhook_ok(&image_body(from, media_id)).await;
        self.settle().await;
        self.sent_to(from).await.split_off(before)
    }

    pub async fn tap(&self, from: &str, id: &str, title: &str) -> Vec<Sent> {
        let before = self.sent_to(from).await.len();
        self.post_webhook_ok(&button_body(from, id, title)).await;
        self.settle().await;
        self.sent_to(from).await.split_off(before)
    }

    pub async fn add_user(&self, username: &str, role: &str, opd: Option<&str>) {
        wani_bares::services::users::add(
            &self.state.store,
            self.state.now_ms(),
            &wani_bares::services::users::NewStaff {
                username,
                role,
                opd,
                name: Some(username),
                wa_number: None,
                password: &password_of(username),
            },
        )
        .await
        .unwrap();
    }

    /// Logs in through the API; returns the bearer token.
    pub async fn login(&self, username: &str) -> String {
        let r = self
            .http
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"username": username, "password": password_of(username)}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "login {username}");
        let body: Value = r.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    pub async fn api_get(&self, token: &str, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn api_post(&self, token: &str, path: &str, body: &Value) -> (u16, Value) {
        let r = self
            .http
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Takes an action and expects 200; returns the new detail.
    pub async fn act(&self, token: &str, ticket: &str, body: &Value) -> Value {
        let (status, v) = self
            .api_post(token, &format!("/api/v1/complaints/{ticket}/actions"), body)
            .await;
        assert_eq!(status, 200, "{body}: {v}");
        v
    }

    /// A citizen registers a complaint through WhatsApp (one-shot form, KTP photo, YA);
    /// returns its tracking number.
    pub async fn register_complaint(&self, from: &str, text: &str) -> String {
        let form = format!(
            "Nama: Siti Aminah\nNIK: 3520014108900001\nAlamat: Desa Sidomukti RT 03 RW 05, Kec. Plaosan\nAduan: {text}"
        );
        self.register_form(from, &form).await
    }

    /// Sends a one-shot form, a KTP photo and `YA`; returns the tracking number.
    pub async fn register_form(&self, from: &str, form: &str) -> String {
        self.say(from, form).await;
        self.send_image(from, &format!("media-{from}")).await;
        let replies = self.say(from, "YA").await;
        replies
            .iter()
            .find_map(|s| {
                regex_lite::Regex::new(r"WB-\d{6}-\d{4,}")
                    .unwrap()
                    .find(&s.text())
                    .map(|m| m.as_str().to_owned())
            })
            .unwrap_or_else(|| panic!("no tracking number for {form:?}: {replies:#?}"))
    }

    /// One user per role (opd users of DPUPR and DINKES), logged in.
    pub async fn staff(&self) -> Staff {
        for (u, role, opd) in [
            ("super", "superadmin", None),
            ("admin", "admin", None),
            ("kabid", "kabid", None),
            ("kadis", "kadis", None),
            ("pupr", "opd", Some("DPUPR")),
            ("dinkes", "opd", Some("DINKES")),
            ("bupati", "viewer", None),
        ] {
            self.add_user(u, role, opd).await;
        }
        self.tokens().await
    }

    /// Fresh tokens for the users of [`TestApp::staff`] (after the clock moved past the
    /// tokens' lifetime).
    pub async fn tokens(&self) -> Staff {
        Staff {
            superadmin: self.login("super").await,
            admin: self.login("admin").await,
            kabid: self.login("kabid").await,
            kadis: self.login("kadis").await,
            pupr: self.login("pupr").await,
            dinkes: self.login("dinkes").await,
            viewer: self.login("bupati").await,
        }
    }

    pub async fn cleanup(self) {
        self.state.shutdown.cancel();
        tokio::time::sleep(Duration::from_millis(50)).await;
        self.state.store.close().await;
        if let Some((base, url)) = self.pg {
            testing::drop_postgres_database(&base, &url).await;
        }
    }

    /// Every file under the data dir, recursively.
    pub fn data_files(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            if let Ok(rd) = std::fs::read_dir(dir) {
                for e in rd.flatten() {
                    let p = e.path();
                    if p.is_dir() {
                        walk(&p, out);
                    } else {
                        out.push(p);
                    }
                }
            }
        }
        let mut out = Vec::new();
        walk(self.dir.path(), &mut out);
        out
    }
}

pub fn password_of(username: &str) -> String {
    format!("sandi-{username}-rahasia")
}

/// Runs a test body against a fresh app on every backend.
#[macro_export]
macro_rules! on_each_backend {
    ($app:ident => $body:block) => {
        on_each_backend!(|b| $crate::helpers::Options::on(b), $app => $body)
    };
    ($opts:expr, $app:ident => $body:block) => {
        for backend in $crate::helpers::backends() {
            let make = $opts;
            let $app = $crate::helpers::spawn(make(backend)).await;
            $body
            $app.cleanup().await;
        }
    };
}

/// Tokens of one user per role.
pub struct Staff {
    pub superadmin: String,
    pub admin: String,
    pub kabid: String,
    pub kadis: String,
    pub pupr: String,
    pub dinkes: String,
    pub viewer: String,
}
