//! Browser tests of the staff dashboard in headless Chromium (Debian's `chromium` and
//! `chromium-driver`), through the real pages: the whole SOP path from the admin's
//! verification to the answer on the citizen's WhatsApp, a live update without reload,
//! and screenshots of the main pages in `target/screenshots/` (phone and desktop sizes).
//!
//! Without chromedriver or chromium the test is skipped with a message, unless
//! `WANI_BARES_REQUIRE_BROWSER=1` (set by `.ci/run`): then it fails.

// Test support code: a failed unwrap is a failed test with its location.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::manual_assert)]

#[allow(dead_code, unused_imports, unused_macros)]
#[path = "../api/helpers.rs"]
mod helpers;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::helpers::{Backend, Options, TestApp, password_of};

const DESKTOP: (u32, u32) = (1280, 900);
const PHONE: (u32, u32) = (390, 844);

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

fn browser_binary() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|b| on_path(b))
}

/// A chromedriver process on a free port, killed on drop.
struct Driver {
    child: Child,
    port: u16,
    profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_driver() -> Option<Driver> {
    let driver = on_path("chromedriver")?;
    browser_binary()?;
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .ok()?;
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + Duration::from_secs(15);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(Driver {
        child,
        port,
        profile: tempfile::tempdir().unwrap(),
    })
}

async fn connect(driver: &Driver) -> Client {
    let binary = browser_binary().unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": binary.to_string_lossy(),
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--no-first-run", "--disable-quic", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--lang=id-ID",
                format!("--user-data-dir={}", driver.profile.path().display()),
                format!("--window-size={},{}", DESKTOP.0, DESKTOP.1),
            ]
        }),
    );
    ClientBuilder::rustls()
        .unwrap()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a chromedriver session")
}

fn screenshots_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Drives one browser through the dashboard.
struct Browser {
    c: Client,
    base: String,
    shots: Vec<PathBuf>,
}

impl Browser {
    async fn goto(&self, path: &str) {
        self.c.goto(&format!("{}{path}", self.base)).await.unwrap();
    }

    async fn wait_for(&self, css: &str) {
        self.c
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} did not appear: {e}"));
    }

    /// Waits until the element's text contains `needle`.
    async fn wait_text(&self, css: &str, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(el) = self.c.find(Locator::Css(css)).await
                && el.text().await.unwrap_or_default().contains(needle)
            {
                return;
            }
            if Instant::now() > deadline {
                let src = self.c.source().await.unwrap_or_default();
                panic!("{css} never contained {needle:?}; page:\n{src}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn text(&self, css: &str) -> String {
        self.c
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .text()
            .await
            .unwrap()
    }

    async fn click(&self, css: &str) {
        let el = self
            .c
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        if el.click().await.is_err() {
            // Covered by a sticky bar after scrolling: click it the way a finger would.
            self.c
                .execute(
                    "document.querySelector(arguments[0]).click()",
                    vec![Value::String(css.into())],
                )
                .await
                .unwrap();
        }
    }

    async fn type_into(&self, css: &str, text: &str) {
        let el = self.c.find(Locator::Css(css)).await.unwrap();
        el.clear().await.unwrap();
        el.send_keys(text).await.unwrap();
    }

    async fn value(&self, css: &str) -> String {
        self.c
            .find(Locator::Css(css))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
    }

    async fn login(&self, user: &str) {
        self.login_as(user, &password_of(user)).await;
    }

    async fn login_as(&self, user: &str, password: &str) {
        self.goto("/login").await;
        self.wait_for("#login-submit").await;
        self.type_into("#username", user).await;
        self.type_into("#password", password).await;
        self.click("#login-submit").await;
        self.wait_for("#antrean").await;
    }

    async fn logout(&self) {
        self.click("#logout").await;
        self.wait_for("#login-submit").await;
    }

    /// Opens a complaint from the inbox queue `slug` by clicking its card.
    async fn open_from_queue(&self, slug: &str, ticket: &str) {
        self.click(&format!("#q-{slug}")).await;
        self.wait_text("#daftar", ticket).await;
        self.click(&format!("#daftar a[href='/aduan/{ticket}']"))
            .await;
        self.wait_text("#ticket", ticket).await;
    }

    async fn size(&self, (w, h): (u32, u32)) {
        self.c.set_window_size(w, h).await.unwrap();
        tokio::time::sleep(Duration::from_millis(150)).await;
    }

    async fn shot(&mut self, name: &str) {
        let png = self.c.screenshot().await.unwrap();
        assert!(png.len() > 2_000, "{name}: screenshot too small");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{name}: not a PNG");
        let path = screenshots_dir().join(format!("{name}.png"));
        std::fs::write(&path, &png).unwrap();
        self.shots.push(path);
    }

    /// A desktop screenshot of the whole page (the window grown to the page's height).
    async fn shot_full(&mut self, name: &str) {
        let height = self
            .c
            .execute("return document.documentElement.scrollHeight", vec![])
            .await
            .unwrap()
            .as_u64()
            .unwrap_or(u64::from(DESKTOP.1))
            .clamp(u64::from(DESKTOP.1), 5000);
        self.size((DESKTOP.0, height as u32 + 140)).await;
        self.shot(name).await;
        self.size(DESKTOP).await;
    }

    /// Screenshots at phone and desktop size, then back to desktop.
    async fn shots_both(&mut self, name: &str) {
        self.size(PHONE).await;
        self.shot(&format!("{name}-phone")).await;
        self.size(DESKTOP).await;
        self.shot(&format!("{name}-desktop")).await;
    }
}

fn require_browser() -> bool {
    std::env::var("WANI_BARES_REQUIRE_BROWSER").is_ok_and(|v| v == "1")
}

async fn staff(app: &TestApp) {
    for (u, role, opd) in [
        ("super", "superadmin", None),
        ("admin", "admin", None),
        ("kabid", "kabid", None),
        ("kadis", "kadis", None),
        ("pupr", "opd", Some("DPUPR")),
    ] {
        app.add_user(u, role, opd).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_complaint_goes_from_verification_to_the_citizens_whatsapp_through_the_pages() {
    let Some(driver) = start_driver() else {
        if require_browser() {
            panic!("WANI_BARES_REQUIRE_BROWSER=1 but chromedriver or chromium is missing");
        }
        eprintln!(
            "SKIPPED: browser test needs `chromedriver` and `chromium` on PATH (apt-get install chromium chromium-driver)"
        );
        return;
    };
    let app = helpers::spawn(Options::on(Backend::Sqlite)).await;
    staff(&app).await;
    let citizen = "6281400000901";
    let ticket = app
        .register_complaint(
            citizen,
            "Jalan desa di Dusun Krajan rusak parah dan berlubang sejak tiga bulan, membahayakan pengendara motor",
        )
        .await;

    let mut b = Browser {
        c: connect(&driver).await,
        base: app.base.clone(),
        shots: Vec::new(),
    };

    // Without a session: the login page.
    b.goto("/").await;
    b.wait_for("#login-submit").await;
    b.shots_both("01-login").await;

    // Admin: "Perlu verifikasi", open, verify.
    b.login("admin").await;
    b.wait_text("#q-verifikasi", "Perlu verifikasi").await;
    b.wait_text("#daftar", &ticket).await;
    b.shots_both("02-inbox-admin").await;
    b.open_from_queue("verifikasi", &ticket).await;
    assert!(b.text("#percakapan").await.contains("Jalan desa"));
    b.shots_both("03-complaint-admin").await;
    b.shot_full("03-complaint-admin-full").await;
    b.click("#btn-verify").await;
    b.wait_text("#notice", "diverifikasi").await;
    b.wait_text("#status", "Di Kabid IKP").await;

    // A live update: a new complaint appears in the open inbox without a reload.
    b.click("#q-verifikasi").await;
    b.wait_for("#daftar").await;
    let marker = "live-marker";
    b.c.execute(
        "document.getElementById('daftar').setAttribute('data-marker', arguments[0])",
        vec![Value::String(marker.into())],
    )
    .await
    .unwrap();
    let second = app
        .register_complaint(
            "6281400000902",
            "Lampu penerangan jalan di alun-alun mati sejak seminggu",
        )
        .await;
    b.wait_text("#daftar", &second).await;
    let same_page =
        b.c.find(Locator::Css("#daftar[data-marker='live-marker']"))
            .await
            .is_ok();
    assert!(same_page, "the list updated in place, without a reload");
    b.wait_text("#q-verifikasi .count", "1").await;
    b.logout().await;

    // Kabid forwards.
    b.login("kabid").await;
    b.open_from_queue("kabid", &ticket).await;
    b.click("#btn-forward").await;
    b.wait_text("#status", "Di Kadis").await;
    b.logout().await;

    // Kadis dispatches to DPUPR.
    b.login("kadis").await;
    b.open_from_queue("kadis", &ticket).await;
    b.click("#btn-dispatch").await;
    b.wait_for("#form-dispatch").await;
    b.type_into("#agency-filter", "PUPR").await;
    b.click("#opd-DPUPR").await;
    b.type_into("#f-note", "Mohon segera ditinjau ke lokasi dan dijawab.")
        .await;
    b.shots_both("04-dispatch-form").await;
    b.click("#btn-dispatch-submit").await;
    b.wait_text("#notice", "didisposisikan").await;
    b.wait_text("#status", "Di perangkat daerah").await;
    b.logout().await;

    // The DPUPR user answers.
    b.login("pupr").await;
    b.open_from_queue("disposisi", &ticket).await;
    assert!(
        b.text("#identitas").await.contains("dirahasiakan"),
        "the agency does not see the identity"
    );
    let answer = "Tim UPT Jalan sudah meninjau lokasi; penambalan dilakukan minggu ini.";
    b.type_into("#f-answer", answer).await;
    b.type_into(
        "#f-follow",
        "Pengaspalan ulang dijadwalkan 10 Desember 2026.",
    )
    .await;
    b.shots_both("05-complaint-opd").await;
    b.click("#btn-answer").await;
    b.wait_text("#status", "Jawaban di Kadis").await;
    b.logout().await;

    // Kadis and Kabid pass the answer on.
    b.login("kadis").await;
    b.open_from_queue("jawaban", &ticket).await;
    b.click("#btn-pass").await;
    b.wait_text("#status", "Jawaban di Kabid IKP").await;
    b.logout().await;
    b.login("kabid").await;
    b.open_from_queue("jawaban", &ticket).await;
    b.click("#btn-pass").await;
    b.wait_text("#status", "Jawaban di Admin").await;
    b.logout().await;

    // Admin sends the prefilled reply.
    b.login("admin").await;
    b.open_from_queue("kirim", &ticket).await;
    let prefilled = b.value("#f-text").await;
    assert!(
        prefilled.contains(answer),
        "the reply is prefilled: {prefilled}"
    );
    b.shots_both("06-reply-admin").await;
    b.click("#btn-send").await;
    b.wait_text("#notice", "Aduan selesai").await;
    b.wait_text("#status", "Selesai").await;
    let sent = app
        .wait_for_sent_to(citizen, 1, Duration::from_secs(10))
        .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let sent_now = app.sent_to(citizen).await;
        if let Some(m) = sent_now.iter().find(|m| m.text().contains(answer)) {
            assert!(m.text().contains(&ticket), "{}", m.text());
            assert!(m.text().contains("Pengaspalan ulang"), "{}", m.text());
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the answer never reached the citizen: {sent:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.goto(&format!("/aduan/{ticket}")).await;
    b.wait_text("#status", "Selesai").await;
    b.shots_both("07-complaint-closed").await;
    b.shot_full("07-complaint-closed-full").await;
    b.goto("/outbox").await;
    b.wait_for("h1").await;
    b.shots_both("08-outbox").await;
    b.logout().await;

    // The superadmin's pages.
    b.login("super").await;
    b.goto("/admin/pengguna").await;
    b.wait_for("#users").await;
    b.shots_both("09-admin-users").await;
    b.goto(&format!("/cari?q={ticket}")).await;
    b.wait_text("#hasil", &ticket).await;
    b.shots_both("10-search").await;
    b.goto("/statistik").await;
    b.wait_for("#skm").await;
    b.shots_both("11-stats").await;

    for shot in &b.shots {
        let bytes = std::fs::read(shot).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"), "{}", shot.display());
    }
    b.c.close().await.unwrap();
    drop(driver);
    app.cleanup().await;
}

/// The demo as a newcomer starts it (the real binary), read from its own banner and
/// `demo.json`.
struct Demo {
    child: Child,
    base: String,
    passwords: std::collections::HashMap<String, String>,
    _dir: tempfile::TempDir,
}

impl Drop for Demo {
    fn drop(&mut self) {
        // Ctrl-C, as a person would stop it.
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
    }
}

fn start_demo() -> Demo {
    let dir = tempfile::tempdir().unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_wani-bares"))
        .args(["demo", "--data-dir"])
        .arg(dir.path())
        .env("WANI_BARES_LISTEN", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = child;
    let stdout = child.stdout.take().unwrap();
    let banner = std::thread::spawn(move || {
        use std::io::BufRead;
        let mut lines = Vec::new();
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let done = line.starts_with(" bupati");
            lines.push(line);
            if done {
                break;
            }
        }
        lines.join("\n")
    });
    let banner = banner.join().unwrap();
    assert!(banner.contains(&format!("{base}/login")), "{banner}");
    assert!(banner.contains(&format!("{base}/simulator")), "{banner}");
    for user in ["superadmin", "admin", "kabid", "kadis", "pupr", "bupati"] {
        assert!(banner.contains(user), "{user} missing from the banner");
    }
    // /healthz answers within 5 s of the start.
    loop {
        let ok = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok();
        if ok {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the demo did not listen within 5 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let demo: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("demo.json")).unwrap())
            .unwrap();
    let passwords = demo["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["username"].as_str().unwrap().to_owned(),
                u["password"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    Demo {
        child,
        base,
        passwords,
        _dir: dir,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_complaint_typed_in_the_simulator_goes_through_the_sop_and_the_answer_returns_to_the_chat()
 {
    let Some(driver) = start_driver() else {
        if require_browser() {
            panic!("WANI_BARES_REQUIRE_BROWSER=1 but chromedriver or chromium is missing");
        }
        eprintln!("SKIPPED: browser test needs `chromedriver` and `chromium` on PATH");
        return;
    };
    let demo = start_demo();
    let health = reqwest::get(format!("{}/healthz", demo.base))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let mut b = Browser {
        c: connect(&driver).await,
        base: demo.base.clone(),
        shots: Vec::new(),
    };

    // A citizen types the one-shot form, sends the sample KTP photo and taps "Kirim".
    b.goto("/simulator").await;
    b.wait_for("#composer").await;
    b.click(".quick button:nth-child(2)").await;
    b.click("#send").await;
    b.wait_text("#chat", "KTP").await;
    b.click("#photo").await;
    b.wait_for(".msg.out .buttons button").await;
    let deadline = Instant::now() + Duration::from_secs(15);
    let ticket = loop {
        if let Ok(buttons) = b.c.find_all(Locator::Css(".msg.out .buttons button")).await {
            for button in buttons {
                if button.text().await.unwrap_or_default() == "Kirim" {
                    button.click().await.unwrap();
                }
            }
        }
        let chat = b.text("#chat").await;
        if let Some(m) = regex_lite::Regex::new(r"WB-\d{6}-\d{4,}")
            .unwrap()
            .find(&chat)
        {
            break m.as_str().to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "no tracking number in the chat:\n{chat}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    b.shots_both("12-simulator").await;

    // Through the real dashboard pages.
    b.login_as("admin", &demo.passwords["admin"]).await;
    b.open_from_queue("verifikasi", &ticket).await;
    b.click("#btn-verify").await;
    b.wait_text("#status", "Di Kabid IKP").await;
    b.logout().await;
    b.login_as("kabid", &demo.passwords["kabid"]).await;
    b.open_from_queue("kabid", &ticket).await;
    b.click("#btn-forward").await;
    b.wait_text("#status", "Di Kadis").await;
    b.logout().await;
    b.login_as("kadis", &demo.passwords["kadis"]).await;
    b.open_from_queue("kadis", &ticket).await;
    b.click("#btn-dispatch").await;
    b.wait_for("#form-dispatch").await;
    b.type_into("#agency-filter", "PUPR").await;
    b.click("#opd-DPUPR").await;
    b.click("#btn-dispatch-submit").await;
    b.wait_text("#status", "Di perangkat daerah").await;
    b.logout().await;
    b.login_as("pupr", &demo.passwords["pupr"]).await;
    b.open_from_queue("disposisi", &ticket).await;
    let answer = "Ruas jalan sudah ditinjau; penambalan lubang selesai hari ini.";
    b.type_into("#f-answer", answer).await;
    b.type_into("#f-follow", "Pemeliharaan rutin tiap bulan.")
        .await;
    b.click("#btn-answer").await;
    b.wait_text("#status", "Jawaban di Kadis").await;
    b.logout().await;
    b.login_as("kadis", &demo.passwords["kadis"]).await;
    b.open_from_queue("jawaban", &ticket).await;
    b.click("#btn-pass").await;
    b.wait_text("#status", "Jawaban di Kabid IKP").await;
    b.logout().await;
    b.login_as("kabid", &demo.passwords["kabid"]).await;
    b.open_from_queue("jawaban", &ticket).await;
    b.click("#btn-pass").await;
    b.wait_text("#status", "Jawaban di Admin").await;
    b.logout().await;
    b.login_as("admin", &demo.passwords["admin"]).await;
    b.open_from_queue("kirim", &ticket).await;
    b.click("#btn-send").await;
    b.wait_text("#status", "Selesai").await;
    b.logout().await;

    // The answer arrives in the simulator's chat, followed by the rating question; the
    // officials' panel shows their WhatsApp notifications.
    b.goto("/simulator").await;
    b.wait_text("#chat", answer).await;
    b.wait_text("#chat", "Sangat puas").await;
    b.wait_text("#officials", &ticket).await;
    b.shots_both("13-simulator-answer").await;
    b.c.close().await.unwrap();
    drop(demo);
    drop(driver);
}
