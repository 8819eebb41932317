//! What the machine asks the server to send: one WhatsApp message per [`Reply`].
//!
//! A reply is one or more [`Part`]s, each a [`TextKey`] with its parameters, rendered one
//! after another in the same message (separated by a blank line). This is how a greeting
//! and the first question travel as ONE message, while each stays a separate template the
//! superadmin can edit. A reply may carry up to three reply buttons or one list, never
//! both; the limits of the WhatsApp Cloud API (button title ≤ 20 characters, unique; list
//! rows ≤ 10, row title ≤ 24, description ≤ 72, list button ≤ 20) hold for every reply the
//! machine builds, and [`Reply::render`] cuts the text to the message's limit.

use serde::{Deserialize, Serialize};

use crate::texts::{self, INTERACTIVE_MAX_CHARS, TEXT_MAX_CHARS, TextKey};
use crate::ticket::Ticket;

use super::words::truncate_chars;

/// WhatsApp's limits for interactive messages.
pub const MAX_BUTTONS: usize = 3;
pub const MAX_BUTTON_TITLE_CHARS: usize = 20;
pub const MAX_LIST_ROWS: usize = 10;
pub const MAX_ROW_TITLE_CHARS: usize = 24;
pub const MAX_ROW_DESCRIPTION_CHARS: usize = 72;

/// One template and its parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    pub key: TextKey,
    #[serde(default)]
    pub params: Vec<(String, String)>,
}

impl Part {
    pub fn new(key: TextKey) -> Part {
        Part {
            key,
            params: Vec::new(),
        }
    }

    pub fn with(mut self, name: &str, value: impl Into<String>) -> Part {
        self.params.push((name.to_owned(), value.into()));
        self
    }

    /// The parameter's value, if given.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A reply button: `id` comes back in the citizen's `button_reply`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyButton {
    pub id: String,
    pub title: String,
}

/// A list message: a button that opens rows to choose from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListMenu {
    /// The text of the button that opens the list.
    pub button: String,
    pub rows: Vec<ListRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRow {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
}

/// One WhatsApp message to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    /// Rendered in order, separated by a blank line. Never empty.
    pub parts: Vec<Part>,
    #[serde(default)]
    pub buttons: Vec<ReplyButton>,
    #[serde(default)]
    pub list: Option<ListMenu>,
}

impl Reply {
    /// A plain text reply of one part.
    pub fn text(key: TextKey) -> Reply {
        Reply::of(Part::new(key))
    }

    pub fn of(part: Part) -> Reply {
        Reply {
            parts: vec![part],
            buttons: Vec::new(),
            list: None,
        }
    }

    /// The same reply with `parts` said first.
    pub(crate) fn after(mut self, mut parts: Vec<Part>) -> Reply {
        parts.append(&mut self.parts);
        self.parts = parts;
        self
    }

    /// The keys of the parts, in order.
    pub fn keys(&self) -> Vec<TextKey> {
        self.parts.iter().map(|p| p.key).collect()
    }

    /// Whether one of the parts uses `key`.
    pub fn has(&self, key: TextKey) -> bool {
        self.parts.iter().any(|p| p.key == key)
    }

    /// Whether WhatsApp sends this as an interactive message (buttons or a list).
    pub fn is_interactive(&self) -> bool {
        !self.buttons.is_empty() || self.list.is_some()
    }

    /// The longest body WhatsApp accepts for this reply.
    pub fn max_chars(&self) -> usize {
        if self.is_interactive() {
            INTERACTIVE_MAX_CHARS
        } else {
            TEXT_MAX_CHARS
        }
    }

    /// The message body: each part's template (as given by `template`, e.g. the
    /// superadmin's override or [`TextKey::default_text`]) rendered with its parameters,
    /// joined by blank lines and cut to [`Reply::max_chars`].
    pub fn render<'t>(&self, template: impl Fn(TextKey) -> &'t str) -> String {
        let body = self
            .parts
            .iter()
            .map(|part| {
                let params: Vec<(&str, &str)> = part
                    .params
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                texts::render(template(part.key), &params).trim().to_owned()
            })
            .filter(|text| !text.is_empty())
            .collect::<Vec<_>>()
            .join("\n\n");
        truncate_chars(&body, self.max_chars())
    }

    /// The body with the default texts.
    pub fn render_default(&self) -> String {
        self.render(TextKey::default_text)
    }

    /// Which WhatsApp limit this reply breaks, if any (the machine's replies break none).
    pub fn limit_violation(&self) -> Option<&'static str> {
        if self.parts.is_empty() {
            return Some("a reply has no text");
        }
        if self.buttons.len() > MAX_BUTTONS {
            return Some("more than three buttons");
        }
        if !self.buttons.is_empty() && self.list.is_some() {
            return Some("buttons and a list together");
        }
        for (i, button) in self.buttons.iter().enumerate() {
            let len = button.title.chars().count();
            if len == 0 || len > MAX_BUTTON_TITLE_CHARS {
                return Some("a button title is empty or longer than 20 characters");
            }
            if self.buttons[..i]
                .iter()
                .any(|b| b.title == button.title || b.id == button.id)
            {
                return Some("two buttons share a title or an id");
            }
        }
        if let Some(list) = &self.list {
            let button_len = list.button.chars().count();
            if button_len == 0 || button_len > MAX_BUTTON_TITLE_CHARS {
                return Some("the list button is empty or longer than 20 characters");
            }
            if list.rows.is_empty() || list.rows.len() > MAX_LIST_ROWS {
                return Some("a list has no rows or more than ten");
            }
            if list.rows.iter().any(|r| {
                r.title.is_empty()
                    || r.title.chars().count() > MAX_ROW_TITLE_CHARS
                    || r.description.chars().count() > MAX_ROW_DESCRIPTION_CHARS
            }) {
                return Some("a list row is too long");
            }
        }
        None
    }
}

/// One complaint as the server found it for a status question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusLine {
    pub ticket: Ticket,
    /// The current step in plain words: the server renders the `status_step_<status>`
    /// text (e.g. [`TextKey::StatusStepSubmitted`]) and passes the result.
    pub step: String,
    /// When that step started, e.g. from [`format_date_id`].
    pub since: String,
}

/// Most complaints listed in one status answer.
const MAX_STATUS_LINES: usize = 10;

/// The answer to [`super::Command::Status`]. `asked` is the ticket the citizen named (if
/// any); `found` is what the server found: for a named ticket, that complaint if it
/// belongs to this citizen; otherwise the citizen's open complaints, newest first.
pub fn status_reply(asked: Option<&Ticket>, found: &[StatusLine]) -> Reply {
    let line_part = |key: TextKey, line: &StatusLine| {
        Part::new(key)
            .with("ticket", line.ticket.to_string())
            .with("step", line.step.clone())
            .with("date", line.since.clone())
    };
    if let Some(ticket) = asked {
        return match found.iter().find(|l| l.ticket == *ticket) {
            Some(line) => Reply::of(line_part(TextKey::StatusAnswer, line)),
            None => {
                Reply::of(Part::new(TextKey::StatusNotFound).with("ticket", ticket.to_string()))
            }
        };
    }
    match found {
        [] => Reply::text(TextKey::StatusNoOpenComplaints),
        [only] => Reply::of(line_part(TextKey::StatusAnswer, only)),
        many => {
            let mut parts =
                vec![Part::new(TextKey::StatusListHeader).with("count", many.len().to_string())];
            parts.extend(
                many.iter()
                    .take(MAX_STATUS_LINES)
                    .map(|line| line_part(TextKey::StatusListItem, line)),
            );
            Reply {
                parts,
                buttons: Vec::new(),
                list: None,
            }
        }
    }
}

/// The message the server sends after [`super::Command::Register`]: the command's
/// `reply` key with the new ticket.
pub fn registered_reply(reply: TextKey, ticket: &Ticket) -> Reply {
    Reply::of(Part::new(reply).with("ticket", ticket.to_string()))
}

/// A date as Indonesians write it: `5 November 2026`.
pub fn format_date_id(date: jiff::civil::Date) -> String {
    const MONTHS: [&str; 12] = [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ];
    let month = MONTHS
        .get(usize::try_from(date.month() - 1).unwrap_or(0))
        .copied()
        .unwrap_or("");
    format!("{} {month} {}", date.day(), date.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(seq: u32, step: &str) -> StatusLine {
        StatusLine {
            ticket: Ticket::new(2026, 11, seq).unwrap(),
            step: step.to_owned(),
            since: "5 November 2026".to_owned(),
        }
    }

    #[test]
    fn parts_render_in_one_message_separated_by_a_blank_line() {
        let reply = Reply::text(TextKey::IntakeKtpReceived)
            .after(vec![Part::new(TextKey::IntakeFormReceived)]);
        assert_eq!(
            reply.render_default(),
            "Terima kasih, data yang Anda kirim sudah kami catat.\n\nFoto KTP sudah kami terima ✅"
        );
        let overridden = reply.render(|k| {
            if k == TextKey::IntakeKtpReceived {
                "KTP ok"
            } else {
                k.default_text()
            }
        });
        assert!(overridden.ends_with("\n\nKTP ok"));
    }

    #[test]
    fn an_interactive_body_is_cut_to_1024_characters() {
        let mut reply = Reply::of(Part::new(TextKey::IntakeSummary).with("isi", "x".repeat(3000)));
        reply.buttons.push(ReplyButton {
            id: "a".into(),
            title: "A".into(),
        });
        assert_eq!(reply.render_default().chars().count(), 1024);
    }

    #[test]
    fn a_status_answer_names_the_ticket_its_step_and_date() {
        let asked = Ticket::new(2026, 11, 7).unwrap();
        let text = status_reply(Some(&asked), &[line(7, "Selesai")]).render_default();
        assert!(
            text.contains("WB-202611-0007")
                && text.contains("Selesai")
                && text.contains("5 November 2026")
        );
        let missing = status_reply(Some(&asked), &[]);
        assert_eq!(missing.keys(), vec![TextKey::StatusNotFound]);
        assert!(missing.render_default().contains("WB-202611-0007"));
        assert_eq!(
            status_reply(None, &[]).keys(),
            vec![TextKey::StatusNoOpenComplaints]
        );
        let many = status_reply(None, &[line(2, "a"), line(1, "b")]);
        assert_eq!(
            many.keys(),
            vec![
                TextKey::StatusListHeader,
                TextKey::StatusListItem,
                TextKey::StatusListItem
            ]
        );
        assert!(many.render_default().contains("(2)"));
    }

    #[test]
    fn the_registered_reply_carries_the_ticket() {
        let ticket = Ticket::new(2026, 11, 42).unwrap();
        let text = registered_reply(TextKey::IntakeRegistered, &ticket).render_default();
        assert!(text.contains("*WB-202611-0042*"));
        assert!(text.contains("STATUS WB-202611-0042"));
    }

    #[test]
    fn dates_are_written_the_indonesian_way() {
        assert_eq!(
            format_date_id(jiff::civil::date(2026, 11, 5)),
            "5 November 2026"
        );
        assert_eq!(
            format_date_id(jiff::civil::date(2027, 1, 31)),
            "31 Januari 2027"
        );
    }
}
