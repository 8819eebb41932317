//! Crash safety: the real binary under webhook load is killed with SIGKILL mid-stream and
//! restarted on the same data. Every message acknowledged with 200 must be stored and
//! processed, every citizen whose first message was acknowledged must get a first reply,
//! and no reply may go out twice beyond the documented in-flight window (the rows one
//! outbox pass had claimed when the process died: at most 128, `sender::PASS_ROWS`).

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use wani_bares_store::vault::Vault;
use wani_bares_store::{ConnectOptions, Store, messages};

use crate::helpers::{self, APP_SECRET, PHONE_NUMBER_ID, sign, text_body};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The server process, killed when dropped so a failing assertion leaves nothing running.
struct Server(Child);

impl Server {
    fn kill(&mut self) -> std::io::Result<()> {
        self.0.kill()
    }
    fn wait(&mut self) -> std::io::Result<std::process::ExitStatus> {
        self.0.wait()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(dir: &std::path::Path, port: u16, graph: &str) -> Server {
    let config = dir.join("crash.toml");
    std::fs::write(
        &config,
        "[whatsapp]\npair_burst = 1000\n[report]\nauto_day = 0\n",
    )
    .unwrap();
    Command::new(env!("CARGO_BIN_EXE_wani-bares"))
        .arg("--config")
        .arg(&config)
        .arg("serve")
        .env("WANI_BARES_DATA_DIR", dir)
        .env("WANI_BARES_LISTEN", format!("127.0.0.1:{port}"))
        .env("WANI_BARES_WA_API_BASE", format!("{graph}/v23.0"))
        .env("WANI_BARES_WA_PHONE_NUMBER_ID", PHONE_NUMBER_ID)
        .env("WANI_BARES_WA_ACCESS_TOKEN", "token")
        .env("WANI_BARES_WA_APP_SECRET", APP_SECRET)
        .env("WANI_BARES_WA_VERIFY_TOKEN", "v")
        .env("WANI_BARES_WA_RATE_PER_SECOND", "1000")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(Server)
        .unwrap()
}

async fn wait_healthy(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(r) = reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await
            && r.status() == 200
        {
            return;
        }
        assert!(Instant::now() < deadline, "the server did not come up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Greetings (first replies) per recipient seen by the fake Graph API.
async fn greetings(graph: &wiremock::MockServer) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for r in graph.received_requests().await.unwrap_or_default() {
        let Ok(v) = serde_json::from_slice::<Value>(&r.body) else {
            continue;
        };
        let text = v
            .pointer("/text/body")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if text.contains("terima kasih telah menghubungi") {
            *out.entry(v["to"].as_str().unwrap_or_default().to_owned())
                .or_default() += 1;
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_sigkill_under_load_every_acknowledged_message_is_processed_and_answered() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let graph = wiremock::MockServer::start().await;
    helpers::mount_ok(&graph).await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = start(dir.path(), port, &graph.uri());
    wait_healthy(port).await;

    // 600 citizens write; the server is killed when about a third is acknowledged.
    let n = 600;
    let bodies: Vec<(String, Vec<u8>)> = (0..n)
        .map(|i| {
            let phone = format!("62812{:08}", 70_000_000 + i);
            let body = text_body(&phone, "Jalan di desa saya rusak parah");
            (phone, body)
        })
        .collect();
    let bodies = Arc::new(bodies);
    let acked = Arc::new(std::sync::Mutex::new(Vec::<usize>::new()));
    let url = format!("http://127.0.0.1:{port}/webhooks/whatsapp");
    let http = reqwest::Client::new();
    let mut tasks = Vec::new();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for _ in 0..16 {
        let (bodies, acked, url, http, next) = (
            bodies.clone(),
            acked.clone(),
            url.clone(),
            http.clone(),
            next.clone(),
        );
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if i >= bodies.len() {
                    return;
                }
                let body = bodies[i].1.clone();
                let r = http
                    .post(&url)
                    .header("X-Hub-Signature-256", sign(&body))
                    .body(body)
                    .send()
                    .await;
                if let Ok(r) = r
                    && r.status() == 200
                {
                    acked.lock().unwrap().push(i);
                }
            }
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while acked.lock().unwrap().len() < n / 3 {
        assert!(Instant::now() < deadline, "load did not progress");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    for t in tasks {
        let _ = t.await;
    }
    let acked: Vec<usize> = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= n / 3 && acked.len() < n,
        "killed mid-stream: {} acknowledged",
        acked.len()
    );

    // Restart on the same data; Meta would retry the unacknowledged ones, we only check
    // the acknowledged ones.
    let mut server = start(dir.path(), port, &graph.uri());
    wait_healthy(port).await;
    let deadline = Instant::now() + Duration::from_secs(90);
    let missing = loop {
        let g = greetings(&graph).await;
        let missing: Vec<&str> = acked
            .iter()
            .map(|i| bodies[*i].0.as_str())
            .filter(|p| !g.contains_key(*p))
            .collect();
        if missing.is_empty() || Instant::now() > deadline {
            break missing.len();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(
        missing, 0,
        "every acknowledged new citizen gets a first reply"
    );
    let g = greetings(&graph).await;
    let twice = g.values().filter(|c| **c > 1).count();
    assert!(
        twice <= 128,
        "{twice} citizens got the first reply twice: more than the in-flight window"
    );

    // Every acknowledged message is stored (exactly once) in the transcript.
    let vault = Arc::new(Vault::load_or_create(dir.path(), None).unwrap());
    let store = Store::open(
        &ConnectOptions::new(format!(
            "sqlite://{}",
            dir.path().join("wani-bares.db").display()
        )),
        vault,
    )
    .await
    .unwrap();
    let mut r = store.reader().await.unwrap();
    assert!(messages::count_inbound(&mut r.conn()).await.unwrap() >= acked.len() as i64);
    for i in &acked {
        let body: Value = serde_json::from_slice(&bodies[*i].1).unwrap();
        let wamid = body
            .pointer("/entry/0/changes/0/value/messages/0/id")
            .and_then(Value::as_str)
            .unwrap();
        assert!(
            messages::exists(&mut r.conn(), wamid).await.unwrap(),
            "{wamid} acknowledged but not processed"
        );
    }
    drop(r);
    store.close().await;
    server.kill().unwrap();
    server.wait().unwrap();
}
