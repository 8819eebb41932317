//! The transitions of the intake conversation: [`handle`] for each inbound message and
//! [`on_timer`] for abandoned drafts. The behaviour is described in the module
//! documentation of [`super`]; this file is its implementation.

use jiff::{SignedDuration, Timestamp};

use crate::nik::Nik;
use crate::texts::TextKey;
use crate::ticket::Ticket;

use super::form::{FormFields, parse_form};
use super::reply::{ListMenu, ListRow, Part, Reply, ReplyButton};
use super::words::{
    self, AlamatProblem, Cmd, alamat_from, append_aduan, clean, is_clearly_description,
    looks_like_description, nama_from, nik_from, parse_command, too_short_key, truncate_chars,
    wants_to_ask,
};
use super::{
    AttachAck, AttachmentRef, Command, Consent, ConversationState, Draft, EvidenceKind, Field,
    Inbound, IntakeConfig, IntakeContext, Kind, MAX_EVIDENCE, MediaKind, Outcome, Phase,
    SavedIdentity, caption_from,
};

/// Button and list-row ids. They come back in the citizen's `button_reply`/`list_reply`.
const BTN_KIRIM: &str = "intake_kirim";
const BTN_UBAH: &str = "intake_ubah";
const BTN_BATAL: &str = "intake_batal";
const BTN_CONSENT_YES: &str = "consent_ya";
const BTN_CONSENT_NO: &str = "consent_tidak";
const BTN_PROFILE_NAME: &str = "nama_profil";
const ROW_BACK: &str = "edit_kembali";
const EDIT_ROWS: [(&str, Field); 5] = [
    ("edit_nama", Field::Nama),
    ("edit_nik", Field::Nik),
    ("edit_alamat", Field::Alamat),
    ("edit_aduan", Field::Aduan),
    ("edit_foto_ktp", Field::FotoKtp),
];

/// Characters of the complaint text shown in the summary (an interactive body has 1024).
const SUMMARY_TEXT_CHARS: usize = 300;
/// How often a message attached to the same open complaint is acknowledged.
const ATTACH_ACK_EVERY: SignedDuration = SignedDuration::from_hours(6);

/// One of the machine's own buttons or list rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tap {
    Kirim,
    Ubah,
    Batal,
    ConsentYes,
    ConsentNo,
    ProfileName,
    EditField(Field),
    EditBack,
}

impl Tap {
    fn of(id: &str) -> Option<Tap> {
        let tap = match id {
            BTN_KIRIM => Tap::Kirim,
            BTN_UBAH => Tap::Ubah,
            BTN_BATAL => Tap::Batal,
            BTN_CONSENT_YES => Tap::ConsentYes,
            BTN_CONSENT_NO => Tap::ConsentNo,
            BTN_PROFILE_NAME => Tap::ProfileName,
            ROW_BACK => Tap::EditBack,
            _ => {
                let (_, field) = EDIT_ROWS.iter().find(|(row, _)| *row == id)?;
                Tap::EditField(*field)
            }
        };
        Some(tap)
    }
}

/// Whether `id` names one of the machine's own buttons or list rows.
#[cfg(test)]
pub(crate) fn is_own_button(id: &str) -> bool {
    Tap::of(id).is_some()
}

/// An inbound message as the machine reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    /// A typed command, with the cleaned text (used when the command means nothing where
    /// the conversation is).
    Command(Cmd, String),
    Tap(Tap),
    /// Cleaned, non-empty text that is not a command.
    Text(String),
    /// A text with nothing visible in it.
    Empty,
    Media {
        kind: MediaKind,
        attachment: AttachmentRef,
        caption: Option<String>,
    },
    Location(AttachmentRef),
    Sticker,
    Contacts,
    Unsupported,
}

impl Event {
    /// `None` for what is ignored altogether (reactions).
    fn of(input: &Inbound) -> Option<Event> {
        let event = match input {
            Inbound::Text(text) => Event::of_text(text),
            Inbound::Button { id, title } => match Tap::of(id) {
                Some(tap) => Event::Tap(tap),
                // A button the machine did not make (e.g. a template's quick reply): its
                // title is what the citizen meant to say.
                None => Event::of_text(title),
            },
            Inbound::Media {
                kind,
                attachment,
                caption,
            } => Event::Media {
                kind: *kind,
                attachment: *attachment,
                caption: caption.clone(),
            },
            Inbound::Location { attachment } => Event::Location(*attachment),
            Inbound::Contacts => Event::Contacts,
            Inbound::Sticker => Event::Sticker,
            Inbound::Unsupported => Event::Unsupported,
            Inbound::Reaction => return None,
        };
        Some(event)
    }

    fn of_text(text: &str) -> Event {
        let text = clean(text);
        if text.is_empty() {
            return Event::Empty;
        }
        match parse_command(&text) {
            Some(cmd) => Event::Command(cmd, text),
            None => Event::Text(text),
        }
    }

    fn is_evidence(&self) -> bool {
        matches!(self, Event::Media { .. } | Event::Location(_))
    }
}

/// Where a draft phase is, without its draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    Asking(Field),
    Confirming,
    Choosing,
}

impl At {
    fn split(phase: Phase) -> Option<(At, Draft)> {
        match phase {
            Phase::Asking { field, draft } => Some((At::Asking(field), draft)),
            Phase::Confirming { draft } => Some((At::Confirming, draft)),
            Phase::ChoosingFieldToEdit { draft } => Some((At::Choosing, draft)),
            Phase::Idle | Phase::AskingConsent { .. } => None,
        }
    }

    /// Puts the draft back where it was, unless the draft changed so that this place is
    /// no longer right (then the next missing field, or confirmation).
    fn join(self, draft: Draft) -> Phase {
        match self {
            At::Asking(field) if !draft.has(field) => Phase::Asking { field, draft },
            At::Choosing => Phase::ChoosingFieldToEdit { draft },
            At::Asking(_) | At::Confirming => Phase::next_for(draft),
        }
    }
}

/// How a new draft starts.
enum Start {
    /// `BARU`, `TANYA`, a greeting, a blank message.
    Fresh,
    /// A first text that is not a command.
    Text(String),
    /// A first media or location.
    Evidence {
        kind: EvidenceKind,
        attachment: AttachmentRef,
        caption: Option<String>,
    },
}

impl Start {
    /// A first media or location (anything else starts fresh).
    fn evidence(event: Event) -> Start {
        match event {
            Event::Media {
                kind,
                attachment,
                caption,
            } => Start::Evidence {
                kind: kind.into(),
                attachment,
                caption,
            },
            Event::Location(attachment) => Start::Evidence {
                kind: EvidenceKind::Location,
                attachment,
                caption: None,
            },
            _ => Start::Fresh,
        }
    }
}

/// The result of reading a form into a draft.
struct FormResult {
    /// Said before the next question (e.g. "NIK outside Magetan").
    notes: Vec<Part>,
    /// The first field whose value was refused, with the explanation that asks again.
    problem: Option<(Field, Part)>,
}

/// Handles one inbound message. Never panics; the returned state keeps every invariant
/// (see [`ConversationState::invariant_violation`]).
pub fn handle(state: &ConversationState, input: &Inbound, ctx: &IntakeContext) -> Outcome {
    let mut state = state.repaired();
    let Some(event) = Event::of(input) else {
        return Outcome {
            state,
            replies: Vec::new(),
            commands: Vec::new(),
        };
    };
    state.last_activity_at = ctx.now;
    state.reminded = false;
    if !event.is_evidence() {
        state.evidence_acknowledged = false;
    }
    let phase = std::mem::take(&mut state.phase);
    let mut machine = Machine {
        ctx,
        state,
        replies: Vec::new(),
        commands: Vec::new(),
    };
    let phase = machine.on_event(phase, event);
    machine.state.phase = phase;
    if std::mem::take(&mut machine.state.expired_notice_pending) {
        let notice = Part::new(TextKey::IntakeDraftExpired);
        match machine.replies.first_mut() {
            Some(first) => first.parts.insert(0, notice),
            None => machine.replies.push(Reply::of(notice)),
        }
    }
    Outcome {
        state: machine.state,
        replies: machine.replies,
        commands: machine.commands,
    }
}

/// The timer for abandoned drafts: one reminder after `cfg.reminder_after`, expiry after
/// `cfg.expire_after` (both since the citizen's last message). `None` when nothing is due;
/// calling it again at the same time after applying its outcome gives `None`.
pub fn on_timer(state: &ConversationState, now: Timestamp, cfg: &IntakeConfig) -> Option<Outcome> {
    let mut state = state.repaired();
    let elapsed = now.duration_since(state.last_activity_at);
    let phase = std::mem::take(&mut state.phase);
    match phase {
        Phase::Idle => None,
        Phase::AskingConsent { .. } => (elapsed >= cfg.reminder_after).then(|| Outcome {
            state,
            replies: Vec::new(),
            commands: Vec::new(),
        }),
        phase => {
            let draft = phase.draft()?;
            let has_input = draft.has_citizen_input();
            let expire_after = if has_input {
                cfg.expire_after
            } else {
                cfg.expire_after.min(cfg.reminder_after)
            };
            if elapsed >= expire_after {
                let attachments = draft.own_attachments();
                state.expired_notice_pending = has_input;
                state.reminded = false;
                state.evidence_acknowledged = false;
                let commands = if attachments.is_empty() {
                    Vec::new()
                } else {
                    vec![Command::DiscardAttachments { attachments }]
                };
                return Some(Outcome {
                    state,
                    replies: Vec::new(),
                    commands,
                });
            }
            if state.reminded || elapsed < cfg.reminder_after {
                return None;
            }
            let reminder =
                short_prompt(&phase, None).after(vec![Part::new(TextKey::IntakeReminder)]);
            state.reminded = true;
            state.phase = phase;
            Some(Outcome {
                state,
                replies: vec![reminder],
                commands: Vec::new(),
            })
        }
    }
}

struct Machine<'c> {
    ctx: &'c IntakeContext,
    /// Everything but the phase, which moves through the handlers by value.
    state: ConversationState,
    replies: Vec<Reply>,
    commands: Vec<Command>,
}

impl Machine<'_> {
    fn on_event(&mut self, phase: Phase, event: Event) -> Phase {
        match phase {
            Phase::Idle => self.on_idle(event),
            Phase::AskingConsent { identity } => self.on_consent(identity, event),
            phase => match At::split(phase) {
                Some((at, draft)) => self.on_draft(at, draft, event),
                None => self.on_idle(event),
            },
        }
    }

    fn reply(&mut self, reply: Reply) {
        self.replies.push(reply);
    }

    fn profile_name(&self) -> Option<&str> {
        self.ctx.profile_name.as_deref()
    }

    // ---- Nothing in progress ----------------------------------------------------------

    fn on_idle(&mut self, event: Event) -> Phase {
        let open = self.ctx.open_complaints.first().copied();
        match event {
            Event::Command(cmd, text) => match cmd {
                Cmd::Status(ticket) => {
                    self.commands.push(Command::Status { ticket });
                    Phase::Idle
                }
                Cmd::Help => {
                    self.reply(Reply::text(TextKey::HelpMenu));
                    Phase::Idle
                }
                Cmd::Cancel => {
                    self.reply(Reply::text(TextKey::IntakeNothingToCancel));
                    Phase::Idle
                }
                Cmd::New | Cmd::Complain => self.start(Start::Fresh, Kind::Aduan, false),
                Cmd::Ask => self.start(Start::Fresh, Kind::Pertanyaan, false),
                Cmd::EditIdentity => self.start(Start::Fresh, Kind::Aduan, true),
                Cmd::ForgetIdentity => {
                    self.forget_identity();
                    self.reply(Reply::text(TextKey::IdentityForgotten));
                    Phase::Idle
                }
                // "ya", "ok", "ubah" with nothing to confirm or change: just words.
                Cmd::Yes | Cmd::No | Cmd::Edit | Cmd::Back => self.on_idle(Event::Text(text)),
            },
            Event::Tap(Tap::Batal) => {
                self.reply(Reply::text(TextKey::IntakeNothingToCancel));
                Phase::Idle
            }
            Event::Tap(_) => {
                self.reply(Reply::text(TextKey::IdleHint));
                Phase::Idle
            }
            Event::Text(text) => match open {
                Some(ticket) if !starts_new_complaint(&parse_form(&text)) => {
                    self.attach(ticket);
                    Phase::Idle
                }
                _ => self.start(Start::Text(text), Kind::Aduan, false),
            },
            Event::Empty => match open {
                Some(_) => Phase::Idle,
                None => self.start(Start::Fresh, Kind::Aduan, false),
            },
            event @ (Event::Media { .. } | Event::Location(_)) => match open {
                Some(ticket) => {
                    self.attach(ticket);
                    Phase::Idle
                }
                None => self.start(Start::evidence(event), Kind::Aduan, false),
            },
            Event::Sticker => {
                // A sticker after an answer is usually thanks: no reply while a complaint
                // is being handled.
                if open.is_none() {
                    self.reply(Reply::text(TextKey::StickerAnswer));
                }
                Phase::Idle
            }
            Event::Contacts => {
                match open {
                    Some(ticket) => self.attach(ticket),
                    None => self.reply(Reply::text(TextKey::UnsupportedMessage)),
                }
                Phase::Idle
            }
            Event::Unsupported => {
                self.reply(Reply::text(TextKey::UnsupportedMessage));
                Phase::Idle
            }
        }
    }

    /// A message about a complaint being handled: attached, acknowledged now and then.
    fn attach(&mut self, ticket: Ticket) {
        self.commands.push(Command::AttachToComplaint { ticket });
        let due = self.state.attach_acknowledged.as_ref().is_none_or(|ack| {
            ack.ticket != ticket || self.ctx.now.duration_since(ack.at) >= ATTACH_ACK_EVERY
        });
        if due {
            self.reply(Reply::of(
                Part::new(TextKey::AttachedToComplaint).with("ticket", ticket.to_string()),
            ));
            self.state.attach_acknowledged = Some(AttachAck {
                ticket,
                at: self.ctx.now,
            });
        }
    }

    /// Starts a draft: ONE greeting message that ends with the first question (plus the
    /// summary as a second message when the draft is already complete).
    fn start(&mut self, first: Start, kind: Kind, skip_saved_identity: bool) -> Phase {
        let mut draft = Draft {
            kind,
            ..Draft::default()
        };
        let returning = !skip_saved_identity && self.prefill(&mut draft);
        let mut greeting = match kind {
            Kind::Aduan => TextKey::IntakeGreeting,
            Kind::Pertanyaan => TextKey::IntakeGreetingPertanyaan,
        };
        let mut notes = Vec::new();
        let mut problem = None;
        match first {
            Start::Fresh => {}
            Start::Text(text) => {
                let form = parse_form(&text);
                if form.is_form() {
                    let result = apply_form(&mut draft, form);
                    greeting = TextKey::IntakeGreetingWithForm;
                    notes = result.notes;
                    problem = result.problem;
                } else if wants_to_ask(&text) {
                    draft.kind = Kind::Pertanyaan;
                    greeting = TextKey::IntakeGreetingPertanyaan;
                } else if looks_like_description(&text)
                    && let Some(aduan) = words::aduan_from(&text)
                {
                    draft.aduan = Some(aduan);
                    greeting = TextKey::IntakeGreetingWithAduan;
                }
            }
            Start::Evidence {
                kind,
                attachment,
                caption,
            } => {
                if kind == EvidenceKind::Image && draft.ktp.is_none() {
                    draft.ktp = Some(attachment);
                    notes.push(Part::new(TextKey::IntakeKtpReceived));
                } else {
                    self.add_evidence(&mut draft, kind, attachment, caption.as_deref());
                    self.state.evidence_acknowledged = true;
                    notes.push(Part::new(TextKey::IntakeEvidenceReceived));
                }
            }
        }
        let mut lead = Vec::new();
        if returning {
            lead.push(Self::returning_greeting(&draft));
            match greeting {
                TextKey::IntakeGreetingWithForm => {
                    lead.push(Part::new(TextKey::IntakeFormReceived));
                }
                TextKey::IntakeGreetingWithAduan => lead.push(Part::new(TextKey::IntakeAduanNoted)),
                TextKey::IntakeGreetingPertanyaan => {
                    lead.push(Part::new(TextKey::IntakeKindPertanyaan));
                }
                _ => {}
            }
        } else {
            lead.push(Part::new(greeting));
        }
        lead.append(&mut notes);
        if let Some((field, part)) = problem {
            self.reply(Reply::of(part).after(lead));
            return Phase::Asking { field, draft };
        }
        let next = Phase::next_for(draft);
        if let Phase::Asking { .. } = next {
            // The greeting is longer than an interactive body may be: no buttons here.
            let mut question = prompt(&next, None);
            question.buttons.clear();
            self.reply(question.after(lead));
        } else {
            self.reply(Reply {
                parts: lead,
                buttons: Vec::new(),
                list: None,
            });
            self.reply(prompt(&next, None));
        }
        next
    }

    /// Fills the draft from the saved identity when the citizen consented; whether it did.
    fn prefill(&self, draft: &mut Draft) -> bool {
        let Some(saved) = &self.ctx.saved_identity else {
            return false;
        };
        if self.ctx.consent != Consent::Granted || !saved.is_valid() {
            return false;
        }
        draft.nama = Some(saved.nama.clone());
        draft.set_nik(Some(saved.nik.clone()));
        draft.alamat = Some(saved.alamat.clone());
        draft.ktp = saved.ktp;
        draft.identity_from_profile = true;
        true
    }

    fn returning_greeting(draft: &Draft) -> Part {
        Part::new(TextKey::IntakeGreetingReturning)
            .with("nama", draft.nama.clone().unwrap_or_default())
            .with(
                "nik",
                draft.nik.as_ref().map(Nik::masked).unwrap_or_default(),
            )
    }

    fn forget_identity(&mut self) {
        self.commands.push(Command::SaveIdentity {
            consent: Consent::Declined,
            identity: None,
        });
    }

    // ---- After registration: may the identity be kept? ---------------------------------

    fn on_consent(&mut self, identity: SavedIdentity, event: Event) -> Phase {
        match event {
            Event::Command(Cmd::Yes, _) | Event::Tap(Tap::ConsentYes) => {
                self.commands.push(Command::SaveIdentity {
                    consent: Consent::Granted,
                    identity: Some(identity),
                });
                self.reply(Reply::text(TextKey::ConsentGranted));
                Phase::Idle
            }
            Event::Command(Cmd::No | Cmd::Cancel, _) | Event::Tap(Tap::ConsentNo) => {
                self.forget_identity();
                self.reply(Reply::text(TextKey::ConsentDeclined));
                Phase::Idle
            }
            // Not an answer: the question lapses and the message is handled as usual.
            other => self.on_idle(other),
        }
    }

    // ---- A draft in progress ----------------------------------------------------------

    fn on_draft(&mut self, at: At, mut draft: Draft, event: Event) -> Phase {
        // While choosing, "4", "aduan" or "pertanyaan" pick a field (not a kind).
        if at == At::Choosing
            && let Event::Command(_, text) | Event::Text(text) = &event
            && let Some(field) = field_choice(text)
        {
            return self.edit(draft, field);
        }
        match event {
            Event::Command(cmd, text) => self.on_draft_command(at, draft, cmd, &text),
            Event::Tap(tap) => match tap {
                Tap::Kirim => self.confirm(at, draft),
                Tap::Ubah => self.choose(draft),
                Tap::Batal => self.cancel(&draft),
                Tap::EditField(field) => self.edit(draft, field),
                Tap::EditBack => self.back(at, draft),
                Tap::ProfileName => match (at, self.profile_name().and_then(nama_from)) {
                    (At::Asking(Field::Nama), Some(nama)) => {
                        draft.nama = Some(nama);
                        draft.identity_from_profile = false;
                        self.advance(at, draft, Vec::new())
                    }
                    _ => self.resume(at, draft, TextKey::IntakeResume),
                },
                Tap::ConsentYes | Tap::ConsentNo => self.resume(at, draft, TextKey::IntakeResume),
            },
            Event::Text(text) => self.on_text(at, draft, &text),
            Event::Empty | Event::Sticker => self.resume(at, draft, TextKey::IntakeResume),
            Event::Contacts | Event::Unsupported => {
                self.resume(at, draft, TextKey::UnsupportedMessage)
            }
            Event::Media {
                kind,
                attachment,
                caption,
            } => {
                if kind == MediaKind::Image && draft.ktp.is_none() {
                    // The first image while the KTP photo is missing is the KTP photo; its
                    // caption is not evidence.
                    draft.ktp = Some(attachment);
                    self.advance(at, draft, vec![Part::new(TextKey::IntakeKtpReceived)])
                } else {
                    self.evidence(at, draft, kind.into(), attachment, caption.as_deref())
                }
            }
            Event::Location(attachment) => {
                self.evidence(at, draft, EvidenceKind::Location, attachment, None)
            }
        }
    }

    fn on_draft_command(&mut self, at: At, mut draft: Draft, cmd: Cmd, text: &str) -> Phase {
        match cmd {
            Cmd::Status(ticket) => {
                self.commands.push(Command::Status { ticket });
                self.resume(at, draft, TextKey::IntakeResume)
            }
            Cmd::Help => {
                self.reply(Reply::text(TextKey::HelpMenu));
                self.resume(at, draft, TextKey::IntakeResume)
            }
            Cmd::Cancel => self.cancel(&draft),
            Cmd::New => {
                let had_input = draft.has_citizen_input();
                self.discard(&draft);
                let phase = self.start(Start::Fresh, Kind::Aduan, false);
                if had_input && let Some(first) = self.replies.first_mut() {
                    first.parts.insert(0, Part::new(TextKey::IntakeRestarted));
                }
                phase
            }
            Cmd::Ask | Cmd::Complain => {
                let (kind, key) = if cmd == Cmd::Ask {
                    (Kind::Pertanyaan, TextKey::IntakeKindPertanyaan)
                } else {
                    (Kind::Aduan, TextKey::IntakeKindAduan)
                };
                draft.kind = kind;
                let phase = at.join(draft);
                self.reply(prompt(&phase, self.profile_name()).after(vec![Part::new(key)]));
                phase
            }
            Cmd::EditIdentity => {
                self.discard_ktp(&draft);
                for field in [Field::Nama, Field::Nik, Field::Alamat, Field::FotoKtp] {
                    draft.clear(field);
                }
                self.advance_to_next(draft, vec![Part::new(TextKey::IntakeIdentityReset)])
            }
            Cmd::ForgetIdentity => {
                self.forget_identity();
                self.resume(at, draft, TextKey::IdentityForgotten)
            }
            Cmd::Yes => self.confirm(at, draft),
            Cmd::Edit => self.choose(draft),
            Cmd::Back => self.back(at, draft),
            Cmd::No => match at {
                // "tidak" may well answer the question asked.
                At::Asking(_) => self.on_text(at, draft, text),
                At::Confirming => self.repeat(at, draft),
                At::Choosing => self.back(at, draft),
            },
        }
    }

    fn on_text(&mut self, at: At, mut draft: Draft, text: &str) -> Phase {
        let form = parse_form(text);
        if form.is_form() {
            let result = apply_form(&mut draft, form);
            let mut lead = vec![Part::new(TextKey::IntakeFormReceived)];
            lead.extend(result.notes);
            if let Some((field, part)) = result.problem {
                self.reply(Reply::of(part).after(lead));
                return Phase::Asking { field, draft };
            }
            return self.advance_to_next(draft, lead);
        }
        match at {
            At::Asking(field) => self.answer(field, draft, text),
            At::Confirming => {
                if is_clearly_description(text)
                    && let Some(aduan) = append_aduan(draft.aduan.as_deref(), text)
                {
                    draft.aduan = Some(aduan);
                    self.advance(at, draft, vec![Part::new(TextKey::IntakeAduanAppended)])
                } else {
                    self.repeat(at, draft)
                }
            }
            At::Choosing => self.repeat(at, draft),
        }
    }

    /// The citizen's answer to the question about `field`.
    fn answer(&mut self, field: Field, mut draft: Draft, text: &str) -> Phase {
        let at = At::Asking(field);
        match field {
            Field::Nama => match nama_from(text) {
                Some(nama) => {
                    draft.nama = Some(nama);
                    draft.identity_from_profile = false;
                    self.advance(at, draft, Vec::new())
                }
                None => self.misplaced(field, draft, text, Part::new(TextKey::IntakeNamaInvalid)),
            },
            Field::Nik => match nik_from(text) {
                Ok(nik) => {
                    let notes = outside_note(&nik);
                    draft.set_nik(Some(nik));
                    draft.identity_from_profile = false;
                    self.advance(at, draft, notes)
                }
                Err(e) => {
                    let part = Part::new(TextKey::IntakeNikInvalid).with("reason", e.to_string());
                    let digits = text.chars().filter(char::is_ascii_digit).count();
                    if digits < 8 {
                        self.misplaced(field, draft, text, part)
                    } else {
                        self.reply(Reply::of(part));
                        Phase::Asking { field, draft }
                    }
                }
            },
            Field::Alamat => match alamat_from(text) {
                Ok(alamat) => {
                    draft.alamat = Some(alamat);
                    draft.identity_from_profile = false;
                    self.advance(at, draft, Vec::new())
                }
                Err(AlamatProblem::TooLong | AlamatProblem::TooShort) => {
                    self.misplaced(field, draft, text, Part::new(TextKey::IntakeAlamatInvalid))
                }
            },
            Field::Aduan => {
                if let Some(aduan) = words::aduan_from(text) {
                    draft.aduan = Some(aduan);
                    self.advance(at, draft, Vec::new())
                } else {
                    self.reply(Reply::text(too_short_key(draft.kind)));
                    Phase::Asking { field, draft }
                }
            }
            Field::FotoKtp => {
                self.misplaced(field, draft, text, Part::new(TextKey::IntakeFotoKtpNeeded))
            }
        }
    }

    /// A text that does not answer the question about `field`: a real sentence about the
    /// problem joins the complaint text (and the question is asked again); anything else
    /// gets `problem`, which explains and asks again.
    fn misplaced(&mut self, field: Field, mut draft: Draft, text: &str, problem: Part) -> Phase {
        if is_clearly_description(text)
            && let Some(aduan) = append_aduan(draft.aduan.as_deref(), text)
        {
            let note = if draft.aduan.is_some() {
                TextKey::IntakeAduanAppended
            } else {
                TextKey::IntakeAduanNoted
            };
            draft.aduan = Some(aduan);
            return self.advance(At::Asking(field), draft, vec![Part::new(note)]);
        }
        self.reply(Reply::of(problem));
        Phase::Asking { field, draft }
    }

    /// Evidence joins the draft; acknowledged once per burst.
    fn evidence(
        &mut self,
        at: At,
        mut draft: Draft,
        kind: EvidenceKind,
        attachment: AttachmentRef,
        caption: Option<&str>,
    ) -> Phase {
        self.add_evidence(&mut draft, kind, attachment, caption);
        let phase = at.join(draft);
        if !self.state.evidence_acknowledged {
            self.state.evidence_acknowledged = true;
            self.reply(
                short_prompt(&phase, self.profile_name())
                    .after(vec![Part::new(TextKey::IntakeEvidenceReceived)]),
            );
        }
        phase
    }

    fn add_evidence(
        &mut self,
        draft: &mut Draft,
        kind: EvidenceKind,
        attachment: AttachmentRef,
        caption: Option<&str>,
    ) {
        if draft.evidence.len() >= MAX_EVIDENCE {
            self.commands.push(Command::DiscardAttachments {
                attachments: vec![attachment],
            });
            return;
        }
        draft.evidence.push(super::Evidence {
            kind,
            attachment,
            caption: caption.and_then(caption_from),
        });
    }

    /// `Kirim` / `YA`: registers a complete draft waiting for confirmation; anywhere else
    /// says what is still missing.
    fn confirm(&mut self, at: At, draft: Draft) -> Phase {
        match at {
            At::Confirming if draft.is_complete() => self.register(draft),
            At::Choosing => self.back(at, draft),
            At::Asking(_) | At::Confirming => {
                let phase = at.join(draft);
                self.reply(
                    prompt(&phase, self.profile_name())
                        .after(vec![Part::new(TextKey::IntakeNotComplete)]),
                );
                phase
            }
        }
    }

    fn register(&mut self, draft: Draft) -> Phase {
        let reply = match draft.kind {
            Kind::Aduan => TextKey::IntakeRegistered,
            Kind::Pertanyaan => TextKey::IntakeRegisteredPertanyaan,
        };
        let identity = draft.identity().filter(SavedIdentity::is_valid);
        let from_profile = draft.identity_from_profile;
        self.commands.push(Command::Register { draft, reply });
        let Some(identity) = identity else {
            return Phase::Idle;
        };
        match self.ctx.consent {
            Consent::Unknown => {
                self.reply(Reply {
                    buttons: vec![
                        button(BTN_CONSENT_YES, "Ya, simpan"),
                        button(BTN_CONSENT_NO, "Tidak"),
                    ],
                    ..Reply::text(TextKey::ConsentQuestion)
                });
                Phase::AskingConsent { identity }
            }
            Consent::Granted => {
                if !from_profile || self.ctx.saved_identity.as_ref() != Some(&identity) {
                    self.commands.push(Command::SaveIdentity {
                        consent: Consent::Granted,
                        identity: Some(identity),
                    });
                }
                Phase::Idle
            }
            Consent::Declined => Phase::Idle,
        }
    }

    fn choose(&mut self, draft: Draft) -> Phase {
        let phase = Phase::ChoosingFieldToEdit { draft };
        self.reply(prompt(&phase, None));
        phase
    }

    /// The citizen picked `field` to change: its value goes and the question comes.
    fn edit(&mut self, mut draft: Draft, field: Field) -> Phase {
        if field == Field::FotoKtp {
            self.discard_ktp(&draft);
        }
        draft.clear(field);
        let phase = Phase::Asking { field, draft };
        self.reply(prompt(&phase, self.profile_name()));
        phase
    }

    fn back(&mut self, at: At, draft: Draft) -> Phase {
        let phase = match at {
            At::Choosing => Phase::next_for(draft),
            At::Asking(_) | At::Confirming => at.join(draft),
        };
        self.reply(prompt(&phase, self.profile_name()));
        phase
    }

    fn cancel(&mut self, draft: &Draft) -> Phase {
        self.discard(draft);
        self.reply(Reply::text(TextKey::IntakeCancelled));
        Phase::Idle
    }

    fn discard(&mut self, draft: &Draft) {
        let attachments = draft.own_attachments();
        if !attachments.is_empty() {
            self.commands
                .push(Command::DiscardAttachments { attachments });
        }
    }

    /// A KTP photo about to be replaced, unless it belongs to the saved identity.
    fn discard_ktp(&mut self, draft: &Draft) {
        if let Some(old) = draft.ktp
            && !draft.identity_from_profile
        {
            self.commands.push(Command::DiscardAttachments {
                attachments: vec![old],
            });
        }
    }

    /// Says `lead`, then asks again where the conversation is (a short prompt when
    /// confirming).
    fn resume(&mut self, at: At, draft: Draft, lead: TextKey) -> Phase {
        let phase = at.join(draft);
        self.reply(short_prompt(&phase, self.profile_name()).after(vec![Part::new(lead)]));
        phase
    }

    /// Asks again where the conversation is, for words that fit nowhere.
    fn repeat(&mut self, at: At, draft: Draft) -> Phase {
        let phase = at.join(draft);
        self.reply(short_prompt(&phase, self.profile_name()));
        phase
    }

    /// After a change: stay on the question asked if it is still unanswered, else go on.
    fn advance(&mut self, at: At, draft: Draft, lead: Vec<Part>) -> Phase {
        let phase = at.join(draft);
        self.reply(prompt(&phase, self.profile_name()).after(lead));
        phase
    }

    /// After a change: the first missing field, or confirmation.
    fn advance_to_next(&mut self, draft: Draft, lead: Vec<Part>) -> Phase {
        let phase = Phase::next_for(draft);
        self.reply(prompt(&phase, self.profile_name()).after(lead));
        phase
    }
}

/// Whether a text from a citizen with a complaint being handled starts a new complaint
/// rather than adding to the open one: a one-shot form with the complaint text or with
/// two or more fields.
fn starts_new_complaint(form: &FormFields) -> bool {
    form.labels >= 2 || (form.is_form() && form.aduan.is_some())
}

/// Reads a form into the draft: accepted values replace the old ones, refused values are
/// removed (they are asked again, the first one right away).
fn apply_form(draft: &mut Draft, form: FormFields) -> FormResult {
    let mut notes = Vec::new();
    let mut problems: Vec<(Field, Part)> = Vec::new();
    if let Some(kind) = form.kind {
        draft.kind = kind;
    }
    if let Some(raw) = form.nama {
        if let Some(nama) = nama_from(&raw) {
            draft.nama = Some(nama);
            draft.identity_from_profile = false;
        } else {
            draft.clear(Field::Nama);
            problems.push((Field::Nama, Part::new(TextKey::IntakeNamaInvalid)));
        }
    }
    if let Some(raw) = form.nik {
        match nik_from(&raw) {
            Ok(nik) => {
                notes.extend(outside_note(&nik));
                draft.set_nik(Some(nik));
                draft.identity_from_profile = false;
            }
            Err(e) => {
                draft.clear(Field::Nik);
                problems.push((
                    Field::Nik,
                    Part::new(TextKey::IntakeNikInvalid).with("reason", e.to_string()),
                ));
            }
        }
    }
    if let Some(raw) = form.alamat {
        if let Ok(alamat) = alamat_from(&raw) {
            draft.alamat = Some(alamat);
            draft.identity_from_profile = false;
        } else {
            draft.clear(Field::Alamat);
            problems.push((Field::Alamat, Part::new(TextKey::IntakeAlamatInvalid)));
        }
    }
    if let Some(raw) = form.aduan {
        if let Some(aduan) = words::aduan_from(&raw) {
            draft.aduan = Some(aduan);
        } else {
            draft.clear(Field::Aduan);
            problems.push((Field::Aduan, Part::new(too_short_key(draft.kind))));
        }
    } else if draft.aduan.is_none()
        && let Some(text) = form.unlabelled
        && looks_like_description(&text)
    {
        draft.aduan = words::aduan_from(&text);
    }
    FormResult {
        notes,
        problem: problems.into_iter().next(),
    }
}

fn outside_note(nik: &Nik) -> Vec<Part> {
    if nik.is_magetan() {
        Vec::new()
    } else {
        vec![Part::new(TextKey::IntakeNikOutsideMagetan)]
    }
}

/// A typed choice of the field to change: its number or its name.
fn field_choice(text: &str) -> Option<Field> {
    let choice = words::one_line(text.trim_matches(|c: char| !c.is_alphanumeric())).to_lowercase();
    let field = match choice.as_str() {
        "1" | "nama" | "nama lengkap" => Field::Nama,
        "2" | "nik" | "no ktp" | "nomor nik" => Field::Nik,
        "3" | "alamat" => Field::Alamat,
        "4" | "aduan" | "isi aduan" | "pertanyaan" | "isi pertanyaan" | "keluhan" | "isi" => {
            Field::Aduan
        }
        "5" | "ktp" | "foto ktp" | "foto" => Field::FotoKtp,
        _ => return None,
    };
    Some(field)
}

fn button(id: &str, title: &str) -> ReplyButton {
    ReplyButton {
        id: id.to_owned(),
        title: title.to_owned(),
    }
}

fn ask_key(field: Field, kind: Kind) -> TextKey {
    match (field, kind) {
        (Field::Nama, _) => TextKey::IntakeAskNama,
        (Field::Nik, _) => TextKey::IntakeAskNik,
        (Field::Alamat, _) => TextKey::IntakeAskAlamat,
        (Field::Aduan, Kind::Aduan) => TextKey::IntakeAskAduan,
        (Field::Aduan, Kind::Pertanyaan) => TextKey::IntakeAskPertanyaan,
        (Field::FotoKtp, _) => TextKey::IntakeAskFotoKtp,
    }
}

fn confirm_buttons() -> Vec<ReplyButton> {
    vec![
        button(BTN_KIRIM, "Kirim"),
        button(BTN_UBAH, "Ubah"),
        button(BTN_BATAL, "Batal"),
    ]
}

/// The question or choice where the conversation is. When the name is asked and the
/// WhatsApp profile name could be one, it is offered as a button (never assumed).
fn prompt(phase: &Phase, profile_name: Option<&str>) -> Reply {
    match phase {
        Phase::Asking { field, draft } => {
            let mut reply = Reply::text(ask_key(*field, draft.kind));
            if *field == Field::Nama
                && let Some(nama) = profile_name.and_then(nama_from)
                && nama.chars().count() <= super::MAX_BUTTON_TITLE_CHARS
            {
                reply.buttons.push(button(BTN_PROFILE_NAME, &nama));
            }
            reply
        }
        Phase::Confirming { draft } => summary(draft),
        Phase::ChoosingFieldToEdit { draft } => choose_reply(draft.kind),
        Phase::Idle | Phase::AskingConsent { .. } => Reply::text(TextKey::IdleHint),
    }
}

/// Like [`prompt`], but a draft waiting for confirmation gets the short reminder of the
/// options instead of the whole summary again.
fn short_prompt(phase: &Phase, profile_name: Option<&str>) -> Reply {
    match phase {
        Phase::Confirming { .. } => Reply {
            buttons: confirm_buttons(),
            ..Reply::text(TextKey::IntakeConfirmHint)
        },
        _ => prompt(phase, profile_name),
    }
}

fn summary(draft: &Draft) -> Reply {
    let key = match draft.kind {
        Kind::Aduan => TextKey::IntakeSummary,
        Kind::Pertanyaan => TextKey::IntakeSummaryPertanyaan,
    };
    let or_dash = |v: Option<&str>| v.unwrap_or("-").to_owned();
    let part = Part::new(key)
        .with("nama", or_dash(draft.nama.as_deref()))
        .with(
            "nik",
            draft
                .nik
                .as_ref()
                .map_or_else(|| "-".to_owned(), Nik::masked),
        )
        .with("alamat", or_dash(draft.alamat.as_deref()))
        .with(
            "isi",
            truncate_chars(draft.aduan.as_deref().unwrap_or("-"), SUMMARY_TEXT_CHARS),
        )
        .with("lampiran", draft.evidence.len().to_string());
    Reply {
        buttons: confirm_buttons(),
        ..Reply::of(part)
    }
}

fn choose_reply(kind: Kind) -> Reply {
    let row = |id: &str, title: &str| ListRow {
        id: id.to_owned(),
        title: title.to_owned(),
        description: String::new(),
    };
    let text_title = match kind {
        Kind::Aduan => "Isi aduan",
        Kind::Pertanyaan => "Pertanyaan",
    };
    let titles = ["Nama", "NIK", "Alamat", text_title, "Foto KTP"];
    let mut rows: Vec<ListRow> = EDIT_ROWS
        .iter()
        .zip(titles)
        .map(|((id, _), title)| row(id, title))
        .collect();
    rows.push(row(ROW_BACK, "Kembali"));
    Reply {
        list: Some(ListMenu {
            button: "Pilih data".to_owned(),
            rows,
        }),
        ..Reply::text(TextKey::IntakeChooseField)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_button_id_maps_back_to_its_tap() {
        for (id, tap) in [
            (BTN_KIRIM, Tap::Kirim),
            (BTN_UBAH, Tap::Ubah),
            (BTN_BATAL, Tap::Batal),
            (BTN_CONSENT_YES, Tap::ConsentYes),
            (BTN_CONSENT_NO, Tap::ConsentNo),
            (BTN_PROFILE_NAME, Tap::ProfileName),
            (ROW_BACK, Tap::EditBack),
            ("edit_foto_ktp", Tap::EditField(Field::FotoKtp)),
        ] {
            assert_eq!(Tap::of(id), Some(tap));
        }
        assert_eq!(Tap::of("something_else"), None);
    }

    #[test]
    fn the_choice_list_and_the_summary_keep_whatsapp_s_limits() {
        for kind in [Kind::Aduan, Kind::Pertanyaan] {
            assert_eq!(choose_reply(kind).limit_violation(), None);
            assert_eq!(
                summary(&Draft {
                    kind,
                    ..Draft::default()
                })
                .limit_violation(),
                None
            );
        }
    }

    #[test]
    fn typed_field_choices_are_understood() {
        assert_eq!(field_choice("2"), Some(Field::Nik));
        assert_eq!(field_choice("Foto KTP"), Some(Field::FotoKtp));
        assert_eq!(field_choice("4."), Some(Field::Aduan));
        assert_eq!(field_choice("tujuh"), None);
    }
}
