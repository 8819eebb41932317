//! Queuing messages: every message to a citizen or an official becomes a transcript row
//! and an outbox row in the caller's transaction, so it is sent if and only if the state
//! change that caused it commits. The outbox payload carries the Graph API body and, for
//! messages that may fall outside WhatsApp's 24-hour window, the parameters of the
//! approved template to send instead.

use serde::{Deserialize, Serialize};
use wani_bares_store::{Conn, Millis, StoreError, messages, outbox};
use wani_bares_whatsapp::outbound::{self, OutboundMessage, Recipient, ReplyButton};

/// What to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outgoing {
    /// A plain text.
    Text(String),
    /// A text with up to three reply buttons: (id, title).
    Buttons {
        /// Body text.
        body: String,
        /// Buttons.
        buttons: Vec<(String, String)>,
    },
    /// A list: body, button label, rows (id, title, description).
    List {
        /// Body text.
        body: String,
        /// The label of the button that opens the list.
        button: String,
        /// Rows.
        rows: Vec<(String, String, String)>,
    },
}

impl Outgoing {
    /// The text a person reads.
    pub fn text(&self) -> &str {
        match self {
            Outgoing::Text(t) => t,
            Outgoing::Buttons { body, .. } | Outgoing::List { body, .. } => body,
        }
    }
}

/// The template to send when the 24-hour window is closed.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Fallback {
    /// Body parameters: the tracking number and a short text.
    pub params: Vec<String>,
}

/// The sealed outbox payload.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Payload {
    /// The Graph API body (for `mark_read`: the mark-read body).
    pub wire: serde_json::Value,
    /// Template parameters for outside the window; `None` when the message is a template
    /// already or a mark-read.
    #[serde(default)]
    pub fallback: Option<Fallback>,
    /// Sending it finishes the citizen's first-reply deadline.
    #[serde(default)]
    pub first_reply: bool,
    /// Send the template even inside the window (Meta answered 131047 asynchronously).
    #[serde(default)]
    pub force_template: bool,
    /// Use this template instead of the configured one (e.g. the rating question's).
    #[serde(default)]
    pub template: Option<TemplateChoice>,
}

/// A specific approved template with quick-reply payloads.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct TemplateChoice {
    /// Template name.
    pub name: String,
    /// Language code.
    pub language: String,
    /// Payloads of its quick-reply buttons, in order.
    #[serde(default)]
    pub quick_replies: Vec<String>,
}

/// Who receives it.
#[derive(Clone, Debug)]
pub struct To<'a> {
    /// A citizen.
    pub citizen_id: Option<i64>,
    /// An official.
    pub user_id: Option<i64>,
    /// Phone digits.
    pub phone: Option<&'a str>,
    /// BSUID (when there is no phone).
    pub bsuid: Option<&'a str>,
}

impl To<'_> {
    fn recipient(&self) -> Option<Recipient> {
        match (self.phone, self.bsuid) {
            (Some(p), _) => Some(Recipient::Phone(p.to_owned())),
            (None, Some(b)) => Some(Recipient::Bsuid(b.to_owned())),
            (None, None) => None,
        }
    }
}

/// Options of one message.
#[derive(Clone, Debug, Default)]
pub struct Options<'a> {
    /// The complaint it concerns.
    pub complaint_id: Option<i64>,
    /// The complaint's tracking number (template parameter).
    pub ticket: Option<&'a str>,
    /// Idempotency key.
    pub dedupe_key: Option<String>,
    /// It is the bot's first reply to this citizen.
    pub first_reply: bool,
    /// Quote this inbound message.
    pub reply_to: Option<&'a str>,
    /// The template to use outside the window instead of the configured one.
    pub template: Option<TemplateChoice>,
}

fn build(to: Recipient, what: &Outgoing) -> OutboundMessage {
    match what {
        Outgoing::Text(t) => OutboundMessage::text(to, t),
        Outgoing::Buttons { body, buttons } => {
            let b = buttons
                .iter()
                .map(|(id, title)| ReplyButton::new(id.clone(), title.clone()))
                .collect();
            OutboundMessage::buttons(to.clone(), body, b)
                .unwrap_or_else(|_| OutboundMessage::text(to, body))
        }
        Outgoing::List { body, button, rows } => {
            let section = outbound::ListSection {
                title: None,
                rows: rows
                    .iter()
                    .map(|(id, title, desc)| {
                        outbound::ListRow::new(id.clone(), title.clone(), Some(desc.clone()))
                    })
                    .collect(),
            };
            OutboundMessage::list(to.clone(), body, button, vec![section])
                .unwrap_or_else(|_| OutboundMessage::text(to, body))
        }
    }
}

fn transcript_json(what: &Outgoing) -> String {
    let v = match what {
        Outgoing::Text(t) => serde_json::json!({"type": "text", "text": t}),
        Outgoing::Buttons { body, buttons } => serde_json::json!({
            "type": "buttons", "text": body,
            "buttons": buttons.iter().map(|(_, t)| t).collect::<Vec<_>>()
        }),
        Outgoing::List { body, button, rows } => serde_json::json!({
            "type": "list", "text": body, "button": button,
            "rows": rows.iter().map(|(_, t, _)| t).collect::<Vec<_>>()
        }),
    };
    v.to_string()
}

/// A short one-line excerpt for a template parameter.
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let flat: String = text
        .replace('*', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if flat.chars().count() <= max_chars {
        flat
    } else {
        let cut: String = flat.chars().take(max_chars.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// Queues a message; returns the transcript row id (`None` when the dedupe key was used
/// before, i.e. the message was already queued).
pub async fn enqueue(
    c: &mut Conn<'_>,
    to: &To<'_>,
    what: &Outgoing,
    opts: &Options<'_>,
    now: Millis,
) -> Result<Option<i64>, StoreError> {
    let Some(recipient) = to.recipient() else {
        return Err(StoreError::Corrupt(
            "a message needs a phone number or a BSUID".into(),
        ));
    };
    let mut message = build(recipient, what);
    if let Some(id) = opts.reply_to {
        message = message.replying_to(id);
    }
    let payload = Payload {
        wire: message.to_json(),
        fallback: Some(Fallback {
            params: vec![
                opts.ticket.unwrap_or("-").to_owned(),
                excerpt(what.text(), 400),
            ],
        }),
        first_reply: opts.first_reply,
        force_template: false,
        template: opts.template.clone(),
    };
    let kind = match what {
        Outgoing::Text(_) => "text",
        _ => "interactive",
    };
    let message_id = messages::insert_outbound(
        c,
        &messages::NewOutbound {
            citizen_id: to.citizen_id,
            user_id: to.user_id,
            complaint_id: opts.complaint_id,
            kind,
            body_json: &transcript_json(what),
            created_at: now,
        },
    )
    .await?;
    let payload_json = serde_json::to_string(&payload)
        .map_err(|e| StoreError::Corrupt(format!("payload: {e}")))?;
    let id = outbox::enqueue(
        c,
        &outbox::NewOutbox {
            dedupe_key: opts.dedupe_key.as_deref(),
            citizen_id: to.citizen_id,
            user_id: to.user_id,
            complaint_id: opts.complaint_id,
            message_id: Some(message_id),
            to_phone: to.phone,
            to_bsuid: to.bsuid,
            kind,
            payload_json: &payload_json,
            not_before: now,
            now,
        },
    )
    .await?;
    if let Some(outbox_id) = id {
        messages::set_outbox(c, message_id, outbox_id).await?;
        Ok(Some(message_id))
    } else {
        // Already queued under this key: the transcript row we just wrote is a duplicate;
        // mark it so it does not show as a second message.
        messages::set_delivery(c, message_id, "duplicate", None).await?;
        Ok(None)
    }
}
