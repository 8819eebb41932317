//! The SOP workflow through the JSON API (issue: "The SOP workflow").

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::Backend;
use crate::on_each_backend;

#[tokio::test]
async fn the_full_sop_path_ends_with_the_agency_answer_on_the_citizens_whatsapp() {
    on_each_backend!(app => {
        let citizen = "6281400000001";
        let ticket = app.register_complaint(citizen, "Jalan desa rusak parah sejak tiga bulan di depan balai desa").await;
        let s = app.staff().await;

        let (status, list) = app.api_get(&s.admin, "/api/v1/complaints?status=submitted").await;
        assert_eq!(status, 200);
        assert!(list["items"].as_array().unwrap().iter().any(|i| i["ticket"] == ticket));

        let d = app.act(&s.admin, &ticket, &json!({"action": "verify"})).await;
        assert_eq!(d["status"], "at_kabid");
        let d = app.act(&s.kabid, &ticket, &json!({"action": "forward"})).await;
        assert_eq!(d["status"], "at_kadis");
        let d = app.act(&s.kadis, &ticket, &json!({"action": "dispatch", "opds": ["DPUPR"], "note": "Mohon segera ditinjau"})).await;
        assert_eq!(d["status"], "dispatched");
        assert_eq!(d["assignments"][0]["opd"], "DPUPR");

        let (status, opd_view) = app.api_get(&s.pupr, &format!("/api/v1/complaints/{ticket}")).await;
        assert_eq!(status, 200);
        let d = app.act(&s.pupr, &ticket, &json!({"action": "answer", "answer": "Jalan akan diperbaiki oleh tim UPT Jalan.", "follow_up": "Penambalan dijadwalkan 10 Desember 2026."})).await;
        assert_eq!(d["status"], "answer_at_kadis");
        let d = app.act(&s.kadis, &ticket, &json!({"action": "pass_answer"})).await;
        assert_eq!(d["status"], "answer_at_kabid");
        let d = app.act(&s.kabid, &ticket, &json!({"action": "pass_answer"})).await;
        assert_eq!(d["status"], "answer_at_admin");
        let d = app.act(&s.admin, &ticket, &json!({"action": "send_reply"})).await;
        assert_eq!(d["status"], "closed");

        app.settle().await;
        let sent = app.sent_to(citizen).await;
        let answer = sent.iter().find(|m| m.text().contains("Jalan akan diperbaiki")).expect("the answer reached the citizen");
        assert!(answer.text().contains("Penambalan dijadwalkan"), "{}", answer.text());
        assert!(answer.text().contains(&ticket));

        // The OPD's view carries no full NIK, no phone, no KTP.
        let text = opd_view.to_string();
        assert!(!text.contains("3520014108900001"), "{text}");
        assert!(!text.contains(citizen));
        assert!(!text.contains("Siti Aminah"), "the complainant's name stays with Kominfo: {text}");
        assert_eq!(opd_view["identity"]["confidential"], true);
        assert!(opd_view["attachments"].as_array().unwrap().iter().all(|a| a["role"] != "ktp"));

        // History, deadlines and the audit chain.
        let (_, d) = app.api_get(&s.admin, &format!("/api/v1/complaints/{ticket}")).await;
        let actions: Vec<&str> = d["history"].as_array().unwrap().iter().filter_map(|h| h["action"].as_str()).collect();
        assert_eq!(actions, ["submitted", "verify", "forward", "dispatch", "answer", "pass_answer", "pass_answer", "send_reply"]);
        let steps: Vec<&str> = d["steps"].as_array().unwrap().iter().filter_map(|h| h["step"].as_str()).collect();
        for step in ["first_reply", "verification", "forward", "opd_answer", "answer_return", "reply"] {
            assert!(steps.contains(&step), "{step} in {steps:?}");
        }
        assert!(d["steps"].as_array().unwrap().iter().all(|s| !s["done_at"].is_null()), "{}", d["steps"]);
        let mut r = app.state.store.reader().await.unwrap();
        assert!(matches!(wani_bares_store::audit::verify(&mut r.conn()).await.unwrap(), wani_bares_store::audit::Verification::Intact(_)));
    });
}

#[tokio::test]
async fn roles_agencies_and_states_are_enforced() {
    on_each_backend!(app => {
        let ticket = app.register_complaint("6281400000002", "Lampu penerangan jalan mati total di Jalan Raya Maospati").await;
        let s = app.staff().await;
        // An agency that was not dispatched sees nothing, not even that it exists.
        let (status, _) = app.api_get(&s.pupr, &format!("/api/v1/complaints/{ticket}")).await;
        assert_eq!(status, 404);
        let (status, _) = app.api_get(&s.pupr, "/api/v1/complaints/WB-209901-9999").await;
        assert_eq!(status, 404);
        let (_, list) = app.api_get(&s.pupr, "/api/v1/complaints").await;
        assert!(list["items"].as_array().unwrap().is_empty());
        // Verify by kadis: forbidden in any state.
        let (status, body) = app.api_post(&s.kadis, &format!("/api/v1/complaints/{ticket}/actions"), &json!({"action": "verify"})).await;
        assert_eq!(status, 403, "{body}");
        // A viewer reads but never acts.
        let (status, _) = app.api_get(&s.viewer, &format!("/api/v1/complaints/{ticket}")).await;
        assert_eq!(status, 200);
        let (status, _) = app.api_post(&s.viewer, &format!("/api/v1/complaints/{ticket}/actions"), &json!({"action": "verify"})).await;
        assert_eq!(status, 403);
        // Malformed and unknown actions.
        let (status, _) = app.api_post(&s.admin, &format!("/api/v1/complaints/{ticket}/actions"), &json!({"action": "teleport"})).await;
        assert_eq!(status, 422);
        let (status, _) = app.api_post(&s.admin, &format!("/api/v1/complaints/{ticket}/actions"), &json!({"action": "reject", "reason": "   "})).await;
        assert_eq!(status, 422);

        app.act(&s.admin, &ticket, &json!({"action": "verify"})).await;
        app.act(&s.kabid, &ticket, &json!({"action": "forward"})).await;
        app.act(&s.kadis, &ticket, &json!({"action": "dispatch", "opds": ["DPUPR"], "note": ""})).await;
        // The other agency cannot answer it.
        let (status, _) = app.api_post(&s.dinkes, &format!("/api/v1/complaints/{ticket}/actions"), &json!({"action": "answer", "answer": "x", "follow_up": "y"})).await;
        assert_eq!(status, 404);
        app.act(&s.pupr, &ticket, &json!({"action": "answer", "answer": "Sudah diganti lampunya.", "follow_up": "Pemeriksaan rutin tiap bulan."})).await;
        app.act(&s.kadis, &ticket, &json!({"action": "pass_answer"})).await;
        app.act(&s.kabid, &ticket, &json!({"action": "pass_answer"})).await;
        app.act(&s.admin, &ticket, &json!({"action": "send_reply", "text": "Lampu sudah diganti. Terima kasih."})).await;
        // Dispatch on a closed complaint: the role may dispatch, the state forbids it.
        let (status, body) = app.api_post(&s.kadis, &format!("/api/v1/complaints/{ticket}/actions"), &json!({"action": "dispatch", "opds": ["DINKES"]})).await;
        assert_eq!(status, 409, "{body}");
        // Without a token: 401.
        let r = app.http.get(app.url("/api/v1/complaints")).send().await.unwrap();
        assert_eq!(r.status(), 401);
        let r = app.http.get(app.url("/api/v1/complaints")).bearer_auth("forged-token").send().await.unwrap();
        assert_eq!(r.status(), 401);
    });
}

#[tokio::test]
async fn completion_requests_reach_the_citizen_and_their_answer_brings_the_complaint_back() {
    on_each_backend!(app => {
        let citizen = "6281400000003";
        let ticket = app.register_complaint(citizen, "Sampah menumpuk di pinggir jalan desa sejak seminggu").await;
        let s = app.staff().await;
        let d = app.act(&s.admin, &ticket, &json!({"action": "request_completion", "message": "Mohon kirim foto lokasi tumpukan sampah."})).await;
        assert_eq!(d["status"], "incomplete");
        app.settle().await;
        assert!(app.sent_to(citizen).await.iter().any(|m| m.text().contains("Mohon kirim foto lokasi")));
        let replies = app.send_image(citizen, "media-lokasi-1").await;
        assert!(replies.iter().any(|m| m.text().contains(&ticket)), "{replies:#?}");
        let (_, d) = app.api_get(&s.admin, &format!("/api/v1/complaints/{ticket}")).await;
        assert_eq!(d["status"], "submitted");
        assert!(d["attachments"].as_array().unwrap().iter().filter(|a| a["role"] == "evidence").count() >= 1);
        // Rejection (here by the superadmin, who may do everything) tells the citizen why.
        app.act(&s.superadmin, &ticket, &json!({"action": "reject", "reason": "Lokasi berada di luar wilayah Kabupaten Magetan."})).await;
        app.settle().await;
        assert!(app.sent_to(citizen).await.iter().any(|m| m.text().contains("luar wilayah")));
    });
}

#[tokio::test]
async fn identity_is_revealed_only_with_a_reason_and_each_view_is_audited() {
    on_each_backend!(app => {
        let ticket = app.register_complaint("6281400000004", "Pungutan liar di loket pelayanan kecamatan").await;
        let s = app.staff().await;
        let (_, d) = app.api_get(&s.admin, &format!("/api/v1/complaints/{ticket}")).await;
        assert_eq!(d["identity"]["revealed"], false);
        assert!(!d.to_string().contains("3520014108900001"));
        let (status, _) = app.api_post(&s.admin, &format!("/api/v1/complaints/{ticket}/identity"), &json!({"reason": ""})).await;
        assert_eq!(status, 422);
        let (status, v) = app.api_post(&s.admin, &format!("/api/v1/complaints/{ticket}/identity"), &json!({"reason": "verifikasi data pelapor"})).await;
        assert_eq!(status, 200);
        assert_eq!(v["identity"]["nik"], "3520014108900001");
        let ktp = v["identity"]["ktp_attachment_id"].as_i64().unwrap();
        // The KTP photo needs a reason too.
        let r = app.http.get(app.url(&format!("/api/v1/attachments/{ktp}"))).bearer_auth(&s.admin).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        let bytes = loop {
            let r = app.http.get(app.url(&format!("/api/v1/attachments/{ktp}?reason=cek%20foto%20KTP"))).bearer_auth(&s.admin).send().await.unwrap();
            if r.status() == 200 { break r.bytes().await.unwrap(); }
            assert!(std::time::Instant::now() < deadline, "KTP photo not downloaded: {}", r.status());
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert_eq!(bytes.as_ref(), crate::helpers::media_bytes("media-6281400000004").as_slice());
        let (_, d) = app.api_get(&s.admin, &format!("/api/v1/complaints/{ticket}")).await;
        let views = d["history"].as_array().unwrap().iter().filter(|h| h["action"] == "view_identity").count();
        assert!(views >= 2, "the identity view and the KTP view are audited: {views}");
        let (status, _) = app.api_post(&s.pupr, &format!("/api/v1/complaints/{ticket}/identity"), &json!({"reason": "ingin tahu siapa"})).await;
        assert_eq!(status, 404);
    });
}

#[tokio::test]
async fn logins_fail_safely_and_lock_after_repeated_failures() {
    on_each_backend!(app => {
        app.add_user("admin", "admin", None).await;
        let bad = |pw: &'static str| {
            let http = app.http.clone();
            let url = app.url("/api/v1/auth/login");
            async move { http.post(url).json(&json!({"username": "admin", "password": pw})).send().await.unwrap().status().as_u16() }
        };
        assert_eq!(bad("salah").await, 401);
        let r = app.http.post(app.url("/api/v1/auth/login")).json(&json!({"username": "nobody", "password": "x"})).send().await.unwrap();
        assert_eq!(r.status(), 401);
        for _ in 0..5 {
            bad("salah-lagi").await;
        }
        let r = app.http.post(app.url("/api/v1/auth/login")).json(&json!({"username": "admin", "password": crate::helpers::password_of("admin")})).send().await.unwrap();
        assert_eq!(r.status(), 401, "locked even with the right password");
        let token = {
            app.clock.advance(Duration::from_mins(16));
            app.login("admin").await
        };
        let (status, me) = app.api_get(&token, "/api/v1/me").await;
        assert_eq!((status, me["role"].clone()), (200, Value::from("admin")));
        let r = app.http.post(app.url("/api/v1/auth/logout")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(r.status(), 204);
        let (status, _) = app.api_get(&token, "/api/v1/me").await;
        assert_eq!(status, 401, "a revoked token no longer works");
    });
}

#[tokio::test]
async fn the_agencies_and_the_openapi_document_are_served() {
    on_each_backend!(app => {
        let s = app.staff().await;
        let (status, opds) = app.api_get(&s.viewer, "/api/v1/opds").await;
        assert_eq!(status, 200);
        let opds = opds.as_array().unwrap();
        assert!(opds.len() >= 49);
        assert!(opds.iter().all(|o| o["code"].is_string() && o["name"].is_string()));
        let r = app.http.get(app.url("/api/v1/openapi.json")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let doc: Value = r.json().await.unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        for path in ["/api/v1/auth/login", "/api/v1/opds", "/api/v1/complaints", "/api/v1/complaints/{ticket}", "/api/v1/complaints/{ticket}/actions", "/api/v1/stats/satisfaction"] {
            assert!(doc["paths"][path].is_object(), "{path}");
        }
    });
}

#[tokio::test]
async fn audit_verify_passes_and_fails_once_a_row_is_edited() {
    let app = crate::helpers::spawn(crate::helpers::Options::on(Backend::Sqlite)).await;
    app.register_complaint(
        "6281400000005",
        "Jembatan kayu di dusun hampir roboh, berbahaya bagi anak sekolah",
    )
    .await;
    let dir = app.dir.path().to_path_buf();
    app.state.shutdown.cancel();
    tokio::time::sleep(Duration::from_millis(100)).await;
    app.state.store.close().await;
    let bin = env!("CARGO_BIN_EXE_wani-bares");
    let run = || {
        std::process::Command::new(bin)
            .args(["audit", "verify"])
            .env("WANI_BARES_DATA_DIR", &dir)
            .output()
            .unwrap()
    };
    let ok = run();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let db = format!("sqlite://{}", dir.join("wani-bares.db").display());
    let pool = sqlx::SqlitePool::connect(&db).await.unwrap();
    sqlx::query("UPDATE audit_events SET actor = 'user:mallory' WHERE seq = 1")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let broken = run();
    assert!(!broken.status.success());
    let err = String::from_utf8_lossy(&broken.stderr);
    assert!(err.contains("event 1"), "{err}");
}
