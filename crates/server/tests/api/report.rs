//! The monthly report through the API and the CLI (issue: "Monthly report to the Bupati").

use std::process::Command;

use crate::helpers::{Backend, Options, spawn};
use crate::on_each_backend;

/// `pdftotext` output, or None when poppler-utils is not installed (then the test only
/// checks the PDF structure, unless WANI_BARES_CI=1 demands the tool).
fn pdf_text(bytes: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, bytes).unwrap();
    if let Ok(out) = Command::new("pdftotext").arg(&path).arg("-").output() {
        assert!(
            out.status.success(),
            "pdftotext failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        assert!(
            std::env::var("WANI_BARES_CI").is_err(),
            "pdftotext (poppler-utils) is required in CI"
        );
        eprintln!("pdftotext not installed: checking the PDF structure only");
        None
    }
}

#[tokio::test]
async fn the_month_report_lists_every_complaint_in_pdf_xlsx_and_csv() {
    on_each_backend!(app => {
        let mut tickets = Vec::new();
        for (i, text) in ["Jalan berlubang di depan pasar Plaosan sejak lama", "Air PDAM mati tiga hari di Desa Bendo", "Sampah tidak diangkut seminggu di Kelurahan Tambran"].iter().enumerate() {
            tickets.push(app.register_complaint(&format!("628150000000{i}"), text).await);
        }
        let s = app.staff().await;
        app.act(&s.admin, &tickets[0], &serde_json::json!({"action": "verify"})).await;
        let get = |format: &'static str| {
            let http = app.http.clone();
            let url = app.url(&format!("/api/v1/reports/monthly?month=2026-11&format={format}"));
            let token = s.viewer.clone();
            async move {
                let r = http.get(url).bearer_auth(token).send().await.unwrap();
                assert_eq!(r.status(), 200, "{format}");
                let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
                (ct, r.bytes().await.unwrap().to_vec())
            }
        };
        let (ct, pdf) = get("pdf").await;
        assert_eq!(ct, "application/pdf");
        assert!(pdf.starts_with(b"%PDF-"));
        if let Some(text) = pdf_text(&pdf) {
            assert!(text.contains("Bupati"), "{text}");
            assert!(text.contains("Magetan"));
            for t in &tickets {
                assert!(text.contains(t.as_str()), "{t} missing from the PDF");
            }
        }
        let (_, xlsx) = get("xlsx").await;
        assert!(xlsx.starts_with(b"PK"));
        let sheets = xlsx.windows(b"xl/worksheets/sheet".len()).filter(|w| *w == b"xl/worksheets/sheet").count();
        assert!(sheets >= 6, "{sheets} sheet entries");
        let (_, csv) = get("csv").await;
        let csv = String::from_utf8(csv).unwrap();
        for t in &tickets {
            assert!(csv.contains(t.as_str()));
        }
        // Agencies do not get the report.
        let (status, _) = app.api_get(&s.pupr, "/api/v1/reports/monthly?month=2026-11&format=csv").await;
        assert_eq!(status, 403);
        let (status, _) = app.api_get(&s.viewer, "/api/v1/reports/monthly?month=2026-13&format=csv").await;
        assert_eq!(status, 422);
    });
}

#[tokio::test]
async fn an_empty_month_gives_a_valid_pdf_that_says_so_and_the_cli_writes_files() {
    let app = spawn(Options::on(Backend::Sqlite)).await;
    let dir = app.dir.path().to_path_buf();
    app.register_complaint(
        "6281500000009",
        "Jembatan gantung di Dusun Ngrandu rusak parah",
    )
    .await;
    app.state.shutdown.cancel();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    app.state.store.close().await;
    let bin = env!("CARGO_BIN_EXE_wani-bares");
    let out = dir.join("oktober.pdf");
    let run = Command::new(bin)
        .args([
            "report", "monthly", "--month", "2026-10", "--format", "pdf", "--out",
        ])
        .arg(&out)
        .env("WANI_BARES_DATA_DIR", &dir)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let pdf = std::fs::read(&out).unwrap();
    assert!(
        pdf.starts_with(b"%PDF-") && pdf.ends_with(b"%%EOF\n")
            || pdf.windows(5).any(|w| w == b"%%EOF")
    );
    if let Some(text) = pdf_text(&pdf) {
        assert!(text.contains("Tidak ada pengaduan"), "{text}");
    }
    let csv = dir.join("november.csv");
    let run = Command::new(bin)
        .args([
            "report", "monthly", "--month", "2026-11", "--format", "csv", "--out",
        ])
        .arg(&csv)
        .env("WANI_BARES_DATA_DIR", &dir)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        std::fs::read_to_string(&csv)
            .unwrap()
            .contains("WB-202611-")
    );
    let bad = Command::new(bin)
        .args([
            "report",
            "monthly",
            "--month",
            "2026-1",
            "--out",
            "/dev/null",
        ])
        .env("WANI_BARES_DATA_DIR", &dir)
        .output()
        .unwrap();
    assert!(!bad.status.success());
}

#[tokio::test]
async fn the_dashboard_offers_the_report_to_the_regents_office_but_not_to_agencies() {
    on_each_backend!(app => {
        let ticket = app.register_complaint("6281500000010", "Lampu jalan mati di perempatan pasar sejak lama").await;
        app.staff().await;
        let viewer = crate::dashboard::web_login(&app, "bupati").await;
        let (status, html) = viewer.get(&app, "/laporan").await;
        assert_eq!(status, 200);
        assert!(html.contains("form-report"));
        let r = app.http.get(app.url("/laporan/unduh?bulan=2026-11&format=csv")).header("cookie", &viewer.cookie).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains(&ticket));
        let r = app.http.get(app.url("/laporan/unduh?bulan=2026-11&format=pdf")).header("cookie", &viewer.cookie).send().await.unwrap();
        assert_eq!(r.headers()["content-type"], "application/pdf");
        // A stored (scheduled) report is listed and downloadable.
        wani_bares::services::reports::generate_and_store(&app.state, "2026-10", wani_bares_report::Format::Xlsx, "schedule").await.unwrap();
        let (_, html) = viewer.get(&app, "/laporan").await;
        assert!(html.contains("2026-10") && html.contains("otomatis"), "{html}");
        let opd = crate::dashboard::web_login(&app, "pupr").await;
        let (status, _) = opd.get(&app, "/laporan").await;
        assert_eq!(status, 403);
    });
}
