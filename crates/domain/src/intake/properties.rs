//! Property tests of the intake machine: arbitrary sequences of inbound messages, timer
//! ticks and contexts never panic and never leave an invalid state. The one-shot form
//! parser's properties are those of the `intake_form` fuzz target (fuzz/, docs/FUZZING.md).

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

use super::words::{Cmd, clean, parse_command};
use super::{
    AttachmentRef, Command, Consent, ConversationState, Inbound, IntakeConfig, IntakeContext,
    MediaKind, Phase, SavedIdentity, handle, on_timer,
};
use crate::nik::Nik;
use crate::ticket::Ticket;

const FULL_FORM: &str = "Nama: Budi Santoso\nNIK: 3520061708900001\nAlamat: Desa Bendo, Magetan\nAduan: Jalan rusak parah sejak Januari";
const BAD_NIK_FORM: &str =
    "Nama: Budi\nNIK: 1234\nAlamat: Desa Bendo\nAduan: Jalan rusak parah sekali";
const QUESTION: &str = "Pertanyaan: Kapan pendaftaran beasiswa dibuka?";

/// Texts a citizen plausibly sends: commands, answers, forms, greetings.
const FRAGMENTS: &[&str] = &[
    "YA",
    "ya",
    "Kirim",
    "ok",
    "UBAH",
    "BATAL",
    "BARU",
    "STATUS",
    "STATUS WB-202611-0007",
    "cek wb-202611-0001",
    "WB-202611-0002",
    "TANYA",
    "ADUAN",
    "MENU",
    "BANTUAN",
    "UBAH IDENTITAS",
    "HAPUS IDENTITAS",
    "KEMBALI",
    "TIDAK",
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "halo",
    "Assalamu'alaikum",
    "mau tanya min",
    "Budi Santoso",
    "nama saya Siti",
    "3520061708900001",
    "3578064508900002",
    "3520 0617 0890 0001",
    "1234",
    "3520063208900001",
    "Dusun Krajan RT 01 RW 02, Desa Bendo",
    "RT1",
    "Jalan di desa saya rusak parah sejak Januari",
    "rusak",
    FULL_FORM,
    BAD_NIK_FORM,
    "NIK: 3520061708900001",
    "Alamat: x",
    QUESTION,
    "Nama: Budi, NIK: 3578064508900002; Alamat: Desa Bendo",
    "Isi aduan: lampu mati",
    "",
    "   ",
    "\u{200b}\u{200f}\u{202e}",
    "YA\u{200b}",
    "\u{202e}BATAL",
    "نام: علی",
    "🙏",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => proptest::sample::select(FRAGMENTS).prop_map(str::to_owned),
        2 => "\\PC{0,80}",
        1 => "[\\u{200b}-\\u{200f}\\u{202a}-\\u{202e}a-zA-Z0-9 :\\n]{0,60}",
        1 => (proptest::sample::select(FRAGMENTS), "\\PC{0,20}")
            .prop_map(|(a, b)| format!("{a}{b}")),
        1 => (proptest::sample::select(&['a', 'é', '9', ':', '\n', '🙏'][..]), 9_990_usize..10_010)
            .prop_map(|(c, n)| std::iter::repeat_n(c, n).collect()),
    ]
}

const BUTTON_IDS: &[&str] = &[
    "intake_kirim",
    "intake_ubah",
    "intake_batal",
    "consent_ya",
    "consent_tidak",
    "nama_profil",
    "edit_nama",
    "edit_nik",
    "edit_alamat",
    "edit_aduan",
    "edit_foto_ktp",
    "edit_kembali",
];

fn inbound() -> impl Strategy<Value = Inbound> {
    let media_kind = prop_oneof![
        Just(MediaKind::Image),
        Just(MediaKind::Document),
        Just(MediaKind::Audio),
        Just(MediaKind::Video),
    ];
    prop_oneof![
        10 => text().prop_map(Inbound::Text),
        3 => (
            prop_oneof![
                3 => proptest::sample::select(BUTTON_IDS).prop_map(str::to_owned),
                1 => "\\PC{0,30}",
            ],
            prop_oneof![text(), Just(String::new())],
        )
            .prop_map(|(id, title)| Inbound::Button { id, title }),
        4 => (media_kind, 0_i64..6, proptest::option::of(text())).prop_map(
            |(kind, id, caption)| Inbound::Media {
                kind,
                attachment: AttachmentRef(id),
                caption,
            }
        ),
        1 => (0_i64..6).prop_map(|id| Inbound::Location {
            attachment: AttachmentRef(id)
        }),
        1 => Just(Inbound::Contacts),
        1 => Just(Inbound::Sticker),
        1 => Just(Inbound::Reaction),
        1 => Just(Inbound::Unsupported),
    ]
}

/// Messages that move a conversation forward, to reach confirmation, registration and
/// consent often; mixed with a little noise.
fn purposeful_inbound() -> impl Strategy<Value = Inbound> {
    let text = |t: &str| Inbound::Text(t.to_owned());
    let tap = |id: &str| Inbound::Button {
        id: id.to_owned(),
        title: String::new(),
    };
    prop_oneof![
        3 => Just(text(FULL_FORM)),
        1 => Just(text(BAD_NIK_FORM)),
        1 => Just(text(QUESTION)),
        3 => (0_i64..4).prop_map(|id| Inbound::Media {
            kind: MediaKind::Image,
            attachment: AttachmentRef(id),
            caption: None,
        }),
        3 => Just(text("ya")),
        2 => Just(tap("intake_kirim")),
        1 => Just(tap("consent_ya")),
        1 => Just(text("tidak")),
        1 => Just(text("ubah")),
        1 => proptest::sample::select(&["1", "2", "3", "4", "5", "kembali"][..]).prop_map(text),
        1 => proptest::sample::select(BUTTON_IDS).prop_map(tap),
        1 => Just(text("3578064508900002")),
        1 => Just(text("Lubangnya makin lebar dan dalam sejak hujan kemarin")),
        1 => Just(text("baru")),
        1 => Just(text("batal")),
        1 => Just(text("ubah identitas")),
        2 => inbound(),
    ]
}

/// One step of a conversation: a message after some minutes, or a timer tick.
#[derive(Debug, Clone)]
enum Step {
    Message { minutes: i64, input: Inbound },
    Timer { minutes: i64 },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => (0_i64..600, inbound()).prop_map(|(minutes, input)| Step::Message { minutes, input }),
        1 => (0_i64..5000).prop_map(|minutes| Step::Timer { minutes }),
    ]
}

fn context() -> impl Strategy<Value = IntakeContext> {
    let saved = SavedIdentity {
        nama: "Siti Aminah".to_owned(),
        nik: Nik::parse("3520015708900002").unwrap(),
        alamat: "Desa Sukomoro RT 02 RW 01".to_owned(),
        ktp: Some(AttachmentRef(77)),
    };
    (
        prop_oneof![
            Just(Consent::Unknown),
            Just(Consent::Granted),
            Just(Consent::Declined)
        ],
        proptest::option::of(Just(saved)),
        0_u32..3,
        proptest::option::of("\\PC{0,30}"),
    )
        .prop_map(
            |(consent, saved_identity, open, profile_name)| IntakeContext {
                now: Timestamp::UNIX_EPOCH,
                saved_identity,
                consent,
                open_complaints: (1..=open)
                    .map(|s| Ticket::new(2026, 11, s).unwrap())
                    .collect(),
                profile_name,
            },
        )
}

/// Whether a message is an explicit confirmation: the Kirim button or a typed "yes".
fn is_confirmation(input: &Inbound) -> bool {
    match input {
        Inbound::Text(text) => parse_command(&clean(text)) == Some(Cmd::Yes),
        Inbound::Button { id, title } => {
            id == "intake_kirim"
                || (!super::machine::is_own_button(id)
                    && parse_command(&clean(title)) == Some(Cmd::Yes))
        }
        _ => false,
    }
}

fn check_outcome(before: &ConversationState, input: Option<&Inbound>, out: &super::Outcome) {
    assert_eq!(out.state.invariant_violation(), None, "{out:#?}");
    assert!(out.replies.len() <= 3, "{out:#?}");
    for reply in &out.replies {
        assert_eq!(reply.limit_violation(), None, "{reply:#?}");
        assert!(reply.render_default().chars().count() <= reply.max_chars());
    }
    let registers: Vec<_> = out
        .commands
        .iter()
        .filter_map(|c| match c {
            Command::Register { draft, .. } => Some(draft),
            _ => None,
        })
        .collect();
    assert!(registers.len() <= 1);
    if let Some(draft) = registers.first() {
        let repaired = before.repaired();
        assert!(
            matches!(&repaired.phase, Phase::Confirming { draft: d } if d == *draft),
            "registered from {:?}",
            before.phase
        );
        assert!(draft.is_complete());
        assert!(
            input.is_some_and(is_confirmation),
            "registered without confirmation: {input:?}"
        );
    }
    let json = serde_json::to_string(&out.state).unwrap();
    assert_eq!(
        serde_json::from_str::<ConversationState>(&json).unwrap(),
        out.state
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn no_sequence_of_messages_panics_or_leaves_an_invalid_state(
        ctx in context(),
        steps in proptest::collection::vec(step(), 1..40),
    ) {
        let cfg = IntakeConfig::default();
        let mut ctx = ctx;
        let mut state = ConversationState::default();
        let mut now = Timestamp::UNIX_EPOCH + SignedDuration::from_hours(24 * 365 * 56);
        for step in steps {
            match step {
                Step::Message { minutes, input } => {
                    now += SignedDuration::from_mins(minutes);
                    ctx.now = now;
                    let out = handle(&state, &input, &ctx);
                    check_outcome(&state, Some(&input), &out);
                    state = out.state;
                }
                Step::Timer { minutes } => {
                    now += SignedDuration::from_mins(minutes);
                    if let Some(out) = on_timer(&state, now, &cfg) {
                        check_outcome(&state, None, &out);
                        let only_discards = out
                            .commands
                            .iter()
                            .all(|c| matches!(c, Command::DiscardAttachments { .. }));
                        prop_assert!(only_discards, "the timer only discards media");
                        prop_assert!(on_timer(&out.state, now, &cfg).is_none(), "timer not idempotent");
                        state = out.state;
                    }
                }
            }
        }
    }

    #[test]
    fn purposeful_conversations_register_only_after_confirmation(
        ctx in context(),
        inputs in proptest::collection::vec(purposeful_inbound(), 1..30),
    ) {
        let mut state = ConversationState::default();
        let mut ctx = ctx;
        for (i, input) in inputs.iter().enumerate() {
            ctx.now = Timestamp::UNIX_EPOCH + SignedDuration::from_mins(i as i64);
            let out = handle(&state, input, &ctx);
            check_outcome(&state, Some(input), &out);
            state = out.state;
        }
    }

    #[test]
    fn any_stored_json_that_parses_is_handled(json in "\\{\"phase\":\\{\"step\":\"(asking|confirming|choosing_field_to_edit|asking_consent|idle|x)\"(,\"field\":\"(nama|nik|alamat|aduan|foto_ktp)\")?(,\"draft\":\\{(\"nama\":\"[a-zA-Z ]{0,5}\")?\\})?\\}\\}") {
        if let Ok(state) = serde_json::from_str::<ConversationState>(&json) {
            let out = handle(&state, &Inbound::Text("ya".into()), &IntakeContext::new(Timestamp::UNIX_EPOCH));
            check_outcome(&state, Some(&Inbound::Text("ya".into())), &out);
            let registers = out.commands.iter().any(|c| matches!(c, Command::Register { .. }));
            prop_assert!(!registers, "a repaired state registered");
        }
    }

    #[test]
    fn form_values_are_trimmed_and_invisible_characters_change_nothing(
        text in prop_oneof![
            3 => proptest::sample::select(FRAGMENTS).prop_map(str::to_owned),
            2 => "\\PC{0,200}",
            2 => "((Nama|NIK|Alamat|Aduan|Pertanyaan|No\\. KTP|\\*Nama\\*)[:=]? ?[a-zA-Z0-9 ,;.]{0,30}\n?){1,6}",
        ],
        every in 1_usize..4,
        mark in proptest::sample::select(&['\u{200b}', '\u{200f}', '\u{202e}', '\u{2066}', '\u{feff}', '\u{ad}'][..]),
    ) {
        let form = super::parse_form(&text);
        for value in [&form.nama, &form.nik, &form.alamat, &form.aduan, &form.unlabelled].into_iter().flatten() {
            prop_assert!(!value.is_empty());
            prop_assert_eq!(value.trim(), value.as_str());
        }
        if form.labels == 0 {
            prop_assert!(form.nama.is_none() && form.nik.is_none() && form.alamat.is_none() && form.aduan.is_none());
        }
        let sprinkled: String = text
            .chars()
            .enumerate()
            .flat_map(|(i, c)| (i % every == 0).then_some(mark).into_iter().chain(std::iter::once(c)))
            .collect();
        prop_assert_eq!(super::parse_form(&sprinkled), form);
    }
}
