//! Outbound messages: the JSON bodies we POST to `{api_base}/{phone_number_id}/messages`.
//!
//! An [`OutboundMessage`] is a recipient, a body and an optional quoted message; it
//! serialises to exactly the wire JSON Meta documents. Values are only built through
//! constructors that enforce Meta's limits, so a built message is always within them:
//!
//! - **prose is truncated** (text body 4096, interactive body and captions 1024, row
//!   description 72 characters): it ends with "…" and is cut on a `char` boundary, never
//!   inside a UTF-8 sequence. Losing the tail of a long answer beats not sending it;
//! - **labels and identifiers are checked** and a violation is an [`OutboundError`]
//!   (button/row ids and titles, list button label, section titles, counts, uniqueness):
//!   they are authored in code or configuration, and a silently changed id would break the
//!   mapping of the citizen's tap back to an action. Use [`truncate`] to fit a label
//!   explicitly;
//! - **template parameters are flattened**: Meta rejects a parameter with a newline, a tab
//!   or more than four consecutive spaces, so every run of whitespace becomes one space
//!   (and the parameter is capped at 1024 characters, the template body limit).
//!
//! "Characters" are Unicode scalar values (`char`s).
//!
//! Spec: <https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages>,
//! <https://developers.facebook.com/docs/whatsapp/cloud-api/messages/interactive-reply-buttons-messages>,
//! <https://developers.facebook.com/docs/whatsapp/cloud-api/messages/interactive-list-messages>,
//! <https://developers.facebook.com/docs/whatsapp/cloud-api/guides/mark-message-as-read>.

use serde::Serialize;
use serde::ser::{SerializeMap as _, Serializer};

/// Maximum characters of a text message body.
pub const TEXT_MAX: usize = 4096;
/// Maximum characters of an interactive body, a media caption and a template parameter.
pub const BODY_MAX: usize = 1024;
/// Maximum reply buttons on one message.
pub const BUTTONS_MAX: usize = 3;
/// Maximum characters of a reply button id.
pub const BUTTON_ID_MAX: usize = 256;
/// Maximum characters of a reply button title.
pub const BUTTON_TITLE_MAX: usize = 20;
/// Maximum characters of a list's button label.
pub const LIST_BUTTON_MAX: usize = 20;
/// Maximum characters of a list section title.
pub const SECTION_TITLE_MAX: usize = 24;
/// Maximum rows in a list, over all its sections.
pub const ROWS_MAX: usize = 10;
/// Maximum characters of a list row id.
pub const ROW_ID_MAX: usize = 200;
/// Maximum characters of a list row title.
pub const ROW_TITLE_MAX: usize = 24;
/// Maximum characters of a list row description.
pub const ROW_DESCRIPTION_MAX: usize = 72;

const ELLIPSIS: char = '…';

/// Why a message could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboundError {
    /// A required text (body, id, title, name) is empty.
    #[error("{what} must not be empty")]
    Empty {
        /// Which field.
        what: &'static str,
    },
    /// A label or identifier is longer than Meta allows.
    #[error("{what} {value:?} is longer than {max} characters")]
    TooLong {
        /// Which field.
        what: &'static str,
        /// The offending value.
        value: String,
        /// The limit.
        max: usize,
    },
    /// More items than Meta allows (buttons, rows).
    #[error("at most {max} {what} are allowed, got {count}")]
    TooMany {
        /// Which items.
        what: &'static str,
        /// How many were given.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// Two buttons or rows share an id or a title.
    #[error("{what} {value:?} is used twice")]
    Duplicate {
        /// Which field.
        what: &'static str,
        /// The repeated value.
        value: String,
    },
}

/// Who receives the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// A phone number in international form without `+` (`628…`): sent as `"to"`.
    Phone(String),
    /// A business-scoped user id (username-only users): sent as `"recipient"`.
    Bsuid(String),
}

/// A message to send. Its fields are private so that every value went through a
/// constructor and is within Meta's limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundMessage {
    to: Recipient,
    body: OutboundBody,
    reply_to: Option<String>,
}

/// The typed content of an outbound message, as held by a built [`OutboundMessage`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboundBody {
    /// `type: "text"`.
    Text {
        /// ≤ 4096 characters.
        body: String,
    },
    /// `type: "interactive"`, `interactive.type: "button"`.
    Buttons {
        /// ≤ 1024 characters.
        body: String,
        /// 1 to 3 buttons, unique ids and titles.
        buttons: Vec<ReplyButton>,
    },
    /// `type: "interactive"`, `interactive.type: "list"`.
    List {
        /// ≤ 1024 characters.
        body: String,
        /// The label of the button that opens the list, ≤ 20 characters.
        button: String,
        /// At least one section, ≤ 10 rows in all.
        sections: Vec<ListSection>,
    },
    /// `type: "template"`.
    Template(Template),
    /// `type: "image"`.
    Image {
        /// Uploaded media id or public link.
        source: MediaSource,
        /// ≤ 1024 characters.
        caption: Option<String>,
    },
    /// `type: "document"`.
    Document {
        /// Uploaded media id or public link.
        source: MediaSource,
        /// ≤ 1024 characters.
        caption: Option<String>,
        /// The file name shown to the recipient.
        filename: Option<String>,
    },
}

/// A reply button: `{type:"reply", reply:{id, title}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyButton {
    /// Returned in the citizen's `button_reply.id`; ≤ 256 characters.
    pub id: String,
    /// The label; ≤ 20 characters.
    pub title: String,
}

impl ReplyButton {
    /// A button; checked when the message is built.
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> ReplyButton {
        ReplyButton {
            id: id.into(),
            title: title.into(),
        }
    }
}

/// A list section: an optional title and its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListSection {
    /// ≤ 24 characters; Meta requires it when there are several sections.
    pub title: Option<String>,
    /// The rows.
    pub rows: Vec<ListRow>,
}

/// A list row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRow {
    /// Returned in the citizen's `list_reply.id`; ≤ 200 characters, unique in the list.
    pub id: String,
    /// ≤ 24 characters.
    pub title: String,
    /// ≤ 72 characters (truncated when built).
    pub description: Option<String>,
}

impl ListRow {
    /// A row; checked when the message is built.
    pub fn new(
        id: impl Into<String>,
        title: impl Into<String>,
        description: Option<String>,
    ) -> ListRow {
        ListRow {
            id: id.into(),
            title: title.into(),
            description,
        }
    }
}

/// An approved message template with its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// The template's name as approved.
    pub name: String,
    /// Its language code, e.g. `"id"`.
    pub language_code: String,
    /// Values for `{{1}}`, `{{2}}`… of the body; flattened when the message is built (see
    /// the module docs).
    pub body_params: Vec<String>,
    /// Payloads for the template's quick-reply buttons, by button index.
    pub quick_reply_payloads: Vec<String>,
}

impl Template {
    /// A template with no parameters.
    pub fn new(name: impl Into<String>, language_code: impl Into<String>) -> Template {
        Template {
            name: name.into(),
            language_code: language_code.into(),
            body_params: Vec::new(),
            quick_reply_payloads: Vec::new(),
        }
    }

    /// Sets the body parameters (`{{1}}`, `{{2}}`…).
    pub fn body_params<I, S>(mut self, params: I) -> Template
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.body_params = params.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the payloads of the template's quick-reply buttons (index 0, 1, …).
    pub fn quick_reply_payloads<I, S>(mut self, payloads: I) -> Template
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.quick_reply_payloads = payloads.into_iter().map(Into::into).collect();
        self
    }
}

/// Where the media of an image or document message comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaSource {
    /// A media id from an upload.
    Id(String),
    /// A public HTTPS URL Meta downloads.
    Link(String),
}

impl OutboundMessage {
    /// A text message; `body` is truncated to 4096 characters. Link previews are off.
    pub fn text(to: Recipient, body: &str) -> OutboundMessage {
        OutboundMessage::new(
            to,
            OutboundBody::Text {
                body: truncate(body, TEXT_MAX),
            },
        )
    }

    /// Reply buttons under a body (truncated to 1024 characters): 1 to 3 buttons, ids
    /// ≤ 256 and titles ≤ 20 characters, ids and titles unique.
    pub fn buttons(
        to: Recipient,
        body: &str,
        buttons: Vec<ReplyButton>,
    ) -> Result<OutboundMessage, OutboundError> {
        non_empty("interactive body", body)?;
        if buttons.is_empty() {
            return Err(OutboundError::Empty { what: "buttons" });
        }
        if buttons.len() > BUTTONS_MAX {
            return Err(OutboundError::TooMany {
                what: "buttons",
                count: buttons.len(),
                max: BUTTONS_MAX,
            });
        }
        for button in &buttons {
            label("button id", &button.id, BUTTON_ID_MAX)?;
            label("button title", &button.title, BUTTON_TITLE_MAX)?;
        }
        unique("button id", buttons.iter().map(|b| b.id.as_str()))?;
        unique("button title", buttons.iter().map(|b| b.title.as_str()))?;
        Ok(OutboundMessage::new(
            to,
            OutboundBody::Buttons {
                body: truncate(body, BODY_MAX),
                buttons,
            },
        ))
    }

    /// A list: a body (truncated to 1024), a button label (≤ 20) and 1 to 10 rows over
    /// one or more sections (titles ≤ 24, required when there are several). Row ids
    /// ≤ 200 and unique, titles ≤ 24, descriptions truncated to 72.
    pub fn list(
        to: Recipient,
        body: &str,
        button: &str,
        mut sections: Vec<ListSection>,
    ) -> Result<OutboundMessage, OutboundError> {
        non_empty("interactive body", body)?;
        label("list button", button, LIST_BUTTON_MAX)?;
        if sections.is_empty() {
            return Err(OutboundError::Empty { what: "sections" });
        }
        let several = sections.len() > 1;
        for section in &mut sections {
            match &section.title {
                Some(title) => label("section title", title, SECTION_TITLE_MAX)?,
                None if several => {
                    return Err(OutboundError::Empty {
                        what: "section title",
                    });
                }
                None => {}
            }
            if section.rows.is_empty() {
                return Err(OutboundError::Empty {
                    what: "section rows",
                });
            }
            for row in &mut section.rows {
                label("row id", &row.id, ROW_ID_MAX)?;
                label("row title", &row.title, ROW_TITLE_MAX)?;
                row.description = row
                    .description
                    .as_deref()
                    .filter(|d| !d.is_empty())
                    .map(|d| truncate(d, ROW_DESCRIPTION_MAX));
            }
        }
        let rows = || sections.iter().flat_map(|s| s.rows.iter());
        let count = rows().count();
        if count > ROWS_MAX {
            return Err(OutboundError::TooMany {
                what: "rows",
                count,
                max: ROWS_MAX,
            });
        }
        unique("row id", rows().map(|r| r.id.as_str()))?;
        Ok(OutboundMessage::new(
            to,
            OutboundBody::List {
                body: truncate(body, BODY_MAX),
                button: button.to_owned(),
                sections,
            },
        ))
    }

    /// An approved template (the only thing allowed outside the 24-hour window). Body
    /// parameters are flattened (every whitespace run becomes one space) and capped at
    /// 1024 characters; a parameter that is empty after that is an error, as are empty
    /// quick-reply payloads.
    pub fn template(
        to: Recipient,
        mut template: Template,
    ) -> Result<OutboundMessage, OutboundError> {
        non_empty("template name", &template.name)?;
        non_empty("template language", &template.language_code)?;
        for param in &mut template.body_params {
            *param = truncate(&flatten_whitespace(param), BODY_MAX);
            non_empty("template parameter", param)?;
        }
        for payload in &template.quick_reply_payloads {
            non_empty("quick reply payload", payload)?;
        }
        Ok(OutboundMessage::new(to, OutboundBody::Template(template)))
    }

    /// An image; the caption is truncated to 1024 characters.
    pub fn image(to: Recipient, source: MediaSource, caption: Option<&str>) -> OutboundMessage {
        OutboundMessage::new(
            to,
            OutboundBody::Image {
                source,
                caption: caption
                    .filter(|c| !c.is_empty())
                    .map(|c| truncate(c, BODY_MAX)),
            },
        )
    }

    /// A document; the caption is truncated to 1024 characters.
    pub fn document(
        to: Recipient,
        source: MediaSource,
        caption: Option<&str>,
        filename: Option<&str>,
    ) -> OutboundMessage {
        OutboundMessage::new(
            to,
            OutboundBody::Document {
                source,
                caption: caption
                    .filter(|c| !c.is_empty())
                    .map(|c| truncate(c, BODY_MAX)),
                filename: filename.filter(|f| !f.is_empty()).map(str::to_owned),
            },
        )
    }

    /// Quotes the citizen's message `message_id` (sets `context.message_id`).
    pub fn replying_to(mut self, message_id: impl Into<String>) -> OutboundMessage {
        self.reply_to = Some(message_id.into());
        self
    }

    /// The recipient.
    pub fn to(&self) -> &Recipient {
        &self.to
    }

    /// The content.
    pub fn body(&self) -> &OutboundBody {
        &self.body
    }

    /// The wamid this message quotes (`context.message_id`), if any.
    pub fn reply_to(&self) -> Option<&str> {
        self.reply_to.as_deref()
    }

    /// The wire JSON, for an outbox that stores exactly what it will send.
    pub fn to_json(&self) -> serde_json::Value {
        // Serialising plain strings, vectors and maps into a `Value` cannot fail.
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    fn new(to: Recipient, body: OutboundBody) -> OutboundMessage {
        OutboundMessage {
            to,
            body,
            reply_to: None,
        }
    }
}

/// The body that marks a citizen's message as read (blue ticks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MarkRead {
    messaging_product: &'static str,
    status: &'static str,
    message_id: String,
}

/// `{"messaging_product":"whatsapp","status":"read","message_id":…}`.
pub fn mark_read(message_id: impl Into<String>) -> MarkRead {
    MarkRead {
        messaging_product: "whatsapp",
        status: "read",
        message_id: message_id.into(),
    }
}

/// Cuts `text` to at most `max` characters, ending with "…" when it was cut. Never splits
/// a `char`.
pub fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some(_) if max == 0 => String::new(),
        Some(_) => {
            let keep = text
                .char_indices()
                .nth(max - 1)
                .map_or(text.len(), |(index, _)| index);
            let mut cut = String::with_capacity(keep + ELLIPSIS.len_utf8());
            cut.push_str(&text[..keep]);
            cut.push(ELLIPSIS);
            cut
        }
    }
}

/// Every run of whitespace (newlines, tabs, spaces) becomes a single space; the ends are
/// trimmed.
fn flatten_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn non_empty(what: &'static str, value: &str) -> Result<(), OutboundError> {
    if value.trim().is_empty() {
        Err(OutboundError::Empty { what })
    } else {
        Ok(())
    }
}

fn label(what: &'static str, value: &str, max: usize) -> Result<(), OutboundError> {
    non_empty(what, value)?;
    if value.chars().count() > max {
        return Err(OutboundError::TooLong {
            what,
            value: value.to_owned(),
            max,
        });
    }
    Ok(())
}

fn unique<'a>(
    what: &'static str,
    values: impl Iterator<Item = &'a str>,
) -> Result<(), OutboundError> {
    let mut seen = std::collections::HashSet::new();
    for value in values {
        if !seen.insert(value) {
            return Err(OutboundError::Duplicate {
                what,
                value: value.to_owned(),
            });
        }
    }
    Ok(())
}

// ---- wire shapes ---------------------------------------------------------------------

impl Serialize for OutboundMessage {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("messaging_product", "whatsapp")?;
        map.serialize_entry("recipient_type", "individual")?;
        match &self.to {
            Recipient::Phone(phone) => map.serialize_entry("to", phone)?,
            Recipient::Bsuid(bsuid) => map.serialize_entry("recipient", bsuid)?,
        }
        if let Some(message_id) = &self.reply_to {
            map.serialize_entry("context", &WireContext { message_id })?;
        }
        match &self.body {
            OutboundBody::Text { body } => {
                map.serialize_entry("type", "text")?;
                map.serialize_entry(
                    "text",
                    &WireText {
                        body,
                        preview_url: false,
                    },
                )?;
            }
            OutboundBody::Buttons { body, buttons } => {
                map.serialize_entry("type", "interactive")?;
                map.serialize_entry(
                    "interactive",
                    &WireInteractive {
                        kind: "button",
                        body: WireBodyText { text: body },
                        action: WireAction::Buttons {
                            buttons: buttons
                                .iter()
                                .map(|b| WireButton {
                                    kind: "reply",
                                    reply: WireReply {
                                        id: &b.id,
                                        title: &b.title,
                                    },
                                })
                                .collect(),
                        },
                    },
                )?;
            }
            OutboundBody::List {
                body,
                button,
                sections,
            } => {
                map.serialize_entry("type", "interactive")?;
                map.serialize_entry(
                    "interactive",
                    &WireInteractive {
                        kind: "list",
                        body: WireBodyText { text: body },
                        action: WireAction::List {
                            button,
                            sections: sections
                                .iter()
                                .map(|s| WireSection {
                                    title: s.title.as_deref(),
                                    rows: s
                                        .rows
                                        .iter()
                                        .map(|r| WireRow {
                                            id: &r.id,
                                            title: &r.title,
                                            description: r.description.as_deref(),
                                        })
                                        .collect(),
                                })
                                .collect(),
                        },
                    },
                )?;
            }
            OutboundBody::Template(template) => {
                map.serialize_entry("type", "template")?;
                map.serialize_entry("template", &WireTemplate::from(template))?;
            }
            OutboundBody::Image { source, caption } => {
                map.serialize_entry("type", "image")?;
                map.serialize_entry("image", &WireMedia::new(source, caption.as_deref(), None))?;
            }
            OutboundBody::Document {
                source,
                caption,
                filename,
            } => {
                map.serialize_entry("type", "document")?;
                map.serialize_entry(
                    "document",
                    &WireMedia::new(source, caption.as_deref(), filename.as_deref()),
                )?;
            }
        }
        map.end()
    }
}

#[derive(Serialize)]
struct WireContext<'a> {
    message_id: &'a str,
}

#[derive(Serialize)]
struct WireText<'a> {
    body: &'a str,
    preview_url: bool,
}

#[derive(Serialize)]
struct WireInteractive<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    body: WireBodyText<'a>,
    action: WireAction<'a>,
}

#[derive(Serialize)]
struct WireBodyText<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(untagged)]
enum WireAction<'a> {
    Buttons {
        buttons: Vec<WireButton<'a>>,
    },
    List {
        button: &'a str,
        sections: Vec<WireSection<'a>>,
    },
}

#[derive(Serialize)]
struct WireButton<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    reply: WireReply<'a>,
}

#[derive(Serialize)]
struct WireReply<'a> {
    id: &'a str,
    title: &'a str,
}

#[derive(Serialize)]
struct WireSection<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    rows: Vec<WireRow<'a>>,
}

#[derive(Serialize)]
struct WireRow<'a> {
    id: &'a str,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
}

#[derive(Serialize)]
struct WireTemplate<'a> {
    name: &'a str,
    language: WireLanguage<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<WireComponent<'a>>,
}

#[derive(Serialize)]
struct WireLanguage<'a> {
    code: &'a str,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum WireComponent<'a> {
    Body {
        parameters: Vec<WireParameter<'a>>,
    },
    Button {
        sub_type: &'static str,
        index: String,
        parameters: Vec<WireParameter<'a>>,
    },
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum WireParameter<'a> {
    Text { text: &'a str },
    Payload { payload: &'a str },
}

impl<'a> From<&'a Template> for WireTemplate<'a> {
    fn from(template: &'a Template) -> WireTemplate<'a> {
        let mut components = Vec::new();
        if !template.body_params.is_empty() {
            components.push(WireComponent::Body {
                parameters: template
                    .body_params
                    .iter()
                    .map(|text| WireParameter::Text { text })
                    .collect(),
            });
        }
        for (index, payload) in template.quick_reply_payloads.iter().enumerate() {
            components.push(WireComponent::Button {
                sub_type: "quick_reply",
                index: index.to_string(),
                parameters: vec![WireParameter::Payload { payload }],
            });
        }
        WireTemplate {
            name: &template.name,
            language: WireLanguage {
                code: &template.language_code,
            },
            components,
        }
    }
}

#[derive(Serialize)]
struct WireMedia<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    caption: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    filename: Option<&'a str>,
}

impl<'a> WireMedia<'a> {
    fn new(
        source: &'a MediaSource,
        caption: Option<&'a str>,
        filename: Option<&'a str>,
    ) -> WireMedia<'a> {
        let (id, link) = match source {
            MediaSource::Id(id) => (Some(id.as_str()), None),
            MediaSource::Link(link) => (None, Some(link.as_str())),
        };
        WireMedia {
            id,
            link,
            caption,
            filename,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn phone() -> Recipient {
        Recipient::Phone("6281234500002".into())
    }

    #[test]
    fn a_text_message_has_the_documented_shape() {
        assert_eq!(
            OutboundMessage::text(phone(), "Halo").to_json(),
            json!({"messaging_product":"whatsapp","recipient_type":"individual","to":"6281234500002",
                   "type":"text","text":{"body":"Halo","preview_url":false}})
        );
    }

    #[test]
    fn a_bsuid_recipient_is_sent_as_recipient_and_a_quote_as_context() {
        let message = OutboundMessage::text(Recipient::Bsuid("US.1349".into()), "Halo")
            .replying_to("wamid.Q");
        assert_eq!(
            message.to_json(),
            json!({"messaging_product":"whatsapp","recipient_type":"individual","recipient":"US.1349",
                   "context":{"message_id":"wamid.Q"},
                   "type":"text","text":{"body":"Halo","preview_url":false}})
        );
    }

    #[test]
    fn a_long_text_is_cut_to_4096_chars_on_a_char_boundary() {
        let long = "🚧é".repeat(3000);
        let OutboundBody::Text { body } = OutboundMessage::text(phone(), &long).body().clone()
        else {
            panic!("expected text");
        };
        assert_eq!(body.chars().count(), TEXT_MAX);
        assert!(body.ends_with('…'));
        assert!(long.starts_with(body.trim_end_matches('…')));
        let exact = "a".repeat(TEXT_MAX);
        assert_eq!(truncate(&exact, TEXT_MAX), exact);
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(truncate("abc", 1), "…");
    }

    #[test]
    fn reply_buttons_have_the_documented_shape() {
        let message = OutboundMessage::buttons(
            phone(),
            "Apakah laporan sudah benar?",
            vec![
                ReplyButton::new("yes", "Ya"),
                ReplyButton::new("no", "Tidak"),
            ],
        );
        assert_eq!(
            message.map(|m| m.to_json()),
            Ok(
                json!({"messaging_product":"whatsapp","recipient_type":"individual","to":"6281234500002",
                "type":"interactive","interactive":{"type":"button","body":{"text":"Apakah laporan sudah benar?"},
                "action":{"buttons":[{"type":"reply","reply":{"id":"yes","title":"Ya"}},
                                     {"type":"reply","reply":{"id":"no","title":"Tidak"}}]}}})
            )
        );
    }

    #[test]
    fn reply_buttons_reject_too_many_long_empty_or_duplicate_buttons() {
        let b = |id: &str, title: &str| ReplyButton::new(id, title);
        let build = |buttons| OutboundMessage::buttons(phone(), "body", buttons);
        assert!(matches!(build(vec![]), Err(OutboundError::Empty { .. })));
        assert!(matches!(
            build(vec![b("1", "a"), b("2", "b"), b("3", "c"), b("4", "d")]),
            Err(OutboundError::TooMany { count: 4, .. })
        ));
        assert!(matches!(
            build(vec![b("1", "Pengaduan infrastruktur")]),
            Err(OutboundError::TooLong { max: 20, .. })
        ));
        assert!(matches!(
            build(vec![b(&"x".repeat(257), "a")]),
            Err(OutboundError::TooLong { max: 256, .. })
        ));
        assert!(matches!(
            build(vec![b("1", "Ya"), b("2", "Ya")]),
            Err(OutboundError::Duplicate {
                what: "button title",
                ..
            })
        ));
        assert!(matches!(
            build(vec![b("1", "Ya"), b("1", "Tidak")]),
            Err(OutboundError::Duplicate {
                what: "button id",
                ..
            })
        ));
        assert!(matches!(
            OutboundMessage::buttons(phone(), " ", vec![b("1", "a")]),
            Err(OutboundError::Empty { .. })
        ));
        // Twenty characters exactly, emoji counted as one each, is allowed.
        assert!(build(vec![b("1", &"🙏".repeat(20))]).is_ok());
    }

    #[test]
    fn a_list_has_the_documented_shape_and_descriptions_are_truncated() {
        let message = OutboundMessage::list(
            phone(),
            "Pilih kategori",
            "Kategori",
            vec![ListSection {
                title: Some("Layanan".into()),
                rows: vec![
                    ListRow::new("jalan", "Jalan rusak", Some("d".repeat(100))),
                    ListRow::new("air", "Air bersih", None),
                ],
            }],
        );
        let expected_description = format!("{}…", "d".repeat(71));
        assert_eq!(
            message.map(|m| m.to_json()),
            Ok(
                json!({"messaging_product":"whatsapp","recipient_type":"individual","to":"6281234500002",
                "type":"interactive","interactive":{"type":"list","body":{"text":"Pilih kategori"},
                "action":{"button":"Kategori","sections":[{"title":"Layanan","rows":[
                    {"id":"jalan","title":"Jalan rusak","description":expected_description},
                    {"id":"air","title":"Air bersih"}]}]}}})
            )
        );
    }

    #[test]
    fn a_list_rejects_more_than_ten_rows_long_titles_and_untitled_sections() {
        let rows = |n: usize, prefix: &str| -> Vec<ListRow> {
            (0..n)
                .map(|i| ListRow::new(format!("{prefix}{i}"), format!("Row {i}"), None))
                .collect()
        };
        let section = |title: Option<&str>, rows| ListSection {
            title: title.map(str::to_owned),
            rows,
        };
        let build = |sections| OutboundMessage::list(phone(), "body", "Pilih", sections);
        assert!(matches!(
            build(vec![
                section(Some("A"), rows(6, "a")),
                section(Some("B"), rows(5, "b"))
            ]),
            Err(OutboundError::TooMany {
                count: 11,
                max: 10,
                ..
            })
        ));
        assert!(
            build(vec![
                section(Some("A"), rows(5, "a")),
                section(Some("B"), rows(5, "b"))
            ])
            .is_ok()
        );
        assert!(matches!(
            build(vec![
                section(None, rows(1, "a")),
                section(Some("B"), rows(1, "b"))
            ]),
            Err(OutboundError::Empty {
                what: "section title"
            })
        ));
        assert!(matches!(
            build(vec![
                section(Some("A"), rows(1, "a")),
                section(Some("B"), rows(1, "a"))
            ]),
            Err(OutboundError::Duplicate { what: "row id", .. })
        ));
        assert!(matches!(
            build(vec![section(
                Some("Dinas Pekerjaan Umum dan Penataan Ruang"),
                rows(1, "a")
            )]),
            Err(OutboundError::TooLong {
                what: "section title",
                ..
            })
        ));
        assert!(matches!(
            OutboundMessage::list(
                phone(),
                "body",
                "Pilih kategori pengaduan",
                vec![section(None, rows(1, "a"))]
            ),
            Err(OutboundError::TooLong {
                what: "list button",
                ..
            })
        ));
        assert!(matches!(build(vec![]), Err(OutboundError::Empty { .. })));
    }

    #[test]
    fn a_template_has_the_documented_shape_and_flat_parameters() {
        let template = Template::new("jawaban_pengaduan", "id")
            .body_params([
                "WB-2026-000123",
                "Jalan sudah\ndiperbaiki.\n\n\tTerima     kasih",
            ])
            .quick_reply_payloads(["baca:WB-2026-000123"]);
        assert_eq!(
            OutboundMessage::template(phone(), template).map(|m| m.to_json()),
            Ok(
                json!({"messaging_product":"whatsapp","recipient_type":"individual","to":"6281234500002",
                "type":"template","template":{"name":"jawaban_pengaduan","language":{"code":"id"},
                "components":[
                    {"type":"body","parameters":[{"type":"text","text":"WB-2026-000123"},
                                                {"type":"text","text":"Jalan sudah diperbaiki. Terima kasih"}]},
                    {"type":"button","sub_type":"quick_reply","index":"0",
                     "parameters":[{"type":"payload","payload":"baca:WB-2026-000123"}]}]}})
            )
        );
    }

    #[test]
    fn a_template_parameter_that_is_only_whitespace_is_refused() {
        let template = Template::new("jawaban_pengaduan", "id").body_params(["WB-1", " \n\t "]);
        assert_eq!(
            OutboundMessage::template(phone(), template),
            Err(OutboundError::Empty {
                what: "template parameter"
            })
        );
    }

    #[test]
    fn a_template_without_parameters_has_no_components() {
        assert_eq!(
            OutboundMessage::template(phone(), Template::new("hello_world", "en_US"))
                .map(|m| m.to_json()),
            Ok(
                json!({"messaging_product":"whatsapp","recipient_type":"individual","to":"6281234500002",
                "type":"template","template":{"name":"hello_world","language":{"code":"en_US"}}})
            )
        );
        assert!(OutboundMessage::template(phone(), Template::new("", "id")).is_err());
    }

    #[test]
    fn image_and_document_messages_have_the_documented_shape() {
        assert_eq!(
            OutboundMessage::image(phone(), MediaSource::Id("1234".into()), Some("Bukti"))
                .to_json(),
            json!({"messaging_product":"whatsapp","recipient_type":"individual","to":"6281234500002",
                   "type":"image","image":{"id":"1234","caption":"Bukti"}})
        );
        assert_eq!(
            OutboundMessage::document(
                phone(),
                MediaSource::Link("https://example.org/surat.pdf".into()),
                None,
                Some("surat.pdf")
            )
            .to_json(),
            json!({"messaging_product":"whatsapp","recipient_type":"individual","to":"6281234500002",
                   "type":"document","document":{"link":"https://example.org/surat.pdf","filename":"surat.pdf"}})
        );
    }

    #[test]
    fn mark_read_has_the_documented_shape() {
        assert_eq!(
            serde_json::to_value(mark_read("wamid.X")).ok(),
            Some(json!({"messaging_product":"whatsapp","status":"read","message_id":"wamid.X"}))
        );
    }
}
