//! Structure-aware mutations of Meta's real webhook bodies: pick a sample, apply a few
//! JSON-level edits (replace any node with a value of another type, a huge number, a long
//! or hostile string, deep nesting; drop a key; duplicate an array element; rename a
//! message `type`), serialise, parse. Byte-level fuzzing rarely keeps a body valid JSON
//! with the right `object`; this target always does, so it exercises the per-item code.
//!
//! Checks: never panics; the sample's envelope survives (the result is never a
//! `ParseError` unless an edit touched `object` or `entry`); determinism.

#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Number, Value};
use wani_bares_whatsapp::webhook::{self, Event};

const SAMPLES: &[&[u8]] = &[
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/derived/inbound-message-and-status-same-post.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/derived/inbound-text-indonesian-emoji-nonlatin.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/derived/inbound-text-long-4096-chars.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/derived/inbound-three-messages-one-value.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/derived/inbound-two-entries-two-phone-numbers.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/error-190-access-token-expired.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-audio-voice-note.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-bsuid-only-no-from.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-button-quick-reply-with-from-user-id.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-button-template-quick-reply.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-contacts-multiple.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-document-pdf-with-caption.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-edit-image-caption.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-image-with-caption.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-image-with-url.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-image.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-interactive-button-reply.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-interactive-list-reply.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-interactive-no-object-with-value-errors.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-location-named-place.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-location-pin.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-reaction-emoji-escaped-surrogates.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-reaction-emoji.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-reaction-removed.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-sticker-animated.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-system-user-changed-number.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-text-ctwa-ad-referral.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-text-frequently-forwarded.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-text-reply-with-context.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-text.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-two-changes-in-one-entry.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-unsupported-legacy-error-shape.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-unsupported.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/inbound-video-with-caption-forwarded.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/status-delivered.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/status-failed-130472.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/status-failed-131053.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/status-read.json"),
    include_bytes!("../../crates/whatsapp/tests/fixtures/wa-samples/status-sent.json"),
];

/// A replacement value.
#[derive(Debug, Arbitrary)]
enum Replacement {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// Beyond `u64`: serde_json reads it as a float (or fails without `arbitrary_precision`).
    HugeNumber(u8),
    Text(String),
    Hostile(u8),
    EmptyArray,
    EmptyObject,
    Nested(u8),
}

impl Replacement {
    fn value(self) -> Value {
        match self {
            Replacement::Null => Value::Null,
            Replacement::Bool(b) => Value::Bool(b),
            Replacement::Int(i) => Value::from(i),
            Replacement::Float(f) => Number::from_f64(f).map_or(Value::Null, Value::Number),
            Replacement::HugeNumber(n) => {
                let digits = format!("1{}", "9".repeat(usize::from(n) + 20));
                serde_json::from_str(&digits).unwrap_or(Value::Null)
            }
            Replacement::Text(s) => Value::String(s),
            Replacement::Hostile(n) => Value::String(
                [
                    "",
                    "\u{200b}\u{200f}\u{202e}",
                    "../../etc/passwd",
                    "<script>alert(1)</script>",
                    "'; DROP TABLE complaints; --",
                    "\u{0}",
                    "wamid.\u{fffd}",
                    "9999999999999999999999",
                ][usize::from(n) % 8]
                    .to_owned(),
            ),
            Replacement::EmptyArray => Value::Array(Vec::new()),
            Replacement::EmptyObject => Value::Object(Map::new()),
            Replacement::Nested(depth) => {
                let mut v = Value::Null;
                for _ in 0..(usize::from(depth) % 120) {
                    v = Value::Array(vec![v]);
                }
                v
            }
        }
    }
}

#[derive(Debug, Arbitrary)]
enum Edit {
    Replace { node: u16, with: Replacement },
    RemoveKey { node: u16, key: u8 },
    DuplicateElement { node: u16, index: u8 },
    SetType { node: u16, type_name: String },
    AddKey { node: u16, key: String, with: Replacement },
}

fn apply(root: &mut Value, edit: Edit) {
    match edit {
        Edit::Replace { node, with } => *select(root, node) = with.value(),
        Edit::RemoveKey { node, key } => {
            if let Value::Object(o) = select(root, node) {
                if let Some(k) = o.keys().nth(usize::from(key) % o.len().max(1)).cloned() {
                    o.remove(&k);
                }
            }
        }
        Edit::DuplicateElement { node, index } => {
            if let Value::Array(a) = select(root, node) {
                if !a.is_empty() {
                    let v = a[usize::from(index) % a.len()].clone();
                    a.push(v);
                }
            }
        }
        Edit::SetType { node, type_name } => {
            if let Value::Object(o) = select(root, node) {
                o.insert("type".into(), Value::String(type_name));
            }
        }
        Edit::AddKey { node, key, with } => {
            if let Value::Object(o) = select(root, node) {
                o.insert(key, with.value());
            }
        }
    }
}

/// The node numbered `n` in pre-order, wrapping around the tree's size.
fn select(root: &mut Value, n: u16) -> &mut Value {
    fn count(v: &Value) -> usize {
        1 + match v {
            Value::Array(a) => a.iter().map(count).sum(),
            Value::Object(o) => o.values().map(count).sum(),
            _ => 0,
        }
    }
    fn walk(v: &mut Value, n: usize) -> Result<&mut Value, usize> {
        if n == 0 {
            return Ok(v);
        }
        let mut n = n - 1;
        match v {
            Value::Array(a) => {
                for c in a.iter_mut() {
                    match walk(c, n) {
                        Ok(found) => return Ok(found),
                        Err(rest) => n = rest,
                    }
                }
                Err(n)
            }
            Value::Object(o) => {
                for c in o.values_mut() {
                    match walk(c, n) {
                        Ok(found) => return Ok(found),
                        Err(rest) => n = rest,
                    }
                }
                Err(n)
            }
            _ => Err(n),
        }
    }
    let n = usize::from(n) % count(root);
    if n == 0 {
        return root;
    }
    match walk(root, n) {
        Ok(found) => found,
        Err(_) => unreachable!("n is below the node count"),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(pick) = u.arbitrary::<u8>() else {
        return;
    };
    let sample = SAMPLES[usize::from(pick) % SAMPLES.len()];
    let Ok(mut root) = serde_json::from_slice::<Value>(sample) else {
        panic!("a sample is not JSON");
    };
    let Ok(edits) = u.arbitrary::<Vec<Edit>>() else {
        return;
    };
    // A few samples are Graph API error bodies, not webhook envelopes.
    let mut envelope_touched = webhook::parse(sample).is_err();
    for edit in edits.into_iter().take(8) {
        let before = (root.get("object").cloned(), root.get("entry").map(Value::is_array));
        apply(&mut root, edit);
        let after = (root.get("object").cloned(), root.get("entry").map(Value::is_array));
        envelope_touched |= before != after || !root.is_object();
    }
    let body = serde_json::to_vec(&root).unwrap_or_default();
    let parsed = webhook::parse(&body);
    match &parsed {
        Ok(notification) => {
            for event in &notification.events {
                if let Event::Message(m) = event {
                    assert!(!m.id.is_empty());
                    let _ = m.content.media();
                }
            }
        }
        // Depth beyond serde_json's recursion limit is a NotJson error, also acceptable.
        Err(webhook::ParseError::NotJson(_)) => {}
        Err(e) => assert!(envelope_touched, "a valid envelope was refused: {e}"),
    }
    assert_eq!(webhook::parse(&body).ok(), parsed.ok());
});
