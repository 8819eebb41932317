//! The intake conversation, scenario by scenario, through the public API only: the
//! acceptance scenarios of the issue, every command, media, consent, timers and old JSON.

#![allow(
    clippy::unwrap_used,
    reason = "helpers outside #[test] unwrap too; a failure is a failed test"
)]

use jiff::{SignedDuration, Timestamp};
use wani_bares_domain::intake::{
    AttachmentRef, Command, Consent, ConversationState, Draft, Field, Inbound, IntakeConfig,
    IntakeContext, Kind, MAX_EVIDENCE, MediaKind, Outcome, Phase, Reply, SavedIdentity, StatusLine,
    handle, on_timer, registered_reply, status_reply,
};
use wani_bares_domain::nik::Nik;
use wani_bares_domain::texts::TextKey;
use wani_bares_domain::ticket::Ticket;

const NIK_MAGETAN: &str = "3520061708900001";
const NIK_SURABAYA: &str = "3578064508900002";
const FORM: &str = "Nama: Budi Santoso\nNIK: 3520 0617 0890 0001\n\
                    Alamat: Dusun Krajan RT 01 RW 02, Desa Bendo\n\
                    Aduan: Jalan di depan balai desa rusak parah sejak Januari.\n\
                    Banyak pengendara jatuh.";

fn start() -> Timestamp {
    "2026-11-05T02:00:00Z".parse().unwrap()
}

fn ticket(seq: u32) -> Ticket {
    Ticket::new(2026, 11, seq).unwrap()
}

/// One citizen's conversation: feeds messages through `handle` and checks the invariants
/// after each.
struct Chat {
    state: ConversationState,
    ctx: IntakeContext,
}

impl Chat {
    fn new() -> Chat {
        Chat {
            state: ConversationState::default(),
            ctx: IntakeContext::new(start()),
        }
    }

    fn send(&mut self, input: &Inbound) -> Outcome {
        let out = handle(&self.state, input, &self.ctx);
        assert_eq!(
            out.state.invariant_violation(),
            None,
            "{input:?} → {out:#?}"
        );
        assert!(out.replies.len() <= 3, "{out:#?}");
        for reply in &out.replies {
            assert_eq!(reply.limit_violation(), None, "{reply:#?}");
        }
        let json = serde_json::to_string(&out.state).unwrap();
        assert_eq!(
            serde_json::from_str::<ConversationState>(&json).unwrap(),
            out.state
        );
        self.state = out.state.clone();
        out
    }

    fn text(&mut self, text: &str) -> Outcome {
        self.send(&Inbound::Text(text.to_owned()))
    }

    fn tap(&mut self, id: &str) -> Outcome {
        self.send(&Inbound::Button {
            id: id.to_owned(),
            title: String::new(),
        })
    }

    fn image(&mut self, id: i64, caption: Option<&str>) -> Outcome {
        self.send(&Inbound::Media {
            kind: MediaKind::Image,
            attachment: AttachmentRef(id),
            caption: caption.map(str::to_owned),
        })
    }

    fn draft(&self) -> &Draft {
        self.state.draft().unwrap()
    }

    fn asking(&self) -> Option<Field> {
        match &self.state.phase {
            Phase::Asking { field, .. } => Some(*field),
            _ => None,
        }
    }

    fn is_confirming(&self) -> bool {
        matches!(self.state.phase, Phase::Confirming { .. })
    }

    /// A chat whose draft is complete and waiting for confirmation.
    fn confirming() -> Chat {
        let mut chat = Chat::new();
        chat.text(FORM);
        chat.image(1, None);
        assert!(chat.is_confirming());
        chat
    }
}

fn texts(out: &Outcome) -> Vec<String> {
    out.replies.iter().map(Reply::render_default).collect()
}

fn keys(out: &Outcome) -> Vec<Vec<TextKey>> {
    out.replies.iter().map(Reply::keys).collect()
}

fn registered(out: &Outcome) -> Option<(&Draft, TextKey)> {
    out.commands.iter().find_map(|c| match c {
        Command::Register { draft, reply } => Some((draft, *reply)),
        _ => None,
    })
}

fn saved_identity() -> SavedIdentity {
    SavedIdentity {
        nama: "Siti Aminah".to_owned(),
        nik: Nik::parse("3520015708900002").unwrap(),
        alamat: "Desa Sukomoro RT 02 RW 01".to_owned(),
        ktp: Some(AttachmentRef(77)),
    }
}

// ---- The issue's acceptance scenarios ------------------------------------------------

#[test]
fn a_complaint_from_a_new_number_gets_exactly_one_reply_asking_for_the_nik_and_the_ktp() {
    let mut chat = Chat::new();
    let out = chat.text("Jalan di desa saya rusak parah");
    assert_eq!(out.replies.len(), 1);
    assert_eq!(
        keys(&out)[0],
        vec![TextKey::IntakeGreetingWithAduan, TextKey::IntakeAskNama]
    );
    let text = &texts(&out)[0];
    assert!(text.contains("Wani Bares") && text.contains("NIK") && text.contains("KTP"));
    assert!(text.contains("Nama: ..."), "shows the one-shot form");
    assert_eq!(
        chat.draft().aduan.as_deref(),
        Some("Jalan di desa saya rusak parah")
    );
    assert_eq!(chat.asking(), Some(Field::Nama));
    assert!(out.commands.is_empty());
}

#[test]
fn a_greeting_gets_the_full_greeting_and_the_first_question() {
    for first in ["halo", "Assalamu'alaikum", "selamat pagi min", "P", "🙏"] {
        let mut chat = Chat::new();
        let out = chat.text(first);
        assert_eq!(
            keys(&out),
            vec![vec![TextKey::IntakeGreeting, TextKey::IntakeAskNama]],
            "{first:?}"
        );
        let text = &texts(&out)[0];
        for needed in [
            "Nama lengkap",
            "NIK",
            "Alamat",
            "Isi aduan",
            "sejak kapan",
            "Foto KTP",
            "TANYA",
        ] {
            assert!(text.contains(needed), "{first:?} lacks {needed:?}");
        }
        assert_eq!(chat.draft().aduan, None, "{first:?}");
    }
}

#[test]
fn the_one_shot_form_then_an_image_then_ya_registers_with_a_tracking_number() {
    let mut chat = Chat::new();
    let out = chat.text(FORM);
    assert_eq!(
        keys(&out),
        vec![vec![
            TextKey::IntakeGreetingWithForm,
            TextKey::IntakeAskFotoKtp
        ]]
    );
    assert_eq!(chat.asking(), Some(Field::FotoKtp));

    let out = chat.image(10, Some("ini ktp saya"));
    assert!(chat.is_confirming());
    assert_eq!(chat.draft().ktp, Some(AttachmentRef(10)));
    assert!(
        chat.draft().evidence.is_empty(),
        "the KTP caption is not evidence"
    );
    let summary = &out.replies[0];
    assert_eq!(
        summary.keys(),
        vec![TextKey::IntakeKtpReceived, TextKey::IntakeSummary]
    );
    let titles: Vec<&str> = summary.buttons.iter().map(|b| b.title.as_str()).collect();
    assert_eq!(titles, ["Kirim", "Ubah", "Batal"]);
    let text = summary.render_default();
    assert!(text.contains("Budi Santoso") && text.contains("352006********01"));
    assert!(!text.contains(NIK_MAGETAN), "the summary masks the NIK");

    let out = chat.text("YA");
    let (draft, reply) = registered(&out).unwrap();
    assert!(draft.is_complete());
    assert_eq!(draft.nik.as_ref().unwrap().as_str(), NIK_MAGETAN);
    assert_eq!(reply, TextKey::IntakeRegistered);
    let confirmation = registered_reply(reply, &ticket(7)).render_default();
    assert!(confirmation.contains("WB-202611-0007") && confirmation.contains("Selanjutnya"));
    // The consent question follows the server's registration message.
    assert_eq!(keys(&out), vec![vec![TextKey::ConsentQuestion]]);
    assert!(matches!(chat.state.phase, Phase::AskingConsent { .. }));
}

#[test]
fn a_form_with_a_short_nik_is_explained_and_ya_registers_nothing() {
    let mut chat = Chat::new();
    let out = chat.text(&FORM.replace("3520 0617 0890 0001", "1234"));
    assert_eq!(out.replies.len(), 1);
    assert_eq!(
        keys(&out)[0],
        vec![TextKey::IntakeGreetingWithForm, TextKey::IntakeNikInvalid]
    );
    assert!(texts(&out)[0].contains("NIK harus terdiri dari 16 angka; yang Anda kirim 4 angka."));
    assert_eq!(chat.asking(), Some(Field::Nik));
    assert_eq!(chat.draft().nik, None);

    let out = chat.text("YA");
    assert_eq!(registered(&out), None);
    assert!(out.commands.is_empty());
    assert_eq!(
        keys(&out),
        vec![vec![TextKey::IntakeNotComplete, TextKey::IntakeAskNik]]
    );
    let out = chat.tap("intake_kirim");
    assert_eq!(registered(&out), None);
}

#[test]
fn status_with_a_ticket_is_answered_with_that_ticket() {
    let mut chat = Chat::new();
    let out = chat.text("STATUS WB-202611-0007");
    assert_eq!(
        out.commands,
        vec![Command::Status {
            ticket: Some(ticket(7))
        }]
    );
    assert!(
        out.replies.is_empty(),
        "the server answers from the database"
    );
    let line = StatusLine {
        ticket: ticket(7),
        step: TextKey::StatusStepDispatched.default_text().to_owned(),
        since: "5 November 2026".to_owned(),
    };
    let answer = status_reply(Some(&ticket(7)), &[line]).render_default();
    assert!(answer.contains("WB-202611-0007") && answer.contains("perangkat daerah"));
}

#[test]
fn answering_the_questions_one_at_a_time_ends_in_registration() {
    let mut chat = Chat::new();
    chat.text("halo");
    let steps: [(&str, Option<Field>, TextKey); 4] = [
        ("Budi Santoso", Some(Field::Nik), TextKey::IntakeAskNik),
        (
            "3520 0617 0890 0001",
            Some(Field::Alamat),
            TextKey::IntakeAskAlamat,
        ),
        (
            "Dusun Krajan RT 01 RW 02, Desa Bendo",
            Some(Field::Aduan),
            TextKey::IntakeAskAduan,
        ),
        (
            "Lampu jalan di depan balai desa mati sejak dua minggu",
            Some(Field::FotoKtp),
            TextKey::IntakeAskFotoKtp,
        ),
    ];
    for (answer, next, key) in steps {
        let out = chat.text(answer);
        assert_eq!(chat.asking(), next, "{answer:?}");
        assert_eq!(keys(&out), vec![vec![key]], "{answer:?}");
    }
    chat.image(3, None);
    assert!(chat.is_confirming());
    let out = chat.tap("intake_kirim");
    let (draft, _) = registered(&out).unwrap();
    assert_eq!(draft.nama.as_deref(), Some("Budi Santoso"));
    assert_eq!(
        draft.alamat.as_deref(),
        Some("Dusun Krajan RT 01 RW 02, Desa Bendo")
    );
    assert_eq!(draft.ktp, Some(AttachmentRef(3)));
    assert!(!draft.nik_outside_magetan);
}

// ---- Field checks --------------------------------------------------------------------

#[test]
fn wrong_answers_are_explained_and_asked_again() {
    let cases: &[(Field, &str, TextKey)] = &[
        (Field::Nama, "B", TextKey::IntakeNamaInvalid),
        (Field::Nama, "12345", TextKey::IntakeNamaInvalid),
        (Field::Nik, "3520061708900000", TextKey::IntakeNikInvalid),
        (Field::Nik, "belum tahu", TextKey::IntakeNikInvalid),
        (Field::Alamat, "RT1", TextKey::IntakeAlamatInvalid),
        (Field::Aduan, "rusak", TextKey::IntakeAduanTooShort),
        (Field::FotoKtp, "sebentar", TextKey::IntakeFotoKtpNeeded),
    ];
    for (field, answer, key) in cases {
        let mut chat = Chat::new();
        chat.text("halo");
        let mut draft = chat.draft().clone();
        for f in Field::ORDER.iter().take_while(|f| *f != field) {
            match f {
                Field::Nama => draft.nama = Some("Budi".into()),
                Field::Nik => draft.nik = Some(Nik::parse(NIK_MAGETAN).unwrap()),
                Field::Alamat => draft.alamat = Some("Desa Bendo, Magetan".into()),
                Field::Aduan => draft.aduan = Some("Jalan rusak parah sekali".into()),
                Field::FotoKtp => draft.ktp = Some(AttachmentRef(1)),
            }
        }
        chat.state.phase = Phase::Asking {
            field: *field,
            draft,
        };
        let out = chat.text(answer);
        assert_eq!(keys(&out), vec![vec![*key]], "{field:?} {answer:?}");
        assert_eq!(chat.asking(), Some(*field), "{field:?} {answer:?}");
    }
}

#[test]
fn the_nik_error_says_precisely_what_is_wrong() {
    let mut chat = Chat::new();
    chat.text("halo");
    chat.text("Budi Santoso");
    let out = chat.text("3520063208900001");
    assert!(texts(&out)[0].contains("(angka ke-7 sampai ke-12: 320890)"));
}

#[test]
fn a_nik_from_outside_magetan_is_accepted_noted_and_flagged() {
    let mut chat = Chat::new();
    chat.text("halo");
    chat.text("Budi Santoso");
    let out = chat.text(NIK_SURABAYA);
    assert_eq!(
        keys(&out),
        vec![vec![
            TextKey::IntakeNikOutsideMagetan,
            TextKey::IntakeAskAlamat
        ]]
    );
    assert!(chat.draft().nik_outside_magetan);
}

#[test]
fn a_complaint_sentence_sent_instead_of_the_name_joins_the_complaint_text() {
    let mut chat = Chat::new();
    chat.text("halo");
    let out = chat.text("Jembatan di Dusun Krajan ambrol sejak banjir kemarin");
    assert_eq!(
        keys(&out),
        vec![vec![TextKey::IntakeAduanNoted, TextKey::IntakeAskNama]]
    );
    assert_eq!(chat.asking(), Some(Field::Nama));
    let out = chat.text("Airnya juga masuk ke rumah warga di sekitarnya");
    assert_eq!(keys(&out)[0][0], TextKey::IntakeAduanAppended);
    assert_eq!(
        chat.draft().aduan.as_deref(),
        Some(
            "Jembatan di Dusun Krajan ambrol sejak banjir kemarin\n\
             Airnya juga masuk ke rumah warga di sekitarnya"
        )
    );
}

#[test]
fn a_form_sent_in_the_middle_fills_only_what_it_has() {
    let mut chat = Chat::new();
    chat.text("Jalan di desa saya rusak parah");
    let out = chat.text("Nama: Budi Santoso\nNo. KTP: 3520061708900001");
    assert_eq!(
        keys(&out),
        vec![vec![TextKey::IntakeFormReceived, TextKey::IntakeAskAlamat]]
    );
    assert_eq!(chat.draft().nama.as_deref(), Some("Budi Santoso"));
    assert_eq!(
        chat.draft().aduan.as_deref(),
        Some("Jalan di desa saya rusak parah")
    );
}

// ---- Media ----------------------------------------------------------------------------

#[test]
fn later_media_are_evidence_with_their_captions_and_acknowledged_once_per_burst() {
    let mut chat = Chat::new();
    chat.text(FORM);
    chat.image(1, None);
    let out = chat.image(2, Some("lubang di depan balai desa"));
    assert_eq!(
        keys(&out),
        vec![vec![
            TextKey::IntakeEvidenceReceived,
            TextKey::IntakeConfirmHint
        ]]
    );
    assert_eq!(out.replies[0].buttons.len(), 3);
    let out = chat.send(&Inbound::Media {
        kind: MediaKind::Audio,
        attachment: AttachmentRef(3),
        caption: None,
    });
    assert!(
        out.replies.is_empty(),
        "the second file of a burst is not acknowledged"
    );
    chat.send(&Inbound::Location {
        attachment: AttachmentRef(4),
    });
    let evidence = &chat.draft().evidence;
    assert_eq!(evidence.len(), 3);
    assert_eq!(
        evidence[0].caption.as_deref(),
        Some("lubang di depan balai desa")
    );
    let out = chat.text("YA");
    assert_eq!(registered(&out).unwrap().0.evidence.len(), 3);
}

#[test]
fn evidence_beyond_the_limit_is_given_back_to_the_server() {
    let mut chat = Chat::confirming();
    for id in 0..31 {
        let out = chat.send(&Inbound::Media {
            kind: MediaKind::Document,
            attachment: AttachmentRef(100 + id),
            caption: None,
        });
        if id == 30 {
            assert_eq!(
                out.commands,
                vec![Command::DiscardAttachments {
                    attachments: vec![AttachmentRef(130)]
                }]
            );
        }
    }
    assert_eq!(chat.draft().evidence.len(), MAX_EVIDENCE);
}

#[test]
fn cancelling_keeps_the_saved_identity_s_ktp_photo() {
    let mut chat = Chat::new();
    chat.ctx.consent = Consent::Granted;
    chat.ctx.saved_identity = Some(saved_identity());
    chat.text("Sampah menumpuk di pasar Sukomoro sejak seminggu");
    chat.image(5, None);
    let out = chat.text("batal");
    assert_eq!(
        out.commands,
        vec![Command::DiscardAttachments {
            attachments: vec![AttachmentRef(5)]
        }]
    );
}

#[test]
fn a_first_message_that_is_a_photo_becomes_the_ktp_photo() {
    let mut chat = Chat::new();
    let out = chat.image(5, Some("foto jalan rusak"));
    assert_eq!(out.replies.len(), 1);
    assert_eq!(
        keys(&out)[0],
        vec![
            TextKey::IntakeGreeting,
            TextKey::IntakeKtpReceived,
            TextKey::IntakeAskNama
        ]
    );
    assert_eq!(chat.draft().ktp, Some(AttachmentRef(5)));
}

#[test]
fn text_while_the_ktp_photo_is_asked_says_a_photo_is_needed() {
    let mut chat = Chat::new();
    chat.text(FORM);
    let out = chat.text("nanti ya");
    assert_eq!(keys(&out), vec![vec![TextKey::IntakeFotoKtpNeeded]]);
    let out = chat.send(&Inbound::Media {
        kind: MediaKind::Document,
        attachment: AttachmentRef(9),
        caption: None,
    });
    assert_eq!(
        keys(&out),
        vec![vec![
            TextKey::IntakeEvidenceReceived,
            TextKey::IntakeAskFotoKtp
        ]]
    );
    assert_eq!(chat.asking(), Some(Field::FotoKtp));
}

#[test]
fn stickers_reactions_and_unsupported_messages_get_a_short_answer_or_none() {
    let mut chat = Chat::new();
    let out = chat.send(&Inbound::Sticker);
    assert_eq!(keys(&out), vec![vec![TextKey::StickerAnswer]]);
    assert_eq!(chat.state.phase, Phase::Idle);
    let before = chat.state.clone();
    let out = chat.send(&Inbound::Reaction);
    assert!(out.replies.is_empty() && out.commands.is_empty());
    assert_eq!(out.state, before);
    let out = chat.send(&Inbound::Unsupported);
    assert_eq!(keys(&out), vec![vec![TextKey::UnsupportedMessage]]);

    chat.text(FORM);
    let out = chat.send(&Inbound::Sticker);
    assert_eq!(
        keys(&out),
        vec![vec![TextKey::IntakeResume, TextKey::IntakeAskFotoKtp]]
    );
    let out = chat.send(&Inbound::Contacts);
    assert_eq!(
        keys(&out),
        vec![vec![TextKey::UnsupportedMessage, TextKey::IntakeAskFotoKtp]]
    );
}

// ---- Confirmation and changes --------------------------------------------------------

#[test]
fn typed_words_work_like_the_buttons() {
    let out = Chat::confirming().text("kirim");
    assert!(registered(&out).is_some());
    let out = Chat::confirming().text("Ok 👍");
    assert!(registered(&out).is_some());
    let mut chat = Chat::confirming();
    let out = chat.text("batal");
    assert_eq!(keys(&out), vec![vec![TextKey::IntakeCancelled]]);
    assert_eq!(chat.state.phase, Phase::Idle);
    assert_eq!(
        out.commands,
        vec![Command::DiscardAttachments {
            attachments: vec![AttachmentRef(1)]
        }]
    );
    let mut chat = Chat::confirming();
    let out = chat.tap("intake_batal");
    assert_eq!(keys(&out), vec![vec![TextKey::IntakeCancelled]]);
}

#[test]
fn ubah_lets_the_citizen_pick_a_field_and_returns_to_the_summary() {
    let mut chat = Chat::confirming();
    let out = chat.text("UBAH");
    assert!(matches!(
        chat.state.phase,
        Phase::ChoosingFieldToEdit { .. }
    ));
    let list = out.replies[0].list.as_ref().unwrap();
    assert_eq!(list.rows.len(), 6);
    let out = chat.text("2");
    assert_eq!(chat.asking(), Some(Field::Nik));
    assert_eq!(keys(&out), vec![vec![TextKey::IntakeAskNik]]);
    let out = chat.text(NIK_SURABAYA);
    assert!(chat.is_confirming());
    assert_eq!(
        keys(&out),
        vec![vec![
            TextKey::IntakeNikOutsideMagetan,
            TextKey::IntakeSummary
        ]]
    );
    assert_eq!(chat.draft().nik.as_ref().unwrap().as_str(), NIK_SURABAYA);

    chat.tap("intake_ubah");
    let out = chat.tap("edit_foto_ktp");
    assert_eq!(
        out.commands,
        vec![Command::DiscardAttachments {
            attachments: vec![AttachmentRef(1)]
        }]
    );
    chat.image(2, None);
    assert_eq!(chat.draft().ktp, Some(AttachmentRef(2)));
    assert!(chat.is_confirming());

    chat.text("ubah");
    let out = chat.text("kembali");
    assert!(chat.is_confirming());
    assert_eq!(keys(&out), vec![vec![TextKey::IntakeSummary]]);
}

#[test]
fn free_text_while_confirming_is_added_or_answered_with_the_options() {
    let mut chat = Chat::confirming();
    let out = chat.text("hmm");
    assert_eq!(keys(&out), vec![vec![TextKey::IntakeConfirmHint]]);
    assert_eq!(out.replies[0].buttons.len(), 3);
    let out = chat.text("Tambahan: lubangnya sekarang makin lebar dan dalam");
    assert_eq!(
        keys(&out),
        vec![vec![TextKey::IntakeAduanAppended, TextKey::IntakeSummary]]
    );
    assert!(
        chat.draft()
            .aduan
            .as_deref()
            .unwrap()
            .ends_with("makin lebar dan dalam")
    );
    assert!(chat.is_confirming());
}

#[test]
fn a_button_pressed_twice_registers_once() {
    let mut chat = Chat::confirming();
    assert!(registered(&chat.tap("intake_kirim")).is_some());
    let out = chat.tap("intake_kirim");
    assert_eq!(registered(&out), None);
    assert_eq!(keys(&out), vec![vec![TextKey::IdleHint]]);
}

// ---- Commands at any time -------------------------------------------------------------

#[test]
fn status_commands_reach_the_server_in_every_phase() {
    let cases: &[(&str, Option<Ticket>)] = &[
        ("STATUS", None),
        ("status aduan saya", None),
        ("Status WB-202611-0007", Some(ticket(7))),
        ("CEK wb-202611-0012", Some(ticket(12))),
        ("WB-202611-0012", Some(ticket(12))),
    ];
    for (text, expected) in cases {
        let out = Chat::new().text(text);
        assert_eq!(
            out.commands,
            vec![Command::Status { ticket: *expected }],
            "{text:?}"
        );
        assert!(out.replies.is_empty(), "{text:?}");

        let mut chat = Chat::new();
        chat.text(FORM);
        let out = chat.text(text);
        assert_eq!(
            out.commands,
            vec![Command::Status { ticket: *expected }],
            "{text:?}"
        );
        assert_eq!(
            keys(&out),
            vec![vec![TextKey::IntakeResume, TextKey::IntakeAskFotoKtp]],
            "{text:?}"
        );
        assert_eq!(chat.asking(), Some(Field::FotoKtp));
    }
}

#[test]
fn each_command_does_what_the_help_says() {
    // (phase set-up, command, expected first reply keys, expected phase check)
    let mut chat = Chat::new();
    let out = chat.text("menu");
    assert_eq!(keys(&out), vec![vec![TextKey::HelpMenu]]);
    assert_eq!(chat.state.phase, Phase::Idle);

    let out = chat.text("BANTUAN");
    assert_eq!(keys(&out), vec![vec![TextKey::HelpMenu]]);

    let out = chat.text("batal");
    assert_eq!(keys(&out), vec![vec![TextKey::IntakeNothingToCancel]]);

    let out = chat.text("TANYA");
    assert_eq!(
        keys(&out),
        vec![vec![
            TextKey::IntakeGreetingPertanyaan,
            TextKey::IntakeAskNama
        ]]
    );
    assert_eq!(chat.draft().kind, Kind::Pertanyaan);

    let out = chat.text("ADUAN");
    assert_eq!(
        keys(&out),
        vec![vec![TextKey::IntakeKindAduan, TextKey::IntakeAskNama]]
    );
    assert_eq!(chat.draft().kind, Kind::Aduan);

    chat.text("Budi Santoso");
    let out = chat.text("menu");
    assert_eq!(
        keys(&out),
        vec![
            vec![TextKey::HelpMenu],
            vec![TextKey::IntakeResume, TextKey::IntakeAskNik]
        ]
    );

    let out = chat.text("BARU");
    assert_eq!(
        keys(&out),
        vec![vec![
            TextKey::IntakeRestarted,
            TextKey::IntakeGreeting,
            TextKey::IntakeAskNama
        ]]
    );
    assert_eq!(chat.draft().nama, None);

    let out = chat.text("hapus identitas");
    assert_eq!(
        out.commands,
        vec![Command::SaveIdentity {
            consent: Consent::Declined,
            identity: None
        }]
    );
    assert_eq!(keys(&out)[0][0], TextKey::IdentityForgotten);
}

#[test]
fn a_question_has_its_own_kind_texts_and_registration() {
    let mut chat = Chat::new();
    let out = chat.text("Permisi, mau tanya");
    assert_eq!(keys(&out)[0][0], TextKey::IntakeGreetingPertanyaan);
    assert_eq!(chat.draft().kind, Kind::Pertanyaan);

    let mut chat = Chat::new();
    chat.text(
        "Nama: Budi Santoso\nNIK: 3520061708900001\nAlamat: Desa Bendo, Magetan\n\
         Pertanyaan: Kapan pendaftaran beasiswa daerah dibuka?",
    );
    assert_eq!(chat.draft().kind, Kind::Pertanyaan);
    let out = chat.image(1, None);
    assert_eq!(out.replies[0].keys()[1], TextKey::IntakeSummaryPertanyaan);
    let out = chat.text("ya");
    assert_eq!(
        registered(&out).unwrap().1,
        TextKey::IntakeRegisteredPertanyaan
    );
}

// ---- Returning citizens and consent ----------------------------------------------------

#[test]
fn after_registration_consent_is_asked_once_and_the_answer_is_recorded() {
    let mut chat = Chat::confirming();
    chat.text("ya");
    let out = chat.tap("consent_ya");
    let Command::SaveIdentity { consent, identity } = &out.commands[0] else {
        panic!("{out:?}");
    };
    assert_eq!(*consent, Consent::Granted);
    let identity = identity.as_ref().unwrap();
    assert_eq!(identity.nama, "Budi Santoso");
    assert_eq!(identity.ktp, Some(AttachmentRef(1)));
    assert_eq!(keys(&out), vec![vec![TextKey::ConsentGranted]]);
    assert_eq!(chat.state.phase, Phase::Idle);

    let mut chat = Chat::confirming();
    chat.text("ya");
    let out = chat.text("tidak");
    assert_eq!(
        out.commands,
        vec![Command::SaveIdentity {
            consent: Consent::Declined,
            identity: None
        }]
    );

    // Not an answer: handled as usual; the complaint just registered is open now.
    let mut chat = Chat::confirming();
    chat.text("ya");
    chat.ctx.open_complaints = vec![ticket(7)];
    let out = chat.text("Terima kasih banyak, semoga cepat ditangani");
    assert_eq!(
        out.commands,
        vec![Command::AttachToComplaint { ticket: ticket(7) }]
    );
}

#[test]
fn no_consent_question_when_the_citizen_already_answered() {
    let mut chat = Chat::confirming();
    chat.ctx.consent = Consent::Declined;
    let out = chat.text("ya");
    assert_eq!(out.commands.len(), 1);
    assert!(out.replies.is_empty());
    assert_eq!(chat.state.phase, Phase::Idle);
}

#[test]
fn a_returning_citizen_is_only_asked_for_the_complaint() {
    let mut chat = Chat::new();
    chat.ctx.consent = Consent::Granted;
    chat.ctx.saved_identity = Some(saved_identity());
    let out = chat.text("halo");
    assert_eq!(
        keys(&out),
        vec![vec![
            TextKey::IntakeGreetingReturning,
            TextKey::IntakeAskAduan
        ]]
    );
    let text = &texts(&out)[0];
    assert!(text.contains("Siti Aminah") && text.contains("352001********02"));
    assert!(chat.draft().identity_from_profile);
    let out = chat.text("Sampah menumpuk di pasar Sukomoro sejak seminggu");
    assert!(chat.is_confirming());
    assert_eq!(keys(&out), vec![vec![TextKey::IntakeSummary]]);
    let out = chat.text("ya");
    assert_eq!(out.commands.len(), 1, "identity unchanged: nothing to save");
    assert!(out.replies.is_empty());
}

#[test]
fn a_returning_citizen_whose_first_message_is_the_complaint_gets_the_summary() {
    let mut chat = Chat::new();
    chat.ctx.consent = Consent::Granted;
    chat.ctx.saved_identity = Some(saved_identity());
    let out = chat.text("Sampah menumpuk di pasar Sukomoro sejak seminggu");
    assert_eq!(
        keys(&out),
        vec![
            vec![TextKey::IntakeGreetingReturning, TextKey::IntakeAduanNoted],
            vec![TextKey::IntakeSummary]
        ]
    );
    assert!(chat.is_confirming());
}

#[test]
fn a_returning_citizen_s_first_photo_is_evidence_not_a_new_ktp() {
    let mut chat = Chat::new();
    chat.ctx.consent = Consent::Granted;
    chat.ctx.saved_identity = Some(saved_identity());
    let out = chat.image(5, Some("sampah di pasar"));
    assert_eq!(
        keys(&out),
        vec![vec![
            TextKey::IntakeGreetingReturning,
            TextKey::IntakeEvidenceReceived,
            TextKey::IntakeAskAduan
        ]]
    );
    assert_eq!(chat.draft().ktp, Some(AttachmentRef(77)));
    assert_eq!(chat.draft().evidence[0].attachment, AttachmentRef(5));
}

#[test]
fn ubah_identitas_asks_the_identity_again_and_saves_the_new_one() {
    let mut chat = Chat::new();
    chat.ctx.consent = Consent::Granted;
    chat.ctx.saved_identity = Some(saved_identity());
    chat.ctx.profile_name = Some("Siti A".to_owned());
    chat.text("Sampah menumpuk di pasar Sukomoro sejak seminggu");
    let out = chat.text("ubah identitas");
    assert_eq!(
        keys(&out),
        vec![vec![TextKey::IntakeIdentityReset, TextKey::IntakeAskNama]]
    );
    // The WhatsApp profile name is offered, never assumed.
    assert_eq!(out.replies[0].buttons[0].title, "Siti A");
    assert_eq!(chat.draft().nama, None);
    chat.tap("nama_profil");
    assert_eq!(chat.draft().nama.as_deref(), Some("Siti A"));
    chat.text("3520015708900002");
    chat.text("Desa Sukomoro RT 03 RW 01");
    chat.image(88, None);
    let out = chat.text("ya");
    assert!(out.commands.iter().any(|c| matches!(
        c,
        Command::SaveIdentity { consent: Consent::Granted, identity: Some(i) }
            if i.alamat == "Desa Sukomoro RT 03 RW 01" && i.ktp == Some(AttachmentRef(88))
    )));
}

// ---- While a complaint is being handled -----------------------------------------------

#[test]
fn messages_about_an_open_complaint_are_attached_and_acknowledged_now_and_then() {
    let mut chat = Chat::new();
    chat.ctx.open_complaints = vec![ticket(9), ticket(3)];
    let out = chat.text("Pak, jalannya tambah parah");
    assert_eq!(
        out.commands,
        vec![Command::AttachToComplaint { ticket: ticket(9) }]
    );
    assert_eq!(keys(&out), vec![vec![TextKey::AttachedToComplaint]]);
    assert!(texts(&out)[0].contains("WB-202611-0009"));
    let out = chat.image(4, None);
    assert_eq!(
        out.commands,
        vec![Command::AttachToComplaint { ticket: ticket(9) }]
    );
    assert!(out.replies.is_empty(), "acknowledged once");
    chat.ctx.now = start() + SignedDuration::from_hours(7);
    let out = chat.text("Halo?");
    assert_eq!(out.replies.len(), 1, "acknowledged again hours later");
    assert!(chat.send(&Inbound::Sticker).replies.is_empty());

    let out = chat.text(FORM);
    assert!(
        out.commands.is_empty(),
        "a full form starts a new complaint"
    );
    assert_eq!(chat.asking(), Some(Field::FotoKtp));
}

#[test]
fn baru_starts_a_new_complaint_even_with_one_being_handled() {
    let mut chat = Chat::new();
    chat.ctx.open_complaints = vec![ticket(9)];
    let out = chat.text("baru");
    assert_eq!(
        keys(&out),
        vec![vec![TextKey::IntakeGreeting, TextKey::IntakeAskNama]]
    );
}

#[test]
fn a_template_quick_reply_is_read_by_its_title_and_stale_buttons_are_harmless() {
    let mut chat = Chat::new();
    let out = chat.send(&Inbound::Button {
        id: "payload-from-a-template".to_owned(),
        title: "STATUS".to_owned(),
    });
    assert_eq!(out.commands, vec![Command::Status { ticket: None }]);
    let out = chat.tap("consent_ya");
    assert_eq!(keys(&out), vec![vec![TextKey::IdleHint]]);
    assert!(out.commands.is_empty());
}

// ---- Timers ---------------------------------------------------------------------------

#[test]
fn an_abandoned_draft_gets_one_reminder_then_expires() {
    let cfg = IntakeConfig::default();
    let mut chat = Chat::new();
    chat.text("Jalan di desa saya rusak parah");
    let at = |h: i64| start() + SignedDuration::from_hours(h);
    assert_eq!(chat.state.next_timer(&cfg), Some(at(23)));
    assert_eq!(on_timer(&chat.state, at(22), &cfg), None);

    let out = on_timer(&chat.state, at(23), &cfg).unwrap();
    assert_eq!(
        keys(&out),
        vec![vec![TextKey::IntakeReminder, TextKey::IntakeAskNama]]
    );
    assert!(out.state.reminded);
    assert_eq!(on_timer(&out.state, at(23), &cfg), None, "idempotent");
    assert_eq!(out.state.next_timer(&cfg), Some(at(72)));
    chat.state = out.state;

    let out = on_timer(&chat.state, at(72), &cfg).unwrap();
    assert_eq!(out.state.phase, Phase::Idle);
    assert!(out.replies.is_empty(), "outside the 24-hour window");
    assert_eq!(on_timer(&out.state, at(72), &cfg), None);
    chat.state = out.state;

    chat.ctx.now = at(100);
    let out = chat.text("halo");
    assert_eq!(
        keys(&out),
        vec![vec![
            TextKey::IntakeDraftExpired,
            TextKey::IntakeGreeting,
            TextKey::IntakeAskNama
        ]]
    );
}

#[test]
fn a_new_message_after_the_reminder_restarts_the_clock() {
    let cfg = IntakeConfig::default();
    let mut chat = Chat::new();
    chat.text(FORM);
    chat.state = on_timer(&chat.state, start() + SignedDuration::from_hours(23), &cfg)
        .unwrap()
        .state;
    chat.ctx.now = start() + SignedDuration::from_hours(30);
    chat.image(1, None);
    assert!(!chat.state.reminded);
    assert_eq!(
        chat.state.next_timer(&cfg),
        Some(start() + SignedDuration::from_hours(53))
    );
}

#[test]
fn a_draft_with_only_a_greeting_expires_silently() {
    let cfg = IntakeConfig::default();
    let mut chat = Chat::new();
    chat.text("halo");
    let out = on_timer(&chat.state, start() + SignedDuration::from_hours(23), &cfg).unwrap();
    assert_eq!(out.state.phase, Phase::Idle);
    assert!(out.replies.is_empty() && !out.state.expired_notice_pending);
}

#[test]
fn an_expired_draft_gives_its_media_back_to_the_server() {
    let cfg = IntakeConfig {
        reminder_after: SignedDuration::from_hours(1),
        expire_after: SignedDuration::from_hours(2),
    };
    let mut chat = Chat::confirming();
    chat.send(&Inbound::Location {
        attachment: AttachmentRef(5),
    });
    let out = on_timer(&chat.state, start() + SignedDuration::from_hours(1), &cfg).unwrap();
    assert_eq!(
        keys(&out),
        vec![vec![TextKey::IntakeReminder, TextKey::IntakeConfirmHint]]
    );
    let out = on_timer(&out.state, start() + SignedDuration::from_hours(2), &cfg).unwrap();
    assert_eq!(
        out.commands,
        vec![Command::DiscardAttachments {
            attachments: vec![AttachmentRef(1), AttachmentRef(5)]
        }]
    );
}

// ---- Stored state ---------------------------------------------------------------------

#[test]
fn old_or_odd_json_reads_gracefully() {
    let state: ConversationState = serde_json::from_str("{}").unwrap();
    assert_eq!(state, ConversationState::default());
    let state: ConversationState =
        serde_json::from_str(r#"{"phase":{"step":"some_future_step","x":1},"reminded":true}"#)
            .unwrap();
    assert_eq!(state.phase, Phase::Idle);

    // A stored "confirming" draft that lacks the KTP photo is repaired on the next message.
    let state: ConversationState = serde_json::from_str(
        r#"{"phase":{"step":"confirming","draft":{"nama":"Budi Santoso",
            "nik":"3520061708900001","alamat":"Desa Bendo, Magetan",
            "aduan":"Jalan rusak parah sekali"}}}"#,
    )
    .unwrap();
    assert!(state.invariant_violation().is_some());
    let out = handle(
        &state,
        &Inbound::Text("YA".into()),
        &IntakeContext::new(start()),
    );
    assert_eq!(registered(&out), None);
    assert_eq!(out.state.invariant_violation(), None);
    assert!(matches!(
        out.state.phase,
        Phase::Asking {
            field: Field::FotoKtp,
            ..
        }
    ));

    // A NIK that no longer parses is asked again rather than losing the whole draft.
    let state: ConversationState = serde_json::from_str(
        r#"{"phase":{"step":"asking","field":"alamat","draft":{"nama":"Budi Santoso",
            "nik":"0000000000000000","nik_outside_magetan":true}}}"#,
    )
    .unwrap();
    let out = handle(
        &state,
        &Inbound::Text("Desa Bendo, Magetan".into()),
        &IntakeContext::new(start()),
    );
    assert_eq!(out.state.invariant_violation(), None);
    assert!(matches!(
        out.state.phase,
        Phase::Asking {
            field: Field::Nik,
            ..
        }
    ));
    assert!(!out.state.draft().unwrap().nik_outside_magetan);
}
