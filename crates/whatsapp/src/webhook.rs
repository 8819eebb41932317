//! Webhook notifications: the body Meta POSTs for inbound messages, delivery statuses and
//! errors, flattened into a list of [`Event`]s.
//!
//! Shape: `{"object":"whatsapp_business_account","entry":[{"id":WABA,"changes":[{"field":
//! "messages","value":{metadata, contacts[], messages[], statuses[], errors[]}}]}]}`.
//!
//! Invariants:
//!
//! - **every array is iterated**: entries, changes, messages, statuses, errors; contacts are
//!   matched to a message by `wa_id`/`user_id`, never by position (one POST may carry
//!   several senders);
//! - **one bad item never fails the batch**: only a body that is not JSON, not
//!   `object == "whatsapp_business_account"` or without an `entry` array is a
//!   [`ParseError`] (the caller keeps it as a poison event). Below that, each entry,
//!   change, message and status is read on its own from a [`serde_json::Value`]: a message
//!   with an `id` whose content we cannot read becomes [`Content::Unknown`], anything else
//!   unreadable becomes [`Event::Malformed`] with its raw JSON;
//! - every event carries its [`Routing`] (WABA id, `phone_number_id`), taken from its own
//!   entry and change;
//! - no string in the result holds a NUL character: they are removed from every string
//!   value before anything else (PostgreSQL text cannot store NUL, so one such character
//!   would fail the whole body's processing, and it never carries meaning);
//! - nesting depth is bounded by serde_json's recursion limit (128), so hostile bodies
//!   cannot overflow the stack; `edit` messages are unwrapped one level only;
//! - `timestamp`s are unix seconds; Meta sends strings, numbers are accepted too.
//!
//! Spec: <https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components>,
//! <https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples>,
//! error objects: <https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes>.

use serde_json::{Map, Value};

use crate::media::MediaKind;

/// A parsed webhook body: every event it carries, in body order.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// Messages, statuses, errors and the rest, flattened across entries and changes.
    pub events: Vec<Event>,
}

impl Notification {
    /// The inbound messages, in body order.
    pub fn messages(&self) -> impl Iterator<Item = &InboundMessage> {
        self.events.iter().filter_map(|event| match event {
            Event::Message(message) => Some(message),
            _ => None,
        })
    }

    /// The delivery statuses, in body order.
    pub fn statuses(&self) -> impl Iterator<Item = &StatusUpdate> {
        self.events.iter().filter_map(|event| match event {
            Event::Status(status) => Some(status),
            _ => None,
        })
    }
}

/// One thing Meta told us.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A message from a citizen.
    Message(InboundMessage),
    /// A delivery status of a message we sent.
    Status(StatusUpdate),
    /// A `value.errors[]` element: Meta could not deliver something to us (e.g. 131000
    /// "Unsupported webhook payload").
    Error {
        /// Where it happened.
        routing: Routing,
        /// What happened.
        error: WebhookError,
    },
    /// A change for another webhook field (`account_update`, `message_template_status_update`…).
    Ignored {
        /// The WABA (entry id).
        waba_id: String,
        /// The change's `field`.
        field: String,
    },
    /// An entry, change, message or status we could not read at all.
    Malformed {
        /// The JSON of the unreadable item.
        raw: Value,
        /// Why it was unreadable.
        reason: String,
    },
}

impl Event {
    /// Where the event belongs, for messages, statuses and value errors.
    pub fn routing(&self) -> Option<&Routing> {
        match self {
            Event::Message(message) => Some(&message.routing),
            Event::Status(status) => Some(&status.routing),
            Event::Error { routing, .. } => Some(routing),
            Event::Ignored { .. } | Event::Malformed { .. } => None,
        }
    }
}

/// Where an event belongs: which WhatsApp Business Account and which of our numbers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Routing {
    /// `entry[].id`: the WhatsApp Business Account id.
    pub waba_id: String,
    /// `value.metadata.phone_number_id`: the business number the event is for (route by it).
    pub phone_number_id: String,
    /// `value.metadata.display_phone_number`.
    pub display_phone_number: Option<String>,
}

/// An inbound message.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundMessage {
    /// Where it arrived.
    pub routing: Routing,
    /// `wamid.…`: the dedupe key (Meta delivers at least once).
    pub id: String,
    /// The sender's phone number (`from`); absent for username-only users.
    pub from: Option<String>,
    /// The sender's business-scoped user id (BSUID): `from_user_id`, else the matching
    /// `contacts[].user_id`.
    pub from_user_id: Option<String>,
    /// The sender's WhatsApp profile name (from the matching contact).
    pub profile_name: Option<String>,
    /// The matching contact's `wa_id`.
    pub contact_wa_id: Option<String>,
    /// Unix seconds.
    pub timestamp: i64,
    /// Reply / forward information.
    pub context: Option<Context>,
    /// Click-to-WhatsApp ad referral, as sent.
    pub referral: Option<Value>,
    /// `messages[].errors[]` (e.g. 131051 for unsupported types).
    pub errors: Vec<WebhookError>,
    /// What the message says.
    pub content: Content,
}

/// `messages[].context`: the message replies to `id` (sent by `from`), or was forwarded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// Who sent the quoted message (our display number when the citizen replies to us).
    pub from: Option<String>,
    /// The quoted message's wamid.
    pub id: Option<String>,
    /// Forwarded once or a few times.
    pub forwarded: bool,
    /// Forwarded more than five times.
    pub frequently_forwarded: bool,
}

/// What an inbound message carries, by its `type`.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// `text`.
    Text {
        /// The text as typed (may exceed the outbound 4096-character limit).
        body: String,
    },
    /// `image` (jpeg/png).
    Image(Media),
    /// `video`.
    Video(Media),
    /// `audio`; `voice` is true for a recorded voice note.
    Audio {
        /// The file.
        media: Media,
        /// A voice note rather than an audio file.
        voice: bool,
    },
    /// `document`.
    Document(Media),
    /// `sticker` (webp).
    Sticker {
        /// The file.
        media: Media,
        /// An animated sticker.
        animated: bool,
    },
    /// `location`: a dropped pin or a named place.
    Location {
        /// Degrees.
        latitude: f64,
        /// Degrees.
        longitude: f64,
        /// Place name.
        name: Option<String>,
        /// Place address.
        address: Option<String>,
        /// Place URL.
        url: Option<String>,
    },
    /// `contacts`: shared contact cards.
    Contacts(Vec<SharedContact>),
    /// `interactive`: the citizen tapped a reply button or a list row we sent.
    Interactive(InteractiveReply),
    /// `button`: the citizen tapped a template's quick-reply button.
    Button {
        /// The payload we set on the template button.
        payload: Option<String>,
        /// The button's label.
        text: Option<String>,
    },
    /// `reaction`: an emoji on one of our messages; `emoji` is `None` when it was removed.
    Reaction {
        /// The wamid reacted to.
        message_id: String,
        /// The emoji, or `None` for a removed reaction (Meta sends `""`).
        emoji: Option<String>,
    },
    /// `edit`: the citizen edited an earlier message.
    Edit {
        /// The wamid of the message edited.
        original_message_id: String,
        /// Its new content.
        content: Box<Content>,
    },
    /// `system`, e.g. `user_changed_number`.
    System {
        /// `system.type`.
        kind: Option<String>,
        /// Human-readable description.
        body: Option<String>,
        /// The sender's new number, for `user_changed_number`.
        new_wa_id: Option<String>,
    },
    /// `unsupported` (or the legacy `unknown`): WhatsApp could not pass it on (error 131051).
    Unsupported {
        /// `unsupported.type`, e.g. `"poll"`.
        unsupported_type: Option<String>,
    },
    /// A type we do not know, or a known type whose object is missing or unreadable.
    Unknown {
        /// The message's `type` (empty when absent).
        type_name: String,
        /// The whole message object.
        raw: Value,
    },
}

impl Content {
    /// The media file this message carries, with its kind, if any (an edit's new media
    /// included).
    pub fn media(&self) -> Option<(MediaKind, &Media)> {
        match self {
            Content::Image(media) => Some((MediaKind::Image, media)),
            Content::Video(media) => Some((MediaKind::Video, media)),
            Content::Audio { media, .. } => Some((MediaKind::Audio, media)),
            Content::Document(media) => Some((MediaKind::Document, media)),
            Content::Sticker { media, .. } => Some((MediaKind::Sticker, media)),
            Content::Edit { content, .. } => content.media(),
            _ => None,
        }
    }
}

/// A media object in a message: fetch it with `GraphClient::media_info(id)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    /// The media id (valid for 7 days).
    pub id: String,
    /// MIME type as sent (may carry parameters: `audio/ogg; codecs=opus`).
    pub mime_type: Option<String>,
    /// SHA-256 of the file (base64 in webhooks; see `media::verify_sha256`).
    pub sha256: Option<String>,
    /// Caption (image, video, document).
    pub caption: Option<String>,
    /// Original file name (document).
    pub filename: Option<String>,
    /// A direct download URL, present in some bodies.
    pub url: Option<String>,
}

/// One shared contact card (`messages[].contacts[]`).
#[derive(Debug, Clone, PartialEq)]
pub struct SharedContact {
    /// `name.formatted_name`, else first and last name joined.
    pub name: Option<String>,
    /// The card's phone numbers.
    pub phones: Vec<SharedPhone>,
    /// The whole card (emails, addresses, org… as sent).
    pub raw: Value,
}

/// A phone number on a shared contact card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedPhone {
    /// As written on the card (`+1 555-555-5555`).
    pub phone: Option<String>,
    /// The WhatsApp id, when the number is on WhatsApp.
    pub wa_id: Option<String>,
    /// `CELL`, `HOME`, `WORK`…
    pub kind: Option<String>,
}

/// A tap on an interactive message we sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InteractiveReply {
    /// `button_reply`: one of our reply buttons.
    ButtonReply {
        /// The button id we set.
        id: String,
        /// The button label.
        title: String,
    },
    /// `list_reply`: one of our list rows.
    ListReply {
        /// The row id we set.
        id: String,
        /// The row title.
        title: String,
        /// The row description.
        description: Option<String>,
    },
}

/// A delivery status for one of our messages.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusUpdate {
    /// Where it happened.
    pub routing: Routing,
    /// The wamid of our message.
    pub id: String,
    /// Sent, delivered, read or failed.
    pub status: DeliveryStatus,
    /// Unix seconds.
    pub timestamp: i64,
    /// The recipient's phone number.
    pub recipient_id: Option<String>,
    /// The recipient's BSUID.
    pub recipient_user_id: Option<String>,
    /// The `biz_opaque_callback_data` we attached when sending: lets a send whose outcome
    /// was unknown be reconciled when its status arrives.
    pub biz_opaque_callback_data: Option<String>,
    /// Why it failed (for `failed`).
    pub errors: Vec<WebhookError>,
    /// Conversation (billing window) information.
    pub conversation: Option<Conversation>,
    /// Pricing information.
    pub pricing: Option<Pricing>,
}

/// `statuses[].conversation`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    /// Conversation id.
    pub id: Option<String>,
    /// `origin.type`: `service`, `utility`, `marketing`, `authentication`…
    pub origin_type: Option<String>,
    /// Unix seconds when the conversation window closes (on `sent` only).
    pub expiration_timestamp: Option<i64>,
}

/// `statuses[].pricing`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pricing {
    /// Whether the message is charged.
    pub billable: Option<bool>,
    /// `CBP`, `PMP`…
    pub pricing_model: Option<String>,
    /// `service`, `utility`…
    pub category: Option<String>,
}

/// A message's delivery state, as reported by status webhooks.
///
/// Statuses arrive late, repeated and out of order, so the stored state only ever moves
/// to a higher [`rank`](DeliveryStatus::rank): `sent < delivered < read < failed`.
/// `failed` ranks highest because it is terminal: a `delivered` that arrives after a
/// `failed` must not hide the failure, and the failure's error is what staff need to see.
/// (Meta does not send `failed` after `read`; if it ever did, recording the failure is the
/// safer reading.) Unknown statuses rank 0 and never move the state.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DeliveryStatus {
    /// Accepted by WhatsApp.
    Sent,
    /// On the recipient's device.
    Delivered,
    /// Opened by the recipient.
    Read,
    /// Could not be delivered; see the status's errors.
    Failed,
    /// A status this crate does not know (e.g. `deleted`, `warning`).
    Other(String),
}

impl DeliveryStatus {
    /// Parses Meta's `status` string.
    pub fn parse(status: &str) -> DeliveryStatus {
        match status {
            "sent" => DeliveryStatus::Sent,
            "delivered" => DeliveryStatus::Delivered,
            "read" => DeliveryStatus::Read,
            "failed" => DeliveryStatus::Failed,
            other => DeliveryStatus::Other(other.to_owned()),
        }
    }

    /// Meta's string for this status.
    pub fn as_str(&self) -> &str {
        match self {
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Read => "read",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Other(other) => other,
        }
    }

    /// Order for "only move forward": `Other` 0, `Sent` 1, `Delivered` 2, `Read` 3,
    /// `Failed` 4.
    pub fn rank(&self) -> u8 {
        match self {
            DeliveryStatus::Other(_) => 0,
            DeliveryStatus::Sent => 1,
            DeliveryStatus::Delivered => 2,
            DeliveryStatus::Read => 3,
            DeliveryStatus::Failed => 4,
        }
    }

    /// Whether a message currently in `current` should move to `self`.
    pub fn supersedes(&self, current: &DeliveryStatus) -> bool {
        self.rank() > current.rank()
    }
}

/// An `errors[]` element inside a webhook (value, message or status level).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookError {
    /// Meta's error code (e.g. 131047, 131051).
    pub code: i64,
    /// Short title.
    pub title: Option<String>,
    /// Message (often equal to the title).
    pub message: Option<String>,
    /// `error_data.details`, or the legacy top-level `details`.
    pub details: Option<String>,
    /// Link to Meta's error-code page.
    pub href: Option<String>,
}

impl WebhookError {
    /// Reads one error object; `None` without a numeric `code`.
    pub fn from_value(value: &Value) -> Option<WebhookError> {
        let object = value.as_object()?;
        Some(WebhookError {
            code: integer(object.get("code")?)?,
            title: string(object, "title"),
            message: string(object, "message"),
            details: object
                .get("error_data")
                .and_then(Value::as_object)
                .and_then(|data| string(data, "details"))
                .or_else(|| string(object, "details")),
            href: string(object, "href"),
        })
    }
}

/// Why a whole body was rejected (keep it as a poison event).
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// Not JSON, or nested deeper than serde_json's recursion limit.
    #[error("webhook body is not JSON: {0}")]
    NotJson(#[from] serde_json::Error),
    /// JSON, but `object` is not `whatsapp_business_account`.
    #[error("webhook body is not a whatsapp_business_account notification (object = {0:?})")]
    WrongObject(Option<String>),
    /// No `entry` array.
    #[error("webhook body has no entry array")]
    NoEntries,
}

/// Parses a webhook body into its events. See the module docs for what is an error and
/// what becomes an [`Event::Malformed`].
pub fn parse(body: &[u8]) -> Result<Notification, ParseError> {
    let mut root: Value = serde_json::from_slice(body)?;
    strip_nul(&mut root);
    let object = root.get("object").and_then(Value::as_str);
    if object != Some("whatsapp_business_account") {
        return Err(ParseError::WrongObject(object.map(str::to_owned)));
    }
    let entries = root
        .get("entry")
        .and_then(Value::as_array)
        .ok_or(ParseError::NoEntries)?;
    let mut events = Vec::new();
    for entry in entries {
        parse_entry(entry, &mut events);
    }
    Ok(Notification { events })
}

/// Removes NUL characters from every string value (see the module docs). Keys stay as
/// sent: they are never stored as text, and stripping them could make two keys collide.
/// Recursion is bounded by serde_json's nesting limit.
fn strip_nul(value: &mut Value) {
    match value {
        Value::String(s) if s.contains('\0') => s.retain(|c| c != '\0'),
        Value::Array(items) => items.iter_mut().for_each(strip_nul),
        Value::Object(map) => map.values_mut().for_each(strip_nul),
        _ => {}
    }
}

fn malformed(raw: &Value, reason: impl Into<String>) -> Event {
    Event::Malformed {
        raw: raw.clone(),
        reason: reason.into(),
    }
}

fn parse_entry(entry: &Value, events: &mut Vec<Event>) {
    let Some(waba_id) = entry.get("id").and_then(id_string) else {
        events.push(malformed(entry, "entry has no id"));
        return;
    };
    let Some(changes) = entry.get("changes").and_then(Value::as_array) else {
        events.push(malformed(entry, "entry has no changes array"));
        return;
    };
    for change in changes {
        parse_change(&waba_id, change, events);
    }
}

fn parse_change(waba_id: &str, change: &Value, events: &mut Vec<Event>) {
    let Some(field) = change.get("field").and_then(Value::as_str) else {
        events.push(malformed(change, "change has no field"));
        return;
    };
    if field != "messages" {
        events.push(Event::Ignored {
            waba_id: waba_id.to_owned(),
            field: field.to_owned(),
        });
        return;
    }
    let Some(value) = change.get("value").and_then(Value::as_object) else {
        events.push(malformed(change, "messages change has no value object"));
        return;
    };
    let metadata = value.get("metadata").and_then(Value::as_object);
    let Some(phone_number_id) = metadata
        .and_then(|m| m.get("phone_number_id"))
        .and_then(id_string)
    else {
        events.push(malformed(
            change,
            "messages change has no metadata.phone_number_id",
        ));
        return;
    };
    let routing = Routing {
        waba_id: waba_id.to_owned(),
        phone_number_id,
        display_phone_number: metadata
            .and_then(|m| m.get("display_phone_number"))
            .and_then(id_string),
    };
    let contacts: Vec<Contact> = array(value, "contacts")
        .iter()
        .filter_map(Contact::from_value)
        .collect();

    for message in array(value, "messages") {
        events.push(parse_message(&routing, &contacts, message));
    }
    for status in array(value, "statuses") {
        events.push(parse_status(&routing, status));
    }
    for error in array(value, "errors") {
        events.push(match WebhookError::from_value(error) {
            Some(error) => Event::Error {
                routing: routing.clone(),
                error,
            },
            None => malformed(error, "value error has no numeric code"),
        });
    }
}

/// A `value.contacts[]` element: who sent the messages of this value.
struct Contact {
    wa_id: Option<String>,
    user_id: Option<String>,
    name: Option<String>,
}

impl Contact {
    fn from_value(value: &Value) -> Option<Contact> {
        let object = value.as_object()?;
        Some(Contact {
            wa_id: object.get("wa_id").and_then(id_string),
            user_id: string(object, "user_id"),
            name: object
                .get("profile")
                .and_then(Value::as_object)
                .and_then(|profile| string(profile, "name")),
        })
    }
}

/// The contact describing a message's sender: by `wa_id == from`, else by `user_id ==
/// from_user_id`, else the only contact if there is exactly one. Never by position.
fn sender_contact<'a>(
    contacts: &'a [Contact],
    from: Option<&str>,
    from_user_id: Option<&str>,
) -> Option<&'a Contact> {
    from.and_then(|from| contacts.iter().find(|c| c.wa_id.as_deref() == Some(from)))
        .or_else(|| {
            from_user_id
                .and_then(|user| contacts.iter().find(|c| c.user_id.as_deref() == Some(user)))
        })
        .or(match contacts {
            [only] => Some(only),
            _ => None,
        })
}

fn parse_message(routing: &Routing, contacts: &[Contact], raw: &Value) -> Event {
    let Some(message) = raw.as_object() else {
        return malformed(raw, "message is not an object");
    };
    let Some(id) = string(message, "id").filter(|id| !id.is_empty()) else {
        return malformed(raw, "message has no id");
    };
    let Some(timestamp) = message.get("timestamp").and_then(integer) else {
        return malformed(raw, format!("message {id} has no valid timestamp"));
    };
    let from = message.get("from").and_then(id_string);
    let own_user_id = string(message, "from_user_id");
    let contact = sender_contact(contacts, from.as_deref(), own_user_id.as_deref());
    let errors = errors(message);
    Event::Message(InboundMessage {
        routing: routing.clone(),
        id,
        from_user_id: own_user_id.or_else(|| contact.and_then(|c| c.user_id.clone())),
        from,
        profile_name: contact.and_then(|c| c.name.clone()),
        contact_wa_id: contact.and_then(|c| c.wa_id.clone()),
        timestamp,
        context: message
            .get("context")
            .and_then(Value::as_object)
            .map(parse_context),
        referral: message.get("referral").filter(|r| !r.is_null()).cloned(),
        errors,
        content: parse_content(message, raw, true),
    })
}

fn parse_context(context: &Map<String, Value>) -> Context {
    Context {
        from: context.get("from").and_then(id_string),
        id: string(context, "id"),
        forwarded: flag(context, "forwarded"),
        frequently_forwarded: flag(context, "frequently_forwarded"),
    }
}

/// Reads the content of a message object (`type` + the object of that name). `raw` is
/// what goes into [`Content::Unknown`]; `allow_edit` stops `edit` from nesting.
fn parse_content(message: &Map<String, Value>, raw: &Value, allow_edit: bool) -> Content {
    let type_name = string(message, "type").unwrap_or_default();
    let body = message.get(type_name.as_str()).and_then(Value::as_object);
    let known = match (type_name.as_str(), body) {
        ("unsupported" | "unknown", body) => Some(Content::Unsupported {
            unsupported_type: body.and_then(|b| string(b, "type")),
        }),
        ("text", Some(text)) => string(text, "body").map(|body| Content::Text { body }),
        ("image", Some(object)) => parse_media(object).map(Content::Image),
        ("video", Some(object)) => parse_media(object).map(Content::Video),
        ("document", Some(object)) => parse_media(object).map(Content::Document),
        ("audio", Some(object)) => parse_media(object).map(|media| Content::Audio {
            media,
            voice: flag(object, "voice"),
        }),
        ("sticker", Some(object)) => parse_media(object).map(|media| Content::Sticker {
            media,
            animated: flag(object, "animated"),
        }),
        ("location", Some(object)) => parse_location(object),
        ("interactive", Some(object)) => parse_interactive(object).map(Content::Interactive),
        ("button", Some(object)) => Some(Content::Button {
            payload: string(object, "payload"),
            text: string(object, "text"),
        }),
        ("reaction", Some(object)) => {
            string(object, "message_id").map(|message_id| Content::Reaction {
                message_id,
                emoji: string(object, "emoji").filter(|emoji| !emoji.is_empty()),
            })
        }
        ("system", Some(object)) => Some(Content::System {
            kind: string(object, "type"),
            body: string(object, "body"),
            new_wa_id: object
                .get("wa_id")
                .or_else(|| object.get("new_wa_id"))
                .and_then(id_string),
        }),
        ("edit", Some(object)) if allow_edit => parse_edit(object),
        _ => None,
    };
    // `contacts` is an array, not an object, so it is read apart from the rest.
    let known = known.or_else(|| match (type_name.as_str(), message.get("contacts")) {
        ("contacts", Some(Value::Array(cards))) => Some(Content::Contacts(
            cards.iter().map(parse_shared_contact).collect(),
        )),
        _ => None,
    });
    known.unwrap_or_else(|| Content::Unknown {
        type_name,
        raw: raw.clone(),
    })
}

fn parse_media(object: &Map<String, Value>) -> Option<Media> {
    Some(Media {
        id: object.get("id").and_then(id_string)?,
        mime_type: string(object, "mime_type"),
        sha256: string(object, "sha256"),
        caption: string(object, "caption"),
        filename: string(object, "filename"),
        url: string(object, "url"),
    })
}

fn parse_location(object: &Map<String, Value>) -> Option<Content> {
    Some(Content::Location {
        latitude: number(object.get("latitude")?)?,
        longitude: number(object.get("longitude")?)?,
        name: string(object, "name"),
        address: string(object, "address"),
        url: string(object, "url"),
    })
}

fn parse_interactive(object: &Map<String, Value>) -> Option<InteractiveReply> {
    let kind = string(object, "type")?;
    let reply = object.get(kind.as_str()).and_then(Value::as_object)?;
    let id = string(reply, "id")?;
    let title = string(reply, "title").unwrap_or_default();
    match kind.as_str() {
        "button_reply" => Some(InteractiveReply::ButtonReply { id, title }),
        "list_reply" => Some(InteractiveReply::ListReply {
            id,
            title,
            description: string(reply, "description"),
        }),
        _ => None,
    }
}

fn parse_edit(object: &Map<String, Value>) -> Option<Content> {
    let original_message_id = string(object, "original_message_id")?;
    let inner_raw = object.get("message")?;
    let inner = inner_raw.as_object()?;
    Some(Content::Edit {
        original_message_id,
        content: Box::new(parse_content(inner, inner_raw, false)),
    })
}

fn parse_shared_contact(card: &Value) -> SharedContact {
    let name = card
        .get("name")
        .and_then(Value::as_object)
        .and_then(|name| {
            string(name, "formatted_name").or_else(|| {
                let parts: Vec<String> = ["first_name", "last_name"]
                    .iter()
                    .filter_map(|key| string(name, key))
                    .collect();
                (!parts.is_empty()).then(|| parts.join(" "))
            })
        });
    let phones = card
        .get("phones")
        .and_then(Value::as_array)
        .map(|phones| {
            phones
                .iter()
                .filter_map(Value::as_object)
                .map(|phone| SharedPhone {
                    phone: string(phone, "phone"),
                    wa_id: phone.get("wa_id").and_then(id_string),
                    kind: string(phone, "type"),
                })
                .collect()
        })
        .unwrap_or_default();
    SharedContact {
        name,
        phones,
        raw: card.clone(),
    }
}

fn parse_status(routing: &Routing, raw: &Value) -> Event {
    let Some(status) = raw.as_object() else {
        return malformed(raw, "status is not an object");
    };
    let Some(id) = string(status, "id").filter(|id| !id.is_empty()) else {
        return malformed(raw, "status has no id");
    };
    let Some(state) = string(status, "status") else {
        return malformed(raw, format!("status for {id} has no status"));
    };
    let Some(timestamp) = status.get("timestamp").and_then(integer) else {
        return malformed(raw, format!("status for {id} has no valid timestamp"));
    };
    let conversation = status
        .get("conversation")
        .and_then(Value::as_object)
        .map(|c| Conversation {
            id: string(c, "id"),
            origin_type: c
                .get("origin")
                .and_then(Value::as_object)
                .and_then(|origin| string(origin, "type")),
            expiration_timestamp: c.get("expiration_timestamp").and_then(integer),
        });
    let pricing = status
        .get("pricing")
        .and_then(Value::as_object)
        .map(|p| Pricing {
            billable: p.get("billable").and_then(Value::as_bool),
            pricing_model: string(p, "pricing_model"),
            category: string(p, "category"),
        });
    Event::Status(StatusUpdate {
        routing: routing.clone(),
        id,
        status: DeliveryStatus::parse(&state),
        timestamp,
        recipient_id: status.get("recipient_id").and_then(id_string),
        recipient_user_id: string(status, "recipient_user_id"),
        biz_opaque_callback_data: string(status, "biz_opaque_callback_data"),
        errors: errors(status),
        conversation,
        pricing,
    })
}

/// `errors[]` of a message or status. Elements without a numeric code are logged and
/// skipped: the item itself is still worth delivering.
fn errors(object: &Map<String, Value>) -> Vec<WebhookError> {
    array(object, "errors")
        .iter()
        .filter_map(|error| {
            let parsed = WebhookError::from_value(error);
            if parsed.is_none() {
                tracing::warn!(%error, "skipping a webhook error object without a numeric code");
            }
            parsed
        })
        .collect()
}

fn array<'a>(object: &'a Map<String, Value>, key: &str) -> &'a [Value] {
    object
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn string(object: &Map<String, Value>, key: &str) -> Option<String> {
    object.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn flag(object: &Map<String, Value>, key: &str) -> bool {
    object.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// An identifier Meta documents as a string but that a sender might put as a number.
fn id_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An integer sent as a number or as a decimal string (`"1697043223"`).
fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A float sent as a number or as a decimal string; finite only.
fn number(value: &Value) -> Option<f64> {
    let parsed = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }?;
    parsed.is_finite().then_some(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(value: &Value) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "object": "whatsapp_business_account",
            "entry": [{"id": "W", "changes": [{"field": "messages", "value": value}]}]
        }))
        .unwrap_or_default()
    }

    fn routing_value(extra: Value) -> Value {
        let mut value = serde_json::json!({
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "6281", "phone_number_id": "P"}
        });
        if let (Some(target), Value::Object(extra)) = (value.as_object_mut(), extra) {
            target.extend(extra);
        }
        value
    }

    #[test]
    fn delivery_states_only_move_forward_and_failed_is_terminal() {
        use DeliveryStatus::{Delivered, Failed, Other, Read, Sent};
        assert!(Delivered.supersedes(&Sent));
        assert!(Read.supersedes(&Delivered));
        assert!(!Delivered.supersedes(&Read));
        assert!(!Delivered.supersedes(&Failed));
        assert!(Failed.supersedes(&Sent));
        assert!(!Other("deleted".into()).supersedes(&Sent));
        assert!(!Read.supersedes(&Read));
        assert_eq!(DeliveryStatus::parse("read").as_str(), "read");
        assert_eq!(DeliveryStatus::parse("warning"), Other("warning".into()));
    }

    #[test]
    fn a_body_that_is_not_a_waba_notification_is_an_error() {
        assert!(matches!(parse(b"nope"), Err(ParseError::NotJson(_))));
        assert!(matches!(
            parse(br#"{"object":"page","entry":[]}"#),
            Err(ParseError::WrongObject(Some(o))) if o == "page"
        ));
        assert!(matches!(
            parse(br#"{"object":"whatsapp_business_account"}"#),
            Err(ParseError::NoEntries)
        ));
        assert!(matches!(
            parse(br#"[{"object":"whatsapp_business_account"}]"#),
            Err(ParseError::WrongObject(None))
        ));
    }

    #[test]
    fn an_empty_entry_array_is_an_empty_notification() {
        let parsed = parse(br#"{"object":"whatsapp_business_account","entry":[]}"#);
        assert!(matches!(parsed, Ok(n) if n.events.is_empty()));
    }

    #[test]
    fn a_message_without_id_is_malformed_and_its_siblings_survive() {
        let value = routing_value(serde_json::json!({"messages": [
            {"from": "1", "timestamp": "1", "type": "text", "text": {"body": "a"}},
            {"id": "wamid.ok", "from": "1", "timestamp": "1", "type": "text", "text": {"body": "b"}},
            "not an object",
            {"id": "wamid.no-ts", "type": "text", "text": {"body": "c"}},
            {"id": "wamid.bad", "timestamp": 5, "type": "text", "text": {"body": 7}}
        ]}));
        let Ok(parsed) = parse(&body(&value)) else {
            panic!("body should parse");
        };
        assert_eq!(parsed.events.len(), 5);
        assert!(
            matches!(&parsed.events[0], Event::Malformed { reason, .. } if reason.contains("no id"))
        );
        assert!(
            matches!(&parsed.events[1], Event::Message(m) if m.content == Content::Text { body: "b".into() })
        );
        assert!(matches!(&parsed.events[2], Event::Malformed { .. }));
        assert!(
            matches!(&parsed.events[3], Event::Malformed { reason, .. } if reason.contains("timestamp"))
        );
        assert!(matches!(&parsed.events[4], Event::Message(m)
            if m.timestamp == 5 && matches!(&m.content, Content::Unknown { type_name, .. } if type_name == "text")));
    }

    #[test]
    fn a_change_for_another_field_is_ignored_and_one_without_metadata_is_malformed() {
        let raw = serde_json::json!({
            "object": "whatsapp_business_account",
            "entry": [
                {"id": "W", "changes": [
                    {"field": "account_update", "value": {"event": "VERIFIED_ACCOUNT"}},
                    {"field": "messages", "value": {"messages": []}},
                    {"value": {}}
                ]},
                {"changes": []},
                {"id": "X"}
            ]
        });
        let Ok(parsed) = parse(raw.to_string().as_bytes()) else {
            panic!("body should parse");
        };
        assert_eq!(parsed.events.len(), 5);
        assert_eq!(
            parsed.events[0],
            Event::Ignored {
                waba_id: "W".into(),
                field: "account_update".into()
            }
        );
        assert!(
            parsed.events[1..]
                .iter()
                .all(|e| matches!(e, Event::Malformed { .. }))
        );
    }

    #[test]
    fn numbers_are_accepted_where_meta_sends_strings() {
        let value = routing_value(serde_json::json!({"messages": [
            {"id": "wamid.n", "from": 6_281_234_500_002_i64, "timestamp": 1_697_043_223, "type": "location",
             "location": {"latitude": "-7.5", "longitude": 110.2}}
        ]}));
        let Ok(parsed) = parse(&body(&value)) else {
            panic!("body should parse");
        };
        let Event::Message(message) = &parsed.events[0] else {
            panic!("expected a message");
        };
        assert_eq!(message.from.as_deref(), Some("6281234500002"));
        assert_eq!(message.timestamp, 1_697_043_223);
        assert!(
            matches!(message.content, Content::Location { latitude, .. } if (latitude + 7.5).abs() < 1e-9)
        );
    }

    #[test]
    fn with_several_contacts_and_no_match_no_contact_is_guessed() {
        let value = routing_value(serde_json::json!({
            "contacts": [
                {"profile": {"name": "A"}, "wa_id": "1", "user_id": "US.1"},
                {"profile": {"name": "B"}, "wa_id": "2", "user_id": "US.2"}
            ],
            "messages": [
                {"id": "wamid.x", "from": "3", "timestamp": "1", "type": "text", "text": {"body": "?"}},
                {"id": "wamid.y", "from_user_id": "US.2", "timestamp": "1", "type": "text", "text": {"body": "?"}}
            ]
        }));
        let Ok(parsed) = parse(&body(&value)) else {
            panic!("body should parse");
        };
        let Event::Message(unmatched) = &parsed.events[0] else {
            panic!("expected a message");
        };
        assert_eq!(unmatched.profile_name, None);
        assert_eq!(unmatched.from_user_id, None);
        let Event::Message(by_user_id) = &parsed.events[1] else {
            panic!("expected a message");
        };
        assert_eq!(by_user_id.profile_name.as_deref(), Some("B"));
        assert_eq!(by_user_id.contact_wa_id.as_deref(), Some("2"));
    }

    #[test]
    fn an_edit_of_an_edit_is_not_unwrapped_twice() {
        let value = routing_value(serde_json::json!({"messages": [
            {"id": "wamid.e", "timestamp": "1", "type": "edit", "edit": {
                "original_message_id": "wamid.o",
                "message": {"type": "edit", "edit": {"original_message_id": "wamid.p",
                    "message": {"type": "text", "text": {"body": "x"}}}}
            }}
        ]}));
        let Ok(parsed) = parse(&body(&value)) else {
            panic!("body should parse");
        };
        let Event::Message(message) = &parsed.events[0] else {
            panic!("expected a message");
        };
        let Content::Edit { content, .. } = &message.content else {
            panic!("expected an edit");
        };
        assert!(matches!(&**content, Content::Unknown { type_name, .. } if type_name == "edit"));
    }

    #[test]
    fn keys_that_differ_by_a_nul_do_not_collide() {
        // Regression (fuzz/webhook_mutate): stripping NUL from keys made `entry\u0000`
        // replace `entry`.
        let value = routing_value(serde_json::json!({"messages": [
            {"id": "wamid.k", "timestamp": "1", "type": "text", "text": {"body": "x"}}
        ]}));
        let mut root: Value = serde_json::from_slice(&body(&value)).unwrap_or_default();
        root["entry\u{0}"] = Value::Null;
        let Ok(parsed) = parse(root.to_string().as_bytes()) else {
            panic!("body should parse");
        };
        assert_eq!(parsed.messages().count(), 1);
    }

    #[test]
    fn nul_characters_are_removed_from_every_string() {
        // Regression (tests/api/hostile.rs): PostgreSQL refused the document's file name
        // and the whole body failed its processing again and again.
        let value = routing_value(serde_json::json!({"messages": [
            {"id": "wamid.\u{0}n", "from": "62812\u{0}", "timestamp": "1", "type": "document",
             "document": {"id": "m1", "filename": "bukti\u{0}.pdf", "caption": "\u{0}"},
             "referral": {"k\u{0}": "v\u{0}"}}
        ]}));
        let Ok(parsed) = parse(&body(&value)) else {
            panic!("body should parse");
        };
        let Event::Message(message) = &parsed.events[0] else {
            panic!("expected a message");
        };
        assert_eq!(message.id, "wamid.n");
        assert_eq!(message.from.as_deref(), Some("62812"));
        let Some((_, media)) = message.content.media() else {
            panic!("expected a document");
        };
        assert_eq!(media.filename.as_deref(), Some("bukti.pdf"));
        assert_eq!(media.caption.as_deref(), Some(""));
        assert_eq!(message.referral, Some(serde_json::json!({"k\u{0}": "v"})));
    }
}
