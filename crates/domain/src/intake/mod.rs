//! The intake conversation: how a citizen's WhatsApp messages become a registered complaint
//! (SOP step 1), as a pure state machine.
//!
//! The server keeps one [`ConversationState`] per citizen (as JSON), builds an [`Inbound`]
//! from each WhatsApp message and an [`IntakeContext`] from its database, and calls
//! [`handle`]. The [`Outcome`] holds the next state, the [`Reply`]s to send and the
//! [`Command`]s to carry out. A job calls [`on_timer`] when
//! [`ConversationState::next_timer`] is due.
//!
//! # The conversation
//! - **First contact.** A citizen with nothing in progress gets ONE message: what Wani
//!   Bares is, what is needed (nama lengkap, NIK, alamat, isi aduan: apa, di mana, sejak
//!   kapan, foto KTP), the one-shot form, that `TANYA` makes it a question, and then the
//!   first question. A first message that already describes a problem becomes the draft's
//!   text (greeting `intake_greeting_with_aduan`); a one-shot form is read and only what is
//!   missing is asked (`intake_greeting_with_form`); "mau tanya" starts a question. A
//!   citizen who consented to keep their identity is greeted by name with their masked NIK
//!   and asked only for the text (`UBAH IDENTITAS` re-enters it).
//! - **One question at a time**, in the order nama, NIK, alamat, isi aduan, foto KTP
//!   ([`Field::ORDER`]). A form (see [`parse_form`]) is accepted at any point. A wrong
//!   answer is explained and asked again: an invalid NIK with its exact reason; a valid
//!   NIK from outside Magetan is accepted, noted to the citizen and flagged in
//!   [`Draft::nik_outside_magetan`] for the admin. A sentence that clearly describes the
//!   problem but does not answer the question (e.g. when the name is asked) is added to
//!   the complaint text instead of being refused, and the question is asked again.
//! - **Media.** The first image while the KTP photo is missing is the KTP photo (its
//!   caption is ignored); every later image, document, voice note, video or location is
//!   evidence (with its caption). Evidence is acknowledged once per burst, not per file.
//! - **Confirmation.** With everything present: a summary with the buttons Kirim, Ubah,
//!   Batal (typed `YA`/`KIRIM`/`OK`, `UBAH`, `BATAL` work the same). `Kirim` emits
//!   [`Command::Register`]; `Ubah` shows a list of fields to change. Free text while
//!   confirming is added to the complaint text when it is a real sentence (and the summary
//!   is shown again); anything else repeats the options. Nothing typed is silently dropped:
//!   every input gets an answer, except reactions, evidence after the first of a burst,
//!   and stickers from a citizen whose complaint is being handled.
//! - **Anytime commands**: `STATUS`, `STATUS WB-…`, `CEK WB-…` or a bare ticket number →
//!   [`Command::Status`]; `BATAL` drops the draft; `BANTUAN`/`MENU`; `BARU` starts another
//!   complaint (dropping an unsent draft); `TANYA`/`ADUAN` switch the kind;
//!   `UBAH IDENTITAS`; `HAPUS IDENTITAS` forgets the saved identity (UU 27/2022).
//! - **After registration**, if the citizen never answered, they are asked once whether
//!   their identity may be kept ([`Phase::AskingConsent`]); any other message is handled as
//!   usual (and the question is asked again after the next registration).
//! - **While a complaint is being handled** and nothing is in progress, messages and media
//!   are [`Command::AttachToComplaint`] to the newest open complaint, acknowledged at most
//!   once per complaint every six hours. A one-shot form or `BARU` starts a new complaint.
//! - **Abandoned drafts** ([`on_timer`], [`IntakeConfig`]): one reminder 23 h after the
//!   citizen's last message (inside WhatsApp's 24-hour window, so it can be sent as free
//!   text), expiry 72 h after it. Expiry is silent (the window is closed by then); the
//!   next message the citizen sends starts with `intake_draft_expired`. A draft without
//!   anything the citizen typed (only a greeting) expires silently at the reminder time.
//!
//! # Pertanyaan
//! A question ([`Kind::Pertanyaan`], the SOP's *penanya*) follows the same flow and needs
//! the same data: the SOP asks everyone for identity and KTP, and a request for public
//! information (UU 14/2008) requires the requester's identity too. Only the texts differ.
//!
//! # What the server does with an [`Outcome`]
//! It stores `state`, carries out `commands` in order, then sends `replies` in order:
//! - [`Command::Register`]: create the complaint (status `submitted`) from the draft in
//!   one transaction, assign the ticket, and send [`registered_reply`]`(reply, ticket)`
//!   (`intake_registered` or `intake_registered_pertanyaan`) BEFORE the replies (which may
//!   hold the consent question).
//! - [`Command::Status`]: look up the citizen's complaints and send [`status_reply`]
//!   (`status_answer`, `status_list_header` + `status_list_item`, `status_not_found`,
//!   `status_no_open_complaints`; the step in plain words from `status_step_<status>`).
//! - [`Command::AttachToComplaint`]: attach the inbound message to that complaint and show
//!   it to staff; the acknowledgement (`attached_to_complaint`) is among the replies when
//!   due.
//! - [`Command::SaveIdentity`]: store the consent; keep the identity when granted, erase
//!   the stored identity when declined.
//! - [`Command::DiscardAttachments`]: media of a dropped draft, a replaced KTP photo, or
//!   evidence beyond [`MAX_EVIDENCE`]; delete them unless a complaint or the saved
//!   identity still refers to them.
//!
//! # Invariants
//! [`ConversationState::invariant_violation`] states them and the property tests check
//! them after every message: a draft in [`Phase::Confirming`] is complete; `Asking(f)`
//! asks for a field the draft lacks; every stored field passed its check (NIK valid, name
//! 2–100 characters, …) and `nik_outside_magetan` matches the NIK; `Register` is only
//! emitted from a complete draft after an explicit confirmation. [`handle`] first repairs
//! a state read from old JSON (re-checking every field), so these hold whatever was stored.

mod form;
mod machine;
#[cfg(test)]
mod properties;
mod reply;
mod words;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::nik::Nik;
use crate::texts::TextKey;
use crate::ticket::Ticket;

pub use form::{FormFields, parse_form};
pub use machine::{handle, on_timer};
pub use reply::{
    ListMenu, ListRow, MAX_BUTTON_TITLE_CHARS, MAX_BUTTONS, Part, Reply, ReplyButton, StatusLine,
    format_date_id, registered_reply, status_reply,
};

/// Most evidence items kept in one draft; later ones are still in the server's inbox.
pub const MAX_EVIDENCE: usize = 30;

/// Whether the citizen complains or asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A complaint (*aduan*).
    #[default]
    Aduan,
    /// A question (*pertanyaan*, the SOP's *penanya*).
    Pertanyaan,
}

/// A piece of data the draft needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Nama,
    Nik,
    Alamat,
    /// The complaint or question text.
    Aduan,
    FotoKtp,
}

impl Field {
    /// The order in which missing fields are asked.
    pub const ORDER: [Field; 5] = [
        Field::Nama,
        Field::Nik,
        Field::Alamat,
        Field::Aduan,
        Field::FotoKtp,
    ];

    /// Whether the field is part of the identity that may be saved.
    pub fn is_identity(self) -> bool {
        !matches!(self, Field::Aduan)
    }
}

/// An opaque id the server gave a received media before calling the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AttachmentRef(pub i64);

/// What kind of media a citizen sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Image,
    Document,
    /// Audio, including voice notes.
    Audio,
    Video,
}

/// What kind of evidence is attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    Image,
    Document,
    Audio,
    Video,
    Location,
}

impl From<MediaKind> for EvidenceKind {
    fn from(kind: MediaKind) -> Self {
        match kind {
            MediaKind::Image => EvidenceKind::Image,
            MediaKind::Document => EvidenceKind::Document,
            MediaKind::Audio => EvidenceKind::Audio,
            MediaKind::Video => EvidenceKind::Video,
        }
    }
}

/// A media or location attached to the complaint as supporting evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub kind: EvidenceKind,
    pub attachment: AttachmentRef,
    /// The citizen's caption, at most 1000 characters.
    #[serde(default)]
    pub caption: Option<String>,
}

/// A complaint (or question) being put together.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Draft {
    pub kind: Kind,
    pub nama: Option<String>,
    /// A stored NIK that no longer parses reads as missing (and is asked again).
    #[serde(deserialize_with = "lenient_nik")]
    pub nik: Option<Nik>,
    /// The NIK is valid but was not issued in Magetan: accepted, flagged for the admin.
    pub nik_outside_magetan: bool,
    pub alamat: Option<String>,
    /// The complaint or question text.
    pub aduan: Option<String>,
    pub ktp: Option<AttachmentRef>,
    pub evidence: Vec<Evidence>,
    /// Name, NIK, address and KTP photo were taken unchanged from the identity the citizen
    /// agreed to keep.
    pub identity_from_profile: bool,
}

impl Draft {
    /// Whether `field` has a value.
    pub fn has(&self, field: Field) -> bool {
        match field {
            Field::Nama => self.nama.is_some(),
            Field::Nik => self.nik.is_some(),
            Field::Alamat => self.alamat.is_some(),
            Field::Aduan => self.aduan.is_some(),
            Field::FotoKtp => self.ktp.is_some(),
        }
    }

    /// The fields still missing, in the order they are asked.
    pub fn missing(&self) -> Vec<Field> {
        Field::ORDER.into_iter().filter(|f| !self.has(*f)).collect()
    }

    /// Whether everything needed is present.
    pub fn is_complete(&self) -> bool {
        self.missing().is_empty()
    }

    /// Every media the draft refers to.
    pub fn attachments(&self) -> Vec<AttachmentRef> {
        self.ktp
            .into_iter()
            .chain(self.evidence.iter().map(|e| e.attachment))
            .collect()
    }

    /// The media only this draft refers to, to discard when it is dropped: a KTP photo
    /// taken from the saved identity stays with that identity.
    pub fn own_attachments(&self) -> Vec<AttachmentRef> {
        let ktp = self.ktp.filter(|_| !self.identity_from_profile);
        ktp.into_iter()
            .chain(self.evidence.iter().map(|e| e.attachment))
            .collect()
    }

    /// The identity in this draft, when name, NIK and address are present.
    pub fn identity(&self) -> Option<SavedIdentity> {
        Some(SavedIdentity {
            nama: self.nama.clone()?,
            nik: self.nik.clone()?,
            alamat: self.alamat.clone()?,
            ktp: self.ktp,
        })
    }

    /// Whether the citizen put anything into the draft (beyond a greeting).
    pub fn has_citizen_input(&self) -> bool {
        self.aduan.is_some()
            || !self.evidence.is_empty()
            || (!self.identity_from_profile && Field::ORDER.iter().any(|f| self.has(*f)))
    }

    /// Sets the NIK and its Magetan flag together.
    pub(crate) fn set_nik(&mut self, nik: Option<Nik>) {
        self.nik_outside_magetan = nik.as_ref().is_some_and(|n| !n.is_magetan());
        self.nik = nik;
    }

    /// Removes a field's value.
    pub(crate) fn clear(&mut self, field: Field) {
        match field {
            Field::Nama => self.nama = None,
            Field::Nik => self.set_nik(None),
            Field::Alamat => self.alamat = None,
            Field::Aduan => self.aduan = None,
            Field::FotoKtp => self.ktp = None,
        }
        if field.is_identity() {
            self.identity_from_profile = false;
        }
    }

    /// Which stored value breaks its check, if any.
    fn violation(&self) -> Option<&'static str> {
        if self
            .nama
            .as_deref()
            .is_some_and(|n| !words::is_valid_nama(n))
        {
            return Some("the name does not pass its check");
        }
        if self
            .alamat
            .as_deref()
            .is_some_and(|a| !words::is_valid_alamat(a))
        {
            return Some("the address does not pass its check");
        }
        if self
            .aduan
            .as_deref()
            .is_some_and(|a| !words::is_valid_aduan(a))
        {
            return Some("the complaint text does not pass its check");
        }
        if self.nik_outside_magetan != self.nik.as_ref().is_some_and(|n| !n.is_magetan()) {
            return Some("nik_outside_magetan does not match the NIK");
        }
        if self.evidence.len() > MAX_EVIDENCE {
            return Some("too much evidence");
        }
        if self.evidence.iter().any(|e| {
            e.caption
                .as_deref()
                .is_some_and(|c| c.is_empty() || c.chars().count() > words::MAX_CAPTION_CHARS)
        }) {
            return Some("an evidence caption is empty or too long");
        }
        None
    }

    /// Drops every value that no longer passes its check (e.g. from old JSON).
    fn repair(&mut self) {
        if self
            .nama
            .as_deref()
            .is_some_and(|n| !words::is_valid_nama(n))
        {
            self.clear(Field::Nama);
        }
        if self
            .alamat
            .as_deref()
            .is_some_and(|a| !words::is_valid_alamat(a))
        {
            self.clear(Field::Alamat);
        }
        if self
            .aduan
            .as_deref()
            .is_some_and(|a| !words::is_valid_aduan(a))
        {
            self.aduan = self.aduan.as_deref().and_then(words::aduan_from);
        }
        let nik = self.nik.take();
        self.set_nik(nik);
        self.evidence.truncate(MAX_EVIDENCE);
        for evidence in &mut self.evidence {
            evidence.caption = evidence.caption.as_deref().and_then(caption_from);
        }
    }
}

fn lenient_nik<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Nik>, D::Error> {
    let raw = Option::<String>::deserialize(deserializer)?;
    Ok(raw.and_then(|raw| Nik::parse(&raw).ok()))
}

/// An evidence caption as kept: cleaned, at most 1000 characters, `None` when empty.
pub(crate) fn caption_from(raw: &str) -> Option<String> {
    let caption = words::truncate_chars(&words::clean(raw), words::MAX_CAPTION_CHARS);
    (!caption.is_empty()).then_some(caption)
}

/// The identity a citizen agreed to keep for later complaints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedIdentity {
    pub nama: String,
    pub nik: Nik,
    pub alamat: String,
    #[serde(default)]
    pub ktp: Option<AttachmentRef>,
}

impl SavedIdentity {
    fn is_valid(&self) -> bool {
        words::is_valid_nama(&self.nama) && words::is_valid_alamat(&self.alamat)
    }
}

/// The citizen's answer to "may we keep your identity?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consent {
    /// Never answered.
    #[default]
    Unknown,
    Granted,
    Declined,
}

/// Where the conversation is.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Phase {
    /// A draft in progress; `field` is the question asked last.
    Asking {
        field: Field,
        #[serde(default)]
        draft: Draft,
    },
    /// A complete draft, shown as a summary, waiting for Kirim / Ubah / Batal.
    Confirming {
        #[serde(default)]
        draft: Draft,
    },
    /// The citizen chose `Ubah` and is picking the field to change.
    ChoosingFieldToEdit {
        #[serde(default)]
        draft: Draft,
    },
    /// A complaint was just registered; may this identity be kept?
    AskingConsent { identity: SavedIdentity },
    /// Nothing in progress. (An unknown `step` in stored JSON also reads as `Idle`;
    /// serde wants that variant last.)
    #[default]
    #[serde(other)]
    Idle,
}

impl Phase {
    /// The draft in progress, if any.
    pub fn draft(&self) -> Option<&Draft> {
        match self {
            Phase::Asking { draft, .. }
            | Phase::Confirming { draft }
            | Phase::ChoosingFieldToEdit { draft } => Some(draft),
            Phase::Idle | Phase::AskingConsent { .. } => None,
        }
    }

    /// The phase that follows a changed draft: the first missing field, or confirmation.
    pub(crate) fn next_for(draft: Draft) -> Phase {
        match draft.missing().first() {
            Some(field) => Phase::Asking {
                field: *field,
                draft,
            },
            None => Phase::Confirming { draft },
        }
    }
}

/// When an attachment to an open complaint was last acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachAck {
    pub ticket: Ticket,
    pub at: Timestamp,
}

/// Everything the machine remembers about one citizen between messages.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ConversationState {
    pub phase: Phase,
    /// When the citizen's last message (other than a reaction) arrived.
    pub last_activity_at: Timestamp,
    /// Whether the one reminder for the current draft was sent.
    pub reminded: bool,
    /// Whether evidence was acknowledged since the citizen's last non-evidence message.
    pub evidence_acknowledged: bool,
    /// The last acknowledgement of a message attached to an open complaint.
    pub attach_acknowledged: Option<AttachAck>,
    /// A draft expired; say so with the next reply.
    pub expired_notice_pending: bool,
}

impl ConversationState {
    /// The draft in progress, if any.
    pub fn draft(&self) -> Option<&Draft> {
        self.phase.draft()
    }

    /// When [`on_timer`] next has something to do, if ever.
    pub fn next_timer(&self, cfg: &IntakeConfig) -> Option<Timestamp> {
        let after = |d: SignedDuration| {
            self.last_activity_at
                .saturating_add(d)
                .unwrap_or(Timestamp::MAX)
        };
        match &self.phase {
            Phase::Idle => None,
            Phase::AskingConsent { .. } => Some(after(cfg.reminder_after)),
            phase => {
                let draft = phase.draft()?;
                let expire = if draft.has_citizen_input() {
                    cfg.expire_after
                } else {
                    cfg.expire_after.min(cfg.reminder_after)
                };
                if !self.reminded && cfg.reminder_after < expire {
                    Some(after(cfg.reminder_after))
                } else {
                    Some(after(expire))
                }
            }
        }
    }

    /// Which invariant this state breaks, if any (see the module documentation).
    pub fn invariant_violation(&self) -> Option<&'static str> {
        match &self.phase {
            Phase::Idle => None,
            Phase::AskingConsent { identity } => {
                (!identity.is_valid()).then_some("the identity to keep does not pass its checks")
            }
            Phase::Asking { field, draft } => {
                if draft.has(*field) {
                    Some("asking for a field the draft already has")
                } else {
                    draft.violation()
                }
            }
            Phase::Confirming { draft } => {
                if draft.is_complete() {
                    draft.violation()
                } else {
                    Some("confirming an incomplete draft")
                }
            }
            Phase::ChoosingFieldToEdit { draft } => draft.violation(),
        }
    }

    /// The same state with every invariant restored: values that fail their checks are
    /// dropped and the phase follows from what is left.
    pub(crate) fn repaired(&self) -> ConversationState {
        let mut state = self.clone();
        state.phase = match std::mem::take(&mut state.phase) {
            Phase::AskingConsent { identity } if identity.is_valid() => {
                Phase::AskingConsent { identity }
            }
            Phase::Idle | Phase::AskingConsent { .. } => Phase::Idle,
            Phase::Asking { field, mut draft } => {
                draft.repair();
                if draft.has(field) {
                    Phase::next_for(draft)
                } else {
                    Phase::Asking { field, draft }
                }
            }
            Phase::Confirming { mut draft } => {
                draft.repair();
                Phase::next_for(draft)
            }
            Phase::ChoosingFieldToEdit { mut draft } => {
                draft.repair();
                Phase::ChoosingFieldToEdit { draft }
            }
        };
        state
    }
}

/// A WhatsApp message as the server hands it to the machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Inbound {
    Text(String),
    /// A reply button or list row the citizen tapped (or a template quick reply, with its
    /// payload as `id`).
    Button {
        id: String,
        title: String,
    },
    Media {
        kind: MediaKind,
        attachment: AttachmentRef,
        caption: Option<String>,
    },
    Location {
        attachment: AttachmentRef,
    },
    Contacts,
    Sticker,
    Reaction,
    Unsupported,
}

/// What the server knows about the citizen when a message arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeContext {
    pub now: Timestamp,
    /// Present only when the citizen consented to keep it.
    pub saved_identity: Option<SavedIdentity>,
    pub consent: Consent,
    /// Complaints of this citizen still being handled, newest first.
    pub open_complaints: Vec<Ticket>,
    /// The WhatsApp profile name: never the legal name, but offered as a button.
    pub profile_name: Option<String>,
}

impl IntakeContext {
    /// A citizen the server knows nothing about.
    pub fn new(now: Timestamp) -> IntakeContext {
        IntakeContext {
            now,
            saved_identity: None,
            consent: Consent::Unknown,
            open_complaints: Vec::new(),
            profile_name: None,
        }
    }
}

/// Something the server must do (see the module documentation for the order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// Create the complaint from this complete draft and send `reply` with the ticket
    /// ([`registered_reply`]).
    Register { draft: Draft, reply: TextKey },
    /// Answer with [`status_reply`]: one ticket, or all open complaints when `None`.
    Status { ticket: Option<Ticket> },
    /// Attach the inbound message to this complaint and show it to staff.
    AttachToComplaint { ticket: Ticket },
    /// Record the consent; keep `identity` when granted, erase any saved identity when
    /// declined (`identity` is then `None`).
    SaveIdentity {
        consent: Consent,
        identity: Option<SavedIdentity>,
    },
    /// Media no draft keeps (dropped draft, replaced KTP photo, evidence beyond
    /// [`MAX_EVIDENCE`]): delete unless a complaint or the saved identity refers to them.
    DiscardAttachments { attachments: Vec<AttachmentRef> },
}

/// What [`handle`] or [`on_timer`] decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub state: ConversationState,
    pub replies: Vec<Reply>,
    pub commands: Vec<Command>,
}

/// Timing of reminders and expiry for abandoned drafts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IntakeConfig {
    /// Since the citizen's last message; default 23 h, so the reminder is still inside
    /// WhatsApp's 24-hour customer-service window.
    pub reminder_after: SignedDuration,
    /// Since the citizen's last message; default 72 h. Not after `reminder_after`: no
    /// reminder, only expiry.
    pub expire_after: SignedDuration,
}

impl Default for IntakeConfig {
    fn default() -> Self {
        IntakeConfig {
            reminder_after: SignedDuration::from_hours(23),
            expire_after: SignedDuration::from_hours(72),
        }
    }
}
