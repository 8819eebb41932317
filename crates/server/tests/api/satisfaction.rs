//! Closing the loop (issue: "Closing the loop with the citizen"): the rating question after
//! the answer, a rating typed as a digit, the reopen path, a rating after 24 hours (the
//! question went out as a template), expiry, and the SKM figures.

use std::time::Duration;

use serde_json::json;
use wani_bares_store::complaints;

use crate::helpers::{Staff, TestApp};
use crate::on_each_backend;

/// Takes a registered complaint through the SOP path to `send_reply`.
async fn close(app: &TestApp, s: &Staff, ticket: &str) {
    app.act(&s.admin, ticket, &json!({"action": "verify"}))
        .await;
    app.act(&s.kabid, ticket, &json!({"action": "forward"}))
        .await;
    app.act(
        &s.kadis,
        ticket,
        &json!({"action": "dispatch", "opds": ["DPUPR"], "note": ""}),
    )
    .await;
    app.act(&s.pupr, ticket, &json!({"action": "answer", "answer": "Sudah diperbaiki.", "follow_up": "Dipantau tiap bulan."})).await;
    app.act(&s.kadis, ticket, &json!({"action": "pass_answer"}))
        .await;
    app.act(&s.kabid, ticket, &json!({"action": "pass_answer"}))
        .await;
    app.act(&s.admin, ticket, &json!({"action": "send_reply"}))
        .await;
    app.settle().await;
}

#[tokio::test]
async fn a_rating_of_five_is_stored_and_thanked_and_shows_in_the_satisfaction_stats() {
    on_each_backend!(app => {
        let citizen = "6281700000001";
        let ticket = app.register_complaint(citizen, "Jalan berlubang di depan pasar sejak sebulan").await;
        let s = app.staff().await;
        close(&app, &s, &ticket).await;
        let sent = app.sent_to(citizen).await;
        let question = sent.iter().find(|m| m.text().contains("nilai")).expect("the rating question");
        assert_eq!(question.kind(), "interactive");
        let replies = app.say(citizen, "5").await;
        assert!(replies.iter().any(|m| m.text().contains("Terima kasih atas penilaian")), "{replies:#?}");
        let replies = app.say(citizen, "Pelayanannya cepat, terima kasih").await;
        assert!(replies.iter().any(|m| m.text().contains("Komentar Anda sudah kami catat")), "{replies:#?}");
        let (_, d) = app.api_get(&s.admin, &format!("/api/v1/complaints/{ticket}")).await;
        assert_eq!(d["ratings"][0]["rating"], 5);
        assert_eq!(d["ratings"][0]["comment"], "Pelayanannya cepat, terima kasih");
        let (code, satisfaction) = app.api_get(&s.viewer, "/api/v1/stats/satisfaction?month=2026-11").await;
        assert_eq!(code, 200);
        assert_eq!(satisfaction["overall"]["respondents"], 1);
        assert_eq!(satisfaction["overall"]["average"], 5.0);
        assert_eq!(satisfaction["overall"]["skm"], 100.0);
        assert_eq!(satisfaction["agencies"][0]["code"], "DPUPR");
        assert_eq!(satisfaction["agencies"][0]["average"], 5.0);
        // One rating per closing: a second digit starts nothing and rates nothing.
        app.say(citizen, "1").await;
        let (_, d) = app.api_get(&s.admin, &format!("/api/v1/complaints/{ticket}")).await;
        assert_eq!(d["ratings"].as_array().unwrap().len(), 1);
        assert_eq!(d["ratings"][0]["rating"], 5);
    });
}

#[tokio::test]
async fn belum_selesai_within_the_period_reopens_the_complaint_with_the_same_tracking_number() {
    on_each_backend!(app => {
        let citizen = "6281700000002";
        let ticket = app.register_complaint(citizen, "Lampu jalan mati di dekat sekolah sejak seminggu").await;
        let s = app.staff().await;
        close(&app, &s, &ticket).await;
        app.clock.advance(Duration::from_hours(48));
        let s = app.tokens().await;
        let replies = app.tap(citizen, "rate:unresolved", "Belum selesai").await;
        assert!(replies.iter().any(|m| m.text().contains(&ticket)), "{replies:#?}");
        let (_, d) = app.api_get(&s.admin, &format!("/api/v1/complaints/{ticket}")).await;
        assert_eq!(d["status"], "submitted");
        assert_eq!(d["reopened_count"], 1);
        assert_eq!(d["ticket"], ticket.as_str());
        assert!(d["history"].as_array().unwrap().iter().any(|h| h["action"] == "reopen"));
        // Its new round goes through the chain again and can be rated again.
        close(&app, &s, &ticket).await;
        let replies = app.say(citizen, "4").await;
        assert!(replies.iter().any(|m| m.text().contains("4/5")), "{replies:#?}");
        let (_, d) = app.api_get(&s.admin, &format!("/api/v1/complaints/{ticket}")).await;
        assert_eq!(d["ratings"].as_array().unwrap().len(), 2);
        assert_eq!(d["ratings"][0]["stage"], "unresolved");
        assert_eq!(d["ratings"][1]["rating"], 4);
    });
}

#[tokio::test]
async fn after_the_period_belum_selesai_asks_for_a_new_complaint_that_links_to_the_old_one() {
    on_each_backend!(app => {
        let citizen = "6281700000003";
        let ticket = app.register_complaint(citizen, "Saluran air tersumbat di depan rumah warga").await;
        let s = app.staff().await;
        close(&app, &s, &ticket).await;
        app.clock.advance(Duration::from_hours(192));
        let s = app.tokens().await;
        let replies = app.say(citizen, "Belum selesai, airnya masih meluap").await;
        assert!(replies.iter().any(|m| m.text().contains("sudah lewat")), "{replies:#?}");
        let (_, d) = app.api_get(&s.admin, &format!("/api/v1/complaints/{ticket}")).await;
        assert_eq!(d["status"], "closed");
        let second = app.register_complaint(citizen, "Saluran air masih tersumbat dan meluap ke jalan").await;
        assert_ne!(second, ticket);
        let (_, d) = app.api_get(&s.admin, &format!("/api/v1/complaints/{second}")).await;
        assert_eq!(d["related_ticket"], ticket.as_str());
    });
}

#[tokio::test]
async fn a_rating_question_outside_the_window_goes_as_a_template_and_a_late_answer_still_counts() {
    on_each_backend!(app => {
        let citizen = "6281700000004";
        let ticket = app.register_complaint(citizen, "Pohon tumbang menutup jalan desa sejak kemarin").await;
        let s = app.staff().await;
        // The agencies take two days: the citizen's 24-hour window has closed.
        app.act(&s.admin, &ticket, &json!({"action": "verify"})).await;
        app.act(&s.kabid, &ticket, &json!({"action": "forward"})).await;
        app.act(&s.kadis, &ticket, &json!({"action": "dispatch", "opds": ["DPUPR"], "note": ""})).await;
        app.clock.advance(Duration::from_hours(48));
        let s = app.tokens().await;
        app.act(&s.pupr, &ticket, &json!({"action": "answer", "answer": "Pohon sudah dipotong.", "follow_up": "Jalan dibuka."})).await;
        app.act(&s.kadis, &ticket, &json!({"action": "pass_answer"})).await;
        app.act(&s.kabid, &ticket, &json!({"action": "pass_answer"})).await;
        let before = app.sent_to(citizen).await.len();
        app.act(&s.admin, &ticket, &json!({"action": "send_reply"})).await;
        app.settle().await;
        let new: Vec<_> = app.sent_to(citizen).await.split_off(before);
        assert!(new.len() >= 2, "{new:#?}");
        assert!(new.iter().all(|m| m.kind() == "template"), "outside the window everything is a template: {new:#?}");
        // The citizen answers a day later (their message reopens the window).
        app.clock.advance(Duration::from_hours(24));
        let s = app.tokens().await;
        let replies = app.say(citizen, "3").await;
        assert!(replies.iter().any(|m| m.text().contains("3/5")), "{replies:#?}");
        let (_, d) = app.api_get(&s.admin, &format!("/api/v1/complaints/{ticket}")).await;
        assert_eq!(d["ratings"][0]["rating"], 3);
    });
}

#[tokio::test]
async fn an_unanswered_rating_question_expires_and_is_never_counted_as_satisfied() {
    on_each_backend!(app => {
        let citizen = "6281700000005";
        let ticket = app.register_complaint(citizen, "Parkir liar di depan puskesmas setiap pagi").await;
        let s = app.staff().await;
        close(&app, &s, &ticket).await;
        app.clock.advance(Duration::from_hours(192));
        let s = app.tokens().await;
        wani_bares::timers::run_once(&app.state).await.unwrap();
        let (_, d) = app.api_get(&s.admin, &format!("/api/v1/complaints/{ticket}")).await;
        assert_eq!(d["ratings"][0]["stage"], "expired");
        let (_, stats) = app.api_get(&s.viewer, "/api/v1/stats/satisfaction?month=2026-11").await;
        assert_eq!(stats["overall"]["respondents"], 0);
        assert_eq!(stats["overall"]["no_response"], 1);
        let mut r = app.state.store.reader().await.unwrap();
        assert_eq!(complaints::by_ticket(&mut r.conn(), &ticket).await.unwrap().unwrap().status, "closed");
    });
}
