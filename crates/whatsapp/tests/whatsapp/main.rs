//! Integration tests of the WhatsApp crate against real Cloud API bodies
//! (`tests/fixtures/wa-samples`, see its SOURCES.md) and a local fake Graph API.

mod client;
mod properties;
mod samples;

use std::path::{Path, PathBuf};

use wani_bares_whatsapp::webhook::{self, Event, InboundMessage, Notification, StatusUpdate};

/// The crate's own copy of the samples, so the repository is self-contained.
pub fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wa-samples")
}

/// The bytes of a sample file, by its path under `wa-samples/`.
pub fn sample(name: &str) -> Vec<u8> {
    let path = samples_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every file under `wa-samples/` (top level and `derived/`), as paths relative to it.
pub fn all_sample_names() -> Vec<String> {
    let mut names = Vec::new();
    for dir in ["", "derived"] {
        let entries = std::fs::read_dir(samples_dir().join(dir))
            .unwrap_or_else(|e| panic!("cannot list samples: {e}"));
        for entry in entries {
            let entry = entry.unwrap_or_else(|e| panic!("cannot list samples: {e}"));
            if entry.path().is_file() {
                let file = entry.file_name().to_string_lossy().into_owned();
                names.push(if dir.is_empty() {
                    file
                } else {
                    format!("{dir}/{file}")
                });
            }
        }
    }
    names.sort();
    names
}

/// Parses a webhook sample, failing the test on a body-level error.
pub fn parse_sample(name: &str) -> Notification {
    webhook::parse(&sample(name)).unwrap_or_else(|e| panic!("{name} does not parse: {e}"))
}

/// The messages of a notification, in order.
pub fn messages(notification: &Notification) -> Vec<&InboundMessage> {
    notification
        .events
        .iter()
        .filter_map(|event| match event {
            Event::Message(message) => Some(message),
            _ => None,
        })
        .collect()
}

/// The statuses of a notification, in order.
pub fn statuses(notification: &Notification) -> Vec<&StatusUpdate> {
    notification
        .events
        .iter()
        .filter_map(|event| match event {
            Event::Status(status) => Some(status),
            _ => None,
        })
        .collect()
}

/// The only message of a one-message sample.
pub fn only_message(name: &str) -> InboundMessage {
    let notification = parse_sample(name);
    let found = messages(&notification);
    assert_eq!(found.len(), 1, "{name}: {:#?}", notification.events);
    found[0].clone()
}

/// The only status of a one-status sample.
pub fn only_status(name: &str) -> StatusUpdate {
    let notification = parse_sample(name);
    let found = statuses(&notification);
    assert_eq!(found.len(), 1, "{name}: {:#?}", notification.events);
    found[0].clone()
}
