//! The intake conversation machine (`wani_bares_domain::intake::handle` and `on_timer`)
//! driven by an arbitrary sequence of inbound WhatsApp messages and timer ticks, from an
//! arbitrary context (consent, saved identity, open complaints, profile name).
//!
//! Checks after every step: `ConversationState::invariant_violation()` is `None`; at most
//! three replies, each within WhatsApp's limits; at most one `Register`, only from a
//! complete draft; the state survives its JSON round trip (it is stored as JSON between
//! messages); a timer outcome applied at the same instant leaves nothing more to do.

#![no_main]

use arbitrary::Arbitrary;
use jiff::{SignedDuration, Timestamp};
use libfuzzer_sys::fuzz_target;
use wani_bares_domain::intake::{
    AttachmentRef, Command, Consent, ConversationState, Inbound, IntakeConfig, IntakeContext,
    MediaKind, Outcome, SavedIdentity, handle, on_timer,
};
use wani_bares_domain::nik::Nik;
use wani_bares_domain::ticket::Ticket;

/// Texts citizens really send, so short inputs reach deep phases.
const FRAGMENTS: &[&str] = &[
    "YA", "ya", "Kirim", "UBAH", "BATAL", "BARU", "STATUS", "STATUS WB-202611-0007", "TANYA",
    "ADUAN", "MENU", "UBAH IDENTITAS", "HAPUS IDENTITAS", "KEMBALI", "TIDAK", "1", "2", "3", "4",
    "5", "halo", "Budi Santoso", "3520061708900001", "3520 0617 0890 0001", "1234",
    "Dusun Krajan RT 01 RW 02, Desa Bendo", "Jalan di desa saya rusak parah sejak Januari",
    "Nama: Budi Santoso\nNIK: 3520061708900001\nAlamat: Desa Bendo, Magetan\nAduan: Jalan rusak parah sejak Januari",
    "Nama: Budi\nNIK: 1234\nAlamat: Desa Bendo\nAduan: Jalan rusak parah sekali",
    "Pertanyaan: Kapan pendaftaran beasiswa dibuka?", "\u{200b}\u{200f}\u{202e}", "YA\u{200b}",
];

const BUTTONS: &[&str] = &[
    "intake_kirim", "intake_ubah", "intake_batal", "consent_ya", "consent_tidak", "nama_profil",
    "edit_nama", "edit_nik", "edit_alamat", "edit_aduan", "edit_foto_ktp", "edit_kembali",
];

#[derive(Debug, Arbitrary)]
enum Text {
    Known(u8),
    Free(String),
    Both(u8, String),
    Long(char, u16),
}

impl Text {
    fn get(self) -> String {
        match self {
            Text::Known(i) => FRAGMENTS[usize::from(i) % FRAGMENTS.len()].to_owned(),
            Text::Free(s) => s,
            Text::Both(i, s) => format!("{}{s}", FRAGMENTS[usize::from(i) % FRAGMENTS.len()]),
            Text::Long(c, n) => std::iter::repeat_n(c, usize::from(n) % 12_000).collect(),
        }
    }
}

#[derive(Debug, Arbitrary)]
enum Kind {
    Image,
    Document,
    Audio,
    Video,
}

#[derive(Debug, Arbitrary)]
enum Message {
    Text(Text),
    Button { id: Result<u8, String>, title: Option<Text> },
    Media { kind: Kind, attachment: u8, caption: Option<Text> },
    Location(u8),
    Contacts,
    Sticker,
    Reaction,
    Unsupported,
}

impl Message {
    fn inbound(self) -> Inbound {
        match self {
            Message::Text(t) => Inbound::Text(t.get()),
            Message::Button { id, title } => Inbound::Button {
                id: id.map_or_else(|s| s, |i| BUTTONS[usize::from(i) % BUTTONS.len()].to_owned()),
                title: title.map(Text::get).unwrap_or_default(),
            },
            Message::Media { kind, attachment, caption } => Inbound::Media {
                kind: match kind {
                    Kind::Image => MediaKind::Image,
                    Kind::Document => MediaKind::Document,
                    Kind::Audio => MediaKind::Audio,
                    Kind::Video => MediaKind::Video,
                },
                attachment: AttachmentRef(i64::from(attachment % 8)),
                caption: caption.map(Text::get),
            },
            Message::Location(a) => Inbound::Location { attachment: AttachmentRef(i64::from(a % 8)) },
            Message::Contacts => Inbound::Contacts,
            Message::Sticker => Inbound::Sticker,
            Message::Reaction => Inbound::Reaction,
            Message::Unsupported => Inbound::Unsupported,
        }
    }
}

#[derive(Debug, Arbitrary)]
enum Step {
    /// A message after this many minutes.
    Message(u16, Message),
    /// A timer tick after this many minutes.
    Timer(u16),
}

#[derive(Debug, Arbitrary)]
struct Input {
    consent: u8,
    saved: bool,
    open_complaints: u8,
    profile_name: Option<String>,
    steps: Vec<Step>,
}

fn check(before: &ConversationState, out: &Outcome) {
    assert_eq!(out.state.invariant_violation(), None, "{before:#?}\n→ {out:#?}");
    assert!(out.replies.len() <= 3, "{out:#?}");
    for reply in &out.replies {
        assert_eq!(reply.limit_violation(), None, "{reply:#?}");
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
    assert!(registers.iter().all(|d| d.is_complete()));
    let json = serde_json::to_string(&out.state).expect("the state serialises");
    let back: ConversationState = serde_json::from_str(&json).expect("the state deserialises");
    assert_eq!(back, out.state);
}

fuzz_target!(|input: Input| {
    let cfg = IntakeConfig::default();
    let mut ctx = IntakeContext::new(Timestamp::UNIX_EPOCH);
    ctx.consent = match input.consent % 3 {
        0 => Consent::Unknown,
        1 => Consent::Granted,
        _ => Consent::Declined,
    };
    if input.saved {
        ctx.saved_identity = Some(SavedIdentity {
            nama: "Siti Aminah".to_owned(),
            nik: Nik::parse("3520015708900002").expect("a valid NIK"),
            alamat: "Desa Sukomoro RT 02 RW 01".to_owned(),
            ktp: Some(AttachmentRef(77)),
        });
    }
    ctx.open_complaints = (1..=u32::from(input.open_complaints % 4))
        .filter_map(|s| Ticket::new(2026, 11, s).ok())
        .collect();
    ctx.profile_name = input.profile_name;
    let mut state = ConversationState::default();
    let mut now = Timestamp::UNIX_EPOCH + SignedDuration::from_hours(24 * 365 * 56);
    for step in input.steps.into_iter().take(64) {
        match step {
            Step::Message(minutes, message) => {
                now += SignedDuration::from_mins(i64::from(minutes));
                ctx.now = now;
                let out = handle(&state, &message.inbound(), &ctx);
                check(&state, &out);
                state = out.state;
            }
            Step::Timer(minutes) => {
                now += SignedDuration::from_mins(i64::from(minutes));
                if let Some(out) = on_timer(&state, now, &cfg) {
                    check(&state, &out);
                    assert!(
                        out.commands.iter().all(|c| matches!(c, Command::DiscardAttachments { .. })),
                        "the timer only discards media"
                    );
                    assert!(on_timer(&out.state, now, &cfg).is_none(), "timer not idempotent");
                    state = out.state;
                }
            }
        }
    }
});
