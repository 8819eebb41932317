//! Citizen intake through signed webhooks and the fake Graph API (issue: "Citizen intake").

use regex_lite::Regex;
use wani_bares_store::{attachments, complaints};

use crate::on_each_backend;

const NIK: &str = "3520014108900001";

fn ticket_in(text: &str) -> Option<String> {
    Regex::new(r"WB-\d{6}-\d{4,}")
        .unwrap()
        .find(text)
        .map(|m| m.as_str().to_owned())
}

#[tokio::test]
async fn a_first_message_describing_a_problem_gets_one_reply_asking_for_nik_and_ktp() {
    on_each_backend!(app => {
        let replies = app.say("6281300000001", "Jalan di desa saya rusak parah").await;
        assert_eq!(replies.len(), 1, "{replies:#?}");
        let text = replies[0].text();
        assert!(text.contains("NIK"), "{text}");
        assert!(text.contains("KTP"), "{text}");
    });
}

#[tokio::test]
async fn the_one_shot_form_then_an_image_then_ya_registers_a_complaint() {
    on_each_backend!(app => {
        let from = "6281300000002";
        let form = format!("Nama: Siti Aminah\nNIK: {NIK}\nAlamat: Desa Sidomukti RT 03 RW 05, Kec. Plaosan\nAduan: Jalan desa rusak parah sejak tiga bulan, banyak lubang besar di depan balai desa");
        let first = app.say(from, &form).await;
        assert_eq!(first.len(), 1);
        assert!(first[0].text().contains("KTP"), "{}", first[0].text());
        let after_image = app.send_image(from, "media-ktp-2").await;
        assert_eq!(after_image.len(), 1, "{after_image:#?}");
        assert_eq!(after_image[0].kind(), "interactive", "a summary with buttons");
        let confirmed = app.say(from, "YA").await;
        let ticket = confirmed.iter().find_map(|s| ticket_in(&s.text())).expect("a tracking number");
        let mut r = app.state.store.reader().await.unwrap();
        let c = complaints::by_ticket(&mut r.conn(), &ticket).await.unwrap().unwrap();
        assert_eq!(c.status, "submitted");
        assert_eq!(c.kind, "aduan");
        let identity: serde_json::Value = serde_json::from_str(c.identity_json.as_deref().unwrap()).unwrap();
        assert_eq!(identity["nama"], "Siti Aminah");
        assert_eq!(identity["nik"], NIK);
        assert!(identity["alamat"].as_str().unwrap().contains("Sidomukti"));
        assert!(c.text.contains("Jalan desa rusak parah"));
        assert_eq!(c.district_name.as_deref(), Some("Plaosan"));
        let ktp = attachments::by_id(&mut r.conn(), c.ktp_attachment_id.unwrap()).await.unwrap().unwrap();
        assert_eq!(ktp.role, "ktp");
        assert_eq!(ktp.complaint_id, Some(c.id));
        assert!(ticket.starts_with("WB-202611-"), "{ticket}");
    });
}

#[tokio::test]
async fn an_invalid_nik_is_explained_and_confirming_registers_nothing() {
    on_each_backend!(app => {
        let from = "6281300000003";
        let form = "Nama: Budi\nNIK: 1234\nAlamat: Desa Bendo RT 01\nAduan: Lampu jalan mati sejak seminggu di depan pasar";
        let replies = app.say(from, form).await;
        assert_eq!(replies.len(), 1);
        assert!(replies[0].text().contains("NIK"), "{}", replies[0].text());
        let after = app.say(from, "YA").await;
        assert!(after.iter().all(|s| ticket_in(&s.text()).is_none()), "{after:#?}");
        let mut r = app.state.store.reader().await.unwrap();
        let list = complaints::list(&mut r.conn(), &complaints::ListFilter { limit: 10, ..Default::default() }).await.unwrap();
        assert!(list.is_empty());
    });
}

#[tokio::test]
async fn answering_one_question_at_a_time_ends_in_a_tracking_number_and_status_finds_it() {
    on_each_backend!(app => {
        let from = "6281300000004";
        app.say(from, "halo").await;
        app.say(from, "Siti Rahayu").await;
        app.say(from, NIK).await;
        app.say(from, "Dusun Krajan RT 02 RW 01, Desa Plaosan").await;
        app.say(from, "Saluran air tersumbat di depan SDN 1 sejak dua minggu, air meluap ke jalan").await;
        let summary = app.send_image(from, "media-ktp-3").await;
        assert_eq!(summary.len(), 1);
        let done = app.tap(from, "intake_kirim", "Kirim").await;
        let ticket = done.iter().find_map(|s| ticket_in(&s.text())).expect("a tracking number");
        let status = app.say(from, &format!("STATUS {ticket}")).await;
        assert_eq!(status.len(), 1);
        assert!(status[0].text().contains(&ticket), "{}", status[0].text());
        let all = app.say(from, "STATUS").await;
        assert!(all[0].text().contains(&ticket));
    });
}
