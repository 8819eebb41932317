//! Deadlines (issue: "Deadlines"): reminders and escalation exactly once, on the office
//! calendar, with a controllable clock; abandoned intake drafts get one reminder.

use std::time::Duration;

use serde_json::json;
use wani_bares_store::notifications;

use crate::on_each_backend;

#[tokio::test]
async fn a_breached_opd_step_gives_one_reminder_and_one_escalation_even_when_the_job_runs_twice() {
    on_each_backend!(app => {
        let ticket = app.register_complaint("6281800000001", "Jalan rusak parah di depan SDN 1 sejak sebulan").await;
        let s = app.staff().await;
        app.act(&s.admin, &ticket, &json!({"action": "verify"})).await;
        app.act(&s.kabid, &ticket, &json!({"action": "forward"})).await;
        app.act(&s.kadis, &ticket, &json!({"action": "dispatch", "opds": ["DPUPR"], "note": ""})).await;
        let (_, d) = app.api_get(&s.pupr, &format!("/api/v1/complaints/{ticket}")).await;
        assert_eq!(d["deadline"]["step"], "opd_answer");
        assert_eq!(d["deadline"]["badge"], "on_time");
        // Dispatched on Wednesday 4 November 09:00 WIB: due three working days later,
        // Monday 9 November 09:00 WIB. A week later it is breached.
        // (The test clock runs on from 09:00, so allow the seconds the test took.)
        let due = d["deadline"]["due_at"].as_i64().unwrap();
        let monday_nine = jiff::Timestamp::from_second(1_794_189_600).unwrap().as_millisecond();
        assert!((due - monday_nine).abs() < 60_000, "due {due}, expected about {monday_nine}");
        app.clock.advance(Duration::from_hours(168));
        let s = app.tokens().await;
        for _ in 0..2 {
            wani_bares::timers::deadlines(&app.state).await.unwrap();
        }
        let (_, d) = app.api_get(&s.pupr, &format!("/api/v1/complaints/{ticket}")).await;
        assert_eq!(d["deadline"]["badge"], "late");
        let mut r = app.state.store.reader().await.unwrap();
        let opd = notifications::for_user(&mut r.conn(), 0, "opd", Some(pupr_id(&app).await), 0, 100).await.unwrap();
        let reminders: Vec<_> = opd.iter().filter(|n| n.kind == "reminder" && n.ticket.as_deref() == Some(ticket.as_str())).collect();
        assert_eq!(reminders.len(), 1, "one reminder for the agency: {reminders:#?}");
        assert!(reminders[0].text.starts_with("Terlambat"), "{}", reminders[0].text);
        let kadis = notifications::for_user(&mut r.conn(), 0, "kadis", None, 0, 100).await.unwrap();
        let escalations: Vec<_> = kadis.iter().filter(|n| n.kind == "escalation" && n.ticket.as_deref() == Some(ticket.as_str())).collect();
        assert_eq!(escalations.len(), 1, "one escalation to Kadis: {escalations:#?}");
        // A third run later still sends nothing new.
        drop(r);
        app.clock.advance(Duration::from_hours(24));
        wani_bares::timers::deadlines(&app.state).await.unwrap();
        let mut r = app.state.store.reader().await.unwrap();
        let opd = notifications::for_user(&mut r.conn(), 0, "opd", Some(pupr_id(&app).await), 0, 100).await.unwrap();
        assert_eq!(opd.iter().filter(|n| n.kind == "reminder").count(), 1);
    });
}

async fn pupr_id(app: &crate::helpers::TestApp) -> i64 {
    let mut r = app.state.store.reader().await.unwrap();
    wani_bares_store::agencies::by_code(&mut r.conn(), "DPUPR")
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test]
async fn reminders_come_at_half_and_four_fifths_of_the_time_then_the_deadline() {
    on_each_backend!(app => {
        let ticket = app.register_complaint("6281800000002", "Lampu jalan mati sejak tiga hari di depan masjid").await;
        let s = app.staff().await;
        // Verification: 5 office minutes from 09:00 → reminders at 09:02:30, 09:04, 09:05.
        app.clock.advance(Duration::from_secs(150));
        wani_bares::timers::deadlines(&app.state).await.unwrap();
        app.clock.advance(Duration::from_secs(90));
        wani_bares::timers::deadlines(&app.state).await.unwrap();
        app.clock.advance(Duration::from_mins(2));
        wani_bares::timers::deadlines(&app.state).await.unwrap();
        wani_bares::timers::deadlines(&app.state).await.unwrap();
        let mut r = app.state.store.reader().await.unwrap();
        let admin = notifications::for_user(&mut r.conn(), 0, "admin", None, 0, 100).await.unwrap();
        let mine: Vec<&str> = admin.iter().filter(|n| n.kind == "reminder" && n.ticket.as_deref() == Some(ticket.as_str())).map(|n| n.text.as_str()).collect();
        assert_eq!(mine.len(), 3, "{mine:#?}");
        let kabid = notifications::for_user(&mut r.conn(), 0, "kabid", None, 0, 100).await.unwrap();
        assert_eq!(kabid.iter().filter(|n| n.kind == "escalation").count(), 1, "the admin's breach goes to Kabid");
        drop(r);
        let _ = s;
    });
}

#[tokio::test]
async fn an_abandoned_draft_gets_one_reminder_then_expires() {
    on_each_backend!(app => {
        let citizen = "6281800000003";
        app.say(citizen, "Jalan di desa saya rusak parah sejak bulan lalu").await;
        let before = app.sent_to(citizen).await.len();
        app.clock.advance(Duration::from_mins(1381));
        for _ in 0..2 {
            wani_bares::timers::drafts(&app.state).await.unwrap();
        }
        app.settle().await;
        let sent = app.sent_to(citizen).await;
        assert_eq!(sent.len(), before + 1, "one reminder: {sent:#?}");
        assert_eq!(sent.last().unwrap().kind(), "text", "inside the 24-hour window: a normal message");
        app.clock.advance(Duration::from_hours(50));
        wani_bares::timers::drafts(&app.state).await.unwrap();
        app.settle().await;
        assert_eq!(app.sent_to(citizen).await.len(), before + 1, "expiry is silent");
        let replies = app.say(citizen, "halo").await;
        assert!(!replies.is_empty());
    });
}
