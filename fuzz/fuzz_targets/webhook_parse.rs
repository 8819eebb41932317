//! `wani_bares_whatsapp::webhook::parse` on arbitrary bytes (seeded with Meta's real
//! bodies, so libFuzzer's byte mutations start from the real format).
//!
//! Checks: never panics; a body either is a `ParseError` or flattens into events whose
//! invariants hold (a message always has a non-empty id, an edit never nests an edit, no
//! string holds a NUL character);
//! parsing is deterministic (the inbox re-parses stored bodies after a restart).

#![no_main]

use libfuzzer_sys::fuzz_target;
use wani_bares_whatsapp::webhook::{self, Content, Event};

fuzz_target!(|data: &[u8]| {
    let Ok(notification) = webhook::parse(data) else {
        return;
    };
    for event in &notification.events {
        let _ = event.routing();
        if let Event::Message(message) = event {
            assert!(!message.id.is_empty(), "a message without an id: {message:?}");
            // NUL never survives parsing (PostgreSQL text cannot store it).
            for s in [Some(&message.id), message.from.as_ref(), message.profile_name.as_ref()]
                .into_iter()
                .flatten()
            {
                assert!(!s.contains('\0'), "NUL in {s:?}");
            }
            if let Content::Text { body } = &message.content {
                assert!(!body.contains('\0'), "NUL in a text");
            }
            if let Some((_, media)) = message.content.media() {
                assert!(!media.filename.as_deref().unwrap_or("").contains('\0'));
            }
            let _ = message.content.media();
            if let Content::Edit { content, .. } = &message.content {
                assert!(
                    !matches!(**content, Content::Edit { .. }),
                    "an edit nested in an edit"
                );
            }
        }
    }
    let counted = notification.messages().count() + notification.statuses().count();
    assert!(counted <= notification.events.len());
    let again = webhook::parse(data).ok();
    assert_eq!(again.as_ref(), Some(&notification), "parsing is not deterministic");
});
