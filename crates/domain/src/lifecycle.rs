//! The complaint lifecycle: SOP steps 2–7 as a state machine.
//!
//! A complaint is in one [`Status`]; an [`Actor`] performs an [`Action`]; the pure
//! [`apply`] either refuses with a typed [`TransitionError`] or returns a [`Transition`]:
//! the new status plus the [`Effect`]s the server carries out in the same database
//! transaction (create assignments, notify the citizen or an official's queue, start and
//! finish SLA steps). `apply` never reads the clock, the database or the network.
//!
//! The SOP chain, with who acts (superadmin may act in any staff capacity):
//!
//! ```text
//! submitted ──verify (admin)──▶ at_kabid ──forward (kabid)──▶ at_kadis
//!   │  ▲  └─request_completion (admin)─▶ incomplete ──withdraw (system)──▶ withdrawn
//!   │  └────────────citizen_completed (citizen | system)──────┘
//!   └─reject (admin; also from incomplete)──▶ rejected
//! at_kadis ──dispatch {opds, note} (kadis)──▶ dispatched  (one assignment per agency;
//!           kadis may dispatch more agencies while dispatched)
//! dispatched ──answer / decline (opd, on its own pending assignment)──▶ … see below
//! answer_at_kadis ──pass_answer (kadis)──▶ answer_at_kabid ──pass_answer (kabid)──▶
//! answer_at_admin ──send_reply {text?} (admin)──▶ closed
//! closed ──reopen {reason} (citizen, within 7 days)──▶ submitted  (reopen counter + 1)
//! ```
//!
//! Rules chosen here:
//! - **Decline** ("bukan kewenangan"): the assignment is marked declined and its SLA step
//!   ends. While other assignments are still pending the complaint stays `dispatched`
//!   and the dispatcher's queue is notified (so Kadis can dispatch another agency). When
//!   none is pending: if at least one assignment of the round was answered, the answers
//!   go up (`answer_at_kadis`); if all were declined, the complaint returns to the
//!   dispatcher's desk (`at_kadis`) for a new dispatch, and the dispatcher's `forward`
//!   step starts again.
//! - **Rounds**: [`Case::assignments`] holds the current round, the assignments created
//!   since the complaint last entered `submitted` (a reopen starts a new round). The
//!   server passes only those.
//! - **Reopen**: only from `closed`, only by the citizen, when the citizen's message was
//!   received (the WhatsApp message's own timestamp, carried in the action) no earlier
//!   than [`Case::closed_at`] and no later than [`WorkflowOptions::reopen_window_days`]
//!   × 24 h after it (default 7). `rejected` and `withdrawn` are final.
//! - **Shortened chain** ([`WorkflowOptions::kabid_dispatches`], default off): Kabid may
//!   also dispatch straight from `at_kabid`. The first dispatch of a round records who
//!   dispatched ([`Dispatcher`], effect [`Effect::SetDispatcher`]); answers then return
//!   to that desk (`answer_at_kabid` instead of `answer_at_kadis`, skipping Kadis), and an
//!   all-declined round goes back to it (`at_kabid`). Kadis may always add agencies;
//!   Kabid may add agencies only to a round Kabid dispatched.
//! - **Superadmin** may do every staff action, acting in the capacity the current status
//!   needs (`pass_answer` as Kadis in `answer_at_kadis`, as Kabid in `answer_at_kabid`;
//!   `answer`/`decline` as the agency named in the action's `opd`, or the only pending
//!   one). Citizen and system actions (`citizen_completed`, `withdraw`, `reopen`) are not
//!   staff actions: nobody on staff may do them.
//! - **Checks in order**: role ([`TransitionError::Forbidden`]), then — for an `opd` user
//!   only — its own pending assignment ([`TransitionError::NotYourAssignment`], before
//!   anything about the complaint's state is revealed), then status
//!   ([`TransitionError::NotAllowed`]), then the reopen window, then input
//!   ([`TransitionError::Invalid`]).
//!
//! Texts that reach the citizen on WhatsApp (completion message, rejection reason, reply)
//! and an agency's answer, follow-up and decline reason are trimmed, must not be blank
//! (whitespace and invisible characters only, see [`is_blank`]), and are at most [`MAX_TEXT_CHARS`] characters (WhatsApp's limit for one text message).
//! A reply composed from several long answers can exceed it; the sender splits it.

use std::fmt::{self, Write as _};
use std::str::FromStr;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::role::{Actor, OpdCode, Role};
use crate::sla::{Holder, Step};

/// Longest text (in characters) an action may carry: WhatsApp's limit for a text body.
pub const MAX_TEXT_CHARS: usize = 4096;

/// Default number of days after closing in which the citizen may reopen.
pub const DEFAULT_REOPEN_WINDOW_DAYS: u32 = 7;

/// Where a complaint is. The snake_case names are an external contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Registered, waiting for the admin's verification.
    Submitted,
    /// The admin asked the citizen for missing data.
    Incomplete,
    /// Verified, with Kabid IKP.
    AtKabid,
    /// With Kadis Kominfo, to be dispatched.
    AtKadis,
    /// With one or more agencies.
    Dispatched,
    /// Every agency is done; the answers are with Kadis.
    AnswerAtKadis,
    /// The answers are with Kabid.
    AnswerAtKabid,
    /// The answers are with the admin, to be sent.
    AnswerAtAdmin,
    /// The answer was sent (may be reopened within the window).
    Closed,
    /// Refused by the admin (final).
    Rejected,
    /// Not completed in time (final).
    Withdrawn,
}

/// The input was not one of the status names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("status tidak dikenal: {input:?}")]
pub struct ParseStatusError {
    /// What was given.
    pub input: String,
}

impl Status {
    /// Every status, in SOP order.
    pub const ALL: [Status; 11] = [
        Status::Submitted,
        Status::Incomplete,
        Status::AtKabid,
        Status::AtKadis,
        Status::Dispatched,
        Status::AnswerAtKadis,
        Status::AnswerAtKabid,
        Status::AnswerAtAdmin,
        Status::Closed,
        Status::Rejected,
        Status::Withdrawn,
    ];

    /// The contract string (`"answer_at_kadis"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::Incomplete => "incomplete",
            Status::AtKabid => "at_kabid",
            Status::AtKadis => "at_kadis",
            Status::Dispatched => "dispatched",
            Status::AnswerAtKadis => "answer_at_kadis",
            Status::AnswerAtKabid => "answer_at_kabid",
            Status::AnswerAtAdmin => "answer_at_admin",
            Status::Closed => "closed",
            Status::Rejected => "rejected",
            Status::Withdrawn => "withdrawn",
        }
    }

    /// Parses a contract string exactly.
    pub fn parse(input: &str) -> Result<Status, ParseStatusError> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == input)
            .ok_or_else(|| ParseStatusError {
                input: input.to_owned(),
            })
    }

    /// Plain Indonesian words for the citizen who asks STATUS on WhatsApp. Internal desks
    /// (Kabid, Kadis) are not named: the citizen only needs to know it is moving.
    pub fn label_id(self) -> &'static str {
        match self {
            Status::Submitted => "Diterima, menunggu verifikasi petugas",
            Status::Incomplete => "Menunggu kelengkapan data dari Anda",
            Status::AtKabid | Status::AtKadis => "Terverifikasi, sedang diteruskan kepada pimpinan",
            Status::Dispatched => "Sedang ditindaklanjuti oleh perangkat daerah terkait",
            Status::AnswerAtKadis | Status::AnswerAtKabid => {
                "Jawaban dari perangkat daerah sedang diperiksa pimpinan"
            }
            Status::AnswerAtAdmin => "Jawaban sedang disiapkan untuk dikirim kepada Anda",
            Status::Closed => "Selesai, jawaban telah dikirim",
            Status::Rejected => "Tidak dapat ditindaklanjuti, alasannya telah dikirim",
            Status::Withdrawn => "Dianggap dicabut karena data tidak dilengkapi",
        }
    }

    /// Short Indonesian label for the staff dashboard.
    pub fn staff_label_id(self) -> &'static str {
        match self {
            Status::Submitted => "Menunggu verifikasi",
            Status::Incomplete => "Menunggu kelengkapan",
            Status::AtKabid => "Di Kabid IKP",
            Status::AtKadis => "Di Kadis",
            Status::Dispatched => "Di perangkat daerah",
            Status::AnswerAtKadis => "Jawaban di Kadis",
            Status::AnswerAtKabid => "Jawaban di Kabid IKP",
            Status::AnswerAtAdmin => "Jawaban di Admin",
            Status::Closed => "Selesai",
            Status::Rejected => "Ditolak",
            Status::Withdrawn => "Dicabut",
        }
    }

    /// `closed`, `rejected`, `withdrawn`: no more work (only `closed` can be reopened).
    pub fn is_terminal(self) -> bool {
        matches!(self, Status::Closed | Status::Rejected | Status::Withdrawn)
    }

    /// Not terminal: someone (possibly the citizen) still has to act.
    pub fn is_open(self) -> bool {
        !self.is_terminal()
    }

    /// The official queue the complaint sits in, if one desk holds it. `None` for
    /// `incomplete` (the citizen holds it), `dispatched` (each agency with a pending
    /// assignment holds it: see [`Case::holders`]) and terminal states.
    pub fn queue(self) -> Option<Queue> {
        match self {
            Status::Submitted | Status::AnswerAtAdmin => Some(Queue::Admin),
            Status::AtKabid | Status::AnswerAtKabid => Some(Queue::Kabid),
            Status::AtKadis | Status::AnswerAtKadis => Some(Queue::Kadis),
            Status::Incomplete
            | Status::Dispatched
            | Status::Closed
            | Status::Rejected
            | Status::Withdrawn => None,
        }
    }

    /// Who holds the complaint in this status, when it does not depend on assignments:
    /// like [`Status::queue`], plus the citizen for `incomplete`.
    pub fn holder(self) -> Option<Holder> {
        match self {
            Status::Incomplete => Some(Holder::Citizen),
            other => other.queue().map(Holder::from),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = ParseStatusError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::parse(s)
    }
}

/// An official's work queue; [`Effect::NotifyQueue`] tells its members that something
/// needs them. Stored as `admin`, `kabid`, `kadis`, `opd:PUPR`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Queue {
    /// The operators.
    Admin,
    /// Kabid IKP.
    Kabid,
    /// Kadis Kominfo.
    Kadis,
    /// The users of one agency.
    Opd(OpdCode),
}

impl fmt::Display for Queue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Holder::from(self.clone()).fmt(f)
    }
}

impl From<Queue> for Holder {
    fn from(queue: Queue) -> Holder {
        match queue {
            Queue::Admin => Holder::Admin,
            Queue::Kabid => Holder::Kabid,
            Queue::Kadis => Holder::Kadis,
            Queue::Opd(code) => Holder::Opd(code),
        }
    }
}

impl From<Queue> for String {
    fn from(queue: Queue) -> String {
        queue.to_string()
    }
}

impl TryFrom<String> for Queue {
    type Error = crate::sla::ParseHolderError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        match Holder::parse(&value)? {
            Holder::Admin => Ok(Queue::Admin),
            Holder::Kabid => Ok(Queue::Kabid),
            Holder::Kadis => Ok(Queue::Kadis),
            Holder::Opd(code) => Ok(Queue::Opd(code)),
            Holder::Citizen | Holder::Bot => {
                Err(crate::sla::ParseHolderError::Unknown { input: value })
            }
        }
    }
}

/// Who dispatched the current round, and so where its answers return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dispatcher {
    /// The SOP chain: Kadis dispatched.
    #[default]
    Kadis,
    /// The shortened chain: Kabid dispatched.
    Kabid,
}

impl Dispatcher {
    /// The contract string.
    pub fn as_str(self) -> &'static str {
        match self {
            Dispatcher::Kadis => "kadis",
            Dispatcher::Kabid => "kabid",
        }
    }

    fn queue(self) -> Queue {
        match self {
            Dispatcher::Kadis => Queue::Kadis,
            Dispatcher::Kabid => Queue::Kabid,
        }
    }

    fn holder(self) -> Holder {
        Holder::from(self.queue())
    }

    /// Where an all-declined round goes back to.
    fn desk(self) -> Status {
        match self {
            Dispatcher::Kadis => Status::AtKadis,
            Dispatcher::Kabid => Status::AtKabid,
        }
    }

    /// Where the answers of a finished round go.
    fn answers(self) -> Status {
        match self {
            Dispatcher::Kadis => Status::AnswerAtKadis,
            Dispatcher::Kabid => Status::AnswerAtKabid,
        }
    }
}

/// The state of one agency's assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentState {
    /// Waiting for the agency.
    Pending,
    /// The agency answered.
    Answered,
    /// The agency declined: not its authority (*bukan kewenangan*).
    Declined,
}

impl AssignmentState {
    /// The contract string.
    pub fn as_str(self) -> &'static str {
        match self {
            AssignmentState::Pending => "pending",
            AssignmentState::Answered => "answered",
            AssignmentState::Declined => "declined",
        }
    }
}

/// What an agency wrote back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyAnswer {
    /// The answer (*jawaban*).
    pub answer: String,
    /// The follow-up (*tindak lanjut*).
    pub follow_up: String,
}

/// One agency's assignment, as `apply` needs to see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentView {
    /// The agency.
    pub opd: OpdCode,
    /// Pending, answered or declined.
    pub state: AssignmentState,
    /// The agency's display name for the citizen ("Dinas PUPR"); the code when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opd_name: Option<String>,
    /// The agency's answer, for answered assignments (used by [`compose_reply`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<AgencyAnswer>,
}

impl AssignmentView {
    /// A pending assignment.
    pub fn pending(opd: OpdCode) -> AssignmentView {
        AssignmentView {
            opd,
            state: AssignmentState::Pending,
            opd_name: None,
            answer: None,
        }
    }

    /// An answered assignment with its texts.
    pub fn answered(
        opd: OpdCode,
        answer: impl Into<String>,
        follow_up: impl Into<String>,
    ) -> AssignmentView {
        AssignmentView {
            opd,
            state: AssignmentState::Answered,
            opd_name: None,
            answer: Some(AgencyAnswer {
                answer: answer.into(),
                follow_up: follow_up.into(),
            }),
        }
    }

    /// A declined assignment.
    pub fn declined(opd: OpdCode) -> AssignmentView {
        AssignmentView {
            opd,
            state: AssignmentState::Declined,
            opd_name: None,
            answer: None,
        }
    }

    /// Sets the display name.
    pub fn with_name(mut self, name: impl Into<String>) -> AssignmentView {
        self.opd_name = Some(name.into());
        self
    }

    fn is_pending(&self) -> bool {
        self.state == AssignmentState::Pending
    }
}

/// What `apply` needs to know about a complaint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// The current status.
    pub status: Status,
    /// The current round's assignments (see the module doc).
    #[serde(default)]
    pub assignments: Vec<AssignmentView>,
    /// Who dispatched the current round; `None` before the first dispatch (read as Kadis).
    #[serde(default)]
    pub dispatched_by: Option<Dispatcher>,
    /// When the complaint was last closed (needed to reopen it).
    #[serde(default)]
    pub closed_at: Option<Timestamp>,
}

impl Case {
    /// A complaint in `status` with no assignments.
    pub fn new(status: Status) -> Case {
        Case {
            status,
            assignments: Vec::new(),
            dispatched_by: None,
            closed_at: None,
        }
    }

    /// Whether `opd` has a pending assignment.
    pub fn has_pending(&self, opd: &OpdCode) -> bool {
        self.assignments
            .iter()
            .any(|a| a.is_pending() && &a.opd == opd)
    }

    /// The agencies with a pending assignment, in order.
    pub fn pending_opds(&self) -> Vec<&OpdCode> {
        self.assignments
            .iter()
            .filter(|a| a.is_pending())
            .map(|a| &a.opd)
            .collect()
    }

    /// Who holds the complaint now: the desk of its status, or while `dispatched` every
    /// agency with a pending assignment. Empty for terminal states.
    pub fn holders(&self) -> Vec<Holder> {
        if self.status == Status::Dispatched {
            self.pending_opds()
                .into_iter()
                .map(|code| Holder::Opd(code.clone()))
                .collect()
        } else {
            self.status.holder().into_iter().collect()
        }
    }

    /// Who dispatched the current round (Kadis unless recorded otherwise).
    pub fn dispatcher(&self) -> Dispatcher {
        self.dispatched_by.unwrap_or_default()
    }
}

/// Settings of the workflow an office may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WorkflowOptions {
    /// Kabid may dispatch straight from `at_kabid` (see the module doc). Default off.
    pub kabid_dispatches: bool,
    /// Days after closing in which the citizen may reopen. Default 7.
    pub reopen_window_days: u32,
}

impl Default for WorkflowOptions {
    fn default() -> Self {
        WorkflowOptions {
            kabid_dispatches: false,
            reopen_window_days: DEFAULT_REOPEN_WINDOW_DAYS,
        }
    }
}

/// The last instant a complaint closed at `closed_at` may be reopened.
pub fn reopen_deadline(closed_at: Timestamp, opts: &WorkflowOptions) -> Timestamp {
    let window = SignedDuration::from_hours(i64::from(opts.reopen_window_days) * 24);
    closed_at.checked_add(window).unwrap_or(Timestamp::MAX)
}

/// Something an actor asks to do to a complaint. Its JSON (internally tagged by
/// `"action"`; unknown fields are refused on actions that carry data) is the body of
/// `POST /api/v1/complaints/{ticket}/actions`, a contract:
/// `{"action": "dispatch", "opds": ["PUPR"], "note": "Mohon ditindaklanjuti"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Admin: the complaint meets the criteria (submitted → at_kabid).
    Verify,
    /// Admin: ask the citizen for what is missing (submitted → incomplete); `message` is
    /// sent on WhatsApp.
    RequestCompletion {
        /// The text sent to the citizen.
        message: String,
    },
    /// Admin: refuse the complaint (submitted | incomplete → rejected); the citizen is told
    /// `reason`.
    Reject {
        /// The reason, sent to the citizen.
        reason: String,
    },
    /// Admin: send the answer (answer_at_admin → closed). Without `text` (or with a blank
    /// one) the reply is [`compose_reply`] of the answered assignments.
    SendReply {
        /// The admin's own wording, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
    /// Kabid: pass the complaint to Kadis (at_kabid → at_kadis).
    Forward,
    /// Kadis (answer_at_kadis → answer_at_kabid) or Kabid (answer_at_kabid →
    /// answer_at_admin): pass the answers on.
    PassAnswer,
    /// Kadis (or Kabid on the shortened chain): assign agencies (at_kadis | dispatched →
    /// dispatched). `opds` non-empty, no duplicates, none already pending.
    Dispatch {
        /// The agencies.
        opds: Vec<OpdCode>,
        /// The instruction (*disposisi*) the agencies read; may be empty.
        #[serde(default)]
        note: String,
    },
    /// An agency answers its pending assignment.
    Answer {
        /// The answer (*jawaban*).
        answer: String,
        /// The follow-up (*tindak lanjut*).
        follow_up: String,
        /// Which agency, for a superadmin acting for one (optional when only one is
        /// pending); an `opd` user may omit it or give its own code.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        opd: Option<OpdCode>,
    },
    /// An agency declines its pending assignment: not its authority.
    Decline {
        /// Why (shown to the dispatcher).
        reason: String,
        /// As for [`Action::Answer`].
        #[serde(default, skip_serializing_if = "Option::is_none")]
        opd: Option<OpdCode>,
    },
    /// Citizen or system: the citizen sent more data (incomplete → submitted).
    CitizenCompleted,
    /// System: the completion window passed (incomplete → withdrawn). The server's job
    /// owns the timing (default 10 days, one reminder before).
    Withdraw,
    /// Citizen: the answer did not settle it (closed → submitted, within the window).
    Reopen {
        /// The citizen's words.
        reason: String,
        /// When the citizen's WhatsApp message was sent (its own timestamp, not when the
        /// server processed it).
        received_at: Timestamp,
    },
}

/// The kind of an action, without its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Verify,
    RequestCompletion,
    Reject,
    SendReply,
    Forward,
    PassAnswer,
    Dispatch,
    Answer,
    Decline,
    CitizenCompleted,
    Withdraw,
    Reopen,
}

impl Kind {
    const ALL: [Kind; 12] = [
        Kind::Verify,
        Kind::RequestCompletion,
        Kind::Reject,
        Kind::SendReply,
        Kind::Forward,
        Kind::PassAnswer,
        Kind::Dispatch,
        Kind::Answer,
        Kind::Decline,
        Kind::CitizenCompleted,
        Kind::Withdraw,
        Kind::Reopen,
    ];

    fn name(self) -> &'static str {
        match self {
            Kind::Verify => "verify",
            Kind::RequestCompletion => "request_completion",
            Kind::Reject => "reject",
            Kind::SendReply => "send_reply",
            Kind::Forward => "forward",
            Kind::PassAnswer => "pass_answer",
            Kind::Dispatch => "dispatch",
            Kind::Answer => "answer",
            Kind::Decline => "decline",
            Kind::CitizenCompleted => "citizen_completed",
            Kind::Withdraw => "withdraw",
            Kind::Reopen => "reopen",
        }
    }

    /// The capacities any of which may perform this kind of action.
    fn needs(self, opts: WorkflowOptions) -> &'static [Capacity] {
        match self {
            Kind::Verify | Kind::RequestCompletion | Kind::Reject | Kind::SendReply => {
                &[Capacity::Admin]
            }
            Kind::Forward => &[Capacity::Kabid],
            Kind::PassAnswer => &[Capacity::Kadis, Capacity::Kabid],
            Kind::Dispatch if opts.kabid_dispatches => &[Capacity::Kadis, Capacity::Kabid],
            Kind::Dispatch => &[Capacity::Kadis],
            Kind::Answer | Kind::Decline => &[Capacity::Opd],
            Kind::CitizenCompleted => &[Capacity::Citizen, Capacity::System],
            Kind::Withdraw => &[Capacity::System],
            Kind::Reopen => &[Capacity::Citizen],
        }
    }
}

impl Action {
    /// Every action name, in SOP order (the `"action"` tag values).
    pub const ALL_NAMES: [&'static str; 12] = [
        "verify",
        "request_completion",
        "reject",
        "send_reply",
        "forward",
        "pass_answer",
        "dispatch",
        "answer",
        "decline",
        "citizen_completed",
        "withdraw",
        "reopen",
    ];

    /// The action's name (its `"action"` tag).
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }

    fn kind(&self) -> Kind {
        match self {
            Action::Verify => Kind::Verify,
            Action::RequestCompletion { .. } => Kind::RequestCompletion,
            Action::Reject { .. } => Kind::Reject,
            Action::SendReply { .. } => Kind::SendReply,
            Action::Forward => Kind::Forward,
            Action::PassAnswer => Kind::PassAnswer,
            Action::Dispatch { .. } => Kind::Dispatch,
            Action::Answer { .. } => Kind::Answer,
            Action::Decline { .. } => Kind::Decline,
            Action::CitizenCompleted => Kind::CitizenCompleted,
            Action::Withdraw => Kind::Withdraw,
            Action::Reopen { .. } => Kind::Reopen,
        }
    }

    /// The agency an answer or decline names, if any.
    fn requested_opd(&self) -> Option<&OpdCode> {
        match self {
            Action::Answer { opd, .. } | Action::Decline { opd, .. } => opd.as_ref(),
            _ => None,
        }
    }
}

/// A message the server sends the citizen on WhatsApp.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "notice", rename_all = "snake_case")]
pub enum CitizenNotice {
    /// The admin's request for missing data.
    CompletionRequested {
        /// The admin's text.
        message: String,
    },
    /// The complaint was rejected.
    Rejected {
        /// The admin's reason.
        reason: String,
    },
    /// The answer and follow-up.
    Reply {
        /// The full text to send.
        text: String,
    },
    /// The reopened complaint is back with the admin (the server words it from its texts).
    Reopened,
    /// The complaint is considered withdrawn (the server words it from its texts).
    Withdrawn,
}

/// Something the server must do, in the same transaction as the status change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub enum Effect {
    /// Create one pending assignment per agency, with the dispatcher's note.
    CreateAssignments {
        /// The agencies, in the order given.
        opds: Vec<OpdCode>,
        /// The dispatcher's instruction (may be empty).
        note: String,
    },
    /// Record who dispatched this round (first dispatch of a round only).
    SetDispatcher(Dispatcher),
    /// Mark the agency's pending assignment answered.
    AssignmentAnswered {
        /// The agency.
        opd: OpdCode,
        /// Its answer.
        answer: String,
        /// Its follow-up.
        follow_up: String,
    },
    /// Mark the agency's pending assignment declined.
    AssignmentDeclined {
        /// The agency.
        opd: OpdCode,
        /// Why.
        reason: String,
    },
    /// Send the citizen a message.
    NotifyCitizen(CitizenNotice),
    /// Tell the members of a queue that something needs them.
    NotifyQueue(Queue),
    /// Start the SLA clock of a step.
    StepStarted {
        /// The step.
        step: Step,
        /// Whose clock.
        holder: Holder,
    },
    /// Stop the SLA clock of a step (record done, outcome, time taken).
    StepFinished {
        /// The step.
        step: Step,
        /// Whose clock.
        holder: Holder,
    },
    /// Add one to the complaint's reopen counter.
    CountReopen,
}

/// A status change and what comes with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// The status before.
    pub from: Status,
    /// The status after (may equal `from`, e.g. an answer while others are pending).
    pub to: Status,
    /// What the server must do, in order.
    pub effects: Vec<Effect>,
}

/// Why an action was refused. Messages are in Bahasa Indonesia for staff.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// This actor may never do this action (HTTP 403). `role` is the role string, or
    /// `citizen` / `system`.
    #[error("peran {role} tidak berwenang melakukan aksi {action}")]
    Forbidden {
        /// Who tried.
        role: &'static str,
        /// What.
        action: &'static str,
    },
    /// The actor may do this action, but not in this status (HTTP 409).
    #[error("aksi {action} tidak dapat dilakukan pada status {status}")]
    NotAllowed {
        /// The complaint's status.
        status: Status,
        /// What.
        action: &'static str,
    },
    /// An `opd` user acted on a complaint without a pending assignment for its agency
    /// (HTTP 404, so the complaint's existence is not revealed).
    #[error("aduan tidak ditemukan")]
    NotYourAssignment,
    /// The citizen wrote after the reopen window (never reaches HTTP: staff cannot reopen).
    #[error("batas waktu pengajuan ulang telah lewat ({deadline})")]
    ReopenWindowPassed {
        /// The last instant a reopen was possible.
        deadline: Timestamp,
    },
    /// Bad input (HTTP 422).
    #[error("{0}")]
    Invalid(String),
}

/// A capacity in which an actor may act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Capacity {
    Admin,
    Kabid,
    Kadis,
    Opd,
    Citizen,
    System,
}

fn capacities(actor: &Actor) -> &'static [Capacity] {
    match actor {
        Actor::Staff { role, .. } => match role {
            Role::Superadmin => &[
                Capacity::Admin,
                Capacity::Kabid,
                Capacity::Kadis,
                Capacity::Opd,
            ],
            Role::Admin => &[Capacity::Admin],
            Role::Kabid => &[Capacity::Kabid],
            Role::Kadis => &[Capacity::Kadis],
            Role::Opd => &[Capacity::Opd],
            Role::Viewer => &[],
        },
        Actor::Citizen => &[Capacity::Citizen],
        Actor::System => &[Capacity::System],
    }
}

/// Role check: may this actor ever do this kind of action?
fn authorize(kind: Kind, actor: &Actor, opts: WorkflowOptions) -> Result<(), TransitionError> {
    let has = capacities(actor);
    if kind.needs(opts).iter().any(|cap| has.contains(cap)) {
        Ok(())
    } else {
        Err(TransitionError::Forbidden {
            role: actor.kind_str(),
            action: kind.name(),
        })
    }
}

/// Assignment and status checks (everything but input), in the module doc's order.
fn gate(
    kind: Kind,
    case: &Case,
    actor: &Actor,
    opts: WorkflowOptions,
    requested_opd: Option<&OpdCode>,
) -> Result<(), TransitionError> {
    let has = |cap: Capacity| capacities(actor).contains(&cap);
    let status = case.status;
    let allowed = match kind {
        Kind::Verify | Kind::RequestCompletion => status == Status::Submitted,
        Kind::Reject => matches!(status, Status::Submitted | Status::Incomplete),
        Kind::SendReply => status == Status::AnswerAtAdmin,
        Kind::Forward => status == Status::AtKabid,
        Kind::PassAnswer => match status {
            Status::AnswerAtKadis => has(Capacity::Kadis),
            Status::AnswerAtKabid => has(Capacity::Kabid),
            _ => false,
        },
        Kind::Dispatch => match status {
            Status::AtKadis => has(Capacity::Kadis),
            Status::AtKabid => opts.kabid_dispatches && has(Capacity::Kabid),
            Status::Dispatched => {
                has(Capacity::Kadis)
                    || (opts.kabid_dispatches
                        && has(Capacity::Kabid)
                        && case.dispatcher() == Dispatcher::Kabid)
            }
            _ => false,
        },
        Kind::Answer | Kind::Decline => {
            if actor.role() == Some(Role::Opd) {
                // Before any status check: an agency learns nothing about complaints that
                // are not (or no longer) waiting for it.
                let own = actor.opd_code().ok_or(TransitionError::NotYourAssignment)?;
                if requested_opd.is_some_and(|requested| requested != own) || !case.has_pending(own)
                {
                    return Err(TransitionError::NotYourAssignment);
                }
            }
            status == Status::Dispatched && case.assignments.iter().any(AssignmentView::is_pending)
        }
        Kind::CitizenCompleted | Kind::Withdraw => status == Status::Incomplete,
        Kind::Reopen => status == Status::Closed && case.closed_at.is_some(),
    };
    if allowed {
        Ok(())
    } else {
        Err(TransitionError::NotAllowed {
            status,
            action: kind.name(),
        })
    }
}

/// The pure transition function: checks role, assignment, status and input (in that
/// order, see the module doc) and returns the new status with its effects.
pub fn apply(
    case: &Case,
    action: &Action,
    actor: &Actor,
    opts: &WorkflowOptions,
) -> Result<Transition, TransitionError> {
    let kind = action.kind();
    authorize(kind, actor, *opts)?;
    gate(kind, case, actor, *opts, action.requested_opd())?;
    let from = case.status;
    let done = |to: Status, effects: Vec<Effect>| Ok(Transition { from, to, effects });
    match action {
        Action::Verify => done(
            Status::AtKabid,
            vec![
                finished(Step::Verification, Holder::Admin),
                started(Step::Forward, Holder::Kabid),
                Effect::NotifyQueue(Queue::Kabid),
            ],
        ),
        Action::RequestCompletion { message } => {
            let message = text("Pesan permintaan kelengkapan", message)?;
            done(
                Status::Incomplete,
                vec![
                    finished(Step::Verification, Holder::Admin),
                    Effect::NotifyCitizen(CitizenNotice::CompletionRequested { message }),
                ],
            )
        }
        Action::Reject { reason } => {
            let reason = text("Alasan penolakan", reason)?;
            let mut effects = Vec::new();
            if from == Status::Submitted {
                effects.push(finished(Step::Verification, Holder::Admin));
            }
            effects.push(Effect::NotifyCitizen(CitizenNotice::Rejected { reason }));
            done(Status::Rejected, effects)
        }
        Action::SendReply { text: own } => {
            let reply = match own.as_deref().map(str::trim) {
                Some(own) if !is_blank(own) => text("Teks balasan", own)?,
                _ => compose_reply(&case.assignments).ok_or_else(|| {
                    TransitionError::Invalid(
                        "Belum ada jawaban perangkat daerah; tulis teks balasan.".to_owned(),
                    )
                })?,
            };
            done(
                Status::Closed,
                vec![
                    finished(Step::Reply, Holder::Admin),
                    Effect::NotifyCitizen(CitizenNotice::Reply { text: reply }),
                ],
            )
        }
        Action::Forward => done(
            Status::AtKadis,
            vec![
                finished(Step::Forward, Holder::Kabid),
                started(Step::Forward, Holder::Kadis),
                Effect::NotifyQueue(Queue::Kadis),
            ],
        ),
        Action::PassAnswer => {
            if from == Status::AnswerAtKadis {
                done(
                    Status::AnswerAtKabid,
                    vec![
                        finished(Step::AnswerReturn, Holder::Kadis),
                        started(Step::AnswerReturn, Holder::Kabid),
                        Effect::NotifyQueue(Queue::Kabid),
                    ],
                )
            } else {
                done(
                    Status::AnswerAtAdmin,
                    vec![
                        finished(Step::AnswerReturn, Holder::Kabid),
                        started(Step::Reply, Holder::Admin),
                        Effect::NotifyQueue(Queue::Admin),
                    ],
                )
            }
        }
        Action::Dispatch { opds, note } => dispatch(case, opds, note).map(|effects| Transition {
            from,
            to: Status::Dispatched,
            effects,
        }),
        Action::Answer {
            answer,
            follow_up,
            opd,
        } => {
            let opd = acting_opd(case, actor, opd.as_ref())?;
            let answer = text("Jawaban", answer)?;
            let follow_up = text("Tindak lanjut", follow_up)?;
            let mut effects = vec![
                Effect::AssignmentAnswered {
                    opd: opd.clone(),
                    answer,
                    follow_up,
                },
                finished(Step::OpdAnswer, Holder::Opd(opd.clone())),
            ];
            let to = if others_pending(case, &opd) {
                Status::Dispatched
            } else {
                answers_return(case.dispatcher(), &mut effects)
            };
            done(to, effects)
        }
        Action::Decline { reason, opd } => {
            let opd = acting_opd(case, actor, opd.as_ref())?;
            let reason = text("Alasan", reason)?;
            let mut effects = vec![
                Effect::AssignmentDeclined {
                    opd: opd.clone(),
                    reason,
                },
                finished(Step::OpdAnswer, Holder::Opd(opd.clone())),
            ];
            let dispatcher = case.dispatcher();
            let to = if others_pending(case, &opd) {
                effects.push(Effect::NotifyQueue(dispatcher.queue()));
                Status::Dispatched
            } else if case
                .assignments
                .iter()
                .any(|a| a.state == AssignmentState::Answered)
            {
                answers_return(dispatcher, &mut effects)
            } else {
                effects.push(started(Step::Forward, dispatcher.holder()));
                effects.push(Effect::NotifyQueue(dispatcher.queue()));
                dispatcher.desk()
            };
            done(to, effects)
        }
        Action::CitizenCompleted => done(
            Status::Submitted,
            vec![
                started(Step::Verification, Holder::Admin),
                Effect::NotifyQueue(Queue::Admin),
            ],
        ),
        Action::Withdraw => done(
            Status::Withdrawn,
            vec![Effect::NotifyCitizen(CitizenNotice::Withdrawn)],
        ),
        Action::Reopen {
            reason,
            received_at,
        } => {
            // `gate` ensured `closed_at` is known.
            let closed_at = case.closed_at.unwrap_or(Timestamp::MAX);
            if *received_at < closed_at {
                return Err(TransitionError::NotAllowed {
                    status: from,
                    action: kind.name(),
                });
            }
            let deadline = reopen_deadline(closed_at, opts);
            if *received_at > deadline {
                return Err(TransitionError::ReopenWindowPassed { deadline });
            }
            text("Alasan pengajuan ulang", reason)?;
            done(
                Status::Submitted,
                vec![
                    Effect::CountReopen,
                    Effect::NotifyCitizen(CitizenNotice::Reopened),
                    started(Step::Verification, Holder::Admin),
                    Effect::NotifyQueue(Queue::Admin),
                ],
            )
        }
    }
}

fn started(step: Step, holder: Holder) -> Effect {
    Effect::StepStarted { step, holder }
}

fn finished(step: Step, holder: Holder) -> Effect {
    Effect::StepFinished { step, holder }
}

/// Whether a text shows nothing: only whitespace and invisible characters (zero-width,
/// direction marks, the BOM, soft hyphens, controls), which `str::trim` keeps.
pub fn is_blank(value: &str) -> bool {
    value.chars().all(|c| {
        c.is_whitespace()
            || c.is_control()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{feff}' | '\u{ad}')
    })
}

/// A trimmed, non-blank text (see [`is_blank`]) of at most [`MAX_TEXT_CHARS`] characters.
fn text(field: &str, value: &str) -> Result<String, TransitionError> {
    let trimmed = value.trim();
    if is_blank(trimmed) {
        return Err(TransitionError::Invalid(format!("{field} wajib diisi.")));
    }
    if trimmed.chars().count() > MAX_TEXT_CHARS {
        return Err(TransitionError::Invalid(format!(
            "{field} terlalu panjang (maksimum {MAX_TEXT_CHARS} karakter)."
        )));
    }
    Ok(trimmed.to_owned())
}

/// Validates a dispatch and lists its effects.
fn dispatch(case: &Case, opds: &[OpdCode], note: &str) -> Result<Vec<Effect>, TransitionError> {
    if opds.is_empty() {
        return Err(TransitionError::Invalid(
            "Pilih minimal satu perangkat daerah.".to_owned(),
        ));
    }
    for (i, code) in opds.iter().enumerate() {
        if opds[..i].contains(code) {
            return Err(TransitionError::Invalid(format!(
                "Perangkat daerah {code} dipilih lebih dari sekali."
            )));
        }
        if case.has_pending(code) {
            return Err(TransitionError::Invalid(format!(
                "Perangkat daerah {code} masih memiliki penugasan yang belum dijawab."
            )));
        }
    }
    let note = note.trim();
    if note.chars().count() > MAX_TEXT_CHARS {
        return Err(TransitionError::Invalid(format!(
            "Catatan disposisi terlalu panjang (maksimum {MAX_TEXT_CHARS} karakter)."
        )));
    }
    let mut effects = Vec::new();
    // The first dispatch of a round ends the dispatcher's `forward` step and records who
    // dispatched; adding agencies later changes neither.
    let first = match case.status {
        Status::AtKadis => Some(Dispatcher::Kadis),
        Status::AtKabid => Some(Dispatcher::Kabid),
        _ => None,
    };
    if let Some(dispatcher) = first {
        effects.push(finished(Step::Forward, dispatcher.holder()));
        effects.push(Effect::SetDispatcher(dispatcher));
    }
    effects.push(Effect::CreateAssignments {
        opds: opds.to_vec(),
        note: note.to_owned(),
    });
    for code in opds {
        effects.push(started(Step::OpdAnswer, Holder::Opd(code.clone())));
        effects.push(Effect::NotifyQueue(Queue::Opd(code.clone())));
    }
    Ok(effects)
}

/// The agency an answer or decline is for: an `opd` user's own (checked by `gate`), or for
/// a superadmin the one named, else the only pending one.
fn acting_opd(
    case: &Case,
    actor: &Actor,
    requested: Option<&OpdCode>,
) -> Result<OpdCode, TransitionError> {
    if let Some(own) = actor.opd_code() {
        return Ok(own.clone());
    }
    match requested {
        Some(code) if case.has_pending(code) => Ok(code.clone()),
        Some(code) => Err(TransitionError::Invalid(format!(
            "Perangkat daerah {code} tidak memiliki penugasan yang belum dijawab."
        ))),
        None => match case.pending_opds().as_slice() {
            [only] => Ok((*only).clone()),
            _ => Err(TransitionError::Invalid(
                "Pilih perangkat daerah yang dijawabkan.".to_owned(),
            )),
        },
    }
}

fn others_pending(case: &Case, opd: &OpdCode) -> bool {
    case.assignments
        .iter()
        .any(|a| a.is_pending() && &a.opd != opd)
}

/// The round is over with at least one answer: the answers go to the dispatcher.
fn answers_return(dispatcher: Dispatcher, effects: &mut Vec<Effect>) -> Status {
    effects.push(started(Step::AnswerReturn, dispatcher.holder()));
    effects.push(Effect::NotifyQueue(dispatcher.queue()));
    dispatcher.answers()
}

/// What the server does when intake registers a new complaint (status `submitted`): the
/// admin's verification clock starts and the admin queue is told.
pub fn submission_effects() -> Vec<Effect> {
    vec![
        started(Step::Verification, Holder::Admin),
        Effect::NotifyQueue(Queue::Admin),
    ]
}

/// The actions this actor may take on this complaint now (role, assignment and status
/// allow it; input is not judged), in [`Action::ALL_NAMES`] order, so the dashboard shows
/// only those. `reopen` is listed for the citizen on a closed complaint without checking
/// the window (that needs the message's time).
pub fn allowed_actions(case: &Case, actor: &Actor, opts: &WorkflowOptions) -> Vec<&'static str> {
    Kind::ALL
        .into_iter()
        .filter(|kind| {
            authorize(*kind, actor, *opts).is_ok() && gate(*kind, case, actor, *opts, None).is_ok()
        })
        .map(Kind::name)
        .collect()
}

/// The default reply to the citizen: every answered assignment's answer and follow-up in
/// one WhatsApp message, in Bahasa Indonesia, agencies in the order given. `None` when no
/// assignment has an answer.
pub fn compose_reply(assignments: &[AssignmentView]) -> Option<String> {
    let answered: Vec<(&AssignmentView, &AgencyAnswer)> = assignments
        .iter()
        .filter(|a| a.state == AssignmentState::Answered)
        .filter_map(|a| a.answer.as_ref().map(|answer| (a, answer)))
        .filter(|(_, answer)| !answer.answer.trim().is_empty())
        .collect();
    if answered.is_empty() {
        return None;
    }
    let numbered = answered.len() > 1;
    let mut out = String::from(
        "Terima kasih telah menunggu. Berikut jawaban dan tindak lanjut atas pesan yang \
         Anda sampaikan melalui *Wani Bares*.\n",
    );
    for (i, (assignment, answer)) in answered.iter().enumerate() {
        let name = assignment
            .opd_name
            .as_deref()
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .unwrap_or(assignment.opd.as_str());
        // Writing to a String cannot fail.
        let _ = if numbered {
            writeln!(out, "\n*{}. {name}*", i + 1)
        } else {
            writeln!(out, "\n*{name}*")
        };
        let _ = writeln!(out, "Jawaban: {}", answer.answer.trim());
        let follow_up = answer.follow_up.trim();
        if !follow_up.is_empty() {
            let _ = writeln!(out, "Tindak lanjut: {follow_up}");
        }
    }
    out.push_str("\nSalam,\nWani Bares – Dinas Komunikasi dan Informatika Kabupaten Magetan");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> OpdCode {
        OpdCode::parse(s).unwrap()
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn staff(role: Role) -> Actor {
        Actor::official(role).unwrap()
    }

    fn opts() -> WorkflowOptions {
        WorkflowOptions::default()
    }

    fn dispatched(assignments: Vec<AssignmentView>) -> Case {
        Case {
            status: Status::Dispatched,
            assignments,
            dispatched_by: Some(Dispatcher::Kadis),
            closed_at: None,
        }
    }

    fn answer(s: &str) -> Action {
        Action::Answer {
            answer: s.to_owned(),
            follow_up: "Perbaikan dijadwalkan pekan depan.".to_owned(),
            opd: None,
        }
    }

    fn decline() -> Action {
        Action::Decline {
            reason: "Bukan kewenangan kami".to_owned(),
            opd: None,
        }
    }

    #[test]
    fn verification_ends_the_admins_clock_and_starts_kabids() {
        let t = apply(
            &Case::new(Status::Submitted),
            &Action::Verify,
            &staff(Role::Admin),
            &opts(),
        )
        .unwrap();
        assert_eq!((t.from, t.to), (Status::Submitted, Status::AtKabid));
        assert_eq!(
            t.effects,
            [
                finished(Step::Verification, Holder::Admin),
                started(Step::Forward, Holder::Kabid),
                Effect::NotifyQueue(Queue::Kabid),
            ]
        );
    }

    #[test]
    fn the_sop_chain_runs_from_submission_to_closing() {
        let o = opts();
        let admin = staff(Role::Admin);
        let kabid = staff(Role::Kabid);
        let kadis = staff(Role::Kadis);
        let mut case = Case::new(Status::Submitted);
        for (action, actor, to) in [
            (Action::Verify, &admin, Status::AtKabid),
            (Action::Forward, &kabid, Status::AtKadis),
        ] {
            case.status = apply(&case, &action, actor, &o).unwrap().to;
            assert_eq!(case.status, to);
        }
        let t = apply(
            &case,
            &Action::Dispatch {
                opds: vec![code("PUPR"), code("DINKES")],
                note: "  Mohon segera ditindaklanjuti  ".to_owned(),
            },
            &kadis,
            &o,
        )
        .unwrap();
        assert_eq!(t.to, Status::Dispatched);
        assert_eq!(
            t.effects,
            [
                finished(Step::Forward, Holder::Kadis),
                Effect::SetDispatcher(Dispatcher::Kadis),
                Effect::CreateAssignments {
                    opds: vec![code("PUPR"), code("DINKES")],
                    note: "Mohon segera ditindaklanjuti".to_owned()
                },
                started(Step::OpdAnswer, Holder::Opd(code("PUPR"))),
                Effect::NotifyQueue(Queue::Opd(code("PUPR"))),
                started(Step::OpdAnswer, Holder::Opd(code("DINKES"))),
                Effect::NotifyQueue(Queue::Opd(code("DINKES"))),
            ]
        );
        case = dispatched(vec![
            AssignmentView::pending(code("PUPR")),
            AssignmentView::pending(code("DINKES")),
        ]);
        let t = apply(
            &case,
            &answer("Jalan diperbaiki."),
            &Actor::opd(code("PUPR")),
            &o,
        )
        .unwrap();
        assert_eq!(t.to, Status::Dispatched, "DINKES is still pending");
        case.assignments[0] = AssignmentView::answered(code("PUPR"), "Jalan diperbaiki.", "Mei");
        let t = apply(
            &case,
            &answer("Puskesmas buka."),
            &Actor::opd(code("DINKES")),
            &o,
        )
        .unwrap();
        assert_eq!(t.to, Status::AnswerAtKadis);
        assert_eq!(
            t.effects[1..],
            [
                finished(Step::OpdAnswer, Holder::Opd(code("DINKES"))),
                started(Step::AnswerReturn, Holder::Kadis),
                Effect::NotifyQueue(Queue::Kadis),
            ]
        );
        case.status = t.to;
        case.status = apply(&case, &Action::PassAnswer, &kadis, &o).unwrap().to;
        assert_eq!(case.status, Status::AnswerAtKabid);
        let t = apply(&case, &Action::PassAnswer, &kabid, &o).unwrap();
        assert_eq!(t.to, Status::AnswerAtAdmin);
        assert!(t.effects.contains(&started(Step::Reply, Holder::Admin)));
        case.status = t.to;
        let t = apply(&case, &Action::SendReply { text: None }, &admin, &o).unwrap();
        assert_eq!(t.to, Status::Closed);
        assert_eq!(t.effects[0], finished(Step::Reply, Holder::Admin));
    }

    #[test]
    fn a_decline_while_others_are_pending_keeps_the_complaint_dispatched_and_tells_kadis() {
        let case = dispatched(vec![
            AssignmentView::pending(code("PUPR")),
            AssignmentView::pending(code("DINKES")),
        ]);
        let t = apply(&case, &decline(), &Actor::opd(code("PUPR")), &opts()).unwrap();
        assert_eq!(t.to, Status::Dispatched);
        assert_eq!(
            t.effects,
            [
                Effect::AssignmentDeclined {
                    opd: code("PUPR"),
                    reason: "Bukan kewenangan kami".to_owned()
                },
                finished(Step::OpdAnswer, Holder::Opd(code("PUPR"))),
                Effect::NotifyQueue(Queue::Kadis),
            ]
        );
    }

    #[test]
    fn the_last_decline_after_an_answer_sends_the_answers_up() {
        let case = dispatched(vec![
            AssignmentView::answered(code("DINKES"), "Sudah", "Selesai"),
            AssignmentView::pending(code("PUPR")),
        ]);
        let t = apply(&case, &decline(), &Actor::opd(code("PUPR")), &opts()).unwrap();
        assert_eq!(t.to, Status::AnswerAtKadis);
        assert!(
            t.effects
                .contains(&started(Step::AnswerReturn, Holder::Kadis))
        );
    }

    #[test]
    fn when_every_agency_declines_the_complaint_returns_to_kadis_for_a_new_dispatch() {
        let case = dispatched(vec![
            AssignmentView::declined(code("DINKES")),
            AssignmentView::pending(code("PUPR")),
        ]);
        let t = apply(&case, &decline(), &Actor::opd(code("PUPR")), &opts()).unwrap();
        assert_eq!(t.to, Status::AtKadis);
        assert_eq!(
            t.effects[2..],
            [
                started(Step::Forward, Holder::Kadis),
                Effect::NotifyQueue(Queue::Kadis)
            ]
        );
        // … where Kadis may dispatch the same or another agency again.
        let again = Case {
            status: Status::AtKadis,
            assignments: vec![
                AssignmentView::declined(code("DINKES")),
                AssignmentView::declined(code("PUPR")),
            ],
            ..case
        };
        let t = apply(
            &again,
            &Action::Dispatch {
                opds: vec![code("PUPR")],
                note: String::new(),
            },
            &staff(Role::Kadis),
            &opts(),
        )
        .unwrap();
        assert_eq!(t.to, Status::Dispatched);
    }

    #[test]
    fn kadis_may_add_agencies_while_dispatched_without_restarting_its_own_clock() {
        let case = dispatched(vec![AssignmentView::pending(code("PUPR"))]);
        let t = apply(
            &case,
            &Action::Dispatch {
                opds: vec![code("DISHUB")],
                note: String::new(),
            },
            &staff(Role::Kadis),
            &opts(),
        )
        .unwrap();
        assert_eq!(t.to, Status::Dispatched);
        assert!(
            !t.effects
                .iter()
                .any(|e| matches!(e, Effect::StepFinished { .. } | Effect::SetDispatcher(_)))
        );
    }

    #[test]
    fn a_dispatch_needs_distinct_agencies_that_are_not_already_pending() {
        let kadis = staff(Role::Kadis);
        let case = dispatched(vec![AssignmentView::pending(code("PUPR"))]);
        for opds in [
            vec![],
            vec![code("DINKES"), code("DINKES")],
            vec![code("DINKES"), code("PUPR")],
        ] {
            let result = apply(
                &case,
                &Action::Dispatch {
                    opds,
                    note: String::new(),
                },
                &kadis,
                &opts(),
            );
            assert!(
                matches!(result, Err(TransitionError::Invalid(_))),
                "{result:?}"
            );
        }
    }

    #[test]
    fn role_is_checked_before_status_and_status_before_input() {
        let closed = Case::new(Status::Closed);
        assert_eq!(
            apply(&closed, &Action::Verify, &staff(Role::Kadis), &opts()),
            Err(TransitionError::Forbidden {
                role: "kadis",
                action: "verify"
            })
        );
        let empty = Action::Dispatch {
            opds: vec![],
            note: String::new(),
        };
        assert_eq!(
            apply(&closed, &empty, &staff(Role::Kadis), &opts()),
            Err(TransitionError::NotAllowed {
                status: Status::Closed,
                action: "dispatch"
            })
        );
        assert!(matches!(
            apply(
                &Case::new(Status::AtKadis),
                &empty,
                &staff(Role::Kadis),
                &opts()
            ),
            Err(TransitionError::Invalid(_))
        ));
    }

    #[test]
    fn an_agency_without_a_pending_assignment_learns_nothing_about_the_complaint() {
        let pupr = Actor::opd(code("PUPR"));
        for status in Status::ALL {
            let case = Case {
                status,
                assignments: vec![
                    AssignmentView::answered(code("PUPR"), "a", "b"),
                    AssignmentView::pending(code("DINKES")),
                ],
                ..Case::new(status)
            };
            assert_eq!(
                apply(&case, &answer("x"), &pupr, &opts()),
                Err(TransitionError::NotYourAssignment)
            );
            assert_eq!(
                apply(&case, &decline(), &pupr, &opts()),
                Err(TransitionError::NotYourAssignment)
            );
        }
    }

    #[test]
    fn an_agency_cannot_answer_in_another_agencys_name() {
        let case = dispatched(vec![
            AssignmentView::pending(code("PUPR")),
            AssignmentView::pending(code("DINKES")),
        ]);
        let action = Action::Answer {
            answer: "x".to_owned(),
            follow_up: "y".to_owned(),
            opd: Some(code("DINKES")),
        };
        assert_eq!(
            apply(&case, &action, &Actor::opd(code("PUPR")), &opts()),
            Err(TransitionError::NotYourAssignment)
        );
        // Naming itself is fine.
        let action = Action::Answer {
            answer: "x".to_owned(),
            follow_up: "y".to_owned(),
            opd: Some(code("PUPR")),
        };
        assert!(apply(&case, &action, &Actor::opd(code("PUPR")), &opts()).is_ok());
    }

    #[test]
    fn an_opd_actor_built_without_a_code_can_touch_nothing() {
        let broken = Actor::Staff {
            role: Role::Opd,
            opd: None,
        };
        let case = dispatched(vec![AssignmentView::pending(code("PUPR"))]);
        assert_eq!(
            apply(&case, &answer("x"), &broken, &opts()),
            Err(TransitionError::NotYourAssignment)
        );
        assert!(allowed_actions(&case, &broken, &opts()).is_empty());
    }

    #[test]
    fn a_superadmin_answers_for_the_named_or_the_only_pending_agency() {
        let sa = staff(Role::Superadmin);
        let two = dispatched(vec![
            AssignmentView::pending(code("PUPR")),
            AssignmentView::pending(code("DINKES")),
        ]);
        assert!(matches!(
            apply(&two, &answer("x"), &sa, &opts()),
            Err(TransitionError::Invalid(_))
        ));
        let named = Action::Answer {
            answer: "x".to_owned(),
            follow_up: "y".to_owned(),
            opd: Some(code("DINKES")),
        };
        let t = apply(&two, &named, &sa, &opts()).unwrap();
        assert_eq!(t.to, Status::Dispatched);
        assert!(
            t.effects
                .contains(&finished(Step::OpdAnswer, Holder::Opd(code("DINKES"))))
        );
        let unknown = Action::Decline {
            reason: "x".to_owned(),
            opd: Some(code("DISHUB")),
        };
        assert!(matches!(
            apply(&two, &unknown, &sa, &opts()),
            Err(TransitionError::Invalid(_))
        ));
        let one = dispatched(vec![AssignmentView::pending(code("PUPR"))]);
        assert_eq!(
            apply(&one, &answer("x"), &sa, &opts()).unwrap().to,
            Status::AnswerAtKadis
        );
    }

    #[test]
    fn blank_or_overlong_texts_are_invalid() {
        let admin = staff(Role::Admin);
        let submitted = Case::new(Status::Submitted);
        for action in [
            Action::Reject {
                reason: "  \n ".to_owned(),
            },
            // Regression (tests/api/hostile.rs): invisible characters are blank too, or
            // the citizen reads "Alasan: " with nothing after it.
            Action::Reject {
                reason: "\u{200b}\u{200f} \u{feff}\u{202e}".to_owned(),
            },
            Action::RequestCompletion {
                message: String::new(),
            },
            Action::RequestCompletion {
                message: "x".repeat(MAX_TEXT_CHARS + 1),
            },
        ] {
            assert!(matches!(
                apply(&submitted, &action, &admin, &opts()),
                Err(TransitionError::Invalid(_))
            ));
        }
        let case = dispatched(vec![AssignmentView::pending(code("PUPR"))]);
        let no_follow_up = Action::Answer {
            answer: "Sudah".to_owned(),
            follow_up: " ".to_owned(),
            opd: None,
        };
        assert!(matches!(
            apply(&case, &no_follow_up, &Actor::opd(code("PUPR")), &opts()),
            Err(TransitionError::Invalid(_))
        ));
        assert!(
            apply(
                &submitted,
                &Action::RequestCompletion {
                    message: "é".repeat(MAX_TEXT_CHARS)
                },
                &admin,
                &opts()
            )
            .is_ok(),
            "the limit counts characters, not bytes"
        );
    }

    #[test]
    fn request_completion_stops_the_office_clock_and_citizen_completion_restarts_it() {
        let t = apply(
            &Case::new(Status::Submitted),
            &Action::RequestCompletion {
                message: " Mohon kirim foto KTP. ".to_owned(),
            },
            &staff(Role::Admin),
            &opts(),
        )
        .unwrap();
        assert_eq!(t.to, Status::Incomplete);
        assert_eq!(
            t.effects,
            [
                finished(Step::Verification, Holder::Admin),
                Effect::NotifyCitizen(CitizenNotice::CompletionRequested {
                    message: "Mohon kirim foto KTP.".to_owned()
                })
            ]
        );
        let t = apply(
            &Case::new(Status::Incomplete),
            &Action::CitizenCompleted,
            &Actor::Citizen,
            &opts(),
        )
        .unwrap();
        assert_eq!(t.to, Status::Submitted);
        assert_eq!(t.effects, submission_effects());
    }

    #[test]
    fn rejecting_an_incomplete_complaint_has_no_clock_to_stop() {
        let t = apply(
            &Case::new(Status::Incomplete),
            &Action::Reject {
                reason: "Identitas tidak dapat diverifikasi".to_owned(),
            },
            &staff(Role::Admin),
            &opts(),
        )
        .unwrap();
        assert_eq!(
            t.effects,
            [Effect::NotifyCitizen(CitizenNotice::Rejected {
                reason: "Identitas tidak dapat diverifikasi".to_owned()
            })]
        );
    }

    fn closed_at(at: &str) -> Case {
        Case {
            closed_at: Some(ts(at)),
            ..Case::new(Status::Closed)
        }
    }

    fn reopen(at: &str) -> Action {
        Action::Reopen {
            reason: "Jalan belum diperbaiki".to_owned(),
            received_at: ts(at),
        }
    }

    #[test]
    fn a_citizen_may_reopen_up_to_seven_days_after_closing() {
        let case = closed_at("2026-12-01T10:00:00+07:00");
        let t = apply(
            &case,
            &reopen("2026-12-08T10:00:00+07:00"),
            &Actor::Citizen,
            &opts(),
        )
        .unwrap();
        assert_eq!((t.from, t.to), (Status::Closed, Status::Submitted));
        assert_eq!(
            t.effects,
            [
                Effect::CountReopen,
                Effect::NotifyCitizen(CitizenNotice::Reopened),
                started(Step::Verification, Holder::Admin),
                Effect::NotifyQueue(Queue::Admin),
            ]
        );
        assert_eq!(
            apply(
                &case,
                &reopen("2026-12-08T10:00:01+07:00"),
                &Actor::Citizen,
                &opts()
            ),
            Err(TransitionError::ReopenWindowPassed {
                deadline: ts("2026-12-08T10:00:00+07:00")
            })
        );
        assert!(matches!(
            apply(
                &case,
                &reopen("2026-12-01T09:59:59+07:00"),
                &Actor::Citizen,
                &opts()
            ),
            Err(TransitionError::NotAllowed { .. })
        ));
        let longer = WorkflowOptions {
            reopen_window_days: 14,
            ..opts()
        };
        assert!(
            apply(
                &case,
                &reopen("2026-12-10T10:00:00+07:00"),
                &Actor::Citizen,
                &longer
            )
            .is_ok()
        );
    }

    #[test]
    fn a_closed_complaint_without_its_closing_time_cannot_be_reopened() {
        assert!(matches!(
            apply(
                &Case::new(Status::Closed),
                &reopen("2026-12-01T10:00:00Z"),
                &Actor::Citizen,
                &opts()
            ),
            Err(TransitionError::NotAllowed { .. })
        ));
    }

    #[test]
    fn the_default_reply_composes_every_answer_and_follow_up() {
        let one = [AssignmentView::answered(
            code("PUPR"),
            "Jalan akan diaspal.",
            "Pengerjaan bulan Januari.",
        )
        .with_name("Dinas PUPR")];
        assert_eq!(
            compose_reply(&one).unwrap(),
            "Terima kasih telah menunggu. Berikut jawaban dan tindak lanjut atas pesan yang \
             Anda sampaikan melalui *Wani Bares*.\n\
             \n*Dinas PUPR*\nJawaban: Jalan akan diaspal.\nTindak lanjut: Pengerjaan bulan Januari.\n\
             \nSalam,\nWani Bares – Dinas Komunikasi dan Informatika Kabupaten Magetan"
        );
        let many = [
            AssignmentView::answered(code("PUPR"), "A", "B").with_name("Dinas PUPR"),
            AssignmentView::declined(code("DISHUB")),
            AssignmentView::answered(code("DINKES"), "C", ""),
        ];
        let text = compose_reply(&many).unwrap();
        assert!(text.contains("*1. Dinas PUPR*\nJawaban: A\nTindak lanjut: B\n"));
        assert!(text.contains("*2. DINKES*\nJawaban: C\n\n"));
        assert!(!text.contains("DISHUB"));
        assert_eq!(
            compose_reply(&[AssignmentView::declined(code("PUPR"))]),
            None
        );
    }

    #[test]
    fn send_reply_uses_the_admins_text_when_given_and_needs_an_answer_otherwise() {
        let admin = staff(Role::Admin);
        let mut case = Case::new(Status::AnswerAtAdmin);
        assert!(matches!(
            apply(&case, &Action::SendReply { text: None }, &admin, &opts()),
            Err(TransitionError::Invalid(_))
        ));
        let own = Action::SendReply {
            text: Some(" Jawaban kami. ".to_owned()),
        };
        let t = apply(&case, &own, &admin, &opts()).unwrap();
        assert!(
            t.effects
                .contains(&Effect::NotifyCitizen(CitizenNotice::Reply {
                    text: "Jawaban kami.".to_owned()
                }))
        );
        case.assignments = vec![AssignmentView::answered(code("PUPR"), "A", "B")];
        let blank = Action::SendReply {
            text: Some("  ".to_owned()),
        };
        let t = apply(&case, &blank, &admin, &opts()).unwrap();
        assert_eq!(
            t.effects[1],
            Effect::NotifyCitizen(CitizenNotice::Reply {
                text: compose_reply(&case.assignments).unwrap()
            })
        );
    }

    fn shortcut() -> WorkflowOptions {
        WorkflowOptions {
            kabid_dispatches: true,
            ..opts()
        }
    }

    #[test]
    fn on_the_shortened_chain_kabid_dispatches_and_answers_return_to_kabid() {
        let kabid = staff(Role::Kabid);
        let t = apply(
            &Case::new(Status::AtKabid),
            &Action::Dispatch {
                opds: vec![code("PUPR")],
                note: String::new(),
            },
            &kabid,
            &shortcut(),
        )
        .unwrap();
        assert_eq!(t.to, Status::Dispatched);
        assert_eq!(
            t.effects[..2],
            [
                finished(Step::Forward, Holder::Kabid),
                Effect::SetDispatcher(Dispatcher::Kabid)
            ]
        );
        let case = Case {
            dispatched_by: Some(Dispatcher::Kabid),
            ..dispatched(vec![AssignmentView::pending(code("PUPR"))])
        };
        let t = apply(&case, &answer("x"), &Actor::opd(code("PUPR")), &shortcut()).unwrap();
        assert_eq!(t.to, Status::AnswerAtKabid);
        assert!(
            t.effects
                .contains(&started(Step::AnswerReturn, Holder::Kabid))
        );
        let t = apply(&case, &decline(), &Actor::opd(code("PUPR")), &shortcut()).unwrap();
        assert_eq!(t.to, Status::AtKabid);
        assert!(t.effects.contains(&Effect::NotifyQueue(Queue::Kabid)));
        // Kabid may add agencies to its own round, not to one Kadis dispatched.
        let more = Action::Dispatch {
            opds: vec![code("DINKES")],
            note: String::new(),
        };
        assert!(apply(&case, &more, &kabid, &shortcut()).is_ok());
        let kadis_round = dispatched(vec![AssignmentView::pending(code("PUPR"))]);
        assert!(matches!(
            apply(&kadis_round, &more, &kabid, &shortcut()),
            Err(TransitionError::NotAllowed { .. })
        ));
    }

    #[test]
    fn a_round_kadis_dispatched_still_returns_to_kadis_with_the_shortcut_on() {
        let case = dispatched(vec![AssignmentView::pending(code("PUPR"))]);
        let t = apply(&case, &answer("x"), &Actor::opd(code("PUPR")), &shortcut()).unwrap();
        assert_eq!(t.to, Status::AnswerAtKadis);
    }

    #[test]
    fn allowed_actions_list_only_what_this_user_may_do_now() {
        let o = opts();
        assert_eq!(
            allowed_actions(&Case::new(Status::Submitted), &staff(Role::Admin), &o),
            ["verify", "request_completion", "reject"]
        );
        assert_eq!(
            allowed_actions(&Case::new(Status::AtKadis), &staff(Role::Kadis), &o),
            ["dispatch"]
        );
        assert_eq!(
            allowed_actions(
                &Case::new(Status::AnswerAtKabid),
                &staff(Role::Superadmin),
                &o
            ),
            ["pass_answer"]
        );
        assert!(
            allowed_actions(&Case::new(Status::AnswerAtKabid), &staff(Role::Kadis), &o).is_empty()
        );
        let case = dispatched(vec![AssignmentView::pending(code("PUPR"))]);
        assert_eq!(
            allowed_actions(&case, &Actor::opd(code("PUPR")), &o),
            ["answer", "decline"]
        );
        assert!(allowed_actions(&case, &Actor::opd(code("DINKES")), &o).is_empty());
        assert!(allowed_actions(&case, &staff(Role::Viewer), &o).is_empty());
        assert_eq!(
            allowed_actions(&Case::new(Status::Incomplete), &Actor::System, &o),
            ["citizen_completed", "withdraw"]
        );
    }

    #[test]
    fn the_action_json_is_the_api_contract() {
        let action: Action = serde_json::from_str(
            r#"{"action": "dispatch", "opds": ["pupr", "DINKES"], "note": "Segera"}"#,
        )
        .unwrap();
        assert_eq!(
            action,
            Action::Dispatch {
                opds: vec![code("PUPR"), code("DINKES")],
                note: "Segera".to_owned()
            }
        );
        assert_eq!(
            serde_json::to_value(&action).unwrap(),
            serde_json::json!({"action": "dispatch", "opds": ["PUPR", "DINKES"], "note": "Segera"})
        );
        let verify: Action = serde_json::from_str(r#"{"action":"verify"}"#).unwrap();
        assert_eq!(verify, Action::Verify);
        let reply: Action = serde_json::from_str(r#"{"action":"send_reply"}"#).unwrap();
        assert_eq!(reply, Action::SendReply { text: None });
        let dispatch_without_note: Action =
            serde_json::from_str(r#"{"action":"dispatch","opds":["PUPR"]}"#).unwrap();
        assert_eq!(dispatch_without_note.name(), "dispatch");
        // A misspelt optional field would silently change meaning; it is refused.
        assert!(serde_json::from_str::<Action>(r#"{"action":"send_reply","txt":"Halo"}"#).is_err());
        // (serde cannot refuse extra fields on the data-less actions; they carry nothing to
        // misspell.)
        assert!(serde_json::from_str::<Action>(r#"{"action":"verify","x":1}"#).is_ok());
        assert!(serde_json::from_str::<Action>(r#"{"action":"close"}"#).is_err());
        assert!(serde_json::from_str::<Action>(r#"{"action":"dispatch","opds":["A B"]}"#).is_err());
    }

    #[test]
    fn every_action_name_round_trips_through_json() {
        let samples = [
            Action::Verify,
            Action::RequestCompletion {
                message: "m".into(),
            },
            Action::Reject { reason: "r".into() },
            Action::SendReply {
                text: Some("t".into()),
            },
            Action::Forward,
            Action::PassAnswer,
            Action::Dispatch {
                opds: vec![code("PUPR")],
                note: String::new(),
            },
            Action::Answer {
                answer: "a".into(),
                follow_up: "f".into(),
                opd: Some(code("PUPR")),
            },
            Action::Decline {
                reason: "r".into(),
                opd: None,
            },
            Action::CitizenCompleted,
            Action::Withdraw,
            Action::Reopen {
                reason: "r".into(),
                received_at: ts("2026-12-01T00:00:00Z"),
            },
        ];
        let names: Vec<&str> = samples.iter().map(Action::name).collect();
        assert_eq!(names, Action::ALL_NAMES);
        for action in samples {
            let json = serde_json::to_value(&action).unwrap();
            assert_eq!(json["action"], action.name());
            assert_eq!(serde_json::from_value::<Action>(json).unwrap(), action);
        }
    }

    #[test]
    fn statuses_round_trip_and_speak_plain_indonesian() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Ok(status));
            assert_eq!(
                serde_json::to_string(&status).unwrap(),
                format!("\"{}\"", status.as_str())
            );
            assert!(!status.label_id().is_empty());
            assert_eq!(status.is_open(), !status.is_terminal());
        }
        assert_eq!(
            Status::Submitted.label_id(),
            "Diterima, menunggu verifikasi petugas"
        );
        assert_eq!(
            Status::Dispatched.label_id(),
            "Sedang ditindaklanjuti oleh perangkat daerah terkait"
        );
        assert_eq!(Status::Closed.label_id(), "Selesai, jawaban telah dikirim");
        let terminal: Vec<Status> = Status::ALL
            .into_iter()
            .filter(|s| s.is_terminal())
            .collect();
        assert_eq!(
            terminal,
            [Status::Closed, Status::Rejected, Status::Withdrawn]
        );
    }

    #[test]
    fn each_status_names_who_holds_it() {
        assert_eq!(Status::Submitted.holder(), Some(Holder::Admin));
        assert_eq!(Status::Incomplete.holder(), Some(Holder::Citizen));
        assert_eq!(Status::AtKabid.holder(), Some(Holder::Kabid));
        assert_eq!(Status::AnswerAtKadis.queue(), Some(Queue::Kadis));
        assert_eq!(Status::Closed.holder(), None);
        let case = dispatched(vec![
            AssignmentView::pending(code("PUPR")),
            AssignmentView::answered(code("DINKES"), "a", "b"),
        ]);
        assert_eq!(case.holders(), [Holder::Opd(code("PUPR"))]);
        assert_eq!(Queue::Opd(code("PUPR")).to_string(), "opd:PUPR");
        assert_eq!(
            serde_json::from_str::<Queue>("\"kabid\"").unwrap(),
            Queue::Kabid
        );
        assert!(serde_json::from_str::<Queue>("\"citizen\"").is_err());
    }
}
